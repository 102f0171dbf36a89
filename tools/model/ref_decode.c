// SPDX-License-Identifier: GPL-2.0
/*
 * The reference decoder on tools/ref's ops: see ref_decode.h.
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edna_ref.h"
#include "ref_decode.h"

struct edna_ref_decoder {
	const struct edna_model *model;
	const struct edna_model_config *c;
	uint32_t max_positions, max_rows, pos;
	uint32_t q_dim, kv_dim;
	/* activations, max_rows rows each */
	float *x, *xb, *q, *k, *v, *att, *out, *gate, *up;
	/* the last row after the final norm, and the logits */
	float *x_last, *logits;
	/* per layer, [max_positions x kv_dim] */
	float **k_cache, **v_cache;
};

static float *floats(size_t rows, size_t cols)
{
	size_t n = rows * cols;

	return calloc(n ? n : 1, sizeof(float));
}

void edna_ref_decoder_free(struct edna_ref_decoder *d)
{
	uint32_t l;

	if (!d)
		return;
	if (d->k_cache)
		for (l = 0; l < d->c->n_layers; l++)
			free(d->k_cache[l]);
	if (d->v_cache)
		for (l = 0; l < d->c->n_layers; l++)
			free(d->v_cache[l]);
	free(d->k_cache);
	free(d->v_cache);
	free(d->x);
	free(d->xb);
	free(d->q);
	free(d->k);
	free(d->v);
	free(d->att);
	free(d->out);
	free(d->gate);
	free(d->up);
	free(d->x_last);
	free(d->logits);
	free(d);
}

int edna_ref_decoder_new(const struct edna_model *model, uint32_t max_positions,
			 uint32_t max_rows, struct edna_ref_decoder **decoder,
			 char *err, size_t errlen)
{
	const struct edna_model_config *c;
	struct edna_ref_decoder *d;
	uint32_t l;

	if (!decoder)
		return -EINVAL;
	*decoder = NULL;
	if (!model)
		return edna_errmsg(err, errlen, -EINVAL, "no model");
	c = edna_model_config(model);
	if (max_positions < 1 || max_positions > c->seq_len)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: %u positions asked for, the model's context is 1 to %u",
			    edna_model_path(model), max_positions, c->seq_len);
	if (max_rows < 1 || max_rows > max_positions)
		return edna_errmsg(err, errlen, -EINVAL, "%u rows a step asked for, expected 1 to %u",
			    max_rows, max_positions);
	d = calloc(1, sizeof(*d));
	if (!d)
		return edna_errmsg(err, errlen, -ENOMEM, "out of memory");
	d->model = model;
	d->c = c;
	d->max_positions = max_positions;
	d->max_rows = max_rows;
	d->q_dim = c->n_heads * c->head_dim;
	d->kv_dim = c->n_kv_heads * c->head_dim;
	d->x = floats(max_rows, c->dim);
	d->xb = floats(max_rows, c->dim);
	d->q = floats(max_rows, d->q_dim);
	d->k = floats(max_rows, d->kv_dim);
	d->v = floats(max_rows, d->kv_dim);
	d->att = floats(max_rows, d->q_dim);
	d->out = floats(max_rows, c->dim);
	d->gate = floats(max_rows, c->hidden_dim);
	d->up = floats(max_rows, c->hidden_dim);
	d->x_last = floats(1, c->dim);
	d->logits = floats(1, c->vocab_size);
	d->k_cache = calloc(c->n_layers, sizeof(*d->k_cache));
	d->v_cache = calloc(c->n_layers, sizeof(*d->v_cache));
	if (!d->x || !d->xb || !d->q || !d->k || !d->v || !d->att || !d->out || !d->gate ||
	    !d->up || !d->x_last || !d->logits || !d->k_cache || !d->v_cache)
		goto nomem;
	for (l = 0; l < c->n_layers; l++) {
		d->k_cache[l] = floats(max_positions, d->kv_dim);
		d->v_cache[l] = floats(max_positions, d->kv_dim);
		if (!d->k_cache[l] || !d->v_cache[l])
			goto nomem;
	}
	*decoder = d;
	return 0;
nomem:
	edna_ref_decoder_free(d);
	return edna_errmsg(err, errlen, -ENOMEM, "out of memory for a decoder of %u positions",
		    max_positions);
}

uint32_t edna_ref_decoder_position(const struct edna_ref_decoder *d)
{
	return d->pos;
}

static void matmul(float *dst, const float *x, const struct edna_tensor *w, uint32_t rows)
{
	edna_ref_matmul(dst, x, w->data, w->dtype, rows, w->rows, w->cols);
}

static const float *norm_weight(const struct edna_tensor *t)
{
	return t->data;	/* f32 and 4-byte aligned: the loaders check both */
}

