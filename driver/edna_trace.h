/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna tracepoints: the life of a job, power states, MMU faults, resets.
 *
 * Every argument is a scalar, so that BPF programs attach to these as raw
 * tracepoints without knowing a driver structure, and the arguments are
 * a stable interface: Documentation/observability.rst lists them, and
 * tools/bpf/ reads them by position.  Append new arguments at the end of
 * an event; never reorder, retype or remove one.
 *
 * @minor is N of /dev/accel/accelN.  @job is the job's sequence number as
 * SUBMIT returned it; 0 for the descriptors of the driver's diagnostics.
 *
 * Copyright 2026 The edna authors
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM edna

#if !defined(__EDNA_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __EDNA_TRACE_H__

#include <linux/tracepoint.h>
#include <linux/types.h>

/* A job was queued by SUBMIT, in the submitting task's context. */
TRACE_EVENT(edna_job_submit,
	    TP_PROTO(u32 minor, u32 queue, u64 client, u64 job),
	    TP_ARGS(minor, queue, client, job),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, queue)
			     __field(u64, client)
			     __field(u64, job)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->queue = queue;
			   __entry->client = client;
			   __entry->job = job;),
	    TP_printk("accel%u q%u client=%llu job=%llu",
		      __entry->minor, __entry->queue, __entry->client, __entry->job)
);

/*
 * A descriptor of the job is being handed to the device (written to the
 * ring, doorbell about to be rung).  The device runs its ring in order,
 * so the job starts running when the descriptor before it ends, or now
 * if the ring was idle.
 */
TRACE_EVENT(edna_job_start,
	    TP_PROTO(u32 minor, u32 queue, u64 job),
	    TP_ARGS(minor, queue, job),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, queue)
			     __field(u64, job)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->queue = queue;
			   __entry->job = job;),
	    TP_printk("accel%u q%u job=%llu", __entry->minor, __entry->queue, __entry->job)
);

/*
 * The job's descriptor left the ring.  @status is the device's status
 * (0 done, 1 MMU fault, 2 bad descriptor, 3 bad graph, 4 bus error) or
 * the driver's reason for dropping it (0xfffffff0 aborted by hang
 * recovery, runs again; 0xfffffff1 cancelled by an operator reset;
 * 0xfffffff2 device going away; 0xfffffff3 device wedged).  @device_ns
 * is the device time the driver measured and charges to the client in
 * fdinfo (0 when the device did not end it); @cycles and the bytes per
 * memory tier and direction are what the device reported for it.
 */
TRACE_EVENT(edna_job_done,
	    TP_PROTO(u32 minor, u32 queue, u64 job, u32 status, u64 device_ns, u64 cycles,
		     u64 host_read, u64 host_written, u64 dram_read, u64 dram_written,
		     u64 sram_read, u64 sram_written),
	    TP_ARGS(minor, queue, job, status, device_ns, cycles, host_read, host_written,
		    dram_read, dram_written, sram_read, sram_written),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, queue)
			     __field(u64, job)
			     __field(u32, status)
			     __field(u64, device_ns)
			     __field(u64, cycles)
			     __field(u64, host_read)
			     __field(u64, host_written)
			     __field(u64, dram_read)
			     __field(u64, dram_written)
			     __field(u64, sram_read)
			     __field(u64, sram_written)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->queue = queue;
			   __entry->job = job;
			   __entry->status = status;
			   __entry->device_ns = device_ns;
			   __entry->cycles = cycles;
			   __entry->host_read = host_read;
			   __entry->host_written = host_written;
			   __entry->dram_read = dram_read;
			   __entry->dram_written = dram_written;
			   __entry->sram_read = sram_read;
			   __entry->sram_written = sram_written;),
	    TP_printk("accel%u q%u job=%llu status=%#x device_ns=%llu cycles=%llu host=%llu/%llu dram=%llu/%llu sram=%llu/%llu",
		      __entry->minor, __entry->queue, __entry->job, __entry->status,
		      __entry->device_ns, __entry->cycles, __entry->host_read,
		      __entry->host_written, __entry->dram_read, __entry->dram_written,
		      __entry->sram_read, __entry->sram_written)
);

