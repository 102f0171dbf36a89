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
 * @EDNA_PARAM_FEATURES: EDNA_FEATURE_* bits of what this driver and
 *	device support
 * @EDNA_PARAM_CLIENT_HOST_LIMIT: bytes of host memory one open file may
 *	hold in buffers; more fails with -EDQUOT
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
	EDNA_PARAM_FEATURES = 12,
	EDNA_PARAM_CLIENT_HOST_LIMIT = 13,
};

/*
 * Feature bits, EDNA_PARAM_FEATURES and drm_edna_device_info.features.
 *
 * EDNA_FEATURE_TIMELINE_SYNCOBJ: drm_edna_sync takes timeline points.
 * EDNA_FEATURE_JOB_RESULT: jobs report struct drm_edna_job_result.
 * EDNA_FEATURE_GRAPH: the device executes EDNA_JOB_GRAPH.
 */
#define EDNA_FEATURE_TIMELINE_SYNCOBJ	0x1ull
#define EDNA_FEATURE_JOB_RESULT		0x2ull
#define EDNA_FEATURE_GRAPH		0x4ull

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
 * @pad: zero
 * @features: as EDNA_PARAM_FEATURES
 * @client_host_limit: as EDNA_PARAM_CLIENT_HOST_LIMIT
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
	__u32 pad;
	__u64 features;
	__u64 client_host_limit;
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
 * @EDNA_PRIORITY_HIGH: runs before every queued job of lower priority;
 *	needs CAP_SYS_NICE, as it can starve other clients
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
 * @EDNA_JOB_COPY: copy [@src, @src + @size) to [@dst, @dst + @size); the
 *	ranges must not overlap
 * @EDNA_JOB_GRAPH: run the compiled graph at @src with arguments at @dst
 */
enum drm_edna_job_op {
	EDNA_JOB_NOP = 0,
	EDNA_JOB_FILL = 1,
	EDNA_JOB_COPY = 2,
	EDNA_JOB_GRAPH = 3,
};

#define EDNA_SUBMIT_MAX_JOBS		256
#define EDNA_SUBMIT_MAX_BOS		256	/* per job */
#define EDNA_SUBMIT_MAX_SYNCS		64	/* per job */
#define EDNA_SUBMIT_MAX_SIZE		0x40000000ULL	/* bytes of one FILL or COPY */

/*
 * How a job uses a buffer, drm_edna_bo_ref.flags; exactly one of them.
 *
 * EDNA_BO_READ: the job only reads it; it waits for earlier writers, and
 *	readers do not wait for each other (weights shared by every job).
 * EDNA_BO_WRITE: the job may write it; it waits for every earlier user.
 * EDNA_BO_NO_SYNC: keep the buffer alive, but no implicit ordering; the
 *	caller orders the jobs with syncobjs.
 */
#define EDNA_BO_READ			0x1u
#define EDNA_BO_WRITE			0x2u
#define EDNA_BO_NO_SYNC			0x4u

/**
 * struct drm_edna_bo_ref - a buffer a job uses
 * @handle: GEM handle; each at most once per job
 * @flags: EDNA_BO_READ, EDNA_BO_WRITE or EDNA_BO_NO_SYNC
 */
struct drm_edna_bo_ref {
	__u32 handle;
	__u32 flags;
};

/*
 * Sync operations, drm_edna_sync.flags.
 *
 * EDNA_SYNC_WAIT: the job waits for the syncobj's fence (at @point for a
 *	timeline syncobj) before it runs.
 * EDNA_SYNC_SIGNAL: the job's completion fence is put in the syncobj,
 *	replacing the binary syncobj's fence, or at @point of a timeline.
 */
#define EDNA_SYNC_WAIT			0x1u
#define EDNA_SYNC_SIGNAL		0x2u

/**
 * struct drm_edna_sync - one syncobj operation of a job
 * @handle: syncobj handle
 * @flags: EDNA_SYNC_WAIT or EDNA_SYNC_SIGNAL
 * @point: timeline point; 0 for a binary syncobj
 */
struct drm_edna_sync {
	__u32 handle;
	__u32 flags;
	__u64 point;
};

