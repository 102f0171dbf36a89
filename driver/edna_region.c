// SPDX-License-Identifier: GPL-2.0
/*
 * edna device memory: one allocator per device-local tier (DRAM, SRAM).
 *
 * Copyright 2026 The edna authors
 */

#include <drm/drm_managed.h>

#include "edna_drv.h"
#include "edna_pm.h"
#include "edna_region.h"

static void edna_region_fini(struct drm_device *drm, void *arg)
{
	struct edna_region *r = arg;

	/* Every buffer was freed before the device: anything left is a leak. */
	drm_mm_takedown(&r->mm);
}

/**
 * edna_region_init() - set up the allocators of DRAM and SRAM
 * @edev: an identified device
 *
 * Return: 0 or a negative errno.
 */
int edna_region_init(struct edna_device *edev)
{
	int i, ret;

	for (i = EDNA_REGION_DRAM; i < EDNA_REGION_COUNT; i++) {
		struct edna_region *r = &edev->regions[i];

		r->size = edev->caps.region_size[i];
		ret = drmm_mutex_init(&edev->drm, &r->lock);
		if (ret)
			return ret;
		drm_mm_init(&r->mm, 0, r->size);
		ret = drmm_add_action_or_reset(&edev->drm, edna_region_fini, r);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * edna_region_alloc() - allocate device memory
 * @edev: the device
 * @region: EDNA_REGION_DRAM or EDNA_REGION_SRAM
 * @size: bytes, rounded up to the MMU page size
 * @node: out, the allocation; its start is the offset in the tier
 *
 * The device stays out of OFF, which would lose the contents, until the
 * allocation is freed.
 *
 * Return: 0, -EINVAL for a region without an allocator, -ENOSPC when the
 * tier has no room.
 */
int edna_region_alloc(struct edna_device *edev, u32 region, u64 size, struct drm_mm_node *node)
{
	struct edna_region *r;
	int ret;

	if (region != EDNA_REGION_DRAM && region != EDNA_REGION_SRAM)
		return -EINVAL;
	r = &edev->regions[region];
	size = round_up(size, EDNA_PAGE_SIZE);
	if (!size || size > r->size)
		return -ENOSPC;

	scoped_guard(mutex, &r->lock)
		ret = drm_mm_insert_node_generic(&r->mm, node, size, EDNA_PAGE_SIZE, 0,
						 DRM_MM_INSERT_BEST);
	if (!ret)
		edna_pm_local_get(edev);
	return ret;
}

void edna_region_free(struct edna_device *edev, u32 region, struct drm_mm_node *node)
{
	struct edna_region *r = &edev->regions[region];

	scoped_guard(mutex, &r->lock)
		drm_mm_remove_node(node);
	edna_pm_local_put(edev);
}
