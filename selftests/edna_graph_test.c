// SPDX-License-Identifier: GPL-2.0
/*
 * edna_graph: compiled graphs on the device.  Every op's results against
 * the independent CPU reference (tools/ref), on random shapes with odd
 * sizes and every weight type; a decoder-shaped graph over a prompt batch
 * and several decode steps; malformed graphs, each failing its own job
 * with the right error record while another client's job completes; and
 * a long graph that a queue reset stops half way.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "edna_test.h"
#include "edna_ref.h"

#define PAGE		4096ULL
#define SYSFS		"/sys/class/accel/accel0/device/"
#define SIM		"/sys/kernel/debug/edna_sim/edna_sim.0/"
#define SEC		EDNA_SEC
#define ARENA_SIZE	(8ULL << 20)

/*
 * Test memory: one host buffer that everything is carved from, so that a
 * device VA and a CPU pointer differ by a constant.
 */
struct arena {
	int fd;
	struct edna_bo bo;
	__u64 used;
};

static int arena_init(struct arena *a, int fd, __u64 size)
{
	a->fd = fd;
	a->used = 0;
	return edna_bo_new(fd, size, EDNA_REGION_HOST, &a->bo);
}

static void arena_fini(struct arena *a)
{
	edna_bo_free(a->fd, &a->bo);
}

/* @size bytes, 64-byte aligned and zeroed: its VA, and its CPU address in *cpu. */
static __u64 arena_alloc(struct arena *a, __u64 size, void **cpu)
{
	__u64 off = (a->used + 63) & ~63ULL;

	if (cpu)
		*cpu = NULL;
	if (off + size > a->bo.size)
		return 0;
	a->used = off + size;
	memset((char *)a->bo.cpu + off, 0, size);
	if (cpu)
		*cpu = (char *)a->bo.cpu + off;
	return a->bo.va + off;
}

/* A graph being built: a header and up to 64 ops. */
struct graph {
	struct drm_edna_graph_header h;
	struct drm_edna_graph_op op[64];
};

static void graph_init(struct graph *g, __u32 max_tokens)
{
	memset(g, 0, sizeof(*g));
	g->h.magic = EDNA_GRAPH_MAGIC;
	g->h.version_major = EDNA_GRAPH_VERSION_MAJOR;
	g->h.version_minor = EDNA_GRAPH_VERSION_MINOR;
	g->h.header_size = sizeof(g->h);
	g->h.op_size = sizeof(g->op[0]);
	g->h.max_tokens = max_tokens;
}

static struct drm_edna_graph_op *graph_op(struct graph *g, __u16 opcode, __u64 dst,
					  __u64 src0, __u64 src1, __u64 src2)
{
	struct drm_edna_graph_op *op = &g->op[g->h.op_count++];

	op->opcode = opcode;
	op->dst = dst;
	op->src[0] = src0;
	op->src[1] = src1;
	op->src[2] = src2;
	return op;
}

static __u32 f32_bits(float f)
{
	__u32 u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* Bytes of @g's records; a header may claim more ops than the graph has. */
static size_t graph_bytes(const struct graph *g)
{
	size_t ops = sizeof(g->op) / sizeof(g->op[0]);

	return sizeof(g->h) + (g->h.op_count < ops ? g->h.op_count : ops) * sizeof(g->op[0]);
}

/* Put @g and an argument block in the arena; their VAs in *gva and *ava. */
static int graph_place(struct arena *a, const struct graph *g, __u32 pos, __u32 n_tokens,
		       __u32 steps, const __u32 *tokens, __u64 *gva, __u64 *ava)
{
	struct drm_edna_graph_args *args;
	void *gp;

	*gva = arena_alloc(a, graph_bytes(g), &gp);
	*ava = arena_alloc(a, sizeof(*args) + (n_tokens + steps) * sizeof(__u32), (void **)&args);
	if (!*gva || !*ava)
		return -ENOMEM;
	memcpy(gp, g, graph_bytes(g));
	args->pos = pos;
	args->n_tokens = n_tokens;
	args->steps = steps;
	if (tokens)
		memcpy(args->tokens, tokens, n_tokens * sizeof(__u32));
	return 0;
}

/* Run the graph at @gva with arguments at @ava on @queue; its record in *r. */
static int run_graph(int fd, __u32 queue, __u64 gva, __u64 ava, int *status,
		     struct drm_edna_job_result *r)
{
	struct drm_edna_job j = {
		.queue = queue, .priority = EDNA_PRIORITY_NORMAL, .op = EDNA_JOB_GRAPH,
		.src = gva, .dst = ava,
	};
	int ret = edna_submit(fd, &j, 1);

	if (ret)
		return ret;
	return edna_wait(fd, j.seqno, edna_deadline(60 * SEC), status, r);
}

/* A deterministic generator, so a failure can be reproduced. */
static __u32 rnd_next(__u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static void rnd_floats(__u64 *s, float *p, size_t n, float scale)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = ((float)rnd_next(s) / 2147483648.0f - 0.5f) * 2 * scale;
}

FIXTURE(edna_graph) {
	int fd;
	struct arena a;
};

FIXTURE_SETUP(edna_graph)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, arena_init(&self->a, self->fd, ARENA_SIZE));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "10000"));
}

FIXTURE_TEARDOWN(edna_graph)
{
	edna_write_file(SIM "chunk_delay_us", "0");
	edna_write_file(SYSFS "job_timeout_ms", "10000");
	arena_fini(&self->a);
	close(self->fd);
}

/* The largest |x| of each row of @n: the scale of a row's tolerance. */
static double row_max_abs(const float *x, size_t n)
{
	double m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m = fabs(x[i]) > m ? fabs(x[i]) : m;
	return m;
}

/*
 * Compare @rows rows of @n: each element within @rel of the largest
 * magnitude of its reference row (EDNA_REF_DOT_REL for one op: see
 * tools/ref/edna_ref.h for why), or within tol[i] when @tol is given.
 * Return: the index of the first element out of bounds, or -1.
 */