/* One decoder layer over rows at positions pos..pos+rows-1, x in place. */
static int layer_forward(struct edna_ref_decoder *d, const struct edna_model_layer *ly,
			 uint32_t layer, uint32_t rows)
{
	const struct edna_model_config *c = d->c;
	int ret;

	edna_ref_rmsnorm(d->xb, d->x, norm_weight(ly->attn_norm), rows, c->dim, c->norm_eps);
	matmul(d->q, d->xb, ly->attn_q, rows);
	matmul(d->k, d->xb, ly->attn_k, rows);
	matmul(d->v, d->xb, ly->attn_v, rows);
	edna_ref_rope(d->q, d->q, rows, c->n_heads, c->head_dim, d->pos, c->rope_theta);
	edna_ref_rope(d->k, d->k, rows, c->n_kv_heads, c->head_dim, d->pos, c->rope_theta);
	edna_ref_kv_append(d->k_cache[layer], d->k, rows, d->kv_dim, d->pos);
	edna_ref_kv_append(d->v_cache[layer], d->v, rows, d->kv_dim, d->pos);
	/* scale 0: the uapi's 1/sqrt(head_dim) */
	ret = edna_ref_attention(d->att, d->q, d->k_cache[layer], d->v_cache[layer], rows,
				 c->n_heads, c->n_kv_heads, c->head_dim, d->pos, 0.0f);
	if (ret)
		return ret;
	matmul(d->out, d->att, ly->attn_output, rows);
	edna_ref_add(d->x, d->x, d->out, (size_t)rows * c->dim);

	edna_ref_rmsnorm(d->xb, d->x, norm_weight(ly->ffn_norm), rows, c->dim, c->norm_eps);
	matmul(d->gate, d->xb, ly->ffn_gate, rows);
	matmul(d->up, d->xb, ly->ffn_up, rows);
	edna_ref_silu_mul(d->gate, d->gate, d->up, (size_t)rows * c->hidden_dim);
	matmul(d->out, d->gate, ly->ffn_down, rows);
	edna_ref_add(d->x, d->x, d->out, (size_t)rows * c->dim);
	return 0;
}

int edna_ref_decoder_feed(struct edna_ref_decoder *d, const uint32_t *tokens, uint32_t rows,
			  float *logits, char *err, size_t errlen)
{
	const struct edna_model *m;
	const struct edna_model_config *c;
	const struct edna_tensor *embd, *out;
	uint32_t r, l;
	int ret;

	if (!d || (!tokens && rows))
		return edna_errmsg(err, errlen, -EINVAL, "no decoder or no tokens");
	m = d->model;
	c = d->c;
	if (rows < 1 || rows > d->max_rows)
		return edna_errmsg(err, errlen, -EINVAL, "%u tokens fed at once, expected 1 to %u",
			    rows, d->max_rows);
	if (rows > d->max_positions - d->pos)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%u tokens at position %u need more than the decoder's %u positions",
			    rows, d->pos, d->max_positions);
	for (r = 0; r < rows; r++)
		if (tokens[r] >= c->vocab_size)
			return edna_errmsg(err, errlen, -EINVAL,
				    "token %u (at %u) is not below the vocabulary size %u",
				    tokens[r], r, c->vocab_size);

	embd = edna_model_token_embd(m);
	edna_ref_embed(d->x, embd->data, embd->dtype, tokens, rows, c->dim);
	for (l = 0; l < c->n_layers; l++) {
		ret = layer_forward(d, edna_model_layer(m, l), l, rows);
		if (ret)
			return edna_errmsg(err, errlen, ret, "out of memory in attention");
	}
	d->pos += rows;

	/* only the last row's next token matters: LAST_ROW in a graph */
	out = edna_model_output(m);
	edna_ref_rmsnorm(d->x_last, d->x + (size_t)(rows - 1) * c->dim,
			 norm_weight(edna_model_output_norm(m)), 1, c->dim, c->norm_eps);
	edna_ref_matmul(logits ? logits : d->logits, d->x_last, out->data, out->dtype, 1,
			out->rows, out->cols);
	return 0;
}

int edna_ref_decode_model(const struct edna_model *model, const uint32_t *prompt,
			  uint32_t n_prompt, uint32_t n_gen, uint32_t *out_ids,
			  float *out_logits, char *err, size_t errlen)
{
	struct edna_ref_decoder *d;
	const struct edna_model_config *c;
	uint64_t positions;
	uint32_t i, vocab;
	float *logits;
	int ret;

	if (!model || !prompt || n_prompt < 1 || (n_gen && !out_ids))
		return edna_errmsg(err, errlen, -EINVAL, "no model, no prompt or nowhere to put the ids");
	c = edna_model_config(model);
	vocab = c->vocab_size;
	/* the last generated token is never fed back */
	positions = (uint64_t)n_prompt + (n_gen ? n_gen - 1 : 0);
	if (positions > c->seq_len)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%u prompt tokens and %u generated need %llu positions, the model's context is %u",
			    n_prompt, n_gen, (unsigned long long)positions, c->seq_len);
	ret = edna_ref_decoder_new(model, (uint32_t)positions, n_prompt, &d, err, errlen);
	if (ret)
		return ret;
	logits = out_logits ? NULL : malloc((size_t)vocab * sizeof(*logits));
	if (!out_logits && !logits) {
		edna_ref_decoder_free(d);
		return edna_errmsg(err, errlen, -ENOMEM, "out of memory");
	}
	for (i = 0; i < n_gen; i++) {
		float *row = out_logits ? out_logits + (size_t)i * vocab : logits;

		if (i == 0)
			ret = edna_ref_decoder_feed(d, prompt, n_prompt, row, err, errlen);
		else
			ret = edna_ref_decoder_feed(d, &out_ids[i - 1], 1, row, err, errlen);
		if (ret)
			break;
		out_ids[i] = edna_ref_argmax(row, vocab);
	}
	free(logits);
	edna_ref_decoder_free(d);
	return ret;
}
