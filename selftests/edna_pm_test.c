// SPDX-License-Identifier: GPL-2.0
/*
 * edna_pm: power states, runtime PM, system suspend, hwmon power and
 * energy, residency (Documentation/power.rst).
 *
 * The truth for the energy is the model of hardware.rst: POWER_MW of each
 * state times the time spent in it, plus 320 pJ per byte moved to or from
 * host memory and 160 pJ per DRAM byte.  Times come from CLOCK_MONOTONIC
 * around each read, so every comparison brackets what it cannot sample at
 * one instant.
 *
 * Copyright 2026 The edna authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define DEV		"/sys/class/accel/accel0/device/"
#define SIM		"/sys/kernel/debug/edna_sim/edna_sim.0/"
#define SEC		EDNA_SEC
#define MSEC		1000000LL

#define REF(h, f)	{ .handle = (h), .flags = (f) }

/*
 * The driver books a state change just before it writes POWER_CTRL and
 * the device just after it sees the write: under TCG tens of microseconds
 * apart.  Comparisons of the two books allow this much per transition.
 */
#define SKEW_NS		(50 * 1000LL)

/* hardware.rst, Timing and energy model: dynamic energy per byte moved. */
#define PJ_PER_HOST_BYTE	320
#define PJ_PER_DRAM_BYTE	160

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* 1 when the power_state of device 0 reads @state. */
static int power_state_is(const char *state)
{
	char buf[32];

	return !read_line(DEV "power_state", buf, sizeof(buf)) && !strcmp(buf, state);
}

/* Poll power_state for @state up to @timeout_ns; ns it took, or -1. */
static long long wait_power_state(const char *state, long long timeout_ns)
{
	long long start = edna_now_ns();

	while (!power_state_is(state)) {
		if (edna_now_ns() - start > timeout_ns)
			return -1;
		usleep(2000);
	}
	return edna_now_ns() - start;
}

/* Nanoseconds active, idle, off; 0 or -errno. */
static int residency(long long ns[3])
{
	FILE *f = fopen(DEV "power_residency_ns", "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%lld %lld %lld", &ns[0], &ns[1], &ns[2]);
	fclose(f);
	return n == 3 ? 0 : -EIO;
}

/* The path of device 0's hwmon attribute @name. */
static int hwmon_path(const char *name, char *path, size_t len)
{
	glob_t g;
	int ret = -ENOENT;

	if (glob(DEV "hwmon/hwmon*", 0, NULL, &g))
		return ret;
	if (g.gl_pathc == 1) {
		snprintf(path, len, "%s/%s", g.gl_pathv[0], name);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

static long long hwmon_read(const char *name)
{
	char path[256];

	if (hwmon_path(name, path, sizeof(path)))
		return -1;
	return edna_sysfs_read(path);
}

static int set_delay_ms(int ms)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", ms);
	return edna_write_file(DEV "power/autosuspend_delay_ms", buf);
}

static int nop(int fd, __u64 *seqno)
{
	struct drm_edna_job j = { .queue = 0, .op = EDNA_JOB_NOP };
	int ret = edna_submit(fd, &j, 1);

	if (!ret && seqno)
		*seqno = j.seqno;
	return ret;
}

/* Submit one job and wait for it: its status, or -errno. */
static int run(int fd, struct drm_edna_job *j)
{
	int ret, st = -1;

	ret = edna_submit(fd, j, 1);
	if (!ret)
		ret = edna_wait(fd, j->seqno, edna_deadline(20 * SEC), &st, NULL);
	return ret ? ret : st;
}

static int fill(int fd, struct edna_bo *bo, __u32 pattern)
{
	struct drm_edna_bo_ref refs[] = { REF(bo->handle, EDNA_BO_WRITE) };
	struct drm_edna_job j = {
		.op = EDNA_JOB_FILL, .dst = bo->va, .size = bo->size, .pattern = pattern,
		.bos = (uintptr_t)refs, .bo_count = 1,
	};

	return run(fd, &j);
}

static int copy(int fd, struct edna_bo *src, struct edna_bo *dst, __u64 size)
{
	struct drm_edna_bo_ref refs[] = {
		REF(src->handle, EDNA_BO_READ), REF(dst->handle, EDNA_BO_WRITE),
	};
	struct drm_edna_job j = {
		.queue = 1, .op = EDNA_JOB_COPY, .src = src->va, .dst = dst->va, .size = size,
		.bos = (uintptr_t)refs, .bo_count = 2,
	};

	return run(fd, &j);
}

static void fill_pattern(void *p, size_t size, uint32_t seed)
{
	uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = seed + i * 2654435761u;
}

/* Jobs the device completed, all queues, from the sysfs counter. */
static long long jobs_done(void)
{
	long long v[8] = {}, sum = 0;
	FILE *f = fopen(DEV "jobs_done", "r");
	int i, n = 0;

	if (!f)
		return -1;
	while (n < 8 && fscanf(f, "%lld", &v[n]) == 1)
		n++;
	fclose(f);
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

/* A system suspend to idle stopped after the devices suspended. */
static int system_suspend(void)
{
	int ret = edna_write_file("/sys/power/pm_test", "devices");

	if (!ret)
		ret = edna_write_file("/sys/module/suspend/parameters/pm_test_delay", "0");
	if (!ret)
		ret = edna_write_file("/sys/power/state", "freeze");
	edna_write_file("/sys/power/pm_test", "none");
	return ret;
}

FIXTURE(edna_pm) {
	int fd;
};

FIXTURE_SETUP(edna_pm)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, edna_write_file(DEV "job_timeout_ms", "10000"));
	ASSERT_EQ(0, set_delay_ms(100));
}