/**
 * struct drm_edna_job - one job of a DRM_IOCTL_EDNA_SUBMIT
 * @queue: in, hardware queue, below EDNA_PARAM_NUM_QUEUES
 * @priority: in, enum drm_edna_priority
 * @op: in, enum drm_edna_job_op
 * @flags: must be zero
 * @src: in, device virtual address read by the job: COPY's source, or
 *	GRAPH's graph
 * @dst: in, device virtual address written by the job: FILL's and COPY's
 *	destination, or GRAPH's argument block
 * @size: in, bytes, 1 to EDNA_SUBMIT_MAX_SIZE (FILL: a multiple of 4);
 *	zero for NOP and GRAPH
 * @pattern: in, FILL's pattern
 * @bo_count: in, entries at @bos, at most EDNA_SUBMIT_MAX_BOS
 * @bos: in, user pointer to struct drm_edna_bo_ref: the buffers the job
 *	uses, alive until it completes, ordered against other jobs by their
 *	flags (implicit synchronisation)
 * @syncs: in, user pointer to struct drm_edna_sync
 * @sync_count: in, entries at @syncs, at most EDNA_SUBMIT_MAX_SYNCS
 * @pad: must be zero
 * @result_va: in, 0, or the device virtual address of a writable
 *	struct drm_edna_job_result the device fills in when the job ends
 * @seqno: out, the job's sequence number: per device, increasing in
 *	submission order, never reused; for DRM_IOCTL_EDNA_WAIT
 *
 * Addresses are device virtual addresses of this file's address space;
 * the device checks every access, so a job reaching outside the file's
 * mappings fails with -EFAULT and touches nothing else.
 */
struct drm_edna_job {
	__u32 queue;
	__u32 priority;
	__u32 op;
	__u32 flags;
	__u64 src;
	__u64 dst;
	__u64 size;
	__u32 pattern;
	__u32 bo_count;
	__u64 bos;
	__u64 syncs;
	__u32 sync_count;
	__u32 pad;
	__u64 result_va;
	__u64 seqno;
};

/**
 * struct drm_edna_submit - queue jobs
 * @jobs: in, user pointer to @job_count jobs, @job_stride bytes apart
 * @job_count: in, 1 to EDNA_SUBMIT_MAX_JOBS
 * @job_stride: in, sizeof(struct drm_edna_job) as the caller knows it: a
 *	smaller (older) one is zero-extended, a larger (newer) one must have
 *	zeros past what this kernel knows, else -E2BIG
 * @flags: must be zero
 * @pad: must be zero
 * @reserved: must be zero
 *
 * All or nothing: either every job is queued and its @seqno written back,
 * or none is and the error says why.  Jobs of one SUBMIT are queued in
 * array order, so a later job's implicit and explicit dependencies see
 * the earlier ones.  Jobs without buffers and syncobjs that follow one
 * another on a queue complete together (Documentation/uapi.rst).
 */
struct drm_edna_submit {
	__u64 jobs;
	__u32 job_count;
	__u32 job_stride;
	__u32 flags;
	__u32 pad;
	__u64 reserved;
};

/**
 * enum drm_edna_job_status - how the device ended a job
 * @EDNA_STATUS_OK: completed
 * @EDNA_STATUS_MMU_FAULT: an access outside the job's mappings, or a
 *	write to a read-only one; @fault_va and @reason say which
 * @EDNA_STATUS_BAD_DESC: the device rejected the job's parameters
 * @EDNA_STATUS_BAD_GRAPH: the graph is malformed; @op_index and @reason
 *	say where and why
 * @EDNA_STATUS_BUS_ERROR: a bus or device error
 * @EDNA_STATUS_NOT_RUN: the device never ended the job: it hung and was
 *	reset, was cancelled, or the device went away (see the WAIT status)
 */
enum drm_edna_job_status {
	EDNA_STATUS_OK = 0,
	EDNA_STATUS_MMU_FAULT = 1,
	EDNA_STATUS_BAD_DESC = 2,
	EDNA_STATUS_BAD_GRAPH = 3,
	EDNA_STATUS_BUS_ERROR = 4,
	EDNA_STATUS_NOT_RUN = 0xff,
};

/**
 * enum drm_edna_fault_reason - why an access faulted, drm_edna_job_result.reason
 * @EDNA_FAULT_REASON_UNMAPPED: nothing mapped at the address
 * @EDNA_FAULT_REASON_PERMISSION: a write to a read-only mapping
 * @EDNA_FAULT_REASON_BAD_TABLE: a malformed page table
 * @EDNA_FAULT_REASON_NO_CONTEXT: the job's address space is not loaded
 * @EDNA_FAULT_REASON_BUS: the memory behind the mapping did not answer
 */
