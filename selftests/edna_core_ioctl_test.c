// SPDX-License-Identifier: GPL-2.0
/*
 * edna_core_ioctl: the DRM core's own ioctls on the accel node.
 *
 * In Linux 6.12 some of them crash on accel nodes (GET_UNIQUE and
 * GET_MAGIC dereference the master an accel file never has, GET_UNIQUE
 * with master_mutex held) and the syncobj ones warn on huge handle
 * counts.  edna.ko lets only those that make sense on an accel node
 * through (module parameter core_ioctl_filter, default Y) and bounds the
 * syncobj counts; the fixture edna_core checks that.  The fixture
 * edna_core_unfiltered turns the filter off and checks the DRM core's own
 * fix, tools/debugk/patches/, on the debug kernel of tools/debugk that
 * carries it (make check-debug); on any other kernel it skips.
 */
#include <stdint.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE		4096ULL
#define FILTER		"/sys/module/edna/parameters/core_ioctl_filter"
/* CONFIG_LOCALVERSION of tools/debugk/debug.config */
#define DEBUGK_LOCALVERSION	"-edna-debug"
/* Documentation/uapi.rst: the syncobj ioctls take at most this many handles */
#define MAX_HANDLES	4096

/* The core ioctls that edna refuses, and what the patched core says. */
static const struct {
	const char *name;
	unsigned long request;
	int unfiltered;		/* errno of the patched core, filter off */
} refused[] = {
#define CORE(r, e)	{ "DRM_IOCTL_" #r, DRM_IOCTL_##r, e }
	CORE(GET_UNIQUE, EACCES),
	CORE(GET_MAGIC, EACCES),
	CORE(AUTH_MAGIC, EACCES),
	CORE(SET_MASTER, EACCES),
	CORE(DROP_MASTER, EACCES),
	CORE(GET_CLIENT, EACCES),
	CORE(GET_STATS, EACCES),
	CORE(SET_VERSION, EACCES),
	CORE(SET_UNIQUE, EACCES),
	CORE(SET_CLIENT_CAP, EACCES),
	CORE(GEM_FLINK, EACCES),
	CORE(GEM_OPEN, EACCES),
	CORE(WAIT_VBLANK, EACCES),
	CORE(MODE_GETRESOURCES, EACCES),
	CORE(MODE_CREATE_DUMB, EACCES),
	CORE(MODE_ATOMIC, EACCES),
	CORE(CRTC_GET_SEQUENCE, EACCES),
	CORE(MODE_CREATE_LEASE, EACCES),
#undef CORE
	/* Not a core ioctl of 6.12 at all. */
	{ "core ioctl 0xf0", DRM_IOWR(0xf0, struct drm_auth), EINVAL },
};

/* 1 if edna's filter of core ioctls is on, 0 if off, -1 without it. */
static int filter_state(void)
{
	char c = 0;
	int fd = open(FILTER, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

/* The kernel of tools/debugk, which carries the core patches. */
static int debug_kernel(char *release, size_t len)
{
	struct utsname u;

	if (uname(&u))
		return 0;
	snprintf(release, len, "%s", u.release);
	return strstr(u.release, DEBUGK_LOCALVERSION) != NULL;
}

static int syncobj_create(int fd, __u32 flags, __u32 *handle)
{
	struct drm_syncobj_create c = { .flags = flags };
	int ret = edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

static int syncobj_destroy(int fd, __u32 handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* SYNCOBJ_WAIT for all of them, polling. */
static int syncobj_wait(int fd, const __u32 *handles, __u32 count)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)handles,
		.count_handles = count,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};

	return edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* SYNCOBJ_RESET or SYNCOBJ_SIGNAL. */
static int syncobj_array(int fd, unsigned long request, const __u32 *handles, __u32 count)
{
	struct drm_syncobj_array a = { .handles = (uintptr_t)handles, .count_handles = count };

	return edna_ioctl(fd, request, &a);
}

/* SYNCOBJ_QUERY, SYNCOBJ_TIMELINE_SIGNAL or SYNCOBJ_TIMELINE_WAIT. */
static int syncobj_timeline(int fd, unsigned long request, const __u32 *handles,
			    __u64 *points, __u32 count)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)handles,
		.points = (uintptr_t)points,
		.count_handles = count,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)handles,
		.points = (uintptr_t)points,
		.count_handles = count,
	};

	if (request == DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT)
		return edna_ioctl(fd, request, &w);
	return edna_ioctl(fd, request, &a);
}

/* A core ioctl with a zeroed argument big enough for any of them. */
static int core_ioctl(int fd, unsigned long request)
{
	union {
		char bytes[256];
		__u64 align;
	} arg = {};

	return edna_ioctl(fd, request, &arg);
}

/*
 * What must work on the accel node with or without the filter: VERSION,
 * GET_CAP, GEM_CLOSE, PRIME and the syncobj ioctls.
 */
