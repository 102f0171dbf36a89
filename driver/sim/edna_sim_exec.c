// SPDX-License-Identifier: GPL-2.0
/*
 * edna device model: the ops a descriptor can ask for, and what they cost.
 *
 * Runs in the queue engine (process context) without sim->lock.  Every
 * access goes through the job's MMU context one chunk at a time; a chunk
 * never crosses a page of its source or destination, so it is at most
 * 4 KiB.  Between chunks the engine checks in with the queue
 * (edna_sim_job_checkin()), which counts the chunk and tells it whether
 * the job was abandoned by a reset.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/math64.h>
#include <linux/string.h>

#include "edna_sim.h"

/* Bytes to the end of the device page of @va. */
static u64 edna_sim_page_left(u64 va)
{
	return EDNA_PAGE_SIZE - (va & (EDNA_PAGE_SIZE - 1));
}

/**
 * edna_sim_job_moved() - count bytes a job moved
 * @job: the job
 * @target: EDNA_TARGET_* of the memory
 * @write: written, not read
 * @n: bytes
 */
void edna_sim_job_moved(struct edna_sim_job *job, u32 target, bool write, u64 n)
{
	job->bytes[target][write] += n;
	job->pending[target][write] += n;
}

static void edna_sim_exec_fill(struct edna_sim_job *job)
{
	struct edna_sim *sim = job->q->sim;
	__le32 pattern = cpu_to_le32(job->pattern);
	u8 buf[64];
	u64 off = 0;
	int i;

	/* 64 is a multiple of 4: the buffer keeps its phase from chunk to chunk. */
	for (i = 0; i < sizeof(buf); i += sizeof(pattern))
		memcpy(buf + i, &pattern, sizeof(pattern));

	while (off < job->size) {
		u64 va = job->dst + off;
		u64 n = min(job->size - off, edna_sim_page_left(va));
		struct edna_sim_addr d;
		u64 done;
		u8 *p;

		if (!edna_sim_job_checkin(job))
			return;
		if (!edna_sim_mmu_translate(job, va, true, &d))
			return;
		p = edna_sim_mem_map(sim, &d);
		for (done = 0; done < n; ) {
			/* Byte i of the fill is byte i % 4 of the pattern. */
			size_t phase = (off + done) & 3;
			size_t k = min_t(u64, n - done, sizeof(buf) - phase);

			memcpy(p + done, buf + phase, k);
			done += k;
		}
		edna_sim_mem_unmap(&d, p);
		edna_sim_job_moved(job, d.target, true, n);
		job->pending_units++;
		off += n;
	}
}

static void edna_sim_exec_copy(struct edna_sim_job *job)
{
	struct edna_sim *sim = job->q->sim;
	u64 off = 0;

	while (off < job->size) {
		u64 sva = job->src + off, dva = job->dst + off;
		u64 n = min3(job->size - off, edna_sim_page_left(sva), edna_sim_page_left(dva));
		struct edna_sim_addr s, d;
		void *sp, *dp;

		if (!edna_sim_job_checkin(job))
			return;
		/* The read is translated first: a chunk that cannot be read writes nothing. */
		if (!edna_sim_mmu_translate(job, sva, false, &s) ||
		    !edna_sim_mmu_translate(job, dva, true, &d))
			return;
		sp = edna_sim_mem_map(sim, &s);
		dp = edna_sim_mem_map(sim, &d);
		memcpy(dp, sp, n);
		edna_sim_mem_unmap(&d, dp);
		edna_sim_mem_unmap(&s, sp);
		edna_sim_job_moved(job, s.target, false, n);
		edna_sim_job_moved(job, d.target, true, n);
		job->pending_units++;
		off += n;
	}
}

static bool edna_sim_desc_valid(const struct edna_sim_job *job)
{
	const struct edna_sim_params *p = &job->q->sim->params;

	if (job->flags || job->reserved || job->ctx >= p->num_contexts ||
	    !IS_ALIGNED(job->result_va, 8))
		return false;
	switch (job->op) {
	case EDNA_OP_NOP:
	case EDNA_OP_GRAPH:
		return true;
	case EDNA_OP_FILL:
		return job->size && job->size <= EDNA_JOB_MAX_SIZE && !(job->size & 3);
	case EDNA_OP_COPY:
		/* Overlapping ranges have no defined result: rejected. */
		return job->size && job->size <= EDNA_JOB_MAX_SIZE &&
		       (job->src >= job->dst + job->size || job->dst >= job->src + job->size);
	}
	return false;
}

/**
 * edna_sim_job_execute() - run one fetched descriptor
 * @job: the job, status EDNA_JOB_OK on entry
 *
 * Leaves the outcome in @job: status, fault, bytes moved.  A job
 * abandoned by a reset just returns early; the queue knows.
 */
