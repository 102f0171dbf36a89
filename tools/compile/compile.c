// SPDX-License-Identifier: GPL-2.0
/*
 * edna_compile: placement and the decoder graph (edna_compile.h).
 *
 * Copyright 2026 The edna authors
 *
 * Placement ranks every buffer by the bytes a decode step moves through
 * it per byte it occupies, and gives each, in that order, the fastest
 * tier with room (first fit: SRAM, then DRAM, then host memory):
 *  - activations and norm weights first: tiny, and touched by several
 *    ops every step (and by every row of a prompt batch);
 *  - then the matrices: a decode step reads each whole, once: one byte
 *    per byte (a tied embedding table is the classifier, so one too);
 *  - then the KV cache: a step at position p reads rows 0..p of it,
 *    about half of it on average over the context, so a byte of cache
 *    in SRAM saves half what a byte of weights there saves;
 *  - last an untied embedding table, of which a step reads one row.
 * The device's timing model overlaps its memory streams and takes the
 * slowest (Documentation/hardware.rst), so every byte moved off DRAM
 * onto SRAM shortens a DRAM-bound step; the energy model charges 5 pJ
 * a byte on SRAM against 160 on DRAM, the same order.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edna_compile.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096ull

/* Ops: EMBED, 17 a layer, then the final norm, the classifier and ARGMAX. */
#define OPS_PER_LAYER	17
#define OPS_FIXED	4
#define MAX_LAYERS	((EDNA_GRAPH_MAX_OPS - OPS_FIXED) / OPS_PER_LAYER)

