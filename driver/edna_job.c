// SPDX-License-Identifier: GPL-2.0
/*
 * edna jobs: scheduling (one drm_sched per hardware queue), hardware
 * fences, job results, timeouts with a progress check, recovery, the
 * wedged state, and deferring the release of memory until the device is
 * done with it.  Submission is in edna_submit.c.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/dma-fence-array.h>
#include <linux/delay.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_job_priv.h"
#include "edna_mmu.h"
#include "edna_pm.h"
#include "edna_trace.h"

/*
 * A decoder step on an edge part takes tens of milliseconds and a long
 * prompt many seconds; a hang is declared only after a whole period with
 * no progress at all, so a generous default costs nothing.
 */
unsigned int edna_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, edna_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Initial job progress timeout in ms (default 10000; per device in sysfs)");

/* Failed jobs (faults, hangs, rejected descriptors) before a file is banned. */
#define EDNA_BAN_FAULTS		16
/* How long remove() waits for aborted jobs to be retired. */
#define EDNA_JOB_DRAIN_MS	2000

/*
 * Hardware fences come from a pool: run_job may not allocate with reclaim
 * (fences wait on it), and a job must not fail for want of memory.  The
 * reserve covers every ring slot of a few devices; fences return to it as
 * jobs retire.
 */
#define EDNA_FENCE_RESERVE	256
static mempool_t *edna_fence_pool;

/**
 * edna_job_module_init() - the module's hardware fence pool
 *
 * Return: 0 or -ENOMEM.
 */
int edna_job_module_init(void)
{
	edna_fence_pool = mempool_create_kmalloc_pool(EDNA_FENCE_RESERVE,
						      sizeof(struct edna_hw_fence));
	return edna_fence_pool ? 0 : -ENOMEM;
}

/* After every fence is released: the RCU frees have run. */
void edna_job_module_exit(void)
{
	rcu_barrier();
	mempool_destroy(edna_fence_pool);
}

static struct edna_job *to_edna_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct edna_job, base);
}

static void edna_job_queue_release(struct kref *ref)
{
	kfree(container_of(ref, struct edna_job_queue, ref));
}

static void edna_job_queue_put(struct edna_job_queue *jq)
{
	kref_put(&jq->ref, edna_job_queue_release);
}

static struct edna_hw_fence *to_edna_hw_fence(struct dma_fence *fence)
{
	return container_of(fence, struct edna_hw_fence, base);
}

static const char *edna_fence_driver_name(struct dma_fence *fence)
{
	return EDNA_DRIVER_NAME;
}

static const char *edna_fence_timeline_name(struct dma_fence *fence)
{
	return to_edna_hw_fence(fence)->jq->name;
}

static void edna_fence_free_rcu(struct rcu_head *rcu)
{
	mempool_free(container_of(rcu, struct edna_hw_fence, base.rcu), edna_fence_pool);
}

/*
 * A hardware fence may outlive its device and the file that made it (a
 * sync_file exported from an out-syncobj): it holds its queue, for the
 * timeline name, and this module, whose text its ops are.  The module
 * goes last: nothing of this function runs after it, and the module's
 * exit waits for the RCU free.
 */
