// SPDX-License-Identifier: GPL-2.0
/*
 * edna hardware layer: the only file that touches registers.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/units.h>
#include <linux/regmap.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_mmu.h"
#include "edna_pm.h"
#include "edna_regs.h"
#include "edna_trace.h"

/*
 * The device model boots in microseconds; silicon loads its firmware from
 * flash first, which the programming manual bounds at 100 ms.
 */
#define EDNA_BOOT_TIMEOUT_US	100000
#define EDNA_BOOT_POLL_US	20

/*
 * A power-up takes POWER_UP_US (2 ms on the model's part); the manual
 * bounds it, firmware boot included, at a second.
 */
#define EDNA_POWER_UP_TIMEOUT_US	1000000
#define EDNA_POWER_UP_POLL_US		100

/*
 * A queue reset waits for the job in flight to reach a chunk boundary; the
 * manual bounds a chunk at 4 KiB or one graph op, far below a second.
 */
#define EDNA_QUEUE_RESET_TIMEOUT_US	1000000

#define EDNA_IRQ_ALL	(EDNA_IRQ_JOB_DONE_ALL | EDNA_IRQ_JOB_ERROR_ALL | \
			 EDNA_IRQ_MMU_FAULT | EDNA_IRQ_DEV_ERROR)

static unsigned int ring_entries = 64;
module_param(ring_entries, uint, 0444);
MODULE_PARM_DESC(ring_entries, "Descriptors per hardware ring, a power of two (2-4096, default 64)");

const struct regmap_config edna_regmap_config = {
	.name = "edna",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = EDNA_REG_LAST,
};

static u32 edna_rd(struct edna_device *edev, unsigned int reg)
{
	unsigned int val = 0;

	/* regmap errors only come from a bus that is gone: read as all-ones */
	if (regmap_read(edev->regmap, reg, &val))
		return ~0u;
	return val;
}

static void edna_wr(struct edna_device *edev, unsigned int reg, u32 val)
{
	regmap_write(edev->regmap, reg, val);
}

/* A HI, LO, HI read gives a consistent snapshot of a live 64-bit counter. */
static u64 edna_rd64(struct edna_device *edev, unsigned int lo)
{
	u32 hi = edna_rd(edev, EDNA_CNT_HI(lo));
	u32 lo_val, hi2;

	for (;;) {
		lo_val = edna_rd(edev, lo);
		hi2 = edna_rd(edev, EDNA_CNT_HI(lo));
		if (hi2 == hi)
			return (u64)hi << 32 | lo_val;
		hi = hi2;
	}
}

static void edna_hw_read_caps(struct edna_device *edev)
{
	struct edna_caps *caps = &edev->caps;
	u32 reg = edna_rd(edev, EDNA_REG_CAPS);
	u32 mhz = edna_rd(edev, EDNA_REG_CLOCK_MHZ);
	int i;

	caps->version = edna_rd(edev, EDNA_REG_VERSION);
	caps->num_queues = FIELD_GET(EDNA_CAPS_QUEUES, reg);
	caps->num_contexts = FIELD_GET(EDNA_CAPS_CONTEXTS, reg);
	caps->page_shift = FIELD_GET(EDNA_CAPS_PAGE_SHIFT, reg);
	caps->va_bits = FIELD_GET(EDNA_CAPS_VA_BITS, reg);
	caps->clock_hz = (u64)mhz * HZ_PER_MHZ;
	caps->peak_macs = (u64)edna_rd(edev, EDNA_REG_MACS_PER_CYCLE) * caps->clock_hz;
	caps->region_size[EDNA_REGION_HOST] = 0;
	caps->region_size[EDNA_REGION_DRAM] = (u64)edna_rd(edev, EDNA_REG_DRAM_KIB) * SZ_1K;
	caps->region_size[EDNA_REGION_SRAM] = (u64)edna_rd(edev, EDNA_REG_SRAM_KIB) * SZ_1K;
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		caps->peak_bandwidth[i] = (u64)edna_rd(edev, EDNA_REG_BW_MBPS(i)) * HZ_PER_MHZ;
	for (i = 0; i < EDNA_POWER_COUNT; i++)
		caps->power_mw[i] = edna_rd(edev, EDNA_REG_POWER_MW(i));
	caps->power_up_us = edna_rd(edev, EDNA_REG_POWER_UP_US);
}

