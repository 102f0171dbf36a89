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

#ifdef __cplusplus
}
#endif

#endif /* LIBACCEL_ACCEL_H */
