// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: command queues.
 *
 * Each queue has an engine, a work item on the device's unbound workqueue,
 * so queues execute in parallel.  The engine claims the entry at HEAD,
 * reads it from host memory, executes it without sim->lock, and then, in
 * one critical section, writes the status back to the ring entry, advances
 * HEAD and raises the interrupts.
 *
 * A reset of a queue whose engine holds a job cannot stop the engine in the
 * middle of a memory copy: it marks the queue reset_pending, CTRL reads back
 * RESET, and the engine abandons the job at its next chunk boundary and
 * completes the reset itself.  From then on the engine has forgotten the
 * ring and the job.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/math64.h>

#include "edna_sim.h"

static void edna_sim_queue_work(struct work_struct *work);

void edna_sim_queue_init(struct edna_sim *sim, unsigned int index)
{
	struct edna_sim_queue *q = &sim->queues[index];

	q->sim = sim;
	q->index = index;
	INIT_WORK(&q->work, edna_sim_queue_work);
}

static bool edna_sim_queue_fetchable(struct edna_sim_queue *q)
{
	struct edna_sim *sim = q->sim;
	u32 pending = q->tail - q->head;

	return (sim->dev_status & EDNA_DEV_STATUS_READY) &&
	       sim->power_state == EDNA_PSTATE_ACTIVE &&
	       (q->ctrl & EDNA_Q_CTRL_ENABLE) &&
	       !(q->status & EDNA_Q_STATUS_STOPPED) &&
	       !q->reset_pending && !q->hung &&
	       pending && pending <= q->size;
}

/* Start the engine if there is work for it; called with sim->lock. */
void edna_sim_queue_kick_locked(struct edna_sim_queue *q)
{
	if (!q->sim->dying && edna_sim_queue_fetchable(q))
		queue_work(q->sim->wq, &q->work);
}

/*
 * The state after a queue reset.  JOBS and BUSY_CYCLES are counters and
 * stay; so does an armed hang: it is the tester's, not the device's.
 */
static void edna_sim_queue_clear_locked(struct edna_sim_queue *q)
{
	q->ring = 0;
	q->size = 0;
	q->head = 0;
	q->tail = 0;
	q->done_seq = 0;
	q->ctrl = 0;
	q->status = 0;
	q->progress = 0;
	q->reset_pending = false;
	q->hung = false;
	q->inv_pending = false;
}

/**
 * edna_sim_queue_reset_locked() - reset a queue, now or when its engine
 *	lets go of its job
 * @q: the queue
 *
 * Called with sim->lock held.
 */
void edna_sim_queue_reset_locked(struct edna_sim_queue *q)
{
	if (q->running)
		q->reset_pending = true;
	else
		edna_sim_queue_clear_locked(q);
}

/* The ring may be moved or resized only while the queue is stopped and idle. */
static bool edna_sim_queue_ring_frozen(const struct edna_sim_queue *q)
{
	return (q->ctrl & EDNA_Q_CTRL_ENABLE) || (q->status & EDNA_Q_STATUS_BUSY);
}

u32 edna_sim_queue_read_locked(struct edna_sim_queue *q, unsigned int off)
{
	switch (off) {
	case EDNA_Q_RING_LO:
		return lower_32_bits(q->ring);
	case EDNA_Q_RING_HI:
		return upper_32_bits(q->ring);
	case EDNA_Q_RING_SIZE:
		return q->size;
	case EDNA_Q_HEAD:
		return q->head;
	case EDNA_Q_TAIL:
		return q->tail;
	case EDNA_Q_DONE_SEQ:
		return q->done_seq;
	case EDNA_Q_CTRL:
		return q->ctrl | (q->reset_pending ? EDNA_Q_CTRL_RESET : 0);
	case EDNA_Q_STATUS:
		return q->status;
	case EDNA_Q_PROGRESS:
		return q->progress;
	case EDNA_Q_BUSY_CYCLES_LO:
		return lower_32_bits(q->busy_cycles);
	case EDNA_Q_BUSY_CYCLES_HI:
		return upper_32_bits(q->busy_cycles);
	case EDNA_Q_JOBS:
		return q->jobs;
	}
	return 0;
}