/**
 * edna_hw_probe() - identify the device and read its capabilities
 * @edev: the device
 *
 * Return: 0, or -ENODEV when the registers do not belong to an edna
 * device or describe one this driver cannot drive.
 */
int edna_hw_probe(struct edna_device *edev)
{
	struct edna_caps *caps = &edev->caps;
	struct device *dev = edev->drm.dev;

	caps->id = edna_rd(edev, EDNA_REG_ID);
	if (caps->id != EDNA_ID_MAGIC)
		return dev_err_probe(dev, -ENODEV, "unknown device id %#x\n", caps->id);

	edna_hw_read_caps(edev);
	if (FIELD_GET(EDNA_VERSION_MAJOR, caps->version) != 1)
		return dev_err_probe(dev, -ENODEV, "unsupported hardware version %#x\n",
				     caps->version);
	if (!caps->num_queues || caps->num_queues > EDNA_MAX_QUEUES ||
	    caps->num_contexts < 2 || caps->page_shift != EDNA_PAGE_SHIFT ||
	    caps->va_bits != EDNA_VA_BITS || !caps->clock_hz)
		return dev_err_probe(dev, -ENODEV,
				     "inconsistent capabilities: %u queues, %u contexts, page shift %u, %u VA bits\n",
				     caps->num_queues, caps->num_contexts,
				     caps->page_shift, caps->va_bits);
	return 0;
}

/*
 * Ring positions are free-running u32 counts, as HEAD and TAIL are: only
 * differences mean anything, and they stay right across the wrap.
 */
static u32 edna_ring_used(u32 completed, u32 tail)
{
	return tail - completed;
}

/* HEAD as read lies within what was written, or the device is confused. */
static bool edna_ring_head_valid(u32 completed, u32 tail, u32 head)
{
	return edna_ring_used(completed, head) <= edna_ring_used(completed, tail);
}

static struct edna_device *edev_of_ring(struct edna_ring *ring)
{
	return container_of(ring - ring->queue, struct edna_device, rings[0]);
}

/* Program a ring into its queue and enable it; the queue must be reset. */
static void edna_hw_ring_start_locked(struct edna_device *edev, struct edna_ring *ring)
{
	u32 q = ring->queue;

	edna_wr(edev, EDNA_REG_Q(q, EDNA_Q_RING_LO), lower_32_bits(ring->dma));
	edna_wr(edev, EDNA_REG_Q(q, EDNA_Q_RING_HI), upper_32_bits(ring->dma));
	edna_wr(edev, EDNA_REG_Q(q, EDNA_Q_RING_SIZE), ring->entries);
	edna_wr(edev, EDNA_REG_Q(q, EDNA_Q_CTRL), EDNA_Q_CTRL_ENABLE);
}

/* Tell the submitter of the descriptor at @idx how it ended. */
static void edna_hw_slot_done(struct edna_ring *ring, u32 idx, u32 abort_status)
{
	struct edna_hw_desc *d = &ring->desc[idx];
	struct edna_hw_slot *slot = &ring->slots[idx];
	u32 status = le32_to_cpu(READ_ONCE(d->status));

	/* The device writes the result before the status. */
	dma_rmb();
	if (status == EDNA_JOB_PENDING)
		slot->done(slot->data, abort_status, NULL);
	else
		slot->done(slot->data, status, &d->result);
}

/*
 * Tell the submitters of every descriptor still on the ring how it ended,
 * and start the ring over.  Only after the device has stopped touching the
 * ring: its queue or the whole device was reset.  A descriptor whose status
 * the device wrote before the reset completed; the others never will and
 * end with @abort_status.  Restarting the queue (@edev non-NULL) under the
 * same hold of the lock keeps submitters from writing TAIL to a queue that
 * has no ring.
 */
static void edna_hw_ring_abort(struct edna_device *edev, struct edna_ring *ring,
			       u32 abort_status)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->completed != ring->tail)
		edna_pm_descs_done(edev_of_ring(ring), ring->tail - ring->completed);
	while (ring->completed != ring->tail) {
		u32 idx = ring->completed & (ring->entries - 1);

		ring->completed++;
		edna_hw_slot_done(ring, idx, abort_status);
	}
	ring->completed = 0;
	ring->tail = 0;
	if (edev)
		edna_hw_ring_start_locked(edev, ring);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* Process every descriptor the device has consumed since the last call. */
