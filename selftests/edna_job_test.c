// SPDX-License-Identifier: GPL-2.0
/*
 * edna_job: submission, ordering, parallelism, priorities, syncobj
 * dependencies, timeouts and recovery, faults, utilisation and bad input,
 * and the job ABI v2: batches, strides, buffer access flags, timelines,
 * sequence numbers, result records and deadlines.
 *
 * Data moved by jobs is checked through CPU mappings against what the
 * test wrote; stuck queues come from the device model's fault injection.
 */
#include <linux/capability.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE		4096ULL
#define SYSFS		"/sys/class/accel/accel0/device/"
#define SIM		"/sys/kernel/debug/edna_sim/edna_sim.0/"
#define SEC		EDNA_SEC

#define REF(h, f)	{ .handle = (h), .flags = (f) }

/* Queue a NOP; its sequence number in *seqno. */
static int nop(int fd, __u32 queue, __u64 *seqno)
{
	struct drm_edna_job j = {
		.queue = queue, .priority = EDNA_PRIORITY_NORMAL, .op = EDNA_JOB_NOP,
	};
	int ret = edna_submit(fd, &j, 1);

	if (!ret && seqno)
		*seqno = j.seqno;
	return ret;
}

/* Wait up to @timeout_ns from now: 0 when done (status in *status), -ETIME, or -errno. */
static int wait_job(int fd, __u64 seqno, long long timeout_ns, int *status)
{
	return edna_wait(fd, seqno, edna_deadline(timeout_ns), status, NULL);
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
	/* A test that failed half way must not leave a trap for the next. */
	edna_write_file(SIM "hang_queue", "-1");
	edna_write_file(SIM "chunk_delay_us", "0");
	edna_write_file(SYSFS "job_timeout_ms", "10000");
	close(self->fd);
}

TEST_F(edna_job, nop_completes_and_seqnos_increase)
{
	__u64 a, b;
	int st = -1;

	ASSERT_EQ(0, nop(self->fd, 0, &a));
	ASSERT_EQ(0, nop(self->fd, 0, &b));
	EXPECT_LT(0, a);
	/* Per device, not per file: others may have taken the ones between. */
	EXPECT_LT(a, b);
	ASSERT_EQ(0, wait_job(self->fd, b, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, wait_job(self->fd, a, 0, &st));
	EXPECT_EQ(0, st);
}

TEST_F(edna_job, fill_and_copy_move_the_right_bytes)
{
	struct edna_bo src, dev, dst;
	int st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_DRAM, &dev));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &dst));
	fill_pattern(src.cpu, src.size, 7);

	struct drm_edna_bo_ref fill_bos[] = { REF(dst.handle, EDNA_BO_WRITE) };
	struct drm_edna_job fill = {
		.queue = 1, .op = EDNA_JOB_FILL, .dst = dst.va, .size = dst.size,
		.pattern = 0x11223344, .bos = (uintptr_t)fill_bos, .bo_count = 1,
	};
	ASSERT_EQ(0, edna_submit(self->fd, &fill, 1));
	ASSERT_EQ(0, wait_job(self->fd, fill.seqno, 5 * SEC, &st));
	ASSERT_EQ(0, st);
	EXPECT_EQ(dst.size / 4, edna_first_not(dst.cpu, dst.size, 0x11223344));

	/*
	 * host -> DRAM on one queue, DRAM -> host on another, in one SUBMIT:
	 * only the second job's READ of what the first one WRITEs orders them.
	 */
	struct drm_edna_bo_ref c1_bos[] = {
		REF(src.handle, EDNA_BO_READ), REF(dev.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_bo_ref c2_bos[] = {
		REF(dev.handle, EDNA_BO_READ), REF(dst.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_job copies[] = {
		{ .queue = 1, .op = EDNA_JOB_COPY, .src = src.va, .dst = dev.va,
		  .size = src.size - 8, .bos = (uintptr_t)c1_bos, .bo_count = 2 },
		{ .queue = 2, .op = EDNA_JOB_COPY, .src = dev.va, .dst = dst.va,
		  .size = src.size - 8, .bos = (uintptr_t)c2_bos, .bo_count = 2 },
	};
	ASSERT_EQ(0, edna_submit(self->fd, copies, 2));
	ASSERT_EQ(0, wait_job(self->fd, copies[1].seqno, 5 * SEC, &st));
	ASSERT_EQ(0, st);
	EXPECT_EQ(0, memcmp(src.cpu, dst.cpu, src.size - 8));
	/* The last 8 bytes were not part of the copy. */
	EXPECT_EQ(0x11223344, ((uint32_t *)dst.cpu)[dst.size / 4 - 1]);
	edna_bo_free(self->fd, &src), edna_bo_free(self->fd, &dev), edna_bo_free(self->fd, &dst);
}

TEST_F(edna_job, jobs_of_a_queue_run_in_order)
{
	struct edna_bo b[6];
	__u64 seqno = 0;
	int i, st;

	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &b[i]));
	fill_pattern(b[0].cpu, b[0].size, 99);
	/* A chain without declared dependencies: only queue order makes it right. */
	for (i = 0; i < 5; i++) {
		struct drm_edna_job c = { .queue = 2, .op = EDNA_JOB_COPY, .src = b[i].va,
					  .dst = b[i + 1].va, .size = b[i].size };

		ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
		seqno = c.seqno;
	}
	ASSERT_EQ(0, wait_job(self->fd, seqno, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(b[0].cpu, b[5].cpu, b[0].size));
	for (i = 0; i < 6; i++)
		edna_bo_free(self->fd, &b[i]);
}

TEST_F(edna_job, queues_run_in_parallel)
{
	__u64 stuck, free_seqno;
	int st;

	/* Queue 0 stops dead; queue 1 must not care. */
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "0"));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	ASSERT_EQ(0, nop(self->fd, 0, &stuck));
	ASSERT_EQ(0, nop(self->fd, 1, &free_seqno));
	ASSERT_EQ(0, wait_job(self->fd, free_seqno, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(-ETIME, wait_job(self->fd, stuck, 0, NULL));
	/* The stuck job is then found out and fails. */
	ASSERT_EQ(0, wait_job(self->fd, stuck, 10 * SEC, &st));
	EXPECT_EQ(-ETIMEDOUT, st);
}

TEST_F(edna_job, hang_reset_resubmits_innocent_jobs)
{
	struct edna_bo b;
	__u64 hung;
	struct drm_edna_job fills[5];
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 5 * PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "3"));
	ASSERT_EQ(0, nop(self->fd, 3, &hung));
	for (i = 0; i < 5; i++)
		fills[i] = (struct drm_edna_job){ .queue = 3, .op = EDNA_JOB_FILL,
						  .dst = b.va + i * PAGE, .size = PAGE,
						  .pattern = 0xa0 + i };
	ASSERT_EQ(0, edna_submit(self->fd, fills, 5));
	ASSERT_EQ(0, wait_job(self->fd, hung, 10 * SEC, &st));
	EXPECT_EQ(-ETIMEDOUT, st);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, wait_job(self->fd, fills[i].seqno, 10 * SEC, &st));
		EXPECT_EQ(0, st);
		EXPECT_EQ(0xa0 + i, ((uint32_t *)b.cpu)[i * PAGE / 4 + 7]);
	}
	edna_bo_free(self->fd, &b);
}

/*
 * Jobs without buffers or syncobjs queued back to back share the
 * scheduler's work (they ride on the first); each still ends on its own,
 * with its own status, record and data.
 */
