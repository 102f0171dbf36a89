/* SPDX-License-Identifier: MIT */
/* libaccel internals shared between its files; not installed. */
#ifndef LIBACCEL_ACCEL_INTERNAL_H
#define LIBACCEL_ACCEL_INTERNAL_H

#include <errno.h>

#include <xf86drm.h>

struct accel_device {
	int fd;
};

/* drmIoctl() retries on EINTR/EAGAIN; turn its result into -errno. */
static inline int accel_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

#endif /* LIBACCEL_ACCEL_INTERNAL_H */
