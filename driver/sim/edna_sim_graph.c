// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: compiled graphs (Documentation/graph-format.rst).
 *
 * A graph is untrusted input.  The whole graph is read and checked
 * before any op runs, so a malformed one has no effect but its error
 * record; what an op reads or writes is then translated through the
 * job's context like any access, so a graph reaches nothing the context
 * does not map.
 *
 * Work is done in chunks, as for FILL and COPY: a chunk translates the
 * operand ranges it needs (once per page), computes, and lets the
 * translations go before the engine checks in with the queue, so that
 * an MMU invalidation or a reset waits for one chunk at most.  Inside a
 * chunk the floating point runs between kernel_fpu_begin() and
 * kernel_fpu_end() in sections of bounded work, with a chance to
 * reschedule between them.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/cpufeature.h>
#include <linux/fpu.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "edna_accel.h"
#include "edna_ops.h"
#include "edna_sim.h"

#define EDNA_GOP_ONE_ROW	(EDNA_GOP_LAST_ROW | EDNA_GOP_SINGLE_ROW)

/* Work of one chunk, and of one stretch with preemption off, in MACs. */
#define EDNA_SIM_CHUNK_WORK	BIT(22)
#define EDNA_SIM_FPU_WORK	BIT(17)

/* Sizes of what the device reads, and the most of a record it accepts. */
#define EDNA_GRAPH_HEADER_MIN	sizeof(struct drm_edna_graph_header)
#define EDNA_GRAPH_OP_MIN	sizeof(struct drm_edna_graph_op)

/**
 * struct edna_sim_span - an operand range, mapped for the CPU for a chunk
 * @ptr: CPU address of the range's first byte
 * @vaddr: the vmap() behind @ptr, when the range is not one run of
 *	device memory; NULL otherwise
 */
struct edna_sim_span {
	void *ptr;
	void *vaddr;
};

/**
 * struct edna_sim_graph - a graph job being executed
 * @job: the job
 * @cpu: EDNA_OPS_CPU_* flags for the op kernels
 * @scratch: the queue's attention scratch, EDNA_GRAPH_MAX_SEQ floats
 * @ops: the op records, checked, in CPU byte order
 * @op_count: entries in @ops
 * @max_tokens: the header's
 * @has_argmax: the graph can feed a next step
 * @args: device VA of the argument block
 * @n_tokens: the argument block's
 * @steps: the argument block's
 * @rows: rows of the step being run
 * @pos: position of its first row
 * @tokens: its tokens
 */
struct edna_sim_graph {
	struct edna_sim_job *job;
	u32 cpu;
	float *scratch;
	struct drm_edna_graph_op *ops;
	u32 op_count;
	u32 max_tokens;
	bool has_argmax;
	u64 args;
	u32 n_tokens;
	u32 steps;
	u32 rows;
	u32 pos;
	u32 tokens[EDNA_GRAPH_MAX_TOKENS];
};

/**
 * edna_sim_graph_cpu() - what the op kernels may use on this CPU
 *
 * Return: EDNA_OPS_CPU_* flags.
 */
u32 edna_sim_graph_cpu(void)
{
#ifdef CONFIG_X86
	if (boot_cpu_has(X86_FEATURE_AVX2) && boot_cpu_has(X86_FEATURE_FMA) &&
	    boot_cpu_has(X86_FEATURE_F16C) && boot_cpu_has(X86_FEATURE_OSXSAVE))
		return EDNA_OPS_CPU_AVX2;
#endif
	return 0;
}

static bool edna_sim_graph_reject(struct edna_sim_job *job, u32 op_index, u32 reason)
{
	job->status = EDNA_JOB_BAD_GRAPH;
	job->op_index = op_index;
	job->graph_error = reason;
	return false;
}

/* Read @len bytes at @va through the job's context; false on a fault. */
static bool edna_sim_read_va(struct edna_sim_job *job, u64 va, void *buf, u64 len)
{
	struct edna_sim *sim = job->q->sim;

	while (len) {
		u64 n = min(len, EDNA_PAGE_SIZE - (va & (EDNA_PAGE_SIZE - 1)));
		struct edna_sim_addr a;
		void *p;

		if (!edna_sim_mmu_translate(job, va, false, &a))
			return false;
		p = edna_sim_mem_map(sim, &a);
		memcpy(buf, p, n);
		edna_sim_mem_unmap(&a, p);
		edna_sim_job_moved(job, a.target, false, n);
		buf += n;
		va += n;
		len -= n;
	}
	return true;
}

/* The page of device memory behind a translation, for vmap(). */
static struct page *edna_sim_addr_page(struct edna_sim *sim, const struct edna_sim_addr *a)
{
	if (a->target == EDNA_TARGET_HOST)
		return a->page;
	return vmalloc_to_page(sim->mem[a->target] + (a->addr & PAGE_MASK));
}

