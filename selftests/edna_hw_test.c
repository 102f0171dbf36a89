// SPDX-License-Identifier: GPL-2.0
/*
 * edna_hw: device identity, capabilities and the parameter ABI.
 *
 * The expected values come from the device model's module parameters and
 * from Documentation/hardware.rst, never from the driver under test.
 */
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define EDNA_ID_MAGIC	0x45444e41	/* "EDNA", hardware.rst */

FIXTURE(edna_hw) {
	int fd;
};

FIXTURE_SETUP(edna_hw)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("cannot open /dev/accel/accel0: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(edna_hw)
{
	close(self->fd);
}

TEST_F(edna_hw, node_reports_edna_driver)
{
	drmVersionPtr v = drmGetVersion(self->fd);

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("edna", v->name);
	EXPECT_EQ(1, v->version_major);
	drmFreeVersion(v);
}

TEST_F(edna_hw, device_id_is_edna)
{
	__u64 v;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_DEVICE_ID, 0, &v));
	EXPECT_EQ(EDNA_ID_MAGIC, v);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_HW_VERSION, 0, &v));
	EXPECT_EQ(1, v >> 16);
}

TEST_F(edna_hw, queue_count_matches_model)
{
	__u64 v;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &v));
	EXPECT_EQ(edna_sim_param("num_queues"), (long long)v);
}

TEST_F(edna_hw, region_sizes_match_model)
{
	__u64 v;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_REGION_SIZE, EDNA_REGION_DRAM, &v));
	EXPECT_EQ(edna_sim_param("dram_mib") << 20, (long long)v);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_REGION_SIZE, EDNA_REGION_SRAM, &v));
	EXPECT_EQ(edna_sim_param("sram_kib") << 10, (long long)v);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_REGION_SIZE, EDNA_REGION_HOST, &v));
	EXPECT_LT(0, (long long)v);
	EXPECT_LE((long long)v, (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE));
}

TEST_F(edna_hw, mmu_geometry_matches_manual)
{
	__u64 v;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_MMU_PAGE_SIZE, 0, &v));
	EXPECT_EQ(4096, v);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_VA_BITS, 0, &v));
	EXPECT_EQ(39, v);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_CONTEXTS, 0, &v));
	EXPECT_LE(2, v);
}

TEST_F(edna_hw, unknown_param_is_einval)
{
	__u64 v = 0x5a5a;

	EXPECT_EQ(-EINVAL, edna_get_param(self->fd, 0xffff, 0, &v));
	EXPECT_EQ(-EINVAL, edna_get_param(self->fd, EDNA_PARAM_CLIENT_HOST_LIMIT + 1, 0, &v));
	EXPECT_EQ(0x5a5a, v);
}

TEST_F(edna_hw, bad_index_is_einval)
{
	__u64 v;

	EXPECT_EQ(-EINVAL, edna_get_param(self->fd, EDNA_PARAM_REGION_SIZE, EDNA_REGION_COUNT, &v));
	EXPECT_EQ(-EINVAL, edna_get_param(self->fd, EDNA_PARAM_POWER_MW, EDNA_POWER_COUNT, &v));
	/* A parameter that takes no index rejects one rather than ignoring it. */
	EXPECT_EQ(-EINVAL, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 1, &v));
}

TEST_F(edna_hw, features_include_timeline_syncobj_job_result_and_graph)
{
	__u64 v = 0;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_FEATURES, 0, &v));
	EXPECT_NE(0, v & EDNA_FEATURE_TIMELINE_SYNCOBJ);
	EXPECT_NE(0, v & EDNA_FEATURE_JOB_RESULT);
	EXPECT_NE(0, v & EDNA_FEATURE_GRAPH);
	/* Bits nobody has defined yet stay clear. */
	EXPECT_EQ(0, v & ~(EDNA_FEATURE_TIMELINE_SYNCOBJ | EDNA_FEATURE_JOB_RESULT |
			   EDNA_FEATURE_GRAPH));
	EXPECT_EQ(-EINVAL, edna_get_param(self->fd, EDNA_PARAM_FEATURES, 1, &v));
}

