// SPDX-License-Identifier: GPL-2.0
/*
 * edna diagnostics: jobs the kernel runs on its own buffers, in its own
 * MMU context, to check the hardware layer end to end (debugfs "diag").
 *
 * Copyright 2026 The edna authors
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "edna_diag.h"
#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_mmu.h"
#include "edna_pm.h"
#include "edna_region.h"

/* Generous for TCG: a diagnostic job moves at most EDNA_DIAG_MAX_SIZE. */
#define EDNA_DIAG_TIMEOUT_MS	5000
#define EDNA_DIAG_MAX_SIZE	SZ_16M
#define EDNA_DIAG_MAX_NOPS	100000
/* Kernel-context VAs of the diagnostic buffers: 256 MiB apart. */
#define EDNA_DIAG_VA(n)		(SZ_256M * ((u64)(n) + 1))

static const char *const edna_region_names[EDNA_REGION_COUNT] = { "host", "dram", "sram" };

/**
 * struct edna_diag_buf - a diagnostic buffer in one tier, mapped in the
 * kernel context
 * @region: its tier
 * @va: where the kernel context maps it
 * @size: bytes, page aligned; 0 when not allocated
 * @cpu: host buffers: the kernel mapping
 * @dma: host buffers: the bus address
 * @node: device buffers: the allocation in the tier
 */
struct edna_diag_buf {
	u32 region;
	u64 va;
	u64 size;
	void *cpu;
	dma_addr_t dma;
	struct drm_mm_node node;
};

static void edna_diag_buf_free(struct edna_device *edev, struct edna_diag_buf *buf)
{
	if (!buf->size)
		return;
	edna_mmu_unmap(edev->kctx, buf->va, buf->size);
	if (buf->region == EDNA_REGION_HOST)
		dma_free_coherent(edev->drm.dev, buf->size, buf->cpu, buf->dma);
	else
		edna_region_free(edev, buf->region, &buf->node);
	buf->size = 0;
}

static int edna_diag_buf_alloc(struct edna_device *edev, struct edna_diag_buf *buf,
			       u32 region, u64 size, int slot)
{
	u64 addr;
	int ret;

	memset(buf, 0, sizeof(*buf));
	size = round_up(size, EDNA_PAGE_SIZE);
	if (region == EDNA_REGION_HOST) {
		buf->cpu = dma_alloc_coherent(edev->drm.dev, size, &buf->dma, GFP_KERNEL);
		if (!buf->cpu)
			return -ENOMEM;
		addr = buf->dma;
	} else {
		ret = edna_region_alloc(edev, region, size, &buf->node);
		if (ret)
			return ret;
		addr = buf->node.start;
	}
	buf->region = region;
	buf->va = EDNA_DIAG_VA(slot);
	ret = edna_mmu_map(edev->kctx, buf->va, region, addr, size,
			   EDNA_PTE_READ | EDNA_PTE_WRITE);
	if (ret) {
		if (region == EDNA_REGION_HOST)
			dma_free_coherent(edev->drm.dev, size, buf->cpu, buf->dma);
		else
			edna_region_free(edev, region, &buf->node);
		return ret;
	}
	buf->size = size;
	return 0;
}

struct edna_diag_job {
	struct completion done;
	u32 status;
};

static void edna_diag_job_done(void *data, u32 status, const struct edna_hw_result *result)
{
	struct edna_diag_job *job = data;

	job->status = status;
	complete(&job->done);
}

/* Recover a queue that stopped answering; afterwards nothing is in flight. */
static void edna_diag_recover(struct edna_device *edev, u32 queue)
{
	if (edna_hw_queue_reset(edev, queue))
		edna_hw_reset(edev, EDNA_JOB_ABORTED);
}

/* Run one descriptor on @queue and return its status, or -ETIMEDOUT. */
static int edna_diag_run(struct edna_device *edev, u32 queue, struct edna_hw_desc *desc,
			 u32 *status)
{
	struct edna_diag_job job;
	int ret;

	init_completion(&job.done);
	ret = edna_hw_submit(edev, queue, desc, edna_diag_job_done, &job);
	if (ret)
		return ret;
	if (!wait_for_completion_timeout(&job.done, msecs_to_jiffies(EDNA_DIAG_TIMEOUT_MS))) {
		edna_diag_recover(edev, queue);
		/* A reset completes every descriptor, as aborted. */
		wait_for_completion(&job.done);
		return -ETIMEDOUT;
	}
	*status = job.status;
	return 0;
}