static long mismatch(const float *dev, const float *ref, unsigned int rows, size_t n,
		     double rel, const double *tol)
{
	unsigned int r;
	size_t i;

	for (r = 0; r < rows; r++) {
		double scale = row_max_abs(ref + r * n, n);

		for (i = 0; i < n; i++) {
			size_t e = r * n + i;
			double t = tol ? tol[e] : rel * scale + EDNA_REF_ABS_EPS;

			if (!(fabs((double)dev[e] - ref[e]) <= t)) {
				fprintf(stderr, "# element %zu: device %.9g, reference %.9g\n",
					e, dev[e], ref[e]);
				return e;
			}
		}
	}
	return -1;
}

/* A row-major [rows x n] weight of @dtype holding @src, quantised by the reference. */
static void put_weights(void *dst, const float *src, int dtype, unsigned int rows, unsigned int n)
{
	uint64_t rb = edna_ref_row_bytes(dtype, n);
	unsigned int r;

	for (r = 0; r < rows; r++) {
		char *row = (char *)dst + r * rb;

		switch (dtype) {
		case EDNA_DTYPE_F32:
			memcpy(row, src + (size_t)r * n, n * sizeof(float));
			break;
		case EDNA_DTYPE_F16:
			edna_ref_quantize_f16(row, src + (size_t)r * n, n);
			break;
		case EDNA_DTYPE_Q8_0:
			edna_ref_quantize_q8_0(row, src + (size_t)r * n, n);
			break;
		case EDNA_DTYPE_Q4_0:
			edna_ref_quantize_q4_0(row, src + (size_t)r * n, n);
			break;
		}
	}
}

/* Run a graph of this test's arena, which must succeed. */
static void run_ok(struct __test_metadata *_metadata, int fd, struct arena *a,
		   const struct graph *g, __u32 pos, __u32 n_tokens, __u32 steps,
		   const __u32 *tokens, struct drm_edna_job_result *r)
{
	__u64 gva, ava;
	int st = -1;

	ASSERT_EQ(0, graph_place(a, g, pos, n_tokens, steps, tokens, &gva, &ava));
	ASSERT_EQ(0, run_graph(fd, 0, gva, ava, &st, r));
	ASSERT_EQ(0, st);
	ASSERT_EQ(EDNA_STATUS_OK, r->status);
}

static const char *const dtype_name[] = { "f32", "f16", "q8_0", "q4_0" };

TEST_F(edna_graph, matmul_matches_reference_every_dtype_and_shape)
{
	/* rows, n, k: vectors, batches, odd sizes, one output, tails of every length */
	static const unsigned int shapes[][3] = {
		{ 1, 1, 32 }, { 1, 37, 64 }, { 3, 97, 96 }, { 5, 33, 160 }, { 1, 300, 256 },
		{ 8, 64, 32 }, { 2, 7, 1024 },
	};
	__u64 seed = 1;
	int dtype;
	size_t s;

	for (dtype = EDNA_DTYPE_F32; dtype <= EDNA_DTYPE_Q4_0; dtype++) {
		for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
			unsigned int rows = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
			/* f32 and f16 take any k: make it odd for them */
			unsigned int kk = dtype <= EDNA_DTYPE_F16 ? k - (s & 1) * 5 : k;
			struct drm_edna_job_result r = {};
			float *x, *y, *wf, *ref;
			double *tol;
			void *w;
			__u64 xv, yv, wv;
			struct graph g;

			self->a.used = 0;
			xv = arena_alloc(&self->a, (size_t)rows * kk * 4, (void **)&x);
			yv = arena_alloc(&self->a, (size_t)rows * n * 4, (void **)&y);
			wv = arena_alloc(&self->a, edna_ref_row_bytes(dtype, kk) * n, &w);
			ASSERT_NE(0, wv);
			wf = malloc((size_t)n * kk * 4);
			ref = malloc((size_t)rows * n * 4);
			tol = malloc((size_t)rows * n * sizeof(double));
			ASSERT_NE(NULL, tol);
			rnd_floats(&seed, x, (size_t)rows * kk, 2);
			rnd_floats(&seed, wf, (size_t)n * kk, 1);
			put_weights(w, wf, dtype, n, kk);
			graph_init(&g, rows);
			*graph_op(&g, EDNA_GOP_MATMUL, yv, xv, wv, 0) = (struct drm_edna_graph_op){
				.opcode = EDNA_GOP_MATMUL, .dtype = dtype, .dst = yv,
				.src = { xv, wv }, .dim = { n, kk } };
			run_ok(_metadata, self->fd, &self->a, &g, 0, rows, 1, NULL, &r);
			EXPECT_EQ((__u64)rows * n * kk, r.macs);
			edna_ref_matmul(ref, x, w, dtype, rows, n, kk);
			edna_ref_matmul_tolerance(tol, x, w, dtype, rows, n, kk);
			EXPECT_EQ(-1, mismatch(y, ref, rows, n, 0, tol)) {
				TH_LOG("%s rows %u n %u k %u", dtype_name[dtype], rows, n, kk);
			}
			free(wf), free(ref), free(tol);
		}
	}
}

TEST_F(edna_graph, last_row_matmul_reads_only_the_last_row)
{
	struct drm_edna_job_result r = {};
	float *x, *w, *y, ref[9];
	__u64 xv, wv, yv;
	struct graph g;
	__u64 seed = 7;

	xv = arena_alloc(&self->a, 5 * 64 * 4, (void **)&x);
	wv = arena_alloc(&self->a, 9 * 64 * 4, (void **)&w);
	yv = arena_alloc(&self->a, 5 * 9 * 4, (void **)&y);
	rnd_floats(&seed, x, 5 * 64, 1);
	rnd_floats(&seed, w, 9 * 64, 1);
	graph_init(&g, 5);
	*graph_op(&g, EDNA_GOP_MATMUL, yv, xv, wv, 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_MATMUL, .flags = EDNA_GOP_LAST_ROW, .dst = yv,
		.src = { xv, wv }, .dim = { 9, 64 } };
	run_ok(_metadata, self->fd, &self->a, &g, 0, 5, 1, NULL, &r);
	edna_ref_matmul(ref, x + 4 * 64, w, EDNA_DTYPE_F32, 1, 9, 64);
	EXPECT_EQ(-1, mismatch(y, ref, 1, 9, 1e-5, NULL));
	/* Only row 0 of the output was written. */
	EXPECT_EQ(4 * 9, edna_first_not(y + 9, 4 * 9 * 4, 0));
	EXPECT_EQ(9ULL * 64, r.macs);
}

