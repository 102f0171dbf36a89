// SPDX-License-Identifier: GPL-2.0
/*
 * llama2.c checkpoints (github.com/karpathy/llama2.c, export.py and
 * run.c) and their tokenizer.bin.
 *
 * Copyright 2026 The edna authors
 *
 * Three layouts, all little endian:
 *  - legacy (export.py's version 0, what run.c reads): seven int32
 *    (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
 *    seq_len; a negative vocab_size means the classifier is not the
 *    embedding table), then f32 token_embedding, rms_att, wq, wk, wv, wo,
 *    rms_ffn, w1, w2, w3, rms_final, two RoPE tables of seq_len *
 *    head_size / 2 that run.c skips and so do we, and the classifier.
 *    There is no magic: the header's sizes must add up to the file's
 *    size exactly, which is how a legacy file is recognised.
 *  - "ak42" version 1: a 256-byte header (magic, version, the seven
 *    int32, a shared_classifier byte at offset 36), then f32 rms_att,
 *    rms_ffn, rms_final, token_embedding, wq, wk, wv, wo, w1, w2, w3 and
 *    the classifier when not shared.
 *  - "ak42" version 2: as version 1 with an int32 group_size at offset
 *    37, the three norms in f32, then each other tensor, layer by layer,
 *    as int8 values followed by one f32 scale per group_size values
 *    (element = q * scale).
 *
 * llama2.c's weight matrices are already [out x in] row major, GGUF's
 * and MATMUL's layout, and run.c rotates adjacent pairs (2i, 2i+1) as
 * the device does (export.py permutes HF weights into that order), so
 * tensors are used as they are.  Version 2's int8 groups are not GGML's
 * q8_0 (any group size, f32 scales): they are converted to f32 on load,
 * exactly as runq.c dequantizes them (q * scale in f32), so the
 * reference and the device see the values the file means.  Re-blocking
 * them as GGML q8_0 would round each scale to f16.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_internal.h"

#define LLAMA2C_MAGIC		0x616b3432u	/* "ak42" as a little-endian u32 */
#define LLAMA2C_LEGACY_HEADER	28		/* seven int32 */
#define LLAMA2C_HEADER		256		/* versions 1 and 2 */
#define LLAMA2C_SHARED_OFFSET	36
#define LLAMA2C_GROUP_OFFSET	37		/* packed right after the flag byte */
/* run.c's constants: they are not in the file */
#define LLAMA2C_ROPE_THETA	10000.0f
#define LLAMA2C_NORM_EPS	1e-5f
/* run.c's fixed ids */
#define LLAMA2C_UNK		0
#define LLAMA2C_BOS		1
#define LLAMA2C_EOS		2

static const struct model_config_names llama2c_names = {
	.dim = "dim",
	.hidden_dim = "hidden_dim",
	.n_layers = "n_layers",
	.n_heads = "n_heads",
	.n_kv_heads = "n_kv_heads",
	.vocab_size = "vocab_size",
	.seq_len = "seq_len",
};

/* What a segment of the file holds, in the order of the layout. */
enum seg_kind {
	SEG_TOKEN_EMBD, SEG_RMS_ATT, SEG_WQ, SEG_WK, SEG_WV, SEG_WO, SEG_RMS_FFN,
	SEG_W1, SEG_W2, SEG_W3, SEG_RMS_FINAL, SEG_FREQ_REAL, SEG_FREQ_IMAG, SEG_WCLS,
	SEG_KINDS,
};

static const char *const seg_names[SEG_KINDS] = {
	"token_embedding_table", "rms_att_weight", "wq", "wk", "wv", "wo",
	"rms_ffn_weight", "w1", "w2", "w3", "rms_final_weight", "freq_cis_real",
	"freq_cis_imag", "wcls",
};

static const enum seg_kind legacy_order[] = {
	SEG_TOKEN_EMBD, SEG_RMS_ATT, SEG_WQ, SEG_WK, SEG_WV, SEG_WO, SEG_RMS_FFN,
	SEG_W1, SEG_W2, SEG_W3, SEG_RMS_FINAL, SEG_FREQ_REAL, SEG_FREQ_IMAG, SEG_WCLS,
};

