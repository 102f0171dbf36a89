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
 *   mmu_fault_queue
 *               write a queue index: every memory access of the next job
 *               that queue fetches faults (EDNA_JOB_MMU_FAULT, reason
 *               UNMAPPED), as if its page tables had gone bad; a NOP makes
 *               no access and completes.  -1 disarms every queue.  Read:
 *               one line per queue, "N: none" or "N: armed".
 *   bus_error_queue
 *               the same, with bus errors (EDNA_JOB_BUS_ERROR, reason BUS),
 *               as from a host bridge that failed the device's DMA.
 *   dev_error_queue
 *               the same, but fetching the job makes the firmware fail: the
 *               device records EDNA_DEV_ERROR_INTERNAL for the queue, raises
 *               DEV_ERROR and halts (DEV_STATUS HALTED), the job stays on
 *               its queue, BUSY, and nothing runs until a device reset.
 *   lose_irq    write N: the next N times the device would assert its
 *               interrupt line it does not; the causes stay pending in
 *               IRQ_STATUS.  Read: what is left.
 *   spurious_irq
 *               write a mask of IRQ_STATUS causes: the device raises them
 *               with no event behind them (no job completed, an empty
 *               fault latch, DEV_ERROR 0).  Causes of queues that do not
 *               exist, or other bits, are EINVAL.
 *   fail_power_up
 *               write N: the next N power-ups (OFF to ACTIVE or IDLE) fail
 *               the same way.  Read: what is left.
 *   power_up_extra_us
 *               a power-up takes this many microseconds longer than
 *               POWER_UP_US says (0).
 *   mmio_all_ones
 *               write 1: every register read by the driver returns 0xffffffff,
 *               as from a PCIe device that fell off the bus; the device
 *               goes on working and raising interrupts, and writes still
 *               reach it.  0 gives the registers back.  regs and counters
 *               show the device's own view either way.
 *   share_irq   write 1: a second device takes the interrupt line too,
 *               IRQF_SHARED, with a handler that claims only interrupts it
 *               raised; the write fails with request_irq()'s error (EBUSY
 *               when the line was not requested shared).  0 takes it off.
 *   share_irq_raise
 *               write N: the second device raises N interrupts, one at a
 *               time, each claimed by its handler before the next; ENODEV
 *               when it is not on the line, ETIMEDOUT when one is not
 *               claimed within a second (the line was disabled).
 *   share_irq_handled
 *               read-only: interrupts the second device's handler claimed.
 *   regs        read-only dump of the registers, "NAME OFFSET VALUE"
 *   counters    read-only dump of the counters, "name value"
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/iopoll.h>
#include <linux/irq_work.h>
#include <linux/sched/signal.h>
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

/* A queue index written to a knob, or -1 for every queue. */
static int edna_sim_queue_arg(struct edna_sim *sim, const char __user *buf, size_t count,
			      int *q)
{
	int ret = kstrtoint_from_user(buf, count, 0, q);

	if (ret)
		return ret;
	return *q < -1 || *q >= (int)sim->params.num_queues ? -EINVAL : 0;
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

	ret = edna_sim_queue_arg(sim, buf, count, &q);
	if (ret)
		return ret;

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

/**
 * edna_sim_inject_fetch_locked() - a queue fetched a job: apply the fault
 *	armed on the queue, if any
 * @q: the queue
 * @job: the job it fetched
 *
 * Called with sim->lock held.
 *
 * Return: true to execute the job, false when the device halted on it.
 */
bool edna_sim_inject_fetch_locked(struct edna_sim_queue *q, struct edna_sim_job *job)
{
	struct edna_sim *sim = q->sim;
	u8 inject = q->inject;

	q->inject = EDNA_SIM_INJECT_NONE;
	if (inject != EDNA_SIM_INJECT_DEV_ERROR) {
		job->inject = inject;
		return true;
	}
	/* The firmware gives up on the job: it stays BUSY until a reset. */
	q->hung = true;
	q->running = false;
	q->inv_pending = false;
	sim->dev_status = EDNA_DEV_STATUS_HALTED;
	edna_sim_dev_error_locked(sim, EDNA_DEV_ERROR_INTERNAL, q->index);
	return false;
}

/*
 * Whether the interrupt the device is about to assert is lost.  Called
 * with sim->lock held.
 */
bool edna_sim_inject_lose_irq_locked(struct edna_sim *sim)
{
	return atomic_dec_if_positive(&sim->lose_irqs) >= 0;
}

/*
 * mmu_fault_queue, bus_error_queue and dev_error_queue: the inode's
 * private data is the device, the file's name says which fault.
 */
static u8 edna_sim_inject_kind(const struct file *file)
{
	const char *name = file_dentry(file)->d_name.name;

	if (!strcmp(name, "mmu_fault_queue"))
		return EDNA_SIM_INJECT_MMU_FAULT;
	if (!strcmp(name, "bus_error_queue"))
		return EDNA_SIM_INJECT_BUS_ERROR;
	return EDNA_SIM_INJECT_DEV_ERROR;
}

static int edna_sim_inject_show(struct seq_file *m, void *unused)
{
	struct edna_sim *sim = m->private;
	u8 kind = edna_sim_inject_kind(m->file);
	bool armed[EDNA_MAX_QUEUES];
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&sim->lock, flags);
	for (i = 0; i < sim->params.num_queues; i++)
		armed[i] = sim->queues[i].inject == kind;
	spin_unlock_irqrestore(&sim->lock, flags);

	for (i = 0; i < sim->params.num_queues; i++)
		seq_printf(m, "%u: %s\n", i, armed[i] ? "armed" : "none");
	return 0;
}