static void edna_hw_ring_complete(struct edna_device *edev, struct edna_ring *ring)
{
	unsigned long flags;
	u32 head;

	spin_lock_irqsave(&ring->lock, flags);
	head = edna_rd(edev, EDNA_REG_Q(ring->queue, EDNA_Q_HEAD));
	if (!edna_ring_head_valid(ring->completed, ring->tail, head)) {
		/* HEAD beyond what was written: the device is confused. */
		edna_err(edev, "queue %u: head %u beyond tail %u\n", ring->queue, head, ring->tail);
		spin_unlock_irqrestore(&ring->lock, flags);
		return;
	}
	/* Status words were written before HEAD moved. */
	dma_rmb();
	if (ring->completed != head)
		edna_pm_descs_done(edev, head - ring->completed);
	while (ring->completed != head) {
		u32 idx = ring->completed & (ring->entries - 1);

		ring->completed++;
		edna_hw_slot_done(ring, idx, EDNA_JOB_ABORTED);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
}

static void edna_hw_read_fault(struct edna_device *edev)
{
	u32 info = edna_rd(edev, EDNA_REG_MMU_FAULT_INFO);
	struct edna_fault *f = &edev->fault;

	if (!(info & EDNA_FAULT_VALID))
		return;
	spin_lock(&edev->fault_lock);
	f->va = (u64)edna_rd(edev, EDNA_REG_MMU_FAULT_VA_HI) << 32 |
		edna_rd(edev, EDNA_REG_MMU_FAULT_VA_LO);
	f->ctx = FIELD_GET(EDNA_FAULT_CTX, info);
	f->queue = FIELD_GET(EDNA_FAULT_QUEUE, info);
	f->reason = FIELD_GET(EDNA_FAULT_REASON, info);
	f->write = info & EDNA_FAULT_WRITE;
	f->count++;
	trace_edna_mmu_fault(edev->drm.accel->index, f->ctx, f->queue, f->va, f->reason, f->write);
	spin_unlock(&edev->fault_lock);
	dev_err_ratelimited(edev->drm.dev,
			    "MMU fault: context %u queue %u %s at %#llx, reason %u\n",
			    f->ctx, f->queue, f->write ? "write" : "read", f->va, f->reason);
}

/*
 * DEV_ERROR clears on ack: read it first.  A firmware failure halted the
 * device, which only a device reset brings back: recovery does that.  An
 * interrupt without an error recorded is spurious.
 */
static void edna_hw_read_dev_error(struct edna_device *edev)
{
	u32 err = edna_rd(edev, EDNA_REG_DEV_ERROR);

	if (!FIELD_GET(EDNA_DEV_ERROR_CODE, err))
		return;
	dev_err_ratelimited(edev->drm.dev, "device error %#x\n", err);
	if (FIELD_GET(EDNA_DEV_ERROR_CODE, err) != EDNA_DEV_ERROR_INTERNAL)
		return;
	/* Pairs with edna_job_init(): recovery_wq and the queues are set. */
	if (smp_load_acquire(&edev->recovery_ready)) {
		WRITE_ONCE(edev->dev_error_queue, FIELD_GET(EDNA_DEV_ERROR_QUEUE, err));
		queue_work(edev->recovery_wq, &edev->dev_error_work);
	}
}

/* Handle the causes in @status, acknowledged already. */
static void edna_hw_irq_causes(struct edna_device *edev, u32 status)
{
	struct edna_irq_stats *st = &edev->irq_stats;
	unsigned long done;
	int q;

	done = FIELD_GET(EDNA_IRQ_JOB_DONE_ALL, status) | FIELD_GET(EDNA_IRQ_JOB_ERROR_ALL, status);
	for_each_set_bit(q, &done, edev->caps.num_queues)
		edna_hw_ring_complete(edev, &edev->rings[q]);

	spin_lock(&edev->fault_lock);
	st->handled++;
	st->job_done += hweight32(FIELD_GET(EDNA_IRQ_JOB_DONE_ALL, status));
	st->job_error += hweight32(FIELD_GET(EDNA_IRQ_JOB_ERROR_ALL, status));
	st->mmu_fault += !!(status & EDNA_IRQ_MMU_FAULT);
	st->dev_error += !!(status & EDNA_IRQ_DEV_ERROR);
	spin_unlock(&edev->fault_lock);
	edna_dbg(edev, IRQ, "status %#x\n", status);
}

/*
 * Causes that arrive while the handler runs would raise an interrupt the
 * kernel drops (it is already in progress): look again before returning,
 * a bounded number of times.
 */
#define EDNA_IRQ_ROUNDS		16

static irqreturn_t edna_hw_irq(int irq, void *arg)
{
	struct edna_device *edev = arg;
	irqreturn_t ret = IRQ_NONE;
	u32 status;
	int round;

	for (round = 0; round < EDNA_IRQ_ROUNDS; round++) {
		status = edna_rd(edev, EDNA_REG_IRQ_STATUS);
		/* All-ones: the device fell off the bus (surprise removal). */
		if (status == ~0u)
			break;
		status &= edna_rd(edev, EDNA_REG_IRQ_MASK);
		if (!status)
			break;

		/* The fault latch clears on ack: read it first. */
		if (status & EDNA_IRQ_MMU_FAULT)
			edna_hw_read_fault(edev);
		if (status & EDNA_IRQ_DEV_ERROR)
			edna_hw_read_dev_error(edev);
		/* Ack before processing: a completion after this raises it again. */
		edna_wr(edev, EDNA_REG_IRQ_STATUS, status);
		edna_hw_irq_causes(edev, status);
		ret = IRQ_HANDLED;
	}
	return ret;
}

/*
 * The device boots after a reset or a power-up: wait for it, then program
 * everything it held again: rings (empty), MMU contexts, interrupt mask.
 * Called with reset_lock held.  On failure the device is wedged, with
 * interrupts masked and its descriptors ended with EDNA_JOB_WEDGED.
 */
static int edna_hw_start_locked(struct edna_device *edev, u32 abort_status,
				u32 poll_us, u32 timeout_us)
{
	struct edna_mmu_ctx *ctx;
	unsigned long id;
	u32 status, q;
	int ret;

	lockdep_assert_held(&edev->reset_lock);
	ret = regmap_read_poll_timeout(edev->regmap, EDNA_REG_DEV_STATUS, status,
				       status & (EDNA_DEV_STATUS_READY | EDNA_DEV_STATUS_HALTED),
				       poll_us, timeout_us);
	if (ret) {
		edna_err(edev, "device did not become ready\n");
		goto out_abort;
	}
	if (status & EDNA_DEV_STATUS_HALTED) {
		edna_err(edev, "device halted during boot, error %#x\n",
			 edna_rd(edev, EDNA_REG_DEV_ERROR));
		ret = -EIO;
		goto out_abort;
	}

	edna_wr(edev, EDNA_REG_HANDSHAKE, EDNA_HANDSHAKE_HOST);
	ret = regmap_read_poll_timeout(edev->regmap, EDNA_REG_HANDSHAKE, status,
				       status == EDNA_HANDSHAKE_DEVICE,
				       EDNA_BOOT_POLL_US, EDNA_BOOT_TIMEOUT_US);
	if (ret) {
		edna_err(edev, "no boot handshake from the device (%#x)\n", status);
		goto out_abort;
	}

	for (q = 0; q < edev->caps.num_queues; q++)
		edna_hw_ring_abort(edev, &edev->rings[q], abort_status);
	xa_for_each(&edev->contexts, id, ctx)
		edna_hw_ctx_load(edev, id, edna_mmu_ctx_root(ctx));
	edna_wr(edev, EDNA_REG_IRQ_MASK, EDNA_IRQ_ALL);
	if (edna_wedged(edev))
		edna_warn(edev, "device is back in service\n");
	WRITE_ONCE(edev->wedged, false);
	/* Nothing on the rings: gate the clock until there is. */
	edna_pm_descs_done(edev, 0);
	return 0;

out_abort:
	/*
	 * The device may still be working on what it held: nothing it could
	 * reach may be freed from now on.  Nobody may wait forever either,
	 * so its descriptors end, with an error.
	 */
	WRITE_ONCE(edev->wedged, true);
	for (q = 0; q < edev->caps.num_queues; q++)
		edna_hw_ring_abort(NULL, &edev->rings[q], EDNA_JOB_WEDGED);
	return ret;
}

/* edna_hw_reset(), without telling the operator when the device stays down. */
static int edna_hw_reset_quiet(struct edna_device *edev, u32 abort_status)
{
	int ret;

	guard(mutex)(&edev->reset_lock);

	edna_wr(edev, EDNA_REG_IRQ_MASK, 0);
	/* The counters start again, and a reset of a gated device ungates it. */
	edna_pm_device_reset(edev);
	edna_wr(edev, EDNA_REG_DEV_CTRL, EDNA_DEV_CTRL_RESET);
	ret = edna_hw_start_locked(edev, abort_status, EDNA_BOOT_POLL_US, EDNA_BOOT_TIMEOUT_US);
	if (!ret)
		edna_dbg(edev, HW, "reset done\n");
	trace_edna_device_reset(edev->drm.accel->index, abort_status, ret);
	return ret;
}

/* What an operator of a device in service must know when it stays down. */
static int edna_hw_wedged_err(struct edna_device *edev, int ret)
{
	if (ret)
		edna_err(edev, "device wedged: jobs fail with -EIO until a reset brings it back\n");
	return ret;
}

/**
 * edna_hw_reset() - reset the whole device and bring it back to service
 * @edev: the device
 * @abort_status: how descriptors in flight end: EDNA_JOB_ABORTED (to run
 *	again), EDNA_JOB_CANCELED or EDNA_JOB_GONE
 *
 * Identify-time state survives; everything the device held is programmed
 * again: rings (empty), MMU contexts, interrupt mask.  A successful reset
 * clears the wedged state.  The device must be powered (not OFF).
 *
 * Return: 0, or -ETIMEDOUT / -EIO when the device does not come back; it
 * is then wedged (edna_wedged()), with interrupts masked and its
 * descriptors ended with EDNA_JOB_WEDGED.
 */
int edna_hw_reset(struct edna_device *edev, u32 abort_status)
{
	return edna_hw_wedged_err(edev, edna_hw_reset_quiet(edev, abort_status));
}

/**
 * edna_hw_power_off() - remove the device's power
 * @edev: the device, its rings empty
 *
 * It loses everything: registers, MMU roots, DRAM and SRAM contents.
 */
void edna_hw_power_off(struct edna_device *edev)
{
	scoped_guard(mutex, &edev->reset_lock) {
		edna_wr(edev, EDNA_REG_IRQ_MASK, 0);
		edna_pm_set_state(edev, EDNA_PSTATE_OFF);
	}
	/* A handler that read the status before it went is done with it. */
	synchronize_irq(edev->irq);
}

/**
 * edna_hw_power_up() - power the device up and program it from scratch
 * @edev: the device, OFF
 *
 * Sleeps for the device's power-up latency, POWER_UP_US.
 *
 * Return: 0, or the error of a device that did not come up; it is then
 * wedged, as after a failed reset.
 */
int edna_hw_power_up(struct edna_device *edev)
{
	int ret;

	scoped_guard(mutex, &edev->reset_lock) {
		edna_pm_set_state(edev, EDNA_PSTATE_ACTIVE);
		ret = edna_hw_start_locked(edev, EDNA_JOB_GONE, EDNA_POWER_UP_POLL_US,
					   EDNA_POWER_UP_TIMEOUT_US);
	}
	return edna_hw_wedged_err(edev, ret);
}

/**
 * edna_hw_set_power() - write the power state the device is to be in
 * @edev: the device
 * @state: EDNA_PSTATE_*
 *
 * For edna_pm.c, which keeps the books; it holds its lock.
 */
void edna_hw_set_power(struct edna_device *edev, u32 state)
{
	edna_wr(edev, EDNA_REG_POWER_CTRL, state);
}

/**
 * edna_hw_energy_uj() - the device's energy counter
 * @edev: the device
 *
 * Return: microjoules since the last reset or power-up; 0 while OFF.
 */
u64 edna_hw_energy_uj(struct edna_device *edev)
{
	return edna_rd64(edev, EDNA_REG_CNT_ENERGY_UJ_LO);
}

/**
 * edna_hw_init() - allocate the rings, take the interrupt, start the device
 * @edev: an identified device (edna_hw_probe())
 *
 * Everything is device-managed: nothing to undo but edna_hw_fini().
 *
 * Return: 0 or a negative errno.
 */
int edna_hw_init(struct edna_device *edev)
{
	struct device *dev = edev->drm.dev;
	u32 q;
	int ret;

	if (!is_power_of_2(ring_entries) || ring_entries < EDNA_RING_MIN_ENTRIES ||
	    ring_entries > EDNA_RING_MAX_ENTRIES)
		return dev_err_probe(dev, -EINVAL,
				     "ring_entries=%u is not a power of two in [%u, %u]\n",
				     ring_entries, EDNA_RING_MIN_ENTRIES, EDNA_RING_MAX_ENTRIES);

	for (q = 0; q < edev->caps.num_queues; q++) {
		struct edna_ring *ring = &edev->rings[q];

		ring->queue = q;
		ring->entries = ring_entries;
		spin_lock_init(&ring->lock);
		ring->desc = dmam_alloc_coherent(dev, ring->entries * EDNA_DESC_SIZE,
						 &ring->dma, GFP_KERNEL);
		ring->slots = devm_kcalloc(dev, ring->entries, sizeof(*ring->slots), GFP_KERNEL);
		if (!ring->desc || !ring->slots)
			return -ENOMEM;
	}

	INIT_WORK(&edev->dev_error_work, edna_job_dev_error_work);
	/* A legacy PCI interrupt line may be shared. */
	ret = devm_request_irq(dev, edev->irq, edna_hw_irq, IRQF_SHARED, dev_name(dev), edev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot take interrupt %d\n", edev->irq);

	/* Not in service yet: the probe fails, nothing is wedged. */
	ret = edna_hw_reset_quiet(edev, EDNA_JOB_GONE);
	if (ret)
		return dev_err_probe(dev, ret, "device did not start\n");
	return 0;
}

/**
 * edna_hw_fini() - stop the device before the driver lets go of it
 * @edev: the device
 *
 * After this the device touches no host memory, so the rings and page
 * tables may be freed.
 */
void edna_hw_fini(struct edna_device *edev)
{
	u32 status, q;

	edna_wr(edev, EDNA_REG_IRQ_MASK, 0);
	/* A device without power holds nothing and takes no reset. */
	if (edna_pm_state(edev) != EDNA_PSTATE_OFF) {
		edna_pm_device_reset(edev);
		edna_wr(edev, EDNA_REG_DEV_CTRL, EDNA_DEV_CTRL_RESET);
		/* READY comes back only once every queue has let go of memory. */
		if (regmap_read_poll_timeout(edev->regmap, EDNA_REG_DEV_STATUS, status,
					     status & EDNA_DEV_STATUS_READY,
					     EDNA_BOOT_POLL_US, EDNA_BOOT_TIMEOUT_US))
			edna_err(edev, "device did not quiesce\n");
	}
	synchronize_irq(edev->irq);
	/* No recovery from a device error any more: it would reset the device. */
	cancel_work_sync(&edev->dev_error_work);
	/* Nothing on the rings will complete now: tell their submitters. */
	for (q = 0; q < edev->caps.num_queues; q++)
		edna_hw_ring_abort(NULL, &edev->rings[q], EDNA_JOB_GONE);
}

/**
 * edna_hw_submit() - write one descriptor to a queue and ring its doorbell
 * @edev: the device
 * @queue: hardware queue
 * @desc: the descriptor; its seq and status are filled in here
 * @done: called once with the descriptor's final status
 * @data: for @done
 *
 * Return: 0, or -EBUSY when the ring is full.
 */
int edna_hw_submit(struct edna_device *edev, u32 queue, const struct edna_hw_desc *desc,
		   edna_hw_done_fn done, void *data)
{
	struct edna_ring *ring = &edev->rings[queue];
	struct edna_hw_desc *d;
	unsigned long flags;
	u32 idx;

	spin_lock_irqsave(&ring->lock, flags);
	if (edna_ring_used(ring->completed, ring->tail) >= ring->entries) {
		spin_unlock_irqrestore(&ring->lock, flags);
		return -EBUSY;
	}
	idx = ring->tail & (ring->entries - 1);
	d = &ring->desc[idx];
	*d = *desc;
	d->seq = cpu_to_le32(++ring->seq);
	d->status = cpu_to_le32(EDNA_JOB_PENDING);
	ring->slots[idx].done = done;
	ring->slots[idx].data = data;
	ring->tail++;
	/* The clock must run before the device looks at the ring. */
	edna_pm_desc_queued(edev);
	/*
	 * Before the doorbell, so that a probe's start never follows the
	 * device's (another CPU may run the descriptor while this one is
	 * held up here); under the ring lock, so before its edna_job_done.
	 */
	trace_edna_job_start(edev->drm.accel->index, queue, le64_to_cpu(desc->job_seqno));
	/* The descriptor must be visible to the device before the doorbell. */
	dma_wmb();
	edna_wr(edev, EDNA_REG_Q(queue, EDNA_Q_TAIL), ring->tail);
	spin_unlock_irqrestore(&ring->lock, flags);
	return 0;
}

/**
 * edna_hw_ring_space() - descriptors a queue's ring has room for
 * @edev: the device
 * @queue: hardware queue
 *
 * Return: free entries; only grows until the next edna_hw_submit().
 */
u32 edna_hw_ring_space(struct edna_device *edev, u32 queue)
{
	struct edna_ring *ring = &edev->rings[queue];
	unsigned long flags;
	u32 used;

	spin_lock_irqsave(&ring->lock, flags);
	used = edna_ring_used(ring->completed, ring->tail);
	spin_unlock_irqrestore(&ring->lock, flags);
	return ring->entries - used;
}

/**
 * edna_hw_doorbell() - ring a queue's doorbell without new descriptors
 * @edev: the device
 * @queue: hardware queue
 *
 * A diagnostic: the device must treat it as a no-op.
 */
void edna_hw_doorbell(struct edna_device *edev, u32 queue)
{
	struct edna_ring *ring = &edev->rings[queue];
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	edna_wr(edev, EDNA_REG_Q(queue, EDNA_Q_TAIL), ring->tail);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/**
 * edna_hw_queue_reset() - reset one queue, abandoning its descriptors
 * @edev: the device
 * @queue: hardware queue
 *
 * Descriptors in flight complete with EDNA_JOB_ABORTED, to run again;
 * the queue is empty and enabled again on return.
 *
 * Return: 0, or -ETIMEDOUT if the queue does not stop (reset the device).
 */
int edna_hw_queue_reset(struct edna_device *edev, u32 queue)
{
	struct edna_ring *ring = &edev->rings[queue];
	u32 ctrl;
	int ret;

	guard(mutex)(&edev->reset_lock);

	edna_wr(edev, EDNA_REG_Q(queue, EDNA_Q_CTRL), EDNA_Q_CTRL_RESET);
	ret = regmap_read_poll_timeout(edev->regmap, EDNA_REG_Q(queue, EDNA_Q_CTRL), ctrl,
				       !(ctrl & EDNA_Q_CTRL_RESET), EDNA_BOOT_POLL_US,
				       EDNA_QUEUE_RESET_TIMEOUT_US);
	if (ret) {
		edna_err(edev, "queue %u did not stop on reset\n", queue);
		trace_edna_queue_reset(edev->drm.accel->index, queue, ret);
		return ret;
	}
	edna_hw_ring_abort(edev, ring, EDNA_JOB_ABORTED);
	trace_edna_queue_reset(edev->drm.accel->index, queue, 0);
	edna_dbg(edev, HW, "queue %u reset\n", queue);
	return 0;
}

/**
 * edna_hw_ring_poll() - process a queue's completions without an interrupt
 * @edev: the device
 * @queue: hardware queue
 *
 * Before declaring a job hung: its completion interrupt may have been lost.
 */
void edna_hw_ring_poll(struct edna_device *edev, u32 queue)
{
	edna_hw_ring_complete(edev, &edev->rings[queue]);
}

/* True when every descriptor written to the queue has been completed. */
bool edna_hw_ring_idle(struct edna_device *edev, u32 queue)
{
	struct edna_ring *ring = &edev->rings[queue];
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&ring->lock, flags);
	idle = ring->tail == ring->completed;
	spin_unlock_irqrestore(&ring->lock, flags);
	return idle;
}

u32 edna_hw_ring_entries(struct edna_device *edev, u32 queue)
{
	return edev->rings[queue].entries;
}

/* PROGRESS moves while the device works on the queue's current job. */
u32 edna_hw_queue_progress(struct edna_device *edev, u32 queue)
{
	return edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_PROGRESS));
}