static const enum seg_kind v1_order[] = {
	SEG_RMS_ATT, SEG_RMS_FFN, SEG_RMS_FINAL, SEG_TOKEN_EMBD, SEG_WQ, SEG_WK,
	SEG_WV, SEG_WO, SEG_W1, SEG_W2, SEG_W3, SEG_WCLS,
};

struct segment {
	uint32_t layers;	/* slices of rows x cols; 1 for a global tensor */
	uint32_t rows, cols;
	uint64_t offset;	/* in the file */
	uint64_t slice_bytes;	/* bytes of one layer's slice in the file */
	bool present;
};

struct layout {
	struct edna_model_config c;
	bool shared;
	int version;		/* 0 legacy, 1, 2 */
	uint32_t group_size;	/* version 2 */
	struct segment seg[SEG_KINDS];
};

/* The shape of each segment from the config. */
static void segment_shapes(struct layout *l)
{
	const struct edna_model_config *c = &l->c;
	uint32_t q = c->n_heads * c->head_dim, kv = c->n_kv_heads * c->head_dim;
	struct { uint32_t layers, rows, cols; } s[SEG_KINDS] = {
		[SEG_TOKEN_EMBD] = { 1, c->vocab_size, c->dim },
		[SEG_RMS_ATT] = { c->n_layers, 1, c->dim },
		[SEG_WQ] = { c->n_layers, q, c->dim },
		[SEG_WK] = { c->n_layers, kv, c->dim },
		[SEG_WV] = { c->n_layers, kv, c->dim },
		[SEG_WO] = { c->n_layers, c->dim, q },
		[SEG_RMS_FFN] = { c->n_layers, 1, c->dim },
		[SEG_W1] = { c->n_layers, c->hidden_dim, c->dim },
		[SEG_W2] = { c->n_layers, c->dim, c->hidden_dim },
		[SEG_W3] = { c->n_layers, c->hidden_dim, c->dim },
		[SEG_RMS_FINAL] = { 1, 1, c->dim },
		[SEG_FREQ_REAL] = { 1, c->seq_len, c->head_dim / 2 },
		[SEG_FREQ_IMAG] = { 1, c->seq_len, c->head_dim / 2 },
		[SEG_WCLS] = { 1, c->vocab_size, c->dim },
	};
	int k;

	for (k = 0; k < SEG_KINDS; k++) {
		l->seg[k].layers = s[k].layers;
		l->seg[k].rows = s[k].rows;
		l->seg[k].cols = s[k].cols;
	}
}

static bool seg_is_norm(enum seg_kind k)
{
	return k == SEG_RMS_ATT || k == SEG_RMS_FFN || k == SEG_RMS_FINAL;
}

/*
 * Lays the segments out from @start in the version's order and returns
 * the end, or 0 when a size overflows (it cannot with checked dims, but
 * the arithmetic says so rather than assumes it).
 */
static uint64_t lay_out(struct layout *l, uint64_t start)
{
	static const enum seg_kind v2_order[] = {
		SEG_RMS_ATT, SEG_RMS_FFN, SEG_RMS_FINAL, SEG_TOKEN_EMBD, SEG_WQ, SEG_WK,
		SEG_WV, SEG_WO, SEG_W1, SEG_W2, SEG_W3, SEG_WCLS,
	};
	const enum seg_kind *order = l->version == 0 ? legacy_order :
				     l->version == 1 ? v1_order : v2_order;
	size_t i, n = l->version == 0 ? ARRAY_SIZE(legacy_order) :
		      l->version == 1 ? ARRAY_SIZE(v1_order) : ARRAY_SIZE(v2_order);
	uint64_t pos = start, elems, bytes;

	for (i = 0; i < n; i++) {
		struct segment *s = &l->seg[order[i]];

		if (order[i] == SEG_WCLS && l->shared)
			continue;
		s->present = true;
		s->offset = pos;
		elems = (uint64_t)s->rows * s->cols;
		if (l->version == 2 && !seg_is_norm(order[i]))
			bytes = elems + elems / l->group_size * 4;	/* int8, then f32 scales */
		else
			bytes = elems * 4;
		s->slice_bytes = bytes;
		if (!mul_u64(bytes, s->layers, &bytes) || !add_u64(pos, bytes, &pos))
			return 0;
	}
	return pos;
}

static int32_t header_int(const uint8_t *base, size_t offset)
{
	return (int32_t)le32(base + offset);
}

