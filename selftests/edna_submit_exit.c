// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of edna_modules.sh: submit slow jobs on every queue and exit
 * without waiting, leaving them in flight for the module unload test.
 */
#include <stdint.h>

#include "edna_test.h"

int main(void)
{
	struct drm_edna_bo_create bo = { .size = 1 << 20, .region = EDNA_REGION_DRAM };
	int fd = edna_open(0), i, ret;

	if (fd < 0 || edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &bo)) {
		perror("edna_submit_exit: setup");
		return 1;
	}
	for (i = 0; i < 64; i++) {
		struct drm_edna_submit s = {
			.queue = i % 4, .op = EDNA_JOB_FILL, .dst = bo.va, .size = bo.size,
			.bo_count = 1, .bo_handles = (uintptr_t)&bo.handle,
		};

		ret = edna_ioctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s);
		if (ret) {
			fprintf(stderr, "edna_submit_exit: submit: %s\n", strerror(-ret));
			return 1;
		}
	}
	return 0;
}
