// SPDX-License-Identifier: GPL-2.0
/*
 * edna MMU contexts: one device address space each, as three levels of
 * page tables in the format of Documentation/hardware.rst.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_managed.h>

#include <drm/drm_drv.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_mmu.h"

/**
 * struct edna_pt - one page table
 * @cpu: the table the device reads, EDNA_PT_ENTRIES entries
 * @dma: its bus address
 * @next: for directory levels, the tables that @cpu's entries point at
 */
struct edna_pt {
	__le64 *cpu;
	dma_addr_t dma;
	struct edna_pt **next;
};

/**
 * struct edna_mmu_ctx - a device address space
 * @edev: its device
 * @id: hardware context id
 * @lock: protects the tables under @root and @mapped
 * @root: the level-0 table
 * @mapped: bytes mapped, to check that teardown unmapped everything
 */
struct edna_mmu_ctx {
	struct edna_device *edev;
	u32 id;
	struct mutex lock;	/* the tables, mapped */
	struct edna_pt *root;
	u64 mapped;
};

static struct edna_pt *edna_pt_alloc(struct edna_device *edev, bool directory)
{
	struct edna_pt *pt = kzalloc(sizeof(*pt), GFP_KERNEL);

	if (!pt)
		return NULL;
	pt->cpu = dma_alloc_coherent(edev->drm.dev, EDNA_PAGE_SIZE, &pt->dma, GFP_KERNEL);
	if (!pt->cpu)
		goto err_free;
	if (directory) {
		pt->next = kcalloc(EDNA_PT_ENTRIES, sizeof(*pt->next), GFP_KERNEL);
		if (!pt->next)
			goto err_table;
	}
	return pt;

err_table:
	dma_free_coherent(edev->drm.dev, EDNA_PAGE_SIZE, pt->cpu, pt->dma);
err_free:
	kfree(pt);
	return NULL;
}

static void edna_pt_free(struct edna_device *edev, struct edna_pt *pt, int level)
{
	int i;

	if (!pt)
		return;
	if (pt->next) {
		for (i = 0; i < EDNA_PT_ENTRIES; i++)
			edna_pt_free(edev, pt->next[i], level + 1);
		kfree(pt->next);
	}
	dma_free_coherent(edev->drm.dev, EDNA_PAGE_SIZE, pt->cpu, pt->dma);
	kfree(pt);
}

/* The leaf table covering @va, allocating directories on the way if asked. */
static struct edna_pt *edna_pt_leaf(struct edna_mmu_ctx *ctx, u64 va, bool alloc)
{
	struct edna_pt *pt = ctx->root;
	int level;

	for (level = 0; level < EDNA_PT_LEVELS - 1; level++) {
		u32 idx = EDNA_PT_INDEX(va, level);

		if (!pt->next[idx]) {
			struct edna_pt *child;

			if (!alloc)
				return NULL;
			child = edna_pt_alloc(ctx->edev, level + 1 < EDNA_PT_LEVELS - 1);
			if (!child)
				return NULL;
			pt->next[idx] = child;
			/* The device may walk the table as soon as the entry is valid. */
			dma_wmb();
			pt->cpu[idx] = cpu_to_le64(EDNA_PTE_VALID | (child->dma & EDNA_PTE_ADDR));
		}
		pt = pt->next[idx];
	}
	return pt;
}

static bool edna_mmu_range_ok(u64 va, u64 size)
{
	return size && IS_ALIGNED(va | size, EDNA_PAGE_SIZE) &&
	       va < BIT_ULL(EDNA_VA_BITS) && size <= BIT_ULL(EDNA_VA_BITS) - va;
}

static void edna_mmu_clear_locked(struct edna_mmu_ctx *ctx, u64 va, u64 size)
{
	u64 end = va + size;

	for (; va < end; va += EDNA_PAGE_SIZE) {
		struct edna_pt *leaf = edna_pt_leaf(ctx, va, false);

		if (!leaf) {
			/* Skip the rest of the missing table. */
			va = round_up(va + 1, BIT_ULL(EDNA_PT_SHIFT(EDNA_PT_LEVELS - 2))) -
			     EDNA_PAGE_SIZE;
			continue;
		}
		if (leaf->cpu[EDNA_PT_INDEX(va, EDNA_PT_LEVELS - 1)]) {
			leaf->cpu[EDNA_PT_INDEX(va, EDNA_PT_LEVELS - 1)] = 0;
			ctx->mapped -= EDNA_PAGE_SIZE;
		}
	}
}

