// SPDX-License-Identifier: GPL-2.0
/*
 * Random-weight model files for tests: see model_gen.h.
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edna_accel.h"
#include "edna_model.h"
#include "edna_ref.h"
#include "model_gen.h"

#define GEN_ALIGNMENT	32	/* GGUF's default */
#define U2581		"\xe2\x96\x81"

/* ---- bytes ------------------------------------------------------------------ */

static int put(struct edna_bytes *b, const void *p, size_t n)
{
	if (n > b->cap - b->size) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *data;

		while (cap - b->size < n)
			cap *= 2;
		data = realloc(b->data, cap);
		if (!data)
			return -ENOMEM;
		b->data = data;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->size, p, n);
	b->size += n;
	return 0;
}

static int put_u8(struct edna_bytes *b, uint8_t v)
{
	return put(b, &v, 1);
}

static int put_u32(struct edna_bytes *b, uint32_t v)
{
	uint8_t p[4] = { v, v >> 8, v >> 16, v >> 24 };

	return put(b, p, 4);
}

static int put_u64(struct edna_bytes *b, uint64_t v)
{
	return put_u32(b, (uint32_t)v) || put_u32(b, (uint32_t)(v >> 32)) ? -ENOMEM : 0;
}

static int put_f32(struct edna_bytes *b, float f)
{
	return put_u32(b, edna_ref_f32_bits(f));
}

static int put_zeros(struct edna_bytes *b, size_t n)
{
	static const uint8_t zeros[64];
	int ret = 0;

	while (n && !ret) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		ret = put(b, zeros, k);
		n -= k;
	}
	return ret;
}

static int put_floats(struct edna_bytes *b, const float *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (put_f32(b, f[i]))
			return -ENOMEM;
	return 0;
}