static int edna_sim_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, edna_sim_inject_show, inode->i_private);
}

static ssize_t edna_sim_inject_write(struct file *file, const char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct edna_sim *sim = file_inode(file)->i_private;
	u8 kind = edna_sim_inject_kind(file);
	unsigned long flags;
	unsigned int i;
	int q, ret;

	ret = edna_sim_queue_arg(sim, buf, count, &q);
	if (ret)
		return ret;

	spin_lock_irqsave(&sim->lock, flags);
	if (q >= 0) {
		/* One fault a queue: the last one armed wins. */
		sim->queues[q].inject = kind;
	} else {
		for (i = 0; i < sim->params.num_queues; i++)
			if (sim->queues[i].inject == kind)
				sim->queues[i].inject = EDNA_SIM_INJECT_NONE;
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	return count;
}

static const struct file_operations edna_sim_inject_fops = {
	.owner = THIS_MODULE,
	.open = edna_sim_inject_open,
	.read = seq_read,
	.write = edna_sim_inject_write,
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

/*
 * Fault-injection counts: how many more times the model injects a fault.
 * @data is the count; the model takes one with atomic_dec_if_positive().
 */
static int edna_sim_count_get(void *data, u64 *val)
{
	*val = atomic_read(data);
	return 0;
}

static int edna_sim_count_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_count_fops, edna_sim_count_get, edna_sim_count_set, "%llu\n");

static int edna_sim_spurious_irq_set(void *data, u64 val)
{
	struct edna_sim *sim = data;
	u32 queues = GENMASK(sim->params.num_queues - 1, 0);
	u32 valid = FIELD_PREP(EDNA_IRQ_JOB_DONE_ALL, queues) |
		    FIELD_PREP(EDNA_IRQ_JOB_ERROR_ALL, queues) |
		    EDNA_IRQ_MMU_FAULT | EDNA_IRQ_DEV_ERROR;
	unsigned long flags;

	if (!val || val & ~(u64)valid)
		return -EINVAL;
	spin_lock_irqsave(&sim->lock, flags);
	edna_sim_raise_locked(sim, val);
	spin_unlock_irqrestore(&sim->lock, flags);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_spurious_irq_fops, NULL, edna_sim_spurious_irq_set,
			 "%llu\n");

static int edna_sim_all_ones_get(void *data, u64 *val)
{
	struct edna_sim *sim = data;

	*val = READ_ONCE(sim->mmio_all_ones);
	return 0;
}

static int edna_sim_all_ones_set(void *data, u64 val)
{
	struct edna_sim *sim = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(sim->mmio_all_ones, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_all_ones_fops, edna_sim_all_ones_get,
			 edna_sim_all_ones_set, "%llu\n");

static int edna_sim_share_irq_get(void *data, u64 *val)
{
	struct edna_sim *sim = data;

	guard(mutex)(&sim->share_lock);
	*val = sim->share_attached;
	return 0;
}

static int edna_sim_share_irq_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	return edna_sim_share_irq(data, val);
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_share_irq_fops, edna_sim_share_irq_get,
			 edna_sim_share_irq_set, "%llu\n");

static u32 edna_sim_share_pending(struct edna_sim *sim)
{
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&sim->lock, flags);
	n = sim->share_pending;
	spin_unlock_irqrestore(&sim->lock, flags);
	return n;
}

