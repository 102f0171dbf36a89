// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: the register file.
 *
 * Every register of Documentation/hardware.rst is served here; regmap calls
 * these with its spinlock held, so nothing here sleeps.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include "edna_sim.h"

#define EDNA_SIM_VERSION	(FIELD_PREP(EDNA_VERSION_MAJOR, 1) | \
				 FIELD_PREP(EDNA_VERSION_MINOR, 0))

static u32 edna_sim_caps(const struct edna_sim_params *p)
{
	return FIELD_PREP(EDNA_CAPS_QUEUES, p->num_queues) |
	       FIELD_PREP(EDNA_CAPS_CONTEXTS, p->num_contexts) |
	       FIELD_PREP(EDNA_CAPS_PAGE_SHIFT, EDNA_PAGE_SHIFT) |
	       FIELD_PREP(EDNA_CAPS_VA_BITS, EDNA_VA_BITS);
}

/* Raise the line if an enabled cause is pending; called with sim->lock. */
void edna_sim_raise_locked(struct edna_sim *sim, u32 bits)
{
	sim->irq_status |= bits;
	if ((sim->irq_status & sim->irq_mask) && !edna_sim_inject_lose_irq_locked(sim))
		irq_work_queue(&sim->irq_work);
}

/* Latch a device error (first one wins) and raise it; called with sim->lock. */
void edna_sim_dev_error_locked(struct edna_sim *sim, u32 code, unsigned int queue)
{
	if (!sim->dev_error)
		sim->dev_error = FIELD_PREP(EDNA_DEV_ERROR_CODE, code) |
				 FIELD_PREP(EDNA_DEV_ERROR_QUEUE, queue);
	edna_sim_raise_locked(sim, EDNA_IRQ_DEV_ERROR);
}

static void edna_sim_kick_all_locked(struct edna_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->params.num_queues; i++)
		edna_sim_queue_kick_locked(&sim->queues[i]);
}

/* Energy in pJ, reported in whole uJ; called with sim->lock. */
void edna_sim_add_energy_locked(struct edna_sim *sim, u64 pj)
{
	u32 rem;

	pj += sim->energy_pj;
	sim->cnt_energy_uj += div_u64_rem(pj, 1000000, &rem);
	sim->energy_pj = rem;
}

/**
 * edna_sim_power_sync_locked() - count the power state's time up to now
 * @sim: the device
 *
 * The static power of the state (mW * ns = pJ) goes to the energy
 * counter and ACTIVE time to the cycle counter.  Called with sim->lock
 * before the state changes and before either counter is read.
 */
void edna_sim_power_sync_locked(struct edna_sim *sim)
{
	u64 now = ktime_get_ns();
	u64 ns = now - sim->state_ns;

	sim->state_ns = now;
	if (sim->power_state == EDNA_PSTATE_OFF)
		return;
	if (sim->power_state == EDNA_PSTATE_ACTIVE)
		sim->active_ns += ns;
	edna_sim_add_energy_locked(sim, ns * sim->params.power_mw[sim->power_state]);
}

/**
 * edna_sim_regs_reset() - the state after a device reset
 * @sim: the device
 *
 * Everything but the identity registers and the memories.  Queues whose
 * engine holds a job are reset when it lets go (reset_pending); the boot
 * work waits for that.  Called with sim->lock held, or before the device
 * is visible.
 */
void edna_sim_regs_reset(struct edna_sim *sim)
{
	unsigned int i;

	sim->reset_gen++;
	sim->dev_status = 0;
	sim->handshake = 0;
	sim->dev_error = 0;
	sim->irq_status = 0;
	sim->irq_mask = 0;
	sim->scratch = 0;
	sim->power_state = EDNA_PSTATE_ACTIVE;
	sim->fault_va = 0;
	sim->fault_info = 0;
	memset(sim->ctx_root, 0, sim->params.num_contexts * sizeof(*sim->ctx_root));
	sim->state_ns = ktime_get_ns();
	sim->active_ns = 0;
	sim->cnt_ops = 0;
	sim->cnt_macs = 0;
	memset(sim->cnt_bytes, 0, sizeof(sim->cnt_bytes));
	sim->cnt_energy_uj = 0;
	sim->energy_pj = 0;
	for (i = 0; i < sim->params.num_queues; i++) {
		struct edna_sim_queue *q = &sim->queues[i];

		edna_sim_queue_reset_locked(q);
		q->jobs = 0;
		q->busy_cycles = 0;
	}
}

/**
 * edna_sim_quiesce() - stop the device for good before it is destroyed
 * @sim: the device
 *
 * Engines abandon their jobs at the next chunk boundary and nothing is
 * queued any more; destroy_workqueue() then waits for them.
 */
