// SPDX-License-Identifier: MIT
/*
 * libaccel: compiled graphs: laying out an image, loading it into a buffer
 * the device reads, and the argument block of a GRAPH job.
 *
 * Images are little endian whatever the host (uapi/drm/edna_accel.h), so
 * every field is stored and read through the helpers below rather than
 * by copying host structs.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "accel_internal.h"

static void put_le16(unsigned char *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint16_t get_le16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

#define HEADER_FIELD(image, f) ((image) + offsetof(struct drm_edna_graph_header, f))
#define OP_FIELD(rec, f) ((rec) + offsetof(struct drm_edna_graph_op, f))
#define ARGS_FIELD(block, f) ((block) + offsetof(struct drm_edna_graph_args, f))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Every field, pad and reserved included: a caller built with a newer
 * header may have given a reserved field a meaning this library does not
 * know, and the device is the judge of what it accepts.
 */
static void encode_op(unsigned char *rec, const struct drm_edna_graph_op *op)
{
	unsigned int i;

	put_le16(OP_FIELD(rec, opcode), op->opcode);
	*OP_FIELD(rec, dtype) = op->dtype;
	*OP_FIELD(rec, flags) = op->flags;
	put_le32(OP_FIELD(rec, pad), op->pad);
	for (i = 0; i < ARRAY_LEN(op->dim); i++)
		put_le32(OP_FIELD(rec, dim) + 4 * i, op->dim[i]);
	put_le64(OP_FIELD(rec, dst), op->dst);
	for (i = 0; i < ARRAY_LEN(op->src); i++)
		put_le64(OP_FIELD(rec, src) + 8 * i, op->src[i]);
	for (i = 0; i < ARRAY_LEN(op->param); i++)
		put_le32(OP_FIELD(rec, param) + 4 * i, op->param[i]);
	for (i = 0; i < ARRAY_LEN(op->reserved); i++)
		put_le64(OP_FIELD(rec, reserved) + 8 * i, op->reserved[i]);
}

ACCEL_EXPORT int accel_graph_encode(const struct drm_edna_graph_op *ops, uint32_t op_count,
				    uint32_t max_tokens, void *image, size_t size)
{
	const size_t header_size = sizeof(struct drm_edna_graph_header);
	const size_t op_size = sizeof(struct drm_edna_graph_op);
	/* At most 64 + 4096 * 128 bytes: an int holds it. */
	size_t need = header_size + (size_t)op_count * op_size;
	unsigned char *p = image;
	uint32_t i;

	if (!ops || !op_count || op_count > EDNA_GRAPH_MAX_OPS || !max_tokens ||
	    max_tokens > EDNA_GRAPH_MAX_TOKENS)
		return -EINVAL;
	if (!image)
		return (int)need;
	if (size < need)
		return -ENOSPC;

	memset(p, 0, header_size);
	put_le32(HEADER_FIELD(p, magic), EDNA_GRAPH_MAGIC);
	put_le16(HEADER_FIELD(p, version_major), EDNA_GRAPH_VERSION_MAJOR);
	put_le16(HEADER_FIELD(p, version_minor), EDNA_GRAPH_VERSION_MINOR);
	put_le32(HEADER_FIELD(p, header_size), header_size);
	put_le32(HEADER_FIELD(p, op_size), op_size);
	put_le32(HEADER_FIELD(p, op_count), op_count);
	put_le32(HEADER_FIELD(p, max_tokens), max_tokens);
	for (i = 0; i < op_count; i++)
		encode_op(p + header_size + i * op_size, &ops[i]);
	return (int)need;
}

/*
 * A graph around a new buffer of @size bytes that the device may only
 * read, and the buffer's CPU mapping to fill it through.
 */
static int graph_new(struct accel_device *dev, size_t size, struct accel_graph **out,
		     void **image)
{
	struct accel_graph *graph;
	int ret;

	graph = calloc(1, sizeof(*graph));
	if (!graph)
		return -ENOMEM;
	ret = accel_bo_alloc(dev, size, EDNA_REGION_HOST, EDNA_BO_DEVICE_READ_ONLY, &graph->bo);
	if (ret)
		goto err_free;
	ret = accel_bo_map(graph->bo, image);
	if (ret)
		goto err_bo;
	*out = graph;
	return 0;

err_bo:
	accel_bo_free(graph->bo);
err_free:
	free(graph);
	return ret;
}

ACCEL_EXPORT int accel_graph_build(struct accel_device *dev, const struct drm_edna_graph_op *ops,
				   uint32_t op_count, uint32_t max_tokens,
				   struct accel_graph **out)
{
	struct accel_graph *graph;
	void *image;
	int size, ret;

	if (!dev || !out)
		return -EINVAL;
	size = accel_graph_encode(ops, op_count, max_tokens, NULL, 0);
	if (size < 0)
		return size;
	ret = graph_new(dev, size, &graph, &image);
	if (ret)
		return ret;
	accel_graph_encode(ops, op_count, max_tokens, image, size);
	graph->op_count = op_count;
	graph->max_tokens = max_tokens;
	*out = graph;
	return 0;
}

/*
 * Check the header of a version 1 image against @size: sizes, counts and
 * that the ops lie within the image.  Sets *op_count and *max_tokens.
 */
