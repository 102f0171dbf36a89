// SPDX-License-Identifier: MIT
/*
 * libaccel: buffer objects, by raw GEM handle and as struct accel_bo;
 * sharing them through PRIME.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "accel.h"
#include "accel_internal.h"

ACCEL_EXPORT int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t region,
				 uint32_t flags, uint32_t *handle, uint64_t *va)
{
	struct drm_edna_bo_create args = { .size = size, .region = region, .flags = flags };
	int ret;

	if (!dev || !handle)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_EDNA_BO_CREATE, &args);
	if (ret)
		return ret;
	*handle = args.handle;
	if (va)
		*va = args.va;
	return 0;
}

ACCEL_EXPORT int accel_bo_info(struct accel_device *dev, uint32_t handle,
			       struct drm_edna_bo_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return accel_ioctl(dev->fd, DRM_IOCTL_EDNA_BO_INFO, info);
}

ACCEL_EXPORT int accel_bo_mmap(struct accel_device *dev, uint32_t handle, void **ptr,
			       uint64_t *size)
{
	struct drm_edna_bo_info info;
	void *p;
	int ret;

	if (!ptr)
		return -EINVAL;
	ret = accel_bo_info(dev, handle, &info);
	if (ret)
		return ret;
	if (!(info.flags & EDNA_BO_INFO_MAPPABLE))
		return -ENXIO;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, info.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	*ptr = p;
	if (size)
		*size = info.size;
	return 0;
}

ACCEL_EXPORT int accel_bo_close(struct accel_device *dev, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	if (!dev)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &args);
}

/* Under dev->bo_lock. */
static struct accel_bo *bo_lookup(struct accel_device *dev, uint32_t handle)
{
	struct accel_bo *bo;

	for (bo = dev->bos; bo; bo = bo->next)
		if (bo->handle == handle)
			return bo;
	return NULL;
}

/* Under dev->bo_lock. */
static void bo_link(struct accel_device *dev, struct accel_bo *bo)
{
	bo->next = dev->bos;
	if (bo->next)
		bo->next->pprev = &bo->next;
	bo->pprev = &dev->bos;
	dev->bos = bo;
}

/* Under dev->bo_lock. */
static void bo_unlink(struct accel_bo *bo)
{
	*bo->pprev = bo->next;
	if (bo->next)
		bo->next->pprev = bo->pprev;
}

/*
 * A new struct accel_bo for @handle, described by BO_INFO: the size as
 * rounded, the region after any fallback, the mmap offset.  The handle
 * stays the caller's on failure.
 */
static int bo_new(struct accel_device *dev, uint32_t handle, struct accel_bo **out)
{
	struct drm_edna_bo_info info;
	struct accel_bo *bo;
	int ret;

	ret = accel_bo_info(dev, handle, &info);
	if (ret)
		return ret;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	bo->dev = dev;
	bo->refs = 1;
	bo->handle = handle;
	bo->region = info.region;
	bo->info_flags = info.flags;
	bo->size = info.size;
	bo->va = info.va;
	bo->mmap_offset = info.mmap_offset;
	atomic_init(&bo->map, NULL);
	*out = bo;
	return 0;
}

ACCEL_EXPORT int accel_bo_alloc(struct accel_device *dev, uint64_t size, uint32_t region,
				uint32_t flags, struct accel_bo **out)
{
	struct accel_bo *bo;
	uint32_t handle;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	ret = accel_bo_create(dev, size, region, flags, &handle, NULL);
	if (ret)
		return ret;
	ret = bo_new(dev, handle, &bo);
	if (ret) {
		accel_bo_close(dev, handle);
		return ret;
	}
	/*
	 * Outside the lock until now: nobody else can reach a buffer that is
	 * not exported yet, and a handle closed under the lock is unlinked
	 * before BO_CREATE can hand its number out again.
	 */
	pthread_mutex_lock(&dev->bo_lock);
	bo_link(dev, bo);
	pthread_mutex_unlock(&dev->bo_lock);
	*out = bo;
	return 0;
}

ACCEL_EXPORT int accel_bo_import(struct accel_device *dev, int dmabuf_fd, struct accel_bo **out)
{
	struct drm_prime_handle args = { .fd = dmabuf_fd };
	struct accel_bo *bo;
	int ret;

	if (!dev || dmabuf_fd < 0 || !out)
		return -EINVAL;
	pthread_mutex_lock(&dev->bo_lock);
	ret = accel_ioctl(dev->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);
	if (ret)
		goto out_unlock;
	/* A buffer this file already holds comes back under its handle. */
	bo = bo_lookup(dev, args.handle);
	if (bo) {
		bo->refs++;
	} else {
		ret = bo_new(dev, args.handle, &bo);
		if (ret) {
			accel_bo_close(dev, args.handle);
			goto out_unlock;
		}
		bo_link(dev, bo);
	}
	*out = bo;
out_unlock:
	pthread_mutex_unlock(&dev->bo_lock);
	return ret;
}

