// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: the op kernels of compiled graphs.
 *
 * One source, two builds: part of edna_sim.ko (an FPU unit: the caller
 * wraps every call in kernel_fpu_begin()/kernel_fpu_end()) and a host
 * object for the tests and bench/host_roofline.c.  So nothing here
 * allocates, sleeps, or calls anything outside this file: no libm.
 *
 * Two paths, chosen per call by the caller's @cpu flags:
 *  - portable: plain C, sums in double.  Any CPU, any compiler; slow.
 *  - AVX2 (x86-64, GCC): GCC vector extensions in 32-byte vectors, in a
 *    region compiled for AVX2, FMA and F16C, and x86 builtins where
 *    vector extensions compile poorly (f16 and int8 widening).  The
 *    region's vectors never reach code compiled without AVX.
 * Both builds use -ffp-contract=fast: a * b + c is an FMA in the AVX2
 * path of either, so the host tests what the kernel runs.
 *
 * Decoding is memory bound: a matrix-vector product must stream W at
 * the memory's speed, so per element of W the AVX2 loops do no more than
 * a widening, a convert and an FMA.  Their partial sums are f32 vectors
 * over at most EDNA_OPS_CHUNK elements, added up in double: long rows
 * keep f32's rounding local.
 *
 * Operands are little endian, like every host this runs on.
 *
 * Copyright 2026 The edna authors
 */

#include "edna_ops.h"

#ifndef __KERNEL__
#include <stdbool.h>
#include <sys/cdefs.h>		/* __always_inline */
typedef __u8 u8;
typedef __u16 u16;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
#endif

/* enum drm_edna_graph_dtype */
#define EDNA_OPS_F32	0
#define EDNA_OPS_F16	1
#define EDNA_OPS_Q8_0	2
#define EDNA_OPS_Q4_0	3

/* 32 elements a block: 34 bytes of q8_0, 18 of q4_0 (an f16 scale first) */
#define EDNA_OPS_QK	32

/* sqrtsd with -fno-math-errno; sparse knows no builtins, only the type. */
#ifdef __CHECKER__
#define edna_ops_sqrt(x)	((double)(x))
#else
#define edna_ops_sqrt(x)	__builtin_sqrt(x)
#endif

/* Elements of one f32 partial sum (a multiple of EDNA_OPS_QK) */
#define EDNA_OPS_CHUNK	2048

/*
 * The AVX2 path needs GCC's x86 builtins; sparse does not parse vector
 * extensions, so it checks the portable path only.
 */
#if defined(__x86_64__) && !defined(__clang__) && !defined(__CHECKER__)
#define EDNA_OPS_X86	1
#else
#define EDNA_OPS_X86	0
#endif

static __always_inline float edna_ops_f32(u32 bits)
{
	union { u32 u; float f; } v = { .u = bits };

	return v.f;
}

static __always_inline u32 edna_ops_f32_bits(float f)
{
	union { float f; u32 u; } v = { .f = f };

	return v.u;
}

static __always_inline double edna_ops_f64(u64 bits)
{
	union { u64 u; double d; } v = { .u = bits };

	return v.d;
}

static __always_inline u64 edna_ops_f64_bits(double d)
{
	union { double d; u64 u; } v = { .d = d };

	return v.u;
}

static __always_inline u16 edna_ops_le16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

/* binary16 to binary32 exactly as F16C's VCVTPH2PS does it (NaNs quiet) */
static __always_inline float edna_ops_f16(u16 h)
{
	u32 sign = (u32)(h & 0x8000) << 16;
	u32 em = h & 0x7fff;
	u32 bits;

	if (em >= 0x7c00)		/* inf or NaN */
		bits = 0x7f800000 | (em & 0x3ff) << 13 | (em > 0x7c00 ? 0x400000 : 0);
	else if (em >= 0x400)		/* normal: rebias the exponent */
		bits = (em << 13) + ((127 - 15) << 23);
	else				/* subnormal or zero: m * 2^-24, exact */
		bits = edna_ops_f32_bits((float)em / 16777216);	/* 2^24 */
	return edna_ops_f32(bits | sign);
}

static __always_inline bool quantised(u32 dtype)
{
	return dtype == EDNA_OPS_Q8_0 || dtype == EDNA_OPS_Q4_0;
}

static __always_inline u64 row_bytes(u32 dtype, u32 n)
{
	switch (dtype) {
	case EDNA_OPS_F32:
		return (u64)n * 4;
	case EDNA_OPS_F16:
		return (u64)n * 2;
	case EDNA_OPS_Q8_0:
		return n % EDNA_OPS_QK ? 0 : (u64)n / EDNA_OPS_QK * 34;
	case EDNA_OPS_Q4_0:
		return n % EDNA_OPS_QK ? 0 : (u64)n / EDNA_OPS_QK * 18;
	}
	return 0;
}

/* ---- expf ---- */

/*
 * e^x = 2^n e^r, n = round(x / ln 2), |r| <= ln 2 / 2.  ln 2 is split so
 * n * LN2_HI is exact; degree 7 Taylor leaves 5e-9 relative, the
 * rounding of the steps about 1 ulp.  2^n is applied in two halves so
 * that results up to inf come out right.  Results below FLT_MIN are 0:
 * a subnormal costs a microcode assist per operation on Intel, and
 * softmax and attention weights of far-behind scores go there often.
 * The AVX2 path runs the same steps on 8 lanes.
 */
#define EXPF_LOG2E	1.44269502f
#define EXPF_LN2_HI	0.693145752f		/* 0x3f317200 */
#define EXPF_LN2_LO	0.00000142860677f	/* ln 2 - EXPF_LN2_HI */
#define EXPF_ROUND	12582912.0f		/* 1.5 * 2^23: adding it rounds */
#define EXPF_MIN_X	(-87.3365448f)		/* ln FLT_MIN */
#define EXPF_MAX_X	89.0f			/* e^x is inf beyond */

