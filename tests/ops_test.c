// SPDX-License-Identifier: GPL-2.0
/*
 * The device's op kernels (driver/sim/edna_ops.c, built for the host)
 * against the independent CPU reference (tools/ref/edna_ref.c), on fixed-
 * seed random data, shapes with odd sizes and every weight dtype; each
 * kernel both on its portable path (cpu 0) and on its AVX2 path when this
 * CPU has AVX2, FMA and F16C.  Before that, the reference itself on cases
 * worked out by hand, so that it is checked rather than trusted, and its
 * graph interpreter on graphs small enough to follow by hand.
 *
 * Tolerances (see edna_ref.h for the derivation): a dot-product-like
 * output y = sum_j w_j x_j is within 1e-5 * sum_j |w_j x_j| (plus a tiny
 * absolute epsilon), for every dtype since dequantising is exact;
 * dequantising, add, mul and argmax are exact; the others are bounded op
 * by op below, each saying why.
 *
 * Copyright 2026 The edna authors
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "edna_ops.h"
#include "edna_ref.h"

/* ---- fixed-seed random data ------------------------------------------- */

/* splitmix64: tiny, and the same numbers on every host */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [lo, hi) */
static float rng_float(uint64_t *state, float lo, float hi)
{
	return lo + (hi - lo) * (float)(rng_next(state) >> 40) / (float)(1 << 24);
}

static unsigned int rng_below(uint64_t *state, unsigned int n)
{
	return (unsigned int)(rng_next(state) % n);
}

static float *random_floats(uint64_t *state, size_t n, float lo, float hi)
{
	float *x = malloc((n ? n : 1) * sizeof(*x));
	size_t i;

	for (i = 0; x && i < n; i++)
		x[i] = rng_float(state, lo, hi);
	return x;
}

/*
 * Weights of @dtype, [rows x k], from random values in [-1, 1), at
 * @offset bytes into the returned allocation (*base, to free): 2 checks
 * that a kernel needs no more than the 2-byte alignment the uapi gives a
 * quantised row.
 */
static void *random_weights(uint64_t *state, int dtype, unsigned int rows, unsigned int k,
			    size_t offset, void **base)
{
	uint64_t row_bytes = edna_ref_row_bytes(dtype, k);
	float *values = random_floats(state, (size_t)rows * k, -1, 1);
	uint8_t *buf = malloc(offset + rows * row_bytes + 1);
	uint8_t *w = buf + offset;
	unsigned int r;

	*base = buf;
	if (!values || !buf) {
		free(values);
		return NULL;
	}
	for (r = 0; r < rows; r++) {
		const float *src = values + (size_t)r * k;
		uint8_t *row = w + r * row_bytes;

		switch (dtype) {
		case EDNA_DTYPE_F32:
			memcpy(row, src, (size_t)k * 4);
			break;
		case EDNA_DTYPE_F16:
			edna_ref_quantize_f16(row, src, k);
			break;
		case EDNA_DTYPE_Q8_0:
			edna_ref_quantize_q8_0(row, src, k);
			break;
		case EDNA_DTYPE_Q4_0:
			edna_ref_quantize_q4_0(row, src, k);
			break;
		}
	}
	free(values);
	return w;
}

static const char *const dtype_names[] = { "f32", "f16", "q8_0", "q4_0" };

static bool cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	       __builtin_cpu_supports("f16c");
}

FIXTURE(edna_graph) {
	uint64_t seed;
};

FIXTURE_SETUP(edna_graph)
{
	/* fixed: a failure reproduces on every run */
	self->seed = 0x65646e61;	/* "edna" */
}

FIXTURE_TEARDOWN(edna_graph)
{
}

/*
 * A kernel test body runs once per code path: OPS_TEST(name) defines
 * edna_graph.name_portable (cpu 0) and edna_graph.name_avx2, the latter
 * skipped on a CPU without AVX2, FMA and F16C.
 */
