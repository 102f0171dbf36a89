/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edna: Edge Decoder Neural Accelerator, userspace ABI.
 *
 * Rules that keep this ABI growable without breaking old binaries:
 *  - ioctl numbers are append-only; a struct whose size is encoded in an
 *    ioctl number never changes size;
 *  - every reserved field and unknown flag must be zero, the kernel returns
 *    -EINVAL otherwise, so they can be given a meaning later;
 *  - data that may grow is returned through DRM_IOCTL_EDNA_QUERY, which
 *    negotiates its size: a zero data pointer returns the size the kernel
 *    would write, and the kernel copies min(caller size, kernel size).
 */
#ifndef _UAPI_DRM_EDNA_ACCEL_H_
#define _UAPI_DRM_EDNA_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_EDNA_GET_PARAM		0x00
#define DRM_EDNA_QUERY			0x01
#define DRM_EDNA_BO_CREATE		0x02
#define DRM_EDNA_BO_INFO		0x03
#define DRM_EDNA_SUBMIT			0x04
#define DRM_EDNA_WAIT			0x05

#define DRM_IOCTL_EDNA_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDNA_GET_PARAM, struct drm_edna_get_param)
#define DRM_IOCTL_EDNA_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDNA_QUERY, struct drm_edna_query)
#define DRM_IOCTL_EDNA_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDNA_BO_CREATE, struct drm_edna_bo_create)
#define DRM_IOCTL_EDNA_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDNA_BO_INFO, struct drm_edna_bo_info)
#define DRM_IOCTL_EDNA_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDNA_SUBMIT, struct drm_edna_submit)
#define DRM_IOCTL_EDNA_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_EDNA_WAIT, struct drm_edna_wait)

/**
 * enum drm_edna_region - memory tiers of the device
 * @EDNA_REGION_HOST: system memory, reached by the device through its MMU
 * @EDNA_REGION_DRAM: device-local DRAM
 * @EDNA_REGION_SRAM: on-chip SRAM, small and fast
 */
enum drm_edna_region {
	EDNA_REGION_HOST = 0,
	EDNA_REGION_DRAM = 1,
	EDNA_REGION_SRAM = 2,
	EDNA_REGION_COUNT
};

/**
 * enum drm_edna_power_state - device power states
 * @EDNA_POWER_ACTIVE: clocks running, jobs execute
 * @EDNA_POWER_IDLE: clock gated, registers and memories kept
 * @EDNA_POWER_OFF: power gated, all device state lost
 */
enum drm_edna_power_state {
	EDNA_POWER_ACTIVE = 0,
	EDNA_POWER_IDLE = 1,
	EDNA_POWER_OFF = 2,
	EDNA_POWER_COUNT
};

/**
 * enum drm_edna_param - values returned by DRM_IOCTL_EDNA_GET_PARAM
 * @EDNA_PARAM_DEVICE_ID: identity register of the device
 * @EDNA_PARAM_HW_VERSION: hardware version, major << 16 | minor
 * @EDNA_PARAM_NUM_QUEUES: number of hardware command queues
 * @EDNA_PARAM_NUM_CONTEXTS: number of MMU contexts (address spaces)
 * @EDNA_PARAM_REGION_SIZE: bytes in region @index (enum drm_edna_region);
 *	for EDNA_REGION_HOST, the system memory the device may address
 * @EDNA_PARAM_MMU_PAGE_SIZE: device MMU page size in bytes
 * @EDNA_PARAM_VA_BITS: width of a device virtual address
 * @EDNA_PARAM_CLOCK_HZ: device core clock
 * @EDNA_PARAM_PEAK_MACS: peak multiply-accumulates per second
 * @EDNA_PARAM_PEAK_BANDWIDTH: peak bytes per second of region @index
 * @EDNA_PARAM_POWER_MW: power drawn in power state @index
 *	(enum drm_edna_power_state), milliwatts
 * @EDNA_PARAM_POWER_UP_US: latency from OFF to ACTIVE, microseconds
 */