FIXTURE_TEARDOWN(edna_pm)
{
	edna_write_file(SIM "power_up_extra_us", "0");
	edna_write_file(SIM "fail_power_up", "0");
	edna_write_file(SIM "chunk_delay_us", "0");
	edna_write_file(DEV "job_timeout_ms", "10000");
	set_delay_ms(1000);
	close(self->fd);
}

TEST_F(edna_pm, idles_when_done_and_autosuspends_after_the_delay)
{
	long long done, off;
	__u64 seqno;
	int st;

	ASSERT_EQ(0, set_delay_ms(400));
	ASSERT_EQ(0, nop(self->fd, &seqno));
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	done = edna_now_ns();
	ASSERT_EQ(0, st);
	/* Clock gated as soon as the rings are empty, powered for the delay. */
	EXPECT_TRUE(power_state_is("idle"));
	off = wait_power_state("off", 10 * SEC);
	ASSERT_LE(0, off);
	/* Woken at the job's end, not before: the delay counts from there. */
	EXPECT_LE(400 * MSEC - 20 * MSEC, edna_now_ns() - done) TH_LOG("off after %lld ms",
								       (edna_now_ns() - done) / MSEC);
	/* A submit wakes it, and the job runs. */
	ASSERT_EQ(0, nop(self->fd, &seqno));
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
	EXPECT_FALSE(power_state_is("off"));
}

TEST_F(edna_pm, power_up_is_paid_by_the_submit_not_by_the_job_timeout)
{
	long long t0, submit_ns;
	__u64 seqno;
	int st;

	/* A power-up six times as long as the job timeout. */
	ASSERT_EQ(0, edna_write_file(SIM "power_up_extra_us", "300000"));
	ASSERT_EQ(0, edna_write_file(DEV "job_timeout_ms", "50"));
	ASSERT_LE(0, wait_power_state("off", 10 * SEC));
	t0 = edna_now_ns();
	ASSERT_EQ(0, nop(self->fd, &seqno));
	submit_ns = edna_now_ns() - t0;
	EXPECT_LE(300 * MSEC, submit_ns);
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	EXPECT_EQ(0, st) TH_LOG("the power-up counted against the job: %d", st);
}

