// SPDX-License-Identifier: GPL-2.0
/*
 * edna buffer objects: host memory (shmem), device DRAM and on-chip SRAM,
 * each mapped into the device address space of every client that holds a
 * handle to it.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include "edna_drv.h"
#include "edna_gem.h"
#include "edna_job.h"
#include "edna_mmu.h"
#include "edna_region.h"

/*
 * Client address spaces start above 4 GiB, so that a small integer or a
 * truncated pointer used as an address faults rather than hitting a buffer.
 */
#define EDNA_VA_START	SZ_4G
#define EDNA_VA_END	BIT_ULL(EDNA_VA_BITS)

static const char *const edna_region_names[EDNA_REGION_COUNT] = { "host", "dram", "sram" };

static u64 edna_bo_size(struct edna_bo *bo)
{
	return bo->base.base.size;
}

static u64 edna_bo_prot(struct edna_bo *bo)
{
	return bo->flags & EDNA_BO_DEVICE_READ_ONLY ? EDNA_PTE_READ :
						      EDNA_PTE_READ | EDNA_PTE_WRITE;
}

static int edna_bo_map(struct edna_bo *bo, struct edna_file *efile, struct drm_mm_node *va)
{
	struct sg_table *sgt;

	if (bo->region != EDNA_REGION_HOST)
		return edna_mmu_map(efile->ctx, va->start, bo->region, bo->node.start,
				    edna_bo_size(bo), edna_bo_prot(bo));

	/* Pins the pages and maps them for the device, until the BO is freed. */
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	return edna_mmu_map_sgt(efile->ctx, va->start, sgt, edna_bo_prot(bo));
}

/* drm_gem_object_funcs.open: a client got a handle, map the BO for it. */
static int edna_bo_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct edna_file *efile = file->driver_priv;
	struct edna_bo *bo = to_edna_bo(obj);
	struct edna_bo_mapping *m;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->efile = efile;
	m->bo = bo;

	/* An unmapped guard page after each buffer turns overruns into faults. */
	scoped_guard(mutex, &efile->va_lock)
		ret = drm_mm_insert_node_generic(&efile->va_mm, &m->va, obj->size + EDNA_PAGE_SIZE,
						 EDNA_PAGE_SIZE, 0, DRM_MM_INSERT_BEST);
	if (ret)
		goto err_free;

	ret = edna_bo_map(bo, efile, &m->va);
	if (ret)
		goto err_va;

	scoped_guard(mutex, &bo->lock)
		list_add_tail(&m->link, &bo->mappings);
	edna_dbg(efile->edev, MEM, "bo %zu bytes %s mapped at %#llx\n", obj->size,
		 edna_region_names[bo->region], m->va.start);
	return 0;

err_va:
	scoped_guard(mutex, &efile->va_lock)
		drm_mm_remove_node(&m->va);
err_free:
	kfree(m);
	return ret;
}

/*
 * The client's jobs that could reach the mapping have ended: unmap it and
 * let go of the buffer.  If the device cannot confirm that it forgot the
 * mapping (wedged), host pages are leaked rather than given back to the
 * kernel under it.  Device memory is the device's own and no job runs
 * until a reset brings the device back: it may be reused.
 */
static void edna_bo_mapping_release(struct edna_deferred *d)
{
	struct edna_bo_mapping *m = container_of(d, struct edna_bo_mapping, release);
	struct edna_file *efile = m->efile;
	struct drm_gem_object *obj = &m->bo->base.base;

	if (edna_mmu_unmap(efile->ctx, m->va.start, obj->size) &&
	    m->bo->region == EDNA_REGION_HOST)
		edna_warn(efile->edev, "%zu bytes leaked: the device may still reach them\n",
			  obj->size);
	else
		drm_gem_object_put(obj);
	scoped_guard(mutex, &efile->va_lock)
		drm_mm_remove_node(&m->va);
	kfree(m);
	edna_file_put(efile);
}

/*
 * drm_gem_object_funcs.close: the client's last handle went away.  A job
 * reaches every buffer mapped in its client's address space, listed or
 * not, so the mapping stays until every job the client pushed so far has
 * ended; closing never waits for them.
 */