static void edna_sim_span_unmap(struct edna_sim_span *s)
{
	if (s->vaddr)
		vunmap(s->vaddr);
	s->vaddr = NULL;
	s->ptr = NULL;
}

/*
 * Map @len bytes at @va for the CPU, translating each page once.  A range
 * in one run of device memory is used in place; anything else (host
 * pages, or device pages out of order) is vmap()ed.  @count of the bytes
 * count as moved by the job: all of them page by page, or else in the
 * memory of the first page (a chunk that reads again what an earlier
 * chunk of its op read, or writes only part of the range).  False when a
 * page faulted: the job has the fault.
 */
static bool edna_sim_span_map_part(struct edna_sim_job *job, u64 va, u64 len, bool write,
				   u64 count, struct edna_sim_span *s)
{
	struct edna_sim *sim = job->q->sim;
	u64 base = va & ~(EDNA_PAGE_SIZE - 1);
	u64 npages = DIV_ROUND_UP(va + len - base, EDNA_PAGE_SIZE);
	struct page **pages = NULL;
	u8 *run = NULL;
	u64 i;

	static_assert(EDNA_PAGE_SIZE == PAGE_SIZE);
	s->ptr = NULL;
	s->vaddr = NULL;
	for (i = 0; i < npages; i++) {
		u64 pva = base + i * EDNA_PAGE_SIZE;
		u64 lo = max(pva, va), hi = min(pva + EDNA_PAGE_SIZE, va + len);
		struct edna_sim_addr a;
		u8 *p = NULL;

		if (!edna_sim_mmu_translate(job, pva, write, &a)) {
			/* Report the first byte of the range the access needed. */
			job->fault_va = lo;
			goto fail;
		}
		if (count == len)
			edna_sim_job_moved(job, a.target, write, hi - lo);
		else if (!i)
			edna_sim_job_moved(job, a.target, write, count);
		if (a.target != EDNA_TARGET_HOST)
			p = sim->mem[a.target] + a.addr;
		if (!pages && p && (!i || p == run + i * EDNA_PAGE_SIZE)) {
			if (!i)
				run = p;
			continue;
		}
		if (!pages) {
			u64 j;

			pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
			if (!pages) {
				job->status = EDNA_JOB_BUS_ERROR;
				return false;
			}
			for (j = 0; j < i; j++)
				pages[j] = vmalloc_to_page(run + j * EDNA_PAGE_SIZE);
		}
		pages[i] = edna_sim_addr_page(sim, &a);
	}
	if (!pages) {
		s->ptr = run + (va - base);
		return true;
	}
	s->vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!s->vaddr) {
		job->status = EDNA_JOB_BUS_ERROR;
		return false;
	}
	s->ptr = s->vaddr + (va - base);
	return true;
fail:
	kvfree(pages);
	return false;
}

static bool edna_sim_span_map(struct edna_sim_job *job, u64 va, u64 len, bool write,
			      struct edna_sim_span *s)
{
	return edna_sim_span_map_part(job, va, len, write, len, s);
}

/*
 * An operand range a chunk needs, for edna_sim_spans_map(); @uncounted
 * of its bytes are not traffic of this chunk.
 */
struct edna_sim_range {
	u64 va;
	u64 len;
	bool write;
	u64 uncounted;
};

static void edna_sim_spans_unmap(struct edna_sim_span *s, int n)
{
	while (n--)
		edna_sim_span_unmap(&s[n]);
}

/* Map @n ranges, all or none: false with the job failed. */
static bool edna_sim_spans_map(struct edna_sim_job *job, const struct edna_sim_range *r,
			       struct edna_sim_span *s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!edna_sim_span_map_part(job, r[i].va, r[i].len, r[i].write,
					    r[i].len - r[i].uncounted, &s[i])) {
			edna_sim_spans_unmap(s, i);
			return false;
		}
	}
	return true;
}

/* Count work done in a chunk, for the counters and the timing model. */
static void edna_sim_graph_work(struct edna_sim_job *job, u64 macs)
{
	job->macs += macs;
	job->pending_macs += macs;
	job->pending_units++;
}

/* Bytes of @rows rows of @n f32. */
static u64 edna_sim_f32_rows(u32 rows, u32 n)
{
	return (u64)rows * n * sizeof(float);
}

/*
 * What each opcode takes: which dims, sources and params it uses, and
 * whether LAST_ROW applies.
 */
struct edna_sim_opinfo {
	u8 dims;
	u8 srcs;
	u8 params;
	bool weights;		/* has a dtype operand */
	bool last_row;		/* EDNA_GOP_LAST_ROW and _SINGLE_ROW allowed */
	bool dst_optional;
};