enum drm_edna_fault_reason {
	EDNA_FAULT_REASON_UNMAPPED = 1,
	EDNA_FAULT_REASON_PERMISSION = 2,
	EDNA_FAULT_REASON_BAD_TABLE = 3,
	EDNA_FAULT_REASON_NO_CONTEXT = 4,
	EDNA_FAULT_REASON_BUS = 5,
};

/**
 * struct drm_edna_job_result - how a job ended, and what it did
 * @seqno: the job's sequence number
 * @status: enum drm_edna_job_status
 * @op_index: GRAPH: index of the op that failed; otherwise 0
 * @reason: MMU_FAULT: enum drm_edna_fault_reason;
 *	BAD_GRAPH: the graph error; otherwise 0
 * @pad: zero
 * @fault_va: MMU_FAULT: the faulting device virtual address
 * @cycles: device cycles the job took (the device's timing model)
 * @macs: multiply-accumulates done
 * @bytes: bytes moved, by enum drm_edna_region and direction (0 read,
 *	1 write)
 * @reserved: zero
 *
 * The device writes this, little endian, at the job's @result_va; WAIT
 * copies the same record, for as long as the kernel keeps the job.
 */
struct drm_edna_job_result {
	__u64 seqno;
	__u32 status;
	__u32 op_index;
	__u32 reason;
	__u32 pad;
	__u64 fault_va;
	__u64 cycles;
	__u64 macs;
	__u64 bytes[EDNA_REGION_COUNT][2];
	__u64 reserved[4];
};

/*
 * EDNA_WAIT_BO: @seqno is a GEM handle; wait until every job using that
 *	buffer has completed; @status is the error of one that failed, or 0.
 */
#define EDNA_WAIT_BO			0x1u

/**
 * struct drm_edna_wait - wait for a job, or for the jobs using a buffer
 * @seqno: in, a job's sequence number, or a GEM handle with EDNA_WAIT_BO
 * @deadline_ns: in, absolute CLOCK_MONOTONIC time to give up at; a time
 *	already past only polls
 * @flags: in, EDNA_WAIT_BO or zero
 * @status: out, 0 when the job succeeded, else the negative errno it
 *	failed with: -EFAULT (MMU fault), -EINVAL (rejected by the device),
 *	-ENOEXEC (a malformed graph: see the record's reason),
 *	-EIO (bus or device error, or the device is wedged), -ETIMEDOUT (hung
 *	and was reset), -ECANCELED (on the device during an operator reset),
 *	-ESRCH (still queued when its file was closed), -ENODEV (the device
 *	went away).  With EDNA_WAIT_BO: 0 when every job whose fence the
 *	buffer holds succeeded, else the error of one of them.
 * @result: in, 0, or a user pointer to a struct drm_edna_job_result to
 *	fill in when the job has completed (not with EDNA_WAIT_BO)
 * @result_size: in, bytes at @result; out, the kernel's size of the
 *	record; min of the two is copied
 * @pad: must be zero
 *
 * Waiting does not consume anything: any number of waiters, in any order,
 * read the same status and record.  The kernel keeps the results of a
 * file's jobs in flight and of its last EDNA_WAIT_KEPT_RESULTS completed
 * ones; older ones are read from the job's @result_va.
 *
 * Return: 0 once the job has completed (see @status), -ETIME when the
 * deadline passed first, -EINVAL for a sequence number the device has
 * not issued yet, -ENOENT for one that is not this file's or no longer
 * kept, or a bad handle; -ERESTARTSYS/-EINTR on a signal.
 */
struct drm_edna_wait {
	__u64 seqno;
	__s64 deadline_ns;
	__u32 flags;
	__s32 status;
	__u64 result;
	__u32 result_size;
	__u32 pad;
};

#define EDNA_WAIT_KEPT_RESULTS		1024

