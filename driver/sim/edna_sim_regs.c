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
	if (sim->irq_status & sim->irq_mask)
		irq_work_queue(&sim->irq_work);
}

/* Everything a reset clears; called with sim->lock held. */
void edna_sim_regs_reset(struct edna_sim *sim)
{
	sim->dev_status = 0;
	sim->handshake = 0;
	sim->dev_error = 0;
	sim->irq_status = 0;
	sim->irq_mask = 0;
	sim->scratch = 0;
	sim->power_state = EDNA_PSTATE_ACTIVE;
}

/* Boot firmware after a reset: runs in process context on the sim's wq. */
void edna_sim_boot_work(struct work_struct *work)
{
	struct edna_sim *sim = container_of(work, struct edna_sim, boot_work);
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	sim->dev_status = EDNA_DEV_STATUS_READY;
	spin_unlock_irqrestore(&sim->lock, flags);
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

static int edna_sim_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct edna_sim *sim = context;
	unsigned long flags;
	u32 v = 0;

	if (edna_sim_read_ro(sim, reg, &v)) {
		*val = v;
		return 0;
	}

	spin_lock_irqsave(&sim->lock, flags);
	switch (reg) {
	case EDNA_REG_DEV_STATUS:
		v = sim->dev_status;
		break;
	case EDNA_REG_HANDSHAKE:
		v = sim->handshake;
		break;
	case EDNA_REG_DEV_ERROR:
		v = sim->dev_error;
		break;
	case EDNA_REG_POWER_STATUS:
		v = sim->power_state;
		break;
	case EDNA_REG_SCRATCH:
		v = sim->scratch;
		break;
	case EDNA_REG_IRQ_STATUS:
		v = sim->irq_status;
		break;
	case EDNA_REG_IRQ_MASK:
		v = sim->irq_mask;
		break;
	default:
		/* Unassigned addresses read as zero, as the manual says. */
		break;
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	*val = v;
	return 0;
}

static void edna_sim_dev_reset_locked(struct edna_sim *sim)
{
	edna_sim_regs_reset(sim);
	queue_work(sim->wq, &sim->boot_work);
}

static int edna_sim_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct edna_sim *sim = context;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	switch (reg) {
	case EDNA_REG_DEV_CTRL:
		if (val & EDNA_DEV_CTRL_RESET)
			edna_sim_dev_reset_locked(sim);
		break;
	case EDNA_REG_HANDSHAKE:
		/* The firmware answers only once booted. */
		if (val == EDNA_HANDSHAKE_HOST && (sim->dev_status & EDNA_DEV_STATUS_READY))
			sim->handshake = EDNA_HANDSHAKE_DEVICE;
		break;
	case EDNA_REG_SCRATCH:
		sim->scratch = val;
		break;
	case EDNA_REG_IRQ_STATUS:
		sim->irq_status &= ~val;
		break;
	case EDNA_REG_IRQ_MASK:
		sim->irq_mask = val;
		edna_sim_raise_locked(sim, 0);
		break;
	default:
		/* Writes to read-only or unassigned addresses are ignored. */
		break;
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	return 0;
}

const struct regmap_config edna_sim_regmap_config = {
	.name = "edna-sim",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = EDNA_REG_LAST,
	.reg_read = edna_sim_reg_read,
	.reg_write = edna_sim_reg_write,
	/* The driver reads registers from its interrupt handler. */
	.fast_io = true,
};
