/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random-weight models in every format edna_model_open() reads, for
 * tests: GGUF (matrices in f32, f16, q8_0 or q4_0) and llama2.c (legacy,
 * version 1, version 2) with tokenizer.bin.  The same spec and seed give
 * the same f32 weights in every format, so decoding them must agree.
 *
 * Copyright 2026 The edna authors
 *
 * Weights are uniform in +-1/sqrt(fan_in) (the embedding table in +-1,
 * norms in 1 +- 0.25): activations keep their scale through the layers
 * and the logits are spread enough that greedy decoding rarely meets a
 * near tie.
 */
#ifndef EDNA_MODEL_GEN_H
#define EDNA_MODEL_GEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * struct edna_gen_spec - the model to make
 * @dtype: GGUF only: enum drm_edna_graph_dtype of the matrices (the
 *	embedding table and classifier too); norms are always f32
 * @tied: the classifier is the embedding table
 * @rope_theta, @norm_eps: GGUF only, 0 for llama2.c's fixed 10000 and 1e-5
 * @skip_key, @skip_tensor: GGUF only, for tests of missing fields: leave
 *	out the metadata key or tensor of that name (NULL: none)
 */
struct edna_gen_spec {
	uint32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
	uint64_t seed;
	int dtype;
	int tied;
	float rope_theta;
	float norm_eps;
	const char *skip_key;
	const char *skip_tensor;
};

/* A vocabulary, in GGUF's spelling ("▁" for a space). */
struct edna_gen_vocab {
	uint32_t n;
	char **pieces;
	float *scores;
	int32_t *types;		/* GGUF token types: 1 normal, 2 unknown, 3 control, 6 byte */
	uint32_t unk, bos, eos;
};

/* A growing byte buffer: what the writers produce. */
struct edna_bytes {
	uint8_t *data;
	size_t size, cap;
};

/*
 * The weights of a spec, f32, in llama2.c's layout: each per-layer kind
 * is n_layers matrices back to back.  wcls is NULL when tied.
 */
struct edna_gen_weights {
	float *token_embd, *rms_att, *wq, *wk, *wv, *wo, *rms_ffn, *w1, *w2, *w3;
	float *rms_final, *wcls;
};

/* -EINVAL (message in err) for a shape no loader accepts, or -ENOMEM. */
int edna_gen_make_weights(const struct edna_gen_spec *spec, struct edna_gen_weights *w,
			  char *err, size_t errlen);
void edna_gen_free_weights(struct edna_gen_weights *w);

/*
 * A small SentencePiece-like vocabulary of @n >= 3 pieces: <unk>, <s>,
 * </s>, the 256 byte pieces when n leaves room for them and 64 more,
 * "▁", single characters, then prefixes of common English words and
 * letter pairs, scored so that earlier pieces merge first.
 */
int edna_gen_default_vocab(uint32_t n, struct edna_gen_vocab *vocab);
/* A vocabulary from pieces given by the caller (copied); types by spelling. */
int edna_gen_vocab_from(const char *const *pieces, const float *scores, uint32_t n,
			struct edna_gen_vocab *vocab);
void edna_gen_free_vocab(struct edna_gen_vocab *vocab);

/*
 * GGUF v3 of @spec, with @vocab's "llama" tokenizer (NULL: no tokenizer
 * metadata; else its n must be the spec's vocab_size).
 */
int edna_gen_gguf(const struct edna_gen_spec *spec, const struct edna_gen_vocab *vocab,
		  struct edna_bytes *out, char *err, size_t errlen);

/*
 * A llama2.c checkpoint of @spec: @version 0 (legacy), 1 (f32) or 2 (int8
 * groups of @group_size, which must divide dim).
 */
int edna_gen_llama2c(const struct edna_gen_spec *spec, int version, uint32_t group_size,
		     struct edna_bytes *out, char *err, size_t errlen);

/* llama2.c's tokenizer.bin of @vocab ("▁" as ' ', <s>/</s> as run.c's). */
int edna_gen_tokenizer_bin(const struct edna_gen_vocab *vocab, struct edna_bytes *out);

/* Writes the bytes to @path (created or truncated): 0 or -errno. */
int edna_bytes_write(const struct edna_bytes *b, const char *path);
void edna_bytes_free(struct edna_bytes *b);

#endif /* EDNA_MODEL_GEN_H */