TEST_F(edna_hw, timeline_syncobjs_are_supported)
{
	uint64_t cap = 0;
	__u32 h;

	/* DRIVER_SYNCOBJ_TIMELINE: what EDNA_FEATURE_TIMELINE_SYNCOBJ relies on */
	ASSERT_EQ(0, drmGetCap(self->fd, DRM_CAP_SYNCOBJ_TIMELINE, &cap));
	EXPECT_EQ(1, cap);
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &h));
	EXPECT_EQ(0, drmSyncobjTimelineSignal(self->fd, &h, &(uint64_t){ 3 }, 1));
	EXPECT_EQ(0, drmSyncobjDestroy(self->fd, h));
}

TEST_F(edna_hw, device_info_reports_features_and_host_limit)
{
	struct drm_edna_query q = { .id = EDNA_QUERY_DEVICE_INFO };
	struct drm_edna_device_info info = {};
	__u64 v;

	q.size = sizeof(info);
	q.data = (__u64)(uintptr_t)&info;
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	ASSERT_EQ(sizeof(info), q.size);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_FEATURES, 0, &v));
	EXPECT_EQ(v, info.features);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_CLIENT_HOST_LIMIT, 0, &v));
	EXPECT_EQ(v, info.client_host_limit);
	EXPECT_EQ(0, info.pad);
}

TEST_F(edna_hw, reserved_field_nonzero_is_einval)
{
	struct drm_edna_get_param args = {
		.param = EDNA_PARAM_DEVICE_ID,
		.reserved = 1,
	};

	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_GET_PARAM, &args));
	args.reserved = 1ULL << 63;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_GET_PARAM, &args));
	args.reserved = 0;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_GET_PARAM, &args));
}

TEST_F(edna_hw, query_negotiates_size)
{
	struct drm_edna_query q = { .id = EDNA_QUERY_DEVICE_INFO };
	struct drm_edna_device_info info;
	unsigned char buf[sizeof(info) + 16];
	__u64 v;

	/* A zero pointer asks for the size only. */
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	EXPECT_EQ(sizeof(info), q.size);

	/* An old, smaller caller gets exactly what it asked for. */
	memset(buf, 0xa5, sizeof(buf));
	q.size = 8;
	q.data = (__u64)(uintptr_t)buf;
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	EXPECT_EQ(sizeof(info), q.size);
	EXPECT_EQ(EDNA_ID_MAGIC, *(__u32 *)buf);
	EXPECT_EQ(0xa5, buf[8]);

	/* A newer, larger caller learns how much the kernel filled. */
	q.size = sizeof(buf);
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	EXPECT_EQ(sizeof(info), q.size);
	EXPECT_EQ(0xa5, buf[sizeof(info)]);
	memcpy(&info, buf, sizeof(info));
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &v));
	EXPECT_EQ(v, info.num_queues);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_REGION_SIZE, EDNA_REGION_SRAM, &v));
	EXPECT_EQ(v, info.region_size[EDNA_REGION_SRAM]);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_PEAK_MACS, 0, &v));
	EXPECT_EQ(v, info.peak_macs);
	EXPECT_LT(0, info.peak_bandwidth[EDNA_REGION_DRAM]);
}

TEST_F(edna_hw, query_rejects_bad_input)
{
	struct drm_edna_query q = { .id = EDNA_QUERY_DEVICE_INFO, .flags = 1 };
	struct drm_edna_device_info info;

	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	q.flags = 0;
	q.reserved = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	q.reserved = 0;
	q.id = 0x7fff;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
	q.id = EDNA_QUERY_DEVICE_INFO;
	q.size = sizeof(info);
	q.data = 8;	/* unmapped user address */
	EXPECT_EQ(-EFAULT, edna_ioctl(self->fd, DRM_IOCTL_EDNA_QUERY, &q));
}

TEST_F(edna_hw, unknown_ioctl_is_rejected)
{
	__u64 arg[4] = {};
	unsigned long req = DRM_IOWR(DRM_COMMAND_BASE + 0x3f, __u64[4]);

	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, req, arg));
}

TEST_F(edna_hw, all_devices_enumerate)
{
	long long expected = edna_sim_param("num_devices");
	int i;

	ASSERT_LT(0, expected);
	EXPECT_EQ(expected, edna_count_devices());
	for (i = 0; i < expected; i++) {
		int fd = edna_open(i);
		__u64 v = 0;

		ASSERT_LE(0, fd) TH_LOG("accel%d: %s", i, strerror(-fd));
		EXPECT_EQ(0, edna_get_param(fd, EDNA_PARAM_DEVICE_ID, 0, &v));
		EXPECT_EQ(EDNA_ID_MAGIC, v);
		close(fd);
	}
}

TEST_HARNESS_MAIN