/* e^(x + lo), lo a correction far below x's ulp */
static __always_inline float sexp2(float x, float lo)
{
	float t, n, r, p;
	s32 ni, n1;

	if (x < EXPF_MIN_X)
		return 0;
	if (x > EXPF_MAX_X) {
		x = EXPF_MAX_X;
		lo = 0;
	}
	t = x * EXPF_LOG2E + EXPF_ROUND;
	n = t - EXPF_ROUND;
	ni = (s32)(edna_ops_f32_bits(t) - edna_ops_f32_bits(EXPF_ROUND));
	r = x - n * EXPF_LN2_HI;
	r = r - n * EXPF_LN2_LO + lo;
	p = 1.0f / 5040;
	p = p * r + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	n1 = ni >> 1;
	p *= edna_ops_f32((u32)(n1 + 127) << 23);
	return p * edna_ops_f32((u32)(ni - n1 + 127) << 23);
}

/*
 * e^(a - b) with a - b as if exact: the rounding error of the
 * subtraction (exact itself, by TwoSum) joins the reduced argument.
 * Softmax inputs are far apart: 60 - -60 rounds by 4e-6.
 */
static __always_inline float sexp_sub(float a, float b)
{
	float d = a - b, bd = d - a, ad = d - bd;

	return sexp2(d, (a - ad) - (b + bd));
}

/* ---- the portable path ---- */

/* Quant @i of a q8_0 or q4_0 block whose quants start at @q */
static __always_inline int quant(const u8 *q, u32 i, u32 dtype)
{
	if (dtype == EDNA_OPS_Q8_0)
		return (s8)q[i];
	return (i < 16 ? q[i] & 15 : q[i - 16] >> 4) - 8;
}

/* sum_j row[j] * x[j], in double; exact products, so only the sum rounds */
static __always_inline double dot_p(const u8 *row, const float *x, u32 k, u32 dtype)
{
	double s0 = 0, s1 = 0, bs;
	const u8 *blk;
	u32 j, i;

	switch (dtype) {
	case EDNA_OPS_F32:
		for (j = 0; j + 2 <= k; j += 2) {
			s0 += (double)((const float *)row)[j] * x[j];
			s1 += (double)((const float *)row)[j + 1] * x[j + 1];
		}
		if (j < k)
			s0 += (double)((const float *)row)[j] * x[j];
		break;
	case EDNA_OPS_F16:
		for (j = 0; j < k; j++)
			s0 += (double)edna_ops_f16(edna_ops_le16(row + 2 * j)) * x[j];
		break;
	default:
		for (j = 0; j < k / EDNA_OPS_QK; j++) {
			blk = row + (size_t)j * (dtype == EDNA_OPS_Q8_0 ? 34 : 18);
			bs = 0;
			for (i = 0; i < EDNA_OPS_QK; i++)
				bs += (double)x[j * EDNA_OPS_QK + i] * quant(blk + 2, i, dtype);
			s0 += edna_ops_f16(edna_ops_le16(blk)) * bs;
		}
		break;
	}
	return s0 + s1;
}

/* W row by W row: a row meets every row of x while it is in cache */
static void matmul_p(float *dst, u32 ldd, const float *x, u32 ldx, const u8 *w, u32 dtype,
		     u32 rows, u32 k, u32 n0, u32 n1)
{
	u64 rb = row_bytes(dtype, k);
	u32 i, r;

	if (!rb)
		return;
	for (i = n0; i < n1; i++)
		for (r = 0; r < rows; r++)
			dst[(size_t)r * ldd + i] = (float)dot_p(w + i * rb, x + (size_t)r * ldx,
							       k, dtype);
}

static void dequant_p(float *dst, const u8 *row, u32 dtype, u32 n)
{
	const u8 *blk;
	u32 j, i;
	float d;

	switch (dtype) {
	case EDNA_OPS_F32:
		for (j = 0; j < n; j++)
			dst[j] = ((const float *)row)[j];
		break;
	case EDNA_OPS_F16:
		for (j = 0; j < n; j++)
			dst[j] = edna_ops_f16(edna_ops_le16(row + 2 * j));
		break;
	case EDNA_OPS_Q8_0:
	case EDNA_OPS_Q4_0:
		if (n % EDNA_OPS_QK)
			break;
		for (j = 0; j < n / EDNA_OPS_QK; j++) {
			blk = row + (size_t)j * (dtype == EDNA_OPS_Q8_0 ? 34 : 18);
			d = edna_ops_f16(edna_ops_le16(blk));
			for (i = 0; i < EDNA_OPS_QK; i++)
				dst[j * EDNA_OPS_QK + i] = d * quant(blk + 2, i, dtype);
		}
		break;
	}
}

static void rmsnorm_p(float *dst, const float *x, const float *w, u32 n, u32 eps_bits)
{
	double ss = 0;
	float inv;
	u32 i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		ss += (double)x[i] * x[i];
	inv = (float)(1.0 / edna_ops_sqrt(ss / n + edna_ops_f32(eps_bits)));
	for (i = 0; i < n; i++)
		dst[i] = x[i] * inv * w[i];
}

/* The largest of x[0..n), NaNs ignored, -inf if none */
static float max_p(const float *x, u32 n)
{
	float m = -__builtin_inff();
	u32 i;

	for (i = 0; i < n; i++)
		if (x[i] > m)
			m = x[i];
	return m;
}

/* dst[i] = e^(x[i] - m); returns the sum */
static double exp_sum_p(float *dst, const float *x, u32 n, float m)
{
	double sum = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		dst[i] = sexp_sub(x[i], m);
		sum += dst[i];
	}
	return sum;
}

static void softmax_p(float *dst, const float *x, u32 n)
{
	float inv;
	u32 i;

	if (!n)
		return;
	inv = (float)(1.0 / exp_sum_p(dst, x, n, max_p(x, n)));
	for (i = 0; i < n; i++)
		dst[i] *= inv;
}

