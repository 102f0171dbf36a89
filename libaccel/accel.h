/* SPDX-License-Identifier: MIT */
/*
 * libaccel: userspace access to edna accelerators.
 *
 * Every function returns 0 or a negative errno; nothing is printed and no
 * state is kept outside the objects the caller holds.
 */
#ifndef LIBACCEL_ACCEL_H
#define LIBACCEL_ACCEL_H

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

/* All identity and capabilities at once; zero-fills what the kernel lacks. */
int accel_device_info(struct accel_device *dev, struct drm_edna_device_info *info);

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

/* Queue one job; @submit->job_id is filled in. */
int accel_submit(struct accel_device *dev, struct drm_edna_submit *submit);
/*
 * Wait up to @timeout_ns for a job, or with accel_wait_bo() for every job
 * using a buffer.  0 when it completed, with its result in *status (0 or
 * a negative errno); -ETIME when the time ran out.
 */
int accel_wait(struct accel_device *dev, uint64_t job_id, int64_t timeout_ns, int *status);
int accel_wait_bo(struct accel_device *dev, uint32_t handle, int64_t timeout_ns, int *status);

#ifdef __cplusplus
}
#endif

#endif /* LIBACCEL_ACCEL_H */