void edna_hw_queue_state(struct edna_device *edev, u32 queue, struct edna_hw_queue_state *st)
{
	st->head = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_HEAD));
	st->tail = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_TAIL));
	st->done_seq = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_DONE_SEQ));
	st->ctrl = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_CTRL));
	st->status = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_STATUS));
	st->progress = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_PROGRESS));
	st->jobs = edna_rd(edev, EDNA_REG_Q(queue, EDNA_Q_JOBS));
	st->busy_cycles = edna_rd64(edev, EDNA_REG_Q(queue, EDNA_Q_BUSY_CYCLES_LO));
}

/*
 * Load a context's root: HI first, as the device acts on LO, which holds
 * VALID.  A context that was not loaded has nothing cached to invalidate.
 */
void edna_hw_ctx_load(struct edna_device *edev, u32 ctx, dma_addr_t root)
{
	edna_wr(edev, EDNA_REG_CTX_ROOT_HI(ctx), upper_32_bits(root));
	edna_wr(edev, EDNA_REG_CTX_ROOT_LO(ctx), lower_32_bits(root) | EDNA_CTX_ROOT_VALID);
}

/**
 * edna_hw_ctx_clear() - unload a context
 * @edev: the device
 * @ctx: context id
 *
 * Return: 0 once the device can no longer reach its tables, or the error
 * of edna_hw_mmu_invalidate().
 */