static int edna_mmu_map_locked(struct edna_mmu_ctx *ctx, u64 va, u32 target, u64 addr,
			       u64 size, u64 prot)
{
	u64 done;

	for (done = 0; done < size; done += EDNA_PAGE_SIZE) {
		struct edna_pt *leaf = edna_pt_leaf(ctx, va + done, true);
		__le64 *pte;

		if (!leaf) {
			edna_mmu_clear_locked(ctx, va, done);
			return -ENOMEM;
		}
		pte = &leaf->cpu[EDNA_PT_INDEX(va + done, EDNA_PT_LEVELS - 1)];
		if (*pte) {
			edna_mmu_clear_locked(ctx, va, done);
			return -EEXIST;
		}
		*pte = cpu_to_le64(EDNA_PTE_VALID | prot | FIELD_PREP(EDNA_PTE_TARGET, target) |
				   ((addr + done) & EDNA_PTE_ADDR));
		ctx->mapped += EDNA_PAGE_SIZE;
	}
	return 0;
}

/**
 * edna_mmu_map() - map a contiguous range of one memory target
 * @ctx: the address space
 * @va: device virtual address, page aligned
 * @target: EDNA_TARGET_*
 * @addr: bus address (host) or offset (DRAM, SRAM), page aligned
 * @size: bytes, page aligned
 * @prot: EDNA_PTE_READ and/or EDNA_PTE_WRITE
 *
 * Return: 0, -EINVAL for a bad range, -EEXIST if part of it is mapped
 * already, -ENOMEM; on error nothing is left mapped.
 */
int edna_mmu_map(struct edna_mmu_ctx *ctx, u64 va, u32 target, u64 addr, u64 size, u64 prot)
{
	if (!edna_mmu_range_ok(va, size) || !IS_ALIGNED(addr, EDNA_PAGE_SIZE) ||
	    target >= EDNA_NUM_TARGETS || (prot & ~(EDNA_PTE_READ | EDNA_PTE_WRITE)))
		return -EINVAL;

	guard(mutex)(&ctx->lock);
	return edna_mmu_map_locked(ctx, va, target, addr, size, prot);
}

/**
 * edna_mmu_map_sgt() - map host memory described by a DMA-mapped table
 * @ctx: the address space
 * @va: device virtual address, page aligned
 * @sgt: the pages, already mapped for the device
 * @prot: EDNA_PTE_READ and/or EDNA_PTE_WRITE
 *
 * Return: as edna_mmu_map().
 */
int edna_mmu_map_sgt(struct edna_mmu_ctx *ctx, u64 va, struct sg_table *sgt, u64 prot)
{
	struct scatterlist *sg;
	u64 off = 0;
	int i, ret;

	if (prot & ~(EDNA_PTE_READ | EDNA_PTE_WRITE))
		return -EINVAL;

	guard(mutex)(&ctx->lock);
	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u64 len = sg_dma_len(sg);

		if (!edna_mmu_range_ok(va + off, len) || !IS_ALIGNED(addr, EDNA_PAGE_SIZE)) {
			ret = -EINVAL;
			goto err_unmap;
		}
		ret = edna_mmu_map_locked(ctx, va + off, EDNA_TARGET_HOST, addr, len, prot);
		if (ret)
			goto err_unmap;
		off += len;
	}
	return 0;

err_unmap:
	edna_mmu_clear_locked(ctx, va, off);
	return ret;
}

/**
 * edna_mmu_unmap() - unmap a range and make the device forget it
 * @ctx: the address space
 * @va: device virtual address, page aligned
 * @size: bytes, page aligned
 *
 * Return: 0 when the device can no longer reach the memory through @ctx,
 * which may then be freed; an error when that cannot be known (a wedged
 * device), and the memory must be leaked.
 */
int edna_mmu_unmap(struct edna_mmu_ctx *ctx, u64 va, u64 size)
{
	struct edna_device *edev = ctx->edev;
	int idx, ret = 0;

	if (WARN_ON(!edna_mmu_range_ok(va, size)))
		return -EINVAL;

	scoped_guard(mutex, &ctx->lock)
		edna_mmu_clear_locked(ctx, va, size);
	/* An unplugged device was quiesced: no registers and no TLB left. */
	if (drm_dev_enter(&edev->drm, &idx)) {
		ret = edna_wedged(edev) ? -EIO : edna_hw_mmu_invalidate(edev, ctx->id);
		drm_dev_exit(idx);
	}
	return ret;
}

u64 edna_mmu_ctx_mapped(struct edna_mmu_ctx *ctx)
{
	guard(mutex)(&ctx->lock);
	return ctx->mapped;
}

/**
 * edna_mmu_ctx_create() - create an address space and load it into the device
 * @edev: the device
 * @kernel: take the kernel's id, EDNA_MMU_KERNEL_CTX, rather than a free one
 * @out: the new context
 *
 * Return: 0, -ENOSPC when every hardware context is taken, -ENOMEM.
 */
