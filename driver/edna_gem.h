/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_GEM_H__
#define __EDNA_GEM_H__

#include <drm/drm_gem_shmem_helper.h>

#include "edna_drv.h"

#include "edna_job.h"

/**
 * struct edna_bo_mapping - a buffer mapped in one client's address space
 * @efile: the client
 * @bo: the buffer
 * @va: where, in its address space
 * @link: in &edna_bo.mappings, until the client closes its handle
 * @release: tears the mapping down once the client's jobs ended
 */
struct edna_bo_mapping {
	struct edna_file *efile;
	struct edna_bo *bo;
	struct drm_mm_node va;
	struct list_head link;
	struct edna_deferred release;
};

/**
 * struct edna_bo - a buffer object
 * @base: host buffers are shmem objects; device buffers (DRAM, SRAM) use
 *	only @base.base, a GEM object without pages
 * @region: enum drm_edna_region the buffer lives in
 * @flags: EDNA_BO_* creation flags
 * @node: device buffers: the allocation in the region
 * @lock: protects @mappings
 * @mappings: the address spaces this buffer is mapped in
 * @charge: host buffers: the creating client's account, referenced
 */
struct edna_bo {
	struct drm_gem_shmem_object base;
	u32 region;
	u32 flags;
	struct drm_mm_node node;
	struct mutex lock;	/* mappings */
	struct list_head mappings;
	struct edna_charge *charge;
};

static inline struct edna_bo *to_edna_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct edna_bo, base.base);
}

struct drm_gem_object *edna_gem_create_object(struct drm_device *drm, size_t size);
int edna_gem_file_init(struct edna_file *efile);
void edna_charge_put(struct edna_charge *charge);
void edna_gem_file_fini(struct edna_file *efile);
int edna_bo_va(struct edna_bo *bo, struct edna_file *efile, u64 *va);
void edna_gem_show_fdinfo(struct drm_printer *p, struct drm_file *file);

int edna_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int edna_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __EDNA_GEM_H__ */