enum drm_edna_param {
	EDNA_PARAM_DEVICE_ID = 0,
	EDNA_PARAM_HW_VERSION = 1,
	EDNA_PARAM_NUM_QUEUES = 2,
	EDNA_PARAM_NUM_CONTEXTS = 3,
	EDNA_PARAM_REGION_SIZE = 4,
	EDNA_PARAM_MMU_PAGE_SIZE = 5,
	EDNA_PARAM_VA_BITS = 6,
	EDNA_PARAM_CLOCK_HZ = 7,
	EDNA_PARAM_PEAK_MACS = 8,
	EDNA_PARAM_PEAK_BANDWIDTH = 9,
	EDNA_PARAM_POWER_MW = 10,
	EDNA_PARAM_POWER_UP_US = 11,
};

/**
 * struct drm_edna_get_param - read one device parameter
 * @param: in, enum drm_edna_param
 * @index: in, region or power state for indexed parameters, else 0
 * @value: out, the value
 * @reserved: must be zero
 */
struct drm_edna_get_param {
	__u32 param;
	__u32 index;
	__u64 value;
	__u64 reserved;
};

/**
 * enum drm_edna_query_id - what DRM_IOCTL_EDNA_QUERY returns
 * @EDNA_QUERY_DEVICE_INFO: struct drm_edna_device_info
 */
enum drm_edna_query_id {
	EDNA_QUERY_DEVICE_INFO = 0,
};

/**
 * struct drm_edna_query - size-negotiated query
 * @id: in, enum drm_edna_query_id
 * @size: in, bytes at @data; out, bytes the kernel has for this query
 * @data: in, user pointer to the buffer, or 0 to learn @size only
 * @flags: must be zero
 * @reserved: must be zero
 *
 * The kernel copies min(@size, its size) bytes and always sets @size to its
 * full size, so old binaries keep working when a query grows and new
 * binaries can tell how much an old kernel filled in.
 */
