/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna_ref: an independent CPU reference of the compiled-graph ops of
 * uapi/drm/edna_accel.h, and an interpreter of whole graphs.
 *
 * Copyright 2026 The edna authors
 *
 * The device's op kernels (driver/sim/edna_ops.c) are checked against
 * this code, so it shares nothing with them and is written to be read,
 * not to be fast: every sum is accumulated in double, every
 * transcendental comes from libm in double, and the result is rounded to
 * f32 once at the end.  It prints nothing and keeps no global state.
 *
 * Matrices are f32, row major and dense, as in the uapi: [rows x cols].
 * A weight operand (EMBED's table, MATMUL's W) has a dtype, enum
 * drm_edna_graph_dtype; its rows are edna_ref_row_bytes() bytes each.
 */
#ifndef EDNA_REF_H
#define EDNA_REF_H

#include <stddef.h>
#include <stdint.h>

#include "edna_accel.h"

/* ---- number formats ---------------------------------------------------- */

/* IEEE binary16 to binary32: exact for every input (f32 holds all f16). */
float edna_ref_f16_to_f32(uint16_t h);
/* binary32 to binary16, round to nearest, ties to even; NaN stays NaN. */
uint16_t edna_ref_f32_to_f16(float f);

/* The bits of an f32, and back: how the uapi passes f32 parameters. */
uint32_t edna_ref_f32_bits(float f);
float edna_ref_bits_f32(uint32_t bits);

/* Elements of one block of a quantised dtype (GGML's QK = 32). */
#define EDNA_REF_QBLOCK		32
#define EDNA_REF_Q8_0_BYTES	34	/* f16 scale + 32 int8 */
#define EDNA_REF_Q4_0_BYTES	18	/* f16 scale + 16 bytes of nibbles */

/*
 * Bytes of one row of n elements of @dtype; 0 for an unknown dtype or a
 * quantised row whose n is not a multiple of EDNA_REF_QBLOCK.
 */
uint64_t edna_ref_row_bytes(int dtype, uint64_t n);

/*
 * One row of n elements of @dtype (little endian, any alignment) to f32.
 * Exact: every value an f16, q8_0 or q4_0 element can take is an f32.
 */
void edna_ref_dequant_row(float *dst, const void *row, int dtype, unsigned int n);

/*
 * n f32 values (n a multiple of 32) into q8_0 or q4_0 blocks, for making
 * test data.  q8_0: d = max|x| / 127; q4_0: d = m / -8 with m the element
 * of largest magnitude, so that m itself is exact.  Both use the f16-
 * rounded d when rounding the elements, so dequantising gives the nearest
 * representable value to each input (up to clamping at the ends).
 */
void edna_ref_quantize_q8_0(void *dst, const float *src, unsigned int n);
void edna_ref_quantize_q4_0(void *dst, const float *src, unsigned int n);
/* n f32 values into f16, round to nearest even. */
void edna_ref_quantize_f16(void *dst, const float *src, unsigned int n);

/* ---- ops on host arrays ----------------------------------------------- */
/*
 * One function per opcode, uapi semantics, on plain arrays.  "rows" is
 * R; per-row operands hold R rows.  Unless said otherwise dst may be the
 * same array as an input of the same shape (every function reads a row
 * entirely before writing it), but must not partly overlap one.
 */

/* dst[rows x d] = rows tokens[r] of table [vocab x d] (@dtype). */
void edna_ref_embed(float *dst, const void *table, int dtype,
		    const uint32_t *tokens, unsigned int rows, unsigned int d);

/* dst[rows x d] = x / sqrt(mean(x^2) + eps) * w; w is [1 x d]. */
void edna_ref_rmsnorm(float *dst, const float *x, const float *w,
		      unsigned int rows, unsigned int d, float eps);

/* dst[rows x n] = x[rows x k] W^T, W [n x k] of @dtype.  dst must not be x. */
void edna_ref_matmul(float *dst, const float *x, const void *w, int dtype,
		     unsigned int rows, unsigned int n, unsigned int k);