static void allowed_core_ioctls_work(struct __test_metadata *_metadata, int fd)
{
	struct drm_edna_bo_create bo = { .size = PAGE, .region = EDNA_REGION_HOST };
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };
	struct drm_gem_close close_args = { .handle = 0xdead };
	struct drm_version v = {};
	char name[16] = "";
	__u32 s[2];

	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_VERSION, &v));
	ASSERT_LT(0, v.name_len);
	ASSERT_GT(sizeof(name), v.name_len);
	v.name = name;
	v.date_len = 0;
	v.desc_len = 0;
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_VERSION, &v));
	EXPECT_STREQ("edna", name);

	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_GET_CAP, &cap));
	EXPECT_EQ(1, cap.value);
	cap.capability = DRM_CAP_PRIME;
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_GET_CAP, &cap));
	EXPECT_EQ(DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT, cap.value);
	/* Modesetting capabilities: not an accel node's. */
	cap.capability = DRM_CAP_DUMB_BUFFER;
	EXPECT_EQ(-EOPNOTSUPP, edna_ioctl(fd, DRM_IOCTL_GET_CAP, &cap));

	EXPECT_EQ(-EINVAL, edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args));
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &bo));
	prime.handle = bo.handle;
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime));
	ASSERT_LE(0, prime.fd);
	prime.handle = 0;
	/* Importing its own buffer gives the same handle back. */
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime));
	EXPECT_EQ(bo.handle, prime.handle);
	close(prime.fd);
	close_args.handle = bo.handle;
	EXPECT_EQ(0, edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args));
	EXPECT_EQ(-EINVAL, edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args));

	ASSERT_EQ(0, syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &s[0]));
	ASSERT_EQ(0, syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &s[1]));
	EXPECT_EQ(0, syncobj_wait(fd, s, 2));
	EXPECT_EQ(0, syncobj_array(fd, DRM_IOCTL_SYNCOBJ_RESET, s, 2));
	/* Reset: no fence to wait for any more. */
	EXPECT_EQ(-EINVAL, syncobj_wait(fd, s, 2));
	EXPECT_EQ(0, syncobj_array(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, s, 2));
	EXPECT_EQ(0, syncobj_wait(fd, s, 2));
	EXPECT_EQ(0, syncobj_destroy(fd, s[0]));
	EXPECT_EQ(0, syncobj_destroy(fd, s[1]));
	EXPECT_EQ(-EINVAL, syncobj_destroy(fd, s[0]));
}

FIXTURE(edna_core) {
	int fd;
};

FIXTURE_SETUP(edna_core)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	/* Without the filter, the refused ioctls would crash a stock kernel. */
	ASSERT_EQ(1, filter_state())
		TH_LOG("%s must exist and read Y", FILTER);
}

FIXTURE_TEARDOWN(edna_core)
{
	close(self->fd);
}

TEST_F(edna_core, other_core_ioctls_are_enotty)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		int ret = core_ioctl(self->fd, refused[i].request);

		if (ret != -ENOTTY)
			TH_LOG("%s", refused[i].name);
		EXPECT_EQ(-ENOTTY, ret);
	}
}

TEST_F(edna_core, accel_core_ioctls_work)
{
	allowed_core_ioctls_work(_metadata, self->fd);
}

TEST_F(edna_core, get_unique_leaves_nothing_locked)
{
	struct drm_unique u = {};
	__u64 v;
	int fd2;

	EXPECT_EQ(-ENOTTY, edna_ioctl(self->fd, DRM_IOCTL_GET_UNIQUE, &u));
	EXPECT_EQ(-ENOTTY, core_ioctl(self->fd, DRM_IOCTL_GET_MAGIC));
	fd2 = edna_open(0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, edna_get_param(fd2, EDNA_PARAM_NUM_QUEUES, 0, &v));
	EXPECT_LT(0, v);
	EXPECT_EQ(-ENOTTY, edna_ioctl(fd2, DRM_IOCTL_GET_UNIQUE, &u));
	close(fd2);
	EXPECT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &v));
}

TEST_F(edna_core, syncobj_handle_counts_are_bounded)
{
	static const unsigned long requests[] = {
		DRM_IOCTL_SYNCOBJ_WAIT, DRM_IOCTL_SYNCOBJ_RESET,
		DRM_IOCTL_SYNCOBJ_SIGNAL, DRM_IOCTL_SYNCOBJ_QUERY,
		DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
	};
	static const __u32 counts[] = { MAX_HANDLES + 1, 0x10000, 0xffffffff };
	/* Valid handles and points for more than the bound: only it refuses. */
	static __u32 handles[MAX_HANDLES + 1];
	static __u64 points[MAX_HANDLES + 1];
	size_t i, j;
	__u32 s;

	ASSERT_EQ(0, syncobj_create(self->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &s));
	for (i = 0; i < ARRAY_SIZE(handles); i++)
		handles[i] = s;

	for (i = 0; i < ARRAY_SIZE(requests); i++) {
		for (j = 0; j < ARRAY_SIZE(counts); j++) {
			int ret;

			if (requests[i] == DRM_IOCTL_SYNCOBJ_WAIT)
				ret = syncobj_wait(self->fd, handles, counts[j]);
			else if (requests[i] == DRM_IOCTL_SYNCOBJ_RESET ||
				 requests[i] == DRM_IOCTL_SYNCOBJ_SIGNAL)
				ret = syncobj_array(self->fd, requests[i], handles, counts[j]);
			else
				ret = syncobj_timeline(self->fd, requests[i], handles,
						       points, counts[j]);
			EXPECT_EQ(-EINVAL, ret)
				TH_LOG("request %#lx, %u handles", requests[i], counts[j]);
		}
	}

	/* The bound itself is accepted. */
	EXPECT_EQ(0, syncobj_wait(self->fd, handles, MAX_HANDLES));
	EXPECT_EQ(0, syncobj_array(self->fd, DRM_IOCTL_SYNCOBJ_RESET, handles, MAX_HANDLES));
	EXPECT_EQ(0, syncobj_array(self->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, handles, MAX_HANDLES));
	EXPECT_EQ(0, syncobj_wait(self->fd, handles, 2));
	EXPECT_EQ(0, syncobj_destroy(self->fd, s));
}

