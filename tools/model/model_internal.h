/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the model library share: the model and tokenizer
 * structures, the bounds-checked reader over a mapped file, and the
 * error helpers.  Not installed; only the library's sources include it.
 *
 * Copyright 2026 The edna authors
 */
#ifndef EDNA_MODEL_INTERNAL_H
#define EDNA_MODEL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edna_model.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Any one dimension the loader accepts: the device's EDNA_GRAPH_MAX_DIM.
 * A product of three of them fits in 64 bits, so sizes computed from
 * checked dims cannot overflow.
 */
#define MODEL_MAX_DIM		EDNA_GRAPH_MAX_DIM
/* Layers: far more than any llama (80); bounds the layer table. */
#define MODEL_MAX_LAYERS	4096
/*
 * Longest token piece: real vocabularies stay under a few hundred bytes;
 * the bound keeps decode()'s int return honest.
 */
#define MODEL_MAX_PIECE		65536

/* GGUF's token types (llama.cpp's llama_token_type), also used for llama2.c. */
enum model_token_type {
	TOKEN_NORMAL = 1,
	TOKEN_UNKNOWN = 2,
	TOKEN_CONTROL = 3,
	TOKEN_USER_DEFINED = 4,
	TOKEN_UNUSED = 5,
	TOKEN_BYTE = 6,
};

struct model_piece {
	const char *text;	/* into a mapping, not NUL-terminated */
	uint32_t len;
	float score;
	uint8_t type;		/* enum model_token_type */
	uint8_t byte;		/* the byte of a TOKEN_BYTE piece */
};

struct edna_tokenizer {
	/* GGUF's pieces spell a space "▁" (U+2581); tokenizer.bin's spell ' '. */
	bool space_is_u2581;
	bool add_space_prefix;
	bool add_bos;
	uint32_t n_vocab;
	uint32_t bos, eos, unk;
	struct model_piece *pieces;
	/* open addressing: id + 1 of the piece hashed there, 0 when empty */
	uint32_t *slots;
	size_t slot_mask;
	/* id of the piece "<0xXX>" of each byte, or UINT32_MAX */
	uint32_t byte_id[256];
	size_t max_piece;	/* longest decoded piece + 1 */
	/* tokenizer.bin's own mapping (GGUF pieces live in the model's) */
	void *map;
	size_t map_size;
};

struct edna_model {
	char *path;
	enum edna_model_format format;
	const uint8_t *map;
	size_t map_size;
	struct edna_model_config config;
	/* every tensor once; layers and the named pointers point into it */
	struct edna_tensor *tensors;
	unsigned int n_tensors;
	unsigned int tensors_cap;
	struct edna_model_layer *layers;
	const struct edna_tensor *token_embd;
	const struct edna_tensor *output_norm;
	const struct edna_tensor *output;
	/* weights converted on load (llama2.c v2), freed on close */
	void **owned;
	unsigned int n_owned;
	struct edna_tokenizer *tokenizer;
};

/*
 * A bounds-checked cursor over a mapped file.  Every read checks the
 * bytes left first and fails with a message naming @what and the offset,
 * so no parser can read past the end however the file lies.
 */
struct model_reader {
	const char *path;
	const uint8_t *base;
	size_t size;
	size_t pos;
	char *err;
	size_t errlen;
};

/* Writes "PATH: message" into r->err; returns @ret (a negative errno). */
int model_fail(struct model_reader *r, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int model_failv(struct model_reader *r, int ret, const char *fmt, va_list ap);

/* -EINVAL with "truncated" unless @n bytes are left at the cursor. */
int reader_need(struct model_reader *r, uint64_t n, const char *what);
int reader_u8(struct model_reader *r, uint8_t *v, const char *what);
int reader_u32(struct model_reader *r, uint32_t *v, const char *what);
int reader_u64(struct model_reader *r, uint64_t *v, const char *what);
int reader_f32(struct model_reader *r, float *v, const char *what);
/* Points *p at the next @n bytes and moves past them. */
int reader_bytes(struct model_reader *r, uint64_t n, const uint8_t **p,
		 const char *what);

uint32_t le32(const uint8_t *p);
uint64_t le64(const uint8_t *p);
float lef32(const uint8_t *p);

/* a * b and a + b, false when they overflow 64 bits */
bool mul_u64(uint64_t a, uint64_t b, uint64_t *out);
bool add_u64(uint64_t a, uint64_t b, uint64_t *out);

/*
 * Bytes of a row of @cols elements of @dtype, the uapi's rule (quantised
 * rows are whole blocks of 32); 0 when there is no such row.
 */
uint64_t model_row_bytes(int dtype, uint64_t cols);

/* "f32", "q8_0", ... of an enum drm_edna_graph_dtype */
const char *model_dtype_name(int dtype);

/*
 * Appends a tensor to m->tensors (which the caller sized) and returns
 * it; @data must already be checked to lie in the file.
 */
struct edna_tensor *model_add_tensor(struct edna_model *m, const char *name,
				     int dtype, uint32_t rows, uint32_t cols,
				     const void *data);

/* Keeps @buf to free on close; frees it and fails on -ENOMEM. */
int model_own(struct edna_model *m, void *buf);

/* The parsers, one per family; r covers the model file. */
int gguf_load(struct edna_model *m, struct model_reader *r);
int llama2c_load(struct edna_model *m, struct model_reader *r);
/* llama2.c's tokenizer.bin, m->config.vocab_size pieces. */
int llama2c_tokenizer_load(struct edna_model *m, const char *path,
			   char *err, size_t errlen);

/*
 * Tokenizer construction: allocate @n_vocab pieces (the caller has
 * checked that the file holds that many), fill them, then index.
 */
struct edna_tokenizer *tokenizer_alloc(uint32_t n_vocab);
/* Builds the lookup table and the byte pieces; -ENOMEM or 0. */
int tokenizer_index(struct edna_tokenizer *tok);
void tokenizer_free(struct edna_tokenizer *tok);
/* Whether a piece reads "<0xXX>", and which byte. */
bool piece_is_byte(const char *text, size_t len, uint8_t *byte);

/* What each family calls the fields of struct edna_model_config. */
struct model_config_names {
	const char *dim, *hidden_dim, *n_layers, *n_heads, *n_kv_heads;
	const char *vocab_size, *seq_len;
};

/*
 * Checks a model's shape (every dim 1..MODEL_MAX_DIM, heads dividing,
 * head_dim even, ...) and fills head_dim; both parsers call it before
 * they size anything from the config.
 */
int model_check_config(struct model_reader *r, struct edna_model_config *c,
		       const struct model_config_names *names);

/* Allocates room for @cap tensors in m->tensors. */
int model_alloc_tensors(struct edna_model *m, unsigned int cap);

#endif /* EDNA_MODEL_INTERNAL_H */