struct drm_edna_query {
	__u32 id;
	__u32 size;
	__u64 data;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct drm_edna_device_info - EDNA_QUERY_DEVICE_INFO
 * @device_id: as EDNA_PARAM_DEVICE_ID
 * @hw_version: as EDNA_PARAM_HW_VERSION
 * @num_queues: as EDNA_PARAM_NUM_QUEUES
 * @num_contexts: as EDNA_PARAM_NUM_CONTEXTS
 * @mmu_page_size: as EDNA_PARAM_MMU_PAGE_SIZE
 * @va_bits: as EDNA_PARAM_VA_BITS
 * @clock_hz: as EDNA_PARAM_CLOCK_HZ
 * @peak_macs: as EDNA_PARAM_PEAK_MACS
 * @region_size: as EDNA_PARAM_REGION_SIZE, by enum drm_edna_region
 * @peak_bandwidth: as EDNA_PARAM_PEAK_BANDWIDTH, by enum drm_edna_region
 * @power_mw: as EDNA_PARAM_POWER_MW, by enum drm_edna_power_state
 * @power_up_us: as EDNA_PARAM_POWER_UP_US
 * @reserved: zero
 */
struct drm_edna_device_info {
	__u32 device_id;
	__u32 hw_version;
	__u32 num_queues;
	__u32 num_contexts;
	__u32 mmu_page_size;
	__u32 va_bits;
	__u64 clock_hz;
	__u64 peak_macs;
	__u64 region_size[EDNA_REGION_COUNT];
	__u64 peak_bandwidth[EDNA_REGION_COUNT];
	__u32 power_mw[EDNA_POWER_COUNT];
	__u32 power_up_us;
	__u64 reserved;
};

/*
 * Buffer flags, DRM_IOCTL_EDNA_BO_CREATE
 *
 * EDNA_BO_ALLOW_FALLBACK: if the SRAM has no room, place the buffer in
 *	device DRAM instead of failing with -ENOSPC; BO_INFO tells where it
 *	went.  Ignored for other regions.
 * EDNA_BO_DEVICE_READ_ONLY: the device may only read the buffer (weights,
 *	graphs); a job writing it faults.  Host memory only: the CPU fills it.
 */
#define EDNA_BO_ALLOW_FALLBACK		0x1u
#define EDNA_BO_DEVICE_READ_ONLY	0x2u
#define EDNA_BO_CREATE_FLAGS		(EDNA_BO_ALLOW_FALLBACK | EDNA_BO_DEVICE_READ_ONLY)

/**
 * struct drm_edna_bo_create - allocate a buffer and map it for the device
 * @size: in, bytes; rounded up to the MMU page size
 * @region: in, enum drm_edna_region
 * @flags: in, EDNA_BO_* creation flags
 * @handle: out, GEM handle
 * @pad: must be zero
 * @va: out, device virtual address of the buffer in this file's address
 *	space
 *
 * Each open file of the device is one device address space.  A buffer is
 * mapped into the address space of every file that holds a handle to it:
 * the creator's at creation, an importer's at PRIME import; an unmapped
 * guard page follows it.  Device memory (DRAM, SRAM) is zeroed by the
 * device before BO_CREATE returns.
 */
struct drm_edna_bo_create {
	__u64 size;
	__u32 region;
	__u32 flags;
	__u32 handle;
	__u32 pad;
	__u64 va;
};

/*
 * Buffer properties, DRM_IOCTL_EDNA_BO_INFO
 *
 * EDNA_BO_INFO_MAPPABLE: mmap(2) of the offset on the device fd works.
 * EDNA_BO_INFO_IMPORTED: the buffer came from another device (PRIME).
 * EDNA_BO_INFO_DEVICE_READ_ONLY: created with EDNA_BO_DEVICE_READ_ONLY.
 */
#define EDNA_BO_INFO_MAPPABLE		0x1u
#define EDNA_BO_INFO_IMPORTED		0x2u
#define EDNA_BO_INFO_DEVICE_READ_ONLY	0x4u

/**
 * struct drm_edna_bo_info - where a buffer lives
 * @handle: in, GEM handle
 * @region: out, enum drm_edna_region the buffer was placed in
 * @size: out, bytes
 * @va: out, device virtual address in this file's address space
 * @mmap_offset: out, offset to pass to mmap(2) on the device fd, 0 when the
 *	buffer is not CPU-visible (device DRAM and SRAM)
 * @flags: out, EDNA_BO_INFO_*
 * @pad: must be zero
 */
struct drm_edna_bo_info {
	__u32 handle;
	__u32 region;
	__u64 size;
	__u64 va;
	__u64 mmap_offset;
	__u32 flags;
	__u32 pad;
};

/**
 * enum drm_edna_priority - scheduling priority of a job within its queue
 * @EDNA_PRIORITY_LOW: background work
 * @EDNA_PRIORITY_NORMAL: the default
 * @EDNA_PRIORITY_HIGH: runs before every queued job of lower priority
 */
enum drm_edna_priority {
	EDNA_PRIORITY_LOW = 0,
	EDNA_PRIORITY_NORMAL = 1,
	EDNA_PRIORITY_HIGH = 2,
	EDNA_PRIORITY_COUNT
};

/**
 * enum drm_edna_job_op - what a job does
 * @EDNA_JOB_NOP: nothing; completes in order, a fence
 * @EDNA_JOB_FILL: write the 32-bit @pattern over [@dst, @dst + @size)
 * @EDNA_JOB_COPY: copy [@src, @src + @size) to [@dst, @dst + @size)
 * @EDNA_JOB_GRAPH: run the compiled graph at @src with arguments at @dst
 */
enum drm_edna_job_op {
	EDNA_JOB_NOP = 0,
	EDNA_JOB_FILL = 1,
	EDNA_JOB_COPY = 2,
	EDNA_JOB_GRAPH = 3,
};

#define EDNA_SUBMIT_MAX_BOS		256
#define EDNA_SUBMIT_MAX_SYNCOBJS	64
#define EDNA_SUBMIT_MAX_SIZE		0x40000000ULL	/* bytes of one FILL or COPY */

/**
 * struct drm_edna_submit - queue one job
 * @queue: in, hardware queue, below EDNA_PARAM_NUM_QUEUES
 * @priority: in, enum drm_edna_priority
 * @op: in, enum drm_edna_job_op
 * @flags: must be zero
 * @src: in, device virtual address read by the job (COPY, GRAPH)
 * @dst: in, device virtual address written by the job (FILL, COPY), or
 *	the argument block (GRAPH)
 * @size: in, bytes (FILL: a multiple of 4); zero for NOP and GRAPH
 * @pattern: in, FILL's pattern
 * @bo_count: in, number of handles at @bo_handles, at most
 *	EDNA_SUBMIT_MAX_BOS
 * @bo_handles: in, user pointer to __u32 GEM handles the job uses; they
 *	stay alive until the job completes, and the job waits for earlier
 *	jobs using them (implicit synchronisation)
 * @in_syncobjs: in, user pointer to __u32 syncobj handles to wait for
 * @in_syncobj_count: in, at most EDNA_SUBMIT_MAX_SYNCOBJS
 * @out_syncobj: in, syncobj handle that receives the job's fence, or 0
 * @job_id: out, identifies the job to DRM_IOCTL_EDNA_WAIT; per file,
 *	increasing from 1
 * @reserved: must be zero
 *
 * Addresses are device virtual addresses of this file's address space;
 * the device checks every access, so a job reaching outside the file's
 * mappings fails with -EFAULT and touches nothing else.
 */
struct drm_edna_submit {
	__u32 queue;
	__u32 priority;
	__u32 op;
	__u32 flags;
	__u64 src;
	__u64 dst;
	__u64 size;
	__u32 pattern;
	__u32 bo_count;
	__u64 bo_handles;
	__u64 in_syncobjs;
	__u32 in_syncobj_count;
	__u32 out_syncobj;
	__u64 job_id;
	__u64 reserved;
};

/*
 * EDNA_WAIT_BO: @job_id is a GEM handle; wait until every job using that
 *	buffer has completed; @status is the error of one that failed, or 0.
 */
#define EDNA_WAIT_BO			0x1u

/**
 * struct drm_edna_wait - wait for a job, or for the jobs using a buffer
 * @job_id: in, from DRM_IOCTL_EDNA_SUBMIT, or a GEM handle with
 *	EDNA_WAIT_BO
 * @timeout_ns: in, relative timeout; 0 only polls
 * @flags: in, EDNA_WAIT_BO or zero
 * @status: out, 0 when the job succeeded, else the negative errno it
 *	failed with: -EFAULT (MMU fault), -EINVAL (rejected by the device),
 *	-EIO (bus or device error), -ETIMEDOUT (hung and was reset),
 *	-ECANCELED (on the device during a reset that was not its fault: an
 *	operator reset, or a device reset escalated from another queue),
 *	-ESRCH (still queued when its file was closed), -ENOMEM/-EBUSY (could
 *	not be put back on the ring after a recovery).  With EDNA_WAIT_BO: 0
 *	when every job whose fence the buffer still holds succeeded, else the
 *	error of one of them.
 * @reserved: must be zero
 *
 * A failed job is reported once: after a WAIT has returned its error the
 * job is forgotten, and a later WAIT on its id reports 0 like any retired
 * job.  Ids are per file and wrap after 2^32 - 1 jobs.
 *
 * Return: 0 once the job has completed (see @status), -ETIME when
 * @timeout_ns passed first, -EINVAL for a job id this file never had,
 * -ENOENT for a bad handle.
 */
struct drm_edna_wait {
	__u64 job_id;
	__s64 timeout_ns;
	__u32 flags;
	__s32 status;
	__u64 reserved;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDNA_ACCEL_H_ */
