/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode_exec: a compiled program (tools/compile) run in this process by
 * the device model's own op kernels (driver/sim/edna_ops.c built for the
 * host), step by step as edna_sim runs its graph: the baseline of the
 * decode benchmarks.  Every pool is host memory here.
 *
 * Copyright 2026 The edna authors
 */
#ifndef DECODE_EXEC_H
#define DECODE_EXEC_H

#include <stdint.h>

#include "edna_compile.h"

struct decode_exec;

/*
 * decode_exec_new - pools in host memory, the weights copied in, the
 *	graph relocated to them
 * @cpu: EDNA_OPS_CPU_* for the kernels
 *
 * Return: 0, -ENOMEM, -EINVAL for a graph the executor does not run.
 */
int decode_exec_new(const struct edna_program *prog, uint32_t cpu, struct decode_exec **x);
void decode_exec_free(struct decode_exec *x);

/* The start of @pool's memory, and its size in *@size. */
const void *decode_exec_pool(const struct decode_exec *x, int pool, uint64_t *size);

/*
 * decode_exec_run - what a graph job with this argument block does: @steps
 *	steps, the first of @n_tokens rows at @pos, each later one the
 *	previous step's ARGMAX; @out gets the @steps tokens
 */
void decode_exec_run(struct decode_exec *x, uint32_t pos, const uint32_t *tokens,
		     uint32_t n_tokens, uint32_t steps, uint32_t *out);

#endif /* DECODE_EXEC_H */