/*
 * Compiled graphs (Documentation/graph-format.rst)
 * ================================================
 *
 * An EDNA_JOB_GRAPH job runs the graph at its @src with the argument
 * block at its @dst.  A graph is a header followed by op_count op
 * records, op_size bytes apart, all little endian.  The device reads
 * the graph, its operands and the argument block through the job's
 * address space, like any access; a graph is untrusted input, and a bad
 * one ends its own job with EDNA_STATUS_BAD_GRAPH (reason: enum
 * drm_edna_graph_error) or EDNA_STATUS_MMU_FAULT, @op_index saying
 * where, and nothing else happens.  The graph and what the arguments
 * decide (the first step's tokens, every position) are checked before
 * any op runs; a fault or a token ARGMAX produced stops the job at the
 * op that meets it, and what earlier ops wrote stays written.
 *
 * Activations are f32 matrices of rows x columns, row major, dense.  A
 * step of the graph processes "rows" tokens (see struct
 * drm_edna_graph_args); every op's operands that are "per row" hold
 * that many rows.
 */
#define EDNA_GRAPH_MAGIC		0x474e4445u	/* "EDNG" */
#define EDNA_GRAPH_VERSION_MAJOR	1
#define EDNA_GRAPH_VERSION_MINOR	0

#define EDNA_GRAPH_MAX_OPS		4096
#define EDNA_GRAPH_MAX_TOKENS		512	/* rows of one step */
#define EDNA_GRAPH_MAX_STEPS		256	/* decode steps of one job */
#define EDNA_GRAPH_MAX_DIM		0x100000	/* any one dimension: 2^20 */
#define EDNA_GRAPH_MAX_SEQ		32768	/* KV cache positions */
#define EDNA_GRAPH_MAX_COPY		0x40000000	/* bytes of one COPY op */
#define EDNA_GRAPH_MAX_RECORD		4096	/* header_size, op_size */

/* drm_edna_job_result.op_index of an error in the header or arguments */
#define EDNA_GRAPH_NO_OP		0xffffffffu

/**
 * struct drm_edna_graph_header - the start of a graph
 * @magic: EDNA_GRAPH_MAGIC
 * @version_major: EDNA_GRAPH_VERSION_MAJOR; another major is rejected
 * @version_minor: the minor the graph was built for; any is accepted
 *	(a minor only adds opcodes, flags and fields that are zero when
 *	unused, so a device runs a newer graph that uses nothing newer,
 *	and fails one that does at the first op that does)
 * @header_size: bytes of header, 64 to EDNA_GRAPH_MAX_RECORD; bytes
 *	past what the device knows must be zero
 * @op_size: bytes from one op record to the next, a multiple of 8 from
 *	128 to EDNA_GRAPH_MAX_RECORD; bytes past what the device knows must
 *	be zero
 * @op_count: op records, 1 to EDNA_GRAPH_MAX_OPS
 * @max_tokens: rows the graph's activation buffers hold, 1 to
 *	EDNA_GRAPH_MAX_TOKENS: a step of more tokens is rejected
 * @flags: must be zero
 * @reserved: must be zero
 */
struct drm_edna_graph_header {
	__u32 magic;
	__u16 version_major;
	__u16 version_minor;
	__u32 header_size;
	__u32 op_size;
	__u32 op_count;
	__u32 max_tokens;
	__u32 flags;
	__u32 reserved[9];
};