TEST_F(edna_graph, embed_matches_reference_every_dtype)
{
	static const __u32 tokens[5] = { 3, 0, 40, 3, 17 };
	__u64 seed = 2;
	int dtype;

	for (dtype = EDNA_DTYPE_F32; dtype <= EDNA_DTYPE_Q4_0; dtype++) {
		unsigned int d = dtype <= EDNA_DTYPE_F16 ? 45 : 96, vocab = 41;
		struct drm_edna_job_result r = {};
		float *tf, *y, ref[5 * 96];
		__u64 tv, yv;
		struct graph g;
		void *t;

		self->a.used = 0;
		tv = arena_alloc(&self->a, edna_ref_row_bytes(dtype, d) * vocab, &t);
		yv = arena_alloc(&self->a, 5 * d * 4, (void **)&y);
		tf = malloc((size_t)vocab * d * 4);
		ASSERT_NE(NULL, tf);
		rnd_floats(&seed, tf, (size_t)vocab * d, 3);
		put_weights(t, tf, dtype, vocab, d);
		graph_init(&g, 5);
		*graph_op(&g, EDNA_GOP_EMBED, yv, tv, 0, 0) = (struct drm_edna_graph_op){
			.opcode = EDNA_GOP_EMBED, .dtype = dtype, .dst = yv, .src = { tv },
			.dim = { d, vocab } };
		run_ok(_metadata, self->fd, &self->a, &g, 0, 5, 1, tokens, &r);
		edna_ref_embed(ref, t, dtype, tokens, 5, d);
		/* Dequantising is exact: the rows are equal, not close. */
		EXPECT_EQ(0, memcmp(y, ref, 5 * d * 4)) {
			TH_LOG("%s", dtype_name[dtype]);
		}
		free(tf);
	}
}

TEST_F(edna_graph, token_outside_the_vocabulary_is_rejected)
{
	static const __u32 tokens[2] = { 3, 41 };
	struct drm_edna_job_result r = {};
	__u64 tv, yv, gva, ava;
	struct graph g;
	int st;

	tv = arena_alloc(&self->a, 41 * 32 * 4, NULL);
	yv = arena_alloc(&self->a, 2 * 32 * 4, NULL);
	graph_init(&g, 2);
	*graph_op(&g, EDNA_GOP_EMBED, yv, tv, 0, 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_EMBED, .dst = yv, .src = { tv }, .dim = { 32, 41 } };
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 2, 1, tokens, &gva, &ava));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(-ENOEXEC, st);
	EXPECT_EQ(EDNA_GRAPH_ERR_TOKEN, r.reason);
	EXPECT_EQ(0, r.op_index);
}

TEST_F(edna_graph, rowwise_ops_match_reference)
{
	static const unsigned int widths[] = { 1, 3, 31, 33, 97, 256 };
	static const __u16 ops[] = { EDNA_GOP_RMSNORM, EDNA_GOP_ADD, EDNA_GOP_MUL,
				     EDNA_GOP_SILU_MUL, EDNA_GOP_SOFTMAX };
	__u64 seed = 3;
	size_t o, wi;

	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
			unsigned int n = widths[wi], rows = 3;
			struct drm_edna_job_result r = {};
			float *a, *b, *y, ref[3 * 256];
			__u64 av, bv, yv;
			struct graph g;
			struct drm_edna_graph_op *op;

			self->a.used = 0;
			av = arena_alloc(&self->a, rows * n * 4, (void **)&a);
			bv = arena_alloc(&self->a, rows * n * 4, (void **)&b);
			yv = arena_alloc(&self->a, rows * n * 4, (void **)&y);
			rnd_floats(&seed, a, rows * n, 4);
			rnd_floats(&seed, b, rows * n, 4);
			graph_init(&g, rows);
			op = graph_op(&g, ops[o], yv, av, ops[o] == EDNA_GOP_SOFTMAX ? 0 : bv, 0);
			op->dim[0] = n;
			if (ops[o] == EDNA_GOP_RMSNORM)
				op->param[0] = f32_bits(1e-5f);
			run_ok(_metadata, self->fd, &self->a, &g, 0, rows, 1, NULL, &r);
			switch (ops[o]) {
			case EDNA_GOP_RMSNORM:
				edna_ref_rmsnorm(ref, a, b, rows, n, 1e-5f);
				break;
			case EDNA_GOP_ADD:
				edna_ref_add(ref, a, b, rows * n);
				break;
			case EDNA_GOP_MUL:
				edna_ref_mul(ref, a, b, rows * n);
				break;
			case EDNA_GOP_SILU_MUL:
				edna_ref_silu_mul(ref, a, b, rows * n);
				break;
			case EDNA_GOP_SOFTMAX:
				edna_ref_softmax(ref, a, rows, n);
				break;
			}
			EXPECT_EQ(-1, mismatch(y, ref, rows, n, EDNA_REF_DOT_REL, NULL)) {
				TH_LOG("op %u width %u", ops[o], n);
			}
		}
	}
}