static const struct edna_sim_opinfo edna_sim_opinfo[] = {
	[EDNA_GOP_EMBED] = { .dims = 2, .srcs = 1, .weights = true },
	[EDNA_GOP_RMSNORM] = { .dims = 1, .srcs = 2, .params = 1, .last_row = true },
	[EDNA_GOP_MATMUL] = { .dims = 2, .srcs = 2, .weights = true, .last_row = true },
	[EDNA_GOP_ROPE] = { .dims = 2, .srcs = 1, .params = 1, .last_row = true },
	[EDNA_GOP_KV_APPEND] = { .dims = 2, .srcs = 1 },
	[EDNA_GOP_ATTENTION] = { .dims = 4, .srcs = 3, .params = 1 },
	[EDNA_GOP_ADD] = { .dims = 1, .srcs = 2, .last_row = true },
	[EDNA_GOP_MUL] = { .dims = 1, .srcs = 2, .last_row = true },
	[EDNA_GOP_SILU_MUL] = { .dims = 1, .srcs = 2, .last_row = true },
	[EDNA_GOP_SOFTMAX] = { .dims = 1, .srcs = 1, .last_row = true },
	[EDNA_GOP_ARGMAX] = { .dims = 1, .srcs = 1, .last_row = true, .dst_optional = true },
	[EDNA_GOP_COPY] = { .dims = 1, .srcs = 1 },
};

/* The alignment operand @i (-1: dst) of @op needs. */
static u64 edna_sim_op_align(const struct drm_edna_graph_op *op, int i)
{
	if (op->opcode == EDNA_GOP_COPY)
		return 1;
	if ((op->opcode == EDNA_GOP_EMBED && i == 0) || (op->opcode == EDNA_GOP_MATMUL && i == 1))
		return op->dtype == EDNA_DTYPE_F32 ? 4 : 2;
	return 4;
}

/* The per-opcode rules on dims; the generic ones are checked already. */
static bool edna_sim_op_dims_valid(const struct drm_edna_graph_op *op)
{
	const u32 *d = op->dim;

	switch (op->opcode) {
	case EDNA_GOP_EMBED:
		return edna_ops_row_bytes(op->dtype, d[0]);
	case EDNA_GOP_MATMUL:
		return edna_ops_row_bytes(op->dtype, d[1]);
	case EDNA_GOP_ROPE:
		return !(d[1] & 1) && (u64)d[0] * d[1] <= EDNA_GRAPH_MAX_DIM;
	case EDNA_GOP_KV_APPEND:
		return d[1] <= EDNA_GRAPH_MAX_SEQ;
	case EDNA_GOP_ATTENTION:
		return !(d[0] % d[1]) && (u64)d[0] * d[2] <= EDNA_GRAPH_MAX_DIM &&
		       d[3] <= EDNA_GRAPH_MAX_SEQ;
	case EDNA_GOP_COPY:
		/* dim[0] is bytes, not elements */
		return true;
	}
	return true;
}

/* Check one op record on its own; false with the job rejected. */
static bool edna_sim_op_check(struct edna_sim_job *job, u32 index,
			      const struct drm_edna_graph_op *op)
{
	const struct edna_sim_opinfo *info;
	int i;

	if (!op->opcode || op->opcode >= ARRAY_SIZE(edna_sim_opinfo))
		return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_OPCODE);
	info = &edna_sim_opinfo[op->opcode];

	if (op->pad || memchr_inv(op->reserved, 0, sizeof(op->reserved)) ||
	    (op->flags & ~EDNA_GOP_ONE_ROW) || op->flags == EDNA_GOP_ONE_ROW ||
	    (op->flags && !info->last_row))
		return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_FIELD);
	for (i = info->params; i < ARRAY_SIZE(op->param); i++)
		if (op->param[i])
			return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_FIELD);

	if (info->weights ? op->dtype > EDNA_DTYPE_Q4_0 : op->dtype != EDNA_DTYPE_F32)
		return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_DTYPE);

	for (i = 0; i < ARRAY_SIZE(op->dim); i++) {
		u32 max = EDNA_GRAPH_MAX_DIM;

		if (op->opcode == EDNA_GOP_COPY)
			max = EDNA_GRAPH_MAX_COPY;
		if (i >= info->dims && op->dim[i])
			return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_FIELD);
		if (i < info->dims && (!op->dim[i] || op->dim[i] > max))
			return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_DIMS);
	}
	if (!edna_sim_op_dims_valid(op))
		return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_DIMS);

	if ((!op->dst && !info->dst_optional) || !IS_ALIGNED(op->dst, edna_sim_op_align(op, -1)))
		return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_OPERAND);
	for (i = 0; i < ARRAY_SIZE(op->src); i++) {
		bool used = i < info->srcs;

		if (used ? !op->src[i] || !IS_ALIGNED(op->src[i], edna_sim_op_align(op, i)) :
		    op->src[i])
			return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_OPERAND);
	}
	if (op->opcode == EDNA_GOP_COPY) {
		u64 n = op->dim[0], s = op->src[0], d = op->dst;

		if (s + n < s || d + n < d || (s < d + n && d < s + n))
			return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_OPERAND);
	}
	return true;
}