void edna_sim_queue_write_locked(struct edna_sim_queue *q, unsigned int off, u32 val)
{
	/* Until a deferred reset completes the queue takes no orders. */
	if (q->reset_pending)
		return;

	switch (off) {
	case EDNA_Q_RING_LO:
		/* Entries are 256-byte aligned, so one never straddles a page. */
		if (!edna_sim_queue_ring_frozen(q))
			q->ring = (q->ring & GENMASK_ULL(63, 32)) |
				  (val & ~(u32)(EDNA_DESC_SIZE - 1));
		break;
	case EDNA_Q_RING_HI:
		if (!edna_sim_queue_ring_frozen(q))
			q->ring = ((u64)val << 32) | lower_32_bits(q->ring);
		break;
	case EDNA_Q_RING_SIZE:
		if (!edna_sim_queue_ring_frozen(q) && is_power_of_2(val) &&
		    val >= EDNA_RING_MIN_ENTRIES && val <= EDNA_RING_MAX_ENTRIES)
			q->size = val;
		break;
	case EDNA_Q_TAIL:
		q->tail = val;
		if (val - q->head > q->size) {
			q->status |= EDNA_Q_STATUS_OVERRUN | EDNA_Q_STATUS_STOPPED;
			edna_sim_dev_error_locked(q->sim, EDNA_DEV_ERROR_RING_OVERRUN, q->index);
		} else {
			edna_sim_queue_kick_locked(q);
		}
		break;
	case EDNA_Q_CTRL:
		if (val & EDNA_Q_CTRL_RESET) {
			edna_sim_queue_reset_locked(q);
			break;
		}
		q->ctrl = val & EDNA_Q_CTRL_ENABLE;
		edna_sim_queue_kick_locked(q);
		break;
	default:
		/* Read-only: HEAD, DONE_SEQ, STATUS, PROGRESS, BUSY_CYCLES, JOBS. */
		break;
	}
}

/*
 * Count the work done since the last chunk boundary: bytes and MACs with
 * their dynamic energy, and progress.  Work of a job that a device reset
 * has overtaken is not counted: the counters started again at the reset.
 */
static void edna_sim_job_commit_locked(struct edna_sim_job *job)
{
	struct edna_sim_queue *q = job->q;
	struct edna_sim *sim = q->sim;
	const struct edna_sim_params *p = &sim->params;
	int t, w;

	if (job->gen == sim->reset_gen) {
		for (t = 0; t < EDNA_NUM_TARGETS; t++) {
			for (w = 0; w < 2; w++) {
				u64 n = job->pending[t][w];

				sim->cnt_bytes[t][w] += n;
				edna_sim_add_energy_locked(sim, n * p->pj_per_byte[t]);
			}
		}
		sim->cnt_macs += job->pending_macs;
		edna_sim_add_energy_locked(sim, job->pending_macs * p->pj_per_mac);
		q->progress += job->pending_units;
	}
	memset(job->pending, 0, sizeof(job->pending));
	job->pending_macs = 0;
	job->pending_units = 0;
}

/*
 * Busy time of a job that stopped: its queue was busy for the modeled time.
 * The power it drew meanwhile is the ACTIVE state's, counted by the state.
 */
static void edna_sim_job_account_locked(struct edna_sim_job *job)
{
	struct edna_sim_queue *q = job->q;
	struct edna_sim *sim = q->sim;

	if (job->gen != sim->reset_gen)
		return;
	q->busy_cycles += div_u64(edna_sim_job_ns(sim, job) * sim->params.clock_mhz, 1000);
}

/*
 * A job takes at least its modeled time, as on the chip: wait out what the
 * host did faster, so that BUSY_CYCLES never runs ahead of CNT_CYCLES.
 * At a chunk boundary (@all false) only a lead of more than a chunk's
 * worth is slept off, a bounded piece at a time, so that a reset still
 * finds the engine within a chunk.
 */
#define EDNA_SIM_PACE_SLACK_NS	(20 * NSEC_PER_USEC)
#define EDNA_SIM_PACE_MAX_NS	(10 * NSEC_PER_MSEC)