static void edna_fence_release(struct dma_fence *fence)
{
	struct edna_hw_fence *hf = to_edna_hw_fence(fence);

	edna_job_queue_put(hf->jq);
	/* Readers under RCU may still look at a released fence. */
	call_rcu(&fence->rcu, edna_fence_free_rcu);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops edna_fence_ops = {
	.get_driver_name = edna_fence_driver_name,
	.get_timeline_name = edna_fence_timeline_name,
	.release = edna_fence_release,
};

static int edna_job_status_errno(u32 status)
{
	switch (status) {
	case EDNA_JOB_OK:
		return 0;
	case EDNA_JOB_MMU_FAULT:
		return -EFAULT;
	case EDNA_JOB_BAD_DESC:
		return -EINVAL;
	case EDNA_JOB_BAD_GRAPH:
		return -ENOEXEC;
	case EDNA_JOB_ABORTED:
		/* Never reaches userspace: recovery runs the job again. */
		return -EAGAIN;
	case EDNA_JOB_CANCELED:
		return -ECANCELED;
	case EDNA_JOB_GONE:
		return -ENODEV;
	default:
		return -EIO;
	}
}

/* The device's own statuses, as opposed to the driver's abort codes. */
static bool edna_job_status_from_device(u32 status)
{
	return status < EDNA_JOB_ABORTED;
}

static void edna_file_count_fault(struct edna_file *efile)
{
	if (atomic_inc_return(&efile->faults) >= EDNA_BAN_FAULTS && !READ_ONCE(efile->banned)) {
		WRITE_ONCE(efile->banned, true);
		edna_warn(efile->edev, "client %llu banned after %d faults\n",
			  efile->client_id, EDNA_BAN_FAULTS);
	}
}

/*
 * Device time of a job on an in-order queue: from when it was written, or
 * from when its predecessor completed if later, until it completed.
 */
static u64 edna_job_account(struct edna_job *job)
{
	struct edna_job_queue *jq = job->jq;
	u64 now = ktime_get_ns(), start;

	spin_lock(&jq->busy_lock);
	start = max(job->submit_ns, jq->last_done_ns);
	jq->last_done_ns = now;
	spin_unlock(&jq->busy_lock);
	atomic64_add(now - start, &jq->busy_ns);
	atomic64_add(now - start, &job->efile->busy_ns[jq->queue]);
	return now - start;
}

/* The device writes at result_va what userspace reads as the uapi record. */
static_assert(sizeof(struct drm_edna_job_result) == sizeof(struct edna_hw_result));
static_assert(offsetof(struct drm_edna_job_result, fault_va) ==
	      offsetof(struct edna_hw_result, fault_va));
static_assert(offsetof(struct drm_edna_job_result, bytes) ==
	      offsetof(struct edna_hw_result, bytes));

/* The device's record, in CPU byte order; the sequence number is ours. */
static void edna_job_record(struct drm_edna_job_result *rec, const struct edna_hw_result *hw)
{
	int t, w;

	rec->status = le32_to_cpu(hw->status);
	rec->op_index = le32_to_cpu(hw->op_index);
	rec->reason = le32_to_cpu(hw->reason);
	rec->fault_va = le64_to_cpu(hw->fault_va);
	rec->cycles = le64_to_cpu(hw->cycles);
	rec->macs = le64_to_cpu(hw->macs);
	for (t = 0; t < EDNA_REGION_COUNT; t++)
		for (w = 0; w < 2; w++)
			rec->bytes[t][w] = le64_to_cpu(hw->bytes[t][w]);
}

/*
 * End a run of a job: signal its hardware fence.  Unless recovery runs the
 * job again (-EAGAIN), its finished fence follows and the job is about to
 * let go of its memory: count it as retiring until free_job, which cannot
 * run before this.
 */
static void edna_job_hw_fence_end(struct edna_hw_fence *hf, int err)
{
	struct edna_job *job = hf->job;

	if (err != -EAGAIN && !job->retire_counted) {
		atomic_inc(&job->jq->edev->retiring);
		job->retire_counted = true;
	}
	if (err)
		dma_fence_set_error(&hf->base, err);
	dma_fence_signal(&hf->base);
}

/*
 * Descriptor @index of @job ended: 0 its own, i + 1 its rider i.  Count
 * it, and keep its record and, for a job with riders, its own status.
 * Interrupt context, ring lock held.
 */
static void edna_job_desc_end(struct edna_job *job, u32 index, u32 status,
			      const struct edna_hw_result *result)
{
	struct edna_job_result *r = index ? job->riders[index - 1].result : job->result;
	bool device = edna_job_status_from_device(status);
	int err = edna_job_status_errno(status);
	u64 device_ns = 0;

	if (device) {
		atomic64_inc(&job->jq->jobs_done);
		device_ns = edna_job_account(job);
		if (err)
			edna_file_count_fault(job->efile);
	}
	edna_trace_job_done(job->jq->edev->drm.accel->index, job->jq->queue,
			    index ? le64_to_cpu(job->riders[index - 1].job_seqno) : job->seqno,
			    status, device_ns, result);
	/* Read by waiters only after the job's fences signalled. */
	if (result && r)
		edna_job_record(&r->rec, result);
	if (!device || !job->rider_count)
		return;
	if (r) {
		r->error = err;
		r->has_error = true;
	}
	if (index)
		job->riders[index - 1].done = true;
	else
		job->done = true;
}

/* edna_hw_done_fn of a descriptor that does not end its job's run. */
static void edna_job_head_done(void *data, u32 status, const struct edna_hw_result *result)
{
	edna_job_desc_end(data, 0, status, result);
}

static void edna_job_rider_done(void *data, u32 status, const struct edna_hw_result *result)
{
	struct edna_job_rider *rider = data;
	struct edna_job *job = rider->job;

	edna_job_desc_end(job, rider - job->riders + 1, status, result);
}

/* edna_hw_done_fn of the descriptor that ends a run: interrupt context, ring lock held. */
static void edna_job_hw_done(void *data, u32 status, const struct edna_hw_result *result)
{
	struct edna_hw_fence *hf = data;

	edna_job_desc_end(hf->job, hf->last, status, result);
	edna_job_hw_fence_end(hf, edna_job_status_errno(status));
	/* The ring slot's reference. */
	dma_fence_put(&hf->base);
}

/*
 * Write the descriptors of a run: the job's own and its riders', less
 * those a run before a reset completed.  The scheduler reserved a ring
 * slot for each.
 */
static int edna_job_submit_descs(struct edna_job *job, struct edna_hw_fence *hf)
{
	struct edna_device *edev = job->jq->edev;
	u32 queue = job->jq->queue, i, last = 0, n = 0;
	int ret;

	/* The last to run ends the run; the ring runs them in order. */
	for (i = 0; i <= job->rider_count; i++) {
		if (!(i ? job->riders[i - 1].done : job->done)) {
			last = i;
			n++;
		}
	}
	if (!n)
		return -EAGAIN;		/* cannot be: a finished run is not run again */
	if (edna_hw_ring_space(edev, queue) < n)
		return -EBUSY;
	hf->last = last;
	for (i = 0; i <= job->rider_count; i++) {
		struct edna_job_rider *rider = i ? &job->riders[i - 1] : NULL;
		struct edna_hw_desc desc;

		if (rider ? rider->done : job->done)
			continue;
		if (rider) {
			/* The carrier's, with the rider's own op. */
			desc = job->desc;
			desc.op = rider->op;
			desc.pattern = rider->pattern;
			desc.src = rider->src;
			desc.dst = rider->dst;
			desc.size = rider->size;
			desc.result_va = rider->result_va;
			desc.job_seqno = rider->job_seqno;
		}
		if (i == last) {
			dma_fence_get(&hf->base);
			ret = edna_hw_submit(edev, queue, rider ? &desc : &job->desc,
					     edna_job_hw_done, hf);
			if (ret)
				dma_fence_put(&hf->base);
		} else if (rider) {
			ret = edna_hw_submit(edev, queue, &desc, edna_job_rider_done, rider);
		} else {
			ret = edna_hw_submit(edev, queue, &job->desc, edna_job_head_done, job);
		}
		/* Space was checked: only the descriptors already written may end. */
		if (WARN_ON_ONCE(ret))
			return ret;
	}
	return 0;
}

static struct dma_fence *edna_job_run(struct drm_sched_job *sched_job)
{
	struct edna_job *job = to_edna_job(sched_job);
	struct edna_job_queue *jq = job->jq;
	struct edna_device *edev = jq->edev;
	struct edna_hw_fence *hf;
	bool cookie;
	int ret, idx;

	/*
	 * Run again by recovery: a job the device finished before the reset,
	 * or that the reset cancelled, keeps its result; only an innocent one
	 * the recovery abandoned (-EAGAIN) runs again.
	 */
	if (job->hw_fence && dma_fence_is_signaled(job->hw_fence) &&
	    job->hw_fence->error != -EAGAIN)
		return dma_fence_get(job->hw_fence);

	cookie = dma_fence_begin_signalling();
	/* No reclaim here: fences wait on us.  The pool's reserve covers it. */
	hf = mempool_alloc(edna_fence_pool, GFP_NOWAIT);
	if (!hf) {
		dma_fence_end_signalling(cookie);
		return ERR_PTR(-ENOMEM);
	}
	memset(hf, 0, sizeof(*hf));
	hf->job = job;
	hf->jq = jq;
	kref_get(&jq->ref);
	__module_get(THIS_MODULE);
	spin_lock_init(&hf->lock);
	dma_fence_init(&hf->base, &edna_fence_ops, &hf->lock, jq->fence_context,
		       atomic64_inc_return(&jq->fence_seqno));

	dma_fence_put(job->hw_fence);
	job->hw_fence = dma_fence_get(&hf->base);

	ret = job->guilty_error ?: sched_job->s_fence->finished.error;
	if (!ret && READ_ONCE(job->efile->closed))
		ret = -ESRCH;
	if (!ret && edna_wedged(edev))
		ret = -EIO;
	if (!ret && !drm_dev_enter(&edev->drm, &idx)) {
		ret = -ENODEV;
	} else if (!ret) {
		job->submit_ns = ktime_get_ns();
		ret = edna_job_submit_descs(job, hf);
		drm_dev_exit(idx);
	}
	/* Completes at once with the error, which then reaches the job. */
	if (ret)
		edna_job_hw_fence_end(hf, ret);
	dma_fence_end_signalling(cookie);
	return &hf->base;
}

/*
 * Give the job back to the scheduler: it is still running.  This
 * kernel's scheduler has no status for "no hang": the job goes back on
 * the pending list it was taken off, as the documented drivers do.
 */
static enum drm_gpu_sched_stat edna_job_still_running(struct drm_sched_job *sched_job)
{
	struct drm_gpu_scheduler *sched = sched_job->sched;

	spin_lock(&sched->job_list_lock);
	list_add(&sched_job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/*
 * Reset the whole device, which abandons the jobs of every queue, and run
 * the innocent ones again: stop every scheduler, reset, resubmit, start.
 * @except is already stopped and is restarted by the caller.  Runs on the
 * ordered recovery workqueue, with recovery_lock held.
 *
 * From the reset on, the jobs' fences wait for us: a fence-signalling
 * section.  Stopping the schedulers comes before it, as it may free jobs,
 * and their buffers with them.
 */
static int edna_job_reset_all(struct edna_device *edev, struct edna_job_queue *except,
			      u32 abort_status)
{
	bool cookie;
	u32 q;
	int ret;

	for (q = 0; q < edev->caps.num_queues; q++)
		if (edev->queues[q] != except)
			drm_sched_stop(&edev->queues[q]->sched, NULL);
	cookie = dma_fence_begin_signalling();
	ret = edna_hw_reset(edev, abort_status);
	for (q = 0; q < edev->caps.num_queues; q++) {
		if (edev->queues[q] == except)
			continue;
		drm_sched_resubmit_jobs(&edev->queues[q]->sched);
		drm_sched_start(&edev->queues[q]->sched);
	}
	dma_fence_end_signalling(cookie);
	return ret;
}

/*
 * A job that carries riders hung on the first of its descriptors not yet
 * ended: that one fails with @err, and the others run again, innocent.
 * False when it is the last one left: the job as a whole is guilty.
 */
static bool edna_job_blame_rider(struct edna_job *job, int err)
{
	struct edna_job_result *r;
	u32 i, first = U32_MAX, left = 0;

	for (i = 0; i <= job->rider_count; i++) {
		if (i ? job->riders[i - 1].done : job->done)
			continue;
		if (!left++)
			first = i;
	}
	if (left < 2)
		return false;
	r = first ? job->riders[first - 1].result : job->result;
	if (r) {
		r->error = err;
		r->has_error = true;
	}
	if (first)
		job->riders[first - 1].done = true;
	else
		job->done = true;
	return true;
}

/* True when the timeout of @job is not a hang after all. */
static bool edna_job_not_hung(struct edna_job *job)
{
	/* Written by the first run_job, which may still be under way. */
	struct dma_fence *hw_fence = READ_ONCE(job->hw_fence);
	struct edna_job_queue *jq = job->jq;
	struct edna_device *edev = jq->edev;
	u32 progress;

	/* The diagnostics own the rings, and reset them as they see fit. */
	if (edev->paused || !hw_fence)
		return true;
	/* A job the device finished, whose interrupt went missing, is no hang. */
	edna_hw_ring_poll(edev, jq->queue);
	if (dma_fence_is_signaled(hw_fence))
		return true;
	/*
	 * Long decoder jobs are legitimate: a queue whose progress counter
	 * moved since the last check is working, not hung.
	 */
	progress = edna_hw_queue_progress(edev, jq->queue);
	if (progress != jq->last_progress) {
		jq->last_progress = progress;
		return true;
	}
	return false;
}

/*
 * Every queue's timeout handler runs on the one ordered recovery
 * workqueue, as do operator resets, so a device reset never races another
 * queue's recovery.
 */
static enum drm_gpu_sched_stat edna_job_timedout(struct drm_sched_job *sched_job)
{
	struct edna_job *job = to_edna_job(sched_job);
	struct edna_job_queue *jq = job->jq;
	struct edna_device *edev = jq->edev;
	enum drm_gpu_sched_stat stat = DRM_GPU_SCHED_STAT_NOMINAL;
	bool cookie;
	int idx;

	mutex_lock(&edev->recovery_lock);
	/* Removal completes every job on the device; nothing to recover. */
	if (!drm_dev_enter(&edev->drm, &idx)) {
		edna_job_still_running(sched_job);
		stat = DRM_GPU_SCHED_STAT_ENODEV;
		goto out_unlock;
	}
	if (edna_job_not_hung(job)) {
		edna_job_still_running(sched_job);
		goto out_exit;
	}

	edna_warn(edev, "%s: job %llu of client %llu made no progress for %u ms, resetting the queue\n",
		  jq->name, job->seqno, job->efile->client_id,
		  jiffies_to_msecs(READ_ONCE(jq->sched.timeout)));
	/* May free completed jobs: before the signalling section. */
	drm_sched_stop(&jq->sched, sched_job);
	edna_file_count_fault(job->efile);
	cookie = dma_fence_begin_signalling();
	if (edna_hw_queue_reset(edev, jq->queue)) {
		dma_fence_end_signalling(cookie);
		edna_job_reset_all(edev, jq, EDNA_JOB_ABORTED);
		cookie = dma_fence_begin_signalling();
	}
	/* The ring is empty: no descriptor of the job ends behind our back. */
	if (!edna_job_blame_rider(job, -ETIMEDOUT))
		job->guilty_error = -ETIMEDOUT;
	/* Innocent jobs that were on the ring run again; the guilty one fails. */
	drm_sched_resubmit_jobs(&jq->sched);
	drm_sched_start(&jq->sched);
	dma_fence_end_signalling(cookie);
out_exit:
	drm_dev_exit(idx);
out_unlock:
	mutex_unlock(&edev->recovery_lock);
	return stat;
}

/*
 * The job the device abandoned first on @jq's ring: after a reset, the
 * oldest job of the queue whose run ended to run again.
 */
static struct edna_job *edna_job_first_abandoned(struct edna_job_queue *jq)
{
	struct drm_gpu_scheduler *sched = &jq->sched;
	struct edna_job *found = NULL;
	struct drm_sched_job *s_job;

	spin_lock(&sched->job_list_lock);
	list_for_each_entry(s_job, &sched->pending_list, list) {
		struct edna_job *job = to_edna_job(s_job);

		if (job->hw_fence && dma_fence_is_signaled(job->hw_fence) &&
		    job->hw_fence->error == -EAGAIN) {
			found = job;
			break;
		}
	}
	spin_unlock(&sched->job_list_lock);
	return found;
}

/**
 * edna_job_dev_error_work() - recover from a device that halted on a job
 * @work: &edna_device.dev_error_work
 *
 * The firmware failed on a job and halted (EDNA_DEV_ERROR_INTERNAL); only a
 * device reset brings it back.  Every queue stops, the device is reset,
 * the job it halted on (the first one of its queue the reset abandoned:
 * the queue keeps a failed job at HEAD) fails with -EIO and counts against
 * its client, and every other abandoned job runs again.  Runs on the
 * ordered recovery workqueue, as the timeout handlers, which therefore
 * never see the halted device in the middle of this.  The job the device
 * halted on holds a runtime PM reference until it is freed, which cannot
 * happen before the reset ends it: the device stays powered meanwhile.
 */
void edna_job_dev_error_work(struct work_struct *work)
{
	struct edna_device *edev = container_of(work, struct edna_device, dev_error_work);
	u32 queue = READ_ONCE(edev->dev_error_queue), q;
	struct edna_job *guilty;
	bool cookie;
	int idx, ret;

	mutex_lock(&edev->recovery_lock);
	if (!drm_dev_enter(&edev->drm, &idx))
		goto out_unlock;
	/* The diagnostics own the rings, and reset the device as they see fit. */
	if (edev->paused || queue >= edev->caps.num_queues)
		goto out_exit;
	edna_warn(edev, "device halted on a job of queue %u, resetting the device\n", queue);
	for (q = 0; q < edev->caps.num_queues; q++)
		drm_sched_stop(&edev->queues[q]->sched, NULL);
	cookie = dma_fence_begin_signalling();
	ret = edna_hw_reset(edev, EDNA_JOB_ABORTED);
	/* A wedged device fails every job on its rings: nobody to blame. */
	guilty = ret ? NULL : edna_job_first_abandoned(edev->queues[queue]);
	if (guilty) {
		edna_warn(edev, "%s: job %llu of client %llu failed the device\n",
			  edev->queues[queue]->name, guilty->seqno, guilty->efile->client_id);
		edna_file_count_fault(guilty->efile);
		if (!edna_job_blame_rider(guilty, -EIO))
			guilty->guilty_error = -EIO;
	}
	for (q = 0; q < edev->caps.num_queues; q++) {
		drm_sched_resubmit_jobs(&edev->queues[q]->sched);
		drm_sched_start(&edev->queues[q]->sched);
	}
	dma_fence_end_signalling(cookie);
out_exit:
	drm_dev_exit(idx);
out_unlock:
	mutex_unlock(&edev->recovery_lock);
}

/**
 * edna_job_retired() - memory counted in edev->retiring was let go of
 * @edev: the device
 */
void edna_job_retired(struct edna_device *edev)
{
	atomic_dec(&edev->retiring);
	/* Orders the memory let go of before the count, for waiters. */
	atomic_inc_return(&edev->retire_seq);
	if (wq_has_sleeper(&edev->retire_wq))
		wake_up_all(&edev->retire_wq);
}

/*
 * A completed result joins the file's done list; the oldest beyond
 * EDNA_WAIT_KEPT_RESULTS are forgotten.
 */
static void edna_job_result_done(struct edna_file *efile, struct edna_job_result *r)
{
	struct edna_job_result *old = NULL;

	spin_lock(&efile->results_lock);
	list_add_tail(&r->done_link, &efile->done);
	if (++efile->done_count > EDNA_WAIT_KEPT_RESULTS) {
		old = list_first_entry(&efile->done, struct edna_job_result, done_link);
		list_del(&old->done_link);
		/* Jobs end out of order: the first done may be the newest. */
		if (efile->results_last == &old->node)
			efile->results_last = rb_prev(&old->node);
		rb_erase(&old->node, &efile->results);
		efile->done_count--;
	}
	spin_unlock(&efile->results_lock);
	if (old)
		edna_job_result_put(old);
}

static void edna_job_free(struct drm_sched_job *sched_job)
{
	struct edna_job *job = to_edna_job(sched_job);
	struct edna_file *efile = job->efile;
	struct edna_device *edev = efile->edev;
	bool counted = job->retire_counted;

	u32 i, jobs = 1 + job->rider_count;

	drm_sched_job_cleanup(sched_job);
	if (job->result) {
		edna_job_result_done(efile, job->result);
		edna_job_result_put(job->result);
		job->result = NULL;
	}
	for (i = 0; i < job->rider_count; i++) {
		edna_job_result_done(efile, job->riders[i].result);
		edna_job_result_put(job->riders[i].result);
		job->riders[i].result = NULL;
	}
	/* Drops the buffers: device memory is free for others after this. */
	edna_job_destroy(job);
	atomic_sub(jobs, &efile->in_flight);
	if (counted)
		edna_job_retired(edev);
	edna_file_put_async(efile);
}

const struct drm_sched_backend_ops edna_sched_ops = {
	.run_job = edna_job_run,
	.timedout_job = edna_job_timedout,
	.free_job = edna_job_free,
};

/**
 * edna_job_result_put() - drop a reference to a job's result
 * @r: the result
 */
void edna_job_result_put(struct edna_job_result *r)
{
	if (refcount_dec_and_test(&r->ref)) {
		dma_fence_put(r->finished);
		kfree(r);
	}
}

/**
 * edna_job_destroy() - free a job that is not (or no longer) the
 *	scheduler's, with what it holds
 * @job: the job; its drm_sched_job is cleaned up already
 */
void edna_job_destroy(struct edna_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		drm_gem_object_put(job->bos[i].obj);
	kvfree(job->bos);
	if (job->result)
		edna_job_result_put(job->result);
	for (i = 0; i < job->rider_count; i++)
		if (job->riders[i].result)
			edna_job_result_put(job->riders[i].result);
	kvfree(job->riders);
	dma_fence_put(job->hw_fence);
	if (job->pm_ref)
		edna_pm_put(job->efile->edev);
	kfree(job);
}

static void edna_job_publish_bos(struct edna_job *job)
{
	static const enum dma_resv_usage usage[] = {
		[EDNA_BO_READ] = DMA_RESV_USAGE_READ,
		[EDNA_BO_WRITE] = DMA_RESV_USAGE_WRITE,
		[EDNA_BO_NO_SYNC] = DMA_RESV_USAGE_BOOKKEEP,
	};
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i].obj->resv, &job->base.s_fence->finished,
				   usage[job->bos[i].flags]);
}

/* Before the job is pushed: its edna_job_start cannot come first. */
static void edna_job_trace_submit(const struct edna_job *job)
{
	u32 minor = job->jq->edev->drm.accel->index, i;

	if (!trace_edna_job_submit_enabled())
		return;
	trace_edna_job_submit(minor, job->jq->queue, job->efile->client_id, job->seqno);
	for (i = 0; i < job->rider_count; i++)
		trace_edna_job_submit(minor, job->jq->queue, job->efile->client_id,
				      le64_to_cpu(job->riders[i].job_seqno));
}

/* Under results_lock: number the job and make its result findable. */
static void edna_job_publish_result(struct edna_job *job)
{
	struct edna_file *efile = job->efile;
	struct edna_job_result *r = job->result;
	struct rb_node *last = efile->results_last;

	u32 i;

	job->seqno = atomic64_inc_return(&efile->edev->job_seqno);
	job->desc.job_seqno = cpu_to_le64(job->seqno);
	if (!r)
		return;
	for (i = 0; ; i++) {
		if (i) {
			/* Riders are numbered right after the job they ride on. */
			r = job->riders[i - 1].result;
			r->seqno = atomic64_inc_return(&efile->edev->job_seqno);
			job->riders[i - 1].job_seqno = cpu_to_le64(r->seqno);
		} else {
			r->seqno = job->seqno;
		}
		r->rec.seqno = r->seqno;
		r->finished = dma_fence_get(&job->base.s_fence->finished);
		/* Sequence numbers grow: the new one goes right of the last. */
		refcount_inc(&r->ref);
		rb_link_node(&r->node, last, last ? &last->rb_right : &efile->results.rb_node);
		rb_insert_color(&r->node, &efile->results);
		efile->results_last = &r->node;
		last = &r->node;
		if (i == job->rider_count)
			break;
	}
}

/**
 * edna_jobs_publish() - make armed jobs visible: to their buffers, their
 *	client's address space, their waiters
 * @jobs: armed jobs of one client, in submission order, under its
 *	push_lock, their buffers' reservations locked with a fence slot
 *	reserved for each use
 * @count: entries in @jobs
 *
 * Cannot fail: everything was allocated before the jobs were armed.  The
 * locks are taken once for the lot: this is the per-job cost of SUBMIT.
 */
void edna_jobs_publish(struct edna_job *const *jobs, u32 count)
{
	struct dma_fence *last[EDNA_MAX_QUEUES][EDNA_PRIORITY_COUNT] = {};
	struct edna_file *efile = jobs[0]->efile;
	u32 i, q, p;

	for (i = 0; i < count; i++) {
		edna_job_publish_bos(jobs[i]);
		last[jobs[i]->jq->queue][jobs[i]->prio] = &jobs[i]->base.s_fence->finished;
	}

	/* A sequence number and its result become visible together. */
	spin_lock(&efile->results_lock);
	for (i = 0; i < count; i++)
		edna_job_publish_result(jobs[i]);
	spin_unlock(&efile->results_lock);
	for (i = 0; i < count; i++)
		edna_job_trace_submit(jobs[i]);

	/*
	 * Every job can reach every mapping: releases wait for the last job
	 * of each entity, which ends after the others of that entity.
	 */
	spin_lock(&efile->fence_lock);
	for (q = 0; q < EDNA_MAX_QUEUES; q++) {
		for (p = 0; p < EDNA_PRIORITY_COUNT; p++) {
			if (!last[q][p])
				continue;
			swap(efile->last_fence[q][p], last[q][p]);
			dma_fence_get(efile->last_fence[q][p]);
		}
	}
	spin_unlock(&efile->fence_lock);
	for (q = 0; q < EDNA_MAX_QUEUES; q++)
		for (p = 0; p < EDNA_PRIORITY_COUNT; p++)
			dma_fence_put(last[q][p]);

	/* Each job holds its client, dropped by its free_job. */
	refcount_add(count, &efile->ref.refcount);
}

/**
 * edna_file_busy_fence() - a fence for every job a client pushed so far
 * @efile: the client
 *
 * Return: NULL when none of them is running, else a fence that signals
 * when they all ended, referenced.
 */
struct dma_fence *edna_file_busy_fence(struct edna_file *efile)
{
	struct dma_fence **fences, *fence;
	struct dma_fence_array *array;
	int q, p, n = 0;

	fences = kmalloc_array(EDNA_MAX_QUEUES * EDNA_PRIORITY_COUNT, sizeof(*fences),
			       GFP_KERNEL);
	spin_lock(&efile->fence_lock);
	for (q = 0; q < EDNA_MAX_QUEUES; q++) {
		for (p = 0; p < EDNA_PRIORITY_COUNT; p++) {
			fence = efile->last_fence[q][p];
			if (!fence || dma_fence_is_signaled(fence))
				continue;
			/* Out of memory: one fence at a time, below. */
			if (!fences) {
				dma_fence_get(fence);
				spin_unlock(&efile->fence_lock);
				dma_fence_wait(fence, false);
				dma_fence_put(fence);
				spin_lock(&efile->fence_lock);
				continue;
			}
			fences[n++] = dma_fence_get(fence);
		}
	}
	spin_unlock(&efile->fence_lock);

	if (n <= 1) {
		fence = n ? fences[0] : NULL;
		kfree(fences);
		return fence;
	}
	array = dma_fence_array_create(n, fences, dma_fence_context_alloc(1), 1, false);
	if (array)
		return &array->base;
	/* The array owns the fences only once it exists. */
	while (n--) {
		dma_fence_wait(fences[n], false);
		dma_fence_put(fences[n]);
	}
	kfree(fences);
	return NULL;
}

static void edna_deferred_work(struct work_struct *work)
{
	struct edna_deferred *d = container_of(work, struct edna_deferred, work);
	struct edna_device *edev = d->edev;
	struct dma_fence *fence = d->fence;

	/* May free @d. */
	d->release(d);
	dma_fence_put(fence);
	edna_job_retired(edev);
	drm_dev_put(&edev->drm);
}

static void edna_deferred_cb(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct edna_deferred *d = container_of(cb, struct edna_deferred, cb);

	atomic_inc(&d->edev->retiring);
	queue_work(edna_wq, &d->work);
}

/**
 * edna_job_defer() - release memory once the device is done with it
 * @edev: the device
 * @fence: what to wait for, a reference the call takes over; NULL when
 *	there is nothing to wait for
 * @d: the deferral, embedded in the object to release
 * @release: called once @fence signalled, at once if it has already
 *
 * Nobody waits: not the caller, not a process being killed.
 */
void edna_job_defer(struct edna_device *edev, struct dma_fence *fence,
		    struct edna_deferred *d, edna_release_fn release)
{
	d->edev = edev;
	d->fence = fence;
	d->release = release;
	if (!fence) {
		release(d);
		return;
	}
	INIT_WORK(&d->work, edna_deferred_work);
	drm_dev_get(&edev->drm);
	if (dma_fence_add_callback(fence, &d->cb, edna_deferred_cb)) {
		/* Signalled already. */
		drm_dev_put(&edev->drm);
		release(d);
		dma_fence_put(fence);
	}
}

/**
 * edna_job_retire_seq() - how many releases have completed, for
 *	edna_job_wait_retiring()
 * @edev: the device
 *
 * Return: a count to take before trying an allocation.
 */
int edna_job_retire_seq(struct edna_device *edev)
{
	return atomic_read(&edev->retire_seq);
}

/**
 * edna_job_wait_retiring() - wait for memory on its way to being freed
 * @edev: the device
 * @seq: edna_job_retire_seq() from before the allocation that failed
 * @deadline: jiffies to give up at
 *
 * For an allocation that found no room: buffers closed just before may
 * still be held by jobs that have ended and by releases that are running.
 *
 * Return: true when a release completed since @seq, so that the
 * allocation is worth trying again; false when none is under way, at the
 * deadline, or on a signal.
 */
bool edna_job_wait_retiring(struct edna_device *edev, int seq, unsigned long deadline)
{
	long left = (long)(deadline - jiffies);

	if (atomic_read(&edev->retire_seq) != seq)
		return true;
	if (!atomic_read(&edev->retiring) || left <= 0)
		return false;
	return wait_event_interruptible_timeout(edev->retire_wq,
						atomic_read(&edev->retire_seq) != seq, left) > 0;
}

/* Jiffies until an absolute CLOCK_MONOTONIC deadline; 0 once it passed. */
static long edna_deadline_jiffies(s64 deadline_ns)
{
	s64 now = ktime_get_ns();

	/* Compared first: the difference from a far past deadline overflows. */
	if (deadline_ns <= now)
		return 0;
	return min_t(u64, nsecs_to_jiffies64(deadline_ns - now) + 1, MAX_SCHEDULE_TIMEOUT);
}

/* Wait for every job using a buffer; report the error of a failed one. */
static int edna_wait_bo(struct drm_file *file, struct drm_edna_wait *args)
{
	struct drm_gem_object *obj;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	long ret;

	if (args->result || args->result_size || args->seqno > U32_MAX)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->seqno);
	if (!obj)
		return -ENOENT;
	/* Jiffies may lag the clock: a wait can end early, so wait again. */
	do {
		ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
					    edna_deadline_jiffies(args->deadline_ns));
	} while (!ret && (s64)ktime_get_ns() < args->deadline_ns &&
		 !dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP));
	if (ret > 0 || (!ret && dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))) {
		/* Locked: the unlocked walk skips signalled fences, and errors with them. */
		ret = dma_resv_lock_interruptible(obj->resv, NULL);
		if (!ret) {
			args->status = 0;
			dma_resv_for_each_fence(&cursor, obj->resv, DMA_RESV_USAGE_BOOKKEEP, fence)
				if (fence->error)
					args->status = fence->error;
			dma_resv_unlock(obj->resv);
		}
	} else if (!ret) {
		ret = -ETIME;
	}
	drm_gem_object_put(obj);
	return ret;
}

