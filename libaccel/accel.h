/* SPDX-License-Identifier: MIT */
/*
 * libaccel: userspace access to edna accelerators.
 *
 * A thin C library on libdrm: devices, buffers, syncobjs, jobs, compiled
 * graphs, and messages for what their errors mean.  Documentation/libaccel.rst
 * is the guide; this header is the reference.
 *
 * Conventions, for every function below unless it says otherwise:
 *  - 0 (or a count) on success, a negative errno on failure; -EINVAL for
 *    arguments libaccel rejects itself, before any system call.  Errors of
 *    the kernel are passed on as they are: Documentation/uapi.rst lists
 *    them per ioctl, and accel_strerror() says what they mean for edna.
 *  - Output arguments are written only on success; the exceptions are the
 *    records the kernel fills in (accel_device_info(), accel_bo_info(),
 *    accel_wait()'s result), which libaccel zeroes first so that a shorter
 *    record of an older kernel leaves zeros, not stale bytes.
 *  - Nothing is printed, nothing is kept outside the objects the caller
 *    holds (no global state), and nothing calls exit() or abort().
 *
 * Threads: every call on one device, or on the objects made from it, may
 * run concurrently with any other from any number of threads.  What is
 * not allowed is what free(3) does not allow either: an object must not
 * be freed (accel_bo_free(), accel_graph_free(), accel_close()) while
 * another thread still uses it, and the arrays and structs passed in are
 * the caller's to keep stable during the call.  A device must outlive its
 * buffers and graphs.
 *
 * Processes: the device file is opened O_CLOEXEC.  A child made by fork()
 * shares the open file, hence the client, its buffers and its address
 * space, with its parent; a child that wants a device of its own opens it
 * anew.
 */
#ifndef LIBACCEL_ACCEL_H
#define LIBACCEL_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#include "edna_accel.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The library's version, also the package version of libaccel.pc and
 * the name of libaccel.so.MAJOR.MINOR.PATCH.  A new minor adds functions;
 * libaccel.so.0 stays compatible across all of 0.x.
 */
#define ACCEL_VERSION_MAJOR	0
#define ACCEL_VERSION_MINOR	3
#define ACCEL_VERSION_PATCH	0

/* ------------------------------------------------------------------------
 * Devices
 */

/** struct accel_device - an open edna device; opaque */
struct accel_device;

/**
 * accel_device_count() - count the edna devices present
 *
 * Return: the number of accel nodes driven by edna (0 when the module is
 * not loaded), or a negative errno from reading /sys/class/accel.
 */
int accel_device_count(void);

/**
 * accel_open() - open an edna device by index
 * @index: 0-based, in the order of the accel minor numbers
 * @dev: out, the device handle, for accel_close()
 *
 * Each open is a client of its own: its own device address space, GEM
 * handles and syncobjs, and one of the device's MMU contexts.
 *
 * Return: 0, -EINVAL if @dev is NULL, -ENODEV if there is no such device,
 * or the error of open(2): -EBUSY when every MMU context is taken,
 * -EACCES without permission on /dev/accel/accelN.
 */
int accel_open(unsigned int index, struct accel_device **dev);

/**
 * accel_open_path() - open an edna device by node path
 * @path: e.g. "/dev/accel/accel0"
 * @dev: out, the device handle
 *
 * Return: 0, -EINVAL for a NULL argument, -ENODEV for a DRM device that is
 * not edna, -ENOTTY for a file that is no DRM device, or the error of
 * open(2).
 */
int accel_open_path(const char *path, struct accel_device **dev);

/**
 * accel_open_fd() - adopt an open file of an edna node
 * @fd: an open file of /dev/accel/accelN, e.g. passed by another process
 * @dev: out, the device handle
 *
 * On success the device owns @fd and accel_close() closes it; on failure
 * @fd stays the caller's.
 *
 * Return: 0, -EINVAL for a negative @fd or NULL @dev, -ENODEV for a DRM
 * device that is not edna, -ENOTTY for a file that is no DRM device,
 * -EBADF, -ENOMEM.
 */
int accel_open_fd(int fd, struct accel_device **dev);

/**
 * accel_close() - close a device
 * @dev: from accel_open*(); NULL is ignored
 *
 * Free every buffer and graph of the device first.  Closing never waits
 * for the device: jobs still queued are dropped, jobs on the device run
 * to their end (Documentation/uapi.rst, "Closing a client").
 */