int edna_hw_ctx_clear(struct edna_device *edev, u32 ctx)
{
	edna_wr(edev, EDNA_REG_CTX_ROOT_LO(ctx), 0);
	edna_wr(edev, EDNA_REG_CTX_ROOT_HI(ctx), 0);
	return edna_hw_mmu_invalidate(edev, ctx);
}

/*
 * An engine finishes the chunk it is in (at most 4 KiB or one graph op
 * slice) before the invalidation completes; even a slow part does that
 * in well under a second.
 */
#define EDNA_MMU_INV_TIMEOUT_US		1000000

/**
 * edna_hw_mmu_invalidate() - make the device forget a context's translations
 * @edev: the device
 * @ctx: context id
 *
 * Waits for the device to confirm: translations made before the call are
 * no longer in use when it returns, so unmapped memory may be freed.
 *
 * Return: 0, or -ETIMEDOUT when the device does not confirm; it is then
 * wedged, and the caller must not free what was mapped.
 */
int edna_hw_mmu_invalidate(struct edna_device *edev, u32 ctx)
{
	u32 val;
	int ret;

	/* One at a time: BUSY says nothing of which write it is about. */
	guard(mutex)(&edev->mmu_inv_lock);
	edna_wr(edev, EDNA_REG_MMU_INVALIDATE, ctx);
	ret = regmap_read_poll_timeout(edev->regmap, EDNA_REG_MMU_INVALIDATE, val,
				       !(val & EDNA_MMU_INV_BUSY), EDNA_BOOT_POLL_US,
				       EDNA_MMU_INV_TIMEOUT_US);
	if (ret) {
		WRITE_ONCE(edev->wedged, true);
		edna_err(edev, "context %u: MMU invalidation not confirmed, device wedged\n", ctx);
	}
	return ret;
}

