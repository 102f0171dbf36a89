// SPDX-License-Identifier: GPL-2.0
/*
 * edna_model: open a model file by its magic, the checked reader the
 * parsers share, the tensor table and the accessors.
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_internal.h"

/* ---- errors ------------------------------------------------------------ */

int model_failv(struct model_reader *r, int ret, const char *fmt, va_list ap)
{
	int n;

	if (!r->err || !r->errlen)
		return ret;
	n = snprintf(r->err, r->errlen, "%s: ", r->path);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	return ret;
}

int model_fail(struct model_reader *r, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = model_failv(r, ret, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- little-endian reads at any alignment ------------------------------- */

uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

float lef32(const uint8_t *p)
{
	uint32_t bits = le32(p);
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

bool mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

bool add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/* ---- the reader ----------------------------------------------------------- */

int reader_need(struct model_reader *r, uint64_t n, const char *what)
{
	if (n <= r->size - r->pos)
		return 0;
	return model_fail(r, -EINVAL,
			  "truncated: %s needs %llu bytes at offset %zu, the file has %zu",
			  what, (unsigned long long)n, r->pos, r->size);
}

int reader_bytes(struct model_reader *r, uint64_t n, const uint8_t **p,
		 const char *what)
{
	int ret = reader_need(r, n, what);

	if (ret)
		return ret;
	*p = r->base + r->pos;
	r->pos += n;
	return 0;
}

int reader_u8(struct model_reader *r, uint8_t *v, const char *what)
{
	const uint8_t *p;
	int ret = reader_bytes(r, 1, &p, what);

	if (!ret)
		*v = *p;
	return ret;
}

int reader_u32(struct model_reader *r, uint32_t *v, const char *what)
{
	const uint8_t *p;
	int ret = reader_bytes(r, 4, &p, what);

	if (!ret)
		*v = le32(p);
	return ret;
}

int reader_u64(struct model_reader *r, uint64_t *v, const char *what)
{
	const uint8_t *p;
	int ret = reader_bytes(r, 8, &p, what);

	if (!ret)
		*v = le64(p);
	return ret;
}

int reader_f32(struct model_reader *r, float *v, const char *what)
{
	const uint8_t *p;
	int ret = reader_bytes(r, 4, &p, what);

	if (!ret)
		*v = lef32(p);
	return ret;
}

/* ---- dtypes and tensors ------------------------------------------------- */

const char *model_dtype_name(int dtype)
{
	switch (dtype) {
	case EDNA_DTYPE_F32:
		return "f32";
	case EDNA_DTYPE_F16:
		return "f16";
	case EDNA_DTYPE_Q8_0:
		return "q8_0";
	case EDNA_DTYPE_Q4_0:
		return "q4_0";
	}
	return "unknown";
}

uint64_t model_row_bytes(int dtype, uint64_t cols)
{
	switch (dtype) {
	case EDNA_DTYPE_F32:
		return cols * 4;
	case EDNA_DTYPE_F16:
		return cols * 2;
	case EDNA_DTYPE_Q8_0:
		return cols % 32 ? 0 : cols / 32 * 34;
	case EDNA_DTYPE_Q4_0:
		return cols % 32 ? 0 : cols / 32 * 18;
	}
	return 0;
}

int model_alloc_tensors(struct edna_model *m, unsigned int cap)
{
	m->tensors = calloc(cap, sizeof(*m->tensors));
	if (!m->tensors)
		return -ENOMEM;
	m->tensors_cap = cap;
	return 0;
}

struct edna_tensor *model_add_tensor(struct edna_model *m, const char *name,
				     int dtype, uint32_t rows, uint32_t cols,
				     const void *data)
{
	struct edna_tensor *t;
	const uint8_t *p = data;

	if (m->n_tensors >= m->tensors_cap)
		return NULL;
	t = &m->tensors[m->n_tensors++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->dtype = dtype;
	t->rows = rows;
	t->cols = cols;
	t->row_bytes = model_row_bytes(dtype, cols);
	t->bytes = t->row_bytes * rows;
	t->data = data;
	if (p >= m->map && p < m->map + m->map_size)
		t->file_offset = p - m->map;
	else
		t->file_offset = -1;
	return t;
}

int model_own(struct edna_model *m, void *buf)
{
	void **owned = realloc(m->owned, (m->n_owned + 1) * sizeof(*owned));

	if (!owned) {
		free(buf);
		return -ENOMEM;
	}
	owned[m->n_owned++] = buf;
	m->owned = owned;
	return 0;
}

/* ---- shape ----------------------------------------------------------------- */

static int check_dim(struct model_reader *r, const char *name, uint32_t v)
{
	if (v >= 1 && v <= MODEL_MAX_DIM)
		return 0;
	return model_fail(r, -EINVAL, "%s is %u, expected 1 to %u", name, v, MODEL_MAX_DIM);
}

int model_check_config(struct model_reader *r, struct edna_model_config *c,
		       const struct model_config_names *n)
{
	int ret;

	if ((ret = check_dim(r, n->dim, c->dim)) ||
	    (ret = check_dim(r, n->hidden_dim, c->hidden_dim)) ||
	    (ret = check_dim(r, n->n_heads, c->n_heads)) ||
	    (ret = check_dim(r, n->n_kv_heads, c->n_kv_heads)) ||
	    (ret = check_dim(r, n->vocab_size, c->vocab_size)))
		return ret;
	if (c->n_layers < 1 || c->n_layers > MODEL_MAX_LAYERS)
		return model_fail(r, -EINVAL, "%s is %u, expected 1 to %u",
				  n->n_layers, c->n_layers, MODEL_MAX_LAYERS);
	if (c->seq_len < 1)
		return model_fail(r, -EINVAL, "%s is 0, expected at least 1", n->seq_len);
	if (c->dim % c->n_heads)
		return model_fail(r, -EINVAL, "%s %u is not a multiple of %s %u",
				  n->dim, c->dim, n->n_heads, c->n_heads);
	c->head_dim = c->dim / c->n_heads;
	/* RoPE rotates pairs (2i, 2i+1) of each head */
	if (c->head_dim % 2)
		return model_fail(r, -EINVAL,
				  "the head size %s / %s = %u is odd, expected even (RoPE rotates pairs)",
				  n->dim, n->n_heads, c->head_dim);
	if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
		return model_fail(r, -EINVAL,
				  "%s %u is not a multiple of %s %u (grouped-query attention shares each key/value head among a whole number of query heads)",
				  n->n_heads, c->n_heads, n->n_kv_heads, c->n_kv_heads);
	if (!isfinite(c->rope_theta) || c->rope_theta <= 0)
		return model_fail(r, -EINVAL, "the RoPE base is %g, expected a positive number",
				  c->rope_theta);
	if (!isfinite(c->norm_eps) || c->norm_eps < 0)
		return model_fail(r, -EINVAL, "the RMSNorm epsilon is %g, expected 0 or more",
				  c->norm_eps);
	return 0;
}

/* ---- open and close ------------------------------------------------------- */

#define GGUF_MAGIC_BYTES	"GGUF"
#define LLAMA2C_MAGIC		0x616b3432u	/* "ak42" read as a little-endian u32 */

int edna_model_open(const char *path, const char *tokenizer_path,
		    struct edna_model **model, char *err, size_t errlen)
{
	struct model_reader r = { .path = path, .err = err, .errlen = errlen };
	struct edna_model *m;
	struct stat st;
	void *map;
	int fd, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!model)
		return -EINVAL;
	*model = NULL;
	if (!path) {
		r.path = "(null)";
		return model_fail(&r, -EINVAL, "no model path given");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return model_fail(&r, ret, "cannot open: %s", strerror(-ret));
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return model_fail(&r, ret, "cannot stat: %s", strerror(-ret));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return model_fail(&r, -EINVAL, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return model_fail(&r, -EINVAL,
				  "empty file (0 bytes), expected a GGUF or llama2.c model");
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return model_fail(&r, -EFBIG, "%lld bytes do not fit in this address space",
				  (long long)st.st_size);
	}
	/* read-only and private: the tensors point into this mapping */
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ret = -errno;
	close(fd);
	if (map == MAP_FAILED)
		return model_fail(&r, ret, "cannot map: %s", strerror(-ret));

	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		free(m);
		munmap(map, st.st_size);
		return model_fail(&r, -ENOMEM, "out of memory");
	}
	m->map = map;
	m->map_size = st.st_size;
	r.base = map;
	r.size = st.st_size;

	if (r.size >= 4 && !memcmp(r.base, GGUF_MAGIC_BYTES, 4))
		ret = gguf_load(m, &r);
	else
		ret = llama2c_load(m, &r);	/* "ak42" or the legacy header */
	if (!ret && tokenizer_path) {
		if (m->format == EDNA_MODEL_GGUF)
			ret = model_fail(&r, -EINVAL,
					 "a GGUF model carries its own tokenizer; a tokenizer file (%s) is only for llama2.c checkpoints",
					 tokenizer_path);
		else
			ret = llama2c_tokenizer_load(m, tokenizer_path, err, errlen);
	}
	if (ret) {
		edna_model_close(m);
		return ret;
	}
	*model = m;
	return 0;
}

void edna_model_close(struct edna_model *m)
{
	unsigned int i;

	if (!m)
		return;
	tokenizer_free(m->tokenizer);
	for (i = 0; i < m->n_owned; i++)
		free(m->owned[i]);
	free(m->owned);
	free(m->layers);
	free(m->tensors);
	if (m->map)
		munmap((void *)m->map, m->map_size);
	free(m->path);
	free(m);
}

/* ---- accessors ------------------------------------------------------------ */

enum edna_model_format edna_model_format(const struct edna_model *m)
{
	return m->format;
}

const char *edna_model_path(const struct edna_model *m)
{
	return m->path;
}

const struct edna_model_config *edna_model_config(const struct edna_model *m)
{
	return &m->config;
}

const struct edna_tensor *edna_model_token_embd(const struct edna_model *m)
{
	return m->token_embd;
}

const struct edna_tensor *edna_model_output_norm(const struct edna_model *m)
{
	return m->output_norm;
}

const struct edna_tensor *edna_model_output(const struct edna_model *m)
{
	return m->output;
}

const struct edna_model_layer *edna_model_layer(const struct edna_model *m,
						unsigned int layer)
{
	return layer < m->config.n_layers ? &m->layers[layer] : NULL;
}

const struct edna_tensor *edna_model_tensors(const struct edna_model *m,
					     unsigned int *count)
{
	*count = m->n_tensors;
	return m->tensors;
}

const struct edna_tokenizer *edna_model_tokenizer(const struct edna_model *m)
{
	return m->tokenizer;
}