void accel_close(struct accel_device *dev);

/**
 * accel_fd() - the device's file descriptor
 * @dev: the device
 *
 * For libdrm calls libaccel does not wrap (drmSyncobjHandleToFD() and
 * friends) and for poll(2).  It stays the device's: do not close it.
 *
 * Return: the fd, or -EINVAL if @dev is NULL.
 */
int accel_fd(const struct accel_device *dev);

/**
 * accel_get_param() - read one device parameter
 * @dev: the device
 * @param: enum drm_edna_param
 * @index: region or power state for indexed parameters, else 0
 * @value: out, the value
 *
 * Return: 0, -EINVAL for NULL arguments, an unknown @param or a bad @index.
 */
int accel_get_param(struct accel_device *dev, uint32_t param, uint32_t index,
		    uint64_t *value);

/**
 * accel_device_info() - identity and capabilities at once
 * @dev: the device
 * @info: out
 * @size: sizeof(*info) as the caller was built with
 *
 * The kernel fills min(its size, @size) bytes and libaccel zeroes the rest
 * of @size, so old and new callers and kernels mix.  info->features tells
 * what the device can do (EDNA_FEATURE_*).
 *
 * Return: 0, -EINVAL for NULL arguments or a @size of 0 or above 4 GiB.
 */
int accel_device_info(struct accel_device *dev, struct drm_edna_device_info *info,
		      size_t size);

/* ------------------------------------------------------------------------
 * Buffers
 *
 * struct accel_bo is a buffer with what a caller needs of it at hand: GEM
 * handle, device virtual address, size, region, and a CPU mapping made on
 * first use.  Buffers are created zeroed (host memory, and device memory
 * that the device clears before BO_CREATE returns).
 */

/** struct accel_bo - a buffer object of one device; opaque */
struct accel_bo;

/**
 * accel_bo_alloc() - create a buffer
 * @dev: the device
 * @size: bytes, non-zero; rounded up to the MMU page size
 * @region: enum drm_edna_region
 * @flags: EDNA_BO_ALLOW_FALLBACK, EDNA_BO_DEVICE_READ_ONLY, or 0
 * @bo: out, the buffer, for accel_bo_free()
 *
 * The buffer is mapped into the device's address space at once, at the
 * address accel_bo_va() returns.  With EDNA_BO_ALLOW_FALLBACK an SRAM
 * buffer may land in DRAM: accel_bo_region() says where it is.
 *
 * Return: 0, -EINVAL for NULL arguments, a size of 0, unknown flags or
 * region; -E2BIG (larger than the region), -ENOSPC (no room, or the
 * address space is full), -EDQUOT (over the client's host memory limit),
 * -ENOMEM.
 */
int accel_bo_alloc(struct accel_device *dev, uint64_t size, uint32_t region,
		   uint32_t flags, struct accel_bo **bo);

/**
 * accel_bo_import() - a buffer from a dma-buf
 * @dev: the device
 * @dmabuf_fd: a dma-buf, from accel_bo_export() in this or another process
 *	or client, or from another driver; it stays the caller's to close
 * @bo: out, the buffer
 *
 * Importing a buffer this device already holds (through this library)
 * returns the same struct accel_bo, counted: each successful import needs
 * its own accel_bo_free().  A buffer of another device has no CPU mapping
 * here (accel_bo_map() gives -ENXIO); see Documentation/uapi.rst, "Sharing
 * through PRIME".
 *
 * Return: 0, -EINVAL for NULL arguments, a negative fd, or a dma-buf whose
 * pages are not 4 KiB aligned; -EBADF (not a file descriptor), -ENOSPC
 * (address space full), -ENOMEM.
 */
int accel_bo_import(struct accel_device *dev, int dmabuf_fd, struct accel_bo **bo);

/**
 * accel_bo_export() - share a buffer as a dma-buf
 * @bo: a host buffer
 * @dmabuf_fd: out, a new file descriptor, O_CLOEXEC and read-write; the
 *	caller closes it
 *
 * Return: 0, -EINVAL for NULL arguments, -EOPNOTSUPP for a DRAM or SRAM
 * buffer, -EMFILE, -ENOMEM.
 */
int accel_bo_export(const struct accel_bo *bo, int *dmabuf_fd);