/* The activations, [max_tokens x width] but hn and logits, one row each. */
enum { A_X, A_X2, A_H, A_Q, A_K, A_V, A_ATT, A_O, A_F1, A_F3, A_G, A_HN, A_LOGITS, A_COUNT };
static const char *const act_names[A_COUNT] = {
	[A_X] = "act.x", [A_X2] = "act.x_attn", [A_H] = "act.h", [A_Q] = "act.q",
	[A_K] = "act.k", [A_V] = "act.v", [A_ATT] = "act.attn", [A_O] = "act.proj",
	[A_F1] = "act.gate", [A_F3] = "act.up", [A_G] = "act.ffn", [A_HN] = "act.h_last",
	[A_LOGITS] = "act.logits",
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* Bytes of a row of @n elements of @dtype (graph-format.rst's row_bytes). */
static uint64_t row_bytes(int dtype, uint64_t n)
{
	switch (dtype) {
	case EDNA_DTYPE_F32:
		return 4 * n;
	case EDNA_DTYPE_F16:
		return 2 * n;
	case EDNA_DTYPE_Q8_0:
		return n % 32 ? 0 : n / 32 * 34;
	case EDNA_DTYPE_Q4_0:
		return n % 32 ? 0 : n / 32 * 18;
	}
	return 0;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

void edna_compile_default_opts(struct edna_compile_opts *opts)
{
	struct edna_hw hw;
	int i;

	edna_hw_default(&hw);
	memset(opts, 0, sizeof(*opts));
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		opts->capacity[i] = hw.region_size[i];
}

void edna_hw_default(struct edna_hw *hw)
{
	memset(hw, 0, sizeof(*hw));
	hw->clock_hz = 1000000000ull;
	hw->peak_macs = 1024ull * hw->clock_hz;
	hw->bandwidth[EDNA_REGION_HOST] = 4000000000ull;
	hw->bandwidth[EDNA_REGION_DRAM] = 32000000000ull;
	hw->bandwidth[EDNA_REGION_SRAM] = 256000000000ull;
	hw->region_size[EDNA_REGION_HOST] = UINT64_MAX;
	hw->region_size[EDNA_REGION_DRAM] = 64ull << 20;
	hw->region_size[EDNA_REGION_SRAM] = 2ull << 20;
	hw->active_mw = 3000;
}

uint32_t edna_hw_pj_per_byte(uint32_t region)
{
	switch (region) {
	case EDNA_REGION_HOST:
		return EDNA_PJ_PER_BYTE_HOST;
	case EDNA_REGION_DRAM:
		return EDNA_PJ_PER_BYTE_DRAM;
	case EDNA_REGION_SRAM:
		return EDNA_PJ_PER_BYTE_SRAM;
	}
	return 0;
}

double edna_hw_time_ns(const struct edna_hw *hw, const struct edna_traffic *t)
{
	double ns = 500, x;
	int r;

	for (r = 0; r < EDNA_REGION_COUNT; r++) {
		if (!hw->bandwidth[r])
			continue;
		x = (double)(t->bytes[r][0] + t->bytes[r][1]) * 1e9 / hw->bandwidth[r];
		ns = x > ns ? x : ns;
	}
	if (hw->peak_macs) {
		x = (double)t->macs * 1e9 / hw->peak_macs;
		ns = x > ns ? x : ns;
	}
	return ns;
}

int edna_program_check_config(const struct edna_model_config *c, uint32_t max_tokens,
			      uint32_t max_seq, const char *what, char *err, size_t errlen)
{
	const struct { const char *name; uint32_t v; } dims[] = {
		{ "dim", c->dim }, { "hidden_dim", c->hidden_dim }, { "n_heads", c->n_heads },
		{ "n_kv_heads", c->n_kv_heads }, { "head_dim", c->head_dim },
		{ "vocab_size", c->vocab_size },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dims); i++)
		if (dims[i].v < 1 || dims[i].v > EDNA_GRAPH_MAX_DIM)
			return edna_errmsg(err, errlen, -EINVAL, "%s: %s is %u, expected 1 to %u", what,
				    dims[i].name, dims[i].v, EDNA_GRAPH_MAX_DIM);
	if (c->n_layers < 1 || c->n_layers > MAX_LAYERS)
		return edna_errmsg(err, errlen, c->n_layers ? -EOPNOTSUPP : -EINVAL,
			    "%s: %u layers, expected 1 to %u: a graph holds %u ops, %u a layer",
			    what, c->n_layers, MAX_LAYERS, EDNA_GRAPH_MAX_OPS, OPS_PER_LAYER);
	if (c->head_dim % 2 || (uint64_t)c->n_heads * c->head_dim != c->dim)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: head_dim %u with %u heads, expected an even head_dim and heads x head_dim = dim %u",
			    what, c->head_dim, c->n_heads, c->dim);
	if (c->n_heads % c->n_kv_heads)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: n_kv_heads %u, expected a divisor of n_heads %u", what,
			    c->n_kv_heads, c->n_heads);
	if (!(c->rope_theta > 0) || !isfinite(c->rope_theta) || !(c->norm_eps >= 0) ||
	    !isfinite(c->norm_eps))
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: rope_theta %g, norm_eps %g, expected a positive theta and a non-negative epsilon",
			    what, c->rope_theta, c->norm_eps);
	if (max_tokens < 1 || max_tokens > EDNA_GRAPH_MAX_TOKENS)
		return edna_errmsg(err, errlen, -EINVAL, "%s: max_tokens %u, expected 1 to %u", what,
			    max_tokens, EDNA_GRAPH_MAX_TOKENS);
	if (max_seq < 1 || max_seq > EDNA_GRAPH_MAX_SEQ)
		return edna_errmsg(err, errlen, -EINVAL, "%s: max_seq %u, expected 1 to %u", what,
			    max_seq, EDNA_GRAPH_MAX_SEQ);
	return 0;
}

/* ---- building ----------------------------------------------------------- */

struct builder {
	struct edna_program *p;
	double *density;	/* bytes a decode step moves per byte of the buffer */
	uint32_t cap_bufs;
	uint32_t cap_ops;
	/* buffer indices */
	uint32_t act[A_COUNT];
	uint32_t *attn_norm, *ffn_norm, *w[7], *kc, *vc;
	uint32_t embd, out_norm, output;
};

enum { W_Q, W_K, W_V, W_O, W_GATE, W_UP, W_DOWN };

static uint32_t add_buf(struct builder *b, const char *name, int kind, int dtype, uint32_t rows,
			uint32_t cols, const void *data, double density)
{
	struct edna_buf *x = &b->p->bufs[b->p->n_bufs];

	snprintf(x->name, sizeof(x->name), "%s", name);
	x->kind = kind;
	x->dtype = dtype;
	x->rows = rows;
	x->cols = cols;
	x->bytes = rows * row_bytes(dtype, cols);
	x->data = data;
	b->density[b->p->n_bufs] = density;
	return b->p->n_bufs++;
}

static uint32_t add_tensor(struct builder *b, const struct edna_tensor *t, int kind,
			   double density)
{
	return add_buf(b, t->name, kind, t->dtype, t->rows, t->cols, t->data, density);
}

