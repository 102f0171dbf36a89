// SPDX-License-Identifier: GPL-2.0
/*
 * edna jobs: submission, scheduling (one drm_sched per hardware queue),
 * hardware fences, waiting, timeouts with a progress check, recovery and
 * per-client utilisation.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/dma-fence.h>
#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_mmu.h"

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

/**
 * struct edna_hw_fence - signalled when the device completes a descriptor
 * @base: the fence
 * @lock: its lock; its own, so that the fence may outlive the device
 * @job: the job it was submitted for
 */
struct edna_hw_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's own */
	struct edna_job *job;
};

/**
 * struct edna_job - one submitted job
 * @base: the scheduler's job
 * @jq: its queue
 * @efile: its client; holds a reference
 * @id: its id in @efile
 * @desc: the descriptor written to the ring
 * @bos: buffers it uses, referenced until it is freed
 * @bo_count: entries in @bos
 * @hw_fence: the hardware fence of the last run, referenced
 * @spare_fence: preallocated hardware fence for the first run
 * @guilty_error: when set, recovery decided the job fails with this error
 *	rather than running again
 * @submit_ns: when it was written to the ring
 */
struct edna_job {
	struct drm_sched_job base;
	struct edna_job_queue *jq;
	struct edna_file *efile;
	u64 id;
	struct edna_hw_desc desc;
	struct drm_gem_object **bos;
	u32 bo_count;
	struct dma_fence *hw_fence;
	struct edna_hw_fence *spare_fence;
	int guilty_error;
	u64 submit_ns;
};

static struct edna_job *to_edna_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct edna_job, base);
}

static const char *edna_fence_driver_name(struct dma_fence *fence)
{
	return EDNA_DRIVER_NAME;
}

static const char *edna_fence_timeline_name(struct dma_fence *fence)
{
	return "edna-queue";
}

static const struct dma_fence_ops edna_fence_ops = {
	.get_driver_name = edna_fence_driver_name,
	.get_timeline_name = edna_fence_timeline_name,
};

