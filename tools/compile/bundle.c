// SPDX-License-Identifier: GPL-2.0
/*
 * Bundles: a compiled program saved with its weights in device layout
 * and its tokenizer, loaded by edna-run without the model file or a
 * compiler run (Documentation/decoding.rst, "Bundle format").
 *
 * Copyright 2026 The edna authors
 *
 * Little endian throughout:
 *
 *   header            256 bytes (struct layout below)
 *   buffer table      n_bufs records of 128 bytes
 *   graph             an EDNG image (graph-format.rst): header and op
 *                     records, addresses as EDNA_ADDR(pool, offset)
 *   tokenizer         edna_tokenizer_blob.h's blob, or nothing
 *   data              each buffer with contents, at a multiple of 64
 *
 * A bundle is untrusted input like a model file: every offset, size and
 * count is checked against the file before it is used, and every graph
 * address against its pool.  The device checks the rest of the graph.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edna_compile.h"
#include "edna_tokenizer_blob.h"

#define VERSION_MAJOR	1
#define VERSION_MINOR	0
#define HEADER_SIZE	256
#define BUF_RECORD	128
#define DATA_ALIGN	64
#define GRAPH_HEADER	sizeof(struct drm_edna_graph_header)
#define GRAPH_OP	sizeof(struct drm_edna_graph_op)

/* Header offsets */
enum {
	H_MAGIC = 0, H_MAJOR = 8, H_MINOR = 10, H_HEADER_SIZE = 12, H_FILE_SIZE = 16,
	H_DIM = 24, H_HIDDEN = 28, H_LAYERS = 32, H_HEADS = 36, H_KV_HEADS = 40,
	H_HEAD_DIM = 44, H_VOCAB = 48, H_SEQ_LEN = 52, H_THETA = 56, H_EPS = 60, H_TIED = 64,
	H_MAX_TOKENS = 68, H_MAX_SEQ = 72, H_N_BUFS = 76, H_POOL_SIZE = 80,
	H_LOGITS = 112, H_BUFS_OFF = 120, H_GRAPH_OFF = 128, H_GRAPH_SIZE = 136,
	H_TOK_OFF = 144, H_TOK_SIZE = 152, H_DATA_OFF = 160, H_DATA_SIZE = 168, H_END = 176,
};

/* Buffer record offsets */
enum {
	B_NAME = 0, B_KIND = 64, B_POOL = 65, B_DTYPE = 66, B_PAD = 67, B_ROWS = 68,
	B_COLS = 72, B_PAD2 = 76, B_OFFSET = 80, B_BYTES = 88, B_DATA = 96, B_END = 104,
};

struct edna_bundle {
	void *map;
	size_t size;
	struct edna_program prog;
	struct edna_tokenizer *tok;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v, p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v), put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v), put32(p + 4, v >> 32);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* An op record, little endian, as accel_graph_encode() writes it. */
static void put_op(uint8_t *p, const struct drm_edna_graph_op *op)
{
	int i;

	memset(p, 0, GRAPH_OP);
	put16(p, op->opcode);
	p[2] = op->dtype;
	p[3] = op->flags;
	put32(p + 4, op->pad);
	for (i = 0; i < 4; i++)
		put32(p + 8 + 4 * i, op->dim[i]);
	put64(p + 24, op->dst);
	for (i = 0; i < 3; i++)
		put64(p + 32 + 8 * i, op->src[i]);
	for (i = 0; i < 4; i++)
		put32(p + 56 + 4 * i, op->param[i]);
	for (i = 0; i < 7; i++)
		put64(p + 72 + 8 * i, op->reserved[i]);
}

static void get_op(const uint8_t *p, struct drm_edna_graph_op *op)
{
	int i;

	op->opcode = get16(p);
	op->dtype = p[2];
	op->flags = p[3];
	op->pad = get32(p + 4);
	for (i = 0; i < 4; i++)
		op->dim[i] = get32(p + 8 + 4 * i);
	op->dst = get64(p + 24);
	for (i = 0; i < 3; i++)
		op->src[i] = get64(p + 32 + 8 * i);
	for (i = 0; i < 4; i++)
		op->param[i] = get32(p + 56 + 4 * i);
	for (i = 0; i < 7; i++)
		op->reserved[i] = get64(p + 72 + 8 * i);
}

