/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edna jobs: what edna_job.c (scheduling, completion) and edna_submit.c
 * (the SUBMIT ioctl) share, and nobody else needs.
 *
 * Copyright 2026 The edna authors
 */
#ifndef __EDNA_JOB_PRIV_H__
#define __EDNA_JOB_PRIV_H__

#include <linux/refcount.h>

#include "edna_job.h"

/**
 * struct edna_hw_fence - signalled when the device completes a descriptor
 * @base: the fence
 * @lock: its lock; its own, so that the fence may outlive the device
 * @job: the job it was submitted for; not used once signalled
 * @jq: the queue, referenced: the fence's timeline name is the queue's
 * @last: the descriptor whose end ends the run: 0 the job's own, i + 1
 *	its rider i
 */
struct edna_hw_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's own */
	struct edna_job *job;
	struct edna_job_queue *jq;
	u32 last;
};

/**
 * struct edna_job_result - what WAIT reports of a job
 * @ref: held by the job until it is freed, by its file's @results tree,
 *	and by each waiter
 * @node: in &edna_file.results, by @seqno
 * @done_link: in &edna_file.done once the job was freed
 * @seqno: the job's sequence number
 * @finished: the job's finished fence, referenced; set when published
 * @rec: the device's record; written before @finished signals, read after
 * @error: the job's own status, when @has_error: a job that shares its
 *	scheduler job with others (see struct edna_job_rider) ends before
 *	@finished, which reports the last of them
 * @has_error: @error is set; written before @finished signals
 */
struct edna_job_result {
	refcount_t ref;
	struct rb_node node;
	struct list_head done_link;
	u64 seqno;
	struct dma_fence *finished;
	struct drm_edna_job_result rec;
	int error;
	bool has_error;
};

/*
 * Jobs a scheduler job carries beyond its own: the per-job cost of the
 * scheduler is paid once for a run of them.
 */
#define EDNA_JOB_MAX_RIDERS		63

/**
 * struct edna_job_rider - a job that rides on the scheduler job of the
 *	job before it
 * @job: the job it rides on
 * @result: what WAIT reports of it
 * @op: its descriptor's fields that differ from the carrier's, device
 *	byte order
 * @pattern: see @op
 * @src: see @op
 * @dst: see @op
 * @size: see @op
 * @result_va: see @op
 * @job_seqno: see @op
 * @done: the device ended it: a run after a reset skips it
 *
 * A job without buffers or syncobjs, queued in the same SUBMIT right
 * after another job of the same queue and priority that signals nothing
 * either, needs nothing of the scheduler but its place in the queue: it
 * rides on that job, its descriptor written to the ring after the
 * other's, and it completes with it (WAIT returns once the last rider has
 * ended, each with its own status and record).
 */
struct edna_job_rider {
	struct edna_job *job;
	struct edna_job_result *result;
	__le32 op;
	__le32 pattern;
	__le64 src;
	__le64 dst;
	__le64 size;
	__le64 result_va;
	__le64 job_seqno;
	bool done;
};

/**
 * struct edna_job_bo - a buffer a job uses
 * @obj: the buffer, referenced until the job is freed
 * @flags: EDNA_BO_READ, EDNA_BO_WRITE or EDNA_BO_NO_SYNC
 */
struct edna_job_bo {
	struct drm_gem_object *obj;
	u32 flags;
};

/**
 * struct edna_job - one submitted job
 * @base: the scheduler's job
 * @jq: its queue
 * @prio: its enum drm_edna_priority
 * @efile: its client; holds a reference once published
 * @seqno: its sequence number, once published
 * @result: what WAIT reports; NULL for the kernel's own jobs
 * @desc: the descriptor written to the ring
 * @bos: buffers it uses
 * @bo_count: entries in @bos
 * @hw_fence: the hardware fence of the last run, referenced
 * @guilty_error: when set, recovery decided the job fails with this error
 *	rather than running again
 * @submit_ns: when it was written to the ring
 * @retire_counted: its last run ended and it counts in edev->retiring
 *	until freed; written before that run's hardware fence signals
 * @riders: the jobs riding on this one, in submission order
 * @rider_count: entries in @riders
 * @done: the device ended this job's own descriptor: a run after a reset
 *	skips it (only when it has riders)
 * @pm_ref: holds a runtime PM reference, from creation to destruction
 */
struct edna_job {
	struct drm_sched_job base;
	struct edna_job_queue *jq;
	u32 prio;
	struct edna_file *efile;
	u64 seqno;
	struct edna_job_result *result;
	struct edna_hw_desc desc;
	struct edna_job_bo *bos;
	u32 bo_count;
	struct dma_fence *hw_fence;
	int guilty_error;
	u64 submit_ns;
	bool retire_counted;
	struct edna_job_rider *riders;
	u32 rider_count;
	bool done;
	bool pm_ref;
};

extern const struct drm_sched_backend_ops edna_sched_ops;

void edna_job_result_put(struct edna_job_result *r);
void edna_job_destroy(struct edna_job *job);
void edna_jobs_publish(struct edna_job *const *jobs, u32 count);

#endif /* __EDNA_JOB_PRIV_H__ */