TEST_F(edna_job, batch_of_bufferless_jobs_reports_each_job_on_its_own)
{
	enum { N = 40, BAD = 17 };
	struct drm_edna_job_result rec;
	struct drm_edna_job jobs[N];
	struct edna_bo b, res;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, N * PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_bo_new(self->fd, N * sizeof(rec), EDNA_REGION_HOST, &res));
	for (i = 0; i < N; i++) {
		jobs[i] = (struct drm_edna_job){ .queue = 1, .priority = EDNA_PRIORITY_NORMAL,
						 .result_va = res.va + i * sizeof(rec) };
		if (i % 3) {
			jobs[i].op = EDNA_JOB_FILL;
			jobs[i].dst = i == BAD ? 1ULL << 38 : b.va + i * PAGE;
			jobs[i].size = PAGE;
			jobs[i].pattern = 0x5000 + i;
		}
	}
	ASSERT_EQ(0, edna_submit(self->fd, jobs, N));
	for (i = 0; i < N; i++) {
		if (i)
			EXPECT_EQ(jobs[i - 1].seqno + 1, jobs[i].seqno);
		ASSERT_EQ(0, edna_wait(self->fd, jobs[i].seqno, edna_deadline(10 * SEC), &st, &rec));
		EXPECT_EQ(jobs[i].seqno, rec.seqno);
		if (i == BAD) {
			EXPECT_EQ(-EFAULT, st);
			EXPECT_EQ(EDNA_STATUS_MMU_FAULT, rec.status);
			EXPECT_EQ(1ULL << 38, rec.fault_va);
			continue;
		}
		EXPECT_EQ(0, st);
		EXPECT_EQ(EDNA_STATUS_OK, rec.status);
		/* The device's copy of the record, at the job's result_va, agrees. */
		EXPECT_EQ(jobs[i].seqno, ((struct drm_edna_job_result *)res.cpu)[i].seqno);
		if (i % 3)
			EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + i * PAGE, PAGE,
							   0x5000 + i));
	}
	edna_bo_free(self->fd, &b), edna_bo_free(self->fd, &res);
}

/*
 * A hang in such a batch fails the job that hung; the jobs after it in
 * the batch are innocent and run after the reset.
 */
TEST_F(edna_job, hang_in_a_batch_fails_only_the_hung_job)
{
	struct drm_edna_job jobs[6];
	struct edna_bo b;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 5 * PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "3"));
	jobs[0] = (struct drm_edna_job){ .queue = 3, .op = EDNA_JOB_NOP };
	for (i = 1; i < 6; i++)
		jobs[i] = (struct drm_edna_job){ .queue = 3, .op = EDNA_JOB_FILL,
						 .dst = b.va + (i - 1) * PAGE, .size = PAGE,
						 .pattern = 0xb0 + i };
	ASSERT_EQ(0, edna_submit(self->fd, jobs, 6));
	ASSERT_EQ(0, wait_job(self->fd, jobs[0].seqno, 10 * SEC, &st));
	EXPECT_EQ(-ETIMEDOUT, st);
	for (i = 1; i < 6; i++) {
		ASSERT_EQ(0, wait_job(self->fd, jobs[i].seqno, 10 * SEC, &st));
		EXPECT_EQ(0, st);
		EXPECT_EQ(0xb0 + i, ((uint32_t *)b.cpu)[(i - 1) * PAGE / 4 + 7]);
	}
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, progressing_long_job_is_not_killed)
{
	struct edna_bo a, b;
	int st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 512 * 1024, EDNA_REGION_HOST, &a));
	ASSERT_EQ(0, edna_bo_new(self->fd, 512 * 1024, EDNA_REGION_HOST, &b));
	fill_pattern(a.cpu, a.size, 3);
	/* 128 chunks of 2 ms: four times the timeout, always progressing. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "2000"));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "60"));
	struct drm_edna_job c = { .queue = 0, .op = EDNA_JOB_COPY, .src = a.va, .dst = b.va,
				  .size = a.size };
	ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
	EXPECT_EQ(0, wait_job(self->fd, c.seqno, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(a.cpu, b.cpu, a.size));
	edna_bo_free(self->fd, &a), edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, high_priority_overtakes_queued_low_ones)
{
	struct edna_bo a, b;
	__u64 low[128];
	int i, st, pending = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &a));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "100"));
	/* More than the ring holds, so most wait in the scheduler. */
	for (i = 0; i < 128; i++) {
		struct drm_edna_job c = { .queue = 1, .priority = EDNA_PRIORITY_LOW,
					  .op = EDNA_JOB_COPY, .src = a.va, .dst = b.va,
					  .size = a.size };

		ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
		low[i] = c.seqno;
	}
	struct drm_edna_job h = { .queue = 1, .priority = EDNA_PRIORITY_HIGH, .op = EDNA_JOB_NOP };
	ASSERT_EQ(0, edna_submit(self->fd, &h, 1));
	ASSERT_EQ(0, wait_job(self->fd, h.seqno, 30 * SEC, &st));
	for (i = 0; i < 128; i++)
		pending += wait_job(self->fd, low[i], 0, NULL) == -ETIME;
	edna_write_file(SIM "chunk_delay_us", "0");
	TH_LOG("%d of 128 low-priority jobs still pending when the high one completed", pending);
	EXPECT_LT(16, pending);
	EXPECT_EQ(0, wait_job(self->fd, low[127], 60 * SEC, &st));
	edna_bo_free(self->fd, &a), edna_bo_free(self->fd, &b);
}

/* Drop @cap from this process's effective set; the permitted set keeps it. */
static int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/*
 * In a child without CAP_SYS_NICE: what SUBMIT of one NOP at @priority
 * returns, then of a batch with one HIGH job among NORMAL ones, as an
 * exit code: 0 as expected, else which step was not.
 */
static int submit_without_cap_sys_nice(void)
{
	struct drm_edna_job batch[3] = {
		{ .queue = 2, .priority = EDNA_PRIORITY_NORMAL },
		{ .queue = 2, .priority = EDNA_PRIORITY_HIGH },
		{ .queue = 2, .priority = EDNA_PRIORITY_NORMAL },
	};
	struct drm_edna_job j = { .queue = 2, .priority = EDNA_PRIORITY_HIGH };
	int fd, ret, st = -1;

	if (drop_effective_cap(CAP_SYS_NICE))
		return 10;
	fd = edna_open(0);
	if (fd < 0)
		return 11;
	ret = edna_submit(fd, &j, 1);
	if (ret != -EACCES) {
		fprintf(stderr, "# HIGH without CAP_SYS_NICE: %d\n", ret);
		return 12;
	}
	/* All or nothing: one HIGH job fails the whole batch. */
	if (edna_submit(fd, batch, 3) != -EACCES || batch[0].seqno)
		return 13;
	j.priority = EDNA_PRIORITY_NORMAL;
	if (edna_submit(fd, &j, 1) || wait_job(fd, j.seqno, 5 * SEC, &st) || st)
		return 14;
	j.priority = EDNA_PRIORITY_LOW;
	if (edna_submit(fd, &j, 1))
		return 15;
	close(fd);
	return 0;
}

TEST_F(edna_job, high_priority_needs_cap_sys_nice)
{
	struct drm_edna_job j = { .queue = 2, .priority = EDNA_PRIORITY_HIGH };
	int status, st;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(submit_without_cap_sys_nice());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("step %d", WEXITSTATUS(status));
	/* With the capability (root), HIGH is allowed. */
	ASSERT_EQ(0, edna_submit(self->fd, &j, 1));
	ASSERT_EQ(0, wait_job(self->fd, j.seqno, 5 * SEC, &st));
	EXPECT_EQ(0, st);
}

