// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of libaccel: argument handling (bad arguments give
 * -EINVAL, absent devices -ENODEV, nothing crashes), the ranges the job
 * helpers check, the byte layout of graphs, argument blocks and result
 * records, and the error messages.  Runs without a device, so it checks
 * only what libaccel decides by itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "accel.h"
#include "accel_internal.h"

FIXTURE(edna_hw) {
	/*
	 * A device whose fd is -1: any call that reaches ioctl(2) fails with
	 * -EBADF, so -EINVAL from it proves libaccel refused by itself.
	 */
	struct accel_device closed;
	/* Buffers of it, made up: one the CPU maps at mem, one it cannot. */
	struct accel_bo host;
	struct accel_bo dram;
	struct accel_bo graph_bo;
	struct accel_graph graph;
	uint64_t mem[1024];
};

static void fake_bo(struct accel_bo *bo, struct accel_device *dev, uint32_t handle,
		    uint64_t va, uint64_t size, uint32_t region, uint32_t info_flags,
		    void *map)
{
	memset(bo, 0, sizeof(*bo));
	bo->dev = dev;
	bo->refs = 1;
	bo->handle = handle;
	bo->va = va;
	bo->size = size;
	bo->region = region;
	bo->info_flags = info_flags;
	atomic_init(&bo->map, map);
}

FIXTURE_SETUP(edna_hw)
{
	ASSERT_EQ(0, accel_device_init(&self->closed, -1));
	fake_bo(&self->host, &self->closed, 1, 0x100000000ull, sizeof(self->mem),
		EDNA_REGION_HOST, EDNA_BO_INFO_MAPPABLE, self->mem);
	/* Larger than a FILL or COPY may be, to test that limit. */
	fake_bo(&self->dram, &self->closed, 2, 0x200000000ull, 2 * EDNA_SUBMIT_MAX_SIZE,
		EDNA_REGION_DRAM, 0, NULL);
	fake_bo(&self->graph_bo, &self->closed, 3, 0x300000000ull, 4096, EDNA_REGION_HOST,
		EDNA_BO_INFO_MAPPABLE | EDNA_BO_INFO_DEVICE_READ_ONLY, NULL);
	self->graph.bo = &self->graph_bo;
	self->graph.op_count = 2;
	self->graph.max_tokens = 4;
}

FIXTURE_TEARDOWN(edna_hw)
{
	accel_device_fini(&self->closed);
}

static uint16_t le16_at(const void *p)
{
	const unsigned char *b = p;

	return b[0] | b[1] << 8;
}