int edna_bytes_write(const struct edna_bytes *b, const char *path)
{
	size_t done = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (done < b->size) {
		n = write(fd, b->data + done, b->size - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		done += n;
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

void edna_bytes_free(struct edna_bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- weights ------------------------------------------------------------------ */

/* splitmix64: a fixed, portable stream, so a seed means the same model anywhere. */
static uint64_t next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [center - half, center + half) */
static float *random_floats(uint64_t *state, size_t n, float center, float half)
{
	float *f = malloc((n ? n : 1) * sizeof(*f));
	size_t i;

	if (!f)
		return NULL;
	for (i = 0; i < n; i++) {
		double u = (double)(next_u64(state) >> 11) / (double)(1ull << 53);

		f[i] = (float)(center + half * (2 * u - 1));
	}
	return f;
}

static int check_spec(const struct edna_gen_spec *s, char *err, size_t errlen)
{
	uint32_t hd;

	if (!s->dim || !s->hidden_dim || !s->n_layers || !s->n_heads || !s->n_kv_heads ||
	    !s->vocab_size || !s->seq_len)
		return edna_errmsg(err, errlen, -EINVAL, "every dimension must be at least 1");
	if (s->dim % s->n_heads || (hd = s->dim / s->n_heads) % 2)
		return edna_errmsg(err, errlen, -EINVAL, "dim %u / heads %u must be an even head size",
			    s->dim, s->n_heads);
	if (s->n_heads % s->n_kv_heads)
		return edna_errmsg(err, errlen, -EINVAL, "heads %u must be a multiple of kv_heads %u",
			    s->n_heads, s->n_kv_heads);
	if ((s->dtype == EDNA_DTYPE_Q8_0 || s->dtype == EDNA_DTYPE_Q4_0) &&
	    (s->dim % 32 || s->hidden_dim % 32))
		return edna_errmsg(err, errlen, -EINVAL,
			    "q8_0 and q4_0 need dim and hidden (%u, %u) to be multiples of 32",
			    s->dim, s->hidden_dim);
	if (s->dtype < EDNA_DTYPE_F32 || s->dtype > EDNA_DTYPE_Q4_0)
		return edna_errmsg(err, errlen, -EINVAL, "unknown dtype %d", s->dtype);
	if ((uint64_t)s->dim * s->hidden_dim > (1u << 28) ||
	    (uint64_t)s->dim * s->vocab_size > (1u << 28))
		return edna_errmsg(err, errlen, -EINVAL, "too large for a test model");
	return 0;
}

int edna_gen_make_weights(const struct edna_gen_spec *s, struct edna_gen_weights *w,
			  char *err, size_t errlen)
{
	uint64_t state;
	size_t L, dim, kv, hidden;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = check_spec(s, err, errlen);
	if (ret)
		return ret;
	state = s->seed;
	L = s->n_layers;
	dim = s->dim;
	hidden = s->hidden_dim;
	kv = (size_t)s->n_kv_heads * (dim / s->n_heads);
	/* one stream, in a fixed order: every format gets the same numbers */
	w->token_embd = random_floats(&state, s->vocab_size * dim, 0, 1);
	w->rms_att = random_floats(&state, L * dim, 1, 0.25f);
	w->wq = random_floats(&state, L * dim * dim, 0, 1 / sqrtf(dim));
	w->wk = random_floats(&state, L * kv * dim, 0, 1 / sqrtf(dim));
	w->wv = random_floats(&state, L * kv * dim, 0, 1 / sqrtf(dim));
	w->wo = random_floats(&state, L * dim * dim, 0, 1 / sqrtf(dim));
	w->rms_ffn = random_floats(&state, L * dim, 1, 0.25f);
	w->w1 = random_floats(&state, L * hidden * dim, 0, 1 / sqrtf(dim));
	w->w2 = random_floats(&state, L * dim * hidden, 0, 1 / sqrtf(hidden));
	w->w3 = random_floats(&state, L * hidden * dim, 0, 1 / sqrtf(dim));
	w->rms_final = random_floats(&state, dim, 1, 0.25f);
	if (!s->tied)
		w->wcls = random_floats(&state, s->vocab_size * dim, 0, 1 / sqrtf(dim));
	if (!w->token_embd || !w->rms_att || !w->wq || !w->wk || !w->wv || !w->wo ||
	    !w->rms_ffn || !w->w1 || !w->w2 || !w->w3 || !w->rms_final ||
	    (!s->tied && !w->wcls)) {
		edna_gen_free_weights(w);
		return edna_errmsg(err, errlen, -ENOMEM, "out of memory");
	}
	return 0;
}

void edna_gen_free_weights(struct edna_gen_weights *w)
{
	free(w->token_embd);
	free(w->rms_att);
	free(w->wq);
	free(w->wk);
	free(w->wv);
	free(w->wo);
	free(w->rms_ffn);
	free(w->w1);
	free(w->w2);
	free(w->w3);
	free(w->rms_final);
	free(w->wcls);
	memset(w, 0, sizeof(*w));
}

/* ---- vocabularies --------------------------------------------------------------- */

static bool spelled_as_byte(const char *p)
{
	unsigned int v;
	char end;

	return strlen(p) == 6 && sscanf(p, "<0x%2X%c", &v, &end) == 2 && end == '>';
}

static int vocab_alloc(struct edna_gen_vocab *v, uint32_t n)
{
	memset(v, 0, sizeof(*v));
	v->pieces = calloc(n, sizeof(*v->pieces));
	v->scores = calloc(n, sizeof(*v->scores));
	v->types = calloc(n, sizeof(*v->types));
	if (!v->pieces || !v->scores || !v->types) {
		edna_gen_free_vocab(v);
		return -ENOMEM;
	}
	v->unk = 0;
	v->bos = 1;
	v->eos = 2;
	return 0;
}

void edna_gen_free_vocab(struct edna_gen_vocab *v)
{
	uint32_t i;

	if (v->pieces)
		for (i = 0; i < v->n; i++)
			free(v->pieces[i]);
	free(v->pieces);
	free(v->scores);
	free(v->types);
	memset(v, 0, sizeof(*v));
}

static bool vocab_has(const struct edna_gen_vocab *v, const char *p)
{
	uint32_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->pieces[i], p))
			return true;
	return false;
}

/* Appends a normal piece scored below every earlier one; 1 when full. */
static int vocab_add(struct edna_gen_vocab *v, uint32_t cap, const char *p, int type)
{
	if (v->n >= cap)
		return 1;
	if (vocab_has(v, p))
		return 0;
	v->pieces[v->n] = strdup(p);
	if (!v->pieces[v->n])
		return -ENOMEM;
	v->types[v->n] = type;
	/* earlier pieces merge first, as SentencePiece's merge ranks */
	v->scores[v->n] = type == 1 ? -(float)v->n : 0;
	v->n++;
	return 0;
}

int edna_gen_default_vocab(uint32_t n, struct edna_gen_vocab *v)
{
	static const char chars[] =
		"etaoinshrdlcumwfgypbvkjxqzETAOINSHRDLCUMWFGYPBVKJXQZ0123456789.,!?'\";:-()\n";
	static const char *const words[] = {
		"the", "and", "of", "to", "in", "is", "that", "it", "was", "he", "for",
		"on", "are", "with", "as", "his", "they", "at", "be", "this", "from",
		"have", "or", "by", "one", "had", "not", "but", "what", "all", "were",
		"when", "we", "there", "can", "an", "your", "which", "their", "said",
		"if", "do", "will", "each", "about", "how", "up", "out", "them", "then",
		"she", "many", "some", "so", "these", "would", "other", "into", "has",
		"more", "her", "two", "like", "him", "see", "time", "could", "no",
		"make", "than", "first", "been", "its", "who", "now", "people", "my",
		"made", "over", "did", "down", "only", "way", "find", "use", "may",
		"water", "long", "little", "very", "after", "words", "called", "just",
		"where", "most", "know", "lord", "god", "unto", "shall", "thou", "thee",
		"thy", "hello", "world", "edna", "model", "token",
	};
	char piece[64];
	size_t i, k;
	int ret = 0;

	if (n < 3)
		return -EINVAL;
	if (vocab_alloc(v, n))
		return -ENOMEM;
	if ((ret = vocab_add(v, n, "<unk>", 2)) || (ret = vocab_add(v, n, "<s>", 3)) ||
	    (ret = vocab_add(v, n, "</s>", 3)))
		goto out;
	if (n >= 3 + 256 + 64) {
		for (i = 0; i < 256; i++) {
			snprintf(piece, sizeof(piece), "<0x%02X>", (unsigned int)i);
			if ((ret = vocab_add(v, n, piece, 6)))
				goto out;
		}
	}
	if ((ret = vocab_add(v, n, U2581, 1)))
		goto out;
	for (i = 0; chars[i]; i++) {
		piece[0] = chars[i];
		piece[1] = '\0';
		if ((ret = vocab_add(v, n, piece, 1)))
			goto out;
	}
	/* every prefix of "▁word", so that BPE can build each word */
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t len = strlen(words[i]);

		for (k = 1; k <= len; k++) {
			snprintf(piece, sizeof(piece), U2581 "%.*s", (int)k, words[i]);
			if ((ret = vocab_add(v, n, piece, 1)))
				goto out;
		}
	}
	for (i = 0; i < 26 * 26 * 27; i++) {
		piece[0] = 'a' + i % 26;
		piece[1] = 'a' + i / 26 % 26;
		piece[2] = i / 676 ? 'a' + i / 676 - 1 : '\0';
		piece[3] = '\0';
		if ((ret = vocab_add(v, n, piece, 1)))
			goto out;
	}
	/* still room: pieces no text produces, but every id must exist */
	for (i = 0; v->n < n; i++) {
		snprintf(piece, sizeof(piece), "<filler%zu>", i);
		if ((ret = vocab_add(v, n, piece, 5)))
			goto out;
	}
out:
	if (ret < 0) {
		edna_gen_free_vocab(v);
		return ret;
	}
	return 0;
}

int edna_gen_vocab_from(const char *const *pieces, const float *scores, uint32_t n,
			struct edna_gen_vocab *v)
{
	uint32_t i;

	if (n < 3)
		return -EINVAL;
	if (vocab_alloc(v, n))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		v->pieces[i] = strdup(pieces[i]);
		if (!v->pieces[i]) {
			v->n = i;
			edna_gen_free_vocab(v);
			return -ENOMEM;
		}
		v->scores[i] = scores ? scores[i] : 0;
		v->types[i] = i == 0 ? 2 : i <= 2 ? 3 : spelled_as_byte(pieces[i]) ? 6 : 1;
	}
	v->n = n;
	return 0;
}

