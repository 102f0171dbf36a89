// SPDX-License-Identifier: GPL-2.0
/*
 * edna_job: submission, ordering, parallelism, priorities, syncobj
 * dependencies, timeouts and recovery, faults, utilisation and bad input.
 *
 * Data moved by jobs is checked through CPU mappings against what the
 * test wrote; stuck queues come from the device model's fault injection.
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE		4096ULL
#define SYSFS		"/sys/class/accel/accel0/device/"
#define SIM		"/sys/kernel/debug/edna_sim/edna_sim.0/"
#define SEC		1000000000LL

struct bo {
	__u32 handle;
	__u64 va;
	__u64 size;
	void *cpu;
};

static int bo_new(int fd, __u64 size, __u32 region, struct bo *bo)
{
	struct drm_edna_bo_create c = { .size = size, .region = region };
	struct drm_edna_bo_info info = {};
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &c);

	if (ret)
		return ret;
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = size;
	bo->cpu = NULL;
	if (region != EDNA_REGION_HOST)
		return 0;
	info.handle = c.handle;
	ret = edna_ioctl(fd, DRM_IOCTL_EDNA_BO_INFO, &info);
	if (ret)
		return ret;
	bo->cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	return bo->cpu == MAP_FAILED ? -errno : 0;
}

static void bo_free(int fd, struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	if (bo->cpu)
		munmap(bo->cpu, bo->size);
	edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

struct job {
	__u32 queue, prio, op;
	__u64 src, dst, size;
	__u32 pattern;
	__u32 *bos, nbos;
	__u32 *in, nin;
	__u32 out;
};

static int submit(int fd, const struct job *j, __u64 *id)
{
	struct drm_edna_submit s = {
		.queue = j->queue, .priority = j->prio, .op = j->op,
		.src = j->src, .dst = j->dst, .size = j->size, .pattern = j->pattern,
		.bo_count = j->nbos, .bo_handles = (uintptr_t)j->bos,
		.in_syncobj_count = j->nin, .in_syncobjs = (uintptr_t)j->in,
		.out_syncobj = j->out,
	};
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s);

	if (!ret && id)
		*id = s.job_id;
	return ret;
}

static int nop(int fd, __u32 queue, __u64 *id)
{
	struct job j = { .queue = queue, .prio = EDNA_PRIORITY_NORMAL, .op = EDNA_JOB_NOP };

	return submit(fd, &j, id);
}

/* 0 when done (status in *status), -ETIME on timeout, or -errno. */
static int wait_job(int fd, __u64 id, long long timeout_ns, int *status)
{
	struct drm_edna_wait w = { .job_id = id, .timeout_ns = timeout_ns };
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_WAIT, &w);

	if (!ret && status)
		*status = w.status;
	return ret;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

static void fill_pattern(void *p, size_t size, uint32_t seed)
{
	uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = seed + i * 2654435761u;
}

FIXTURE(edna_job) {
	int fd;
};

FIXTURE_SETUP(edna_job)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "10000"));
}

FIXTURE_TEARDOWN(edna_job)
{
	edna_write_file(SYSFS "job_timeout_ms", "10000");
	close(self->fd);
}