/* A record's bytes past what this device knows must be zero. */
static bool edna_sim_tail_zero(const u8 *rec, size_t known, size_t size)
{
	return size <= known || !memchr_inv(rec + known, 0, size - known);
}

static void edna_sim_op_from_le(struct drm_edna_graph_op *op)
{
	int i;

	op->opcode = le16_to_cpu((__force __le16)op->opcode);
	op->pad = le32_to_cpu((__force __le32)op->pad);
	for (i = 0; i < ARRAY_SIZE(op->dim); i++)
		op->dim[i] = le32_to_cpu((__force __le32)op->dim[i]);
	op->dst = le64_to_cpu((__force __le64)op->dst);
	for (i = 0; i < ARRAY_SIZE(op->src); i++)
		op->src[i] = le64_to_cpu((__force __le64)op->src[i]);
	for (i = 0; i < ARRAY_SIZE(op->param); i++)
		op->param[i] = le32_to_cpu((__force __le32)op->param[i]);
}

/* Read and check the header and every op; false with the job failed. */
static bool edna_sim_graph_load(struct edna_sim_graph *g)
{
	struct edna_sim_job *job = g->job;
	struct drm_edna_graph_header h;
	u8 *rec;
	u64 va;
	u32 i;

	job->op_index = EDNA_GRAPH_NO_OP;
	if (!edna_sim_read_va(job, job->src, &h, sizeof(h)))
		return false;
	if (le32_to_cpu((__force __le32)h.magic) != EDNA_GRAPH_MAGIC)
		return edna_sim_graph_reject(job, EDNA_GRAPH_NO_OP, EDNA_GRAPH_ERR_MAGIC);
	if (le16_to_cpu((__force __le16)h.version_major) != EDNA_GRAPH_VERSION_MAJOR)
		return edna_sim_graph_reject(job, EDNA_GRAPH_NO_OP, EDNA_GRAPH_ERR_VERSION);
	h.header_size = le32_to_cpu((__force __le32)h.header_size);
	h.op_size = le32_to_cpu((__force __le32)h.op_size);
	g->op_count = le32_to_cpu((__force __le32)h.op_count);
	g->max_tokens = le32_to_cpu((__force __le32)h.max_tokens);
	if (h.header_size < EDNA_GRAPH_HEADER_MIN || h.header_size > EDNA_GRAPH_MAX_RECORD ||
	    h.op_size < EDNA_GRAPH_OP_MIN || h.op_size > EDNA_GRAPH_MAX_RECORD ||
	    !IS_ALIGNED(h.op_size, 8) || !g->op_count || g->op_count > EDNA_GRAPH_MAX_OPS ||
	    !g->max_tokens || g->max_tokens > EDNA_GRAPH_MAX_TOKENS || h.flags ||
	    memchr_inv(h.reserved, 0, sizeof(h.reserved)))
		return edna_sim_graph_reject(job, EDNA_GRAPH_NO_OP, EDNA_GRAPH_ERR_HEADER);

	rec = kmalloc(EDNA_GRAPH_MAX_RECORD, GFP_KERNEL);
	g->ops = kvmalloc_array(g->op_count, sizeof(*g->ops), GFP_KERNEL);
	if (!rec || !g->ops) {
		kfree(rec);
		job->status = EDNA_JOB_BUS_ERROR;
		return false;
	}
	/* The rest of a larger header: zero, or something this device lacks. */
	if (!edna_sim_read_va(job, job->src + sizeof(h), rec, h.header_size - sizeof(h)))
		goto fail;
	if (!edna_sim_tail_zero(rec, 0, h.header_size - sizeof(h))) {
		edna_sim_graph_reject(job, EDNA_GRAPH_NO_OP, EDNA_GRAPH_ERR_HEADER);
		goto fail;
	}

	va = job->src + h.header_size;
	for (i = 0; i < g->op_count; i++, va += h.op_size) {
		struct drm_edna_graph_op *op = &g->ops[i];

		job->op_index = i;
		if (!edna_sim_read_va(job, va, rec, h.op_size))
			goto fail;
		if (!edna_sim_tail_zero(rec, sizeof(*op), h.op_size)) {
			edna_sim_graph_reject(job, i, EDNA_GRAPH_ERR_FIELD);
			goto fail;
		}
		memcpy(op, rec, sizeof(*op));
		edna_sim_op_from_le(op);
		if (!edna_sim_op_check(job, i, op))
			goto fail;
		g->has_argmax |= op->opcode == EDNA_GOP_ARGMAX;
		/* A graph of thousands of ops is read in bounded pieces too. */
		if (!(i % 64) && !edna_sim_job_checkin(job))
			goto fail;
	}
	kfree(rec);
	return true;
fail:
	kfree(rec);
	return false;
}