/* ---- writing --------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

static int write_zeros(int fd, size_t n)
{
	static const uint8_t zero[DATA_ALIGN];

	return write_all(fd, zero, n);
}

int edna_bundle_write(const struct edna_program *prog, const struct edna_tokenizer *tok,
		      const char *path, char *err, size_t errlen)
{
	const struct edna_model_config *c = &prog->config;
	uint64_t bufs_off = HEADER_SIZE, graph_off, graph_size, tok_off, data_off, at;
	uint8_t *head = NULL, *table = NULL, *graph = NULL;
	uint64_t *data_at = NULL;
	size_t tok_size = 0;
	void *tok_blob = NULL;
	uint32_t i;
	int fd = -1, ret = -ENOMEM;

	if (tok && (ret = edna_tokenizer_save(tok, &tok_blob, &tok_size)))
		return edna_errmsg(err, errlen, ret, "%s: out of memory saving the tokenizer", path);
	graph_off = bufs_off + (uint64_t)prog->n_bufs * BUF_RECORD;
	graph_size = GRAPH_HEADER + (uint64_t)prog->n_ops * GRAPH_OP;
	tok_off = graph_off + graph_size;
	data_off = align_up(tok_off + tok_size, DATA_ALIGN);
	head = calloc(1, HEADER_SIZE);
	table = calloc(prog->n_bufs, BUF_RECORD);
	graph = calloc(1, graph_size);
	data_at = calloc(prog->n_bufs, sizeof(*data_at));
	if (!head || !table || !graph || !data_at) {
		ret = edna_errmsg(err, errlen, -ENOMEM, "%s: out of memory", path);
		goto out;
	}

	/* Where each buffer's contents go. */
	at = data_off;
	for (i = 0; i < prog->n_bufs; i++) {
		if (!prog->bufs[i].data)
			continue;
		data_at[i] = at;
		at = align_up(at + prog->bufs[i].bytes, DATA_ALIGN);
	}

	memcpy(head + H_MAGIC, EDNA_BUNDLE_MAGIC, 8);
	put16(head + H_MAJOR, VERSION_MAJOR);
	put16(head + H_MINOR, VERSION_MINOR);
	put32(head + H_HEADER_SIZE, HEADER_SIZE);
	put64(head + H_FILE_SIZE, at);
	put32(head + H_DIM, c->dim);
	put32(head + H_HIDDEN, c->hidden_dim);
	put32(head + H_LAYERS, c->n_layers);
	put32(head + H_HEADS, c->n_heads);
	put32(head + H_KV_HEADS, c->n_kv_heads);
	put32(head + H_HEAD_DIM, c->head_dim);
	put32(head + H_VOCAB, c->vocab_size);
	put32(head + H_SEQ_LEN, c->seq_len);
	put32(head + H_THETA, f32_bits(c->rope_theta));
	put32(head + H_EPS, f32_bits(c->norm_eps));
	put32(head + H_TIED, !!c->tied_output);
	put32(head + H_MAX_TOKENS, prog->max_tokens);
	put32(head + H_MAX_SEQ, prog->max_seq);
	put32(head + H_N_BUFS, prog->n_bufs);
	for (i = 0; i < EDNA_POOL_COUNT; i++)
		put64(head + H_POOL_SIZE + 8 * i, prog->pool_size[i]);
	put64(head + H_LOGITS, prog->logits);
	put64(head + H_BUFS_OFF, bufs_off);
	put64(head + H_GRAPH_OFF, graph_off);
	put64(head + H_GRAPH_SIZE, graph_size);
	put64(head + H_TOK_OFF, tok_size ? tok_off : 0);
	put64(head + H_TOK_SIZE, tok_size);
	put64(head + H_DATA_OFF, data_off);
	put64(head + H_DATA_SIZE, at - data_off);

	for (i = 0; i < prog->n_bufs; i++) {
		const struct edna_buf *b = &prog->bufs[i];
		uint8_t *r = table + (size_t)i * BUF_RECORD;

		memcpy(r + B_NAME, b->name, strnlen(b->name, sizeof(b->name) - 1));
		r[B_KIND] = b->kind;
		r[B_POOL] = b->pool;
		r[B_DTYPE] = b->dtype;
		put32(r + B_ROWS, b->rows);
		put32(r + B_COLS, b->cols);
		put64(r + B_OFFSET, b->offset);
		put64(r + B_BYTES, b->bytes);
		put64(r + B_DATA, data_at[i]);
	}

	/* The graph image: graph-format.rst's header, then the ops. */
	put32(graph, EDNA_GRAPH_MAGIC);
	put16(graph + 4, EDNA_GRAPH_VERSION_MAJOR);
	put16(graph + 6, EDNA_GRAPH_VERSION_MINOR);
	put32(graph + 8, GRAPH_HEADER);
	put32(graph + 12, GRAPH_OP);
	put32(graph + 16, prog->n_ops);
	put32(graph + 20, prog->max_tokens);
	for (i = 0; i < prog->n_ops; i++)
		put_op(graph + GRAPH_HEADER + (size_t)i * GRAPH_OP, &prog->ops[i]);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = edna_errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((ret = write_all(fd, head, HEADER_SIZE)) ||
	    (ret = write_all(fd, table, (size_t)prog->n_bufs * BUF_RECORD)) ||
	    (ret = write_all(fd, graph, graph_size)) ||
	    (ret = write_all(fd, tok_blob, tok_size)) ||
	    (ret = write_zeros(fd, data_off - (tok_off + tok_size))))
		goto werr;
	at = data_off;
	for (i = 0; i < prog->n_bufs; i++) {
		if (!prog->bufs[i].data)
			continue;
		if ((ret = write_all(fd, prog->bufs[i].data, prog->bufs[i].bytes)) ||
		    (ret = write_zeros(fd, align_up(prog->bufs[i].bytes, DATA_ALIGN) -
					   prog->bufs[i].bytes)))
			goto werr;
	}
	if (close(fd)) {
		fd = -1;
		ret = -errno;
		goto werr;
	}
	fd = -1;
	ret = 0;
	goto out;
