// SPDX-License-Identifier: GPL-2.0
/*
 * edna_ref: the CPU reference of the compiled-graph ops, and a graph
 * interpreter.  See edna_ref.h for what it promises and why it is
 * written the slow, plain way.
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "edna_ref.h"

/* ---- little-endian bytes ------------------------------------------------ */

/* Operands and records are little endian whatever the host is. */
static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- number formats ------------------------------------------------------ */

uint32_t edna_ref_f32_bits(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

float edna_ref_bits_f32(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/*
 * binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
 * binary32: 1, 8 (bias 127), 23.  Every f16 is an f32, so this only
 * re-encodes: the fraction moves up 13 bits, the exponent is rebiased,
 * and a subnormal f16 (exponent field 0: fraction * 2^-24) becomes a
 * normal f32 by shifting its leading one up to the implicit position.
 */
float edna_ref_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t frac = h & 0x3ff;
	int32_t e;

	if (exp == 0x1f)	/* inf, or NaN with its payload (quiet bit included) */
		return edna_ref_bits_f32(sign | 0x7f800000u | frac << 13);
	if (exp == 0) {
		if (frac == 0)
			return edna_ref_bits_f32(sign);
		/* frac * 2^-24 = 1.f * 2^e once the leading one is at bit 10 */
		e = -14;
		while (!(frac & 0x400)) {
			frac <<= 1;
			e--;
		}
		frac &= 0x3ff;
		return edna_ref_bits_f32(sign | (uint32_t)(e + 127) << 23 | frac << 13);
	}
	return edna_ref_bits_f32(sign | (exp - 15 + 127) << 23 | frac << 13);
}

/*
 * Round the integer significand m right by shift bits, to nearest, ties
 * to the even result.
 */
static uint32_t shift_round_even(uint32_t m, unsigned int shift)
{
	uint32_t kept = m >> shift;
	uint32_t rest = m & ((1u << shift) - 1);
	uint32_t half = 1u << (shift - 1);

	if (rest > half || (rest == half && (kept & 1)))
		kept++;
	return kept;
}

uint16_t edna_ref_f32_to_f16(float f)
{
	uint32_t bits = edna_ref_f32_bits(f);
	uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
	uint32_t exp = (bits >> 23) & 0xff;
	uint32_t frac = bits & 0x7fffff;
	int32_t e = (int32_t)exp - 127;
	uint32_t half;

	if (exp == 0xff) {
		if (!frac)
			return sign | 0x7c00;
		/* NaN: keep the top of the payload, and make sure it stays a NaN */
		return sign | 0x7c00 | 0x200 | (uint16_t)(frac >> 13);
	}
	/* f32 zeros and subnormals are below 2^-126, far under half of 2^-24 */
	if (exp == 0)
		return sign;
	/* 2^16 and above is past 65520, the midpoint of 65504 and 2^16: inf */
	if (e > 15)
		return sign | 0x7c00;
	if (e >= -14) {
		/*
		 * A normal f16: 23 fraction bits to 10.  Rounding up may carry
		 * into the exponent, which is the right encoding, up to inf.
		 */
		half = (uint32_t)(e + 15) << 10 | frac >> 13;
		return sign | (uint16_t)shift_round_even(half << 13 | (frac & 0x1fff), 13);
	}
	/*
	 * Subnormal or zero: the value is (2^23 + frac) * 2^(e-23), and an f16
	 * subnormal counts units of 2^-24, so the significand moves right by
	 * -e - 1 bits: 14 for e = -15 up to 24 for e = -25, where the value
	 * is at least half a unit.  Below that it rounds to zero.  A result
	 * of 0x400 is the smallest normal, correctly encoded.
	 */
	if (e < -25)
		return sign;
	return sign | (uint16_t)shift_round_even(frac | 0x800000, (unsigned int)(-e - 1));
}

uint64_t edna_ref_row_bytes(int dtype, uint64_t n)
{
	switch (dtype) {
	case EDNA_DTYPE_F32:
		return n * 4;
	case EDNA_DTYPE_F16:
		return n * 2;
	case EDNA_DTYPE_Q8_0:
		return n % EDNA_REF_QBLOCK ? 0 : n / EDNA_REF_QBLOCK * EDNA_REF_Q8_0_BYTES;
	case EDNA_DTYPE_Q4_0:
		return n % EDNA_REF_QBLOCK ? 0 : n / EDNA_REF_QBLOCK * EDNA_REF_Q4_0_BYTES;
	default:
		return 0;
	}
}

/*
 * Element j of a weight row of @dtype, straight from the layouts of the
 * uapi header, one element at a time: the plainest form there is.
 */
static float weight_element(const uint8_t *row, int dtype, unsigned int j)
{
	const uint8_t *block;
	unsigned int i = j % EDNA_REF_QBLOCK;
	float d;

	switch (dtype) {
	case EDNA_DTYPE_F32:
		return edna_ref_bits_f32(get_le32(row + 4 * (size_t)j));
	case EDNA_DTYPE_F16:
		return edna_ref_f16_to_f32(get_le16(row + 2 * (size_t)j));
	case EDNA_DTYPE_Q8_0:
		block = row + (size_t)(j / EDNA_REF_QBLOCK) * EDNA_REF_Q8_0_BYTES;
		d = edna_ref_f16_to_f32(get_le16(block));
		return d * (float)(int8_t)block[2 + i];
	case EDNA_DTYPE_Q4_0:
		block = row + (size_t)(j / EDNA_REF_QBLOCK) * EDNA_REF_Q4_0_BYTES;
		d = edna_ref_f16_to_f32(get_le16(block));
		if (i < 16)
			return d * (float)((block[2 + i] & 0xf) - 8);
		return d * (float)((block[2 + i - 16] >> 4) - 8);
	default:
		return NAN;
	}
}

void edna_ref_dequant_row(float *dst, const void *row, int dtype, unsigned int n)
{
	unsigned int j;

	for (j = 0; j < n; j++)
		dst[j] = weight_element(row, dtype, j);
}

void edna_ref_quantize_f16(void *dst, const float *src, unsigned int n)
{
	uint8_t *p = dst;
	unsigned int i;

	for (i = 0; i < n; i++)
		put_le16(p + 2 * i, edna_ref_f32_to_f16(src[i]));
}

void edna_ref_quantize_q8_0(void *dst, const float *src, unsigned int n)
{
	uint8_t *p = dst;
	unsigned int i, j;

	for (i = 0; i < n / EDNA_REF_QBLOCK; i++, p += EDNA_REF_Q8_0_BYTES) {
		const float *x = src + i * EDNA_REF_QBLOCK;
		double amax = 0, d, q;
		uint16_t d16;

		for (j = 0; j < EDNA_REF_QBLOCK; j++)
			amax = fmax(amax, fabs(x[j]));
		d16 = edna_ref_f32_to_f16((float)(amax / 127));
		d = edna_ref_f16_to_f32(d16);
		put_le16(p, d16);
		for (j = 0; j < EDNA_REF_QBLOCK; j++) {
			q = d ? nearbyint(x[j] / d) : 0;
			/* the f16 rounding of d may push the largest just past 127 */
			q = fmin(127, fmax(-127, q));
			p[2 + j] = (uint8_t)(int8_t)q;
		}
	}
}

void edna_ref_quantize_q4_0(void *dst, const float *src, unsigned int n)
{
	uint8_t *p = dst;
	unsigned int i, j;

	for (i = 0; i < n / EDNA_REF_QBLOCK; i++, p += EDNA_REF_Q4_0_BYTES) {
		const float *x = src + i * EDNA_REF_QBLOCK;
		double m = 0, d, q[EDNA_REF_QBLOCK];
		uint16_t d16;

		for (j = 0; j < EDNA_REF_QBLOCK; j++) {
			if (fabs(x[j]) > fabs(m))
				m = x[j];
		}
		/* m maps to -8, the one level without a mirror image */
		d16 = edna_ref_f32_to_f16((float)(m / -8));
		d = edna_ref_f16_to_f32(d16);
		put_le16(p, d16);
		for (j = 0; j < EDNA_REF_QBLOCK; j++) {
			q[j] = d ? nearbyint(x[j] / d) : 0;
			q[j] = fmin(7, fmax(-8, q[j])) + 8;
		}
		for (j = 0; j < EDNA_REF_QBLOCK / 2; j++)
			p[2 + j] = (uint8_t)((unsigned int)q[j] | (unsigned int)q[j + 16] << 4);
	}
}

/* ---- ops ---------------------------------------------------------------- */

void edna_ref_embed(float *dst, const void *table, int dtype,
		    const uint32_t *tokens, unsigned int rows, unsigned int d)
{
	uint64_t row_bytes = edna_ref_row_bytes(dtype, d);
	unsigned int r;

	for (r = 0; r < rows; r++)
		edna_ref_dequant_row(dst + (size_t)r * d,
				     (const uint8_t *)table + tokens[r] * row_bytes,
				     dtype, d);
}

void edna_ref_rmsnorm(float *dst, const float *x, const float *w,
		      unsigned int rows, unsigned int d, float eps)
{
	unsigned int r, i;

	for (r = 0; r < rows; r++) {
		const float *xr = x + (size_t)r * d;
		float *out = dst + (size_t)r * d;
		double sum_squares = 0, inv_rms;

		for (i = 0; i < d; i++)
			sum_squares += (double)xr[i] * xr[i];
		inv_rms = 1 / sqrt(sum_squares / d + eps);
		for (i = 0; i < d; i++)
			out[i] = (float)(xr[i] * inv_rms * w[i]);
	}
}

void edna_ref_matmul(float *dst, const float *x, const void *w, int dtype,
		     unsigned int rows, unsigned int n, unsigned int k)
{
	uint64_t row_bytes = edna_ref_row_bytes(dtype, k);
	unsigned int r, i, j;

	for (r = 0; r < rows; r++) {
		const float *xr = x + (size_t)r * k;

		for (i = 0; i < n; i++) {
			const uint8_t *w_row = (const uint8_t *)w + i * row_bytes;
			double sum = 0;

			for (j = 0; j < k; j++)
				sum += (double)weight_element(w_row, dtype, j) * xr[j];
			dst[(size_t)r * n + i] = (float)sum;
		}
	}
}

void edna_ref_rope(float *dst, const float *src, unsigned int rows,
		   unsigned int heads, unsigned int hd, uint64_t pos, float theta)
{
	size_t width = (size_t)heads * hd;
	unsigned int r, h, i;

	for (r = 0; r < rows; r++) {
		double p = (double)(pos + r);

		for (h = 0; h < heads; h++) {
			const float *in = src + r * width + (size_t)h * hd;
			float *out = dst + r * width + (size_t)h * hd;

			for (i = 0; i < hd / 2; i++) {
				double angle = p * pow(theta, -2.0 * i / hd);
				double x0 = in[2 * i], x1 = in[2 * i + 1];

				/* counter-clockwise: (1, 0) by pi/2 is (0, 1) */
				out[2 * i] = (float)(x0 * cos(angle) - x1 * sin(angle));
				out[2 * i + 1] = (float)(x0 * sin(angle) + x1 * cos(angle));
			}
		}
	}
}

void edna_ref_kv_append(float *cache, const float *src, unsigned int rows,
			unsigned int w, uint64_t pos)
{
	memmove(cache + pos * w, src, (size_t)rows * w * sizeof(*src));
}

static double default_scale(float scale, unsigned int hd)
{
	/*
	 * param bits 0 ask for the usual 1/sqrt(hd); -0.0 is a scale of
	 * zero, which gives the same uniform weights as any zero would.
	 */
	return scale == 0 && !signbit(scale) ? 1 / sqrt(hd) : scale;
}

int edna_ref_attention_head(float *out, const float *q, const float *k,
			    const float *v, size_t ld, unsigned int hd,
			    unsigned int len, float scale)
{
	double *weight = malloc((len ? len : 1) * sizeof(*weight));
	double *acc = malloc((hd ? hd : 1) * sizeof(*acc));
	double s = default_scale(scale, hd), max_score = -INFINITY, total = 0;
	unsigned int t, j;

	if (!weight || !acc) {
		free(weight);
		free(acc);
		return -ENOMEM;
	}
	for (t = 0; t < len; t++) {
		double dot = 0;

		for (j = 0; j < hd; j++)
			dot += (double)q[j] * k[t * ld + j];
		weight[t] = s * dot;
		max_score = fmax(max_score, weight[t]);
	}
	/* softmax, shifted by the largest score so that exp() cannot overflow */
	for (t = 0; t < len; t++) {
		weight[t] = exp(weight[t] - max_score);
		total += weight[t];
	}
	for (j = 0; j < hd; j++)
		acc[j] = 0;
	for (t = 0; t < len; t++) {
		for (j = 0; j < hd; j++)
			acc[j] += weight[t] * v[t * ld + j];
	}
	for (j = 0; j < hd; j++)
		out[j] = (float)(acc[j] / total);
	free(weight);
	free(acc);
	return 0;
}

int edna_ref_attention(float *dst, const float *q, const float *k_cache,
		       const float *v_cache, unsigned int rows,
		       unsigned int heads, unsigned int kv_heads,
		       unsigned int hd, uint64_t pos, float scale)
{
	size_t q_width = (size_t)heads * hd, kv_width = (size_t)kv_heads * hd;
	unsigned int group = heads / kv_heads;	/* query heads per cache head */
	unsigned int r, h;
	int ret;

	for (r = 0; r < rows; r++) {
		for (h = 0; h < heads; h++) {
			size_t kv_offset = (size_t)(h / group) * hd;

			ret = edna_ref_attention_head(dst + r * q_width + (size_t)h * hd,
						      q + r * q_width + (size_t)h * hd,
						      k_cache + kv_offset,
						      v_cache + kv_offset, kv_width, hd,
						      (unsigned int)(pos + r + 1), scale);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void edna_ref_add(float *dst, const float *a, const float *b, size_t n)
{
	size_t i;

	/* one f32 rounding of the exact sum, as a device must give */
	for (i = 0; i < n; i++)
		dst[i] = a[i] + b[i];
}

void edna_ref_mul(float *dst, const float *a, const float *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] * b[i];
}

void edna_ref_silu_mul(float *dst, const float *a, const float *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double x = a[i];

		dst[i] = (float)(x / (1 + exp(-x)) * b[i]);
	}
}

void edna_ref_softmax(float *dst, const float *x, unsigned int rows, unsigned int n)
{
	unsigned int r, i;

	for (r = 0; r < rows; r++) {
		const float *in = x + (size_t)r * n;
		float *out = dst + (size_t)r * n;
		double max_x = -INFINITY, total = 0;

		for (i = 0; i < n; i++)
			max_x = fmax(max_x, in[i]);
		for (i = 0; i < n; i++)
			total += exp(in[i] - max_x);
		for (i = 0; i < n; i++)
			out[i] = (float)(exp(in[i] - max_x) / total);
	}
}

uint32_t edna_ref_argmax(const float *x, unsigned int n)
{
	uint32_t best = 0;
	unsigned int i;

	/* strictly greater: a later equal value does not win */
	for (i = 1; i < n; i++) {
		if (x[i] > x[best])
			best = i;
	}
	return best;
}

void edna_ref_copy(void *dst, const void *src, size_t bytes)
{
	memcpy(dst, src, bytes);
}

/* ---- error bounds ---------------------------------------------------------- */

double edna_ref_dot_tolerance(double sum_abs_products)
{
	return EDNA_REF_DOT_REL * sum_abs_products + EDNA_REF_ABS_EPS;
}

void edna_ref_matmul_tolerance(double *tol, const float *x, const void *w,
			       int dtype, unsigned int rows, unsigned int n,
			       unsigned int k)
{
	uint64_t row_bytes = edna_ref_row_bytes(dtype, k);
	unsigned int r, i, j;

	for (r = 0; r < rows; r++) {
		for (i = 0; i < n; i++) {
			const uint8_t *w_row = (const uint8_t *)w + i * row_bytes;
			double sum_abs = 0;

			for (j = 0; j < k; j++)
				sum_abs += fabs((double)weight_element(w_row, dtype, j) *
						x[(size_t)r * k + j]);
			tol[(size_t)r * n + i] = edna_ref_dot_tolerance(sum_abs);
		}
	}
}

/* ---- the graph interpreter ------------------------------------------------ */

/*
 * Activations are read and written as host floats: the device's memory is
 * little endian, and so is every host this runs on.  (Weights, read at any
 * alignment, go through get_le*() anyway.)
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "activations are copied as host floats");

/* The flags of an op on one row; at most one of them. */
#define ONE_ROW_FLAGS		(EDNA_GOP_LAST_ROW | EDNA_GOP_SINGLE_ROW)

/* The layouts this interpreter knows: version 1.0 of the uapi header. */
#define HEADER_KNOWN	64u
#define OP_KNOWN	128u
_Static_assert(sizeof(struct drm_edna_graph_header) == HEADER_KNOWN, "uapi header size");
_Static_assert(sizeof(struct drm_edna_graph_op) == OP_KNOWN, "uapi op size");
_Static_assert(sizeof(struct drm_edna_graph_args) == 16, "uapi args size");

struct address_space {
	const struct edna_ref_region *regions;
	unsigned int count;
};

struct fault {
	uint64_t va;
	uint32_t reason;
};

static const struct edna_ref_region *find_region(const struct address_space *as,
						 uint64_t va)
{
	unsigned int i;

	for (i = 0; i < as->count; i++) {
		const struct edna_ref_region *r = &as->regions[i];

		if (va >= r->va && va - r->va < r->size)
			return r;
	}
	return NULL;
}

/*
 * Whether the @bytes bytes at @va are all mapped (and writable, for a
 * write); if not, which byte is the first that is not, and why.  An
 * access may run from one region into the next one; one that would wrap
 * past the top of the address space faults at its start.
 */
static int check_access(const struct address_space *as, uint64_t va,
			uint64_t bytes, bool write, struct fault *fault)
{
	if (bytes && bytes - 1 > UINT64_MAX - va) {
		fault->va = va;
		fault->reason = EDNA_FAULT_REASON_UNMAPPED;
		return -EFAULT;
	}
	while (bytes) {
		const struct edna_ref_region *r = find_region(as, va);
		uint64_t left_in_region;

		if (!r) {
			fault->va = va;
			fault->reason = EDNA_FAULT_REASON_UNMAPPED;
			return -EFAULT;
		}
		if (write && !r->writable) {
			fault->va = va;
			fault->reason = EDNA_FAULT_REASON_PERMISSION;
			return -EFAULT;
		}
		left_in_region = r->size - (va - r->va);
		if (left_in_region >= bytes)
			break;
		va += left_in_region;
		bytes -= left_in_region;
	}
	return 0;
}

/* Copy between device VAs and the host: check_access() first, then chunks. */
static int read_va(const struct address_space *as, uint64_t va, void *dst,
		   uint64_t bytes, struct fault *fault)
{
	uint8_t *out = dst;
	int ret = check_access(as, va, bytes, false, fault);

	while (!ret && bytes) {
		const struct edna_ref_region *r = find_region(as, va);
		uint64_t offset = va - r->va;
		uint64_t chunk = r->size - offset < bytes ? r->size - offset : bytes;

		memcpy(out, (const uint8_t *)r->host + offset, chunk);
		out += chunk;
		va += chunk;
		bytes -= chunk;
	}
	return ret;
}

static int write_va(const struct address_space *as, uint64_t va, const void *src,
		    uint64_t bytes, struct fault *fault)
{
	const uint8_t *in = src;
	int ret = check_access(as, va, bytes, true, fault);

	while (!ret && bytes) {
		const struct edna_ref_region *r = find_region(as, va);
		uint64_t offset = va - r->va;
		uint64_t chunk = r->size - offset < bytes ? r->size - offset : bytes;

		memcpy((uint8_t *)r->host + offset, in, chunk);
		in += chunk;
		va += chunk;
		bytes -= chunk;
	}
	return ret;
}

/* Whether the @bytes bytes at @va are all zero: the tails past what we know. */
static int read_all_zero(const struct address_space *as, uint64_t va,
			 uint64_t bytes, bool *zero, struct fault *fault)
{
	uint8_t buf[256];
	int ret = check_access(as, va, bytes, false, fault);

	*zero = true;
	while (!ret && bytes) {
		uint64_t chunk = bytes < sizeof(buf) ? bytes : sizeof(buf);
		uint64_t i;

		ret = read_va(as, va, buf, chunk, fault);
		for (i = 0; !ret && i < chunk; i++) {
			if (buf[i])
				*zero = false;
		}
		va += chunk;
		bytes -= chunk;
	}
	return ret;
}

/* An op record, decoded field by field at the uapi's offsets. */
struct graph_op {
	uint16_t opcode;
	uint8_t dtype;
	uint8_t flags;
	uint32_t pad;
	uint32_t dim[4];
	uint64_t dst;
	uint64_t src[3];
	uint32_t param[4];
	bool reserved_set;	/* a reserved byte, or one past OP_KNOWN, not 0 */
};

#define OP_FIELD(rec, field) ((rec) + offsetof(struct drm_edna_graph_op, field))

static void decode_op(struct graph_op *op, const uint8_t *rec)
{
	unsigned int i;

	op->opcode = get_le16(OP_FIELD(rec, opcode));
	op->dtype = *OP_FIELD(rec, dtype);
	op->flags = *OP_FIELD(rec, flags);
	op->pad = get_le32(OP_FIELD(rec, pad));
	for (i = 0; i < 4; i++)
		op->dim[i] = get_le32(OP_FIELD(rec, dim) + 4 * i);
	op->dst = get_le64(OP_FIELD(rec, dst));
	for (i = 0; i < 3; i++)
		op->src[i] = get_le64(OP_FIELD(rec, src) + 8 * i);
	for (i = 0; i < 4; i++)
		op->param[i] = get_le32(OP_FIELD(rec, param) + 4 * i);
	op->reserved_set = false;
	for (i = offsetof(struct drm_edna_graph_op, reserved); i < OP_KNOWN; i++) {
		if (rec[i])
			op->reserved_set = true;
	}
}

/*
 * What each opcode uses, from the opcode list of the uapi header: dims,
 * sources and params past these counts must be zero.
 */
struct op_shape {
	unsigned int dims;
	unsigned int srcs;
	unsigned int params;
	int weight_src;		/* the source with the op's dtype, or -1 */
	bool last_row_ok;	/* may run on one row: LAST_ROW, SINGLE_ROW */
	bool dst_optional;	/* dst 0 is allowed (ARGMAX) */
};

static const struct op_shape op_shapes[] = {
	[EDNA_GOP_EMBED]	= { 2, 1, 0,  0, false, false },
	[EDNA_GOP_RMSNORM]	= { 1, 2, 1, -1, true,  false },
	[EDNA_GOP_MATMUL]	= { 2, 2, 0,  1, true,  false },
	[EDNA_GOP_ROPE]		= { 2, 1, 1, -1, true,  false },
	[EDNA_GOP_KV_APPEND]	= { 2, 1, 0, -1, false, false },
	[EDNA_GOP_ATTENTION]	= { 4, 3, 1, -1, false, false },
	[EDNA_GOP_ADD]		= { 1, 2, 0, -1, true,  false },
	[EDNA_GOP_MUL]		= { 1, 2, 0, -1, true,  false },
	[EDNA_GOP_SILU_MUL]	= { 1, 2, 0, -1, true,  false },
	[EDNA_GOP_SOFTMAX]	= { 1, 1, 0, -1, true,  false },
	[EDNA_GOP_ARGMAX]	= { 1, 1, 0, -1, true,  true  },
	[EDNA_GOP_COPY]		= { 1, 1, 0, -1, false, false },
};

#define OPCODE_COUNT (sizeof(op_shapes) / sizeof(op_shapes[0]))

static bool dtype_is_quantised(unsigned int dtype)
{
	return dtype == EDNA_DTYPE_Q8_0 || dtype == EDNA_DTYPE_Q4_0;
}

/* [a, a+len) and [b, b+len) share a byte; unsigned differences wrap safely. */
static bool ranges_overlap(uint64_t a, uint64_t b, uint64_t len)
{
	return b - a < len || a - b < len;
}

/*
 * The checks of one op that depend on nothing but its record, in the
 * order edna_ref.h gives.  Return: 0 or an enum drm_edna_graph_error.
 */
static int validate_op(const struct graph_op *op)
{
	const struct op_shape *shape;
	unsigned int i;

	if (op->opcode == 0 || op->opcode >= OPCODE_COUNT)
		return EDNA_GRAPH_ERR_OPCODE;
	shape = &op_shapes[op->opcode];

	if (op->flags & ~ONE_ROW_FLAGS)
		return EDNA_GRAPH_ERR_FIELD;
	/* at most one of LAST_ROW and SINGLE_ROW, and only where allowed */
	if (op->flags == ONE_ROW_FLAGS ||
	    ((op->flags & ONE_ROW_FLAGS) && !shape->last_row_ok))
		return EDNA_GRAPH_ERR_FIELD;
	if (op->pad || op->reserved_set)
		return EDNA_GRAPH_ERR_FIELD;
	for (i = shape->dims; i < 4; i++) {
		if (op->dim[i])
			return EDNA_GRAPH_ERR_FIELD;
	}
	for (i = shape->params; i < 4; i++) {
		if (op->param[i])
			return EDNA_GRAPH_ERR_FIELD;
	}

	if (op->dtype > EDNA_DTYPE_Q4_0)
		return EDNA_GRAPH_ERR_DTYPE;
	if (shape->weight_src < 0 && op->dtype != EDNA_DTYPE_F32)
		return EDNA_GRAPH_ERR_DTYPE;

	for (i = 0; i < shape->dims; i++) {
		/* COPY's dim is bytes, not elements */
		uint32_t max = op->opcode == EDNA_GOP_COPY ? EDNA_GRAPH_MAX_COPY
							   : EDNA_GRAPH_MAX_DIM;

		if (op->dim[i] == 0 || op->dim[i] > max)
			return EDNA_GRAPH_ERR_DIMS;
	}
	switch (op->opcode) {
	case EDNA_GOP_EMBED:	/* d, vocab: a quantised row is whole blocks */
	case EDNA_GOP_MATMUL:	/* n, k */
		if (dtype_is_quantised(op->dtype) &&
		    op->dim[op->opcode == EDNA_GOP_EMBED ? 0 : 1] % EDNA_REF_QBLOCK)
			return EDNA_GRAPH_ERR_DIMS;
		break;
	case EDNA_GOP_ROPE:	/* heads, hd: pairs, and a row no wider than a dim */
		if (op->dim[1] % 2 ||
		    (uint64_t)op->dim[0] * op->dim[1] > EDNA_GRAPH_MAX_DIM)
			return EDNA_GRAPH_ERR_DIMS;
		break;
	case EDNA_GOP_KV_APPEND:	/* w, max_seq */
		if (op->dim[1] > EDNA_GRAPH_MAX_SEQ)
			return EDNA_GRAPH_ERR_DIMS;
		break;
	case EDNA_GOP_ATTENTION:	/* heads, kv_heads, hd, max_seq */
		if (op->dim[0] % op->dim[1] ||
		    (uint64_t)op->dim[0] * op->dim[2] > EDNA_GRAPH_MAX_DIM ||
		    op->dim[3] > EDNA_GRAPH_MAX_SEQ)
			return EDNA_GRAPH_ERR_DIMS;
		break;
	}

	for (i = shape->srcs; i < 3; i++) {
		if (op->src[i])
			return EDNA_GRAPH_ERR_OPERAND;
	}
	if (!op->dst && !shape->dst_optional)
		return EDNA_GRAPH_ERR_OPERAND;
	if (op->dst % 4)
		return EDNA_GRAPH_ERR_OPERAND;
	for (i = 0; i < shape->srcs; i++) {
		bool narrow = (int)i == shape->weight_src && op->dtype != EDNA_DTYPE_F32;

		if (!op->src[i] || op->src[i] % (narrow ? 2 : 4))
			return EDNA_GRAPH_ERR_OPERAND;
	}
	if (op->opcode == EDNA_GOP_COPY && ranges_overlap(op->src[0], op->dst, op->dim[0]))
		return EDNA_GRAPH_ERR_OPERAND;
	return 0;
}

/* What one step gives every op. */
struct step {
	unsigned int index;	/* s */
	unsigned int rows;	/* R: n_tokens for step 0, then 1 */
	uint64_t pos;		/* position of the step's first row */
	const uint32_t *tokens;	/* its rows' tokens */
	uint32_t n_tokens;	/* of the argument block */
};

struct graph_run {
	const struct address_space *data;	/* operands */
	const struct address_space *args_as;	/* the argument block */
	uint64_t args_va;
	struct fault fault;
	double argmax_margin;
};

/* A host copy of the @bytes bytes at @va, already checked to be mapped. */
static void *load(struct graph_run *run, uint64_t va, uint64_t bytes)
{
	void *buf = malloc(bytes ? bytes : 1);

	if (buf && read_va(run->data, va, buf, bytes, &run->fault)) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* The distance from the largest element (at best) to the next largest. */
static double argmax_margin(const float *x, unsigned int n, uint32_t best)
{
	double second = -INFINITY;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i != best)
			second = fmax(second, x[i]);
	}
	return (double)x[best] - second;
}

#define MAX_SPANS 4

struct span {
	uint64_t va;
	uint64_t bytes;
};

/*
 * Run one op of a step.  The op's reads and its write are worked out
 * first and all checked before anything is copied, so a faulting op
 * writes nothing; its inputs are copied to the host before the output is
 * computed, so an output aliasing an input gives the mathematical result.
 * Return: 0, an enum drm_edna_graph_error, -EFAULT (run->fault says
 * where) or -ENOMEM.
 */
static int run_op(struct graph_run *run, const struct graph_op *op,
		  const struct step *step)
{
	bool one_row = op->flags & ONE_ROW_FLAGS;
	/*
	 * R for the op; the first row of its per-row inputs that it reads
	 * (LAST_ROW: the step's last; SINGLE_ROW: the inputs hold only that
	 * one, at row 0); and the position of its first row (on one row: the
	 * step's last token's).
	 */
	uint64_t rows = one_row ? 1 : step->rows;
	uint64_t row0 = op->flags & EDNA_GOP_LAST_ROW ? step->rows - 1 : 0;
	uint64_t pos0 = one_row ? step->pos + step->rows - 1 : step->pos;
	const uint32_t *d = op->dim;
	struct span in[MAX_SPANS] = { { 0 } }, out = { 0 }, token_out = { 0 };
	void *buf[MAX_SPANS] = { NULL };
	float *result = NULL;
	unsigned int n_in = 0, i;
	uint8_t token_bytes[4];
	uint32_t token = 0;
	uint64_t width, row_bytes, last_pos = step->pos + step->rows - 1;
	int ret = 0;

	switch (op->opcode) {
	case EDNA_GOP_EMBED:
		for (i = 0; i < rows; i++) {
			if (step->tokens[i] >= d[1])
				return EDNA_GRAPH_ERR_TOKEN;
		}
		/* each token's row is read on its own below */
		row_bytes = edna_ref_row_bytes(op->dtype, d[0]);
		for (i = 0; i < rows; i++) {
			ret = check_access(run->data, op->src[0] + step->tokens[i] * row_bytes,
					   row_bytes, false, &run->fault);
			if (ret)
				return ret;
		}
		out = (struct span){ op->dst, rows * d[0] * 4 };
		break;
	case EDNA_GOP_RMSNORM:
		in[n_in++] = (struct span){ op->src[0] + row0 * d[0] * 4, rows * d[0] * 4 };
		in[n_in++] = (struct span){ op->src[1], (uint64_t)d[0] * 4 };
		out = (struct span){ op->dst, rows * d[0] * 4 };
		break;
	case EDNA_GOP_MATMUL:
		in[n_in++] = (struct span){ op->src[0] + row0 * d[1] * 4, rows * d[1] * 4 };
		in[n_in++] = (struct span){ op->src[1],
					    d[0] * edna_ref_row_bytes(op->dtype, d[1]) };
		out = (struct span){ op->dst, rows * d[0] * 4 };
		break;
	case EDNA_GOP_ROPE:
		width = (uint64_t)d[0] * d[1];
		in[n_in++] = (struct span){ op->src[0] + row0 * width * 4, rows * width * 4 };
		out = (struct span){ op->dst, rows * width * 4 };
		break;
	case EDNA_GOP_KV_APPEND:
		/* checked for the whole job before step 0; guards the row index below */
		if (last_pos >= d[1])
			return EDNA_GRAPH_ERR_POSITION;
		in[n_in++] = (struct span){ op->src[0], rows * d[0] * 4 };
		out = (struct span){ op->dst + step->pos * d[0] * 4, rows * d[0] * 4 };
		break;
	case EDNA_GOP_ATTENTION:
		if (last_pos >= d[3])
			return EDNA_GRAPH_ERR_POSITION;
		width = (uint64_t)d[0] * d[2];
		in[n_in++] = (struct span){ op->src[0], rows * width * 4 };
		/* the cache rows the step's last row attends to, 0..last_pos */
		in[n_in++] = (struct span){ op->src[1], (last_pos + 1) * d[1] * d[2] * 4 };
		in[n_in++] = (struct span){ op->src[2], (last_pos + 1) * d[1] * d[2] * 4 };
		out = (struct span){ op->dst, rows * width * 4 };
		break;
	case EDNA_GOP_ADD:
	case EDNA_GOP_MUL:
	case EDNA_GOP_SILU_MUL:
		in[n_in++] = (struct span){ op->src[0] + row0 * d[0] * 4, rows * d[0] * 4 };
		in[n_in++] = (struct span){ op->src[1] + row0 * d[0] * 4, rows * d[0] * 4 };
		out = (struct span){ op->dst, rows * d[0] * 4 };
		break;
	case EDNA_GOP_SOFTMAX:
		in[n_in++] = (struct span){ op->src[0] + row0 * d[0] * 4, rows * d[0] * 4 };
		out = (struct span){ op->dst, rows * d[0] * 4 };
		break;
	case EDNA_GOP_ARGMAX:
		/* the last of the op's R rows: row R-1 of the step, or row 0 */
		in[n_in++] = (struct span){ op->src[0] + (row0 + rows - 1) * d[0] * 4,
					    (uint64_t)d[0] * 4 };
		out = (struct span){ op->dst, op->dst ? 4 : 0 };
		token_out = (struct span){ run->args_va + sizeof(struct drm_edna_graph_args) +
					   4 * ((uint64_t)step->n_tokens + step->index), 4 };
		break;
	case EDNA_GOP_COPY:
		in[n_in++] = (struct span){ op->src[0], d[0] };
		out = (struct span){ op->dst, d[0] };
		break;
	}

	for (i = 0; i < n_in; i++) {
		ret = check_access(run->data, in[i].va, in[i].bytes, false, &run->fault);
		if (ret)
			return ret;
	}
	ret = check_access(run->data, out.va, out.bytes, true, &run->fault);
	if (!ret && token_out.bytes)
		ret = check_access(run->args_as, token_out.va, 4, true, &run->fault);
	if (ret)
		return ret;

	ret = -ENOMEM;
	for (i = 0; i < n_in; i++) {
		buf[i] = load(run, in[i].va, in[i].bytes);
		if (!buf[i])
			goto out_free;
	}
	result = malloc(out.bytes ? out.bytes : 1);
	if (!result)
		goto out_free;

	ret = 0;
	switch (op->opcode) {
	case EDNA_GOP_EMBED:
		row_bytes = edna_ref_row_bytes(op->dtype, d[0]);
		for (i = 0; i < rows && !ret; i++) {
			void *row = load(run, op->src[0] + step->tokens[i] * row_bytes, row_bytes);

			if (!row) {
				ret = -ENOMEM;
				break;
			}
			edna_ref_dequant_row(result + (size_t)i * d[0], row, op->dtype, d[0]);
			free(row);
		}
		break;
	case EDNA_GOP_RMSNORM:
		edna_ref_rmsnorm(result, buf[0], buf[1], (unsigned int)rows, d[0],
				 edna_ref_bits_f32(op->param[0]));
		break;
	case EDNA_GOP_MATMUL:
		edna_ref_matmul(result, buf[0], buf[1], op->dtype, (unsigned int)rows,
				d[0], d[1]);
		break;
	case EDNA_GOP_ROPE:
		edna_ref_rope(result, buf[0], (unsigned int)rows, d[0], d[1],
			      pos0, edna_ref_bits_f32(op->param[0]));
		break;
	case EDNA_GOP_KV_APPEND:
		/* out already points at row pos of the cache */
		edna_ref_kv_append(result, buf[0], (unsigned int)rows, d[0], 0);
		break;
	case EDNA_GOP_ATTENTION:
		ret = edna_ref_attention(result, buf[0], buf[1], buf[2], (unsigned int)rows,
					 d[0], d[1], d[2], step->pos,
					 edna_ref_bits_f32(op->param[0]));
		break;
	case EDNA_GOP_ADD:
		edna_ref_add(result, buf[0], buf[1], rows * d[0]);
		break;
	case EDNA_GOP_MUL:
		edna_ref_mul(result, buf[0], buf[1], rows * d[0]);
		break;
	case EDNA_GOP_SILU_MUL:
		edna_ref_silu_mul(result, buf[0], buf[1], rows * d[0]);
		break;
	case EDNA_GOP_SOFTMAX:
		edna_ref_softmax(result, buf[0], (unsigned int)rows, d[0]);
		break;
	case EDNA_GOP_ARGMAX:
		token = edna_ref_argmax(buf[0], d[0]);
		run->argmax_margin = fmin(run->argmax_margin,
					  argmax_margin(buf[0], d[0], token));
		put_le32(token_bytes, token);
		memcpy(result, token_bytes, out.bytes);
		break;
	case EDNA_GOP_COPY:
		edna_ref_copy(result, buf[0], d[0]);
		break;
	}
	if (!ret)
		ret = write_va(run->data, out.va, result, out.bytes, &run->fault);
	if (!ret && token_out.bytes)
		ret = write_va(run->args_as, token_out.va, token_bytes, 4, &run->fault);
out_free:
	free(result);
	for (i = 0; i < n_in; i++)
		free(buf[i]);
	return ret;
}

/*
 * What the argument block decides, checked before anything runs so that a
 * job it makes bad does nothing: the first step's tokens against every
 * EMBED's vocab, and the job's last position against every cache; the
 * first op, in order, that fails either is the one reported.  (A token
 * that an ARGMAX writes is checked by the EMBED of the step that uses it.)
 */
static int check_args_against_ops(const struct graph_op *ops, uint32_t op_count,
				  const uint32_t *tokens, uint32_t n_tokens,
				  uint64_t last_pos, uint32_t *op_index)
{
	uint32_t i, r;

	for (i = 0; i < op_count; i++) {
		*op_index = i;
		switch (ops[i].opcode) {
		case EDNA_GOP_EMBED:
			for (r = 0; r < n_tokens; r++) {
				if (tokens[r] >= ops[i].dim[1])
					return EDNA_GRAPH_ERR_TOKEN;
			}
			break;
		case EDNA_GOP_KV_APPEND:
			if (last_pos >= ops[i].dim[1])
				return EDNA_GRAPH_ERR_POSITION;
			break;
		case EDNA_GOP_ATTENTION:
			if (last_pos >= ops[i].dim[3])
				return EDNA_GRAPH_ERR_POSITION;
			break;
		}
	}
	return 0;
}

#define HDR_FIELD(hdr, field) ((hdr) + offsetof(struct drm_edna_graph_header, field))

/* The header's checks, in the order of edna_ref.h; 0 or a graph error. */
static int validate_header(const uint8_t *hdr, uint32_t *header_size,
			   uint32_t *op_size, uint32_t *op_count, uint32_t *max_tokens)
{
	unsigned int i;

	if (get_le32(HDR_FIELD(hdr, magic)) != EDNA_GRAPH_MAGIC)
		return EDNA_GRAPH_ERR_MAGIC;
	/* any minor: a newer graph fails only at what it uses of the newer */
	if (get_le16(HDR_FIELD(hdr, version_major)) != EDNA_GRAPH_VERSION_MAJOR)
		return EDNA_GRAPH_ERR_VERSION;
	*header_size = get_le32(HDR_FIELD(hdr, header_size));
	*op_size = get_le32(HDR_FIELD(hdr, op_size));
	*op_count = get_le32(HDR_FIELD(hdr, op_count));
	*max_tokens = get_le32(HDR_FIELD(hdr, max_tokens));
	if (*header_size < HEADER_KNOWN || *op_size < OP_KNOWN ||
	    *op_count < 1 || *op_count > EDNA_GRAPH_MAX_OPS ||
	    *max_tokens < 1 || *max_tokens > EDNA_GRAPH_MAX_TOKENS ||
	    get_le32(HDR_FIELD(hdr, flags)))
		return EDNA_GRAPH_ERR_HEADER;
	for (i = 0; i < 9; i++) {
		if (get_le32(HDR_FIELD(hdr, reserved) + 4 * i))
			return EDNA_GRAPH_ERR_HEADER;
	}
	return 0;
}

/*
 * The job: graph read through graph_as, argument block through args_as,
 * operands through data.
 */
static int run_graph(const struct address_space *graph_as, uint64_t graph_va,
		     const struct address_space *args_as, uint64_t args_va,
		     const struct address_space *data,
		     struct edna_ref_graph_result *result)
{
	struct graph_run run = {
		.data = data, .args_as = args_as, .args_va = args_va,
		.argmax_margin = INFINITY,
	};
	uint32_t header_size, op_size, op_count, max_tokens;
	uint32_t op_index = EDNA_GRAPH_NO_OP;
	uint8_t hdr[HEADER_KNOWN], rec[OP_KNOWN], args_hdr[16];
	struct graph_op *ops = NULL;
	uint32_t pos, n_tokens, steps, *tokens = NULL;
	uint8_t *token_bytes = NULL;
	bool has_argmax = false, zero;
	unsigned int i, s;
	int ret;

	result->steps_done = 0;

	/* 1. the header */
	ret = read_va(graph_as, graph_va, hdr, sizeof(hdr), &run.fault);
	if (!ret)
		ret = validate_header(hdr, &header_size, &op_size, &op_count, &max_tokens);
	if (!ret)
		ret = read_all_zero(graph_as, graph_va + HEADER_KNOWN,
				    header_size - HEADER_KNOWN, &zero, &run.fault);
	if (!ret && !zero)
		ret = EDNA_GRAPH_ERR_HEADER;
	if (ret)
		goto out;

	/* 2. every op record, before anything runs */
	ops = calloc(op_count, sizeof(*ops));
	if (!ops) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < op_count; i++) {
		uint64_t rec_va = graph_va + header_size + (uint64_t)i * op_size;

		op_index = i;
		ret = read_va(graph_as, rec_va, rec, sizeof(rec), &run.fault);
		if (ret)
			goto out;
		decode_op(&ops[i], rec);
		ret = read_all_zero(graph_as, rec_va + OP_KNOWN, op_size - OP_KNOWN,
				    &zero, &run.fault);
		if (ret)
			goto out;
		if (!zero)
			ops[i].reserved_set = true;
		ret = validate_op(&ops[i]);
		if (ret)
			goto out;
		has_argmax |= ops[i].opcode == EDNA_GOP_ARGMAX;
	}

	/* 3. the argument block */
	op_index = EDNA_GRAPH_NO_OP;
	ret = read_va(args_as, args_va, args_hdr, sizeof(args_hdr), &run.fault);
	if (ret)
		goto out;
	pos = get_le32(args_hdr + offsetof(struct drm_edna_graph_args, pos));
	n_tokens = get_le32(args_hdr + offsetof(struct drm_edna_graph_args, n_tokens));
	steps = get_le32(args_hdr + offsetof(struct drm_edna_graph_args, steps));
	/* positions are __u32, like @pos: the last one must be one too */
	if (n_tokens < 1 || n_tokens > max_tokens ||
	    steps < 1 || steps > EDNA_GRAPH_MAX_STEPS || (steps > 1 && !has_argmax) ||
	    (uint64_t)pos + n_tokens + steps - 2 > UINT32_MAX ||
	    get_le32(args_hdr + offsetof(struct drm_edna_graph_args, flags))) {
		ret = EDNA_GRAPH_ERR_ARGS;
		goto out;
	}
	tokens = calloc(n_tokens, sizeof(*tokens));
	token_bytes = calloc(n_tokens, 4);
	if (!tokens || !token_bytes) {
		ret = -ENOMEM;
		goto out;
	}

	/* 4. the steps */
	for (s = 0; s < steps; s++) {
		struct step step = {
			.index = s,
			.rows = s ? 1 : n_tokens,
			.pos = s ? (uint64_t)pos + n_tokens + s - 1 : pos,
			.tokens = tokens,
			.n_tokens = n_tokens,
		};
		uint64_t first = s ? n_tokens + s - 1 : 0;

		/* the block is read at the start of every step */
		op_index = EDNA_GRAPH_NO_OP;
		ret = read_va(args_as, args_va + sizeof(args_hdr) + 4 * first,
			      token_bytes, 4 * (uint64_t)step.rows, &run.fault);
		if (ret)
			goto out;
		for (i = 0; i < step.rows; i++)
			tokens[i] = get_le32(token_bytes + 4 * i);
		if (s == 0) {
			ret = check_args_against_ops(ops, op_count, tokens, n_tokens,
						     (uint64_t)pos + n_tokens + steps - 2,
						     &op_index);
			if (ret)
				goto out;
		}
		for (i = 0; i < op_count; i++) {
			op_index = i;
			ret = run_op(&run, &ops[i], &step);
			if (ret)
				goto out;
		}
		result->steps_done = s + 1;
	}
	op_index = 0;
out:
	free(ops);
	free(tokens);
	free(token_bytes);
	result->op_index = ret ? op_index : 0;
	result->argmax_margin = run.argmax_margin;
	if (ret > 0) {
		result->status = EDNA_STATUS_BAD_GRAPH;
		result->reason = (uint32_t)ret;
	} else if (ret == -EFAULT) {
		result->status = EDNA_STATUS_MMU_FAULT;
		result->reason = run.fault.reason;
		result->fault_va = run.fault.va;
	} else if (ret) {
		result->status = EDNA_STATUS_NOT_RUN;
	}
	return ret;
}

