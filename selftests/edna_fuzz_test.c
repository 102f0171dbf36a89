// SPDX-License-Identifier: GPL-2.0
/*
 * edna_fuzz: hostile input.  A seeded ioctl fuzzer (edna's ioctls and the
 * DRM core's, random arguments, handle and file churn, from several
 * threads and processes) and a graph fuzzer (mutations of valid graphs).
 * After each, the device still works and nothing stays allocated; the VM
 * runner checks the kernel log for splats, and the debug kernel adds
 * KASAN, lockdep and kmemleak.
 *
 * Environment: EDNA_FUZZ_SEED fixes the seed (else the time; it is
 * logged), EDNA_FUZZ_CALLS the number of ioctl calls (default 20000),
 * EDNA_FUZZ_GRAPHS the number of graph jobs (default 2000).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE		4096ULL
#define SEC		EDNA_SEC
#define SYSFS		"/sys/class/accel/accel0/device/"
#define DBG		"/sys/kernel/debug/accel/edna.0/"

/* Processes, and threads in each, that the ioctl fuzzer runs. */
#define FUZZ_PROCS	2
#define FUZZ_THREADS	3
/* Objects a worker keeps at most; past that it lets go of one. */
#define FUZZ_POOL	48
/* Host memory a worker's buffers may take at most, so the run stays bounded. */
#define FUZZ_BO_MAX	(256 << 10)

static unsigned long long env_ull(const char *name, unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* splitmix64: small, seedable, and each worker has its own. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

/*
 * One fuzzing thread's state: its files, and what it created in its own
 * one.  The shared file sees the same calls with handles that may be
 * another thread's, or stale.
 */
struct fuzzer {
	uint64_t rng;
	int shared_fd;		/* the process's file, used by every thread */
	int own_fd;		/* this thread's, reopened now and then */
	uint32_t handles[FUZZ_POOL];
	uint64_t vas[FUZZ_POOL];
	uint64_t sizes[FUZZ_POOL];
	uint64_t mmap_offsets[FUZZ_POOL];
	unsigned int nhandles;
	uint32_t syncobjs[FUZZ_POOL];
	unsigned int nsyncobjs;
	int fds[8];		/* dma-buf and syncobj fds */
	unsigned int nfds;
	uint64_t seqnos[16];
	unsigned int nseqnos;
	/* user memory the arguments point into */
	unsigned char *arg;	/* 16 KiB + an inaccessible page after */
	unsigned char *nested;	/* 16 KiB + an inaccessible page after */
	unsigned char *hole;	/* an inaccessible page */
	unsigned long calls, ok, submitted;
};

#define ARG_SIZE	(16 << 10)

/* A pointer userspace might pass: good, bad, or of the wrong kind. */
static uint64_t fuzz_ptr(struct fuzzer *f, void *good, size_t good_size)
{
	switch (below(&f->rng, 12)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)f->hole + below(&f->rng, PAGE);
	case 2:
		return (uintptr_t)good + 1 + below(&f->rng, 7);	/* misaligned */
	case 3:
		return 0xffff888000000000ULL + below(&f->rng, 1 << 20) * 8;
	case 4:
		return 0xffffffff81000000ULL;
	case 5:
		/* The end of the buffer, running into the guard page. */
		return (uintptr_t)good + good_size - below(&f->rng, 64);
	case 6:
		return rnd(&f->rng);
	default:
		return (uintptr_t)good;
	}
}

static uint32_t fuzz_handle(struct fuzzer *f)
{
	switch (below(&f->rng, 8)) {
	case 0:
		return 0;
	case 1:
		return rnd(&f->rng);
	case 2:
		return below(&f->rng, 64);
	default:
		return f->nhandles ? f->handles[below(&f->rng, f->nhandles)] : 1;
	}
}

static uint32_t fuzz_syncobj(struct fuzzer *f)
{
	if (below(&f->rng, 4) == 0 || !f->nsyncobjs)
		return below(&f->rng, 3) ? below(&f->rng, 64) : rnd(&f->rng);
	return f->syncobjs[below(&f->rng, f->nsyncobjs)];
}

/* A count: mostly small, sometimes at or past a limit, sometimes absurd. */
static uint32_t fuzz_count(struct fuzzer *f, uint32_t limit)
{
	switch (below(&f->rng, 8)) {
	case 0:
		return 0;
	case 1:
		return limit;
	case 2:
		return limit + 1;
	case 3:
		return rnd(&f->rng);
	default:
		return 1 + below(&f->rng, 4);
	}
}

static uint64_t fuzz_size(struct fuzzer *f)
{
	static const uint64_t sizes[] = {
		0, 1, 3, 4, PAGE - 4, PAGE, PAGE + 4, 2 * PAGE, 64 << 10,
		EDNA_SUBMIT_MAX_SIZE, EDNA_SUBMIT_MAX_SIZE + 4, 1ULL << 62, ~0ULL,
	};

	if (below(&f->rng, 4) == 0)
		return rnd(&f->rng);
	return sizes[below(&f->rng, sizeof(sizes) / sizeof(sizes[0]))];
}

/* A device VA: of a live buffer, near one, or anywhere. */
static uint64_t fuzz_va(struct fuzzer *f)
{
	uint64_t va;

	if (!f->nhandles || below(&f->rng, 5) == 0)
		return below(&f->rng, 2) ? rnd(&f->rng) : rnd(&f->rng) & ((1ULL << 39) - 1);
	va = f->vas[below(&f->rng, f->nhandles)];
	switch (below(&f->rng, 4)) {
	case 0:
		return va + below(&f->rng, 2 * PAGE);
	case 1:
		return va - below(&f->rng, PAGE);
	default:
		return va;
	}
}

static uint64_t fuzz_flags(struct fuzzer *f, uint64_t valid)
{
	switch (below(&f->rng, 6)) {
	case 0:
		return rnd(&f->rng);
	case 1:
		return 1ULL << below(&f->rng, 64);
	default:
		return valid & rnd(&f->rng);
	}
}

static int fuzz_fd(struct fuzzer *f)
{
	return below(&f->rng, 2) ? f->shared_fd : f->own_fd;
}

static void keep_handle(struct fuzzer *f, int fd, uint32_t handle)
{
	struct drm_edna_bo_info info = { .handle = handle };
	unsigned int i;

	if (f->nhandles == FUZZ_POOL) {
		i = below(&f->rng, FUZZ_POOL);
		edna_gem_close(fd, f->handles[i]);
		f->handles[i] = f->handles[--f->nhandles];
	}
	i = f->nhandles++;
	f->handles[i] = handle;
	f->vas[i] = 0;
	f->sizes[i] = 0;
	f->mmap_offsets[i] = 0;
	if (!edna_ioctl(fd, DRM_IOCTL_EDNA_BO_INFO, &info)) {
		f->vas[i] = info.va;
		f->sizes[i] = info.size;
		f->mmap_offsets[i] = info.mmap_offset;
	}
}

