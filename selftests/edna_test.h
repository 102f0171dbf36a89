/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the edna selftests.  The tests talk to the kernel ABI
 * directly with ioctl(2), so a libaccel bug cannot hide a kernel bug.
 */
#ifndef EDNA_TEST_H
#define EDNA_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edna_accel.h"

#define EDNA_SEC	1000000000LL

/* Open /dev/accel/accel<minor>; -errno on failure. */
static inline int edna_open(int minor)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/accel/accel%d", minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ioctl(2) that returns 0 or -errno, retrying on signals as libdrm does. */
static inline int edna_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static inline int edna_get_param(int fd, __u32 param, __u32 index, __u64 *value)
{
	struct drm_edna_get_param args = { .param = param, .index = index };
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_GET_PARAM, &args);

	if (!ret)
		*value = args.value;
	return ret;
}

/* Read an unsigned number from a sysfs file; -1 when it cannot be read. */
static inline long long edna_sysfs_read(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Write a string to a sysfs or debugfs file; 0 or -errno. */
static inline int edna_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A module parameter of the device model, the tests' independent truth. */
static inline long long edna_sim_param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/edna_sim/parameters/%s", name);
	return edna_sysfs_read(path);
}

/* A value of /proc/meminfo, such as "Shmem", in KiB; -1 if absent. */
static inline long long edna_meminfo_kib(const char *key)
{
	char line[256], name[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", name, &v) == 2 && !strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

/* The value of the "@key value" line of a debugfs file; -1 when absent. */
static inline long long edna_key_value(const char *path, const char *key)
{
	char line[256], name[64];
	long long v, found = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", name, &v) == 2 && !strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

/* Number of accel devices bound to the edna driver. */
static inline int edna_count_devices(void)
{
	DIR *d = opendir("/sys/class/accel");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char link[256], path[300];
		ssize_t len;

		if (strncmp(e->d_name, "accel", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device/driver", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (!strcmp(strrchr(link, '/') + 1, "edna"))
			n++;
	}
	closedir(d);
	return n;
}

/* CLOCK_MONOTONIC now, the clock of WAIT's deadline, in nanoseconds. */
static inline long long edna_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * EDNA_SEC + ts.tv_nsec;
}

/* The deadline of a wait that may last @ns from now. */
static inline long long edna_deadline(long long ns)
{
	return edna_now_ns() + ns;
}

/* SUBMIT @count jobs with this build's struct size as the stride. */
static inline int edna_submit(int fd, struct drm_edna_job *jobs, unsigned int count)
{
	struct drm_edna_submit s = {
		.jobs = (uintptr_t)jobs,
		.job_count = count,
		.job_stride = sizeof(*jobs),
	};

	return edna_ioctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s);
}

/*
 * WAIT for job @seqno until the absolute @deadline_ns: 0 once it has
 * completed, with its status in *@status and, when @result is not NULL,
 * its record in *@result; -ETIME at the deadline; or -errno.
 */
static inline int edna_wait(int fd, __u64 seqno, long long deadline_ns, int *status,
			    struct drm_edna_job_result *result)
{
	struct drm_edna_wait w = {
		.seqno = seqno,
		.deadline_ns = deadline_ns,
		.result = (uintptr_t)result,
		.result_size = result ? sizeof(*result) : 0,
	};
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_WAIT, &w);

	if (!ret && status)
		*status = w.status;
	return ret;
}

/* WAIT for every job using buffer @handle, as edna_wait(). */
static inline int edna_wait_bo(int fd, __u32 handle, long long deadline_ns, int *status)
{
	struct drm_edna_wait w = {
		.seqno = handle,
		.deadline_ns = deadline_ns,
		.flags = EDNA_WAIT_BO,
	};
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_WAIT, &w);

	if (!ret && status)
		*status = w.status;
	return ret;
}

static inline int edna_gem_close(int fd, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* A buffer, and its CPU mapping when it lives in host memory. */
struct edna_bo {
	__u32 handle;
	__u64 va;
	__u64 size;
	void *cpu;
};

static inline int edna_bo_new(int fd, __u64 size, __u32 region, struct edna_bo *bo)
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
	if (bo->cpu == MAP_FAILED) {
		bo->cpu = NULL;
		return -errno;
	}
	return 0;
}

static inline void edna_bo_free(int fd, struct edna_bo *bo)
{
	if (bo->cpu)
		munmap(bo->cpu, bo->size);
	bo->cpu = NULL;
	edna_gem_close(fd, bo->handle);
}

/*
 * The value of "@key:" in @fd's fdinfo, scaled to bytes when it has a
 * KiB or MiB unit; -1 when absent.
 */
static inline long long edna_fdinfo_value(int fd, const char *key)
{
	char path[64], line[256], name[64], unit[16];
	long long found = -1;
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "%63[^:]: %llu %15s", name, &v, unit);

		if (n < 2 || strcmp(name, key))
			continue;
		found = v;
		if (n == 3 && !strcmp(unit, "KiB"))
			found = v << 10;
		else if (n == 3 && !strcmp(unit, "MiB"))
			found = v << 20;
	}
	fclose(f);
	return found;
}

/*
 * Whether queue @q of the device model's device 0 stalls on a hang it
 * injected: 1 hung, 0 not (yet), -1 unreadable.  Tests poll it to know a
 * job has reached the device rather than sleeping and hoping.
 */
static inline int edna_sim_queue_hung(unsigned int q)
{
	char line[64], state[16];
	unsigned int n;
	int hung = -1;
	FILE *f = fopen("/sys/kernel/debug/edna_sim/edna_sim.0/hang_queue", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u: %15s", &n, state) == 2 && n == q)
			hung = !strcmp(state, "hung");
	fclose(f);
	return hung;
}

/* Poll edna_sim_queue_hung(@q) for up to @timeout_ns; 1 once hung. */
static inline int edna_sim_wait_queue_hung(unsigned int q, long long timeout_ns)
{
	long long end = edna_now_ns() + timeout_ns;

	while (edna_sim_queue_hung(q) != 1) {
		if (edna_now_ns() > end)
			return 0;
		usleep(1000);
	}
	return 1;
}

/* Index of the first 32-bit word of @p that is not @pattern, or @size / 4. */
static inline size_t edna_first_not(const void *p, size_t size, uint32_t pattern)
{
	const uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (w[i] != pattern)
			break;
	return i;
}

#endif /* EDNA_TEST_H */
