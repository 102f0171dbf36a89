// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: host memory by bus address, and the device MMU.
 *
 * The model sits on the host's own memory bus: a bus address is a CPU
 * physical address (the platform device has a 64-bit DMA mask, so
 * dma-direct hands out physical addresses on x86 and there is no IOMMU in
 * the way).  A bus address that is not system RAM is a bus error, the
 * master abort silicon would get.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/highmem.h>
#include <linux/mm.h>

#include "edna_sim.h"

/* A device page must not straddle host pages, or one chunk needs two maps. */
static_assert(PAGE_SIZE >= EDNA_PAGE_SIZE);

/**
 * edna_sim_host_page() - the host page at a bus address
 * @bus: bus address
 *
 * Takes the iomem resource lock (page_is_ram()), so never call it under
 * sim->lock: that lock is taken in hard interrupt context.
 *
 * Return: the page, or NULL when @bus is not system RAM.
 */
struct page *edna_sim_host_page(u64 bus)
{
	unsigned long pfn;

	if (bus > PHYS_ADDR_MAX)
		return NULL;
	pfn = PHYS_PFN(bus);
	/*
	 * pfn_valid() alone also accepts holes and reserved ranges inside a
	 * memory section, which need not be in the direct map.
	 */
	if (!pfn_valid(pfn) || !page_is_ram(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

/**
 * edna_sim_host_read() - read host memory by bus address, page by page
 * @bus: bus address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, or -EFAULT (bus error) at the first page that is not RAM.
 */
int edna_sim_host_read(u64 bus, void *buf, size_t len)
{
	while (len) {
		struct page *page = edna_sim_host_page(bus);
		size_t off = offset_in_page(bus);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *p;

		if (!page)
			return -EFAULT;
		p = kmap_local_page(page);
		memcpy(buf, p + off, n);
		kunmap_local(p);
		buf += n;
		bus += n;
		len -= n;
	}
	return 0;
}

/**
 * edna_sim_host_write() - write host memory by bus address, page by page
 * @bus: bus address
 * @buf: source
 * @len: bytes
 *
 * Return: 0, or -EFAULT (bus error) at the first page that is not RAM;
 * the pages before it are written.
 */
int edna_sim_host_write(u64 bus, const void *buf, size_t len)
{
	while (len) {
		struct page *page = edna_sim_host_page(bus);
		size_t off = offset_in_page(bus);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *p;

		if (!page)
			return -EFAULT;
		p = kmap_local_page(page);
		memcpy(p + off, buf, n);
		kunmap_local(p);
		buf += n;
		bus += n;
		len -= n;
	}
	return 0;
}

static bool edna_sim_fault(struct edna_sim_job *job, u64 va, bool write,
			   enum edna_fault_reason reason)
{
	job->status = reason == EDNA_FAULT_BUS ? EDNA_JOB_BUS_ERROR : EDNA_JOB_MMU_FAULT;
	job->fault = true;
	job->fault_va = va;
	job->fault_info = FIELD_PREP(EDNA_FAULT_CTX, job->ctx) |
			  FIELD_PREP(EDNA_FAULT_QUEUE, job->q->index) |
			  (write ? EDNA_FAULT_WRITE : 0) |
			  FIELD_PREP(EDNA_FAULT_REASON, reason) |
			  EDNA_FAULT_VALID;
	return false;
}

/* A power-up zeroes device memory up to the highest page reached since. */
static void edna_sim_mem_used(struct edna_sim *sim, u32 target, u64 end)
{
	s64 old = atomic64_read(&sim->mem_used[target]);

	while (old < end && !atomic64_try_cmpxchg(&sim->mem_used[target], &old, end))
		;
}

/**
 * edna_sim_mmu_translate() - translate one access of a job
 * @job: the job; its @root is the context's CTX_ROOT
 * @va: device virtual address
 * @write: the access writes
 * @a: the translation, valid to the end of @va's page
 *
 * Walks the context's three-level table in host memory.  The checks, in
 * the order Documentation/hardware.rst gives them: VA range, root valid,
 * each level's entry valid (and its table readable), leaf target and
 * range, permission, host page present.
 *
 * Return: true, or false with the fault recorded in @job.
 */
bool edna_sim_mmu_translate(struct edna_sim_job *job, u64 va, bool write,
			    struct edna_sim_addr *a)
{
	struct edna_sim *sim = job->q->sim;
	u64 table, pte = 0, page;
	u32 target;
	int level;

	/* Fault injection: the job's tables went bad, or the bus failed it. */
	if (job->inject == EDNA_SIM_INJECT_MMU_FAULT)
		return edna_sim_fault(job, va, write, EDNA_FAULT_UNMAPPED);
	if (job->inject == EDNA_SIM_INJECT_BUS_ERROR)
		return edna_sim_fault(job, va, write, EDNA_FAULT_BUS);
	if (va >> EDNA_VA_BITS)
		return edna_sim_fault(job, va, write, EDNA_FAULT_UNMAPPED);
	if (!(job->root & EDNA_CTX_ROOT_VALID))
		return edna_sim_fault(job, va, write, EDNA_FAULT_NO_CONTEXT);

	table = job->root & EDNA_PTE_ADDR;
	for (level = 0; level < EDNA_PT_LEVELS; level++) {
		__le64 raw;

		if (edna_sim_host_read(table + EDNA_PT_INDEX(va, level) * sizeof(raw),
				       &raw, sizeof(raw)))
			return edna_sim_fault(job, va, write, EDNA_FAULT_BUS);
		pte = le64_to_cpu(raw);
		if (!(pte & EDNA_PTE_VALID))
			return edna_sim_fault(job, va, write, EDNA_FAULT_UNMAPPED);
		table = pte & EDNA_PTE_ADDR;
	}

	target = FIELD_GET(EDNA_PTE_TARGET, pte);
	page = pte & EDNA_PTE_ADDR;
	/* The whole page must lie inside the device memory it names. */
	if (target >= EDNA_NUM_TARGETS ||
	    (target != EDNA_TARGET_HOST &&
	     (page >= sim->mem_size[target] || sim->mem_size[target] - page < EDNA_PAGE_SIZE)))
		return edna_sim_fault(job, va, write, EDNA_FAULT_BAD_TABLE);
	if (!(pte & (write ? EDNA_PTE_WRITE : EDNA_PTE_READ)))
		return edna_sim_fault(job, va, write, EDNA_FAULT_PERMISSION);

	a->target = target;
	a->addr = page + (va & (EDNA_PAGE_SIZE - 1));
	a->page = NULL;
	if (target == EDNA_TARGET_HOST) {
		a->page = edna_sim_host_page(a->addr);
		if (!a->page)
			return edna_sim_fault(job, va, write, EDNA_FAULT_BUS);
	} else {
		edna_sim_mem_used(sim, target, page + EDNA_PAGE_SIZE);
	}
	return true;
}

/**
 * edna_sim_mem_map() - CPU pointer to a translated address
 * @sim: the device
 * @a: a translation from edna_sim_mmu_translate()
 *
 * Valid to the end of the device page; undo with edna_sim_mem_unmap(),
 * in reverse order of mapping.
 *
 * Return: the pointer.
 */
void *edna_sim_mem_map(struct edna_sim *sim, const struct edna_sim_addr *a)
{
	if (a->target == EDNA_TARGET_HOST)
		return kmap_local_page(a->page) + offset_in_page(a->addr);
	return sim->mem[a->target] + a->addr;
}

/**
 * edna_sim_mem_unmap() - drop a pointer from edna_sim_mem_map()
 * @a: the translation it was mapped from
 * @p: the pointer
 */
void edna_sim_mem_unmap(const struct edna_sim_addr *a, void *p)
{
	if (a->target == EDNA_TARGET_HOST)
		kunmap_local(p);
}
