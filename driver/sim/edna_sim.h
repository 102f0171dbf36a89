/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_SIM_H__
#define __EDNA_SIM_H__

#include <linux/irq_work.h>
#include <linux/regmap.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "../edna_regs.h"

struct platform_device;
struct irq_domain;
struct dentry;

/**
 * struct edna_sim_params - the shape of one simulated device
 *
 * Set from module parameters at creation; constant afterwards.
 */
struct edna_sim_params {
	u32 num_queues;
	u32 num_contexts;
	u32 sram_kib;
	u32 dram_kib;
	u32 clock_mhz;
	u32 macs_per_cycle;
	u32 bw_mbps[EDNA_NUM_TARGETS];
	u32 power_mw[3];
	u32 power_up_us;
};

/**
 * struct edna_sim - one simulated edna device
 * @index: instance number, also the platform device id
 * @params: its shape
 * @parent: owner of @regmap; the platform device's parent
 * @pdev: the platform device the edna driver binds to
 * @regmap: the register map, served by edna_sim_reg_read/write
 * @fwnode: names @domain
 * @domain: the interrupt controller of this device, one line
 * @irq_work: delivers the line from interrupt context
 * @wq: runs the device's "firmware": boot
 * @boot_work: completes a reset, the way firmware boot would
 * @lock: protects the register state below; taken with interrupts off
 *	because regmap calls back with its own spinlock held
 * @dev_status: DEV_STATUS
 * @handshake: HANDSHAKE
 * @dev_error: DEV_ERROR
 * @irq_status: IRQ_STATUS
 * @irq_mask: IRQ_MASK
 * @scratch: SCRATCH
 * @power_state: POWER_STATUS
 * @debugfs: this device's knobs
 */
struct edna_sim {
	int index;
	struct edna_sim_params params;
	struct device *parent;
	struct platform_device *pdev;
	struct regmap *regmap;
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	struct irq_work irq_work;
	struct workqueue_struct *wq;
	struct work_struct boot_work;
	struct dentry *debugfs;

	spinlock_t lock;
	u32 dev_status;
	u32 handshake;
	u32 dev_error;
	u32 irq_status;
	u32 irq_mask;
	u32 scratch;
	u32 power_state;
};

extern const struct regmap_config edna_sim_regmap_config;

void edna_sim_regs_reset(struct edna_sim *sim);
void edna_sim_boot_work(struct work_struct *work);
void edna_sim_raise_locked(struct edna_sim *sim, u32 bits);

#endif /* __EDNA_SIM_H__ */