static uint32_t le32_at(const void *p)
{
	const unsigned char *b = p;

	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64_at(const void *p)
{
	return le32_at(p) | (uint64_t)le32_at((const unsigned char *)p + 4) << 32;
}

static void put_le32_at(void *p, uint32_t v)
{
	unsigned char *b = p;

	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

static void put_le64_at(void *p, uint64_t v)
{
	put_le32_at(p, v);
	put_le32_at((unsigned char *)p + 4, v >> 32);
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
	struct accel_device *dev;
	uint64_t v;

	EXPECT_EQ(-EINVAL, accel_open(0, NULL));
	EXPECT_EQ(-EINVAL, accel_open_path(NULL, NULL));
	EXPECT_EQ(-EINVAL, accel_get_param(NULL, EDNA_PARAM_DEVICE_ID, 0, &v));
	EXPECT_EQ(-EINVAL, accel_device_info(NULL, &info, sizeof(info)));
	EXPECT_EQ(-EINVAL, accel_fd(NULL));
	EXPECT_EQ(-EINVAL, accel_open_fd(-1, &dev));
	EXPECT_EQ(-EINVAL, accel_open_fd(0, NULL));
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
	d = accel_deadline_after(-1000);
	EXPECT_GE(monotonic_ns() - 1000, d);
	EXPECT_LE(before - 1000, d);
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

TEST_F(edna_hw, libaccel_open_fd_leaves_a_foreign_fd_open)
{
	struct accel_device *dev = NULL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, accel_open_fd(fd, &dev));
	EXPECT_EQ(NULL, dev);
	/* Still the caller's. */
	EXPECT_LE(0, fcntl(fd, F_GETFD));
	close(fd);
}

TEST_F(edna_hw, libaccel_bo_objects_reject_bad_arguments)
{
	struct accel_bo *bo = (struct accel_bo *)&self->mem;
	int fd = 1234;
	void *ptr;

	EXPECT_EQ(-EINVAL, accel_bo_alloc(NULL, 4096, EDNA_REGION_HOST, 0, &bo));
	EXPECT_EQ(-EINVAL, accel_bo_alloc(&self->closed, 4096, EDNA_REGION_HOST, 0, NULL));
	EXPECT_EQ(-EBADF, accel_bo_alloc(&self->closed, 4096, EDNA_REGION_HOST, 0, &bo));
	EXPECT_EQ((struct accel_bo *)&self->mem, bo);

	EXPECT_EQ(-EINVAL, accel_bo_import(NULL, 0, &bo));
	EXPECT_EQ(-EINVAL, accel_bo_import(&self->closed, -1, &bo));
	EXPECT_EQ(-EINVAL, accel_bo_import(&self->closed, 0, NULL));
	/* Twice: a failed import lets go of the buffer table's lock. */
	EXPECT_EQ(-EBADF, accel_bo_import(&self->closed, 0, &bo));
	EXPECT_EQ(-EBADF, accel_bo_import(&self->closed, 0, &bo));
	EXPECT_EQ((struct accel_bo *)&self->mem, bo);

	EXPECT_EQ(-EINVAL, accel_bo_export(NULL, &fd));
	EXPECT_EQ(-EINVAL, accel_bo_export(&self->host, NULL));
	EXPECT_EQ(-EBADF, accel_bo_export(&self->host, &fd));
	EXPECT_EQ(1234, fd);

	EXPECT_EQ(-EINVAL, accel_bo_map(NULL, &ptr));
	EXPECT_EQ(-EINVAL, accel_bo_map(&self->host, NULL));
	EXPECT_EQ(-ENXIO, accel_bo_map(&self->dram, &ptr));
	EXPECT_EQ(0, accel_bo_map(&self->host, &ptr));
	EXPECT_EQ((void *)self->mem, ptr);

	EXPECT_EQ(-EINVAL, accel_bo_wait(NULL, 0, NULL));
	EXPECT_EQ(-EBADF, accel_bo_wait(&self->host, 0, NULL));
	EXPECT_EQ(0, accel_bo_free(NULL));
}

TEST_F(edna_hw, libaccel_bo_accessors)
{
	EXPECT_EQ(1, accel_bo_handle(&self->host));
	EXPECT_EQ(0x100000000ull, accel_bo_va(&self->host));
	EXPECT_EQ(sizeof(self->mem), accel_bo_size(&self->host));
	EXPECT_EQ(EDNA_REGION_DRAM, accel_bo_region(&self->dram));
	EXPECT_EQ(EDNA_BO_INFO_MAPPABLE, accel_bo_info_flags(&self->host));
	/* NULL gives values no buffer has. */
	EXPECT_EQ(0, accel_bo_handle(NULL));
	EXPECT_EQ(0, accel_bo_va(NULL));
	EXPECT_EQ(0, accel_bo_size(NULL));
	EXPECT_EQ(EDNA_REGION_COUNT, accel_bo_region(NULL));
	EXPECT_EQ(0, accel_bo_info_flags(NULL));
}

TEST_F(edna_hw, libaccel_bo_read_write_stay_in_range)
{
	const uint64_t size = sizeof(self->mem);
	unsigned char in[16], out[16];

	memset(in, 0x5a, sizeof(in));
	EXPECT_EQ(-EINVAL, accel_bo_write(NULL, 0, in, sizeof(in)));
	EXPECT_EQ(-EINVAL, accel_bo_write(&self->host, 0, NULL, sizeof(in)));
	EXPECT_EQ(-EINVAL, accel_bo_write(&self->host, size - 15, in, sizeof(in)));
	EXPECT_EQ(-EINVAL, accel_bo_write(&self->host, size + 1, in, 0));
	/* An offset and size whose sum wraps around. */
	EXPECT_EQ(-EINVAL, accel_bo_write(&self->host, UINT64_MAX, in, 2));
	EXPECT_EQ(-EINVAL, accel_bo_read(&self->host, UINT64_MAX - 1, out, 4));
	EXPECT_EQ(-EINVAL, accel_bo_read(&self->host, 0, NULL, sizeof(out)));
	EXPECT_EQ(-ENXIO, accel_bo_read(&self->dram, 0, out, sizeof(out)));
	/* Nothing at the very end is fine. */
	EXPECT_EQ(0, accel_bo_write(&self->host, size, NULL, 0));

	EXPECT_EQ(0, accel_bo_write(&self->host, size - 16, in, sizeof(in)));
	EXPECT_EQ(0, memcmp((unsigned char *)self->mem + size - 16, in, sizeof(in)));
	EXPECT_EQ(0, accel_bo_read(&self->host, size - 16, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

TEST_F(edna_hw, libaccel_bo_free_drops_one_reference_and_reports_the_close)
{
	struct accel_bo *bo = malloc(sizeof(*bo));

	ASSERT_NE(NULL, bo);
	fake_bo(bo, &self->closed, 7, 0x400000000ull, 4096, EDNA_REGION_HOST, 0, NULL);
	/* As if imported twice. */
	bo->refs = 2;
	bo->pprev = &self->closed.bos;
	self->closed.bos = bo;

	EXPECT_EQ(0, accel_bo_free(bo));
	EXPECT_EQ(bo, self->closed.bos);
	/* The last one closes the handle: on fd -1 that fails, and is said. */
	EXPECT_EQ(-EBADF, accel_bo_free(bo));
	EXPECT_EQ(NULL, self->closed.bos);
}

TEST_F(edna_hw, libaccel_syncobjs_reject_bad_arguments)
{
	uint32_t handle = 77;
	uint64_t point = 88;

	EXPECT_EQ(-EINVAL, accel_syncobj_create(NULL, 0, &handle));
	EXPECT_EQ(-EINVAL, accel_syncobj_create(&self->closed, 0, NULL));
	EXPECT_EQ(-EBADF, accel_syncobj_create(&self->closed, DRM_SYNCOBJ_CREATE_SIGNALED,
					       &handle));
	EXPECT_EQ(77, handle);
	EXPECT_EQ(-EINVAL, accel_syncobj_destroy(NULL, 1));
	EXPECT_EQ(-EBADF, accel_syncobj_destroy(&self->closed, 1));
	EXPECT_EQ(-EINVAL, accel_syncobj_wait(NULL, 1, 0, ACCEL_DEADLINE_NEVER));
	EXPECT_EQ(-EBADF, accel_syncobj_wait(&self->closed, 1, 5, ACCEL_DEADLINE_NEVER));
	EXPECT_EQ(-EINVAL, accel_syncobj_query(NULL, 1, &point));
	EXPECT_EQ(-EINVAL, accel_syncobj_query(&self->closed, 1, NULL));
	EXPECT_EQ(-EBADF, accel_syncobj_query(&self->closed, 1, &point));
	EXPECT_EQ(88, point);
}

/* A job full of garbage, to see what an init function writes. */
static void scribble(struct drm_edna_job *job)
{
	memset(job, 0xa5, sizeof(*job));
}

TEST_F(edna_hw, libaccel_job_init_nop_and_fill)
{
	struct drm_edna_job job, before;

	EXPECT_EQ(-EINVAL, accel_job_init_nop(NULL));
	scribble(&job);
	EXPECT_EQ(0, accel_job_init_nop(&job));
	EXPECT_EQ(EDNA_JOB_NOP, job.op);
	EXPECT_EQ(0, job.queue);
	EXPECT_EQ(EDNA_PRIORITY_NORMAL, job.priority);
	EXPECT_EQ(0, job.src | job.dst | job.size | job.pattern | job.bo_count | job.bos |
		     job.syncs | job.sync_count | job.result_va | job.flags | job.pad);

	scribble(&job);
	before = job;
	EXPECT_EQ(-EINVAL, accel_job_init_fill(NULL, &self->host, 0, 16, 1));
	EXPECT_EQ(-EINVAL, accel_job_init_fill(&job, NULL, 0, 16, 1));
	EXPECT_EQ(-EINVAL, accel_job_init_fill(&job, &self->host, 0, 0, 1));
	EXPECT_EQ(-EINVAL, accel_job_init_fill(&job, &self->host, 0, 6, 1));
	EXPECT_EQ(-EINVAL, accel_job_init_fill(&job, &self->host, 4096, 8192, 1));
	EXPECT_EQ(-EINVAL, accel_job_init_fill(&job, &self->host, UINT64_MAX - 3, 8, 1));
	EXPECT_EQ(-EINVAL, accel_job_init_fill(&job, &self->dram, 0, EDNA_SUBMIT_MAX_SIZE + 4, 1));
	/* A rejected call leaves the job alone. */
	EXPECT_EQ(0, memcmp(&before, &job, sizeof(job)));

	EXPECT_EQ(0, accel_job_init_fill(&job, &self->dram, 64, EDNA_SUBMIT_MAX_SIZE, 0xcafe));
	EXPECT_EQ(EDNA_JOB_FILL, job.op);
	EXPECT_EQ(0x200000000ull + 64, job.dst);
	EXPECT_EQ(EDNA_SUBMIT_MAX_SIZE, job.size);
	EXPECT_EQ(0xcafe, job.pattern);
	EXPECT_EQ(0, job.src | job.bos | job.result_va);
	EXPECT_EQ(0, accel_job_init_fill(&job, &self->host, sizeof(self->mem) - 4, 4, 0));
}

TEST_F(edna_hw, libaccel_job_init_copy_rejects_overlap_and_overruns)
{
	struct drm_edna_job job, before;

	scribble(&job);
	before = job;
	EXPECT_EQ(-EINVAL, accel_job_init_copy(NULL, &self->host, 0, &self->dram, 0, 16));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, NULL, 0, &self->dram, 0, 16));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->host, 0, NULL, 0, 16));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->host, 0, &self->dram, 0, 0));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->host, 8, &self->dram, 0,
					       sizeof(self->mem)));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->dram, 0, &self->host, 8,
					       sizeof(self->mem)));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->dram, 0, &self->dram, 8,
					       EDNA_SUBMIT_MAX_SIZE + 1));
	/* Within one buffer, the ranges must not overlap, either way round. */
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->host, 0, &self->host, 8, 16));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->host, 8, &self->host, 0, 16));
	EXPECT_EQ(-EINVAL, accel_job_init_copy(&job, &self->host, 0, &self->host, 0, 1));
	EXPECT_EQ(0, memcmp(&before, &job, sizeof(job)));

	/* Adjacent is fine. */
	EXPECT_EQ(0, accel_job_init_copy(&job, &self->host, 16, &self->host, 0, 16));
	EXPECT_EQ(0x100000000ull + 16, job.dst);
	EXPECT_EQ(0x100000000ull, job.src);
	EXPECT_EQ(0, accel_job_init_copy(&job, &self->dram, 4096, &self->host, 0, 8192));
	EXPECT_EQ(EDNA_JOB_COPY, job.op);
	EXPECT_EQ(0x200000000ull + 4096, job.dst);
	EXPECT_EQ(0x100000000ull, job.src);
	EXPECT_EQ(8192, job.size);
	EXPECT_EQ(0, job.pattern);
}

