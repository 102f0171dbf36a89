/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference decoder: a llama-style decoder run on the CPU with the
 * reference ops of tools/ref (edna_ref_*) over the tensors of a model
 * opened by edna_model_open().  It shares no code with the device's op
 * kernels (driver/sim/edna_ops.c): it is what decoding on the device is
 * checked against.
 *
 * Copyright 2026 The edna authors
 *
 * Per token, in the ops' terms (uapi/drm/edna_accel.h, "Compiled
 * graphs"): EMBED; per layer RMSNORM, MATMUL q/k/v, ROPE q and k,
 * KV_APPEND, ATTENTION (scale 1/sqrt(head_dim)), MATMUL attn_output, ADD,
 * RMSNORM, MATMUL gate and up, SILU_MUL, MATMUL down, ADD; then RMSNORM
 * and MATMUL by the classifier on the last row, and ARGMAX.  A prompt is
 * fed as one batch of rows; each op computes every row exactly as it
 * would alone, so batching does not change a single bit.
 */
#ifndef EDNA_REF_DECODE_H
#define EDNA_REF_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "edna_model.h"

struct edna_ref_decoder;

/*
 * edna_ref_decoder_new - a decoder with its KV cache
 * @max_positions: positions the cache holds, 1 to the model's seq_len
 * @max_rows: tokens one edna_ref_decoder_feed() may take, 1 to
 *	max_positions
 *
 * Return: 0, -EINVAL (message in @err) or -ENOMEM.
 */
int edna_ref_decoder_new(const struct edna_model *model, uint32_t max_positions,
			 uint32_t max_rows, struct edna_ref_decoder **decoder,
			 char *err, size_t errlen);
void edna_ref_decoder_free(struct edna_ref_decoder *decoder);

/*
 * edna_ref_decoder_feed - run @rows tokens at the next positions
 * @logits: NULL, or vocab_size floats: the logits after the last row
 *
 * Return: 0; -EINVAL for a token not below the vocabulary or more rows
 * or positions than the decoder holds (nothing is run); -ENOMEM.
 */
int edna_ref_decoder_feed(struct edna_ref_decoder *decoder, const uint32_t *tokens,
			  uint32_t rows, float *logits, char *err, size_t errlen);

/* Positions fed so far: the position of the next token. */
uint32_t edna_ref_decoder_position(const struct edna_ref_decoder *decoder);

/*
 * edna_ref_decode_model - greedy decoding of @n_gen tokens after a prompt
 * @prompt: @n_prompt >= 1 ids (BOS included if wanted: nothing is added)
 * @out_ids: @n_gen ids, each the ARGMAX (the first on ties) of the logits
 *	after the previous token; generation does not stop at EOS
 * @out_logits: NULL, or n_gen * vocab_size floats: row i the logits that
 *	gave out_ids[i]
 *
 * Needs n_prompt + n_gen - 1 positions, at most the model's seq_len.
 * Return: 0, -EINVAL (message in @err) or -ENOMEM.
 */
int edna_ref_decode_model(const struct edna_model *model, const uint32_t *prompt,
			  uint32_t n_prompt, uint32_t n_gen, uint32_t *out_ids,
			  float *out_logits, char *err, size_t errlen);

#endif /* EDNA_REF_DECODE_H */
