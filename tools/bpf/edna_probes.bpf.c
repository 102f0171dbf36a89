// SPDX-License-Identifier: GPL-2.0
/*
 * edna probes: per-job latency, busy and idle time, DMA traffic, from the
 * driver's tracepoints (driver/edna_trace.h) into maps that edna-probes
 * pins under /sys/fs/bpf/edna.  Raw tracepoints: every argument is a
 * scalar, read by position, so nothing here depends on a driver structure
 * or on the module's BTF.
 *
 * Cost: these run three times per job, so the per-job path does one
 * hash lookup (the process, at the job's end) and otherwise only array
 * lookups, which the verifier inlines (bench: probe_overhead).
 *
 * Concurrency: the start and done events of one queue come under that
 * queue's ring lock, so a queue's slot is updated by one CPU at a time;
 * a job's slot is written by its submit, then by its start and done in
 * that order.  A device's slot is shared by its queues and a process's
 * entry by its jobs: their counters are added atomically; the busy/idle
 * split of a device is exact up to two queues changing state within the
 * same few instructions.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "edna_probes.h"

char LICENSE[] SEC("license") = "GPL";

/* One process on a few devices: room for many clients. */
#define MAX_PROCESSES	4096

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDNA_PROBE_DEVICES * EDNA_PROBE_QUEUES);
	__type(key, __u32);
	__type(value, struct edna_queue_stats);
} queues SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDNA_PROBE_DEVICES);
	__type(key, __u32);
	__type(value, struct edna_device_stats);
} devices SEC(".maps");

/* By process: a hash, looked up once per job, at its end. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PROCESSES);
	__type(key, struct edna_proc_key);
	__type(value, struct edna_proc_stats);
} processes SEC(".maps");

/* A job that never reaches the device (its client went first) just stays. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EDNA_PROBE_DEVICES * EDNA_JOB_SLOTS);
	__type(key, __u32);
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

/*
 * A queue's slot; set up by the first event of the queue, which comes
 * under its ring lock like every start and done event after it.
 */
static struct edna_queue_stats *queue_stats(__u32 minor, __u32 queue)
{
	__u32 slot = EDNA_QUEUE_SLOT(minor, queue);
	struct edna_queue_stats *q = bpf_map_lookup_elem(&queues, &slot);

	if (q && !q->active) {
		q->minor = minor;
		q->queue = queue;
		q->time.since_ns = attach_ns();
		q->active = 1;
	}
	return q;
}

/* A device's slot; two first events at once would set it up alike. */
static struct edna_device_stats *device_stats(__u32 minor)
{
	__u32 slot = minor % EDNA_PROBE_DEVICES;
	struct edna_device_stats *d = bpf_map_lookup_elem(&devices, &slot);

	if (d && !d->active) {
		d->minor = minor;
		d->power_state = EDNA_POWER_UNKNOWN;
		d->time.since_ns = attach_ns();
		d->active = 1;
	}
	return d;
}

/* What a new process entry starts from: bigger than the stack allows. */
static const struct edna_proc_stats zero_proc;

static struct edna_proc_stats *proc_stats(__u32 tgid, __u32 minor, const char *comm)
{
	struct edna_proc_key key = { .tgid = tgid, .minor = minor };
	struct edna_proc_stats *p = bpf_map_lookup_elem(&processes, &key);

	if (p)
		return p;
	/* Another CPU may create it meanwhile: then keep theirs. */
	if (!bpf_map_update_elem(&processes, &key, &zero_proc, BPF_NOEXIST)) {
		p = bpf_map_lookup_elem(&processes, &key);
		if (p && comm)
			__builtin_memcpy(p->comm, comm, sizeof(p->comm));
		return p;
	}
	return bpf_map_lookup_elem(&processes, &key);
}

/* The slot of job @job of device @minor, whoever holds it now. */
static struct edna_job_info *job_slot(__u32 minor, __u64 job)
{
	__u32 slot = EDNA_JOB_SLOT(minor, job);

	return bpf_map_lookup_elem(&jobs, &slot);
}