/* The device went from power state @old to @new (0 ACTIVE, 1 IDLE, 2 OFF). */
TRACE_EVENT(edna_power_state,
	    TP_PROTO(u32 minor, u32 old, u32 new),
	    TP_ARGS(minor, old, new),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, old)
			     __field(u32, new)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->old = old;
			   __entry->new = new;),
	    TP_printk("accel%u %u -> %u", __entry->minor, __entry->old, __entry->new)
);

/*
 * The device latched an MMU fault: context @ctx on @queue, @write access
 * at @va, @reason as enum edna_fault_reason (hardware.rst).
 */
TRACE_EVENT(edna_mmu_fault,
	    TP_PROTO(u32 minor, u32 ctx, u32 queue, u64 va, u32 reason, u32 write),
	    TP_ARGS(minor, ctx, queue, va, reason, write),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, ctx)
			     __field(u32, queue)
			     __field(u64, va)
			     __field(u32, reason)
			     __field(u32, write)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->ctx = ctx;
			   __entry->queue = queue;
			   __entry->va = va;
			   __entry->reason = reason;
			   __entry->write = write;),
	    TP_printk("accel%u ctx=%u q%u %s va=%#llx reason=%u", __entry->minor, __entry->ctx,
		      __entry->queue, __entry->write ? "write" : "read", __entry->va,
		      __entry->reason)
);

/* One queue was reset; @error is 0 or why it did not stop. */
TRACE_EVENT(edna_queue_reset,
	    TP_PROTO(u32 minor, u32 queue, s32 error),
	    TP_ARGS(minor, queue, error),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, queue)
			     __field(s32, error)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->queue = queue;
			   __entry->error = error;),
	    TP_printk("accel%u q%u error=%d", __entry->minor, __entry->queue, __entry->error)
);

/*
 * The whole device was reset; its descriptors in flight ended with
 * @abort_status (see edna_job_done), which says why: hang recovery,
 * an operator, probe or removal.  @error is 0, or why the device did
 * not come back (it is then wedged).
 */
TRACE_EVENT(edna_device_reset,
	    TP_PROTO(u32 minor, u32 abort_status, s32 error),
	    TP_ARGS(minor, abort_status, error),
	    TP_STRUCT__entry(__field(u32, minor)
			     __field(u32, abort_status)
			     __field(s32, error)),
	    TP_fast_assign(__entry->minor = minor;
			   __entry->abort_status = abort_status;
			   __entry->error = error;),
	    TP_printk("accel%u abort_status=%#x error=%d", __entry->minor,
		      __entry->abort_status, __entry->error)
);

#endif /* __EDNA_TRACE_H__ */

/* Helpers for the callers: read once, outside the multiple reads above. */
#if !defined(__EDNA_TRACE_HELPERS_H__) && !defined(TRACE_HEADER_MULTI_READ)
#define __EDNA_TRACE_HELPERS_H__

#include <drm/drm_file.h>	/* struct drm_minor: callers pass drm.accel->index */

#include "edna_regs.h"

/* edna_job_done with the device's record unpacked; @r may be NULL. */
static inline void edna_trace_job_done(u32 minor, u32 queue, u64 job, u32 status,
				       u64 device_ns, const struct edna_hw_result *r)
{
	u64 b[EDNA_NUM_TARGETS][2] = {};
	int t;

	if (!trace_edna_job_done_enabled())
		return;
	for (t = 0; r && t < EDNA_NUM_TARGETS; t++) {
		b[t][0] = le64_to_cpu(r->bytes[t][0]);
		b[t][1] = le64_to_cpu(r->bytes[t][1]);
	}
	trace_edna_job_done(minor, queue, job, status, device_ns, r ? le64_to_cpu(r->cycles) : 0,
			    b[EDNA_TARGET_HOST][0], b[EDNA_TARGET_HOST][1],
			    b[EDNA_TARGET_DRAM][0], b[EDNA_TARGET_DRAM][1],
			    b[EDNA_TARGET_SRAM][0], b[EDNA_TARGET_SRAM][1]);
}

#endif /* __EDNA_TRACE_HELPERS_H__ */

/* This part must be outside protection. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE edna_trace
#include <trace/define_trace.h>