TEST_F(edna_graph, rope_matches_reference_at_far_positions)
{
	static const unsigned int pos[] = { 0, 1, 77, 4000, 30000 };
	__u64 seed = 4;
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		unsigned int heads = 3, hd = 10 + 2 * i, rows = 4, n = heads * hd;
		struct drm_edna_job_result r = {};
		float *x, *y, ref[4 * 3 * 20];
		__u64 xv, yv;
		struct graph g;
		struct drm_edna_graph_op *op;

		self->a.used = 0;
		xv = arena_alloc(&self->a, rows * n * 4, (void **)&x);
		yv = arena_alloc(&self->a, rows * n * 4, (void **)&y);
		rnd_floats(&seed, x, rows * n, 1);
		graph_init(&g, rows);
		op = graph_op(&g, EDNA_GOP_ROPE, yv, xv, 0, 0);
		op->dim[0] = heads, op->dim[1] = hd, op->param[0] = f32_bits(10000.0f);
		run_ok(_metadata, self->fd, &self->a, &g, pos[i], rows, 1, NULL, &r);
		edna_ref_rope(ref, x, rows, heads, hd, pos[i], 10000.0f);
		EXPECT_EQ(-1, mismatch(y, ref, rows, n, EDNA_REF_DOT_REL, NULL)) {
			TH_LOG("pos %u", pos[i]);
		}
	}
}

TEST_F(edna_graph, kv_append_and_attention_match_reference_mha_and_gqa)
{
	/* heads, kv_heads, hd: multi-head, grouped-query, multi-query */
	static const unsigned int cfg[][3] = { { 4, 4, 16 }, { 6, 2, 8 }, { 4, 1, 12 } };
	__u64 seed = 5;
	size_t c;

	for (c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		unsigned int heads = cfg[c][0], kvh = cfg[c][1], hd = cfg[c][2];
		unsigned int w = kvh * hd, qw = heads * hd, max_seq = 40, rows = 3, pos = 9;
		struct drm_edna_job_result r = {};
		float *q, *k, *v, *kc, *vc, *y, *kref, *vref, *ref;
		__u64 qv, kv, vv, kcv, vcv, yv;
		struct graph g;
		struct drm_edna_graph_op *op;

		self->a.used = 0;
		qv = arena_alloc(&self->a, rows * qw * 4, (void **)&q);
		kv = arena_alloc(&self->a, rows * w * 4, (void **)&k);
		vv = arena_alloc(&self->a, rows * w * 4, (void **)&v);
		kcv = arena_alloc(&self->a, max_seq * w * 4, (void **)&kc);
		vcv = arena_alloc(&self->a, max_seq * w * 4, (void **)&vc);
		yv = arena_alloc(&self->a, rows * qw * 4, (void **)&y);
		rnd_floats(&seed, q, rows * qw, 1);
		rnd_floats(&seed, k, rows * w, 1);
		rnd_floats(&seed, v, rows * w, 1);
		/* Earlier positions already in the caches. */
		rnd_floats(&seed, kc, pos * w, 1);
		rnd_floats(&seed, vc, pos * w, 1);
		kref = malloc(max_seq * w * 4), vref = malloc(max_seq * w * 4);
		ref = malloc(rows * qw * 4);
		ASSERT_NE(NULL, ref);
		memcpy(kref, kc, max_seq * w * 4), memcpy(vref, vc, max_seq * w * 4);

		graph_init(&g, rows);
		op = graph_op(&g, EDNA_GOP_KV_APPEND, kcv, kv, 0, 0);
		op->dim[0] = w, op->dim[1] = max_seq;
		op = graph_op(&g, EDNA_GOP_KV_APPEND, vcv, vv, 0, 0);
		op->dim[0] = w, op->dim[1] = max_seq;
		op = graph_op(&g, EDNA_GOP_ATTENTION, yv, qv, kcv, vcv);
		op->dim[0] = heads, op->dim[1] = kvh, op->dim[2] = hd, op->dim[3] = max_seq;
		run_ok(_metadata, self->fd, &self->a, &g, pos, rows, 1, NULL, &r);

		edna_ref_kv_append(kref, k, rows, w, pos);
		edna_ref_kv_append(vref, v, rows, w, pos);
		EXPECT_EQ(0, memcmp(kc, kref, max_seq * w * 4));
		EXPECT_EQ(0, memcmp(vc, vref, max_seq * w * 4));
		edna_ref_attention(ref, q, kref, vref, rows, heads, kvh, hd, pos, 0);
		EXPECT_EQ(-1, mismatch(y, ref, rows, qw, EDNA_REF_DOT_REL, NULL)) {
			TH_LOG("heads %u kv_heads %u hd %u", heads, kvh, hd);
		}
		free(kref), free(vref), free(ref);
	}
}

TEST_F(edna_graph, position_past_the_cache_is_rejected)
{
	struct drm_edna_job_result r = {};
	__u64 kcv, kv, gva, ava;
	struct graph g;
	int st;

	kcv = arena_alloc(&self->a, 8 * 16 * 4, NULL);
	kv = arena_alloc(&self->a, 2 * 16 * 4, NULL);
	graph_init(&g, 2);
	*graph_op(&g, EDNA_GOP_KV_APPEND, kcv, kv, 0, 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_KV_APPEND, .dst = kcv, .src = { kv }, .dim = { 16, 8 } };
	/* Rows 7 and 8 of a cache of 8. */
	ASSERT_EQ(0, graph_place(&self->a, &g, 7, 2, 1, NULL, &gva, &ava));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(-ENOEXEC, st);
	EXPECT_EQ(EDNA_GRAPH_ERR_POSITION, r.reason);
}

TEST_F(edna_graph, argmax_picks_the_first_largest_and_feeds_the_next_step)
{
	struct drm_edna_job_result r = {};
	struct drm_edna_graph_args *args;
	float *x;
	__u32 *out;
	__u64 xv, ov, gva, ava;
	struct graph g;
	int st;

	xv = arena_alloc(&self->a, 2 * 50 * 4, (void **)&x);
	ov = arena_alloc(&self->a, 4, (void **)&out);
	x[50 + 7] = 3, x[50 + 30] = 3, x[50 + 2] = -9, x[0 + 40] = 100;
	graph_init(&g, 2);
	graph_op(&g, EDNA_GOP_ARGMAX, ov, xv, 0, 0)->dim[0] = 50;
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 2, 1, NULL, &gva, &ava));
	args = (void *)((char *)self->a.bo.cpu + (ava - self->a.bo.va));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(0, st);
	/* The last row decides, the first of equal maxima wins. */
	EXPECT_EQ(7, *out);
	EXPECT_EQ(7, args->tokens[2]);
	EXPECT_EQ(edna_ref_argmax(x + 50, 50), *out);
}

