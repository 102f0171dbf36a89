/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna_compile: turn a model opened by edna_model_open() into a program
 * for the device: a placement of every tensor, activation and KV cache
 * in the memory tiers (SRAM, device DRAM, host memory), and one compiled
 * graph (uapi/drm/edna_accel.h, "Compiled graphs") that serves the
 * prompt batches and every decode step.  Also the bundle, a program
 * saved to a file with its weights in device layout and its tokenizer,
 * which edna-run loads without the model file.
 *
 * Copyright 2026 The edna authors
 *
 * Documentation/decoding.rst describes the placement rules, the graph
 * and the bundle format.  Nothing here touches a device: loading a
 * program onto one is edna_load.h's.  The library keeps no global state;
 * failures return a negative errno and a message naming the file, the
 * field and what was expected.
 */
#ifndef EDNA_COMPILE_H
#define EDNA_COMPILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "edna_accel.h"
#include "edna_model.h"

/*
 * enum edna_pool - where a buffer of the program lives.  Each pool
 * becomes one buffer object at load; a graph address is a pool and an
 * offset in it until then.
 * @EDNA_POOL_SRAM: on-chip SRAM
 * @EDNA_POOL_DRAM: device DRAM
 * @EDNA_POOL_HOST_RO: host memory the device only reads (weights that
 *	DRAM cannot hold)
 * @EDNA_POOL_HOST_RW: host memory the device writes (activations or KV
 *	cache that fit nowhere faster)
 */
enum edna_pool {
	EDNA_POOL_SRAM = 0,
	EDNA_POOL_DRAM = 1,
	EDNA_POOL_HOST_RO = 2,
	EDNA_POOL_HOST_RW = 3,
	EDNA_POOL_COUNT
};

/* What a buffer holds. */
enum edna_buf_kind {
	EDNA_BUF_ACT = 0,	/* activations, [rows x cols] f32, written every step */
	EDNA_BUF_NORM = 1,	/* an RMSNorm weight [1 x dim] f32 */
	EDNA_BUF_WEIGHT = 2,	/* a matrix of MATMUL or EMBED, any dtype */
	EDNA_BUF_KV = 3,	/* one layer's key or value cache [max_seq x kv_dim] f32 */
	EDNA_BUF_KIND_COUNT
};

/* A graph address before loading: pool + 1 in bits 40 and up, the offset below. */
#define EDNA_ADDR_SHIFT		40
#define EDNA_ADDR_OFFSET_MASK	((1ull << EDNA_ADDR_SHIFT) - 1)
#define EDNA_ADDR(pool, off)	((((uint64_t)(pool) + 1) << EDNA_ADDR_SHIFT) | (off))
#define EDNA_ADDR_POOL(a)	((int)((a) >> EDNA_ADDR_SHIFT) - 1)
#define EDNA_ADDR_OFF(a)	((a) & EDNA_ADDR_OFFSET_MASK)

/* Buffers start at multiples of this in their pool: a cache line. */
#define EDNA_BUF_ALIGN		64

/* The prompt rows of one step unless told otherwise. */
#define EDNA_COMPILE_MAX_TOKENS	32

/*
 * struct edna_compile_opts - what the compiler may assume
 * @max_tokens: rows of a prompt batch (the graph's max_tokens), 1 to
 *	EDNA_GRAPH_MAX_TOKENS; 0 for EDNA_COMPILE_MAX_TOKENS
 * @max_seq: positions of the KV cache, 1 to EDNA_GRAPH_MAX_SEQ; 0 for the
 *	model's seq_len (at most EDNA_GRAPH_MAX_SEQ)
 * @capacity: bytes the placement may use in each region (enum
 *	drm_edna_region); the host's is not a limit of placement, only
 *	reported
 */
struct edna_compile_opts {
	uint32_t max_tokens;
	uint32_t max_seq;
	uint64_t capacity[EDNA_REGION_COUNT];
};

/*
 * struct edna_buf - one placed buffer
 * @name: the tensor's name, or "act.x", "blk.3.k_cache", ...
 * @kind: enum edna_buf_kind
 * @pool: enum edna_pool
 * @dtype: enum drm_edna_graph_dtype of the elements
 * @rows, @cols: its shape
 * @offset: where it starts in its pool, a multiple of EDNA_BUF_ALIGN
 * @bytes: its size
 * @data: its initial contents in device layout, @bytes of them; NULL for
 *	zeros (activations, KV cache).  Points into the model's or the
 *	bundle's mapping.
 */
struct edna_buf {
	char name[EDNA_TENSOR_NAME_MAX];
	uint8_t kind;
	uint8_t pool;
	uint8_t dtype;
	uint32_t rows, cols;
	uint64_t offset;
	uint64_t bytes;
	const void *data;
};

/*
 * struct edna_program - a compiled model
 * @config: the model's shape
 * @max_tokens: rows of one step (the graph header's)
 * @max_seq: KV cache positions
 * @bufs: every buffer, @n_bufs of them
 * @pool_size: bytes of each pool (a multiple of EDNA_BUF_ALIGN; 0: unused)
 * @ops: the graph's @n_ops op records, host byte order, with addresses as
 *	EDNA_ADDR(pool, offset) (0 where an op has no operand)
 * @logits: address of the [1 x vocab] f32 logits of the last step
 */
struct edna_program {
	struct edna_model_config config;
	uint32_t max_tokens;
	uint32_t max_seq;
	struct edna_buf *bufs;
	uint32_t n_bufs;
	uint64_t pool_size[EDNA_POOL_COUNT];
	struct drm_edna_graph_op *ops;
	uint32_t n_ops;
	uint64_t logits;
};

/* Options for edna_sim's default sizes (Documentation/hardware.rst). */
void edna_compile_default_opts(struct edna_compile_opts *opts);

