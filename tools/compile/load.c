// SPDX-License-Identifier: GPL-2.0
/*
 * edna_load: a compiled program on a device (edna_load.h).
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edna_load.h"

/*
 * Weights reach DRAM and SRAM through two host staging buffers of this
 * size, so that the CPU fills one while a COPY job drains the other.
 * Large enough that a job's fixed cost is small next to its bytes.
 */
#define STAGE_BYTES	(8ull << 20)
/* Ranges of a pool closer than this are copied as one (the gap too). */
#define MERGE_GAP	4096

/* The host buffer of the jobs: argument block, then the logits read back. */
#define IO_ARGS		0
#define IO_LOGITS	4096

struct edna_loaded {
	struct accel_device *dev;
	const struct edna_program *prog;
	struct accel_bo *pool[EDNA_POOL_COUNT];
	uint32_t region[EDNA_POOL_COUNT];
	struct accel_graph *graph;
	struct accel_bo *io;
	struct drm_edna_bo_ref refs[EDNA_POOL_COUNT + 2];
	unsigned int n_refs;
	uint64_t upload_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static const char *region_name(uint32_t r)
{
	return r == EDNA_REGION_SRAM ? "SRAM" : r == EDNA_REGION_DRAM ? "DRAM" : "host memory";
}

/* A job's status and record as one message. */
static int job_failed(char *err, size_t errlen, const char *what, int status, uint32_t op,
		      const struct drm_edna_job_result *r)
{
	char desc[256];

	accel_result_describe(r, op, desc, sizeof(desc));
	return edna_errmsg(err, errlen, status, "%s failed: %s (%s)", what, accel_strerror(status), desc);
}

static int wait_job(struct edna_loaded *l, uint64_t seqno, uint32_t op, const char *what,
		    struct drm_edna_job_result *res, char *err, size_t errlen)
{
	struct drm_edna_job_result r;
	int status = 0, ret;

