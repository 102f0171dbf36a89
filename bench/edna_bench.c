// SPDX-License-Identifier: GPL-2.0
/*
 * edna-bench: figures for "make bench", each a ratio against a baseline
 * measured in the same run, printed as "bench: name=value".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
/* NOPs per SUBMIT for the pipelined figure: how a runtime queues work */
#define BATCH		64

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

/* Queue @count NOPs on queue 0 in one SUBMIT; the last one's seqno in *seqno. */
static int submit_nops(int fd, unsigned int count, uint64_t *seqno)
{
	struct drm_edna_job jobs[BATCH] = {};
	struct drm_edna_submit s = {
		.jobs = (uintptr_t)jobs, .job_count = count, .job_stride = sizeof(jobs[0]),
	};
	unsigned int i;

	for (i = 0; i < count; i++) {
		jobs[i].op = EDNA_JOB_NOP;
		jobs[i].priority = EDNA_PRIORITY_NORMAL;
	}
	if (drmIoctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s))
		return -errno;
	*seqno = jobs[count - 1].seqno;
	return 0;
}

static int wait_job(int fd, uint64_t seqno)
{
	struct drm_edna_wait w = { .seqno = seqno, .deadline_ns = now_ns() + 10e9 };

	if (drmIoctl(fd, DRM_IOCTL_EDNA_WAIT, &w))
		return -errno;
	return w.status;
}

/* One NOP job: submit, then wait for it. */
static int nop_rtt(int fd)
{
	uint64_t seqno = 0;
	int ret = submit_nops(fd, 1, &seqno);

	return ret ? ret : wait_job(fd, seqno);
}

/* The floor: a byte to another thread and back through pipes. */
struct pingpong {
	int to[2], from[2];
};

static void *pong(void *arg)
{
	struct pingpong *pp = arg;
	char c;

	while (read(pp->to[0], &c, 1) == 1 && c)
		if (write(pp->from[1], &c, 1) != 1)
			break;
	return NULL;
}

static struct pingpong the_pp;

static int ping(int unused)
{
	char c = 1;

	(void)unused;
	if (write(the_pp.to[1], &c, 1) != 1 || read(the_pp.from[0], &c, 1) != 1)
		return -EIO;
	return 0;
}

static int get_param(int fd)
{
	struct drm_edna_get_param p = { .param = EDNA_PARAM_NUM_QUEUES };

	return drmIoctl(fd, DRM_IOCTL_EDNA_GET_PARAM, &p) ? -errno : 0;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * CPU time of this process per NOP job, submitted BATCH to an ioctl with
 * two batches in flight: while the device runs one, the next is queued.
 * NOPs of one queue complete in order, so waiting for the last job of a
 * batch waits for all of it.
 */
static double pipelined_cpu_ns(int fd, int jobs)
{
	uint64_t last[2] = {};
	double t0 = cpu_ns();
	int i;

	for (i = 0; i < jobs / BATCH; i++) {
		if (i >= 2 && wait_job(fd, last[i % 2])) {
			fprintf(stderr, "edna-bench: job failed\n");
			exit(1);
		}
		if (submit_nops(fd, BATCH, &last[i % 2])) {
			fprintf(stderr, "edna-bench: submit failed\n");
			exit(1);
		}
	}
	for (i = 0; i < 2; i++)
		if (last[i])
			wait_job(fd, last[i]);
	return (cpu_ns() - t0) / (jobs / BATCH * BATCH);
}

static double ioctl_cpu_ns(int fd, int calls)
{
	double t0 = cpu_ns();
	int i;

	for (i = 0; i < calls; i++)
		get_param(fd);
	return (cpu_ns() - t0) / calls;
}

int main(void)
{
	int fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	double bo, memfd, rtt, pipe_rtt, piped = 1e30, ioctl_ns = 1e30;
	pthread_t thread;
	char stop = 0;
	int r;

	if (fd < 0) {
		perror("edna-bench: /dev/accel/accel0");
		return 1;
	}
	/* Interleave each figure with its baseline so drift affects both alike. */
	memfd = best_ns(memfd_cycle, 0);
	bo = best_ns(bo_cycle, fd);
	memfd = (memfd + best_ns(memfd_cycle, 0)) / 2;
	printf("bench: bo_create_free_ratio=%.2f\n", bo / memfd);

	if (pipe(the_pp.to) || pipe(the_pp.from) ||
	    pthread_create(&thread, NULL, pong, &the_pp)) {
		perror("edna-bench: pipes");
		return 1;
	}
	pipe_rtt = best_ns(ping, 0);
	rtt = best_ns(nop_rtt, fd);
	pipe_rtt = (pipe_rtt + best_ns(ping, 0)) / 2;
	if (write(the_pp.to[1], &stop, 1) == 1)
		pthread_join(thread, NULL);
	printf("bench: null_job_rtt_ratio=%.2f\n", rtt / pipe_rtt);

	for (r = 0; r < ROUNDS; r++) {
		double p = pipelined_cpu_ns(fd, ITERS * 2), c = ioctl_cpu_ns(fd, ITERS * 10);

		piped = p < piped ? p : piped;
		ioctl_ns = c < ioctl_ns ? c : ioctl_ns;
	}
	printf("bench: null_job_pipelined_ratio=%.2f\n", piped / ioctl_ns);
	close(fd);
	return 0;
}
