// SPDX-License-Identifier: GPL-2.0
/*
 * GGUF (versions 2 and 3, little endian), "llama" architecture: the
 * metadata the decoder needs, the tensor table checked against the
 * model's shape, and the "llama" (SentencePiece) tokenizer.
 *
 * Copyright 2026 The edna authors
 *
 * Layout (ggml's docs/gguf.md): "GGUF", u32 version, u64 tensor_count,
 * u64 metadata_kv_count, the key/value pairs, the tensor infos (name,
 * u32 n_dims, u64 dims[n_dims] with dims[0] contiguous, u32 GGML type,
 * u64 offset into the data section), then the data section at the next
 * multiple of general.alignment.  Strings are a u64 length and bytes.
 *
 * Every count is compared with the bytes left before anything is sized
 * from it, and every key, string and array is walked through the
 * bounds-checked reader, so a lying header fails with a message instead
 * of an allocation or a read past the mapping.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* Versions with 64-bit counts; 1 had 32-bit ones and no writer makes it now. */
#define GGUF_VERSION_MIN	2
#define GGUF_VERSION_MAX	3
#define GGUF_DEFAULT_ALIGNMENT	32
#define GGUF_MAX_DIMS		4	/* ggml's GGML_MAX_DIMS */
/* ggml's limit on tensor names (GGML_MAX_NAME) including the NUL */
#define GGUF_MAX_NAME		64
/* The spec's limit on key length; more is a corrupt length field. */
#define GGUF_MAX_KEY		65535
/* Arrays of arrays are legal; no known key nests, so a deep one is junk. */
#define GGUF_MAX_NESTING	4

enum gguf_type {
	GGUF_U8 = 0,
	GGUF_I8 = 1,
	GGUF_U16 = 2,
	GGUF_I16 = 3,
	GGUF_U32 = 4,
	GGUF_I32 = 5,
	GGUF_F32 = 6,
	GGUF_BOOL = 7,
	GGUF_STRING = 8,
	GGUF_ARRAY = 9,
	GGUF_U64 = 10,
	GGUF_I64 = 11,
	GGUF_F64 = 12,
	GGUF_TYPE_COUNT,
};

static const char *const gguf_type_names[GGUF_TYPE_COUNT] = {
	"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string",
	"array", "u64", "i64", "f64",
};

static const char *gguf_type_name(uint32_t type)
{
	return type < GGUF_TYPE_COUNT ? gguf_type_names[type] : "unknown";
}

/* Bytes of a scalar value; 0 for string, array and unknown types. */
static unsigned int gguf_scalar_size(uint32_t type)
{
	switch (type) {
	case GGUF_U8: case GGUF_I8: case GGUF_BOOL:
		return 1;
	case GGUF_U16: case GGUF_I16:
		return 2;
	case GGUF_U32: case GGUF_I32: case GGUF_F32:
		return 4;
	case GGUF_U64: case GGUF_I64: case GGUF_F64:
		return 8;
	}
	return 0;
}

/* ggml's type ids, for the four we run and names for the rest in messages */
enum ggml_type {
	GGML_F32 = 0,
	GGML_F16 = 1,
	GGML_Q4_0 = 2,
	GGML_Q8_0 = 8,
};

static const char *const ggml_type_names[] = {
	[0] = "f32", [1] = "f16", [2] = "q4_0", [3] = "q4_1", [6] = "q5_0",
	[7] = "q5_1", [8] = "q8_0", [9] = "q8_1", [10] = "q2_K", [11] = "q3_K",
	[12] = "q4_K", [13] = "q5_K", [14] = "q6_K", [15] = "q8_K",
	[16] = "iq2_xxs", [17] = "iq2_xs", [18] = "iq3_xxs", [19] = "iq1_s",
	[20] = "iq4_nl", [21] = "iq3_s", [22] = "iq2_s", [23] = "iq4_xs",
	[24] = "i8", [25] = "i16", [26] = "i32", [27] = "i64", [28] = "f64",
	[29] = "iq1_m", [30] = "bf16",
};

static int ggml_to_dtype(uint32_t type)
{
	switch (type) {
	case GGML_F32:
		return EDNA_DTYPE_F32;
	case GGML_F16:
		return EDNA_DTYPE_F16;
	case GGML_Q8_0:
		return EDNA_DTYPE_Q8_0;
	case GGML_Q4_0:
		return EDNA_DTYPE_Q4_0;
	}
	return -1;
}

/* ---- metadata ------------------------------------------------------------- */

/* A value found in the file: where it is, not yet interpreted. */
struct gguf_kv {
	bool present;
	uint32_t type;
	const uint8_t *value;	/* scalar bytes, or a string's length field */
	uint32_t elem_type;	/* arrays */
	uint64_t count;		/* arrays */
	const uint8_t *elems;	/* arrays: the first element */
};

struct gguf_meta {
	struct gguf_kv architecture, alignment;
	struct gguf_kv context_length, embedding_length, block_count,
		feed_forward_length, head_count, head_count_kv, rope_dims,
		rope_freq_base, rms_eps, vocab_size, expert_count,
		rope_scaling_type, key_length, value_length;
	struct gguf_kv tok_model, tokens, scores, token_type, bos_id, eos_id,
		unk_id, add_bos, add_space_prefix;
};