werr:
	edna_errmsg(err, errlen, ret, "%s: writing the bundle: %s", path, strerror(-ret));
out:
	if (fd >= 0)
		close(fd);
	free(head);
	free(table);
	free(graph);
	free(data_at);
	free(tok_blob);
	return ret;
}

/* ---- reading --------------------------------------------------------------- */

int edna_is_bundle(const char *path)
{
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == sizeof(magic) && !memcmp(magic, EDNA_BUNDLE_MAGIC, sizeof(magic));
}

/* [off, off + size) lies in the file */
static int in_file(uint64_t off, uint64_t size, uint64_t file)
{
	return off <= file && size <= file - off;
}

static int check_addr(const struct edna_program *p, uint64_t a, uint64_t need)
{
	int pool = EDNA_ADDR_POOL(a);

	return pool >= 0 && pool < EDNA_POOL_COUNT && EDNA_ADDR_OFF(a) <= p->pool_size[pool] &&
	       need <= p->pool_size[pool] - EDNA_ADDR_OFF(a);
}

static int read_header(struct edna_bundle *b, const char *path, const uint8_t *h, char *err,
		       size_t errlen)
{
	struct edna_program *p = &b->prog;
	struct edna_model_config *c = &p->config;
	uint32_t major = get16(h + H_MAJOR), tied;
	uint64_t v;
	int i, ret;

	if (memcmp(h, EDNA_BUNDLE_MAGIC, 8))
		return edna_errmsg(err, errlen, -EINVAL, "%s: magic is not \"%s\": not a bundle", path,
			    EDNA_BUNDLE_MAGIC);
	if (major != VERSION_MAJOR)
		return edna_errmsg(err, errlen, -EOPNOTSUPP, "%s: bundle version %u.%u, expected %u.x",
			    path, major, get16(h + H_MINOR), VERSION_MAJOR);
	if (get32(h + H_HEADER_SIZE) != HEADER_SIZE)
		return edna_errmsg(err, errlen, -EINVAL, "%s: header_size %u, expected %u", path,
			    get32(h + H_HEADER_SIZE), HEADER_SIZE);
	v = get64(h + H_FILE_SIZE);
	if (v != b->size)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: header says the bundle has %llu bytes, the file has %zu: truncated or damaged",
			    path, (unsigned long long)v, b->size);
	for (i = H_END; i < HEADER_SIZE; i++)
		if (h[i])
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: header byte %d is 0x%02x, expected 0 (reserved)", path, i,
				    h[i]);
	c->dim = get32(h + H_DIM);
	c->hidden_dim = get32(h + H_HIDDEN);
	c->n_layers = get32(h + H_LAYERS);
	c->n_heads = get32(h + H_HEADS);
	c->n_kv_heads = get32(h + H_KV_HEADS);
	c->head_dim = get32(h + H_HEAD_DIM);
	c->vocab_size = get32(h + H_VOCAB);
	c->seq_len = get32(h + H_SEQ_LEN);
	c->rope_theta = bits_f32(get32(h + H_THETA));
	c->norm_eps = bits_f32(get32(h + H_EPS));
	tied = get32(h + H_TIED);
	if (tied > 1)
		return edna_errmsg(err, errlen, -EINVAL, "%s: tied_output %u, expected 0 or 1", path, tied);
	c->tied_output = tied;
	p->max_tokens = get32(h + H_MAX_TOKENS);
	p->max_seq = get32(h + H_MAX_SEQ);
	ret = edna_program_check_config(c, p->max_tokens, p->max_seq, path, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < EDNA_POOL_COUNT; i++) {
		p->pool_size[i] = get64(h + H_POOL_SIZE + 8 * i);
		if (p->pool_size[i] > EDNA_ADDR_OFFSET_MASK || p->pool_size[i] % EDNA_BUF_ALIGN)
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: pool %d has %llu bytes, expected a multiple of %d below 2^%d",
				    path, i, (unsigned long long)p->pool_size[i], EDNA_BUF_ALIGN,
				    EDNA_ADDR_SHIFT);
	}
	p->logits = get64(h + H_LOGITS);
	if (!check_addr(p, p->logits, 4ull * c->vocab_size))
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: logits address 0x%llx, expected %u floats inside a pool", path,
			    (unsigned long long)p->logits, c->vocab_size);
	return 0;
}

