// SPDX-License-Identifier: GPL-2.0
/*
 * The llama tokenizer: SentencePiece BPE over a vocabulary of scored
 * pieces, with byte fallback, for GGUF's "llama" tokenizer and llama2.c's
 * tokenizer.bin.
 *
 * Copyright 2026 The edna authors
 *
 * Encoding (Documentation/model-files.rst, "Tokenizer"):
 *  1. normalise: a space prefix unless the text is empty, and for GGUF
 *     every ' ' spelt "▁" (U+2581), as the pieces spell it; tokenizer.bin
 *     pieces spell a space ' ' (llama2.c's export replaced "▁"), so its
 *     text is used as it is;
 *  2. split into UTF-8 characters (a lead byte and up to three
 *     continuation bytes; a stray continuation byte stands alone);
 *  3. repeatedly merge the adjacent pair whose concatenation is a piece
 *     with the highest score, the leftmost on ties;
 *  4. each final symbol is its piece, or, when it is none (a character
 *     the vocabulary lacks), one "<0xXX>" piece per byte, or the unknown
 *     id when there is no such piece.
 * That is what llama.cpp's SPM tokenizer and run.c's encode() compute;
 * run.c merges token ids after looking characters up, which gives the
 * same result whenever every character of the text is a piece.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "model_internal.h"

#define U2581		"\xe2\x96\x81"	/* "▁", SentencePiece's space */
#define U2581_LEN	3

struct edna_tokenizer *tokenizer_alloc(uint32_t n_vocab)
{
	struct edna_tokenizer *tok = calloc(1, sizeof(*tok));

	if (!tok)
		return NULL;
	tok->pieces = calloc(n_vocab ? n_vocab : 1, sizeof(*tok->pieces));
	if (!tok->pieces) {
		free(tok);
		return NULL;
	}
	tok->n_vocab = n_vocab;
	return tok;
}

void tokenizer_free(struct edna_tokenizer *tok)
{
	if (!tok)
		return;
	free(tok->pieces);
	free(tok->slots);
	if (tok->map)
		munmap(tok->map, tok->map_size);
	free(tok);
}