/*
 * A second's wait for the second device's handler: under TCG an interrupt
 * is delivered within milliseconds, so missing it means the line is off.
 */
#define EDNA_SIM_SHARE_IRQ_TIMEOUT_US	USEC_PER_SEC
/* Bounds the time a write spends, and a debugfs removal waiting for it. */
#define EDNA_SIM_SHARE_IRQ_MAX_RAISE	100000

static int edna_sim_share_irq_raise(void *data, u64 val)
{
	struct edna_sim *sim = data;
	unsigned long flags;
	u32 pending;
	u64 i;
	int ret;

	if (val > EDNA_SIM_SHARE_IRQ_MAX_RAISE)
		return -EINVAL;
	guard(mutex)(&sim->share_lock);
	if (!sim->share_attached)
		return -ENODEV;
	/* One at a time: each is an interrupt of its own on the line. */
	for (i = 0; i < val; i++) {
		spin_lock_irqsave(&sim->lock, flags);
		sim->share_pending++;
		irq_work_queue(&sim->irq_work);
		spin_unlock_irqrestore(&sim->lock, flags);
		ret = read_poll_timeout(edna_sim_share_pending, pending, !pending, 20,
					EDNA_SIM_SHARE_IRQ_TIMEOUT_US, false, sim);
		if (ret)
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_share_irq_raise_fops, NULL, edna_sim_share_irq_raise,
			 "%llu\n");

static int edna_sim_share_irq_handled_get(void *data, u64 *val)
{
	struct edna_sim *sim = data;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	*val = sim->share_handled;
	spin_unlock_irqrestore(&sim->lock, flags);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(edna_sim_share_irq_handled_fops, edna_sim_share_irq_handled_get,
			 NULL, "%llu\n");

void edna_sim_debugfs_init(struct edna_sim *sim)
{
	debugfs_create_file_unsafe("fail_reset", 0600, sim->debugfs, &sim->fail_resets,
				   &edna_sim_count_fops);
	debugfs_create_file_unsafe("fail_power_up", 0600, sim->debugfs, &sim->fail_power_ups,
				   &edna_sim_count_fops);
	debugfs_create_u32("power_up_extra_us", 0600, sim->debugfs, &sim->power_up_extra_us);
	debugfs_create_file("hang_queue", 0600, sim->debugfs, sim, &edna_sim_hang_fops);
	debugfs_create_file("mmu_fault_queue", 0600, sim->debugfs, sim, &edna_sim_inject_fops);
	debugfs_create_file("bus_error_queue", 0600, sim->debugfs, sim, &edna_sim_inject_fops);
	debugfs_create_file("dev_error_queue", 0600, sim->debugfs, sim, &edna_sim_inject_fops);
	debugfs_create_file_unsafe("lose_irq", 0600, sim->debugfs, &sim->lose_irqs,
				   &edna_sim_count_fops);
	debugfs_create_file_unsafe("spurious_irq", 0200, sim->debugfs, sim,
				   &edna_sim_spurious_irq_fops);
	debugfs_create_file("regs", 0400, sim->debugfs, sim, &edna_sim_regs_fops);
	debugfs_create_file("counters", 0400, sim->debugfs, sim, &edna_sim_counters_fops);
	debugfs_create_u32("chunk_delay_us", 0600, sim->debugfs, &sim->chunk_delay_us);
	debugfs_create_file_unsafe("mmio_all_ones", 0600, sim->debugfs, sim,
				   &edna_sim_all_ones_fops);
	debugfs_create_file_unsafe("share_irq", 0600, sim->debugfs, sim,
				   &edna_sim_share_irq_fops);
	debugfs_create_file_unsafe("share_irq_raise", 0200, sim->debugfs, sim,
				   &edna_sim_share_irq_raise_fops);
	debugfs_create_file_unsafe("share_irq_handled", 0400, sim->debugfs, sim,
				   &edna_sim_share_irq_handled_fops);
}