static uint64_t addr(const struct builder *b, uint32_t buf)
{
	const struct edna_buf *x = &b->p->bufs[buf];

	return EDNA_ADDR(x->pool, x->offset);
}

static struct drm_edna_graph_op *emit(struct builder *b, uint16_t opcode, uint32_t dst,
				      uint32_t s0, uint32_t s1, uint32_t s2)
{
	struct drm_edna_graph_op *op = &b->p->ops[b->p->n_ops++];

	memset(op, 0, sizeof(*op));
	op->opcode = opcode;
	op->dst = dst == UINT32_MAX ? 0 : addr(b, dst);
	op->src[0] = s0 == UINT32_MAX ? 0 : addr(b, s0);
	op->src[1] = s1 == UINT32_MAX ? 0 : addr(b, s1);
	op->src[2] = s2 == UINT32_MAX ? 0 : addr(b, s2);
	return op;
}

#define NONE UINT32_MAX

static void emit_matmul(struct builder *b, uint32_t dst, uint32_t x, uint32_t w, uint8_t flags)
{
	const struct edna_buf *wb = &b->p->bufs[w];
	struct drm_edna_graph_op *op = emit(b, EDNA_GOP_MATMUL, dst, x, w, NONE);

	op->dtype = wb->dtype;
	op->flags = flags;
	op->dim[0] = wb->rows;
	op->dim[1] = wb->cols;
}

static void emit_rmsnorm(struct builder *b, uint32_t dst, uint32_t x, uint32_t w, uint8_t flags)
{
	struct drm_edna_graph_op *op = emit(b, EDNA_GOP_RMSNORM, dst, x, w, NONE);

	op->flags = flags;
	op->dim[0] = b->p->config.dim;
	op->param[0] = f32_bits(b->p->config.norm_eps);
}

static void emit_graph(struct builder *b)
{
	const struct edna_model_config *c = &b->p->config;
	const uint32_t *a = b->act;
	uint32_t kvw = c->n_kv_heads * c->head_dim, l;
	struct drm_edna_graph_op *op;

	op = emit(b, EDNA_GOP_EMBED, a[A_X], b->embd, NONE, NONE);
	op->dtype = b->p->bufs[b->embd].dtype;
	op->dim[0] = c->dim;
	op->dim[1] = c->vocab_size;
	for (l = 0; l < c->n_layers; l++) {
		emit_rmsnorm(b, a[A_H], a[A_X], b->attn_norm[l], 0);
		emit_matmul(b, a[A_Q], a[A_H], b->w[W_Q][l], 0);
		emit_matmul(b, a[A_K], a[A_H], b->w[W_K][l], 0);
		emit_matmul(b, a[A_V], a[A_H], b->w[W_V][l], 0);
		op = emit(b, EDNA_GOP_ROPE, a[A_Q], a[A_Q], NONE, NONE);
		op->dim[0] = c->n_heads, op->dim[1] = c->head_dim;
		op->param[0] = f32_bits(c->rope_theta);
		op = emit(b, EDNA_GOP_ROPE, a[A_K], a[A_K], NONE, NONE);
		op->dim[0] = c->n_kv_heads, op->dim[1] = c->head_dim;
		op->param[0] = f32_bits(c->rope_theta);
		op = emit(b, EDNA_GOP_KV_APPEND, b->kc[l], a[A_K], NONE, NONE);
		op->dim[0] = kvw, op->dim[1] = b->p->max_seq;
		op = emit(b, EDNA_GOP_KV_APPEND, b->vc[l], a[A_V], NONE, NONE);
		op->dim[0] = kvw, op->dim[1] = b->p->max_seq;
		/* scale param 0: the device's 1/sqrt(head_dim), as the reference */
		op = emit(b, EDNA_GOP_ATTENTION, a[A_ATT], a[A_Q], b->kc[l], b->vc[l]);
		op->dim[0] = c->n_heads, op->dim[1] = c->n_kv_heads;
		op->dim[2] = c->head_dim, op->dim[3] = b->p->max_seq;
		emit_matmul(b, a[A_O], a[A_ATT], b->w[W_O][l], 0);
		/* outputs never overlap inputs (graph-format.rst): the residual alternates */
		emit(b, EDNA_GOP_ADD, a[A_X2], a[A_X], a[A_O], NONE)->dim[0] = c->dim;
		emit_rmsnorm(b, a[A_H], a[A_X2], b->ffn_norm[l], 0);
		emit_matmul(b, a[A_F1], a[A_H], b->w[W_GATE][l], 0);
		emit_matmul(b, a[A_F3], a[A_H], b->w[W_UP][l], 0);
		emit(b, EDNA_GOP_SILU_MUL, a[A_G], a[A_F1], a[A_F3], NONE)->dim[0] = c->hidden_dim;
		emit_matmul(b, a[A_O], a[A_G], b->w[W_DOWN][l], 0);
		emit(b, EDNA_GOP_ADD, a[A_X], a[A_X2], a[A_O], NONE)->dim[0] = c->dim;
	}
	/* Only the last row goes on: the next token's. */
	emit_rmsnorm(b, a[A_HN], a[A_X], b->out_norm, EDNA_GOP_LAST_ROW);
	emit_matmul(b, a[A_LOGITS], a[A_HN], b->output, EDNA_GOP_SINGLE_ROW);
	op = emit(b, EDNA_GOP_ARGMAX, NONE, a[A_LOGITS], NONE, NONE);
	op->flags = EDNA_GOP_SINGLE_ROW;
	op->dim[0] = c->vocab_size;
}