/**
 * accel_bo_free() - drop a reference to a buffer
 * @bo: from accel_bo_alloc() or accel_bo_import(); NULL is ignored
 *
 * The last reference unmaps the CPU mapping and closes the GEM handle.
 * That never waits for the device: jobs still using the buffer keep it
 * alive until they end.  @bo is gone when this returns, whatever the
 * result.
 *
 * Return: 0, or the error of munmap(2) or GEM_CLOSE (the buffer is
 * let go of all the same).
 */
int accel_bo_free(struct accel_bo *bo);

/**
 * accel_bo_handle() - the buffer's GEM handle, for struct drm_edna_bo_ref
 * @bo: the buffer
 *
 * Return: the handle, or 0 (never a handle) if @bo is NULL.
 */
uint32_t accel_bo_handle(const struct accel_bo *bo);

/**
 * accel_bo_va() - the buffer's device virtual address in this client
 * @bo: the buffer
 *
 * Return: the address, or 0 (never mapped) if @bo is NULL.
 */
uint64_t accel_bo_va(const struct accel_bo *bo);

/**
 * accel_bo_size() - the buffer's size in bytes, rounded to whole pages
 * @bo: the buffer
 *
 * Return: the size, or 0 if @bo is NULL.
 */
uint64_t accel_bo_size(const struct accel_bo *bo);

/**
 * accel_bo_region() - where the buffer lives
 * @bo: the buffer
 *
 * Return: enum drm_edna_region, or EDNA_REGION_COUNT if @bo is NULL.
 */
uint32_t accel_bo_region(const struct accel_bo *bo);

/**
 * accel_bo_info_flags() - the buffer's EDNA_BO_INFO_* flags
 * @bo: the buffer
 *
 * Return: EDNA_BO_INFO_MAPPABLE, _IMPORTED, _DEVICE_READ_ONLY as they
 * apply, or 0 if @bo is NULL.
 */
uint32_t accel_bo_info_flags(const struct accel_bo *bo);

/**
 * accel_bo_map() - the buffer's CPU mapping
 * @bo: a host buffer of this device
 * @ptr: out, the start of the buffer, accel_bo_size() bytes, read-write
 *
 * The first call maps the buffer; later calls, from any thread, return
 * the same address, valid until accel_bo_free().  What the CPU wrote
 * before a SUBMIT is what the job reads; what a job wrote is visible once
 * its completion has been observed (accel_wait(), a syncobj).  The
 * mapping may be write-combined: copy results out once rather than read
 * them piecemeal.
 *
 * Return: 0, -EINVAL for NULL arguments, -ENXIO for a buffer the CPU
 * cannot map (DRAM, SRAM, or imported from another device), or the error
 * of mmap(2).
 */
int accel_bo_map(struct accel_bo *bo, void **ptr);

/**
 * accel_bo_write() - copy bytes into a host buffer
 * @bo: the buffer
 * @offset: where in the buffer
 * @data: what to copy
 * @size: bytes
 *
 * Return: 0, -EINVAL for NULL arguments or a range past the end of the
 * buffer, or an error of accel_bo_map().
 */
int accel_bo_write(struct accel_bo *bo, uint64_t offset, const void *data, size_t size);

/**
 * accel_bo_read() - copy bytes out of a host buffer
 * @bo: the buffer
 * @offset: where in the buffer
 * @data: out
 * @size: bytes
 *
 * Return: as accel_bo_write().
 */
int accel_bo_read(struct accel_bo *bo, uint64_t offset, void *data, size_t size);

/**
 * accel_bo_wait() - wait until every job using a buffer has ended
 * @bo: the buffer
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up at
 *	(accel_deadline_after(), ACCEL_DEADLINE_NEVER)
 * @status: out if not NULL, 0 when every job that last used the buffer
 *	succeeded, else the negative errno of one of them (accel_strerror())
 *
 * Covers the jobs of every client sharing the buffer and other drivers'
 * fences on a shared dma-buf.
 *
 * Return: 0 once they have ended, -ETIME when the deadline came first,
 * -EINVAL if @bo is NULL.
 */
int accel_bo_wait(const struct accel_bo *bo, int64_t deadline_ns, int *status);

/*
 * Buffers by raw GEM handle, for callers that manage handles themselves.
 * Do not close a handle of a struct accel_bo with accel_bo_close(): the
 * object would be left with a dead handle.
 */

