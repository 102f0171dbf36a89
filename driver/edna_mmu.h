/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_MMU_H__
#define __EDNA_MMU_H__

#include <linux/scatterlist.h>

#include "edna_drv.h"

#define EDNA_MMU_KERNEL_CTX	0

int edna_mmu_ctx_create(struct edna_device *edev, bool kernel, struct edna_mmu_ctx **out);
void edna_mmu_ctx_destroy(struct edna_mmu_ctx *ctx);
u32 edna_mmu_ctx_id(const struct edna_mmu_ctx *ctx);
dma_addr_t edna_mmu_ctx_root(const struct edna_mmu_ctx *ctx);

int edna_mmu_map(struct edna_mmu_ctx *ctx, u64 va, u32 target, u64 addr, u64 size, u64 prot);
int edna_mmu_map_sgt(struct edna_mmu_ctx *ctx, u64 va, struct sg_table *sgt, u64 prot);
int edna_mmu_unmap(struct edna_mmu_ctx *ctx, u64 va, u64 size);
u64 edna_mmu_ctx_mapped(struct edna_mmu_ctx *ctx);

int edna_mmu_kva_init(struct edna_device *edev);
int edna_mmu_kmap(struct edna_device *edev, u32 target, u64 addr, u64 size,
		  struct drm_mm_node *node);
int edna_mmu_kunmap(struct edna_device *edev, struct drm_mm_node *node);

#endif /* __EDNA_MMU_H__ */
