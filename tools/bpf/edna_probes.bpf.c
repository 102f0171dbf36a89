// SPDX-License-Identifier: GPL-2.0
/*
 * edna probes: per-job latency, busy and idle time, DMA traffic, from the
 * driver's tracepoints (driver/edna_trace.h) into maps that edna-probes
 * pins under /sys/fs/bpf/edna.  Raw tracepoints: every argument is a
 * scalar, read by position, so nothing here depends on a driver structure
 * or on the module's BTF.
 *
 * Concurrency: the start and done events of one queue come under that
 * queue's ring lock, so a queue's entries are updated by one CPU at a
 * time.  A device's entries are shared by its queues: counters are added
 * atomically; the busy/idle split of a device is exact up to two queues
 * changing state within the same few instructions.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "edna_probes.h"

char LICENSE[] SEC("license") = "GPL";

/* 32 devices of 8 queues, with room for devices coming and going. */
#define MAX_QUEUES	1024
#define MAX_DEVICES	256
#define MAX_PROCESSES	4096
/*
 * Jobs between submit and done: rings of up to 4096 entries per queue,
 * plus what waits in the schedulers.  LRU: a job that never reaches the
 * device (its client went away first) has no done event, and ages out.
 */
#define MAX_JOBS	65536

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_QUEUES);
	__type(key, struct edna_queue_key);
	__type(value, struct edna_queue_stats);
} queues SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct edna_device_stats);
} devices SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PROCESSES);
	__type(key, struct edna_proc_key);
	__type(value, struct edna_proc_stats);
} processes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_QUEUES);
	__type(key, struct edna_queue_key);
	__type(value, struct edna_hist);
} lat_submit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_QUEUES);
	__type(key, struct edna_queue_key);
	__type(value, struct edna_hist);
} lat_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_JOBS);
	__type(key, struct edna_job_key);
	__type(value, struct edna_job_info);
} jobs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct edna_config);
} settings SEC(".maps");

static __u64 attach_ns(void)
{
	__u32 zero = 0;
	struct edna_config *c = bpf_map_lookup_elem(&settings, &zero);

	return c ? c->attach_ns : 0;
}

/* Look @key up in @map, creating a zeroed entry first if needed. */
static void *lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	/* Another CPU may have created it meanwhile: then keep theirs. */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static struct edna_queue_stats *queue_stats(__u32 minor, __u32 queue)
{
	struct edna_queue_key key = { .minor = minor, .queue = queue };
	struct edna_queue_stats init = {};

	init.time.since_ns = attach_ns();
	return lookup_or_init(&queues, &key, &init);
}

static struct edna_device_stats *device_stats(__u32 minor)
{
	struct edna_device_stats init = {};

	init.power_state = EDNA_POWER_UNKNOWN;
	init.time.since_ns = attach_ns();
	return lookup_or_init(&devices, &minor, &init);
}

static struct edna_proc_stats *proc_stats(__u32 tgid, __u32 minor)
{
	struct edna_proc_key key = { .tgid = tgid, .minor = minor };
	struct edna_proc_stats *p = bpf_map_lookup_elem(&processes, &key);
	struct edna_proc_stats init;

	if (p)
		return p;
	__builtin_memset(&init, 0, sizeof(init));
	/* Created by the submit event, in the submitting task. */
	if (tgid)
		bpf_get_current_comm(init.comm, sizeof(init.comm));
	return lookup_or_init(&processes, &key, &init);
}

static void hist_add(struct edna_hist *h, __u64 ns)
{
	__u64 us = ns / 1000;
	__u32 slot = 0;

	/* floor(log2(us)), bounded for the verifier */
	while (slot < EDNA_HIST_SLOTS - 1 && us >= 2) {
		us >>= 1;
		slot++;
	}
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->total_ns, ns);
}

static void hist_add_queue(void *map, __u32 minor, __u32 queue, __u64 ns)
{
	struct edna_queue_key key = { .minor = minor, .queue = queue };
	struct edna_hist init = {};
	struct edna_hist *h = lookup_or_init(map, &key, &init);

	if (h)
		hist_add(h, ns);
}

/*
 * A device is busy while any of its queues is.  The state's own entry
 * only counts up or down atomically; the time spent in the state that
 * ends goes to busy_ns or idle_ns.
 */
static void device_queue_busy(__u32 minor, __u64 now)
{
	struct edna_device_stats *d = device_stats(minor);

	if (!d)
		return;
	if (__sync_fetch_and_add(&d->time.outstanding, 1) == 0) {
		__sync_fetch_and_add(&d->time.idle_ns, now - d->time.since_ns);
		d->time.since_ns = now;
	}
}

static void device_queue_idle(__u32 minor, __u64 now)
{
	struct edna_device_stats *d = device_stats(minor);

	if (!d)
		return;
	if (__sync_fetch_and_add(&d->time.outstanding, -1) == 1) {
		__sync_fetch_and_add(&d->time.busy_ns, now - d->time.since_ns);
		d->time.since_ns = now;
	}
}

static void dma_add(struct edna_dma *d, const struct edna_dma *b)
{
	__sync_fetch_and_add(&d->host_read, b->host_read);
	__sync_fetch_and_add(&d->host_written, b->host_written);
	__sync_fetch_and_add(&d->dram_read, b->dram_read);
	__sync_fetch_and_add(&d->dram_written, b->dram_written);
	__sync_fetch_and_add(&d->sram_read, b->sram_read);
	__sync_fetch_and_add(&d->sram_written, b->sram_written);
}

