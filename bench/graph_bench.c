// SPDX-License-Identifier: GPL-2.0
/*
 * graph-bench: the time of a decoder layer run as a graph through the
 * whole stack (SUBMIT, the scheduler, the device model, WAIT) against the
 * same op kernels called in this process on the same shapes, in the same
 * VM.  Prints "bench: graph_stack_ratio=".
 *
 * Weights are q8_0 in device DRAM, activations and the KV cache in SRAM,
 * as a compiler would place them; the in-process run uses malloc'd
 * memory and the same kernels (driver/sim/edna_ops.c built for the host).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "edna_accel.h"
#include "edna_ops.h"

enum { D = 512, HEADS = 8, KVH = 4, HD = 64, KVW = KVH * HD, FFN = 1408, VOCAB = 512,
       SEQ = 128, POS = 64, ROUNDS = 5, RUNS = 4 };

/* The weights, by role: rows x columns, all q8_0. */
enum { W_EMB, W_Q, W_K, W_V, W_O, W_1, W_3, W_2, W_COUNT };
static const unsigned int wshape[W_COUNT][2] = {
	[W_EMB] = { VOCAB, D }, [W_Q] = { D, D }, [W_K] = { KVW, D }, [W_V] = { KVW, D },
	[W_O] = { D, D }, [W_1] = { FFN, D }, [W_3] = { FFN, D }, [W_2] = { D, FFN },
};

/* Activations, by role, with their sizes in floats. */
enum { A_X, A_H, A_Q, A_K, A_V, A_KC, A_VC, A_ATT, A_O, A_F1, A_F3, A_NORM, A_COUNT };
static const unsigned int asize[A_COUNT] = {
	[A_X] = D, [A_H] = D, [A_Q] = D, [A_K] = KVW, [A_V] = KVW, [A_KC] = SEQ * KVW,
	[A_VC] = SEQ * KVW, [A_ATT] = D, [A_O] = D, [A_F1] = FFN, [A_F3] = FFN, [A_NORM] = D,
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t wbytes(int w)
{
	return edna_ops_row_bytes(EDNA_DTYPE_Q8_0, wshape[w][1]) * wshape[w][0];
}

/* q8_0 blocks with a small scale and random quants: realistic magnitudes. */
static void fill_q8_0(uint8_t *p, uint64_t bytes, uint32_t *seed)
{
	uint64_t i;

	for (i = 0; i < bytes; i += 34) {
		int j;

		p[i] = 0x1f, p[i + 1] = 0x21;	/* f16 0.0101 */
		for (j = 2; j < 34; j++) {
			*seed = *seed * 1103515245u + 12345u;
			p[i + j] = *seed >> 16;
		}
	}
}

static int ioctl_or_errno(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static int bo_new(int fd, uint64_t size, uint32_t region, uint32_t *handle, uint64_t *va)
{
	struct drm_edna_bo_create c = { .size = size, .region = region };
	int ret = ioctl_or_errno(fd, DRM_IOCTL_EDNA_BO_CREATE, &c);

	*handle = c.handle;
	*va = c.va;
	return ret;
}

static int run_job(int fd, struct drm_edna_job *j)
{
	struct drm_edna_submit s = { .jobs = (uintptr_t)j, .job_count = 1,
				     .job_stride = sizeof(*j) };
	struct drm_edna_wait w = { .deadline_ns = now_ns() + 600e9 };
	int ret = ioctl_or_errno(fd, DRM_IOCTL_EDNA_SUBMIT, &s);

	if (ret)
		return ret;
	w.seqno = j->seqno;
	ret = ioctl_or_errno(fd, DRM_IOCTL_EDNA_WAIT, &w);
	return ret ?: w.status;
}

static void op(struct drm_edna_graph_op *o, uint16_t code, uint64_t dst, uint64_t s0,
	       uint64_t s1, uint64_t s2, uint32_t d0, uint32_t d1, uint32_t d2, uint32_t d3)
{
	memset(o, 0, sizeof(*o));
	o->opcode = code;
	o->dst = dst;
	o->src[0] = s0, o->src[1] = s1, o->src[2] = s2;
	o->dim[0] = d0, o->dim[1] = d1, o->dim[2] = d2, o->dim[3] = d3;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* The layer as op records over the given addresses; returns the op count. */
static unsigned int build_layer(struct drm_edna_graph_op *o, const uint64_t *w,
				const uint64_t *a)
{
	unsigned int n = 0;

	op(&o[n], EDNA_GOP_EMBED, a[A_X], w[W_EMB], 0, 0, D, VOCAB, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n], EDNA_GOP_RMSNORM, a[A_H], a[A_X], a[A_NORM], 0, D, 0, 0, 0);
	o[n++].param[0] = f32_bits(1e-5f);
	op(&o[n], EDNA_GOP_MATMUL, a[A_Q], a[A_H], w[W_Q], 0, D, D, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n], EDNA_GOP_MATMUL, a[A_K], a[A_H], w[W_K], 0, KVW, D, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n], EDNA_GOP_MATMUL, a[A_V], a[A_H], w[W_V], 0, KVW, D, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n], EDNA_GOP_ROPE, a[A_Q], a[A_Q], 0, 0, HEADS, HD, 0, 0);
	o[n++].param[0] = f32_bits(10000.0f);
	op(&o[n], EDNA_GOP_ROPE, a[A_K], a[A_K], 0, 0, KVH, HD, 0, 0);
	o[n++].param[0] = f32_bits(10000.0f);
	op(&o[n++], EDNA_GOP_KV_APPEND, a[A_KC], a[A_K], 0, 0, KVW, SEQ, 0, 0);
	op(&o[n++], EDNA_GOP_KV_APPEND, a[A_VC], a[A_V], 0, 0, KVW, SEQ, 0, 0);
	op(&o[n++], EDNA_GOP_ATTENTION, a[A_ATT], a[A_Q], a[A_KC], a[A_VC], HEADS, KVH, HD, SEQ);
	op(&o[n], EDNA_GOP_MATMUL, a[A_O], a[A_ATT], w[W_O], 0, D, D, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n++], EDNA_GOP_ADD, a[A_X], a[A_X], a[A_O], 0, D, 0, 0, 0);
	op(&o[n], EDNA_GOP_MATMUL, a[A_F1], a[A_X], w[W_1], 0, FFN, D, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n], EDNA_GOP_MATMUL, a[A_F3], a[A_X], w[W_3], 0, FFN, D, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n++], EDNA_GOP_SILU_MUL, a[A_F1], a[A_F1], a[A_F3], 0, FFN, 0, 0, 0);
	op(&o[n], EDNA_GOP_MATMUL, a[A_O], a[A_F1], w[W_2], 0, D, FFN, 0, 0);
	o[n++].dtype = EDNA_DTYPE_Q8_0;
	op(&o[n++], EDNA_GOP_ADD, a[A_X], a[A_X], a[A_O], 0, D, 0, 0, 0);
	return n;
}

