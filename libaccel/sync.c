// SPDX-License-Identifier: MIT
/*
 * libaccel: syncobjs, through the DRM core's ioctls on the accel file.
 *
 * libdrm's drmSyncobj*() would do, but some return -1 and some -errno;
 * calling the ioctls here gives every caller the same convention.
 */
#include <errno.h>
#include <stdint.h>

#include "accel.h"
#include "accel_internal.h"

ACCEL_EXPORT int accel_syncobj_create(struct accel_device *dev, uint32_t flags,
				      uint32_t *handle)
{
	struct drm_syncobj_create args = { .flags = flags };
	int ret;

	if (!dev || !handle)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_SYNCOBJ_CREATE, &args);
	if (!ret)
		*handle = args.handle;
	return ret;
}

ACCEL_EXPORT int accel_syncobj_destroy(struct accel_device *dev, uint32_t handle)
{
	struct drm_syncobj_destroy args = { .handle = handle };

	if (!dev)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &args);
}

ACCEL_EXPORT int accel_syncobj_wait(struct accel_device *dev, uint32_t handle, uint64_t point,
				    int64_t deadline_ns)
{
	/*
	 * The timeline wait serves binary syncobjs too (point 0), and takes
	 * an absolute CLOCK_MONOTONIC deadline like DRM_IOCTL_EDNA_WAIT.
	 */
	struct drm_syncobj_timeline_wait args = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&point,
		.timeout_nsec = deadline_ns,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	if (!dev)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &args);
}

ACCEL_EXPORT int accel_syncobj_query(struct accel_device *dev, uint32_t handle, uint64_t *point)
{
	uint64_t value = 0;
	struct drm_syncobj_timeline_array args = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&value,
		.count_handles = 1,
	};
	int ret;

	if (!dev || !point)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_SYNCOBJ_QUERY, &args);
	if (!ret)
		*point = value;
	return ret;
}