TEST_F(edna_job, syncobj_orders_jobs_across_queues)
{
	struct edna_bo x, y, z;
	__u32 sync;
	int st;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &sync));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &x));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_DRAM, &y));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &z));
	fill_pattern(x.cpu, x.size, 5);
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "200"));
	/* No buffers listed: the syncobj is the only order. */
	struct drm_edna_sync signal = { .handle = sync, .flags = EDNA_SYNC_SIGNAL };
	struct drm_edna_sync wait = { .handle = sync, .flags = EDNA_SYNC_WAIT };
	struct drm_edna_job a = { .queue = 0, .op = EDNA_JOB_COPY, .src = x.va, .dst = y.va,
				  .size = x.size, .syncs = (uintptr_t)&signal, .sync_count = 1 };
	struct drm_edna_job b = { .queue = 2, .op = EDNA_JOB_COPY, .src = y.va, .dst = z.va,
				  .size = x.size, .syncs = (uintptr_t)&wait, .sync_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &a, 1));
	ASSERT_EQ(0, edna_submit(self->fd, &b, 1));
	ASSERT_EQ(0, wait_job(self->fd, b.seqno, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(x.cpu, z.cpu, x.size));
	EXPECT_EQ(0, drmSyncobjWait(self->fd, &sync, 1, 0, 0, NULL));
	drmSyncobjDestroy(self->fd, sync);
	edna_bo_free(self->fd, &x), edna_bo_free(self->fd, &y), edna_bo_free(self->fd, &z);
}

TEST_F(edna_job, syncobj_orders_jobs_across_clients)
{
	int other = edna_open(0), dmabuf, syncfd;
	struct edna_bo x, y;
	__u32 sync, sync_b, y_b;
	struct drm_edna_bo_info info = {};
	int st;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, edna_bo_new(self->fd, 128 * 1024, EDNA_REGION_HOST, &x));
	ASSERT_EQ(0, edna_bo_new(self->fd, 128 * 1024, EDNA_REGION_HOST, &y));
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

	struct drm_edna_sync signal = { .handle = sync, .flags = EDNA_SYNC_SIGNAL };
	struct drm_edna_sync wait = { .handle = sync_b, .flags = EDNA_SYNC_WAIT };
	struct drm_edna_job a = { .queue = 0, .op = EDNA_JOB_COPY, .src = x.va, .dst = y.va,
				  .size = x.size, .syncs = (uintptr_t)&signal, .sync_count = 1 };
	/* B overwrites y's first word after A is done: only then is it last. */
	struct drm_edna_job b = { .queue = 1, .op = EDNA_JOB_FILL, .dst = info.va, .size = 4,
				  .pattern = 0xfeedf00d, .syncs = (uintptr_t)&wait,
				  .sync_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &a, 1));
	ASSERT_EQ(0, edna_submit(other, &b, 1));
	ASSERT_EQ(0, wait_job(other, b.seqno, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0xfeedf00d, ((uint32_t *)y.cpu)[0]);
	EXPECT_EQ(0, memcmp((char *)x.cpu + 4, (char *)y.cpu + 4, x.size - 4));
	close(other);
	drmSyncobjDestroy(self->fd, sync);
	edna_bo_free(self->fd, &x), edna_bo_free(self->fd, &y);
}

TEST_F(edna_job, timeline_point_orders_jobs_across_queues)
{
	struct edna_bo x, y, z;
	uint64_t point = 5, seen = 0;
	__u32 tl;
	int st;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &tl));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &x));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_DRAM, &y));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &z));
	fill_pattern(x.cpu, x.size, 55);
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "200"));
	/* y is NO_SYNC in both jobs: point 5 is the only thing ordering them. */
	struct drm_edna_bo_ref a_bos[] = {
		REF(x.handle, EDNA_BO_READ), REF(y.handle, EDNA_BO_NO_SYNC),
	};
	struct drm_edna_bo_ref b_bos[] = {
		REF(y.handle, EDNA_BO_NO_SYNC), REF(z.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_sync signal = { .handle = tl, .flags = EDNA_SYNC_SIGNAL, .point = point };
	struct drm_edna_sync wait = { .handle = tl, .flags = EDNA_SYNC_WAIT, .point = point };
	struct drm_edna_job jobs[] = {
		{ .queue = 0, .op = EDNA_JOB_COPY, .src = x.va, .dst = y.va, .size = x.size,
		  .bos = (uintptr_t)a_bos, .bo_count = 2,
		  .syncs = (uintptr_t)&signal, .sync_count = 1 },
		{ .queue = 2, .op = EDNA_JOB_COPY, .src = y.va, .dst = z.va, .size = x.size,
		  .bos = (uintptr_t)b_bos, .bo_count = 2,
		  .syncs = (uintptr_t)&wait, .sync_count = 1 },
	};
	/* One SUBMIT: the second job sees the point the first one adds. */
	ASSERT_EQ(0, edna_submit(self->fd, jobs, 2));
	ASSERT_EQ(0, drmSyncobjTimelineWait(self->fd, &tl, &point, 1, edna_deadline(30 * SEC),
					    0, NULL));
	ASSERT_EQ(0, wait_job(self->fd, jobs[0].seqno, 0, &st)) TH_LOG("point 5 before its job");
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, wait_job(self->fd, jobs[1].seqno, 30 * SEC, &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(x.cpu, z.cpu, x.size));
	ASSERT_EQ(0, drmSyncobjQuery(self->fd, &tl, &seen, 1));
	EXPECT_EQ(point, seen);
	drmSyncobjDestroy(self->fd, tl);
	edna_bo_free(self->fd, &x), edna_bo_free(self->fd, &y), edna_bo_free(self->fd, &z);
}

TEST_F(edna_job, other_clients_buffers_are_unreachable)
{
	int other = edna_open(0);
	struct edna_bo mine, theirs;
	int st;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, edna_bo_new(other, 64 * 1024, EDNA_REGION_HOST, &theirs));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &mine));
	fill_pattern(theirs.cpu, theirs.size, 1);
	/* Their address, our job: our address space does not map it. */
	struct drm_edna_job c = { .queue = 0, .op = EDNA_JOB_COPY, .src = theirs.va,
				  .dst = mine.va, .size = 4096 };
	if (theirs.va == mine.va)
		c.src = mine.va + mine.size;
	ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
	ASSERT_EQ(0, wait_job(self->fd, c.seqno, 5 * SEC, &st));
	EXPECT_EQ(-EFAULT, st);
	/* And we cannot write theirs. */
	struct drm_edna_job f = { .queue = 0, .op = EDNA_JOB_FILL, .dst = theirs.va, .size = 4096 };
	if (theirs.va == mine.va)
		f.dst = mine.va + mine.size;
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));
	ASSERT_EQ(0, wait_job(self->fd, f.seqno, 5 * SEC, &st));
	EXPECT_EQ(-EFAULT, st);
	EXPECT_EQ(1, ((uint32_t *)theirs.cpu)[0]);
	edna_bo_free(other, &theirs);
	close(other);
	edna_bo_free(self->fd, &mine);
}

TEST_F(edna_job, faulting_job_fails_while_other_client_completes)
{
	int other = edna_open(0);
	__u64 good[8];
	int i, st;

	ASSERT_LE(0, other);
	struct drm_edna_job c = { .queue = 2, .op = EDNA_JOB_COPY, .src = 1ULL << 33,
				  .dst = 1ULL << 34, .size = 64 };
	ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, nop(other, 2, &good[i]));
	ASSERT_EQ(0, wait_job(self->fd, c.seqno, 5 * SEC, &st));
	EXPECT_EQ(-EFAULT, st);
	/* WAIT consumes nothing: asking again reads the same failure. */
	st = 0;
	ASSERT_EQ(0, wait_job(self->fd, c.seqno, 0, &st));
	EXPECT_EQ(-EFAULT, st);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, wait_job(other, good[i], 5 * SEC, &st));
		EXPECT_EQ(0, st);
	}
	close(other);
}

/* jobs_done of sysfs: completions per queue, all clients. */
static int read_jobs_done(long long *done, int max)
{
	FILE *f = fopen(SYSFS "jobs_done", "r");
	int i;

	if (!f)
		return -1;
	for (i = 0; i < max && fscanf(f, "%lld", &done[i]) == 1; i++)
		;
	fclose(f);
	return i;
}