static void keep_fd(struct fuzzer *f, int fd)
{
	if (fd < 0)
		return;
	if (f->nfds == sizeof(f->fds) / sizeof(f->fds[0])) {
		unsigned int i = below(&f->rng, f->nfds);

		close(f->fds[i]);
		f->fds[i] = f->fds[--f->nfds];
	}
	f->fds[f->nfds++] = fd;
}

/*
 * A job that should run: a NOP, or a FILL or COPY inside buffers of the
 * thread's file that it lists, maybe signalling a syncobj.
 */
static void clean_job(struct fuzzer *f, struct drm_edna_job *job, struct drm_edna_bo_ref *refs,
		      struct drm_edna_sync *syncs)
{
	unsigned int a, b;
	uint64_t half;

	memset(job, 0, sizeof(*job));
	job->queue = below(&f->rng, 4);
	job->priority = below(&f->rng, 3);
	job->op = EDNA_JOB_NOP;
	if (f->nhandles && below(&f->rng, 4)) {
		a = below(&f->rng, f->nhandles);
		b = below(&f->rng, f->nhandles);
		half = f->sizes[a] / 2 & ~3ULL;
		if (half) {
			job->op = below(&f->rng, 2) ? EDNA_JOB_FILL : EDNA_JOB_COPY;
			job->dst = f->vas[a];
			job->size = 4 * (1 + below(&f->rng, half / 4));
			job->pattern = rnd(&f->rng);
			refs[0].handle = f->handles[a];
			refs[0].flags = EDNA_BO_WRITE;
			job->bo_count = 1;
			if (job->op == EDNA_JOB_COPY) {
				/* From the other half of the same buffer, or another buffer. */
				job->src = f->vas[a] + half;
				if (a != b && f->sizes[b] >= job->size) {
					job->src = f->vas[b];
					refs[1].handle = f->handles[b];
					refs[1].flags = EDNA_BO_READ;
					job->bo_count = 2;
				}
			}
			job->bos = (uintptr_t)refs;
		}
	}
	if (f->nsyncobjs && below(&f->rng, 4) == 0) {
		syncs[0].handle = f->syncobjs[below(&f->rng, f->nsyncobjs)];
		syncs[0].flags = EDNA_SYNC_SIGNAL;
		job->syncs = (uintptr_t)syncs;
		job->sync_count = 1;
	}
}

/* One field of a job made hostile. */
static void mutate_job(struct fuzzer *f, struct drm_edna_job *job, struct drm_edna_bo_ref *refs,
		       struct drm_edna_sync *syncs)
{
	unsigned int j;

	switch (below(&f->rng, 14)) {
	case 0:
		job->queue = below(&f->rng, 2) ? below(&f->rng, 16) : rnd(&f->rng);
		break;
	case 1:
		job->priority = rnd(&f->rng) % (below(&f->rng, 2) ? 8 : ~0u);
		break;
	case 2:
		job->op = below(&f->rng, 2) ? below(&f->rng, 8) : rnd(&f->rng);
		break;
	case 3:
		job->flags = fuzz_flags(f, 0);
		break;
	case 4:
		job->src = fuzz_va(f);
		break;
	case 5:
		job->dst = fuzz_va(f);
		break;
	case 6:
		job->size = fuzz_size(f);
		break;
	case 7:
		job->bo_count = fuzz_count(f, EDNA_SUBMIT_MAX_BOS);
		for (j = 0; j < 4; j++) {
			refs[j].handle = fuzz_handle(f);
			refs[j].flags = below(&f->rng, 2) ? 1u << below(&f->rng, 3) : fuzz_flags(f, 7);
		}
		job->bos = (uintptr_t)refs;
		break;
	case 8:
		job->bos = fuzz_ptr(f, refs, 512);
		if (!job->bo_count)
			job->bo_count = 1;
		break;
	case 9:
		job->sync_count = fuzz_count(f, EDNA_SUBMIT_MAX_SYNCS);
		for (j = 0; j < 4; j++) {
			syncs[j].handle = fuzz_syncobj(f);
			syncs[j].flags = below(&f->rng, 2) ? 1 + below(&f->rng, 2) : fuzz_flags(f, 3);
			syncs[j].point = below(&f->rng, 2) ? 0 : below(&f->rng, 4);
		}
		job->syncs = (uintptr_t)syncs;
		break;
	case 10:
		job->syncs = fuzz_ptr(f, syncs, 512);
		if (!job->sync_count)
			job->sync_count = 1;
		break;
	case 11:
		job->pad = rnd(&f->rng);
		break;
	case 12:
		job->result_va = below(&f->rng, 2) ? fuzz_va(f) & ~7ULL : fuzz_va(f);
		break;
	default:
		/* The same buffer twice, or a read-only use of a written one. */
		if (job->bo_count) {
			refs[1] = refs[0];
			refs[1].flags = below(&f->rng, 2) ? refs[0].flags : EDNA_BO_READ;
			job->bo_count = 2;
		}
		break;
	}
}

static void fuzz_submit(struct fuzzer *f, int fd)
{
	struct drm_edna_job *jobs = (void *)f->arg;
	struct drm_edna_submit s = {};
	unsigned int n = 1 + below(&f->rng, 4), i, k;
	size_t stride = sizeof(*jobs);

	memset(f->arg, 0, ARG_SIZE);
	/* Buffer and sync lists live in the nested page, one list per job. */
	for (i = 0; i < n; i++) {
		struct drm_edna_bo_ref *refs = (void *)(f->nested + i * 1024);
		struct drm_edna_sync *syncs = (void *)(f->nested + i * 1024 + 512);

		clean_job(f, &jobs[i], refs, syncs);
		/* Half the submissions are all clean; in the others, a few fields are not. */
		if (below(&f->rng, 2))
			for (k = below(&f->rng, 3); k; k--)
				mutate_job(f, &jobs[i], refs, syncs);
	}
	switch (below(&f->rng, 16)) {
	case 0:
		stride = below(&f->rng, 2 * sizeof(*jobs) + 1);
		break;
	case 1:
		stride = sizeof(*jobs) + 8;	/* a newer binary, zeros past the end */
		break;
	}
	s.jobs = below(&f->rng, 8) ? (uintptr_t)jobs : fuzz_ptr(f, jobs, ARG_SIZE);
	s.job_count = below(&f->rng, 8) ? n : fuzz_count(f, EDNA_SUBMIT_MAX_JOBS);
	s.job_stride = stride;
	s.flags = below(&f->rng, 32) ? 0 : rnd(&f->rng);
	s.pad = below(&f->rng, 32) ? 0 : rnd(&f->rng);
	s.reserved = below(&f->rng, 32) ? 0 : rnd(&f->rng);
	if (!edna_ioctl(fd, DRM_IOCTL_EDNA_SUBMIT, &s)) {
		f->ok++;
		f->submitted += s.job_count;
		if (s.jobs == (uintptr_t)jobs && stride == sizeof(*jobs)) {
			f->seqnos[f->nseqnos++ % 16] = jobs[0].seqno;
			if (f->nseqnos > 16)
				f->nseqnos = 16;
		}
	}
}