/*
 * edna_compile - place a model and compile its graph
 * @opts: NULL for edna_compile_default_opts()
 * @prog: set on success; data pointers point into @model, which must
 *	outlive it
 *
 * Return: 0; -EINVAL for options out of range, -EOPNOTSUPP for a model
 * the device cannot run in one graph (too many layers), -ENOMEM.
 */
int edna_compile(const struct edna_model *model, const struct edna_compile_opts *opts,
		 struct edna_program **prog, char *err, size_t errlen);

/* Frees a program of edna_compile() (not a bundle's: edna_bundle_close()). */
void edna_program_free(struct edna_program *prog);

/*
 * edna_program_check_config - the checks edna_compile() makes of a shape,
 *	for a bundle's header too
 * @what: the name the message starts with
 */
int edna_program_check_config(const struct edna_model_config *c, uint32_t max_tokens,
			      uint32_t max_seq, const char *what, char *err, size_t errlen);

/*
 * edna_program_relocate - the graph's ops with device addresses
 * @base: the device address each pool was loaded at (unused pools: any)
 * @ops: out, prog->n_ops records
 *
 * Return: 0, -EINVAL for an address outside its pool.
 */
int edna_program_relocate(const struct edna_program *prog, const uint64_t base[EDNA_POOL_COUNT],
			  struct drm_edna_graph_op *ops);

/* Whether the device writes anything in @pool (activations, KV cache). */
int edna_program_pool_written(const struct edna_program *prog, int pool);

/*
 * struct edna_traffic - what a job moves and computes, in the terms of
 * the device's result record (Documentation/graph-format.rst, "Bytes")
 */
struct edna_traffic {
	uint64_t bytes[EDNA_REGION_COUNT][2];	/* [region][0 read, 1 written] */
	uint64_t macs;
};

/*
 * edna_program_traffic - the modeled traffic of one graph job
 * @region: the region each pool lives in (edna_load's, or the plan's:
 *	SRAM, DRAM, HOST, HOST)
 * @pos: position of the first token
 * @n_tokens, @steps: as the job's argument block
 * @t: out; the graph and the argument block are counted as host bytes
 */
void edna_program_traffic(const struct edna_program *prog, const uint32_t region[EDNA_POOL_COUNT],
			  uint32_t pos, uint32_t n_tokens, uint32_t steps, struct edna_traffic *t);

/* The region of each pool as planned. */
void edna_program_plan_regions(uint32_t region[EDNA_POOL_COUNT]);

/*
 * struct edna_hw - the device figures of the timing and energy model
 * (Documentation/hardware.rst, "Timing and energy model")
 */
struct edna_hw {
	uint64_t clock_hz;
	uint64_t peak_macs;			/* per second */
	uint64_t bandwidth[EDNA_REGION_COUNT];	/* bytes per second */
	uint64_t region_size[EDNA_REGION_COUNT];
	uint32_t active_mw;
};

/*
 * Energy per byte moved on each tier and per MAC, picojoules: the
 * device model's constants (hardware.rst), which no register reports.
 */
#define EDNA_PJ_PER_BYTE_HOST	320
#define EDNA_PJ_PER_BYTE_DRAM	160
#define EDNA_PJ_PER_BYTE_SRAM	5
#define EDNA_PJ_PER_MAC		1

/* edna_sim's defaults: 1 GHz, 1024 MACs a cycle, 4/32/256 GB/s, 2 MiB SRAM, 64 MiB DRAM. */
void edna_hw_default(struct edna_hw *hw);

/* pJ per byte of @region. */
uint32_t edna_hw_pj_per_byte(uint32_t region);

/*
 * edna_hw_time_ns - the modeled time of a job that moves and computes @t:
 * the slowest of its memory streams and its MACs, at least 500 ns
 */
double edna_hw_time_ns(const struct edna_hw *hw, const struct edna_traffic *t);

/*
 * edna_program_describe - the placement, for people
 * @name: the model's file name
 * @verbose: also one line per buffer
 * @hw: the device the figures are modeled on
 */
void edna_program_describe(const struct edna_program *prog, const char *name,
			   const struct edna_hw *hw, int verbose, FILE *f);

/* ---- bundles (Documentation/decoding.rst, "Bundle format") -------------- */

#define EDNA_BUNDLE_MAGIC	"EDNABNDL"

struct edna_bundle;

/*
 * edna_bundle_write - save a program, its weights and @tok to @path
 * @tok: the model's tokenizer, or NULL (the bundle then decodes ids only)
 *
 * Return: 0, -ENOMEM, or the -errno of creating or writing the file.
 */
int edna_bundle_write(const struct edna_program *prog, const struct edna_tokenizer *tok,
		      const char *path, char *err, size_t errlen);

/* Whether @path starts with EDNA_BUNDLE_MAGIC: 1, 0, or -errno of reading it. */
int edna_is_bundle(const char *path);

/*
 * edna_bundle_open - map and check a bundle
 *
 * Everything is checked against the file's size before it is used: a
 * truncated or damaged bundle fails with a message naming the field.
 *
 * Return: 0, -EINVAL for a malformed bundle, -EOPNOTSUPP for another
 * major version, -ENOMEM, or the -errno of open(2), fstat(2), mmap(2).
 */
int edna_bundle_open(const char *path, struct edna_bundle **bundle, char *err, size_t errlen);
void edna_bundle_close(struct edna_bundle *bundle);
/* The program, whose data points into the bundle's mapping. */
const struct edna_program *edna_bundle_program(const struct edna_bundle *bundle);
/* The tokenizer, or NULL when the bundle has none. */
const struct edna_tokenizer *edna_bundle_tokenizer(const struct edna_bundle *bundle);

#endif /* EDNA_COMPILE_H */
