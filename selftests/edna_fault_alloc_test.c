// SPDX-License-Identifier: GPL-2.0
/*
 * edna_fault (allocation failures): probe and every ioctl, with the Nth
 * allocation of the calling task failed, for every N up to the first
 * that lets the call through.  Uses the kernel's per-task fault injection
 * (/proc/thread-self/fail-nth, with failslab and fail_page_alloc made to
 * count sleeping allocations too), which the debug kernel of make
 * check-debug has; elsewhere the tests skip.
 *
 * What each must show: the call fails with an errno or succeeds, nothing
 * oopses or warns (the VM fails the run on any splat, and check-debug's
 * kmemleak scan on any leak), and the device works afterwards.
 *
 * Copyright 2026 The edna authors
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define SEC		EDNA_SEC
#define FAIL_NTH	"/proc/thread-self/fail-nth"
/* More than any call here makes allocations: a sweep that never ends is a bug. */
#define MAX_NTH		2000

#define REF(h, f)	{ .handle = (h), .flags = (f) }

/* Make failslab and fail_page_alloc count every allocation, silently. */
static int fail_nth_setup(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	};
	glob_t g;
	size_t i;

	if (access(FAIL_NTH, W_OK))
		return -ENOENT;
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (edna_write_file(knobs[i][0], knobs[i][1]))
			return -ENOENT;
	/* An injected failure prints a stack trace unless told not to. */
	if (!glob("/sys/kernel/debug/fail*/verbose", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			edna_write_file(g.gl_pathv[i], "0");
		globfree(&g);
	}
	return 0;
}

/*
 * Arm the @nth fault point of this thread from now on; after the call,
 * fail_nth_consumed() says whether it was reached.
 */
static int fail_nth_arm(int fd, unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* 1 when the armed failure was injected, 0 when the call made fewer. */
static int fail_nth_consumed(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	if (atoi(buf) == 0)
		return 1;
	/* Disarm what was not reached. */
	fail_nth_arm(fd, 0);
	return 0;
}

static int nop_ok(int fd)
{
	struct drm_edna_job j = { .op = EDNA_JOB_NOP };
	int ret, st = -1;

	ret = edna_submit(fd, &j, 1);
	if (!ret)
		ret = edna_wait(fd, j.seqno, edna_deadline(10 * SEC), &st, NULL);
	return ret ? ret : st;
}

FIXTURE(edna_fault) {
	int fd;
	int nth;
	struct edna_bo host, dram;
};

FIXTURE_SETUP(edna_fault)
{
	if (fail_nth_setup())
		SKIP(return, "no per-task fault injection (CONFIG_FAULT_INJECTION)");
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	self->nth = open(FAIL_NTH, O_RDWR);
	ASSERT_LE(0, self->nth);
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &self->host));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_DRAM, &self->dram));
}

FIXTURE_TEARDOWN(edna_fault)
{
	if (self->nth > 0) {
		fail_nth_arm(self->nth, 0);
		close(self->nth);
	}
	if (self->fd > 0) {
		edna_bo_free(self->fd, &self->host);
		edna_bo_free(self->fd, &self->dram);
		close(self->fd);
	}
}

/*
 * Run @call with its 1st, 2nd, ... allocation failed until one run makes
 * fewer allocations than the failure point; after every failed run the
 * device must still run a job.  Returns the failures injected.
 */
#define SWEEP(_metadata, self, call)					\
({									\
	int __n, __injected = 0, __ret;					\
	for (__n = 1; __n < MAX_NTH; __n++) {				\
		ASSERT_EQ(0, fail_nth_arm((self)->nth, __n));		\
		__ret = (call);						\
		if (fail_nth_consumed((self)->nth) != 1)		\
			break;						\
		__injected++;						\
		ASSERT_EQ(0, nop_ok((self)->fd)) TH_LOG("after failure %d: %d", __n, __ret); \
	}								\
	ASSERT_GT(MAX_NTH, __n);					\
	ASSERT_EQ(0, __ret) TH_LOG("with no failure injected");	\
	__injected;							\
})

static int bo_create(int fd, __u32 region)
{
	struct drm_edna_bo_create c = { .size = 128 * 1024, .region = region };
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &c);

	if (!ret)
		edna_gem_close(fd, c.handle);
	return ret;
}

TEST_F(edna_fault, bo_create_survives_every_allocation_failure)
{
	int n;

	n = SWEEP(_metadata, self, bo_create(self->fd, EDNA_REGION_HOST));
	EXPECT_LT(0, n);
	n = SWEEP(_metadata, self, bo_create(self->fd, EDNA_REGION_DRAM));
	EXPECT_LT(0, n);
	TH_LOG("DRAM buffer: %d failures injected", n);
}