static const struct {
	const char *key;
	size_t offset;
} gguf_known_keys[] = {
#define KEY(name, field) { name, offsetof(struct gguf_meta, field) }
	KEY("general.architecture", architecture),
	KEY("general.alignment", alignment),
	KEY("llama.context_length", context_length),
	KEY("llama.embedding_length", embedding_length),
	KEY("llama.block_count", block_count),
	KEY("llama.feed_forward_length", feed_forward_length),
	KEY("llama.attention.head_count", head_count),
	KEY("llama.attention.head_count_kv", head_count_kv),
	KEY("llama.rope.dimension_count", rope_dims),
	KEY("llama.rope.freq_base", rope_freq_base),
	KEY("llama.attention.layer_norm_rms_epsilon", rms_eps),
	KEY("llama.vocab_size", vocab_size),
	KEY("llama.expert_count", expert_count),
	KEY("llama.rope.scaling.type", rope_scaling_type),
	KEY("llama.attention.key_length", key_length),
	KEY("llama.attention.value_length", value_length),
	KEY("tokenizer.ggml.model", tok_model),
	KEY("tokenizer.ggml.tokens", tokens),
	KEY("tokenizer.ggml.scores", scores),
	KEY("tokenizer.ggml.token_type", token_type),
	KEY("tokenizer.ggml.bos_token_id", bos_id),
	KEY("tokenizer.ggml.eos_token_id", eos_id),
	KEY("tokenizer.ggml.unknown_token_id", unk_id),
	KEY("tokenizer.ggml.add_bos_token", add_bos),
	KEY("tokenizer.ggml.add_space_prefix", add_space_prefix),
#undef KEY
};

/* Reads a string's length and bytes; *len is checked against the file. */
static int read_string(struct model_reader *r, const uint8_t **s, uint64_t *len,
		       const char *what)
{
	int ret = reader_u64(r, len, what);

	if (ret)
		return ret;
	return reader_bytes(r, *len, s, what);
}

/* Moves past one value of @type, checking every length on the way. */
static int skip_value(struct model_reader *r, uint32_t type, unsigned int depth,
		      const char *key)
{
	uint32_t elem_type;
	uint64_t n, i, bytes, len;
	const uint8_t *p;
	int ret;

	if (gguf_scalar_size(type))
		return reader_bytes(r, gguf_scalar_size(type), &p, key);
	if (type == GGUF_STRING)
		return read_string(r, &p, &len, key);
	if (type != GGUF_ARRAY)
		return model_fail(r, -EINVAL, "metadata %s has value type %u, expected 0 to 12",
				  key, type);
	if (depth >= GGUF_MAX_NESTING)
		return model_fail(r, -EINVAL,
				  "metadata %s nests arrays more than %d deep at offset %zu",
				  key, GGUF_MAX_NESTING, r->pos);
	if ((ret = reader_u32(r, &elem_type, key)) || (ret = reader_u64(r, &n, key)))
		return ret;
	if (gguf_scalar_size(elem_type)) {
		if (!mul_u64(n, gguf_scalar_size(elem_type), &bytes))
			bytes = UINT64_MAX;
		if (bytes > r->size - r->pos)
			return model_fail(r, -EINVAL,
					  "truncated or a bad count: metadata %s: an array of %llu %s needs %llu bytes at offset %zu, the file has %zu",
					  key, (unsigned long long)n, gguf_type_name(elem_type),
					  (unsigned long long)bytes, r->pos, r->size);
		r->pos += bytes;
		return 0;
	}
	if (elem_type != GGUF_STRING && elem_type != GGUF_ARRAY)
		return model_fail(r, -EINVAL, "metadata %s is an array of type %u, expected 0 to 12",
				  key, elem_type);
	/* each string or array takes at least 8 bytes: a count no file can hold fails here */
	if (n > (r->size - r->pos) / 8)
		return model_fail(r, -EINVAL,
				  "metadata %s: an array of %llu %ss cannot fit in the %zu bytes left at offset %zu",
				  key, (unsigned long long)n, gguf_type_name(elem_type),
				  r->size - r->pos, r->pos);
	for (i = 0; i < n; i++) {
		ret = skip_value(r, elem_type, depth + 1, key);
		if (ret)
			return ret;
	}
	return 0;
}

