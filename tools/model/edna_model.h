/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna_model: read the model files people have -- GGUF (llama
 * architecture) and llama2.c checkpoints -- into a table of tensors the
 * compiler can place and the reference decoder can run, plus the
 * model's tokenizer.
 *
 * Copyright 2026 The edna authors
 *
 * Formats, limits and errors: Documentation/model-files.rst.
 *
 * The file is mapped read-only and tensors point into the mapping: a
 * model of any size opens in the time it takes to check its tables, and
 * the only weights copied are those converted on load (llama2.c's
 * version 2 int8 groups, to f32).  Everything a header claims is checked
 * against the file's size before anything is allocated for it.  The
 * library prints nothing, keeps no global state, and every failure
 * returns a negative errno and a message naming the file, the field and
 * what was expected.
 */
#ifndef EDNA_MODEL_H
#define EDNA_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "edna_accel.h"		/* enum drm_edna_graph_dtype */

/* Room for any message of this library (longer ones are cut). */
#define EDNA_MODEL_ERR_MAX	512

enum edna_model_format {
	EDNA_MODEL_GGUF = 1,		/* GGUF v2/v3, "llama" architecture */
	EDNA_MODEL_LLAMA2C_LEGACY = 2,	/* llama2.c: 7-int header, f32 */
	EDNA_MODEL_LLAMA2C_V1 = 3,	/* llama2.c "ak42" version 1, f32 */
	EDNA_MODEL_LLAMA2C_V2 = 4,	/* llama2.c "ak42" version 2, int8 groups */
};

/*
 * struct edna_model_config - the shape of a llama-style decoder
 * @dim: embedding width (llama.embedding_length)
 * @hidden_dim: feed-forward width (llama.feed_forward_length)
 * @n_layers: decoder layers (llama.block_count)
 * @n_heads: query heads
 * @n_kv_heads: key/value heads (GQA when fewer than n_heads)
 * @head_dim: dim / n_heads, even; RoPE rotates all of it
 * @vocab_size: rows of the embedding table and of the classifier
 * @seq_len: the context length the model was trained for
 * @rope_theta: RoPE base (llama.rope.freq_base, 10000 by default)
 * @norm_eps: RMSNorm epsilon (llama.attention.layer_norm_rms_epsilon;
 *	1e-5 for llama2.c, whose run.c hard-codes it)
 * @tied_output: the classifier is the embedding table
 */
struct edna_model_config {
	uint32_t dim;
	uint32_t hidden_dim;
	uint32_t n_layers;
	uint32_t n_heads;
	uint32_t n_kv_heads;
	uint32_t head_dim;
	uint32_t vocab_size;
	uint32_t seq_len;
	float rope_theta;
	float norm_eps;
	int tied_output;
};

#define EDNA_TENSOR_NAME_MAX	64

/*
 * struct edna_tensor - one weight, as MATMUL and EMBED take it
 * @name: GGUF's name ("blk.3.attn_q.weight"); llama2.c's tensors get
 *	the same names
 * @dtype: enum drm_edna_graph_dtype
 * @rows: rows of the matrix [rows x cols], row major (1 for a norm):
 *	output features of a MATMUL W, the vocabulary of an EMBED table
 * @cols: elements of one row: input features
 * @row_bytes: bytes of one row (edna_ref_row_bytes(dtype, cols))
 * @bytes: rows * row_bytes
 * @data: the first byte, in the read-only mapping of the file or in a
 *	buffer the model owns; valid until edna_model_close().  Norms (f32)
 *	are 4-byte aligned; other weights may be only 2-byte aligned.
 * @file_offset: where @data is in the file, or -1 when it was
 *	converted on load
 */
struct edna_tensor {
	char name[EDNA_TENSOR_NAME_MAX];
	int dtype;
	uint32_t rows;
	uint32_t cols;
	uint64_t row_bytes;
	uint64_t bytes;
	const void *data;
	int64_t file_offset;
};

/*
 * struct edna_model_layer - the tensors of one decoder layer
 *
 * attn_norm, ffn_norm [1 x dim] f32; attn_q [n_heads*head_dim x dim];
 * attn_k, attn_v [n_kv_heads*head_dim x dim]; attn_output [dim x
 * n_heads*head_dim]; ffn_gate, ffn_up [hidden_dim x dim]; ffn_down [dim x
 * hidden_dim].  The FFN is ffn_down(silu(ffn_gate x) * ffn_up x)
 * (llama2.c's w1, w3, w2).
 */
struct edna_model_layer {
	const struct edna_tensor *attn_norm;
	const struct edna_tensor *attn_q;
	const struct edna_tensor *attn_k;
	const struct edna_tensor *attn_v;
	const struct edna_tensor *attn_output;
	const struct edna_tensor *ffn_norm;
	const struct edna_tensor *ffn_gate;
	const struct edna_tensor *ffn_up;
	const struct edna_tensor *ffn_down;
};