/*
 * Reads and checks the seven ints at @p; for the legacy layout a negative
 * vocab_size says the classifier is separate.
 */
static int read_params(struct model_reader *r, const uint8_t *p, struct layout *l,
		       const char *prefix)
{
	static const char *const names[7] = {
		"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len",
	};
	int32_t v[7];
	int i;

	for (i = 0; i < 7; i++) {
		v[i] = header_int(p, 4 * i);
		if (i == 5 && l->version == 0 && v[i] < 0 && v[i] != INT32_MIN)
			continue;	/* a negative legacy vocab_size: unshared classifier */
		if (v[i] <= 0)
			return model_fail(r, -EINVAL, "%sheader field %s is %d, expected more than 0",
					  prefix, names[i], v[i]);
	}
	l->c.dim = v[0];
	l->c.hidden_dim = v[1];
	l->c.n_layers = v[2];
	l->c.n_heads = v[3];
	l->c.n_kv_heads = v[4];
	l->c.vocab_size = v[5] < 0 ? (uint32_t)-v[5] : (uint32_t)v[5];
	l->c.seq_len = v[6];
	l->c.rope_theta = LLAMA2C_ROPE_THETA;
	l->c.norm_eps = LLAMA2C_NORM_EPS;
	if (l->version == 0)
		l->shared = v[5] > 0;
	return 0;
}

/* Tensors pointing into the file (f32), or converted from int8 groups. */
static int make_tensor(struct edna_model *m, struct model_reader *r, const struct layout *l,
		       enum seg_kind k, uint32_t layer, const char *name,
		       const struct edna_tensor **out)
{
	const struct segment *s = &l->seg[k];
	const uint8_t *src = r->base + s->offset + s->slice_bytes * layer;
	uint64_t elems = (uint64_t)s->rows * s->cols, i;
	const struct edna_tensor *t;
	float *f32;

	if (l->version == 2 && !seg_is_norm(k)) {
		const uint8_t *scales = src + elems;

		f32 = malloc(elems * sizeof(*f32));
		if (!f32 || model_own(m, f32))
			return model_fail(r, -ENOMEM, "out of memory converting %s", seg_names[k]);
		/* as runq.c's dequantize(): int8 times the group's f32 scale, in f32 */
		for (i = 0; i < elems; i++)
			f32[i] = (float)(int8_t)src[i] * lef32(scales + i / l->group_size * 4);
		src = (const uint8_t *)f32;
	}
	t = model_add_tensor(m, name, EDNA_DTYPE_F32, s->rows, s->cols, src);
	if (!t)
		return model_fail(r, -EINVAL, "more tensors than the table holds");
	*out = t;
	return 0;
}

static int make_tensors(struct edna_model *m, struct model_reader *r, const struct layout *l)
{
	static const struct {
		enum seg_kind kind;
		const char *name;
		size_t offset;
	} layer_segs[] = {
#define LAYER(kind, name, field) { kind, name, offsetof(struct edna_model_layer, field) }
		LAYER(SEG_RMS_ATT, "attn_norm", attn_norm),
		LAYER(SEG_WQ, "attn_q", attn_q),
		LAYER(SEG_WK, "attn_k", attn_k),
		LAYER(SEG_WV, "attn_v", attn_v),
		LAYER(SEG_WO, "attn_output", attn_output),
		LAYER(SEG_RMS_FFN, "ffn_norm", ffn_norm),
		LAYER(SEG_W1, "ffn_gate", ffn_gate),
		LAYER(SEG_W3, "ffn_up", ffn_up),
		LAYER(SEG_W2, "ffn_down", ffn_down),
#undef LAYER
	};
	const size_t per_layer = ARRAY_SIZE(layer_segs);
	char name[EDNA_TENSOR_NAME_MAX];
	uint32_t layer;
	size_t i;
	int ret;

	m->config = l->c;
	m->config.tied_output = l->shared;
	if (model_alloc_tensors(m, 3 + l->c.n_layers * per_layer) ||
	    !(m->layers = calloc(l->c.n_layers, sizeof(*m->layers))))
		return model_fail(r, -ENOMEM, "out of memory for %u layers", l->c.n_layers);
	if ((ret = make_tensor(m, r, l, SEG_TOKEN_EMBD, 0, "token_embd.weight", &m->token_embd)))
		return ret;
	for (layer = 0; layer < l->c.n_layers; layer++) {
		for (i = 0; i < per_layer; i++) {
			const struct edna_tensor **slot = (const struct edna_tensor **)
				((char *)&m->layers[layer] + layer_segs[i].offset);

			snprintf(name, sizeof(name), "blk.%u.%s.weight", layer, layer_segs[i].name);
			ret = make_tensor(m, r, l, layer_segs[i].kind, layer, name, slot);
			if (ret)
				return ret;
		}
	}
	if ((ret = make_tensor(m, r, l, SEG_RMS_FINAL, 0, "output_norm.weight", &m->output_norm)))
		return ret;
	if (l->shared) {
		m->output = m->token_embd;
		return 0;
	}
	return make_tensor(m, r, l, SEG_WCLS, 0, "output.weight", &m->output);
}