/* Order of placement: class, then density, then the order of creation. */
struct rank {
	uint32_t buf;
	int cls;
	double density;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->density != b->density)
		return a->density > b->density ? -1 : 1;
	return a->buf < b->buf ? -1 : a->buf > b->buf;
}

static int place(struct builder *b, const struct edna_compile_opts *o)
{
	struct edna_program *p = b->p;
	struct rank *r = calloc(p->n_bufs, sizeof(*r));
	uint32_t i;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < p->n_bufs; i++) {
		int kind = p->bufs[i].kind;

		r[i].buf = i;
		r[i].cls = kind == EDNA_BUF_ACT ? 0 : kind == EDNA_BUF_NORM ? 1 : 2;
		r[i].density = b->density[i];
	}
	qsort(r, p->n_bufs, sizeof(*r), rank_cmp);
	for (i = 0; i < p->n_bufs; i++) {
		struct edna_buf *x = &p->bufs[r[i].buf];
		int written = x->kind == EDNA_BUF_ACT || x->kind == EDNA_BUF_KV;
		static const int fast[] = { EDNA_POOL_SRAM, EDNA_POOL_DRAM };
		static const int cap_region[] = { EDNA_REGION_SRAM, EDNA_REGION_DRAM };
		int pool = written ? EDNA_POOL_HOST_RW : EDNA_POOL_HOST_RO;
		size_t t;

		/* a pool becomes one buffer object, whose size the kernel rounds to pages */
		for (t = 0; t < ARRAY_SIZE(fast); t++) {
			uint64_t end = align_up(p->pool_size[fast[t]], EDNA_BUF_ALIGN) + x->bytes;

			if (align_up(end, PAGE) <= o->capacity[cap_region[t]]) {
				pool = fast[t];
				break;
			}
		}
		x->pool = pool;
		x->offset = align_up(p->pool_size[pool], EDNA_BUF_ALIGN);
		p->pool_size[pool] = align_up(x->offset + x->bytes, EDNA_BUF_ALIGN);
	}
	free(r);
	return 0;
}

static int alloc_indices(struct builder *b, uint32_t layers)
{
	int i;

	b->attn_norm = calloc(layers, sizeof(uint32_t));
	b->ffn_norm = calloc(layers, sizeof(uint32_t));
	b->kc = calloc(layers, sizeof(uint32_t));
	b->vc = calloc(layers, sizeof(uint32_t));
	if (!b->attn_norm || !b->ffn_norm || !b->kc || !b->vc)
		return -ENOMEM;
	for (i = 0; i < 7; i++) {
		b->w[i] = calloc(layers, sizeof(uint32_t));
		if (!b->w[i])
			return -ENOMEM;
	}
	return 0;
}

static void free_builder(struct builder *b)
{
	int i;

	free(b->density);
	free(b->attn_norm);
	free(b->ffn_norm);
	free(b->kc);
	free(b->vc);
	for (i = 0; i < 7; i++)
		free(b->w[i]);
}

