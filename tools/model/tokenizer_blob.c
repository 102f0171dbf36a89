// SPDX-License-Identifier: GPL-2.0
/*
 * A tokenizer saved into, and loaded from, a blob (edna_tokenizer_blob.h):
 * what a compiled bundle carries so that it decodes text on its own.
 *
 * Copyright 2026 The edna authors
 *
 * Loading checks every field with the model library's reader, so a
 * damaged bundle fails with the offset and field it broke at, and the
 * piece texts are copied into an anonymous mapping that the tokenizer
 * owns (tokenizer_free() unmaps it, as it does tokenizer.bin's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "edna_tokenizer_blob.h"
#include "model_internal.h"

#define BLOB_MAGIC		"EDNATOK1"
#define BLOB_HEADER		32
#define BLOB_PIECE_HEADER	12
#define BLOB_SPACE_U2581	0x1u
#define BLOB_SPACE_PREFIX	0x2u
#define BLOB_ADD_BOS		0x4u
#define BLOB_FLAGS		(BLOB_SPACE_U2581 | BLOB_SPACE_PREFIX | BLOB_ADD_BOS)

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

int edna_tokenizer_save(const struct edna_tokenizer *tok, void **blob, size_t *size)
{
	size_t n = BLOB_HEADER;
	uint8_t *b, *p;
	uint32_t i, bits;

	if (!tok || !blob || !size)
		return -EINVAL;
	for (i = 0; i < tok->n_vocab; i++)
		n += BLOB_PIECE_HEADER + tok->pieces[i].len;
	b = calloc(1, n);
	if (!b)
		return -ENOMEM;
	memcpy(b, BLOB_MAGIC, 8);
	put32(b + 8, tok->n_vocab);
	put32(b + 12, (tok->space_is_u2581 ? BLOB_SPACE_U2581 : 0) |
		      (tok->add_space_prefix ? BLOB_SPACE_PREFIX : 0) |
		      (tok->add_bos ? BLOB_ADD_BOS : 0));
	put32(b + 16, tok->bos);
	put32(b + 20, tok->eos);
	put32(b + 24, tok->unk);
	p = b + BLOB_HEADER;
	for (i = 0; i < tok->n_vocab; i++) {
		const struct model_piece *pc = &tok->pieces[i];

		memcpy(&bits, &pc->score, sizeof(bits));
		put32(p, bits);
		p[4] = pc->type;
		p[5] = pc->byte;
		put32(p + 8, pc->len);
		memcpy(p + BLOB_PIECE_HEADER, pc->text, pc->len);
		p += BLOB_PIECE_HEADER + pc->len;
	}
	*blob = b;
	*size = n;
	return 0;
}

void edna_tokenizer_free(struct edna_tokenizer *tok)
{
	tokenizer_free(tok);
}

/* Everything but the piece texts, which the second pass copies. */
static int load_header(struct model_reader *r, uint32_t *n, uint32_t *flags, uint32_t ids[3])
{
	static const char *const id_names[3] = { "BOS id", "EOS id", "unknown id" };
	const uint8_t *magic;
	uint32_t zero;
	int ret, i;

	if ((ret = reader_bytes(r, 8, &magic, "magic")))
		return ret;
	if (memcmp(magic, BLOB_MAGIC, 8))
		return model_fail(r, -EINVAL, "magic is not \"%s\"", BLOB_MAGIC);
	if ((ret = reader_u32(r, n, "vocabulary size")) || (ret = reader_u32(r, flags, "flags")))
		return ret;
	if (*n < 1 || *n > MODEL_MAX_DIM)
		return model_fail(r, -EINVAL, "vocabulary size %u, expected 1 to %u", *n,
				  MODEL_MAX_DIM);
	if (*flags & ~BLOB_FLAGS)
		return model_fail(r, -EINVAL, "flags 0x%x, expected only bits of 0x%x", *flags,
				  BLOB_FLAGS);
	for (i = 0; i < 3; i++) {
		/* not checked against n: llama2.c's fixed ids exist in any vocabulary */
		if ((ret = reader_u32(r, &ids[i], id_names[i])))
			return ret;
	}
	if ((ret = reader_u32(r, &zero, "reserved")))
		return ret;
	if (zero)
		return model_fail(r, -EINVAL, "reserved word is 0x%x, expected 0", zero);
	return 0;
}