/* Ten thousand SUBMIT and WAIT calls: minutes on the KASAN kernel. */
TEST_F_TIMEOUT(edna_job, ten_thousand_jobs_none_lost_or_doubled, 600)
{
	/*
	 * The kernel keeps the results of the last EDNA_WAIT_KEPT_RESULTS
	 * completed jobs: check each window of 512 before submitting more.
	 */
	const int n = 10000, window = 512;
	long long before[8], after[8];
	__u64 seqnos[512], prev = 0;
	int i, j, st, bad_order = 0, failed = 0;

	ASSERT_LE(4, read_jobs_done(before, 8));
	for (i = 0; i < n; i += window) {
		int count = n - i < window ? n - i : window;

		for (j = 0; j < count; j++) {
			ASSERT_EQ(0, nop(self->fd, (i + j) % 4, &seqnos[j]));
			bad_order += seqnos[j] <= prev;
			prev = seqnos[j];
		}
		for (j = 0; j < count; j++) {
			ASSERT_EQ(0, wait_job(self->fd, seqnos[j], 30 * SEC, &st));
			failed += st != 0;
		}
	}
	EXPECT_EQ(0, bad_order);
	EXPECT_EQ(0, failed);
	ASSERT_LE(4, read_jobs_done(after, 8));
	/* Exactly n more completions, spread evenly over the four queues. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(n / 4, after[i] - before[i]);
}

TEST_F(edna_job, closing_with_jobs_in_flight_is_clean)
{
	int fd = edna_open(0), i;
	struct edna_bo b;
	__u64 seqno;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edna_bo_new(fd, 256 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "50"));
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_WRITE);
	for (i = 0; i < 100; i++) {
		struct drm_edna_job f = { .queue = i % 4, .op = EDNA_JOB_FILL, .dst = b.va,
					  .size = b.size, .bos = (uintptr_t)&ref, .bo_count = 1 };

		ASSERT_EQ(0, edna_submit(fd, &f, 1));
	}
	munmap(b.cpu, b.size);
	close(fd);
	edna_write_file(SIM "chunk_delay_us", "0");
	/* The device carries on for everyone else. */
	ASSERT_EQ(0, nop(self->fd, 0, &seqno));
	EXPECT_EQ(0, wait_job(self->fd, seqno, 30 * SEC, NULL));
}

/*
 * A job that waits for a syncobj nobody will signal never reaches the
 * device; closing its file must not wait for it, and a job of another
 * client waiting for it through an exported fence learns it was dropped.
 */
TEST_F(edna_job, close_does_not_wait_for_a_job_blocked_on_a_fence)
{
	int fd = edna_open(0);
	struct drm_syncobj_create never = {}, out = {};
	struct drm_syncobj_handle exp = {}, imp = {};
	struct drm_syncobj_create mine = {};
	struct drm_syncobj_wait w = {};
	struct drm_edna_sync syncs[2];
	struct drm_edna_job j = { .queue = 2, .op = EDNA_JOB_NOP, .syncs = (uintptr_t)syncs,
				  .sync_count = 2 };
	long long t0, took;
	__u32 theirs;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &never));
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &out));
	syncs[0] = (struct drm_edna_sync){ .handle = never.handle, .flags = EDNA_SYNC_SIGNAL };
	syncs[1] = (struct drm_edna_sync){ .handle = out.handle, .flags = EDNA_SYNC_SIGNAL };
	/* Hang queue 3 so that the fence in "never" stays unsignalled. */
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "3"));
	j.queue = 3;
	j.sync_count = 1;
	ASSERT_EQ(0, edna_submit(fd, &j, 1));
	ASSERT_EQ(1, edna_sim_wait_queue_hung(3, 10 * SEC));
	/* This one waits behind the hung job, then signals "out". */
	syncs[0].flags = EDNA_SYNC_WAIT;
	j.queue = 2;
	j.sync_count = 2;
	ASSERT_EQ(0, edna_submit(fd, &j, 1));
	exp.handle = out.handle;
	exp.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &exp));

	t0 = edna_now_ns();
	close(fd);
	took = edna_now_ns() - t0;
	TH_LOG("close took %lld ms", took / 1000000);
	EXPECT_GT(SEC, took);

	/*
	 * The dropped job's fence ends once what it waited for did, seen from
	 * another file: reset the hung queue, which cancels the first job.
	 */
	edna_write_file(SIM "hang_queue", "-1");
	ASSERT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_CREATE, &mine));
	imp.fd = exp.fd;
	imp.handle = mine.handle;
	imp.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp));
	theirs = mine.handle;
	w.handles = (uintptr_t)&theirs;
	w.count_handles = 1;
	w.timeout_nsec = edna_deadline(10 * SEC);
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_WAIT, &w));
	close(exp.fd);
}

TEST_F(edna_job, operator_reset_fails_jobs_on_the_device)
{
	__u64 stuck, after;
	int st;

	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "2"));
	ASSERT_EQ(0, nop(self->fd, 2, &stuck));
	ASSERT_EQ(1, edna_sim_wait_queue_hung(2, 5 * SEC));
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
	struct edna_bo a, b;
	FILE *f;
	int st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &a));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "500"));
	t0 = edna_now_ns();
	struct drm_edna_job c = { .queue = 3, .op = EDNA_JOB_COPY, .src = a.va, .dst = b.va,
				  .size = a.size };
	ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
	ASSERT_EQ(0, wait_job(self->fd, c.seqno, 30 * SEC, &st));
	wall = edna_now_ns() - t0;
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
	edna_bo_free(self->fd, &a), edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, bad_submissions_are_rejected)
{
	struct drm_edna_sync syncs[EDNA_SUBMIT_MAX_SYNCS + 1] = {};
	struct drm_edna_bo_ref refs[2];
	struct drm_edna_job j = { .op = EDNA_JOB_NOP };
	struct edna_bo b;
	__u32 sync;

	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &sync));
	j.queue = 99;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.queue = 0, j.priority = EDNA_PRIORITY_COUNT;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.priority = 0, j.op = 77;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.op = EDNA_JOB_NOP, j.size = 4;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.op = EDNA_JOB_FILL, j.size = 6, j.dst = 1ULL << 32;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.op = EDNA_JOB_FILL, j.size = EDNA_SUBMIT_MAX_SIZE + 4;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.op = EDNA_JOB_COPY, j.size = 4096, j.src = (1ULL << 39) - 10;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	/* A graph job names its graph and its argument block, and nothing else. */
	j.op = EDNA_JOB_GRAPH, j.size = 0, j.src = 0, j.dst = b.va;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.src = b.va, j.dst = 0;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.dst = b.va, j.size = 4;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.size = 0, j.src = 1ULL << 39;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.src = 0;
	j.op = EDNA_JOB_NOP, j.dst = 0;
	j.flags = 1;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.flags = 0, j.pad = 1;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.pad = 0;

	/* Buffers: a bounded count, known handles, each once, one access flag. */
	refs[0] = (struct drm_edna_bo_ref)REF(0xdead, EDNA_BO_READ);
	j.bos = (uintptr_t)refs, j.bo_count = EDNA_SUBMIT_MAX_BOS + 1;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.bo_count = 1;
	EXPECT_EQ(-ENOENT, edna_submit(self->fd, &j, 1));
	refs[0].handle = b.handle;
	refs[0].flags = 0;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	refs[0].flags = EDNA_BO_READ | EDNA_BO_WRITE;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	refs[0].flags = 0x80;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	refs[0].flags = EDNA_BO_READ;
	refs[1] = (struct drm_edna_bo_ref)REF(b.handle, EDNA_BO_WRITE);
	j.bo_count = 2;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1)) TH_LOG("a handle twice in one job");
	j.bos = 8, j.bo_count = 1;
	EXPECT_EQ(-EFAULT, edna_submit(self->fd, &j, 1));
	j.bos = 0, j.bo_count = 0;

	/* Syncs: a bounded count, known syncobjs, exactly one of WAIT and SIGNAL. */
	j.syncs = (uintptr_t)syncs, j.sync_count = EDNA_SUBMIT_MAX_SYNCS + 1;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.sync_count = 1;
	syncs[0] = (struct drm_edna_sync){ .handle = 0xdead, .flags = EDNA_SYNC_WAIT };
	EXPECT_EQ(-ENOENT, edna_submit(self->fd, &j, 1));
	syncs[0].flags = EDNA_SYNC_SIGNAL;
	EXPECT_EQ(-ENOENT, edna_submit(self->fd, &j, 1));
	syncs[0].handle = sync, syncs[0].flags = 0;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	syncs[0].flags = EDNA_SYNC_WAIT | EDNA_SYNC_SIGNAL;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	syncs[0].flags = 0x80;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.syncs = 8;
	EXPECT_EQ(-EFAULT, edna_submit(self->fd, &j, 1));
	j.syncs = 0, j.sync_count = 0;

	/* Still a good job after all that. */
	EXPECT_EQ(0, edna_submit(self->fd, &j, 1));
	drmSyncobjDestroy(self->fd, sync);
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, bad_submit_headers_are_rejected)
{
	struct drm_edna_job jobs[EDNA_SUBMIT_MAX_JOBS + 1] = {};
	struct drm_edna_submit s = {
		.jobs = (uintptr_t)jobs, .job_count = 1, .job_stride = sizeof(jobs[0]),
	};

	s.flags = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.flags = 0, s.pad = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.pad = 0, s.reserved = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.reserved = 0, s.job_count = 0;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.job_count = EDNA_SUBMIT_MAX_JOBS + 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.job_count = 1, s.job_stride = 0;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.job_stride = 4;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.job_stride = sizeof(jobs[0]) + 4;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s)) TH_LOG("stride %% 8");
	s.job_stride = 4096 + 8;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.job_stride = sizeof(jobs[0]), s.jobs = 8;
	EXPECT_EQ(-EFAULT, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	s.jobs = (uintptr_t)jobs, s.job_count = EDNA_SUBMIT_MAX_JOBS;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
}