static struct edna_job_result *edna_job_result_find(struct edna_file *efile, u64 seqno)
{
	struct rb_node *node = efile->results.rb_node;

	while (node) {
		struct edna_job_result *r = rb_entry(node, struct edna_job_result, node);

		if (seqno < r->seqno)
			node = node->rb_left;
		else if (seqno > r->seqno)
			node = node->rb_right;
		else
			return r;
	}
	return NULL;
}

int edna_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct edna_file *efile = file->driver_priv;
	struct edna_device *edev = efile->edev;
	struct drm_edna_wait *args = data;
	struct edna_job_result *r;
	long ret;

	if ((args->flags & ~EDNA_WAIT_BO) || args->pad || !args->seqno) {
		edna_dbg(edev, JOB, "WAIT: bad flags, padding or sequence number\n");
		return -EINVAL;
	}
	if (args->flags & EDNA_WAIT_BO)
		return edna_wait_bo(file, args);

	spin_lock(&efile->results_lock);
	if (args->seqno > atomic64_read(&edev->job_seqno)) {
		r = ERR_PTR(-EINVAL);
	} else {
		r = edna_job_result_find(efile, args->seqno);
		if (r)
			refcount_inc(&r->ref);
		else
			r = ERR_PTR(-ENOENT);
	}
	spin_unlock(&efile->results_lock);
	if (IS_ERR(r))
		return PTR_ERR(r);

	/* Jiffies may lag the clock: a wait can end early, so wait again. */
	do {
		ret = dma_fence_wait_timeout(r->finished, true,
					     edna_deadline_jiffies(args->deadline_ns));
	} while (!ret && (s64)ktime_get_ns() < args->deadline_ns &&
		 !dma_fence_is_signaled(r->finished));
	if (ret > 0 || dma_fence_is_signaled(r->finished)) {
		u32 size = min_t(u32, args->result_size, sizeof(r->rec));

		args->status = r->has_error ? r->error : r->finished->error;
		args->result_size = sizeof(r->rec);
		ret = 0;
		if (args->result && copy_to_user(u64_to_user_ptr(args->result), &r->rec, size))
			ret = -EFAULT;
	} else if (!ret) {
		ret = -ETIME;
	}
	edna_job_result_put(r);
	return ret;
}