static int read_bufs(struct edna_bundle *b, const char *path, const uint8_t *h, char *err,
		     size_t errlen)
{
	const uint8_t *map = b->map;
	struct edna_program *p = &b->prog;
	uint64_t off = get64(h + H_BUFS_OFF), data_off = get64(h + H_DATA_OFF);
	uint64_t data_size = get64(h + H_DATA_SIZE);
	uint32_t n = get32(h + H_N_BUFS), i;
	int j;

	/* a compiled model has 13 activations and 11 buffers a layer, at most 3 more */
	if (n < 1 || n > 16 + 11 * p->config.n_layers)
		return edna_errmsg(err, errlen, -EINVAL, "%s: n_bufs %u, expected 1 to %u", path, n,
			    16 + 11 * p->config.n_layers);
	if (!in_file(off, (uint64_t)n * BUF_RECORD, b->size))
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: buffer table of %u records at offset %llu runs past the end of the file (%zu bytes)",
			    path, n, (unsigned long long)off, b->size);
	if (!in_file(data_off, data_size, b->size))
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: data section [%llu, +%llu) runs past the end of the file (%zu bytes)",
			    path, (unsigned long long)data_off, (unsigned long long)data_size,
			    b->size);
	p->bufs = calloc(n, sizeof(*p->bufs));
	if (!p->bufs)
		return edna_errmsg(err, errlen, -ENOMEM, "%s: out of memory", path);
	p->n_bufs = n;
	for (i = 0; i < n; i++) {
		const uint8_t *r = map + off + (uint64_t)i * BUF_RECORD;
		struct edna_buf *x = &p->bufs[i];
		uint64_t d = get64(r + B_DATA);

		if (!memchr(r + B_NAME, 0, EDNA_TENSOR_NAME_MAX))
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u: name not NUL-terminated in %d bytes", path, i,
				    EDNA_TENSOR_NAME_MAX);
		memcpy(x->name, r + B_NAME, EDNA_TENSOR_NAME_MAX);
		x->kind = r[B_KIND];
		x->pool = r[B_POOL];
		x->dtype = r[B_DTYPE];
		x->rows = get32(r + B_ROWS);
		x->cols = get32(r + B_COLS);
		x->offset = get64(r + B_OFFSET);
		x->bytes = get64(r + B_BYTES);
		if (x->kind >= EDNA_BUF_KIND_COUNT || x->pool >= EDNA_POOL_COUNT ||
		    x->dtype > EDNA_DTYPE_Q4_0 || r[B_PAD] || get32(r + B_PAD2))
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u '%s': kind %u, pool %u, dtype %u, expected below %d, %d, 4 and zero padding",
				    path, i, x->name, x->kind, x->pool, x->dtype,
				    EDNA_BUF_KIND_COUNT, EDNA_POOL_COUNT);
		for (j = B_END; j < BUF_RECORD; j++)
			if (r[j])
				return edna_errmsg(err, errlen, -EINVAL,
					    "%s: buffer %u '%s': byte %d is 0x%02x, expected 0", path,
					    i, x->name, j, r[j]);
		if (x->offset % EDNA_BUF_ALIGN || x->offset > p->pool_size[x->pool] ||
		    x->bytes > p->pool_size[x->pool] - x->offset)
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u '%s' at +%llu, %llu bytes, expected a %d-byte aligned range inside its pool of %llu bytes",
				    path, i, x->name, (unsigned long long)x->offset,
				    (unsigned long long)x->bytes, EDNA_BUF_ALIGN,
				    (unsigned long long)p->pool_size[x->pool]);
		if (d && (d < data_off || !in_file(d - data_off, x->bytes, data_size)))
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u '%s': data at %llu, %llu bytes, expected inside the data section [%llu, +%llu)",
				    path, i, x->name, (unsigned long long)d,
				    (unsigned long long)x->bytes, (unsigned long long)data_off,
				    (unsigned long long)data_size);
		if (d && (x->kind == EDNA_BUF_ACT || x->kind == EDNA_BUF_KV))
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u '%s' is an activation or cache with contents, expected none",
				    path, i, x->name);
		if (!d && (x->kind == EDNA_BUF_NORM || x->kind == EDNA_BUF_WEIGHT))
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u '%s' is a weight without contents", path, i,
				    x->name);
		if (d && (x->pool == EDNA_POOL_HOST_RW))
			return edna_errmsg(err, errlen, -EINVAL,
				    "%s: buffer %u '%s' is a weight in the written host pool, expected the read-only one",
				    path, i, x->name);
		x->data = d ? map + d : NULL;
	}
	return 0;
}