TEST_F(edna_graph, copy_moves_between_tiers_and_counts_bytes_per_tier)
{
	struct drm_edna_job_result r = {};
	struct edna_bo dram, sram;
	__u64 src, back;
	void *s, *b;
	struct graph g;
	__u64 seed = 6;

	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_DRAM, &dram));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_SRAM, &sram));
	src = arena_alloc(&self->a, 40000, &s);
	back = arena_alloc(&self->a, 40000, &b);
	rnd_floats(&seed, s, 10000, 1);
	/* host -> DRAM -> SRAM -> host: three moves, each 40000 bytes */
	graph_init(&g, 1);
	graph_op(&g, EDNA_GOP_COPY, dram.va, src, 0, 0)->dim[0] = 40000;
	graph_op(&g, EDNA_GOP_COPY, sram.va, dram.va, 0, 0)->dim[0] = 40000;
	graph_op(&g, EDNA_GOP_COPY, back, sram.va, 0, 0)->dim[0] = 40000;
	run_ok(_metadata, self->fd, &self->a, &g, 0, 1, 1, NULL, &r);
	EXPECT_EQ(0, memcmp(s, b, 40000));
	EXPECT_EQ(40000, r.bytes[EDNA_REGION_DRAM][0]);
	EXPECT_EQ(40000, r.bytes[EDNA_REGION_DRAM][1]);
	EXPECT_EQ(40000, r.bytes[EDNA_REGION_SRAM][0]);
	EXPECT_EQ(40000, r.bytes[EDNA_REGION_SRAM][1]);
	/* Host: the copies, plus the graph, its arguments and token reads. */
	EXPECT_EQ(40000, r.bytes[EDNA_REGION_HOST][1]);
	EXPECT_EQ(40000 + 64 + 3 * 128 + 16 + 4, r.bytes[EDNA_REGION_HOST][0]);
	edna_bo_free(self->fd, &dram), edna_bo_free(self->fd, &sram);
}

/*
 * A decoder layer as a compiler would emit it, over a prompt of three
 * tokens and then four decode steps in one job: the tokens chosen, the
 * KV caches and the logits agree with the reference interpreter run on a
 * copy of the same memory.
 */