/* floor(log2(v)) for v > 0, without a loop: this runs for every job. */
static __u32 log2_u64(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xffffffffull) << 5;
	v >>= s;
	r |= s;
	s = (v > 0xffff) << 4;
	v >>= s;
	r |= s;
	s = (v > 0xff) << 3;
	v >>= s;
	r |= s;
	s = (v > 0xf) << 2;
	v >>= s;
	r |= s;
	s = (v > 0x3) << 1;
	v >>= s;
	r |= s;
	return r | (__u32)(v >> 1);
}

static void hist_add(struct edna_hist *h, __u64 ns)
{
	__u64 us = ns / 1000;
	__u32 slot = us ? log2_u64(us) : 0;

	if (slot >= EDNA_HIST_SLOTS)
		slot = EDNA_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->total_ns, ns);
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

/* In the submitting task: remember who and when, nothing else. */
SEC("raw_tp/edna_job_submit")
int BPF_PROG(edna_job_submit, __u32 minor, __u32 queue, __u64 client, __u64 job)
{
	struct edna_job_info *ji = job_slot(minor, job);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!ji)
		return 0;
	/* The slot's last job was most likely this process's too: its name is there. */
	if (ji->tgid != tgid) {
		ji->tgid = tgid;
		bpf_get_current_comm(ji->comm, sizeof(ji->comm));
	}
	ji->job = job;
	ji->minor = minor;
	ji->submit_ns = bpf_ktime_get_ns();
	ji->start_ns = 0;
	return 0;
}

SEC("raw_tp/edna_job_start")
int BPF_PROG(edna_job_start, __u32 minor, __u32 queue, __u64 job)
{
	struct edna_job_info *ji = job_slot(minor, job);
	__u64 now = bpf_ktime_get_ns();
	struct edna_queue_stats *q;

	/* The diagnostics' descriptors: not jobs, and they own the device. */
	if (!job || !ji)
		return 0;
	if (ji->job != job || ji->minor != minor) {
		/* Submitted before the probes were attached, or its slot was reused. */
		ji->job = job;
		ji->minor = minor;
		ji->tgid = 0;
		ji->submit_ns = 0;
		ji->comm[0] = '\0';
	}
	ji->start_ns = now;
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
	struct edna_dma bytes = {
		.host_read = host_read, .host_written = host_written,
		.dram_read = dram_read, .dram_written = dram_written,
		.sram_read = sram_read, .sram_written = sram_written,
	};
	__u64 now = bpf_ktime_get_ns(), submit_ns = 0;
	bool failed = status != EDNA_PROBE_STATUS_OK;
	struct edna_job_info *ji = job_slot(minor, job);
	struct edna_device_stats *d;
	struct edna_queue_stats *q;
	struct edna_proc_stats *p;
	const char *comm = NULL;
	__u32 tgid = 0;

	if (!job || !ji)
		return 0;
	q = queue_stats(minor, queue);
	d = device_stats(minor);
	if (!q || !d)
		return 0;
	dma_add(&d->dma, &bytes);

	if (ji->job != job || ji->minor != minor)
		ji = NULL;	/* not seen since the probes were attached */
	/* Only a start seen since the probes were attached counts for time. */
	if (ji && ji->start_ns) {
		if (status != EDNA_PROBE_STATUS_ABORTED)
			hist_add(&q->lat_start, now - ji->start_ns);
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
		comm = ji->comm;
	}
	if (status == EDNA_PROBE_STATUS_ABORTED) {
		/* It runs again: one more start and done to come. */
		q->aborted++;
		return 0;
	}
	q->done++;
	q->failed += failed;
	q->device_ns += device_ns;
	__sync_fetch_and_add(&d->done, 1);
	if (failed)
		__sync_fetch_and_add(&d->failed, 1);

	p = proc_stats(tgid, minor, comm);
	if (ji)
		ji->job = 0;
	if (!p)
		return 0;
	__sync_fetch_and_add(&p->done, 1);
	if (failed)
		__sync_fetch_and_add(&p->failed, 1);
	__sync_fetch_and_add(&p->device_ns, device_ns);
	dma_add(&p->dma, &bytes);
	if (submit_ns) {
		hist_add(&q->lat_submit, now - submit_ns);
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