void edna_sim_job_execute(struct edna_sim_job *job)
{
	if (!edna_sim_desc_valid(job)) {
		job->status = EDNA_JOB_BAD_DESC;
		return;
	}

	switch (job->op) {
	case EDNA_OP_NOP:
		job->pending_units++;
		break;
	case EDNA_OP_FILL:
		edna_sim_exec_fill(job);
		break;
	case EDNA_OP_COPY:
		edna_sim_exec_copy(job);
		break;
	case EDNA_OP_GRAPH:
		edna_sim_exec_graph(job);
		break;
	}
}

/**
 * edna_sim_job_ns() - modeled execution time of a job
 * @sim: the device
 * @job: the job, as far as it got
 *
 * The device overlaps its memory streams and its MAC array, so a job
 * takes as long as its slowest resource, and never less than the fixed
 * cost of a descriptor.
 *
 * Return: nanoseconds.
 */
u64 edna_sim_job_ns(const struct edna_sim *sim, const struct edna_sim_job *job)
{
	const struct edna_sim_params *p = &sim->params;
	u64 ns = EDNA_SIM_JOB_OVERHEAD_NS;
	int t;

	for (t = 0; t < EDNA_NUM_TARGETS; t++) {
		u64 bytes = job->bytes[t][0] + job->bytes[t][1];

		/* bytes / (MB/s) = bytes * 1000 / MB/s nanoseconds */
		ns = max(ns, div64_u64(bytes * 1000, p->bw_mbps[t]));
	}
	ns = max(ns, div64_u64(job->macs * 1000, (u64)p->macs_per_cycle * p->clock_mhz));
	return ns;
}

/**
 * edna_sim_job_result() - the result record of a job, as the device
 *	writes it
 * @job: the job, ended
 * @r: the record
 */
void edna_sim_job_result(const struct edna_sim_job *job, struct edna_hw_result *r)
{
	const struct edna_sim *sim = job->q->sim;
	int t, w;

	memset(r, 0, sizeof(*r));
	r->job_seqno = cpu_to_le64(job->job_seqno);
	r->status = cpu_to_le32(job->status);
	if (job->fault) {
		r->reason = cpu_to_le32(FIELD_GET(EDNA_FAULT_REASON, job->fault_info));
		r->fault_va = cpu_to_le64(job->fault_va);
	} else if (job->status == EDNA_JOB_BAD_GRAPH) {
		r->reason = cpu_to_le32(job->graph_error);
	}
	/* Which op failed; for a graph that ran to the end, 0. */
	if (job->op == EDNA_OP_GRAPH && job->status != EDNA_JOB_OK)
		r->op_index = cpu_to_le32(job->op_index);
	r->cycles = cpu_to_le64(div_u64(edna_sim_job_ns(sim, job) * sim->params.clock_mhz, 1000));
	r->macs = cpu_to_le64(job->macs);
	for (t = 0; t < EDNA_NUM_TARGETS; t++)
		for (w = 0; w < 2; w++)
			r->bytes[t][w] = cpu_to_le64(job->bytes[t][w]);
}

/* Write @len bytes at @va through the job's context; false on a fault. */
static bool edna_sim_write_va(struct edna_sim_job *job, u64 va, const void *buf, u64 len)
{
	struct edna_sim *sim = job->q->sim;

	while (len) {
		u64 n = min(len, edna_sim_page_left(va));
		struct edna_sim_addr a;
		void *p;

		if (!edna_sim_mmu_translate(job, va, true, &a))
			return false;
		p = edna_sim_mem_map(sim, &a);
		memcpy(p, buf, n);
		edna_sim_mem_unmap(&a, p);
		buf += n;
		va += n;
		len -= n;
	}
	return true;
}

/**
 * edna_sim_job_write_result() - copy a job's result record to its result_va
 * @job: the job, ended
 *
 * Through the job's context like any access.  A result_va that is not
 * mapped writable fails a job that had succeeded with the fault; a job
 * that had failed keeps its own error.  The record's bytes are not
 * counted as the job's traffic.
 */
void edna_sim_job_write_result(struct edna_sim_job *job)
{
	struct edna_sim_job probe;
	struct edna_hw_result r;

	static_assert(sizeof(r) == EDNA_RESULT_SIZE);
	/* A chunk of its own: fresh context root, and a reset may stop it. */
	if (!job->result_va || job->status == EDNA_JOB_BAD_DESC || !edna_sim_job_checkin(job))
		return;
	edna_sim_job_result(job, &r);
	/* Faults of the write land in the probe, not over the job's own. */
	probe = *job;
	if (edna_sim_write_va(&probe, job->result_va, &r, sizeof(r)) ||
	    job->status != EDNA_JOB_OK)
		return;
	job->status = probe.status;
	job->fault = probe.fault;
	job->fault_va = probe.fault_va;
	job->fault_info = probe.fault_info;
}
