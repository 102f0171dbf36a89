// SPDX-License-Identifier: MIT
/*
 * libaccel: jobs.
 */
#include <errno.h>

#include "accel.h"
#include "accel_internal.h"

int accel_submit(struct accel_device *dev, struct drm_edna_submit *submit)
{
	if (!dev || !submit)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_EDNA_SUBMIT, submit);
}

static int accel_wait_common(struct accel_device *dev, uint64_t id, uint32_t flags,
			     int64_t timeout_ns, int *status)
{
	struct drm_edna_wait args = { .job_id = id, .timeout_ns = timeout_ns, .flags = flags };
	int ret;

	if (!dev || timeout_ns < 0)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_EDNA_WAIT, &args);
	if (!ret && status)
		*status = args.status;
	return ret;
}

int accel_wait(struct accel_device *dev, uint64_t job_id, int64_t timeout_ns, int *status)
{
	return accel_wait_common(dev, job_id, 0, timeout_ns, status);
}

int accel_wait_bo(struct accel_device *dev, uint32_t handle, int64_t timeout_ns, int *status)
{
	return accel_wait_common(dev, handle, EDNA_WAIT_BO, timeout_ns, status);
}