#define OPS_TEST(name)								\
	static void name##_body(struct __test_metadata *_metadata,		\
				uint64_t *seed, u32 cpu);			\
	TEST_F(edna_graph, name##_portable)					\
	{									\
		name##_body(_metadata, &self->seed, 0);				\
	}									\
	TEST_F(edna_graph, name##_avx2)						\
	{									\
		if (!cpu_has_avx2())						\
			SKIP(return, "no AVX2+FMA+F16C on this CPU");		\
		name##_body(_metadata, &self->seed, EDNA_OPS_CPU_AVX2);		\
	}									\
	static void name##_body(struct __test_metadata *_metadata,		\
				uint64_t *seed, u32 cpu)

static u32 bits(float f)
{
	return edna_ref_f32_bits(f);
}

/* ---- the reference on cases worked out by hand --------------------------- */

/* f16 by its definition: (-1)^s * 2^(e-15) * 1.f, or 2^-14 * 0.f */
static double f16_by_definition(uint16_t h)
{
	int s = h >> 15, e = (h >> 10) & 0x1f, f = h & 0x3ff;
	double v = e ? ldexp(1024 + f, e - 25) : ldexp(f, -24);

	return s ? -v : v;
}

TEST_F(edna_graph, ref_f16_to_f32_is_exact_for_every_f16)
{
	unsigned int h, bad = 0;

	for (h = 0; h < 0x10000; h++) {
		float f = edna_ref_f16_to_f32((uint16_t)h);
		uint32_t b = edna_ref_f32_bits(f);

		if (((h >> 10) & 0x1f) == 0x1f) {
			/* inf, or NaN keeping sign and payload */
			if (b != ((h & 0x8000u) << 16 | 0x7f800000u | (h & 0x3ffu) << 13))
				bad++;
		} else if ((double)f != f16_by_definition((uint16_t)h) ||
			   !!signbit(f) != !!(h & 0x8000)) {
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	/* by hand */
	EXPECT_EQ(1.0f, edna_ref_f16_to_f32(0x3c00));
	EXPECT_EQ(-2.0f, edna_ref_f16_to_f32(0xc000));
	EXPECT_EQ(65504.0f, edna_ref_f16_to_f32(0x7bff));
	EXPECT_EQ(0x1p-24f, edna_ref_f16_to_f32(0x0001));	/* smallest subnormal */
	EXPECT_EQ(1023 * 0x1p-24f, edna_ref_f16_to_f32(0x03ff));	/* largest one */
	EXPECT_EQ(0x1p-14f, edna_ref_f16_to_f32(0x0400));	/* smallest normal */
	EXPECT_EQ(0x80000000u, edna_ref_f32_bits(edna_ref_f16_to_f32(0x8000)));
	EXPECT_TRUE(isinf(edna_ref_f16_to_f32(0xfc00)) && edna_ref_f16_to_f32(0xfc00) < 0);
	EXPECT_TRUE(isnan(edna_ref_f16_to_f32(0x7e00)));
}

TEST_F(edna_graph, ref_f32_to_f16_rounds_to_nearest_even)
{
	unsigned int h, i, bad = 0;
	uint64_t *seed = &self->seed;

	/* every f16 that is not a NaN comes back unchanged */
	for (h = 0; h < 0x10000; h++) {
		if (((h >> 10) & 0x1f) == 0x1f && (h & 0x3ff))
			continue;
		if (edna_ref_f32_to_f16(edna_ref_f16_to_f32((uint16_t)h)) != h)
			bad++;
	}
	EXPECT_EQ(0, bad);

	/* by hand: ties go to the even neighbour */
	EXPECT_EQ(0x3c00, edna_ref_f32_to_f16(1.0f + 0x1p-11f));	/* 1 | 1+2^-10 */
	EXPECT_EQ(0x3c02, edna_ref_f32_to_f16(1.0f + 3 * 0x1p-11f));
	EXPECT_EQ(0x3c01, edna_ref_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f));
	EXPECT_EQ(0x7bff, edna_ref_f32_to_f16(65519.0f));
	EXPECT_EQ(0x7c00, edna_ref_f32_to_f16(65520.0f));	/* the midpoint to 2^16 */
	EXPECT_EQ(0xfc00, edna_ref_f32_to_f16(-1e10f));
	EXPECT_EQ(0x0000, edna_ref_f32_to_f16(0x1p-25f));	/* tie with 0: 0 */
	EXPECT_EQ(0x0001, edna_ref_f32_to_f16(0x1p-25f + 0x1p-35f));
	EXPECT_EQ(0x0002, edna_ref_f32_to_f16(3 * 0x1p-25f));	/* 1.5 units: to 2 */
	EXPECT_EQ(0x0400, edna_ref_f32_to_f16(0x1p-14f - 0x1p-26f));	/* rounds up to normal */
	EXPECT_EQ(0x8000, edna_ref_f32_to_f16(-0x1p-30f));
	EXPECT_EQ(0x3555, edna_ref_f32_to_f16(1.0f / 3));
	EXPECT_EQ(0x7c00, edna_ref_f32_to_f16(INFINITY) & 0x7fff);
	EXPECT_EQ(0x7c00, edna_ref_f32_to_f16(NAN) & 0x7c00);
	EXPECT_NE(0, edna_ref_f32_to_f16(NAN) & 0x3ff);

	/* random f32 in f16 range: no other f16 is nearer, and ties are even */
	bad = 0;
	for (i = 0; i < 200000; i++) {
		float x = ldexpf(rng_float(seed, -1, 1), (int)rng_below(seed, 42) - 26);
		uint16_t r = edna_ref_f32_to_f16(x);
		double got = fabs(edna_ref_f16_to_f32(r) - (double)x);
		double up = fabs(edna_ref_f16_to_f32((uint16_t)(r + 1)) - (double)x);
		double down = (r & 0x7fff) ? fabs(edna_ref_f16_to_f32((uint16_t)(r - 1)) - (double)x)
					  : INFINITY;

		if (got > up || got > down || ((got == up || got == down) && (r & 1)))
			bad++;
	}
	EXPECT_EQ(0, bad);
}

TEST_F(edna_graph, ref_quantised_layouts_by_hand)
{
	/* q8_0: scale 0.5 (f16 0x3800), then q[i] = i - 16 */
	uint8_t q8[EDNA_REF_Q8_0_BYTES] = { 0x00, 0x38 };
	/* q4_0: scale -2 (f16 0xc000); byte i: low nibble element i, high i+16 */
	uint8_t q4[EDNA_REF_Q4_0_BYTES] = { 0x00, 0xc0, 0x9a, [17] = 0x0f };
	uint8_t f16[4] = { 0x00, 0x3c, 0x01, 0x80 };	/* 1.0, -2^-24 */
	float out[32], values[32];
	unsigned int i;

	EXPECT_EQ(34, edna_ref_row_bytes(EDNA_DTYPE_Q8_0, 32));
	EXPECT_EQ(18 * 3, edna_ref_row_bytes(EDNA_DTYPE_Q4_0, 96));
	EXPECT_EQ(0, edna_ref_row_bytes(EDNA_DTYPE_Q4_0, 33));
	EXPECT_EQ(6, edna_ref_row_bytes(EDNA_DTYPE_F16, 3));
	EXPECT_EQ(12, edna_ref_row_bytes(EDNA_DTYPE_F32, 3));
	EXPECT_EQ(0, edna_ref_row_bytes(4, 32));

	for (i = 0; i < 32; i++)
		q8[2 + i] = (uint8_t)(int8_t)((int)i - 16);
	edna_ref_dequant_row(out, q8, EDNA_DTYPE_Q8_0, 32);
	for (i = 0; i < 32; i++)
		EXPECT_EQ(0.5f * ((int)i - 16), out[i]);

	edna_ref_dequant_row(out, q4, EDNA_DTYPE_Q4_0, 32);
	EXPECT_EQ(-4.0f, out[0]);	/* low nibble 0xa: -2 * (10 - 8) */
	EXPECT_EQ(-2.0f, out[16]);	/* high nibble 0x9: -2 * (9 - 8) */
	EXPECT_EQ(-14.0f, out[15]);	/* byte 15 = 0x0f: -2 * 7 */
	EXPECT_EQ(16.0f, out[31]);	/* and 0x0: -2 * -8 */
	EXPECT_EQ(16.0f, out[1]);	/* byte 1 = 0: both nibbles -8 */
	EXPECT_EQ(16.0f, out[17]);

	edna_ref_dequant_row(out, f16, EDNA_DTYPE_F16, 2);
	EXPECT_EQ(1.0f, out[0]);
	EXPECT_EQ(-0x1p-24f, out[1]);

	/* values that are exactly d * q come back exactly through quantising */
	for (i = 0; i < 32; i++)
		values[i] = 0.25f * ((int)(i * 7 % 255) - 127);	/* d = 0.25, q in [-127, 127] */
	values[5] = 0.25f * 127;
	edna_ref_quantize_q8_0(q8, values, 32);
	EXPECT_EQ(0x3400, q8[0] | q8[1] << 8);
	edna_ref_dequant_row(out, q8, EDNA_DTYPE_Q8_0, 32);
	EXPECT_EQ(0, memcmp(out, values, sizeof(out)));
	for (i = 0; i < 32; i++)
		values[i] = 0.5f * ((int)(i % 16) - 8);	/* m = -4 = -8 d: d = 0.5 */
	edna_ref_quantize_q4_0(q4, values, 32);
	EXPECT_EQ(0x3800, q4[0] | q4[1] << 8);
	EXPECT_EQ(0x00, q4[2]);		/* elements 0 and 16 are both -8 d */
	edna_ref_dequant_row(out, q4, EDNA_DTYPE_Q4_0, 32);
	EXPECT_EQ(0, memcmp(out, values, sizeof(out)));
}

TEST_F(edna_graph, ref_matmul_2x2_by_hand)
{
	const float x[4] = { 1, 2, 3, 4 };		/* [2 x 2] */
	const float w[4] = { 5, 6, 7, 8 };		/* W [2 x 2] */
	float out[4], x32[32] = { 0 }, two[2];
	double tol[4];
	uint8_t w16[8], wq8[2 * EDNA_REF_Q8_0_BYTES];
	float w32[64] = { 0 };

	edna_ref_matmul(out, x, w, EDNA_DTYPE_F32, 2, 2, 2);
	/* x W^T: [1*5 + 2*6, 1*7 + 2*8; 3*5 + 4*6, 3*7 + 4*8] */
	EXPECT_EQ(17, out[0]);
	EXPECT_EQ(23, out[1]);
	EXPECT_EQ(39, out[2]);
	EXPECT_EQ(53, out[3]);

	edna_ref_quantize_f16(w16, w, 4);
	edna_ref_matmul(out, x, w16, EDNA_DTYPE_F16, 2, 2, 2);
	EXPECT_EQ(53, out[3]);

	/*
	 * q8_0, k = 32: W row 0 = 63.5 at element 0, row 1 = 127 at element
	 * 31, so that d = max / 127 is 0.5 and 1, exact in f16
	 */
	w32[0] = 63.5f;
	w32[32 + 31] = 127;
	edna_ref_quantize_q8_0(wq8, w32, 64);
	x32[0] = 3;
	x32[31] = 5;
	edna_ref_matmul(two, x32, wq8, EDNA_DTYPE_Q8_0, 1, 2, 32);
	EXPECT_EQ(190.5f, two[0]);
	EXPECT_EQ(635.0f, two[1]);

	edna_ref_matmul_tolerance(tol, x, w, EDNA_DTYPE_F32, 2, 2, 2);
	EXPECT_EQ(1e-5 * 53 + EDNA_REF_ABS_EPS, tol[3]);
}

TEST_F(edna_graph, ref_softmax_silu_argmax_by_hand)
{
	const float x[2] = { 0, logf(3) };
	const float a[3] = { 0, 1, -1 }, b[3] = { 5, 1, 2 };
	const float ties[6] = { 1, 3, 3, 2, -INFINITY, 3 };
	float out[3];

	edna_ref_softmax(out, x, 1, 2);
	EXPECT_TRUE(fabsf(out[0] - 0.25f) <= 1e-7f);
	EXPECT_TRUE(fabsf(out[1] - 0.75f) <= 1e-7f);
	edna_ref_softmax(out, x, 1, 1);
	EXPECT_EQ(1.0f, out[0]);

	edna_ref_silu_mul(out, a, b, 3);
	EXPECT_EQ(0.0f, out[0]);
	EXPECT_TRUE(fabs(out[1] - 1 / (1 + exp(-1.0))) <= 1e-7);
	EXPECT_TRUE(fabs(out[2] - 2 * -1 / (1 + exp(1.0))) <= 1e-7);

	edna_ref_add(out, a, b, 3);
	EXPECT_EQ(5.0f, out[0]);
	EXPECT_EQ(2.0f, out[1]);
	edna_ref_mul(out, a, b, 3);
	EXPECT_EQ(-2.0f, out[2]);

	EXPECT_EQ(1, edna_ref_argmax(ties, 6));		/* first of the three 3s */
	EXPECT_EQ(0, edna_ref_argmax(ties, 1));
	EXPECT_EQ(0, edna_ref_argmax(ties + 2, 4));		/* 3 at 0 and at 3 */
	EXPECT_EQ(2, edna_ref_argmax(ties + 3, 3));		/* 2, -inf, 3 */
}

TEST_F(edna_graph, ref_rmsnorm_and_rope_by_hand)
{
	const float x[2] = { 3, 4 }, w[2] = { 1, 2 };
	/* head of 4: pair 0 turns by pos * 1, pair 1 by pos * theta^(-1/2) */
	const float theta = (float)(4 / (M_PI * M_PI));		/* theta^(-1/2) = pi/2 */
	const float v[4] = { 1, 0, 1, 0 };
	float out[4];

	/* mean(x^2) = 12.5: [3, 8] / sqrt(12.5) */
	edna_ref_rmsnorm(out, x, w, 1, 2, 0);
	EXPECT_TRUE(fabs(out[0] - 0.848528137) <= 1e-7);
	EXPECT_TRUE(fabs(out[1] - 2.262741700) <= 1e-6);
	edna_ref_rmsnorm(out, x, w, 1, 2, 3.5f);		/* sqrt(16) = 4 */
	EXPECT_EQ(0.75f, out[0]);
	EXPECT_EQ(2.0f, out[1]);

	edna_ref_rope(out, v, 1, 1, 4, 1, theta);
	EXPECT_TRUE(fabs(out[0] - cos(1.0)) <= 1e-7);
	EXPECT_TRUE(fabs(out[1] - sin(1.0)) <= 1e-7);
	EXPECT_TRUE(fabsf(out[2]) <= 1e-7f);			/* (1, 0) by pi/2 */
	EXPECT_TRUE(fabsf(out[3] - 1) <= 1e-7f);		/* is (0, 1) */
	edna_ref_rope(out, v, 1, 1, 4, 2, theta);		/* by pi: (-1, 0) */
	EXPECT_TRUE(fabsf(out[2] + 1) <= 1e-7f && fabsf(out[3]) <= 1e-6f);
	edna_ref_rope(out, v, 1, 1, 4, 0, theta);		/* position 0: unchanged */
	EXPECT_EQ(0, memcmp(out, v, sizeof(v)));
}

TEST_F(edna_graph, ref_attention_by_hand)
{
	/* one cache head of hd 1 for two query heads: K = [0, ln 3], V = [4, 8] */
	const float k[2] = { 0, logf(3) }, v[2] = { 4, 8 };
	const float q[4] = { 1, 2, 1, 2 };	/* rows 0 and 1, heads 0 and 1 */
	float out[4];

	EXPECT_EQ(0, edna_ref_attention(out, q, k, v, 2, 2, 1, 1, 0, 1.0f));
	/* row 0 sees position 0 only */
	EXPECT_EQ(4.0f, out[0]);
	EXPECT_EQ(4.0f, out[1]);
	/* row 1, head 0: weights [1, 3] / 4 -> 7; head 1: [1, 9] / 10 -> 7.6 */
	EXPECT_TRUE(fabsf(out[2] - 7.0f) <= 1e-6f);
	EXPECT_TRUE(fabsf(out[3] - 7.6f) <= 1e-6f);
	/* scale 0 is 1/sqrt(1): the same */
	EXPECT_EQ(0, edna_ref_attention(out, q, k, v, 2, 2, 1, 1, 0, 0.0f));
	EXPECT_TRUE(fabsf(out[3] - 7.6f) <= 1e-6f);
	/* a single row at position 1 is row 1 above */
	EXPECT_EQ(0, edna_ref_attention(out, q + 2, k, v, 1, 2, 1, 1, 1, 1.0f));
	EXPECT_TRUE(fabsf(out[0] - 7.0f) <= 1e-6f);
}

/* ---- the reference's graph interpreter, on graphs followed by hand ------- */

/*
 * The job's address space: an arena for operands, the graph (read-only),
 * the argument block, and a read-only buffer, at VAs far apart.
 */
#define ARENA_VA	0x10000000ull
#define ARENA_SIZE	(256u << 10)
#define GRAPH_VA	0x20000000ull
#define ARGS_VA		0x30000000ull
#define RO_VA		0x40000000ull
#define UNMAPPED_VA	0x50000000ull
#define MAX_TEST_OPS	16

/* The uapi's layout, which on a little-endian host is the byte format. */
struct test_graph {
	struct drm_edna_graph_header h;
	struct drm_edna_graph_op op[MAX_TEST_OPS];
};

struct test_args {
	struct drm_edna_graph_args a;
	uint32_t tokens[EDNA_GRAPH_MAX_TOKENS + EDNA_GRAPH_MAX_STEPS];
};

struct job {
	uint8_t arena[ARENA_SIZE];
	uint64_t used;
	/* the graph as bytes: header_size and op_size as the test chooses */
	uint8_t graph[4096];
	struct test_args args;
	uint8_t read_only[64];
	struct edna_ref_region regions[4];
};

static uint64_t job_alloc(struct job *j, uint64_t bytes)
{
	uint64_t off = (j->used + 63) & ~63ull;

	j->used = off + bytes;
	if (j->used > ARENA_SIZE)
		abort();	/* a test too big for its arena is a bug in the test */
	return ARENA_VA + off;
}

static void *host(struct job *j, uint64_t va)
{
	return j->arena + (va - ARENA_VA);
}

static uint64_t job_put(struct job *j, const void *data, uint64_t bytes)
{
	uint64_t va = job_alloc(j, bytes);

	memcpy(host(j, va), data, bytes);
	return va;
}

/* Lay out @g at @header_size and @op_size (tails zero) and map it all. */
static void job_map(struct job *j, const struct test_graph *g, uint32_t header_size,
		    uint32_t op_size, size_t args_size)
{
	struct drm_edna_graph_header h = g->h;
	unsigned int i;

	memset(j->graph, 0, sizeof(j->graph));
	h.header_size = header_size;
	h.op_size = op_size;
	memcpy(j->graph, &h, sizeof(h));
	for (i = 0; i < g->h.op_count && i < MAX_TEST_OPS; i++)
		memcpy(j->graph + header_size + i * op_size, &g->op[i], sizeof(g->op[i]));
	j->regions[0] = (struct edna_ref_region){ ARENA_VA, ARENA_SIZE, j->arena, 1 };
	j->regions[1] = (struct edna_ref_region){ GRAPH_VA, sizeof(j->graph), j->graph, 0 };
	j->regions[2] = (struct edna_ref_region){ ARGS_VA, args_size, &j->args, 1 };
	j->regions[3] = (struct edna_ref_region){ RO_VA, sizeof(j->read_only), j->read_only, 0 };
}

static int job_run(struct job *j, struct edna_ref_graph_result *r)
{
	return edna_ref_run_graph(GRAPH_VA, ARGS_VA, j->regions, 4, r);
}

static void graph_init(struct test_graph *g, uint32_t max_tokens)
{
	memset(g, 0, sizeof(*g));
	g->h.magic = EDNA_GRAPH_MAGIC;
	g->h.version_major = EDNA_GRAPH_VERSION_MAJOR;
	g->h.version_minor = EDNA_GRAPH_VERSION_MINOR;
	g->h.header_size = sizeof(g->h);
	g->h.op_size = sizeof(g->op[0]);
	g->h.max_tokens = max_tokens;
}

static struct drm_edna_graph_op *graph_add(struct test_graph *g, uint16_t opcode,
					   uint8_t flags, uint64_t dst, uint64_t src0,
					   uint64_t src1, uint64_t src2)
{
	struct drm_edna_graph_op *op = &g->op[g->h.op_count++];

	op->opcode = opcode;
	op->flags = flags;
	op->dst = dst;
	op->src[0] = src0;
	op->src[1] = src1;
	op->src[2] = src2;
	return op;
}

static void set_args(struct job *j, uint32_t pos, uint32_t n_tokens, uint32_t steps,
		     const uint32_t *tokens)
{
	memset(&j->args, 0xee, sizeof(j->args));	/* tokens the device must write */
	j->args.a.pos = pos;
	j->args.a.n_tokens = n_tokens;
	j->args.a.steps = steps;
	j->args.a.flags = 0;
	memcpy(j->args.tokens, tokens, n_tokens * sizeof(*tokens));
}

/*
 * Three tokens, one-hot embeddings, and a classifier that maps token t to
 * t + 1 (mod 3): from the prompt [0, 2] the job must decode 0, 1, 2, 0.
 */
TEST_F(edna_graph, ref_graph_decodes_a_cycle_by_hand)
{
	static struct job j;
	const float table[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
	const float next[9] = { 0, 0, 1, 1, 0, 0, 0, 1, 0 };	/* W[i][j] = (i == j+1 mod 3) */
	const float to_three[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2 };
	const uint32_t prompt[2] = { 0, 2 }, want[6] = { 0, 2, 0, 1, 2, 0 };
	struct test_graph g;
	struct edna_ref_graph_result r;
	struct drm_edna_graph_op *op;
	uint64_t t_va, w_va, w3_va, h_va, l_va, out_va;
	uint8_t graph_bytes[64 + 3 * 128];
	struct test_args args_copy;

	memset(&j, 0, sizeof(j));
	t_va = job_put(&j, table, sizeof(table));
	w_va = job_put(&j, next, sizeof(next));
	w3_va = job_put(&j, to_three, sizeof(to_three));
	h_va = job_alloc(&j, 2 * 3 * 4);
	l_va = job_alloc(&j, 4 * 4);
	out_va = job_alloc(&j, 4);

	graph_init(&g, 2);
	op = graph_add(&g, EDNA_GOP_EMBED, 0, h_va, t_va, 0, 0);
	op->dim[0] = 3;
	op->dim[1] = 3;
	op = graph_add(&g, EDNA_GOP_MATMUL, EDNA_GOP_LAST_ROW, l_va, h_va, w_va, 0);
	op->dim[0] = 3;
	op->dim[1] = 3;
	/* logits are one row: SINGLE_ROW reads it rather than the step's last */
	op = graph_add(&g, EDNA_GOP_ARGMAX, EDNA_GOP_SINGLE_ROW, out_va, l_va, 0, 0);
	op->dim[0] = 3;
	job_map(&j, &g, 64, 128, sizeof(j.args));
	set_args(&j, 0, 2, 4, prompt);

	ASSERT_EQ(0, job_run(&j, &r));
	EXPECT_EQ(EDNA_STATUS_OK, r.status);
	EXPECT_EQ(4, r.steps_done);
	EXPECT_EQ(0, memcmp(j.args.tokens, want, sizeof(want)));
	EXPECT_EQ(0, *(uint32_t *)host(&j, out_va));
	EXPECT_EQ(1.0, r.argmax_margin);

	/* the same from host bytes */
	memcpy(graph_bytes, j.graph, sizeof(graph_bytes));
	set_args(&j, 0, 2, 4, prompt);
	args_copy = j.args;
	ASSERT_EQ(0, edna_ref_run_graph_bytes(graph_bytes, sizeof(graph_bytes), &args_copy,
					      sizeof(struct drm_edna_graph_args) + 6 * 4,
					      j.regions, 1, &r));
	EXPECT_EQ(0, memcmp(args_copy.tokens, want, sizeof(want)));
	/* one byte short of the last token: the last step's ARGMAX faults there */
	args_copy = j.args;
	EXPECT_EQ(-EFAULT, edna_ref_run_graph_bytes(graph_bytes, sizeof(graph_bytes),
						    &args_copy,
						    sizeof(struct drm_edna_graph_args) + 6 * 4 - 1,
						    j.regions, 1, &r));
	EXPECT_EQ(EDNA_STATUS_MMU_FAULT, r.status);
	EXPECT_EQ(2, r.op_index);
	EXPECT_EQ(3, r.steps_done);
	EXPECT_EQ(sizeof(struct drm_edna_graph_args) + 6 * 4 - 1, r.fault_va);

	/*
	 * A classifier over 4 whose favourite is token 3, past the vocab of
	 * 3: step 0 writes it, step 1's EMBED rejects it.
	 */
	g.op[1].src[1] = w3_va;
	g.op[1].dim[0] = 4;
	g.op[2].dim[0] = 4;
	job_map(&j, &g, 64, 128, sizeof(j.args));
	set_args(&j, 0, 2, 3, prompt);
	EXPECT_EQ(EDNA_GRAPH_ERR_TOKEN, job_run(&j, &r));
	EXPECT_EQ(EDNA_STATUS_BAD_GRAPH, r.status);
	EXPECT_EQ(EDNA_GRAPH_ERR_TOKEN, r.reason);
	EXPECT_EQ(0, r.op_index);
	EXPECT_EQ(1, r.steps_done);
	EXPECT_EQ(3, j.args.tokens[2]);
}

/*
 * One decoder layer that uses every opcode, a classifier on the last row
 * (LAST_ROW, then SINGLE_ROW) and a ROPE on the last row: d 4 in two heads
 * of 2, vocab 5, KV caches of 8 positions.
 */
struct layer {
	uint64_t table, norm_w, wq, wo, h, h2, qv, kc, vc, attn, h3, h4, h5, h6;
	uint64_t logits, tok, copy, rope1;
	float eps, theta;
};

#define D	4
#define VOCAB	5
#define SEQ	8

static void build_layer(struct job *j, struct test_graph *g, struct layer *m, uint64_t *seed)
{
	float *values = random_floats(seed, VOCAB * D + D + D * D + VOCAB * D, -1, 1);
	uint8_t wo16[VOCAB * D * 2];
	struct drm_edna_graph_op *op;

	memset(j, 0, sizeof(*j));
	/* everything not written by the job keeps a pattern it can be told by */
	memset(j->arena, 0x5a, sizeof(j->arena));
	m->eps = 1e-5f;
	m->theta = 10000;
	m->table = job_put(j, values, VOCAB * D * 4);
	m->norm_w = job_put(j, values + VOCAB * D, D * 4);
	m->wq = job_put(j, values + VOCAB * D + D, D * D * 4);
	edna_ref_quantize_f16(wo16, values + VOCAB * D + D + D * D, VOCAB * D);
	/* 2 past a 64-byte boundary: an f16 operand needs only 2-byte alignment */
	m->wo = job_alloc(j, sizeof(wo16) + 2) + 2;
	memcpy(host(j, m->wo), wo16, sizeof(wo16));
	free(values);
	m->h = job_alloc(j, 4 * D * 4);
	m->h2 = job_alloc(j, 4 * D * 4);
	m->qv = job_alloc(j, 4 * D * 4);
	m->kc = job_alloc(j, SEQ * D * 4);
	m->vc = job_alloc(j, SEQ * D * 4);
	m->attn = job_alloc(j, 4 * D * 4);
	m->h3 = job_alloc(j, 4 * D * 4);
	m->h4 = job_alloc(j, 4 * D * 4);
	m->h5 = job_alloc(j, 4 * D * 4);
	m->h6 = job_alloc(j, D * 4);
	m->logits = job_alloc(j, VOCAB * 4);
	m->tok = job_alloc(j, 4);
	m->copy = job_alloc(j, D * 4);
	m->rope1 = job_alloc(j, D * 4);
	/* rows before the job's first position are attended to: zeros */
	memset(host(j, m->kc), 0, SEQ * D * 4);
	memset(host(j, m->vc), 0, SEQ * D * 4);

	graph_init(g, 4);
	op = graph_add(g, EDNA_GOP_EMBED, 0, m->h, m->table, 0, 0);		/* 0 */
	op->dim[0] = D;
	op->dim[1] = VOCAB;
	op = graph_add(g, EDNA_GOP_RMSNORM, 0, m->h2, m->h, m->norm_w, 0);	/* 1 */
	op->dim[0] = D;
	op->param[0] = bits(m->eps);
	op = graph_add(g, EDNA_GOP_MATMUL, 0, m->qv, m->h2, m->wq, 0);		/* 2 */
	op->dim[0] = D;
	op->dim[1] = D;
	op = graph_add(g, EDNA_GOP_ROPE, 0, m->qv, m->qv, 0, 0);		/* 3 */
	op->dim[0] = 2;
	op->dim[1] = 2;
	op->param[0] = bits(m->theta);
	op = graph_add(g, EDNA_GOP_KV_APPEND, 0, m->kc, m->qv, 0, 0);		/* 4 */
	op->dim[0] = D;
	op->dim[1] = SEQ;
	op = graph_add(g, EDNA_GOP_KV_APPEND, 0, m->vc, m->h2, 0, 0);		/* 5 */
	op->dim[0] = D;
	op->dim[1] = SEQ;
	op = graph_add(g, EDNA_GOP_ATTENTION, 0, m->attn, m->qv, m->kc, m->vc);	/* 6 */
	op->dim[0] = 2;
	op->dim[1] = 2;
	op->dim[2] = 2;
	op->dim[3] = SEQ;
	op = graph_add(g, EDNA_GOP_ADD, 0, m->h3, m->attn, m->h, 0);		/* 7 */
	op->dim[0] = D;
	op = graph_add(g, EDNA_GOP_MUL, 0, m->h4, m->h3, m->h2, 0);		/* 8 */
	op->dim[0] = D;
	op = graph_add(g, EDNA_GOP_SILU_MUL, 0, m->h5, m->h4, m->h3, 0);	/* 9 */
	op->dim[0] = D;
	op = graph_add(g, EDNA_GOP_SOFTMAX, EDNA_GOP_LAST_ROW, m->h6, m->h5, 0, 0);	/* 10 */
	op->dim[0] = D;
	op = graph_add(g, EDNA_GOP_MATMUL, EDNA_GOP_SINGLE_ROW, m->logits, m->h6, m->wo, 0); /* 11 */
	op->dtype = EDNA_DTYPE_F16;
	op->dim[0] = VOCAB;
	op->dim[1] = D;
	op = graph_add(g, EDNA_GOP_ARGMAX, EDNA_GOP_SINGLE_ROW, m->tok, m->logits, 0, 0); /* 12 */
	op->dim[0] = VOCAB;
	op = graph_add(g, EDNA_GOP_COPY, 0, m->copy, m->h6, 0, 0);		/* 13 */
	op->dim[0] = D * 4;
	op = graph_add(g, EDNA_GOP_ROPE, EDNA_GOP_LAST_ROW, m->rope1, m->qv, 0, 0); /* 14 */
	op->dim[0] = 2;
	op->dim[1] = 2;
	op->param[0] = bits(m->theta);
}

/*
 * The interpreter against the array functions composed by hand, step by
 * step: the same arithmetic, so the results must be identical, and only
 * the plumbing (rows, positions, LAST_ROW and SINGLE_ROW, caches,
 * tokens) is under test.
 */
TEST_F(edna_graph, ref_graph_runs_a_layer_like_the_array_ops)
{
	static struct job j;
	static uint8_t want[ARENA_SIZE];
	const uint32_t prompt[3] = { 4, 0, 3 };
	const uint32_t pos = 1, n_tokens = 3, steps = 3;
	struct test_graph g;
	struct layer m;
	struct edna_ref_graph_result r;
	uint32_t tokens[6];
	unsigned int s;

	build_layer(&j, &g, &m, &self->seed);
	job_map(&j, &g, 64, 128, sizeof(j.args));
	set_args(&j, pos, n_tokens, steps, prompt);
	memcpy(want, j.arena, sizeof(want));
	memcpy(tokens, prompt, sizeof(prompt));

	/* by hand, on a copy of the arena */
#define W(va) ((float *)(want + ((va) - ARENA_VA)))
	for (s = 0; s < steps; s++) {
		unsigned int rows = s ? 1 : n_tokens;
		uint32_t p = s ? pos + n_tokens + s - 1 : pos;
		const uint32_t *toks = s ? &tokens[n_tokens + s - 1] : tokens;
		uint32_t tok;

		edna_ref_embed(W(m.h), W(m.table), EDNA_DTYPE_F32, toks, rows, D);
		edna_ref_rmsnorm(W(m.h2), W(m.h), W(m.norm_w), rows, D, m.eps);
		edna_ref_matmul(W(m.qv), W(m.h2), W(m.wq), EDNA_DTYPE_F32, rows, D, D);
		edna_ref_rope(W(m.qv), W(m.qv), rows, 2, 2, p, m.theta);
		edna_ref_kv_append(W(m.kc), W(m.qv), rows, D, p);
		edna_ref_kv_append(W(m.vc), W(m.h2), rows, D, p);
		ASSERT_EQ(0, edna_ref_attention(W(m.attn), W(m.qv), W(m.kc), W(m.vc), rows,
						2, 2, 2, p, 0));
		edna_ref_add(W(m.h3), W(m.attn), W(m.h), rows * D);
		edna_ref_mul(W(m.h4), W(m.h3), W(m.h2), rows * D);
		edna_ref_silu_mul(W(m.h5), W(m.h4), W(m.h3), rows * D);
		edna_ref_softmax(W(m.h6), W(m.h5) + (rows - 1) * D, 1, D);
		edna_ref_matmul(W(m.logits), W(m.h6), want + (m.wo - ARENA_VA), EDNA_DTYPE_F16,
				1, VOCAB, D);
		tok = edna_ref_argmax(W(m.logits), VOCAB);
		memcpy(W(m.tok), &tok, 4);
		tokens[n_tokens + s] = tok;
		edna_ref_copy(W(m.copy), W(m.h6), D * 4);
		edna_ref_rope(W(m.rope1), W(m.qv) + (rows - 1) * D, 1, 2, 2, p + rows - 1,
			      m.theta);
	}
#undef W

	ASSERT_EQ(0, job_run(&j, &r));
	EXPECT_EQ(steps, r.steps_done);
	EXPECT_EQ(0, memcmp(j.args.tokens, tokens, sizeof(tokens)));
	EXPECT_EQ(0, memcmp(j.arena, want, sizeof(want)));
	/* cache row 0 is before pos: untouched */
	EXPECT_EQ(0, *(uint32_t *)host(&j, m.kc));
	EXPECT_TRUE(r.argmax_margin > 0 && r.argmax_margin < INFINITY);
}

/* One way to break the layer's graph or job, and what the uapi says it gives. */
struct breakage {
	const char *what;
	int ret;		/* edna_ref_run_graph()'s return */
	uint32_t op_index;
	uint64_t fault_va;	/* MMU faults: where, when not 0 */
	uint32_t header_size, op_size;	/* 0: 64 and 128 */
};

enum {
	BREAK_MAGIC, BREAK_MAJOR, NEWER_MINOR, BREAK_HEADER_SIZE, BREAK_OP_SIZE,
	BREAK_NO_OPS, BREAK_TOO_MANY_OPS, BREAK_MAX_TOKENS_0, BREAK_MAX_TOKENS_BIG,
	BREAK_HEADER_FLAGS, BREAK_HEADER_RESERVED, BIGGER_HEADER, BREAK_HEADER_TAIL,
	BIGGER_OPS, BREAK_OP_TAIL, BREAK_OPCODE_0, BREAK_OPCODE_13, BREAK_UNKNOWN_FLAG,
	BREAK_LAST_ROW_EMBED, BREAK_LAST_ROW_KV, BREAK_BOTH_ROW_FLAGS, BREAK_PAD,
	BREAK_RESERVED, BREAK_UNUSED_DIM, BREAK_UNUSED_PARAM, BREAK_UNUSED_PARAM_1,
	BREAK_DTYPE_ADD, BREAK_DTYPE_4, BREAK_DIM_0, BREAK_DIM_BIG, BREAK_Q8_K,
	BREAK_ODD_HD, BREAK_GQA, BREAK_MAX_SEQ, BREAK_ROPE_WIDE, BREAK_DST_ALIGN,
	BREAK_SRC_MISSING, BREAK_SRC_UNUSED, BREAK_COPY_OVERLAP, F16_2_ALIGNED,
	BREAK_F32_2_ALIGNED, ARGMAX_NO_DST, BREAK_DST_MISSING, BREAK_N_TOKENS_0,
	BREAK_N_TOKENS_BIG, BREAK_STEPS_0, BREAK_STEPS_BIG, BREAK_STEPS_NO_ARGMAX,
	BREAK_ARGS_FLAGS, BREAK_POSITIONS_WRAP, BREAK_TOKEN, BREAK_POSITION,
	BREAK_LATE_POSITION, BREAK_UNMAPPED, BREAK_READ_ONLY,
	BREAK_PAST_ARENA, BREAK_GRAPH_PAST_END,
	BREAKAGES
};

static const struct breakage breakages[BREAKAGES] = {
	[BREAK_MAGIC]		= { "magic", EDNA_GRAPH_ERR_MAGIC, EDNA_GRAPH_NO_OP },
	[BREAK_MAJOR]		= { "major 2", EDNA_GRAPH_ERR_VERSION, EDNA_GRAPH_NO_OP },
	[NEWER_MINOR]		= { "minor 9 (fine)", 0, 0 },
	[BREAK_HEADER_SIZE]	= { "header_size 60", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP, 0, 60 },
	[BREAK_OP_SIZE]		= { "op_size 120", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP, 0, 0, 120 },
	[BREAK_NO_OPS]		= { "op_count 0", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP },
	[BREAK_TOO_MANY_OPS]	= { "op_count 4097", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP },
	[BREAK_MAX_TOKENS_0]	= { "max_tokens 0", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP },
	[BREAK_MAX_TOKENS_BIG]	= { "max_tokens 513", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP },
	[BREAK_HEADER_FLAGS]	= { "header flags", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP },
	[BREAK_HEADER_RESERVED]	= { "header reserved", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP },
	[BIGGER_HEADER]		= { "header of 96, zero tail (fine)", 0, 0, 0, 96 },
	[BREAK_HEADER_TAIL]	= { "header tail byte", EDNA_GRAPH_ERR_HEADER, EDNA_GRAPH_NO_OP, 0, 96 },
	[BIGGER_OPS]		= { "ops of 192, zero tails (fine)", 0, 0, 0, 0, 192 },
	[BREAK_OP_TAIL]		= { "op tail byte", EDNA_GRAPH_ERR_FIELD, 5, 0, 0, 192 },
	[BREAK_OPCODE_0]	= { "opcode 0", EDNA_GRAPH_ERR_OPCODE, 3 },
	[BREAK_OPCODE_13]	= { "opcode 13", EDNA_GRAPH_ERR_OPCODE, 14 },
	[BREAK_UNKNOWN_FLAG]	= { "op flag 4", EDNA_GRAPH_ERR_FIELD, 2 },
	[BREAK_LAST_ROW_EMBED]	= { "LAST_ROW on EMBED", EDNA_GRAPH_ERR_FIELD, 0 },
	[BREAK_LAST_ROW_KV]	= { "SINGLE_ROW on KV_APPEND", EDNA_GRAPH_ERR_FIELD, 4 },
	[BREAK_BOTH_ROW_FLAGS]	= { "LAST_ROW | SINGLE_ROW", EDNA_GRAPH_ERR_FIELD, 11 },
	[BREAK_PAD]		= { "pad", EDNA_GRAPH_ERR_FIELD, 1 },
	[BREAK_RESERVED]	= { "op reserved", EDNA_GRAPH_ERR_FIELD, 1 },
	[BREAK_UNUSED_DIM]	= { "unused dim", EDNA_GRAPH_ERR_FIELD, 1 },
	[BREAK_UNUSED_PARAM]	= { "param of ADD", EDNA_GRAPH_ERR_FIELD, 7 },
	[BREAK_UNUSED_PARAM_1]	= { "param[1] of ROPE", EDNA_GRAPH_ERR_FIELD, 3 },
	[BREAK_DTYPE_ADD]	= { "dtype f16 on ADD", EDNA_GRAPH_ERR_DTYPE, 7 },
	[BREAK_DTYPE_4]		= { "dtype 4", EDNA_GRAPH_ERR_DTYPE, 2 },
	[BREAK_DIM_0]		= { "dim 0", EDNA_GRAPH_ERR_DIMS, 1 },
	[BREAK_DIM_BIG]		= { "dim 2^20 + 1", EDNA_GRAPH_ERR_DIMS, 2 },
	[BREAK_Q8_K]		= { "q8_0 with k 4", EDNA_GRAPH_ERR_DIMS, 2 },
	[BREAK_ODD_HD]		= { "ROPE hd 1", EDNA_GRAPH_ERR_DIMS, 3 },
	[BREAK_GQA]		= { "heads 2, kv_heads 3", EDNA_GRAPH_ERR_DIMS, 6 },
	[BREAK_MAX_SEQ]		= { "max_seq 32769", EDNA_GRAPH_ERR_DIMS, 4 },
	[BREAK_ROPE_WIDE]	= { "ROPE heads * hd > 2^20", EDNA_GRAPH_ERR_DIMS, 3 },
	[BREAK_DST_ALIGN]	= { "dst 2-aligned", EDNA_GRAPH_ERR_OPERAND, 7 },
	[BREAK_SRC_MISSING]	= { "src[1] 0", EDNA_GRAPH_ERR_OPERAND, 7 },
	[BREAK_SRC_UNUSED]	= { "src[2] set", EDNA_GRAPH_ERR_OPERAND, 7 },
	[BREAK_COPY_OVERLAP]	= { "COPY overlapping", EDNA_GRAPH_ERR_OPERAND, 13 },
	[F16_2_ALIGNED]		= { "f16 W 2-aligned (fine)", 0, 0 },
	[BREAK_F32_2_ALIGNED]	= { "f32 W 2-aligned", EDNA_GRAPH_ERR_OPERAND, 2 },
	[ARGMAX_NO_DST]		= { "ARGMAX without dst (fine)", 0, 0 },
	[BREAK_DST_MISSING]	= { "dst 0", EDNA_GRAPH_ERR_OPERAND, 9 },
	[BREAK_N_TOKENS_0]	= { "n_tokens 0", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_N_TOKENS_BIG]	= { "n_tokens > max_tokens", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_STEPS_0]		= { "steps 0", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_STEPS_BIG]	= { "steps 257", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_STEPS_NO_ARGMAX]	= { "steps 2, no ARGMAX", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_ARGS_FLAGS]	= { "args flags", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_TOKEN]		= { "token 5 of 5", EDNA_GRAPH_ERR_TOKEN, 0 },
	[BREAK_POSITIONS_WRAP]	= { "positions past 2^32 - 1", EDNA_GRAPH_ERR_ARGS, EDNA_GRAPH_NO_OP },
	[BREAK_POSITION]	= { "position 8 of 8", EDNA_GRAPH_ERR_POSITION, 4 },
	[BREAK_LATE_POSITION]	= { "position 8 of 8 in step 2", EDNA_GRAPH_ERR_POSITION, 4 },
	[BREAK_UNMAPPED]	= { "dst unmapped", -EFAULT, 13, UNMAPPED_VA },
	[BREAK_READ_ONLY]	= { "dst read-only", -EFAULT, 13, RO_VA },
	[BREAK_PAST_ARENA]	= { "src past the arena", -EFAULT, 13, ARENA_VA + ARENA_SIZE },
	[BREAK_GRAPH_PAST_END]	= { "op 15's tail past the graph", -EFAULT, 15,
				    GRAPH_VA + 4096, 0, 256 },
};

static void apply_breakage(unsigned int b, struct test_graph *g, const struct layer *m,
			   struct test_args *args)
{
	switch (b) {
	case BREAK_MAGIC:		g->h.magic ^= 1; break;
	case BREAK_MAJOR:		g->h.version_major = 2; break;
	case NEWER_MINOR:		g->h.version_minor = 9; break;
	case BREAK_NO_OPS:		g->h.op_count = 0; break;
	case BREAK_TOO_MANY_OPS:	g->h.op_count = EDNA_GRAPH_MAX_OPS + 1; break;
	case BREAK_MAX_TOKENS_0:	g->h.max_tokens = 0; break;
	case BREAK_MAX_TOKENS_BIG:	g->h.max_tokens = EDNA_GRAPH_MAX_TOKENS + 1; break;
	case BREAK_HEADER_FLAGS:	g->h.flags = 1; break;
	case BREAK_HEADER_RESERVED:	g->h.reserved[8] = 1; break;
	case BREAK_OPCODE_0:		g->op[3].opcode = 0; break;
	case BREAK_OPCODE_13:		g->op[14].opcode = 13; break;
	case BREAK_UNKNOWN_FLAG:	g->op[2].flags = 4; break;
	case BREAK_LAST_ROW_EMBED:	g->op[0].flags = EDNA_GOP_LAST_ROW; break;
	case BREAK_LAST_ROW_KV:		g->op[4].flags = EDNA_GOP_SINGLE_ROW; break;
	case BREAK_BOTH_ROW_FLAGS:
		g->op[11].flags = EDNA_GOP_LAST_ROW | EDNA_GOP_SINGLE_ROW;
		break;
	case BREAK_PAD:			g->op[1].pad = 1; break;
	case BREAK_RESERVED:		g->op[1].reserved[6] = 1ull << 63; break;
	case BREAK_UNUSED_DIM:		g->op[1].dim[3] = 1; break;
	case BREAK_UNUSED_PARAM:	g->op[7].param[0] = 1; break;
	case BREAK_UNUSED_PARAM_1:	g->op[3].param[1] = 1; break;
	case BREAK_DTYPE_ADD:		g->op[7].dtype = EDNA_DTYPE_F16; break;
	case BREAK_DTYPE_4:		g->op[2].dtype = 4; break;
	case BREAK_DIM_0:		g->op[1].dim[0] = 0; break;
	case BREAK_DIM_BIG:		g->op[2].dim[0] = EDNA_GRAPH_MAX_DIM + 1; break;
	case BREAK_Q8_K:		g->op[2].dtype = EDNA_DTYPE_Q8_0; break;
	case BREAK_ODD_HD:		g->op[3].dim[1] = 1; break;
	case BREAK_GQA:			g->op[6].dim[1] = 3; break;
	case BREAK_MAX_SEQ:		g->op[4].dim[1] = EDNA_GRAPH_MAX_SEQ + 1; break;
	case BREAK_ROPE_WIDE:		g->op[3].dim[0] = EDNA_GRAPH_MAX_DIM / 2 + 1; break;
	case BREAK_DST_ALIGN:		g->op[7].dst += 2; break;
	case BREAK_SRC_MISSING:		g->op[7].src[1] = 0; break;
	case BREAK_SRC_UNUSED:		g->op[7].src[2] = m->h; break;
	case BREAK_COPY_OVERLAP:	g->op[13].dst = g->op[13].src[0] + 12; break;
	case F16_2_ALIGNED:		break;	/* the layer's wo already is */
	case BREAK_F32_2_ALIGNED:	g->op[2].src[1] += 2; break;
	case ARGMAX_NO_DST:		g->op[12].dst = 0; break;
	case BREAK_DST_MISSING:		g->op[9].dst = 0; break;
	case BREAK_N_TOKENS_0:		args->a.n_tokens = 0; break;
	case BREAK_N_TOKENS_BIG:	args->a.n_tokens = 5; break;	/* max_tokens 4 */
	case BREAK_STEPS_0:		args->a.steps = 0; break;
	case BREAK_STEPS_BIG:		args->a.steps = EDNA_GRAPH_MAX_STEPS + 1; break;
	case BREAK_STEPS_NO_ARGMAX:
		g->op[12].opcode = EDNA_GOP_SOFTMAX;
		g->op[12].flags = 0;
		g->op[12].dst = m->h6;
		g->op[12].src[0] = m->h5;
		g->op[12].dim[0] = D;
		break;
	case BREAK_ARGS_FLAGS:		args->a.flags = 1; break;
	case BREAK_TOKEN:		args->tokens[1] = VOCAB; break;
	case BREAK_POSITIONS_WRAP:	args->a.pos = UINT32_MAX - 3; break;	/* .. 2^32 */
	case BREAK_POSITION:		args->a.pos = SEQ - 2; break;	/* 6, 7, 8 */
	case BREAK_LATE_POSITION:	args->a.pos = SEQ - 4; break;	/* 4-6, 7, 8 */
	case BREAK_UNMAPPED:		g->op[13].dst = UNMAPPED_VA; break;
	case BREAK_READ_ONLY:		g->op[13].dst = RO_VA; break;
	case BREAK_PAST_ARENA:		g->op[13].src[0] = ARENA_VA + ARENA_SIZE - 8; break;
	case BREAK_GRAPH_PAST_END:	g->h.op_count = 16; break;	/* 64 + 15 * 256 + 256 */
	}
}

/*
 * Each rule of the uapi comments, broken one at a time: the error, the op
 * it names, and, for what can be known before the job starts, no byte of
 * the operands written.
 */
TEST_F(edna_graph, ref_graph_rejects_what_the_uapi_rejects)
{
	static struct job j;
	static uint8_t before[ARENA_SIZE];
	const uint32_t prompt[3] = { 4, 0, 3 };
	struct test_graph g;
	struct layer m;
	struct edna_ref_graph_result r;
	unsigned int b;

	for (b = 0; b < BREAKAGES; b++) {
		const struct breakage *want = &breakages[b];
		uint32_t header_size = want->header_size ? want->header_size : 64;
		uint32_t op_size = want->op_size ? want->op_size : 128;
		uint64_t seed = self->seed;
		int ret;

		build_layer(&j, &g, &m, &seed);
		set_args(&j, 1, 3, 3, prompt);
		apply_breakage(b, &g, &m, &j.args);
		/* sizes the layout cannot hold: claim them over a sane layout */
		job_map(&j, &g, header_size < 64 ? 64 : header_size,
			op_size < 128 ? 128 : op_size, sizeof(j.args));
		((struct drm_edna_graph_header *)j.graph)->header_size = header_size;
		((struct drm_edna_graph_header *)j.graph)->op_size = op_size;
		((struct drm_edna_graph_header *)j.graph)->op_count = g.h.op_count;
		if (b == BREAK_HEADER_TAIL)
			j.graph[80] = 1;
		if (b == BREAK_OP_TAIL)
			j.graph[64 + 5 * 192 + 150] = 1;
		memcpy(before, j.arena, sizeof(before));

		ret = job_run(&j, &r);
		EXPECT_EQ(want->ret, ret) TH_LOG("%s", want->what);
		if (ret != want->ret)
			continue;
		if (!ret) {
			EXPECT_EQ(EDNA_STATUS_OK, r.status) TH_LOG("%s", want->what);
			EXPECT_EQ(3, r.steps_done) TH_LOG("%s", want->what);
			continue;
		}
		EXPECT_EQ(want->op_index, r.op_index) TH_LOG("%s", want->what);
		if (ret == -EFAULT) {
			EXPECT_EQ(EDNA_STATUS_MMU_FAULT, r.status);
			EXPECT_EQ(want->fault_va, r.fault_va) TH_LOG("%s", want->what);
			EXPECT_EQ(b == BREAK_READ_ONLY ? EDNA_FAULT_REASON_PERMISSION :
				  EDNA_FAULT_REASON_UNMAPPED, r.reason) TH_LOG("%s", want->what);
		} else {
			EXPECT_EQ(EDNA_STATUS_BAD_GRAPH, r.status);
			EXPECT_EQ((uint32_t)ret, r.reason);
		}
		/* all of these are known before the job starts: nothing ran */
		if (ret > 0)
			EXPECT_EQ(0, memcmp(before, j.arena, sizeof(before))) TH_LOG("%s", want->what);
		EXPECT_EQ(0, r.steps_done) TH_LOG("%s", want->what);
	}
}

/* ---- the op kernels against the reference ---------------------------------- */

/* Row lengths around SIMD widths (8 f32 lanes) and block sizes (32). */
static const unsigned int odd_sizes[] = { 1, 3, 7, 8, 9, 31, 33, 97, 255, 1024, 4099 };
static const unsigned int block_sizes[] = { 32, 64, 96, 288, 1024, 4096 };

static uint32_t get_bits(float f)
{
	return edna_ref_f32_bits(f);
}

TEST_F(edna_graph, ops_row_bytes_match_the_layouts)
{
	static const unsigned int n[] = { 1, 3, 31, 32, 33, 64, 96, 1024, EDNA_GRAPH_MAX_DIM };
	unsigned int dtype, i;

	for (dtype = 0; dtype <= 4; dtype++) {
		for (i = 0; i < ARRAY_SIZE(n); i++)
			EXPECT_EQ(edna_ref_row_bytes(dtype, n[i]), edna_ops_row_bytes(dtype, n[i]))
				TH_LOG("dtype %u, n %u", dtype, n[i]);
	}
}

/* A random f16 that is finite: subnormals, zeros and both signs included. */
static uint16_t random_finite_f16(uint64_t *seed)
{
	uint16_t h;

	do
		h = (uint16_t)rng_next(seed);
	while ((h & 0x7c00) == 0x7c00);
	return h;
}

/*
 * Dequantising is exact (edna_ref.h says why), so the kernel must give
 * the reference's values bit for bit, from rows only 2-byte aligned.
 */
OPS_TEST(ops_dequant_row_is_exact)
{
	static uint8_t buf[2 + 65536 * 4];
	static float got[65536], want[65536];
	unsigned int dtype, i, s, bad = 0;

	for (dtype = 0; dtype < 4; dtype++) {
		const unsigned int *sizes = dtype < 2 ? odd_sizes : block_sizes;
		unsigned int count = dtype < 2 ? ARRAY_SIZE(odd_sizes) : ARRAY_SIZE(block_sizes);

		for (s = 0; s < count; s++) {
			unsigned int n = sizes[s];
			size_t offset = dtype == EDNA_DTYPE_F32 ? 0 : 2;
			uint8_t *row = buf + offset;
			uint64_t bytes = edna_ref_row_bytes(dtype, n), b;

			for (b = 0; b < bytes; b++)
				row[b] = (uint8_t)rng_next(seed);
			/* finite values: f32 from [-8, 8), f16 and scales from all finite f16 */
			for (i = 0; i < n; i++) {
				float f = rng_float(seed, -8, 8);
				uint16_t h = random_finite_f16(seed);

				if (dtype == EDNA_DTYPE_F32)
					memcpy(row + 4 * i, &f, 4);
				else if (dtype == EDNA_DTYPE_F16)
					memcpy(row + 2 * i, &h, 2);
				else if (i % 32 == 0)
					memcpy(row + i / 32 * (dtype == EDNA_DTYPE_Q8_0 ? 34 : 18), &h, 2);
			}
			edna_ref_dequant_row(want, row, dtype, n);
			memset(got, 0xa5, n * sizeof(*got));
			edna_ops_dequant_row(got, row, dtype, n, cpu);
			for (i = 0; i < n; i++) {
				if (get_bits(got[i]) == get_bits(want[i]))
					continue;
				if (bad++ < 3)
					TH_LOG("%s n %u [%u]: got %a, want %a", dtype_names[dtype], n, i,
					       got[i], want[i]);
			}
		}
	}
	EXPECT_EQ(0, bad);

	/* every f16 there is, in one row */
	for (i = 0; i < 65536; i++) {
		buf[2 + 2 * i] = (uint8_t)i;
		buf[3 + 2 * i] = (uint8_t)(i >> 8);
	}
	edna_ref_dequant_row(want, buf + 2, EDNA_DTYPE_F16, 65536);
	edna_ops_dequant_row(got, buf + 2, EDNA_DTYPE_F16, 65536, cpu);
	bad = 0;
	for (i = 0; i < 65536; i++) {
		if (isnan(want[i]) ? isnan(got[i]) : get_bits(got[i]) == get_bits(want[i]))
			continue;
		if (bad++ < 3)
			TH_LOG("f16 %#06x: got %a, want %a", i, got[i], want[i]);
	}
	EXPECT_EQ(0, bad);
}

/*
 * MATMUL: each output within 1e-5 * sum_j |w_j x_j| (edna_ref.h: the f32
 * accumulation bound, the same for every dtype since dequantising is
 * exact), on strided x and dst, whole and split ranges of outputs; what
 * lies outside [n0, n1) or past a row is not touched.
 */
OPS_TEST(ops_matmul_within_the_dot_bound)
{
	static const unsigned int ns[] = { 1, 3, 17, 33 };
	static const unsigned int rows_list[] = { 1, 3, 5 };
	const float sentinel = -12345.5f;
	unsigned int dtype, ki, ni, ri, split, bad = 0, cases = 0;

	for (dtype = 0; dtype < 4; dtype++) {
		const unsigned int *ks = dtype < 2 ? odd_sizes : block_sizes;
		unsigned int k_count = dtype < 2 ? ARRAY_SIZE(odd_sizes) : ARRAY_SIZE(block_sizes);

		for (ki = 0; ki < k_count; ki++)
		for (ni = 0; ni < ARRAY_SIZE(ns); ni++)
		for (ri = 0; ri < ARRAY_SIZE(rows_list); ri++)
		for (split = 0; split < 2; split++) {
			unsigned int k = ks[ki], n = ns[ni], rows = rows_list[ri];
			unsigned int ldx = k + rng_below(seed, 4), ldd = n + 1 + rng_below(seed, 3);
			unsigned int n0 = split ? n / 3 : 0, n1 = split ? n - n / 4 : n;
			float *x = random_floats(seed, (size_t)rows * ldx, -1, 1);
			float *packed = malloc((size_t)rows * k * sizeof(float));
			float *want = malloc((size_t)rows * n * sizeof(float));
			double *tol = malloc((size_t)rows * n * sizeof(double));
			float *dst = malloc((size_t)rows * ldd * sizeof(float));
			void *w_base, *w = random_weights(seed, dtype, n, k,
							  dtype == EDNA_DTYPE_F32 ? 0 : 2, &w_base);
			unsigned int r, i;

			ASSERT_TRUE(x && packed && want && tol && dst && w);
			for (r = 0; r < rows; r++)
				memcpy(packed + (size_t)r * k, x + (size_t)r * ldx, k * sizeof(float));
			edna_ref_matmul(want, packed, w, dtype, rows, n, k);
			edna_ref_matmul_tolerance(tol, packed, w, dtype, rows, n, k);
			for (i = 0; i < rows * ldd; i++)
				dst[i] = sentinel;

			edna_ops_matmul(dst, ldd, x, ldx, w, dtype, rows, k, n0, n1, cpu);

			for (r = 0; r < rows; r++) {
				for (i = 0; i < ldd; i++) {
					float got = dst[(size_t)r * ldd + i];
					bool inside = i >= n0 && i < n1;
					bool ok = inside ?
						fabs((double)got - want[(size_t)r * n + i]) <=
							tol[(size_t)r * n + i] :
						got == sentinel;

					if (ok)
						continue;
					if (bad++ < 3)
						TH_LOG("%s rows %u n %u k %u [%u, %u) ldx %u ldd %u: dst[%u][%u] = %.9g, want %.9g +- %.3g",
						       dtype_names[dtype], rows, n, k, n0, n1, ldx, ldd, r, i,
						       got, inside ? want[(size_t)r * n + i] : sentinel,
						       inside ? tol[(size_t)r * n + i] : 0);
				}
			}
			cases++;
			free(x);
			free(packed);
			free(want);
			free(tol);
			free(dst);
			free(w_base);
		}
	}
	EXPECT_EQ(0, bad) TH_LOG("%u elements wrong over %u cases", bad, cases);
}

/*
 * RMSNORM: the mean of squares is a dot product of x with itself, all
 * terms positive, so within 1e-5 relative; 1/sqrt halves that, and the
 * two products add a few f32 roundings: each output within 1e-5 of its
 * own magnitude.  In place too (dst may equal x).
 */
OPS_TEST(ops_rmsnorm_within_bound)
{
	static const float eps[] = { 1e-5f, 1e-6f, 0.5f };
	unsigned int s, e, in_place, bad = 0;

	for (s = 0; s < ARRAY_SIZE(odd_sizes); s++)
	for (e = 0; e < ARRAY_SIZE(eps); e++)
	for (in_place = 0; in_place < 2; in_place++) {
		unsigned int n = odd_sizes[s];
		float *x = random_floats(seed, n, -2, 2);
		float *w = random_floats(seed, n, -1.5f, 1.5f);
		float *want = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));
		unsigned int i;

		ASSERT_TRUE(x && w && want && got);
		edna_ref_rmsnorm(want, x, w, 1, n, eps[e]);
		if (in_place) {
			memcpy(got, x, n * sizeof(float));
			edna_ops_rmsnorm(got, got, w, n, bits(eps[e]), cpu);
		} else {
			edna_ops_rmsnorm(got, x, w, n, bits(eps[e]), cpu);
		}
		for (i = 0; i < n; i++) {
			double tol = EDNA_REF_DOT_REL * fabs(want[i]) + EDNA_REF_ABS_EPS;

			if (fabs((double)got[i] - want[i]) <= tol)
				continue;
			if (bad++ < 3)
				TH_LOG("n %u eps %g%s [%u]: got %.9g, want %.9g", n, eps[e],
				       in_place ? " in place" : "", i, got[i], want[i]);
		}
		free(x);
		free(w);
		free(want);
		free(got);
	}
	EXPECT_EQ(0, bad);
}

/*
 * ROPE: an f32 kernel cannot know the angle p * theta^(-2i/hd) better
 * than to a few ulp of the angle itself (the reference computes it in
 * double), and each output is x0 cos - x1 sin: so each is within
 * (|x0| + |x1|) * (32 ulp of the angle + 1e-6).  At large positions that
 * is loose by nature; small positions check the pairing, the direction
 * and the frequencies tightly.  In place too (dst may equal src).
 */
OPS_TEST(ops_rope_within_bound)
{
	static const unsigned int heads_list[] = { 1, 3, 4 };
	static const unsigned int hd_list[] = { 2, 6, 64, 128 };
	static const unsigned int pos_list[] = { 0, 1, 7, 100, 4095, 32767 };
	static const float thetas[] = { 10000, 500000 };
	unsigned int hi, di, pi, ti, in_place, bad = 0;

	for (hi = 0; hi < ARRAY_SIZE(heads_list); hi++)
	for (di = 0; di < ARRAY_SIZE(hd_list); di++)
	for (pi = 0; pi < ARRAY_SIZE(pos_list); pi++)
	for (ti = 0; ti < ARRAY_SIZE(thetas); ti++)
	for (in_place = 0; in_place < 2; in_place++) {
		unsigned int heads = heads_list[hi], hd = hd_list[di], pos = pos_list[pi];
		unsigned int width = heads * hd, h, i;
		float *x = random_floats(seed, width, -1, 1);
		float *want = malloc(width * sizeof(float)), *got = malloc(width * sizeof(float));

		ASSERT_TRUE(x && want && got);
		edna_ref_rope(want, x, 1, heads, hd, pos, thetas[ti]);
		if (in_place) {
			memcpy(got, x, width * sizeof(float));
			edna_ops_rope(got, got, heads, hd, pos, bits(thetas[ti]), cpu);
		} else {
			edna_ops_rope(got, x, heads, hd, pos, bits(thetas[ti]), cpu);
		}
		for (h = 0; h < heads; h++) {
			for (i = 0; i < hd; i++) {
				unsigned int e = h * hd + i, pair = e & ~1u;
				double angle = pos * pow(thetas[ti], -2.0 * (i / 2) / hd);
				double tol = (fabs(x[pair]) + fabs(x[pair + 1])) *
					     (angle * 0x1p-19 + 1e-6) + EDNA_REF_ABS_EPS;

				if (fabs((double)got[e] - want[e]) <= tol)
					continue;
				if (bad++ < 3)
					TH_LOG("heads %u hd %u pos %u theta %g%s [%u]: got %.9g, want %.9g +- %.3g",
					       heads, hd, pos, thetas[ti], in_place ? " in place" : "",
					       e, got[e], want[e], tol);
			}
		}
		free(x);
		free(want);
		free(got);
	}
	EXPECT_EQ(0, bad);
}

/*
 * ATTENTION, one head: each score is a dot product (within 1e-5 of
 * scale * sum |q_j k_tj|), and exp() turns a score's absolute error into
 * the same relative error of its weight, plus the rounding of s_t - max
 * (2^-24 of it) and of exp itself; a weight normalised by the sum of all
 * moves by at most twice the largest of those.  The output, a weighted
 * sum of v, is then within (2 * that + 1e-5) * sum_t p_t |v_tj|.  The
 * cache is strided (ld = kv_heads * hd, this head at g * hd) as in GQA.
 * out may equal q.
 */
OPS_TEST(ops_attention_head_within_bound)
{
	static const unsigned int hd_list[] = { 1, 3, 8, 32, 64, 128 };
	static const unsigned int len_list[] = { 1, 2, 7, 33, 100, 300 };
	static const float scales[] = { 0, 0.125f, 1.7f };
	unsigned int di, li, si, bad = 0, cases = 0;

	for (di = 0; di < ARRAY_SIZE(hd_list); di++)
	for (li = 0; li < ARRAY_SIZE(len_list); li++)
	for (si = 0; si < ARRAY_SIZE(scales); si++) {
		unsigned int hd = hd_list[di], len = len_list[li];
		unsigned int kv_heads = 1 + 2 * (cases % 2), g = kv_heads - 1, ld = kv_heads * hd;
		float *q = random_floats(seed, hd, -1, 1);
		float *k = random_floats(seed, (size_t)len * ld, -1, 1);
		float *v = random_floats(seed, (size_t)len * ld, -2, 2);
		float *want = malloc(hd * sizeof(float)), *got = malloc(hd * sizeof(float));
		float *scratch = malloc(len * sizeof(float));
		double *score = malloc(len * sizeof(double)), *p = malloc(len * sizeof(double));
		double scale = scales[si] ? scales[si] : 1 / sqrt(hd);
		double max_score = -INFINITY, total = 0, worst = 0;
		unsigned int t, j, in_place = cases % 3 == 0;

		ASSERT_TRUE(q && k && v && want && got && scratch && score && p);
		ASSERT_EQ(0, edna_ref_attention_head(want, q, k + g * hd, v + g * hd, ld, hd, len,
						     scales[si]));
		/* the tolerance, from the exact weights */
		for (t = 0; t < len; t++) {
			double dot = 0;

			for (j = 0; j < hd; j++)
				dot += (double)q[j] * k[t * ld + g * hd + j];
			score[t] = scale * dot;
			max_score = fmax(max_score, score[t]);
		}
		for (t = 0; t < len; t++) {
			double sum_abs = 0, err;

			for (j = 0; j < hd; j++)
				sum_abs += fabs((double)q[j] * k[t * ld + g * hd + j]);
			err = EDNA_REF_DOT_REL * fabs(scale) * sum_abs +
			      0x1p-23 * (max_score - score[t]) + 1e-6;
			worst = fmax(worst, err);
			p[t] = exp(score[t] - max_score);
			total += p[t];
		}
		if (in_place)
			memcpy(got, q, hd * sizeof(float));
		edna_ops_attention_head(got, in_place ? got : q, k + g * hd, v + g * hd, ld, hd,
					len, bits(scales[si]), scratch, cpu);
		for (j = 0; j < hd; j++) {
			double weighted = 0, tol;

			for (t = 0; t < len; t++)
				weighted += p[t] / total * fabs(v[t * ld + g * hd + j]);
			tol = (2 * worst + EDNA_REF_DOT_REL) * weighted + EDNA_REF_ABS_EPS;
			if (fabs((double)got[j] - want[j]) <= tol)
				continue;
			if (bad++ < 3)
				TH_LOG("hd %u len %u ld %u scale %g%s [%u]: got %.9g, want %.9g +- %.3g",
				       hd, len, ld, scales[si], in_place ? " in place" : "", j,
				       got[j], want[j], tol);
		}
		cases++;
		free(q);
		free(k);
		free(v);
		free(want);
		free(got);
		free(scratch);
		free(score);
		free(p);
	}
	EXPECT_EQ(0, bad);
}

/* ADD and MUL round the exact result once: bit for bit, in place too. */
OPS_TEST(ops_add_mul_are_exact)
{
	unsigned int s, op, where, bad = 0;

	for (s = 0; s < ARRAY_SIZE(odd_sizes); s++)
	for (op = 0; op < 2; op++)
	for (where = 0; where < 3; where++) {	/* dst apart, = a, = b */
		unsigned int n = odd_sizes[s], i;
		float *a = random_floats(seed, n, -100, 100);
		float *b = random_floats(seed, n, -3, 3);
		float *want = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));
		const float *ka = a, *kb = b;

		ASSERT_TRUE(a && b && want && got);
		/* small and huge magnitudes, where a sloppy kernel would show */
		a[n / 2] = 0x1p-140f;
		b[n / 2] = op ? 0x1p-10f : -0x1p-141f;
		(op ? edna_ref_mul : edna_ref_add)(want, a, b, n);
		if (where == 1) {
			memcpy(got, a, n * sizeof(float));
			ka = got;
		} else if (where == 2) {
			memcpy(got, b, n * sizeof(float));
			kb = got;
		}
		(op ? edna_ops_mul : edna_ops_add)(got, ka, kb, n, cpu);
		for (i = 0; i < n; i++) {
			if (get_bits(got[i]) == get_bits(want[i]))
				continue;
			if (bad++ < 3)
				TH_LOG("%s n %u dst %s [%u]: got %a, want %a", op ? "mul" : "add", n,
				       where == 0 ? "apart" : where == 1 ? "= a" : "= b", i,
				       got[i], want[i]);
		}
		free(a);
		free(b);
		free(want);
		free(got);
	}
	EXPECT_EQ(0, bad);
}