/* A key's text for messages: printable, and not longer than a line. */
static void key_text(char *out, size_t size, const uint8_t *key, uint64_t len)
{
	size_t i, n = len < size - 1 ? len : size - 1;

	for (i = 0; i < n; i++)
		out[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	out[n] = '\0';
}

static int read_metadata(struct model_reader *r, uint64_t kv_count, struct gguf_meta *meta)
{
	uint64_t i, key_len;
	const uint8_t *key;
	char name[96];
	uint32_t type;
	size_t k;
	int ret;

	for (i = 0; i < kv_count; i++) {
		struct gguf_kv *kv = NULL;
		size_t value_pos;

		snprintf(name, sizeof(name), "the key of metadata entry %llu",
			 (unsigned long long)i);
		if ((ret = read_string(r, &key, &key_len, name)))
			return ret;
		if (key_len > GGUF_MAX_KEY)
			return model_fail(r, -EINVAL,
					  "metadata entry %llu: key of %llu bytes, expected at most %d",
					  (unsigned long long)i, (unsigned long long)key_len,
					  GGUF_MAX_KEY);
		key_text(name, sizeof(name), key, key_len);
		if ((ret = reader_u32(r, &type, name)))
			return ret;
		for (k = 0; k < ARRAY_SIZE(gguf_known_keys); k++) {
			if (strlen(gguf_known_keys[k].key) == key_len &&
			    !memcmp(gguf_known_keys[k].key, key, key_len)) {
				kv = (struct gguf_kv *)((char *)meta + gguf_known_keys[k].offset);
				break;
			}
		}
		if (kv && kv->present)
			return model_fail(r, -EINVAL, "metadata %s appears twice", name);
		value_pos = r->pos;
		if ((ret = skip_value(r, type, 0, name)))
			return ret;
		if (!kv)
			continue;
		kv->present = true;
		kv->type = type;
		kv->value = r->base + value_pos;
		if (type == GGUF_ARRAY) {
			kv->elem_type = le32(kv->value);
			kv->count = le64(kv->value + 4);
			kv->elems = kv->value + 12;
		}
	}
	return 0;
}

/* An integer key as a u32; -EINVAL for another type or a value out of range. */
static int kv_u32(struct model_reader *r, const struct gguf_kv *kv, const char *key,
		  uint32_t *v)
{
	const uint8_t *p = kv->value;
	bool is_signed = false;
	int64_t s = 0;
	uint64_t u = 0;

	switch (kv->type) {
	case GGUF_U8:
		u = p[0];
		break;
	case GGUF_U16:
		u = p[0] | p[1] << 8;
		break;
	case GGUF_U32:
		u = le32(p);
		break;
	case GGUF_U64:
		u = le64(p);
		break;
	case GGUF_I8:
		s = (int8_t)p[0];
		is_signed = true;
		break;
	case GGUF_I16:
		s = (int16_t)(p[0] | p[1] << 8);
		is_signed = true;
		break;
	case GGUF_I32:
		s = (int32_t)le32(p);
		is_signed = true;
		break;
	case GGUF_I64:
		s = (int64_t)le64(p);
		is_signed = true;
		break;
	default:
		return model_fail(r, -EINVAL, "metadata %s has type %s, expected an integer",
				  key, gguf_type_name(kv->type));
	}
	if (is_signed) {
		if (s < 0)
			return model_fail(r, -EINVAL, "metadata %s is %lld, expected 0 or more",
					  key, (long long)s);
		u = (uint64_t)s;
	}
	if (u > UINT32_MAX)
		return model_fail(r, -EINVAL, "metadata %s is %llu, expected at most %u",
				  key, (unsigned long long)u, UINT32_MAX);
	*v = (uint32_t)u;
	return 0;
}

/* A required integer key. */
static int need_u32(struct model_reader *r, const struct gguf_kv *kv, const char *key,
		    uint32_t *v)
{
	if (!kv->present)
		return model_fail(r, -EINVAL, "metadata %s is missing", key);
	return kv_u32(r, kv, key, v);
}

/* An optional integer key. */
static int opt_u32(struct model_reader *r, const struct gguf_kv *kv, const char *key,
		   uint32_t *v, uint32_t dflt)
{
	*v = dflt;
	return kv->present ? kv_u32(r, kv, key, v) : 0;
}

static int opt_float(struct model_reader *r, const struct gguf_kv *kv, const char *key,
		     float *v, float dflt)
{
	uint64_t bits;
	double d;

	*v = dflt;
	if (!kv->present)
		return 0;
	if (kv->type == GGUF_F32) {
		*v = lef32(kv->value);
		return 0;
	}
	if (kv->type == GGUF_F64) {
		bits = le64(kv->value);
		memcpy(&d, &bits, sizeof(d));
		*v = (float)d;
		return 0;
	}
	return model_fail(r, -EINVAL, "metadata %s has type %s, expected f32",
			  key, gguf_type_name(kv->type));
}

static int opt_bool(struct model_reader *r, const struct gguf_kv *kv, const char *key,
		    bool *v, bool dflt)
{
	*v = dflt;
	if (!kv->present)
		return 0;
	if (kv->type != GGUF_BOOL)
		return model_fail(r, -EINVAL, "metadata %s has type %s, expected bool",
				  key, gguf_type_name(kv->type));
	if (kv->value[0] > 1)
		return model_fail(r, -EINVAL, "metadata %s is %u, expected a bool (0 or 1)",
				  key, kv->value[0]);
	*v = kv->value[0];
	return 0;
}

static int kv_string(struct model_reader *r, const struct gguf_kv *kv, const char *key,
		     const char **s, size_t *len)
{
	if (kv->type != GGUF_STRING)
		return model_fail(r, -EINVAL, "metadata %s has type %s, expected string",
				  key, gguf_type_name(kv->type));
	*len = le64(kv->value);	/* checked against the file by skip_value() */
	*s = (const char *)kv->value + 8;
	return 0;
}

static bool string_is(const char *s, size_t len, const char *want)
{
	return len == strlen(want) && !memcmp(s, want, len);
}

/* ---- the llama tensors ---------------------------------------------------- */

/* The roles of tensors: three global ones, then LAYER_TENSORS per layer. */
enum {
	ROLE_TOKEN_EMBD,
	ROLE_OUTPUT_NORM,
	ROLE_OUTPUT,
	ROLE_GLOBALS,
};

enum {
	L_ATTN_NORM, L_ATTN_Q, L_ATTN_K, L_ATTN_V, L_ATTN_OUTPUT,
	L_FFN_NORM, L_FFN_GATE, L_FFN_UP, L_FFN_DOWN,
	LAYER_TENSORS,
};

static const char *const layer_tensor_names[LAYER_TENSORS] = {
	"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
	"ffn_norm", "ffn_gate", "ffn_up", "ffn_down",
};

struct gguf_tensor_info {
	const char *name;
	size_t name_len;
	uint32_t n_dims;
	uint64_t dims[GGUF_MAX_DIMS];
	uint32_t type;
	uint64_t offset;
};

/*
 * The role of a tensor name, or -1 when it is not a llama tensor;
 * -2 for a layer past block_count (*layer says which).
 */
static int tensor_role(const char *name, size_t len, uint32_t n_layers, uint64_t *layer)
{
	static const char *const globals[ROLE_GLOBALS] = {
		"token_embd.weight", "output_norm.weight", "output.weight",
	};
	const char *p, *end = name + len;
	uint64_t n = 0;
	int i;

	for (i = 0; i < ROLE_GLOBALS; i++)
		if (string_is(name, len, globals[i]))
			return i;
	if (len < 4 || memcmp(name, "blk.", 4))
		return -1;
	p = name + 4;
	if (p == end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < end && p[1] != '.'))
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return -1;
	}
	if (p == end || *p++ != '.')
		return -1;
	for (i = 0; i < LAYER_TENSORS; i++) {
		size_t l = strlen(layer_tensor_names[i]);

		if ((size_t)(end - p) == l + 7 && !memcmp(p, layer_tensor_names[i], l) &&
		    !memcmp(p + l, ".weight", 7))
			break;
	}
	if (i == LAYER_TENSORS)
		return -1;
	*layer = n;
	if (n >= n_layers)
		return -2;
	return ROLE_GLOBALS + (int)n * LAYER_TENSORS + i;
}

