/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna_load: a compiled program (edna_compile.h) on a device, through
 * libaccel: one buffer object per pool, the weights uploaded into them,
 * the graph relocated to the pools' addresses and loaded, and jobs that
 * run prompt batches and decode steps.
 *
 * Copyright 2026 The edna authors
 *
 * Pools land where the plan put them when the device has room, else on
 * the next slower tier: SRAM falls back to DRAM (EDNA_BO_ALLOW_FALLBACK),
 * DRAM to host memory; edna_loaded_region() tells where each went.  DRAM
 * and SRAM are not CPU-visible, so their contents go through host staging
 * buffers and COPY jobs.  Nothing is printed and nothing is kept outside
 * the returned object.
 */
#ifndef EDNA_LOAD_H
#define EDNA_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "accel.h"
#include "edna_compile.h"

struct edna_loaded;

/*
 * edna_load - place @prog's pools on @dev and upload its weights
 * @prog: must outlive the loaded program (its data is read at load only,
 *	but its shape at every run)
 *
 * Return: 0, or a negative errno with a message in @err (libaccel's
 * errors, or a failed upload job, described).
 */
int edna_load(struct accel_device *dev, const struct edna_program *prog,
	      struct edna_loaded **loaded, char *err, size_t errlen);
void edna_loaded_free(struct edna_loaded *loaded);

/* enum drm_edna_region the pool landed in; EDNA_REGION_COUNT for an empty pool. */
uint32_t edna_loaded_region(const struct edna_loaded *loaded, int pool);

/* "SRAM", "DRAM" or "host memory" */
const char *edna_region_name(uint32_t region);

/* The regions of all pools, for edna_program_traffic(). */
void edna_loaded_regions(const struct edna_loaded *loaded, uint32_t region[EDNA_POOL_COUNT]);

/* Nanoseconds the weights took to upload (staging copies and COPY jobs). */
uint64_t edna_loaded_upload_ns(const struct edna_loaded *loaded);

/*
 * edna_loaded_run - one graph job
 * @pos: position of tokens[0]
 * @tokens: @n_tokens ids, 1 to the program's max_tokens
 * @steps: 1 to EDNA_GRAPH_MAX_STEPS; positions up to pos + n_tokens +
 *	steps - 2 must be below max_seq
 * @out: @steps ids: each step's ARGMAX, the greedy next token
 * @logits: NULL, or vocab_size floats: the logits of the last step,
 *	copied back by a COPY job queued behind the graph
 * @res: NULL, or the graph job's result record (cycles, MACs, bytes)
 *
 * Return: 0; -EINVAL (arguments); a libaccel error; or the job's status
 * (-ENOEXEC, -EFAULT, ...), with the result record described in @err.
 */
int edna_loaded_run(struct edna_loaded *loaded, uint32_t pos, const uint32_t *tokens,
		    uint32_t n_tokens, uint32_t steps, uint32_t *out, float *logits,
		    struct drm_edna_job_result *res, char *err, size_t errlen);

#endif /* EDNA_LOAD_H */
