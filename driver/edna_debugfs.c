// SPDX-License-Identifier: GPL-2.0
/*
 * edna debugfs: rings, MMU, counters and interrupts as the device sees
 * them, and the "diag" file that runs the hardware diagnostics.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>

#include "edna_debugfs.h"
#include "edna_diag.h"
#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_mmu.h"

static const char *const edna_region_names[EDNA_REGION_COUNT] = { "host", "dram", "sram" };

static struct edna_device *seq_to_edna(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_edna_device(entry->dev);
}

static int edna_debugfs_rings(struct seq_file *m, void *unused)
{
	struct edna_device *edev = seq_to_edna(m);
	u32 q;

	seq_puts(m, "queue entries tail completed | hw_head hw_tail done_seq ctrl status progress jobs busy_cycles\n");
	for (q = 0; q < edev->caps.num_queues; q++) {
		struct edna_ring *ring = &edev->rings[q];
		struct edna_hw_queue_state st;
		u32 tail, completed;

		scoped_guard(spinlock_irqsave, &ring->lock) {
			tail = ring->tail;
			completed = ring->completed;
		}
		edna_hw_queue_state(edev, q, &st);
		seq_printf(m, "%u %u %u %u | %u %u %u %#x %#x %u %u %llu\n", q, ring->entries,
			   tail, completed, st.head, st.tail, st.done_seq, st.ctrl, st.status,
			   st.progress, st.jobs, st.busy_cycles);
	}
	return 0;
}

static int edna_debugfs_mmu(struct seq_file *m, void *unused)
{
	struct edna_device *edev = seq_to_edna(m);
	struct edna_mmu_ctx *ctx;
	struct edna_fault f;
	unsigned long id;

	xa_lock(&edev->contexts);
	xa_for_each(&edev->contexts, id, ctx)
		seq_printf(m, "context %lu root %pad\n", id,
			   &(dma_addr_t){ edna_mmu_ctx_root(ctx) });
	xa_unlock(&edev->contexts);

	scoped_guard(spinlock_irqsave, &edev->fault_lock)
		f = edev->fault;
	seq_printf(m, "faults %llu\n", f.count);
	if (f.count)
		seq_printf(m, "last_fault va %#llx ctx %u queue %u %s reason %u\n",
			   f.va, f.ctx, f.queue, f.write ? "write" : "read", f.reason);
	return 0;
}

static int edna_debugfs_counters(struct seq_file *m, void *unused)
{
	struct edna_device *edev = seq_to_edna(m);
	struct edna_hw_counters c;
	int r;

	edna_hw_counters(edev, &c);
	seq_printf(m, "ops %llu\nmacs %llu\n", c.ops, c.macs);
	for (r = 0; r < EDNA_REGION_COUNT; r++)
		seq_printf(m, "bytes_read_%s %llu\nbytes_written_%s %llu\n",
			   edna_region_names[r], c.bytes[r][0],
			   edna_region_names[r], c.bytes[r][1]);
	seq_printf(m, "energy_uj %llu\ncycles %llu\n", c.energy_uj, c.cycles);
	return 0;
}

static int edna_debugfs_irq_stats(struct seq_file *m, void *unused)
{
	struct edna_device *edev = seq_to_edna(m);
	struct edna_irq_stats st;

	scoped_guard(spinlock_irqsave, &edev->fault_lock)
		st = edev->irq_stats;
	seq_printf(m, "handled %llu\njob_done %llu\njob_error %llu\nmmu_fault %llu\ndev_error %llu\n",
		   st.handled, st.job_done, st.job_error, st.mmu_fault, st.dev_error);
	return 0;
}

static const struct drm_debugfs_info edna_debugfs_list[] = {
	{ "rings", edna_debugfs_rings, 0 },
	{ "mmu", edna_debugfs_mmu, 0 },
	{ "counters", edna_debugfs_counters, 0 },
	{ "irq_stats", edna_debugfs_irq_stats, 0 },
};

/*
 * "diag": write a command, the write returns its verdict as an errno;
 * read returns the last command's one-line result.
 */
struct edna_diag_file {
	struct edna_device *edev;
	char result[EDNA_DIAG_RESULT_LEN];
};

static int edna_diag_open(struct inode *inode, struct file *file)
{
	struct edna_diag_file *df = kzalloc(sizeof(*df), GFP_KERNEL);

	if (!df)
		return -ENOMEM;
	df->edev = inode->i_private;
	file->private_data = df;
	return 0;
}

static int edna_diag_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t edna_diag_write(struct file *file, const char __user *ubuf, size_t count,
			       loff_t *ppos)
{
	struct edna_diag_file *df = file->private_data;
	char *cmd;
	int ret;

	if (count > 128)
		return -EINVAL;
	cmd = memdup_user_nul(ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	df->result[0] = '\0';
	ret = edna_diag_command(df->edev, cmd, df->result, sizeof(df->result));
	kfree(cmd);
	return ret ? ret : count;
}

static ssize_t edna_diag_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct edna_diag_file *df = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, df->result, strlen(df->result));
}

static const struct file_operations edna_diag_fops = {
	.owner = THIS_MODULE,
	.open = edna_diag_open,
	.release = edna_diag_release,
	.read = edna_diag_read,
	.write = edna_diag_write,
	.llseek = default_llseek,
};

/**
 * edna_debugfs_init() - create the device's debugfs files
 * @edev: the device, before drm_dev_register()
 */
void edna_debugfs_init(struct edna_device *edev)
{
	drm_debugfs_add_files(&edev->drm, edna_debugfs_list, ARRAY_SIZE(edna_debugfs_list));
	debugfs_create_file("diag", 0600, edev->drm.debugfs_root, edev, &edna_diag_fops);
}