SEC("raw_tp/edna_job_submit")
int BPF_PROG(edna_job_submit, __u32 minor, __u32 queue, __u64 client, __u64 job)
{
	struct edna_job_key key = { .minor = minor, .job = job };
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct edna_job_info info = {
		.tgid = tgid, .queue = queue, .submit_ns = bpf_ktime_get_ns(),
	};
	struct edna_queue_stats *q;
	struct edna_proc_stats *p;

	bpf_map_update_elem(&jobs, &key, &info, BPF_ANY);
	q = queue_stats(minor, queue);
	if (q)
		__sync_fetch_and_add(&q->submitted, 1);
	p = proc_stats(tgid, minor);
	if (p)
		__sync_fetch_and_add(&p->submitted, 1);
	return 0;
}

SEC("raw_tp/edna_job_start")
int BPF_PROG(edna_job_start, __u32 minor, __u32 queue, __u64 job)
{
	struct edna_job_key key = { .minor = minor, .job = job };
	__u64 now = bpf_ktime_get_ns();
	struct edna_queue_stats *q;
	struct edna_job_info *ji;

	/* The diagnostics' descriptors: not jobs, and they own the device. */
	if (!job)
		return 0;
	ji = bpf_map_lookup_elem(&jobs, &key);
	if (ji) {
		ji->start_ns = now;
	} else {
		/* Submitted before the probes were attached. */
		struct edna_job_info info = { .queue = queue, .start_ns = now };

		bpf_map_update_elem(&jobs, &key, &info, BPF_ANY);
	}
	q = queue_stats(minor, queue);
	if (q && q->time.outstanding++ == 0) {
		q->time.idle_ns += now - q->time.since_ns;
		q->time.since_ns = now;
		device_queue_busy(minor, now);
	}
	return 0;
}

SEC("raw_tp/edna_job_done")
int BPF_PROG(edna_job_done, __u32 minor, __u32 queue, __u64 job, __u32 status,
	     __u64 device_ns, __u64 cycles, __u64 host_read, __u64 host_written,
	     __u64 dram_read, __u64 dram_written, __u64 sram_read, __u64 sram_written)
{
	struct edna_job_key key = { .minor = minor, .job = job };
	struct edna_dma bytes = {
		.host_read = host_read, .host_written = host_written,
		.dram_read = dram_read, .dram_written = dram_written,
		.sram_read = sram_read, .sram_written = sram_written,
	};
	__u64 now = bpf_ktime_get_ns(), submit_ns = 0;
	bool failed = status != EDNA_PROBE_STATUS_OK;
	struct edna_device_stats *d;
	struct edna_queue_stats *q;
	struct edna_proc_stats *p;
	struct edna_job_info *ji;
	__u32 tgid = 0;

	if (!job)
		return 0;
	q = queue_stats(minor, queue);
	d = device_stats(minor);
	if (!q || !d)
		return 0;
	dma_add(&d->dma, &bytes);

	ji = bpf_map_lookup_elem(&jobs, &key);
	/* Only a start seen since the probes were attached counts for time. */
	if (ji && ji->start_ns) {
		if (status != EDNA_PROBE_STATUS_ABORTED)
			hist_add_queue(&lat_start, minor, queue, now - ji->start_ns);
		ji->start_ns = 0;
		if (q->time.outstanding && --q->time.outstanding == 0) {
			q->time.busy_ns += now - q->time.since_ns;
			q->time.since_ns = now;
			device_queue_idle(minor, now);
		}
	}
	if (ji) {
		tgid = ji->tgid;
		submit_ns = ji->submit_ns;
	}
	if (status == EDNA_PROBE_STATUS_ABORTED) {
		/* It runs again: one more start and done to come. */
		q->aborted++;
		return 0;
	}
	if (ji)
		bpf_map_delete_elem(&jobs, &key);

	q->done++;
	q->failed += failed;
	q->device_ns += device_ns;
	__sync_fetch_and_add(&d->done, 1);
	if (failed)
		__sync_fetch_and_add(&d->failed, 1);

	p = proc_stats(tgid, minor);
	if (!p)
		return 0;
	__sync_fetch_and_add(&p->done, 1);
	if (failed)
		__sync_fetch_and_add(&p->failed, 1);
	__sync_fetch_and_add(&p->device_ns, device_ns);
	dma_add(&p->dma, &bytes);
	if (submit_ns) {
		hist_add_queue(&lat_submit, minor, queue, now - submit_ns);
		hist_add(&p->latency, now - submit_ns);
	}
	return 0;
}

SEC("raw_tp/edna_power_state")
int BPF_PROG(edna_power, __u32 minor, __u32 old, __u32 new)
{
	struct edna_device_stats *d = device_stats(minor);

	if (d) {
		d->power_state = new;
		__sync_fetch_and_add(&d->power_changes, 1);
	}
	return 0;
}

SEC("raw_tp/edna_mmu_fault")
int BPF_PROG(edna_mmu_fault, __u32 minor)
{
	struct edna_device_stats *d = device_stats(minor);

	if (d)
		__sync_fetch_and_add(&d->mmu_faults, 1);
	return 0;
}

SEC("raw_tp/edna_queue_reset")
int BPF_PROG(edna_q_reset, __u32 minor)
{
	struct edna_device_stats *d = device_stats(minor);

	if (d)
		__sync_fetch_and_add(&d->queue_resets, 1);
	return 0;
}

SEC("raw_tp/edna_device_reset")
int BPF_PROG(edna_dev_reset, __u32 minor)
{
	struct edna_device_stats *d = device_stats(minor);

	if (d)
		__sync_fetch_and_add(&d->device_resets, 1);
	return 0;
}