static void edna_sim_job_pace(struct edna_sim_job *job, bool all)
{
	u64 due = job->start_ns + edna_sim_job_ns(job->q->sim, job);
	u64 now = ktime_get_ns();
	u64 left;

	if (due <= now)
		return;
	left = due - now;
	if (!all) {
		if (left <= EDNA_SIM_PACE_SLACK_NS)
			return;
		left = min_t(u64, left, EDNA_SIM_PACE_MAX_NS);
	}
	if (left < EDNA_SIM_PACE_SLACK_NS) {
		ndelay(left);
		return;
	}
	left = div_u64(left, NSEC_PER_USEC);
	usleep_range(left, left + left / 8 + 1);
}

/**
 * edna_sim_inv_start_locked() - MMU_INVALIDATE was written
 * @sim: the device
 *
 * No translation is cached between chunks, but an engine in the middle of
 * a chunk may still use one it made before the write: the invalidation
 * completes when every such engine has reached its next chunk boundary.
 * Called with sim->lock.
 */
void edna_sim_inv_start_locked(struct edna_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->params.num_queues; i++)
		sim->queues[i].inv_pending = sim->queues[i].running;
}

/* MMU_INVALIDATE reads back BUSY until the invalidation completes. */
bool edna_sim_inv_busy_locked(struct edna_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->params.num_queues; i++)
		if (sim->queues[i].inv_pending)
			return true;
	return false;
}

/* Let go of a job for a pending reset, and complete the reset. */
static void edna_sim_job_abandon_locked(struct edna_sim_job *job)
{
	struct edna_sim_queue *q = job->q;

	q->running = false;
	q->inv_pending = false;
	edna_sim_job_account_locked(job);
	edna_sim_queue_clear_locked(q);
}

/**
 * edna_sim_job_checkin() - a chunk boundary of a job
 * @job: the job
 *
 * Counts the chunk just done and samples the context's root for the next.
 *
 * Return: true to go on, false when a reset abandoned the job: the engine
 * must not touch its memory any more.
 */
bool edna_sim_job_checkin(struct edna_sim_job *job)
{
	struct edna_sim *sim = job->q->sim;
	unsigned long flags;
	u32 delay;
	bool go;

	spin_lock_irqsave(&sim->lock, flags);
	edna_sim_job_commit_locked(job);
	job->root = sim->ctx_root[job->ctx];
	/* Translations of the chunk just done are dead: invalidations complete. */
	job->q->inv_pending = false;
	go = !job->q->reset_pending;
	spin_unlock_irqrestore(&sim->lock, flags);
	if (go)
		edna_sim_job_pace(job, false);
	/* Fault injection: a slower part, or a long decoder step. */
	delay = READ_ONCE(sim->chunk_delay_us);
	if (go && delay)
		usleep_range(delay, delay + delay / 4 + 1);
	/* A 1 GiB job is 262144 chunks: let others run. */
	cond_resched();
	return go;
}

/* Claim the entry at HEAD; false when the queue has nothing to fetch. */
static bool edna_sim_job_claim(struct edna_sim_queue *q, struct edna_sim_job *job,
			       u64 *entry)
{
	struct edna_sim *sim = q->sim;
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&sim->lock, flags);
	ok = edna_sim_queue_fetchable(q);
	if (ok) {
		memset(job, 0, sizeof(*job));
		job->q = q;
		job->gen = sim->reset_gen;
		job->start_ns = ktime_get_ns();
		job->status = EDNA_JOB_OK;
		*entry = q->ring + (u64)(q->head & (q->size - 1)) * EDNA_DESC_SIZE;
		q->running = true;
		q->status |= EDNA_Q_STATUS_BUSY;
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	return ok;
}

static void edna_sim_job_decode(struct edna_sim_job *job, const struct edna_hw_desc *d)
{
	job->op = le32_to_cpu(d->op);
	job->flags = le32_to_cpu(d->flags);
	job->ctx = le32_to_cpu(d->ctx);
	job->seq = le32_to_cpu(d->seq);
	job->src = le64_to_cpu(d->src);
	job->dst = le64_to_cpu(d->dst);
	job->size = le64_to_cpu(d->size);
	job->pattern = le32_to_cpu(d->pattern);
	job->job_seqno = le64_to_cpu(d->job_seqno);
	job->result_va = le64_to_cpu(d->result_va);
	job->reserved = !!memchr_inv(d->reserved, 0, sizeof(d->reserved));
}

/*
 * Read the claimed ring entry.  False when there is no job to execute:
 * a reset took it, the entry is not readable (the queue stops), or an
 * injected hang or device error swallowed it.
 */