void edna_hw_counters(struct edna_device *edev, struct edna_hw_counters *cnt)
{
	int r;

	cnt->ops = edna_rd64(edev, EDNA_REG_CNT_OPS_LO);
	cnt->macs = edna_rd64(edev, EDNA_REG_CNT_MACS_LO);
	for (r = 0; r < EDNA_REGION_COUNT; r++) {
		cnt->bytes[r][0] = edna_rd64(edev, EDNA_REG_CNT_BYTES_LO(r, 0));
		cnt->bytes[r][1] = edna_rd64(edev, EDNA_REG_CNT_BYTES_LO(r, 1));
	}
	cnt->energy_uj = edna_rd64(edev, EDNA_REG_CNT_ENERGY_UJ_LO);
	cnt->cycles = edna_rd64(edev, EDNA_REG_CNT_CYCLES_LO);
}

u32 edna_hw_irq_mask(struct edna_device *edev)
{
	return edna_rd(edev, EDNA_REG_IRQ_MASK);
}

void edna_hw_set_irq_mask(struct edna_device *edev, u32 mask)
{
	edna_wr(edev, EDNA_REG_IRQ_MASK, mask & EDNA_IRQ_ALL);
}

u32 edna_hw_irq_pending(struct edna_device *edev)
{
	return edna_rd(edev, EDNA_REG_IRQ_STATUS);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "edna_hw_kunit.c"
#endif
