// SPDX-License-Identifier: GPL-2.0
/*
 * host-decode-roofline: how close decoding a whole model with the device
 * model's op kernels comes to the memory's speed, on the host.
 *
 * Copyright 2026 The edna authors
 *
 * A decode step reads every weight once (and a little more: norms,
 * activations, the KV cache), so its bound is the bytes it reads over
 * the read bandwidth.  The model is made by the model library's
 * generator in a temporary directory, deleted after: GGUF q8_0, llama
 * shapes of dim 2048 (GQA 16/4 heads, FFN 5632, vocabulary 32000) with
 * as many layers as make it at least 1 GiB and three times the last-level
 * cache.  It is compiled (tools/compile) and run by bench/decode_exec.c,
 * which calls driver/sim/edna_ops.c built for the host: the kernels
 * edna_sim runs.  In the same run, on the same memory and on one thread
 * like the kernels, a STREAM-style vectorised sum measures the read
 * bandwidth (bench/host_roofline.c's).  Baseline and decode steps
 * alternate, best of each: the machine may be busy with other work, and
 * the best is what the memory allows.  Prints
 *   bench: host_decode_roofline=(bytes read a token / bandwidth) / time a token
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode_exec.h"
#include "edna_compile.h"
#include "edna_model.h"
#include "edna_ops.h"
#include "model_gen.h"

#define MIN_BYTES	(1ull << 30)
#define LLC_TIMES	3
#define STEPS		10	/* decode steps, each timed, after a one-token prompt */

typedef uint64_t v4du __attribute__((vector_size(32)));

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The read baseline: 32-byte loads, four independent sums (host_roofline.c's). */
static inline __attribute__((always_inline)) uint64_t sum_body(const void *p, size_t n)
{
	const v4du *v = p;
	v4du a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	size_t i;

	for (i = 0; i + 4 <= n / 32; i += 4) {
		a += v[i];
		b += v[i + 1];
		c += v[i + 2];
		d += v[i + 3];
	}
	a += b + c + d;
	return a[0] + a[1] + a[2] + a[3];
}

__attribute__((target("avx2"), noinline))
static uint64_t sum_avx2(const void *p, size_t n)
{
	return sum_body(p, n);
}

__attribute__((noinline))
static uint64_t sum_base(const void *p, size_t n)
{
	return sum_body(p, n);
}

int main(void)
{
	struct edna_gen_spec spec = {
		.dim = 2048, .hidden_dim = 5632, .n_layers = 1, .n_heads = 16, .n_kv_heads = 4,
		.vocab_size = 32000, .seq_len = 256, .seed = 1, .dtype = EDNA_DTYPE_Q8_0,
	};
	uint64_t layer_bytes, fixed_bytes, want, read_bytes = 0, pool_bytes = 0;
	char dir[] = "/tmp/host-decode-roofline.XXXXXX", path[64], err[EDNA_MODEL_ERR_MAX];
	double tb = 1e30, td = 1e30, t, bw;
	long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
	uint32_t region[EDNA_POOL_COUNT], cpu = 0, ids[STEPS + 1], prompt = 1;
	struct edna_program *prog = NULL;
	struct edna_model *m = NULL;
	struct decode_exec *x = NULL;
	struct edna_compile_opts opts;
	struct edna_traffic traffic;
	struct edna_bytes b = { 0 };
	volatile uint64_t sink = 0;
	const void *wp;
	int r, ret = 1;

	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	    __builtin_cpu_supports("f16c"))
		cpu = EDNA_OPS_CPU_AVX2;
	/* q8_0: 34 bytes per 32 weights */
	layer_bytes = (2ull * 2048 * 2048 + 2ull * 512 * 2048 + 3ull * 5632 * 2048) / 32 * 34;
	fixed_bytes = 2ull * 32000 * 2048 / 32 * 34;
	want = MIN_BYTES;
	if (llc > 0 && (uint64_t)llc * LLC_TIMES > want)
		want = (uint64_t)llc * LLC_TIMES;
	spec.n_layers = (want - fixed_bytes + layer_bytes - 1) / layer_bytes;

	if (!mkdtemp(dir)) {
		perror("host-decode-roofline: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/m.gguf", dir);
	t = now();
	if (edna_gen_gguf(&spec, NULL, &b, err, sizeof(err)) || edna_bytes_write(&b, path)) {
		fprintf(stderr, "host-decode-roofline: making the model: %s\n", err);
		edna_bytes_free(&b);
		goto out;
	}
	edna_bytes_free(&b);
	fprintf(stderr, "# host_decode: a %u-layer q8_0 model made in %.1f s\n", spec.n_layers,
		now() - t);
	/* everything in one host pool per kind: the host has no tiers */
	edna_compile_default_opts(&opts);
	opts.capacity[EDNA_REGION_SRAM] = 0;
	opts.capacity[EDNA_REGION_DRAM] = 0;
	opts.max_tokens = 1;
	opts.max_seq = 64;
	if (edna_model_open(path, NULL, &m, err, sizeof(err)) ||
	    edna_compile(m, &opts, &prog, err, sizeof(err))) {
		fprintf(stderr, "host-decode-roofline: %s\n", err);
		goto out;
	}
	if (decode_exec_new(prog, cpu, &x)) {
		fprintf(stderr, "host-decode-roofline: out of memory\n");
		goto out;
	}
	/* The weights are in the executor's memory now: let the file and its pages go. */
	unlink(path);

	/* The bytes the decode steps read, by the device's accounting, a token. */
	edna_program_plan_regions(region);
	edna_program_traffic(prog, region, 1, 1, STEPS, &traffic);
	for (r = 0; r < EDNA_REGION_COUNT; r++)
		read_bytes += traffic.bytes[r][0];
	read_bytes /= STEPS;
	/* The baseline reads the weights' pool, as the decode does. */
	wp = decode_exec_pool(x, EDNA_POOL_HOST_RO, &pool_bytes);

	/* one untimed pass of each: page faults and first touch out of the way */
	decode_exec_run(x, 0, &prompt, 1, STEPS + 1, ids);
	sink += cpu ? sum_avx2(wp, pool_bytes) : sum_base(wp, pool_bytes);
	decode_exec_run(x, 0, &prompt, 1, 1, ids);
	for (r = 0; r < STEPS; r++) {
		t = now();
		sink += cpu ? sum_avx2(wp, pool_bytes) : sum_base(wp, pool_bytes);
		t = now() - t;
		tb = t < tb ? t : tb;
		t = now();
		decode_exec_run(x, 1 + r, &ids[r], 1, 1, &ids[r + 1]);
		t = now() - t;
		td = t < td ? t : td;
	}
	bw = pool_bytes / tb;
	fprintf(stderr,
		"# host_decode: %.0f MiB read a token (weights %.0f MiB, L3 %ld MiB), read bandwidth %.2f GB/s, %.1f ms a token (%.2f GB/s), one thread%s\n",
		read_bytes / 1048576.0, pool_bytes / 1048576.0, llc > 0 ? llc >> 20 : 0, bw * 1e-9,
		td * 1e3, read_bytes / td * 1e-9, cpu ? "" : " (no AVX2)");
	printf("bench: host_decode_roofline=%.2f\n", read_bytes / bw / td);
	ret = 0;
out:
	decode_exec_free(x);
	edna_program_free(prog);
	edna_model_close(m);
	unlink(path);
	rmdir(dir);
	return ret;
}