TEST_F(edna_job, batch_of_64_jobs_completes_in_order)
{
	struct drm_edna_job jobs[64];
	struct edna_bo b;
	int i, st, bad_order = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, 32 * PAGE, EDNA_REGION_HOST, &b));
	/* Every job writes its own page: no implicit ordering needed. */
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_NO_SYNC);
	for (i = 0; i < 64; i++) {
		jobs[i] = (struct drm_edna_job){ .queue = i % 4, .priority = EDNA_PRIORITY_NORMAL,
						 .op = EDNA_JOB_NOP };
		if (i % 2)
			continue;
		jobs[i].op = EDNA_JOB_FILL;
		jobs[i].dst = b.va + i / 2 * PAGE;
		jobs[i].size = PAGE;
		jobs[i].pattern = 0x1000 + i;
		jobs[i].bos = (uintptr_t)&ref;
		jobs[i].bo_count = 1;
	}
	ASSERT_EQ(0, edna_submit(self->fd, jobs, 64));
	EXPECT_LT(0, jobs[0].seqno);
	for (i = 1; i < 64; i++)
		bad_order += jobs[i].seqno <= jobs[i - 1].seqno;
	EXPECT_EQ(0, bad_order);
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, wait_job(self->fd, jobs[i].seqno, 10 * SEC, &st));
		EXPECT_EQ(0, st);
	}
	for (i = 0; i < 64; i += 2)
		EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + i / 2 * PAGE, PAGE, 0x1000 + i))
			TH_LOG("job %d", i);
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, batch_with_a_bad_job_queues_nothing)
{
	struct drm_edna_job jobs[6];
	struct edna_bo b;
	__u64 fence;
	int i, st, written = 0, seqnos = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, 5 * PAGE, EDNA_REGION_HOST, &b));
	memset(b.cpu, 0, b.size);
	struct drm_edna_bo_ref good = REF(b.handle, EDNA_BO_WRITE);
	struct drm_edna_bo_ref unknown = REF(0xdead, EDNA_BO_READ);
	for (i = 0; i < 5; i++)
		jobs[i] = (struct drm_edna_job){ .queue = 1, .op = EDNA_JOB_FILL,
						 .dst = b.va + i * PAGE, .size = PAGE,
						 .pattern = 0xbad0 + i, .bos = (uintptr_t)&good,
						 .bo_count = 1 };
	jobs[5] = (struct drm_edna_job){ .queue = 1, .op = EDNA_JOB_NOP,
					 .bos = (uintptr_t)&unknown, .bo_count = 1 };
	EXPECT_EQ(-ENOENT, edna_submit(self->fd, jobs, 6));
	/* A bad last job of another kind: no different. */
	jobs[5] = (struct drm_edna_job){ .queue = 1, .op = 77 };
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, jobs, 6));
	for (i = 0; i < 6; i++)
		seqnos += jobs[i].seqno != 0;
	EXPECT_EQ(0, seqnos);

	/* Had jobs 0-4 been queued, they would be done after this. */
	ASSERT_EQ(0, nop(self->fd, 1, &fence));
	ASSERT_EQ(0, wait_job(self->fd, fence, 10 * SEC, &st));
	for (i = 0; i < 5 * PAGE / 4; i++)
		written += ((uint32_t *)b.cpu)[i] != 0;
	EXPECT_EQ(0, written);
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, smaller_job_stride_is_zero_extended)
{
	/* A caller built before result_va and seqno existed. */
	enum { stride = offsetof(struct drm_edna_job, result_va) };
	unsigned char raw[2 * stride + 16], before[sizeof(raw)];
	struct edna_bo b;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 2 * PAGE, EDNA_REGION_HOST, &b));
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_WRITE);
	memset(raw, 0xa5, sizeof(raw));
	for (i = 0; i < 2; i++) {
		struct drm_edna_job j = { .queue = 2, .op = EDNA_JOB_FILL, .dst = b.va + i * PAGE,
					  .size = PAGE, .pattern = 0x5a11 + i,
					  .bos = (uintptr_t)&ref, .bo_count = 1 };

		memcpy(raw + i * stride, &j, stride);
	}
	memcpy(before, raw, sizeof(raw));
	struct drm_edna_submit s = { .jobs = (uintptr_t)raw, .job_count = 2, .job_stride = stride };
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	/* No seqno written back: the caller's struct has no room for it. */
	EXPECT_EQ(0, memcmp(before, raw, sizeof(raw)));
	ASSERT_EQ(0, edna_wait_bo(self->fd, b.handle, edna_deadline(10 * SEC), &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(PAGE / 4, edna_first_not(b.cpu, PAGE, 0x5a11));
	EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + PAGE, PAGE, 0x5a12));

	/* The smallest stride: a queue and a priority, the rest a NOP. */
	struct drm_edna_job tiny = { .queue = 1, .priority = EDNA_PRIORITY_NORMAL };
	s.jobs = (uintptr_t)&tiny, s.job_count = 1, s.job_stride = 8;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, larger_job_stride_needs_zeros_past_the_struct)
{
	/* A caller built against a newer ABI with one more field. */
	struct newer_job {
		struct drm_edna_job job;
		__u64 future;
	} jobs[2] = {
		{ .job = { .queue = 0, .priority = EDNA_PRIORITY_NORMAL } },
		{ .job = { .queue = 1, .priority = EDNA_PRIORITY_NORMAL } },
	};
	struct drm_edna_submit s = {
		.jobs = (uintptr_t)jobs, .job_count = 2, .job_stride = sizeof(jobs[0]),
	};
	static unsigned char page[4096];
	int st;

	jobs[1].future = 1;
	EXPECT_EQ(-E2BIG, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	EXPECT_EQ(0, jobs[0].job.seqno);
	jobs[1].future = 0;
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	EXPECT_LT(0, jobs[0].job.seqno);
	EXPECT_LT(jobs[0].job.seqno, jobs[1].job.seqno);
	ASSERT_EQ(0, wait_job(self->fd, jobs[1].job.seqno, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, jobs[1].future);

	/* The largest stride the kernel takes, 4 KiB, zeros past the struct. */
	memset(page, 0, sizeof(page));
	memcpy(page, &jobs[0].job, sizeof(jobs[0].job));
	s.jobs = (uintptr_t)page, s.job_count = 1, s.job_stride = sizeof(page);
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
	page[sizeof(page) - 1] = 1;
	EXPECT_EQ(-E2BIG, edna_ioctl(self->fd, DRM_IOCTL_EDNA_SUBMIT, &s));
}

TEST_F_TIMEOUT(edna_job, more_than_4096_jobs_in_flight_is_ebusy, 120)
{
	struct drm_edna_job jobs[EDNA_SUBMIT_MAX_JOBS];
	int other = edna_open(0), i, st;
	__u64 last, others;

	ASSERT_LE(0, other);
	for (i = 0; i < EDNA_SUBMIT_MAX_JOBS; i++)
		jobs[i] = (struct drm_edna_job){ .queue = 3, .priority = EDNA_PRIORITY_NORMAL };
	/* The queue stalls on its first job: nothing completes meanwhile. */
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "60000"));
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "3"));
	for (i = 0; i < 4096 / EDNA_SUBMIT_MAX_JOBS; i++)
		ASSERT_EQ(0, edna_submit(self->fd, jobs, EDNA_SUBMIT_MAX_JOBS)) TH_LOG("batch %d", i);
	last = jobs[EDNA_SUBMIT_MAX_JOBS - 1].seqno;
	EXPECT_EQ(-EBUSY, nop(self->fd, 3, NULL));
	/* The limit is per file. */
	EXPECT_EQ(0, nop(other, 3, &others));
	ASSERT_EQ(1, edna_sim_wait_queue_hung(3, 5 * SEC));
	/* The operator's reset cancels what is on the device; the rest runs. */
	ASSERT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	ASSERT_EQ(0, wait_job(self->fd, last, 60 * SEC, &st));
	EXPECT_EQ(0, st);
	ASSERT_EQ(0, wait_job(other, others, 10 * SEC, &st));
	close(other);
}

