// SPDX-License-Identifier: MIT
/*
 * libaccel: device discovery, opening and closing, and the identity ioctls.
 *
 * Bookworm's libdrm predates accel nodes, so discovery walks
 * /sys/class/accel itself; libdrm is used for what works on any DRM fd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "accel.h"
#include "accel_internal.h"

/* True if accel node @name (e.g. "accel0") is driven by edna. */
static int is_edna_node(const char *name)
{
	char path[300], link[256];
	ssize_t len;
	const char *driver;

	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/driver", name);
	len = readlink(path, link, sizeof(link) - 1);
	if (len <= 0)
		return 0;
	link[len] = '\0';
	driver = strrchr(link, '/');
	return driver && !strcmp(driver + 1, "edna");
}

static int minor_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Fill @minors (sorted) with up to @max edna accel minors; return the count. */
static int list_edna_minors(int *minors, int max)
{
	DIR *d = opendir("/sys/class/accel");
	struct dirent *e;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && n < max) {
		int minor;

		if (sscanf(e->d_name, "accel%d", &minor) == 1 && is_edna_node(e->d_name))
			minors[n++] = minor;
	}
	closedir(d);
	qsort(minors, n, sizeof(*minors), minor_cmp);
	return n;
}

#define ACCEL_MAX_DEVICES 64

ACCEL_EXPORT int accel_device_count(void)
{
	int minors[ACCEL_MAX_DEVICES];

	return list_edna_minors(minors, ACCEL_MAX_DEVICES);
}

int accel_device_init(struct accel_device *dev, int fd)
{
	int ret = pthread_mutex_init(&dev->bo_lock, NULL);

	if (ret)
		return -ret;
	dev->fd = fd;
	dev->bos = NULL;
	return 0;
}

void accel_device_fini(struct accel_device *dev)
{
	pthread_mutex_destroy(&dev->bo_lock);
}

ACCEL_EXPORT int accel_open_fd(int fd, struct accel_device **dev)
{
	struct accel_device *d;
	drmVersionPtr v;
	int ret;

	if (fd < 0 || !dev)
		return -EINVAL;
	/* drmGetVersion() fails with errno set, unless libdrm gave up itself. */
	errno = 0;
	v = drmGetVersion(fd);
	if (!v)
		return errno ? -errno : -ENODEV;
	ret = strcmp(v->name, "edna") ? -ENODEV : 0;
	drmFreeVersion(v);
	if (ret)
		return ret;

	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	ret = accel_device_init(d, fd);
	if (ret) {
		free(d);
		return ret;
	}
	*dev = d;
	return 0;
}

ACCEL_EXPORT int accel_open_path(const char *path, struct accel_device **dev)
{
	int fd, ret;

	if (!path || !dev)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = accel_open_fd(fd, dev);
	if (ret)
		close(fd);
	return ret;
}

ACCEL_EXPORT int accel_open(unsigned int index, struct accel_device **dev)
{
	int minors[ACCEL_MAX_DEVICES];
	char path[64];
	int n;

	if (!dev)
		return -EINVAL;
	n = list_edna_minors(minors, ACCEL_MAX_DEVICES);
	if (n < 0)
		return n;
	if (index >= (unsigned int)n)
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/accel/accel%d", minors[index]);
	return accel_open_path(path, dev);
}

ACCEL_EXPORT void accel_close(struct accel_device *dev)
{
	if (!dev)
		return;
	accel_device_fini(dev);
	close(dev->fd);
	free(dev);
}

ACCEL_EXPORT int accel_fd(const struct accel_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

ACCEL_EXPORT int accel_get_param(struct accel_device *dev, uint32_t param, uint32_t index,
				 uint64_t *value)
{
	struct drm_edna_get_param args = { .param = param, .index = index };
	int ret;

	if (!dev || !value)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_EDNA_GET_PARAM, &args);
	if (!ret)
		*value = args.value;
	return ret;
}

ACCEL_EXPORT int accel_device_info(struct accel_device *dev,
				   struct drm_edna_device_info *info, size_t size)
{
	struct drm_edna_query q = {
		.id = EDNA_QUERY_DEVICE_INFO,
		.size = size,
		.data = (uintptr_t)info,
	};

	if (!dev || !info || !size || size > UINT32_MAX)
		return -EINVAL;
	/* An older kernel fills less: leave the rest zero rather than stale. */
	memset(info, 0, size);
	return accel_ioctl(dev->fd, DRM_IOCTL_EDNA_QUERY, &q);
}
