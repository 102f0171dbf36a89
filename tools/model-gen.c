// SPDX-License-Identifier: GPL-2.0
/*
 * model-gen: random-weight models of a given shape, in every format the
 * model loader reads, for tests of decoding (host and VM).
 *
 * Copyright 2026 The edna authors
 *
 * The same shape and seed give the same f32 weights in every file, so a
 * GGUF f32 file and a llama2.c file of one run decode the same tokens.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edna_accel.h"
#include "model_gen.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: model-gen [shape] [--gguf PATH] [--llama2c PATH] [--tokenizer PATH]\n"
		"shape (defaults in brackets):\n"
		"  --dim N [64]  --hidden N [160]  --layers N [2]  --heads N [4]\n"
		"  --kv-heads N [2]  --vocab N [512]  --seq-len N [128]  --seed N [1]\n"
		"  --tied        the classifier is the embedding table\n"
		"GGUF v3 (llama, with a small \"llama\" tokenizer):\n"
		"  --gguf PATH   --dtype f32|f16|q8_0|q4_0 [f32] for the matrices\n"
		"  --theta F [10000]  --eps F [1e-5]\n"
		"llama2.c (f32 weights; run.c's theta 10000 and eps 1e-5):\n"
		"  --llama2c PATH  --version 0|1|2 [0: legacy]  --group-size N [32, version 2]\n"
		"  --tokenizer PATH  tokenizer.bin of the same vocabulary\n");
}

static int parse_u32(const char *opt, const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || !*s || x > UINT32_MAX) {
		fprintf(stderr, "model-gen: %s %s: expected a number\n", opt, s);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

static int write_out(const struct edna_bytes *b, const char *path)
{
	int ret = edna_bytes_write(b, path);

	if (ret)
		fprintf(stderr, "model-gen: %s: %s\n", path, strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	enum { O_DIM = 256, O_HIDDEN, O_LAYERS, O_HEADS, O_KV, O_VOCAB, O_SEQ, O_SEED,
	       O_TIED, O_DTYPE, O_THETA, O_EPS, O_GGUF, O_L2C, O_VERSION, O_GROUP, O_TOK };
	static const struct option options[] = {
		{ "dim", required_argument, NULL, O_DIM },
		{ "hidden", required_argument, NULL, O_HIDDEN },
		{ "layers", required_argument, NULL, O_LAYERS },
		{ "heads", required_argument, NULL, O_HEADS },
		{ "kv-heads", required_argument, NULL, O_KV },
		{ "vocab", required_argument, NULL, O_VOCAB },
		{ "seq-len", required_argument, NULL, O_SEQ },
		{ "seed", required_argument, NULL, O_SEED },
		{ "tied", no_argument, NULL, O_TIED },
		{ "dtype", required_argument, NULL, O_DTYPE },
		{ "theta", required_argument, NULL, O_THETA },
		{ "eps", required_argument, NULL, O_EPS },
		{ "gguf", required_argument, NULL, O_GGUF },
		{ "llama2c", required_argument, NULL, O_L2C },
		{ "version", required_argument, NULL, O_VERSION },
		{ "group-size", required_argument, NULL, O_GROUP },
		{ "tokenizer", required_argument, NULL, O_TOK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct edna_gen_spec spec = {
		.dim = 64, .hidden_dim = 160, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
		.vocab_size = 512, .seq_len = 128, .seed = 1, .dtype = EDNA_DTYPE_F32,
	};
	const char *gguf = NULL, *llama2c = NULL, *tokenizer = NULL;
	uint32_t version = 0, group_size = 32, seed = 1;
	struct edna_gen_vocab vocab = { 0 };
	struct edna_bytes b = { 0 };
	char err[256];
	int opt, ret = 1, bad = 0;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case O_DIM:
			bad |= parse_u32("--dim", optarg, &spec.dim);
			break;
		case O_HIDDEN:
			bad |= parse_u32("--hidden", optarg, &spec.hidden_dim);
			break;
		case O_LAYERS:
			bad |= parse_u32("--layers", optarg, &spec.n_layers);
			break;
		case O_HEADS:
			bad |= parse_u32("--heads", optarg, &spec.n_heads);
			break;
		case O_KV:
			bad |= parse_u32("--kv-heads", optarg, &spec.n_kv_heads);
			break;
		case O_VOCAB:
			bad |= parse_u32("--vocab", optarg, &spec.vocab_size);
			break;
		case O_SEQ:
			bad |= parse_u32("--seq-len", optarg, &spec.seq_len);
			break;
		case O_SEED:
			bad |= parse_u32("--seed", optarg, &seed);
			spec.seed = seed;
			break;
		case O_VERSION:
			bad |= parse_u32("--version", optarg, &version);
			break;
		case O_GROUP:
			bad |= parse_u32("--group-size", optarg, &group_size);
			break;
		case O_TIED:
			spec.tied = 1;
			break;
		case O_THETA:
			spec.rope_theta = strtof(optarg, NULL);
			break;
		case O_EPS:
			spec.norm_eps = strtof(optarg, NULL);
			break;
		case O_GGUF:
			gguf = optarg;
			break;
		case O_L2C:
			llama2c = optarg;
			break;
		case O_TOK:
			tokenizer = optarg;
			break;
		case O_DTYPE:
			if (!strcmp(optarg, "f32"))
				spec.dtype = EDNA_DTYPE_F32;
			else if (!strcmp(optarg, "f16"))
				spec.dtype = EDNA_DTYPE_F16;
			else if (!strcmp(optarg, "q8_0"))
				spec.dtype = EDNA_DTYPE_Q8_0;
			else if (!strcmp(optarg, "q4_0"))
				spec.dtype = EDNA_DTYPE_Q4_0;
			else {
				fprintf(stderr, "model-gen: --dtype %s: expected f32, f16, q8_0 or q4_0\n",
					optarg);
				bad = 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (bad || optind != argc || (!gguf && !llama2c && !tokenizer)) {
		usage(stderr);
		return 2;
	}
	if (edna_gen_default_vocab(spec.vocab_size, &vocab)) {
		fprintf(stderr, "model-gen: --vocab %u: expected at least 3\n", spec.vocab_size);
		return 1;
	}
	if (gguf) {
		if (edna_gen_gguf(&spec, &vocab, &b, err, sizeof(err))) {
			fprintf(stderr, "model-gen: %s\n", err);
			goto out;
		}
		if (write_out(&b, gguf))
			goto out;
		edna_bytes_free(&b);
	}
	if (llama2c) {
		if (edna_gen_llama2c(&spec, (int)version, group_size, &b, err, sizeof(err))) {
			fprintf(stderr, "model-gen: %s\n", err);
			goto out;
		}
		if (write_out(&b, llama2c))
			goto out;
		edna_bytes_free(&b);
	}
	if (tokenizer) {
		if (edna_gen_tokenizer_bin(&vocab, &b)) {
			fprintf(stderr, "model-gen: out of memory\n");
			goto out;
		}
		if (write_out(&b, tokenizer))
			goto out;
	}
	ret = 0;
out:
	edna_bytes_free(&b);
	edna_gen_free_vocab(&vocab);
	return ret;
}