/* The shape a role must have: GGUF dims [cols, rows] and why. */
struct expected_shape {
	uint64_t cols, rows;	/* rows 0: a vector of cols */
	const char *why;
	bool norm;
};

static struct expected_shape role_shape(const struct edna_model_config *c, int role)
{
	uint64_t q = (uint64_t)c->n_heads * c->head_dim;
	uint64_t kv = (uint64_t)c->n_kv_heads * c->head_dim;

	switch (role) {
	case ROLE_TOKEN_EMBD:
	case ROLE_OUTPUT:
		return (struct expected_shape){ c->dim, c->vocab_size,
			"embedding_length, the vocabulary size", false };
	case ROLE_OUTPUT_NORM:
		return (struct expected_shape){ c->dim, 0, "embedding_length", true };
	}
	switch ((role - ROLE_GLOBALS) % LAYER_TENSORS) {
	case L_ATTN_NORM:
	case L_FFN_NORM:
		return (struct expected_shape){ c->dim, 0, "embedding_length", true };
	case L_ATTN_Q:
		return (struct expected_shape){ c->dim, q,
			"embedding_length, head_count * head size", false };
	case L_ATTN_K:
	case L_ATTN_V:
		return (struct expected_shape){ c->dim, kv,
			"embedding_length, head_count_kv * head size", false };
	case L_ATTN_OUTPUT:
		return (struct expected_shape){ q, c->dim,
			"head_count * head size, embedding_length", false };
	case L_FFN_GATE:
	case L_FFN_UP:
		return (struct expected_shape){ c->dim, c->hidden_dim,
			"embedding_length, feed_forward_length", false };
	default:
		return (struct expected_shape){ c->hidden_dim, c->dim,
			"feed_forward_length, embedding_length", false };
	}
}

static void dims_text(char *out, size_t size, const struct gguf_tensor_info *t)
{
	size_t n = 0;
	uint32_t i;

	n += snprintf(out + n, size - n, "[");
	for (i = 0; i < t->n_dims && n < size; i++)
		n += snprintf(out + n, size - n, "%s%llu", i ? ", " : "",
			      (unsigned long long)t->dims[i]);
	if (n < size)
		snprintf(out + n, size - n, "]");
}

static int read_tensor_infos(struct model_reader *r, uint64_t count,
			     struct gguf_tensor_info *infos)
{
	const uint8_t *name;
	uint64_t i, len;
	uint32_t d;
	char what[96];
	int ret;

	for (i = 0; i < count; i++) {
		struct gguf_tensor_info *t = &infos[i];

		snprintf(what, sizeof(what), "the name of tensor %llu", (unsigned long long)i);
		if ((ret = read_string(r, &name, &len, what)))
			return ret;
		if (len == 0 || len >= GGUF_MAX_NAME)
			return model_fail(r, -EINVAL,
					  "tensor %llu has a name of %llu bytes, expected 1 to %d",
					  (unsigned long long)i, (unsigned long long)len,
					  GGUF_MAX_NAME - 1);
		t->name = (const char *)name;
		t->name_len = len;
		snprintf(what, sizeof(what), "tensor '%.*s'", (int)len, t->name);
		if ((ret = reader_u32(r, &t->n_dims, what)))
			return ret;
		if (t->n_dims < 1 || t->n_dims > GGUF_MAX_DIMS)
			return model_fail(r, -EINVAL, "%s has %u dims, expected 1 to %d",
					  what, t->n_dims, GGUF_MAX_DIMS);
		for (d = 0; d < t->n_dims; d++) {
			if ((ret = reader_u64(r, &t->dims[d], what)))
				return ret;
			if (t->dims[d] == 0 || t->dims[d] > INT64_MAX)
				return model_fail(r, -EINVAL,
						  "%s: dim %u is %llu, expected 1 to 2^63-1",
						  what, d, (unsigned long long)t->dims[d]);
		}
		if ((ret = reader_u32(r, &t->type, what)) ||
		    (ret = reader_u64(r, &t->offset, what)))
			return ret;
	}
	return 0;
}