struct edna_model;
struct edna_tokenizer;

/*
 * edna_model_open - map and check a model file
 * @path: a GGUF file or a llama2.c checkpoint, told apart by magic
 * @tokenizer_path: llama2.c's tokenizer.bin for a llama2.c checkpoint, or
 *	NULL (the model then has no tokenizer: ids only); must be NULL for
 *	GGUF, which carries its own
 * @model: set to the model on success, to NULL on failure
 * @err, @errlen: the message of a failure ("PATH: FIELD ..., expected
 *	..."); may be NULL/0
 *
 * Return: 0; -EINVAL for a malformed or truncated file, or one whose
 * fields disagree; -EOPNOTSUPP for a valid file this loader does not run
 * (another architecture, dtype or tokenizer, RoPE scaling, biases);
 * -ENOMEM; or the -errno of open(2), fstat(2) or mmap(2).
 */
int edna_model_open(const char *path, const char *tokenizer_path,
		    struct edna_model **model, char *err, size_t errlen);

/* Unmaps and frees everything; NULL is fine. */
void edna_model_close(struct edna_model *model);

enum edna_model_format edna_model_format(const struct edna_model *model);
const char *edna_model_path(const struct edna_model *model);
const struct edna_model_config *edna_model_config(const struct edna_model *model);

/* [vocab_size x dim], any dtype: what EMBED reads. */
const struct edna_tensor *edna_model_token_embd(const struct edna_model *model);
/* [1 x dim] f32 */
const struct edna_tensor *edna_model_output_norm(const struct edna_model *model);
/* [vocab_size x dim]: the classifier; the token_embd tensor when tied. */
const struct edna_tensor *edna_model_output(const struct edna_model *model);
/* Layer @layer < n_layers, or NULL. */
const struct edna_model_layer *edna_model_layer(const struct edna_model *model,
						unsigned int layer);

/*
 * Every distinct tensor once (a tied classifier is not repeated), in file
 * order for GGUF: what a compiler places.  *count is set.
 */
const struct edna_tensor *edna_model_tensors(const struct edna_model *model,
					     unsigned int *count);

/* The model's tokenizer, or NULL for a llama2.c model opened without one. */
const struct edna_tokenizer *edna_model_tokenizer(const struct edna_model *model);

/* ---- tokenizer ---------------------------------------------------------- */

uint32_t edna_tokenizer_vocab_size(const struct edna_tokenizer *tok);
uint32_t edna_tokenizer_bos(const struct edna_tokenizer *tok);
uint32_t edna_tokenizer_eos(const struct edna_tokenizer *tok);
/* Whether the file asks for a BOS before a prompt (GGUF's add_bos_token). */
int edna_tokenizer_adds_bos(const struct edna_tokenizer *tok);

/*
 * edna_tokenizer_encode - SentencePiece BPE, as llama.cpp and llama2.c's
 *	run.c do it (Documentation/model-files.rst, "Tokenizer")
 * @text: UTF-8, NUL-terminated
 * @add_bos: put the BOS id first
 * @ids: set to a malloc()ed array of *@n_ids ids (free() it); NULL with
 *	no ids
 *
 * Return: 0, -EINVAL for NULL arguments, or -ENOMEM.
 */
int edna_tokenizer_encode(const struct edna_tokenizer *tok, const char *text,
			  int add_bos, uint32_t **ids, size_t *n_ids);

/*
 * edna_tokenizer_decode - the text of token @id following @prev_id
 *
 * "▁" (GGUF) becomes ' '; a byte token "<0xXX>" becomes that byte; a
 * control token (BOS, EOS) is empty; after BOS a leading space is
 * dropped, as SentencePiece does.  Writes up to @size - 1 bytes and a
 * NUL (nothing when @size is 0), like snprintf.
 *
 * Return: the length of the whole piece (which may hold a zero byte,
 * from "<0x00>"), or -EINVAL for an id not below the vocabulary size.
 */
int edna_tokenizer_decode(const struct edna_tokenizer *tok, uint32_t id,
			  uint32_t prev_id, char *buf, size_t size);

/* A buffer of this size holds any piece edna_tokenizer_decode() returns. */
size_t edna_tokenizer_max_piece(const struct edna_tokenizer *tok);

/* The raw piece of @id as the file stores it (not NUL-terminated), or NULL. */
const char *edna_tokenizer_piece(const struct edna_tokenizer *tok, uint32_t id,
				 size_t *len);

/*
 * Write a message for a person into @err, when it has room, and return
 * @ret (a negative errno): how this library, the compiler and the tools
 * report an error.
 */
int edna_errmsg(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* EDNA_MODEL_H */