static int edna_job_status_errno(u32 status)
{
	switch (status) {
	case EDNA_JOB_OK:
		return 0;
	case EDNA_JOB_MMU_FAULT:
		return -EFAULT;
	case EDNA_JOB_BAD_DESC:
	case EDNA_JOB_BAD_GRAPH:
		return -EINVAL;
	case EDNA_JOB_ABORTED:
		return -ECANCELED;
	default:
		return -EIO;
	}
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
static void edna_job_account(struct edna_job *job)
{
	struct edna_job_queue *jq = job->jq;
	u64 now = ktime_get_ns(), start;

	spin_lock(&jq->busy_lock);
	start = max(job->submit_ns, jq->last_done_ns);
	jq->last_done_ns = now;
	spin_unlock(&jq->busy_lock);
	atomic64_add(now - start, &jq->busy_ns);
	atomic64_add(now - start, &job->efile->busy_ns[jq->queue]);
}

/* edna_hw_done_fn: interrupt context, ring lock held. */
static void edna_job_hw_done(void *data, u32 status)
{
	struct edna_hw_fence *hf = data;
	int err = edna_job_status_errno(status);

	if (status != EDNA_JOB_ABORTED) {
		atomic64_inc(&hf->job->jq->jobs_done);
		edna_job_account(hf->job);
		if (err)
			edna_file_count_fault(hf->job->efile);
	}
	if (err)
		dma_fence_set_error(&hf->base, err);
	dma_fence_signal(&hf->base);
	/* The ring slot's reference. */
	dma_fence_put(&hf->base);
}

static struct edna_hw_fence *edna_hw_fence_alloc(gfp_t gfp)
{
	return kzalloc(sizeof(struct edna_hw_fence), gfp);
}

static struct dma_fence *edna_job_run(struct drm_sched_job *sched_job)
{
	struct edna_job *job = to_edna_job(sched_job);
	struct edna_job_queue *jq = job->jq;
	struct edna_hw_fence *hf;
	int ret, idx;

	/*
	 * Run again by recovery: a job the device finished before the reset
	 * keeps its result; only an abandoned one (-ECANCELED) runs again.
	 */
	if (job->hw_fence && dma_fence_is_signaled(job->hw_fence) &&
	    job->hw_fence->error != -ECANCELED)
		return dma_fence_get(job->hw_fence);

	/* A rerun after recovery must not allocate with reclaim: fences wait on us. */
	hf = job->spare_fence ?: edna_hw_fence_alloc(GFP_NOWAIT);
	job->spare_fence = NULL;
	if (!hf)
		return ERR_PTR(-ENOMEM);
	hf->job = job;
	spin_lock_init(&hf->lock);
	dma_fence_init(&hf->base, &edna_fence_ops, &hf->lock, jq->fence_context,
		       atomic64_inc_return(&jq->fence_seqno));

	dma_fence_put(job->hw_fence);
	job->hw_fence = dma_fence_get(&hf->base);

	ret = job->guilty_error ?: sched_job->s_fence->finished.error;
	if (!ret && !drm_dev_enter(&jq->edev->drm, &idx)) {
		ret = -ENODEV;
	} else if (!ret) {
		job->submit_ns = ktime_get_ns();
		dma_fence_get(&hf->base);
		ret = edna_hw_submit(jq->edev, jq->queue, &job->desc, edna_job_hw_done, hf);
		if (ret)
			dma_fence_put(&hf->base);
		drm_dev_exit(idx);
	}
	if (ret) {
		/* Completes at once with the error, which then reaches the job. */
		dma_fence_set_error(&hf->base, ret);
		dma_fence_signal(&hf->base);
	}
	return &hf->base;
}

/* Give the job back to the scheduler: it is still running. */
static enum drm_gpu_sched_stat edna_job_still_running(struct drm_sched_job *sched_job)
{
	struct drm_gpu_scheduler *sched = sched_job->sched;

	spin_lock(&sched->job_list_lock);
	list_add(&sched_job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/*
 * The queue's own reset failed: reset the device, which abandons the jobs of
 * every queue, and run the innocent ones again.  Called with @stopped's
 * scheduler stopped and recovery_lock held.
 */
static void edna_job_recover_device(struct edna_device *edev, struct drm_gpu_scheduler *stopped)
{
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++)
		if (&edev->queues[q].sched != stopped)
			drm_sched_stop(&edev->queues[q].sched, NULL);
	edna_hw_reset(edev);
	for (q = 0; q < edev->caps.num_queues; q++) {
		if (&edev->queues[q].sched == stopped)
			continue;
		drm_sched_resubmit_jobs(&edev->queues[q].sched);
		drm_sched_start(&edev->queues[q].sched);
	}
}

static enum drm_gpu_sched_stat edna_job_timedout(struct drm_sched_job *sched_job)
{
	struct edna_job *job = to_edna_job(sched_job);
	struct edna_job_queue *jq = job->jq;
	struct edna_device *edev = jq->edev;
	enum drm_gpu_sched_stat stat;
	u32 progress;
	int idx;

	/* Removal aborts every job on the device; nothing to recover. */
	if (!drm_dev_enter(&edev->drm, &idx)) {
		edna_job_still_running(sched_job);
		return DRM_GPU_SCHED_STAT_ENODEV;
	}
	if (job->hw_fence && dma_fence_is_signaled(job->hw_fence)) {
		stat = edna_job_still_running(sched_job);
		goto out;
	}

	/*
	 * Long decoder jobs are legitimate: a queue whose progress counter
	 * moved since the last check is working, not hung.
	 */
	progress = edna_hw_queue_progress(edev, jq->queue);
	if (progress != jq->last_progress) {
		jq->last_progress = progress;
		stat = edna_job_still_running(sched_job);
		goto out;
	}

	/* An operator reset may be under way; it serialises with us here. */
	mutex_lock(&edev->recovery_lock);
	if (dma_fence_is_signaled(job->hw_fence)) {
		mutex_unlock(&edev->recovery_lock);
		stat = edna_job_still_running(sched_job);
		goto out;
	}

	edna_warn(edev, "queue %u: job %llu of client %llu made no progress for %u ms, resetting the queue\n",
		  jq->queue, job->id, job->efile->client_id,
		  jiffies_to_msecs(jq->sched.timeout));
	drm_sched_stop(&jq->sched, sched_job);
	job->guilty_error = -ETIMEDOUT;
	edna_file_count_fault(job->efile);
	if (edna_hw_queue_reset(edev, jq->queue))
		edna_job_recover_device(edev, &jq->sched);
	/* Innocent jobs that were on the ring run again; the guilty one fails. */
	drm_sched_resubmit_jobs(&jq->sched);
	drm_sched_start(&jq->sched);
	mutex_unlock(&edev->recovery_lock);
	stat = DRM_GPU_SCHED_STAT_NOMINAL;
out:
	drm_dev_exit(idx);
	return stat;
}

static void edna_job_free(struct drm_sched_job *sched_job)
{
	struct edna_job *job = to_edna_job(sched_job);
	struct edna_file *efile = job->efile;
	u32 i;

	/* A success needs no report: forget it. Failures wait for WAIT. */
	if (job->id && !sched_job->s_fence->finished.error)
		dma_fence_put(xa_erase(&efile->jobs, job->id));

	drm_sched_job_cleanup(sched_job);
	for (i = 0; i < job->bo_count; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	dma_fence_put(job->hw_fence);
	kfree(job->spare_fence);
	kfree(job);
	edna_file_put(efile);
}

static const struct drm_sched_backend_ops edna_sched_ops = {
	.run_job = edna_job_run,
	.timedout_job = edna_job_timedout,
	.free_job = edna_job_free,
};

static const enum drm_sched_priority edna_sched_prio[EDNA_PRIORITY_COUNT] = {
	[EDNA_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[EDNA_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[EDNA_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

/* The client's entity for a queue and priority, made on first use. */
static struct drm_sched_entity *edna_file_entity(struct edna_file *efile, u32 queue, u32 prio)
{
	struct drm_sched_entity **slot = &efile->entities[queue][prio];
	struct drm_gpu_scheduler *sched = &efile->edev->queues[queue].sched;
	struct drm_sched_entity *entity;
	int ret;

	guard(mutex)(&efile->entity_lock);
	if (*slot)
		return *slot;
	entity = kzalloc(sizeof(*entity), GFP_KERNEL);
	if (!entity)
		return ERR_PTR(-ENOMEM);
	ret = drm_sched_entity_init(entity, edna_sched_prio[prio], &sched, 1, NULL);
	if (ret) {
		kfree(entity);
		return ERR_PTR(ret);
	}
	*slot = entity;
	return entity;
}

static int edna_submit_check(struct edna_device *edev, const struct drm_edna_submit *args)
{
	u64 limit = BIT_ULL(EDNA_VA_BITS);

	if (args->flags || args->reserved || args->queue >= edev->caps.num_queues ||
	    args->priority >= EDNA_PRIORITY_COUNT || args->bo_count > EDNA_SUBMIT_MAX_BOS ||
	    args->in_syncobj_count > EDNA_SUBMIT_MAX_SYNCOBJS)
		return -EINVAL;

	switch (args->op) {
	case EDNA_JOB_NOP:
		return args->src || args->dst || args->size || args->pattern ? -EINVAL : 0;
	case EDNA_JOB_FILL:
		if (args->src || !IS_ALIGNED(args->size, 4))
			return -EINVAL;
		break;
	case EDNA_JOB_COPY:
		if (args->pattern || args->src >= limit || args->size > limit - args->src)
			return -EINVAL;
		break;
	case EDNA_JOB_GRAPH:
		/* The graph format comes with the graph executor. */
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
	if (args->size > EDNA_SUBMIT_MAX_SIZE || args->dst >= limit ||
	    args->size > limit - args->dst)
		return -EINVAL;
	return 0;
}

static int edna_job_add_syncobjs(struct edna_job *job, struct drm_file *file,
				 const struct drm_edna_submit *args)
{
	u32 *handles __free(kfree) = NULL;
	u32 i;
	int ret;

	if (!args->in_syncobj_count)
		return 0;
	handles = memdup_array_user(u64_to_user_ptr(args->in_syncobjs), args->in_syncobj_count,
				    sizeof(*handles));
	if (IS_ERR(handles)) {
		ret = PTR_ERR(handles);
		handles = NULL;
		return ret;
	}
	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file, handles[i], 0);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Under the buffers' reservation locks: make the job wait for earlier users
 * of its buffers and reserve a slot for its own fence.
 */
static int edna_job_lock_bos(struct edna_job *job, struct ww_acquire_ctx *ctx)
{
	u32 i;
	int ret;

	if (!job->bo_count)
		return 0;
	ret = drm_gem_lock_reservations(job->bos, job->bo_count, ctx);
	if (ret)
		return ret;
	for (i = 0; i < job->bo_count; i++) {
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (!ret)
			ret = drm_sched_job_add_implicit_dependencies(&job->base, job->bos[i],
								      true);
		if (ret) {
			drm_gem_unlock_reservations(job->bos, job->bo_count, ctx);
			return ret;
		}
	}
	return 0;
}

static void edna_job_build_desc(struct edna_job *job, const struct drm_edna_submit *args)
{
	static const u32 hw_op[] = {
		[EDNA_JOB_NOP] = EDNA_OP_NOP,
		[EDNA_JOB_FILL] = EDNA_OP_FILL,
		[EDNA_JOB_COPY] = EDNA_OP_COPY,
		[EDNA_JOB_GRAPH] = EDNA_OP_GRAPH,
	};

	job->desc.op = cpu_to_le32(hw_op[args->op]);
	job->desc.ctx = cpu_to_le32(edna_mmu_ctx_id(job->efile->ctx));
	job->desc.src = cpu_to_le64(args->src);
	job->desc.dst = cpu_to_le64(args->dst);
	job->desc.size = cpu_to_le64(args->size);
	job->desc.pattern = cpu_to_le32(args->pattern);
}

/* A job of @efile on @queue, initialised for the scheduler but not armed. */
static struct edna_job *edna_job_new(struct edna_file *efile, u32 queue, u32 prio)
{
	struct drm_sched_entity *entity;
	struct edna_job *job;
	int ret;

	entity = edna_file_entity(efile, queue, prio);
	if (IS_ERR(entity))
		return ERR_CAST(entity);
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->spare_fence = edna_hw_fence_alloc(GFP_KERNEL);
	if (!job->spare_fence) {
		kfree(job);
		return ERR_PTR(-ENOMEM);
	}
	job->jq = &efile->edev->queues[queue];
	job->efile = efile;
	job->desc.ctx = cpu_to_le32(edna_mmu_ctx_id(efile->ctx));
	ret = drm_sched_job_init(&job->base, entity, 1, efile, efile->client_id);
	if (ret) {
		kfree(job->spare_fence);
		kfree(job);
		return ERR_PTR(ret);
	}
	return job;
}

/* Undo edna_job_new() and whatever was attached, before the job is armed. */
static void edna_job_discard(struct edna_job *job)
{
	drm_sched_job_cleanup(&job->base);
	while (job->bo_count--)
		drm_gem_object_put(job->bos[job->bo_count]);
	kvfree(job->bos);
	kfree(job->spare_fence);
	kfree(job);
}

/*
 * Arm, publish to the file's job ids and to the buffers, hand to the
 * scheduler; cannot fail.  Arm and push must not interleave between jobs
 * of one entity, and the buffers' fences must be those of jobs in push
 * order: the file's push_lock covers all of it.  A job armed but not yet
 * pushed is a valid dependency, so the buffers may be unlocked first.
 */
static struct dma_fence *edna_job_push(struct edna_job *job, struct ww_acquire_ctx *acquire)
{
	struct edna_file *efile = job->efile;
	struct dma_fence *finished;

	mutex_lock(&efile->push_lock);
	drm_sched_job_arm(&job->base);
	finished = dma_fence_get(&job->base.s_fence->finished);
	/* Replaces the reserved entry: no allocation. */
	if (job->id)
		xa_store(&efile->jobs, job->id, dma_fence_get(finished), GFP_NOWAIT);
	kref_get(&efile->ref);
	if (job->bo_count) {
		u32 i;

		for (i = 0; i < job->bo_count; i++)
			dma_resv_add_fence(job->bos[i]->resv, finished, DMA_RESV_USAGE_WRITE);
		drm_gem_unlock_reservations(job->bos, job->bo_count, acquire);
	}
	/* From here the job may run and be freed at any moment: hands off. */
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&efile->push_lock);
	return finished;
}

int edna_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct edna_device *edev = to_edna_device(drm);
	struct edna_file *efile = file->driver_priv;
	struct drm_edna_submit *args = data;
	struct drm_syncobj *out = NULL;
	struct ww_acquire_ctx acquire;
	struct dma_fence *finished;
	struct edna_job *job;
	int ret, idx;
	u32 id;

	ret = edna_submit_check(edev, args);
	if (ret) {
		edna_dbg(edev, JOB, "SUBMIT: bad arguments (%d)\n", ret);
		return ret;
	}
	if (READ_ONCE(efile->banned))
		return -ECANCELED;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	job = edna_job_new(efile, args->queue, args->priority);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out_exit;
	}
	edna_job_build_desc(job, args);
	if (args->bo_count) {
		ret = drm_gem_objects_lookup(file, u64_to_user_ptr(args->bo_handles),
					     args->bo_count, &job->bos);
		/* On failure the array holds the handles found so far; NULL after. */
		job->bo_count = job->bos ? args->bo_count : 0;
		if (ret)
			goto err_discard;
	}
	ret = edna_job_add_syncobjs(job, file, args);
	if (ret)
		goto err_discard;
	if (args->out_syncobj) {
		out = drm_syncobj_find(file, args->out_syncobj);
		if (!out) {
			ret = -ENOENT;
			goto err_discard;
		}
	}
	/* Reserve the id now: nothing may fail once the job is armed. */
	ret = xa_alloc_cyclic(&efile->jobs, &id, NULL, XA_LIMIT(1, U32_MAX),
			      &efile->next_job_id, GFP_KERNEL);
	if (ret < 0)
		goto err_discard;
	if (ret > 0)
		efile->job_ids_wrapped = true;
	ret = edna_job_lock_bos(job, &acquire);
	if (ret) {
		xa_erase(&efile->jobs, id);
		goto err_discard;
	}

	job->id = id;
	finished = edna_job_push(job, &acquire);
	if (out) {
		drm_syncobj_replace_fence(out, finished);
		drm_syncobj_put(out);
	}
	dma_fence_put(finished);
	args->job_id = id;
	edna_dbg(edev, JOB, "client %llu job %u on queue %u\n", efile->client_id, id, args->queue);
	drm_dev_exit(idx);
	return 0;

err_discard:
	if (out)
		drm_syncobj_put(out);
	edna_job_discard(job);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * edna_job_clear_bo() - zero a new device-memory buffer before anyone can
 *	reach it
 * @efile: the client creating it, whose queue 0 runs the clearing job
 * @obj: the buffer, not yet mapped in any client's address space
 * @region: its region, EDNA_REGION_DRAM or EDNA_REGION_SRAM
 * @offset: its offset in the region
 *
 * Device memory is recycled between clients and only the device can write
 * it, so a job in the kernel's context clears it first.
 *
 * Return: 0, or the error the clearing job failed with.
 */
int edna_job_clear_bo(struct edna_file *efile, struct drm_gem_object *obj, u32 region,
		      u64 offset)
{
	struct edna_device *edev = efile->edev;
	struct ww_acquire_ctx acquire;
	struct dma_fence *finished;
	struct drm_mm_node kva = {};
	struct edna_job *job;
	int ret, idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	ret = edna_mmu_kmap(edev, region, offset, obj->size, &kva);
	if (ret)
		goto out_exit;
	job = edna_job_new(efile, 0, EDNA_PRIORITY_HIGH);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out_kunmap;
	}
	job->desc.op = cpu_to_le32(EDNA_OP_FILL);
	job->desc.ctx = cpu_to_le32(EDNA_MMU_KERNEL_CTX);
	job->desc.dst = cpu_to_le64(kva.start);
	job->desc.size = cpu_to_le64(obj->size);
	job->bos = kvmalloc_array(1, sizeof(*job->bos), GFP_KERNEL);
	if (!job->bos) {
		edna_job_discard(job);
		ret = -ENOMEM;
		goto out_kunmap;
	}
	drm_gem_object_get(obj);
	job->bos[0] = obj;
	job->bo_count = 1;
	ret = edna_job_lock_bos(job, &acquire);
	if (ret) {
		edna_job_discard(job);
		goto out_kunmap;
	}
	finished = edna_job_push(job, &acquire);
	/* Not interruptible: the mapping must not go while the job runs. */
	dma_fence_wait(finished, false);
	ret = finished->error;
	dma_fence_put(finished);
out_kunmap:
	edna_mmu_kunmap(edev, &kva);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/* Wait for every job using a buffer; report the error of a failed one. */
static int edna_wait_bo(struct drm_file *file, struct drm_edna_wait *args)
{
	struct dma_resv_iter cursor;
	struct drm_gem_object *obj;
	struct dma_fence *fence;
	long ret;

	obj = drm_gem_object_lookup(file, args->job_id);
	if (!obj)
		return -ENOENT;
	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				    nsecs_to_jiffies(args->timeout_ns));
	if (ret > 0 || (!ret && dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP))) {
		args->status = 0;
		dma_resv_iter_begin(&cursor, obj->resv, DMA_RESV_USAGE_BOOKKEEP);
		dma_resv_for_each_fence_unlocked(&cursor, fence)
			if (fence->error)
				args->status = fence->error;
		dma_resv_iter_end(&cursor);
		ret = 0;
	} else if (!ret) {
		ret = -ETIME;
	}
	drm_gem_object_put(obj);
	return ret;
}

int edna_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct edna_file *efile = file->driver_priv;
	struct drm_edna_wait *args = data;
	struct dma_fence *fence;
	long timeout, ret;

	if ((args->flags & ~EDNA_WAIT_BO) || args->reserved || !args->job_id ||
	    args->job_id > U32_MAX || args->timeout_ns < 0)
		return -EINVAL;
	if (args->flags & EDNA_WAIT_BO)
		return edna_wait_bo(file, args);

	xa_lock(&efile->jobs);
	fence = xa_load(&efile->jobs, args->job_id);
	if (fence)
		dma_fence_get(fence);
	else if (args->job_id >= efile->next_job_id && !efile->job_ids_wrapped)
		fence = ERR_PTR(-EINVAL);
	xa_unlock(&efile->jobs);
	if (IS_ERR(fence))
		return PTR_ERR(fence);
	if (!fence) {
		/* Retired, and only successes retire unseen. */
		args->status = 0;
		return 0;
	}

	timeout = nsecs_to_jiffies(args->timeout_ns);
	ret = dma_fence_wait_timeout(fence, true, timeout);
	if (ret > 0 || dma_fence_is_signaled(fence)) {
		args->status = fence->error;
		/* A failure is reported once, then forgotten. */
		if (fence->error && xa_cmpxchg(&efile->jobs, args->job_id, fence, NULL, 0) == fence)
			dma_fence_put(fence);
		ret = 0;
	} else if (!ret) {
		ret = -ETIME;
	}
	dma_fence_put(fence);
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
	xa_init_flags(&efile->jobs, XA_FLAGS_ALLOC1);
	efile->next_job_id = 1;
}

/**
 * edna_job_file_fini() - the client closed its file
 * @efile: the client
 *
 * Jobs still queued are flushed to the device or, past the scheduler's
 * patience, killed; jobs on the device finish on their own and hold the
 * client's address space until then.
 */
void edna_job_file_fini(struct edna_file *efile)
{
	struct dma_fence *fence;
	unsigned long id;
	int q, p;

	for (q = 0; q < EDNA_MAX_QUEUES; q++) {
		for (p = 0; p < EDNA_PRIORITY_COUNT; p++) {
			if (!efile->entities[q][p])
				continue;
			drm_sched_entity_destroy(efile->entities[q][p]);
			kfree(efile->entities[q][p]);
		}
	}
	xa_for_each(&efile->jobs, id, fence)
		dma_fence_put(xa_erase(&efile->jobs, id));
	xa_destroy(&efile->jobs);
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
 * edna_job_reset_device() - the operator's reset of a wedged device
 * @edev: the device
 *
 * Jobs on the device fail with -ECANCELED; jobs still queued run after.
 *
 * Return: 0, or the error of a device that did not come back.
 */
int edna_job_reset_device(struct edna_device *edev)
{
	struct drm_sched_job *sched_job;
	u32 q;
	int ret;

	guard(mutex)(&edev->recovery_lock);
	for (q = 0; q < edev->caps.num_queues; q++) {
		struct drm_gpu_scheduler *sched = &edev->queues[q].sched;

		drm_sched_stop(sched, NULL);
		/* Stopped: the pending list is ours until drm_sched_start(). */
		list_for_each_entry(sched_job, &sched->pending_list, list)
			to_edna_job(sched_job)->guilty_error = -ECANCELED;
	}
	ret = edna_hw_reset(edev);
	for (q = 0; q < edev->caps.num_queues; q++) {
		drm_sched_resubmit_jobs(&edev->queues[q].sched);
		drm_sched_start(&edev->queues[q].sched);
	}
	edna_warn(edev, "reset by the operator%s\n", ret ? ", device did not come back" : "");
	return ret;
}

static void edna_job_sched_fini(struct drm_device *drm, void *arg)
{
	struct edna_job_queue *jq = arg;

	drm_sched_fini(&jq->sched);
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
	edev->queues = drmm_kcalloc(&edev->drm, edev->caps.num_queues, sizeof(*edev->queues),
				    GFP_KERNEL);
	if (!edev->queues)
		return -ENOMEM;
	for (q = 0; q < edev->caps.num_queues; q++) {
		struct edna_job_queue *jq = &edev->queues[q];
		struct drm_sched_init_args args = {
			.ops = &edna_sched_ops,
			.num_rqs = DRM_SCHED_PRIORITY_COUNT,
			/* One credit per ring slot: the ring can never overflow. */
			.credit_limit = edna_hw_ring_entries(edev, q),
			.timeout = msecs_to_jiffies(timeout_ms),
			.name = "edna",
			.dev = edev->drm.dev,
		};

		jq->edev = edev;
		jq->queue = q;
		spin_lock_init(&jq->busy_lock);
		jq->fence_context = dma_fence_context_alloc(1);
		ret = drm_sched_init(&jq->sched, &args);
		if (ret)
			return ret;
		ret = drmm_add_action_or_reset(&edev->drm, edna_job_sched_fini, jq);
		if (ret)
			return ret;
	}
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
		struct drm_gpu_scheduler *sched = &edev->queues[q].sched;
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
 * edna_job_set_timeout() - change the progress timeout of every queue
 * @edev: the device
 * @ms: milliseconds, applies to timers armed from now on
 */
void edna_job_set_timeout(struct edna_device *edev, unsigned int ms)
{
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++)
		WRITE_ONCE(edev->queues[q].sched.timeout, msecs_to_jiffies(ms));
}

/**
 * edna_job_pause() - keep jobs off the rings, for the diagnostics
 * @edev: the device
 *
 * Waits for the rings to drain.  Always pair with edna_job_resume().
 *
 * Return: 0, or -EBUSY if jobs stay on the rings.
 */
int edna_job_pause(struct edna_device *edev)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(EDNA_JOB_DRAIN_MS);
	u32 q;

	mutex_lock(&edev->recovery_lock);
	for (q = 0; q < edev->caps.num_queues; q++)
		drm_sched_wqueue_stop(&edev->queues[q].sched);
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
		drm_sched_wqueue_start(&edev->queues[q].sched);
	mutex_unlock(&edev->recovery_lock);
}