/**
 * enum drm_edna_graph_opcode - what an op computes
 *
 * R is the step's rows (1 for an op on one row, see EDNA_GOP_LAST_ROW);
 * "[a x b]" is an f32 matrix of a rows of b columns unless a dtype is
 * named.
 * Operands are drm_edna_graph_op.dst and .src[]; dims are .dim[].
 *
 * @EDNA_GOP_EMBED: dst[R x d] = rows of the table src[0] [vocab x d]
 *	(dtype) picked by the step's tokens.  dim: d, vocab.
 * @EDNA_GOP_RMSNORM: dst[R x d] = x / sqrt(mean(x^2) + eps) * w, x =
 *	src[0] [R x d], w = src[1] [1 x d].  dim: d.  param[0]: eps (f32).
 * @EDNA_GOP_MATMUL: dst[R x n] = x W^T, x = src[0] [R x k], W = src[1]
 *	[n x k] (dtype).  dim: n, k.
 * @EDNA_GOP_ROPE: dst = src[0] [R x heads*hd] with each head's pairs
 *	(2i, 2i+1) rotated by p * theta^(-2i/hd), p the row's position.
 *	dim: heads, hd (even).  param[0]: theta (f32).  dst may be src[0].
 * @EDNA_GOP_KV_APPEND: rows p..p+R-1 of the cache dst [max_seq x w] =
 *	src[0] [R x w], p the step's first position.  dim: w, max_seq.
 * @EDNA_GOP_ATTENTION: causal attention of src[0] (queries, [R x
 *	heads*hd]) over the caches src[1] (keys) and src[2] (values), both
 *	[max_seq x kv_heads*hd]: row r, at position p, attends to cache
 *	rows 0..p; query head h uses cache head h / (heads / kv_heads).
 *	dst [R x heads*hd].  dim: heads, kv_heads, hd, max_seq.
 *	param[0]: the score scale (f32); bits 0 mean 1/sqrt(hd).
 * @EDNA_GOP_ADD: dst[R x n] = src[0] + src[1].  dim: n.
 * @EDNA_GOP_MUL: dst[R x n] = src[0] * src[1], elementwise.  dim: n.
 * @EDNA_GOP_SILU_MUL: dst[R x n] = silu(src[0]) * src[1], silu(a) =
 *	a / (1 + exp(-a)).  dim: n.
 * @EDNA_GOP_SOFTMAX: dst[R x n] = softmax of each row of src[0].  dim: n.
 * @EDNA_GOP_ARGMAX: the index of the largest element of the last row of
 *	src[0] [R x n] (row 0 with EDNA_GOP_SINGLE_ROW; the first one on
 *	ties), as a __u32 at dst when dst is not 0, and as the token of the
 *	job's next step (see struct drm_edna_graph_args).  dim: n.
 * @EDNA_GOP_COPY: dim[0] bytes (up to EDNA_GRAPH_MAX_COPY, any
 *	alignment) from src[0] to dst, once per step, not per row: moves
 *	between memory tiers.  The ranges must not overlap.
 */
enum drm_edna_graph_opcode {
	EDNA_GOP_EMBED = 1,
	EDNA_GOP_RMSNORM = 2,
	EDNA_GOP_MATMUL = 3,
	EDNA_GOP_ROPE = 4,
	EDNA_GOP_KV_APPEND = 5,
	EDNA_GOP_ATTENTION = 6,
	EDNA_GOP_ADD = 7,
	EDNA_GOP_MUL = 8,
	EDNA_GOP_SILU_MUL = 9,
	EDNA_GOP_SOFTMAX = 10,
	EDNA_GOP_ARGMAX = 11,
	EDNA_GOP_COPY = 12,
};

/**
 * enum drm_edna_graph_dtype - element type of a weight operand
 * @EDNA_DTYPE_F32: IEEE binary32
 * @EDNA_DTYPE_F16: IEEE binary16
 * @EDNA_DTYPE_Q8_0: blocks of 32 elements: an f16 scale d, then 32
 *	int8 q; element i is d * q[i] (34 bytes a block, GGML's Q8_0)
 * @EDNA_DTYPE_Q4_0: blocks of 32 elements: an f16 scale d, then 16
 *	bytes; element i < 16 is d * ((byte[i] & 0xf) - 8), element i + 16
 *	is d * ((byte[i] >> 4) - 8) (18 bytes a block, GGML's Q4_0)
 *
 * Only EMBED's table and MATMUL's W have a dtype; a quantised one needs
 * rows whose length is a multiple of 32.  Every other operand is f32
 * and its op's dtype must be EDNA_DTYPE_F32.
 */
enum drm_edna_graph_dtype {
	EDNA_DTYPE_F32 = 0,
	EDNA_DTYPE_F16 = 1,
	EDNA_DTYPE_Q8_0 = 2,
	EDNA_DTYPE_Q4_0 = 3,
};

/*
 * Ops on one row, drm_edna_graph_op.flags; at most one of them.  For what
 * only the next token needs (the final norm, the classifier, ARGMAX) when
 * a step feeds a batch of prompt tokens.  The op's one row is the step's
 * last token (ROPE uses that row's position).  Not for KV_APPEND,
 * ATTENTION, EMBED or COPY.
 *
 * EDNA_GOP_LAST_ROW: per-row inputs are read from row R-1, the result is
 *	row 0 of dst.
 * EDNA_GOP_SINGLE_ROW: per-row inputs hold one row, row 0 (the output of
 *	a LAST_ROW op); the result is row 0 of dst.
 */