/**
 * accel_bo_create() - create a buffer, by handle
 * @dev: the device
 * @size: bytes, non-zero
 * @region: enum drm_edna_region
 * @flags: EDNA_BO_* creation flags
 * @handle: out, the GEM handle
 * @va: out if not NULL, the device virtual address
 *
 * Return: as accel_bo_alloc().
 */
int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t region, uint32_t flags,
		    uint32_t *handle, uint64_t *va);

/**
 * accel_bo_info() - where a buffer lives (DRM_IOCTL_EDNA_BO_INFO)
 * @dev: the device
 * @handle: GEM handle
 * @info: out
 *
 * Return: 0, -EINVAL for NULL arguments, -ENOENT for an unknown handle.
 */
int accel_bo_info(struct accel_device *dev, uint32_t handle, struct drm_edna_bo_info *info);

/**
 * accel_bo_mmap() - map a buffer for the CPU, by handle
 * @dev: the device
 * @handle: GEM handle of a host buffer
 * @ptr: out, the mapping; the caller unmaps it with munmap(2)
 * @size: out if not NULL, its length
 *
 * Every call makes a new mapping.
 *
 * Return: 0, -EINVAL for NULL arguments, -ENOENT for an unknown handle,
 * -ENXIO for a buffer the CPU cannot map, or the error of mmap(2).
 */
int accel_bo_mmap(struct accel_device *dev, uint32_t handle, void **ptr, uint64_t *size);

/**
 * accel_bo_close() - close a GEM handle
 * @dev: the device
 * @handle: GEM handle
 *
 * Return: 0, -EINVAL if @dev is NULL or the handle is unknown.
 */
int accel_bo_close(struct accel_device *dev, uint32_t handle);

/* ------------------------------------------------------------------------
 * Syncobjs
 *
 * The DRM core's syncobjs, binary or timeline, order jobs across queues,
 * clients, processes and drivers: a job waits for some
 * (EDNA_SYNC_WAIT) and signals others (EDNA_SYNC_SIGNAL) through the
 * struct drm_edna_sync array of accel_job_set_syncs().  What libaccel does
 * not wrap (export as fd or sync file, transfer, eventfd) works with
 * libdrm's drmSyncobj*() on accel_fd().
 */

/**
 * accel_syncobj_create() - create a syncobj
 * @dev: the device
 * @flags: 0, or DRM_SYNCOBJ_CREATE_SIGNALED for one that a job can wait on
 *	at once
 * @handle: out, the syncobj handle
 *
 * Return: 0, -EINVAL for a NULL @dev or @handle or unknown @flags, -ENOMEM.
 */
int accel_syncobj_create(struct accel_device *dev, uint32_t flags, uint32_t *handle);

/**
 * accel_syncobj_destroy() - destroy a syncobj handle
 * @dev: the device
 * @handle: from accel_syncobj_create()
 *
 * Jobs that wait on or signal it are not affected.
 *
 * Return: 0, -EINVAL if @dev is NULL or the handle is unknown.
 */
int accel_syncobj_destroy(struct accel_device *dev, uint32_t handle);

/**
 * accel_syncobj_wait() - wait for a syncobj from the CPU
 * @dev: the device
 * @handle: the syncobj
 * @point: the timeline point; 0 for a binary syncobj
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up at
 *	(accel_deadline_after(), ACCEL_DEADLINE_NEVER); a time past only polls
 *
 * Waits also for the point to be submitted, so a thread may wait for
 * work another thread has yet to queue.  A syncobj signals when its job
 * ends, whether it succeeded or not: accel_wait() tells how.
 *
 * Return: 0 once signalled, -ETIME when the deadline came first, -EINVAL
 * if @dev is NULL, -ENOENT for an unknown handle.
 */
int accel_syncobj_wait(struct accel_device *dev, uint32_t handle, uint64_t point,
		       int64_t deadline_ns);

/**
 * accel_syncobj_query() - the last signalled point of a timeline syncobj
 * @dev: the device
 * @handle: the syncobj
 * @point: out
 *
 * Return: 0, -EINVAL for NULL arguments, -ENOENT for an unknown handle.
 */
int accel_syncobj_query(struct accel_device *dev, uint32_t handle, uint64_t *point);

