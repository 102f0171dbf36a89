// SPDX-License-Identifier: GPL-2.0
/*
 * edna_soak: 64 clients in as many processes on both devices, mixing
 * queues, priorities and ops (FILL, COPY through DRAM, batches of NOPs,
 * GRAPH, and a COPY from an unmapped address), while hangs are injected
 * on random queues.  Every job must end exactly once, with success and
 * the right bytes, or with the error of the fault it met; afterwards
 * the shared memory and every byte of device memory are free again.
 *
 * The references are the CPU's: memcmp for the copies, the fill pattern,
 * IEEE addition for the GRAPH's ADD.  EDNA_SOAK_ROUNDS sets the rounds of
 * each client (40).
 *
 * Copyright 2026 The edna authors
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define SEC		EDNA_SEC
#define CLIENTS		64
#define BUF		(64 * 1024)
#define VEC		64
#define REF(h, f)	{ .handle = (h), .flags = (f) }
#define HANG		"/sys/kernel/debug/edna_sim/edna_sim.0/hang_queue"

/* What one client saw, in memory shared with the parent. */
struct soak_tally {
	int jobs;		/* jobs submitted */
	int ok;			/* ended with status 0, data checked */
	int timedout;		/* ended with -ETIMEDOUT: an injected hang */
	int faulted;		/* the COPY from an unmapped address: -EFAULT */
	int bad;		/* anything else: lost, wrong data, wrong status */
	char why[96];
};