TEST_F(edna_hw, libaccel_job_init_graph)
{
	const uint64_t header = sizeof(struct drm_edna_graph_args);
	struct drm_edna_job job, before;

	scribble(&job);
	before = job;
	EXPECT_EQ(-EINVAL, accel_job_init_graph(NULL, &self->graph, &self->host, 0));
	EXPECT_EQ(-EINVAL, accel_job_init_graph(&job, NULL, &self->host, 0));
	EXPECT_EQ(-EINVAL, accel_job_init_graph(&job, &self->graph, NULL, 0));
	EXPECT_EQ(-EINVAL, accel_job_init_graph(&job, &self->graph, &self->host,
						sizeof(self->mem) - header + 1));
	EXPECT_EQ(-EINVAL, accel_job_init_graph(&job, &self->graph, &self->host, UINT64_MAX));
	EXPECT_EQ(0, memcmp(&before, &job, sizeof(job)));

	EXPECT_EQ(0, accel_job_init_graph(&job, &self->graph, &self->host,
					  sizeof(self->mem) - header));
	EXPECT_EQ(EDNA_JOB_GRAPH, job.op);
	EXPECT_EQ(0x300000000ull, job.src);
	EXPECT_EQ(0x100000000ull + sizeof(self->mem) - header, job.dst);
	EXPECT_EQ(0, job.size | job.pattern | job.bos | job.syncs | job.result_va);
}