	ret = accel_wait(l->dev, seqno, ACCEL_DEADLINE_NEVER, &status, &r);
	if (ret)
		return edna_errmsg(err, errlen, ret, "waiting for %s: %s", what, accel_strerror(ret));
	if (status)
		return job_failed(err, errlen, what, status, op, &r);
	if (res)
		*res = r;
	return 0;
}

/*
 * Where a pool may go, in order: the plan's tier, then slower ones.  An
 * SRAM pool asks for DRAM fallback in the same call (another client may
 * hold the SRAM).
 */
static int alloc_pool(struct edna_loaded *l, int pool, char *err, size_t errlen)
{
	static const char *const names[EDNA_POOL_COUNT] = { "SRAM", "DRAM", "host read-only",
							     "host" };
	uint64_t size = l->prog->pool_size[pool];
	int written = edna_program_pool_written(l->prog, pool);
	struct where { uint32_t region, flags; } try[2];
	int n = 0, i, ret = 0;

	l->region[pool] = EDNA_REGION_COUNT;
	if (!size)
		return 0;
	switch (pool) {
	case EDNA_POOL_SRAM:
		try[n++] = (struct where){ EDNA_REGION_SRAM, EDNA_BO_ALLOW_FALLBACK };
		break;
	case EDNA_POOL_DRAM:
		try[n++] = (struct where){ EDNA_REGION_DRAM, 0 };
		break;
	}
	try[n++] = (struct where){ EDNA_REGION_HOST, written ? 0 : EDNA_BO_DEVICE_READ_ONLY };
	for (i = 0; i < n; i++) {
		ret = accel_bo_alloc(l->dev, size, try[i].region, try[i].flags, &l->pool[pool]);
		if (!ret)
			break;
		if (ret != -ENOSPC && ret != -E2BIG)
			break;
	}
	if (ret)
		return edna_errmsg(err, errlen, ret, "allocating the %s pool of %llu bytes: %s",
			    names[pool], (unsigned long long)size, accel_strerror(ret));
	l->region[pool] = accel_bo_region(l->pool[pool]);
	return 0;
}

static const uint8_t *buf_data(const struct edna_buf *b)
{
	return b->data;
}

static int cmp_offset(const void *pa, const void *pb)
{
	const struct edna_buf *a = *(const struct edna_buf *const *)pa;
	const struct edna_buf *b = *(const struct edna_buf *const *)pb;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Host pools: the CPU writes the weights in place. */
static int fill_host_pool(struct edna_loaded *l, int pool, char *err, size_t errlen)
{
	const struct edna_program *p = l->prog;
	uint8_t *map;
	uint32_t i;
	int ret = accel_bo_map(l->pool[pool], (void **)&map);

	if (ret)
		return edna_errmsg(err, errlen, ret, "mapping a host pool: %s", accel_strerror(ret));
	for (i = 0; i < p->n_bufs; i++)
		if (p->bufs[i].pool == pool && p->bufs[i].data)
			memcpy(map + p->bufs[i].offset, p->bufs[i].data, p->bufs[i].bytes);
	return 0;
}

struct stager {
	struct accel_bo *bo[2];
	uint64_t seqno[2];
	unsigned int next;
};

/* The bytes [at, at + len) of @pool's image into @dst: weights, zeros between. */
static void fill_window(const struct edna_buf *const *bufs, uint32_t n, uint64_t at,
			uint64_t len, uint8_t *dst)
{
	uint32_t i;

	memset(dst, 0, len);
	for (i = 0; i < n; i++) {
		const struct edna_buf *b = bufs[i];
		uint64_t s = b->offset > at ? b->offset : at;
		uint64_t e = b->offset + b->bytes < at + len ? b->offset + b->bytes : at + len;

		if (s < e)
			memcpy(dst + (s - at), buf_data(b) + (s - b->offset), e - s);
	}
}

static int copy_window(struct edna_loaded *l, struct stager *s, struct accel_bo *dst,
		       const struct edna_buf *const *bufs, uint32_t n, uint64_t at, uint64_t len,
		       char *err, size_t errlen)
{
	unsigned int k = s->next++ & 1;
	struct drm_edna_bo_ref refs[2];
	struct drm_edna_job job;
	uint8_t *map;
	int ret;

	if (s->seqno[k] && (ret = wait_job(l, s->seqno[k], EDNA_JOB_COPY, "weight upload job",
					   NULL, err, errlen)))
		return ret;
	s->seqno[k] = 0;
	ret = accel_bo_map(s->bo[k], (void **)&map);
	if (ret)
		return edna_errmsg(err, errlen, ret, "mapping a staging buffer: %s", accel_strerror(ret));
	fill_window(bufs, n, at, len, map);
	refs[0] = (struct drm_edna_bo_ref){ accel_bo_handle(dst), EDNA_BO_WRITE };
	refs[1] = (struct drm_edna_bo_ref){ accel_bo_handle(s->bo[k]), EDNA_BO_READ };
	if ((ret = accel_job_init_copy(&job, dst, at, s->bo[k], 0, len)) ||
	    (ret = accel_job_set_bos(&job, refs, 2)) || (ret = accel_submit(l->dev, &job, 1)))
		return edna_errmsg(err, errlen, ret, "queueing a weight upload: %s", accel_strerror(ret));
	s->seqno[k] = job.seqno;
	return 0;
}

/* Device pools: through the staging buffers, one merged range of weights at a time. */
static int upload_device_pool(struct edna_loaded *l, struct stager *s, int pool, char *err,
			      size_t errlen)
{
	const struct edna_program *p = l->prog;
	const struct edna_buf **bufs;
	uint32_t i, n = 0, first;
	int ret = 0;

	bufs = calloc(p->n_bufs, sizeof(*bufs));
	if (!bufs)
		return edna_errmsg(err, errlen, -ENOMEM, "out of memory");
	for (i = 0; i < p->n_bufs; i++)
		if (p->bufs[i].pool == pool && p->bufs[i].data && p->bufs[i].bytes)
			bufs[n++] = &p->bufs[i];
	qsort(bufs, n, sizeof(*bufs), cmp_offset);
	for (first = 0; first < n && !ret;) {
		uint64_t start = bufs[first]->offset, end = start + bufs[first]->bytes, at;
		uint32_t last = first + 1;

		while (last < n && bufs[last]->offset <= end + MERGE_GAP) {
			uint64_t e = bufs[last]->offset + bufs[last]->bytes;

			end = e > end ? e : end;
			last++;
		}
		for (at = start; at < end && !ret; at += STAGE_BYTES) {
			uint64_t len = end - at < STAGE_BYTES ? end - at : STAGE_BYTES;

			ret = copy_window(l, s, l->pool[pool], bufs + first, last - first, at, len,
					  err, errlen);
		}
		first = last;
	}
	free(bufs);
	return ret;
}

static int upload(struct edna_loaded *l, char *err, size_t errlen)
{
	struct stager s = { 0 };
	uint64_t stage = 0;
	int pool, k, ret = 0;

	for (pool = 0; pool < EDNA_POOL_COUNT; pool++) {
		if (!l->pool[pool])
			continue;
		if (l->region[pool] == EDNA_REGION_HOST) {
			ret = fill_host_pool(l, pool, err, errlen);
			if (ret)
				return ret;
		} else if (l->prog->pool_size[pool] > stage) {
			stage = l->prog->pool_size[pool];
		}
	}
	if (!stage)
		return 0;
	if (stage > STAGE_BYTES)
		stage = STAGE_BYTES;
	for (k = 0; k < 2; k++) {
		ret = accel_bo_alloc(l->dev, stage, EDNA_REGION_HOST, 0, &s.bo[k]);
		if (ret) {
			edna_errmsg(err, errlen, ret, "allocating a staging buffer: %s", accel_strerror(ret));
			goto out;
		}
	}
	for (pool = 0; pool < EDNA_POOL_COUNT && !ret; pool++)
		if (l->pool[pool] && l->region[pool] != EDNA_REGION_HOST)
			ret = upload_device_pool(l, &s, pool, err, errlen);
out:
	/* Also after a failure: the staging buffers must not go while jobs read them. */
	for (k = 0; k < 2; k++) {
		if (s.seqno[k]) {
			int r = wait_job(l, s.seqno[k], EDNA_JOB_COPY, "weight upload job", NULL,
					 ret ? NULL : err, errlen);

			ret = ret ? ret : r;
		}
		accel_bo_free(s.bo[k]);
	}
	return ret;
}

int edna_load(struct accel_device *dev, const struct edna_program *prog,
	      struct edna_loaded **out, char *err, size_t errlen)
{
	struct drm_edna_graph_op *ops = NULL;
	uint64_t base[EDNA_POOL_COUNT] = { 0 }, t0 = now_ns(), io_size;
	struct edna_loaded *l;
	int pool, ret;

	if (!dev || !prog || !out)
		return -EINVAL;
	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return edna_errmsg(err, errlen, -ENOMEM, "out of memory");
	l->dev = dev;
	l->prog = prog;
	for (pool = 0; pool < EDNA_POOL_COUNT; pool++) {
		ret = alloc_pool(l, pool, err, errlen);
		if (ret)
			goto fail;
		if (l->pool[pool])
			base[pool] = accel_bo_va(l->pool[pool]);
	}
	ret = upload(l, err, errlen);
	if (ret)
		goto fail;
	l->upload_ns = now_ns() - t0;

	ops = calloc(prog->n_ops, sizeof(*ops));
	if (!ops) {
		ret = edna_errmsg(err, errlen, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = edna_program_relocate(prog, base, ops);
	if (ret) {
		edna_errmsg(err, errlen, ret, "the graph addresses a buffer outside its pool");
		goto fail;
	}
	ret = accel_graph_build(dev, ops, prog->n_ops, prog->max_tokens, &l->graph);
	if (ret) {
		edna_errmsg(err, errlen, ret, "loading the graph: %s", accel_strerror(ret));
		goto fail;
	}
	io_size = IO_LOGITS + 4ull * prog->config.vocab_size;
	ret = accel_bo_alloc(dev, io_size, EDNA_REGION_HOST, 0, &l->io);
	if (ret) {
		edna_errmsg(err, errlen, ret, "allocating the argument buffer: %s", accel_strerror(ret));
		goto fail;
	}
	/* What a graph job uses: read-only pools are READ so clients never wait on each other. */
	l->refs[l->n_refs++] = (struct drm_edna_bo_ref){ accel_graph_handle(l->graph),
							 EDNA_BO_READ };
	l->refs[l->n_refs++] = (struct drm_edna_bo_ref){ accel_bo_handle(l->io), EDNA_BO_WRITE };
	for (pool = 0; pool < EDNA_POOL_COUNT; pool++)
		if (l->pool[pool])
			l->refs[l->n_refs++] = (struct drm_edna_bo_ref){
				accel_bo_handle(l->pool[pool]),
				edna_program_pool_written(prog, pool) ? EDNA_BO_WRITE : EDNA_BO_READ };
	free(ops);
	*out = l;
	return 0;
fail:
	free(ops);
	edna_loaded_free(l);
	return ret;
}

void edna_loaded_free(struct edna_loaded *l)
{
	int pool;

	if (!l)
		return;
	accel_graph_free(l->graph);
	accel_bo_free(l->io);
	for (pool = 0; pool < EDNA_POOL_COUNT; pool++)
		accel_bo_free(l->pool[pool]);
	free(l);
}

uint32_t edna_loaded_region(const struct edna_loaded *l, int pool)
{
	return pool >= 0 && pool < EDNA_POOL_COUNT ? l->region[pool] : EDNA_REGION_COUNT;
}

void edna_loaded_regions(const struct edna_loaded *l, uint32_t region[EDNA_POOL_COUNT])
{
	memcpy(region, l->region, sizeof(l->region));
}

uint64_t edna_loaded_upload_ns(const struct edna_loaded *l)
{
	return l->upload_ns;
}

int edna_loaded_run(struct edna_loaded *l, uint32_t pos, const uint32_t *tokens,
		    uint32_t n_tokens, uint32_t steps, uint32_t *out, float *logits,
		    struct drm_edna_job_result *res, char *err, size_t errlen)
{
	const struct edna_program *p = l->prog;
	uint32_t vocab = p->config.vocab_size, i;
	struct drm_edna_bo_ref copy_refs[2];
	struct drm_edna_job jobs[2];
	int lp = EDNA_ADDR_POOL(p->logits), ret;
	unsigned int n_jobs = 1;

	if (!tokens || !out || n_tokens < 1 || n_tokens > p->max_tokens || steps < 1 ||
	    steps > EDNA_GRAPH_MAX_STEPS)
		return edna_errmsg(err, errlen, -EINVAL,
			    "a job of %u tokens and %u steps, expected 1 to %u tokens and 1 to %u steps",
			    n_tokens, steps, p->max_tokens, EDNA_GRAPH_MAX_STEPS);
	if ((uint64_t)pos + n_tokens + steps - 1 > p->max_seq)
		return edna_errmsg(err, errlen, -EINVAL,
			    "positions %u to %llu, expected below the KV cache's %u", pos,
			    (unsigned long long)pos + n_tokens + steps - 2, p->max_seq);
	for (i = 0; i < n_tokens; i++)
		if (tokens[i] >= vocab)
			return edna_errmsg(err, errlen, -EINVAL, "token %u is %u, expected below %u", i,
				    tokens[i], vocab);
	ret = accel_graph_args_write(l->io, IO_ARGS, pos, n_tokens, steps, tokens);
	if (ret)
		return edna_errmsg(err, errlen, ret, "writing the arguments: %s", accel_strerror(ret));
	if ((ret = accel_job_init_graph(&jobs[0], l->graph, l->io, IO_ARGS)) ||
	    (ret = accel_job_set_bos(&jobs[0], l->refs, l->n_refs)))
		return edna_errmsg(err, errlen, ret, "preparing the graph job: %s", accel_strerror(ret));
	if (logits) {
		/* behind the graph job: it reads the pool the graph writes */
		copy_refs[0] = (struct drm_edna_bo_ref){ accel_bo_handle(l->pool[lp]), EDNA_BO_READ };
		copy_refs[1] = (struct drm_edna_bo_ref){ accel_bo_handle(l->io), EDNA_BO_WRITE };
		if ((ret = accel_job_init_copy(&jobs[1], l->io, IO_LOGITS, l->pool[lp],
					       EDNA_ADDR_OFF(p->logits), 4ull * vocab)) ||
		    (ret = accel_job_set_bos(&jobs[1], copy_refs, 2)))
			return edna_errmsg(err, errlen, ret, "preparing the logits copy: %s",
				    accel_strerror(ret));
		n_jobs = 2;
	}
	ret = accel_submit(l->dev, jobs, n_jobs);
	if (ret)
		return edna_errmsg(err, errlen, ret, "submitting the graph job: %s", accel_strerror(ret));
	ret = wait_job(l, jobs[0].seqno, EDNA_JOB_GRAPH, "graph job", res, err, errlen);
	if (n_jobs == 2) {
		int r = wait_job(l, jobs[1].seqno, EDNA_JOB_COPY, "logits copy job", NULL,
				 ret ? NULL : err, errlen);

		ret = ret ? ret : r;
		if (!ret && (ret = accel_bo_read(l->io, IO_LOGITS, logits, 4ull * vocab)))
			return edna_errmsg(err, errlen, ret, "reading the logits: %s", accel_strerror(ret));
	}
	if (ret)
		return ret;
	ret = accel_graph_args_read_tokens(l->io, IO_ARGS, n_tokens, steps, out);
	if (ret)
		return edna_errmsg(err, errlen, ret, "reading the tokens: %s", accel_strerror(ret));
	return 0;
}

const char *edna_region_name(uint32_t region)
{
	return region_name(region);
}
