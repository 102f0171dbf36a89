// SPDX-License-Identifier: GPL-2.0
/*
 * edna submission: DRM_IOCTL_EDNA_SUBMIT queues a batch of jobs, all or
 * nothing, and the kernel queues its own jobs (clearing device memory).
 *
 * A batch goes through four steps.  Prepare: copy and check each job,
 * look up its buffers and syncobjs, allocate all it will need.  Lock: take
 * the reservations of every buffer of the batch, reserve a fence slot per
 * use, collect the dependencies on earlier work.  Arm: under the file's
 * push_lock, in array order, add each job's dependencies on earlier jobs
 * of the batch and arm it.  Publish and push: make every job visible
 * (buffers, syncobjs, results) and hand them to the scheduler.  Any error
 * before publishing undoes everything; nothing after it can fail.  An
 * armed job must reach the scheduler: if arming stops half way, the armed
 * jobs are pushed unpublished, to fail at once and unseen.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/capability.h>
#include <linux/dma-fence-chain.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_job_priv.h"
#include "edna_mmu.h"
#include "edna_pm.h"

/*
 * Jobs of one file submitted and not yet retired: each costs kernel
 * memory, so a client cannot queue without bound.  A decoder keeps a few
 * steps in flight; thousands are already a misuse.
 */
#define EDNA_FILE_MAX_IN_FLIGHT	4096
/* Room for a drm_edna_job many times the size of today's. */
#define EDNA_SUBMIT_MAX_STRIDE	4096

/**
 * struct edna_submit_signal - a syncobj a job of the batch signals
 * @syncobj: referenced
 * @chain: the timeline node for @point, NULL for a binary syncobj
 * @point: timeline point, 0 for binary
 */
struct edna_submit_signal {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/**
 * struct edna_submit_job - one job of a batch
 * @job: the job, until the scheduler owns it
 * @signals: its EDNA_SYNC_SIGNAL operations
 * @signal_count: entries in @signals
 * @rider: when it rides on an earlier job of the batch (@job is then
 *	NULL), its result, which tells its sequence number once published
 * @seqno_ptr: where its sequence number goes in the caller's array; NULL
 *	when the caller's stride does not reach it
 * @seqno: its sequence number, once published
 */
struct edna_submit_job {
	struct edna_job *job;
	struct edna_job_result *rider;
	struct edna_submit_signal *signals;
	u32 signal_count;
	u64 __user *seqno_ptr;
	u64 seqno;
};

/* One use of a buffer by a job of the batch. */
struct edna_submit_ref {
	struct drm_gem_object *obj;
	u32 job;
	u32 flags;
};

/* Job @job of the batch waits for job @on of the batch. */
struct edna_submit_dep {
	u32 job;
	u32 on;
};

/**
 * struct edna_submit - the state of one SUBMIT
 * @file: the caller's file
 * @efile: its client
 * @jobs: the jobs, @count of them
 * @count: jobs in the batch
 * @armed: room for the jobs, armed, to publish them together
 * @refs: every use of a buffer, sorted by buffer then job
 * @nrefs: entries in @refs
 * @bos: the distinct buffers, locked together
 * @nbos: entries in @bos
 * @deps: dependencies between jobs of the batch
 * @ndeps: entries in @deps
 * @deps_room: room in @deps
 * @acquire: the reservation locks of @bos
 * @locked: @bos are locked
 * @in_flight: jobs counted in the file's in_flight, not yet the scheduler's
 * @carrier: the job of the batch later jobs may ride on, or -1
 * @max_riders: how many more it may carry
 */
struct edna_submit {
	struct drm_file *file;
	struct edna_file *efile;
	struct edna_submit_job *jobs;
	u32 count;
	struct edna_job **armed;
	struct edna_submit_ref *refs;
	u32 nrefs;
	struct drm_gem_object **bos;
	u32 nbos;
	struct edna_submit_dep *deps;
	u32 ndeps;
	u32 deps_room;
	struct ww_acquire_ctx acquire;
	bool locked;
	u32 in_flight;
	int carrier;
	u32 max_riders;
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
	struct drm_gpu_scheduler *sched = &efile->edev->queues[queue]->sched;
	struct drm_sched_entity *entity;
	int ret;

