/* SPDX-License-Identifier: MIT */
/* libaccel internals shared between its files; not installed. */
#ifndef LIBACCEL_ACCEL_INTERNAL_H
#define LIBACCEL_ACCEL_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <xf86drm.h>

/*
 * The library is built with -fvisibility=hidden: only what carries this
 * is exported from libaccel.so, so helpers shared between its files stay
 * out of the ABI.
 */
#define ACCEL_EXPORT __attribute__((visibility("default")))

struct accel_bo;

struct accel_device {
	int fd;
	/*
	 * GEM handles are per file and not counted: importing a dma-buf of a
	 * buffer the file already holds returns the handle it has, and one
	 * GEM_CLOSE ends it for every holder.  So every struct accel_bo of
	 * the device is listed here, and a handle is closed, and a dma-buf
	 * turned into a handle, only under bo_lock: an import never gets a
	 * handle that another thread is about to close.
	 */
	pthread_mutex_t bo_lock;
	struct accel_bo *bos;
};

struct accel_bo {
	struct accel_device *dev;
	struct accel_bo *next, **pprev;	/* dev->bos, under dev->bo_lock */
	unsigned int refs;		/* one per accel_bo_alloc/import, under dev->bo_lock */
	uint32_t handle;
	uint32_t region;		/* enum drm_edna_region, as BO_INFO says */
	uint32_t info_flags;		/* EDNA_BO_INFO_* */
	uint64_t size;
	uint64_t va;
	uint64_t mmap_offset;
	/* The CPU mapping, made at the first accel_bo_map(), until the free. */
	_Atomic(void *) map;
};

struct accel_graph {
	struct accel_bo *bo;
	uint32_t op_count;		/* 0 when the image's version is unknown */
	uint32_t max_tokens;		/* likewise */
};

/* drmIoctl() retries on EINTR/EAGAIN; turn its result into -errno. */
static inline int accel_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

/*
 * Set up @dev around @fd without checking what the fd is: for
 * accel_open_fd(), and for host-side tests with an fd of -1.
 */
int accel_device_init(struct accel_device *dev, int fd);
void accel_device_fini(struct accel_device *dev);

/* True if [@offset, @offset + @size) lies within @bo_size bytes. */
static inline int accel_range_ok(uint64_t bo_size, uint64_t offset, uint64_t size)
{
	return offset <= bo_size && size <= bo_size - offset;
}

/*
 * The CPU address of [@offset, @offset + @size) of @bo, mapping it if need
 * be: -EINVAL for a NULL @bo or a range past its end, else as
 * accel_bo_map().
 */
int accel_bo_cpu_range(struct accel_bo *bo, uint64_t offset, size_t size, unsigned char **p);

#endif /* LIBACCEL_ACCEL_INTERNAL_H */
