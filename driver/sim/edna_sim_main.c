// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: an in-kernel simulation of the edna accelerator.
 *
 * Each simulated device is a platform device named "edna" whose parent
 * owns a register map served by the model, with one interrupt line from
 * an interrupt domain of the model's own.  The edna driver binds to it as
 * it would to silicon on an AXI bus.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "edna_accel.h"
#include "edna_sim.h"

#define EDNA_SIM_MAX_DEVICES	8

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of simulated devices (1-8, default 1)");

static unsigned int num_queues = 4;
module_param(num_queues, uint, 0444);
MODULE_PARM_DESC(num_queues, "Command queues per device (1-8, default 4)");

static unsigned int sram_kib = 2048;
module_param(sram_kib, uint, 0444);
MODULE_PARM_DESC(sram_kib, "On-chip SRAM per device in KiB (default 2048)");

static unsigned int dram_mib = 64;
module_param(dram_mib, uint, 0444);
MODULE_PARM_DESC(dram_mib, "Device DRAM per device in MiB (default 64)");

/*
 * An edge-class part: 1 GHz, 1024 MAC/cycle (1 TMAC/s), SRAM at 256 GB/s,
 * LPDDR at 32 GB/s, host over PCIe gen3 x4 at 4 GB/s; 3 W busy, 0.4 W clock
 * gated, 10 mW off, 2 ms to power up.
 */
static const struct edna_sim_params edna_sim_defaults = {
	.num_contexts = 64,
	.clock_mhz = 1000,
	.macs_per_cycle = 1024,
	.bw_mbps = {
		[EDNA_TARGET_HOST] = 4000,
		[EDNA_TARGET_DRAM] = 32000,
		[EDNA_TARGET_SRAM] = 256000,
	},
	.power_mw = {
		[EDNA_PSTATE_ACTIVE] = 3000,
		[EDNA_PSTATE_IDLE] = 400,
		[EDNA_PSTATE_OFF] = 10,
	},
	.power_up_us = 2000,
	/*
	 * Dynamic energy per byte moved, after Horowitz (ISSCC 2014): a
	 * 64-bit DRAM access costs > 1000 pJ, so ~160 pJ/B; crossing PCIe to
	 * host DRAM about twice that; a large on-chip SRAM ~40 pJ per 64-bit
	 * access, ~5 pJ/B.  An int8 MAC with its local operand movement ~1 pJ.
	 */
	.pj_per_byte = {
		[EDNA_TARGET_HOST] = 320,
		[EDNA_TARGET_DRAM] = 160,
		[EDNA_TARGET_SRAM] = 5,
	},
	.pj_per_mac = 1,
};

static struct edna_sim *edna_sims[EDNA_SIM_MAX_DEVICES];
static struct dentry *edna_sim_debugfs_root;

static int edna_sim_irq_map(struct irq_domain *domain, unsigned int virq,
			    irq_hw_number_t hwirq)
{
	irq_set_chip(virq, &dummy_irq_chip);
	irq_set_handler(virq, handle_simple_irq);
	return 0;
}

static const struct irq_domain_ops edna_sim_irq_ops = {
	.map = edna_sim_irq_map,
};

static void edna_sim_irq_work(struct irq_work *work)
{
	struct edna_sim *sim = container_of(work, struct edna_sim, irq_work);
	struct irq_data *d = irq_domain_get_irq_data(sim->domain, irq_find_mapping(sim->domain, 0));
	bool pending;

	/* Deliver only what is still pending: a spurious call counts as unhandled. */
	spin_lock(&sim->lock);
	pending = (sim->irq_status & sim->irq_mask) || sim->share_pending;
	spin_unlock(&sim->lock);
	if (!pending)
		return;
	/*
	 * The kernel drops an interrupt whose handler is running on another
	 * CPU; a level-triggered line would stay asserted, so try again once
	 * that handler is done.
	 */
	if (d && irqd_irq_inprogress(d)) {
		irq_work_queue(&sim->irq_work);
		return;
	}
	generic_handle_domain_irq(sim->domain, 0);
}

static int edna_sim_irq_init(struct edna_sim *sim)
{
	int virq;

	sim->fwnode = irq_domain_alloc_named_fwnode(dev_name(sim->parent));
	if (!sim->fwnode)
		return -ENOMEM;
	sim->domain = irq_domain_create_linear(sim->fwnode, 1, &edna_sim_irq_ops, sim);
	if (!sim->domain) {
		irq_domain_free_fwnode(sim->fwnode);
		return -ENOMEM;
	}
	virq = irq_create_mapping(sim->domain, 0);
	if (!virq) {
		irq_domain_remove(sim->domain);
		irq_domain_free_fwnode(sim->fwnode);
		return -ENOMEM;
	}
	/* Hard irq_work: the driver's handler runs in interrupt context as on silicon. */
	sim->irq_work = IRQ_WORK_INIT_HARD(edna_sim_irq_work);
	return virq;
}