/* Checks one tensor against its role and the file, and adds it. */
static int place_tensor(struct edna_model *m, struct model_reader *r,
			const struct gguf_tensor_info *t, int role, uint64_t data_start,
			uint32_t alignment, const struct edna_tensor **slot)
{
	struct expected_shape want = role_shape(&m->config, role);
	char name[GGUF_MAX_NAME], dims[128];
	uint64_t rows, cols, row_bytes, bytes, start, end;
	const struct edna_tensor *added;
	int dtype;
	uint32_t d;

	snprintf(name, sizeof(name), "%.*s", (int)t->name_len, t->name);
	dims_text(dims, sizeof(dims), t);
	dtype = ggml_to_dtype(t->type);
	if (dtype < 0) {
		if (t->type < ARRAY_SIZE(ggml_type_names) &&
		    ggml_type_names[t->type])
			return model_fail(r, -EOPNOTSUPP,
					  "tensor '%s' has type %s (GGML type %u), expected f32, f16, q8_0 or q4_0",
					  name, ggml_type_names[t->type], t->type);
		return model_fail(r, -EINVAL,
				  "tensor '%s' has unknown GGML type %u, expected f32 (0), f16 (1), q4_0 (2) or q8_0 (8)",
				  name, t->type);
	}
	/* dims past the second must be 1; a norm may be [dim] or [dim, 1] */
	cols = t->dims[0];
	rows = t->n_dims > 1 ? t->dims[1] : 1;
	for (d = 2; d < t->n_dims; d++)
		if (t->dims[d] != 1)
			rows = 0;
	if (cols != want.cols || rows != (want.rows ? want.rows : 1)) {
		if (want.norm)
			return model_fail(r, -EINVAL, "tensor '%s' has dims %s, expected [%llu] (%s)",
					  name, dims, (unsigned long long)want.cols, want.why);
		return model_fail(r, -EINVAL, "tensor '%s' has dims %s, expected [%llu, %llu] (%s)",
				  name, dims, (unsigned long long)want.cols,
				  (unsigned long long)want.rows, want.why);
	}
	if (want.norm && dtype != EDNA_DTYPE_F32)
		return model_fail(r, -EOPNOTSUPP, "tensor '%s' has type %s, expected f32 for a norm",
				  name, model_dtype_name(dtype));
	row_bytes = model_row_bytes(dtype, cols);
	if (!row_bytes)
		return model_fail(r, -EINVAL,
				  "tensor '%s' of type %s has rows of %llu elements, expected a multiple of 32",
				  name, model_dtype_name(dtype), (unsigned long long)cols);
	bytes = row_bytes * rows;	/* both under 2^20 elements: no overflow */
	if (t->offset % alignment)
		return model_fail(r, -EINVAL,
				  "tensor '%s' is at offset %llu of the data section, expected a multiple of general.alignment %u",
				  name, (unsigned long long)t->offset, alignment);
	if (!add_u64(data_start, t->offset, &start) || !add_u64(start, bytes, &end) ||
	    end > r->size)
		return model_fail(r, -EINVAL,
				  "tensor '%s' (%llu bytes at offset %llu of the data section, which starts at %llu) ends past the end of the file (%zu bytes)",
				  name, (unsigned long long)bytes, (unsigned long long)t->offset,
				  (unsigned long long)data_start, r->size);
	/* the decoder reads norms as floats */
	if (dtype == EDNA_DTYPE_F32 && start % 4)
		return model_fail(r, -EINVAL,
				  "f32 tensor '%s' is at file offset %llu, expected a multiple of 4",
				  name, (unsigned long long)start);
	added = model_add_tensor(m, name, dtype, (uint32_t)rows, (uint32_t)cols,
				 r->base + start);
	if (!added)
		return model_fail(r, -EINVAL, "more tensors than the table holds");
	*slot = added;
	return 0;
}

