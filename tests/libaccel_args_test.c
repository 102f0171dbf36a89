// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of libaccel's argument handling: bad arguments give
 * -EINVAL, absent devices -ENODEV, and nothing crashes.  Runs without a
 * device, so it checks only what libaccel decides by itself.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "accel.h"

FIXTURE(edna_hw) {
};

FIXTURE_SETUP(edna_hw)
{
}

FIXTURE_TEARDOWN(edna_hw)
{
}

TEST_F(edna_hw, libaccel_null_arguments)
{
	struct drm_edna_device_info info;
	uint64_t v;

	EXPECT_EQ(-EINVAL, accel_open(0, NULL));
	EXPECT_EQ(-EINVAL, accel_open_path(NULL, NULL));
	EXPECT_EQ(-EINVAL, accel_get_param(NULL, EDNA_PARAM_DEVICE_ID, 0, &v));
	EXPECT_EQ(-EINVAL, accel_device_info(NULL, &info));
	EXPECT_EQ(-EINVAL, accel_fd(NULL));
	accel_close(NULL);
}

TEST_F(edna_hw, libaccel_null_device_for_buffers_and_jobs)
{
	struct drm_edna_submit submit = {};
	struct drm_edna_bo_info info;
	uint32_t handle;
	void *ptr;
	int status;

	EXPECT_EQ(-EINVAL, accel_bo_create(NULL, 4096, EDNA_REGION_HOST, 0, &handle, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_info(NULL, 1, &info));
	EXPECT_EQ(-EINVAL, accel_bo_mmap(NULL, 1, &ptr, NULL));
	EXPECT_EQ(-EINVAL, accel_bo_close(NULL, 1));
	EXPECT_EQ(-EINVAL, accel_submit(NULL, &submit));
	EXPECT_EQ(-EINVAL, accel_wait(NULL, 1, 0, &status));
	EXPECT_EQ(-EINVAL, accel_wait_bo(NULL, 1, 0, &status));
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