int edna_tokenizer_load(const void *blob, size_t size, const char *what,
			struct edna_tokenizer **tok_out, char *err, size_t errlen)
{
	struct model_reader r = { .path = what ? what : "tokenizer", .base = blob,
				  .size = blob ? size : 0, .err = err, .errlen = errlen };
	struct edna_tokenizer *tok = NULL;
	uint32_t n, flags, ids[3], i, len;
	size_t text_bytes = 0, at;
	const uint8_t *p;
	char *texts = NULL;
	int ret;

	if (!tok_out)
		return -EINVAL;
	*tok_out = NULL;
	if ((ret = load_header(&r, &n, &flags, ids)))
		return ret;
	/* First pass: every piece lies in the blob, and how many bytes they hold. */
	at = r.pos;
	for (i = 0; i < n; i++) {
		uint8_t type, byte, pad[2];
		float score;

		if ((ret = reader_f32(&r, &score, "piece score")) ||
		    (ret = reader_u8(&r, &type, "piece type")) ||
		    (ret = reader_u8(&r, &byte, "piece byte")) ||
		    (ret = reader_u8(&r, &pad[0], "piece pad")) ||
		    (ret = reader_u8(&r, &pad[1], "piece pad")) ||
		    (ret = reader_u32(&r, &len, "piece length")))
			return ret;
		if (type < TOKEN_NORMAL || type > TOKEN_BYTE)
			return model_fail(&r, -EINVAL, "piece %u has type %u, expected 1 to 6", i,
					  type);
		if (pad[0] || pad[1])
			return model_fail(&r, -EINVAL, "piece %u has non-zero padding", i);
		if (len > MODEL_MAX_PIECE)
			return model_fail(&r, -EINVAL, "piece %u has %u bytes, expected at most %u",
					  i, len, MODEL_MAX_PIECE);
		if ((ret = reader_bytes(&r, len, &p, "piece text")))
			return ret;
		text_bytes += len;
	}
	if (r.pos != r.size)
		return model_fail(&r, -EINVAL, "%zu bytes follow the last of %u pieces, expected none",
				  r.size - r.pos, n);

	tok = tokenizer_alloc(n);
	if (!tok)
		return -ENOMEM;
	if (text_bytes) {
		texts = mmap(NULL, text_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		if (texts == MAP_FAILED) {
			tokenizer_free(tok);
			return -ENOMEM;
		}
		tok->map = texts;
		tok->map_size = text_bytes;
	}
	tok->space_is_u2581 = flags & BLOB_SPACE_U2581;
	tok->add_space_prefix = flags & BLOB_SPACE_PREFIX;
	tok->add_bos = flags & BLOB_ADD_BOS;
	tok->bos = ids[0], tok->eos = ids[1], tok->unk = ids[2];
	/* Second pass, over what the first one checked. */
	p = (const uint8_t *)blob + at;
	text_bytes = 0;
	for (i = 0; i < n; i++) {
		struct model_piece *pc = &tok->pieces[i];

		pc->score = lef32(p);
		pc->type = p[4];
		pc->byte = p[5];
		pc->len = le32(p + 8);
		memcpy(texts + text_bytes, p + BLOB_PIECE_HEADER, pc->len);
		pc->text = texts + text_bytes;
		text_bytes += pc->len;
		p += BLOB_PIECE_HEADER + pc->len;
		if (pc->type == TOKEN_BYTE) {
			uint8_t b;

			if (!piece_is_byte(pc->text, pc->len, &b) || b != pc->byte) {
				tokenizer_free(tok);
				return model_fail(&r, -EINVAL,
						  "piece %u is a byte piece of byte 0x%02x, expected its text to read \"<0x%02X>\"",
						  i, pc->byte, pc->byte);
			}
		}
	}
	if (texts)
		mprotect(texts, tok->map_size, PROT_READ);
	ret = tokenizer_index(tok);
	if (ret) {
		tokenizer_free(tok);
		return ret;
	}
	*tok_out = tok;
	return 0;
}