/* Read the argument block's fixed part; false with the job failed. */
static bool edna_sim_graph_args(struct edna_sim_graph *g)
{
	struct edna_sim_job *job = g->job;
	struct drm_edna_graph_args a;

	job->op_index = EDNA_GRAPH_NO_OP;
	g->args = job->dst;
	if (!edna_sim_read_va(job, g->args, &a, sizeof(a)))
		return false;
	g->pos = le32_to_cpu((__force __le32)a.pos);
	g->n_tokens = le32_to_cpu((__force __le32)a.n_tokens);
	g->steps = le32_to_cpu((__force __le32)a.steps);
	if (!g->n_tokens || g->n_tokens > g->max_tokens || !g->steps ||
	    g->steps > EDNA_GRAPH_MAX_STEPS || a.flags || (g->steps > 1 && !g->has_argmax))
		return edna_sim_graph_reject(job, EDNA_GRAPH_NO_OP, EDNA_GRAPH_ERR_ARGS);
	return true;
}

/* The tokens of @step, and where its rows are. */
static bool edna_sim_graph_step(struct edna_sim_graph *g, u32 step)
{
	struct edna_sim_job *job = g->job;
	u32 first = step ? g->n_tokens + step - 1 : 0;
	u32 i;

	g->rows = step ? 1 : g->n_tokens;
	g->pos += step ? (step == 1 ? g->n_tokens : 1) : 0;
	job->op_index = EDNA_GRAPH_NO_OP;
	if (!edna_sim_read_va(job, g->args + offsetof(struct drm_edna_graph_args, tokens) +
			      (u64)first * sizeof(u32), g->tokens, (u64)g->rows * sizeof(u32)))
		return false;
	for (i = 0; i < g->rows; i++)
		g->tokens[i] = le32_to_cpu((__force __le32)g->tokens[i]);
	return true;
}

/*
 * What the job's arguments decide and can be checked before anything
 * runs: the first step's tokens against every EMBED, and the positions of
 * every step against every cache.  Tokens that ARGMAX produces later are
 * checked when they are used.
 */
static bool edna_sim_graph_precheck(struct edna_sim_graph *g)
{
	u64 end = (u64)g->pos + g->n_tokens + g->steps - 1;
	struct edna_sim_job *job = g->job;
	u32 i, r;

	/* Positions are u32: the last one is end - 1. */
	if (end - 1 > U32_MAX)
		return edna_sim_graph_reject(job, EDNA_GRAPH_NO_OP, EDNA_GRAPH_ERR_ARGS);
	for (i = 0; i < g->op_count; i++) {
		const struct drm_edna_graph_op *op = &g->ops[i];

		switch (op->opcode) {
		case EDNA_GOP_EMBED:
			for (r = 0; r < g->rows; r++)
				if (g->tokens[r] >= op->dim[1])
					return edna_sim_graph_reject(job, i, EDNA_GRAPH_ERR_TOKEN);
			break;
		case EDNA_GOP_KV_APPEND:
		case EDNA_GOP_ATTENTION:
			if (end > op->dim[op->opcode == EDNA_GOP_KV_APPEND ? 1 : 3])
				return edna_sim_graph_reject(job, i, EDNA_GRAPH_ERR_POSITION);
			break;
		}
	}
	return true;
}

/* Positions are u32: one past the last must fit below the op's max_seq. */
static bool edna_sim_graph_pos_ok(struct edna_sim_graph *g, u32 index, u32 max_seq)
{
	if ((u64)g->pos + g->rows <= max_seq)
		return true;
	return edna_sim_graph_reject(g->job, index, EDNA_GRAPH_ERR_POSITION);
}

static bool edna_sim_exec_embed(struct edna_sim_graph *g, u32 index,
				const struct drm_edna_graph_op *op)
{
	struct edna_sim_job *job = g->job;
	u32 d = op->dim[0], vocab = op->dim[1];
	u64 row_bytes = edna_ops_row_bytes(op->dtype, d);
	u32 r;

	for (r = 0; r < g->rows; r++)
		if (g->tokens[r] >= vocab)
			return edna_sim_graph_reject(job, index, EDNA_GRAPH_ERR_TOKEN);
	for (r = 0; r < g->rows; r++) {
		struct edna_sim_span dst, row;

		if (!edna_sim_span_map(job, op->dst + edna_sim_f32_rows(r, d),
				       edna_sim_f32_rows(1, d), true, &dst))
			return false;
		if (!edna_sim_span_map(job, op->src[0] + g->tokens[r] * row_bytes, row_bytes,
				       false, &row)) {
			edna_sim_span_unmap(&dst);
			return false;
		}
		kernel_fpu_begin();
		edna_ops_dequant_row(dst.ptr, row.ptr, op->dtype, d, g->cpu);
		kernel_fpu_end();
		edna_sim_span_unmap(&row);
		edna_sim_span_unmap(&dst);
		edna_sim_graph_work(job, d);
		if (!edna_sim_job_checkin(job))
			return false;
	}
	return true;
}

