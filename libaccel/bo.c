// SPDX-License-Identifier: MIT
/*
 * libaccel: buffer objects.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "accel.h"
#include "accel_internal.h"

int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t region, uint32_t flags,
		    uint32_t *handle, uint64_t *va)
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

int accel_bo_info(struct accel_device *dev, uint32_t handle, struct drm_edna_bo_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return accel_ioctl(dev->fd, DRM_IOCTL_EDNA_BO_INFO, info);
}

int accel_bo_mmap(struct accel_device *dev, uint32_t handle, void **ptr, uint64_t *size)
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

int accel_bo_close(struct accel_device *dev, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	if (!dev)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &args);
}