/**
 * edna_job_file_init() - job state of a new client
 * @efile: the client
 */
void edna_job_file_init(struct edna_file *efile)
{
	mutex_init(&efile->entity_lock);
	mutex_init(&efile->push_lock);
	spin_lock_init(&efile->fence_lock);
	spin_lock_init(&efile->results_lock);
	efile->results = RB_ROOT;
	INIT_LIST_HEAD(&efile->done);
}

/**
 * edna_job_file_close() - the client closed its file
 * @efile: the client
 *
 * Closing never waits for the device: jobs not yet on the device end with
 * -ESRCH as soon as their dependencies let them run (flushing them could
 * wait forever on a fence that never signals); jobs on the device finish
 * on their own and hold the client's address space until then.  The
 * jobs are not killed off their entities: every finished fence must get
 * a hardware fence as parent, which holds the module and the queue its
 * timeline name lives in.
 */
void edna_job_file_close(struct edna_file *efile)
{
	WRITE_ONCE(efile->closed, true);
}

/**
 * edna_job_file_fini() - the client and all its jobs are gone
 * @efile: the client
 */
void edna_job_file_fini(struct edna_file *efile)
{
	struct edna_job_result *r, *tmp;
	int q, p;

	/* No job is left: nothing to flush, nothing to kill. */
	for (q = 0; q < EDNA_MAX_QUEUES; q++) {
		for (p = 0; p < EDNA_PRIORITY_COUNT; p++) {
			if (!efile->entities[q][p])
				continue;
			drm_sched_entity_destroy(efile->entities[q][p]);
			kfree(efile->entities[q][p]);
		}
	}

	/* Nobody can wait any more; every result is on the done list. */
	list_for_each_entry_safe(r, tmp, &efile->done, done_link)
		edna_job_result_put(r);
	for (q = 0; q < EDNA_MAX_QUEUES; q++)
		for (p = 0; p < EDNA_PRIORITY_COUNT; p++)
			dma_fence_put(efile->last_fence[q][p]);
	mutex_destroy(&efile->push_lock);
	mutex_destroy(&efile->entity_lock);
}