/*
 * The ops that work row by row on rows of n: in chunks of whole rows.
 * @in0 is the first input row (the last one with EDNA_GOP_LAST_ROW), and
 * @prow0 the step's row whose position the first row has.
 */
static bool edna_sim_exec_rows(struct edna_sim_graph *g, const struct drm_edna_graph_op *op,
			       u32 in0, u32 prow0, u32 rows)
{
	struct edna_sim_job *job = g->job;
	const struct edna_sim_opinfo *info = &edna_sim_opinfo[op->opcode];
	u32 n = op->opcode == EDNA_GOP_ROPE ? op->dim[0] * op->dim[1] : op->dim[0];
	u32 per_chunk = max(1u, EDNA_SIM_CHUNK_WORK / n);
	u32 r0;

	for (r0 = 0; r0 < rows; r0 += per_chunk) {
		u32 cnt = min(per_chunk, rows - r0), r;
		bool norm = op->opcode == EDNA_GOP_RMSNORM;
		u64 len = edna_sim_f32_rows(cnt, n), in = edna_sim_f32_rows(in0 + r0, n);
		/* RMSNORM's weights are one row for every row, read once per op. */
		const struct edna_sim_range ranges[] = {
			{ op->dst + edna_sim_f32_rows(r0, n), len, true },
			{ op->src[0] + in, len },
			{ norm ? op->src[1] : op->src[1] + in, norm ? edna_sim_f32_rows(1, n) : len,
			  false, norm && r0 ? edna_sim_f32_rows(1, n) : 0 },
		};
		struct edna_sim_span sp[ARRAY_SIZE(ranges)];
		int nsp = 2 + (info->srcs > 1);

		if (!edna_sim_spans_map(job, ranges, sp, nsp))
			return false;
		for (r = 0; r < cnt; r++) {
			float *o = (float *)sp[0].ptr + (u64)r * n;
			const float *x = (const float *)sp[1].ptr + (u64)r * n;
			const float *y = NULL;

			if (nsp == 3)
				y = (const float *)sp[2].ptr + (norm ? 0 : (u64)r * n);

			kernel_fpu_begin();
			switch (op->opcode) {
			case EDNA_GOP_RMSNORM:
				edna_ops_rmsnorm(o, x, y, n, op->param[0], g->cpu);
				break;
			case EDNA_GOP_ROPE:
				edna_ops_rope(o, x, op->dim[0], op->dim[1], g->pos + prow0 + r0 + r,
					      op->param[0], g->cpu);
				break;
			case EDNA_GOP_ADD:
				edna_ops_add(o, x, y, n, g->cpu);
				break;
			case EDNA_GOP_MUL:
				edna_ops_mul(o, x, y, n, g->cpu);
				break;
			case EDNA_GOP_SILU_MUL:
				edna_ops_silu_mul(o, x, y, n, g->cpu);
				break;
			case EDNA_GOP_SOFTMAX:
				edna_ops_softmax(o, x, n, g->cpu);
				break;
			}
			kernel_fpu_end();
			edna_sim_graph_work(job, n);
			cond_resched();
		}
		edna_sim_spans_unmap(sp, nsp);
		if (!edna_sim_job_checkin(job))
			return false;
	}
	return true;
}

/*
 * MATMUL in chunks of weight rows (outputs), each read once for every
 * input row, and FPU sections of at most EDNA_SIM_FPU_WORK MACs where
 * the shape allows.
 */