static void attention_p(float *out, const float *q, const float *k, const float *v, u32 ld,
			u32 hd, u32 len, u32 scale_bits, float *sc)
{
	float scale = scale_bits ? edna_ops_f32(scale_bits) :
		      (float)(1.0 / edna_ops_sqrt((double)hd));
	float inv;
	size_t t;
	u32 j;

	if (!len || !hd)
		return;
	/* all scores first: out may be q */
	for (t = 0; t < len; t++)
		sc[t] = (float)(scale * dot_p((const u8 *)(k + t * ld), q, hd, EDNA_OPS_F32));
	inv = (float)(1.0 / exp_sum_p(sc, sc, len, max_p(sc, len)));
	for (j = 0; j < hd; j++)
		out[j] = 0;
	for (t = 0; t < len; t++)
		for (j = 0; j < hd; j++)
			out[j] += sc[t] * v[t * ld + j];
	for (j = 0; j < hd; j++)
		out[j] *= inv;
}

static void add_p(float *dst, const float *a, const float *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] + b[i];
}

static void mul_p(float *dst, const float *a, const float *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] * b[i];
}

static void silu_mul_p(float *dst, const float *a, const float *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] / (1.0f + sexp2(-a[i], 0)) * b[i];
}

static u32 argmax_p(const float *x, u32 n)
{
	float m = x[0];
	u32 i, best = 0;

	/* strictly greater: the first of equals wins, a NaN never */
	for (i = 1; i < n; i++) {
		if (x[i] > m) {
			m = x[i];
			best = i;
		}
	}
	return best;
}

/* ---- ROPE: one path, scalar double (not hot) ---- */

/*
 * Angles reach 32768 radians (positions to EDNA_GRAPH_MAX_SEQ): they are
 * made and reduced in double, and only sin and cos rounded to f32
 * (Documentation/graph-format.rst says so).
 */
#define ROPE_LN2_HI	0.693147180369123816490		/* 0x3fe62e42fee00000 */
#define ROPE_LN2_LO	0.000000000190821492927058770002
#define ROPE_SQRT2	1.41421356237309514547
#define ROPE_2_PI	0.636619772367581382433		/* 2 / pi */
#define ROPE_PIO2_HI	1.57079632673412561417		/* 33 bits: n * it is exact */
#define ROPE_PIO2_LO	0.0000000000607710050650619224932 /* pi / 2 - PIO2_HI */
#define ROPE_ROUND	6755399441055744.0		/* 1.5 * 2^52: adding it rounds */

/* 1 / k!: the Taylor series of e^r, sin r and cos r */
static const double rope_fact[21] = {
	1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
	1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
	1.0 / 6227020800.0, 1.0 / 87178291200.0, 1.0 / 1307674368000.0,
	1.0 / 20922789888000.0, 1.0 / 355687428096000.0, 1.0 / 6402373705728000.0,
	1.0 / 121645100408832000.0, 1.0 / 2432902008176640000.0,
};

/* ln x */
static double rope_log(double x)
{
	u64 bits = edna_ops_f64_bits(x);
	int e = (int)((bits >> 52) & 0x7ff) - 1023;
	double m, s, s2, p;
	int j;

	if (!(x > 0 && x < __builtin_inf()))	/* 0, < 0, inf, NaN */
		return x == 0 ? -__builtin_inf() : x > 0 ? x : __builtin_nan("");
	if (e == -1023) {		/* subnormal: scale up first */
		x *= 18014398509481984.0;	/* 2^54 */
		bits = edna_ops_f64_bits(x);
		e = (int)((bits >> 52) & 0x7ff) - 1023 - 54;
	}
	m = edna_ops_f64((bits & ((1ull << 52) - 1)) | (1023ull << 52));
	if (m > ROPE_SQRT2) {
		m *= 0.5;
		e++;
	}
	/* ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172: to s^25, 1e-20 */
	s = (m - 1) / (m + 1);
	s2 = s * s;
	p = 1.0 / 25;
	for (j = 23; j >= 1; j -= 2)
		p = p * s2 + 1.0 / j;
	return e * ROPE_LN2_HI + (e * ROPE_LN2_LO + 2 * s * p);
}

/* e^y */
static double rope_exp(double y)
{
	double t, n, r, p = rope_fact[14];
	s64 ni, n1;
	int j;

	if (!(y > -700 && y < 700))	/* far out, or NaN */
		return y < 0 ? 0 : y + y;
	t = y * (1 / ROPE_LN2_HI) + ROPE_ROUND;
	n = t - ROPE_ROUND;
	r = (y - n * ROPE_LN2_HI) - n * ROPE_LN2_LO;
	ni = (s64)n;
	n1 = ni / 2;
	/* Taylor to r^14 at |r| <= 0.35: 1e-19 */
	for (j = 13; j >= 0; j--)
		p = p * r + rope_fact[j];
	p *= edna_ops_f64((u64)(n1 + 1023) << 52);
	return p * edna_ops_f64((u64)(ni - n1 + 1023) << 52);
}

struct rope_sc {
	double s, c;
};

/* Returned by value: a pointer to a local would cost a stack canary */
static struct rope_sc rope_sincos(double a)
{
	double t, n, r, u, ps, pc;
	int j;

	if (!(a > -1e9 && a < 1e9))	/* NaN or inf: no angle */
		return (struct rope_sc){ __builtin_nan(""), __builtin_nan("") };
	t = a * ROPE_2_PI + ROPE_ROUND;
	n = t - ROPE_ROUND;
	r = (a - n * ROPE_PIO2_HI) - n * ROPE_PIO2_LO;
	/* Taylor at |r| <= pi / 4 in u = -r^2: to r^19 and r^20, 1e-20 */
	u = -r * r;
	ps = rope_fact[19];
	pc = rope_fact[20];
	for (j = 8; j >= 0; j--) {
		ps = ps * u + rope_fact[2 * j + 1];
		pc = pc * u + rope_fact[2 * j + 2];
	}
	pc = pc * u + 1;
	ps *= r;
	switch ((s64)n & 3) {		/* a = n pi / 2 + r */
	case 0:
		return (struct rope_sc){ ps, pc };
	case 1:
		return (struct rope_sc){ pc, -ps };
	case 2:
		return (struct rope_sc){ -ps, -pc };
	default:
		return (struct rope_sc){ -pc, ps };
	}
}