int edna_mmu_ctx_create(struct edna_device *edev, bool kernel, struct edna_mmu_ctx **out)
{
	struct xa_limit limit = kernel ? XA_LIMIT(EDNA_MMU_KERNEL_CTX, EDNA_MMU_KERNEL_CTX) :
					 XA_LIMIT(EDNA_MMU_KERNEL_CTX + 1,
						  edev->caps.num_contexts - 1);
	struct edna_mmu_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->edev = edev;
	mutex_init(&ctx->lock);
	ctx->root = edna_pt_alloc(edev, true);
	if (!ctx->root) {
		ret = -ENOMEM;
		goto err_free;
	}

	/*
	 * Not under reset_lock, which recovery takes: no allocation there.
	 * A reset between publishing and loading loads the context itself.
	 */
	ret = xa_alloc(&edev->contexts, &ctx->id, ctx, limit, GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_pt;
	}
	scoped_guard(mutex, &edev->reset_lock)
		edna_hw_ctx_load(edev, ctx->id, ctx->root->dma);
	edna_dbg(edev, MMU, "context %u created\n", ctx->id);
	*out = ctx;
	return 0;

err_pt:
	edna_pt_free(edev, ctx->root, 0);
err_free:
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	return ret;
}

/**
 * edna_mmu_ctx_destroy() - unload an address space and free its tables
 * @ctx: the context; NULL is ignored
 *
 * The caller guarantees no job of the context is still on the device.
 */
void edna_mmu_ctx_destroy(struct edna_mmu_ctx *ctx)
{
	struct edna_device *edev;
	int idx, ret = 0;

	if (!ctx)
		return;
	edev = ctx->edev;
	scoped_guard(mutex, &edev->reset_lock) {
		if (drm_dev_enter(&edev->drm, &idx)) {
			ret = edna_wedged(edev) ? -EIO : edna_hw_ctx_clear(edev, ctx->id);
			drm_dev_exit(idx);
		}
		/*
		 * A wedged device may still walk the tables: leak them, and
		 * the id with them, rather than reuse either under it.
		 */
		if (ret) {
			edna_warn(edev, "context %u leaked: the device is wedged\n", ctx->id);
			return;
		}
		xa_erase(&edev->contexts, ctx->id);
	}
	WARN_ON(ctx->mapped);
	edna_pt_free(edev, ctx->root, 0);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	edna_dbg(edev, MMU, "context destroyed\n");
}

u32 edna_mmu_ctx_id(const struct edna_mmu_ctx *ctx)
{
	return ctx->id;
}

dma_addr_t edna_mmu_ctx_root(const struct edna_mmu_ctx *ctx)
{
	return ctx->root->dma;
}

/*
 * The kernel context maps device memory for the kernel's own jobs (clearing
 * new buffers) above 64 GiB; below that are the diagnostics' fixed slots.
 */
#define EDNA_KVA_START	SZ_64G
#define EDNA_KVA_END	BIT_ULL(EDNA_VA_BITS)

static void edna_mmu_kva_fini(struct drm_device *drm, void *arg)
{
	struct edna_device *edev = arg;

	drm_mm_takedown(&edev->kva_mm);
}

/**
 * edna_mmu_kva_init() - the kernel context's address allocator
 * @edev: the device
 *
 * Return: 0 or a negative errno.
 */
int edna_mmu_kva_init(struct edna_device *edev)
{
	int ret = drmm_mutex_init(&edev->drm, &edev->kva_lock);

	if (ret)
		return ret;
	drm_mm_init(&edev->kva_mm, EDNA_KVA_START, EDNA_KVA_END - EDNA_KVA_START);
	return drmm_add_action_or_reset(&edev->drm, edna_mmu_kva_fini, edev);
}

/**
 * edna_mmu_kmap() - map device or host memory in the kernel context
 * @edev: the device
 * @target: EDNA_TARGET_*
 * @addr: bus address or offset in the target, page aligned
 * @size: bytes, page aligned
 * @node: out, the address range; its start is the device address
 *
 * Return: 0 or a negative errno.
 */
int edna_mmu_kmap(struct edna_device *edev, u32 target, u64 addr, u64 size,
		  struct drm_mm_node *node)
{
	int ret;

	scoped_guard(mutex, &edev->kva_lock)
		ret = drm_mm_insert_node_generic(&edev->kva_mm, node, size, EDNA_PAGE_SIZE, 0,
						 DRM_MM_INSERT_BEST);
	if (ret)
		return ret;
	ret = edna_mmu_map(edev->kctx, node->start, target, addr, size,
			   EDNA_PTE_READ | EDNA_PTE_WRITE);
	if (ret) {
		guard(mutex)(&edev->kva_lock);
		drm_mm_remove_node(node);
	}
	return ret;
}

/**
 * edna_mmu_kunmap() - undo edna_mmu_kmap()
 * @edev: the device
 * @node: the address range
 *
 * Return: 0, or an error when the device may still reach the memory
 * (edna_mmu_unmap()); the caller must then leak it.
 */
int edna_mmu_kunmap(struct edna_device *edev, struct drm_mm_node *node)
{
	int ret = edna_mmu_unmap(edev->kctx, node->start, node->size);

	guard(mutex)(&edev->kva_lock);
	drm_mm_remove_node(node);
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "edna_mmu_kunit.c"
#endif
