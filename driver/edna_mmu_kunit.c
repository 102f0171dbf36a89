// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: device virtual address ranges and their page-table walk.
 * Included by edna_mmu.c on a kernel with KUnit; runs when edna loads.
 *
 * Copyright 2026 The edna authors
 */

#include <kunit/test.h>
#include <linux/random.h>

static void edna_kunit_va_ranges(struct kunit *test)
{
	const u64 top = BIT_ULL(EDNA_VA_BITS);

	KUNIT_EXPECT_TRUE(test, edna_mmu_range_ok(0, EDNA_PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, edna_mmu_range_ok(top - EDNA_PAGE_SIZE, EDNA_PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, edna_mmu_range_ok(0, top));
	KUNIT_EXPECT_FALSE(test, edna_mmu_range_ok(0, 0));
	KUNIT_EXPECT_FALSE(test, edna_mmu_range_ok(EDNA_PAGE_SIZE / 2, EDNA_PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, edna_mmu_range_ok(0, EDNA_PAGE_SIZE + 1));
	KUNIT_EXPECT_FALSE(test, edna_mmu_range_ok(top, EDNA_PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, edna_mmu_range_ok(top - EDNA_PAGE_SIZE, 2 * EDNA_PAGE_SIZE));
	/* A size that wraps the 64-bit sum is out too. */
	KUNIT_EXPECT_FALSE(test, edna_mmu_range_ok(EDNA_PAGE_SIZE,
						   U64_MAX & ~(EDNA_PAGE_SIZE - 1)));
}

static void edna_kunit_pt_walk(struct kunit *test)
{
	int i, level;

	/* The indices of every level and the page offset give the VA back. */
	for (i = 0; i < 1000; i++) {
		u64 va = get_random_u64() & (BIT_ULL(EDNA_VA_BITS) - 1), back;

		back = va & (EDNA_PAGE_SIZE - 1);
		for (level = 0; level < EDNA_PT_LEVELS; level++) {
			KUNIT_EXPECT_LT(test, EDNA_PT_INDEX(va, level), EDNA_PT_ENTRIES);
			back |= (u64)EDNA_PT_INDEX(va, level) << EDNA_PT_SHIFT(level);
		}
		KUNIT_EXPECT_EQ(test, back, va);
	}
	/* The top level covers the whole address space, no more. */
	KUNIT_EXPECT_EQ(test, EDNA_PT_SHIFT(0) + 9, EDNA_VA_BITS);
}

static struct kunit_case edna_mmu_va_cases[] = {
	KUNIT_CASE(edna_kunit_va_ranges),
	KUNIT_CASE(edna_kunit_pt_walk),
	{}
};

static struct kunit_suite edna_mmu_va_suite = {
	.name = "edna_mmu_va",
	.test_cases = edna_mmu_va_cases,
};

kunit_test_suite(edna_mmu_va_suite);