static void fuzz_wait(struct fuzzer *f, int fd)
{
	struct drm_edna_wait w = {};
	struct drm_edna_job_result *res = (void *)f->nested;

	w.seqno = f->nseqnos && below(&f->rng, 2) ? f->seqnos[below(&f->rng, f->nseqnos)] :
		  below(&f->rng, 2) ? fuzz_handle(f) : rnd(&f->rng);
	/* Never long: at most a millisecond from now, or already past. */
	w.deadline_ns = below(&f->rng, 2) ? edna_now_ns() + below(&f->rng, 1000000) :
			-(int64_t)below(&f->rng, 1000);
	w.flags = below(&f->rng, 4) ? below(&f->rng, 2) : fuzz_flags(f, 1);
	w.result = below(&f->rng, 2) ? 0 : fuzz_ptr(f, res, ARG_SIZE);
	w.result_size = below(&f->rng, 2) ? sizeof(*res) : fuzz_count(f, sizeof(*res));
	w.pad = below(&f->rng, 16) ? 0 : rnd(&f->rng);
	f->ok += !edna_ioctl(fd, DRM_IOCTL_EDNA_WAIT, &w);
}

static void fuzz_bo_create(struct fuzzer *f, int fd)
{
	struct drm_edna_bo_create c = {};

	c.size = below(&f->rng, 4) ? 1 + below(&f->rng, FUZZ_BO_MAX / FUZZ_POOL) : fuzz_size(f);
	c.region = below(&f->rng, 8) ? below(&f->rng, 3) : rnd(&f->rng);
	c.flags = below(&f->rng, 4) ? fuzz_flags(f, EDNA_BO_CREATE_FLAGS) : rnd(&f->rng);
	c.pad = below(&f->rng, 16) ? 0 : rnd(&f->rng);
	c.handle = rnd(&f->rng);
	if (!edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &c)) {
		f->ok++;
		/* Only the thread's own file's handles are kept: the shared one races. */
		if (fd == f->own_fd)
			keep_handle(f, fd, c.handle);
		else
			edna_gem_close(fd, c.handle);
	}
}

static void fuzz_query(struct fuzzer *f, int fd, unsigned int which)
{
	if (which == 0) {
		struct drm_edna_get_param p = {
			.param = below(&f->rng, 4) ? below(&f->rng, 16) : rnd(&f->rng),
			.index = below(&f->rng, 4) ? below(&f->rng, 4) : rnd(&f->rng),
			.reserved = below(&f->rng, 16) ? 0 : rnd(&f->rng),
		};

		f->ok += !edna_ioctl(fd, DRM_IOCTL_EDNA_GET_PARAM, &p);
	} else if (which == 1) {
		struct drm_edna_query q = {
			.id = below(&f->rng, 4) ? below(&f->rng, 2) : rnd(&f->rng),
			.size = below(&f->rng, 2) ? sizeof(struct drm_edna_device_info) :
				fuzz_count(f, ARG_SIZE),
			.flags = below(&f->rng, 16) ? 0 : rnd(&f->rng),
			.reserved = below(&f->rng, 16) ? 0 : rnd(&f->rng),
		};

		q.data = fuzz_ptr(f, f->nested, ARG_SIZE);
		f->ok += !edna_ioctl(fd, DRM_IOCTL_EDNA_QUERY, &q);
	} else {
		struct drm_edna_bo_info i = { .handle = fuzz_handle(f) };

		i.pad = below(&f->rng, 16) ? 0 : rnd(&f->rng);
		f->ok += !edna_ioctl(fd, DRM_IOCTL_EDNA_BO_INFO, &i);
	}
}

/* PRIME export and import, within a file, across files and processes. */
static void fuzz_prime(struct fuzzer *f, int fd)
{
	if (below(&f->rng, 2) || !f->nfds) {
		struct drm_prime_handle p = { .handle = fuzz_handle(f) };

		p.flags = below(&f->rng, 4) ? DRM_CLOEXEC | (below(&f->rng, 2) ? DRM_RDWR : 0) :
			  rnd(&f->rng);
		if (!edna_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p)) {
			f->ok++;
			keep_fd(f, p.fd);
		}
	} else {
		struct drm_prime_handle p = {
			.fd = below(&f->rng, 8) ? f->fds[below(&f->rng, f->nfds)] : (int)rnd(&f->rng),
		};

		p.flags = below(&f->rng, 8) ? 0 : rnd(&f->rng);
		if (!edna_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p)) {
			f->ok++;
			if (fd == f->own_fd)
				keep_handle(f, fd, p.handle);
			else
				edna_gem_close(fd, p.handle);
		}
	}
}

static void fuzz_syncobj_op(struct fuzzer *f, int fd)
{
	/* Syncobjs are kept for the thread's own file, as buffers are. */
	if (fd != f->own_fd && below(&f->rng, 2))
		fd = f->own_fd;
	switch (below(&f->rng, 8)) {
	case 0: {
		struct drm_syncobj_create c = {
			.flags = below(&f->rng, 4) ? below(&f->rng, 2) : rnd(&f->rng),
		};

		if (!edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c)) {
			f->ok++;
			if (fd != f->own_fd) {
				struct drm_syncobj_destroy d = { .handle = c.handle };

				edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
				break;
			}
			if (f->nsyncobjs == FUZZ_POOL) {
				unsigned int i = below(&f->rng, FUZZ_POOL);
				struct drm_syncobj_destroy d = { .handle = f->syncobjs[i] };

				edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
				f->syncobjs[i] = f->syncobjs[--f->nsyncobjs];
			}
			f->syncobjs[f->nsyncobjs++] = c.handle;
		}
		break;
	}
	case 1: {
		struct drm_syncobj_destroy d = { .handle = fuzz_syncobj(f) };
		unsigned int i;

		if (!edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d)) {
			f->ok++;
			for (i = 0; fd == f->own_fd && i < f->nsyncobjs; i++)
				if (f->syncobjs[i] == d.handle)
					f->syncobjs[i--] = f->syncobjs[--f->nsyncobjs];
		}
		break;
	}
	case 2: {
		uint32_t *handles = (void *)f->nested;
		struct drm_syncobj_wait w = {};
		unsigned int i, n = 1 + below(&f->rng, 4);

		for (i = 0; i < n; i++)
			handles[i] = fuzz_syncobj(f);
		w.handles = fuzz_ptr(f, handles, ARG_SIZE);
		w.count_handles = below(&f->rng, 4) ? n : fuzz_count(f, 64);
		/* Absolute CLOCK_MONOTONIC: a millisecond at most. */
		w.timeout_nsec = edna_now_ns() + below(&f->rng, 1000000);
		w.flags = fuzz_flags(f, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT);
		f->ok += !edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
		break;
	}
	case 3: {
		uint32_t *handles = (void *)f->nested;
		struct drm_syncobj_array a = {};
		unsigned int i, n = 1 + below(&f->rng, 4);

		for (i = 0; i < n; i++)
			handles[i] = fuzz_syncobj(f);
		a.handles = fuzz_ptr(f, handles, ARG_SIZE);
		a.count_handles = below(&f->rng, 4) ? n : fuzz_count(f, 64);
		a.pad = below(&f->rng, 16) ? 0 : rnd(&f->rng);
		f->ok += !edna_ioctl(fd, below(&f->rng, 2) ? DRM_IOCTL_SYNCOBJ_SIGNAL :
				     DRM_IOCTL_SYNCOBJ_RESET, &a);
		break;
	}
	case 4: {
		uint32_t *handles = (void *)f->nested;
		uint64_t *points = (void *)(f->nested + 512);
		struct drm_syncobj_timeline_array a = {};
		unsigned int i, n = 1 + below(&f->rng, 4);

		for (i = 0; i < n; i++) {
			handles[i] = fuzz_syncobj(f);
			points[i] = below(&f->rng, 8);
		}
		a.handles = fuzz_ptr(f, handles, ARG_SIZE);
		a.points = fuzz_ptr(f, points, ARG_SIZE - 512);
		a.count_handles = below(&f->rng, 4) ? n : fuzz_count(f, 64);
		a.flags = below(&f->rng, 4) ? 0 : rnd(&f->rng);
		f->ok += !edna_ioctl(fd, below(&f->rng, 2) ? DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL :
				     DRM_IOCTL_SYNCOBJ_QUERY, &a);
		break;
	}
	case 5: {
		struct drm_syncobj_handle h = { .handle = fuzz_syncobj(f) };

		h.flags = below(&f->rng, 4) ? 0 : rnd(&f->rng);
		if (!edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h)) {
			f->ok++;
			keep_fd(f, h.fd);
		}
		break;
	}
	case 6: {
		struct drm_syncobj_handle h = {};

		h.fd = f->nfds && below(&f->rng, 4) ? f->fds[below(&f->rng, f->nfds)] :
		       (int)below(&f->rng, 64);
		h.flags = below(&f->rng, 4) ? 0 : rnd(&f->rng);
		if (!edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h)) {
			struct drm_syncobj_destroy d = { .handle = h.handle };

			f->ok++;
			edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
		}
		break;
	}
	default: {
		struct drm_syncobj_transfer t = {
			.src_handle = fuzz_syncobj(f), .dst_handle = fuzz_syncobj(f),
			.src_point = below(&f->rng, 4), .dst_point = below(&f->rng, 4),
		};

		t.flags = below(&f->rng, 4) ? 0 : rnd(&f->rng);
		t.pad = below(&f->rng, 16) ? 0 : rnd(&f->rng);
		f->ok += !edna_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &t);
		break;
	}
	}
}

