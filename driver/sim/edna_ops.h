/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna device model: the op kernels of compiled graphs (see "Compiled
 * graphs" in uapi/drm/edna_accel.h).  One source built twice: into
 * edna_sim.ko, where every call runs between kernel_fpu_begin() and
 * kernel_fpu_end(), and for the host (tests, bench).
 *
 * No float crosses this interface by value (a unit built without the
 * FPU could not call it): f32 scalars travel as their bit patterns.
 * Pointers need only the alignment of their element type: 4 bytes for
 * f32, 2 for an f16, q8_0 or q4_0 row.  Outputs may equal inputs where
 * said; otherwise they must not overlap them.
 *
 * Copyright 2026 The edna authors
 */
#ifndef _EDNA_OPS_H_
#define _EDNA_OPS_H_

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stddef.h>
typedef __u32 u32;	/* the kernel's own, so both builds agree */
typedef __u64 u64;
#endif

/* AVX2, FMA and F16C are usable (and saved by the caller): the caller decides */
#define EDNA_OPS_CPU_AVX2	0x1u

/*
 * dtype is an enum drm_edna_graph_dtype: 0 f32, 1 f16, 2 q8_0, 3 q4_0.
 * Bytes of a row of @n elements; 0 if @dtype is unknown or @n is not a
 * multiple of 32 for a quantised one.
 */
u64 edna_ops_row_bytes(u32 dtype, u32 n);

/* EMBED: the @n elements of one @dtype row as f32 */
void edna_ops_dequant_row(float *dst, const void *row, u32 dtype, u32 n, u32 cpu);

/* dst = x / sqrt(mean(x^2) + eps) * w over @n elements; dst may equal x */
void edna_ops_rmsnorm(float *dst, const float *x, const float *w, u32 n, u32 eps_bits,
		      u32 cpu);

/*
 * dst[r * ldd + i] = sum_j W[i][j] * x[r * ldx + j] for r < @rows and
 * @n0 <= i < @n1; row i of W at w + i * edna_ops_row_bytes(dtype, k).
 * Rows of W are independent: any split of [0, n) into slices gives the
 * same result as one call.
 */
void edna_ops_matmul(float *dst, u32 ldd, const float *x, u32 ldx, const void *w, u32 dtype,
		     u32 rows, u32 k, u32 n0, u32 n1, u32 cpu);

/*
 * One row of @heads * @hd values: the pair (2i, 2i + 1) of each head
 * rotated by pos * theta^(-2i / hd); dst may equal src.
 */
void edna_ops_rope(float *dst, const float *src, u32 heads, u32 hd, u32 pos, u32 theta_bits,
		   u32 cpu);

/*
 * One query head of one row: out[hd] = sum_t softmax_t(scale * q.k_t) v_t
 * for t < @len, k_t at k + t * ld and v_t at v + t * ld (@ld in floats);
 * @scratch holds @len floats; scale_bits 0 means 1 / sqrt(hd).  out may
 * equal q.
 */
void edna_ops_attention_head(float *out, const float *q, const float *k, const float *v, u32 ld,
			     u32 hd, u32 len, u32 scale_bits, float *scratch, u32 cpu);

/* Elementwise over @n; dst may equal a or b */
void edna_ops_add(float *dst, const float *a, const float *b, u32 n, u32 cpu);
void edna_ops_mul(float *dst, const float *a, const float *b, u32 n, u32 cpu);
/* silu(a) * b, silu(a) = a / (1 + exp(-a)) */
void edna_ops_silu_mul(float *dst, const float *a, const float *b, u32 n, u32 cpu);

/* dst may equal x */
void edna_ops_softmax(float *dst, const float *x, u32 n, u32 cpu);

/* The first index of the largest element (NaNs after x[0] never win) */
u32 edna_ops_argmax(const float *x, u32 n, u32 cpu);

#endif /* _EDNA_OPS_H_ */