TEST_F(edna_hw, libaccel_job_set_bos_syncs_and_result)
{
	static struct drm_edna_bo_ref bos[EDNA_SUBMIT_MAX_BOS + 1];
	static struct drm_edna_sync syncs[EDNA_SUBMIT_MAX_SYNCS + 1];
	const uint64_t rec = sizeof(struct drm_edna_job_result);
	struct drm_edna_job job;

	accel_job_init_nop(&job);
	EXPECT_EQ(-EINVAL, accel_job_set_bos(NULL, bos, 1));
	EXPECT_EQ(-EINVAL, accel_job_set_bos(&job, NULL, 1));
	EXPECT_EQ(-EINVAL, accel_job_set_bos(&job, bos, EDNA_SUBMIT_MAX_BOS + 1));
	EXPECT_EQ(0, accel_job_set_bos(&job, bos, EDNA_SUBMIT_MAX_BOS));
	EXPECT_EQ((uintptr_t)bos, job.bos);
	EXPECT_EQ(EDNA_SUBMIT_MAX_BOS, job.bo_count);
	EXPECT_EQ(0, accel_job_set_bos(&job, NULL, 0));
	EXPECT_EQ(0, job.bos | job.bo_count);

	EXPECT_EQ(-EINVAL, accel_job_set_syncs(NULL, syncs, 1));
	EXPECT_EQ(-EINVAL, accel_job_set_syncs(&job, NULL, 1));
	EXPECT_EQ(-EINVAL, accel_job_set_syncs(&job, syncs, EDNA_SUBMIT_MAX_SYNCS + 1));
	EXPECT_EQ(0, accel_job_set_syncs(&job, syncs, EDNA_SUBMIT_MAX_SYNCS));
	EXPECT_EQ((uintptr_t)syncs, job.syncs);
	EXPECT_EQ(EDNA_SUBMIT_MAX_SYNCS, job.sync_count);
	/* An array with no entries is not passed on. */
	EXPECT_EQ(0, accel_job_set_syncs(&job, syncs, 0));
	EXPECT_EQ(0, job.syncs | job.sync_count);

	EXPECT_EQ(-EINVAL, accel_job_set_result(NULL, &self->host, 0));
	EXPECT_EQ(-EINVAL, accel_job_set_result(&job, &self->host, 4));
	EXPECT_EQ(-EINVAL, accel_job_set_result(&job, &self->host, sizeof(self->mem) - rec + 8));
	EXPECT_EQ(-EINVAL, accel_job_set_result(&job, &self->host, UINT64_MAX - 7));
	EXPECT_EQ(0, accel_job_set_result(&job, &self->host, sizeof(self->mem) - rec));
	EXPECT_EQ(0x100000000ull + sizeof(self->mem) - rec, job.result_va);
	EXPECT_EQ(0, accel_job_set_result(&job, NULL, 0));
	EXPECT_EQ(0, job.result_va);
}