static __u32 rnd(__u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static void fail(struct soak_tally *t, const char *what, int v)
{
	if (!t->bad)
		snprintf(t->why, sizeof(t->why), "%s: %d", what, v);
	t->bad++;
}

/*
 * Wait for one job: 1 when it succeeded and its data is to be checked,
 * 0 when it met an injected hang (or @expect), -1 when that is a failure.
 */
static int settle(int fd, __u64 seqno, int expect, struct soak_tally *t)
{
	int ret, st = 0;

	ret = edna_wait(fd, seqno, edna_deadline(60 * SEC), &st, NULL);
	if (ret) {
		fail(t, "wait", ret);
		return -1;
	}
	if (st == expect && expect) {
		t->faulted++;
		return 0;
	}
	if (st == -ETIMEDOUT) {
		t->timedout++;
		return 0;
	}
	if (st) {
		fail(t, "status", st);
		return -1;
	}
	t->ok++;
	return 1;
}

static int submit(int fd, struct drm_edna_job *j, unsigned int n, struct soak_tally *t)
{
	int ret = edna_submit(fd, j, n);

	if (ret)
		fail(t, "submit", ret);
	else
		t->jobs += n;
	return ret;
}

/* The GRAPH arena: header, one ADD op, arguments, then x, y, z. */
struct soak_graph {
	struct drm_edna_graph_header h;
	struct drm_edna_graph_op op;
	struct drm_edna_graph_args args;
	__u32 tokens[2];
	float x[VEC], y[VEC], z[VEC];
};

static void soak_client(int minor, unsigned int rounds, __u64 seed, struct soak_tally *t)
{
	struct edna_bo a, b, d, g;
	struct soak_graph *sg;
	unsigned int r, i;
	int fd;

	fd = edna_open(minor);
	if (fd < 0 || edna_bo_new(fd, BUF, EDNA_REGION_HOST, &a) ||
	    edna_bo_new(fd, BUF, EDNA_REGION_HOST, &b) ||
	    edna_bo_new(fd, BUF, EDNA_REGION_DRAM, &d) ||
	    edna_bo_new(fd, sizeof(*sg), EDNA_REGION_HOST, &g)) {
		fail(t, "setup", fd);
		return;
	}
	sg = g.cpu;
	for (r = 0; r < rounds && !t->bad; r++) {
		__u32 queue = rnd(&seed) % 4, prio = rnd(&seed) % EDNA_PRIORITY_COUNT;
		__u32 pattern = rnd(&seed), kind = rnd(&seed) % 9 / 2;
		struct drm_edna_bo_ref ra[] = { REF(a.handle, EDNA_BO_WRITE) };
		struct drm_edna_bo_ref c1[] = {
			REF(a.handle, EDNA_BO_READ), REF(d.handle, EDNA_BO_WRITE),
		};
		struct drm_edna_bo_ref c2[] = {
			REF(d.handle, EDNA_BO_READ), REF(b.handle, EDNA_BO_WRITE),
		};
		struct drm_edna_bo_ref rg[] = { REF(g.handle, EDNA_BO_WRITE) };
		struct drm_edna_job j[8];

		memset(j, 0, sizeof(j));
		for (i = 0; i < 8; i++) {
			j[i].queue = queue;
			j[i].priority = prio;
		}
		switch (kind) {
		case 0:		/* FILL */
			j[0].op = EDNA_JOB_FILL;
			j[0].dst = a.va;
			j[0].size = BUF;
			j[0].pattern = pattern;
			j[0].bos = (uintptr_t)ra;
			j[0].bo_count = 1;
			if (!submit(fd, j, 1, t) && settle(fd, j[0].seqno, 0, t) == 1 &&
			    edna_first_not(a.cpu, BUF, pattern) != BUF / 4)
				fail(t, "fill data", r);
			break;
		case 1:		/* host -> DRAM -> host, on two queues */
			for (i = 0; i < BUF / 4; i++)
				((__u32 *)a.cpu)[i] = pattern + i * 2654435761u;
			j[0].op = EDNA_JOB_COPY;
			j[0].src = a.va;
			j[0].dst = d.va;
			j[0].size = BUF;
			j[0].bos = (uintptr_t)c1;
			j[0].bo_count = 2;
			j[1] = j[0];
			j[1].queue = (queue + 1) % 4;
			j[1].src = d.va;
			j[1].dst = b.va;
			j[1].bos = (uintptr_t)c2;
			if (submit(fd, j, 2, t))
				break;
			/* A hang in the first leaves the second nothing to check. */
			i = settle(fd, j[0].seqno, 0, t) == 1;
			if (settle(fd, j[1].seqno, 0, t) == 1 && i && memcmp(a.cpu, b.cpu, BUF))
				fail(t, "copy data", r);
			break;
		case 2:		/* a batch of NOPs, riding on one another */
			for (i = 0; i < 8; i++)
				j[i].op = EDNA_JOB_NOP;
			if (submit(fd, j, 8, t))
				break;
			for (i = 0; i < 8; i++)
				settle(fd, j[i].seqno, 0, t);
			break;
		case 3:		/* GRAPH: z = x + y */
			memset(sg, 0, sizeof(*sg));
			sg->h.magic = EDNA_GRAPH_MAGIC;
			sg->h.version_major = EDNA_GRAPH_VERSION_MAJOR;
			sg->h.header_size = sizeof(sg->h);
			sg->h.op_size = sizeof(sg->op);
			sg->h.op_count = 1;
			sg->h.max_tokens = 1;
			sg->op.opcode = EDNA_GOP_ADD;
			sg->op.dim[0] = VEC;
			sg->op.dst = g.va + offsetof(struct soak_graph, z);
			sg->op.src[0] = g.va + offsetof(struct soak_graph, x);
			sg->op.src[1] = g.va + offsetof(struct soak_graph, y);
			sg->args.n_tokens = 1;
			sg->args.steps = 1;
			for (i = 0; i < VEC; i++) {
				sg->x[i] = (float)(int)(rnd(&seed) % 2001 - 1000) / 7.0f;
				sg->y[i] = (float)(int)(rnd(&seed) % 2001 - 1000) / 3.0f;
			}
			j[0].op = EDNA_JOB_GRAPH;
			j[0].src = g.va;
			j[0].dst = g.va + offsetof(struct soak_graph, args);
			j[0].bos = (uintptr_t)rg;
			j[0].bo_count = 1;
			if (submit(fd, j, 1, t) || settle(fd, j[0].seqno, 0, t) != 1)
				break;
			for (i = 0; i < VEC; i++)
				if (sg->z[i] != sg->x[i] + sg->y[i]) {
					fail(t, "graph data", i);
					break;
				}
			break;
		default:	/* 1 in 9: a COPY from nowhere fails alone, with -EFAULT */
			j[0].op = EDNA_JOB_COPY;
			j[0].src = 1ULL << 38;
			j[0].dst = b.va;
			j[0].size = 4096;
			if (!submit(fd, j, 1, t))
				settle(fd, j[0].seqno, -EFAULT, t);
			break;
		}
	}
	edna_bo_free(fd, &a);
	edna_bo_free(fd, &b);
	edna_bo_free(fd, &d);
	edna_bo_free(fd, &g);
	close(fd);
}

/* All of DRAM in one buffer: possible only when no byte of it leaked. */
static int whole_dram_free(int minor)
{
	long long mib = edna_sim_param("dram_mib");
	struct edna_bo bo;
	int fd, ret;

	fd = edna_open(minor);
	if (fd < 0)
		return fd;
	ret = edna_bo_new(fd, mib << 20, EDNA_REGION_DRAM, &bo);
	if (!ret)
		edna_bo_free(fd, &bo);
	close(fd);
	return ret;
}

FIXTURE(edna_soak) {
	int unused;
};

FIXTURE_SETUP(edna_soak)
{
}

FIXTURE_TEARDOWN(edna_soak)
{
	edna_write_file(HANG, "-1");
	edna_write_file("/sys/class/accel/accel0/device/job_timeout_ms", "10000");
}

TEST_F_TIMEOUT(edna_soak, clients_lose_nothing_and_leak_nothing, 300)
{
	const char *env = getenv("EDNA_SOAK_ROUNDS");
	unsigned int rounds = env ? atoi(env) : 40;
	int ndev = edna_count_devices(), i, hangs = 0, status;
	long long shmem0, shmem1, end;
	struct soak_tally *t, sum = {};
	pid_t pid[CLIENTS];
	__u64 seed = 2026;

	ASSERT_LE(1, ndev);
	ASSERT_EQ(0, whole_dram_free(0));
	shmem0 = edna_meminfo_kib("Shmem");
	ASSERT_EQ(0, edna_write_file("/sys/class/accel/accel0/device/job_timeout_ms", "1000"));
	t = mmap(NULL, CLIENTS * sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	memset(t, 0, CLIENTS * sizeof(*t));
	for (i = 0; i < CLIENTS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			soak_client(i % ndev, rounds, 1000 + i, &t[i]);
			_exit(0);
		}
	}
	/*
	 * Hangs on the queues of device 0 as the clients start and at random
	 * while they run; not on queue 0, where the clearing jobs of new
	 * device buffers run.
	 */
	for (i = 1; i < 4; i++) {
		char q[4];

		snprintf(q, sizeof(q), "%d", i);
		if (!edna_write_file(HANG, q))
			hangs++;
	}
	end = edna_now_ns() + 240 * SEC;
	for (;;) {
		pid_t p = waitpid(-1, &status, WNOHANG);

		if (p < 0)
			break;
		if (p > 0) {
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
			continue;
		}
		if (edna_now_ns() > end) {
			for (i = 0; i < CLIENTS; i++)
				kill(pid[i], SIGKILL);
			ASSERT_TRUE(0) TH_LOG("clients still running after 240 s");
		}
		if (hangs < 8 && rnd(&seed) % 8 == 0) {
			char q[4];

			snprintf(q, sizeof(q), "%u", 1 + rnd(&seed) % 3);
			if (!edna_write_file(HANG, q))
				hangs++;
		}
		usleep(100 * 1000);
	}
	edna_write_file(HANG, "-1");

	for (i = 0; i < CLIENTS; i++) {
		EXPECT_EQ(0, t[i].bad) TH_LOG("client %d: %s", i, t[i].why);
		EXPECT_EQ(t[i].jobs, t[i].ok + t[i].timedout + t[i].faulted) TH_LOG("client %d", i);
		sum.jobs += t[i].jobs;
		sum.ok += t[i].ok;
		sum.timedout += t[i].timedout;
		sum.faulted += t[i].faulted;
	}
	/* A hang fails the job that hung, and no other. */
	EXPECT_GE(hangs, sum.timedout);
	EXPECT_LE(1, sum.timedout) TH_LOG("no injected hang met a job");
	TH_LOG("%d jobs: %d ok, %d failed by %d injected hangs, %d faulted as asked, %d lost or wrong",
	       sum.jobs, sum.ok, sum.timedout, hangs, sum.faulted,
	       sum.jobs - sum.ok - sum.timedout - sum.faulted);

	/* Everything let go of: device memory whole, shared memory back. */
	for (i = 0; i < ndev; i++) {
		int tries = 0;

		while (whole_dram_free(i) && tries++ < 50)
			usleep(100 * 1000);
		EXPECT_GT(50, tries) TH_LOG("device %d: DRAM still held", i);
	}
	shmem1 = edna_meminfo_kib("Shmem");
	TH_LOG("Shmem %lld KiB before, %lld KiB after", shmem0, shmem1);
	EXPECT_GE(shmem0 + 1024, shmem1);
	munmap(t, CLIENTS * sizeof(*t));
}

/* Poll for /dev/accel/accel@minor to open again after a bind. */
static int open_when_back(int minor)
{
	int fd = -1, i;

	for (i = 0; i < 200 && fd < 0; i++) {
		fd = edna_open(minor);
		if (fd < 0)
			usleep(10 * 1000);
	}
	return fd;
}

TEST_F_TIMEOUT(edna_soak, unbind_and_rebind_with_jobs_in_flight, 120)
{
	const char *sim1 = "/sys/kernel/debug/edna_sim/edna_sim.1/chunk_delay_us";
	struct drm_edna_bo_ref refs[2];
	struct drm_edna_job jobs[32];
	struct edna_bo src, dst;
	int fd, i, st, ok = 0, gone = 0;
	long long t0;

	if (edna_count_devices() < 2)
		SKIP(return, "needs a second device");
	fd = edna_open(1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edna_bo_new(fd, 1 << 20, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(fd, 1 << 20, EDNA_REGION_HOST, &dst));
	/* 256 chunks of 1 ms a job: the unbind finds them running and queued. */
	ASSERT_EQ(0, edna_write_file(sim1, "1000"));
	refs[0] = (struct drm_edna_bo_ref)REF(src.handle, EDNA_BO_NO_SYNC);
	refs[1] = (struct drm_edna_bo_ref)REF(dst.handle, EDNA_BO_NO_SYNC);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 32; i++)
		jobs[i] = (struct drm_edna_job){
			.queue = i % 4, .op = EDNA_JOB_COPY, .src = src.va, .dst = dst.va,
			.size = src.size, .bos = (uintptr_t)refs, .bo_count = 2,
		};
	ASSERT_EQ(0, edna_submit(fd, jobs, 32));
	ASSERT_EQ(0, edna_write_file("/sys/bus/platform/drivers/edna/unbind", "edna.1"));
	/*
	 * The unplugged device's ioctls fail with ENODEV (uapi.rst), WAIT
	 * included: nobody is left waiting, and the file closes at once.
	 */
	for (i = 0; i < 32; i++) {
		int ret = edna_wait(fd, jobs[i].seqno, edna_deadline(30 * SEC), &st, NULL);

		if (ret == -ENODEV)
			gone++;
		else if (!ret && !st)
			ok++;
		else
			EXPECT_EQ(-ENODEV, ret ? ret : st) TH_LOG("job %d", i);
	}
	EXPECT_EQ(32, ok + gone);
	EXPECT_LT(0, gone);
	EXPECT_EQ(-ENODEV, edna_submit(fd, jobs, 1));
	edna_bo_free(fd, &src);
	edna_bo_free(fd, &dst);
	t0 = edna_now_ns();
	close(fd);
	EXPECT_GT(5 * SEC, edna_now_ns() - t0);
	edna_write_file(sim1, "0");
	ASSERT_EQ(0, edna_write_file("/sys/bus/platform/drivers/edna/bind", "edna.1"));
	fd = open_when_back(1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edna_bo_new(fd, 1 << 20, EDNA_REGION_HOST, &src));
	memset(src.cpu, 0, src.size);
	jobs[0] = (struct drm_edna_job){ .op = EDNA_JOB_FILL, .dst = src.va, .size = src.size,
					 .pattern = 0x5a5a5a5a };
	ASSERT_EQ(0, edna_submit(fd, jobs, 1));
	ASSERT_EQ(0, edna_wait(fd, jobs[0].seqno, edna_deadline(10 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
	EXPECT_EQ(src.size / 4, edna_first_not(src.cpu, src.size, 0x5a5a5a5a));
	edna_bo_free(fd, &src);
	close(fd);
}

TEST_HARNESS_MAIN