bool piece_is_byte(const char *text, size_t len, uint8_t *byte)
{
	unsigned int i, v = 0;

	if (len != 6 || memcmp(text, "<0x", 3) || text[5] != '>')
		return false;
	for (i = 3; i < 5; i++) {
		char c = text[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else
			return false;
	}
	*byte = (uint8_t)v;
	return true;
}

/* FNV-1a: short keys, no adversary to fear in a table we size ourselves. */
static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The id of the piece spelt s[0..len), or -1. */
static int64_t lookup(const struct edna_tokenizer *tok, const char *s, size_t len)
{
	size_t slot = hash_bytes(s, len) & tok->slot_mask;
	uint32_t v;

	while ((v = tok->slots[slot])) {
		const struct model_piece *p = &tok->pieces[v - 1];

		if (p->len == len && !memcmp(p->text, s, len))
			return v - 1;
		slot = (slot + 1) & tok->slot_mask;
	}
	return -1;
}

int tokenizer_index(struct edna_tokenizer *tok)
{
	size_t size = 16, slot;
	uint32_t i;

	/* at most half full, so that probe chains stay short */
	while (size < (size_t)tok->n_vocab * 2)
		size *= 2;
	tok->slots = calloc(size, sizeof(*tok->slots));
	if (!tok->slots)
		return -ENOMEM;
	tok->slot_mask = size - 1;
	for (i = 0; i < 256; i++)
		tok->byte_id[i] = UINT32_MAX;
	tok->max_piece = 1;
	for (i = 0; i < tok->n_vocab; i++) {
		const struct model_piece *p = &tok->pieces[i];

		/* the first of duplicate pieces wins, as a sorted lookup finds it */
		if (lookup(tok, p->text, p->len) < 0) {
			slot = hash_bytes(p->text, p->len) & tok->slot_mask;
			while (tok->slots[slot])
				slot = (slot + 1) & tok->slot_mask;
			tok->slots[slot] = i + 1;
		}
		if (p->type == TOKEN_BYTE && tok->byte_id[p->byte] == UINT32_MAX)
			tok->byte_id[p->byte] = i;
		/* decoding never lengthens a piece: "▁" and "<0xXX>" shrink */
		if (p->len + 1 > tok->max_piece)
			tok->max_piece = p->len + 1;
	}
	return 0;
}

/* ---- encode ------------------------------------------------------------------ */

/* A run of the normalised text: a character at first, merged pieces later. */
struct symbol {
	size_t start, len;
	int64_t prev, next;	/* indices in the symbol array, -1 at the ends */
	int64_t merge;		/* the piece of this symbol and the next, or -1 */
};

/* Pieces that text can become: not BOS/EOS, <unk> or byte pieces. */
static bool mergeable(const struct edna_tokenizer *tok, int64_t id)
{
	uint8_t type;

	if (id < 0)
		return false;
	type = tok->pieces[id].type;
	return type == TOKEN_NORMAL || type == TOKEN_USER_DEFINED;
}

static void find_merge(const struct edna_tokenizer *tok, const char *text,
		       struct symbol *sym, int64_t i)
{
	int64_t id;

	sym[i].merge = -1;
	if (i < 0 || sym[i].next < 0)
		return;
	/* neighbours are contiguous in the text, so the pair is one span */
	id = lookup(tok, text + sym[i].start, sym[i].len + sym[sym[i].next].len);
	if (mergeable(tok, id))
		sym[i].merge = id;
}

/* The normalised text (step 1), malloc()ed. */
static char *normalise(const struct edna_tokenizer *tok, const char *text, size_t *out_len)
{
	size_t len = strlen(text), n = 0, i;
	char *out = malloc(U2581_LEN * (len + 1) + 1);

	if (!out)
		return NULL;
	if (len && tok->add_space_prefix) {
		if (tok->space_is_u2581) {
			memcpy(out, U2581, U2581_LEN);
			n = U2581_LEN;
		} else {
			out[n++] = ' ';
		}
	}
	for (i = 0; i < len; i++) {
		if (text[i] == ' ' && tok->space_is_u2581) {
			memcpy(out + n, U2581, U2581_LEN);
			n += U2581_LEN;
		} else {
			out[n++] = text[i];
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

int edna_tokenizer_encode(const struct edna_tokenizer *tok, const char *text,
			  int add_bos, uint32_t **ids_out, size_t *n_out)
{
	struct symbol *sym = NULL;
	uint32_t *ids = NULL;
	size_t len, n_sym = 0, n_ids = 0, i, k;
	int64_t s, best;
	char *norm;
	int ret = -ENOMEM;

	if (!tok || !text || !ids_out || !n_out)
		return -EINVAL;
	*ids_out = NULL;
	*n_out = 0;
	norm = normalise(tok, text, &len);
	if (!norm)
		return -ENOMEM;
	/* one symbol per byte at most; one id per byte at most, plus BOS */
	sym = malloc((len ? len : 1) * sizeof(*sym));
	ids = malloc((len + 1) * sizeof(*ids));
	if (!sym || !ids)
		goto out;

	/* 2: characters */
	for (i = 0; i < len; i += sym[n_sym++].len) {
		k = 1;
		if (((uint8_t)norm[i] & 0xc0) != 0x80)
			while (k < 4 && i + k < len && ((uint8_t)norm[i + k] & 0xc0) == 0x80)
				k++;
		sym[n_sym].start = i;
		sym[n_sym].len = k;
		sym[n_sym].prev = (int64_t)n_sym - 1;
		sym[n_sym].next = (int64_t)n_sym + 1;
	}
	if (n_sym)
		sym[n_sym - 1].next = -1;	/* the last one */
	for (i = 0; i < n_sym; i++)
		find_merge(tok, norm, sym, (int64_t)i);

	/* 3: merge the best pair until none is a piece */
	for (;;) {
		best = -1;
		for (s = n_sym ? 0 : -1; s >= 0; s = sym[s].next)
			if (sym[s].merge >= 0 &&
			    (best < 0 ||
			     tok->pieces[sym[s].merge].score > tok->pieces[sym[best].merge].score))
				best = s;
		if (best < 0)
			break;
		k = (size_t)sym[best].next;
		sym[best].len += sym[k].len;
		sym[best].next = sym[k].next;
		if (sym[k].next >= 0)
			sym[sym[k].next].prev = best;
		find_merge(tok, norm, sym, best);
		if (sym[best].prev >= 0)
			find_merge(tok, norm, sym, sym[best].prev);
	}

	/* 4: pieces, or bytes */
	if (add_bos)
		ids[n_ids++] = tok->bos;
	for (s = n_sym ? 0 : -1; s >= 0; s = sym[s].next) {
		int64_t id = lookup(tok, norm + sym[s].start, sym[s].len);

		if (mergeable(tok, id)) {
			ids[n_ids++] = (uint32_t)id;
			continue;
		}
		for (i = 0; i < sym[s].len; i++) {
			uint32_t b = tok->byte_id[(uint8_t)norm[sym[s].start + i]];

			ids[n_ids++] = b != UINT32_MAX ? b : tok->unk;
		}
	}
	*ids_out = ids;
	*n_out = n_ids;
	ids = NULL;
	ret = 0;
out:
	free(ids);
	free(sym);
	free(norm);
	return ret;
}

/* ---- decode ------------------------------------------------------------------ */

int edna_tokenizer_decode(const struct edna_tokenizer *tok, uint32_t id, uint32_t prev_id,
			  char *buf, size_t size)
{
	const struct model_piece *p;
	size_t n = 0, i = 0;
	bool strip;

	if (!tok || id >= tok->n_vocab || (size && !buf))
		return -EINVAL;
	p = &tok->pieces[id];
	/* after BOS, SentencePiece drops the space prefix it added */
	strip = prev_id == tok->bos && tok->add_space_prefix;
	if (p->type == TOKEN_CONTROL) {
		i = p->len;		/* BOS and EOS print nothing */
	} else if (p->type == TOKEN_BYTE) {
		if (size > 1)
			buf[0] = (char)p->byte;
		n = 1;
		i = p->len;
	}
	while (i < p->len) {
		char c = p->text[i];

		if (tok->space_is_u2581 && p->len - i >= U2581_LEN &&
		    !memcmp(p->text + i, U2581, U2581_LEN)) {
			c = ' ';
			i += U2581_LEN;
		} else {
			i++;
		}
		if (strip && n == 0 && c == ' ') {
			strip = false;
			continue;
		}
		strip = false;
		if (n + 1 < size)
			buf[n] = c;
		n++;
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return (int)n;
}

size_t edna_tokenizer_max_piece(const struct edna_tokenizer *tok)
{
	return tok->max_piece;
}

const char *edna_tokenizer_piece(const struct edna_tokenizer *tok, uint32_t id, size_t *len)
{
	if (!tok || id >= tok->n_vocab)
		return NULL;
	if (len)
		*len = tok->pieces[id].len;
	return tok->pieces[id].text;
}

uint32_t edna_tokenizer_vocab_size(const struct edna_tokenizer *tok)
{
	return tok->n_vocab;
}

uint32_t edna_tokenizer_bos(const struct edna_tokenizer *tok)
{
	return tok->bos;
}

uint32_t edna_tokenizer_eos(const struct edna_tokenizer *tok)
{
	return tok->eos;
}

int edna_tokenizer_adds_bos(const struct edna_tokenizer *tok)
{
	return tok->add_bos;
}
