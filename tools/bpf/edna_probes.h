/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the edna BPF probes (edna_probes.bpf.c) and their readers
 * (edna-probes, edna-top, the edna_bpf tests, probe-bench) share: the
 * layout of the maps pinned under EDNA_PIN_DIR.
 * Documentation/observability.rst describes every map and field.
 */
#ifndef EDNA_PROBES_H
#define EDNA_PROBES_H

#define EDNA_PIN_DIR		"/sys/fs/bpf/edna"

/*
 * The per-job path of the probes uses arrays, whose lookups the verifier
 * turns into an address computation: a hash lookup costs more than the
 * rest of a probe.  Devices and queues therefore have fixed slots; accel
 * minors from EDNA_PROBE_DEVICES on share the slots of lower ones.
 */
#define EDNA_PROBE_DEVICES	16
#define EDNA_PROBE_QUEUES	8	/* the register map's EDNA_MAX_QUEUES */
#define EDNA_QUEUE_SLOT(minor, queue) \
	((minor) % EDNA_PROBE_DEVICES * EDNA_PROBE_QUEUES + (queue) % EDNA_PROBE_QUEUES)

/* log2 buckets of microseconds: slot i counts [2^i, 2^(i+1)) us, slot 0 < 2 us */
#define EDNA_HIST_SLOTS		27	/* up to 2^27 us, over two minutes */

#define EDNA_TIERS		3	/* host, dram, sram: enum drm_edna_region */

/* Power state not yet seen since the probes were attached. */
#define EDNA_POWER_UNKNOWN	0xff

/* Descriptor statuses of the edna_job_done tracepoint the probes act on. */
#define EDNA_PROBE_STATUS_OK		0
#define EDNA_PROBE_STATUS_ABORTED	0xfffffff0	/* runs again */

/* Bytes per memory tier and direction, as the device counts them. */
struct edna_dma {
	__u64 host_read;
	__u64 host_written;
	__u64 dram_read;
	__u64 dram_written;
	__u64 sram_read;
	__u64 sram_written;
};

/* Latency histogram: @slots as above, @count jobs, @total_ns their sum. */
struct edna_hist {
	__u64 count;
	__u64 total_ns;
	__u64 slots[EDNA_HIST_SLOTS];
};

/*
 * Busy and idle time of a queue, or of a device (busy while any of its
 * queues is).  Both count from when the probes were attached; the time
 * since @since_ns belongs to the current state, which is busy when
 * @outstanding (descriptors on the ring, or busy queues of a device) is
 * not zero.
 */
struct edna_busy {
	__u64 busy_ns;
	__u64 idle_ns;
	__u64 since_ns;
	__u64 outstanding;
};

/* The "queues" map: slot EDNA_QUEUE_SLOT(); @active once it ran a job. */
struct edna_queue_stats {
	__u32 minor;
	__u32 queue;
	__u32 active;
	__u32 pad;
	__u64 done;		/* jobs the device ended */
	__u64 failed;		/* ... of them with an error status */
	__u64 aborted;		/* descriptors dropped by a reset, to run again */
	__u64 device_ns;	/* device time the driver measured, summed */
	struct edna_busy time;
	struct edna_hist lat_submit;	/* latency from SUBMIT to done */
	struct edna_hist lat_start;	/* on the device: from start to done */
};

/* The "devices" map: slot minor % EDNA_PROBE_DEVICES; @active once seen. */
struct edna_device_stats {
	__u32 minor;
	__u32 active;
	__u32 power_state;	/* 0 ACTIVE, 1 IDLE, 2 OFF, EDNA_POWER_UNKNOWN */
	__u32 pad;
	__u64 done;
	__u64 failed;
	__u64 mmu_faults;
	__u64 queue_resets;
	__u64 device_resets;
	__u64 power_changes;
	struct edna_busy time;
	struct edna_dma dma;
};

/* Key of the "processes" map: one process's use of one device. */
struct edna_proc_key {
	__u32 tgid;
	__u32 minor;
};

/* Value of the "processes" map. */
struct edna_proc_stats {
	char comm[16];
	__u64 done;
	__u64 failed;
	__u64 device_ns;	/* as fdinfo's drm-engine-* summed over queues */
	struct edna_dma dma;
	struct edna_hist latency;	/* submit to done */
};

/*
 * The "jobs" map: jobs between their submit and their end, in slot
 * EDNA_JOB_SLOT().  Sequence numbers grow by one per job of a device, so
 * a slot is reused only EDNA_JOB_SLOTS jobs later; a job whose slot was
 * taken meanwhile (more than that many in flight) is not timed, and the
 * slot's @job says so.
 */
#define EDNA_JOB_SLOTS		1024
#define EDNA_JOB_SLOT(minor, job) \
	((minor) % EDNA_PROBE_DEVICES * EDNA_JOB_SLOTS + (__u32)((job) % EDNA_JOB_SLOTS))

struct edna_job_info {
	__u64 job;		/* the sequence number, 0 when free */
	__u32 minor;
	__u32 tgid;		/* 0: submitted before the probes were attached */
	__u64 submit_ns;	/* 0: likewise */
	__u64 start_ns;		/* 0: not on the ring */
	char comm[16];		/* of the submitting task */
};

/* Value of the "settings" map, written by the loader. */
struct edna_config {
	__u64 attach_ns;	/* CLOCK_MONOTONIC when the probes were attached */
};

/* The maps edna-probes pins, by name. */
#define EDNA_MAP_NAMES	{ "queues", "devices", "processes", "jobs", "settings" }

#endif /* EDNA_PROBES_H */