TEST_F(edna_pm, context_and_host_memory_survive_off)
{
	struct edna_bo src, dst;

	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 * 1024, EDNA_REGION_HOST, &dst));
	fill_pattern(src.cpu, src.size, 5);
	ASSERT_EQ(0, fill(self->fd, &dst, 0xdeadbeef));
	ASSERT_LE(0, wait_power_state("off", 10 * SEC));
	/* The page tables and rings were rebuilt: the same VAs still work. */
	ASSERT_EQ(0, copy(self->fd, &src, &dst, src.size));
	EXPECT_EQ(0, memcmp(src.cpu, dst.cpu, src.size));
	edna_bo_free(self->fd, &src);
	edna_bo_free(self->fd, &dst);
}

TEST_F(edna_pm, device_memory_keeps_the_device_out_of_off)
{
	struct edna_bo src, dram, back;
	long long r0[3], r1[3];

	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_DRAM, &dram));
	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &back));
	fill_pattern(src.cpu, src.size, 77);
	ASSERT_EQ(0, copy(self->fd, &src, &dram, src.size));
	ASSERT_EQ(0, residency(r0));
	/* Four delays with nothing to run: gated, never off. */
	usleep(400 * 1000);
	ASSERT_EQ(0, residency(r1));
	EXPECT_EQ(r0[2], r1[2]);
	EXPECT_TRUE(power_state_is("idle"));
	ASSERT_EQ(0, copy(self->fd, &dram, &back, back.size));
	EXPECT_EQ(0, memcmp(src.cpu, back.cpu, src.size));
	/* The last device buffer gone, the device may go off. */
	edna_bo_free(self->fd, &dram);
	EXPECT_LE(0, wait_power_state("off", 10 * SEC));
	edna_bo_free(self->fd, &src);
	edna_bo_free(self->fd, &back);
}

TEST_F(edna_pm, jobs_submitted_around_suspends_all_complete)
{
	long long r0[3], r1[3];
	struct edna_bo bo;
	unsigned int i;

	/* Submits land before, during and after autosuspends. */
	ASSERT_EQ(0, set_delay_ms(0));
	ASSERT_EQ(0, edna_bo_new(self->fd, 64 * 1024, EDNA_REGION_HOST, &bo));
	ASSERT_EQ(0, residency(r0));
	srand(11);
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, fill(self->fd, &bo, 0x1000 + i));
		ASSERT_EQ(bo.size / 4, edna_first_not(bo.cpu, bo.size, 0x1000 + i));
		usleep(rand() % 3000);
	}
	ASSERT_EQ(0, residency(r1));
	/* It really went off between some of them. */
	EXPECT_LT(r0[2], r1[2]);
	edna_bo_free(self->fd, &bo);
}

/* Jobs of a SUBMIT that outnumber the ring: some wait in the scheduler. */
#define SUSPEND_JOBS	96

TEST_F_TIMEOUT(edna_pm, system_suspend_with_jobs_in_flight_loses_and_repeats_none, 180)
{
	struct drm_edna_job jobs[SUSPEND_JOBS];
	struct drm_edna_bo_ref refs[SUSPEND_JOBS][2];
	struct edna_bo src, dst;
	const __u64 part = 16 * 1024;
	long long done0, done1;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, part * SUSPEND_JOBS, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, part * SUSPEND_JOBS, EDNA_REGION_HOST, &dst));
	fill_pattern(src.cpu, src.size, 123);
	memset(dst.cpu, 0, dst.size);
	done0 = jobs_done();
	/* Slow enough that the suspend finds jobs on the device. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "300"));
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < SUSPEND_JOBS; i++) {
		refs[i][0] = (struct drm_edna_bo_ref)REF(src.handle, EDNA_BO_NO_SYNC);
		refs[i][1] = (struct drm_edna_bo_ref)REF(dst.handle, EDNA_BO_NO_SYNC);
		jobs[i] = (struct drm_edna_job){
			.queue = 2, .op = EDNA_JOB_COPY, .src = src.va + i * part,
			.dst = dst.va + i * part, .size = part,
			.bos = (uintptr_t)refs[i], .bo_count = 2,
		};
	}
	ASSERT_EQ(0, edna_submit(self->fd, jobs, SUSPEND_JOBS));
	/* The suspend starts with jobs on the rings and in the queues. */
	EXPECT_GT(SUSPEND_JOBS / 2, jobs_done() - done0);
	ASSERT_EQ(0, system_suspend());
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "0"));
	for (i = 0; i < SUSPEND_JOBS; i++) {
		ASSERT_EQ(0, edna_wait(self->fd, jobs[i].seqno, edna_deadline(60 * SEC), &st,
				       NULL));
		EXPECT_EQ(0, st) TH_LOG("job %d", i);
	}
	EXPECT_EQ(0, memcmp(src.cpu, dst.cpu, src.size));
	/* Each ran exactly once: the device counted as many as were submitted. */
	done1 = jobs_done();
	EXPECT_EQ(SUSPEND_JOBS, done1 - done0);
	edna_bo_free(self->fd, &src);
	edna_bo_free(self->fd, &dst);
}