TEST_F(edna_job, wait_on_a_buffer_waits_for_its_jobs)
{
	struct edna_bo b;
	int st = -1;

	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "300"));
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_WRITE);
	struct drm_edna_job f = { .queue = 0, .op = EDNA_JOB_FILL, .dst = b.va, .size = b.size,
				  .pattern = 0x600df00d, .bos = (uintptr_t)&ref, .bo_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));
	EXPECT_EQ(-ETIME, edna_wait_bo(self->fd, b.handle, 0, &st));
	EXPECT_EQ(0, edna_wait_bo(self->fd, b.handle, edna_deadline(30 * SEC), &st));
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, st);
	EXPECT_EQ(0x600df00d, ((uint32_t *)b.cpu)[b.size / 4 - 1]);
	EXPECT_EQ(-ENOENT, edna_wait_bo(self->fd, 0xbad, edna_deadline(SEC), &st));
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, wait_bo_reports_the_failure_of_a_completed_job)
{
	struct drm_edna_job_result res;
	struct edna_bo b;
	int st = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &b));
	/* Two pages into a one-page buffer: the second is its guard page. */
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_WRITE);
	struct drm_edna_job f = { .queue = 1, .op = EDNA_JOB_FILL, .dst = b.va, .size = 2 * PAGE,
				  .pattern = 0x0f0f0f0f, .bos = (uintptr_t)&ref, .bo_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));
	ASSERT_EQ(0, edna_wait(self->fd, f.seqno, edna_deadline(5 * SEC), &st, &res));
	EXPECT_EQ(-EFAULT, st);
	/* The job's fence has signalled: WAIT_BO must still see its error. */
	st = 0;
	ASSERT_EQ(0, edna_wait_bo(self->fd, b.handle, edna_deadline(5 * SEC), &st));
	EXPECT_EQ(-EFAULT, st);
	st = 0;
	ASSERT_EQ(0, edna_wait_bo(self->fd, b.handle, 0, &st));
	EXPECT_EQ(-EFAULT, st);
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, mmu_fault_result_names_the_faulting_address)
{
	struct drm_edna_job_result res;
	struct edna_bo b;
	int st = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &b));
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_WRITE);
	struct drm_edna_job f = { .queue = 2, .op = EDNA_JOB_FILL, .dst = b.va, .size = 2 * PAGE,
				  .bos = (uintptr_t)&ref, .bo_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));
	memset(&res, 0xa5, sizeof(res));
	ASSERT_EQ(0, edna_wait(self->fd, f.seqno, edna_deadline(5 * SEC), &st, &res));
	EXPECT_EQ(-EFAULT, st);
	EXPECT_EQ(f.seqno, res.seqno);
	EXPECT_EQ(EDNA_STATUS_MMU_FAULT, res.status);
	EXPECT_EQ(EDNA_FAULT_REASON_UNMAPPED, res.reason);
	EXPECT_EQ(b.va + PAGE, res.fault_va);
	EXPECT_EQ(0, res.op_index);
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, result_record_counts_the_bytes_moved)
{
	struct drm_edna_job_result res[2];
	const __u64 n = 64 * 1024;
	struct edna_bo rec, src, dst, dev;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &rec));
	ASSERT_EQ(0, edna_bo_new(self->fd, n, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, n, EDNA_REGION_HOST, &dst));
	ASSERT_EQ(0, edna_bo_new(self->fd, n, EDNA_REGION_DRAM, &dev));
	memset(rec.cpu, 0xa5, PAGE);
	fill_pattern(src.cpu, n, 17);
	/* A FILL of n into host memory, then a COPY of n from host to DRAM. */
	struct drm_edna_bo_ref fill_bos[] = {
		REF(dst.handle, EDNA_BO_WRITE), REF(rec.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_bo_ref copy_bos[] = {
		REF(src.handle, EDNA_BO_READ), REF(dev.handle, EDNA_BO_WRITE),
		REF(rec.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_job jobs[] = {
		{ .queue = 0, .op = EDNA_JOB_FILL, .dst = dst.va, .size = n, .pattern = 1,
		  .bos = (uintptr_t)fill_bos, .bo_count = 2, .result_va = rec.va },
		{ .queue = 1, .op = EDNA_JOB_COPY, .src = src.va, .dst = dev.va, .size = n,
		  .bos = (uintptr_t)copy_bos, .bo_count = 3,
		  .result_va = rec.va + sizeof(res[0]) },
	};
	ASSERT_EQ(0, edna_submit(self->fd, jobs, 2));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, edna_wait(self->fd, jobs[i].seqno, edna_deadline(10 * SEC), &st,
				       &res[i]));
		EXPECT_EQ(0, st);
		EXPECT_EQ(jobs[i].seqno, res[i].seqno);
		EXPECT_EQ(EDNA_STATUS_OK, res[i].status);
		EXPECT_EQ(0, res[i].fault_va);
		EXPECT_LT(0, res[i].cycles);
		/* The device wrote the same record at result_va. */
		EXPECT_EQ(0, memcmp(&res[i], (char *)rec.cpu + i * sizeof(res[0]), sizeof(res[0])))
			TH_LOG("job %d", i);
	}
	EXPECT_EQ(n, res[0].bytes[EDNA_REGION_HOST][1]);
	EXPECT_EQ(0, res[0].bytes[EDNA_REGION_DRAM][1]);
	EXPECT_EQ(0, res[0].bytes[EDNA_REGION_SRAM][1]);
	EXPECT_EQ(n, res[1].bytes[EDNA_REGION_HOST][0]);
	EXPECT_EQ(n, res[1].bytes[EDNA_REGION_DRAM][1]);
	EXPECT_EQ(0, res[1].bytes[EDNA_REGION_SRAM][0]);
	/* Past the two records, nothing was written. */
	EXPECT_EQ(0xa5a5a5a5, ((uint32_t *)rec.cpu)[2 * sizeof(res[0]) / 4]);
	edna_bo_free(self->fd, &rec), edna_bo_free(self->fd, &src);
	edna_bo_free(self->fd, &dst), edna_bo_free(self->fd, &dev);
}

TEST_F(edna_job, result_copy_negotiates_its_size)
{
	unsigned char buf[sizeof(struct drm_edna_job_result) + 16];
	struct drm_edna_wait w = { .deadline_ns = edna_deadline(5 * SEC) };
	struct drm_edna_job_result full;
	__u64 seqno;

	ASSERT_EQ(0, nop(self->fd, 0, &seqno));
	w.seqno = seqno;
	w.result = (uintptr_t)buf;
	/* An older, smaller caller gets exactly what it asked for. */
	memset(buf, 0xa5, sizeof(buf));
	w.result_size = 8;
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	EXPECT_EQ(sizeof(full), w.result_size);
	EXPECT_EQ(0, memcmp(buf, &seqno, 8));
	EXPECT_EQ(0xa5, buf[8]);
	/* A newer, larger caller learns how much the kernel filled. */
	w.result_size = sizeof(buf);
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	EXPECT_EQ(sizeof(full), w.result_size);
	EXPECT_EQ(0xa5, buf[sizeof(full)]);
	memcpy(&full, buf, sizeof(full));
	EXPECT_EQ(seqno, full.seqno);
	EXPECT_EQ(EDNA_STATUS_OK, full.status);
}

struct repeated_wait {
	int fd;
	__u64 seqno;
	int rounds;
	int mismatches;
};

static void *wait_repeatedly(void *arg)
{
	struct repeated_wait *r = arg;
	int i;

	for (i = 0; i < r->rounds; i++) {
		int st = 0, ret = edna_wait(r->fd, r->seqno, edna_deadline(5 * SEC), &st, NULL);

		r->mismatches += ret != 0 || st != -EFAULT;
	}
	return NULL;
}

TEST_F(edna_job, repeated_waits_on_a_failed_job_read_the_same_status)
{
	struct repeated_wait r[2];
	pthread_t threads[2];
	int i;

	struct drm_edna_job f = { .queue = 3, .op = EDNA_JOB_FILL, .dst = 1ULL << 35, .size = 4 };
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));
	/* Two waiters from the start, while it runs and long after it failed. */
	for (i = 0; i < 2; i++) {
		r[i] = (struct repeated_wait){ .fd = self->fd, .seqno = f.seqno, .rounds = 200 };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, wait_repeatedly, &r[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_EQ(0, r[i].mismatches) TH_LOG("thread %d", i);
	}
	wait_repeatedly(&r[0]);
	EXPECT_EQ(0, r[0].mismatches);
}

