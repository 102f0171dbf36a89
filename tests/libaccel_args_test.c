// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of libaccel's argument handling: bad arguments give
 * -EINVAL, absent devices -ENODEV, and nothing crashes.  Runs without a
 * device, so it checks only what libaccel decides by itself.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "kselftest_harness.h"
#include "accel.h"
#include "accel_internal.h"

FIXTURE(edna_hw) {
	/*
	 * A device whose fd is -1: any call that reaches ioctl(2) fails with
	 * -EBADF, so -EINVAL from it proves libaccel refused by itself.
	 */
	struct accel_device closed;
};

FIXTURE_SETUP(edna_hw)
{
	self->closed.fd = -1;
}

FIXTURE_TEARDOWN(edna_hw)
{
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

TEST_F(edna_hw, libaccel_null_arguments)
{
	struct drm_edna_device_info info;
	uint64_t v;

	EXPECT_EQ(-EINVAL, accel_open(0, NULL));
	EXPECT_EQ(-EINVAL, accel_open_path(NULL, NULL));
	EXPECT_EQ(-EINVAL, accel_get_param(NULL, EDNA_PARAM_DEVICE_ID, 0, &v));
	EXPECT_EQ(-EINVAL, accel_device_info(NULL, &info, sizeof(info)));
	EXPECT_EQ(-EINVAL, accel_fd(NULL));
	accel_close(NULL);
}

TEST_F(edna_hw, libaccel_null_device_for_buffers_and_jobs)
{
	struct drm_edna_job job = { .op = EDNA_JOB_NOP };
	struct drm_edna_bo_info info;
	uint32_t handle;
	void *ptr;
	int status;

	EXPECT_EQ(-EINVAL, accel_bo_create(NULL, 4096, EDNA_REGION_HOST, 0, &handle, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_info(NULL, 1, &info));
	EXPECT_EQ(-EINVAL, accel_bo_mmap(NULL, 1, &ptr, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_close(NULL, 1));
	EXPECT_EQ(-EINVAL, accel_submit(NULL, &job, 1));
	EXPECT_EQ(-EINVAL, accel_wait(NULL, 1, 0, &status, NULL));
	EXPECT_EQ(-EINVAL, accel_wait_bo(NULL, 1, 0, &status));
}

TEST_F(edna_hw, libaccel_rejects_bad_arguments_without_an_ioctl)
{
	struct drm_edna_job jobs[EDNA_SUBMIT_MAX_JOBS + 1] = {};
	struct drm_edna_device_info info;
	struct drm_edna_job_result result;
	uint64_t v;
	uint32_t h;
	int status;

	EXPECT_EQ(-EINVAL, accel_submit(&self->closed, NULL, 1));
	EXPECT_EQ(-EINVAL, accel_submit(&self->closed, jobs, 0));
	EXPECT_EQ(-EINVAL, accel_submit(&self->closed, jobs, EDNA_SUBMIT_MAX_JOBS + 1));
	EXPECT_EQ(-EINVAL, accel_submit(&self->closed, jobs, UINT32_MAX));
	/* No job has sequence number 0. */
	EXPECT_EQ(-EINVAL, accel_wait(&self->closed, 0, 0, &status, &result));
	EXPECT_EQ(-EINVAL, accel_device_info(&self->closed, NULL, sizeof(info)));
	EXPECT_EQ(-EINVAL, accel_device_info(&self->closed, &info, 0));
	EXPECT_EQ(-EINVAL, accel_get_param(&self->closed, EDNA_PARAM_DEVICE_ID, 0, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_create(&self->closed, 4096, EDNA_REGION_HOST, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_info(&self->closed, 1, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_mmap(&self->closed, 1, NULL, NULL));

	/* Good arguments do reach the kernel. */
	EXPECT_EQ(-EBADF, accel_submit(&self->closed, jobs, 1));
	EXPECT_EQ(-EBADF, accel_submit(&self->closed, jobs, EDNA_SUBMIT_MAX_JOBS));
	EXPECT_EQ(-EBADF, accel_wait(&self->closed, 1, 0, &status, NULL));
	EXPECT_EQ(-EBADF, accel_wait(&self->closed, 1, 0, NULL, &result));
	EXPECT_EQ(-EBADF, accel_wait_bo(&self->closed, 1, ACCEL_DEADLINE_NEVER, NULL));
	EXPECT_EQ(-EBADF, accel_device_info(&self->closed, &info, sizeof(info)));
	/* An older, smaller caller's struct. */
	EXPECT_EQ(-EBADF, accel_device_info(&self->closed, &info, 8));
	EXPECT_EQ(-EBADF, accel_get_param(&self->closed, EDNA_PARAM_FEATURES, 0, &v));
	EXPECT_EQ(-EBADF, accel_bo_create(&self->closed, 4096, EDNA_REGION_HOST, 0, &h, NULL));
}

TEST_F(edna_hw, libaccel_device_info_zeroes_only_the_callers_size)
{
	unsigned char buf[sizeof(struct drm_edna_device_info) + 8];

	memset(buf, 0xa5, sizeof(buf));
	EXPECT_EQ(-EBADF, accel_device_info(&self->closed, (void *)buf, 8));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(0, buf[7]);
	/* Past the caller's size is not libaccel's to touch. */
	EXPECT_EQ(0xa5, buf[8]);
}

TEST_F(edna_hw, libaccel_deadline_is_monotonic_now_plus_and_saturates)
{
	int64_t before = monotonic_ns(), d, after;

	d = accel_deadline_after(1000000000);
	after = monotonic_ns();
	EXPECT_LE(before + 1000000000, d);
	EXPECT_GE(after + 1000000000, d);
	d = accel_deadline_after(0);
	EXPECT_LE(before, d);
	EXPECT_GE(monotonic_ns(), d);
	/* A past deadline: the wait only polls. */
	EXPECT_GT(before, accel_deadline_after(-1000));
	EXPECT_EQ(INT64_MAX, accel_deadline_after(INT64_MAX));
	EXPECT_EQ(INT64_MAX, accel_deadline_after(INT64_MAX - 1));
	EXPECT_GT(0, accel_deadline_after(INT64_MIN));
}

TEST_F(edna_hw, libaccel_missing_device)
{
	struct accel_device *dev = NULL;

	EXPECT_EQ(-ENODEV, accel_open(1000, &dev));
	EXPECT_EQ(NULL, dev);
	EXPECT_EQ(-ENOENT, accel_open_path("/nonexistent/accel0", &dev));
}

TEST_F(edna_hw, libaccel_rejects_foreign_node)
{
	struct accel_device *dev = NULL;

	/* Not a DRM node at all: the version ioctl fails, the fd is closed. */
	EXPECT_GT(0, accel_open_path("/dev/null", &dev));
	EXPECT_EQ(NULL, dev);
}

TEST_HARNESS_MAIN
