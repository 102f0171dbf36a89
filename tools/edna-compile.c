// SPDX-License-Identifier: GPL-2.0
/*
 * edna-compile: compile a model for an edna accelerator into a bundle.
 *
 * Copyright 2026 The edna authors
 *
 *   edna-compile MODEL [-z tokenizer.bin] -o BUNDLE [--batch T] [--ctx N]
 *                [--sram-kib K] [--dram-mib M] [-q]
 *
 * Prints the placement: which tensors, activations and how much KV cache
 * go to SRAM, device DRAM or host memory, and the bytes a decode step
 * moves on each tier; then writes the bundle (Documentation/decoding.rst,
 * "Bundle format"): the graph, the weights in device layout and the
 * tokenizer, which edna-run loads without recompiling.  No device is
 * needed: the memories are edna_sim's defaults unless given.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edna_compile.h"
#include "edna_model.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edna-compile MODEL [-z TOKENIZER] -o BUNDLE [--batch T] [--ctx N]\n"
		"                    [--sram-kib K] [--dram-mib M] [-q]\n"
		"  MODEL          a GGUF file (llama) or a llama2.c checkpoint\n"
		"  -z TOKENIZER   llama2.c's tokenizer.bin for a llama2.c checkpoint\n"
		"  -o BUNDLE      the bundle to write\n"
		"  --batch T      prompt rows per step, 1 to %d (default %d)\n"
		"  --ctx N        KV cache positions (default: the model's context)\n"
		"  --sram-kib K   on-chip SRAM to place into (default 2048)\n"
		"  --dram-mib M   device DRAM to place into (default 64)\n"
		"  -q             print only errors\n",
		EDNA_GRAPH_MAX_TOKENS, EDNA_COMPILE_MAX_TOKENS);
}

static int parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || x < lo || x > hi) {
		fprintf(stderr, "edna-compile: %s %s: expected a number from %llu to %llu\n", opt, s,
			(unsigned long long)lo, (unsigned long long)hi);
		return -1;
	}
	*v = x;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_BATCH = 256, O_CTX, O_SRAM, O_DRAM };
	static const struct option options[] = {
		{ "batch", required_argument, NULL, O_BATCH },
		{ "ctx", required_argument, NULL, O_CTX },
		{ "sram-kib", required_argument, NULL, O_SRAM },
		{ "dram-mib", required_argument, NULL, O_DRAM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tokenizer = NULL, *output = NULL;
	struct edna_program *prog = NULL;
	struct edna_model *model = NULL;
	struct edna_compile_opts copts;
	char err[EDNA_MODEL_ERR_MAX];
	struct edna_hw hw;
	uint64_t v;
	int opt, quiet = 0, ret = 1;

	edna_compile_default_opts(&copts);
	edna_hw_default(&hw);
	while ((opt = getopt_long(argc, argv, "z:o:qh", options, NULL)) != -1) {
		switch (opt) {
		case 'z':
			tokenizer = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_BATCH:
			if (parse_u64("--batch", optarg, 1, EDNA_GRAPH_MAX_TOKENS, &v))
				return 2;
			copts.max_tokens = v;
			break;
		case O_CTX:
			if (parse_u64("--ctx", optarg, 1, EDNA_GRAPH_MAX_SEQ, &v))
				return 2;
			copts.max_seq = v;
			break;
		case O_SRAM:
			if (parse_u64("--sram-kib", optarg, 0, 1ull << 30, &v))
				return 2;
			copts.capacity[EDNA_REGION_SRAM] = v << 10;
			break;
		case O_DRAM:
			if (parse_u64("--dram-mib", optarg, 0, 1ull << 30, &v))
				return 2;
			copts.capacity[EDNA_REGION_DRAM] = v << 20;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !output) {
		usage(stderr);
		return 2;
	}
	hw.region_size[EDNA_REGION_SRAM] = copts.capacity[EDNA_REGION_SRAM];
	hw.region_size[EDNA_REGION_DRAM] = copts.capacity[EDNA_REGION_DRAM];
	if (edna_model_open(argv[optind], tokenizer, &model, err, sizeof(err)) ||
	    edna_compile(model, &copts, &prog, err, sizeof(err))) {
		fprintf(stderr, "edna-compile: %s\n", err);
		goto out;
	}
	if (!quiet)
		edna_program_describe(prog, argv[optind], &hw, 1, stdout);
	if (edna_bundle_write(prog, edna_model_tokenizer(model), output, err, sizeof(err))) {
		fprintf(stderr, "edna-compile: %s\n", err);
		goto out;
	}
	if (!quiet)
		printf("wrote %s%s\n", output,
		       edna_model_tokenizer(model) ? "" : " (no tokenizer: edna-run --ids only)");
	ret = 0;
out:
	edna_program_free(prog);
	edna_model_close(model);
	return ret;
}
