// SPDX-License-Identifier: GPL-2.0
/*
 * edna-bench: figures for "make bench", each a ratio against a baseline
 * measured in the same run, printed as "bench: name=value".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "edna_accel.h"

#define BO_SIZE		(64 << 10)
#define ROUNDS		5
#define ITERS		2000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* create + mmap + touch + munmap + close of one 64 KiB BO */
static int bo_cycle(int fd)
{
	struct drm_edna_bo_create c = { .size = BO_SIZE, .region = EDNA_REGION_HOST };
	struct drm_edna_bo_info info = {};
	struct drm_gem_close cl = {};
	volatile char *p;

	if (drmIoctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &c))
		return -errno;
	info.handle = c.handle;
	if (drmIoctl(fd, DRM_IOCTL_EDNA_BO_INFO, &info))
		return -errno;
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, info.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	p[0] = 1;
	munmap((void *)p, BO_SIZE);
	cl.handle = c.handle;
	return drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &cl) ? -errno : 0;
}

/* the same life of 64 KiB of shared memory without the device */
static int memfd_cycle(int unused)
{
	volatile char *p;
	int fd = memfd_create("edna-bench", MFD_CLOEXEC);

	(void)unused;
	if (fd < 0 || ftruncate(fd, BO_SIZE))
		return -errno;
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	p[0] = 1;
	munmap((void *)p, BO_SIZE);
	close(fd);
	return 0;
}

/* Best of ROUNDS means of ITERS calls: the least disturbed estimate. */
static double best_ns(int (*fn)(int), int arg)
{
	double best = 1e30;
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		double t0 = now_ns(), t;

		for (i = 0; i < ITERS; i++) {
			int ret = fn(arg);

			if (ret) {
				fprintf(stderr, "edna-bench: %s\n", strerror(-ret));
				exit(1);
			}
		}
		t = (now_ns() - t0) / ITERS;
		if (t < best)
			best = t;
	}
	return best;
}

int main(void)
{
	int fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	double bo, memfd;

	if (fd < 0) {
		perror("edna-bench: /dev/accel/accel0");
		return 1;
	}
	/* Interleave the two so drift in the machine affects both alike. */
	memfd = best_ns(memfd_cycle, 0);
	bo = best_ns(bo_cycle, fd);
	memfd = (memfd + best_ns(memfd_cycle, 0)) / 2;
	printf("bench: bo_create_free_ratio=%.2f\n", bo / memfd);
	close(fd);
	return 0;
}