/* drm-usage-stats: busy time of each queue, the queues being the engines. */
void edna_job_show_fdinfo(struct drm_printer *p, struct edna_file *efile)
{
	u32 q;

	for (q = 0; q < efile->edev->caps.num_queues; q++)
		drm_printf(p, "drm-engine-queue%u:\t%llu ns\n", q,
			   atomic64_read(&efile->busy_ns[q]));
}

/**
 * struct edna_reset_request - an operator's reset, run on the recovery
 *	workqueue
 * @work: on edev->recovery_wq
 * @edev: the device
 * @ret: the outcome
 */
struct edna_reset_request {
	struct work_struct work;
	struct edna_device *edev;
	int ret;
};

static void edna_job_reset_work(struct work_struct *work)
{
	struct edna_reset_request *req = container_of(work, struct edna_reset_request, work);
	struct edna_device *edev = req->edev;

	mutex_lock(&edev->recovery_lock);
	if (edev->paused)
		req->ret = -EBUSY;
	else
		req->ret = edna_job_reset_all(edev, NULL, EDNA_JOB_CANCELED);
	mutex_unlock(&edev->recovery_lock);
}

/**
 * edna_job_reset_device() - the operator's reset of a stuck or wedged
 *	device
 * @edev: the device
 *
 * Jobs on the device fail with -ECANCELED; jobs still queued run after.
 *
 * Return: 0, -EBUSY while the diagnostics run, or the error of a device
 * that did not come back (it is then wedged).
 */
