/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_JOB_H__
#define __EDNA_JOB_H__

#include <drm/gpu_scheduler.h>

#include "edna_drv.h"

/**
 * struct edna_job_queue - the scheduler of one hardware queue
 * @edev: the device
 * @queue: hardware queue index
 * @sched: drm_sched, one per hardware queue; its credits are ring slots
 * @fence_context: dma_fence context of the hardware fences
 * @fence_seqno: sequence number of the last hardware fence
 * @last_progress: PROGRESS as the last timeout check saw it
 * @busy_lock: protects @last_done_ns
 * @last_done_ns: when the previous job of the queue completed
 * @busy_ns: device time spent on jobs, all clients
 * @jobs_done: jobs completed, all clients
 */
struct edna_job_queue {
	struct edna_device *edev;
	u32 queue;
	struct drm_gpu_scheduler sched;
	u64 fence_context;
	atomic64_t fence_seqno;
	u32 last_progress;
	spinlock_t busy_lock;	/* last_done_ns; irq-safe */
	u64 last_done_ns;
	atomic64_t busy_ns;
	atomic64_t jobs_done;
};

int edna_job_init(struct edna_device *edev);
void edna_job_fini(struct edna_device *edev);
int edna_job_reset_device(struct edna_device *edev);
void edna_job_set_timeout(struct edna_device *edev, unsigned int ms);
int edna_job_pause(struct edna_device *edev);
void edna_job_resume(struct edna_device *edev);

void edna_job_file_init(struct edna_file *efile);
void edna_job_file_fini(struct edna_file *efile);
void edna_job_show_fdinfo(struct drm_printer *p, struct edna_file *efile);

int edna_job_clear_bo(struct edna_file *efile, struct drm_gem_object *obj, u32 region,
		      u64 offset);

int edna_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int edna_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);

extern unsigned int edna_job_timeout_ms;

/* A hang is declared after this much time without progress. */
#define EDNA_JOB_TIMEOUT_MIN_MS	10
#define EDNA_JOB_TIMEOUT_MAX_MS	600000

#endif /* __EDNA_JOB_H__ */
