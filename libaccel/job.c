// SPDX-License-Identifier: MIT
/*
 * libaccel: jobs: describing them, submitting them, waiting for them and
 * reading how they ended.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "accel.h"
#include "accel_internal.h"

/* A job on queue 0 at normal priority, everything else zero. */
static void job_init(struct drm_edna_job *job, uint32_t op)
{
	memset(job, 0, sizeof(*job));
	job->priority = EDNA_PRIORITY_NORMAL;
	job->op = op;
}

ACCEL_EXPORT int accel_job_init_nop(struct drm_edna_job *job)
{
	if (!job)
		return -EINVAL;
	job_init(job, EDNA_JOB_NOP);
	return 0;
}

ACCEL_EXPORT int accel_job_init_fill(struct drm_edna_job *job, const struct accel_bo *dst,
				     uint64_t offset, uint64_t size, uint32_t pattern)
{
	if (!job || !dst || !size || size % 4 || size > EDNA_SUBMIT_MAX_SIZE ||
	    !accel_range_ok(dst->size, offset, size))
		return -EINVAL;
	job_init(job, EDNA_JOB_FILL);
	job->dst = dst->va + offset;
	job->size = size;
	job->pattern = pattern;
	return 0;
}

ACCEL_EXPORT int accel_job_init_copy(struct drm_edna_job *job, const struct accel_bo *dst,
				     uint64_t dst_offset, const struct accel_bo *src,
				     uint64_t src_offset, uint64_t size)
{
	uint64_t to, from;

	if (!job || !dst || !src || !size || size > EDNA_SUBMIT_MAX_SIZE ||
	    !accel_range_ok(dst->size, dst_offset, size) ||
	    !accel_range_ok(src->size, src_offset, size))
		return -EINVAL;
	to = dst->va + dst_offset;
	from = src->va + src_offset;
	/* The device moves chunks in an order the ABI does not promise. */
	if (to < from + size && from < to + size)
		return -EINVAL;
	job_init(job, EDNA_JOB_COPY);
	job->dst = to;
	job->src = from;
	job->size = size;
	return 0;
}

ACCEL_EXPORT int accel_job_init_graph(struct drm_edna_job *job, const struct accel_graph *graph,
				      const struct accel_bo *args, uint64_t args_offset)
{
	if (!job || !graph || !args ||
	    !accel_range_ok(args->size, args_offset, sizeof(struct drm_edna_graph_args)))
		return -EINVAL;
	job_init(job, EDNA_JOB_GRAPH);
	job->src = graph->bo->va;
	job->dst = args->va + args_offset;
	return 0;
}

ACCEL_EXPORT int accel_job_set_bos(struct drm_edna_job *job, const struct drm_edna_bo_ref *bos,
				   unsigned int count)
{
	if (!job || (!bos && count) || count > EDNA_SUBMIT_MAX_BOS)
		return -EINVAL;
	job->bos = count ? (uintptr_t)bos : 0;
	job->bo_count = count;
	return 0;
}

ACCEL_EXPORT int accel_job_set_syncs(struct drm_edna_job *job, const struct drm_edna_sync *syncs,
				     unsigned int count)
{
	if (!job || (!syncs && count) || count > EDNA_SUBMIT_MAX_SYNCS)
		return -EINVAL;
	job->syncs = count ? (uintptr_t)syncs : 0;
	job->sync_count = count;
	return 0;
}

ACCEL_EXPORT int accel_job_set_result(struct drm_edna_job *job, const struct accel_bo *bo,
				      uint64_t offset)
{
	if (!job)
		return -EINVAL;
	if (!bo) {
		job->result_va = 0;
		return 0;
	}
	if (offset % 8 || !accel_range_ok(bo->size, offset, sizeof(struct drm_edna_job_result)))
		return -EINVAL;
	job->result_va = bo->va + offset;
	return 0;
}

ACCEL_EXPORT int accel_submit(struct accel_device *dev, struct drm_edna_job *jobs,
			      unsigned int count)
{
	struct drm_edna_submit args = {
		.jobs = (uintptr_t)jobs,
		.job_count = count,
		/* The struct as this library knows it; the kernel adapts. */
		.job_stride = sizeof(*jobs),
	};

	if (!dev || !jobs || !count || count > EDNA_SUBMIT_MAX_JOBS)
		return -EINVAL;
	return accel_ioctl(dev->fd, DRM_IOCTL_EDNA_SUBMIT, &args);
}

ACCEL_EXPORT int64_t accel_deadline_after(int64_t ns)
{
	struct timespec ts;
	int64_t now;

	/* CLOCK_MONOTONIC cannot fail on Linux; never waiting is the safe answer. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (ns > 0 && now > INT64_MAX - ns)
		return INT64_MAX;
	if (ns < 0 && now < INT64_MIN - ns)
		return INT64_MIN;
	return now + ns;
}

static int accel_wait_common(struct accel_device *dev, struct drm_edna_wait *args, int *status)
{
	int ret;

	if (!dev)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_EDNA_WAIT, args);
	if (!ret && status)
		*status = args->status;
	return ret;
}

ACCEL_EXPORT int accel_wait(struct accel_device *dev, uint64_t seqno, int64_t deadline_ns,
			    int *status, struct drm_edna_job_result *result)
{
	struct drm_edna_wait args = {
		.seqno = seqno,
		.deadline_ns = deadline_ns,
		.result = (uintptr_t)result,
		.result_size = result ? sizeof(*result) : 0,
	};

	/* No job has sequence number 0. */
	if (!seqno)
		return -EINVAL;
	/* An older kernel's record is shorter: leave the rest zero, not stale. */
	if (result)
		memset(result, 0, sizeof(*result));
	return accel_wait_common(dev, &args, status);
}

ACCEL_EXPORT int accel_wait_bo(struct accel_device *dev, uint32_t handle, int64_t deadline_ns,
			       int *status)
{
	struct drm_edna_wait args = {
		.seqno = handle,
		.deadline_ns = deadline_ns,
		.flags = EDNA_WAIT_BO,
	};

	return accel_wait_common(dev, &args, status);
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

ACCEL_EXPORT int accel_result_read(struct accel_bo *bo, uint64_t offset,
				   struct drm_edna_job_result *result)
{
	/* The device writes the record little endian; read it whole, once. */
	unsigned char raw[sizeof(*result)];
	unsigned char *p;
	unsigned int r, d, i;
	int ret;

	if (!result || offset % 8)
		return -EINVAL;
	ret = accel_bo_cpu_range(bo, offset, sizeof(raw), &p);
	if (ret)
		return ret;
	memcpy(raw, p, sizeof(raw));

#define FIELD(f) (raw + offsetof(struct drm_edna_job_result, f))
	result->seqno = get_le64(FIELD(seqno));
	result->status = get_le32(FIELD(status));
	result->op_index = get_le32(FIELD(op_index));
	result->reason = get_le32(FIELD(reason));
	result->pad = get_le32(FIELD(pad));
	result->fault_va = get_le64(FIELD(fault_va));
	result->cycles = get_le64(FIELD(cycles));
	result->macs = get_le64(FIELD(macs));
	for (r = 0; r < EDNA_REGION_COUNT; r++)
		for (d = 0; d < 2; d++)
			result->bytes[r][d] = get_le64(FIELD(bytes) + 8 * (2 * r + d));
	for (i = 0; i < sizeof(result->reserved) / sizeof(result->reserved[0]); i++)
		result->reserved[i] = get_le64(FIELD(reserved) + 8 * i);
#undef FIELD
	return 0;
}