static void edna_bo_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct edna_file *efile = file->driver_priv;
	struct edna_bo *bo = to_edna_bo(obj);
	struct edna_bo_mapping *m, *found = NULL;

	scoped_guard(mutex, &bo->lock) {
		list_for_each_entry(m, &bo->mappings, link) {
			if (m->efile == efile) {
				list_del(&m->link);
				found = m;
				break;
			}
		}
	}
	if (!found)
		return;
	drm_gem_object_get(obj);
	edna_file_get(efile);
	edna_job_defer(efile->edev, edna_file_busy_fence(efile), &found->release,
		       edna_bo_mapping_release);
}

/**
 * edna_bo_va() - where a BO is mapped in a client's address space
 * @bo: the buffer
 * @efile: the client
 * @va: out, the device virtual address
 *
 * Return: 0, or -ENOENT when the client has no mapping of @bo.
 */
int edna_bo_va(struct edna_bo *bo, struct edna_file *efile, u64 *va)
{
	struct edna_bo_mapping *m;

	guard(mutex)(&bo->lock);
	list_for_each_entry(m, &bo->mappings, link) {
		if (m->efile == efile) {
			*va = m->va.start;
			return 0;
		}
	}
	return -ENOENT;
}

static void edna_bo_free(struct drm_gem_object *obj)
{
	struct edna_device *edev = to_edna_device(obj->dev);
	struct edna_bo *bo = to_edna_bo(obj);

	/* Every handle is gone, so every mapping went with its close(). */
	drm_WARN_ON(obj->dev, !list_empty(&bo->mappings));
	mutex_destroy(&bo->lock);
	if (bo->charge) {
		atomic64_sub(obj->size, &bo->charge->bytes);
		edna_charge_put(bo->charge);
	}
	if (bo->region == EDNA_REGION_HOST) {
		drm_gem_shmem_free(&bo->base);
		return;
	}
	edna_region_free(edev, bo->region, &bo->node);
	drm_gem_object_release(obj);
	kfree(bo);
}

static enum drm_gem_object_status edna_bo_status(struct drm_gem_object *obj)
{
	struct edna_bo *bo = to_edna_bo(obj);

	/* Device memory is always resident; host pages once pinned for the device. */
	if (bo->region != EDNA_REGION_HOST || bo->base.pages || obj->import_attach)
		return DRM_GEM_OBJECT_RESIDENT;
	return 0;
}

static const struct drm_gem_object_funcs edna_host_bo_funcs = {
	.free = edna_bo_free,
	.open = edna_bo_open,
	.close = edna_bo_close,
	.status = edna_bo_status,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

static struct dma_buf *edna_device_bo_export(struct drm_gem_object *obj, int flags)
{
	edna_dbg(to_edna_device(obj->dev), MEM, "device memory cannot be exported\n");
	return ERR_PTR(-EOPNOTSUPP);
}

/* Device memory has no CPU mapping and no pages to export. */
static const struct drm_gem_object_funcs edna_device_bo_funcs = {
	.free = edna_bo_free,
	.export = edna_device_bo_export,
	.open = edna_bo_open,
	.close = edna_bo_close,
	.status = edna_bo_status,
};

static void edna_bo_init_common(struct edna_bo *bo, u32 region, u32 flags)
{
	bo->region = region;
	bo->flags = flags;
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->mappings);
}

/* drm_driver.gem_create_object: the shmem helper allocates host BOs here. */
struct drm_gem_object *edna_gem_create_object(struct drm_device *drm, size_t size)
{
	struct edna_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &edna_host_bo_funcs;
	/* A device that does not snoop CPU caches sees only uncached writes. */
	bo->base.map_wc = !to_edna_device(drm)->coherent;
	edna_bo_init_common(bo, EDNA_REGION_HOST, 0);
	return &bo->base.base;
}

/**
 * edna_charge_put() - drop a reference to a client's host memory account
 * @charge: the account
 */
void edna_charge_put(struct edna_charge *charge)
{
	if (refcount_dec_and_test(&charge->ref))
		kfree(charge);
}

/*
 * Pinned pages cannot be reclaimed: without a limit one client could
 * pin all memory and have the OOM killer take its neighbours.  The pages
 * are also charged to the creator's memory cgroup, as shmem charges the
 * task that faults them in: edna_bo_open() pins them in BO_CREATE.
 */