TEST_F(edna_job, nop_completes_and_ids_increase)
{
	__u64 a, b;
	int st = -1;

	ASSERT_EQ(0, nop(self->fd, 0, &a));
	ASSERT_EQ(0, nop(self->fd, 0, &b));
	EXPECT_LT(0, a);
	EXPECT_EQ(a + 1, b);
	ASSERT_EQ(0, wait_job(self->fd, b, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, wait_job(self->fd, a, 0, &st));
	EXPECT_EQ(0, st);
}

TEST_F(edna_job, fill_and_copy_move_the_right_bytes)
{
	struct bo src, dev, dst;
	__u32 bos[3];
	__u64 id;
	int st;
	size_t i;

	ASSERT_EQ(0, bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, bo_new(self->fd, 64 * 1024, EDNA_REGION_DRAM, &dev));
	ASSERT_EQ(0, bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &dst));
	bos[0] = src.handle, bos[1] = dev.handle, bos[2] = dst.handle;
	fill_pattern(src.cpu, src.size, 7);

	struct job fill = { .queue = 1, .op = EDNA_JOB_FILL, .dst = dst.va, .size = dst.size,
			    .pattern = 0x11223344, .bos = bos, .nbos = 3 };
	ASSERT_EQ(0, submit(self->fd, &fill, &id));
	ASSERT_EQ(0, wait_job(self->fd, id, 5 * SEC, &st));
	ASSERT_EQ(0, st);
	for (i = 0; i < dst.size / 4; i++)
		ASSERT_EQ(0x11223344, ((uint32_t *)dst.cpu)[i]);

	struct job c1 = { .queue = 1, .op = EDNA_JOB_COPY, .src = src.va, .dst = dev.va,
			  .size = src.size - 8, .bos = bos, .nbos = 3 };
	struct job c2 = { .queue = 1, .op = EDNA_JOB_COPY, .src = dev.va, .dst = dst.va,
			  .size = src.size - 8, .bos = bos, .nbos = 3 };
	ASSERT_EQ(0, submit(self->fd, &c1, NULL));
	ASSERT_EQ(0, submit(self->fd, &c2, &id));
	ASSERT_EQ(0, wait_job(self->fd, id, 5 * SEC, &st));
	ASSERT_EQ(0, st);
	EXPECT_EQ(0, memcmp(src.cpu, dst.cpu, src.size - 8));
	/* The last 8 bytes were not part of the copy. */
	EXPECT_EQ(0x11223344, ((uint32_t *)dst.cpu)[dst.size / 4 - 1]);
	bo_free(self->fd, &src), bo_free(self->fd, &dev), bo_free(self->fd, &dst);
}

TEST_F(edna_job, jobs_of_a_queue_run_in_order)
{
	struct bo b[6];
	__u64 id = 0;
	int i, st;

	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &b[i]));
	fill_pattern(b[0].cpu, b[0].size, 99);
	/* A chain without declared dependencies: only queue order makes it right. */
	for (i = 0; i < 5; i++) {
		struct job c = { .queue = 2, .op = EDNA_JOB_COPY, .src = b[i].va,
				 .dst = b[i + 1].va, .size = b[i].size };

		ASSERT_EQ(0, submit(self->fd, &c, &id));
	}
	ASSERT_EQ(0, wait_job(self->fd, id, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(b[0].cpu, b[5].cpu, b[0].size));
	for (i = 0; i < 6; i++)
		bo_free(self->fd, &b[i]);
}

TEST_F(edna_job, queues_run_in_parallel)
{
	__u64 stuck, free_id;
	int st;

	/* Queue 0 stops dead; queue 1 must not care. */
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "0"));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	ASSERT_EQ(0, nop(self->fd, 0, &stuck));
	ASSERT_EQ(0, nop(self->fd, 1, &free_id));
	ASSERT_EQ(0, wait_job(self->fd, free_id, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(-ETIME, wait_job(self->fd, stuck, 0, NULL));
	/* The stuck job is then found out and fails. */
	ASSERT_EQ(0, wait_job(self->fd, stuck, 10 * SEC, &st));
	EXPECT_EQ(-ETIMEDOUT, st);
}

TEST_F(edna_job, hang_reset_resubmits_innocent_jobs)
{
	struct bo b;
	__u64 hung, ids[5];
	int i, st;

	ASSERT_EQ(0, bo_new(self->fd, 5 * PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "3"));
	ASSERT_EQ(0, nop(self->fd, 3, &hung));
	for (i = 0; i < 5; i++) {
		struct job f = { .queue = 3, .op = EDNA_JOB_FILL, .dst = b.va + i * PAGE,
				 .size = PAGE, .pattern = 0xa0 + i };

		ASSERT_EQ(0, submit(self->fd, &f, &ids[i]));
	}
	ASSERT_EQ(0, wait_job(self->fd, hung, 10 * SEC, &st));
	EXPECT_EQ(-ETIMEDOUT, st);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, wait_job(self->fd, ids[i], 10 * SEC, &st));
		EXPECT_EQ(0, st);
		EXPECT_EQ(0xa0 + i, ((uint32_t *)b.cpu)[i * PAGE / 4 + 7]);
	}
	bo_free(self->fd, &b);
}

