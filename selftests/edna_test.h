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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "edna_accel.h"

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

#endif /* EDNA_TEST_H */
