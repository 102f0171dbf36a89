// SPDX-License-Identifier: GPL-2.0
/*
 * decode-bench: decoding a model through the whole stack against the
 * same op kernels in this process, in the same VM.
 *
 * Copyright 2026 The edna authors
 *
 * The model is made here by the model library's generator: GGUF, q8_0,
 * the edna_decode tests' shape (2 layers of dim 64, FFN 160, GQA 4/2
 * heads, a vocabulary of 512; 120 K MACs a token), small because the
 * VM emulates the kernels' AVX2 at a few million MACs a second: a token
 * takes ~30 ms there (the device timing model says ~1 us).  Arguments
 * DIM HIDDEN LAYERS HEADS KV_HEADS VOCAB make another shape.  It is
 * compiled for the device's memories and loaded with tools/compile's
 * loader, as edna-run does.  After a short prompt, DECODE tokens are
 * generated greedily three ways, interleaved, best of ROUNDS each:
 *  - the stack, K steps a job: edna-run's default greedy loop (ARGMAX
 *    feeding the next step on the device);
 *  - the stack, one step a job: the host in the loop for every token;
 *  - in-process: the same compiled graph run by the same op kernels
 *    (driver/sim/edna_ops.c built for userspace, bench/decode_exec.c) on
 *    host memory, no driver, no scheduler, no device model.
 * All three must give the same tokens.  Prints
 *   bench: decode_stack_ratio=     time per token, K-step jobs / in-process
 *   bench: multi_token_job_speedup= time per token, 1-step jobs / K-step jobs
 * and on stderr the ratio of one-step jobs to in-process and what a job
 * costs beyond its steps (the host's round trip), which is what K-step
 * jobs save: next to the emulated kernels it is small, next to the
 * modeled device's microseconds it would be everything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "decode_exec.h"
#include "edna_compile.h"
#include "edna_load.h"
#include "edna_model.h"
#include "edna_ops.h"
#include "model_gen.h"

#define DECODE	24
#define K	16
#define ROUNDS	5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const uint32_t prompt[] = { 1, 17, 30, 41 };
#define N_PROMPT	(sizeof(prompt) / sizeof(prompt[0]))

/* Greedy on the device, @k steps a job, after the prompt; seconds of the decode. */
static double stack_decode(struct edna_loaded *l, uint32_t k, uint32_t *ids)
{
	uint32_t out[K], pos = N_PROMPT, got = 0, i;
	char err[256];
	double t;

	if (edna_loaded_run(l, 0, prompt, N_PROMPT, 1, out, NULL, NULL, err, sizeof(err)))
		goto fail;
	ids[got++] = out[0];
	t = now();
	while (got < DECODE) {
		uint32_t steps = DECODE - got < k ? DECODE - got : k;

		if (edna_loaded_run(l, pos, &ids[got - 1], 1, steps, out, NULL, NULL, err,
				    sizeof(err)))
			goto fail;
		for (i = 0; i < steps; i++)
			ids[got++] = out[i];
		pos += steps;
	}
	return now() - t;
fail:
	fprintf(stderr, "decode-bench: %s\n", err);
	exit(1);
}

static double here_decode(struct decode_exec *x, uint32_t *ids)
{
	double t;

	decode_exec_run(x, 0, prompt, N_PROMPT, 1, ids);
	t = now();
	decode_exec_run(x, N_PROMPT, ids, 1, DECODE - 1, ids + 1);
	return now() - t;
}

int main(int argc, char **argv)
{
	struct edna_gen_spec spec = {
		.dim = 64, .hidden_dim = 160, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
		.vocab_size = 512, .seq_len = 256, .seed = 1, .dtype = EDNA_DTYPE_Q8_0,
	};
	struct drm_edna_device_info info = { 0 };
	uint32_t ids[3][DECODE], cpu = 0;
	double best[3] = { 1e30, 1e30, 1e30 }, t;
	struct edna_compile_opts opts;
	struct edna_program *prog = NULL;
	struct edna_loaded *l = NULL;
	struct edna_model *m = NULL;
	struct decode_exec *x = NULL;
	struct accel_device *dev;
	struct edna_bytes b = { 0 };
	char dir[] = "/tmp/decode-bench.XXXXXX", path[64], err[EDNA_MODEL_ERR_MAX];
	int r, i, ret = 1, jobs_k;

	if (argc == 7) {
		spec.dim = atoi(argv[1]), spec.hidden_dim = atoi(argv[2]);
		spec.n_layers = atoi(argv[3]), spec.n_heads = atoi(argv[4]);
		spec.n_kv_heads = atoi(argv[5]), spec.vocab_size = atoi(argv[6]);
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	    __builtin_cpu_supports("f16c"))
		cpu = EDNA_OPS_CPU_AVX2;
	if (!mkdtemp(dir)) {
		perror("decode-bench: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/m.gguf", dir);
	if (edna_gen_gguf(&spec, NULL, &b, err, sizeof(err)) || edna_bytes_write(&b, path)) {
		fprintf(stderr, "decode-bench: making the model: %s\n", err);
		goto out;
	}
	edna_bytes_free(&b);
	r = accel_open(0, &dev);
	if (r || accel_device_info(dev, &info, sizeof(info))) {
		fprintf(stderr, "decode-bench: accel device 0: %s\n", accel_strerror(r));
		goto out;
	}
	edna_compile_default_opts(&opts);
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		opts.capacity[i] = info.region_size[i];
	if (edna_model_open(path, NULL, &m, err, sizeof(err)) ||
	    edna_compile(m, &opts, &prog, err, sizeof(err)) ||
	    edna_load(dev, prog, &l, err, sizeof(err))) {
		fprintf(stderr, "decode-bench: %s\n", err);
		goto close;
	}
	if (decode_exec_new(prog, cpu, &x)) {
		fprintf(stderr, "decode-bench: out of memory\n");
		goto close;
	}
	/* Warm up both, then interleave so drift touches all three alike. */
	stack_decode(l, K, ids[0]);
	here_decode(x, ids[2]);
	for (r = 0; r < ROUNDS; r++) {
		t = stack_decode(l, K, ids[0]);
		best[0] = t < best[0] ? t : best[0];
		t = stack_decode(l, 1, ids[1]);
		best[1] = t < best[1] ? t : best[1];
		t = here_decode(x, ids[2]);
		best[2] = t < best[2] ? t : best[2];
	}
	if (memcmp(ids[0], ids[1], sizeof(ids[0])) || memcmp(ids[0], ids[2], sizeof(ids[0]))) {
		fprintf(stderr, "decode-bench: the three runs decoded different tokens\n");
		goto close;
	}
	jobs_k = (DECODE - 1 + K - 1) / K;
	fprintf(stderr,
		"# decode: %d tokens, %.2f ms a token in %d-step jobs, %.2f in 1-step jobs, %.2f in-process; 1-step jobs / in-process %.2f; a job costs %.2f ms beyond its steps\n",
		DECODE - 1, best[0] * 1e3 / (DECODE - 1), K, best[1] * 1e3 / (DECODE - 1),
		best[2] * 1e3 / (DECODE - 1), best[1] / best[2],
		(best[1] - best[0]) * 1e3 / (DECODE - 1 - jobs_k));
	printf("bench: decode_stack_ratio=%.2f\n", best[0] / best[2]);
	printf("bench: multi_token_job_speedup=%.2f\n", best[1] / best[0]);
	ret = 0;
close:
	decode_exec_free(x);
	edna_loaded_free(l);
	edna_program_free(prog);
	edna_model_close(m);
	accel_close(dev);
out:
	unlink(path);
	rmdir(dir);
	return ret;
}