static int read_graph(struct edna_bundle *b, const char *path, const uint8_t *h, char *err,
		      size_t errlen)
{
	struct edna_program *p = &b->prog;
	uint64_t off = get64(h + H_GRAPH_OFF), size = get64(h + H_GRAPH_SIZE);
	const uint8_t *g;
	uint32_t n, i;
	int j;

	if (!in_file(off, size, b->size) || size < GRAPH_HEADER)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: graph [%llu, +%llu) expected a graph header inside the file (%zu bytes)",
			    path, (unsigned long long)off, (unsigned long long)size, b->size);
	g = (const uint8_t *)b->map + off;
	n = get32(g + 16);
	if (get32(g) != EDNA_GRAPH_MAGIC || get16(g + 4) != EDNA_GRAPH_VERSION_MAJOR ||
	    get32(g + 8) != GRAPH_HEADER || get32(g + 12) != GRAPH_OP ||
	    get32(g + 20) != p->max_tokens)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: graph header: magic 0x%08x, version %u, sizes %u/%u, max_tokens %u; expected an EDNG v%d graph of %zu/%zu-byte records and max_tokens %u",
			    path, get32(g), get16(g + 4), get32(g + 8), get32(g + 12), get32(g + 20),
			    EDNA_GRAPH_VERSION_MAJOR, GRAPH_HEADER, GRAPH_OP, p->max_tokens);
	if (n < 1 || n > EDNA_GRAPH_MAX_OPS || size != GRAPH_HEADER + (uint64_t)n * GRAPH_OP)
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: graph of %u ops in %llu bytes, expected 1 to %u ops of %zu bytes after a %zu-byte header",
			    path, n, (unsigned long long)size, EDNA_GRAPH_MAX_OPS, GRAPH_OP,
			    GRAPH_HEADER);
	p->ops = calloc(n, sizeof(*p->ops));
	if (!p->ops)
		return edna_errmsg(err, errlen, -ENOMEM, "%s: out of memory", path);
	p->n_ops = n;
	for (i = 0; i < n; i++) {
		struct drm_edna_graph_op *op = &p->ops[i];

		get_op(g + GRAPH_HEADER + (uint64_t)i * GRAPH_OP, op);
		/* Addresses are relocated at load: each must name a pool it lies in. */
		for (j = 0; j < 4; j++) {
			uint64_t a = j ? op->src[j - 1] : op->dst;

			if (a && !check_addr(p, a, 1))
				return edna_errmsg(err, errlen, -EINVAL,
					    "%s: graph op %u: address 0x%llx, expected 0 or an offset inside one of the %d pools",
					    path, i, (unsigned long long)a, EDNA_POOL_COUNT);
		}
	}
	return 0;
}