/* The same ops, called here; @w and @a are host pointers cast to addresses. */
static void run_layer_here(const struct drm_edna_graph_op *o, unsigned int n, uint32_t token,
			   float *scratch, uint32_t cpu)
{
	unsigned int i, h;

	for (i = 0; i < n; i++) {
		const struct drm_edna_graph_op *p = &o[i];
		float *dst = (float *)(uintptr_t)p->dst;
		const float *s0 = (const float *)(uintptr_t)p->src[0];
		const float *s1 = (const float *)(uintptr_t)p->src[1];
		const float *s2 = (const float *)(uintptr_t)p->src[2];
		uint64_t rb = edna_ops_row_bytes(p->dtype, p->dim[1]);

		switch (p->opcode) {
		case EDNA_GOP_EMBED:
			edna_ops_dequant_row(dst, (const char *)s0 + token *
					     edna_ops_row_bytes(p->dtype, p->dim[0]),
					     p->dtype, p->dim[0], cpu);
			break;
		case EDNA_GOP_RMSNORM:
			edna_ops_rmsnorm(dst, s0, s1, p->dim[0], p->param[0], cpu);
			break;
		case EDNA_GOP_MATMUL:
			(void)rb;
			edna_ops_matmul(dst, p->dim[0], s0, p->dim[1], s1, p->dtype, 1, p->dim[1],
					0, p->dim[0], cpu);
			break;
		case EDNA_GOP_ROPE:
			edna_ops_rope(dst, s0, p->dim[0], p->dim[1], POS, p->param[0], cpu);
			break;
		case EDNA_GOP_KV_APPEND:
			memcpy(dst + (size_t)POS * p->dim[0], s0, p->dim[0] * sizeof(float));
			break;
		case EDNA_GOP_ATTENTION:
			for (h = 0; h < HEADS; h++) {
				unsigned int col = h / (HEADS / KVH) * HD;

				edna_ops_attention_head(dst + h * HD, s0 + h * HD, s1 + col, s2 + col,
							KVW, HD, POS + 1, 0, scratch, cpu);
			}
			break;
		case EDNA_GOP_ADD:
			edna_ops_add(dst, s0, s1, p->dim[0], cpu);
			break;
		case EDNA_GOP_SILU_MUL:
			edna_ops_silu_mul(dst, s0, s1, p->dim[0], cpu);
			break;
		}
	}
}