TEST_F(edna_pm, system_suspend_keeps_device_memory)
{
	struct edna_bo src, dram, back;
	long long r0[3], r1[3];

	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_DRAM, &dram));
	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &back));
	fill_pattern(src.cpu, src.size, 31);
	ASSERT_EQ(0, copy(self->fd, &src, &dram, src.size));
	ASSERT_EQ(0, residency(r0));
	ASSERT_EQ(0, system_suspend());
	ASSERT_EQ(0, residency(r1));
	/* Suspend to idle keeps the power: gated, not off. */
	EXPECT_EQ(r0[2], r1[2]);
	ASSERT_EQ(0, copy(self->fd, &dram, &back, back.size));
	EXPECT_EQ(0, memcmp(src.cpu, back.cpu, src.size));
	edna_bo_free(self->fd, &src);
	edna_bo_free(self->fd, &dram);
	edna_bo_free(self->fd, &back);
}

/* Energy the model gives for @r1 - @r0 in each state, pJ. */
static double static_pj(int fd, const long long *r0, const long long *r1)
{
	double pj = 0;
	__u64 mw;
	int s;

	for (s = 0; s < 3; s++) {
		if (edna_get_param(fd, EDNA_PARAM_POWER_MW, s, &mw))
			return -1;
		pj += (double)mw * (r1[s] - r0[s]);
	}
	return pj;
}

TEST_F(edna_pm, hwmon_energy_is_the_model_sum_for_a_job_and_its_idle_time)
{
	long long ra[3], rb[3], rc[3], rd[3], e0, e1, prev, e;
	const __u64 size = 32ULL << 20;
	struct edna_bo src, dram;
	double dyn_uj, lo, hi, slack;
	__u64 active_mw, idle_mw;
	int i;

	ASSERT_EQ(0, set_delay_ms(5000));
	ASSERT_EQ(0, edna_bo_new(self->fd, size, EDNA_REGION_HOST, &src));
	ASSERT_EQ(0, edna_bo_new(self->fd, size, EDNA_REGION_DRAM, &dram));
	memset(src.cpu, 1, size);

	ASSERT_EQ(0, residency(ra));
	e0 = hwmon_read("energy1_input");
	ASSERT_EQ(0, residency(rb));
	ASSERT_LE(0, e0);
	ASSERT_EQ(0, copy(self->fd, &src, &dram, size));
	usleep(100 * 1000);
	ASSERT_EQ(0, residency(rc));
	e1 = hwmon_read("energy1_input");
	ASSERT_EQ(0, residency(rd));

	/* Host read and DRAM write of every byte. */
	dyn_uj = (double)size * (PJ_PER_HOST_BYTE + PJ_PER_DRAM_BYTE) / 1e6;
	lo = dyn_uj + static_pj(self->fd, rb, rc) / 1e6;
	hi = dyn_uj + static_pj(self->fd, ra, rd) / 1e6;
	/*
	 * Whole microjoules: the counter and each fold round down.  The
	 * copy gates and ungates the clock once: two skews of ACTIVE against
	 * IDLE power.
	 */
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_POWER_MW, 0, &active_mw));
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_POWER_MW, 1, &idle_mw));
	slack = 2.0 * SKEW_NS * (active_mw - idle_mw) / 1e6 + 3;
	EXPECT_LE(lo - slack, (double)(e1 - e0)) TH_LOG("%lld uJ, model %.0f..%.0f, dynamic %.0f",
							 e1 - e0, lo, hi, dyn_uj);
	EXPECT_GE(hi + slack, (double)(e1 - e0)) TH_LOG("%lld uJ, model %.0f..%.0f, dynamic %.0f",
							 e1 - e0, lo, hi, dyn_uj);
	/* The slack must not hide the job's own energy. */
	EXPECT_GT(dyn_uj, 4 * slack);

	/* Never decreasing, through idle, off and power-up. */
	edna_bo_free(self->fd, &dram);
	ASSERT_EQ(0, set_delay_ms(0));
	prev = e1;
	for (i = 0; i < 30; i++) {
		if (i % 10 == 5)
			ASSERT_EQ(0, fill(self->fd, &src, i));
		e = hwmon_read("energy1_input");
		EXPECT_LE(prev, e);
		prev = e;
		usleep(10 * 1000);
	}
	edna_bo_free(self->fd, &src);
}