/* ---- GGUF ------------------------------------------------------------------------- */

/* GGUF's value types that the writer uses */
enum {
	GGUF_U32 = 4,
	GGUF_I32 = 5,
	GGUF_F32 = 6,
	GGUF_BOOL = 7,
	GGUF_STRING = 8,
	GGUF_ARRAY = 9,
};

static int put_string(struct edna_bytes *b, const char *s)
{
	size_t len = strlen(s);

	return put_u64(b, len) || put(b, s, len) ? -ENOMEM : 0;
}

struct kv_writer {
	struct edna_bytes *b;
	const struct edna_gen_spec *spec;
	uint64_t count;
	int ret;
};

/* Starts a key; false when the spec leaves it out (or an error happened). */
static bool key(struct kv_writer *w, const char *name, uint32_t type)
{
	if (w->ret || (w->spec->skip_key && !strcmp(w->spec->skip_key, name)))
		return false;
	w->count++;
	w->ret = put_string(w->b, name) || put_u32(w->b, type) ? -ENOMEM : 0;
	return !w->ret;
}

static void kv_u32(struct kv_writer *w, const char *name, uint32_t v)
{
	if (key(w, name, GGUF_U32))
		w->ret = put_u32(w->b, v);
}

static void kv_f32(struct kv_writer *w, const char *name, float v)
{
	if (key(w, name, GGUF_F32))
		w->ret = put_f32(w->b, v);
}