/* ioctls that may block for as long as their arguments say: never at random. */
static int blocking_nr(unsigned int nr)
{
	return nr == DRM_COMMAND_BASE + DRM_EDNA_WAIT ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_WAIT) ||
	       nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT);
}

/*
 * A random command: DRM's type with a random number, direction and size,
 * or another type; the argument random bytes with plausible values in
 * some words, or a bad pointer.
 */
static void fuzz_raw(struct fuzzer *f, int fd)
{
	unsigned int nr, dir, size, i;
	unsigned long cmd;
	uint64_t *words = (void *)f->arg;
	void *arg;

	do {
		nr = below(&f->rng, 2) ? DRM_COMMAND_BASE + below(&f->rng, 16) : below(&f->rng, 256);
	} while (blocking_nr(nr));
	dir = below(&f->rng, 4);
	size = below(&f->rng, 4) ? below(&f->rng, 256) : below(&f->rng, 1 << 14);
	cmd = _IOC(dir, below(&f->rng, 16) ? DRM_IOCTL_BASE : below(&f->rng, 256), nr, size);
	for (i = 0; i < ARG_SIZE / 8; i++) {
		switch (below(&f->rng, 6)) {
		case 0:
			words[i] = fuzz_handle(f) | (uint64_t)fuzz_handle(f) << 32;
			break;
		case 1:
			words[i] = fuzz_ptr(f, f->nested, ARG_SIZE);
			break;
		case 2:
			words[i] = below(&f->rng, 16);
			break;
		default:
			words[i] = rnd(&f->rng);
			break;
		}
	}
	arg = below(&f->rng, 8) ? (void *)f->arg : (void *)(uintptr_t)fuzz_ptr(f, f->arg, ARG_SIZE);
	f->ok += !ioctl(fd, cmd, arg);
}

/* Map a buffer by its offset, or by a guessed one, and touch it. */
static void fuzz_mmap(struct fuzzer *f)
{
	uint64_t off = f->nhandles && below(&f->rng, 2) ?
		       f->mmap_offsets[below(&f->rng, f->nhandles)] : below(&f->rng, 1 << 20) * PAGE;
	size_t len = (1 + below(&f->rng, 4)) * PAGE;
	volatile unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f->own_fd, off);
	if (p == MAP_FAILED)
		return;
	f->ok++;
	/* Only the first page: the buffer may be smaller than the mapping. */
	p[0] = p[0] + 1;
	munmap((void *)p, len);
}

static void fuzz_one(struct fuzzer *f)
{
	int fd = fuzz_fd(f);

	f->calls++;
	switch (below(&f->rng, 20)) {
	case 0: case 1: case 2: case 3: case 4:
		fuzz_submit(f, fd);
		break;
	case 5: case 6:
		fuzz_wait(f, fd);
		break;
	case 7: case 8:
		fuzz_bo_create(f, fd);
		break;
	case 9:
		fuzz_query(f, fd, below(&f->rng, 3));
		break;
	case 10: {
		struct drm_gem_close c = { .handle = fuzz_handle(f) };
		unsigned int i;

		c.pad = below(&f->rng, 16) ? 0 : rnd(&f->rng);
		if (!edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c) && fd == f->own_fd) {
			f->ok++;
			for (i = 0; i < f->nhandles; i++)
				if (f->handles[i] == c.handle) {
					f->nhandles--;
					f->handles[i] = f->handles[f->nhandles];
					f->vas[i] = f->vas[f->nhandles];
					f->sizes[i] = f->sizes[f->nhandles];
					f->mmap_offsets[i] = f->mmap_offsets[f->nhandles];
				}
		}
		break;
	}
	case 11:
		fuzz_prime(f, fd);
		break;
	case 12: case 13:
		fuzz_syncobj_op(f, fd);
		break;
	case 14: case 15:
		fuzz_raw(f, fd);
		break;
	case 16:
		fuzz_mmap(f);
		break;
	case 17: {
		/* File churn, with whatever it has in flight; not too often. */
		int nfd = below(&f->rng, 5) ? -1 : edna_open(0);

		if (nfd < 0) {
			fuzz_submit(f, fd);
		} else {
			/* Its buffers and syncobjs go with it. */
			close(f->own_fd);
			f->own_fd = nfd;
			f->nhandles = 0;
			f->nsyncobjs = 0;
			f->nseqnos = 0;
			f->ok++;
		}
		break;
	}
	default: {
		struct drm_version v = {};
		char *name = (char *)f->nested;

		v.name = name;
		v.name_len = below(&f->rng, 2) ? 64 : rnd(&f->rng);
		v.date = name + 64;
		v.date_len = below(&f->rng, 64);
		v.desc = below(&f->rng, 4) ? name + 128 : (char *)(uintptr_t)fuzz_ptr(f, name, 256);
		v.desc_len = below(&f->rng, 2) ? 128 : rnd(&f->rng);
		f->ok += !edna_ioctl(fd, DRM_IOCTL_VERSION, &v);
		break;
	}
	}
}