static bool edna_sim_job_fetch(struct edna_sim_queue *q, struct edna_sim_job *job,
			       u64 entry)
{
	struct edna_sim *sim = q->sim;
	struct page *page = edna_sim_host_page(entry);
	unsigned long flags;
	bool ok = false;

	static_assert(sizeof(struct edna_hw_desc) == EDNA_DESC_SIZE);
	if (page) {
		struct edna_hw_desc d;
		void *p = kmap_local_page(page);

		/* The driver's half only: the result half is the device's. */
		memcpy(&d, p + offset_in_page(entry), offsetof(struct edna_hw_desc, result));
		kunmap_local(p);
		edna_sim_job_decode(job, &d);
		job->slot_page = page;
		job->slot_off = offset_in_page(entry);
	}

	spin_lock_irqsave(&sim->lock, flags);
	if (q->reset_pending) {
		edna_sim_job_abandon_locked(job);
	} else if (!page) {
		q->running = false;
		q->inv_pending = false;
		q->status &= ~EDNA_Q_STATUS_BUSY;
		q->status |= EDNA_Q_STATUS_STOPPED;
		edna_sim_dev_error_locked(sim, EDNA_DEV_ERROR_RING_BUS, q->index);
	} else if (q->hang_armed) {
		/* Stalls with BUSY set until a reset; the engine is free. */
		q->hang_armed = false;
		q->hung = true;
		q->running = false;
		q->inv_pending = false;
	} else {
		ok = edna_sim_inject_fetch_locked(q, job);
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	return ok;
}

/*
 * The end of a job: abandon it for a pending reset, or complete it: status
 * to the ring entry, HEAD, counters and interrupts in one critical section,
 * so the driver never sees HEAD ahead of the status.
 */
static void edna_sim_job_finish(struct edna_sim_job *job)
{
	struct edna_sim_queue *q = job->q;
	struct edna_sim *sim = q->sim;
	struct edna_hw_result result;
	struct edna_hw_desc *d;
	unsigned long flags;
	u32 bits;
	void *p;

	/* Outside the lock: it walks the page tables. */
	edna_sim_job_write_result(job);
	edna_sim_job_pace(job, true);

	spin_lock_irqsave(&sim->lock, flags);
	edna_sim_job_commit_locked(job);
	if (q->reset_pending) {
		edna_sim_job_abandon_locked(job);
		spin_unlock_irqrestore(&sim->lock, flags);
		return;
	}

	/*
	 * The entry was readable at fetch: the write-back cannot fail.  The
	 * result goes first and the status last, which the driver reads
	 * after HEAD moved.
	 */
	edna_sim_job_result(job, &result);
	p = kmap_local_page(job->slot_page);
	d = p + job->slot_off;
	memcpy(&d->result, &result, sizeof(result));
	/* The driver reads the result once it sees the status. */
	wmb();
	WRITE_ONCE(d->status, cpu_to_le32(job->status));
	kunmap_local(p);

	q->running = false;
	q->inv_pending = false;
	q->status &= ~EDNA_Q_STATUS_BUSY;
	q->head++;
	q->done_seq = job->seq;
	q->jobs++;
	sim->cnt_ops++;
	edna_sim_job_account_locked(job);

	bits = EDNA_IRQ_JOB_DONE(q->index);
	if (job->status != EDNA_JOB_OK)
		bits |= EDNA_IRQ_JOB_ERROR(q->index);
	if (job->fault) {
		if (!(sim->fault_info & EDNA_FAULT_VALID)) {
			sim->fault_va = job->fault_va;
			sim->fault_info = job->fault_info;
		}
		bits |= EDNA_IRQ_MMU_FAULT;
	}
	edna_sim_raise_locked(sim, bits);
	spin_unlock_irqrestore(&sim->lock, flags);
}

static void edna_sim_queue_work(struct work_struct *work)
{
	struct edna_sim_queue *q = container_of(work, struct edna_sim_queue, work);
	struct edna_sim_job job;
	u64 entry;

	while (edna_sim_job_claim(q, &job, &entry)) {
		if (edna_sim_job_fetch(q, &job, entry)) {
			edna_sim_job_execute(&job);
			edna_sim_job_finish(&job);
		}
		cond_resched();
	}
}