int edna_compile(const struct edna_model *model, const struct edna_compile_opts *opts,
		 struct edna_program **prog, char *err, size_t errlen)
{
	const struct edna_model_config *c = edna_model_config(model);
	const struct edna_tensor *embd = edna_model_token_embd(model);
	const struct edna_tensor *output = edna_model_output(model);
	const char *path = edna_model_path(model);
	struct edna_compile_opts o;
	struct builder b = { 0 };
	struct edna_program *p;
	uint32_t l, i, kvw;
	double kv_density;
	int ret;

	if (!prog)
		return -EINVAL;
	*prog = NULL;
	if (opts)
		o = *opts;
	else
		edna_compile_default_opts(&o);
	if (!o.max_tokens)
		o.max_tokens = EDNA_COMPILE_MAX_TOKENS;
	if (!o.max_seq)
		o.max_seq = c->seq_len < EDNA_GRAPH_MAX_SEQ ? c->seq_len : EDNA_GRAPH_MAX_SEQ;
	ret = edna_program_check_config(c, o.max_tokens, o.max_seq, path, err, errlen);
	if (ret)
		return ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	b.p = p;
	p->config = *c;
	p->max_tokens = o.max_tokens;
	p->max_seq = o.max_seq;
	b.cap_bufs = A_COUNT + 11 * c->n_layers + 3;
	b.cap_ops = OPS_FIXED + OPS_PER_LAYER * c->n_layers;
	p->bufs = calloc(b.cap_bufs, sizeof(*p->bufs));
	p->ops = calloc(b.cap_ops, sizeof(*p->ops));
	b.density = calloc(b.cap_bufs, sizeof(*b.density));
	if (!p->bufs || !p->ops || !b.density || alloc_indices(&b, c->n_layers)) {
		ret = -ENOMEM;
		goto fail;
	}

	for (i = 0; i < A_COUNT; i++) {
		uint32_t rows = i == A_HN || i == A_LOGITS ? 1 : o.max_tokens;
		uint32_t cols = i == A_K || i == A_V ? c->n_kv_heads * c->head_dim :
				i == A_F1 || i == A_F3 || i == A_G ? c->hidden_dim :
				i == A_LOGITS ? c->vocab_size : c->dim;

		b.act[i] = add_buf(&b, act_names[i], EDNA_BUF_ACT, EDNA_DTYPE_F32, rows, cols, NULL,
				   0);
	}
	for (l = 0; l < c->n_layers; l++) {
		const struct edna_model_layer *ly = edna_model_layer(model, l);

		b.attn_norm[l] = add_tensor(&b, ly->attn_norm, EDNA_BUF_NORM, 0);
		b.ffn_norm[l] = add_tensor(&b, ly->ffn_norm, EDNA_BUF_NORM, 0);
	}
	b.out_norm = add_tensor(&b, edna_model_output_norm(model), EDNA_BUF_NORM, 0);
	for (l = 0; l < c->n_layers; l++) {
		const struct edna_model_layer *ly = edna_model_layer(model, l);
		const struct edna_tensor *t[7] = { ly->attn_q, ly->attn_k, ly->attn_v,
						   ly->attn_output, ly->ffn_gate, ly->ffn_up,
						   ly->ffn_down };

		for (i = 0; i < 7; i++)
			b.w[i][l] = add_tensor(&b, t[i], EDNA_BUF_WEIGHT, 1.0);
	}
	/* a tied table is also the classifier, read whole every step */
	b.embd = add_tensor(&b, embd, EDNA_BUF_WEIGHT, output == embd ? 1.0 : 1.0 / c->vocab_size);
	b.output = output == embd ? b.embd : add_tensor(&b, output, EDNA_BUF_WEIGHT, 1.0);
	kvw = c->n_kv_heads * c->head_dim;
	/* rows 0..p read at position p, on average (max_seq + 1) / 2; one row written */
	kv_density = ((o.max_seq + 1) / 2.0 + 1) / o.max_seq;
	for (l = 0; l < c->n_layers; l++) {
		char name[EDNA_TENSOR_NAME_MAX];

		snprintf(name, sizeof(name), "blk.%u.k_cache", l);
		b.kc[l] = add_buf(&b, name, EDNA_BUF_KV, EDNA_DTYPE_F32, o.max_seq, kvw, NULL,
				  kv_density);
		snprintf(name, sizeof(name), "blk.%u.v_cache", l);
		b.vc[l] = add_buf(&b, name, EDNA_BUF_KV, EDNA_DTYPE_F32, o.max_seq, kvw, NULL,
				  kv_density);
	}
	ret = place(&b, &o);
	if (ret)
		goto fail;
	emit_graph(&b);
	p->logits = addr(&b, b.act[A_LOGITS]);
	free_builder(&b);
	*prog = p;
	return 0;
fail:
	free_builder(&b);
	edna_program_free(p);
	return edna_errmsg(err, errlen, ret, "%s: out of memory compiling", path);
}