static void *map_guarded(size_t size)
{
	unsigned char *p = mmap(NULL, size + PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + size, PAGE, PROT_NONE)) {
		munmap(p, size + PAGE);
		return NULL;
	}
	return p;
}

struct worker {
	pthread_t thread;
	struct fuzzer f;
	unsigned long n;
};

static void *fuzz_thread(void *arg)
{
	struct worker *w = arg;
	struct fuzzer *f = &w->f;
	unsigned long i;
	unsigned int k;

	f->own_fd = edna_open(0);
	f->arg = map_guarded(ARG_SIZE);
	f->nested = map_guarded(ARG_SIZE);
	f->hole = map_guarded(0);
	if (f->own_fd < 0 || !f->arg || !f->nested || !f->hole)
		return (void *)1;
	for (i = 0; i < w->n; i++)
		fuzz_one(f);
	for (k = 0; k < f->nfds; k++)
		close(f->fds[k]);
	close(f->own_fd);
	munmap(f->arg, ARG_SIZE + PAGE);
	munmap(f->nested, ARG_SIZE + PAGE);
	munmap(f->hole, PAGE);
	return NULL;
}

/*
 * One fuzzing process: FUZZ_THREADS threads sharing a file and each with
 * its own.  Writes its counts of calls, successes and jobs queued to @out;
 * exits non-zero if
 * it could not run.
 */
static int fuzz_process(uint64_t seed, unsigned long calls, int out)
{
	struct worker w[FUZZ_THREADS] = {};
	unsigned long totals[3] = {};
	int shared = edna_open(0), t, bad = 0;
	void *ret;

	if (shared < 0)
		return 1;
	for (t = 0; t < FUZZ_THREADS; t++) {
		w[t].f.rng = seed + t * 0x1000193;
		w[t].f.shared_fd = shared;
		w[t].n = (calls + FUZZ_THREADS - 1) / FUZZ_THREADS;
		if (pthread_create(&w[t].thread, NULL, fuzz_thread, &w[t]))
			return 1;
	}
	for (t = 0; t < FUZZ_THREADS; t++) {
		pthread_join(w[t].thread, &ret);
		bad |= ret != NULL;
		totals[0] += w[t].f.calls;
		totals[1] += w[t].f.ok;
		totals[2] += w[t].f.submitted;
	}
	close(shared);
	if (write(out, totals, sizeof(totals)) != sizeof(totals))
		return 1;
	return bad;
}

/* Lines of a debugfs file that start with @prefix; -1 if unreadable. */
static int count_lines(const char *path, const char *prefix)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, prefix, strlen(prefix));
	fclose(f);
	return n;
}

/* Whether the whole of device region @region can be allocated: nothing holds any of it. */
static int region_all_free(int fd, __u32 region)
{
	__u64 size = 0;
	struct drm_edna_bo_create c = { .region = region };

	if (edna_get_param(fd, EDNA_PARAM_REGION_SIZE, region, &size) || !size)
		return -1;
	c.size = size;
	if (edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &c))
		return 0;
	edna_gem_close(fd, c.handle);
	return 1;
}

/*
 * What must come back after a fuzzer: MMU contexts (one per open file,
 * with its page tables) and memory.
 */
struct baseline {
	int contexts;
	long long shmem_kib;
};

static void take_baseline(struct baseline *b)
{
	b->contexts = count_lines(DBG "mmu", "context");
	b->shmem_kib = edna_meminfo_kib("Shmem");
}

/*
 * The device works (a FILL on every queue, checked) and, once released
 * jobs have let go, everything is back to @b: MMU contexts (no more),
 * all of DRAM and SRAM free, shmem within 1 MiB.
 */
static void check_recovered(struct __test_metadata *_metadata, const struct baseline *b)
{
	struct baseline now = {};
	long long end = edna_now_ns() + 10 * SEC;
	int fd = edna_open(0), st = -1;
	__u64 queues = 0, q;
	struct edna_bo bo;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edna_get_param(fd, EDNA_PARAM_NUM_QUEUES, 0, &queues));
	ASSERT_EQ(0, edna_bo_new(fd, queues * PAGE, EDNA_REGION_HOST, &bo));
	for (q = 0; q < queues; q++) {
		struct drm_edna_job j = { .queue = q, .op = EDNA_JOB_FILL, .dst = bo.va + q * PAGE,
					  .size = PAGE, .pattern = 0xf022ed00 + q };

		ASSERT_EQ(0, edna_submit(fd, &j, 1)) TH_LOG("queue %llu", q);
		ASSERT_EQ(0, edna_wait(fd, j.seqno, edna_deadline(10 * SEC), &st, NULL));
		EXPECT_EQ(0, st) TH_LOG("queue %llu", q);
		EXPECT_EQ(PAGE / 4, edna_first_not((char *)bo.cpu + q * PAGE, PAGE, 0xf022ed00 + q));
	}
	EXPECT_EQ(1, region_all_free(fd, EDNA_REGION_DRAM));
	EXPECT_EQ(1, region_all_free(fd, EDNA_REGION_SRAM));
	edna_bo_free(fd, &bo);
	close(fd);

	/* Closed files release their jobs and buffers asynchronously. */
	do {
		take_baseline(&now);
		if (now.contexts <= b->contexts &&
		    now.shmem_kib <= b->shmem_kib + 1024)
			break;
		usleep(50000);
	} while (edna_now_ns() < end);
	/* The baseline may still have counted a file closed just before. */
	EXPECT_GE(b->contexts, now.contexts);
	EXPECT_GE(b->shmem_kib + 1024, now.shmem_kib)
		TH_LOG("shmem %lld KiB before, %lld KiB after", b->shmem_kib, now.shmem_kib);
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
}

static uint64_t fuzz_seed(struct __test_metadata *_metadata)
{
	uint64_t seed = env_ull("EDNA_FUZZ_SEED", (uint64_t)edna_now_ns());

	TH_LOG("seed %llu (EDNA_FUZZ_SEED)", (unsigned long long)seed);
	return seed;
}

/*
 * Processes of threads issue random ioctls with random arguments; none
 * may crash, hang or leak.  The count is EDNA_FUZZ_CALLS.
 */
FIXTURE(edna_fuzz) {
	int unused;
};

FIXTURE_SETUP(edna_fuzz)
{
}

FIXTURE_TEARDOWN(edna_fuzz)
{
}

