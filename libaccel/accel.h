/* SPDX-License-Identifier: MIT */
/*
 * libaccel: userspace access to edna accelerators.
 *
 * Every function returns 0 or a negative errno; nothing is printed and no
 * state is kept outside the objects the caller holds.
 */
#ifndef LIBACCEL_ACCEL_H
#define LIBACCEL_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#include "edna_accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/** struct accel_device - an open edna device; opaque to callers */
struct accel_device;

/* Number of edna devices present, or a negative errno. */
int accel_device_count(void);

/*
 * Open the index-th edna device (0-based, in /sys/class/accel order) and
 * store the handle in *dev.  -ENODEV when there is no such device.
 */
int accel_open(unsigned int index, struct accel_device **dev);

/* Open an accel node by path, e.g. "/dev/accel/accel0". */
int accel_open_path(const char *path, struct accel_device **dev);

/* Close a device opened with accel_open*(); NULL is ignored. */
void accel_close(struct accel_device *dev);

/* The file descriptor, for drmSyncobj*()/drmPrime*() and poll(2). */
int accel_fd(const struct accel_device *dev);

/* One parameter, enum drm_edna_param; index for indexed parameters. */
int accel_get_param(struct accel_device *dev, uint32_t param, uint32_t index,
		    uint64_t *value);

/*
 * All identity and capabilities at once.  @size is sizeof(*info) as the
 * caller was built with: the kernel fills min(its size, @size) bytes and
 * the rest is zeroed, so old and new callers and kernels mix.
 */
int accel_device_info(struct accel_device *dev, struct drm_edna_device_info *info,
		      size_t size);

/*
 * Buffers.  accel_bo_create() places @size bytes in @region (enum
 * drm_edna_region) with EDNA_BO_* @flags and returns the GEM handle and the
 * device virtual address in this client's address space.
 */
int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t region, uint32_t flags,
		    uint32_t *handle, uint64_t *va);
int accel_bo_info(struct accel_device *dev, uint32_t handle, struct drm_edna_bo_info *info);
/* Map a host buffer for the CPU; device buffers give -ENXIO. */
int accel_bo_mmap(struct accel_device *dev, uint32_t handle, void **ptr, uint64_t *size);
int accel_bo_close(struct accel_device *dev, uint32_t handle);

/*
 * Queue @count jobs (1 to EDNA_SUBMIT_MAX_JOBS) in one call: all of them or
 * none.  Each job's seqno field is filled in.
 */
int accel_submit(struct accel_device *dev, struct drm_edna_job *jobs, unsigned int count);

/* A deadline that never comes, for the waits below. */
#define ACCEL_DEADLINE_NEVER	INT64_MAX

/*
 * The CLOCK_MONOTONIC time @ns nanoseconds from now, saturated to the
 * int64_t range: the deadline of a wait that may last @ns.
 */
int64_t accel_deadline_after(int64_t ns);

/*
 * Wait until absolute CLOCK_MONOTONIC time @deadline_ns for the job with
 * sequence number @seqno; a deadline already past only polls.  0 when the
 * job has completed, with its result in *status (0 or the negative errno
 * it failed with) and, if @result is not NULL, its record in *result;
 * -ETIME when the deadline came first.  Waiting consumes nothing: every
 * wait on a completed job reads the same.
 */
int accel_wait(struct accel_device *dev, uint64_t seqno, int64_t deadline_ns, int *status,
	       struct drm_edna_job_result *result);

/* The same for every job using buffer @handle; *status is one's error, or 0. */
int accel_wait_bo(struct accel_device *dev, uint32_t handle, int64_t deadline_ns, int *status);

#ifdef __cplusplus
}
#endif

#endif /* LIBACCEL_ACCEL_H */