static int load_tensors(struct edna_model *m, struct model_reader *r,
			const struct gguf_tensor_info *infos, uint64_t count,
			uint64_t data_start, uint32_t alignment)
{
	const struct edna_model_config *c = &m->config;
	unsigned int n_roles = ROLE_GLOBALS + c->n_layers * LAYER_TENSORS;
	const struct edna_tensor **slots;
	uint64_t i, layer;
	unsigned int l;
	int role, ret = 0;
	int64_t *seen;

	slots = calloc(n_roles, sizeof(*slots));
	seen = malloc(n_roles * sizeof(*seen));
	if (!slots || !seen || model_alloc_tensors(m, (unsigned int)count)) {
		ret = model_fail(r, -ENOMEM, "out of memory for %llu tensors",
				 (unsigned long long)count);
		goto out;
	}
	for (l = 0; l < n_roles; l++)
		seen[l] = -1;
	/* every name known and used once, before any shape is judged */
	for (i = 0; i < count; i++) {
		const struct gguf_tensor_info *t = &infos[i];

		role = tensor_role(t->name, t->name_len, c->n_layers, &layer);
		if (role == -2) {
			ret = model_fail(r, -EINVAL,
					 "tensor '%.*s' is for layer %llu, but llama.block_count is %u",
					 (int)t->name_len, t->name, (unsigned long long)layer,
					 c->n_layers);
			goto out;
		}
		if (role < 0) {
			ret = model_fail(r, -EOPNOTSUPP,
					 "tensor '%.*s' is not one of a llama decoder's (token_embd, blk.N.{attn_norm,attn_q,attn_k,attn_v,attn_output,ffn_norm,ffn_gate,ffn_up,ffn_down}, output_norm, output): biases, experts and RoPE factors are not supported",
					 (int)t->name_len, t->name);
			goto out;
		}
		if (seen[role] >= 0) {
			ret = model_fail(r, -EINVAL, "tensor '%.*s' appears twice (tensors %lld and %llu)",
					 (int)t->name_len, t->name, (long long)seen[role],
					 (unsigned long long)i);
			goto out;
		}
		seen[role] = (int64_t)i;
	}
	for (l = 0; l < n_roles; l++) {
		if (seen[l] >= 0 || l == ROLE_OUTPUT)
			continue;
		if (l < ROLE_GLOBALS)
			ret = model_fail(r, -EINVAL, "tensor '%s' is missing",
					 l == ROLE_TOKEN_EMBD ? "token_embd.weight" : "output_norm.weight");
		else
			ret = model_fail(r, -EINVAL, "tensor 'blk.%u.%s.weight' is missing",
					 (l - ROLE_GLOBALS) / LAYER_TENSORS,
					 layer_tensor_names[(l - ROLE_GLOBALS) % LAYER_TENSORS]);
		goto out;
	}
	/* in file order, so that the table is the file's */
	for (i = 0; i < count; i++) {
		role = tensor_role(infos[i].name, infos[i].name_len, c->n_layers, &layer);
		ret = place_tensor(m, r, &infos[i], role, data_start, alignment, &slots[role]);
		if (ret)
			goto out;
	}
	m->layers = calloc(c->n_layers, sizeof(*m->layers));
	if (!m->layers) {
		ret = model_fail(r, -ENOMEM, "out of memory");
		goto out;
	}
	for (l = 0; l < c->n_layers; l++) {
		const struct edna_tensor **s = &slots[ROLE_GLOBALS + l * LAYER_TENSORS];
		struct edna_model_layer *ly = &m->layers[l];

		ly->attn_norm = s[L_ATTN_NORM];
		ly->attn_q = s[L_ATTN_Q];
		ly->attn_k = s[L_ATTN_K];
		ly->attn_v = s[L_ATTN_V];
		ly->attn_output = s[L_ATTN_OUTPUT];
		ly->ffn_norm = s[L_FFN_NORM];
		ly->ffn_gate = s[L_FFN_GATE];
		ly->ffn_up = s[L_FFN_UP];
		ly->ffn_down = s[L_FFN_DOWN];
	}
	m->token_embd = slots[ROLE_TOKEN_EMBD];
	m->output_norm = slots[ROLE_OUTPUT_NORM];
	m->config.tied_output = !slots[ROLE_OUTPUT];
	m->output = slots[ROLE_OUTPUT] ? slots[ROLE_OUTPUT] : slots[ROLE_TOKEN_EMBD];
out:
	free(slots);
	free(seen);
	return ret;
}

/* ---- the tokenizer ---------------------------------------------------------- */

static int load_tokenizer(struct edna_model *m, struct model_reader *r,
			  const struct gguf_meta *meta)
{
	uint32_t n = m->config.vocab_size, i;
	struct edna_tokenizer *tok;
	const uint8_t *p;
	const char *model = NULL;
	size_t model_len = 0;
	int ret;

	if (!meta->tok_model.present)
		return 0;	/* ids only */
	if ((ret = kv_string(r, &meta->tok_model, "tokenizer.ggml.model", &model, &model_len)))
		return ret;
	if (!string_is(model, model_len, "llama"))
		return model_fail(r, -EOPNOTSUPP,
				  "tokenizer.ggml.model is \"%.*s\", expected \"llama\" (SentencePiece BPE)",
				  (int)(model_len > 64 ? 64 : model_len), model);
	if (!meta->tokens.present)
		return model_fail(r, -EINVAL, "metadata tokenizer.ggml.tokens is missing");
	if (meta->tokens.type != GGUF_ARRAY || meta->tokens.elem_type != GGUF_STRING)
		return model_fail(r, -EINVAL,
				  "metadata tokenizer.ggml.tokens has type %s, expected an array of strings",
				  meta->tokens.type == GGUF_ARRAY ? "array of non-strings" :
				  gguf_type_name(meta->tokens.type));
	if (meta->tokens.count != n)
		return model_fail(r, -EINVAL,
				  "tokenizer.ggml.tokens has %llu tokens, expected %u (the rows of token_embd.weight)",
				  (unsigned long long)meta->tokens.count, n);
	if (meta->scores.present &&
	    (meta->scores.type != GGUF_ARRAY || meta->scores.elem_type != GGUF_F32 ||
	     meta->scores.count != n))
		return model_fail(r, -EINVAL,
				  "metadata tokenizer.ggml.scores is not an array of %u f32", n);
	if (meta->token_type.present &&
	    (meta->token_type.type != GGUF_ARRAY || meta->token_type.elem_type != GGUF_I32 ||
	     meta->token_type.count != n))
		return model_fail(r, -EINVAL,
				  "metadata tokenizer.ggml.token_type is not an array of %u i32", n);

	/* n is the rows of a checked tensor, and the strings were walked */
	tok = tokenizer_alloc(n);
	if (!tok)
		return model_fail(r, -ENOMEM, "out of memory for %u tokens", n);
	m->tokenizer = tok;
	tok->space_is_u2581 = true;
	p = meta->tokens.elems;
	for (i = 0; i < n; i++) {
		struct model_piece *piece = &tok->pieces[i];
		uint64_t len = le64(p);
		int32_t type;

		if (len > MODEL_MAX_PIECE)
			return model_fail(r, -EINVAL, "token %u has %llu bytes, expected at most %d",
					  i, (unsigned long long)len, MODEL_MAX_PIECE);
		piece->text = (const char *)p + 8;
		piece->len = (uint32_t)len;
		p += 8 + len;
		piece->score = meta->scores.present ? lef32(meta->scores.elems + 4 * i) : 0;
		type = meta->token_type.present ? (int32_t)le32(meta->token_type.elems + 4 * i) :
		       TOKEN_NORMAL;
		piece->type = type >= TOKEN_NORMAL && type <= TOKEN_BYTE ? (uint8_t)type :
			      TOKEN_NORMAL;
		if (piece->type == TOKEN_BYTE &&
		    !piece_is_byte(piece->text, piece->len, &piece->byte))
			return model_fail(r, -EINVAL,
					  "token %u has type byte (6) but reads \"%.*s\", expected <0xXX>",
					  i, (int)(len > 32 ? 32 : len), piece->text);
		/* without types, SentencePiece's spelling tells the byte pieces */
		if (!meta->token_type.present &&
		    piece_is_byte(piece->text, piece->len, &piece->byte))
			piece->type = TOKEN_BYTE;
	}
	if ((ret = opt_u32(r, &meta->bos_id, "tokenizer.ggml.bos_token_id", &tok->bos, 1)) ||
	    (ret = opt_u32(r, &meta->eos_id, "tokenizer.ggml.eos_token_id", &tok->eos, 2)) ||
	    (ret = opt_u32(r, &meta->unk_id, "tokenizer.ggml.unknown_token_id", &tok->unk, 0)) ||
	    (ret = opt_bool(r, &meta->add_bos, "tokenizer.ggml.add_bos_token", &tok->add_bos, true)) ||
	    (ret = opt_bool(r, &meta->add_space_prefix, "tokenizer.ggml.add_space_prefix",
			    &tok->add_space_prefix, true)))
		return ret;
	if (tok->bos >= n || tok->eos >= n || tok->unk >= n)
		return model_fail(r, -EINVAL,
				  "tokenizer.ggml.{bos,eos,unknown}_token_id are %u, %u, %u (1, 2, 0 when absent), expected each below the vocabulary size %u",
				  tok->bos, tok->eos, tok->unk, n);
	if (tokenizer_index(tok))
		return model_fail(r, -ENOMEM, "out of memory for the token index");
	return 0;
}

