// SPDX-License-Identifier: MIT
/*
 * libaccel: jobs.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "accel.h"
#include "accel_internal.h"

int accel_submit(struct accel_device *dev, struct drm_edna_job *jobs, unsigned int count)
{
	struct drm_edna_submit args = {
		.jobs = (uintptr_t)jobs,
		.job_count = count,
		/* The struct as this library knows it; the kernel adapts. */
		.job_stride = sizeof(*jobs),
	};

	if (!dev || !jobs || !count || count > EDNA_SUBMIT_MAX_JOBS)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_EDNA_SUBMIT, &args);
}

int64_t accel_deadline_after(int64_t ns)
{
	struct timespec ts;
	int64_t now;

	/* CLOCK_MONOTONIC cannot fail on Linux; never waiting is the safe answer. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (ns > 0 && now > INT64_MAX - ns)
		return INT64_MAX;
	if (ns < 0 && now < INT64_MIN - ns)
		return INT64_MIN;
	return now + ns;
}

static int accel_wait_common(struct accel_device *dev, struct drm_edna_wait *args, int *status)
{
	int ret;

	if (!dev)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_EDNA_WAIT, args);
	if (!ret && status)
		*status = args->status;
	return ret;
}

int accel_wait(struct accel_device *dev, uint64_t seqno, int64_t deadline_ns, int *status,
	       struct drm_edna_job_result *result)
{
	struct drm_edna_wait args = {
		.seqno = seqno,
		.deadline_ns = deadline_ns,
		.result = (uintptr_t)result,
		.result_size = result ? sizeof(*result) : 0,
	};

	/* No job has sequence number 0. */
	if (!seqno)
		return -EINVAL;
	/* An older kernel's record is shorter: leave the rest zero, not stale. */
	if (result)
		memset(result, 0, sizeof(*result));
	return accel_wait_common(dev, &args, status);
}

int accel_wait_bo(struct accel_device *dev, uint32_t handle, int64_t deadline_ns, int *status)
{
	struct drm_edna_wait args = {
		.seqno = handle,
		.deadline_ns = deadline_ns,
		.flags = EDNA_WAIT_BO,
	};

	return accel_wait_common(dev, &args, status);
}