TEST_F_TIMEOUT(edna_fuzz, ioctls_with_random_arguments_leave_the_device_working_and_nothing_held,
	       1800)
{
	unsigned long calls = env_ull("EDNA_FUZZ_CALLS", 20000), total[3] = {};
	unsigned long per_proc = (calls + FUZZ_PROCS - 1) / FUZZ_PROCS;
	uint64_t seed = fuzz_seed(_metadata);
	pid_t pids[FUZZ_PROCS];
	struct baseline b;
	int pipefd[2], p, status;
	long long t0 = edna_now_ns();

	take_baseline(&b);
	ASSERT_LE(0, b.contexts);
	ASSERT_LE(0, b.shmem_kib);
	ASSERT_EQ(0, pipe(pipefd));
	for (p = 0; p < FUZZ_PROCS; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p]) {
			close(pipefd[0]);
			_exit(fuzz_process(seed + p * 0x9e3779b9ULL, per_proc, pipefd[1]));
		}
	}
	close(pipefd[1]);
	for (p = 0; p < FUZZ_PROCS; p++) {
		unsigned long t[3];

		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) TH_LOG("process %d", p);
		if (read(pipefd[0], t, sizeof(t)) == sizeof(t)) {
			total[0] += t[0];
			total[1] += t[1];
			total[2] += t[2];
		}
	}
	close(pipefd[0]);
	TH_LOG("%lu calls (%lu succeeded, %lu jobs queued) in %lld ms", total[0], total[1],
	       total[2], (edna_now_ns() - t0) / 1000000);
	/* At least the count asked for: each thread's share is rounded up. */
	EXPECT_EQ((per_proc + FUZZ_THREADS - 1) / FUZZ_THREADS * FUZZ_PROCS * FUZZ_THREADS, total[0]);
	EXPECT_LE(calls, total[0]);
	/* A fuzzer none of whose calls succeeds explores nothing. */
	EXPECT_LT(total[0] / 20, total[1]);
	EXPECT_LT(0, total[2]);
	check_recovered(_metadata, &b);
}

/*
 * The graph fuzzer's memory, one host buffer: weights and activations
 * shared by every job (jobs on different queues racing on them is
 * allowed: the results are undefined, the jobs still end), then a slot
 * per job in flight for its graph and arguments.
 */
enum {
	G_D = 32, G_HEADS = 2, G_KVH = 1, G_HD = 16, G_KVW = G_KVH * G_HD, G_FFN = 64,
	G_VOCAB = 40, G_SEQ = 16, G_MAXT = 4, G_PROMPT = 3, G_STEPS = 2,
	G_OPS = 19, G_BATCH = 16, G_SLOT = 8192, G_DATA = 256 << 10,
	G_SIZE = G_DATA + G_BATCH * G_SLOT,
};

struct graph {
	struct drm_edna_graph_header h;
	struct drm_edna_graph_op op[G_OPS];
	/* the argument block follows in the slot, at G_ARGS_OFF */
};

#define G_ARGS_OFF	(G_SLOT - 256)

struct graph_mem {
	__u64 va;
	unsigned char *cpu;
	__u64 used;
	/* operand VAs of the base graph, for mutations to pick from */
	__u64 operands[32];
	unsigned int noperands;
};

static __u64 gmem_alloc(struct graph_mem *m, __u64 size)
{
	__u64 off = (m->used + 63) & ~63ULL;

	m->used = off + size;
	if (m->noperands < sizeof(m->operands) / sizeof(m->operands[0]))
		m->operands[m->noperands++] = m->va + off;
	return m->va + off;
}

/* Bytes of a row of @n weights of @dtype (uapi: enum drm_edna_graph_dtype). */
static __u64 weight_row_bytes(int dtype, __u64 n)
{
	switch (dtype) {
	case EDNA_DTYPE_F16:
		return n * 2;
	case EDNA_DTYPE_Q8_0:
		return n / 32 * 34;
	case EDNA_DTYPE_Q4_0:
		return n / 32 * 18;
	default:
		return n * 4;
	}
}

static void set_op(struct drm_edna_graph_op *op, __u16 opcode, __u8 dtype, __u64 dst,
		   __u64 s0, __u64 s1, __u64 s2, __u32 d0, __u32 d1, __u32 d2, __u32 d3)
{
	memset(op, 0, sizeof(*op));
	op->opcode = opcode;
	op->dtype = dtype;
	op->dst = dst;
	op->src[0] = s0;
	op->src[1] = s1;
	op->src[2] = s2;
	op->dim[0] = d0;
	op->dim[1] = d1;
	op->dim[2] = d2;
	op->dim[3] = d3;
}