void edna_sim_quiesce(struct edna_sim *sim)
{
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	sim->dying = true;
	edna_sim_regs_reset(sim);
	spin_unlock_irqrestore(&sim->lock, flags);
}

/**
 * edna_sim_boot_work() - firmware boot after a reset or a power-up
 * @work: sim->boot_work
 *
 * Process context on sim->wq.  READY is set only when no engine holds a
 * job from before the reset any more, the memories are zeroed if power
 * was lost, and no newer reset happened meanwhile (that one queued this
 * work again).
 */
void edna_sim_boot_work(struct work_struct *work)
{
	struct edna_sim *sim = container_of(work, struct edna_sim, boot_work);
	unsigned long flags;
	bool go, lost, halt;
	u64 since, power_up_ns;
	unsigned int i, t;
	u32 gen;

	spin_lock_irqsave(&sim->lock, flags);
	gen = sim->reset_gen;
	go = !sim->dying && sim->power_state != EDNA_PSTATE_OFF;
	spin_unlock_irqrestore(&sim->lock, flags);
	if (!go)
		return;

	/*
	 * READY is clear, so engines cannot claim new jobs; those holding
	 * one abandon it at their next chunk boundary.
	 */
	for (i = 0; i < sim->params.num_queues; i++)
		flush_work(&sim->queues[i].work);

	spin_lock_irqsave(&sim->lock, flags);
	lost = sim->mem_lost;
	sim->mem_lost = false;
	since = sim->power_up_ns;
	spin_unlock_irqrestore(&sim->lock, flags);
	/*
	 * No engine runs until READY: nobody sees the memories meanwhile.
	 * Only what was reached since the last power-up can be non-zero.
	 */
	if (lost) {
		for (t = EDNA_TARGET_DRAM; t < EDNA_NUM_TARGETS; t++) {
			memset(sim->mem[t], 0, atomic64_read(&sim->mem_used[t]));
			atomic64_set(&sim->mem_used[t], 0);
		}
		/* A power-up takes POWER_UP_US, zeroing included. */
		power_up_ns = ((u64)sim->params.power_up_us +
			       READ_ONCE(sim->power_up_extra_us)) * NSEC_PER_USEC;
		while (ktime_get_ns() - since < power_up_ns) {
			u64 left_us = div_u64(power_up_ns - (ktime_get_ns() - since),
					      NSEC_PER_USEC) + 1;

			usleep_range(left_us, left_us + left_us / 8 + 10);
		}
	}

	spin_lock_irqsave(&sim->lock, flags);
	if (gen == sim->reset_gen && !sim->dying && sim->power_state != EDNA_PSTATE_OFF) {
		/* Fault injection: the firmware does not come up after power-up. */
		halt = lost && atomic_dec_if_positive(&sim->fail_power_ups) >= 0;
		if (halt) {
			sim->dev_status = EDNA_DEV_STATUS_HALTED;
		} else {
			sim->dev_status |= EDNA_DEV_STATUS_READY;
			edna_sim_kick_all_locked(sim);
		}
	}
	spin_unlock_irqrestore(&sim->lock, flags);
}

static void edna_sim_dev_reset_locked(struct edna_sim *sim)
{
	edna_sim_regs_reset(sim);
	/* Fault injection: the firmware does not come back. */
	if (atomic_dec_if_positive(&sim->fail_resets) >= 0) {
		sim->dev_status = EDNA_DEV_STATUS_HALTED;
		return;
	}
	if (!sim->dying)
		queue_work(sim->wq, &sim->boot_work);
}

static void edna_sim_power_locked(struct edna_sim *sim, u32 state)
{
	u32 old = sim->power_state;

	if (state > EDNA_PSTATE_OFF || state == old)
		return;

	edna_sim_power_sync_locked(sim);
	if (state == EDNA_PSTATE_OFF) {
		/* Context and memories are lost; boot_work zeroes the latter. */
		edna_sim_regs_reset(sim);
		sim->power_state = EDNA_PSTATE_OFF;
		sim->mem_lost = true;
		return;
	}

	sim->power_state = state;
	if (old == EDNA_PSTATE_OFF) {
		/* Power-up boots as a reset does; the counters start again. */
		sim->power_up_ns = ktime_get_ns();
		sim->state_ns = sim->power_up_ns;
		if (!sim->dying)
			queue_work(sim->wq, &sim->boot_work);
	} else if (state == EDNA_PSTATE_ACTIVE) {
		edna_sim_kick_all_locked(sim);
	}
}