int edna_job_reset_device(struct edna_device *edev)
{
	struct edna_reset_request req = { .edev = edev };

	INIT_WORK_ONSTACK(&req.work, edna_job_reset_work);
	queue_work(edev->recovery_wq, &req.work);
	flush_work(&req.work);
	destroy_work_on_stack(&req.work);
	edna_warn(edev, "reset by the operator%s\n",
		  req.ret == -EBUSY ? " refused: diagnostics running" :
		  req.ret ? ", device did not come back" : "");
	return req.ret;
}

static void edna_job_sched_fini(struct drm_device *drm, void *arg)
{
	struct edna_job_queue *jq = arg;

	drm_sched_fini(&jq->sched);
	edna_job_queue_put(jq);
}

static void edna_job_recovery_wq_fini(struct drm_device *drm, void *arg)
{
	destroy_workqueue(arg);
}

/**
 * edna_job_init() - one scheduler per hardware queue
 * @edev: the device, its rings set up
 *
 * Return: 0 or a negative errno.
 */
int edna_job_init(struct edna_device *edev)
{
	unsigned int timeout_ms = edna_job_timeout_ms;
	int minor = edev->drm.accel->index;
	u32 q;
	int ret;

	if (timeout_ms < EDNA_JOB_TIMEOUT_MIN_MS || timeout_ms > EDNA_JOB_TIMEOUT_MAX_MS) {
		edna_warn(edev, "job_timeout_ms=%u out of [%u, %u], using 10000\n", timeout_ms,
			  EDNA_JOB_TIMEOUT_MIN_MS, EDNA_JOB_TIMEOUT_MAX_MS);
		timeout_ms = 10000;
	}
	ret = drmm_mutex_init(&edev->drm, &edev->recovery_lock);
	if (ret)
		return ret;
	atomic64_set(&edev->job_seqno, 0);
	atomic_set(&edev->retiring, 0);
	atomic_set(&edev->retire_seq, 0);
	init_waitqueue_head(&edev->retire_wq);
	edev->recovery_wq = alloc_ordered_workqueue("edna%d-recovery", 0, minor);
	if (!edev->recovery_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&edev->drm, edna_job_recovery_wq_fini, edev->recovery_wq);
	if (ret)
		return ret;
	edev->queues = drmm_kcalloc(&edev->drm, edev->caps.num_queues, sizeof(*edev->queues),
				    GFP_KERNEL);
	if (!edev->queues)
		return -ENOMEM;
	for (q = 0; q < edev->caps.num_queues; q++) {
		struct edna_job_queue *jq = kzalloc(sizeof(*jq), GFP_KERNEL);
		struct drm_sched_init_args args = {
			.ops = &edna_sched_ops,
			.num_rqs = DRM_SCHED_PRIORITY_COUNT,
			/* One credit per ring slot: the ring can never overflow. */
			.credit_limit = edna_hw_ring_entries(edev, q),
			.timeout = msecs_to_jiffies(timeout_ms),
			.timeout_wq = edev->recovery_wq,
			.dev = edev->drm.dev,
		};

		if (!jq)
			return -ENOMEM;
		kref_init(&jq->ref);
		jq->edev = edev;
		jq->queue = q;
		snprintf(jq->name, sizeof(jq->name), "edna%d-q%u", minor, q);
		args.name = jq->name;
		spin_lock_init(&jq->busy_lock);
		jq->fence_context = dma_fence_context_alloc(1);
		ret = drm_sched_init(&jq->sched, &args);
		if (ret) {
			kfree(jq);
			return ret;
		}
		edev->queues[q] = jq;
		ret = drmm_add_action_or_reset(&edev->drm, edna_job_sched_fini, jq);
		if (ret)
			return ret;
	}
	/* Pairs with edna_hw_read_dev_error(): it may queue recovery from now on. */
	smp_store_release(&edev->recovery_ready, true);
	return 0;
}

