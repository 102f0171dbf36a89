// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the checks of one graph op record (graph-format.rst), rule by
 * rule, each from an op that passes.  Included by edna_sim_graph.c on a
 * kernel with KUnit; runs when edna_sim loads.
 *
 * Copyright 2026 The edna authors
 */

#include <kunit/test.h>

/* An op of @opcode that passes: dims of 64, aligned, disjoint operands. */
static struct drm_edna_graph_op edna_kunit_op(u16 opcode)
{
	const struct edna_sim_opinfo *info = &edna_sim_opinfo[opcode];
	struct drm_edna_graph_op op = { .opcode = opcode, .dst = 0x100000 };
	int i;

	for (i = 0; i < info->dims; i++)
		op.dim[i] = 64;
	for (i = 0; i < info->srcs; i++)
		op.src[i] = 0x200000 + i * 0x100000;
	return op;
}

/* 0 when the op passes, else the graph error it was rejected with. */
static u32 edna_kunit_check(struct kunit *test, const struct drm_edna_graph_op *op)
{
	struct edna_sim_job job = {};

	if (edna_sim_op_check(&job, 7, op))
		return 0;
	KUNIT_EXPECT_EQ(test, job.status, EDNA_JOB_BAD_GRAPH);
	KUNIT_EXPECT_EQ(test, job.op_index, 7);
	return job.graph_error;
}

static void edna_kunit_every_opcode_passes(struct kunit *test)
{
	u16 opcode;

	for (opcode = EDNA_GOP_EMBED; opcode <= EDNA_GOP_COPY; opcode++) {
		struct drm_edna_graph_op op = edna_kunit_op(opcode);

		KUNIT_EXPECT_EQ_MSG(test, edna_kunit_check(test, &op), 0, "opcode %u", opcode);
	}
}

static void edna_kunit_unknown_opcodes(struct kunit *test)
{
	static const u16 bad[] = { 0, EDNA_GOP_COPY + 1, 0xffff };
	struct drm_edna_graph_op op = edna_kunit_op(EDNA_GOP_ADD);
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		op.opcode = bad[i];
		KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPCODE);
	}
}

static void edna_kunit_dims(struct kunit *test)
{
	struct drm_edna_graph_op op;

	op = edna_kunit_op(EDNA_GOP_MATMUL);
	op.dim[1] = 0;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
	op = edna_kunit_op(EDNA_GOP_ADD);
	op.dim[0] = EDNA_GRAPH_MAX_DIM + 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
	op.dim[0] = EDNA_GRAPH_MAX_DIM;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	/* A dim the opcode does not use must be zero. */
	op.dim[1] = 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_FIELD);
	/* COPY counts bytes, up to its own limit. */
	op = edna_kunit_op(EDNA_GOP_COPY);
	op.src[0] = 2ULL * EDNA_GRAPH_MAX_COPY;
	op.dim[0] = EDNA_GRAPH_MAX_DIM + 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	op.dim[0] = EDNA_GRAPH_MAX_COPY + 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
	/* Per opcode: an odd head dim, heads not a multiple of kv heads. */
	op = edna_kunit_op(EDNA_GOP_ROPE);
	op.dim[1] = 63;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
	op = edna_kunit_op(EDNA_GOP_ATTENTION);
	op.dim[1] = 48;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
	op = edna_kunit_op(EDNA_GOP_KV_APPEND);
	op.dim[1] = EDNA_GRAPH_MAX_SEQ + 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
	/* Quantised rows come in blocks of 32. */
	op = edna_kunit_op(EDNA_GOP_MATMUL);
	op.dtype = EDNA_DTYPE_Q8_0;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	op.dim[1] = 48;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DIMS);
}

static void edna_kunit_dtypes(struct kunit *test)
{
	struct drm_edna_graph_op op = edna_kunit_op(EDNA_GOP_ADD);

	op.dtype = EDNA_DTYPE_Q8_0;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DTYPE);
	op = edna_kunit_op(EDNA_GOP_EMBED);
	op.dtype = EDNA_DTYPE_Q4_0 + 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_DTYPE);
}

static void edna_kunit_operands(struct kunit *test)
{
	struct drm_edna_graph_op op;

	op = edna_kunit_op(EDNA_GOP_SOFTMAX);
	op.dst = 0;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPERAND);
	/* ARGMAX may keep its result to itself. */
	op = edna_kunit_op(EDNA_GOP_ARGMAX);
	op.dst = 0;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	op = edna_kunit_op(EDNA_GOP_MUL);
	op.src[1] += 2;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPERAND);
	op = edna_kunit_op(EDNA_GOP_MUL);
	op.src[2] = 0x800000;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPERAND);
	/* f16 weights are 2-aligned, f32 activations 4-aligned. */
	op = edna_kunit_op(EDNA_GOP_MATMUL);
	op.dtype = EDNA_DTYPE_F16;
	op.src[1] += 2;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	op.src[0] += 2;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPERAND);
	/* COPY: any alignment, but no overlap and no wrap. */
	op = edna_kunit_op(EDNA_GOP_COPY);
	op.src[0] = 0x100001;
	op.dst = 0x100041;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	op.dst = 0x100040;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPERAND);
	op.dst = 0x100000;
	op.src[0] = U64_MAX - 16;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_OPERAND);
}

static void edna_kunit_fields(struct kunit *test)
{
	struct drm_edna_graph_op op;

	op = edna_kunit_op(EDNA_GOP_ADD);
	op.pad = 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_FIELD);
	op = edna_kunit_op(EDNA_GOP_ADD);
	op.reserved[6] = 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_FIELD);
	op = edna_kunit_op(EDNA_GOP_ADD);
	op.param[0] = 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_FIELD);
	op = edna_kunit_op(EDNA_GOP_RMSNORM);
	op.param[0] = 1;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	/* One row of the last, on the ops that have rows to pick from. */
	op = edna_kunit_op(EDNA_GOP_ADD);
	op.flags = EDNA_GOP_LAST_ROW;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), 0);
	op.flags = EDNA_GOP_ONE_ROW;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_FIELD);
	op = edna_kunit_op(EDNA_GOP_EMBED);
	op.flags = EDNA_GOP_LAST_ROW;
	KUNIT_EXPECT_EQ(test, edna_kunit_check(test, &op), EDNA_GRAPH_ERR_FIELD);
}

static void edna_kunit_record_tails(struct kunit *test)
{
	u8 rec[256] = {};

	KUNIT_EXPECT_TRUE(test, edna_sim_tail_zero(rec, 128, 256));
	KUNIT_EXPECT_TRUE(test, edna_sim_tail_zero(rec, 128, 64));
	rec[200] = 1;
	KUNIT_EXPECT_FALSE(test, edna_sim_tail_zero(rec, 128, 256));
	KUNIT_EXPECT_TRUE(test, edna_sim_tail_zero(rec, 201, 256));
}

static struct kunit_case edna_sim_graph_cases[] = {
	KUNIT_CASE(edna_kunit_every_opcode_passes),
	KUNIT_CASE(edna_kunit_unknown_opcodes),
	KUNIT_CASE(edna_kunit_dims),
	KUNIT_CASE(edna_kunit_dtypes),
	KUNIT_CASE(edna_kunit_operands),
	KUNIT_CASE(edna_kunit_fields),
	KUNIT_CASE(edna_kunit_record_tails),
	{}
};

static struct kunit_suite edna_sim_graph_suite = {
	.name = "edna_sim_graph",
	.test_cases = edna_sim_graph_cases,
};

kunit_test_suite(edna_sim_graph_suite);
