// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of edna_modules.sh: submit slow jobs on every queue, more than a
 * ring holds on queue 0, and exit without waiting, leaving them in flight
 * for the module unload test.  Half of them do not list their buffer, so
 * closing it does not wait for them.
 *
 * "edna_submit_exit hold READY GO" keeps the file open: it creates READY
 * once the jobs are queued and closes the file once GO exists.
 */
#include <stdint.h>

#include "edna_test.h"

/* With "hold": after submitting, wait for @go to exist, then close and exit. */
static void hold(const char *ready, const char *go)
{
	close(open(ready, O_CREAT | O_WRONLY, 0600));
	while (access(go, F_OK))
		usleep(10000);
}

int main(int argc, char **argv)
{
	struct drm_edna_bo_create bo = { .size = 64 << 10, .region = EDNA_REGION_DRAM };
	int fd = edna_open(0), i, ret;

	if (fd < 0 || edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &bo)) {
		perror("edna_submit_exit: setup");
		return 1;
	}
	for (i = 0; i < 200; i++) {
		struct drm_edna_submit s = {
			.queue = i < 150 ? 0 : i % 4, .op = EDNA_JOB_FILL, .dst = bo.va,
			.size = bo.size, .bo_count = i & 1, .bo_handles = (uintptr_t)&bo.handle,
		};

		ret = edna_ioctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s);
		if (ret) {
			fprintf(stderr, "edna_submit_exit: submit: %s\n", strerror(-ret));
			return 1;
		}
	}
	if (argc == 4 && !strcmp(argv[1], "hold"))
		hold(argv[2], argv[3]);
	close(fd);
	return 0;
}
