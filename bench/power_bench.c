// SPDX-License-Identifier: GPL-2.0
/*
 * power-bench: the power-management figures of "make bench", each a ratio
 * of two measurements of the same device in the same run.
 *
 *   resume_latency_ratio  NOP latency when the device is OFF (submit to
 *                         done, power-up included) / NOP latency when it
 *                         is powered and gated; printed beside the modeled
 *                         power-up latency and the active latency
 *   idle_power_ratio      average power over a second with no work, after
 *                         autosuspend / the ACTIVE power
 *   gated_power_ratio     the same with a device buffer held, which keeps
 *                         the device IDLE rather than OFF
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
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "edna_accel.h"

#define DEV	"/sys/class/accel/accel0/device/"
#define ROUNDS	9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fputs(s, f) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static int read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	return ok ? 0 : -EIO;
}

static int wait_off(void)
{
	char state[16];
	int i;

	for (i = 0; i < 5000; i++) {
		if (!read_str(DEV "power_state", state, sizeof(state)) && !strncmp(state, "off", 3))
			return 0;
		usleep(2000);
	}
	return -ETIMEDOUT;
}

/* energy1_input of device 0's hwmon, µJ; negative on error. */
static long long energy_uj(void)
{
	char buf[32];
	glob_t g;
	int ret = -ENOENT;

	if (glob(DEV "hwmon/hwmon*/energy1_input", 0, NULL, &g))
		return ret;
	if (g.gl_pathc == 1)
		ret = read_str(g.gl_pathv[0], buf, sizeof(buf));
	globfree(&g);
	return ret ? ret : atoll(buf);
}

/* One NOP, submit to done: nanoseconds, or a negative errno. */
static double nop_ns(int fd)
{
	struct drm_edna_job j = { .op = EDNA_JOB_NOP };
	struct drm_edna_submit s = {
		.jobs = (uintptr_t)&j, .job_count = 1, .job_stride = sizeof(j),
	};
	struct drm_edna_wait w = { .deadline_ns = INT64_MAX };
	double t0 = now_ns();

	if (drmIoctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s))
		return -errno;
	w.seqno = j.seqno;
	if (drmIoctl(fd, DRM_IOCTL_EDNA_WAIT, &w))
		return -errno;
	if (w.status)
		return w.status;
	return now_ns() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median NOP latency over ROUNDS, after @prepare; negative on error. */
static double median_nop(int fd, int (*prepare)(void))
{
	double t[ROUNDS];
	int i, ret;

	for (i = 0; i < ROUNDS; i++) {
		ret = prepare();
		if (ret)
			return ret;
		t[i] = nop_ns(fd);
		if (t[i] < 0)
			return t[i];
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	return t[ROUNDS / 2];
}

/* Powered and gated: idle, well within the autosuspend delay. */
static int pause_powered(void)
{
	usleep(20 * 1000);
	return 0;
}

/* Average power over a second of no work, µW; negative on error. */
static double idle_uw(void)
{
	long long e0, e1;
	double t0, t1;

	e0 = energy_uj();
	t0 = now_ns();
	sleep(1);
	e1 = energy_uj();
	t1 = now_ns();
	if (e0 < 0 || e1 < 0)
		return -EIO;
	return (e1 - e0) * 1e9 / (t1 - t0);
}

static int param(int fd, __u32 p, __u32 index, __u64 *v)
{
	struct drm_edna_get_param g = { .param = p, .index = index };

	if (drmIoctl(fd, DRM_IOCTL_EDNA_GET_PARAM, &g))
		return -errno;
	*v = g.value;
	return 0;
}

int main(void)
{
	struct drm_edna_bo_create dram = { .size = 1 << 20, .region = EDNA_REGION_DRAM };
	double on, off, active, idle, gated;
	__u64 active_mw, power_up_us;
	int fd;

	fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("power-bench: /dev/accel/accel0");
		return 1;
	}
	if (param(fd, EDNA_PARAM_POWER_MW, EDNA_POWER_ACTIVE, &active_mw) ||
	    param(fd, EDNA_PARAM_POWER_UP_US, 0, &power_up_us)) {
		perror("power-bench: GET_PARAM");
		return 1;
	}

	if (write_str(DEV "power/autosuspend_delay_ms", "1000")) {
		perror("power-bench: autosuspend_delay_ms");
		return 1;
	}
	on = median_nop(fd, pause_powered);
	if (write_str(DEV "power/autosuspend_delay_ms", "20")) {
		perror("power-bench: autosuspend_delay_ms");
		return 1;
	}
	off = median_nop(fd, wait_off);
	if (on <= 0 || off <= 0) {
		fprintf(stderr, "power-bench: NOP failed: %s\n", strerror((int)-(on <= 0 ? on : off)));
		return 1;
	}
	printf("bench: resume_latency_ratio=%.2f (off %.0f us, gated %.0f us, modeled power-up %llu us)\n",
	       off / on, off / 1e3, on / 1e3, (unsigned long long)power_up_us);

	/* A second of nothing, once off; then once gated, with DRAM held. */
	if (nop_ns(fd) < 0 || wait_off()) {
		fprintf(stderr, "power-bench: the device does not go off\n");
		return 1;
	}
	idle = idle_uw();
	if (drmIoctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &dram)) {
		perror("power-bench: BO_CREATE");
		return 1;
	}
	usleep(100 * 1000);
	gated = idle_uw();
	active = active_mw * 1e3;
	if (idle < 0 || gated < 0) {
		fprintf(stderr, "power-bench: no hwmon energy\n");
		return 1;
	}
	printf("bench: idle_power_ratio=%.4f (%.1f mW of %.0f mW active)\n", idle / active,
	       idle / 1e3, active / 1e3);
	printf("bench: gated_power_ratio=%.4f (%.1f mW)\n", gated / active, gated / 1e3);
	write_str(DEV "power/autosuspend_delay_ms", "1000");
	close(fd);
	return 0;
}