int edna_bundle_open(const char *path, struct edna_bundle **out, char *err, size_t errlen)
{
	struct edna_bundle *b;
	const uint8_t *h;
	uint64_t tok_off, tok_size;
	char what[300];
	struct stat st;
	int fd, ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return edna_errmsg(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return edna_errmsg(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	if (st.st_size < HEADER_SIZE) {
		close(fd);
		return edna_errmsg(err, errlen, -EINVAL,
			    "%s: %lld bytes, expected at least a %d-byte bundle header", path,
			    (long long)st.st_size, HEADER_SIZE);
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		close(fd);
		return edna_errmsg(err, errlen, -ENOMEM, "%s: out of memory", path);
	}
	b->size = st.st_size;
	b->map = mmap(NULL, b->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (b->map == MAP_FAILED) {
		ret = -errno;
		free(b);
		return edna_errmsg(err, errlen, ret, "%s: mmap: %s", path, strerror(-ret));
	}
	h = b->map;
	if ((ret = read_header(b, path, h, err, errlen)) ||
	    (ret = read_bufs(b, path, h, err, errlen)) ||
	    (ret = read_graph(b, path, h, err, errlen)))
		goto fail;
	tok_off = get64(h + H_TOK_OFF);
	tok_size = get64(h + H_TOK_SIZE);
	if (tok_size) {
		if (!in_file(tok_off, tok_size, b->size)) {
			ret = edna_errmsg(err, errlen, -EINVAL,
				   "%s: tokenizer [%llu, +%llu) runs past the end of the file (%zu bytes)",
				   path, (unsigned long long)tok_off, (unsigned long long)tok_size,
				   b->size);
			goto fail;
		}
		snprintf(what, sizeof(what), "%s: tokenizer", path);
		ret = edna_tokenizer_load(h + tok_off, tok_size, what, &b->tok, err, errlen);
		if (ret)
			goto fail;
		if (edna_tokenizer_vocab_size(b->tok) != b->prog.config.vocab_size) {
			ret = edna_errmsg(err, errlen, -EINVAL,
				   "%s: tokenizer of %u tokens, expected the model's vocab_size %u",
				   path, edna_tokenizer_vocab_size(b->tok),
				   b->prog.config.vocab_size);
			goto fail;
		}
	} else if (tok_off) {
		ret = edna_errmsg(err, errlen, -EINVAL, "%s: tokenizer offset %llu with no bytes, expected 0",
			   path, (unsigned long long)tok_off);
		goto fail;
	}
	*out = b;
	return 0;
fail:
	edna_bundle_close(b);
	return ret;
}

void edna_bundle_close(struct edna_bundle *b)
{
	if (!b)
		return;
	edna_tokenizer_free(b->tok);
	free(b->prog.bufs);
	free(b->prog.ops);
	munmap(b->map, b->size);
	free(b);
}

const struct edna_program *edna_bundle_program(const struct edna_bundle *b)
{
	return &b->prog;
}

const struct edna_tokenizer *edna_bundle_tokenizer(const struct edna_bundle *b)
{
	return b->tok;
}