/**
 * edna_job_fini() - retire the jobs of a device that is going away
 * @edev: the device, unplugged and quiesced by edna_hw_fini(), which
 *	completed everything on its rings
 *
 * The schedulers keep running until the DRM device is released: jobs still
 * queued by open files complete at once with -ENODEV (edna_job_run()), so
 * nobody waits forever on a device that is gone.  Here we only wait for the
 * jobs the reset aborted to be retired, so that their address spaces are
 * released while the device's memory is still there.
 */
void edna_job_fini(struct edna_device *edev)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(EDNA_JOB_DRAIN_MS);
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++) {
		struct drm_gpu_scheduler *sched = &edev->queues[q]->sched;
		bool empty;

		for (;;) {
			spin_lock(&sched->job_list_lock);
			empty = list_empty(&sched->pending_list);
			spin_unlock(&sched->job_list_lock);
			if (empty || time_after(jiffies, timeout))
				break;
			usleep_range(5000, 10000);
		}
		if (!empty)
			edna_warn(edev, "queue %u: jobs still pending at removal\n", q);
	}
}

/**
 * edna_job_shutdown() - stop feeding the device, for a system shutdown
 * @edev: the device
 */
void edna_job_shutdown(struct edna_device *edev)
{
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++)
		drm_sched_wqueue_stop(&edev->queues[q]->sched);
}