TEST_F(edna_pm, hwmon_average_power_follows_the_state)
{
	__u64 idle_mw, off_mw;
	char interval[256];
	long long uw;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_POWER_MW, 1, &idle_mw));
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_POWER_MW, 2, &off_mw));
	ASSERT_EQ(0, hwmon_path("power1_average_interval", interval, sizeof(interval)));
	ASSERT_EQ(0, edna_write_file(interval, "200"));
	EXPECT_EQ(200, edna_sysfs_read(interval));
	EXPECT_EQ(-ERANGE, edna_write_file(interval, "1"));
	ASSERT_LE(0, wait_power_state("off", 10 * SEC));
	/* Close a window, then measure one spent wholly off. */
	hwmon_read("power1_average");
	usleep(300 * 1000);
	uw = hwmon_read("power1_average");
	EXPECT_LE((long long)off_mw * 1000 * 99 / 100, uw);
	EXPECT_GE((long long)off_mw * 1000 * 101 / 100 + 1, uw);
	EXPECT_GT((long long)idle_mw * 1000, uw);
	EXPECT_EQ(0, edna_write_file(interval, "1000"));
}

TEST_F(edna_pm, residency_adds_up_to_wall_time)
{
	long long r0[3], r1[3], t0a, t0b, t1a, t1b, sum0, sum1, wall_lo, wall_hi;
	int i;

	t0a = edna_now_ns();
	ASSERT_EQ(0, residency(r0));
	t0b = edna_now_ns();
	/* Through every state: busy, gated, off and back. */
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, nop(self->fd, NULL));
		usleep(150 * 1000);
	}
	t1a = edna_now_ns();
	ASSERT_EQ(0, residency(r1));
	t1b = edna_now_ns();
	sum0 = r0[0] + r0[1] + r0[2];
	sum1 = r1[0] + r1[1] + r1[2];
	wall_lo = t1a - t0b;
	wall_hi = t1b - t0a;
	EXPECT_LE(wall_lo - wall_lo / 100, sum1 - sum0);
	EXPECT_GE(wall_hi + wall_hi / 100, sum1 - sum0);
	for (i = 0; i < 3; i++)
		EXPECT_LT(r0[i], r1[i]) TH_LOG("state %d never entered", i);
}

/* The device model's counters, from its debugfs dump. */
static long long sim_counter(const char *name)
{
	return edna_key_value(SIM "counters", name);
}