static void kv_string(struct kv_writer *w, const char *name, const char *v)
{
	if (key(w, name, GGUF_STRING))
		w->ret = put_string(w->b, v);
}

static void kv_bool(struct kv_writer *w, const char *name, bool v)
{
	if (key(w, name, GGUF_BOOL))
		w->ret = put_u8(w->b, v);
}

static void write_metadata(struct kv_writer *w, const struct edna_gen_vocab *vocab)
{
	const struct edna_gen_spec *s = w->spec;
	uint32_t i;

	kv_string(w, "general.architecture", "llama");
	kv_string(w, "general.name", "edna model-gen");
	kv_u32(w, "general.alignment", GEN_ALIGNMENT);
	kv_u32(w, "llama.context_length", s->seq_len);
	kv_u32(w, "llama.embedding_length", s->dim);
	kv_u32(w, "llama.block_count", s->n_layers);
	kv_u32(w, "llama.feed_forward_length", s->hidden_dim);
	kv_u32(w, "llama.attention.head_count", s->n_heads);
	kv_u32(w, "llama.attention.head_count_kv", s->n_kv_heads);
	kv_u32(w, "llama.rope.dimension_count", s->dim / s->n_heads);
	kv_f32(w, "llama.rope.freq_base", s->rope_theta ? s->rope_theta : 10000.0f);
	kv_f32(w, "llama.attention.layer_norm_rms_epsilon", s->norm_eps ? s->norm_eps : 1e-5f);
	if (!vocab)
		return;
	kv_string(w, "tokenizer.ggml.model", "llama");
	if (key(w, "tokenizer.ggml.tokens", GGUF_ARRAY)) {
		w->ret = put_u32(w->b, GGUF_STRING) || put_u64(w->b, vocab->n) ? -ENOMEM : 0;
		for (i = 0; i < vocab->n && !w->ret; i++)
			w->ret = put_string(w->b, vocab->pieces[i]);
	}
	if (key(w, "tokenizer.ggml.scores", GGUF_ARRAY)) {
		w->ret = put_u32(w->b, GGUF_F32) || put_u64(w->b, vocab->n) ? -ENOMEM : 0;
		for (i = 0; i < vocab->n && !w->ret; i++)
			w->ret = put_f32(w->b, vocab->scores[i]);
	}
	if (key(w, "tokenizer.ggml.token_type", GGUF_ARRAY)) {
		w->ret = put_u32(w->b, GGUF_I32) || put_u64(w->b, vocab->n) ? -ENOMEM : 0;
		for (i = 0; i < vocab->n && !w->ret; i++)
			w->ret = put_u32(w->b, (uint32_t)vocab->types[i]);
	}
	kv_u32(w, "tokenizer.ggml.bos_token_id", vocab->bos);
	kv_u32(w, "tokenizer.ggml.eos_token_id", vocab->eos);
	kv_u32(w, "tokenizer.ggml.unknown_token_id", vocab->unk);
	kv_bool(w, "tokenizer.ggml.add_bos_token", true);
}

/* A tensor of the GGUF file: where its f32 source is and how to store it. */
struct gen_tensor {
	char name[64];
	const float *src;
	uint32_t rows, cols;
	int dtype;
	uint64_t offset, bytes;
};

static uint64_t row_bytes(int dtype, uint32_t cols)
{
	return edna_ref_row_bytes(dtype, cols);
}