static bool edna_sim_read_ro(struct edna_sim *sim, unsigned int reg, u32 *val)
{
	const struct edna_sim_params *p = &sim->params;

	switch (reg) {
	case EDNA_REG_ID:
		*val = EDNA_ID_MAGIC;
		return true;
	case EDNA_REG_VERSION:
		*val = EDNA_SIM_VERSION;
		return true;
	case EDNA_REG_CAPS:
		*val = edna_sim_caps(p);
		return true;
	case EDNA_REG_SRAM_KIB:
		*val = p->sram_kib;
		return true;
	case EDNA_REG_DRAM_KIB:
		*val = p->dram_kib;
		return true;
	case EDNA_REG_CLOCK_MHZ:
		*val = p->clock_mhz;
		return true;
	case EDNA_REG_MACS_PER_CYCLE:
		*val = p->macs_per_cycle;
		return true;
	case EDNA_REG_BW_MBPS(0) ... EDNA_REG_BW_MBPS(EDNA_NUM_TARGETS - 1):
		*val = p->bw_mbps[(reg - EDNA_REG_BW_MBPS(0)) / 4];
		return true;
	case EDNA_REG_POWER_MW(0) ... EDNA_REG_POWER_MW(2):
		*val = p->power_mw[(reg - EDNA_REG_POWER_MW(0)) / 4];
		return true;
	case EDNA_REG_POWER_UP_US:
		*val = p->power_up_us;
		return true;
	}
	return false;
}

/* Which queue or context a register belongs to, or -1. */
static int edna_sim_queue_of(const struct edna_sim *sim, unsigned int reg)
{
	unsigned int q;

	if (reg < EDNA_REG_Q(0, 0))
		return -1;
	q = (reg - EDNA_REG_Q(0, 0)) / EDNA_QUEUE_STRIDE;
	return q < sim->params.num_queues ? q : -1;
}

static int edna_sim_ctx_of(const struct edna_sim *sim, unsigned int reg)
{
	unsigned int ctx;

	if (reg < EDNA_REG_CTX_ROOT_LO(0))
		return -1;
	ctx = (reg - EDNA_REG_CTX_ROOT_LO(0)) / 8;
	return ctx < sim->params.num_contexts ? ctx : -1;
}

/* CTX_ROOT: the table address, bits 51:12, and VALID; the rest reads zero. */
#define EDNA_SIM_ROOT_MASK	(EDNA_PTE_ADDR | EDNA_CTX_ROOT_VALID)

/* The 64-bit counter whose LO register is @lo; called with sim->lock. */
static u64 edna_sim_counter(struct edna_sim *sim, unsigned int lo)
{
	unsigned int i;

	switch (lo) {
	case EDNA_REG_CNT_OPS_LO:
		return sim->cnt_ops;
	case EDNA_REG_CNT_MACS_LO:
		return sim->cnt_macs;
	case EDNA_REG_CNT_ENERGY_UJ_LO:
		edna_sim_power_sync_locked(sim);
		return sim->cnt_energy_uj;
	case EDNA_REG_CNT_CYCLES_LO:
		/* The clock runs only while ACTIVE; 0 while OFF (reset). */
		edna_sim_power_sync_locked(sim);
		return mul_u64_u32_div(sim->active_ns, sim->params.clock_mhz, 1000);
	case EDNA_REG_CNT_BYTES_LO(0, 0) ... EDNA_REG_CNT_BYTES_LO(EDNA_NUM_TARGETS - 1, 1):
		i = (lo - EDNA_REG_CNT_BYTES_LO(0, 0)) / 8;
		return sim->cnt_bytes[i / 2][i % 2];
	}
	return 0;
}

static u32 edna_sim_read_locked(struct edna_sim *sim, unsigned int reg)
{
	int i;

	switch (reg) {
	case EDNA_REG_DEV_STATUS:
		return sim->dev_status;
	case EDNA_REG_HANDSHAKE:
		return sim->handshake;
	case EDNA_REG_DEV_ERROR:
		return sim->dev_error;
	case EDNA_REG_POWER_CTRL:
	case EDNA_REG_POWER_STATUS:
		return sim->power_state;
	case EDNA_REG_SCRATCH:
		return sim->scratch;
	case EDNA_REG_IRQ_STATUS:
		return sim->irq_status;
	case EDNA_REG_IRQ_MASK:
		return sim->irq_mask;
	case EDNA_REG_MMU_FAULT_VA_LO:
		return lower_32_bits(sim->fault_va);
	case EDNA_REG_MMU_FAULT_VA_HI:
		return upper_32_bits(sim->fault_va);
	case EDNA_REG_MMU_FAULT_INFO:
		return sim->fault_info;
	}

	if (reg >= EDNA_REG_CNT_OPS_LO && reg <= EDNA_REG_LAST) {
		u64 v = edna_sim_counter(sim, reg & ~4u);

		return reg & 4 ? upper_32_bits(v) : lower_32_bits(v);
	}
	i = edna_sim_queue_of(sim, reg);
	if (i >= 0)
		return edna_sim_queue_read_locked(&sim->queues[i],
						  (reg - EDNA_REG_Q(0, 0)) % EDNA_QUEUE_STRIDE);
	i = edna_sim_ctx_of(sim, reg);
	if (i >= 0)
		return reg & 4 ? upper_32_bits(sim->ctx_root[i]) : lower_32_bits(sim->ctx_root[i]);

	if (reg == EDNA_REG_MMU_INVALIDATE)
		return edna_sim_inv_busy_locked(sim) ? EDNA_MMU_INV_BUSY : 0;
	/* Unassigned addresses and DEV_CTRL read as zero. */
	return 0;
}