/* ------------------------------------------------------------------------
 * Jobs
 *
 * A job is a struct drm_edna_job.  accel_job_init_*() fill one in for an
 * op, on queue 0 at EDNA_PRIORITY_NORMAL (set job->queue and
 * job->priority after them to change that), and accel_job_set_*() attach
 * the buffer list, the syncobjs and the result record.  The arrays given
 * to accel_job_set_*() are referenced, not copied: keep them until
 * accel_submit() returns.  accel_submit() queues a batch.
 *
 * Each init function checks its ranges against the buffers and returns
 * -EINVAL for one that does not fit, leaving *job untouched; the kernel
 * checks again, and the device checks every access.
 */

struct accel_graph;

/**
 * accel_job_init_nop() - a job that does nothing: a fence in queue order
 * @job: out
 *
 * Return: 0, -EINVAL if @job is NULL.
 */
int accel_job_init_nop(struct drm_edna_job *job);

/**
 * accel_job_init_fill() - a job writing a 32-bit pattern over a range
 * @job: out
 * @dst: the buffer written
 * @offset: start of the range in @dst
 * @size: bytes, a non-zero multiple of 4, at most EDNA_SUBMIT_MAX_SIZE
 * @pattern: the word written, little endian
 *
 * Return: 0, -EINVAL for NULL arguments, a bad @size, or a range past the
 * end of @dst.
 */
int accel_job_init_fill(struct drm_edna_job *job, const struct accel_bo *dst, uint64_t offset,
			uint64_t size, uint32_t pattern);

/**
 * accel_job_init_copy() - a job copying a range between buffers
 * @job: out
 * @dst: the buffer written
 * @dst_offset: where in @dst
 * @src: the buffer read; may be @dst if the ranges do not overlap
 * @src_offset: where in @src
 * @size: bytes, 1 to EDNA_SUBMIT_MAX_SIZE
 *
 * This is how DRAM and SRAM buffers, which the CPU cannot map, are filled
 * and read: through a host buffer.
 *
 * Return: 0, -EINVAL for NULL arguments, a bad @size, a range past the end
 * of its buffer, or overlapping ranges.
 */
int accel_job_init_copy(struct drm_edna_job *job, const struct accel_bo *dst,
			uint64_t dst_offset, const struct accel_bo *src, uint64_t src_offset,
			uint64_t size);

/**
 * accel_job_init_graph() - a job running a compiled graph
 * @job: out
 * @graph: from accel_graph_build() or accel_graph_load()
 * @args: the buffer holding the argument block (accel_graph_args_write())
 * @args_offset: where in @args
 *
 * accel_submit() fails with -EOPNOTSUPP on a device without
 * EDNA_FEATURE_GRAPH.
 *
 * Return: 0, -EINVAL for NULL arguments or an argument block header that
 * does not fit in @args.
 */
int accel_job_init_graph(struct drm_edna_job *job, const struct accel_graph *graph,
			 const struct accel_bo *args, uint64_t args_offset);

/**
 * accel_job_set_bos() - the buffers a job uses, and how
 * @job: the job
 * @bos: @count entries: handle (accel_bo_handle()) and one of
 *	EDNA_BO_READ, EDNA_BO_WRITE, EDNA_BO_NO_SYNC each; NULL if @count is 0
 * @count: at most EDNA_SUBMIT_MAX_BOS
 *
 * A listed buffer is kept alive until the job ends, and the flags order
 * the job after earlier users of the buffer (implicit synchronisation).
 * List at least what the job writes and the graph it runs.
 *
 * Return: 0, -EINVAL for a NULL @job, a NULL @bos with a non-zero @count,
 * or too many entries.
 */
int accel_job_set_bos(struct drm_edna_job *job, const struct drm_edna_bo_ref *bos,
		      unsigned int count);

/**
 * accel_job_set_syncs() - the syncobjs a job waits for and signals
 * @job: the job
 * @syncs: @count entries: handle, EDNA_SYNC_WAIT or EDNA_SYNC_SIGNAL, and
 *	a timeline point (0 for a binary syncobj); NULL if @count is 0
 * @count: at most EDNA_SUBMIT_MAX_SYNCS
 *
 * A wait needs a fence in the syncobj at submission (or a point an
 * earlier job of the same batch signals), else accel_submit() fails with
 * -EINVAL.
 *
 * Return: as accel_job_set_bos().
 */