static void rope_t(float *dst, const float *src, u32 heads, u32 hd, u32 pos, u32 theta_bits)
{
	double lt = rope_log(edna_ops_f32(theta_bits));
	struct rope_sc sc;
	float s, c;
	u32 i, h;

	for (i = 0; i < hd / 2; i++) {
		/* theta^(-2i/hd); the first pair turns by pos whatever theta is */
		sc = rope_sincos(i ? pos * rope_exp(-(2.0 * i / hd) * lt) : pos);
		s = (float)sc.s;
		c = (float)sc.c;
		for (h = 0; h < heads; h++) {
			size_t o = (size_t)h * hd + 2 * i;
			double x0 = src[o], x1 = src[o + 1];

			/* in double: one rounding per result */
			dst[o] = (float)(x0 * c - x1 * s);
			dst[o + 1] = (float)(x0 * s + x1 * c);
		}
	}
	if (hd % 2)			/* an odd last element has no pair */
		for (h = 0; h < heads; h++)
			dst[(size_t)h * hd + hd - 1] = src[(size_t)h * hd + hd - 1];
}

/* ---- the AVX2 path ---- */

#if EDNA_OPS_X86
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")

/*
 * Bytes of W rows that meet all rows of x before the next block: small
 * enough to stay in L2 next to a tile of x, so W comes from memory once.
 */
#define EDNA_OPS_WBLOCK	(192u << 10)

/*
 * Prefetch W 4 KiB ahead.  A q8_0 or q4_0 loop spends so many
 * instructions per byte that the out-of-order window alone keeps too few
 * cache misses in flight: 0.45 of the read bandwidth without this, 0.9
 * with.  f32 gains a little too.  Past a row's end is the next row; past
 * the matrix's end a prefetch does nothing.
 */
#define EDNA_OPS_PREFETCH	4096

typedef float __attribute__((__vector_size__(32))) v8sf;
typedef s32 v8si __attribute__((__vector_size__(32)));
typedef u32 v8su __attribute__((__vector_size__(32)));
typedef s64 v2di __attribute__((__vector_size__(16)));
/* The element types GCC declares its builtins with */
typedef char __attribute__((__vector_size__(16))) v16qi;
typedef s16 v8hi __attribute__((__vector_size__(16)));

/*
 * Loads and stores through memcpy(): operands are only element aligned,
 * and W's bytes are read as whatever the dtype says.  Each becomes one
 * unaligned move.
 */
static __always_inline u32 edna_ops_min(u32 a, u32 b)
{
	return a < b ? a : b;
}