int main(void)
{
	uint64_t wva[W_COUNT], ava[A_COUNT], gva, argva;
	struct drm_edna_graph_op ops[32], here_ops[32];
	uint64_t whost[W_COUNT], ahost[A_COUNT];
	double stack = 1e30, here = 1e30;
	uint32_t handle, seed = 1, cpu = 0;
	struct drm_edna_graph_header *hdr;
	struct drm_edna_graph_args *args;
	unsigned int n, i, r;
	uint64_t staging_va;
	float *scratch;
	uint8_t *stage;
	int fd, ret;

	fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("graph-bench: /dev/accel/accel0");
		return 1;
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	    __builtin_cpu_supports("f16c"))
		cpu = EDNA_OPS_CPU_AVX2;

	/* One host staging buffer: weights pass through it to DRAM; graph and arguments live there. */
	{
		struct drm_edna_bo_info info = {};
		uint64_t size = 8 << 20;

		if (bo_new(fd, size, EDNA_REGION_HOST, &handle, &staging_va))
			goto fail;
		info.handle = handle;
		if (ioctl_or_errno(fd, DRM_IOCTL_EDNA_BO_INFO, &info))
			goto fail;
		stage = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
		if (stage == MAP_FAILED)
			goto fail;
	}
	for (i = 0; i < W_COUNT; i++) {
		struct drm_edna_job copy = { .op = EDNA_JOB_COPY, .priority = EDNA_PRIORITY_NORMAL,
					     .src = staging_va, .size = wbytes(i) };
		uint32_t h;

		if (bo_new(fd, wbytes(i), EDNA_REGION_DRAM, &h, &wva[i]))
			goto fail;
		fill_q8_0(stage, wbytes(i), &seed);
		whost[i] = (uintptr_t)malloc(wbytes(i));
		if (!whost[i])
			goto fail;
		memcpy((void *)(uintptr_t)whost[i], stage, wbytes(i));
		copy.dst = wva[i];
		ret = run_job(fd, &copy);
		if (ret) {
			fprintf(stderr, "graph-bench: upload: %s\n", strerror(-ret));
			return 1;
		}
	}
	for (i = 0; i < A_COUNT; i++) {
		uint32_t h;
		float *p = calloc(asize[i], sizeof(float));

		if (!p || bo_new(fd, (uint64_t)asize[i] * 4, EDNA_REGION_SRAM, &h, &ava[i]))
			goto fail;
		if (i == A_NORM)
			for (r = 0; r < asize[i]; r++)
				p[r] = 1;
		ahost[i] = (uintptr_t)p;
	}
	/* The norm weights (ones) reach SRAM through the staging buffer too. */
	{
		struct drm_edna_job copy = { .op = EDNA_JOB_COPY, .priority = EDNA_PRIORITY_NORMAL,
					     .src = staging_va, .dst = ava[A_NORM], .size = D * 4 };

		memcpy(stage, (void *)(uintptr_t)ahost[A_NORM], D * 4);
		if (run_job(fd, &copy))
			goto fail;
	}

	n = build_layer(ops, wva, ava);
	build_layer(here_ops, whost, ahost);
	hdr = (void *)stage;
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = EDNA_GRAPH_MAGIC;
	hdr->version_major = EDNA_GRAPH_VERSION_MAJOR;
	hdr->header_size = sizeof(*hdr);
	hdr->op_size = sizeof(ops[0]);
	hdr->op_count = n;
	hdr->max_tokens = 1;
	memcpy(stage + sizeof(*hdr), ops, n * sizeof(ops[0]));
	gva = staging_va;
	argva = staging_va + 64 * 1024;
	args = (void *)(stage + 64 * 1024);
	memset(args, 0, sizeof(*args) + 8);
	args->pos = POS, args->n_tokens = 1, args->steps = 1, args->tokens[0] = 5;
	scratch = malloc(SEQ * sizeof(float));
	if (!scratch)
		goto fail;

	/* Best of ROUNDS means of RUNS, interleaved so drift affects both alike. */
	for (r = 0; r < ROUNDS; r++) {
		struct drm_edna_job j = { .op = EDNA_JOB_GRAPH, .priority = EDNA_PRIORITY_NORMAL,
					  .src = gva, .dst = argva };
		double t0 = now_ns(), t;

		for (i = 0; i < RUNS; i++) {
			ret = run_job(fd, &j);
			if (ret) {
				fprintf(stderr, "graph-bench: graph job: %s\n", strerror(-ret));
				return 1;
			}
		}
		t = (now_ns() - t0) / RUNS;
		stack = t < stack ? t : stack;
		t0 = now_ns();
		for (i = 0; i < RUNS; i++)
			run_layer_here(here_ops, n, 5, scratch, cpu);
		t = (now_ns() - t0) / RUNS;
		here = t < here ? t : here;
	}
	printf("bench: graph_stack_ratio=%.2f\n", stack / here);
	return 0;
fail:
	perror("graph-bench: setup");
	return 1;
}