/*
 * dst[rows x heads*hd] = src with each head's pairs (2i, 2i+1) rotated by
 * p * theta^(-2i/hd), row r being at position pos + r.  hd is even.
 */
void edna_ref_rope(float *dst, const float *src, unsigned int rows,
		   unsigned int heads, unsigned int hd, uint64_t pos, float theta);

/* Rows pos..pos+rows-1 of cache [.. x w] = src[rows x w]. */
void edna_ref_kv_append(float *cache, const float *src, unsigned int rows,
			unsigned int w, uint64_t pos);

/*
 * Causal attention: dst[rows x heads*hd], q [rows x heads*hd], caches
 * k_cache and v_cache [max_seq x kv_heads*hd]; row r at position pos + r
 * attends to cache rows 0..pos+r; query head h reads cache head
 * h / (heads / kv_heads).  scale 0 means 1/sqrt(hd).  dst must not be q.
 * Return: 0, or -ENOMEM (for the scores of a row).
 */
int edna_ref_attention(float *dst, const float *q, const float *k_cache,
		       const float *v_cache, unsigned int rows,
		       unsigned int heads, unsigned int kv_heads,
		       unsigned int hd, uint64_t pos, float scale);

/*
 * One head of one row: out[hd] = softmax(scale * q.k_t, t < len) . v_t,
 * with k_t at k + t*ld and v_t at v + t*ld.  The building block of
 * edna_ref_attention(), exposed to check per-head device kernels.
 * scale 0 (of either sign) means 1/sqrt(hd); len >= 1.  out may equal q
 * but must not overlap k or v.  Return: 0, or -ENOMEM.
 */
int edna_ref_attention_head(float *out, const float *q, const float *k,
			    const float *v, size_t ld, unsigned int hd,
			    unsigned int len, float scale);

/* Elementwise over n values (R rows of a width, flattened). */
void edna_ref_add(float *dst, const float *a, const float *b, size_t n);
void edna_ref_mul(float *dst, const float *a, const float *b, size_t n);
/* dst = silu(a) * b, silu(a) = a / (1 + exp(-a)) */
void edna_ref_silu_mul(float *dst, const float *a, const float *b, size_t n);

/* Each of the @rows rows of @n values to its softmax. */
void edna_ref_softmax(float *dst, const float *x, unsigned int rows, unsigned int n);

/* Index of the largest of x[0..n-1], the first on ties; n >= 1. */
uint32_t edna_ref_argmax(const float *x, unsigned int n);

/* Copies @bytes bytes; the ranges must not overlap. */
void edna_ref_copy(void *dst, const void *src, size_t bytes);

/* ---- error bounds for tests ------------------------------------------- */
/*
 * A device output that is a sum of products, y = sum_j w_j x_j (MATMUL,
 * the sums inside RMSNORM, softmax and attention), computed with f32
 * arithmetic in any order, agrees with the exact value within
 *
 *	EDNA_REF_DOT_REL * sum_j |w_j x_j| + EDNA_REF_ABS_EPS.
 *
 * Why this bound: a sum of k f32 products, each product and partial sum
 * rounded (unit roundoff u = 2^-24), is off by at most gamma_k * sum_j
 * |w_j x_j|, gamma_k = k u / (1 - k u) (Higham, Accuracy and Stability of
 * Numerical Algorithms, 3.1); FMA or splitting the sum over SIMD lanes
 * and then adding the lanes only shortens the chains of additions, so
 * the same bound holds with k replaced by the longest chain.  The bound
 * is relative to sum |w_j x_j|, not to |y|: cancellation can make y
 * arbitrarily small without the kernel being wrong, so a tolerance
 * relative to |y| would reject correct kernels.  The worst case k u is
 * never approached: rounding errors have random signs, so they add up
 * like a random walk (Higham & Mary's probabilistic bound).  With terms
 * of random sign the partial sums stay small and the error stays a few u
 * of sum |w_j x_j| for any k; with terms of one sign (a sum of squares)
 * it grows like sqrt(k/3) u, which is 1e-5 (= 168 u) only for chains of
 * about 85000 terms: eight SIMD lanes of a row of 680000.  So 1e-5
 * accepts every correct kernel on rows of any real model, while a bug (a
 * wrong element, a dropped tail, a wrong scale) moves a random-data
 * result by far more than 1e-5 of its magnitude sum.  The reference
 * itself is off by its double accumulation (k 2^-53) plus one f32
 * rounding of y, both far below the bound.  The absolute epsilon is for
 * sums of magnitude zero (a zero row must give an exact zero) and for
 * subnormal results, whose f32 rounding is absolute, not relative.
 *
 * The same bound holds for f16, q8_0 and q4_0 weights because
 * dequantising them is exact in f32: an f16 is an f32 with fewer bits; a
 * q8_0 element is an f16 scale (11 significant bits) times an int8 (7
 * bits plus sign), at most 18 significant bits, and a q4_0 one is the
 * scale times an integer in [-8, 7], at most 15 bits, both within f32's
 * 24, and every non-zero result lies between 2^-24 and 65504 * 128 in
 * magnitude, far inside f32's normal range.  So the device and
 * the reference multiply exactly the same w_j, and only the summation
 * differs.  (A kernel that factors a block's scale out of its sum, d *
 * sum q_j x_j, adds one rounding per block: still inside the bound.)
 */