static int edna_diag_copy(struct edna_device *edev, u32 ctx, u64 src, u64 dst, u64 size,
			  u32 *status)
{
	struct edna_hw_desc desc = {
		.op = cpu_to_le32(EDNA_OP_COPY),
		.ctx = cpu_to_le32(ctx),
		.src = cpu_to_le64(src),
		.dst = cpu_to_le64(dst),
		.size = cpu_to_le64(size),
	};

	return edna_diag_run(edev, 0, &desc, status);
}

/* One ordered batch of NOPs; completions must come back in order. */
struct edna_diag_batch {
	wait_queue_head_t wq;
	u32 done;
	u32 errors;
	bool out_of_order;
};

struct edna_diag_nop {
	struct edna_diag_batch *batch;
	u32 index;
};

/* Called under the ring lock, so completions of one queue are serialised. */
static void edna_diag_nop_done(void *data, u32 status, const struct edna_hw_result *result)
{
	struct edna_diag_nop *nop = data;
	struct edna_diag_batch *b = nop->batch;

	if (nop->index != b->done)
		b->out_of_order = true;
	if (status)
		b->errors++;
	WRITE_ONCE(b->done, b->done + 1);
	wake_up(&b->wq);
}

static int edna_diag_nops(struct edna_device *edev, u32 queue, u32 count, char *res, size_t len)
{
	struct edna_hw_desc desc = { .op = cpu_to_le32(EDNA_OP_NOP) };
	struct edna_diag_batch batch = { .done = 0 };
	struct edna_diag_nop *nops;
	u32 i, submitted = 0;
	int ret = 0;

	if (!count || count > EDNA_DIAG_MAX_NOPS)
		return -EINVAL;
	nops = kvcalloc(count, sizeof(*nops), GFP_KERNEL);
	if (!nops)
		return -ENOMEM;
	init_waitqueue_head(&batch.wq);

	for (i = 0; i < count; i++) {
		u32 seen;

		nops[i].batch = &batch;
		nops[i].index = i;
		for (;;) {
			seen = READ_ONCE(batch.done);
			ret = edna_hw_submit(edev, queue, &desc, edna_diag_nop_done, &nops[i]);
			if (ret != -EBUSY)
				break;
			/* Ring full: wait for the device to consume something. */
			if (!wait_event_timeout(batch.wq, READ_ONCE(batch.done) != seen,
						msecs_to_jiffies(EDNA_DIAG_TIMEOUT_MS))) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		if (ret)
			break;
		submitted++;
	}
	if (!ret && !wait_event_timeout(batch.wq, READ_ONCE(batch.done) == submitted,
					msecs_to_jiffies(EDNA_DIAG_TIMEOUT_MS)))
		ret = -ETIMEDOUT;
	if (ret == -ETIMEDOUT)
		edna_diag_recover(edev, queue);
	/* Every submitted NOP has completed or been aborted by now. */
	wait_event(batch.wq, READ_ONCE(batch.done) == submitted);

	snprintf(res, len, "nop queue=%u submitted=%u completed=%u errors=%u in_order=%d\n",
		 queue, submitted, batch.done, batch.errors, !batch.out_of_order);
	kvfree(nops);
	if (!ret && (batch.errors || batch.out_of_order))
		ret = -EIO;
	return ret;
}

/*
 * Move random bytes host -> src tier -> dst tier -> host and compare: every
 * hop is a COPY job in the kernel context.
 */
static int edna_diag_dma(struct edna_device *edev, u32 src, u32 dst, u64 size,
			 char *res, size_t len)
{
	struct edna_diag_buf in, a, b, out;
	u32 st[3] = {};
	u64 va_a, va_b;
	int ret, i;

	if (!size || size > EDNA_DIAG_MAX_SIZE || src >= EDNA_REGION_COUNT ||
	    dst >= EDNA_REGION_COUNT)
		return -EINVAL;

	ret = edna_diag_buf_alloc(edev, &in, EDNA_REGION_HOST, size, 0);
	if (ret)
		return ret;
	ret = edna_diag_buf_alloc(edev, &a, src, size, 1);
	if (ret)
		goto free_in;
	ret = edna_diag_buf_alloc(edev, &b, dst, size, 2);
	if (ret)
		goto free_a;
	ret = edna_diag_buf_alloc(edev, &out, EDNA_REGION_HOST, size, 3);
	if (ret)
		goto free_b;

	get_random_bytes(in.cpu, size);
	memset(out.cpu, 0xee, out.size);
	va_a = a.va;
	va_b = b.va;
	ret = edna_diag_copy(edev, EDNA_MMU_KERNEL_CTX, in.va, va_a, size, &st[0]);
	if (!ret)
		ret = edna_diag_copy(edev, EDNA_MMU_KERNEL_CTX, va_a, va_b, size, &st[1]);
	if (!ret)
		ret = edna_diag_copy(edev, EDNA_MMU_KERNEL_CTX, va_b, out.va, size, &st[2]);
	if (!ret) {
		for (i = 0; i < ARRAY_SIZE(st); i++)
			if (st[i])
				ret = -EIO;
		if (memcmp(in.cpu, out.cpu, size))
			ret = -EIO;
		/* Nothing may be written past the end of the copy. */
		if (memchr_inv(out.cpu + size, 0xee, out.size - size))
			ret = -EIO;
	}
	snprintf(res, len, "dma %s->%s size=%llu status=%u,%u,%u match=%d\n",
		 edna_region_names[src], edna_region_names[dst], size, st[0], st[1], st[2],
		 ret == 0);

	edna_diag_buf_free(edev, &out);
free_b:
	edna_diag_buf_free(edev, &b);
free_a:
	edna_diag_buf_free(edev, &a);
free_in:
	edna_diag_buf_free(edev, &in);
	return ret;
}

/* Fill a buffer of @region with a pattern, read it back through host memory. */
static int edna_diag_fill(struct edna_device *edev, u32 region, u64 size, u32 pattern,
			  char *res, size_t len)
{
	struct edna_hw_desc desc = {
		.op = cpu_to_le32(EDNA_OP_FILL),
		.pattern = cpu_to_le32(pattern),
		.size = cpu_to_le64(size),
	};
	struct edna_diag_buf buf, out;
	u32 st[2] = {};
	__le32 *p;
	u64 i, bad = 0;
	int ret;

	if (!size || size > EDNA_DIAG_MAX_SIZE || !IS_ALIGNED(size, 4) ||
	    region >= EDNA_REGION_COUNT)
		return -EINVAL;
	ret = edna_diag_buf_alloc(edev, &buf, region, size, 0);
	if (ret)
		return ret;
	ret = edna_diag_buf_alloc(edev, &out, EDNA_REGION_HOST, size, 1);
	if (ret)
		goto free_buf;

	memset(out.cpu, 0, out.size);
	desc.dst = cpu_to_le64(buf.va);
	ret = edna_diag_run(edev, 0, &desc, &st[0]);
	if (!ret)
		ret = edna_diag_copy(edev, EDNA_MMU_KERNEL_CTX, buf.va, out.va, size, &st[1]);
	if (!ret) {
		for (p = out.cpu, i = 0; i < size / 4; i++)
			bad += p[i] != cpu_to_le32(pattern);
		if (bad || st[0] || st[1])
			ret = -EIO;
	}
	snprintf(res, len, "fill %s size=%llu pattern=%#x status=%u,%u mismatched_words=%llu\n",
		 edna_region_names[region], size, pattern, st[0], st[1], bad);

	edna_diag_buf_free(edev, &out);
free_buf:
	edna_diag_buf_free(edev, &buf);
	return ret;
}

/*
 * A job in a fresh context touches @va, which that context does not map;
 * report what the device said about the fault.
 */
static int edna_diag_fault(struct edna_device *edev, u32 queue, u64 va, bool write,
			   char *res, size_t len)
{
	struct edna_hw_desc desc = { .op = cpu_to_le32(EDNA_OP_COPY) };
	const u64 mapped_va = EDNA_PAGE_SIZE;
	struct edna_mmu_ctx *ctx;
	struct edna_fault f;
	dma_addr_t dma;
	u32 status = 0;
	void *page;
	u64 before;
	int ret;

	page = dma_alloc_coherent(edev->drm.dev, EDNA_PAGE_SIZE, &dma, GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	ret = edna_mmu_ctx_create(edev, false, &ctx);
	if (ret)
		goto free_page;
	ret = edna_mmu_map(ctx, mapped_va, EDNA_TARGET_HOST, dma, EDNA_PAGE_SIZE,
			   EDNA_PTE_READ | EDNA_PTE_WRITE);
	if (ret)
		goto destroy_ctx;

	desc.ctx = cpu_to_le32(edna_mmu_ctx_id(ctx));
	desc.src = cpu_to_le64(write ? mapped_va : va);
	desc.dst = cpu_to_le64(write ? va : mapped_va);
	desc.size = cpu_to_le64(16);
	scoped_guard(spinlock_irq, &edev->fault_lock)
		before = edev->fault.count;
	ret = edna_diag_run(edev, queue, &desc, &status);
	scoped_guard(spinlock_irq, &edev->fault_lock)
		f = edev->fault;
	if (!ret)
		snprintf(res, len,
			 "fault ctx=%u queue=%u status=%u reported=%d fault_va=%#llx fault_ctx=%u fault_queue=%u fault_write=%d fault_reason=%u\n",
			 edna_mmu_ctx_id(ctx), queue, status, f.count != before, f.va, f.ctx,
			 f.queue, f.write, f.reason);

	edna_mmu_unmap(ctx, mapped_va, EDNA_PAGE_SIZE);
destroy_ctx:
	edna_mmu_ctx_destroy(ctx);
free_page:
	dma_free_coherent(edev->drm.dev, EDNA_PAGE_SIZE, page, dma);
	return ret;
}

/* Poll until the device has consumed everything on @queue. */
static bool edna_diag_wait_idle(struct edna_device *edev, u32 queue)
{
	struct edna_hw_queue_state st;
	int i;

	for (i = 0; i < EDNA_DIAG_TIMEOUT_MS; i++) {
		edna_hw_queue_state(edev, queue, &st);
		if (st.head == st.tail && !(st.status & EDNA_Q_STATUS_BUSY))
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

/*
 * With the queue's completion interrupts masked, a finished job must show
 * as pending and not be delivered; unmasking must deliver it.
 */
static int edna_diag_irq_mask(struct edna_device *edev, u32 queue, char *res, size_t len)
{
	u32 bits = EDNA_IRQ_JOB_DONE(queue) | EDNA_IRQ_JOB_ERROR(queue);
	struct edna_hw_desc desc = { .op = cpu_to_le32(EDNA_OP_NOP) };
	struct edna_diag_job job;
	bool pending, delivered_masked, delivered;
	u32 mask;
	int ret, n;

	init_completion(&job.done);
	mask = edna_hw_irq_mask(edev);
	edna_hw_set_irq_mask(edev, mask & ~bits);
	ret = edna_hw_submit(edev, queue, &desc, edna_diag_job_done, &job);
	if (ret) {
		edna_hw_set_irq_mask(edev, mask);
		return ret;
	}
	if (!edna_diag_wait_idle(edev, queue)) {
		edna_hw_set_irq_mask(edev, mask);
		edna_diag_recover(edev, queue);
		wait_for_completion(&job.done);
		return -ETIMEDOUT;
	}
	/* Give a wrongly delivered interrupt time to arrive. */
	msleep(20);
	pending = edna_hw_irq_pending(edev) & EDNA_IRQ_JOB_DONE(queue);
	delivered_masked = completion_done(&job.done);
	edna_hw_set_irq_mask(edev, mask);
	delivered = wait_for_completion_timeout(&job.done, msecs_to_jiffies(EDNA_DIAG_TIMEOUT_MS));
	if (!delivered) {
		edna_diag_recover(edev, queue);
		wait_for_completion(&job.done);
	}
	/* One line in two parts, to keep each format string whole and short. */
	n = scnprintf(res, len, "irqmask queue=%u pending_while_masked=%d ", queue, !!pending);
	scnprintf(res + n, len - n,
		  "delivered_while_masked=%d delivered_after_unmask=%d pending_after=%d\n",
		  delivered_masked, delivered,
		  !!(edna_hw_irq_pending(edev) & EDNA_IRQ_JOB_DONE(queue)));
	return pending && !delivered_masked && delivered ? 0 : -EIO;
}

/* A doorbell with nothing new must change nothing and raise nothing. */
static int edna_diag_doorbell(struct edna_device *edev, u32 queue, char *res, size_t len)
{
	struct edna_hw_queue_state before, after;
	u64 irqs_before, irqs_after;

	edna_hw_queue_state(edev, queue, &before);
	scoped_guard(spinlock_irq, &edev->fault_lock)
		irqs_before = edev->irq_stats.handled;
	edna_hw_doorbell(edev, queue);
	msleep(20);
	edna_hw_queue_state(edev, queue, &after);
	scoped_guard(spinlock_irq, &edev->fault_lock)
		irqs_after = edev->irq_stats.handled;
	snprintf(res, len, "doorbell queue=%u head=%u->%u jobs=%u->%u status=%#x interrupts=%llu\n",
		 queue, before.head, after.head, before.jobs, after.jobs, after.status,
		 irqs_after - irqs_before);
	return before.head == after.head && before.jobs == after.jobs && !after.status &&
	       irqs_after == irqs_before ? 0 : -EIO;
}

static int edna_diag_parse_region(const char *name, u32 *region)
{
	int i = match_string(edna_region_names, EDNA_REGION_COUNT, name);

	if (i < 0)
		return -EINVAL;
	*region = i;
	return 0;
}

static int edna_diag_run_command(struct edna_device *edev, const char *cmd, char *result,
				 size_t len)
{
	char verb[16], arg1[16], arg2[16];
	u32 queue, region, dst, pattern, write;
	u64 va, size;
	int n, ret;

	n = sscanf(cmd, "%15s", verb);
	if (n != 1)
		return -EINVAL;

	if (!strcmp(verb, "nop")) {
		if (sscanf(cmd, "nop %u %llu", &queue, &size) != 2 ||
		    queue >= edev->caps.num_queues || size > U32_MAX)
			return -EINVAL;
		return edna_diag_nops(edev, queue, size, result, len);
	}
	if (!strcmp(verb, "dma")) {
		if (sscanf(cmd, "dma %15s %15s %llu", arg1, arg2, &size) != 3 ||
		    edna_diag_parse_region(arg1, &region) || edna_diag_parse_region(arg2, &dst))
			return -EINVAL;
		return edna_diag_dma(edev, region, dst, size, result, len);
	}
	if (!strcmp(verb, "fill")) {
		if (sscanf(cmd, "fill %15s %llu %x", arg1, &size, &pattern) != 3 ||
		    edna_diag_parse_region(arg1, &region))
			return -EINVAL;
		return edna_diag_fill(edev, region, size, pattern, result, len);
	}
	if (!strcmp(verb, "fault")) {
		if (sscanf(cmd, "fault %u %llx %u", &queue, &va, &write) != 3 ||
		    queue >= edev->caps.num_queues || write > 1)
			return -EINVAL;
		return edna_diag_fault(edev, queue, va, write, result, len);
	}
	if (!strcmp(verb, "irqmask")) {
		if (sscanf(cmd, "irqmask %u", &queue) != 1 || queue >= edev->caps.num_queues)
			return -EINVAL;
		return edna_diag_irq_mask(edev, queue, result, len);
	}
	if (!strcmp(verb, "doorbell")) {
		if (sscanf(cmd, "doorbell %u", &queue) != 1 || queue >= edev->caps.num_queues)
			return -EINVAL;
		return edna_diag_doorbell(edev, queue, result, len);
	}
	if (!strcmp(verb, "reset")) {
		if (sscanf(cmd, "reset %u", &queue) == 1) {
			if (queue >= edev->caps.num_queues)
				return -EINVAL;
			ret = edna_hw_queue_reset(edev, queue);
		} else {
			ret = edna_hw_reset(edev, EDNA_JOB_ABORTED);
		}
		snprintf(result, len, "reset %s\n", ret ? "failed" : "done");
		return ret;
	}
	return -EINVAL;
}

/**
 * edna_diag_command() - run one diagnostic
 * @edev: the device
 * @cmd: the command line, see Documentation/testing.rst
 * @result: out, one line describing what happened
 * @len: room at @result
 *
 * Return: 0 if the diagnostic passed, -EIO if the device misbehaved,
 * -EINVAL for a malformed command, or another negative errno.
 */
int edna_diag_command(struct edna_device *edev, const char *cmd, char *result, size_t len)
{
	int ret;

	guard(mutex)(&edev->diag_lock);
	/* They drive the device directly: it must stay powered. */
	ret = edna_pm_get(edev);
	if (ret) {
		snprintf(result, len, "device unavailable: %d\n", ret);
		return ret;
	}
	/* The diagnostics own the rings while they run. */
	ret = edna_job_pause(edev);
	if (!ret)
		ret = edna_diag_run_command(edev, cmd, result, len);
	else
		snprintf(result, len, "busy: jobs stay on the rings\n");
	edna_job_resume(edev);
	edna_pm_put(edev);
	return ret;
}