TEST_F(edna_hw, libaccel_result_read_decodes_little_endian)
{
	struct drm_edna_job_result r;
	unsigned char *raw = (unsigned char *)self->mem + 256;

	memset(raw, 0, sizeof(r));
	put_le64_at(raw + offsetof(struct drm_edna_job_result, seqno), 0x1122334455667788ull);
	put_le32_at(raw + offsetof(struct drm_edna_job_result, status), EDNA_STATUS_BAD_GRAPH);
	put_le32_at(raw + offsetof(struct drm_edna_job_result, op_index), 3);
	put_le32_at(raw + offsetof(struct drm_edna_job_result, reason), EDNA_GRAPH_ERR_DIMS);
	put_le64_at(raw + offsetof(struct drm_edna_job_result, fault_va), 0x100002000ull);
	put_le64_at(raw + offsetof(struct drm_edna_job_result, cycles), 1000);
	put_le64_at(raw + offsetof(struct drm_edna_job_result, macs), 2000);
	/* bytes[EDNA_REGION_DRAM][1] */
	put_le64_at(raw + offsetof(struct drm_edna_job_result, bytes) + 8 * (2 * 1 + 1), 4096);

	EXPECT_EQ(-EINVAL, accel_result_read(NULL, 256, &r));
	EXPECT_EQ(-EINVAL, accel_result_read(&self->host, 256, NULL));
	EXPECT_EQ(-EINVAL, accel_result_read(&self->host, 260, &r));
	EXPECT_EQ(-EINVAL, accel_result_read(&self->host, sizeof(self->mem) - 64, &r));
	EXPECT_EQ(-ENXIO, accel_result_read(&self->dram, 256, &r));

	memset(&r, 0xff, sizeof(r));
	EXPECT_EQ(0, accel_result_read(&self->host, 256, &r));
	EXPECT_EQ(0x1122334455667788ull, r.seqno);
	EXPECT_EQ(EDNA_STATUS_BAD_GRAPH, r.status);
	EXPECT_EQ(3, r.op_index);
	EXPECT_EQ(EDNA_GRAPH_ERR_DIMS, r.reason);
	EXPECT_EQ(0, r.pad);
	EXPECT_EQ(0x100002000ull, r.fault_va);
	EXPECT_EQ(1000, r.cycles);
	EXPECT_EQ(2000, r.macs);
	EXPECT_EQ(4096, r.bytes[EDNA_REGION_DRAM][1]);
	EXPECT_EQ(0, r.bytes[EDNA_REGION_DRAM][0]);
	EXPECT_EQ(0, r.bytes[EDNA_REGION_HOST][0]);
	EXPECT_EQ(0, r.reserved[3]);
}

static void two_ops(struct drm_edna_graph_op *ops)
{
	memset(ops, 0, 2 * sizeof(*ops));
	ops[0].opcode = EDNA_GOP_ADD;
	ops[0].dim[0] = 8;
	ops[0].dst = 0x100000080ull;
	ops[0].src[0] = 0x100000000ull;
	ops[0].src[1] = 0x100000040ull;
	ops[1].opcode = EDNA_GOP_RMSNORM;
	ops[1].dtype = EDNA_DTYPE_F32;
	ops[1].flags = EDNA_GOP_LAST_ROW;
	ops[1].dim[0] = 8;
	ops[1].dst = 0x1000000c0ull;
	ops[1].src[0] = 0x100000080ull;
	ops[1].src[1] = 0x100000100ull;
	ops[1].param[0] = 0x3727c5ac;	/* 1e-5f */
	ops[1].reserved[6] = 0x0102030405060708ull;
}