	/* Made once, never replaced while the file lives: no lock to read. */
	entity = smp_load_acquire(slot);
	if (entity)
		return entity;
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
	/* Initialised before it is seen. */
	smp_store_release(slot, entity);
	return entity;
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
	/* Powered from here to its end: a power-up is paid now, not on the clock. */
	ret = edna_pm_get(efile->edev);
	if (ret && ret != -ENODEV) {
		kfree(job);
		return ERR_PTR(ret);
	}
	job->pm_ref = !ret;
	job->jq = efile->edev->queues[queue];
	job->prio = prio;
	job->efile = efile;
	job->desc.ctx = cpu_to_le32(edna_mmu_ctx_id(efile->ctx));
	ret = drm_sched_job_init(&job->base, entity, 1, efile, efile->client_id);
	if (ret) {
		if (job->pm_ref)
			edna_pm_put(efile->edev);
		kfree(job);
		return ERR_PTR(ret);
	}
	return job;
}

/* Undo edna_job_new() and whatever was attached, armed or not. */
static void edna_job_discard(struct edna_job *job)
{
	drm_sched_job_cleanup(&job->base);
	edna_job_destroy(job);
}

static bool edna_ranges_overlap(u64 a, u64 b, u64 size)
{
	return a < b + size && b < a + size;
}

static int edna_job_check(struct edna_device *edev, const struct drm_edna_job *j)
{
	u64 limit = BIT_ULL(EDNA_VA_BITS);

	if (j->flags || j->pad || j->queue >= edev->caps.num_queues ||
	    j->priority >= EDNA_PRIORITY_COUNT || j->bo_count > EDNA_SUBMIT_MAX_BOS ||
	    j->sync_count > EDNA_SUBMIT_MAX_SYNCS || !IS_ALIGNED(j->result_va, 8) ||
	    j->result_va > limit - sizeof(struct drm_edna_job_result))
		return -EINVAL;
	/* HIGH runs before everyone else's work: as privileged as nice(-n). */
	if (j->priority == EDNA_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EACCES;

	switch (j->op) {
	case EDNA_JOB_NOP:
		return j->src || j->dst || j->size || j->pattern ? -EINVAL : 0;
	case EDNA_JOB_FILL:
		if (j->src || !j->size || !IS_ALIGNED(j->size, 4))
			return -EINVAL;
		break;
	case EDNA_JOB_COPY:
		/* Overlapping ranges would have no defined result. */
		if (j->pattern || !j->size || j->src >= limit || j->size > limit - j->src ||
		    edna_ranges_overlap(j->src, j->dst, j->size))
			return -EINVAL;
		break;
	case EDNA_JOB_GRAPH:
		/* The device checks the graph itself; here only its addresses. */
		if (!j->src || !j->dst || j->size || j->pattern || j->src >= limit)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (j->size > EDNA_SUBMIT_MAX_SIZE || j->dst >= limit || j->size > limit - j->dst)
		return -EINVAL;
	return 0;
}

static void edna_desc_build(struct edna_hw_desc *desc, const struct drm_edna_job *j)
{
	static const u32 hw_op[] = {
		[EDNA_JOB_NOP] = EDNA_OP_NOP,
		[EDNA_JOB_FILL] = EDNA_OP_FILL,
		[EDNA_JOB_COPY] = EDNA_OP_COPY,
		[EDNA_JOB_GRAPH] = EDNA_OP_GRAPH,
	};

	desc->op = cpu_to_le32(hw_op[j->op]);
	desc->src = cpu_to_le64(j->src);
	desc->dst = cpu_to_le64(j->dst);
	desc->size = cpu_to_le64(j->size);
	desc->pattern = cpu_to_le32(j->pattern);
	desc->result_va = cpu_to_le64(j->result_va);
}

static int edna_submit_lookup_bos(struct edna_submit *s, struct edna_job *job,
				  const struct drm_edna_job *j)
{
	struct drm_edna_bo_ref *refs __free(kvfree) = NULL;
	u32 i;

	if (!j->bo_count)
		return 0;
	refs = kvmalloc_array(j->bo_count, sizeof(*refs), GFP_KERNEL);
	job->bos = kvcalloc(j->bo_count, sizeof(*job->bos), GFP_KERNEL);
	if (!refs || !job->bos)
		return -ENOMEM;
	if (copy_from_user(refs, u64_to_user_ptr(j->bos), j->bo_count * sizeof(*refs)))
		return -EFAULT;
	for (i = 0; i < j->bo_count; i++) {
		u32 flags = refs[i].flags;

		if (flags != EDNA_BO_READ && flags != EDNA_BO_WRITE && flags != EDNA_BO_NO_SYNC)
			return -EINVAL;
		job->bos[i].obj = drm_gem_object_lookup(s->file, refs[i].handle);
		if (!job->bos[i].obj)
			return -ENOENT;
		job->bos[i].flags = flags;
		job->bo_count++;
	}
	s->nrefs += job->bo_count;
	return 0;
}

/* The last job before @index in the batch that signals @syncobj at @point. */
static int edna_submit_find_signal(struct edna_submit *s, u32 index,
				   struct drm_syncobj *syncobj, u64 point)
{
	int k, i;

	for (k = index - 1; k >= 0; k--)
		for (i = 0; i < s->jobs[k].signal_count; i++)
			if (s->jobs[k].signals[i].syncobj == syncobj &&
			    s->jobs[k].signals[i].point == point)
				return k;
	return -1;
}

static int edna_submit_add_dep(struct edna_submit *s, u32 job, u32 on)
{
	struct edna_submit_dep *deps;

	if (s->ndeps == s->deps_room) {
		u32 room = max(2 * s->deps_room, 16u);

		deps = kvrealloc(s->deps, array_size(room, sizeof(*deps)), GFP_KERNEL);
		if (!deps)
			return -ENOMEM;
		s->deps = deps;
		s->deps_room = room;
	}
	s->deps[s->ndeps].job = job;
	s->deps[s->ndeps].on = on;
	s->ndeps++;
	return 0;
}

/*
 * Waits are on what the syncobj holds now, or on an earlier job of the
 * batch that signals it; signals are applied when the batch is published.
 */
static int edna_submit_syncs(struct edna_submit *s, u32 index, const struct drm_edna_job *j)
{
	struct edna_submit_job *sj = &s->jobs[index];
	struct drm_edna_sync *syncs __free(kfree) = NULL;
	u32 i;
	int ret;

	if (!j->sync_count)
		return 0;
	syncs = memdup_array_user(u64_to_user_ptr(j->syncs), j->sync_count, sizeof(*syncs));
	if (IS_ERR(syncs)) {
		ret = PTR_ERR(syncs);
		syncs = NULL;
		return ret;
	}
	sj->signals = kcalloc(j->sync_count, sizeof(*sj->signals), GFP_KERNEL);
	if (!sj->signals)
		return -ENOMEM;

	for (i = 0; i < j->sync_count; i++) {
		struct drm_syncobj *syncobj;
		int k;

		if (syncs[i].flags != EDNA_SYNC_WAIT && syncs[i].flags != EDNA_SYNC_SIGNAL)
			return -EINVAL;
		syncobj = drm_syncobj_find(s->file, syncs[i].handle);
		if (!syncobj)
			return -ENOENT;
		if (syncs[i].flags == EDNA_SYNC_SIGNAL) {
			struct edna_submit_signal *sig = &sj->signals[sj->signal_count++];

			sig->syncobj = syncobj;
			sig->point = syncs[i].point;
			if (sig->point) {
				sig->chain = dma_fence_chain_alloc();
				if (!sig->chain)
					return -ENOMEM;
			}
			continue;
		}
		k = edna_submit_find_signal(s, index, syncobj, syncs[i].point);
		drm_syncobj_put(syncobj);
		if (k >= 0)
			ret = edna_submit_add_dep(s, index, k);
		else
			ret = drm_sched_job_add_syncobj_dependency(&sj->job->base, s->file,
								   syncs[i].handle,
								   syncs[i].point);
		if (ret)
			return ret;
	}
	return 0;
}

static struct edna_job_result *edna_job_result_new(void)
{
	struct edna_job_result *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (r) {
		refcount_set(&r->ref, 1);
		/* Until the device says otherwise. */
		r->rec.status = EDNA_STATUS_NOT_RUN;
	}
	return r;
}

/*
 * Whether job @index can ride on the carrier (struct edna_job_rider): it
 * follows it or its last rider, on the same queue and priority, and uses
 * no buffers and no syncobjs, so nothing but the queue orders it.
 */
static bool edna_submit_can_ride(struct edna_submit *s, u32 index, const struct drm_edna_job *j)
{
	struct edna_job *carrier;

	if (s->carrier < 0 || j->bo_count || j->sync_count)
		return false;
	carrier = s->jobs[s->carrier].job;
	return carrier->jq->queue == j->queue && carrier->prio == j->priority &&
	       s->carrier + carrier->rider_count + 1 == index &&
	       carrier->rider_count < s->max_riders;
}

static int edna_submit_add_rider(struct edna_submit *s, u32 index, const struct drm_edna_job *j)
{
	struct edna_job *carrier = s->jobs[s->carrier].job;
	struct edna_job_rider *rider;

	struct edna_hw_desc desc = {};

	/* Room for all it may carry at once: riders do not move once made. */
	if (!carrier->riders) {
		carrier->riders = kvmalloc_array(s->max_riders, sizeof(*carrier->riders),
						 GFP_KERNEL);
		if (!carrier->riders)
			return -ENOMEM;
	}
	rider = &carrier->riders[carrier->rider_count];
	rider->result = edna_job_result_new();
	if (!rider->result)
		return -ENOMEM;
	rider->job = carrier;
	rider->done = false;
	edna_desc_build(&desc, j);
	rider->op = desc.op;
	rider->pattern = desc.pattern;
	rider->src = desc.src;
	rider->dst = desc.dst;
	rider->size = desc.size;
	rider->result_va = desc.result_va;
	carrier->rider_count++;
	/* A ring slot per descriptor. */
	carrier->base.credits++;
	s->jobs[index].rider = rider->result;
	return 0;
}

static int edna_submit_prepare(struct edna_submit *s, u32 index, const void __user *uptr,
			       u32 stride)
{
	struct edna_device *edev = s->efile->edev;
	struct edna_submit_job *sj = &s->jobs[index];
	struct drm_edna_job j;
	struct edna_job *job;
	int ret;

	ret = copy_struct_from_user(&j, sizeof(j), uptr, stride);
	if (ret)
		return ret;
	ret = edna_job_check(edev, &j);
	if (ret) {
		edna_dbg(edev, JOB, "SUBMIT: job %u: bad arguments (%d)\n", index, ret);
		return ret;
	}
	if (stride >= offsetofend(struct drm_edna_job, seqno)) {
		sj->seqno_ptr = (u64 __user *)(uptr + offsetof(struct drm_edna_job, seqno));
		/* Fail now rather than after the jobs are queued. */
		if (put_user(0, sj->seqno_ptr))
			return -EFAULT;
	}

	if (edna_submit_can_ride(s, index, &j))
		return edna_submit_add_rider(s, index, &j);

	job = edna_job_new(s->efile, j.queue, j.priority);
	if (IS_ERR(job))
		return PTR_ERR(job);
	sj->job = job;
	job->result = edna_job_result_new();
	if (!job->result)
		return -ENOMEM;
	edna_desc_build(&job->desc, &j);

	ret = edna_submit_lookup_bos(s, job, &j);
	if (ret)
		return ret;
	ret = edna_submit_syncs(s, index, &j);
	if (ret)
		return ret;
	/* A job that signals nothing may carry the jobs after it. */
	s->carrier = -1;
	if (!job->bo_count && !sj->signal_count) {
		s->carrier = index;
		/* Half the ring at most: the next batch fills the other half. */
		s->max_riders = min3((u32)EDNA_JOB_MAX_RIDERS, s->count - index - 1,
				     edna_hw_ring_entries(edev, j.queue) / 2 - 1);
	}
	return 0;
}

static int edna_submit_ref_cmp(const void *a, const void *b)
{
	const struct edna_submit_ref *ra = a, *rb = b;

	if (ra->obj != rb->obj)
		return ra->obj < rb->obj ? -1 : 1;
	return ra->job < rb->job ? -1 : ra->job > rb->job;
}

/*
 * Order the jobs of the batch that share a buffer, as implicit sync
 * orders jobs of separate batches: a reader waits for the last writer
 * before it, a writer for every use since the writer before it.
 */
static int edna_submit_order_run(struct edna_submit *s, u32 first, u32 end)
{
	u32 window = first, r, k;
	int writer = -1, ret;

	for (r = first; r < end; r++) {
		const struct edna_submit_ref *ref = &s->refs[r];

		if (ref->flags == EDNA_BO_NO_SYNC)
			continue;
		if (ref->flags == EDNA_BO_READ) {
			if (writer >= 0) {
				ret = edna_submit_add_dep(s, ref->job, writer);
				if (ret)
					return ret;
			}
			continue;
		}
		for (k = window; k < r; k++) {
			if (s->refs[k].flags == EDNA_BO_NO_SYNC)
				continue;
			ret = edna_submit_add_dep(s, ref->job, s->refs[k].job);
			if (ret)
				return ret;
		}
		writer = ref->job;
		window = r;
	}
	return 0;
}

static int edna_submit_lock(struct edna_submit *s)
{
	u32 i, k, n = 0, first;
	int ret;

	if (!s->nrefs)
		return 0;
	s->refs = kvmalloc_array(s->nrefs, sizeof(*s->refs), GFP_KERNEL);
	s->bos = kvmalloc_array(s->nrefs, sizeof(*s->bos), GFP_KERNEL);
	if (!s->refs || !s->bos)
		return -ENOMEM;
	for (i = 0; i < s->count; i++) {
		struct edna_job *job = s->jobs[i].job;

		for (k = 0; job && k < job->bo_count; k++, n++) {
			s->refs[n].obj = job->bos[k].obj;
			s->refs[n].job = i;
			s->refs[n].flags = job->bos[k].flags;
		}
	}
	sort(s->refs, n, sizeof(*s->refs), edna_submit_ref_cmp, NULL);

	for (first = 0; first < n; first = i) {
		for (i = first + 1; i < n && s->refs[i].obj == s->refs[first].obj; i++)
			if (s->refs[i].job == s->refs[i - 1].job)
				return -EINVAL;		/* a buffer twice in one job */
		s->bos[s->nbos++] = s->refs[first].obj;
		ret = edna_submit_order_run(s, first, i);
		if (ret)
			return ret;
	}

	ret = drm_gem_lock_reservations(s->bos, s->nbos, &s->acquire);
	if (ret)
		return ret;
	s->locked = true;
	/* One fence slot per use: a buffer used by three jobs takes three. */
	for (first = 0, k = 0; first < n; first = i, k++) {
		for (i = first + 1; i < n && s->refs[i].obj == s->refs[first].obj; i++)
			;
		ret = dma_resv_reserve_fences(s->bos[k]->resv, i - first);
		if (ret)
			return ret;
	}
	for (i = 0; i < s->count; i++) {
		struct edna_job *job = s->jobs[i].job;

		for (k = 0; job && k < job->bo_count; k++) {
			if (job->bos[k].flags == EDNA_BO_NO_SYNC)
				continue;
			ret = drm_sched_job_add_implicit_dependencies(&job->base, job->bos[k].obj,
								      job->bos[k].flags ==
								      EDNA_BO_WRITE);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int edna_submit_dep_cmp(const void *a, const void *b)
{
	const struct edna_submit_dep *da = a, *db = b;

	return da->job < db->job ? -1 : da->job > db->job;
}

/*
 * The first @armed jobs of a batch that could not be armed in full: the
 * scheduler must still run them, as failures nobody sees.
 */
static void edna_submit_drop_armed(struct edna_submit *s, u32 armed)
{
	u32 i;

	for (i = 0; i < armed; i++) {
		struct edna_job *job = s->jobs[i].job;

		if (!job)
			continue;	/* a rider: its carrier takes it along */
		edna_job_result_put(job->result);
		job->result = NULL;
		job->guilty_error = -ECANCELED;
		/* Its free_job drops these, as for any job. */
		edna_file_get(s->efile);
		s->in_flight -= 1 + job->rider_count;
		s->jobs[i].job = NULL;
		drm_sched_entity_push_job(&job->base);
	}
}

/* Under push_lock: arm in order, each after the jobs of the batch it waits for. */
static int edna_submit_arm(struct edna_submit *s)
{
	u32 i, d = 0;
	int ret;

	sort(s->deps, s->ndeps, sizeof(*s->deps), edna_submit_dep_cmp, NULL);
	for (i = 0; i < s->count; i++) {
		struct edna_job *job = s->jobs[i].job;

		/* Riders depend on nothing: nobody depends on them either. */
		if (!job)
			continue;
		for (; d < s->ndeps && s->deps[d].job == i; d++) {
			struct edna_job *on = s->jobs[s->deps[d].on].job;
			struct dma_fence *fence = &on->base.s_fence->finished;

			ret = drm_sched_job_add_dependency(&job->base, dma_fence_get(fence));
			if (ret) {
				edna_submit_drop_armed(s, i);
				return ret;
			}
		}
		drm_sched_job_arm(&job->base);
	}
	return 0;
}

/* Under push_lock, every job armed: cannot fail. */
static void edna_submit_publish(struct edna_submit *s)
{
	u32 i, k, n = 0;

	for (i = 0; i < s->count; i++)
		if (s->jobs[i].job)
			s->armed[n++] = s->jobs[i].job;
	edna_jobs_publish(s->armed, n);
	for (i = 0; i < s->count; i++) {
		struct edna_submit_job *sj = &s->jobs[i];
		struct dma_fence *finished;

		if (!sj->signal_count)
			continue;
		finished = &sj->job->base.s_fence->finished;
		for (k = 0; k < sj->signal_count; k++) {
			struct edna_submit_signal *sig = &sj->signals[k];

			if (sig->chain)
				drm_syncobj_add_point(sig->syncobj, sig->chain, finished,
						      sig->point);
			else
				drm_syncobj_replace_fence(sig->syncobj, finished);
			sig->chain = NULL;
		}
	}
	if (s->locked)
		drm_gem_unlock_reservations(s->bos, s->nbos, &s->acquire);
	s->locked = false;
}

static void edna_submit_cleanup(struct edna_submit *s)
{
	u32 i, k;

	if (s->locked)
		drm_gem_unlock_reservations(s->bos, s->nbos, &s->acquire);
	for (i = 0; s->jobs && i < s->count; i++) {
		struct edna_submit_job *sj = &s->jobs[i];

		if (sj->job)
			edna_job_discard(sj->job);
		for (k = 0; k < sj->signal_count; k++) {
			dma_fence_chain_free(sj->signals[k].chain);
			drm_syncobj_put(sj->signals[k].syncobj);
		}
		kfree(sj->signals);
	}
	atomic_sub(s->in_flight, &s->efile->in_flight);
	kvfree(s->jobs);
	kvfree(s->armed);
	kvfree(s->refs);
	kvfree(s->bos);
	kvfree(s->deps);
}

static int edna_submit_check(struct edna_file *efile, const struct drm_edna_submit *args)
{
	struct edna_device *edev = efile->edev;

	if (args->flags || args->pad || args->reserved || !args->job_count ||
	    args->job_count > EDNA_SUBMIT_MAX_JOBS || !args->job_stride ||
	    args->job_stride > EDNA_SUBMIT_MAX_STRIDE || !IS_ALIGNED(args->job_stride, 8)) {
		edna_dbg(edev, JOB, "SUBMIT: bad flags, padding, count %u or stride %u\n",
			 args->job_count, args->job_stride);
		return -EINVAL;
	}
	if (READ_ONCE(efile->banned))
		return -ECANCELED;
	if (edna_wedged(edev))
		return -EIO;
	return 0;
}

int edna_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_edna_submit *args = data;
	struct edna_submit s = { .file = file, .efile = file->driver_priv, .carrier = -1 };
	struct edna_file *efile = s.efile;
	const u8 __user *ujobs = u64_to_user_ptr(args->jobs);
	int ret;
	u32 i;

	/*
	 * No drm_dev_enter(): nothing here touches the device, and copies from
	 * userspace or waits for shared reservations must not hold off an
	 * unplug.  Jobs of a device that is gone fail in edna_job_run().
	 */
	ret = edna_submit_check(efile, args);
	if (ret)
		return ret;

	s.count = args->job_count;
	s.in_flight = s.count;
	if (atomic_add_return(s.count, &efile->in_flight) > EDNA_FILE_MAX_IN_FLIGHT) {
		ret = -EBUSY;
		goto out;
	}
	s.jobs = kvcalloc(s.count, sizeof(*s.jobs), GFP_KERNEL);
	s.armed = kvmalloc_array(s.count, sizeof(*s.armed), GFP_KERNEL);
	if (!s.jobs || !s.armed) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s.count; i++) {
		ret = edna_submit_prepare(&s, i, ujobs + (size_t)i * args->job_stride,
					  args->job_stride);
		if (ret)
			goto out;
	}
	ret = edna_submit_lock(&s);
	if (ret)
		goto out;

	mutex_lock(&efile->push_lock);
	ret = edna_submit_arm(&s);
	if (ret) {
		mutex_unlock(&efile->push_lock);
		goto out;
	}
	edna_submit_publish(&s);
	for (i = 0; i < s.count; i++)
		s.jobs[i].seqno = s.jobs[i].job ? s.jobs[i].job->seqno : s.jobs[i].rider->seqno;
	/* From here each job may run and be freed at any moment: hands off. */
	for (i = 0; i < s.count; i++) {
		struct edna_job *job = s.jobs[i].job;

		if (!job)
			continue;
		s.jobs[i].job = NULL;
		drm_sched_entity_push_job(&job->base);
	}
	s.in_flight = 0;
	mutex_unlock(&efile->push_lock);

	/* Checked writable before: only a racing munmap() fails here. */
	for (i = 0; i < s.count; i++)
		if (s.jobs[i].seqno_ptr && put_user(s.jobs[i].seqno, s.jobs[i].seqno_ptr))
			ret = -EFAULT;
	edna_dbg(efile->edev, JOB, "client %llu: %u jobs up to %llu\n", efile->client_id,
		 s.count, s.jobs[s.count - 1].seqno);
out:
	edna_submit_cleanup(&s);
	return ret;
}

/**
 * struct edna_kva_release - a kernel mapping of device memory for one of
 *	the kernel's jobs
 * @kva: the range in the kernel context
 * @release: unmaps it once the job ended
 */
struct edna_kva_release {
	struct drm_mm_node kva;
	struct edna_deferred release;
};

static void edna_kva_release(struct edna_deferred *d)
{
	struct edna_kva_release *kr = container_of(d, struct edna_kva_release, release);

	/* Device memory: it goes back to its region whatever the device does. */
	edna_mmu_kunmap(d->edev, &kr->kva);
	kfree(kr);
}

/* Push one of the kernel's jobs using @obj for writing. */
static struct dma_fence *edna_job_push_kernel(struct edna_job *job, struct drm_gem_object *obj)
{
	struct edna_file *efile = job->efile;
	struct ww_acquire_ctx acquire;
	struct dma_fence *finished;
	int ret;

	job->bos = kvmalloc_array(1, sizeof(*job->bos), GFP_KERNEL);
	if (!job->bos)
		return ERR_PTR(-ENOMEM);
	drm_gem_object_get(obj);
	job->bos[0].obj = obj;
	job->bos[0].flags = EDNA_BO_WRITE;
	job->bo_count = 1;
	ret = drm_gem_lock_reservations(&obj, 1, &acquire);
	if (ret)
		return ERR_PTR(ret);
	ret = dma_resv_reserve_fences(obj->resv, 1);
	if (!ret)
		ret = drm_sched_job_add_implicit_dependencies(&job->base, obj, true);
	if (ret) {
		drm_gem_unlock_reservations(&obj, 1, &acquire);
		return ERR_PTR(ret);
	}
	atomic_inc(&efile->in_flight);
	mutex_lock(&efile->push_lock);
	drm_sched_job_arm(&job->base);
	edna_jobs_publish(&job, 1);
	finished = dma_fence_get(&job->base.s_fence->finished);
	drm_gem_unlock_reservations(&obj, 1, &acquire);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&efile->push_lock);
	return finished;
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
 * it, so a job in the kernel's context clears it first.  The wait is
 * interruptible; the kernel mapping then goes when the job ends.
 *
 * Return: 0, the error the clearing job failed with, or -ERESTARTSYS.
 */
int edna_job_clear_bo(struct edna_file *efile, struct drm_gem_object *obj, u32 region,
		      u64 offset)
{
	struct edna_device *edev = efile->edev;
	struct edna_kva_release *kr;
	struct dma_fence *finished;
	struct edna_job *job;
	int ret;

	if (edna_wedged(edev))
		return -EIO;
	kr = kzalloc(sizeof(*kr), GFP_KERNEL);
	if (!kr)
		return -ENOMEM;
	ret = edna_mmu_kmap(edev, region, offset, obj->size, &kr->kva);
	if (ret)
		goto err_free;
	/* The kernel's own job: no priority check, and no result to keep. */
	job = edna_job_new(efile, 0, EDNA_PRIORITY_HIGH);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto err_kunmap;
	}
	job->desc.op = cpu_to_le32(EDNA_OP_FILL);
	job->desc.ctx = cpu_to_le32(EDNA_MMU_KERNEL_CTX);
	job->desc.dst = cpu_to_le64(kr->kva.start);
	job->desc.size = cpu_to_le64(obj->size);
	finished = edna_job_push_kernel(job, obj);
	if (IS_ERR(finished)) {
		edna_job_discard(job);
		ret = PTR_ERR(finished);
		goto err_kunmap;
	}

	ret = dma_fence_wait(finished, true);
	if (!ret)
		ret = finished->error;
	/* The device is done with the mapping, or will be: it goes then. */
	edna_job_defer(edev, dma_fence_is_signaled(finished) ? NULL : dma_fence_get(finished),
		       &kr->release, edna_kva_release);
	dma_fence_put(finished);
	return ret;

err_kunmap:
	edna_mmu_kunmap(edev, &kr->kva);
err_free:
	kfree(kr);
	return ret;
}