TEST_F(edna_job, progressing_long_job_is_not_killed)
{
	struct bo a, b;
	__u64 id;
	int st;

	ASSERT_EQ(0, bo_new(self->fd, 512 * 1024, EDNA_REGION_HOST, &a));
	ASSERT_EQ(0, bo_new(self->fd, 512 * 1024, EDNA_REGION_HOST, &b));
	fill_pattern(a.cpu, a.size, 3);
	/* 128 chunks of 2 ms: four times the timeout, always progressing. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "2000"));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "60"));
	struct job c = { .queue = 0, .op = EDNA_JOB_COPY, .src = a.va, .dst = b.va, .size = a.size };
	ASSERT_EQ(0, submit(self->fd, &c, &id));
	EXPECT_EQ(0, wait_job(self->fd, id, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(a.cpu, b.cpu, a.size));
	bo_free(self->fd, &a), bo_free(self->fd, &b);
}

TEST_F(edna_job, high_priority_overtakes_queued_low_ones)
{
	struct bo a, b;
	__u64 low[128], high;
	int i, st, pending = 0;

	ASSERT_EQ(0, bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &a));
	ASSERT_EQ(0, bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "100"));
	/* More than the ring holds, so most wait in the scheduler. */
	for (i = 0; i < 128; i++) {
		struct job c = { .queue = 1, .prio = EDNA_PRIORITY_LOW, .op = EDNA_JOB_COPY,
				 .src = a.va, .dst = b.va, .size = a.size };

		ASSERT_EQ(0, submit(self->fd, &c, &low[i]));
	}
	struct job h = { .queue = 1, .prio = EDNA_PRIORITY_HIGH, .op = EDNA_JOB_NOP };
	ASSERT_EQ(0, submit(self->fd, &h, &high));
	ASSERT_EQ(0, wait_job(self->fd, high, 30 * SEC, &st));
	for (i = 0; i < 128; i++)
		pending += wait_job(self->fd, low[i], 0, NULL) == -ETIME;
	edna_write_file(SIM "chunk_delay_us", "0");
	TH_LOG("%d of 128 low-priority jobs still pending when the high one completed", pending);
	EXPECT_LT(16, pending);
	EXPECT_EQ(0, wait_job(self->fd, low[127], 60 * SEC, &st));
	bo_free(self->fd, &a), bo_free(self->fd, &b);
}

TEST_F(edna_job, syncobj_orders_jobs_across_queues)
{
	struct bo x, y, z;
	__u32 sync;
	__u64 id;
	int st;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &sync));
	ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &x));
	ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_DRAM, &y));
	ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &z));
	fill_pattern(x.cpu, x.size, 5);
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "200"));
	struct job a = { .queue = 0, .op = EDNA_JOB_COPY, .src = x.va, .dst = y.va,
			 .size = x.size, .out = sync };
	struct job b = { .queue = 2, .op = EDNA_JOB_COPY, .src = y.va, .dst = z.va,
			 .size = x.size, .in = &sync, .nin = 1 };
	ASSERT_EQ(0, submit(self->fd, &a, NULL));
	ASSERT_EQ(0, submit(self->fd, &b, &id));
	ASSERT_EQ(0, wait_job(self->fd, id, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(x.cpu, z.cpu, x.size));
	EXPECT_EQ(0, drmSyncobjWait(self->fd, &sync, 1, 0, 0, NULL));
	drmSyncobjDestroy(self->fd, sync);
	bo_free(self->fd, &x), bo_free(self->fd, &y), bo_free(self->fd, &z);
}