TEST_F(edna_hw, libaccel_graph_encode_lays_out_header_and_ops)
{
	const size_t hs = sizeof(struct drm_edna_graph_header);
	const size_t os = sizeof(struct drm_edna_graph_op);
	struct drm_edna_graph_op ops[2];
	unsigned char image[64 + 2 * 128 + 1], *op1;
	unsigned int i;

	two_ops(ops);
	EXPECT_EQ(-EINVAL, accel_graph_encode(NULL, 2, 1, image, sizeof(image)));
	EXPECT_EQ(-EINVAL, accel_graph_encode(ops, 0, 1, image, sizeof(image)));
	EXPECT_EQ(-EINVAL, accel_graph_encode(ops, EDNA_GRAPH_MAX_OPS + 1, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, accel_graph_encode(ops, 2, 0, image, sizeof(image)));
	EXPECT_EQ(-EINVAL, accel_graph_encode(ops, 2, EDNA_GRAPH_MAX_TOKENS + 1, image,
					      sizeof(image)));
	EXPECT_EQ(hs + 2 * os, accel_graph_encode(ops, 2, 1, NULL, 0));
	EXPECT_EQ(hs + EDNA_GRAPH_MAX_OPS * os, accel_graph_encode(ops, EDNA_GRAPH_MAX_OPS, 1,
								   NULL, 0));
	EXPECT_EQ(-ENOSPC, accel_graph_encode(ops, 2, 1, image, hs + 2 * os - 1));

	memset(image, 0xa5, sizeof(image));
	EXPECT_EQ(hs + 2 * os, accel_graph_encode(ops, 2, 4, image, sizeof(image)));
	EXPECT_EQ(EDNA_GRAPH_MAGIC, le32_at(image));
	EXPECT_EQ(0, memcmp(image, "EDNG", 4));
	EXPECT_EQ(EDNA_GRAPH_VERSION_MAJOR, le16_at(image + 4));
	EXPECT_EQ(EDNA_GRAPH_VERSION_MINOR, le16_at(image + 6));
	EXPECT_EQ(hs, le32_at(image + 8));
	EXPECT_EQ(os, le32_at(image + 12));
	EXPECT_EQ(2, le32_at(image + 16));
	EXPECT_EQ(4, le32_at(image + 20));
	for (i = 24; i < hs; i++)
		EXPECT_EQ(0, image[i]);
	/* Not a byte past the image. */
	EXPECT_EQ(0xa5, image[hs + 2 * os]);

	EXPECT_EQ(EDNA_GOP_ADD, le16_at(image + hs));
	op1 = image + hs + os;
	EXPECT_EQ(EDNA_GOP_RMSNORM, le16_at(op1));
	EXPECT_EQ(EDNA_DTYPE_F32, op1[2]);
	EXPECT_EQ(EDNA_GOP_LAST_ROW, op1[3]);
	EXPECT_EQ(0, le32_at(op1 + 4));
	EXPECT_EQ(8, le32_at(op1 + 8));
	EXPECT_EQ(0x1000000c0ull, le64_at(op1 + 24));
	EXPECT_EQ(0x100000080ull, le64_at(op1 + 32));
	EXPECT_EQ(0x100000100ull, le64_at(op1 + 40));
	EXPECT_EQ(0, le64_at(op1 + 48));
	EXPECT_EQ(0x3727c5ac, le32_at(op1 + 56));
	/* Reserved fields go to the device as given: it judges them. */
	EXPECT_EQ(0x0102030405060708ull, le64_at(op1 + 120));
}

/* A valid version 1 image of two ops in @image, 64 + 256 bytes. */
static size_t v1_image(unsigned char *image)
{
	struct drm_edna_graph_op ops[2];

	two_ops(ops);
	return accel_graph_encode(ops, 2, 4, image, 64 + 2 * 128);
}

TEST_F(edna_hw, libaccel_graph_load_checks_a_v1_header)
{
	struct accel_graph *graph = &self->graph;
	unsigned char image[64 + 2 * 128 + 128];
	size_t size = v1_image(image);

	ASSERT_EQ(64 + 2 * 128, size);
	EXPECT_EQ(-EINVAL, accel_graph_load(NULL, image, size, &graph));
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, NULL, size, &graph));
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, NULL));
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, 63, &graph));
	/* Truncated: the ops run past the image. */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size - 1, &graph));
	/* A good one reaches BO_CREATE. */
	EXPECT_EQ(-EBADF, accel_graph_load(&self->closed, image, size, &graph));
	EXPECT_EQ(-EBADF, accel_graph_load(&self->closed, image, size + 128, &graph));

	image[0] ^= 1;
	EXPECT_EQ(-ENOEXEC, accel_graph_load(&self->closed, image, size, &graph));
	v1_image(image);
	put_le32_at(image + 8, 60);		/* header_size below 64 */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	v1_image(image);
	put_le32_at(image + 8, 128);		/* a longer header: the ops no longer fit */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	EXPECT_EQ(-EBADF, accel_graph_load(&self->closed, image, size + 64, &graph));
	v1_image(image);
	put_le32_at(image + 12, 120);		/* op_size below 128 */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	v1_image(image);
	put_le32_at(image + 16, 0);		/* op_count */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	put_le32_at(image + 16, EDNA_GRAPH_MAX_OPS + 1);
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	put_le32_at(image + 16, UINT32_MAX);	/* op_count * op_size overflows 32 bits */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	v1_image(image);
	put_le32_at(image + 20, 0);		/* max_tokens */
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));
	put_le32_at(image + 20, EDNA_GRAPH_MAX_TOKENS + 1);
	EXPECT_EQ(-EINVAL, accel_graph_load(&self->closed, image, size, &graph));

	/* Another major version is the device's to judge. */
	v1_image(image);
	image[4] = 2;
	put_le32_at(image + 16, 0);
	EXPECT_EQ(-EBADF, accel_graph_load(&self->closed, image, 64, &graph));
	EXPECT_EQ(&self->graph, graph);
}

TEST_F(edna_hw, libaccel_graph_build_and_accessors)
{
	struct accel_graph *graph = &self->graph;
	struct drm_edna_graph_op ops[2];

	two_ops(ops);
	EXPECT_EQ(-EINVAL, accel_graph_build(NULL, ops, 2, 1, &graph));
	EXPECT_EQ(-EINVAL, accel_graph_build(&self->closed, ops, 2, 1, NULL));
	EXPECT_EQ(-EINVAL, accel_graph_build(&self->closed, NULL, 2, 1, &graph));
	EXPECT_EQ(-EINVAL, accel_graph_build(&self->closed, ops, 0, 1, &graph));
	EXPECT_EQ(-EINVAL, accel_graph_build(&self->closed, ops, 2, 0, &graph));
	EXPECT_EQ(-EBADF, accel_graph_build(&self->closed, ops, 2, 1, &graph));
	EXPECT_EQ(&self->graph, graph);

	EXPECT_EQ(0, accel_graph_free(NULL));
	EXPECT_EQ(&self->graph_bo, accel_graph_bo(&self->graph));
	EXPECT_EQ(3, accel_graph_handle(&self->graph));
	EXPECT_EQ(0x300000000ull, accel_graph_va(&self->graph));
	EXPECT_EQ(4, accel_graph_max_tokens(&self->graph));
	EXPECT_EQ(NULL, accel_graph_bo(NULL));
	EXPECT_EQ(0, accel_graph_handle(NULL));
	EXPECT_EQ(0, accel_graph_va(NULL));
	EXPECT_EQ(0, accel_graph_max_tokens(NULL));
}