/* The rows of @t in its dtype, appended to @b. */
static int put_tensor_data(struct edna_bytes *b, const struct gen_tensor *t)
{
	uint64_t rb = row_bytes(t->dtype, t->cols);
	uint8_t *row = malloc(rb);
	uint32_t r;
	int ret = 0;

	if (!row)
		return -ENOMEM;
	for (r = 0; r < t->rows && !ret; r++) {
		const float *x = t->src + (size_t)r * t->cols;

		switch (t->dtype) {
		case EDNA_DTYPE_F32:
			ret = put_floats(b, x, t->cols);
			continue;
		case EDNA_DTYPE_F16:
			edna_ref_quantize_f16(row, x, t->cols);
			break;
		case EDNA_DTYPE_Q8_0:
			edna_ref_quantize_q8_0(row, x, t->cols);
			break;
		default:
			edna_ref_quantize_q4_0(row, x, t->cols);
			break;
		}
		ret = put(b, row, rb);
	}
	free(row);
	return ret;
}

int edna_gen_gguf(const struct edna_gen_spec *s, const struct edna_gen_vocab *vocab,
		  struct edna_bytes *out, char *err, size_t errlen)
{
	static const char *const layer_names[9] = {
		"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm",
		"ffn_gate", "ffn_up", "ffn_down",
	};
	struct edna_gen_weights w;
	struct gen_tensor *t = NULL;
	struct kv_writer kw = { .b = out, .spec = s };
	uint32_t n = 0, cap, l, i, dim, hidden, q, kv;
	size_t count_at;
	uint64_t offset = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (vocab && vocab->n != s->vocab_size)
		return edna_errmsg(err, errlen, -EINVAL, "the vocabulary has %u pieces, the spec %u",
			    vocab->n, s->vocab_size);
	ret = edna_gen_make_weights(s, &w, err, errlen);
	if (ret)
		return ret;
	dim = s->dim;
	hidden = s->hidden_dim;
	q = dim;
	kv = s->n_kv_heads * (dim / s->n_heads);
	cap = 3 + 9 * s->n_layers;
	t = calloc(cap, sizeof(*t));
	if (!t) {
		ret = -ENOMEM;
		goto out;
	}
#define TENSOR(nm, source, r, c, dt) do {					\
		snprintf(t[n].name, sizeof(t[n].name), "%s", nm);		\
		t[n].src = (source);						\
		t[n].rows = (r);						\
		t[n].cols = (c);						\
		t[n].dtype = (dt);						\
		n++;								\
	} while (0)
	TENSOR("token_embd.weight", w.token_embd, s->vocab_size, dim, s->dtype);
	for (l = 0; l < s->n_layers; l++) {
		const float *src[9] = {
			w.rms_att + (size_t)l * dim, w.wq + (size_t)l * q * dim,
			w.wk + (size_t)l * kv * dim, w.wv + (size_t)l * kv * dim,
			w.wo + (size_t)l * dim * q, w.rms_ffn + (size_t)l * dim,
			w.w1 + (size_t)l * hidden * dim, w.w3 + (size_t)l * hidden * dim,
			w.w2 + (size_t)l * dim * hidden,
		};
		const uint32_t rows[9] = { 1, q, kv, kv, dim, 1, hidden, hidden, dim };
		const uint32_t cols[9] = { dim, dim, dim, dim, q, dim, dim, dim, hidden };

		for (i = 0; i < 9; i++) {
			char name[64];

			snprintf(name, sizeof(name), "blk.%u.%s.weight", l, layer_names[i]);
			TENSOR(name, src[i], rows[i], cols[i], rows[i] == 1 ? EDNA_DTYPE_F32 : s->dtype);
		}
	}
	TENSOR("output_norm.weight", w.rms_final, 1, dim, EDNA_DTYPE_F32);
	if (!s->tied)
		TENSOR("output.weight", w.wcls, s->vocab_size, dim, s->dtype);