TEST_F(edna_job, syncobj_orders_jobs_across_clients)
{
	int other = edna_open(0), dmabuf, syncfd;
	struct bo x, y;
	__u32 sync, sync_b, y_b;
	struct drm_edna_bo_info info = {};
	__u64 id;
	void *yb;
	int st;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, bo_new(self->fd, 128 * 1024, EDNA_REGION_HOST, &x));
	ASSERT_EQ(0, bo_new(self->fd, 128 * 1024, EDNA_REGION_HOST, &y));
	fill_pattern(x.cpu, x.size, 11);
	memset(y.cpu, 0, y.size);
	/* The other client sees y through dma-buf and waits on our syncobj. */
	ASSERT_EQ(0, drmPrimeHandleToFD(self->fd, y.handle, DRM_CLOEXEC, &dmabuf));
	ASSERT_EQ(0, drmPrimeFDToHandle(other, dmabuf, &y_b));
	close(dmabuf);
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &sync));
	ASSERT_EQ(0, drmSyncobjHandleToFD(self->fd, sync, &syncfd));
	ASSERT_EQ(0, drmSyncobjFDToHandle(other, syncfd, &sync_b));
	close(syncfd);
	info.handle = y_b;
	ASSERT_EQ(0, edna_ioctl(other, DRM_IOCTL_EDNA_BO_INFO, &info));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "200"));

	struct job a = { .queue = 0, .op = EDNA_JOB_COPY, .src = x.va, .dst = y.va,
			 .size = x.size, .out = sync };
	/* B overwrites y's first word after A is done: only then is it last. */
	struct job b = { .queue = 1, .op = EDNA_JOB_FILL, .dst = info.va, .size = 4,
			 .pattern = 0xfeedf00d, .in = &sync_b, .nin = 1 };
	ASSERT_EQ(0, submit(self->fd, &a, NULL));
	ASSERT_EQ(0, submit(other, &b, &id));
	ASSERT_EQ(0, wait_job(other, id, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	yb = y.cpu;
	EXPECT_EQ(0xfeedf00d, ((uint32_t *)yb)[0]);
	EXPECT_EQ(0, memcmp((char *)x.cpu + 4, (char *)yb + 4, x.size - 4));
	close(other);
	drmSyncobjDestroy(self->fd, sync);
	bo_free(self->fd, &x), bo_free(self->fd, &y);
}

TEST_F(edna_job, other_clients_buffers_are_unreachable)
{
	int other = edna_open(0);
	struct bo mine, theirs;
	__u64 id;
	int st;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, bo_new(other, 64 * 1024, EDNA_REGION_HOST, &theirs));
	ASSERT_EQ(0, bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &mine));
	fill_pattern(theirs.cpu, theirs.size, 1);
	/* Their address, our job: our address space does not map it. */
	struct job c = { .queue = 0, .op = EDNA_JOB_COPY, .src = theirs.va, .dst = mine.va,
			 .size = 4096 };
	if (theirs.va == mine.va)
		c.src = mine.va + mine.size;
	ASSERT_EQ(0, submit(self->fd, &c, &id));
	ASSERT_EQ(0, wait_job(self->fd, id, 5 * SEC, &st));
	EXPECT_EQ(-EFAULT, st);
	/* And we cannot write theirs. */
	struct job f = { .queue = 0, .op = EDNA_JOB_FILL, .dst = theirs.va, .size = 4096 };
	if (theirs.va == mine.va)
		f.dst = mine.va + mine.size;
	ASSERT_EQ(0, submit(self->fd, &f, &id));
	ASSERT_EQ(0, wait_job(self->fd, id, 5 * SEC, &st));
	EXPECT_EQ(-EFAULT, st);
	EXPECT_EQ(1, ((uint32_t *)theirs.cpu)[0]);
	bo_free(other, &theirs);
	close(other);
	bo_free(self->fd, &mine);
}