/*
 * Fault injection: a second device on the line, as legacy PCI INTx lines
 * are shared.  It claims only the interrupts it raised; the others are
 * the edna driver's.
 */
static irqreturn_t edna_sim_share_irq_handler(int irq, void *arg)
{
	struct edna_sim *sim = arg;
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&sim->lock, flags);
	n = sim->share_pending;
	sim->share_pending = 0;
	sim->share_handled += n;
	spin_unlock_irqrestore(&sim->lock, flags);
	return n ? IRQ_HANDLED : IRQ_NONE;
}

/**
 * edna_sim_share_irq() - put a second device on the interrupt line, or take it off
 * @sim: the device
 * @on: attach or detach its handler
 *
 * The second device requests the line IRQF_SHARED, as any driver of a
 * shared line must; it gets it only if every other user did too.  That
 * failure is the expected outcome of this probe, hence IRQF_PROBE_SHARED:
 * request_irq() then fails quietly.
 *
 * Return: 0, or request_irq()'s error: -EBUSY when the line is not shared.
 */
int edna_sim_share_irq(struct edna_sim *sim, bool on)
{
	unsigned int virq = irq_find_mapping(sim->domain, 0);
	unsigned long flags;
	int ret;

	guard(mutex)(&sim->share_lock);
	if (on == sim->share_attached)
		return 0;
	if (on) {
		ret = request_irq(virq, edna_sim_share_irq_handler,
				  IRQF_SHARED | IRQF_PROBE_SHARED, dev_name(sim->parent), sim);
		if (!ret)
			sim->share_attached = true;
		return ret;
	}
	/* A device that left the line raises nothing more on it. */
	spin_lock_irqsave(&sim->lock, flags);
	sim->share_pending = 0;
	spin_unlock_irqrestore(&sim->lock, flags);
	free_irq(virq, sim);
	sim->share_attached = false;
	return 0;
}

static void edna_sim_irq_fini(struct edna_sim *sim)
{
	edna_sim_share_irq(sim, false);
	irq_work_sync(&sim->irq_work);
	irq_dispose_mapping(irq_find_mapping(sim->domain, 0));
	irq_domain_remove(sim->domain);
	irq_domain_free_fwnode(sim->fwnode);
}

static void edna_sim_free(struct edna_sim *sim)
{
	unsigned int i;

	for (i = 0; i < sim->params.num_queues; i++)
		vfree(sim->queues[i].scratch);
	vfree(sim->mem[EDNA_TARGET_SRAM]);
	vfree(sim->mem[EDNA_TARGET_DRAM]);
	kfree(sim->ctx_root);
	kfree(sim);
}

static void edna_sim_destroy(struct edna_sim *sim)
{
	/* Unbinds the driver first, so nothing touches the model below. */
	platform_device_unregister(sim->pdev);
	debugfs_remove_recursive(sim->debugfs);
	/* Engines drop their jobs at the next chunk; the drain waits for them. */
	edna_sim_quiesce(sim);
	destroy_workqueue(sim->wq);
	edna_sim_irq_fini(sim);
	regmap_exit(sim->regmap);
	root_device_unregister(sim->parent);
	edna_sim_free(sim);
}

static struct edna_sim *edna_sim_create(int index)
{
	struct platform_device_info info = {
		.name = "edna",
		.id = index,
		.dma_mask = DMA_BIT_MASK(64),
	};
	struct resource res;
	struct edna_sim *sim;
	char name[16];
	int virq, ret;
	unsigned int i;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return ERR_PTR(-ENOMEM);
	sim->index = index;
	sim->params = edna_sim_defaults;
	sim->params.num_queues = num_queues;
	sim->params.sram_kib = sram_kib;
	sim->params.dram_kib = dram_mib * 1024;
	spin_lock_init(&sim->lock);
	mutex_init(&sim->share_lock);
	INIT_WORK(&sim->boot_work, edna_sim_boot_work);
	sim->ops_cpu = edna_sim_graph_cpu();
	for (i = 0; i < sim->params.num_queues; i++) {
		edna_sim_queue_init(sim, i);
		sim->queues[i].scratch = vmalloc_array(EDNA_GRAPH_MAX_SEQ, sizeof(float));
		if (!sim->queues[i].scratch) {
			edna_sim_free(sim);
			return ERR_PTR(-ENOMEM);
		}
	}

