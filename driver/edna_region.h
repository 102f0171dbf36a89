/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_REGION_H__
#define __EDNA_REGION_H__

#include "edna_drv.h"

int edna_region_init(struct edna_device *edev);
int edna_region_alloc(struct edna_device *edev, u32 region, u64 size, struct drm_mm_node *node);
void edna_region_free(struct edna_device *edev, u32 region, struct drm_mm_node *node);

#endif /* __EDNA_REGION_H__ */