/*
 * SILU_MUL: a / (1 + exp(-a)) * b, with exp exact to an ulp or so and
 * three roundings: each output within 1e-5 of its magnitude (far looser
 * than a correct kernel needs, far tighter than a wrong formula gives),
 * including arguments where exp(-a) overflows f32.
 */
OPS_TEST(ops_silu_mul_within_bound)
{
	static const float edges[] = { 0, -0.0f, 1e-30f, -88, -89, -100, 88, 100, 20, -20 };
	unsigned int s, in_place, bad = 0;

	for (s = 0; s < ARRAY_SIZE(odd_sizes); s++)
	for (in_place = 0; in_place < 2; in_place++) {
		unsigned int n = odd_sizes[s], i;
		float *a = random_floats(seed, n, -12, 12);
		float *b = random_floats(seed, n, -2, 2);
		float *want = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));

		ASSERT_TRUE(a && b && want && got);
		for (i = 0; i < n && i < ARRAY_SIZE(edges); i++)
			a[n - 1 - i] = edges[i];
		edna_ref_silu_mul(want, a, b, n);
		if (in_place) {
			memcpy(got, a, n * sizeof(float));
			edna_ops_silu_mul(got, got, b, n, cpu);
		} else {
			edna_ops_silu_mul(got, a, b, n, cpu);
		}
		for (i = 0; i < n; i++) {
			double tol = EDNA_REF_DOT_REL * fabs(want[i]) + EDNA_REF_ABS_EPS;

			if (fabs((double)got[i] - want[i]) <= tol)
				continue;
			if (bad++ < 3)
				TH_LOG("n %u%s [%u]: silu(%.9g) * %.9g: got %.9g, want %.9g", n,
				       in_place ? " in place" : "", i, a[i], b[i], got[i], want[i]);
		}
		free(a);
		free(b);
		free(want);
		free(got);
	}
	EXPECT_EQ(0, bad);
}