TEST_F(edna_job, wait_deadline_is_absolute_and_a_past_one_polls)
{
	long long t0, deadline;
	struct edna_bo b;
	int st = -1;

	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &b));
	/* 256 chunks of at least 2 ms: half a second or more. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "2000"));
	struct drm_edna_bo_ref ref = REF(b.handle, EDNA_BO_WRITE);
	struct drm_edna_job f = { .queue = 0, .op = EDNA_JOB_FILL, .dst = b.va, .size = b.size,
				  .bos = (uintptr_t)&ref, .bo_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));

	t0 = edna_now_ns();
	EXPECT_EQ(-ETIME, edna_wait(self->fd, f.seqno, t0 - SEC, &st, NULL));
	EXPECT_EQ(-ETIME, edna_wait(self->fd, f.seqno, 0, &st, NULL));
	EXPECT_EQ(-ETIME, edna_wait(self->fd, f.seqno, INT64_MIN, &st, NULL));
	EXPECT_GT(t0 + SEC / 10, edna_now_ns()) TH_LOG("a past deadline only polls");

	deadline = edna_deadline(SEC / 10);
	EXPECT_EQ(-ETIME, edna_wait(self->fd, f.seqno, deadline, &st, NULL));
	EXPECT_LE(deadline, edna_now_ns()) TH_LOG("gave up before the deadline");

	/* The end of time is a deadline too. */
	ASSERT_EQ(0, edna_wait(self->fd, f.seqno, INT64_MAX, &st, NULL));
	EXPECT_EQ(0, st);
	edna_write_file(SIM "chunk_delay_us", "0");
	/* A completed job polls as completed. */
	st = -1;
	EXPECT_EQ(0, edna_wait(self->fd, f.seqno, 0, &st, NULL));
	EXPECT_EQ(0, st);
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, bad_waits_are_rejected)
{
	struct drm_edna_bo_create c = { .size = PAGE, .region = EDNA_REGION_HOST };
	struct drm_edna_job_result res;
	struct drm_edna_wait w = {};
	int other = edna_open(0);
	__u64 seqno, theirs;
	int st;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, nop(self->fd, 0, &seqno));
	ASSERT_EQ(0, wait_job(self->fd, seqno, 5 * SEC, &st));
	/* No job has sequence number 0, nor one the device has not issued. */
	EXPECT_EQ(-EINVAL, edna_wait(self->fd, 0, edna_deadline(SEC), &st, NULL));
	EXPECT_EQ(-EINVAL, edna_wait(self->fd, seqno + (1ULL << 40), edna_deadline(SEC), &st,
				     NULL));
	/* Another file's job is not ours to read. */
	ASSERT_EQ(0, nop(other, 0, &theirs));
	EXPECT_EQ(-ENOENT, edna_wait(self->fd, theirs, edna_deadline(SEC), &st, NULL));
	ASSERT_EQ(0, wait_job(other, theirs, 5 * SEC, &st));
	EXPECT_EQ(-ENOENT, edna_wait(self->fd, theirs, edna_deadline(SEC), &st, NULL));

	w.seqno = seqno, w.deadline_ns = edna_deadline(SEC);
	w.flags = 2;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.flags = 0, w.pad = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.pad = 0;
	w.result = 8, w.result_size = sizeof(res);
	EXPECT_EQ(-EFAULT, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	/* A buffer has no single result record to copy. */
	w.result = (uintptr_t)&res, w.flags = EDNA_WAIT_BO;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	/* Handles are 32 bits: a larger one is not truncated into a valid one. */
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_CREATE, &c));
	w.result = 0, w.result_size = 0, w.seqno = (1ULL << 32) | c.handle;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.seqno = c.handle;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	w.seqno = seqno;
	w.result = 0, w.result_size = 0, w.flags = 0;
	/* A negative deadline is just long past: a poll of a done job. */
	w.deadline_ns = -1;
	EXPECT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_WAIT, &w));
	EXPECT_EQ(0, w.status);
	close(other);
}

/* What one WAIT poller saw while the job it predicted was being submitted. */
struct wait_race {
	int fd;
	__u64 seqno;
	const uint32_t *dst;
	size_t size;
	uint32_t pattern;
	atomic_int stop;
	int done_early;		/* done while the memory was not all written */
	int undone;		/* not done after a WAIT said done */
	int bad_return;		/* neither 0, -EINVAL nor -ETIME */
};