static struct edna_bo *edna_bo_create_host(struct edna_device *edev, struct edna_file *efile,
					   u64 size, u32 flags)
{
	struct edna_charge *charge = efile->charge;
	struct drm_gem_shmem_object *shmem;
	struct edna_bo *bo;

	if (atomic64_add_return(size, &charge->bytes) > READ_ONCE(edev->host_limit)) {
		atomic64_sub(size, &charge->bytes);
		edna_dbg(edev, MEM, "BO_CREATE: client %llu over its host memory limit\n",
			 efile->client_id);
		return ERR_PTR(-EDQUOT);
	}
	shmem = drm_gem_shmem_create(&edev->drm, size);
	if (IS_ERR(shmem)) {
		atomic64_sub(size, &charge->bytes);
		/*
		 * shmem says ENOSPC when it cannot allocate an inode: memory,
		 * not the region being full, which is what ENOSPC means here.
		 */
		if (PTR_ERR(shmem) == -ENOSPC)
			return ERR_PTR(-ENOMEM);
		return ERR_CAST(shmem);
	}
	bo = to_edna_bo(&shmem->base);
	bo->flags = flags;
	refcount_inc(&charge->ref);
	bo->charge = charge;
	return bo;
}

static struct edna_bo *edna_bo_create_device(struct edna_device *edev, u64 size, u32 region,
					     u32 flags)
{
	unsigned long deadline;
	struct edna_bo *bo;
	int ret, seq;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	/* Memory closed just before may still be being let go of: wait for it. */
	deadline = jiffies + msecs_to_jiffies(EDNA_RETIRE_WAIT_MS);
	do {
		seq = edna_job_retire_seq(edev);
		ret = edna_region_alloc(edev, region, size, &bo->node);
	} while (ret == -ENOSPC && edna_job_wait_retiring(edev, seq, deadline));
	if (ret == -ENOSPC && region == EDNA_REGION_SRAM && (flags & EDNA_BO_ALLOW_FALLBACK)) {
		region = EDNA_REGION_DRAM;
		ret = edna_region_alloc(edev, region, size, &bo->node);
	}
	if (ret) {
		kfree(bo);
		return ERR_PTR(ret);
	}
	bo->base.base.funcs = &edna_device_bo_funcs;
	drm_gem_private_object_init(&edev->drm, &bo->base.base, size);
	edna_bo_init_common(bo, region, flags);
	return bo;
}

int edna_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct edna_device *edev = to_edna_device(drm);
	struct drm_edna_bo_create *args = data;
	struct edna_bo *bo;
	u64 size;
	int ret;

	/* Read-only device memory could never be written by anyone. */
	if (args->flags & ~EDNA_BO_CREATE_FLAGS || args->pad || args->region >= EDNA_REGION_COUNT ||
	    (args->region != EDNA_REGION_HOST && (args->flags & EDNA_BO_DEVICE_READ_ONLY))) {
		edna_dbg(edev, MEM, "BO_CREATE: bad flags %#x, pad or region %u\n",
			 args->flags, args->region);
		return -EINVAL;
	}
	if (!args->size || args->size > U64_MAX - EDNA_PAGE_SIZE) {
		edna_dbg(edev, MEM, "BO_CREATE: bad size %llu\n", args->size);
		return -EINVAL;
	}
	size = round_up(args->size, EDNA_PAGE_SIZE);
	/* Nothing larger than the memory the device could place it in. */
	if (args->region == EDNA_REGION_HOST) {
		if (size > (u64)totalram_pages() << PAGE_SHIFT)
			return -E2BIG;
		bo = edna_bo_create_host(edev, file->driver_priv, size, args->flags);
	} else {
		if (size > edev->caps.region_size[args->region] &&
		    !(args->region == EDNA_REGION_SRAM && (args->flags & EDNA_BO_ALLOW_FALLBACK) &&
		      size <= edev->caps.region_size[EDNA_REGION_DRAM]))
			return -E2BIG;
		bo = edna_bo_create_device(edev, size, args->region, args->flags);
		if (!IS_ERR(bo)) {
			ret = edna_job_clear_bo(file->driver_priv, &bo->base.base, bo->region,
						bo->node.start);
			if (ret) {
				drm_gem_object_put(&bo->base.base);
				return ret;
			}
		}
	}
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	/*
	 * Maps the BO in this client's address space, through edna_bo_open().
	 * Once the handle exists another thread may close it: keep our
	 * reference until the address is read.  If it was closed already,
	 * the handle number may be someone else's by now: leave it alone.
	 */
	ret = drm_gem_handle_create(file, &bo->base.base, &args->handle);
	if (!ret)
		ret = edna_bo_va(bo, file->driver_priv, &args->va);
	drm_gem_object_put(&bo->base.base);
	return ret;
}