/*
 * SOFTMAX: the sum of exp(x_t - max) has positive terms, so it is within
 * 1e-5 (the dot bound); each term's exp() is off by the rounding of
 * x_t - max (2^-24 of it) and an ulp or so.  An output is within
 * y_i * (1e-5 + 2^-22 (|x_i - max| + sum_t y_t |x_t - max|) + 1e-6).
 * Rows of small and of wide spread (down to exp underflow); in place too.
 */
OPS_TEST(ops_softmax_within_bound)
{
	static const unsigned int sizes[] = { 1, 2, 3, 7, 8, 9, 31, 33, 97, 1000, 32000 };
	static const float spreads[] = { 4, 120 };
	unsigned int s, sp, in_place, bad = 0;

	for (s = 0; s < ARRAY_SIZE(sizes); s++)
	for (sp = 0; sp < ARRAY_SIZE(spreads); sp++)
	for (in_place = 0; in_place < 2; in_place++) {
		unsigned int n = sizes[s], i;
		float *x = random_floats(seed, n, -spreads[sp], spreads[sp] / 4);
		float *want = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));
		double max_x = -INFINITY, mean_gap = 0;

		ASSERT_TRUE(x && want && got);
		edna_ref_softmax(want, x, 1, n);
		for (i = 0; i < n; i++)
			max_x = fmax(max_x, x[i]);
		for (i = 0; i < n; i++)
			mean_gap += want[i] * (max_x - x[i]);
		if (in_place) {
			memcpy(got, x, n * sizeof(float));
			edna_ops_softmax(got, got, n, cpu);
		} else {
			edna_ops_softmax(got, x, n, cpu);
		}
		for (i = 0; i < n; i++) {
			double tol = want[i] * (EDNA_REF_DOT_REL + 1e-6 +
						0x1p-22 * (max_x - x[i] + mean_gap)) +
				     EDNA_REF_ABS_EPS;

			if (fabs((double)got[i] - want[i]) <= tol)
				continue;
			if (bad++ < 3)
				TH_LOG("n %u spread %g%s [%u]: x %.9g, got %.9g, want %.9g +- %.3g",
				       n, spreads[sp], in_place ? " in place" : "", i, x[i], got[i],
				       want[i], tol);
		}
		free(x);
		free(want);
		free(got);
	}
	EXPECT_EQ(0, bad);
}