/*
 * With edna's filter off, on the kernel of tools/debugk: the DRM core's
 * own fix.  The teardown runs in the harness's parent process, so the
 * filter is back on even if the test dies.
 */
FIXTURE(edna_core_unfiltered) {
	int fd;
};

FIXTURE_SETUP(edna_core_unfiltered)
{
	char release[128];

	if (!debug_kernel(release, sizeof(release)))
		SKIP(return, "needs the patched kernel of tools/debugk (*%s), not %s",
		     DEBUGK_LOCALVERSION, release);
	ASSERT_EQ(1, filter_state())
		TH_LOG("%s must exist and read Y", FILTER);
	ASSERT_EQ(0, edna_write_file(FILTER, "N"));
	ASSERT_EQ(0, filter_state());
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN_PARENT(edna_core_unfiltered)
{
	/* self->fd is the child's: it is closed with it. */
	EXPECT_EQ(0, edna_write_file(FILTER, "Y"));
	EXPECT_EQ(1, filter_state());
}

TEST_F(edna_core_unfiltered, core_refuses_master_ioctls)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		int ret = core_ioctl(self->fd, refused[i].request);

		if (ret != -refused[i].unfiltered)
			TH_LOG("%s", refused[i].name);
		EXPECT_EQ(-refused[i].unfiltered, ret);
	}
}

TEST_F(edna_core_unfiltered, get_unique_leaves_nothing_locked)
{
	struct drm_unique u = {};
	struct drm_auth a = {};
	__u64 v;
	int fd2;

	EXPECT_EQ(-EACCES, edna_ioctl(self->fd, DRM_IOCTL_GET_UNIQUE, &u));
	EXPECT_EQ(-EACCES, edna_ioctl(self->fd, DRM_IOCTL_GET_MAGIC, &a));
	fd2 = edna_open(0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, edna_get_param(fd2, EDNA_PARAM_NUM_QUEUES, 0, &v));
	EXPECT_EQ(-EACCES, edna_ioctl(fd2, DRM_IOCTL_GET_UNIQUE, &u));
	EXPECT_EQ(-EACCES, edna_ioctl(fd2, DRM_IOCTL_GET_MAGIC, &a));
	close(fd2);
}

TEST_F(edna_core_unfiltered, accel_core_ioctls_work)
{
	allowed_core_ioctls_work(_metadata, self->fd);
}

/*
 * Handle arrays too big to allocate fail with ENOMEM and no warning (the
 * VM runner fails the run on any kernel splat): 0xffffffff handles in
 * drm_syncobj_array_find(), and 2^17 copies of one handle one step later,
 * in the wait entries of drm_syncobj_array_wait_timeout(): 8 MiB, past
 * kmalloc's 4 MiB.  Looking up 2^17 handles takes a few seconds in the VM.
 */
TEST_F_TIMEOUT(edna_core_unfiltered, huge_syncobj_counts_fail_quietly, 120)
{
	const __u32 n = 1 << 17;
	__u32 *handles, s;
	__u32 i;

	ASSERT_EQ(0, syncobj_create(self->fd, DRM_SYNCOBJ_CREATE_SIGNALED, &s));
	EXPECT_EQ(-ENOMEM, syncobj_wait(self->fd, &s, 0xffffffff));
	EXPECT_EQ(-ENOMEM, syncobj_array(self->fd, DRM_IOCTL_SYNCOBJ_RESET, &s, 0xffffffff));
	EXPECT_EQ(-ENOMEM, syncobj_array(self->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &s, 0xffffffff));

	handles = malloc(n * sizeof(*handles));
	ASSERT_NE(NULL, handles);
	for (i = 0; i < n; i++)
		handles[i] = s;
	EXPECT_EQ(-ENOMEM, syncobj_wait(self->fd, handles, n));
	free(handles);

	/* And the syncobj ioctls still work. */
	EXPECT_EQ(0, syncobj_wait(self->fd, &s, 1));
	EXPECT_EQ(0, syncobj_destroy(self->fd, s));
}

TEST_HARNESS_MAIN