static void *poll_predicted_seqno(void *arg)
{
	struct wait_race *r = arg;
	int done = 0;

	while (!atomic_load(&r->stop)) {
		int st = -1, ret = edna_wait(r->fd, r->seqno, 0, &st, NULL);

		if (!ret && !done) {
			done = 1;
			if (st || edna_first_not(r->dst, r->size, r->pattern) != r->size / 4)
				r->done_early++;
		} else if (ret && done) {
			r->undone++;
		} else if (ret && ret != -EINVAL && ret != -ETIME) {
			r->bad_return = ret;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(edna_job, wait_never_reports_a_job_done_before_it_ran, 120)
{
	struct drm_edna_bo_ref refs[EDNA_SUBMIT_MAX_BOS];
	struct edna_bo dst, extra[EDNA_SUBMIT_MAX_BOS - 1];
	int i, round, st, mispredicted = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &dst));
	refs[0] = (struct drm_edna_bo_ref)REF(dst.handle, EDNA_BO_WRITE);
	/* Many buffers make SUBMIT slow between taking a seqno and publishing it. */
	for (i = 0; i < EDNA_SUBMIT_MAX_BOS - 1; i++) {
		ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &extra[i]));
		refs[i + 1] = (struct drm_edna_bo_ref)REF(extra[i].handle, EDNA_BO_READ);
	}
	/* 256 chunks of at least 200 us: the job outlasts its SUBMIT. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "200"));
	for (round = 0; round < 20; round++) {
		struct wait_race r = { .fd = self->fd, .dst = dst.cpu, .size = dst.size,
				       .pattern = 0xc0de0000 + round };
		struct drm_edna_job f = { .queue = 0, .op = EDNA_JOB_FILL, .dst = dst.va,
					  .size = dst.size, .pattern = r.pattern,
					  .bos = (uintptr_t)refs, .bo_count = EDNA_SUBMIT_MAX_BOS };
		pthread_t poller;
		__u64 before;

		memset(dst.cpu, 0, dst.size);
		/* Nothing else submits meanwhile: the next seqno is this one's + 1. */
		ASSERT_EQ(0, nop(self->fd, 0, &before));
		r.seqno = before + 1;
		ASSERT_EQ(0, pthread_create(&poller, NULL, poll_predicted_seqno, &r));
		usleep(1000);
		EXPECT_EQ(0, edna_submit(self->fd, &f, 1));
		EXPECT_EQ(0, wait_job(self->fd, f.seqno, 30 * SEC, &st));
		EXPECT_EQ(0, st);
		atomic_store(&r.stop, 1);
		pthread_join(poller, NULL);
		mispredicted += f.seqno != r.seqno;
		EXPECT_EQ(0, r.done_early) TH_LOG("round %d: WAIT said done too early", round);
		EXPECT_EQ(0, r.undone) TH_LOG("round %d: done, then not", round);
		EXPECT_EQ(0, r.bad_return) TH_LOG("round %d: WAIT returned %d", round,
						  r.bad_return);
	}
	EXPECT_EQ(0, mispredicted);
	edna_write_file(SIM "chunk_delay_us", "0");
	for (i = 0; i < EDNA_SUBMIT_MAX_BOS - 1; i++)
		edna_bo_free(self->fd, &extra[i]);
	edna_bo_free(self->fd, &dst);
}

/*
 * Two COPYs out of one source buffer on different queues, a long one and
 * then a short one; returns whether the long one was still running when
 * the short one completed.
 */
static int short_copy_overtakes_long_one(struct __test_metadata *_metadata, int fd,
					 __u32 src_access)
{
	struct edna_bo src = {}, long_dst = {}, short_dst = {};
	int overtook, st;

	ASSERT_EQ(0, edna_bo_new(fd, 1 << 20, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(fd, 1 << 20, EDNA_REGION_HOST, &long_dst));
	ASSERT_EQ(0, edna_bo_new(fd, PAGE, EDNA_REGION_HOST, &short_dst));
	fill_pattern(src.cpu, src.size, 21);
	/* 256 chunks of at least 2 ms for the long one, one for the short one. */
	EXPECT_EQ(0, edna_write_file(SIM "chunk_delay_us", "2000"));
	struct drm_edna_bo_ref long_bos[] = {
		REF(src.handle, src_access), REF(long_dst.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_bo_ref short_bos[] = {
		REF(src.handle, src_access), REF(short_dst.handle, EDNA_BO_WRITE),
	};
	struct drm_edna_job long_copy = {
		.queue = 0, .op = EDNA_JOB_COPY, .src = src.va, .dst = long_dst.va,
		.size = src.size, .bos = (uintptr_t)long_bos, .bo_count = 2,
	};
	struct drm_edna_job short_copy = {
		.queue = 1, .op = EDNA_JOB_COPY, .src = src.va, .dst = short_dst.va,
		.size = PAGE, .bos = (uintptr_t)short_bos, .bo_count = 2,
	};
	EXPECT_EQ(0, edna_submit(fd, &long_copy, 1));
	EXPECT_EQ(0, edna_submit(fd, &short_copy, 1));
	EXPECT_EQ(0, wait_job(fd, short_copy.seqno, 30 * SEC, &st));
	EXPECT_EQ(0, st);
	overtook = wait_job(fd, long_copy.seqno, 0, NULL) == -ETIME;
	edna_write_file(SIM "chunk_delay_us", "0");
	EXPECT_EQ(0, wait_job(fd, long_copy.seqno, 30 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(src.cpu, long_dst.cpu, src.size));
	EXPECT_EQ(0, memcmp(src.cpu, short_dst.cpu, PAGE));
	edna_bo_free(fd, &src), edna_bo_free(fd, &long_dst), edna_bo_free(fd, &short_dst);
	return overtook;
}

TEST_F(edna_job, readers_of_a_buffer_do_not_wait_for_each_other)
{
	/* Weights shared by every job must not serialise the queues. */
	EXPECT_TRUE(short_copy_overtakes_long_one(_metadata, self->fd, EDNA_BO_READ));
}

TEST_F(edna_job, writers_of_a_buffer_wait_for_earlier_users)
{
	EXPECT_FALSE(short_copy_overtakes_long_one(_metadata, self->fd, EDNA_BO_WRITE));
}

TEST_F(edna_job, overlapping_copy_is_rejected)
{
	struct edna_bo b;
	int st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 4 * PAGE, EDNA_REGION_HOST, &b));
	fill_pattern(b.cpu, 2 * PAGE, 8);
	struct drm_edna_job c = { .queue = 0, .op = EDNA_JOB_COPY, .src = b.va,
				  .dst = b.va + PAGE, .size = 2 * PAGE };
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &c, 1));
	c.src = b.va + PAGE, c.dst = b.va;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &c, 1));
	c.src = b.va, c.dst = b.va;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &c, 1));
	c.src = b.va + 4, c.dst = b.va, c.size = 8;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &c, 1));
	/* Adjacent is not overlapping. */
	c.src = b.va, c.dst = b.va + 2 * PAGE, c.size = 2 * PAGE;
	ASSERT_EQ(0, edna_submit(self->fd, &c, 1));
	ASSERT_EQ(0, wait_job(self->fd, c.seqno, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, memcmp(b.cpu, (char *)b.cpu + 2 * PAGE, 2 * PAGE));
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, empty_fill_and_copy_are_rejected)
{
	struct edna_bo b;

	ASSERT_EQ(0, edna_bo_new(self->fd, 2 * PAGE, EDNA_REGION_HOST, &b));
	struct drm_edna_job j = { .queue = 0, .op = EDNA_JOB_FILL, .dst = b.va, .size = 0 };
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.dst = 1ULL << 35;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1)) TH_LOG("unmapped, nothing to do");
	j.op = EDNA_JOB_COPY, j.src = b.va, j.dst = b.va + PAGE;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	j.src = 1ULL << 35, j.dst = 1ULL << 36;
	EXPECT_EQ(-EINVAL, edna_submit(self->fd, &j, 1));
	edna_bo_free(self->fd, &b);
}

TEST_F(edna_job, repeated_faults_ban_the_client)
{
	int fd = edna_open(0), i, st;
	__u64 seqno;

	ASSERT_LE(0, fd);
	for (i = 0; i < 16; i++) {
		struct drm_edna_job c = { .queue = 1, .op = EDNA_JOB_FILL, .dst = 1ULL << 35,
					  .size = 4 };

		ASSERT_EQ(0, edna_submit(fd, &c, 1));
		ASSERT_EQ(0, wait_job(fd, c.seqno, 5 * SEC, &st));
		EXPECT_EQ(-EFAULT, st);
	}
	EXPECT_EQ(-ECANCELED, nop(fd, 1, &seqno));
	close(fd);
	/* Others are not affected. */
	EXPECT_EQ(0, nop(self->fd, 1, &seqno));
}

TEST_HARNESS_MAIN