static const char *version_name(int version)
{
	return version == 0 ? "legacy llama2.c checkpoint" :
	       version == 1 ? "llama2.c version 1 export" : "llama2.c version 2 export";
}

int llama2c_load(struct edna_model *m, struct model_reader *r)
{
	/* a legacy file has no magic: say what else it is not when it fails */
	static const char legacy_prefix[] =
		"not a GGUF file (magic \"GGUF\") nor a llama2.c export (magic \"ak42\"); read as a legacy llama2.c checkpoint, its ";
	struct layout l = { 0 };
	const char *prefix = "";
	uint64_t start, end;
	int ret;

	if (r->size >= 4 && le32(r->base) == LLAMA2C_MAGIC) {
		int32_t version;

		if (r->size < 8)
			return reader_need(r, 8, "the version");
		version = header_int(r->base, 4);
		if (version != 1 && version != 2)
			return model_fail(r, -EINVAL,
					  "llama2.c export version %d, expected 1 (f32) or 2 (int8 groups)",
					  version);
		l.version = version;
		if ((ret = reader_need(r, LLAMA2C_HEADER, "the 256-byte header")))
			return ret;
		if ((ret = read_params(r, r->base + 8, &l, "")))
			return ret;
		if (r->base[LLAMA2C_SHARED_OFFSET] > 1)
			return model_fail(r, -EINVAL,
					  "header field shared_classifier is %u, expected 0 or 1",
					  r->base[LLAMA2C_SHARED_OFFSET]);
		l.shared = r->base[LLAMA2C_SHARED_OFFSET];
		start = LLAMA2C_HEADER;
	} else {
		prefix = legacy_prefix;
		if (r->size < LLAMA2C_LEGACY_HEADER)
			return model_fail(r, -EINVAL,
					  "%sheader needs %d bytes, the file has %zu",
					  prefix, LLAMA2C_LEGACY_HEADER, r->size);
		if ((ret = read_params(r, r->base, &l, prefix)))
			return ret;
		start = LLAMA2C_LEGACY_HEADER;
	}
	m->format = l.version == 0 ? EDNA_MODEL_LLAMA2C_LEGACY :
		    l.version == 1 ? EDNA_MODEL_LLAMA2C_V1 : EDNA_MODEL_LLAMA2C_V2;
	if ((ret = model_check_config(r, &l.c, &llama2c_names)))
		return ret;
	if (l.version == 2) {
		int32_t gs = header_int(r->base, LLAMA2C_GROUP_OFFSET);
		uint64_t smallest = (uint64_t)l.c.dim * (l.c.n_kv_heads * l.c.head_dim);

		/* export.py halves the group until it divides dim: every tensor's size */
		if (gs <= 0 || l.c.dim % gs || smallest % gs)
			return model_fail(r, -EINVAL,
					  "header field group_size is %d, expected a positive divisor of dim %u",
					  gs, l.c.dim);
		l.group_size = (uint32_t)gs;
	}
	segment_shapes(&l);
	end = lay_out(&l, start);
	if (end != r->size)
		return model_fail(r, -EINVAL,
				  "%s%s (dim %u, hidden_dim %u, n_layers %u, n_heads %u, n_kv_heads %u, vocab_size %u, seq_len %u, %s classifier%s) %s %llu bytes, the file has %zu",
				  prefix, *prefix ? "header" : version_name(l.version),
				  l.c.dim, l.c.hidden_dim, l.c.n_layers, l.c.n_heads, l.c.n_kv_heads,
				  l.c.vocab_size, l.c.seq_len, l.shared ? "shared" : "separate",
				  l.version == 2 ? ", int8 groups" : "",
				  *prefix ? "implies a file of" : "takes",
				  (unsigned long long)end, r->size);
	return make_tensors(m, r, &l);
}

