/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_DRV_H__
#define __EDNA_DRV_H__

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/regmap.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <drm/drm_mm.h>

#include <drm/drm_device.h>
#include <drm/drm_print.h>

#include "edna_accel.h"
#include "edna_regs.h"

struct dma_fence;
struct drm_sched_entity;
struct edna_device;
struct edna_job_queue;
struct edna_mmu_ctx;

#define EDNA_DRIVER_NAME	"edna"
#define EDNA_DRIVER_DESC	"Edge Decoder Neural Accelerator"

/* Debug categories for edna_dbg(), selected with the dbg_mask parameter */
#define EDNA_DBG_HW	BIT(0)
#define EDNA_DBG_IRQ	BIT(1)
#define EDNA_DBG_MMU	BIT(2)
#define EDNA_DBG_JOB	BIT(3)
#define EDNA_DBG_MEM	BIT(4)
#define EDNA_DBG_PM	BIT(5)

extern unsigned int edna_dbg_mask;

#define edna_err(edev, fmt, ...) drm_err(&(edev)->drm, fmt, ##__VA_ARGS__)
#define edna_warn(edev, fmt, ...) drm_warn(&(edev)->drm, fmt, ##__VA_ARGS__)
#define edna_info(edev, fmt, ...) drm_info(&(edev)->drm, fmt, ##__VA_ARGS__)
#define edna_dbg(edev, cat, fmt, ...)					\
	do {								\
		if (edna_dbg_mask & EDNA_DBG_##cat)			\
			drm_dbg_driver(&(edev)->drm, "[" #cat "] " fmt,	\
				       ##__VA_ARGS__);			\
	} while (0)

/**
 * struct edna_caps - what the identity and capability registers report
 *
 * Read once at probe; constant for the life of the device.
 */
struct edna_caps {
	u32 id;
	u32 version;
	u32 num_queues;
	u32 num_contexts;
	u32 page_shift;
	u32 va_bits;
	u64 clock_hz;
	u64 peak_macs;
	u64 region_size[EDNA_REGION_COUNT];
	u64 peak_bandwidth[EDNA_REGION_COUNT];
	u32 power_mw[EDNA_POWER_COUNT];
	u32 power_up_us;
};

/**
 * typedef edna_hw_done_fn - called when the device completes a descriptor
 * @data: what the submitter passed
 * @status: enum edna_job_status, or one of the EDNA_JOB_* abort codes
 *	below when the descriptor was dropped without the device ending it
 * @result: the record the device wrote back, or NULL when it did not
 *
 * Called from the interrupt handler or from a reset, with the ring's lock
 * held: it must not sleep nor submit.
 */
typedef void (*edna_hw_done_fn)(void *data, u32 status, const struct edna_hw_result *result);

/*
 * Not device statuses: the driver's own for descriptors dropped from a
 * ring, by why they were dropped.
 * EDNA_JOB_ABORTED: hang recovery reset the queue or the device; the job
 *	was innocent and runs again.
 * EDNA_JOB_CANCELED: an operator reset; the job fails.
 * EDNA_JOB_GONE: the device is going away.
 * EDNA_JOB_WEDGED: the device did not come back from a reset.
 */
#define EDNA_JOB_ABORTED	0xfffffff0
#define EDNA_JOB_CANCELED	0xfffffff1
#define EDNA_JOB_GONE		0xfffffff2
#define EDNA_JOB_WEDGED		0xfffffff3

/**
 * struct edna_hw_slot - who submitted the descriptor in a ring slot
 * @done: called on completion
 * @data: for @done
 */
struct edna_hw_slot {
	edna_hw_done_fn done;
	void *data;
};

/**
 * struct edna_ring - the driver's side of one hardware command queue
 * @queue: hardware queue index
 * @entries: ring size, a power of two
 * @desc: the ring in coherent memory, @entries descriptors
 * @dma: bus address of @desc
 * @slots: who to tell when the descriptor in the same slot completes
 * @lock: protects @tail, @completed, @slots, @seq and writes to @desc;
 *	taken in the interrupt handler
 * @tail: descriptors written (free running, as the TAIL register)
 * @completed: descriptors whose completion was processed (free running)
 * @seq: sequence number of the last descriptor written
 */
struct edna_ring {
	u32 queue;
	u32 entries;
	struct edna_hw_desc *desc;
	dma_addr_t dma;
	struct edna_hw_slot *slots;

	spinlock_t lock;		/* tail, completed, slots, seq */
	u32 tail;
	u32 completed;
	u32 seq;
};

/**
 * struct edna_fault - the last MMU fault the device reported
 * @va: faulting device virtual address
 * @ctx: MMU context of the faulting job
 * @queue: queue of the faulting job
 * @reason: enum edna_fault_reason
 * @write: the access was a write
 * @count: faults reported since probe
 */
struct edna_fault {
	u64 va;
	u32 ctx;
	u32 queue;
	u32 reason;
	bool write;
	u64 count;
};

/**
 * struct edna_irq_stats - interrupts seen, for debugfs and tests
 * @handled: interrupts that had a cause
 * @job_done: JOB_DONE causes, summed over queues
 * @job_error: JOB_ERROR causes, summed over queues
 * @mmu_fault: MMU_FAULT causes
 * @dev_error: DEV_ERROR causes
 */
struct edna_irq_stats {
	u64 handled;
	u64 job_done;
	u64 job_error;
	u64 mmu_fault;
	u64 dev_error;
};

/**
 * struct edna_region - allocator of one device-local memory tier
 * @size: bytes in the tier
 * @lock: protects @mm
 * @mm: allocations, in bytes from the start of the tier
 */
struct edna_region {
	u64 size;
	struct mutex lock;	/* the allocator */
	struct drm_mm mm;
};

/**
 * struct edna_pm - the device's power states as the driver runs them
 * @lock: protects everything below but @local_bufs; taken under a ring's
 *	lock, in the interrupt handler too
 * @state: EDNA_PSTATE_* the device is in
 * @descs: descriptors on the rings, all queues: the clock runs while any
 * @since_ns: ktime up to which @residency_ns counts
 * @residency_ns: time spent in each state since probe
 * @energy_uj: what the device's energy counter had reached before each
 *	reset and power-off cleared it
 * @avg_interval_ms: hwmon power1_average_interval
 * @avg_start_ns: ktime the current averaging window opened
 * @avg_start_uj: energy when it opened
 * @avg_uw: average power of the last full window, or -1 before the first
 * @local_bufs: buffers in device DRAM or SRAM; while any exists a runtime
 *	PM reference keeps the device out of OFF, which would lose them
 */
struct edna_pm {
	spinlock_t lock;		/* all but local_bufs; irq-safe */
	u32 state;
	u32 descs;
	u64 since_ns;
	u64 residency_ns[EDNA_POWER_COUNT];
	u64 energy_uj;
	u32 avg_interval_ms;
	u64 avg_start_ns;
	u64 avg_start_uj;
	s64 avg_uw;
	atomic_t local_bufs;
};

/**
 * struct edna_device - one accelerator
 * @drm: the DRM accel device; its lifetime is the lifetime of this struct
 * @regmap: register access; used only by edna_hw.c
 * @irq: the device interrupt
 * @caps: identity and capabilities
 * @rings: one per hardware queue, @caps.num_queues of them
 * @regions: allocators of device DRAM and SRAM (index enum drm_edna_region;
 *	host memory has none)
 * @kctx: the kernel's own MMU context, id 0: diagnostics, clearing buffers
 * @kva_lock: protects @kva_mm
 * @kva_mm: allocator of @kctx addresses for the kernel's jobs
 * @contexts: live MMU contexts by id, so a reset can restore them
 * @fault_lock: protects @fault and @irq_stats; taken in the interrupt handler
 * @fault: the last MMU fault
 * @irq_stats: interrupt counts
 * @queues: the job scheduler of each hardware queue
 * @recovery_lock: serialises job recovery (hang timeouts, operator resets)
 *	around the schedulers; taken before @reset_lock
 * @reset_lock: serialises device and queue resets
 * @mmu_inv_lock: serialises MMU invalidations; taken inside @reset_lock
 * @diag_lock: serialises the debugfs diagnostics
 * @coherent: the device snoops CPU caches; else CPU mappings are
 *	write-combined
 * @wedged: a reset or an MMU invalidation failed: the device may still be
 *	running what it held, so nothing it could reach is freed, and jobs
 *	fail with -EIO until an operator reset brings it back.  Set by
 *	whoever sees the failure; cleared only by a reset, under @reset_lock
 * @paused: the diagnostics own the rings; recovery stays away.  Under
 *	@recovery_lock
 * @recovery_wq: ordered; runs every queue's timeout handler and the
 *	operator's resets, one at a time
 * @dev_error_work: on @recovery_wq: the device halted on a firmware error,
 *	reset it
 * @dev_error_queue: the queue of the job the device halted on; written by
 *	the interrupt handler before it queues @dev_error_work
 * @recovery_ready: the schedulers exist, and with them @recovery_wq:
 *	the interrupt handler may queue @dev_error_work
 * @job_seqno: sequence number of the last job, per device
 * @retiring: jobs and deferred releases whose fences signalled but which
 *	have not yet let go of their memory
 * @retire_seq: releases counted in @retiring that completed
 * @retire_wq: woken when one does
 * @host_limit: bytes of host memory one client may hold in buffers
 * @pm: power states, residency and energy
 */
struct edna_device {
	struct drm_device drm;
	struct regmap *regmap;
	int irq;
	struct edna_caps caps;
	struct edna_ring rings[EDNA_MAX_QUEUES];
	struct edna_region regions[EDNA_REGION_COUNT];
	struct edna_mmu_ctx *kctx;
	struct mutex kva_lock;		/* kva_mm */
	struct drm_mm kva_mm;

	struct xarray contexts;

	spinlock_t fault_lock;		/* fault, irq_stats; irq-safe */
	struct edna_fault fault;
	struct edna_irq_stats irq_stats;

	struct edna_job_queue **queues;

	struct mutex recovery_lock;	/* scheduler recovery */
	struct mutex reset_lock;	/* resets, contexts */
	struct mutex mmu_inv_lock;	/* MMU_INVALIDATE */
	struct mutex diag_lock;		/* diagnostics */

	bool coherent;
	bool wedged;
	bool paused;
	struct workqueue_struct *recovery_wq;
	struct work_struct dev_error_work;
	u32 dev_error_queue;
	bool recovery_ready;
	atomic64_t job_seqno;
	atomic_t retiring;
	atomic_t retire_seq;
	wait_queue_head_t retire_wq;
	u64 host_limit;
	struct edna_pm pm;
};

/**
 * edna_wedged() - whether a failed reset left the device unusable
 * @edev: the device
 *
 * Return: true when nothing the device could reach may be freed.
 */
static inline bool edna_wedged(struct edna_device *edev)
{
	return READ_ONCE(edev->wedged);
}

/**
 * struct edna_charge - host memory held by one client's buffers
 * @ref: the client and each buffer it created; buffers outlive clients
 *	(dma-buf exports) and the charge goes with the last of them
 * @bytes: bytes of host buffers the client created and that still exist
 */
struct edna_charge {
	refcount_t ref;
	atomic64_t bytes;
};

/**
 * struct edna_file - one open file: one client, one device address space
 * @edev: the device; a reference on its drm_device is held
 * @ref: held by the file, by each of its jobs and by each deferred
 *	release of a mapping; the address space must outlive every job
 *	that runs in it
 * @free_work: the last reference went: tear down in process context,
 *	outside the schedulers' work items
 * @ctx: the MMU context of this client
 * @va_lock: protects @va_mm
 * @va_mm: allocator of device virtual addresses in @ctx
 * @client_id: the DRM client id, for drm_sched and fdinfo
 * @charge: host memory of the buffers this client created
 * @entity_lock: serialises making @entities; an entry, once set, stays
 *	until the client is freed and is read without the lock
 * @push_lock: serialises arming and pushing of this file's jobs; taken
 *	inside the buffers' reservation locks
 * @entities: scheduler entities by queue and priority, made on first use
 * @fence_lock: protects @last_fence
 * @last_fence: finished fence of the last job pushed to each entity; a
 *	job can reach every buffer mapped in @ctx, whether it listed it or
 *	not, so a mapping is torn down only after all of these signalled
 * @results_lock: protects @results, @results_last, @done and @done_count
 * @results: struct edna_job_result of jobs in flight and recently done,
 *	by sequence number
 * @results_last: the newest entry of @results, where the next one goes
 * @done: completed results, oldest first; at most EDNA_WAIT_KEPT_RESULTS
 * @done_count: entries in @done
 * @in_flight: jobs submitted and not yet freed
 * @faults: jobs of this file that failed on the device or hung
 * @banned: too many @faults: new jobs are refused with -ECANCELED; per
 *	open file
 * @closed: the file was closed: its jobs not yet on the device end with
 *	-ESRCH
 * @busy_ns: device time used by this file's jobs, per queue
 */
struct edna_file {
	struct edna_device *edev;
	struct kref ref;
	struct work_struct free_work;
	struct edna_mmu_ctx *ctx;
	struct mutex va_lock;		/* va_mm */
	struct drm_mm va_mm;
	u64 client_id;
	struct edna_charge *charge;

	struct mutex entity_lock;	/* entities */
	struct mutex push_lock;		/* arm to push */
	struct drm_sched_entity *entities[EDNA_MAX_QUEUES][EDNA_PRIORITY_COUNT];

	spinlock_t fence_lock;		/* last_fence */
	struct dma_fence *last_fence[EDNA_MAX_QUEUES][EDNA_PRIORITY_COUNT];

	spinlock_t results_lock;	/* results, results_last, done, done_count */
	struct rb_root results;
	struct rb_node *results_last;
	struct list_head done;
	u32 done_count;
	atomic_t in_flight;

	atomic_t faults;
	bool banned;
	bool closed;
	atomic64_t busy_ns[EDNA_MAX_QUEUES];
};

static inline struct edna_device *to_edna_device(struct drm_device *drm)
{
	return container_of(drm, struct edna_device, drm);
}

void edna_file_get(struct edna_file *efile);
void edna_file_put(struct edna_file *efile);
void edna_file_put_async(struct edna_file *efile);
extern struct workqueue_struct *edna_wq;

int edna_device_probe(struct device *dev, struct regmap *regmap, int irq);
void edna_device_remove(struct device *dev);
void edna_device_shutdown(struct device *dev);

int edna_platform_register(void);
void edna_platform_unregister(void);
#if IS_ENABLED(CONFIG_PCI)
int edna_pci_register(void);
void edna_pci_unregister(void);
#else
static inline int edna_pci_register(void) { return 0; }
static inline void edna_pci_unregister(void) { }
#endif

extern const struct regmap_config edna_regmap_config;

#endif /* __EDNA_DRV_H__ */