int accel_job_set_syncs(struct drm_edna_job *job, const struct drm_edna_sync *syncs,
			unsigned int count);

/**
 * accel_job_set_result() - where the device writes the job's result record
 * @job: the job
 * @bo: a host buffer the device may write; NULL for none
 * @offset: where in @bo, 8-byte aligned; 128-byte aligned keeps the
 *	record within one page
 *
 * The record stays there after the kernel has forgotten the job: read it
 * with accel_result_read() once the job has ended.
 *
 * Return: 0, -EINVAL for a NULL @job, a misaligned @offset, or a record
 * that does not fit in @bo.
 */
int accel_job_set_result(struct drm_edna_job *job, const struct accel_bo *bo,
			 uint64_t offset);

/**
 * accel_submit() - queue jobs
 * @dev: the device
 * @jobs: @count jobs
 * @count: 1 to EDNA_SUBMIT_MAX_JOBS
 *
 * All or nothing: every job is queued, in array order, and its seqno
 * field set; or none is.  A job that is queued and then fails reports
 * through accel_wait(), never here.
 *
 * Return: 0; -EINVAL for NULL arguments, a bad @count, or a job the kernel
 * rejects; -ENOENT (unknown buffer or syncobj handle), -EOPNOTSUPP (GRAPH
 * on a device without it), -EACCES (EDNA_PRIORITY_HIGH without
 * CAP_SYS_NICE), -EBUSY (over 4096 jobs of the client in flight),
 * -ECANCELED (the client is banned), -EIO (the device is wedged), -ENODEV.
 */
int accel_submit(struct accel_device *dev, struct drm_edna_job *jobs, unsigned int count);

/* A deadline that never comes, for the waits. */
#define ACCEL_DEADLINE_NEVER	INT64_MAX

/**
 * accel_deadline_after() - the deadline of a wait that may last @ns
 * @ns: nanoseconds from now; negative gives a time past
 *
 * Deadlines are absolute so that a wait restarted after a signal still
 * ends on time.
 *
 * Return: the CLOCK_MONOTONIC time @ns from now, saturated to the int64_t
 * range.
 */
int64_t accel_deadline_after(int64_t ns);

/**
 * accel_wait() - wait for a job and read how it ended
 * @dev: the device
 * @seqno: the job's seqno, set by accel_submit()
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up at; a time past
 *	only polls
 * @status: out if not NULL, 0 when the job succeeded, else the negative
 *	errno it failed with (accel_strerror())
 * @result: out if not NULL, the job's result record: status, failing op
 *	and reason (accel_result_describe()), cycles, MACs, bytes moved
 *
 * Waiting consumes nothing: any number of waits, from any thread, read
 * the same.  The kernel keeps the results of the last
 * EDNA_WAIT_KEPT_RESULTS jobs of the client; for older ones, read the
 * record at the job's result address (accel_job_set_result()).
 *
 * A graph the device rejects gives a status of -ENOEXEC, and a record
 * with EDNA_STATUS_BAD_GRAPH, the op's index and the reason.
 *
 * Return: 0 when the job has ended (*status says how), -ETIME when the
 * deadline came first, -EINVAL for a NULL @dev, seqno 0 or one not issued
 * yet, -ENOENT for a job not of this client or no longer kept.
 */
int accel_wait(struct accel_device *dev, uint64_t seqno, int64_t deadline_ns, int *status,
	       struct drm_edna_job_result *result);

/**
 * accel_wait_bo() - accel_bo_wait() by GEM handle
 * @dev: the device
 * @handle: GEM handle
 * @deadline_ns: as accel_wait()
 * @status: as accel_bo_wait()
 *
 * Return: as accel_bo_wait(); -ENOENT for an unknown handle.
 */
int accel_wait_bo(struct accel_device *dev, uint32_t handle, int64_t deadline_ns, int *status);

/**
 * accel_result_read() - read a result record the device wrote to a buffer
 * @bo: the host buffer given to accel_job_set_result()
 * @offset: the offset given there
 * @result: out, in host byte order
 *
 * Read only after the job has ended.
 *
 * Return: 0, -EINVAL for NULL arguments, a misaligned @offset or a record
 * past the end of @bo, or an error of accel_bo_map().
 */
int accel_result_read(struct accel_bo *bo, uint64_t offset,
		      struct drm_edna_job_result *result);