/**
 * edna_sim_reg_read() - read a register as the device holds it
 * @context: the device
 * @reg: register address
 * @val: the value
 *
 * The model's own view, for debugfs; the driver reads through
 * edna_sim_bus_read().  Does not sleep.
 *
 * Return: 0.
 */
int edna_sim_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct edna_sim *sim = context;
	unsigned long flags;
	u32 v = 0;

	if (edna_sim_read_ro(sim, reg, &v)) {
		*val = v;
		return 0;
	}

	spin_lock_irqsave(&sim->lock, flags);
	v = edna_sim_read_locked(sim, reg);
	spin_unlock_irqrestore(&sim->lock, flags);
	*val = v;
	return 0;
}

/*
 * regmap's read callback, with its spinlock held: the register as the host
 * sees it across the bus.  A device that fell off the bus (fault injection)
 * reads as all-ones, whatever it holds.
 */
static int edna_sim_bus_read(void *context, unsigned int reg, unsigned int *val)
{
	struct edna_sim *sim = context;

	if (READ_ONCE(sim->mmio_all_ones)) {
		*val = ~0u;
		return 0;
	}
	return edna_sim_reg_read(context, reg, val);
}

static void edna_sim_write_locked(struct edna_sim *sim, unsigned int reg, u32 val)
{
	int i;

	/* Without power only POWER_CTRL is decoded. */
	if (sim->power_state == EDNA_PSTATE_OFF && reg != EDNA_REG_POWER_CTRL)
		return;

	switch (reg) {
	case EDNA_REG_DEV_CTRL:
		if (val & EDNA_DEV_CTRL_RESET)
			edna_sim_dev_reset_locked(sim);
		return;
	case EDNA_REG_HANDSHAKE:
		/* The firmware answers only once booted. */
		if (val == EDNA_HANDSHAKE_HOST && (sim->dev_status & EDNA_DEV_STATUS_READY))
			sim->handshake = EDNA_HANDSHAKE_DEVICE;
		return;
	case EDNA_REG_POWER_CTRL:
		edna_sim_power_locked(sim, val);
		return;
	case EDNA_REG_SCRATCH:
		sim->scratch = val;
		return;
	case EDNA_REG_IRQ_STATUS:
		sim->irq_status &= ~val;
		/* Acknowledging a cause frees its latch for the next error. */
		if (val & EDNA_IRQ_MMU_FAULT) {
			sim->fault_va = 0;
			sim->fault_info = 0;
		}
		if (val & EDNA_IRQ_DEV_ERROR)
			sim->dev_error = 0;
		return;
	case EDNA_REG_IRQ_MASK:
		sim->irq_mask = val;
		edna_sim_raise_locked(sim, 0);
		return;
	case EDNA_REG_MMU_INVALIDATE:
		edna_sim_inv_start_locked(sim);
		return;
	}

	i = edna_sim_queue_of(sim, reg);
	if (i >= 0) {
		edna_sim_queue_write_locked(&sim->queues[i],
					    (reg - EDNA_REG_Q(0, 0)) % EDNA_QUEUE_STRIDE, val);
		return;
	}
	i = edna_sim_ctx_of(sim, reg);
	if (i >= 0) {
		u64 root = sim->ctx_root[i];

		if (reg & 4)
			root = ((u64)val << 32) | lower_32_bits(root);
		else
			root = (root & GENMASK_ULL(63, 32)) | val;
		sim->ctx_root[i] = root & EDNA_SIM_ROOT_MASK;
	}
	/* Writes to read-only or unassigned addresses are ignored. */
}

static int edna_sim_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct edna_sim *sim = context;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	edna_sim_write_locked(sim, reg, val);
	spin_unlock_irqrestore(&sim->lock, flags);
	return 0;
}

const struct regmap_config edna_sim_regmap_config = {
	.name = "edna-sim",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = EDNA_REG_LAST,
	.reg_read = edna_sim_bus_read,
	.reg_write = edna_sim_reg_write,
	/* The driver reads registers from its interrupt handler. */
	.fast_io = true,
};
