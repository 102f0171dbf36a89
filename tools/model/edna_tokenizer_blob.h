/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model's tokenizer as a self-contained blob, so that a compiled bundle
 * (tools/compile, Documentation/decoding.rst) decodes text without the
 * model file it was compiled from.
 *
 * Copyright 2026 The edna authors
 *
 * The blob, little endian:
 *   0   8  magic "EDNATOK1"
 *   8   4  vocabulary size n (1 to 2^20)
 *   12  4  flags: 1 pieces spell a space U+2581 (GGUF), 2 add a space
 *          prefix, 4 add BOS before a prompt; others zero
 *   16  4  BOS id, 20 4 EOS id, 24 4 unknown id
 *   28  4  zero
 *   32     n pieces: f32 score, u8 type (GGUF's token type), u8 byte (of
 *          a byte piece), u16 zero, u32 length (at most 65536), the bytes
 * and nothing after the last piece.
 */
#ifndef EDNA_TOKENIZER_BLOB_H
#define EDNA_TOKENIZER_BLOB_H

#include <stddef.h>

#include "edna_model.h"

/*
 * edna_tokenizer_save - the blob of @tok
 * @blob: set to a malloc()ed buffer of *@size bytes (free() it)
 *
 * Return: 0, -EINVAL for NULL arguments, -ENOMEM.
 */
int edna_tokenizer_save(const struct edna_tokenizer *tok, void **blob, size_t *size);

/*
 * edna_tokenizer_load - a tokenizer from a blob
 * @what: the name errors start with ("m.edb: tokenizer")
 * @tok: set on success; free it with edna_tokenizer_free()
 *
 * The blob is checked field by field and copied: it need not outlive the
 * tokenizer.
 *
 * Return: 0, -EINVAL (message in @err) for a malformed blob, -ENOMEM.
 */
int edna_tokenizer_load(const void *blob, size_t size, const char *what,
			struct edna_tokenizer **tok, char *err, size_t errlen);

/* A tokenizer of edna_tokenizer_load(); NULL is fine. */
void edna_tokenizer_free(struct edna_tokenizer *tok);

#endif /* EDNA_TOKENIZER_BLOB_H */