/* ---- the file --------------------------------------------------------------- */

static int read_config(struct edna_model *m, struct model_reader *r,
		       const struct gguf_meta *meta, const struct gguf_tensor_info *infos,
		       uint64_t tensor_count)
{
	static const struct model_config_names names = {
		.dim = "llama.embedding_length",
		.hidden_dim = "llama.feed_forward_length",
		.n_layers = "llama.block_count",
		.n_heads = "llama.attention.head_count",
		.n_kv_heads = "llama.attention.head_count_kv",
		.vocab_size = "the vocabulary size (rows of token_embd.weight)",
		.seq_len = "llama.context_length",
	};
	struct edna_model_config *c = &m->config;
	uint32_t rope_dims, experts, v;
	const char *s = NULL;
	uint64_t i, layer;
	size_t len = 0;
	int ret;

	if (!meta->architecture.present)
		return model_fail(r, -EINVAL, "metadata general.architecture is missing");
	if ((ret = kv_string(r, &meta->architecture, "general.architecture", &s, &len)))
		return ret;
	if (!string_is(s, len, "llama"))
		return model_fail(r, -EOPNOTSUPP,
				  "general.architecture is \"%.*s\", expected \"llama\"",
				  (int)(len > 64 ? 64 : len), s);
	if ((ret = need_u32(r, &meta->context_length, "llama.context_length", &c->seq_len)) ||
	    (ret = need_u32(r, &meta->embedding_length, "llama.embedding_length", &c->dim)) ||
	    (ret = need_u32(r, &meta->block_count, "llama.block_count", &c->n_layers)) ||
	    (ret = need_u32(r, &meta->feed_forward_length, "llama.feed_forward_length",
			    &c->hidden_dim)) ||
	    (ret = need_u32(r, &meta->head_count, "llama.attention.head_count", &c->n_heads)) ||
	    (ret = opt_u32(r, &meta->head_count_kv, "llama.attention.head_count_kv",
			   &c->n_kv_heads, c->n_heads)) ||
	    (ret = opt_float(r, &meta->rope_freq_base, "llama.rope.freq_base",
			     &c->rope_theta, 10000.0f)))
		return ret;
	/* llama.cpp requires it too: there is no default every model shares */
	if (!meta->rms_eps.present)
		return model_fail(r, -EINVAL,
				  "metadata llama.attention.layer_norm_rms_epsilon is missing");
	if ((ret = opt_float(r, &meta->rms_eps, "llama.attention.layer_norm_rms_epsilon",
			     &c->norm_eps, 0)))
		return ret;

	/* the vocabulary is the rows of token_embd.weight */
	c->vocab_size = 0;
	for (i = 0; i < tensor_count; i++) {
		if (tensor_role(infos[i].name, infos[i].name_len, 0, &layer) != ROLE_TOKEN_EMBD)
			continue;
		if (infos[i].n_dims < 2 || infos[i].dims[1] > UINT32_MAX)
			return model_fail(r, -EINVAL,
					  "tensor 'token_embd.weight' has %u dims, expected 2 (embedding_length, the vocabulary size)",
					  infos[i].n_dims);
		c->vocab_size = (uint32_t)infos[i].dims[1];
		break;
	}
	if (i == tensor_count)
		return model_fail(r, -EINVAL, "tensor 'token_embd.weight' is missing");
	if ((ret = model_check_config(r, c, &names)))
		return ret;
	if ((ret = opt_u32(r, &meta->vocab_size, "llama.vocab_size", &v, c->vocab_size)))
		return ret;
	if (v != c->vocab_size)
		return model_fail(r, -EINVAL,
				  "llama.vocab_size is %u, expected %u (the rows of token_embd.weight)",
				  v, c->vocab_size);
	if ((ret = opt_u32(r, &meta->rope_dims, "llama.rope.dimension_count", &rope_dims,
			   c->head_dim)))
		return ret;
	if (rope_dims != c->head_dim)
		return model_fail(r, -EOPNOTSUPP,
				  "llama.rope.dimension_count is %u, expected the head size %u (partial rotary embeddings are not supported)",
				  rope_dims, c->head_dim);
	if ((ret = opt_u32(r, &meta->key_length, "llama.attention.key_length", &v, c->head_dim)))
		return ret;
	if (v != c->head_dim)
		return model_fail(r, -EOPNOTSUPP,
				  "llama.attention.key_length is %u, expected embedding_length / head_count = %u",
				  v, c->head_dim);
	if ((ret = opt_u32(r, &meta->value_length, "llama.attention.value_length", &v,
			   c->head_dim)))
		return ret;
	if (v != c->head_dim)
		return model_fail(r, -EOPNOTSUPP,
				  "llama.attention.value_length is %u, expected embedding_length / head_count = %u",
				  v, c->head_dim);
	if ((ret = opt_u32(r, &meta->expert_count, "llama.expert_count", &experts, 0)))
		return ret;
	if (experts)
		return model_fail(r, -EOPNOTSUPP,
				  "llama.expert_count is %u, expected 0 (mixture-of-experts models are not supported)",
				  experts);
	if (meta->rope_scaling_type.present) {
		if ((ret = kv_string(r, &meta->rope_scaling_type, "llama.rope.scaling.type",
				     &s, &len)))
			return ret;
		if (!string_is(s, len, "none"))
			return model_fail(r, -EOPNOTSUPP,
					  "llama.rope.scaling.type is \"%.*s\", expected \"none\" (RoPE scaling is not supported)",
					  (int)(len > 64 ? 64 : len), s);
	}
	/* 9 tensors a layer and two more at least: a larger count is a lie */
	if ((uint64_t)c->n_layers * LAYER_TENSORS + 2 > tensor_count)
		return model_fail(r, -EINVAL,
				  "llama.block_count %u needs at least %llu tensors, the file has %llu",
				  c->n_layers, (unsigned long long)c->n_layers * LAYER_TENSORS + 2,
				  (unsigned long long)tensor_count);
	return 0;
}