TEST_F(edna_hw, libaccel_graph_args_layout)
{
	const uint32_t prompt[3] = { 11, 22, 33 };
	unsigned char *block = (unsigned char *)self->mem + 512;
	uint32_t out[2] = { 1, 1 };
	size_t size = accel_graph_args_size(3, 2);

	EXPECT_EQ(16 + 4 * 5, size);
	EXPECT_EQ(16 + 4 * (EDNA_GRAPH_MAX_TOKENS + EDNA_GRAPH_MAX_STEPS),
		  accel_graph_args_size(EDNA_GRAPH_MAX_TOKENS, EDNA_GRAPH_MAX_STEPS));

	EXPECT_EQ(-EINVAL, accel_graph_args_write(NULL, 512, 7, 3, 2, prompt));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, 512, 7, 3, 2, NULL));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, 512, 7, 0, 2, prompt));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, 512, 7,
						  EDNA_GRAPH_MAX_TOKENS + 1, 2, prompt));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, 512, 7, 3, 0, prompt));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, 512, 7, 3,
						  EDNA_GRAPH_MAX_STEPS + 1, prompt));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, 514, 7, 3, 2, prompt));
	EXPECT_EQ(-EINVAL, accel_graph_args_write(&self->host, sizeof(self->mem) - size + 4, 7,
						  3, 2, prompt));
	EXPECT_EQ(-ENXIO, accel_graph_args_write(&self->dram, 512, 7, 3, 2, prompt));

	memset(block, 0xa5, size + 4);
	EXPECT_EQ(0, accel_graph_args_write(&self->host, 512, 7, 3, 2, prompt));
	EXPECT_EQ(7, le32_at(block));
	EXPECT_EQ(3, le32_at(block + 4));
	EXPECT_EQ(2, le32_at(block + 8));
	EXPECT_EQ(0, le32_at(block + 12));
	EXPECT_EQ(11, le32_at(block + 16));
	EXPECT_EQ(22, le32_at(block + 20));
	EXPECT_EQ(33, le32_at(block + 24));
	/* The slots ARGMAX fills start zeroed; nothing past the block changes. */
	EXPECT_EQ(0, le32_at(block + 28));
	EXPECT_EQ(0, le32_at(block + 32));
	EXPECT_EQ(0xa5a5a5a5, le32_at(block + 36));

	/* What the device would write: step s at tokens[n_tokens + s]. */
	put_le32_at(block + 28, 4242);
	put_le32_at(block + 32, 4343);
	EXPECT_EQ(-EINVAL, accel_graph_args_read_tokens(&self->host, 512, 3, 2, NULL));
	EXPECT_EQ(-EINVAL, accel_graph_args_read_tokens(&self->host, 512, 0, 2, out));
	EXPECT_EQ(-EINVAL, accel_graph_args_read_tokens(&self->host, 512, 3, 0, out));
	EXPECT_EQ(0, accel_graph_args_read_tokens(&self->host, 512, 3, 2, out));
	EXPECT_EQ(4242, out[0]);
	EXPECT_EQ(4343, out[1]);
}

TEST_F(edna_hw, libaccel_strerror_gives_edna_meanings)
{
	int e;

	for (e = -4096; e <= 4096; e++) {
		const char *s = accel_strerror(e);

		ASSERT_NE(NULL, s);
		ASSERT_NE(0, s[0]);
		ASSERT_EQ(s, accel_strerror(-e));
	}
	EXPECT_STREQ("success", accel_strerror(0));
	/* The same word, two meanings: strerror(3) cannot tell them apart. */
	EXPECT_NE(NULL, strstr(accel_strerror(-ETIME), "deadline"));
	EXPECT_NE(NULL, strstr(accel_strerror(-ETIMEDOUT), "hung"));
	EXPECT_NE(NULL, strstr(accel_strerror(-ESRCH), "closed"));
	EXPECT_NE(NULL, strstr(accel_strerror(-ECANCELED), "banned"));
	EXPECT_NE(NULL, strstr(accel_strerror(-EDQUOT), "host memory limit"));
	EXPECT_NE(NULL, strstr(accel_strerror(-ENOEXEC), "rejected the graph"));
	EXPECT_NE(NULL, strstr(accel_strerror(-EOPNOTSUPP), "EDNA_FEATURE_GRAPH"));
	EXPECT_NE(NULL, strstr(accel_strerror(-ENXIO), "CPU mapping"));
	/* Others come from the C library. */
	EXPECT_STREQ(strerror(EPIPE), accel_strerror(-EPIPE));
	EXPECT_STREQ("unknown error", accel_strerror(INT_MIN));
	EXPECT_STREQ("unknown error", accel_strerror(100000));
}