void edna_program_free(struct edna_program *prog)
{
	if (!prog)
		return;
	free(prog->bufs);
	free(prog->ops);
	free(prog);
}

static int relocate_one(const struct edna_program *prog, const uint64_t *base, __u64 *a)
{
	int pool;

	if (!*a)
		return 0;
	pool = EDNA_ADDR_POOL(*a);
	if (pool < 0 || pool >= EDNA_POOL_COUNT || EDNA_ADDR_OFF(*a) >= prog->pool_size[pool])
		return -EINVAL;
	*a = base[pool] + EDNA_ADDR_OFF(*a);
	return 0;
}

int edna_program_relocate(const struct edna_program *prog, const uint64_t base[EDNA_POOL_COUNT],
			  struct drm_edna_graph_op *ops)
{
	uint32_t i;
	int j;

	for (i = 0; i < prog->n_ops; i++) {
		ops[i] = prog->ops[i];
		if (relocate_one(prog, base, &ops[i].dst))
			return -EINVAL;
		for (j = 0; j < 3; j++)
			if (relocate_one(prog, base, &ops[i].src[j]))
				return -EINVAL;
	}
	return 0;
}

int edna_program_pool_written(const struct edna_program *prog, int pool)
{
	uint32_t i;

	for (i = 0; i < prog->n_bufs; i++)
		if (prog->bufs[i].pool == pool &&
		    (prog->bufs[i].kind == EDNA_BUF_ACT || prog->bufs[i].kind == EDNA_BUF_KV))
			return 1;
	return 0;
}

/* ---- the traffic model --------------------------------------------------- */

void edna_program_plan_regions(uint32_t region[EDNA_POOL_COUNT])
{
	region[EDNA_POOL_SRAM] = EDNA_REGION_SRAM;
	region[EDNA_POOL_DRAM] = EDNA_REGION_DRAM;
	region[EDNA_POOL_HOST_RO] = EDNA_REGION_HOST;
	region[EDNA_POOL_HOST_RW] = EDNA_REGION_HOST;
}

static void move(struct edna_traffic *t, const uint32_t *region, uint64_t a, int dir,
		 uint64_t bytes)
{
	int pool = EDNA_ADDR_POOL(a);

	if (a && pool >= 0 && pool < EDNA_POOL_COUNT && region[pool] < EDNA_REGION_COUNT)
		t->bytes[region[pool]][dir] += bytes;
}