TEST_F(edna_graph, decoder_layer_over_prompt_and_steps_matches_reference)
{
	enum { D = 64, HEADS = 4, KVH = 2, HD = 16, KVW = KVH * HD, FFN = 96, VOCAB = 50,
	       SEQ = 32, MAXT = 4, PROMPT = 3, STEPS = 4 };
	static const __u32 prompt[PROMPT] = { 7, 19, 3 };
	struct edna_ref_graph_result res = {};
	struct drm_edna_job_result r = {};
	struct drm_edna_graph_args *args, *ref_args;
	struct edna_ref_region region;
	__u64 seed = 11, gva, ava;
	struct graph g;
	void *snap;
	int st, i;
	/* Weights: dtype and shape [n x k]. */
	struct { int dtype; unsigned int n, k; __u64 va; void *cpu; } w[] = {
		{ EDNA_DTYPE_Q8_0, VOCAB, D, 0, NULL },	/* 0 embedding table */
		{ EDNA_DTYPE_F16, D, D, 0, NULL },	/* 1 wq */
		{ EDNA_DTYPE_Q8_0, KVW, D, 0, NULL },	/* 2 wk */
		{ EDNA_DTYPE_Q4_0, KVW, D, 0, NULL },	/* 3 wv */
		{ EDNA_DTYPE_F32, D, D, 0, NULL },	/* 4 wo */
		{ EDNA_DTYPE_Q8_0, FFN, D, 0, NULL },	/* 5 w1 */
		{ EDNA_DTYPE_Q8_0, FFN, D, 0, NULL },	/* 6 w3 */
		{ EDNA_DTYPE_Q4_0, D, FFN, 0, NULL },	/* 7 w2 */
		{ EDNA_DTYPE_Q8_0, VOCAB, D, 0, NULL },	/* 8 classifier */
	};
	__u64 norm[3], x, h, q, k, v, kc, vc, att, o, f1, f3, logits, tok;
	float *p;

	for (i = 0; i < (int)(sizeof(w) / sizeof(w[0])); i++) {
		float *f = malloc((size_t)w[i].n * w[i].k * 4);

		ASSERT_NE(NULL, f);
		w[i].va = arena_alloc(&self->a, edna_ref_row_bytes(w[i].dtype, w[i].k) * w[i].n,
				      &w[i].cpu);
		ASSERT_NE(0, w[i].va);
		rnd_floats(&seed, f, (size_t)w[i].n * w[i].k, i ? 1.0f / sqrtf(w[i].k) * 1.7f : 1);
		put_weights(w[i].cpu, f, w[i].dtype, w[i].n, w[i].k);
		free(f);
	}
	for (i = 0; i < 3; i++) {
		norm[i] = arena_alloc(&self->a, D * 4, (void **)&p);
		rnd_floats(&seed, p, D, 0.5f);
		for (int j = 0; j < D; j++)
			p[j] += 1;
	}
	x = arena_alloc(&self->a, MAXT * D * 4, NULL);
	h = arena_alloc(&self->a, MAXT * D * 4, NULL);
	q = arena_alloc(&self->a, MAXT * D * 4, NULL);
	k = arena_alloc(&self->a, MAXT * KVW * 4, NULL);
	v = arena_alloc(&self->a, MAXT * KVW * 4, NULL);
	kc = arena_alloc(&self->a, SEQ * KVW * 4, NULL);
	vc = arena_alloc(&self->a, SEQ * KVW * 4, NULL);
	att = arena_alloc(&self->a, MAXT * D * 4, NULL);
	o = arena_alloc(&self->a, MAXT * D * 4, NULL);
	f1 = arena_alloc(&self->a, MAXT * FFN * 4, NULL);
	f3 = arena_alloc(&self->a, MAXT * FFN * 4, NULL);
	logits = arena_alloc(&self->a, VOCAB * 4, NULL);
	tok = arena_alloc(&self->a, 4, NULL);
	ASSERT_NE(0, tok);

	graph_init(&g, MAXT);
#define OP(code, d, s0, s1, s2) (*graph_op(&g, code, d, s0, s1, s2))
	OP(EDNA_GOP_EMBED, x, w[0].va, 0, 0) = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_EMBED,
		.dtype = w[0].dtype, .dst = x, .src = { w[0].va }, .dim = { D, VOCAB } };
	OP(EDNA_GOP_RMSNORM, h, x, norm[0], 0).dim[0] = D;
	g.op[g.h.op_count - 1].param[0] = f32_bits(1e-5f);
	for (i = 1; i <= 3; i++) {
		struct drm_edna_graph_op *m = graph_op(&g, EDNA_GOP_MATMUL, i == 1 ? q : i == 2 ? k : v,
						       h, w[i].va, 0);
		m->dtype = w[i].dtype, m->dim[0] = w[i].n, m->dim[1] = w[i].k;
	}
	OP(EDNA_GOP_ROPE, q, q, 0, 0) = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_ROPE,
		.dst = q, .src = { q }, .dim = { HEADS, HD }, .param = { f32_bits(10000.0f) } };
	OP(EDNA_GOP_ROPE, k, k, 0, 0) = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_ROPE,
		.dst = k, .src = { k }, .dim = { KVH, HD }, .param = { f32_bits(10000.0f) } };
	OP(EDNA_GOP_KV_APPEND, kc, k, 0, 0).dim[0] = KVW;
	g.op[g.h.op_count - 1].dim[1] = SEQ;
	OP(EDNA_GOP_KV_APPEND, vc, v, 0, 0).dim[0] = KVW;
	g.op[g.h.op_count - 1].dim[1] = SEQ;
	OP(EDNA_GOP_ATTENTION, att, q, kc, vc) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_ATTENTION, .dst = att, .src = { q, kc, vc },
		.dim = { HEADS, KVH, HD, SEQ } };
	OP(EDNA_GOP_MATMUL, o, att, w[4].va, 0).dim[0] = D;
	g.op[g.h.op_count - 1].dim[1] = D;
	OP(EDNA_GOP_ADD, x, x, o, 0).dim[0] = D;
	OP(EDNA_GOP_RMSNORM, h, x, norm[1], 0).dim[0] = D;
	g.op[g.h.op_count - 1].param[0] = f32_bits(1e-5f);
	for (i = 5; i <= 6; i++) {
		struct drm_edna_graph_op *m = graph_op(&g, EDNA_GOP_MATMUL, i == 5 ? f1 : f3, h,
						       w[i].va, 0);
		m->dtype = w[i].dtype, m->dim[0] = FFN, m->dim[1] = D;
	}
	OP(EDNA_GOP_SILU_MUL, f1, f1, f3, 0).dim[0] = FFN;
	OP(EDNA_GOP_MATMUL, o, f1, w[7].va, 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_MATMUL, .dtype = w[7].dtype, .dst = o, .src = { f1, w[7].va },
		.dim = { D, FFN } };
	OP(EDNA_GOP_ADD, x, x, o, 0).dim[0] = D;
	/* Only the last token's row goes on to the classifier. */
	OP(EDNA_GOP_RMSNORM, h, x, norm[2], 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_RMSNORM, .flags = EDNA_GOP_LAST_ROW, .dst = h,
		.src = { x, norm[2] }, .dim = { D }, .param = { f32_bits(1e-5f) } };
	OP(EDNA_GOP_MATMUL, logits, h, w[8].va, 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_MATMUL, .flags = EDNA_GOP_SINGLE_ROW, .dtype = w[8].dtype,
		.dst = logits, .src = { h, w[8].va }, .dim = { VOCAB, D } };
	OP(EDNA_GOP_ARGMAX, tok, logits, 0, 0) = (struct drm_edna_graph_op){
		.opcode = EDNA_GOP_ARGMAX, .flags = EDNA_GOP_SINGLE_ROW, .dst = tok,
		.src = { logits }, .dim = { VOCAB } };
#undef OP

	ASSERT_EQ(0, graph_place(&self->a, &g, 0, PROMPT, STEPS, prompt, &gva, &ava));
	args = (void *)((char *)self->a.bo.cpu + (ava - self->a.bo.va));
	snap = malloc(self->a.used);
	ASSERT_NE(NULL, snap);
	memcpy(snap, self->a.bo.cpu, self->a.used);
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	ASSERT_EQ(0, st);

	region = (struct edna_ref_region){ .va = self->a.bo.va, .size = self->a.used,
					   .host = snap, .writable = 1 };
	ASSERT_EQ(0, edna_ref_run_graph(gva, ava, &region, 1, &res));
	ASSERT_EQ(EDNA_STATUS_OK, res.status);
	EXPECT_EQ(STEPS, res.steps_done);
	ref_args = (void *)((char *)snap + (ava - self->a.bo.va));
	/* Near-ties could legitimately differ; this seed has none. */
	ASSERT_LT(1e-3, res.argmax_margin);
	for (i = 0; i < STEPS; i++)
		EXPECT_EQ(ref_args->tokens[PROMPT + i], args->tokens[PROMPT + i]);
	/*
	 * Twenty ops deep, each within its own bound: normwise within 1e-4
	 * of the largest value of each cache row and of the logits.
	 */
	EXPECT_EQ(-1, mismatch((float *)((char *)self->a.bo.cpu + (kc - self->a.bo.va)),
			       (float *)((char *)snap + (kc - self->a.bo.va)),
			       PROMPT + STEPS - 1, KVW, 1e-4, NULL));
	EXPECT_EQ(-1, mismatch((float *)((char *)self->a.bo.cpu + (vc - self->a.bo.va)),
			       (float *)((char *)snap + (vc - self->a.bo.va)),
			       PROMPT + STEPS - 1, KVW, 1e-4, NULL));
	EXPECT_EQ(-1, mismatch((float *)((char *)self->a.bo.cpu + (logits - self->a.bo.va)),
			       (float *)((char *)snap + (logits - self->a.bo.va)), 1, VOCAB, 1e-4,
			       NULL));
	/* One EMBED row per token, and every weight read once per step. */
	EXPECT_LT(0, r.macs);
	free(snap);
}