TEST_F(edna_job, faulting_job_fails_while_other_client_completes)
{
	int other = edna_open(0);
	__u64 bad, good[8];
	int i, st;

	ASSERT_LE(0, other);
	struct job c = { .queue = 2, .op = EDNA_JOB_COPY, .src = 1ULL << 33, .dst = 1ULL << 34,
			 .size = 64 };
	ASSERT_EQ(0, submit(self->fd, &c, &bad));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, nop(other, 2, &good[i]));
	ASSERT_EQ(0, wait_job(self->fd, bad, 5 * SEC, &st));
	EXPECT_EQ(-EFAULT, st);
	/* A failure is reported once; afterwards the id reads as retired. */
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, wait_job(other, good[i], 5 * SEC, &st));
		EXPECT_EQ(0, st);
	}
	close(other);
}

TEST_F(edna_job, ten_thousand_jobs_none_lost_or_doubled)
{
	long long before[8], after[8];
	const int n = 10000;
	__u64 id, prev = 0;
	int i, st, bad = 0;
	FILE *f;

	f = fopen(SYSFS "jobs_done", "r");
	ASSERT_NE(NULL, f);
	for (i = 0; i < 8 && fscanf(f, "%lld", &before[i]) == 1; i++)
		;
	fclose(f);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, nop(self->fd, i % 4, &id));
		bad += id != prev + 1 && prev;
		prev = id;
	}
	EXPECT_EQ(0, bad);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, wait_job(self->fd, id - i, 30 * SEC, &st));
		bad += st != 0;
	}
	EXPECT_EQ(0, bad);
	f = fopen(SYSFS "jobs_done", "r");
	ASSERT_NE(NULL, f);
	for (i = 0; i < 8 && fscanf(f, "%lld", &after[i]) == 1; i++)
		;
	fclose(f);
	/* Exactly n more completions, spread evenly over the four queues. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(n / 4, after[i] - before[i]);
}

TEST_F(edna_job, closing_with_jobs_in_flight_is_clean)
{
	int fd = edna_open(0), i;
	struct bo b;
	__u64 id;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bo_new(fd, 256 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "50"));
	for (i = 0; i < 100; i++) {
		struct job f = { .queue = i % 4, .op = EDNA_JOB_FILL, .dst = b.va, .size = b.size,
				 .bos = &b.handle, .nbos = 1 };

		ASSERT_EQ(0, submit(fd, &f, NULL));
	}
	munmap(b.cpu, b.size);
	close(fd);
	edna_write_file(SIM "chunk_delay_us", "0");
	/* The device carries on for everyone else. */
	ASSERT_EQ(0, nop(self->fd, 0, &id));
	EXPECT_EQ(0, wait_job(self->fd, id, 30 * SEC, NULL));
}

TEST_F(edna_job, operator_reset_fails_jobs_on_the_device)
{
	__u64 stuck, after;
	int st;

	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "2"));
	ASSERT_EQ(0, nop(self->fd, 2, &stuck));
	usleep(100000);
	ASSERT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	ASSERT_EQ(0, wait_job(self->fd, stuck, 5 * SEC, &st));
	EXPECT_EQ(-ECANCELED, st);
	ASSERT_EQ(0, nop(self->fd, 2, &after));
	ASSERT_EQ(0, wait_job(self->fd, after, 5 * SEC, &st));
	EXPECT_EQ(0, st);
}

TEST_F(edna_job, busy_time_shows_in_fdinfo_and_sysfs)
{
	char path[64], line[128];
	long long busy = -1, t0, wall;
	struct bo a, b;
	__u64 id;
	FILE *f;
	int st;

	ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &a));
	ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "500"));
	t0 = now_ns();
	struct job c = { .queue = 3, .op = EDNA_JOB_COPY, .src = a.va, .dst = b.va, .size = a.size };
	ASSERT_EQ(0, submit(self->fd, &c, &id));
	ASSERT_EQ(0, wait_job(self->fd, id, 30 * SEC, &st));
	wall = now_ns() - t0;
	edna_write_file(SIM "chunk_delay_us", "0");
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "drm-engine-queue3: %lld ns", &busy);
	fclose(f);
	/* 64 chunks of at least 0.5 ms each, and no more than the wall time. */
	EXPECT_LE(32000000LL, busy);
	EXPECT_GE(wall, busy);
	bo_free(self->fd, &a), bo_free(self->fd, &b);
}

