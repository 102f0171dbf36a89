// SPDX-License-Identifier: GPL-2.0
/*
 * host_roofline: how close the device model's matrix-vector product
 * (edna_ops_matmul(), rows = 1) comes to the memory's speed, on the host.
 *
 * Decoding a token reads every weight once, so the bound is the time to
 * read the weights: bytes / read bandwidth.  The bandwidth is measured in
 * the same run, on the same buffer and thread, by a STREAM-style
 * vectorised sum that does nothing but read.  Baseline and product
 * alternate, best of each, so drift touches both.  The matrix is well
 * above the last-level cache (4 x L3, at least 256 MiB): what it
 * measures is DRAM, not cache.
 *
 * Prints "bench: host_matvec_roofline_<dtype>=<ratio>".  The kernels
 * prefetch in software, which a plain sum does not, so a ratio can pass
 * 1; stderr also gives the ratio to a sum that prefetches the same way.
 *
 * Copyright 2026 The edna authors
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edna_ops.h"

#define K		4096		/* a row: a typical model width */
#define MIN_BYTES	(256ull << 20)
#define MAX_BYTES	(1ull << 30)	/* keeps the run under 10 s */
#define REPS		7

/* enum drm_edna_graph_dtype */
#define DTYPE_F32	0
#define DTYPE_Q8_0	2

typedef uint64_t v4du __attribute__((vector_size(32)));

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * The read baseline: 32-byte loads, four independent sums; with @pf,
 * each cache line also prefetched 4 KiB ahead, as the op kernels do.
 */
static inline __attribute__((always_inline))
uint64_t sum_body(const void *p, size_t n, int pf)
{
	const v4du *v = p;
	v4du a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	size_t i;

	for (i = 0; i + 4 <= n / 32; i += 4) {
		if (pf) {
			__builtin_prefetch((const char *)(v + i) + 4096);
			__builtin_prefetch((const char *)(v + i) + 4096 + 64);
		}
		a += v[i];
		b += v[i + 1];
		c += v[i + 2];
		d += v[i + 3];
	}
	a += b + c + d;
	return a[0] + a[1] + a[2] + a[3];
}

__attribute__((target("avx2"), noinline))
static uint64_t sum_avx2(const void *p, size_t n, int pf)
{
	return sum_body(p, n, pf);
}

__attribute__((noinline))
static uint64_t sum_base(const void *p, size_t n, int pf)
{
	return sum_body(p, n, pf);
}

static uint64_t sum(const void *p, size_t n, int pf, uint32_t cpu)
{
	return cpu ? sum_avx2(p, n, pf) : sum_base(p, n, pf);
}

static size_t pick_bytes(void)
{
	long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
	long pages = sysconf(_SC_AVPHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	unsigned long long bytes = MIN_BYTES;

	if (l3 > 0 && 4ull * l3 > bytes)
		bytes = 4ull * l3;
	if (bytes > MAX_BYTES)
		bytes = MAX_BYTES;
	/* leave the box room: at most a third of what is free */
	if (pages > 0 && psz > 0 && bytes > (unsigned long long)pages * psz / 3)
		bytes = (unsigned long long)pages * psz / 3;
	return bytes;
}

static void *big_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* fewer TLB misses for both sides alike */
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static float frand(void)
{
	return (float)((next() >> 40) * (1.0 / (1 << 24)) * 2 - 1);
}

static void fill(uint8_t *w, uint32_t dtype, uint64_t rb, uint32_t n)
{
	uint64_t i, j;

	for (i = 0; i < n; i++) {
		uint8_t *row = w + i * rb;

		if (dtype == DTYPE_F32) {
			for (j = 0; j < K; j++)
				((float *)row)[j] = frand();
			continue;
		}
		/* q8_0: an f16 scale of about 1/127, then 32 random int8 */
		for (j = 0; j < K / 32; j++) {
			uint8_t *blk = row + j * 34;
			uint64_t r0 = next(), r1 = next(), r2 = next(), r3 = next();

			blk[0] = 0x08;
			blk[1] = 0x20 + (next() & 1);
			memcpy(blk + 2, &r0, 8);
			memcpy(blk + 10, &r1, 8);
			memcpy(blk + 18, &r2, 8);
			memcpy(blk + 26, &r3, 8);
		}
	}
}

/* (weight bytes / read bandwidth) / matvec time, best of REPS each */
static int roofline(uint32_t dtype, const char *name, uint32_t cpu, size_t bytes)
{
	uint64_t rb = edna_ops_row_bytes(dtype, K);
	uint32_t n = bytes / rb;
	size_t wbytes = (size_t)n * rb;
	double tb = 1e30, tp = 1e30, tm = 1e30, t, bw;
	float *x = malloc(K * sizeof(float)), *y = malloc((size_t)n * sizeof(float));
	uint8_t *w = big_alloc(wbytes);
	volatile uint64_t sink = 0;
	volatile float fsink = 0;
	int r, i;

	if (!x || !y || !w) {
		fprintf(stderr, "host_roofline: out of memory\n");
		if (w)
			munmap(w, wbytes);
		free(x);
		free(y);
		return 1;
	}
	for (i = 0; i < K; i++)
		x[i] = frand();
	fill(w, dtype, rb, n);
	/* one untimed pass of each: page faults and first touch out of the way */
	sink += sum(w, wbytes, 0, cpu);
	edna_ops_matmul(y, n, x, K, w, dtype, 1, K, 0, n, cpu);
	for (r = 0; r < REPS; r++) {
		t = now();
		sink += sum(w, wbytes, 0, cpu);
		t = now() - t;
		if (t < tb)
			tb = t;
		t = now();
		sink += sum(w, wbytes, 1, cpu);
		t = now() - t;
		if (t < tp)
			tp = t;
		t = now();
		edna_ops_matmul(y, n, x, K, w, dtype, 1, K, 0, n, cpu);
		t = now() - t;
		if (t < tm)
			tm = t;
		fsink += y[r];
	}
	fprintf(stderr,
		"# %s: %zu MiB; read %.2f GB/s, %.2f prefetching; matvec %.2f GB/s, %.2f of the latter%s\n",
		name, wbytes >> 20, wbytes / tb * 1e-9, wbytes / tp * 1e-9, wbytes / tm * 1e-9,
		tp / tm, cpu ? "" : " (no AVX2)");
	bw = wbytes / tb;
	printf("bench: host_matvec_roofline_%s=%.2f\n", name, wbytes / bw / tm);
	fflush(stdout);
	munmap(w, wbytes);
	free(x);
	free(y);
	return 0;
}

int main(void)
{
	uint32_t cpu = 0;
	size_t bytes = pick_bytes();

	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	    __builtin_cpu_supports("f16c"))
		cpu = EDNA_OPS_CPU_AVX2;
	if (roofline(DTYPE_Q8_0, "q8_0", cpu, bytes) || roofline(DTYPE_F32, "f32", cpu, bytes))
		return 1;
	return 0;
}
