/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_JOB_H__
#define __EDNA_JOB_H__

#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/workqueue.h>

#include <drm/gpu_scheduler.h>

#include "edna_drv.h"

/**
 * struct edna_job_queue - the scheduler of one hardware queue
 * @ref: held by the device and by each hardware fence of the queue: the
 *	scheduler's name and fence timeline are read through fences that
 *	may outlive the device
 * @edev: the device; valid while the device holds its reference
 * @queue: hardware queue index
 * @name: "edna<minor>-q<queue>", the scheduler's and fences' timeline
 * @sched: drm_sched, one per hardware queue; its credits are ring slots
 * @fence_context: dma_fence context of the hardware fences
 * @fence_seqno: sequence number of the last hardware fence
 * @last_progress: PROGRESS as the last timeout check saw it; only the
 *	ordered recovery workqueue touches it
 * @busy_lock: protects @last_done_ns
 * @last_done_ns: when the previous job of the queue completed
 * @busy_ns: device time spent on jobs, all clients
 * @jobs_done: jobs completed, all clients
 */
struct edna_job_queue {
	struct kref ref;
	struct edna_device *edev;
	u32 queue;
	char name[24];
	struct drm_gpu_scheduler sched;
	u64 fence_context;
	atomic64_t fence_seqno;
	u32 last_progress;
	spinlock_t busy_lock;	/* last_done_ns; irq-safe */
	u64 last_done_ns;
	atomic64_t busy_ns;
	atomic64_t jobs_done;
};

struct edna_deferred;

/**
 * typedef edna_release_fn - what a deferred release does
 * @d: the deferral, embedded in the caller's object
 *
 * Runs in process context once the fence signalled; may free @d.
 */
typedef void (*edna_release_fn)(struct edna_deferred *d);

/**
 * struct edna_deferred - memory to let go of once the device is done
 *	with it
 * @cb: on the fence
 * @work: runs @release on edna_wq
 * @edev: the device, referenced until @release returned
 * @fence: what to wait for, referenced
 * @release: the release
 */
struct edna_deferred {
	struct dma_fence_cb cb;
	struct work_struct work;
	struct edna_device *edev;
	struct dma_fence *fence;
	edna_release_fn release;
};

int edna_job_module_init(void);
void edna_job_module_exit(void);
int edna_job_init(struct edna_device *edev);
void edna_job_fini(struct edna_device *edev);
void edna_job_shutdown(struct edna_device *edev);
int edna_job_reset_device(struct edna_device *edev);
void edna_job_dev_error_work(struct work_struct *work);
void edna_job_set_timeout(struct edna_device *edev, unsigned int ms);
int edna_job_pause(struct edna_device *edev);
void edna_job_resume(struct edna_device *edev);

void edna_job_file_init(struct edna_file *efile);
void edna_job_file_close(struct edna_file *efile);
void edna_job_file_fini(struct edna_file *efile);
void edna_job_show_fdinfo(struct drm_printer *p, struct edna_file *efile);

struct dma_fence *edna_file_busy_fence(struct edna_file *efile);
void edna_job_defer(struct edna_device *edev, struct dma_fence *fence,
		    struct edna_deferred *d, edna_release_fn release);
int edna_job_retire_seq(struct edna_device *edev);
bool edna_job_wait_retiring(struct edna_device *edev, int seq, unsigned long deadline);
void edna_job_retired(struct edna_device *edev);

int edna_job_clear_bo(struct edna_file *efile, struct drm_gem_object *obj, u32 region,
		      u64 offset);

int edna_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int edna_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file);

extern unsigned int edna_job_timeout_ms;

/*
 * How long an allocation that found no room waits for memory in the middle
 * of being released: jobs that just ended let go of their buffers within
 * microseconds, so this only matters on a machine under heavy load.
 */
#define EDNA_RETIRE_WAIT_MS	1000

/* A hang is declared after this much time without progress. */
#define EDNA_JOB_TIMEOUT_MIN_MS	10
#define EDNA_JOB_TIMEOUT_MAX_MS	600000

#endif /* __EDNA_JOB_H__ */