/*
 * Malformed graphs.  Each fails its own job with the expected record,
 * and another client's job, queued behind it on the same queue,
 * completes.
 */
static void expect_rejected(struct __test_metadata *_metadata, int fd, struct arena *a,
			    const struct graph *g, __u32 n_tokens, __u32 steps, int status,
			    __u32 reason, __u32 op_index)
{
	struct drm_edna_job_result r = {};
	struct drm_edna_job nop = { .op = EDNA_JOB_NOP, .priority = EDNA_PRIORITY_NORMAL };
	__u32 tokens[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u64 gva, ava;
	int other = edna_open(0), st;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, graph_place(a, g, 0, n_tokens, steps, tokens, &gva, &ava));
	struct drm_edna_job j = {
		.priority = EDNA_PRIORITY_NORMAL, .op = EDNA_JOB_GRAPH, .src = gva, .dst = ava,
	};
	ASSERT_EQ(0, edna_submit(fd, &j, 1));
	ASSERT_EQ(0, edna_submit(other, &nop, 1));
	ASSERT_EQ(0, edna_wait(fd, j.seqno, edna_deadline(30 * SEC), &st, &r));
	EXPECT_EQ(status == EDNA_STATUS_BAD_GRAPH ? -ENOEXEC : -EFAULT, st);
	EXPECT_EQ(status, r.status);
	EXPECT_EQ(reason, r.reason);
	EXPECT_EQ(op_index, r.op_index);
	ASSERT_EQ(0, edna_wait(other, nop.seqno, edna_deadline(30 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
	close(other);
}

/* A valid two-op graph: ADD then SOFTMAX over rows of 40. */
static void small_graph(struct arena *a, struct graph *g)
{
	__u64 x = arena_alloc(a, 4 * 40 * 4, NULL), y = arena_alloc(a, 4 * 40 * 4, NULL);

	graph_init(g, 4);
	graph_op(g, EDNA_GOP_ADD, y, x, x, 0)->dim[0] = 40;
	graph_op(g, EDNA_GOP_SOFTMAX, y, y, 0, 0)->dim[0] = 40;
}

TEST_F(edna_graph, valid_small_graph_runs)
{
	struct drm_edna_job_result r = {};
	struct graph g;
	__u64 gva, ava;
	int st;

	small_graph(&self->a, &g);
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 4, 1, NULL, &gva, &ava));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(0, st);
	EXPECT_EQ(EDNA_STATUS_OK, r.status);
	EXPECT_EQ(0, r.op_index);
	/* 4 rows of 40 floats, softmaxed: each row sums to one. */
	EXPECT_LT(0, r.macs);
}

TEST_F(edna_graph, bad_opcode_fails_its_job_only)
{
	struct graph g;

	small_graph(&self->a, &g);
	g.op[1].opcode = 99;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_OPCODE, 1);
	g.op[1].opcode = 0;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_OPCODE, 1);
}

TEST_F(edna_graph, overflowing_dims_fail_its_job_only)
{
	struct graph g;

	/* heads * hd past any buffer, and past 32 bits when multiplied. */
	small_graph(&self->a, &g);
	g.op[1] = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_ROPE, .dst = g.op[0].dst,
		.src = { g.op[0].dst }, .dim = { 0x10000, 0x10000 } };
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_DIMS, 1);
	/* A dim past the limit, a zero dim, and a quantised row not of whole blocks. */
	small_graph(&self->a, &g);
	g.op[0].dim[0] = 0xffffffff;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_DIMS, 0);
	g.op[0].dim[0] = 0;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_DIMS, 0);
	small_graph(&self->a, &g);
	g.op[1] = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_MATMUL, .dtype = EDNA_DTYPE_Q8_0,
		.dst = g.op[0].dst, .src = { g.op[0].dst, g.op[0].dst }, .dim = { 4, 33 } };
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_DIMS, 1);
}

TEST_F(edna_graph, va_outside_the_context_faults_its_job_only)
{
	struct drm_edna_job_result r = {};
	struct graph g;
	__u64 gva, ava;
	int st;

	/* An operand in nobody's memory: far above every buffer this file has. */
	small_graph(&self->a, &g);
	g.op[1].src[0] = 1ULL << 38;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_MMU_FAULT,
			EDNA_FAULT_REASON_UNMAPPED, 1);
	/* The faulting address is reported. */
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 1, 1, NULL, &gva, &ava));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(1ULL << 38, r.fault_va);
	/* And past the VA space altogether. */
	g.op[1].src[0] = 1ULL << 62;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_MMU_FAULT,
			EDNA_FAULT_REASON_UNMAPPED, 1);
}

