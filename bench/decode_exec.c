// SPDX-License-Identifier: GPL-2.0
/*
 * decode_exec: a compiled program run in-process by the op kernels
 * (decode_exec.h).  The loop over ops is edna_sim_graph.c's without the
 * device around it: no MMU, no chunks, no FPU sections; what remains is
 * what the kernels cost.
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "decode_exec.h"
#include "edna_ops.h"

#define ONE_ROW		(EDNA_GOP_LAST_ROW | EDNA_GOP_SINGLE_ROW)

struct decode_exec {
	const struct edna_program *prog;
	uint32_t cpu;
	uint8_t *pool[EDNA_POOL_COUNT];
	uint64_t size[EDNA_POOL_COUNT];
	struct drm_edna_graph_op *ops;
	float *scratch;
	uint32_t next;		/* the last ARGMAX */
};

/* Page-aligned and asked for huge pages, as bench/host_roofline.c's buffers. */
static void *big_alloc(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

int decode_exec_new(const struct edna_program *prog, uint32_t cpu, struct decode_exec **out)
{
	uint64_t base[EDNA_POOL_COUNT] = { 0 };
	struct decode_exec *x = calloc(1, sizeof(*x));
	uint32_t i;
	int p;

	*out = NULL;
	if (!x)
		return -ENOMEM;
	x->prog = prog;
	x->cpu = cpu;
	x->ops = calloc(prog->n_ops, sizeof(*x->ops));
	x->scratch = calloc(prog->max_seq, sizeof(float));
	if (!x->ops || !x->scratch)
		goto nomem;
	for (p = 0; p < EDNA_POOL_COUNT; p++) {
		if (!prog->pool_size[p])
			continue;
		x->size[p] = (prog->pool_size[p] + 4095) & ~4095ull;
		x->pool[p] = big_alloc(x->size[p]);
		if (!x->pool[p])
			goto nomem;
		base[p] = (uintptr_t)x->pool[p];
	}
	for (i = 0; i < prog->n_bufs; i++)
		if (prog->bufs[i].data)
			memcpy(x->pool[prog->bufs[i].pool] + prog->bufs[i].offset, prog->bufs[i].data,
			       prog->bufs[i].bytes);
	if (edna_program_relocate(prog, base, x->ops)) {
		decode_exec_free(x);
		return -EINVAL;
	}
	*out = x;
	return 0;
nomem:
	decode_exec_free(x);
	return -ENOMEM;
}

void decode_exec_free(struct decode_exec *x)
{
	int p;

	if (!x)
		return;
	for (p = 0; p < EDNA_POOL_COUNT; p++)
		if (x->pool[p])
			munmap(x->pool[p], x->size[p]);
	free(x->ops);
	free(x->scratch);
	free(x);
}

const void *decode_exec_pool(const struct decode_exec *x, int pool, uint64_t *size)
{
	*size = x->prog->pool_size[pool];
	return x->pool[pool];
}

#define F(a)	((float *)(uintptr_t)(a))

static void run_op(struct decode_exec *x, const struct drm_edna_graph_op *op, uint32_t rows,
		   uint32_t pos, const uint32_t *tokens)
{
	uint32_t r = op->flags & ONE_ROW ? 1 : rows, cpu = x->cpu, i, h;
	/* one-row ops read the step's last row, or row 0 of a one-row input */
	uint32_t in = op->flags & EDNA_GOP_LAST_ROW ? rows - 1 : 0;
	uint32_t rpos = op->flags & ONE_ROW ? pos + rows - 1 : pos;
	uint32_t n = op->dim[0], k = op->dim[1];
	float *dst = F(op->dst);
	const float *a = F(op->src[0]), *b = F(op->src[1]), *c = F(op->src[2]);

	switch (op->opcode) {
	case EDNA_GOP_EMBED:
		for (i = 0; i < rows; i++)
			edna_ops_dequant_row(dst + (size_t)i * n, (const char *)a + tokens[i] *
					     edna_ops_row_bytes(op->dtype, n), op->dtype, n, cpu);
		break;
	case EDNA_GOP_RMSNORM:
		for (i = 0; i < r; i++)
			edna_ops_rmsnorm(dst + (size_t)i * n, a + (size_t)(in + i) * n, b, n,
					 op->param[0], cpu);
		break;
	case EDNA_GOP_MATMUL:
		edna_ops_matmul(dst, n, a + (size_t)in * k, k, b, op->dtype, r, k, 0, n, cpu);
		break;
	case EDNA_GOP_ROPE:
		for (i = 0; i < r; i++)
			edna_ops_rope(dst + (size_t)i * n * k, a + (size_t)(in + i) * n * k, n, k,
				      rpos + i, op->param[0], cpu);
		break;
	case EDNA_GOP_KV_APPEND:
		memcpy(dst + (size_t)pos * n, a, (size_t)rows * n * sizeof(float));
		break;
	case EDNA_GOP_ATTENTION: {
		uint32_t heads = op->dim[0], kvh = op->dim[1], hd = op->dim[2];
		uint32_t w = heads * hd, ld = kvh * hd, g = heads / kvh;

		for (i = 0; i < rows; i++)
			for (h = 0; h < heads; h++)
				edna_ops_attention_head(dst + (size_t)i * w + h * hd,
							a + (size_t)i * w + h * hd, b + h / g * hd,
							c + h / g * hd, ld, hd, pos + i + 1,
							op->param[0], x->scratch, cpu);
		break;
	}
	case EDNA_GOP_ADD:
		edna_ops_add(dst, a + (size_t)in * n, b + (size_t)in * n, r * n, cpu);
		break;
	case EDNA_GOP_MUL:
		edna_ops_mul(dst, a + (size_t)in * n, b + (size_t)in * n, r * n, cpu);
		break;
	case EDNA_GOP_SILU_MUL:
		edna_ops_silu_mul(dst, a + (size_t)in * n, b + (size_t)in * n, r * n, cpu);
		break;
	case EDNA_GOP_SOFTMAX:
		for (i = 0; i < r; i++)
			edna_ops_softmax(dst + (size_t)i * n, a + (size_t)(in + i) * n, n, cpu);
		break;
	case EDNA_GOP_ARGMAX:
		x->next = edna_ops_argmax(a + (size_t)(op->flags & EDNA_GOP_SINGLE_ROW ? 0 :
						       rows - 1) * n, n, cpu);
		if (op->dst)
			*(uint32_t *)(uintptr_t)op->dst = x->next;
		break;
	case EDNA_GOP_COPY:
		memcpy(dst, a, n);
		break;
	}
}

void decode_exec_run(struct decode_exec *x, uint32_t pos, const uint32_t *tokens,
		     uint32_t n_tokens, uint32_t steps, uint32_t *out)
{
	uint32_t s, i, rows, p;

	for (s = 0; s < steps; s++) {
		const uint32_t *t = s ? &out[s - 1] : tokens;

		rows = s ? 1 : n_tokens;
		p = s ? pos + n_tokens + s - 1 : pos;
		for (i = 0; i < x->prog->n_ops; i++)
			run_op(x, &x->ops[i], rows, p, t);
		out[s] = x->next;
	}
}
