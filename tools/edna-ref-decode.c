// SPDX-License-Identifier: GPL-2.0
/*
 * edna-ref-decode: greedy decoding of a model file on the CPU reference
 * (tools/ref), the independent answer the device's decoding is checked
 * against.
 *
 * Copyright 2026 The edna authors
 *
 *   edna-ref-decode MODEL [-z tokenizer.bin] [-p PROMPT] [-n N] [--ids]
 *
 * MODEL is a GGUF file or a llama2.c checkpoint (-z gives a llama2.c
 * checkpoint its tokenizer.bin).  The prompt is encoded with BOS first
 * (unless a GGUF says add_bos_token false) and fed as one batch; then N
 * tokens (default 64) are generated, each the ARGMAX of the logits.
 * Text mode prints the prompt and then each generated piece as it comes,
 * and stops early at EOS (or BOS, as llama2.c's run.c does).  --ids
 * prints the N generated ids, one a line, without the prompt's, and never
 * stops early: the same ids edna-run --ids prints for the device.
 * Without a tokenizer only --ids with no prompt works; the prompt is then
 * the single id 1 (BOS in llama's vocabularies).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edna_model.h"
#include "edna_ref.h"
#include "ref_decode.h"

#define DEFAULT_TOKENS	64
#define LLAMA_BOS	1

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edna-ref-decode MODEL [-z TOKENIZER] [-p PROMPT] [-n N] [--ids]\n"
		"  MODEL          a GGUF file (llama) or a llama2.c checkpoint\n"
		"  -z TOKENIZER   llama2.c's tokenizer.bin for a llama2.c checkpoint\n"
		"  -p PROMPT      text to continue (default: none, BOS alone)\n"
		"  -n N           tokens to generate (default %d)\n"
		"  --ids          print the generated token ids, one a line\n",
		DEFAULT_TOKENS);
}

/* Pieces as bytes, but no terminal control codes from a random model. */
static void print_piece(const char *p, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 || c == '\n' || c == '\t')
			putchar(c);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ids", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tokenizer_path = NULL, *prompt = NULL;
	char err[EDNA_MODEL_ERR_MAX], *end, *piece = NULL;
	const struct edna_model_config *c;
	const struct edna_tokenizer *tok;
	struct edna_ref_decoder *dec = NULL;
	struct edna_model *model = NULL;
	uint32_t *ids = NULL, bos_only = LLAMA_BOS, prev, next;
	unsigned long n = DEFAULT_TOKENS, i;
	size_t n_prompt = 0;
	float *logits = NULL;
	int opt, print_ids = 0, ret = 1, len;

	while ((opt = getopt_long(argc, argv, "z:p:n:h", options, NULL)) != -1) {
		switch (opt) {
		case 'z':
			tokenizer_path = optarg;
			break;
		case 'p':
			prompt = optarg;
			break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || n > UINT32_MAX) {
				fprintf(stderr, "edna-ref-decode: -n %s: expected a count\n", optarg);
				return 2;
			}
			break;
		case 'i':
			print_ids = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (edna_model_open(argv[optind], tokenizer_path, &model, err, sizeof(err))) {
		fprintf(stderr, "edna-ref-decode: %s\n", err);
		return 1;
	}
	c = edna_model_config(model);
	tok = edna_model_tokenizer(model);
	if (!tok && (!print_ids || (prompt && *prompt))) {
		fprintf(stderr,
			"edna-ref-decode: %s has no tokenizer: give a llama2.c checkpoint its tokenizer.bin with -z, or use --ids without a prompt\n",
			argv[optind]);
		goto out;
	}
	if (tok) {
		if (edna_tokenizer_encode(tok, prompt ? prompt : "", edna_tokenizer_adds_bos(tok),
					  &ids, &n_prompt)) {
			fprintf(stderr, "edna-ref-decode: out of memory encoding the prompt\n");
			goto out;
		}
		if (!n_prompt) {
			/* no BOS and no text: start from BOS anyway, there must be a token */
			free(ids);
			ids = NULL;
			bos_only = edna_tokenizer_bos(tok);
		}
	}
	if (!ids) {
		ids = malloc(sizeof(*ids));
		if (!ids)
			goto out;
		ids[0] = bos_only;
		n_prompt = 1;
	}
	if (n_prompt + (n ? n - 1 : 0) > c->seq_len) {
		fprintf(stderr,
			"edna-ref-decode: %zu prompt tokens and %lu generated need %lu positions, the model's context is %u\n",
			n_prompt, n, n_prompt + (n ? n - 1 : 0), c->seq_len);
		goto out;
	}
	logits = malloc((size_t)c->vocab_size * sizeof(*logits));
	piece = tok ? malloc(edna_tokenizer_max_piece(tok)) : NULL;
	if (!logits || (tok && !piece)) {
		fprintf(stderr, "edna-ref-decode: out of memory\n");
		goto out;
	}
	if (!n) {
		ret = 0;
		goto out;
	}
	if (edna_ref_decoder_new(model, (uint32_t)(n_prompt + n - 1), (uint32_t)n_prompt, &dec,
				 err, sizeof(err)) ||
	    edna_ref_decoder_feed(dec, ids, (uint32_t)n_prompt, logits, err, sizeof(err))) {
		fprintf(stderr, "edna-ref-decode: %s\n", err);
		goto out;
	}
	if (!print_ids && prompt) {
		fputs(prompt, stdout);
		fflush(stdout);
	}
	prev = ids[n_prompt - 1];
	for (i = 0; i < n; i++) {
		next = edna_ref_argmax(logits, c->vocab_size);
		if (print_ids) {
			printf("%u\n", next);
		} else {
			if (next == edna_tokenizer_eos(tok) || next == edna_tokenizer_bos(tok))
				break;
			len = edna_tokenizer_decode(tok, next, prev, piece,
						    edna_tokenizer_max_piece(tok));
			print_piece(piece, len);
		}
		prev = next;
		if (i + 1 < n && edna_ref_decoder_feed(dec, &next, 1, logits, err, sizeof(err))) {
			fprintf(stderr, "edna-ref-decode: %s\n", err);
			goto out;
		}
	}
	if (!print_ids)
		putchar('\n');
	ret = fflush(stdout) ? 1 : 0;
out:
	edna_ref_decoder_free(dec);
	free(piece);
	free(logits);
	free(ids);
	edna_model_close(model);
	return ret;
}