/* ------------------------------------------------------------------------
 * Compiled graphs
 *
 * A graph is a header and op records (uapi/drm/edna_accel.h, "Compiled
 * graphs"), read by the device from a buffer.  libaccel loads it into a
 * host buffer that the device may only read, and gives its handle and
 * address for the job.  The operands of the ops are device virtual
 * addresses of this client: build the graph after the buffers it uses,
 * with accel_bo_va().
 */

/** struct accel_graph - a graph loaded into a buffer of one device; opaque */
struct accel_graph;

/**
 * accel_graph_encode() - lay out a graph image, header and ops
 * @ops: @op_count op records, in host byte order
 * @op_count: 1 to EDNA_GRAPH_MAX_OPS
 * @max_tokens: rows the graph's activation buffers hold, 1 to
 *	EDNA_GRAPH_MAX_TOKENS
 * @image: out, @size bytes; NULL to learn the size only
 * @size: bytes at @image
 *
 * Writes a version EDNA_GRAPH_VERSION_MAJOR.MINOR header and copies every
 * field of the ops, pad and reserved included, little endian.  For
 * compilers that write graph files; accel_graph_build() does this into
 * the graph's buffer directly.
 *
 * Return: the image's size in bytes; -EINVAL for a NULL @ops, an @op_count
 * or @max_tokens out of range; -ENOSPC if @image is not NULL and @size is
 * smaller than the image.
 */
int accel_graph_encode(const struct drm_edna_graph_op *ops, uint32_t op_count,
		       uint32_t max_tokens, void *image, size_t size);

/**
 * accel_graph_build() - encode ops into a graph and load it
 * @dev: the device
 * @ops: @op_count op records, in host byte order
 * @op_count: 1 to EDNA_GRAPH_MAX_OPS
 * @max_tokens: 1 to EDNA_GRAPH_MAX_TOKENS
 * @graph: out, the graph, for accel_graph_free()
 *
 * Return: 0, an error of accel_graph_encode() or accel_bo_alloc().
 */
int accel_graph_build(struct accel_device *dev, const struct drm_edna_graph_op *ops,
		      uint32_t op_count, uint32_t max_tokens, struct accel_graph **graph);

/**
 * accel_graph_load() - load a graph image, as a compiler wrote it
 * @dev: the device
 * @image: @size bytes: header and op records, little endian
 * @size: bytes
 * @graph: out, the graph, for accel_graph_free()
 *
 * The image is copied into a new host buffer created with
 * EDNA_BO_DEVICE_READ_ONLY.  libaccel checks the header of a version
 * EDNA_GRAPH_VERSION_MAJOR image (sizes and counts in range, the ops
 * within @size); an image of another major version is passed to the
 * device as it is, which runs it or fails the job with
 * EDNA_GRAPH_ERR_VERSION.  The ops themselves are the device's to check:
 * a bad one fails the job, with EDNA_STATUS_BAD_GRAPH and the op's index.
 *
 * Return: 0; -EINVAL for NULL arguments, an image shorter than a header,
 * or a header out of range; -ENOEXEC if the image is not a graph (wrong
 * magic); an error of accel_bo_alloc().
 */
int accel_graph_load(struct accel_device *dev, const void *image, size_t size,
		     struct accel_graph **graph);

/**
 * accel_graph_free() - free a graph's buffer
 * @graph: NULL is ignored
 *
 * Jobs running the graph keep the buffer alive if they list it.
 *
 * Return: as accel_bo_free().
 */
int accel_graph_free(struct accel_graph *graph);

/**
 * accel_graph_bo() - the buffer holding the graph, to list in a job
 * @graph: the graph
 *
 * Return: the buffer, owned by the graph; NULL if @graph is NULL.
 */
const struct accel_bo *accel_graph_bo(const struct accel_graph *graph);

/**
 * accel_graph_handle() - GEM handle of the graph's buffer
 * @graph: the graph
 *
 * Return: the handle, or 0 if @graph is NULL.
 */
uint32_t accel_graph_handle(const struct accel_graph *graph);

/**
 * accel_graph_va() - device virtual address of the graph, a job's src
 * @graph: the graph
 *
 * Return: the address, or 0 if @graph is NULL.
 */
uint64_t accel_graph_va(const struct accel_graph *graph);

/**
 * accel_graph_max_tokens() - the rows one step of the graph may process
 * @graph: the graph
 *
 * Return: the header's max_tokens, or 0 if @graph is NULL or its image is
 * of a version libaccel does not read.
 */
