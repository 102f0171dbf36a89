// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of edna_modules.sh.
 *
 * "edna_submit_exit": submit slow jobs on every queue, more than a ring
 * holds on queue 0, and exit without waiting, leaving them in flight for
 * the module unload test.  Half of them do not list their buffer, so
 * closing it does not wait for them.
 *
 * "edna_submit_exit hold READY GO" keeps the file open: it creates READY
 * once the jobs are queued and closes the file once GO exists.
 *
 * "edna_submit_exit sync-file READY GO": submit a job on queue 1 that
 * signals a syncobj, export that as a sync_file, check the fence's
 * timeline name, close the device, create READY, and keep only the
 * sync_file open until GO exists.  Exits 0 when the name was "edna0-q1".
 */
#include <stdint.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "edna_test.h"

/* Create @ready, then wait for @go to exist. */
static void hold(const char *ready, const char *go)
{
	close(open(ready, O_CREAT | O_WRONLY, 0600));
	while (access(go, F_OK))
		usleep(10000);
}

static int submit_and_exit(int argc, char **argv)
{
	struct drm_edna_bo_create bo = { .size = 64 << 10, .region = EDNA_REGION_DRAM };
	int fd = edna_open(0), i, ret;

	if (fd < 0 || edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &bo)) {
		perror("edna_submit_exit: setup");
		return 1;
	}
	for (i = 0; i < 200; i++) {
		struct drm_edna_bo_ref ref = { .handle = bo.handle, .flags = EDNA_BO_WRITE };
		struct drm_edna_job job = {
			.queue = i < 150 ? 0 : i % 4, .op = EDNA_JOB_FILL, .dst = bo.va,
			.size = bo.size, .bo_count = i & 1, .bos = (uintptr_t)&ref,
		};

		ret = edna_submit(fd, &job, 1);
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

/* The timeline name of the first fence of a sync_file, in @name. */
static int sync_file_timeline(int sync_file, char *name, size_t len)
{
	struct sync_fence_info fence = {};
	struct sync_file_info info = {};

	if (ioctl(sync_file, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	if (info.num_fences < 1)
		return -ENOENT;
	info.num_fences = 1;
	info.sync_fence_info = (uintptr_t)&fence;
	if (ioctl(sync_file, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	snprintf(name, len, "%.*s", (int)sizeof(fence.obj_name), fence.obj_name);
	return 0;
}

static int hold_sync_file(const char *ready, const char *go)
{
	const char *expected = "edna0-q1";
	int fd = edna_open(0), sync_file = -1, ret;
	char name[40] = "";
	__u32 syncobj;

	if (fd < 0 || drmSyncobjCreate(fd, 0, &syncobj)) {
		perror("edna_submit_exit: setup");
		return 1;
	}
	struct drm_edna_sync signal = { .handle = syncobj, .flags = EDNA_SYNC_SIGNAL };
	struct drm_edna_job job = { .queue = 1, .priority = EDNA_PRIORITY_NORMAL,
				    .op = EDNA_JOB_NOP, .syncs = (uintptr_t)&signal,
				    .sync_count = 1 };
	ret = edna_submit(fd, &job, 1);
	if (!ret && drmSyncobjExportSyncFile(fd, syncobj, &sync_file))
		ret = -errno;
	if (!ret)
		ret = sync_file_timeline(sync_file, name, sizeof(name));
	if (ret) {
		fprintf(stderr, "edna_submit_exit: sync_file: %d\n", ret);
		return 1;
	}
	/* Only the sync_file is left: no file, no syncobj, maybe no module. */
	close(fd);
	hold(ready, go);
	close(sync_file);
	if (strcmp(name, expected)) {
		fprintf(stderr, "edna_submit_exit: timeline \"%s\", not \"%s\"\n", name, expected);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sync-file"))
		return hold_sync_file(argv[2], argv[3]);
	return submit_and_exit(argc, argv);
}