TEST_F(edna_job, bad_submissions_are_rejected)
{
	__u32 bogus = 0xdead;
	struct job j = { .op = EDNA_JOB_NOP };
	struct drm_edna_submit raw = { .op = EDNA_JOB_NOP };

	j.queue = 99;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.queue = 0, j.prio = EDNA_PRIORITY_COUNT;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.prio = 0, j.op = 77;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.op = EDNA_JOB_NOP, j.size = 4;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.op = EDNA_JOB_FILL, j.size = 6, j.dst = 1ULL << 32;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.op = EDNA_JOB_COPY, j.size = 4096, j.src = (1ULL << 39) - 10;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.op = EDNA_JOB_GRAPH, j.size = 0, j.src = 0;
	EXPECT_EQ(-EOPNOTSUPP, submit(self->fd, &j, NULL));
	j.op = EDNA_JOB_NOP, j.dst = 0;
	j.nbos = EDNA_SUBMIT_MAX_BOS + 1, j.bos = &bogus;
	EXPECT_EQ(-EINVAL, submit(self->fd, &j, NULL));
	j.nbos = 1;
	EXPECT_EQ(-ENOENT, submit(self->fd, &j, NULL));
	j.nbos = 0, j.nin = 1, j.in = &bogus;
	EXPECT_EQ(-ENOENT, submit(self->fd, &j, NULL));
	j.nin = 0, j.out = bogus;
	EXPECT_EQ(-ENOENT, submit(self->fd, &j, NULL));
	j.out = 0, j.nbos = 1, j.bos = (__u32 *)8;
	EXPECT_EQ(-EFAULT, submit(self->fd, &j, NULL));
	raw.flags = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &raw));
	raw.flags = 0, raw.reserved = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &raw));
}

TEST_F(edna_job, wait_on_a_buffer_waits_for_its_jobs)
{
	struct drm_edna_wait w = { .flags = EDNA_WAIT_BO };
	struct bo b;

	ASSERT_EQ(0, bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "300"));
	struct job f = { .queue = 0, .op = EDNA_JOB_FILL, .dst = b.va, .size = b.size,
			 .pattern = 0x600df00d, .bos = &b.handle, .nbos = 1 };
	ASSERT_EQ(0, submit(self->fd, &f, NULL));
	w.job_id = b.handle;
	EXPECT_EQ(-ETIME, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.timeout_ns = 30 * SEC;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, w.status);
	EXPECT_EQ(0x600df00d, ((uint32_t *)b.cpu)[b.size / 4 - 1]);
	w.job_id = 0xbad;
	EXPECT_EQ(-ENOENT, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	bo_free(self->fd, &b);
}

TEST_F(edna_job, bad_waits_are_rejected)
{
	struct drm_edna_wait w = { .job_id = 12345678 };
	__u64 id;

	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.job_id = 0;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	ASSERT_EQ(0, nop(self->fd, 0, &id));
	w.job_id = id, w.flags = 2;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.flags = 0, w.timeout_ns = -1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.timeout_ns = 5 * SEC, w.reserved = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.reserved = 0;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
}

TEST_F(edna_job, repeated_faults_ban_the_client)
{
	int fd = edna_open(0), i, st;
	__u64 id;

	ASSERT_LE(0, fd);
	for (i = 0; i < 16; i++) {
		struct job c = { .queue = 1, .op = EDNA_JOB_FILL, .dst = 1ULL << 35, .size = 4 };

		ASSERT_EQ(0, submit(fd, &c, &id));
		ASSERT_EQ(0, wait_job(fd, id, 5 * SEC, &st));
		EXPECT_EQ(-EFAULT, st);
	}
	EXPECT_EQ(-ECANCELED, nop(fd, 1, &id));
	close(fd);
	/* Others are not affected. */
	EXPECT_EQ(0, nop(self->fd, 1, &id));
}

TEST_HARNESS_MAIN