TEST_F(edna_hw, libaccel_status_fault_and_graph_strings)
{
	static const uint32_t statuses[] = {
		EDNA_STATUS_OK, EDNA_STATUS_MMU_FAULT, EDNA_STATUS_BAD_DESC,
		EDNA_STATUS_BAD_GRAPH, EDNA_STATUS_BUS_ERROR, EDNA_STATUS_NOT_RUN,
	};
	const char *seen[16];
	unsigned int i, j;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		seen[i] = accel_job_status_str(statuses[i]);
		EXPECT_STRNE("unknown job status", seen[i]);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(seen[j], seen[i]);
	}
	EXPECT_STREQ("unknown job status", accel_job_status_str(5));

	for (i = EDNA_FAULT_REASON_UNMAPPED; i <= EDNA_FAULT_REASON_BUS; i++) {
		seen[i] = accel_fault_strerror(i);
		EXPECT_STRNE("unknown fault reason", seen[i]);
		for (j = EDNA_FAULT_REASON_UNMAPPED; j < i; j++)
			EXPECT_STRNE(seen[j], seen[i]);
	}
	EXPECT_STREQ("unknown fault reason", accel_fault_strerror(0));
	EXPECT_STREQ("unknown fault reason", accel_fault_strerror(EDNA_FAULT_REASON_BUS + 1));

	for (i = EDNA_GRAPH_ERR_MAGIC; i <= EDNA_GRAPH_ERR_POSITION; i++) {
		seen[i] = accel_graph_strerror(i);
		EXPECT_STRNE("unknown graph error", seen[i]);
		for (j = EDNA_GRAPH_ERR_MAGIC; j < i; j++)
			EXPECT_STRNE(seen[j], seen[i]);
	}
	EXPECT_STREQ("unknown graph error", accel_graph_strerror(0));
	EXPECT_STREQ("unknown graph error", accel_graph_strerror(EDNA_GRAPH_ERR_POSITION + 1));
}

TEST_F(edna_hw, libaccel_result_describe_says_where_and_why)
{
	struct drm_edna_job_result r = {
		.status = EDNA_STATUS_MMU_FAULT,
		.reason = EDNA_FAULT_REASON_UNMAPPED,
		.fault_va = 0x100002000ull,
	};
	char buf[200], small[8];
	int n;

	EXPECT_EQ(-EINVAL, accel_result_describe(NULL, EDNA_JOB_COPY, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, accel_result_describe(&r, EDNA_JOB_COPY, NULL, sizeof(buf)));

	n = accel_result_describe(&r, EDNA_JOB_COPY, buf, sizeof(buf));
	EXPECT_STREQ("MMU fault at device address 0x100002000: nothing mapped there", buf);
	EXPECT_EQ(strlen(buf), n);
	/* As snprintf: the whole length, a truncated and terminated line. */
	EXPECT_EQ(n, accel_result_describe(&r, EDNA_JOB_COPY, NULL, 0));
	EXPECT_EQ(n, accel_result_describe(&r, EDNA_JOB_COPY, small, sizeof(small)));
	EXPECT_STREQ("MMU fau", small);

	r.op_index = 3;
	accel_result_describe(&r, EDNA_JOB_GRAPH, buf, sizeof(buf));
	EXPECT_STREQ("MMU fault in graph op 3 at device address 0x100002000: nothing mapped there",
		     buf);
	/* Only a graph job's op_index means something. */
	accel_result_describe(&r, EDNA_JOB_FILL, buf, sizeof(buf));
	EXPECT_EQ(NULL, strstr(buf, "op 3"));

	r.status = EDNA_STATUS_BAD_GRAPH;
	r.reason = EDNA_GRAPH_ERR_OPERAND;
	accel_result_describe(&r, EDNA_JOB_GRAPH, buf, sizeof(buf));
	EXPECT_EQ(0, strncmp(buf, "bad graph at op 3: ", 19));
	EXPECT_STREQ(accel_graph_strerror(EDNA_GRAPH_ERR_OPERAND), buf + 19);
	r.op_index = EDNA_GRAPH_NO_OP;
	r.reason = EDNA_GRAPH_ERR_ARGS;
	accel_result_describe(&r, EDNA_JOB_GRAPH, buf, sizeof(buf));
	EXPECT_EQ(0, strncmp(buf, "bad graph header or arguments: ", 31));

	r.status = EDNA_STATUS_OK;
	accel_result_describe(&r, EDNA_JOB_GRAPH, buf, sizeof(buf));
	EXPECT_STREQ("completed", buf);
	r.status = EDNA_STATUS_NOT_RUN;
	accel_result_describe(&r, EDNA_JOB_NOP, buf, sizeof(buf));
	EXPECT_STREQ(accel_job_status_str(EDNA_STATUS_NOT_RUN), buf);
}

TEST_HARNESS_MAIN