/* One step of @rows rows, the first at position @pos: graph-format.rst's tables. */
static void step_traffic(const struct edna_program *prog, const uint32_t *region, uint32_t rows,
			 uint32_t pos, struct edna_traffic *t)
{
	uint32_t i, j;

	for (i = 0; i < prog->n_ops; i++) {
		const struct drm_edna_graph_op *op = &prog->ops[i];
		uint64_t r = op->flags & (EDNA_GOP_LAST_ROW | EDNA_GOP_SINGLE_ROW) ? 1 : rows;
		uint64_t n = op->dim[0], k = op->dim[1];

		switch (op->opcode) {
		case EDNA_GOP_EMBED:
			move(t, region, op->src[0], 0, r * row_bytes(op->dtype, n));
			move(t, region, op->dst, 1, 4 * r * n);
			t->macs += r * n;
			break;
		case EDNA_GOP_RMSNORM:
			move(t, region, op->src[0], 0, 4 * r * n);
			move(t, region, op->src[1], 0, 4 * n);
			move(t, region, op->dst, 1, 4 * r * n);
			t->macs += r * n;
			break;
		case EDNA_GOP_MATMUL:
			move(t, region, op->src[0], 0, 4 * r * k);
			move(t, region, op->src[1], 0, n * row_bytes(op->dtype, k));
			move(t, region, op->dst, 1, 4 * r * n);
			t->macs += r * n * k;
			break;
		case EDNA_GOP_ROPE:
			move(t, region, op->src[0], 0, 4 * r * n * k);
			move(t, region, op->dst, 1, 4 * r * n * k);
			t->macs += r * n * k;
			break;
		case EDNA_GOP_KV_APPEND:
			move(t, region, op->src[0], 0, 4 * r * n);
			move(t, region, op->dst, 1, 4 * r * n);
			t->macs += r * n;
			break;
		case EDNA_GOP_ATTENTION: {
			uint64_t hd = op->dim[2], w = n * hd;

			for (j = 0; j < r; j++) {
				uint64_t len = pos + j + 1;

				move(t, region, op->src[0], 0, 4 * w);
				move(t, region, op->src[1], 0, 4 * len * k * hd);
				move(t, region, op->src[2], 0, 4 * len * k * hd);
				t->macs += 2 * w * len;
			}
			move(t, region, op->dst, 1, 4 * r * w);
			break;
		}
		case EDNA_GOP_ADD:
		case EDNA_GOP_MUL:
		case EDNA_GOP_SILU_MUL:
			move(t, region, op->src[0], 0, 4 * r * n);
			move(t, region, op->src[1], 0, 4 * r * n);
			move(t, region, op->dst, 1, 4 * r * n);
			t->macs += r * n;
			break;
		case EDNA_GOP_SOFTMAX:
			move(t, region, op->src[0], 0, 4 * r * n);
			move(t, region, op->dst, 1, 4 * r * n);
			t->macs += r * n;
			break;
		case EDNA_GOP_ARGMAX:
			move(t, region, op->src[0], 0, 4 * n);
			move(t, region, op->dst, 1, 4);
			t->bytes[EDNA_REGION_HOST][1] += 4;	/* the next token, in the args */
			t->macs += n;
			break;
		}
	}
	t->bytes[EDNA_REGION_HOST][0] += 4ull * rows;	/* the step's tokens */
}

void edna_program_traffic(const struct edna_program *prog, const uint32_t region[EDNA_POOL_COUNT],
			  uint32_t pos, uint32_t n_tokens, uint32_t steps, struct edna_traffic *t)
{
	uint32_t s;

	memset(t, 0, sizeof(*t));
	t->bytes[EDNA_REGION_HOST][0] += sizeof(struct drm_edna_graph_header) +
		(uint64_t)prog->n_ops * sizeof(struct drm_edna_graph_op) +
		sizeof(struct drm_edna_graph_args);
	for (s = 0; s < steps; s++)
		step_traffic(prog, region, s ? 1 : n_tokens, s ? pos + n_tokens + s - 1 : pos, t);
}

/* ---- describing ----------------------------------------------------------- */

static const char *size_str(char *buf, size_t len, double bytes)
{
	if (bytes >= 1 << 30)
		snprintf(buf, len, "%.2f GiB", bytes / (1 << 30));
	else if (bytes >= 1 << 20)
		snprintf(buf, len, "%.2f MiB", bytes / (1 << 20));
	else if (bytes >= 1 << 10)
		snprintf(buf, len, "%.1f KiB", bytes / (1 << 10));
	else
		snprintf(buf, len, "%.0f B", bytes);
	return buf;
}

static const char *const pool_names[EDNA_POOL_COUNT] = {
	[EDNA_POOL_SRAM] = "SRAM", [EDNA_POOL_DRAM] = "DRAM",
	[EDNA_POOL_HOST_RO] = "host (device read-only)", [EDNA_POOL_HOST_RW] = "host",
};
static const char *const kind_names[EDNA_BUF_KIND_COUNT] = {
	[EDNA_BUF_ACT] = "activations", [EDNA_BUF_NORM] = "norms",
	[EDNA_BUF_WEIGHT] = "weights", [EDNA_BUF_KV] = "KV cache",
};
static const char *const region_names[EDNA_REGION_COUNT] = {
	[EDNA_REGION_HOST] = "host", [EDNA_REGION_DRAM] = "DRAM", [EDNA_REGION_SRAM] = "SRAM",
};
static const char *const dtype_names[] = { "f32", "f16", "q8_0", "q4_0" };