#undef TENSOR
	if (s->skip_tensor) {
		for (i = 0; i < n; i++)
			if (!strcmp(t[i].name, s->skip_tensor))
				break;
		if (i < n) {
			memmove(&t[i], &t[i + 1], (n - i - 1) * sizeof(*t));
			n--;
		}
	}

	/* header: the kv count is patched in once known */
	if (put(out, "GGUF", 4) || put_u32(out, 3) || put_u64(out, n)) {
		ret = -ENOMEM;
		goto out;
	}
	count_at = out->size;
	if (put_u64(out, 0)) {
		ret = -ENOMEM;
		goto out;
	}
	write_metadata(&kw, vocab);
	if (kw.ret) {
		ret = kw.ret;
		goto out;
	}
	for (i = 0; i < 8; i++)
		out->data[count_at + i] = (uint8_t)(kw.count >> (8 * i));
	for (i = 0; i < n; i++) {
		t[i].bytes = row_bytes(t[i].dtype, t[i].cols) * t[i].rows;
		t[i].offset = offset;
		offset += (t[i].bytes + GEN_ALIGNMENT - 1) / GEN_ALIGNMENT * GEN_ALIGNMENT;
		/* ggml's ggml_type ids */
		if (put_string(out, t[i].name) ||
		    put_u32(out, t[i].rows == 1 ? 1 : 2) || put_u64(out, t[i].cols) ||
		    (t[i].rows != 1 && put_u64(out, t[i].rows)) ||
		    put_u32(out, t[i].dtype == EDNA_DTYPE_F32 ? 0 : t[i].dtype == EDNA_DTYPE_F16 ? 1 :
			    t[i].dtype == EDNA_DTYPE_Q8_0 ? 8 : 2) ||
		    put_u64(out, t[i].offset)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		size_t start = (out->size + GEN_ALIGNMENT - 1) / GEN_ALIGNMENT * GEN_ALIGNMENT;

		if (put_zeros(out, start - out->size) || put_tensor_data(out, &t[i])) {
			ret = -ENOMEM;
			goto out;
		}
	}
out:
	free(t);
	edna_gen_free_weights(&w);
	if (ret) {
		edna_bytes_free(out);
		return edna_errmsg(err, errlen, ret, "out of memory writing GGUF");
	}
	return 0;
}

/* ---- llama2.c ------------------------------------------------------------------------ */

static int put_header7(struct edna_bytes *b, const struct edna_gen_spec *s, int32_t vocab)
{
	return put_u32(b, s->dim) || put_u32(b, s->hidden_dim) || put_u32(b, s->n_layers) ||
	       put_u32(b, s->n_heads) || put_u32(b, s->n_kv_heads) ||
	       put_u32(b, (uint32_t)vocab) || put_u32(b, s->seq_len) ? -ENOMEM : 0;
}

static float group_scale(const float *w, uint32_t gs)
{
	float max = 0;
	uint32_t i;

	for (i = 0; i < gs; i++)
		max = fmaxf(max, fabsf(w[i]));
	return max / 127.0f;
}

/*
 * export.py's quantize_q80: per group, scale = max|w| / 127 and q =
 * round(w / scale) (to even on ties, as torch.round and lrintf do); all
 * the int8 values, then all the scales.
 */
static int put_q80(struct edna_bytes *b, const float *w, size_t n, uint32_t gs)
{
	size_t g, i;

	for (g = 0; g < n / gs; g++) {
		float scale = group_scale(w + g * gs, gs);

		for (i = g * gs; i < (g + 1) * gs; i++)
			if (put_u8(b, (uint8_t)(int8_t)(scale ? lrintf(w[i] / scale) : 0)))
				return -ENOMEM;
	}
	for (g = 0; g < n / gs; g++)
		if (put_f32(b, group_scale(w + g * gs, gs)))
			return -ENOMEM;
	return 0;
}

int edna_gen_llama2c(const struct edna_gen_spec *s, int version, uint32_t group_size,
		     struct edna_bytes *out, char *err, size_t errlen)
{
	struct edna_gen_weights w;
	size_t L, dim, hidden, kv, hd, i, pos;
	int ret;

	memset(out, 0, sizeof(*out));
	if (version < 0 || version > 2)
		return edna_errmsg(err, errlen, -EINVAL, "llama2.c version %d, expected 0, 1 or 2", version);
	if (version == 2 && (!group_size || s->dim % group_size))
		return edna_errmsg(err, errlen, -EINVAL, "group size %u must divide dim %u",
			    group_size, s->dim);
	ret = edna_gen_make_weights(s, &w, err, errlen);
	if (ret)
		return ret;
	L = s->n_layers;
	dim = s->dim;
	hidden = s->hidden_dim;
	hd = dim / s->n_heads;
	kv = s->n_kv_heads * hd;