TEST_F(edna_graph, truncated_graph_buffer_faults_at_its_end)
{
	struct drm_edna_job_result r = {};
	struct edna_bo small;
	struct graph g;
	__u64 gva, ava;
	int i, st;

	/*
	 * A graph whose header promises more ops than its buffer holds: the
	 * read of the first missing record faults, nothing runs.
	 */
	small_graph(&self->a, &g);
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 1, 1, NULL, &gva, &ava));
	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &small));
	g.h.op_count = 40;	/* 64 + 40 * 128 bytes > one page */
	for (i = 2; i < 40; i++)
		g.op[i] = g.op[1];
	/* The page holds the header and 31.5 records. */
	memcpy(small.cpu, &g, PAGE);
	ASSERT_EQ(0, run_graph(self->fd, 0, small.va, ava, &st, &r));
	EXPECT_EQ(-EFAULT, st);
	EXPECT_EQ(EDNA_STATUS_MMU_FAULT, r.status);
	/* Records are 128 bytes after a 64-byte header: record 31 crosses the page. */
	EXPECT_EQ(31, r.op_index);
	EXPECT_EQ(small.va + PAGE, r.fault_va);
	edna_bo_free(self->fd, &small);
}

TEST_F(edna_graph, unbounded_sizes_are_rejected)
{
	struct graph g;

	small_graph(&self->a, &g);
	g.h.op_count = 0xffffffff;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP);
	small_graph(&self->a, &g);
	g.h.op_size = 1 << 30;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP);
	/* More tokens than the graph's buffers hold, and steps without an ARGMAX. */
	small_graph(&self->a, &g);
	expect_rejected(_metadata, self->fd, &self->a, &g, 5, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP);
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 2, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP);
	/* A COPY of more than the limit. */
	g.op[1] = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_COPY, .dst = 1ULL << 36,
		.src = { 1ULL << 37 }, .dim = { 0xffffffff } };
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_DIMS, 1);
}

TEST_F(edna_graph, version_and_magic_mismatch_are_rejected)
{
	struct graph g;

	small_graph(&self->a, &g);
	g.h.version_major = EDNA_GRAPH_VERSION_MAJOR + 1;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_VERSION, EDNA_GRAPH_NO_OP);
	g.h.version_major = EDNA_GRAPH_VERSION_MAJOR;
	g.h.magic ^= 1;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_MAGIC, EDNA_GRAPH_NO_OP);
}

TEST_F(edna_graph, newer_minor_runs_unless_it_uses_something_newer)
{
	struct drm_edna_job_result r = {};
	struct graph g;
	__u64 gva, ava;
	int st;

	/* A later minor that uses nothing new runs. */
	small_graph(&self->a, &g);
	g.h.version_minor = EDNA_GRAPH_VERSION_MINOR + 7;
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 1, 1, NULL, &gva, &ava));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(0, st);
	/* One that sets a flag this device does not know fails at that op. */
	g.op[1].flags = 0x80;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_FIELD, 1);
	g.op[1].flags = 0;
	g.op[0].reserved[3] = 1;
	expect_rejected(_metadata, self->fd, &self->a, &g, 1, 1, EDNA_STATUS_BAD_GRAPH,
			EDNA_GRAPH_ERR_FIELD, 0);
}

/*
 * A graph of many large matmuls, slowed down: the kernel and other
 * queues keep working while it runs, and a queue reset stops it half way.
 */
TEST_F(edna_graph, long_graph_stays_responsive_and_reset_stops_it)
{
	struct drm_edna_job nop = { .queue = 1, .op = EDNA_JOB_NOP,
				    .priority = EDNA_PRIORITY_NORMAL };
	enum { LONG_OPS = 2000 };	/* 40 s of 20 ms chunks: far longer than the test */
	struct drm_edna_job_result r = {};
	struct drm_edna_graph_header *h;
	struct drm_edna_graph_args *args;
	struct drm_edna_graph_op *ops;
	__u64 w, x, y, gva, ava;
	struct graph g;
	long long t0;
	int i, st = -1;

	w = arena_alloc(&self->a, 256 * 1024 * 4, NULL);
	x = arena_alloc(&self->a, 1024 * 4, NULL);
	y = arena_alloc(&self->a, 256 * 4, NULL);
	gva = arena_alloc(&self->a, sizeof(*h) + LONG_OPS * sizeof(*ops), (void **)&h);
	ava = arena_alloc(&self->a, sizeof(*args) + 8, (void **)&args);
	ASSERT_NE(0, ava);
	graph_init(&g, 1);
	*h = g.h;
	h->op_count = LONG_OPS;
	ops = (struct drm_edna_graph_op *)(h + 1);
	for (i = 0; i < LONG_OPS; i++)
		ops[i] = (struct drm_edna_graph_op){ .opcode = EDNA_GOP_MATMUL, .dst = y,
						     .src = { x, w }, .dim = { 256, 1024 } };
	args->n_tokens = 1, args->steps = 1;
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "20000"));
	struct drm_edna_job j = { .queue = 0, .priority = EDNA_PRIORITY_NORMAL,
				  .op = EDNA_JOB_GRAPH, .src = gva, .dst = ava };
	ASSERT_EQ(0, edna_submit(self->fd, &j, 1));
	/*
	 * Another queue's job completes while the graph runs.  No ASSERT
	 * until the reset below: a graph left running would stall every
	 * test after this one.
	 */
	t0 = edna_now_ns();
	EXPECT_EQ(0, edna_submit(self->fd, &nop, 1));
	EXPECT_EQ(0, edna_wait(self->fd, nop.seqno, edna_deadline(20 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
	EXPECT_EQ(-ETIME, edna_wait(self->fd, j.seqno, edna_deadline(0), &st, NULL));
	/* The operator resets the device: the graph ends without finishing. */
	EXPECT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	edna_write_file(SIM "chunk_delay_us", "0");
	ASSERT_EQ(0, edna_wait(self->fd, j.seqno, edna_deadline(30 * SEC), &st, &r));
	EXPECT_EQ(-ECANCELED, st);
	/* Unreset, its 2000 chunks of 20 ms would take 40 s. */
	EXPECT_GT(30 * SEC, edna_now_ns() - t0);
	/* And the device runs graphs again. */
	small_graph(&self->a, &g);
	ASSERT_EQ(0, graph_place(&self->a, &g, 0, 1, 1, NULL, &gva, &ava));
	ASSERT_EQ(0, run_graph(self->fd, 0, gva, ava, &st, &r));
	EXPECT_EQ(0, st);
}

TEST_HARNESS_MAIN