int edna_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_edna_bo_info *args = data;
	struct drm_gem_object *obj;
	struct edna_bo *bo;
	int ret = 0;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_edna_bo(obj);

	args->region = bo->region;
	args->size = obj->size;
	args->mmap_offset = 0;
	args->flags = 0;
	if (bo->flags & EDNA_BO_DEVICE_READ_ONLY)
		args->flags |= EDNA_BO_INFO_DEVICE_READ_ONLY;
	if (obj->import_attach)
		args->flags |= EDNA_BO_INFO_IMPORTED;
	if (bo->region == EDNA_REGION_HOST && !obj->import_attach) {
		ret = drm_gem_create_mmap_offset(obj);
		if (ret)
			goto out;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
		args->flags |= EDNA_BO_INFO_MAPPABLE;
	}
	ret = edna_bo_va(bo, file->driver_priv, &args->va);
out:
	drm_gem_object_put(obj);
	return ret;
}

/**
 * edna_gem_file_init() - give a new client its device address space
 * @efile: the client
 *
 * Return: 0, -EBUSY when every hardware context is taken, -ENOMEM.
 */
int edna_gem_file_init(struct edna_file *efile)
{
	int ret;

	efile->charge = kzalloc(sizeof(*efile->charge), GFP_KERNEL);
	if (!efile->charge)
		return -ENOMEM;
	refcount_set(&efile->charge->ref, 1);
	ret = edna_mmu_ctx_create(efile->edev, false, &efile->ctx);
	if (ret) {
		edna_charge_put(efile->charge);
		return ret == -ENOSPC ? -EBUSY : ret;
	}
	mutex_init(&efile->va_lock);
	drm_mm_init(&efile->va_mm, EDNA_VA_START, EDNA_VA_END - EDNA_VA_START);
	return 0;
}

/* Once the file and all its jobs are gone: every BO is unmapped by now. */
void edna_gem_file_fini(struct edna_file *efile)
{
	drm_mm_takedown(&efile->va_mm);
	mutex_destroy(&efile->va_lock);
	edna_mmu_ctx_destroy(efile->ctx);
	edna_charge_put(efile->charge);
}

/*
 * drm-usage-stats: drm-total-<region>, drm-resident-<region>, etc.; host
 * memory goes by the name the specification reserves for system memory.
 */
void edna_gem_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	static const char *const fdinfo_names[EDNA_REGION_COUNT] = { "memory", "dram", "sram" };
	struct drm_memory_stats stats[EDNA_REGION_COUNT] = {};
	struct edna_file *efile = file->driver_priv;
	struct drm_gem_object *obj;
	int id, r;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		struct drm_memory_stats *s = &stats[to_edna_bo(obj)->region];

		if (obj->handle_count > 1 || obj->dma_buf || obj->import_attach)
			s->shared += obj->size;
		else
			s->private += obj->size;
		if (edna_bo_status(obj) & DRM_GEM_OBJECT_RESIDENT)
			s->resident += obj->size;
		if (!dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))
			s->active += obj->size;
	}
	spin_unlock(&file->table_lock);

	for (r = 0; r < EDNA_REGION_COUNT; r++)
		drm_print_memory_stats(p, &stats[r], DRM_GEM_OBJECT_RESIDENT, fdinfo_names[r]);
	/* What counts against EDNA_PARAM_CLIENT_HOST_LIMIT. */
	drm_printf(p, "edna-host-charged:\t%llu KiB\n",
		   (u64)atomic64_read(&efile->charge->bytes) / SZ_1K);
}