TEST_F(edna_pm, cycle_counter_counts_active_time_only)
{
	long long ra[3], rb[3], rc[3], rd[3], c0, c1, mhz;
	struct edna_bo dram, host;
	char name[32];
	int q;

	mhz = edna_sim_param("clock_mhz");
	if (mhz <= 0)
		mhz = 1000;
	/* A device buffer keeps it powered, so the counter is not cleared. */
	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_DRAM, &dram));
	ASSERT_EQ(0, edna_bo_new(self->fd, 1 << 20, EDNA_REGION_HOST, &host));
	ASSERT_EQ(0, residency(ra));
	c0 = sim_counter("cycles");
	ASSERT_EQ(0, residency(rb));
	ASSERT_EQ(0, copy(self->fd, &host, &dram, host.size));
	usleep(200 * 1000);
	ASSERT_EQ(0, residency(rc));
	c1 = sim_counter("cycles");
	ASSERT_EQ(0, residency(rd));
	/* Gated most of the time: cycles only while active. */
	EXPECT_LE((rc[0] - rb[0] - 2 * SKEW_NS) * mhz / 1000, c1 - c0);
	EXPECT_GE((rd[0] - ra[0] + 2 * SKEW_NS) * mhz / 1000, c1 - c0);
	EXPECT_LT((c1 - c0) * 1000 / mhz, rc[1] - rb[1] + rc[0] - rb[0]);
	/* No queue was busy longer than the clock ran. */
	for (q = 0; q < 4; q++) {
		snprintf(name, sizeof(name), "q%d_busy_cycles", q);
		EXPECT_GE(c1, sim_counter(name)) TH_LOG("queue %d", q);
	}
	edna_bo_free(self->fd, &dram);
	edna_bo_free(self->fd, &host);
}

TEST_F(edna_pm, a_new_delay_takes_effect_at_once)
{
	ASSERT_EQ(0, set_delay_ms(3000));
	ASSERT_EQ(0, nop(self->fd, NULL));
	usleep(500 * 1000);
	EXPECT_TRUE(power_state_is("idle"));
	/* Already idle longer than the new delay: it goes at once. */
	ASSERT_EQ(0, set_delay_ms(100));
	EXPECT_LE(0, wait_power_state("off", 2 * SEC));
	EXPECT_EQ(100, edna_sysfs_read(DEV "power/autosuspend_delay_ms"));
}

TEST_F(edna_pm, reset_while_off_and_failed_power_up_recover)
{
	__u64 seqno;
	int st;

	ASSERT_LE(0, wait_power_state("off", 10 * SEC));
	ASSERT_EQ(0, edna_write_file(DEV "reset", "1"));
	EXPECT_EQ(0, edna_sysfs_read(DEV "wedged"));
	ASSERT_EQ(0, nop(self->fd, &seqno));
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	EXPECT_EQ(0, st);

	/* The firmware does not come up: wedged, jobs fail, a reset mends it. */
	ASSERT_LE(0, wait_power_state("off", 10 * SEC));
	ASSERT_EQ(0, edna_write_file(SIM "fail_power_up", "1"));
	ASSERT_EQ(0, nop(self->fd, &seqno));
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	EXPECT_EQ(-EIO, st);
	EXPECT_EQ(1, edna_sysfs_read(DEV "wedged"));
	ASSERT_EQ(0, edna_write_file(DEV "reset", "1"));
	EXPECT_EQ(0, edna_sysfs_read(DEV "wedged"));
	ASSERT_EQ(0, nop(self->fd, &seqno));
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
}

TEST_F(edna_pm, unbind_while_off_and_rebind)
{
	const char *dev1 = "/sys/class/accel/accel1/device/";
	char path[128];
	__u64 seqno;
	int fd, st;

	snprintf(path, sizeof(path), "%spower/autosuspend_delay_ms", dev1);
	ASSERT_EQ(0, edna_write_file(path, "50"));
	snprintf(path, sizeof(path), "%spower_state", dev1);
	for (st = 0; st < 500; st++) {
		char buf[16];

		if (!read_line(path, buf, sizeof(buf)) && !strcmp(buf, "off"))
			break;
		usleep(10 * 1000);
	}
	ASSERT_GT(500, st);
	ASSERT_EQ(0, edna_write_file("/sys/bus/platform/drivers/edna/unbind", "edna.1"));
	ASSERT_EQ(0, edna_write_file("/sys/bus/platform/drivers/edna/bind", "edna.1"));
	fd = -1;
	for (st = 0; st < 100 && fd < 0; st++) {
		fd = edna_open(1);
		if (fd < 0)
			usleep(10 * 1000);
	}
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nop(fd, &seqno));
	ASSERT_EQ(0, edna_wait(fd, seqno, edna_deadline(5 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
	close(fd);
}

TEST_HARNESS_MAIN