static void describe_step(const struct edna_program *prog, const struct edna_hw *hw,
			  uint32_t pos, FILE *f)
{
	uint32_t region[EDNA_POOL_COUNT];
	struct edna_traffic t;
	double ns, pj = 0;
	char s[32];
	int r;

	edna_program_plan_regions(region);
	memset(&t, 0, sizeof(t));
	step_traffic(prog, region, 1, pos, &t);
	ns = edna_hw_time_ns(hw, &t);
	fprintf(f, "  at position %-6u", pos);
	for (r = EDNA_REGION_SRAM; r >= 0; r--) {
		fprintf(f, " %s %s", region_names[r],
			size_str(s, sizeof(s), t.bytes[r][0] + t.bytes[r][1]));
		pj += (double)(t.bytes[r][0] + t.bytes[r][1]) * edna_hw_pj_per_byte(r);
		fputc(r ? ',' : ';', f);
	}
	pj += (double)t.macs * EDNA_PJ_PER_MAC + hw->active_mw * ns;
	fprintf(f, " %.1f us, %.1f uJ a token (modeled)\n", ns / 1000, pj / 1e6);
}

void edna_program_describe(const struct edna_program *prog, const char *name,
			   const struct edna_hw *hw, int verbose, FILE *f)
{
	const struct edna_model_config *c = &prog->config;
	uint64_t bytes[EDNA_POOL_COUNT][EDNA_BUF_KIND_COUNT] = { { 0 } };
	uint32_t count[EDNA_POOL_COUNT][EDNA_BUF_KIND_COUNT] = { { 0 } };
	uint32_t total[EDNA_BUF_KIND_COUNT] = { 0 }, i;
	uint64_t kv_bytes = 0;
	char s1[32], s2[32];
	int p, k;

	fprintf(f,
		"%s: dim %u, hidden %u, %u layers, %u heads (%u KV), vocab %u; a graph of %u ops, %u-token prompt batches, KV cache of %u positions\n",
		name, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size,
		prog->n_ops, prog->max_tokens, prog->max_seq);
	for (i = 0; i < prog->n_bufs; i++) {
		const struct edna_buf *b = &prog->bufs[i];

		bytes[b->pool][b->kind] += b->bytes;
		count[b->pool][b->kind]++;
		total[b->kind]++;
		if (b->kind == EDNA_BUF_KV)
			kv_bytes += b->bytes;
	}
	fprintf(f, "placement (SRAM %s, DRAM %s available):\n",
		size_str(s1, sizeof(s1), hw->region_size[EDNA_REGION_SRAM]),
		size_str(s2, sizeof(s2), hw->region_size[EDNA_REGION_DRAM]));
	for (p = 0; p < EDNA_POOL_COUNT; p++) {
		const char *sep = "";

		if (!prog->pool_size[p])
			continue;
		fprintf(f, "  %-24s %10s:", pool_names[p],
			size_str(s1, sizeof(s1), prog->pool_size[p]));
		for (k = 0; k < EDNA_BUF_KIND_COUNT; k++) {
			if (!count[p][k])
				continue;
			fprintf(f, "%s %s %u of %u (%s)", sep, kind_names[k], count[p][k], total[k],
				size_str(s1, sizeof(s1), bytes[p][k]));
			sep = ",";
		}
		fputc('\n', f);
	}
	fprintf(f, "KV cache: %s (%u layers x K and V x %u positions x %u f32):",
		size_str(s1, sizeof(s1), kv_bytes), c->n_layers, prog->max_seq,
		c->n_kv_heads * c->head_dim);
	for (p = 0; p < EDNA_POOL_COUNT; p++)
		if (count[p][EDNA_BUF_KV])
			fprintf(f, " %s in %s", size_str(s1, sizeof(s1), bytes[p][EDNA_BUF_KV]),
				pool_names[p]);
	fputc('\n', f);
	fprintf(f, "decode bytes per token by tier (one token, read + written):\n");
	describe_step(prog, hw, 0, f);
	if (prog->max_seq > 1)
		describe_step(prog, hw, prog->max_seq - 1, f);
	if (!verbose)
		return;
	fprintf(f, "buffers:\n");
	for (i = 0; i < prog->n_bufs; i++) {
		const struct edna_buf *b = &prog->bufs[i];

		fprintf(f, "  %-5s +0x%09llx %-28s %-4s %7u x %-7u %10llu\n",
			b->pool == EDNA_POOL_SRAM ? "SRAM" : b->pool == EDNA_POOL_DRAM ? "DRAM" :
			"host", (unsigned long long)b->offset, b->name,
			b->dtype < ARRAY_SIZE(dtype_names) ? dtype_names[b->dtype] : "?", b->rows,
			b->cols, (unsigned long long)b->bytes);
	}
}
