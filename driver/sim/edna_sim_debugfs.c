// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: debugfs knobs, in /sys/kernel/debug/edna_sim/edna_sim.N/
 *
 *   hang_queue  write a queue index: the next job that queue fetches stalls
 *               (BUSY, no progress, no completion) until the queue or the
 *               device is reset.  Resets do not disarm it; writing -1
 *               disarms every queue.  Read: one line per queue, "N: none",
 *               "N: armed" or "N: hung".
 *   fail_reset  write N: the next N device resets fail, the device halts
 *               (DEV_STATUS HALTED) instead of booting.  Read: what is left.
 *   regs        read-only dump of the registers, "NAME OFFSET VALUE"
 *   counters    read-only dump of the counters, "name value"
 *
 * Copyright 2026 The edna authors
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "edna_sim.h"

static u32 edna_sim_dbg_rd(struct edna_sim *sim, unsigned int reg)
{
	unsigned int v;

	edna_sim_reg_read(sim, reg, &v);
	return v;
}

static u64 edna_sim_dbg_rd64(struct edna_sim *sim, unsigned int lo)
{
	/* The device keeps a pair consistent over HI, LO, HI. */
	u32 hi, v;

	do {
		hi = edna_sim_dbg_rd(sim, lo + 4);
		v = edna_sim_dbg_rd(sim, lo);
	} while (hi != edna_sim_dbg_rd(sim, lo + 4));
	return (u64)hi << 32 | v;
}

static int edna_sim_hang_show(struct seq_file *m, void *unused)
{
	struct edna_sim *sim = m->private;
	const char *state[EDNA_MAX_QUEUES];
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&sim->lock, flags);
	for (i = 0; i < sim->params.num_queues; i++) {
		struct edna_sim_queue *q = &sim->queues[i];

		state[i] = q->hung ? "hung" : q->hang_armed ? "armed" : "none";
	}
	spin_unlock_irqrestore(&sim->lock, flags);

	for (i = 0; i < sim->params.num_queues; i++)
		seq_printf(m, "%u: %s\n", i, state[i]);
	return 0;
}

static int edna_sim_hang_open(struct inode *inode, struct file *file)
{
	return single_open(file, edna_sim_hang_show, inode->i_private);
}

