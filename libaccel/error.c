// SPDX-License-Identifier: MIT
/*
 * libaccel: what errors mean for edna.
 *
 * The ABI reuses errno values with meanings strerror(3) cannot know:
 * -ETIME is a wait's deadline, -ETIMEDOUT a hung job, -ESRCH a job
 * dropped with its client.  The messages here follow
 * Documentation/uapi.rst, which lists every error per ioctl.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "accel.h"
#include "accel_internal.h"

/* strerror(3)'s text without its locale and per-thread buffer, when available. */
static const char *libc_strerror(int err)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *s = strerrordesc_np(err);

	return s ? s : "unknown error";
#else
	/* musl and the BSDs return constant strings. */
	return strerror(err);
#endif
}

ACCEL_EXPORT const char *accel_strerror(int err)
{
	/* INT_MIN has no positive counterpart; no errno is that large anyway. */
	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;

	switch (err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument: a field, flag, size or range that libaccel or the "
		       "kernel rejects; as a job status, the device rejected the job's "
		       "descriptor";
	case ENOENT:
		return "no such buffer, syncobj or job: an unknown handle, or a job of another "
		       "client or no longer kept";
	case ENODEV:
		return "no such edna device, or the device was removed";
	case ENXIO:
		return "the buffer has no CPU mapping: device memory, or imported from another "
		       "device";
	case EBUSY:
		return "device busy: every MMU context is taken, or the client has too many "
		       "jobs in flight";
	case ETIME:
		return "the deadline passed before the wait was over";
	case ETIMEDOUT:
		return "the job hung, and its queue or the device was reset";
	case ECANCELED:
		return "cancelled: the client is banned after repeated job failures, or the "
		       "job was on the device during an operator reset";
	case ESRCH:
		return "the job was dropped: its client closed before it ran";
	case EFAULT:
		return "device MMU fault: an access outside the job's mappings or a write to "
		       "a read-only buffer; or a bad pointer passed to the kernel";
	case EIO:
		return "device or bus error, or the device is wedged and needs a reset";
	case EDQUOT:
		return "the client's host memory limit is reached (sysfs client_host_limit_mb)";
	case ENOSPC:
		return "no room: the memory region or the device address space is full";
	case E2BIG:
		return "too big: larger than the memory region, or a job struct with fields "
		       "this kernel does not know";
	case EOPNOTSUPP:
		return "not supported by this device or driver: a GRAPH job without "
		       "EDNA_FEATURE_GRAPH, or exporting device memory";
	case EACCES:
		return "permission denied: no access to the device node, "
		       "EDNA_PRIORITY_HIGH without CAP_SYS_NICE, or mapping a buffer the "
		       "client holds no handle to";
	case ENOTTY:
		return "not a DRM device, or a DRM core ioctl that accel nodes refuse";
	case ENOEXEC:
		return "not a valid compiled edna graph: as a job status, the device rejected "
		       "the graph (the result record says which op and why); from "
		       "accel_graph_load(), a wrong magic";
	case ENOMEM:
		return "out of memory; as a job status, the job could not be put back on the "
		       "device after a recovery";
	case EBADF:
		return "bad file descriptor: not an open file, or not a dma-buf";
	case EINTR:
		return "interrupted by a signal";
	default:
		return libc_strerror(err);
	}
}

ACCEL_EXPORT const char *accel_job_status_str(uint32_t status)
{
	switch (status) {
	case EDNA_STATUS_OK:
		return "completed";
	case EDNA_STATUS_MMU_FAULT:
		return "MMU fault";
	case EDNA_STATUS_BAD_DESC:
		return "job descriptor rejected by the device";
	case EDNA_STATUS_BAD_GRAPH:
		return "graph rejected by the device";
	case EDNA_STATUS_BUS_ERROR:
		return "bus or device error";
	case EDNA_STATUS_NOT_RUN:
		return "not ended by the device: it hung, was cancelled or dropped, or the "
		       "device went away (the wait status says which)";
	default:
		return "unknown job status";
	}
}

ACCEL_EXPORT const char *accel_fault_strerror(uint32_t reason)
{
	switch (reason) {
	case EDNA_FAULT_REASON_UNMAPPED:
		return "nothing mapped there";
	case EDNA_FAULT_REASON_PERMISSION:
		return "a write to a read-only mapping";
	case EDNA_FAULT_REASON_BAD_TABLE:
		return "a malformed page table";
	case EDNA_FAULT_REASON_NO_CONTEXT:
		return "the job's address space is not loaded";
	case EDNA_FAULT_REASON_BUS:
		return "the memory behind the mapping did not answer";
	default:
		return "unknown fault reason";
	}
}

ACCEL_EXPORT const char *accel_graph_strerror(uint32_t reason)
{
	switch (reason) {
	case EDNA_GRAPH_ERR_MAGIC:
		return "not a graph (bad magic)";
	case EDNA_GRAPH_ERR_VERSION:
		return "a graph major version the device does not run";
	case EDNA_GRAPH_ERR_HEADER:
		return "header_size, op_size, op_count, max_tokens, flags or reserved out of "
		       "range";
	case EDNA_GRAPH_ERR_OPCODE:
		return "an opcode the device does not know";
	case EDNA_GRAPH_ERR_DTYPE:
		return "a dtype the op does not take";
	case EDNA_GRAPH_ERR_DIMS:
		return "a dimension zero, too large, inconsistent, or whose sizes overflow";
	case EDNA_GRAPH_ERR_OPERAND:
		return "an operand misaligned, missing, overlapping where it must not, or set "
		       "where it must be zero";
	case EDNA_GRAPH_ERR_FIELD:
		return "unknown flags, or non-zero pad, reserved or unused fields";
	case EDNA_GRAPH_ERR_ARGS:
		return "the argument block's n_tokens, steps or flags out of range";
	case EDNA_GRAPH_ERR_TOKEN:
		return "a token id not below EMBED's vocab";
	case EDNA_GRAPH_ERR_POSITION:
		return "a position not below the op's max_seq";
	default:
		return "unknown graph error";
	}
}

ACCEL_EXPORT int accel_result_describe(const struct drm_edna_job_result *result,
				       uint32_t job_op, char *buf, size_t size)
{
	/* Only a GRAPH job's op_index names something; for others it is 0. */
	int graph_op = job_op == EDNA_JOB_GRAPH && result && result->op_index != EDNA_GRAPH_NO_OP;
	char where[32] = "";

	if (!result || (!buf && size))
		return -EINVAL;
	if (graph_op)
		snprintf(where, sizeof(where), " in graph op %u", result->op_index);

	switch (result->status) {
	case EDNA_STATUS_MMU_FAULT:
	case EDNA_STATUS_BUS_ERROR:
		return snprintf(buf, size, "%s%s at device address %#llx: %s",
				accel_job_status_str(result->status), where,
				(unsigned long long)result->fault_va,
				accel_fault_strerror(result->reason));
	case EDNA_STATUS_BAD_GRAPH:
		if (result->op_index == EDNA_GRAPH_NO_OP)
			return snprintf(buf, size, "bad graph header or arguments: %s",
					accel_graph_strerror(result->reason));
		return snprintf(buf, size, "bad graph at op %u: %s", result->op_index,
				accel_graph_strerror(result->reason));
	default:
		return snprintf(buf, size, "%s", accel_job_status_str(result->status));
	}
}