ACCEL_EXPORT int accel_bo_export(const struct accel_bo *bo, int *dmabuf_fd)
{
	/* Read-write, so that the importer may map it for writing too. */
	struct drm_prime_handle args = { .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	int ret;

	if (!bo || !dmabuf_fd)
		return -EINVAL;
	args.handle = bo->handle;
	ret = accel_ioctl(bo->dev->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
	if (!ret)
		*dmabuf_fd = args.fd;
	return ret;
}

ACCEL_EXPORT int accel_bo_free(struct accel_bo *bo)
{
	struct accel_device *dev;
	void *map;
	int ret;

	if (!bo)
		return 0;
	dev = bo->dev;
	pthread_mutex_lock(&dev->bo_lock);
	if (--bo->refs) {
		pthread_mutex_unlock(&dev->bo_lock);
		return 0;
	}
	bo_unlink(bo);
	/* Under the lock: see struct accel_device. */
	ret = accel_bo_close(dev, bo->handle);
	pthread_mutex_unlock(&dev->bo_lock);

	map = atomic_load(&bo->map);
	if (map && munmap(map, bo->size) && !ret)
		ret = -errno;
	free(bo);
	return ret;
}

ACCEL_EXPORT uint32_t accel_bo_handle(const struct accel_bo *bo)
{
	return bo ? bo->handle : 0;
}

ACCEL_EXPORT uint64_t accel_bo_va(const struct accel_bo *bo)
{
	return bo ? bo->va : 0;
}

ACCEL_EXPORT uint64_t accel_bo_size(const struct accel_bo *bo)
{
	return bo ? bo->size : 0;
}

ACCEL_EXPORT uint32_t accel_bo_region(const struct accel_bo *bo)
{
	return bo ? bo->region : EDNA_REGION_COUNT;
}

ACCEL_EXPORT uint32_t accel_bo_info_flags(const struct accel_bo *bo)
{
	return bo ? bo->info_flags : 0;
}

ACCEL_EXPORT int accel_bo_map(struct accel_bo *bo, void **ptr)
{
	void *map, *mine;

	if (!bo || !ptr)
		return -EINVAL;
	map = atomic_load_explicit(&bo->map, memory_order_acquire);
	if (!map) {
		if (!(bo->info_flags & EDNA_BO_INFO_MAPPABLE))
			return -ENXIO;
		mine = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->dev->fd,
			    bo->mmap_offset);
		if (mine == MAP_FAILED)
			return -errno;
		/*
		 * Threads mapping at once each made a mapping; the first to
		 * publish wins, the others drop theirs and use it.
		 */
		if (atomic_compare_exchange_strong_explicit(&bo->map, &map, mine,
							    memory_order_acq_rel,
							    memory_order_acquire))
			map = mine;
		else
			munmap(mine, bo->size);
	}
	*ptr = map;
	return 0;
}

int accel_bo_cpu_range(struct accel_bo *bo, uint64_t offset, size_t size, unsigned char **p)
{
	void *map;
	int ret;

	if (!bo || !accel_range_ok(bo->size, offset, size))
		return -EINVAL;
	ret = accel_bo_map(bo, &map);
	if (ret)
		return ret;
	*p = (unsigned char *)map + offset;
	return 0;
}

ACCEL_EXPORT int accel_bo_write(struct accel_bo *bo, uint64_t offset, const void *data,
				size_t size)
{
	unsigned char *p;
	int ret;

	if (!data && size)
		return -EINVAL;
	ret = accel_bo_cpu_range(bo, offset, size, &p);
	if (!ret && size)
		memcpy(p, data, size);
	return ret;
}

ACCEL_EXPORT int accel_bo_read(struct accel_bo *bo, uint64_t offset, void *data, size_t size)
{
	unsigned char *p;
	int ret;

	if (!data && size)
		return -EINVAL;
	ret = accel_bo_cpu_range(bo, offset, size, &p);
	if (!ret && size)
		memcpy(data, p, size);
	return ret;
}

ACCEL_EXPORT int accel_bo_wait(const struct accel_bo *bo, int64_t deadline_ns, int *status)
{
	if (!bo)
		return -EINVAL;
	return accel_wait_bo(bo->dev, bo->handle, deadline_ns, status);
}