uint32_t accel_graph_max_tokens(const struct accel_graph *graph);

/**
 * accel_graph_args_size() - bytes of an argument block
 * @n_tokens: tokens of the first step
 * @steps: steps of the job
 *
 * Return: sizeof(struct drm_edna_graph_args) plus n_tokens + steps token
 * ids.
 */
size_t accel_graph_args_size(uint32_t n_tokens, uint32_t steps);

/**
 * accel_graph_args_write() - write a GRAPH job's argument block
 * @bo: a host buffer
 * @offset: where in @bo; 4-byte aligned
 * @pos: position of tokens[0] in the sequence
 * @n_tokens: tokens of the first step, 1 to EDNA_GRAPH_MAX_TOKENS
 * @steps: steps to run, 1 to EDNA_GRAPH_MAX_STEPS
 * @tokens: the @n_tokens token ids of the first step (a graph without
 *	EMBED ignores them; pass zeros)
 *
 * The @steps slots after them, which the graph's ARGMAX fills, are zeroed.
 *
 * Return: 0, -EINVAL for NULL arguments, a count out of range, a
 * misaligned @offset or a block past the end of @bo; an error of
 * accel_bo_map().
 */
int accel_graph_args_write(struct accel_bo *bo, uint64_t offset, uint32_t pos,
			   uint32_t n_tokens, uint32_t steps, const uint32_t *tokens);

/**
 * accel_graph_args_read_tokens() - the tokens a GRAPH job produced
 * @bo: the buffer of the argument block
 * @offset: where in @bo
 * @n_tokens: as written by accel_graph_args_write()
 * @steps: likewise
 * @tokens: out, @steps token ids: what each step's ARGMAX chose
 *
 * Read only after the job has ended.
 *
 * Return: as accel_graph_args_write().
 */
int accel_graph_args_read_tokens(struct accel_bo *bo, uint64_t offset, uint32_t n_tokens,
				 uint32_t steps, uint32_t *tokens);

/* ------------------------------------------------------------------------
 * Errors
 *
 * The same errno means different things in different places (-ETIME: a
 * wait's deadline passed; -ETIMEDOUT: a job hung and was reset): these
 * give edna's meaning.  The strings are constant and never NULL.
 */

/**
 * accel_strerror() - what an errno returned by libaccel, or a job's
 *	status from accel_wait(), means for edna
 * @err: negative or positive errno
 *
 * Return: a message; strerror's for an errno edna gives no meaning of its
 * own, "unknown error" for one the C library does not know either.
 */
const char *accel_strerror(int err);

/**
 * accel_job_status_str() - name of a result record's status
 * @status: enum drm_edna_job_status
 *
 * Return: a message, "unknown job status" for an unknown value.
 */
const char *accel_job_status_str(uint32_t status);

/**
 * accel_fault_strerror() - why a device access faulted
 * @reason: enum drm_edna_fault_reason, a record's reason with
 *	EDNA_STATUS_MMU_FAULT or EDNA_STATUS_BUS_ERROR
 *
 * Return: a message, "unknown fault reason" for an unknown value.
 */
const char *accel_fault_strerror(uint32_t reason);

/**
 * accel_graph_strerror() - why the device rejected a graph
 * @reason: enum drm_edna_graph_error, a record's reason with
 *	EDNA_STATUS_BAD_GRAPH
 *
 * Return: a message, "unknown graph error" for an unknown value.
 */
const char *accel_graph_strerror(uint32_t reason);

/**
 * accel_result_describe() - one line saying how a job ended
 * @result: the job's record
 * @job_op: the job's op (enum drm_edna_job_op): a GRAPH job's line names
 *	the failing op
 * @buf: out, NUL-terminated, truncated to @size
 * @size: bytes at @buf
 *
 * E.g. "bad graph at op 3: an operand misaligned, missing, ...", or "MMU
 * fault at device address 0x100002000: nothing mapped there".
 *
 * Return: the length of the whole line, as snprintf(3) (a value of @size
 * or more means it was truncated); -EINVAL for a NULL @result, or a NULL
 * @buf with a non-zero @size.
 */
int accel_result_describe(const struct drm_edna_job_result *result, uint32_t job_op,
			  char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LIBACCEL_ACCEL_H */