/* ---- tokenizer.bin ---------------------------------------------------------- */

/*
 * u32 max_token_length, then per token an f32 score, an int32 length and
 * the bytes.  The count is not in the file: it is the model's vocab_size
 * (run.c's "i should have written the vocab_size into the tokenizer
 * file"), so the file must end right after that many tokens.
 */
int llama2c_tokenizer_load(struct edna_model *m, const char *path, char *err, size_t errlen)
{
	struct model_reader r = { .path = path, .err = err, .errlen = errlen };
	uint32_t n = m->config.vocab_size, max_len, i;
	struct edna_tokenizer *tok;
	struct stat st;
	void *map;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return model_fail(&r, ret, "cannot open: %s", strerror(-ret));
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return model_fail(&r, -EINVAL, "not a tokenizer.bin: %s",
				  S_ISREG(st.st_mode) ? "empty" : "not a regular file");
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ret = -errno;
	close(fd);
	if (map == MAP_FAILED)
		return model_fail(&r, ret, "cannot map: %s", strerror(-ret));
	r.base = map;
	r.size = st.st_size;

	if (n < 3) {
		munmap(map, st.st_size);
		return model_fail(&r, -EINVAL,
				  "the model's vocab_size is %u, expected at least 3 (run.c's <unk>, <s>, </s> at 0, 1, 2)",
				  n);
	}
	/* 8 bytes a token at least: check before sizing anything by n */
	if ((uint64_t)n * 8 + 4 > r.size) {
		munmap(map, st.st_size);
		return model_fail(&r, -EINVAL,
				  "truncated: %u tokens (the model's vocab_size) need at least %llu bytes, the file has %zu",
				  n, (unsigned long long)n * 8 + 4, r.size);
	}
	tok = tokenizer_alloc(n);
	if (!tok) {
		munmap(map, st.st_size);
		return model_fail(&r, -ENOMEM, "out of memory for %u tokens", n);
	}
	tok->map = map;
	tok->map_size = st.st_size;
	m->tokenizer = tok;	/* freed with the model from here on */
	tok->space_is_u2581 = false;
	tok->add_space_prefix = true;
	tok->add_bos = true;
	tok->unk = LLAMA2C_UNK;
	tok->bos = LLAMA2C_BOS;
	tok->eos = LLAMA2C_EOS;

	if ((ret = reader_u32(&r, &max_len, "max_token_length")))
		return ret;
	for (i = 0; i < n; i++) {
		struct model_piece *piece = &tok->pieces[i];
		char what[64];
		uint32_t len;
		const uint8_t *text;

		snprintf(what, sizeof(what), "token %u of the model's %u", i, n);
		if ((ret = reader_f32(&r, &piece->score, what)) ||
		    (ret = reader_u32(&r, &len, what)))
			return ret;
		if (len > max_len || len > MODEL_MAX_PIECE)
			return model_fail(&r, -EINVAL,
					  "token %u is %d bytes long, expected at most max_token_length %u",
					  i, (int32_t)len, max_len);
		if ((ret = reader_bytes(&r, len, &text, what)))
			return ret;
		piece->text = (const char *)text;
		piece->len = len;
		if (i == LLAMA2C_UNK)
			piece->type = TOKEN_UNKNOWN;
		else if (i == LLAMA2C_BOS || i == LLAMA2C_EOS)
			piece->type = TOKEN_CONTROL;
		else if (piece_is_byte(piece->text, len, &piece->byte))
			piece->type = TOKEN_BYTE;
		else
			piece->type = TOKEN_NORMAL;
	}
	if (r.pos != r.size)
		return model_fail(&r, -EINVAL,
				  "%zu bytes follow the model's %u tokens, expected none: the tokenizer does not match the model's vocab_size",
				  r.size - r.pos, n);
	if (tokenizer_index(tok))
		return model_fail(&r, -ENOMEM, "out of memory for the token index");
	return 0;
}