#define EDNA_GOP_LAST_ROW		0x1u
#define EDNA_GOP_SINGLE_ROW		0x2u

/**
 * struct drm_edna_graph_op - one op record
 * @opcode: enum drm_edna_graph_opcode
 * @dtype: enum drm_edna_graph_dtype of the op's weight operand
 * @flags: EDNA_GOP_LAST_ROW, EDNA_GOP_SINGLE_ROW or zero
 * @pad: must be zero
 * @dim: dimensions, per opcode; unused ones must be zero
 * @dst: device virtual address of the output, 4-byte aligned
 * @src: device virtual addresses of the inputs, 4-byte aligned (2-byte
 *	for a f16, q8_0 or q4_0 operand); unused ones must be zero
 * @param: f32 parameters as their bits, per opcode; unused ones zero
 * @reserved: must be zero
 */
struct drm_edna_graph_op {
	__u16 opcode;
	__u8 dtype;
	__u8 flags;
	__u32 pad;
	__u32 dim[4];
	__u64 dst;
	__u64 src[3];
	__u32 param[4];
	__u64 reserved[7];
};

/**
 * struct drm_edna_graph_args - the argument block of a GRAPH job
 * @pos: position of tokens[0] in the sequence
 * @n_tokens: tokens the first step processes, 1 to the graph's max_tokens
 * @steps: steps to run, 1 to EDNA_GRAPH_MAX_STEPS; more than one needs a
 *	graph with an ARGMAX
 * @flags: must be zero
 * @tokens: token ids, n_tokens + steps of them: the first step runs
 *	rows tokens[0..n_tokens-1] at positions pos..pos+n_tokens-1; step
 *	s > 0 runs one row, tokens[n_tokens+s-1], at position
 *	pos+n_tokens+s-1.  Step s's ARGMAX is written to tokens[n_tokens+s]:
 *	one job decodes @steps tokens without the host.
 *
 * The device writes only the tokens; the block is read at the start of
 * every step.
 */
struct drm_edna_graph_args {
	__u32 pos;
	__u32 n_tokens;
	__u32 steps;
	__u32 flags;
	__u32 tokens[];
};

/**
 * enum drm_edna_graph_error - why a graph was rejected,
 *	drm_edna_job_result.reason with EDNA_STATUS_BAD_GRAPH
 * @EDNA_GRAPH_ERR_MAGIC: not a graph
 * @EDNA_GRAPH_ERR_VERSION: a major version the device does not run
 * @EDNA_GRAPH_ERR_HEADER: header_size, op_size, op_count, max_tokens,
 *	flags or reserved out of range
 * @EDNA_GRAPH_ERR_OPCODE: an opcode the device does not know
 * @EDNA_GRAPH_ERR_DTYPE: a dtype the op does not take
 * @EDNA_GRAPH_ERR_DIMS: a dimension zero, too large, inconsistent, or
 *	whose sizes overflow
 * @EDNA_GRAPH_ERR_OPERAND: an operand misaligned, missing, overlapping
 *	where it must not, or set where it must be zero
 * @EDNA_GRAPH_ERR_FIELD: unknown flags, or non-zero pad, reserved or
 *	unused fields
 * @EDNA_GRAPH_ERR_ARGS: the argument block: n_tokens, steps or flags
 *	out of range
 * @EDNA_GRAPH_ERR_TOKEN: a token id not below EMBED's vocab
 * @EDNA_GRAPH_ERR_POSITION: a position not below the op's max_seq
 */
enum drm_edna_graph_error {
	EDNA_GRAPH_ERR_MAGIC = 1,
	EDNA_GRAPH_ERR_VERSION = 2,
	EDNA_GRAPH_ERR_HEADER = 3,
	EDNA_GRAPH_ERR_OPCODE = 4,
	EDNA_GRAPH_ERR_DTYPE = 5,
	EDNA_GRAPH_ERR_DIMS = 6,
	EDNA_GRAPH_ERR_OPERAND = 7,
	EDNA_GRAPH_ERR_FIELD = 8,
	EDNA_GRAPH_ERR_ARGS = 9,
	EDNA_GRAPH_ERR_TOKEN = 10,
	EDNA_GRAPH_ERR_POSITION = 11,
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_EDNA_ACCEL_H_ */