/* A COPY through DRAM listing two buffers and signalling a syncobj. */
static int submit_copy(int fd, struct edna_bo *host, struct edna_bo *dram, __u32 syncobj)
{
	struct drm_edna_bo_ref refs[] = {
		REF(host->handle, EDNA_BO_READ), REF(dram->handle, EDNA_BO_WRITE),
	};
	struct drm_edna_sync sync = { .handle = syncobj, .flags = EDNA_SYNC_SIGNAL };
	struct drm_edna_job j = {
		.queue = 1, .op = EDNA_JOB_COPY, .src = host->va, .dst = dram->va,
		.size = host->size, .bos = (uintptr_t)refs, .bo_count = 2,
		.syncs = (uintptr_t)&sync, .sync_count = 1,
	};
	int ret, st = -1;

	ret = edna_submit(fd, &j, 1);
	if (!ret)
		ret = edna_wait(fd, j.seqno, edna_deadline(10 * SEC), &st, NULL);
	return ret ? ret : st;
}

TEST_F(edna_fault, submit_and_wait_survive_every_allocation_failure)
{
	struct drm_syncobj_create sc = {};
	int n;

	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	n = SWEEP(_metadata, self, submit_copy(self->fd, &self->host, &self->dram, sc.handle));
	EXPECT_LT(0, n);
	TH_LOG("SUBMIT and WAIT: %d failures injected", n);
	n = SWEEP(_metadata, self, nop_ok(self->fd));
	EXPECT_LT(0, n);
}

/* Export a buffer as a dma-buf and import it in a second file. */
static int prime_round_trip(int fd, int fd2, __u32 handle)
{
	struct drm_prime_handle exp = { .handle = handle, .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = {};
	int ret;

	ret = edna_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
	if (ret)
		return ret;
	imp.fd = exp.fd;
	ret = edna_ioctl(fd2, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp);
	close(exp.fd);
	if (!ret)
		edna_gem_close(fd2, imp.handle);
	return ret;
}

TEST_F(edna_fault, dma_buf_export_and_import_survive_every_allocation_failure)
{
	int fd2 = edna_open(0), n;

	ASSERT_LE(0, fd2);
	n = SWEEP(_metadata, self, prime_round_trip(self->fd, fd2, self->host.handle));
	EXPECT_LT(0, n);
	close(fd2);
}

static int open_submit_close(void)
{
	int fd = edna_open(0), ret;

	if (fd < 0)
		return fd;
	ret = nop_ok(fd);
	close(fd);
	return ret;
}

TEST_F(edna_fault, open_and_close_survive_every_allocation_failure)
{
	int n = SWEEP(_metadata, self, open_submit_close());

	EXPECT_LT(0, n);
}

/* Unbind device 1 and bind it again: probe runs in this thread. */
static int rebind(void)
{
	int ret = edna_write_file("/sys/bus/platform/drivers/edna/bind", "edna.1");

	return ret;
}

static int is_bound(void)
{
	return !access("/sys/bus/platform/devices/edna.1/driver", F_OK);
}

TEST_F(edna_fault, probe_unwinds_from_every_allocation_failure)
{
	int n, injected = 0, ret = -1, fd;

	if (access("/sys/bus/platform/devices/edna.1", F_OK) || !is_bound())
		SKIP(return, "no second device");
	ASSERT_EQ(0, edna_write_file("/sys/bus/platform/drivers/edna/unbind", "edna.1"));
	for (n = 1; n < MAX_NTH; n++) {
		ASSERT_EQ(0, fail_nth_arm(self->nth, n));
		ret = rebind();
		if (fail_nth_consumed(self->nth) != 1)
			break;
		injected++;
		/* A failed probe leaves the device unbound, and nothing behind. */
		if (ret) {
			ASSERT_FALSE(is_bound()) TH_LOG("failure %d", n);
		} else {
			ASSERT_EQ(0, edna_write_file("/sys/bus/platform/drivers/edna/unbind",
						     "edna.1"));
		}
	}
	ASSERT_EQ(0, ret);
	ASSERT_TRUE(is_bound());
	EXPECT_LT(20, injected);
	TH_LOG("probe: %d failures injected", injected);
	fd = -1;
	for (n = 0; n < 100 && fd < 0; n++) {
		fd = edna_open(1);
		if (fd < 0)
			usleep(10 * 1000);
	}
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, nop_ok(fd));
	close(fd);
}

TEST_HARNESS_MAIN