int gguf_load(struct edna_model *m, struct model_reader *r)
{
	/* name length, n_dims, one dim, type and offset: the least a tensor info takes */
	const uint64_t min_info = 8 + 1 + 4 + 8 + 4 + 8;
	/* key length, one byte of key, type, one byte of value */
	const uint64_t min_kv = 8 + 1 + 4 + 1;
	struct gguf_tensor_info *infos = NULL;
	struct gguf_meta meta = { 0 };
	uint64_t tensor_count, kv_count, data_start;
	uint32_t version, alignment;
	const uint8_t *magic;
	int ret;

	m->format = EDNA_MODEL_GGUF;
	if ((ret = reader_bytes(r, 4, &magic, "the magic")) ||
	    (ret = reader_u32(r, &version, "the version")))
		return ret;
	if (version < GGUF_VERSION_MIN || version > GGUF_VERSION_MAX)
		return model_fail(r, version == 1 ? -EOPNOTSUPP : -EINVAL,
				  "GGUF version %u, expected %d or %d", version,
				  GGUF_VERSION_MIN, GGUF_VERSION_MAX);
	if ((ret = reader_u64(r, &tensor_count, "tensor_count")) ||
	    (ret = reader_u64(r, &kv_count, "metadata_kv_count")))
		return ret;
	if (kv_count > (r->size - r->pos) / min_kv)
		return model_fail(r, -EINVAL,
				  "metadata_kv_count %llu cannot fit in the %zu bytes left at offset %zu",
				  (unsigned long long)kv_count, r->size - r->pos, r->pos);
	if ((ret = read_metadata(r, kv_count, &meta)))
		return ret;
	if (tensor_count > (r->size - r->pos) / min_info)
		return model_fail(r, -EINVAL,
				  "tensor_count %llu cannot fit in the %zu bytes left at offset %zu",
				  (unsigned long long)tensor_count, r->size - r->pos, r->pos);
	if ((ret = opt_u32(r, &meta.alignment, "general.alignment", &alignment,
			   GGUF_DEFAULT_ALIGNMENT)))
		return ret;
	/* ggml's rule: a power of two */
	if (!alignment || alignment & (alignment - 1))
		return model_fail(r, -EINVAL, "general.alignment is %u, expected a power of two",
				  alignment);
	infos = calloc(tensor_count ? tensor_count : 1, sizeof(*infos));
	if (!infos)
		return model_fail(r, -ENOMEM, "out of memory for %llu tensor infos",
				  (unsigned long long)tensor_count);
	if ((ret = read_tensor_infos(r, tensor_count, infos)))
		goto out;
	data_start = (r->pos + alignment - 1) / alignment * alignment;
	if ((ret = read_config(m, r, &meta, infos, tensor_count)) ||
	    (ret = load_tensors(m, r, infos, tensor_count, data_start, alignment)) ||
	    (ret = load_tokenizer(m, r, &meta)))
		goto out;
out:
	free(infos);
	return ret;
}