/*
 * ARGMAX: exact, and the first index of the largest on ties, wherever the
 * tied elements fall relative to SIMD lanes and tails.
 */
OPS_TEST(ops_argmax_is_the_first_of_the_largest)
{
	static const unsigned int sizes[] = { 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 97, 1000 };
	unsigned int s, trial, bad = 0;
	const float nan_first[3] = { 1, NAN, 2 }, zeros[2] = { -0.0f, 0.0f };
	const float infs[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };

	for (s = 0; s < ARRAY_SIZE(sizes); s++)
	for (trial = 0; trial < 40; trial++) {
		unsigned int n = sizes[s], i, first, second, want, got;
		float *x = random_floats(seed, n, -5, 5);

		ASSERT_NE(NULL, x);
		if (trial % 4 == 1) {
			/* a tie for the largest, at two random places */
			first = rng_below(seed, n);
			second = rng_below(seed, n);
			x[first] = x[second] = 7;
		} else if (trial % 4 == 2) {
			for (i = 0; i < n; i++)
				x[i] = (float)(int)x[i];	/* many ties */
		} else if (trial % 4 == 3) {
			for (i = 0; i < n; i++)
				x[i] = 1;
		}
		want = edna_ref_argmax(x, n);
		got = edna_ops_argmax(x, n, cpu);
		if (got != want && bad++ < 3)
			TH_LOG("n %u trial %u: got %u (%g), want %u (%g)", n, trial, got,
			       got < n ? x[got] : NAN, want, x[want]);
		free(x);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(2, edna_ops_argmax(nan_first, 3, cpu));	/* a NaN never wins */
	EXPECT_EQ(0, edna_ops_argmax(zeros, 2, cpu));		/* -0 == +0: the first */
	EXPECT_EQ(0, edna_ops_argmax(infs, 4, cpu));
}

TEST_HARNESS_MAIN