/**
 * edna_job_set_timeout() - change the progress timeout of every queue
 * @edev: the device
 * @ms: milliseconds, applies to timers armed from now on
 */
void edna_job_set_timeout(struct edna_device *edev, unsigned int ms)
{
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++)
		WRITE_ONCE(edev->queues[q]->sched.timeout, msecs_to_jiffies(ms));
}

/**
 * edna_job_pause() - keep jobs off the rings, for the diagnostics
 * @edev: the device
 *
 * Waits for the rings to drain.  Recovery leaves the device alone until
 * edna_job_resume(); always pair them.  Nothing is held meanwhile, so the
 * diagnostics may allocate.  The schedulers stop outside recovery_lock:
 * stopping waits for their run_job work, a fence-signalling section,
 * which must never wait for that lock's holder.
 *
 * Return: 0, or -EBUSY if jobs stay on the rings.
 */
int edna_job_pause(struct edna_device *edev)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(EDNA_JOB_DRAIN_MS);
	u32 q;

	scoped_guard(mutex, &edev->recovery_lock)
		edev->paused = true;
	for (q = 0; q < edev->caps.num_queues; q++)
		drm_sched_wqueue_stop(&edev->queues[q]->sched);
	for (q = 0; q < edev->caps.num_queues; q++) {
		while (!edna_hw_ring_idle(edev, q)) {
			if (time_after(jiffies, timeout))
				return -EBUSY;
			usleep_range(5000, 10000);
		}
	}
	return 0;
}

void edna_job_resume(struct edna_device *edev)
{
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++)
		drm_sched_wqueue_start(&edev->queues[q]->sched);
	guard(mutex)(&edev->recovery_lock);
	edev->paused = false;
}