static void clear_result(struct edna_ref_graph_result *result)
{
	memset(result, 0, sizeof(*result));
	result->status = EDNA_STATUS_OK;
	result->argmax_margin = INFINITY;
}

int edna_ref_run_graph(uint64_t graph_va, uint64_t args_va,
		       const struct edna_ref_region *regions,
		       unsigned int region_count,
		       struct edna_ref_graph_result *result)
{
	struct address_space as = { regions, region_count };

	if (!result || (!regions && region_count))
		return -EINVAL;
	clear_result(result);
	return run_graph(&as, graph_va, &as, args_va, &as, result);
}

int edna_ref_run_graph_bytes(const void *graph, size_t graph_size,
			     void *args, size_t args_size,
			     const struct edna_ref_region *regions,
			     unsigned int region_count,
			     struct edna_ref_graph_result *result)
{
	/* the graph is only read: casting const away never leads to a write */
	struct edna_ref_region graph_region = { 0, graph_size, (void *)graph, 0 };
	struct edna_ref_region args_region = { 0, args_size, args, 1 };
	struct address_space graph_as = { &graph_region, graph ? 1 : 0 };
	struct address_space args_as = { &args_region, args ? 1 : 0 };
	struct address_space data = { regions, region_count };

	if (!result || (!regions && region_count))
		return -EINVAL;
	clear_result(result);
	return run_graph(&graph_as, 0, &args_as, 0, &data, result);
}