static __u32 bits_of(float f)
{
	__u32 u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/*
 * A small decoder layer that uses every opcode and weight type: a valid
 * graph, as in Documentation/graph-format.rst, for the mutations to start
 * from.  Weights are random bytes (any bits are valid weights).
 */
static void base_graph(struct graph_mem *m, struct graph *g, uint64_t *rng)
{
	__u64 table, wq, wk, wv, w1, w3, w2, norm, x, h, q, k, v, kc, vc, att, f1, f3, gg,
	      o, sm, tok, cp;
	struct drm_edna_graph_op *op = g->op;
	float *f;
	__u64 i;

	table = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_F32, G_D) * G_VOCAB);
	wq = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_F16, G_D) * G_D);
	wk = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_Q8_0, G_D) * G_KVW);
	wv = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_Q4_0, G_D) * G_KVW);
	w1 = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_F32, G_D) * G_FFN);
	w3 = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_Q8_0, G_D) * G_FFN);
	w2 = gmem_alloc(m, weight_row_bytes(EDNA_DTYPE_F32, G_FFN) * G_D);
	norm = gmem_alloc(m, G_D * 4);
	/* Random bits everywhere, then tame f32 weights so the graph computes numbers. */
	for (i = 0; i < m->used; i += 8)
		*(uint64_t *)(m->cpu + i) = rnd(rng);
	for (f = (float *)(m->cpu + (table - m->va)); (unsigned char *)f < m->cpu + m->used; f++)
		if ((__u64)((unsigned char *)f - m->cpu) < wq - m->va ||
		    (__u64)((unsigned char *)f - m->cpu) >= w1 - m->va)
			*f = (float)(rnd(rng) % 2001) / 1000.0f - 1.0f;
	x = gmem_alloc(m, G_MAXT * G_D * 4);
	h = gmem_alloc(m, G_MAXT * G_D * 4);
	q = gmem_alloc(m, G_MAXT * G_D * 4);
	k = gmem_alloc(m, G_MAXT * G_KVW * 4);
	v = gmem_alloc(m, G_MAXT * G_KVW * 4);
	kc = gmem_alloc(m, G_SEQ * G_KVW * 4);
	vc = gmem_alloc(m, G_SEQ * G_KVW * 4);
	att = gmem_alloc(m, G_MAXT * G_D * 4);
	f1 = gmem_alloc(m, G_MAXT * G_FFN * 4);
	f3 = gmem_alloc(m, G_MAXT * G_FFN * 4);
	gg = gmem_alloc(m, G_MAXT * G_FFN * 4);
	o = gmem_alloc(m, G_D * 4);
	sm = gmem_alloc(m, G_D * 4);
	tok = gmem_alloc(m, 4);
	cp = gmem_alloc(m, 64);

	memset(g, 0, sizeof(*g));
	g->h.magic = EDNA_GRAPH_MAGIC;
	g->h.version_major = EDNA_GRAPH_VERSION_MAJOR;
	g->h.version_minor = EDNA_GRAPH_VERSION_MINOR;
	g->h.header_size = sizeof(g->h);
	g->h.op_size = sizeof(g->op[0]);
	g->h.op_count = G_OPS;
	g->h.max_tokens = G_MAXT;
	set_op(op++, EDNA_GOP_EMBED, EDNA_DTYPE_F32, x, table, 0, 0, G_D, G_VOCAB, 0, 0);
	set_op(op, EDNA_GOP_RMSNORM, 0, h, x, norm, 0, G_D, 0, 0, 0);
	op++->param[0] = bits_of(1e-5f);
	set_op(op++, EDNA_GOP_MATMUL, EDNA_DTYPE_F16, q, h, wq, 0, G_D, G_D, 0, 0);
	set_op(op++, EDNA_GOP_MATMUL, EDNA_DTYPE_Q8_0, k, h, wk, 0, G_KVW, G_D, 0, 0);
	set_op(op++, EDNA_GOP_MATMUL, EDNA_DTYPE_Q4_0, v, h, wv, 0, G_KVW, G_D, 0, 0);
	set_op(op, EDNA_GOP_ROPE, 0, q, q, 0, 0, G_HEADS, G_HD, 0, 0);
	op++->param[0] = bits_of(10000.0f);
	set_op(op, EDNA_GOP_ROPE, 0, k, k, 0, 0, G_KVH, G_HD, 0, 0);
	op++->param[0] = bits_of(10000.0f);
	set_op(op++, EDNA_GOP_KV_APPEND, 0, kc, k, 0, 0, G_KVW, G_SEQ, 0, 0);
	set_op(op++, EDNA_GOP_KV_APPEND, 0, vc, v, 0, 0, G_KVW, G_SEQ, 0, 0);
	set_op(op++, EDNA_GOP_ATTENTION, 0, att, q, kc, vc, G_HEADS, G_KVH, G_HD, G_SEQ);
	set_op(op++, EDNA_GOP_ADD, 0, x, x, att, 0, G_D, 0, 0, 0);
	set_op(op++, EDNA_GOP_MATMUL, EDNA_DTYPE_F32, f1, x, w1, 0, G_FFN, G_D, 0, 0);
	set_op(op++, EDNA_GOP_MATMUL, EDNA_DTYPE_Q8_0, f3, x, w3, 0, G_FFN, G_D, 0, 0);
	set_op(op++, EDNA_GOP_SILU_MUL, 0, gg, f1, f3, 0, G_FFN, 0, 0, 0);
	set_op(op++, EDNA_GOP_MUL, 0, gg, gg, f3, 0, G_FFN, 0, 0, 0);
	set_op(op, EDNA_GOP_MATMUL, EDNA_DTYPE_F32, o, gg, w2, 0, G_D, G_FFN, 0, 0);
	op++->flags = EDNA_GOP_LAST_ROW;
	set_op(op, EDNA_GOP_SOFTMAX, 0, sm, o, 0, 0, G_D, 0, 0, 0);
	op++->flags = EDNA_GOP_SINGLE_ROW;
	/* ARGMAX over G_D < G_VOCAB values: always a token EMBED takes. */
	set_op(op, EDNA_GOP_ARGMAX, 0, tok, sm, 0, 0, G_D, 0, 0, 0);
	op++->flags = EDNA_GOP_SINGLE_ROW;
	set_op(op++, EDNA_GOP_COPY, 0, cp, x, 0, 0, 64, 0, 0, 0);
}

static void base_args(struct drm_edna_graph_args *a)
{
	memset(a, 0, sizeof(*a) + (G_PROMPT + G_STEPS) * 4);
	a->pos = 0;
	a->n_tokens = G_PROMPT;
	a->steps = G_STEPS;
	a->tokens[0] = 5;
	a->tokens[1] = 17;
	a->tokens[2] = 2;
}

/* A 32-bit value a mutation puts in a field that held @v. */
static __u32 mutate_u32(uint64_t *rng, __u32 v)
{
	static const __u32 special[] = {
		0, 1, 2, 3, 31, 32, 33, 4095, 4096, 0x7fff, 0x8000, 0xffff, 0x10000,
		EDNA_GRAPH_MAX_DIM, EDNA_GRAPH_MAX_DIM + 1, 0x7fffffff, 0x80000000, 0xffffffff,
	};

	switch (below(rng, 6)) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	case 2:
		return v * 2;
	case 3:
		return rnd(rng);
	default:
		return special[below(rng, sizeof(special) / sizeof(special[0]))];
	}
}

/* A device VA a mutation puts in an operand field that held @v. */
static __u64 mutate_va(uint64_t *rng, const struct graph_mem *m, __u64 v)
{
	switch (below(rng, 10)) {
	case 0:
		return 0;
	case 1:
		return v + 1 + below(rng, 3);			/* misaligned */
	case 2:
		return v + 4 * below(rng, 64);			/* overlapping */
	case 3:
		return v - 4 * (1 + below(rng, 64));
	case 4:
		return m->va + G_SIZE - 4 * below(rng, 64);	/* off the end */
	case 5:
		return m->va - PAGE + 4 * below(rng, 1024);	/* before it */
	case 6:
		return rnd(rng);
	case 7:
		return rnd(rng) & ((1ULL << 39) - 4);
	default:
		return m->operands[below(rng, m->noperands)];	/* another operand */
	}
}

/* One random change to a valid graph or its arguments. */
static void mutate(uint64_t *rng, const struct graph_mem *m, struct graph *g,
		   struct drm_edna_graph_args *a)
{
	struct drm_edna_graph_op *op = &g->op[below(rng, G_OPS)];
	__u32 *hw = (__u32 *)&g->h;

	switch (below(rng, 12)) {
	case 0: {
		/* A header word: magic, version, sizes, counts, flags, reserved. */
		unsigned int w = below(rng, sizeof(g->h) / 4);

		hw[w] = mutate_u32(rng, hw[w]);
		break;
	}
	case 1:
		op->opcode = below(rng, 4) ? 1 + below(rng, EDNA_GOP_COPY) : rnd(rng);
		break;
	case 2:
		op->dtype = below(rng, 2) ? below(rng, 5) : rnd(rng);
		op->flags = below(rng, 2) ? below(rng, 4) : rnd(rng);
		break;
	case 3: case 4: {
		unsigned int d = below(rng, 4);

		op->dim[d] = mutate_u32(rng, op->dim[d]);
		break;
	}
	case 5: case 6:
		if (below(rng, 4) == 0)
			op->dst = mutate_va(rng, m, op->dst);
		else {
			unsigned int i = below(rng, 3);

			op->src[i] = mutate_va(rng, m, op->src[i]);
		}
		break;
	case 7:
		op->param[below(rng, 4)] = rnd(rng);
		if (below(rng, 4) == 0)
			op->pad = rnd(rng);
		if (below(rng, 4) == 0)
			op->reserved[below(rng, 7)] = rnd(rng);
		break;
	case 8:
		/* The arguments: position, tokens, steps, flags. */
		switch (below(rng, 5)) {
		case 0:
			a->pos = mutate_u32(rng, a->pos);
			break;
		case 1:
			a->n_tokens = mutate_u32(rng, a->n_tokens);
			break;
		case 2:
			a->steps = mutate_u32(rng, a->steps);
			break;
		case 3:
			a->flags = rnd(rng);
			break;
		default:
			a->tokens[below(rng, G_PROMPT)] = mutate_u32(rng, G_VOCAB - 1);
			break;
		}
		break;
	case 9: {
		/* Two ops swap places, or one repeats. */
		struct drm_edna_graph_op tmp = *op, *other = &g->op[below(rng, G_OPS)];

		*op = *other;
		if (below(rng, 2))
			*other = tmp;
		break;
	}
	case 10:
		g->h.op_count = below(rng, 2) ? below(rng, G_OPS + 1) : G_OPS + 1 + below(rng, 8);
		break;
	default: {
		/* Any bit of the graph. */
		unsigned char *b = (unsigned char *)g;

		b[below(rng, sizeof(*g))] ^= 1u << below(rng, 8);
		break;
	}
	}
}