#define EDNA_REF_DOT_REL	1e-5
#define EDNA_REF_ABS_EPS	1e-30

/* The tolerance of a dot-product-like output whose sum |w_j x_j| is given. */
double edna_ref_dot_tolerance(double sum_abs_products);

/*
 * tol[rows x n]: the tolerance of each output of
 * edna_ref_matmul(dst, x, w, dtype, rows, n, k).
 */
void edna_ref_matmul_tolerance(double *tol, const float *x, const void *w,
			       int dtype, unsigned int rows, unsigned int n,
			       unsigned int k);

/* ---- whole graphs ---------------------------------------------------- */

/*
 * struct edna_ref_region - device virtual memory, as the host sees it
 * @va: the first device virtual address of the region
 * @size: bytes
 * @host: the host memory behind va..va+size-1
 * @writable: 0 for a read-only mapping: a write to it faults
 *	(EDNA_FAULT_REASON_PERMISSION), as on the device
 *
 * A job's address space is a table of regions that do not overlap.  An
 * access may span regions that are adjacent in VA; a byte in no region
 * faults (EDNA_FAULT_REASON_UNMAPPED).
 */
struct edna_ref_region {
	uint64_t va;
	uint64_t size;
	void *host;
	int writable;
};

/*
 * struct edna_ref_graph_result - how a graph ended, as the device's
 *	struct drm_edna_job_result says it
 * @status: EDNA_STATUS_OK, EDNA_STATUS_BAD_GRAPH or EDNA_STATUS_MMU_FAULT
 * @op_index: the op that failed, or EDNA_GRAPH_NO_OP for the header, the
 *	argument block, or a step's read of its tokens; 0 when OK
 * @reason: BAD_GRAPH: enum drm_edna_graph_error; MMU_FAULT: enum
 *	drm_edna_fault_reason; 0 when OK
 * @fault_va: MMU_FAULT: the first byte of the access that is not mapped
 *	(or not writable)
 * @steps_done: steps that ran to their end
 * @argmax_margin: over every ARGMAX that ran, the smallest difference
 *	between the largest element and the next largest (0 on a tie), or
 *	INFINITY when none ran: when it is within the tolerance of the
 *	logits, a device may legitimately pick another token, and the
 *	sequences diverge from there
 */
struct edna_ref_graph_result {
	uint32_t status;
	uint32_t op_index;
	uint32_t reason;
	uint64_t fault_va;
	uint32_t steps_done;
	double argmax_margin;
};