static int check_v1_header(const unsigned char *image, size_t size, uint32_t *op_count,
			   uint32_t *max_tokens)
{
	uint32_t header_size = get_le32(HEADER_FIELD(image, header_size));
	uint32_t op_size = get_le32(HEADER_FIELD(image, op_size));
	uint32_t count = get_le32(HEADER_FIELD(image, op_count));
	uint32_t tokens = get_le32(HEADER_FIELD(image, max_tokens));

	if (header_size < sizeof(struct drm_edna_graph_header) ||
	    op_size < sizeof(struct drm_edna_graph_op) || !count || count > EDNA_GRAPH_MAX_OPS ||
	    !tokens || tokens > EDNA_GRAPH_MAX_TOKENS || header_size > size ||
	    (uint64_t)count * op_size > size - header_size)
		return -EINVAL;
	*op_count = count;
	*max_tokens = tokens;
	return 0;
}

ACCEL_EXPORT int accel_graph_load(struct accel_device *dev, const void *image, size_t size,
				  struct accel_graph **out)
{
	const unsigned char *p = image;
	uint32_t op_count = 0, max_tokens = 0;
	struct accel_graph *graph;
	void *dst;
	int ret;

	if (!dev || !image || !out || size < sizeof(struct drm_edna_graph_header))
		return -EINVAL;
	if (get_le32(HEADER_FIELD(p, magic)) != EDNA_GRAPH_MAGIC)
		return -ENOEXEC;
	/*
	 * Another major version may lay its header out otherwise: only the
	 * device can tell whether it runs it.
	 */
	if (get_le16(HEADER_FIELD(p, version_major)) == EDNA_GRAPH_VERSION_MAJOR) {
		ret = check_v1_header(p, size, &op_count, &max_tokens);
		if (ret)
			return ret;
	}
	ret = graph_new(dev, size, &graph, &dst);
	if (ret)
		return ret;
	memcpy(dst, image, size);
	graph->op_count = op_count;
	graph->max_tokens = max_tokens;
	*out = graph;
	return 0;
}

ACCEL_EXPORT int accel_graph_free(struct accel_graph *graph)
{
	int ret;

	if (!graph)
		return 0;
	ret = accel_bo_free(graph->bo);
	free(graph);
	return ret;
}

ACCEL_EXPORT const struct accel_bo *accel_graph_bo(const struct accel_graph *graph)
{
	return graph ? graph->bo : NULL;
}

ACCEL_EXPORT uint32_t accel_graph_handle(const struct accel_graph *graph)
{
	return graph ? graph->bo->handle : 0;
}

ACCEL_EXPORT uint64_t accel_graph_va(const struct accel_graph *graph)
{
	return graph ? graph->bo->va : 0;
}

ACCEL_EXPORT uint32_t accel_graph_max_tokens(const struct accel_graph *graph)
{
	return graph ? graph->max_tokens : 0;
}

ACCEL_EXPORT size_t accel_graph_args_size(uint32_t n_tokens, uint32_t steps)
{
	return sizeof(struct drm_edna_graph_args) + ((size_t)n_tokens + steps) * sizeof(uint32_t);
}

/* The CPU address of a checked argument block of @bo. */
static int args_block(struct accel_bo *bo, uint64_t offset, uint32_t n_tokens, uint32_t steps,
		      unsigned char **block)
{
	if (!n_tokens || n_tokens > EDNA_GRAPH_MAX_TOKENS || !steps ||
	    steps > EDNA_GRAPH_MAX_STEPS || offset % 4)
		return -EINVAL;
	return accel_bo_cpu_range(bo, offset, accel_graph_args_size(n_tokens, steps), block);
}

ACCEL_EXPORT int accel_graph_args_write(struct accel_bo *bo, uint64_t offset, uint32_t pos,
					uint32_t n_tokens, uint32_t steps,
					const uint32_t *tokens)
{
	unsigned char *block, *slot;
	uint32_t i;
	int ret;

	if (!tokens)
		return -EINVAL;
	ret = args_block(bo, offset, n_tokens, steps, &block);
	if (ret)
		return ret;
	put_le32(ARGS_FIELD(block, pos), pos);
	put_le32(ARGS_FIELD(block, n_tokens), n_tokens);
	put_le32(ARGS_FIELD(block, steps), steps);
	put_le32(ARGS_FIELD(block, flags), 0);
	slot = ARGS_FIELD(block, tokens);
	for (i = 0; i < n_tokens; i++, slot += 4)
		put_le32(slot, tokens[i]);
	memset(slot, 0, (size_t)steps * 4);
	return 0;
}

ACCEL_EXPORT int accel_graph_args_read_tokens(struct accel_bo *bo, uint64_t offset,
					      uint32_t n_tokens, uint32_t steps,
					      uint32_t *tokens)
{
	unsigned char *slot;
	uint32_t i;
	int ret;

	if (!tokens)
		return -EINVAL;
	ret = args_block(bo, offset, n_tokens, steps, &slot);
	if (ret)
		return ret;
	slot = ARGS_FIELD(slot, tokens) + (size_t)n_tokens * 4;
	for (i = 0; i < steps; i++, slot += 4)
		tokens[i] = get_le32(slot);
	return 0;
}
