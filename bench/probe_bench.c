// SPDX-License-Identifier: GPL-2.0
/*
 * probe-bench: what the BPF probes cost the jobs they watch: NOP jobs/s
 * with every probe attached against the same workload without them, in
 * the same VM run.  The probes are those edna-probes loads (the same
 * skeleton), attached and detached here, which is what edna-probes and
 * its --detach do, minus the pins.
 *
 *   bench: probe_overhead=          NOPs one per SUBMIT, two in flight:
 *                                   jobs as a runtime submits them
 *   bench: probe_overhead_batched=  NOPs 64 per SUBMIT riding on one
 *                                   scheduler job, where the driver's own
 *                                   cost per job is lowest and the
 *                                   probes' three events per job weigh
 *                                   the most
 *
 * Each figure is (best rate with) / (best rate without) over PAIRS
 * back-to-back pairs of runs, as edna-bench takes the best of its rounds:
 * the machine's load only ever slows a run down, and moves the rates far
 * more than the probes do; interleaving the pairs exposes both sides to
 * the same drift.  Attaching and detaching patch kernel text, which the
 * emulator then translates afresh: the first run after each is a
 * warm-up, not measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include <bpf/libbpf.h>

#include "edna_accel.h"
#include "edna_probes.skel.h"

#define MAX_BATCH	64
#define PAIRS		31

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int submit_nops(int fd, unsigned int batch, uint64_t *seqno)
{
	struct drm_edna_job jobs[MAX_BATCH] = {};
	struct drm_edna_submit s = {
		.jobs = (uintptr_t)jobs, .job_count = batch, .job_stride = sizeof(jobs[0]),
	};
	unsigned int i;

	for (i = 0; i < batch; i++)
		jobs[i].op = EDNA_JOB_NOP;
	if (drmIoctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s))
		return -errno;
	*seqno = jobs[batch - 1].seqno;
	return 0;
}

static int wait_job(int fd, uint64_t seqno)
{
	struct timespec ts;
	struct drm_edna_wait w = { .seqno = seqno };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.deadline_ns = (ts.tv_sec + 30) * 1000000000ll + ts.tv_nsec;
	if (drmIoctl(fd, DRM_IOCTL_EDNA_WAIT, &w))
		return -errno;
	return w.status;
}

/* NOP jobs per second, @jobs of them, @batch per SUBMIT, two SUBMITs in flight. */
static double nop_rate(int fd, unsigned int batch, unsigned int jobs)
{
	uint64_t last[2] = {};
	double t0 = now_s();
	unsigned int i;

	for (i = 0; i < jobs / batch; i++) {
		if ((i >= 2 && wait_job(fd, last[i % 2])) || submit_nops(fd, batch, &last[i % 2])) {
			fprintf(stderr, "probe-bench: a NOP job failed\n");
			exit(1);
		}
	}
	for (i = 0; i < 2; i++)
		if (last[i] && wait_job(fd, last[i])) {
			fprintf(stderr, "probe-bench: a NOP job failed\n");
			exit(1);
		}
	return jobs / batch * batch / (now_s() - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void attach(struct edna_probes *skel)
{
	if (edna_probes__attach(skel)) {
		fprintf(stderr, "probe-bench: cannot attach the probes: %s\n", strerror(errno));
		exit(1);
	}
}

/* Best rate with the probes / best rate without, over PAIRS pairs of runs. */
static double overhead(int fd, struct edna_probes *skel, unsigned int batch, unsigned int jobs)
{
	double ratio[PAIRS], with, without, best_with = 0, best_without = 0;
	int i;

	for (i = 0; i < PAIRS; i++) {
		nop_rate(fd, batch, jobs);
		without = nop_rate(fd, batch, jobs);
		attach(skel);
		nop_rate(fd, batch, jobs);
		with = nop_rate(fd, batch, jobs);
		edna_probes__detach(skel);
		ratio[i] = with / without;
		best_with = with > best_with ? with : best_with;
		best_without = without > best_without ? without : best_without;
	}
	qsort(ratio, PAIRS, sizeof(ratio[0]), cmp_double);
	fprintf(stderr, "probe-bench: %u per SUBMIT: best %.0f jobs/s with the probes, %.0f without; pairs' ratios %.3f to %.3f, median %.3f\n",
		batch, best_with, best_without, ratio[0], ratio[PAIRS - 1], ratio[PAIRS / 2]);
	return best_with / best_without;
}

int main(void)
{
	int fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);
	struct edna_probes *skel;

	if (fd < 0) {
		perror("probe-bench: /dev/accel/accel0");
		return 1;
	}
	skel = edna_probes__open_and_load();
	if (!skel) {
		fprintf(stderr, "probe-bench: cannot load the probes: %s\n", strerror(errno));
		return 1;
	}
	nop_rate(fd, MAX_BATCH, MAX_BATCH * 4);	/* first-use allocations, scheduler entity */
	printf("bench: probe_overhead=%.3f\n", overhead(fd, skel, 1, 192));
	printf("bench: probe_overhead_batched=%.3f\n", overhead(fd, skel, MAX_BATCH, MAX_BATCH * 8));
	edna_probes__destroy(skel);
	close(fd);
	return 0;
}