static bool edna_sim_exec_matmul(struct edna_sim_graph *g, const struct drm_edna_graph_op *op,
				 u32 in0, u32 rows)
{
	struct edna_sim_job *job = g->job;
	u32 n = op->dim[0], k = op->dim[1];
	u64 row_bytes = edna_ops_row_bytes(op->dtype, k);
	u64 per_out = (u64)k * rows;
	u32 per_chunk = max_t(u64, 1, EDNA_SIM_CHUNK_WORK / per_out);
	u32 per_fpu = max_t(u64, 1, EDNA_SIM_FPU_WORK / per_out);
	u32 rows_fpu = max_t(u64, 1, EDNA_SIM_FPU_WORK / k);
	u32 n0;

	for (n0 = 0; n0 < n; n0 += per_chunk) {
		u32 n1 = min(n, n0 + per_chunk), s0, r0;
		u64 out = edna_sim_f32_rows(rows, n), in = edna_sim_f32_rows(rows, k);
		/* The input is read once per op; each chunk writes its columns. */
		const struct edna_sim_range ranges[] = {
			{ op->dst, out, true, out - edna_sim_f32_rows(rows, n1 - n0) },
			{ op->src[0] + edna_sim_f32_rows(in0, k), in, false, n0 ? in : 0 },
			{ op->src[1] + n0 * row_bytes, (n1 - n0) * row_bytes },
		};
		struct edna_sim_span sp[ARRAY_SIZE(ranges)];
		float *dst;
		const float *x;

		if (!edna_sim_spans_map(job, ranges, sp, ARRAY_SIZE(ranges)))
			return false;
		dst = sp[0].ptr;
		x = sp[1].ptr;
		for (s0 = n0; s0 < n1; s0 += per_fpu) {
			u32 s1 = min(n1, s0 + per_fpu);

			/* A weight row longer than a section: split the input rows. */
			for (r0 = 0; r0 < rows; r0 += rows_fpu) {
				u32 cnt = min(rows_fpu, rows - r0);

				kernel_fpu_begin();
				/* The kernel indexes W from row 0: point before the chunk. */
				edna_ops_matmul(dst + (u64)r0 * n, n, x + (u64)r0 * k, k,
						sp[2].ptr - n0 * row_bytes, op->dtype, cnt, k,
						s0, s1, g->cpu);
				kernel_fpu_end();
				cond_resched();
			}
		}
		edna_sim_spans_unmap(sp, ARRAY_SIZE(sp));
		edna_sim_graph_work(job, (u64)(n1 - n0) * per_out);
		if (!edna_sim_job_checkin(job))
			return false;
	}
	return true;
}

static bool edna_sim_exec_kv_append(struct edna_sim_graph *g, u32 index,
				    const struct drm_edna_graph_op *op)
{
	struct edna_sim_job *job = g->job;
	u32 w = op->dim[0], per_chunk = max(1u, EDNA_SIM_CHUNK_WORK / w), r0;

	if (!edna_sim_graph_pos_ok(g, index, op->dim[1]))
		return false;
	for (r0 = 0; r0 < g->rows; r0 += per_chunk) {
		u32 cnt = min(per_chunk, g->rows - r0);
		u64 len = edna_sim_f32_rows(cnt, w);
		const struct edna_sim_range ranges[] = {
			{ op->dst + edna_sim_f32_rows(g->pos + r0, w), len, true },
			{ op->src[0] + edna_sim_f32_rows(r0, w), len },
		};
		struct edna_sim_span sp[ARRAY_SIZE(ranges)];

		if (!edna_sim_spans_map(job, ranges, sp, ARRAY_SIZE(ranges)))
			return false;
		memcpy(sp[0].ptr, sp[1].ptr, ranges[1].len);
		edna_sim_spans_unmap(sp, ARRAY_SIZE(sp));
		edna_sim_graph_work(job, (u64)cnt * w);
		if (!edna_sim_job_checkin(job))
			return false;
	}
	return true;
}

/* ATTENTION, a chunk per query row: its heads over cache rows 0..pos. */
static bool edna_sim_exec_attention(struct edna_sim_graph *g, u32 index,
				    const struct drm_edna_graph_op *op)
{
	struct edna_sim_job *job = g->job;
	u32 heads = op->dim[0], kv_heads = op->dim[1], hd = op->dim[2];
	u32 width = heads * hd, ld = kv_heads * hd, group = heads / kv_heads;
	u32 r, h;

	if (!edna_sim_graph_pos_ok(g, index, op->dim[3]))
		return false;
	for (r = 0; r < g->rows; r++) {
		u32 len = g->pos + r + 1;
		u64 row = edna_sim_f32_rows(r, width), row_len = edna_sim_f32_rows(1, width);
		const struct edna_sim_range ranges[] = {
			{ op->dst + row, row_len, true },
			{ op->src[0] + row, row_len },
			{ op->src[1], edna_sim_f32_rows(len, ld) },
			{ op->src[2], edna_sim_f32_rows(len, ld) },
		};
		struct edna_sim_span sp[ARRAY_SIZE(ranges)];
		float *dst;
		const float *q, *k, *v;

		if (!edna_sim_spans_map(job, ranges, sp, ARRAY_SIZE(ranges)))
			return false;
		dst = sp[0].ptr;
		q = sp[1].ptr;
		k = sp[2].ptr;
		v = sp[3].ptr;
		for (h = 0; h < heads; h++) {
			u32 col = (h / group) * hd;

			kernel_fpu_begin();
			edna_ops_attention_head(dst + h * hd, q + h * hd, k + col, v + col, ld, hd,
						len, op->param[0], g->scratch, g->cpu);
			kernel_fpu_end();
			cond_resched();
		}
		edna_sim_spans_unmap(sp, ARRAY_SIZE(sp));
		edna_sim_graph_work(job, (u64)heads * len * hd * 2);
		if (!edna_sim_job_checkin(job))
			return false;
	}
	return true;
}