/* The record and the WAIT status of a job that ended agree, as uapi.rst says. */
static int outcome_consistent(int st, const struct drm_edna_job_result *r, __u64 seqno)
{
	if (r->seqno != seqno)
		return 0;
	switch (st) {
	case 0:
		return r->status == EDNA_STATUS_OK;
	case -EFAULT:
		return r->status == EDNA_STATUS_MMU_FAULT && r->reason >= EDNA_FAULT_REASON_UNMAPPED &&
		       r->reason <= EDNA_FAULT_REASON_BUS;
	case -ENOEXEC:
		return r->status == EDNA_STATUS_BAD_GRAPH && r->reason >= EDNA_GRAPH_ERR_MAGIC &&
		       r->reason <= EDNA_GRAPH_ERR_POSITION &&
		       (r->op_index < G_OPS + 8 || r->op_index == EDNA_GRAPH_NO_OP);
	default:
		return 0;
	}
}

/*
 * Mutated graphs, a batch at a time on every queue: each job ends with
 * success or an error record that agrees with its WAIT status, none hangs;
 * another client's buffer is untouched; the device works afterwards and
 * nothing stays allocated.  The count is EDNA_FUZZ_GRAPHS.
 */
TEST_F_TIMEOUT(edna_fuzz, mutated_graphs_end_each_job_with_a_result_and_touch_nothing_else, 1800)
{
	unsigned long graphs = env_ull("EDNA_FUZZ_GRAPHS", 2000), done = 0;
	uint64_t seed = fuzz_seed(_metadata), rng = seed;
	int other = edna_open(0), st = 0, i;
	unsigned long by_status[4] = {}, by_reason[16] = {};
	struct edna_bo victim;
	struct baseline b;
	__u64 queues = 0;
	long long t0;

	take_baseline(&b);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, edna_get_param(other, EDNA_PARAM_NUM_QUEUES, 0, &queues));
	ASSERT_EQ(0, edna_bo_new(other, 64 << 10, EDNA_REGION_HOST, &victim));
	for (i = 0; i < (64 << 10) / 4; i++)
		((__u32 *)victim.cpu)[i] = 0x71c7100 + i;
	t0 = edna_now_ns();
	while (done < graphs) {
		struct drm_edna_job jobs[G_BATCH] = {};
		int n = graphs - done < G_BATCH ? graphs - done : G_BATCH;
		/* A file a batch: sixteen faults get a file banned (uapi.rst, Banning). */
		int fd = edna_open(0);
		struct graph_mem m = {};
		struct drm_edna_bo_ref ref;
		struct graph base;
		struct edna_bo bo;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, edna_bo_new(fd, G_SIZE, EDNA_REGION_HOST, &bo));
		m.va = bo.va;
		m.cpu = bo.cpu;
		base_graph(&m, &base, &rng);
		ASSERT_GE(G_DATA, m.used);
		ref = (struct drm_edna_bo_ref){ .handle = bo.handle, .flags = EDNA_BO_NO_SYNC };
		for (i = 0; i < n; i++) {
			unsigned char *slot = (unsigned char *)bo.cpu + G_DATA + i * G_SLOT;
			struct graph *g = (struct graph *)slot;
			struct drm_edna_graph_args *a = (void *)(slot + G_ARGS_OFF);
			int k, muts = done + i ? 1 + below(&rng, 3) : 0;

			*g = base;
			base_args(a);
			/* The first graph runs as built: the base is valid. */
			for (k = 0; k < muts; k++)
				mutate(&rng, &m, g, a);
			jobs[i] = (struct drm_edna_job){
				.queue = below(&rng, queues), .op = EDNA_JOB_GRAPH,
				.src = bo.va + G_DATA + i * G_SLOT,
				.dst = bo.va + G_DATA + i * G_SLOT + G_ARGS_OFF,
				.bos = (uintptr_t)&ref, .bo_count = 1,
			};
		}
		ASSERT_EQ(0, edna_submit(fd, jobs, n));
		for (i = 0; i < n; i++) {
			struct drm_edna_job_result r = {};
			int ret = edna_wait(fd, jobs[i].seqno, edna_deadline(60 * SEC), &st, &r);

			ASSERT_EQ(0, ret) TH_LOG("graph %lu did not end", done + i);
			EXPECT_TRUE(outcome_consistent(st, &r, jobs[i].seqno))
				TH_LOG("graph %lu: status %d, record status %u reason %u op %u", done + i,
				       st, r.status, r.reason, r.op_index);
			if (!done && !i)
				ASSERT_EQ(0, st) TH_LOG("the base graph fails: reason %u op %u",
							r.reason, r.op_index);
			by_status[st == 0 ? 0 : st == -EFAULT ? 1 : st == -ENOEXEC ? 2 : 3]++;
			if (st == -ENOEXEC && r.reason < 16)
				by_reason[r.reason]++;
		}
		done += n;
		edna_bo_free(fd, &bo);
		close(fd);
	}
	TH_LOG("%lu graphs in %lld ms: %lu ran, %lu faulted, %lu rejected, %lu other", done,
	       (edna_now_ns() - t0) / 1000000, by_status[0], by_status[1], by_status[2],
	       by_status[3]);
	for (i = 1; i <= EDNA_GRAPH_ERR_POSITION; i++)
		if (by_reason[i])
			TH_LOG("  graph error %d: %lu", i, by_reason[i]);
	EXPECT_EQ(0, by_status[3]);
	/* Mutations that keep the graph valid, and ones that do not, both occur. */
	EXPECT_LT(0, by_status[0]);
	EXPECT_LT(0, by_status[2]);
	for (i = 0; i < (64 << 10) / 4; i++)
		if (((__u32 *)victim.cpu)[i] != 0x71c7100u + i)
			break;
	EXPECT_EQ((64 << 10) / 4, i) TH_LOG("another client's buffer changed at word %d", i);
	edna_bo_free(other, &victim);
	close(other);
	check_recovered(_metadata, &b);
}

TEST_HARNESS_MAIN