/*
 * edna_ref_run_graph - run the graph at @graph_va with the argument block
 *	at @args_va, as an EDNA_JOB_GRAPH job of an address space made of
 *	@regions
 *
 * Reads the graph, its operands and the argument block through @regions,
 * like the device, and writes the op outputs and the ARGMAX tokens there.
 *
 * What is checked, in this order, and what the failure reports:
 *  1. the header (EDNA_GRAPH_NO_OP): magic, major version, header_size >=
 *     64, op_size >= 128, op_count 1..EDNA_GRAPH_MAX_OPS, max_tokens
 *     1..EDNA_GRAPH_MAX_TOKENS, flags, reserved and the bytes past 64
 *     zero (ERR_MAGIC, ERR_VERSION, ERR_HEADER);
 *  2. every op record, in order (its index), each: opcode (ERR_OPCODE);
 *     flags (unknown, both row flags, or a row flag on EMBED, KV_APPEND,
 *     ATTENTION or COPY), pad, reserved, unused dims and params, bytes
 *     past 128 (ERR_FIELD); dtype (ERR_DTYPE); dims (ERR_DIMS): each used
 *     one 1..EDNA_GRAPH_MAX_DIM, max_seq up to EDNA_GRAPH_MAX_SEQ, a
 *     quantised row a multiple of 32, ROPE's hd even, heads a multiple of
 *     kv_heads, and a row of heads * hd no wider than EDNA_GRAPH_MAX_DIM;
 *     operands (ERR_OPERAND): unused sources zero, used ones and dst
 *     (but ARGMAX's) not zero, 4-byte aligned (2 for a non-f32 weight),
 *     and COPY's two ranges apart;
 *  3. the argument block (EDNA_GRAPH_NO_OP, ERR_ARGS): n_tokens
 *     1..max_tokens, steps 1..EDNA_GRAPH_MAX_STEPS and more than one only
 *     with an ARGMAX in the graph, flags zero, and the job's last
 *     position, pos + n_tokens + steps - 2, a __u32 like pos;
 *  4. the first step's tokens (a fault reading them: EDNA_GRAPH_NO_OP)
 *     against every EMBED's vocab (ERR_TOKEN), and the job's last
 *     position against every KV_APPEND's and ATTENTION's max_seq
 *     (ERR_POSITION): the first op, in order, that fails either.
 * Nothing is written before these have passed: a job that its graph or
 * its arguments make bad does nothing.  Then each step (from the second
 * on, after reading its token) runs the ops in order.  A token that an
 * ARGMAX wrote is checked by the EMBED that uses it, in the next step
 * (ERR_TOKEN there).  An op checks that every byte it reads and writes is
 * mapped (and writable) before it writes anything.  So a failing op has
 * written nothing, and the ops before it (in this and earlier steps) have
 * run.
 *
 * Rows are as the uapi says: a step's R is n_tokens for step 0 and 1
 * after; an op with EDNA_GOP_LAST_ROW reads row R-1 of its per-row
 * inputs, one with EDNA_GOP_SINGLE_ROW row 0, and either writes one row,
 * at the position of the step's last token.  Each op reads all of its
 * inputs before it writes its output, so an output aliasing an input
 * gives the mathematical result.
 *
 * Return: 0 when the graph ran; the enum drm_edna_graph_error of a
 * rejected graph; -EFAULT on an MMU fault; -ENOMEM; -EINVAL for a NULL
 * @result or @regions with a non-zero @region_count.  @result says the
 * same in the device's terms.
 */
int edna_ref_run_graph(uint64_t graph_va, uint64_t args_va,
		       const struct edna_ref_region *regions,
		       unsigned int region_count,
		       struct edna_ref_graph_result *result);

/*
 * edna_ref_run_graph_bytes - the same for a graph and an argument block
 *	held in host memory outside the job's regions
 *
 * The graph is read from @graph (@graph_size bytes) and the argument
 * block from and to @args (@args_size bytes), as if each were mapped at
 * VA 0 of an address space of its own (the graph read-only); operands
 * are resolved through @regions.  An access past the end of @graph or
 * @args is an MMU fault whose fault_va is the offset into it.
 */
int edna_ref_run_graph_bytes(const void *graph, size_t graph_size,
			     void *args, size_t args_size,
			     const struct edna_ref_region *regions,
			     unsigned int region_count,
			     struct edna_ref_graph_result *result);

#endif /* EDNA_REF_H */