/* ARGMAX of the last row it has, to dst and to the next step's token. */
static bool edna_sim_exec_argmax(struct edna_sim_graph *g, u32 step,
				 const struct drm_edna_graph_op *op, u32 row)
{
	struct edna_sim_job *job = g->job;
	u32 n = op->dim[0];
	struct edna_sim_span x, out;
	__le32 best;
	u32 idx;

	if (!edna_sim_span_map(job, op->src[0] + edna_sim_f32_rows(row, n),
			       edna_sim_f32_rows(1, n), false, &x))
		return false;
	kernel_fpu_begin();
	idx = edna_ops_argmax(x.ptr, n, g->cpu);
	kernel_fpu_end();
	edna_sim_span_unmap(&x);
	edna_sim_graph_work(job, n);
	best = cpu_to_le32(idx);
	if (op->dst) {
		if (!edna_sim_span_map(job, op->dst, sizeof(best), true, &out))
			return false;
		memcpy(out.ptr, &best, sizeof(best));
		edna_sim_span_unmap(&out);
	}
	if (!edna_sim_span_map(job, g->args + offsetof(struct drm_edna_graph_args, tokens) +
			       ((u64)g->n_tokens + step) * sizeof(u32), sizeof(best), true, &out))
		return false;
	memcpy(out.ptr, &best, sizeof(best));
	edna_sim_span_unmap(&out);
	return edna_sim_job_checkin(job);
}

static bool edna_sim_exec_copy_bytes(struct edna_sim_graph *g, const struct drm_edna_graph_op *op)
{
	struct edna_sim_job *job = g->job;
	u64 off, len = op->dim[0];

	for (off = 0; off < len; off += EDNA_SIM_CHUNK_WORK) {
		u64 n = min_t(u64, len - off, EDNA_SIM_CHUNK_WORK);
		struct edna_sim_span dst, src;

		if (!edna_sim_span_map(job, op->src[0] + off, n, false, &src))
			return false;
		if (!edna_sim_span_map(job, op->dst + off, n, true, &dst)) {
			edna_sim_span_unmap(&src);
			return false;
		}
		memcpy(dst.ptr, src.ptr, n);
		edna_sim_span_unmap(&dst);
		edna_sim_span_unmap(&src);
		job->pending_units++;
		if (!edna_sim_job_checkin(job))
			return false;
	}
	return true;
}

/* Run op @index of the current step; false when the job ended. */
static bool edna_sim_graph_op(struct edna_sim_graph *g, u32 step, u32 index)
{
	const struct drm_edna_graph_op *op = &g->ops[index];
	bool one = op->flags & EDNA_GOP_ONE_ROW;
	u32 in0 = op->flags & EDNA_GOP_LAST_ROW ? g->rows - 1 : 0;
	u32 rows = one ? 1 : g->rows;

	g->job->op_index = index;
	switch (op->opcode) {
	case EDNA_GOP_EMBED:
		return edna_sim_exec_embed(g, index, op);
	case EDNA_GOP_MATMUL:
		return edna_sim_exec_matmul(g, op, in0, rows);
	case EDNA_GOP_KV_APPEND:
		return edna_sim_exec_kv_append(g, index, op);
	case EDNA_GOP_ATTENTION:
		return edna_sim_exec_attention(g, index, op);
	case EDNA_GOP_ARGMAX:
		return edna_sim_exec_argmax(g, step, op, in0 + rows - 1);
	case EDNA_GOP_COPY:
		return edna_sim_exec_copy_bytes(g, op);
	default:
		return edna_sim_exec_rows(g, op, in0, one ? g->rows - 1 : 0, rows);
	}
}

/**
 * edna_sim_exec_graph() - run a GRAPH descriptor
 * @job: the job: the graph at @src, its argument block at @dst
 *
 * Leaves the outcome in @job like every op; a rejected graph has
 * EDNA_JOB_BAD_GRAPH with @op_index and @graph_error set.
 */
void edna_sim_exec_graph(struct edna_sim_job *job)
{
	struct edna_sim_queue *q = job->q;
	struct edna_sim_graph *g;
	u32 step, i;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		job->status = EDNA_JOB_BUS_ERROR;
		return;
	}
	g->job = job;
	g->cpu = q->sim->ops_cpu;
	g->scratch = q->scratch;
	/* The first chunk: it samples the context's root, as every chunk does. */
	if (!edna_sim_job_checkin(job) || !edna_sim_graph_load(g) || !edna_sim_graph_args(g) ||
	    !edna_sim_graph_step(g, 0) || !edna_sim_graph_precheck(g))
		goto out;
	for (step = 0; step < g->steps; step++) {
		if (step && !edna_sim_graph_step(g, step))
			goto out;
		for (i = 0; i < g->op_count; i++)
			if (!edna_sim_graph_op(g, step, i))
				goto out;
	}
	job->op_index = 0;
out:
	kvfree(g->ops);
	kfree(g);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "edna_sim_graph_kunit.c"
#endif