static ssize_t edna_sim_hang_write(struct file *file, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	struct edna_sim *sim = file_inode(file)->i_private;
	unsigned long flags;
	unsigned int i;
	int q, ret;

	ret = kstrtoint_from_user(buf, count, 0, &q);
	if (ret)
		return ret;
	if (q < -1 || q >= (int)sim->params.num_queues)
		return -EINVAL;

	spin_lock_irqsave(&sim->lock, flags);
	if (q >= 0) {
		sim->queues[q].hang_armed = true;
	} else {
		for (i = 0; i < sim->params.num_queues; i++)
			sim->queues[i].hang_armed = false;
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	return count;
}

static const struct file_operations edna_sim_hang_fops = {
	.owner = THIS_MODULE,
	.open = edna_sim_hang_open,
	.read = seq_read,
	.write = edna_sim_hang_write,
	.llseek = seq_lseek,
	.release = single_release,
};

struct edna_sim_reg_name {
	const char *name;
	unsigned int reg;
};

static const struct edna_sim_reg_name edna_sim_dev_regs[] = {
	{ "DEV_STATUS", EDNA_REG_DEV_STATUS },
	{ "HANDSHAKE", EDNA_REG_HANDSHAKE },
	{ "DEV_ERROR", EDNA_REG_DEV_ERROR },
	{ "POWER_STATUS", EDNA_REG_POWER_STATUS },
	{ "SCRATCH", EDNA_REG_SCRATCH },
	{ "IRQ_STATUS", EDNA_REG_IRQ_STATUS },
	{ "IRQ_MASK", EDNA_REG_IRQ_MASK },
	{ "MMU_FAULT_VA_LO", EDNA_REG_MMU_FAULT_VA_LO },
	{ "MMU_FAULT_VA_HI", EDNA_REG_MMU_FAULT_VA_HI },
	{ "MMU_FAULT_INFO", EDNA_REG_MMU_FAULT_INFO },
};

static const struct edna_sim_reg_name edna_sim_q_regs[] = {
	{ "RING_LO", EDNA_Q_RING_LO },
	{ "RING_HI", EDNA_Q_RING_HI },
	{ "RING_SIZE", EDNA_Q_RING_SIZE },
	{ "HEAD", EDNA_Q_HEAD },
	{ "TAIL", EDNA_Q_TAIL },
	{ "DONE_SEQ", EDNA_Q_DONE_SEQ },
	{ "CTRL", EDNA_Q_CTRL },
	{ "STATUS", EDNA_Q_STATUS },
	{ "PROGRESS", EDNA_Q_PROGRESS },
	{ "JOBS", EDNA_Q_JOBS },
};

static int edna_sim_regs_show(struct seq_file *m, void *unused)
{
	struct edna_sim *sim = m->private;
	unsigned int i, q, reg;

	for (i = 0; i < ARRAY_SIZE(edna_sim_dev_regs); i++) {
		reg = edna_sim_dev_regs[i].reg;
		seq_printf(m, "%-18s 0x%04x 0x%08x\n", edna_sim_dev_regs[i].name,
			   reg, edna_sim_dbg_rd(sim, reg));
	}
	for (i = 0; i < sim->params.num_contexts; i++) {
		u64 root = edna_sim_dbg_rd64(sim, EDNA_REG_CTX_ROOT_LO(i));

		/* Contexts never programmed would drown the rest. */
		if (root)
			seq_printf(m, "CTX_ROOT(%u)%*s 0x%04x 0x%016llx\n", i,
				   i < 10 ? 7 : 6, "", EDNA_REG_CTX_ROOT_LO(i), root);
	}
	for (q = 0; q < sim->params.num_queues; q++) {
		for (i = 0; i < ARRAY_SIZE(edna_sim_q_regs); i++) {
			reg = EDNA_REG_Q(q, edna_sim_q_regs[i].reg);
			seq_printf(m, "Q%u_%-15s 0x%04x 0x%08x\n", q, edna_sim_q_regs[i].name,
				   reg, edna_sim_dbg_rd(sim, reg));
		}
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edna_sim_regs);

static const char * const edna_sim_target_names[EDNA_NUM_TARGETS] = {
	[EDNA_TARGET_HOST] = "host",
	[EDNA_TARGET_DRAM] = "dram",
	[EDNA_TARGET_SRAM] = "sram",
};

static int edna_sim_counters_show(struct seq_file *m, void *unused)
{
	struct edna_sim *sim = m->private;
	unsigned int t, q;

	seq_printf(m, "ops %llu\n", edna_sim_dbg_rd64(sim, EDNA_REG_CNT_OPS_LO));
	seq_printf(m, "macs %llu\n", edna_sim_dbg_rd64(sim, EDNA_REG_CNT_MACS_LO));
	for (t = 0; t < EDNA_NUM_TARGETS; t++) {
		seq_printf(m, "bytes_read_%s %llu\n", edna_sim_target_names[t],
			   edna_sim_dbg_rd64(sim, EDNA_REG_CNT_BYTES_LO(t, 0)));
		seq_printf(m, "bytes_written_%s %llu\n", edna_sim_target_names[t],
			   edna_sim_dbg_rd64(sim, EDNA_REG_CNT_BYTES_LO(t, 1)));
	}
	seq_printf(m, "energy_uj %llu\n", edna_sim_dbg_rd64(sim, EDNA_REG_CNT_ENERGY_UJ_LO));
	seq_printf(m, "cycles %llu\n", edna_sim_dbg_rd64(sim, EDNA_REG_CNT_CYCLES_LO));
	for (q = 0; q < sim->params.num_queues; q++) {
		seq_printf(m, "q%u_jobs %u\n", q, edna_sim_dbg_rd(sim, EDNA_REG_Q(q, EDNA_Q_JOBS)));
		seq_printf(m, "q%u_busy_cycles %llu\n", q,
			   edna_sim_dbg_rd64(sim, EDNA_REG_Q(q, EDNA_Q_BUSY_CYCLES_LO)));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edna_sim_counters);

static int edna_sim_fail_reset_get(void *data, u64 *val)
{
	struct edna_sim *sim = data;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	*val = sim->fail_resets;
	spin_unlock_irqrestore(&sim->lock, flags);
	return 0;
}

static int edna_sim_fail_reset_set(void *data, u64 val)
{
	struct edna_sim *sim = data;
	unsigned long flags;

	if (val > U32_MAX)
		return -EINVAL;
	spin_lock_irqsave(&sim->lock, flags);
	sim->fail_resets = val;
	spin_unlock_irqrestore(&sim->lock, flags);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_fail_reset_fops, edna_sim_fail_reset_get,
			 edna_sim_fail_reset_set, "%llu\n");

void edna_sim_debugfs_init(struct edna_sim *sim)
{
	debugfs_create_file_unsafe("fail_reset", 0600, sim->debugfs, sim,
				   &edna_sim_fail_reset_fops);
	debugfs_create_file("hang_queue", 0600, sim->debugfs, sim, &edna_sim_hang_fops);
	debugfs_create_file("regs", 0400, sim->debugfs, sim, &edna_sim_regs_fops);
	debugfs_create_file("counters", 0400, sim->debugfs, sim, &edna_sim_counters_fops);
	debugfs_create_u32("chunk_delay_us", 0600, sim->debugfs, &sim->chunk_delay_us);
}