static __always_inline v8sf ld8(const float *p)
{
	v8sf v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline void st8(float *p, v8sf v)
{
	__builtin_memcpy(p, &v, sizeof(v));
}

static __always_inline v8hi ld8h(const u8 *p)
{
	v8hi v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* 8 bytes at @p in the low half of a vector */
static __always_inline v16qi ld8b(const u8 *p)
{
	v2di v = { 0 };

	__builtin_memcpy(&v, p, 8);
	return (v16qi)v;
}

static __always_inline v8sf splat(float f)
{
	return (v8sf){ f, f, f, f, f, f, f, f };
}

/* m ? a : b lane by lane, m all ones or all zeros (C has no vector ?:) */
static __always_inline v8sf sel(v8si m, v8sf a, v8sf b)
{
	return (v8sf)(((v8si)a & m) | ((v8si)b & ~m));
}

static __always_inline float hsum(v8sf a)
{
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

/* ---- f16, q8_0 and q4_0 to f32 ---- */

/* The f16 at @p, reading only its 2 bytes */
static __always_inline float f16(const u8 *p)
{
	v8hi h = { (s16)edna_ops_le16(p) };

	return __builtin_ia32_vcvtph2ps(h)[0];
}

/*
 * The f16 at @p, a q8_0 or q4_0 scale, reading 16 bytes (in its block):
 * converted from memory it costs no shuffle, of which a q8_0 block
 * already needs five.
 */
static __always_inline float f16_scale(const u8 *p)
{
	return __builtin_ia32_vcvtph2ps256(ld8h(p))[0];
}

static __always_inline v8sf f16x8(const u8 *p)
{
	return __builtin_ia32_vcvtph2ps256(ld8h(p));
}

/* The 8 bytes at @p widened to 32-bit lanes: as int8 (s8x8) or uint8 (u8x8) */
static __always_inline v8si s8x8(const u8 *p)
{
	return (v8si)__builtin_ia32_pmovsxbd256(ld8b(p));
}

static __always_inline v8si u8x8(const u8 *p)
{
	return (v8si)__builtin_ia32_pmovzxbd256(ld8b(p));
}

/*
 * Elements 32b..32b+31 of a W row into @q; returns the block's scale
 * (1 for f32 and f16), not yet applied.  A q4_0 element i < 16 is the
 * low nibble of byte i, element i + 16 its high nibble.
 */
static __always_inline float wblock(v8sf q[4], const u8 *row, u32 b, u32 dtype)
{
	const u8 *p;
	v8si lo, hi;

	switch (dtype) {
	case EDNA_OPS_F32:
		p = row + (size_t)b * 128;
		q[0] = ld8((const float *)p);
		q[1] = ld8((const float *)p + 8);
		q[2] = ld8((const float *)p + 16);
		q[3] = ld8((const float *)p + 24);
		return 1;
	case EDNA_OPS_F16:
		p = row + (size_t)b * 64;
		q[0] = f16x8(p);
		q[1] = f16x8(p + 16);
		q[2] = f16x8(p + 32);
		q[3] = f16x8(p + 48);
		return 1;
	case EDNA_OPS_Q8_0:
		p = row + (size_t)b * 34;
		q[0] = __builtin_convertvector(s8x8(p + 2), v8sf);
		q[1] = __builtin_convertvector(s8x8(p + 10), v8sf);
		q[2] = __builtin_convertvector(s8x8(p + 18), v8sf);
		q[3] = __builtin_convertvector(s8x8(p + 26), v8sf);
		return f16_scale(p);
	default:
		p = row + (size_t)b * 18;
		lo = u8x8(p + 2);
		hi = u8x8(p + 10);
		q[0] = __builtin_convertvector((lo & 15) - 8, v8sf);
		q[1] = __builtin_convertvector((hi & 15) - 8, v8sf);
		q[2] = __builtin_convertvector((lo >> 4) - 8, v8sf);
		q[3] = __builtin_convertvector((hi >> 4) - 8, v8sf);
		return f16_scale(p);
	}
}

/* Element @j of an f32 or f16 row, and 8 from @j (their rows need not fill a block) */
static __always_inline float welem(const u8 *row, u32 j, u32 dtype)
{
	if (dtype == EDNA_OPS_F32)
		return ((const float *)row)[j];
	return f16(row + (size_t)j * 2);
}

static __always_inline v8sf welem8(const u8 *row, u32 j, u32 dtype)
{
	if (dtype == EDNA_OPS_F32)
		return ld8((const float *)row + j);
	return f16x8(row + (size_t)j * 2);
}

static __always_inline void prefetch_w(const u8 *row, u32 b, u32 dtype)
{
	static const u8 block_bytes[] = { 128, 64, 34, 18 };
	const u8 *p = row + (size_t)b * block_bytes[dtype] + EDNA_OPS_PREFETCH;

	__builtin_prefetch(p);
	if (dtype == EDNA_OPS_F32)		/* two cache lines a block */
		__builtin_prefetch(p + 64);
}

/* ---- matmul ---- */

/* sum_j row[j] * x[j], j < k */
static __always_inline double dot1(const u8 *row, const float *x, u32 k, u32 dtype)
{
	u32 nb = k / EDNA_OPS_QK, b = 0, end, j;
	v8sf q[4], t = { 0 };
	double sum = 0;
	float tail = 0;

	while (b < nb) {
		v8sf a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };

		end = b + edna_ops_min(nb - b, EDNA_OPS_CHUNK / EDNA_OPS_QK);
		for (; b < end; b++) {
			const float *xb = x + (size_t)b * EDNA_OPS_QK;
			float d = wblock(q, row, b, dtype);

			prefetch_w(row, b, dtype);
			if (quantised(dtype)) {
				/* scale once per block, not per element */
				v8sf p = q[0] * ld8(xb);

				p += q[1] * ld8(xb + 8);
				p += q[2] * ld8(xb + 16);
				p += q[3] * ld8(xb + 24);
				a0 += d * p;
			} else {
				a0 += q[0] * ld8(xb);
				a1 += q[1] * ld8(xb + 8);
				a2 += q[2] * ld8(xb + 16);
				a3 += q[3] * ld8(xb + 24);
			}
		}
		sum += hsum((a0 + a1) + (a2 + a3));
	}
	/* only f32 and f16 rows have a partial block */
	for (j = nb * EDNA_OPS_QK; j + 8 <= k; j += 8)
		t += welem8(row, j, dtype) * ld8(x + j);
	for (; j < k; j++)
		tail += welem(row, j, dtype) * x[j];
	return sum + (hsum(t) + tail);
}

/* dot1() of one W row with 4 rows of x, @ldx apart: W is decoded once */
static __always_inline void dot4(float *dst, u32 ldd, const u8 *row, const float *x, u32 ldx,
				 u32 k, u32 dtype)
{
	const float *x0 = x, *x1 = x0 + ldx, *x2 = x1 + ldx, *x3 = x2 + ldx;
	u32 nb = k / EDNA_OPS_QK, b = 0, end, j;
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	v8sf q[4];

	while (b < nb) {
		v8sf a0 = { 0 }, a1 = { 0 }, b0 = { 0 }, b1 = { 0 };
		v8sf c0 = { 0 }, c1 = { 0 }, d0 = { 0 }, d1 = { 0 };

		end = b + edna_ops_min(nb - b, EDNA_OPS_CHUNK / EDNA_OPS_QK);
		for (; b < end; b++) {
			size_t o = (size_t)b * EDNA_OPS_QK;
			float d = wblock(q, row, b, dtype);

			prefetch_w(row, b, dtype);
			if (quantised(dtype)) {
				q[0] *= d;
				q[1] *= d;
				q[2] *= d;
				q[3] *= d;
			}
			a0 += q[0] * ld8(x0 + o);
			a1 += q[1] * ld8(x0 + o + 8);
			b0 += q[0] * ld8(x1 + o);
			b1 += q[1] * ld8(x1 + o + 8);
			c0 += q[0] * ld8(x2 + o);
			c1 += q[1] * ld8(x2 + o + 8);
			d0 += q[0] * ld8(x3 + o);
			d1 += q[1] * ld8(x3 + o + 8);
			a0 += q[2] * ld8(x0 + o + 16);
			a1 += q[3] * ld8(x0 + o + 24);
			b0 += q[2] * ld8(x1 + o + 16);
			b1 += q[3] * ld8(x1 + o + 24);
			c0 += q[2] * ld8(x2 + o + 16);
			c1 += q[3] * ld8(x2 + o + 24);
			d0 += q[2] * ld8(x3 + o + 16);
			d1 += q[3] * ld8(x3 + o + 24);
		}
		s0 += hsum(a0 + a1);
		s1 += hsum(b0 + b1);
		s2 += hsum(c0 + c1);
		s3 += hsum(d0 + d1);
	}
	if (nb * EDNA_OPS_QK < k) {
		v8sf a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
		float ta = 0, tb = 0, tc = 0, td = 0;

		for (j = nb * EDNA_OPS_QK; j + 8 <= k; j += 8) {
			v8sf e = welem8(row, j, dtype);

			a += e * ld8(x0 + j);
			b += e * ld8(x1 + j);
			c += e * ld8(x2 + j);
			d += e * ld8(x3 + j);
		}
		for (; j < k; j++) {
			float e = welem(row, j, dtype);

			ta += e * x0[j];
			tb += e * x1[j];
			tc += e * x2[j];
			td += e * x3[j];
		}
		s0 += hsum(a) + ta;
		s1 += hsum(b) + tb;
		s2 += hsum(c) + tc;
		s3 += hsum(d) + td;
	}
	dst[0] = s0;
	dst[ldd] = s1;
	dst[2 * (size_t)ldd] = s2;
	dst[3 * (size_t)ldd] = s3;
}

static __always_inline void matmul_t(float *dst, u32 ldd, const float *x, u32 ldx, const u8 *w,
				     u32 dtype, u32 rows, u32 k, u32 n0, u32 n1)
{
	u64 rb = row_bytes(dtype, k);
	u32 blk, i, i0, i1, r;

	if (rows == 1) {
		for (i = n0; i < n1; i++)
			dst[i] = dot1(w + i * rb, x, k, dtype);
		return;
	}
	blk = rb >= EDNA_OPS_WBLOCK ? 1 : EDNA_OPS_WBLOCK / (u32)rb;
	for (i0 = n0; i0 < n1; i0 = i1) {
		i1 = i0 + edna_ops_min(n1 - i0, blk);
		for (r = 0; r + 4 <= rows; r += 4)
			for (i = i0; i < i1; i++)
				dot4(dst + (size_t)r * ldd + i, ldd, w + i * rb,
				     x + (size_t)r * ldx, ldx, k, dtype);
		for (; r < rows; r++)
			for (i = i0; i < i1; i++)
				dst[(size_t)r * ldd + i] = dot1(w + i * rb, x + (size_t)r * ldx,
								k, dtype);
	}
}

/* One copy per dtype, so the inner loops test no dtype */
static void edna_ops_matmul_avx2(float *dst, u32 ldd, const float *x, u32 ldx, const u8 *w,
				 u32 dtype, u32 rows, u32 k, u32 n0, u32 n1)
{
	switch (dtype) {
	case EDNA_OPS_F32:
		matmul_t(dst, ldd, x, ldx, w, EDNA_OPS_F32, rows, k, n0, n1);
		break;
	case EDNA_OPS_F16:
		matmul_t(dst, ldd, x, ldx, w, EDNA_OPS_F16, rows, k, n0, n1);
		break;
	case EDNA_OPS_Q8_0:
		matmul_t(dst, ldd, x, ldx, w, EDNA_OPS_Q8_0, rows, k, n0, n1);
		break;
	case EDNA_OPS_Q4_0:
		matmul_t(dst, ldd, x, ldx, w, EDNA_OPS_Q4_0, rows, k, n0, n1);
		break;
	}
}

/* ---- EMBED ---- */

static __always_inline void dequant_t(float *dst, const u8 *row, u32 dtype, u32 n)
{
	u32 b, j = 0;
	v8sf q[4];
	float d;

	if (quantised(dtype)) {
		for (b = 0; b < n / EDNA_OPS_QK; b++) {
			d = wblock(q, row, b, dtype);
			st8(dst + 32 * (size_t)b, d * q[0]);
			st8(dst + 32 * (size_t)b + 8, d * q[1]);
			st8(dst + 32 * (size_t)b + 16, d * q[2]);
			st8(dst + 32 * (size_t)b + 24, d * q[3]);
		}
		return;
	}
	for (; j + 8 <= n; j += 8)
		st8(dst + j, welem8(row, j, dtype));
	for (; j < n; j++)
		dst[j] = welem(row, j, dtype);
}

static void edna_ops_dequant_avx2(float *dst, const u8 *row, u32 dtype, u32 n)
{
	switch (dtype) {
	case EDNA_OPS_F32:
		dequant_t(dst, row, EDNA_OPS_F32, n);
		break;
	case EDNA_OPS_F16:
		dequant_t(dst, row, EDNA_OPS_F16, n);
		break;
	case EDNA_OPS_Q8_0:
		dequant_t(dst, row, EDNA_OPS_Q8_0, n);
		break;
	case EDNA_OPS_Q4_0:
		dequant_t(dst, row, EDNA_OPS_Q4_0, n);
		break;
	}
}

/* ---- exp, softmax ---- */

/* sexp2() on 8 lanes */
static __always_inline v8sf vexp2(v8sf x, v8sf lo)
{
	v8si zero = x < splat(EXPF_MIN_X), inf = x > splat(EXPF_MAX_X);
	v8sf t, n, r, p;
	v8si ni, n1;

	/* keep n in range where the result is known anyway; NaNs stay */
	x = sel(zero, splat(0), x);
	x = sel(inf, splat(EXPF_MAX_X), x);
	lo = sel(zero | inf, splat(0), lo);
	t = x * EXPF_LOG2E + EXPF_ROUND;
	n = t - EXPF_ROUND;
	ni = (v8si)t - (v8si)splat(EXPF_ROUND);
	r = x - n * EXPF_LN2_HI;
	r = r - n * EXPF_LN2_LO + lo;
	p = splat(1.0f / 5040);
	p = p * r + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	n1 = ni >> 1;
	p *= (v8sf)((n1 + 127) << 23);
	p *= (v8sf)((ni - n1 + 127) << 23);
	return (v8sf)((v8si)p & ~zero);
}

/* sexp_sub() on 8 lanes */
static __always_inline v8sf vexp_sub(v8sf a, float b)
{
	v8sf d = a - b, bd = d - a, ad = d - bd;

	return vexp2(d, (a - ad) - (b + bd));
}

/* dst[i] = e^(x[i] - m); returns the sum */
static __always_inline double exp_sum(float *dst, const float *x, u32 n, float m)
{
	double sum = 0;
	u32 i = 0, end;
	float tail = 0;

	while (n - i >= 8) {
		v8sf s = { 0 };

		end = i + (edna_ops_min(n - i, EDNA_OPS_CHUNK) & ~7u);
		for (; i < end; i += 8) {
			v8sf e = vexp_sub(ld8(x + i), m);

			st8(dst + i, e);
			s += e;
		}
		sum += hsum(s);
	}
	for (; i < n; i++) {
		dst[i] = sexp_sub(x[i], m);
		tail += dst[i];
	}
	return sum + tail;
}

/* a or b, lane by lane, whichever is larger (b where a is a NaN) */
static __always_inline v8sf max8(v8sf a, v8sf b)
{
	return sel(a > b, a, b);
}

/*
 * Lane l and lane l ^ s swapped, for reductions across lanes.  (A
 * variable index into a vector would put it on the stack: a canary.)
 */
#define SWAP4	((v8si){ 4, 5, 6, 7, 0, 1, 2, 3 })
#define SWAP2	((v8si){ 2, 3, 0, 1, 6, 7, 4, 5 })
#define SWAP1	((v8si){ 1, 0, 3, 2, 5, 4, 7, 6 })

/* The largest of x[0..n), NaNs ignored, -inf if none */
static __always_inline float vmax(const float *x, u32 n)
{
	v8sf m = splat(-__builtin_inff());
	float best;
	u32 i;

	for (i = 0; i + 8 <= n; i += 8)
		m = max8(ld8(x + i), m);
	m = max8(m, __builtin_shuffle(m, SWAP4));
	m = max8(m, __builtin_shuffle(m, SWAP2));
	best = max8(m, __builtin_shuffle(m, SWAP1))[0];
	for (; i < n; i++)
		if (x[i] > best)
			best = x[i];
	return best;
}

static __always_inline void scale8(float *dst, u32 n, float s)
{
	u32 i;

	for (i = 0; i + 8 <= n; i += 8)
		st8(dst + i, ld8(dst + i) * s);
	for (; i < n; i++)
		dst[i] *= s;
}

static void edna_ops_softmax_avx2(float *dst, const float *x, u32 n)
{
	if (!n)
		return;
	scale8(dst, n, (float)(1.0 / exp_sum(dst, x, n, vmax(x, n))));
}

/* ---- elementwise ---- */

static void edna_ops_add_avx2(float *dst, const float *a, const float *b, u32 n)
{
	u32 i;

	for (i = 0; i + 8 <= n; i += 8)
		st8(dst + i, ld8(a + i) + ld8(b + i));
	for (; i < n; i++)
		dst[i] = a[i] + b[i];
}

static void edna_ops_mul_avx2(float *dst, const float *a, const float *b, u32 n)
{
	u32 i;

	for (i = 0; i + 8 <= n; i += 8)
		st8(dst + i, ld8(a + i) * ld8(b + i));
	for (; i < n; i++)
		dst[i] = a[i] * b[i];
}

static void edna_ops_silu_mul_avx2(float *dst, const float *a, const float *b, u32 n)
{
	u32 i;

	for (i = 0; i + 8 <= n; i += 8) {
		v8sf v = ld8(a + i);

		st8(dst + i, v / (1.0f + vexp2(-v, splat(0))) * ld8(b + i));
	}
	for (; i < n; i++)
		dst[i] = a[i] / (1.0f + sexp2(-a[i], 0)) * b[i];
}

/* ---- RMSNORM ---- */

static void edna_ops_rmsnorm_avx2(float *dst, const float *x, const float *w, u32 n,
				  u32 eps_bits)
{
	double ss = 0;
	float inv, tail = 0;
	u32 i = 0, end;

	if (!n)
		return;
	while (n - i >= 8) {
		v8sf s = { 0 };

		end = i + (edna_ops_min(n - i, EDNA_OPS_CHUNK) & ~7u);
		for (; i < end; i += 8) {
			v8sf v = ld8(x + i);

			s += v * v;
		}
		ss += hsum(s);
	}
	for (; i < n; i++)
		tail += x[i] * x[i];
	ss += tail;
	inv = (float)(1.0 / edna_ops_sqrt(ss / n + edna_ops_f32(eps_bits)));
	for (i = 0; i + 8 <= n; i += 8)
		st8(dst + i, ld8(x + i) * inv * ld8(w + i));
	for (; i < n; i++)
		dst[i] = x[i] * inv * w[i];
}

/* ---- ATTENTION ---- */

static void edna_ops_attention_avx2(float *out, const float *q, const float *k,
				    const float *v, u32 ld, u32 hd, u32 len, u32 scale_bits,
				    float *sc)
{
	float scale = scale_bits ? edna_ops_f32(scale_bits) :
		      (float)(1.0 / edna_ops_sqrt((double)hd));
	float inv;
	size_t t;
	u32 j;

	if (!len || !hd)
		return;
	/* all scores first: out may be q */
	for (t = 0; t < len; t++)
		sc[t] = (float)(scale * dot1((const u8 *)(k + t * ld), q, hd, EDNA_OPS_F32));
	inv = (float)(1.0 / exp_sum(sc, sc, len, vmax(sc, len)));

	/* out = sum_t p_t v_t, four t a pass over out */
	for (j = 0; j + 8 <= hd; j += 8)
		st8(out + j, splat(0));
	for (; j < hd; j++)
		out[j] = 0;
	for (t = 0; t < len; t += 4) {
		const float *v0 = v + t * ld, *v1 = v0 + ld, *v2 = v1 + ld, *v3 = v2 + ld;
		float p0 = sc[t], p1 = 0, p2 = 0, p3 = 0;

		/* past the end, weight 0 on a row already seen */
		if (t + 1 < len)
			p1 = sc[t + 1];
		else
			v1 = v0;
		if (t + 2 < len)
			p2 = sc[t + 2];
		else
			v2 = v0;
		if (t + 3 < len)
			p3 = sc[t + 3];
		else
			v3 = v0;
		for (j = 0; j + 8 <= hd; j += 8) {
			v8sf o = ld8(out + j);

			o += p0 * ld8(v0 + j);
			o += p1 * ld8(v1 + j);
			o += p2 * ld8(v2 + j);
			o += p3 * ld8(v3 + j);
			st8(out + j, o);
		}
		for (; j < hd; j++)
			out[j] += p0 * v0[j] + p1 * v1[j] + p2 * v2[j] + p3 * v3[j];
	}
	scale8(out, hd, inv);
}

/* ---- ARGMAX ---- */

/*
 * Lane by lane: where (v, vi) beats (m, mi), m and mi take v and vi.
 * Beats: larger, or as large at a smaller index (argmax wants the first);
 * a NaN never.
 */
static __always_inline void argmax_step(v8sf *m, v8si *mi, v8sf v, v8si vi)
{
	v8su vu = (v8su)vi, mu = (v8su)*mi;
	v8si win = (v > *m) | ((v == *m) & (vu < mu));

	*m = sel(win, v, *m);
	*mi = (*mi & ~win) | (vi & win);
}

/* Lane 0 of (m, mi) beaten by none of the others */
static __always_inline void argmax_reduce(v8sf *m, v8si *mi)
{
	argmax_step(m, mi, __builtin_shuffle(*m, SWAP4), __builtin_shuffle(*mi, SWAP4));
	argmax_step(m, mi, __builtin_shuffle(*m, SWAP2), __builtin_shuffle(*mi, SWAP2));
	argmax_step(m, mi, __builtin_shuffle(*m, SWAP1), __builtin_shuffle(*mi, SWAP1));
}

static u32 edna_ops_argmax_avx2(const float *x, u32 n)
{
	v8sf m0 = splat(x[0]), m1 = m0;
	v8si mi0 = { 0 }, mi1 = { 0 }, idx = { 0, 1, 2, 3, 4, 5, 6, 7 };
	float best;
	u32 i, bi;

	/*
	 * Two sets of lanes, each keeping its first largest; both start
	 * at x[0], so one that never moves is (x[0], 0).
	 */
	for (i = 0; i + 16 <= n; i += 16) {
		argmax_step(&m0, &mi0, ld8(x + i), idx);
		argmax_step(&m1, &mi1, ld8(x + i + 8), idx + 8);
		idx += 16;
	}
	if (i + 8 <= n) {
		argmax_step(&m0, &mi0, ld8(x + i), idx);
		i += 8;
	}
	argmax_step(&m0, &mi0, m1, mi1);
	argmax_reduce(&m0, &mi0);
	best = m0[0];
	bi = mi0[0];
	for (; i < n; i++) {
		if (x[i] > best) {
			best = x[i];
			bi = i;
		}
	}
	return bi;
}

#pragma GCC pop_options
#define EDNA_OPS_AVX2(cpu)	((cpu) & EDNA_OPS_CPU_AVX2)
#else
/* No AVX2 path: EDNA_OPS_AVX2() is false, these are never called */
#define EDNA_OPS_AVX2(cpu)	((void)(cpu), false)
#define edna_ops_matmul_avx2	matmul_p
#define edna_ops_dequant_avx2	dequant_p
#define edna_ops_rmsnorm_avx2	rmsnorm_p
#define edna_ops_attention_avx2	attention_p
#define edna_ops_add_avx2	add_p
#define edna_ops_mul_avx2	mul_p
#define edna_ops_silu_mul_avx2	silu_mul_p
#define edna_ops_softmax_avx2	softmax_p
#define edna_ops_argmax_avx2	argmax_p
#endif /* EDNA_OPS_X86 */

/* ---- the interface ---- */

u64 edna_ops_row_bytes(u32 dtype, u32 n)
{
	return row_bytes(dtype, n);
}

void edna_ops_dequant_row(float *dst, const void *row, u32 dtype, u32 n, u32 cpu)
{
	if (quantised(dtype) && n % EDNA_OPS_QK)
		return;
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_dequant_avx2(dst, row, dtype, n);
	else
		dequant_p(dst, row, dtype, n);
}

void edna_ops_rmsnorm(float *dst, const float *x, const float *w, u32 n, u32 eps_bits,
		      u32 cpu)
{
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_rmsnorm_avx2(dst, x, w, n, eps_bits);
	else
		rmsnorm_p(dst, x, w, n, eps_bits);
}

void edna_ops_matmul(float *dst, u32 ldd, const float *x, u32 ldx, const void *w, u32 dtype,
		     u32 rows, u32 k, u32 n0, u32 n1, u32 cpu)
{
	if (!row_bytes(dtype, k))
		return;
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_matmul_avx2(dst, ldd, x, ldx, w, dtype, rows, k, n0, n1);
	else
		matmul_p(dst, ldd, x, ldx, w, dtype, rows, k, n0, n1);
}

void edna_ops_rope(float *dst, const float *src, u32 heads, u32 hd, u32 pos, u32 theta_bits,
		   u32 cpu)
{
	(void)cpu;		/* one path: scalar double, not hot */
	rope_t(dst, src, heads, hd, pos, theta_bits);
}

void edna_ops_attention_head(float *out, const float *q, const float *k, const float *v, u32 ld,
			     u32 hd, u32 len, u32 scale_bits, float *scratch, u32 cpu)
{
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_attention_avx2(out, q, k, v, ld, hd, len, scale_bits, scratch);
	else
		attention_p(out, q, k, v, ld, hd, len, scale_bits, scratch);
}

void edna_ops_add(float *dst, const float *a, const float *b, u32 n, u32 cpu)
{
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_add_avx2(dst, a, b, n);
	else
		add_p(dst, a, b, n);
}

void edna_ops_mul(float *dst, const float *a, const float *b, u32 n, u32 cpu)
{
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_mul_avx2(dst, a, b, n);
	else
		mul_p(dst, a, b, n);
}

void edna_ops_silu_mul(float *dst, const float *a, const float *b, u32 n, u32 cpu)
{
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_silu_mul_avx2(dst, a, b, n);
	else
		silu_mul_p(dst, a, b, n);
}

void edna_ops_softmax(float *dst, const float *x, u32 n, u32 cpu)
{
	if (EDNA_OPS_AVX2(cpu))
		edna_ops_softmax_avx2(dst, x, n);
	else
		softmax_p(dst, x, n);
}

u32 edna_ops_argmax(const float *x, u32 n, u32 cpu)
{
	if (!n)
		return 0;
	if (EDNA_OPS_AVX2(cpu))
		return edna_ops_argmax_avx2(x, n);
	return argmax_p(x, n);
}