	if (version == 0) {
		ret = put_header7(out, s, s->tied ? (int32_t)s->vocab_size : -(int32_t)s->vocab_size);
		ret = ret || put_floats(out, w.token_embd, s->vocab_size * dim) ||
		      put_floats(out, w.rms_att, L * dim) ||
		      put_floats(out, w.wq, L * dim * dim) ||
		      put_floats(out, w.wk, L * kv * dim) ||
		      put_floats(out, w.wv, L * kv * dim) ||
		      put_floats(out, w.wo, L * dim * dim) ||
		      put_floats(out, w.rms_ffn, L * dim) ||
		      put_floats(out, w.w1, L * hidden * dim) ||
		      put_floats(out, w.w2, L * dim * hidden) ||
		      put_floats(out, w.w3, L * hidden * dim) ||
		      put_floats(out, w.rms_final, dim);
		/* the RoPE tables run.c skips: cos, then sin, of pos * freq */
		for (pos = 0; pos < s->seq_len && !ret; pos++)
			for (i = 0; i < hd / 2 && !ret; i++)
				ret = put_f32(out, cosf(pos * powf(10000.0f, -2.0f * i / hd)));
		for (pos = 0; pos < s->seq_len && !ret; pos++)
			for (i = 0; i < hd / 2 && !ret; i++)
				ret = put_f32(out, sinf(pos * powf(10000.0f, -2.0f * i / hd)));
		if (!ret && !s->tied)
			ret = put_floats(out, w.wcls, s->vocab_size * dim);
		goto out;
	}
	ret = put_u32(out, 0x616b3432u) || put_u32(out, version) ||
	      put_header7(out, s, (int32_t)s->vocab_size) || put_u8(out, s->tied ? 1 : 0) ||
	      (version == 2 && put_u32(out, group_size));
	ret = ret || put_zeros(out, 256 - out->size);
	ret = ret || put_floats(out, w.rms_att, L * dim) || put_floats(out, w.rms_ffn, L * dim) ||
	      put_floats(out, w.rms_final, dim);
	if (ret)
		goto out;
	{
		const float *mats[] = { w.token_embd, w.wq, w.wk, w.wv, w.wo, w.w1, w.w2, w.w3,
					w.wcls };
		const size_t elems[] = { s->vocab_size * dim, L * dim * dim, L * kv * dim,
					 L * kv * dim, L * dim * dim, L * hidden * dim,
					 L * dim * hidden, L * hidden * dim, s->vocab_size * dim };
		const size_t per_layer[] = { 1, L, L, L, L, L, L, L, 1 };

		for (i = 0; i < 9 && !ret; i++) {
			size_t layer, each = elems[i] / per_layer[i];

			if (!mats[i])
				continue;	/* a tied classifier */
			if (version == 1) {
				ret = put_floats(out, mats[i], elems[i]);
				continue;
			}
			/* version 2: each layer's int8 values, then its scales */
			for (layer = 0; layer < per_layer[i] && !ret; layer++)
				ret = put_q80(out, mats[i] + layer * each, each, group_size);
		}
	}
out:
	edna_gen_free_weights(&w);
	if (ret) {
		edna_bytes_free(out);
		return edna_errmsg(err, errlen, -ENOMEM, "out of memory writing a llama2.c checkpoint");
	}
	return 0;
}

int edna_gen_tokenizer_bin(const struct edna_gen_vocab *v, struct edna_bytes *out)
{
	uint32_t i, max_len = 0;
	char *text = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	/* twice: the lengths, then the pieces */
	for (int pass = 0; pass < 2 && !ret; pass++) {
		if (pass == 1)
			ret = put_u32(out, max_len);
		for (i = 0; i < v->n && !ret; i++) {
			const char *p = i == v->bos ? "\n<s>\n" : i == v->eos ? "\n</s>\n" : v->pieces[i];
			size_t len = 0, k;

			free(text);
			text = malloc(strlen(p) + 1);
			if (!text) {
				ret = -ENOMEM;
				break;
			}
			/* llama2.c's tokenizer.py: "▁" becomes ' ' */
			for (k = 0; p[k]; k++) {
				if (!strncmp(p + k, U2581, 3)) {
					text[len++] = ' ';
					k += 2;
				} else {
					text[len++] = p[k];
				}
			}
			if (pass == 0) {
				if (len > max_len)
					max_len = (uint32_t)len;
				continue;
			}
			ret = put_f32(out, v->scores[i]) || put_u32(out, (uint32_t)len) ||
			      put(out, text, len) ? -ENOMEM : 0;
		}
	}
	free(text);
	if (ret)
		edna_bytes_free(out);
	return ret;
}