	sim->mem_size[EDNA_TARGET_DRAM] = (u64)sim->params.dram_kib * SZ_1K;
	sim->mem_size[EDNA_TARGET_SRAM] = (u64)sim->params.sram_kib * SZ_1K;
	sim->mem[EDNA_TARGET_DRAM] = vzalloc(sim->mem_size[EDNA_TARGET_DRAM]);
	sim->mem[EDNA_TARGET_SRAM] = vzalloc(sim->mem_size[EDNA_TARGET_SRAM]);
	sim->ctx_root = kcalloc(sim->params.num_contexts, sizeof(*sim->ctx_root), GFP_KERNEL);
	if (!sim->mem[EDNA_TARGET_DRAM] || !sim->mem[EDNA_TARGET_SRAM] || !sim->ctx_root) {
		edna_sim_free(sim);
		return ERR_PTR(-ENOMEM);
	}
	edna_sim_regs_reset(sim);

	snprintf(name, sizeof(name), "edna_sim.%d", index);
	sim->parent = root_device_register(name);
	if (IS_ERR(sim->parent)) {
		ret = PTR_ERR(sim->parent);
		goto err_free;
	}

	sim->regmap = regmap_init(sim->parent, NULL, sim, &edna_sim_regmap_config);
	if (IS_ERR(sim->regmap)) {
		ret = PTR_ERR(sim->regmap);
		goto err_parent;
	}

	virq = edna_sim_irq_init(sim);
	if (virq < 0) {
		ret = virq;
		goto err_regmap;
	}

	/* One engine per queue plus the boot work may run at once. */
	sim->wq = alloc_workqueue("edna_sim%d", WQ_UNBOUND, EDNA_MAX_QUEUES + 1, index);
	if (!sim->wq) {
		ret = -ENOMEM;
		goto err_irq;
	}

	sim->debugfs = debugfs_create_dir(name, edna_sim_debugfs_root);
	edna_sim_debugfs_init(sim);

	res = DEFINE_RES_IRQ(virq);
	info.parent = sim->parent;
	info.res = &res;
	info.num_res = 1;
	sim->pdev = platform_device_register_full(&info);
	if (IS_ERR(sim->pdev)) {
		ret = PTR_ERR(sim->pdev);
		goto err_wq;
	}
	return sim;

err_wq:
	debugfs_remove_recursive(sim->debugfs);
	edna_sim_quiesce(sim);
	destroy_workqueue(sim->wq);
err_irq:
	edna_sim_irq_fini(sim);
err_regmap:
	regmap_exit(sim->regmap);
err_parent:
	root_device_unregister(sim->parent);
err_free:
	edna_sim_free(sim);
	return ERR_PTR(ret);
}

static int __init edna_sim_init(void)
{
	int i;

	if (!num_devices || num_devices > EDNA_SIM_MAX_DEVICES) {
		pr_err("edna_sim: num_devices must be 1-%d, not %u\n",
		       EDNA_SIM_MAX_DEVICES, num_devices);
		return -EINVAL;
	}
	if (!num_queues || num_queues > EDNA_MAX_QUEUES) {
		pr_err("edna_sim: num_queues must be 1-%d, not %u\n",
		       EDNA_MAX_QUEUES, num_queues);
		return -EINVAL;
	}
	if (!sram_kib || sram_kib > SZ_64K || !dram_mib || dram_mib > SZ_4K) {
		pr_err("edna_sim: sram_kib must be 1-65536 and dram_mib 1-4096\n");
		return -EINVAL;
	}

	edna_sim_debugfs_root = debugfs_create_dir("edna_sim", NULL);
	for (i = 0; i < num_devices; i++) {
		struct edna_sim *sim = edna_sim_create(i);

		if (IS_ERR(sim)) {
			pr_err("edna_sim: cannot create device %d: %pe\n", i, sim);
			while (i--)
				edna_sim_destroy(edna_sims[i]);
			debugfs_remove_recursive(edna_sim_debugfs_root);
			return PTR_ERR(sim);
		}
		edna_sims[i] = sim;
	}
	return 0;
}

static void __exit edna_sim_exit(void)
{
	int i;

	for (i = num_devices - 1; i >= 0; i--)
		edna_sim_destroy(edna_sims[i]);
	debugfs_remove_recursive(edna_sim_debugfs_root);
}

module_init(edna_sim_init);
module_exit(edna_sim_exit);

MODULE_AUTHOR("The edna authors");
MODULE_DESCRIPTION("edna accelerator device model");
MODULE_LICENSE("GPL");
