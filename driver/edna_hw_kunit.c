// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ring arithmetic on free-running positions, across the wrap of
 * the u32 counters.  Included by edna_hw.c on a kernel with KUnit; runs
 * when edna loads.
 *
 * Copyright 2026 The edna authors
 */

#include <kunit/test.h>

static void edna_kunit_ring_used(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, edna_ring_used(0, 0), 0);
	KUNIT_EXPECT_EQ(test, edna_ring_used(10, 74), 64);
	/* Four written past the wrap of TAIL. */
	KUNIT_EXPECT_EQ(test, edna_ring_used(U32_MAX - 1, 2), 4);
	KUNIT_EXPECT_EQ(test, edna_ring_used(U32_MAX, U32_MAX), 0);
}

static void edna_kunit_ring_head(struct kunit *test)
{
	u32 completed, off, n;

	/* Every HEAD from completed to tail, and none beyond, at every phase. */
	for (off = 0; off < 8; off++) {
		completed = U32_MAX - 3 + off;
		for (n = 0; n <= 6; n++)
			KUNIT_EXPECT_TRUE(test, edna_ring_head_valid(completed, completed + 6,
								     completed + n));
		KUNIT_EXPECT_FALSE(test, edna_ring_head_valid(completed, completed + 6,
							      completed + 7));
		/* Behind what was processed: as far ahead as it gets. */
		KUNIT_EXPECT_FALSE(test, edna_ring_head_valid(completed, completed + 6,
							      completed - 1));
	}
}

static void edna_kunit_ring_slot(struct kunit *test)
{
	struct edna_ring ring = { .entries = 64 };
	u32 pos;

	/* Free-running positions map to slots in order, through the wrap. */
	for (pos = U32_MAX - 70; pos != 70; pos++)
		KUNIT_EXPECT_EQ(test, (pos + 1) & (ring.entries - 1),
				((pos & (ring.entries - 1)) + 1) % ring.entries);
}

static struct kunit_case edna_hw_ring_cases[] = {
	KUNIT_CASE(edna_kunit_ring_used),
	KUNIT_CASE(edna_kunit_ring_head),
	KUNIT_CASE(edna_kunit_ring_slot),
	{}
};

static struct kunit_suite edna_hw_ring_suite = {
	.name = "edna_hw_ring",
	.test_cases = edna_hw_ring_cases,
};

kunit_test_suite(edna_hw_ring_suite);
