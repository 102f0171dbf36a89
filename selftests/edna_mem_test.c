// SPDX-License-Identifier: GPL-2.0
/*
 * edna_mem: buffer objects, their placement in the memory tiers, CPU
 * mappings, sharing through dma-buf, fdinfo memory statistics, the
 * per-client host memory limit and memory cgroup charging, and releases
 * that never wait for device work nor free memory a job still reaches.
 *
 * Expected sizes come from the device model's module parameters and the
 * page size of Documentation/hardware.rst.
 */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE	4096ULL
#define SEC	EDNA_SEC
#define SYSFS	"/sys/class/accel/accel0/device/"
#define SIM	"/sys/kernel/debug/edna_sim/edna_sim.0/"

static int bo_create(int fd, __u64 size, __u32 region, __u32 flags, __u32 *handle, __u64 *va)
{
	struct drm_edna_bo_create args = { .size = size, .region = region, .flags = flags };
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_BO_CREATE, &args);

	if (!ret) {
		*handle = args.handle;
		if (va)
			*va = args.va;
	}
	return ret;
}

static int bo_info(int fd, __u32 handle, struct drm_edna_bo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return edna_ioctl(fd, DRM_IOCTL_EDNA_BO_INFO, info);
}

static int bo_close(int fd, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return edna_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* Bytes of "drm-<key>-<region>:" in this fd's fdinfo, or -1. */
static long long fdinfo_bytes(int fd, const char *key, const char *region)
{
	char want[64];

	snprintf(want, sizeof(want), "drm-%s-%s", key, region);
	return edna_fdinfo_value(fd, want);
}

FIXTURE(edna_mem) {
	int fd;
	long long sram;
	long long dram;
	/* client_host_limit_mb before a test changed it, else -1 */
	long long saved_host_limit_mb;
};

FIXTURE_SETUP(edna_mem)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	self->sram = edna_sim_param("sram_kib") << 10;
	self->dram = edna_sim_param("dram_mib") << 20;
	ASSERT_LT(0, self->sram);
	self->saved_host_limit_mb = -1;
}

FIXTURE_TEARDOWN(edna_mem)
{
	char v[32];

	edna_write_file(SIM "chunk_delay_us", "0");
	if (self->saved_host_limit_mb >= 0) {
		snprintf(v, sizeof(v), "%lld", self->saved_host_limit_mb);
		edna_write_file(SYSFS "client_host_limit_mb", v);
	}
	close(self->fd);
}

TEST_F(edna_mem, create_maps_in_client_address_space)
{
	struct drm_edna_bo_info info;
	__u32 h[3];
	__u64 va[3];
	int r;

	for (r = 0; r < EDNA_REGION_COUNT; r++) {
		ASSERT_EQ(0, bo_create(self->fd, 10000, r, 0, &h[r], &va[r]));
		ASSERT_EQ(0, bo_info(self->fd, h[r], &info));
		EXPECT_EQ(r, info.region);
		EXPECT_EQ(3 * PAGE, info.size);
		EXPECT_EQ(va[r], info.va);
		EXPECT_EQ(0, va[r] % PAGE);
		/* hardware.rst: 39-bit device addresses; low 4 GiB left unmapped */
		EXPECT_LE(1ULL << 32, va[r]);
		EXPECT_GT(1ULL << 39, va[r] + info.size);
		EXPECT_EQ(r == EDNA_REGION_HOST, !!(info.flags & EDNA_BO_INFO_MAPPABLE));
	}
	/* No two buffers overlap in one address space. */
	EXPECT_TRUE(va[0] + 3 * PAGE <= va[1] || va[1] + 3 * PAGE <= va[0]);
	EXPECT_TRUE(va[1] + 3 * PAGE <= va[2] || va[2] + 3 * PAGE <= va[1]);
	EXPECT_TRUE(va[0] + 3 * PAGE <= va[2] || va[2] + 3 * PAGE <= va[0]);
	for (r = 0; r < EDNA_REGION_COUNT; r++)
		EXPECT_EQ(0, bo_close(self->fd, h[r]));
}

TEST_F(edna_mem, mmap_round_trip)
{
	struct drm_edna_bo_info info;
	const size_t size = 64 << 10;
	uint32_t *p;
	__u32 h;
	size_t i;

	ASSERT_EQ(0, bo_create(self->fd, size, EDNA_REGION_HOST, 0, &h, NULL));
	ASSERT_EQ(0, bo_info(self->fd, h, &info));
	ASSERT_NE(0, info.mmap_offset);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size / 4; i++)
		EXPECT_EQ(0, p[i]) TH_LOG("new buffers are zeroed");
	for (i = 0; i < size / 4; i++)
		p[i] = i * 2654435761u;
	munmap(p, size);

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size / 4; i++)
		if (p[i] != (uint32_t)(i * 2654435761u))
			break;
	EXPECT_EQ(size / 4, i);
	munmap(p, size);
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(edna_mem, bad_sizes_are_rejected)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, bo_create(self->fd, 0, EDNA_REGION_HOST, 0, &h, NULL));
	EXPECT_EQ(-EINVAL, bo_create(self->fd, UINT64_MAX, EDNA_REGION_HOST, 0, &h, NULL));
	EXPECT_EQ(-EINVAL, bo_create(self->fd, UINT64_MAX - 100, EDNA_REGION_DRAM, 0, &h, NULL));
	EXPECT_EQ(-E2BIG, bo_create(self->fd, self->sram + PAGE, EDNA_REGION_SRAM, 0, &h, NULL));
	EXPECT_EQ(-E2BIG, bo_create(self->fd, self->dram + PAGE, EDNA_REGION_DRAM, 0, &h, NULL));
	EXPECT_EQ(-E2BIG, bo_create(self->fd, 1ULL << 50, EDNA_REGION_HOST, 0, &h, NULL));
}

TEST_F(edna_mem, bad_region_flags_and_padding_are_rejected)
{
	struct drm_edna_bo_create args = { .size = PAGE, .region = EDNA_REGION_COUNT };
	struct drm_edna_bo_info info = {};

	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_CREATE, &args));
	args.region = EDNA_REGION_HOST;
	args.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_CREATE, &args));
	args.flags = 0;
	args.pad = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_CREATE, &args));
	args.pad = 0;
	/* Read-only device memory could never be written. */
	args.region = EDNA_REGION_SRAM;
	args.flags = EDNA_BO_DEVICE_READ_ONLY;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_CREATE, &args));
	args.region = EDNA_REGION_HOST;
	args.flags = 0;
	ASSERT_EQ(0, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_CREATE, &args));
	info.handle = args.handle;
	info.pad = 1;
	EXPECT_EQ(-EINVAL, edna_ioctl(self->fd, DRM_IOCTL_EDNA_BO_INFO, &info));
	EXPECT_EQ(0, bo_close(self->fd, args.handle));
}

TEST_F(edna_mem, bad_handles_and_double_close)
{
	struct drm_edna_bo_info info;
	__u32 h;

	EXPECT_EQ(-ENOENT, bo_info(self->fd, 0, &info));
	EXPECT_EQ(-ENOENT, bo_info(self->fd, 0xdead, &info));
	ASSERT_EQ(0, bo_create(self->fd, PAGE, EDNA_REGION_DRAM, 0, &h, NULL));
	EXPECT_EQ(0, bo_close(self->fd, h));
	EXPECT_EQ(-EINVAL, bo_close(self->fd, h));
	EXPECT_EQ(-ENOENT, bo_info(self->fd, h, &info));
}

TEST_F(edna_mem, mmap_beyond_the_buffer_fails)
{
	struct drm_edna_bo_info info;
	void *p;
	__u32 h;

	ASSERT_EQ(0, bo_create(self->fd, 2 * PAGE, EDNA_REGION_HOST, 0, &h, NULL));
	ASSERT_EQ(0, bo_info(self->fd, h, &info));
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset + 2 * PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(edna_mem, device_memory_is_not_cpu_mappable_nor_exportable)
{
	struct drm_edna_bo_info info;
	int dmabuf = -1;
	__u32 h;

	ASSERT_EQ(0, bo_create(self->fd, PAGE, EDNA_REGION_SRAM, 0, &h, NULL));
	ASSERT_EQ(0, bo_info(self->fd, h, &info));
	EXPECT_EQ(0, info.mmap_offset);
	EXPECT_EQ(0, info.flags & EDNA_BO_INFO_MAPPABLE);
	EXPECT_NE(0, drmPrimeHandleToFD(self->fd, h, DRM_CLOEXEC, &dmabuf));
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_F(edna_mem, sram_exhaustion_is_enospc_and_recovers)
{
	const __u64 chunk = 256 << 10;
	int n = self->sram / chunk, i;
	struct drm_edna_bo_info info;
	__u32 h[64], extra;

	ASSERT_GE(64, n);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, bo_create(self->fd, chunk, EDNA_REGION_SRAM, 0, &h[i], NULL));
	/* Full: a clear error, never a silent move to DRAM. */
	EXPECT_EQ(-ENOSPC, bo_create(self->fd, PAGE, EDNA_REGION_SRAM, 0, &extra, NULL));
	/* Unless the caller asked for the fallback. */
	ASSERT_EQ(0, bo_create(self->fd, PAGE, EDNA_REGION_SRAM, EDNA_BO_ALLOW_FALLBACK, &extra, NULL));
	ASSERT_EQ(0, bo_info(self->fd, extra, &info));
	EXPECT_EQ(EDNA_REGION_DRAM, info.region);
	EXPECT_EQ(0, bo_close(self->fd, extra));

	EXPECT_EQ(0, bo_close(self->fd, h[n / 2]));
	ASSERT_EQ(0, bo_create(self->fd, chunk, EDNA_REGION_SRAM, 0, &h[n / 2], NULL));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, bo_close(self->fd, h[i]));
	/* Everything came back: the whole SRAM in one buffer. */
	ASSERT_EQ(0, bo_create(self->fd, self->sram, EDNA_REGION_SRAM, 0, &extra, NULL));
	EXPECT_EQ(0, bo_close(self->fd, extra));
}

TEST_F(edna_mem, fdinfo_counts_what_was_allocated)
{
	__u32 h[3];
	char *p;
	struct drm_edna_bo_info info;

	EXPECT_EQ(0, fdinfo_bytes(self->fd, "total", "memory"));
	ASSERT_EQ(0, bo_create(self->fd, 64 << 10, EDNA_REGION_HOST, 0, &h[0], NULL));
	ASSERT_EQ(0, bo_create(self->fd, 128 << 10, EDNA_REGION_DRAM, 0, &h[1], NULL));
	ASSERT_EQ(0, bo_create(self->fd, 8 << 10, EDNA_REGION_SRAM, 0, &h[2], NULL));
	EXPECT_EQ(64 << 10, fdinfo_bytes(self->fd, "total", "memory"));
	EXPECT_EQ(128 << 10, fdinfo_bytes(self->fd, "total", "dram"));
	EXPECT_EQ(8 << 10, fdinfo_bytes(self->fd, "total", "sram"));
	/* Host pages are pinned for the device at creation. */
	EXPECT_EQ(64 << 10, fdinfo_bytes(self->fd, "resident", "memory"));
	EXPECT_EQ(128 << 10, fdinfo_bytes(self->fd, "resident", "dram"));

	ASSERT_EQ(0, bo_info(self->fd, h[0], &info));
	p = mmap(NULL, 64 << 10, PROT_READ, MAP_SHARED, self->fd, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 64 << 10);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(0, bo_close(self->fd, h[i]));
	EXPECT_EQ(0, fdinfo_bytes(self->fd, "total", "memory"));
	EXPECT_EQ(0, fdinfo_bytes(self->fd, "total", "dram"));
}

TEST_F(edna_mem, dmabuf_share_outlives_the_exporter)
{
	struct drm_edna_bo_info info;
	const size_t size = 3 * PAGE;
	int a = edna_open(0), b = self->fd, dmabuf;
	__u32 ha, hb;
	__u64 va_a;
	uint8_t *p;
	size_t i;

	ASSERT_LE(0, a);
	ASSERT_EQ(0, bo_create(a, size, EDNA_REGION_HOST, 0, &ha, &va_a));
	ASSERT_EQ(0, bo_info(a, ha, &info));
	p = mmap(NULL, size, PROT_WRITE, MAP_SHARED, a, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size; i++)
		p[i] = i % 251;
	munmap(p, size);
	ASSERT_EQ(0, drmPrimeHandleToFD(a, ha, DRM_CLOEXEC, &dmabuf));
	ASSERT_EQ(0, drmPrimeFDToHandle(b, dmabuf, &hb));
	close(dmabuf);
	/* The exporter goes away entirely. */
	close(a);

	ASSERT_EQ(0, bo_info(b, hb, &info));
	EXPECT_EQ(size, info.size);
	EXPECT_LE(1ULL << 32, info.va);
	EXPECT_LT(0, fdinfo_bytes(b, "shared", "memory"));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, b, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size; i++)
		if (p[i] != i % 251)
			break;
	EXPECT_EQ(size, i);
	munmap(p, size);
	EXPECT_EQ(0, bo_close(b, hb));
}

TEST_F(edna_mem, dmabuf_between_two_devices)
{
	struct drm_edna_bo_info info;
	int other = edna_open(1), dmabuf;
	__u32 h, ho;

	if (other < 0)
		SKIP(return, "needs a second device");
	ASSERT_EQ(0, bo_create(self->fd, 5 * PAGE, EDNA_REGION_HOST, 0, &h, NULL));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->fd, h, DRM_CLOEXEC, &dmabuf));
	ASSERT_EQ(0, drmPrimeFDToHandle(other, dmabuf, &ho));
	close(dmabuf);
	ASSERT_EQ(0, bo_info(other, ho, &info));
	EXPECT_EQ(5 * PAGE, info.size);
	EXPECT_EQ(EDNA_REGION_HOST, info.region);
	EXPECT_NE(0, info.flags & EDNA_BO_INFO_IMPORTED);
	EXPECT_LE(1ULL << 32, info.va);
	EXPECT_EQ(0, bo_close(self->fd, h));
	EXPECT_EQ(0, bo_close(other, ho));
	close(other);
}

TEST_F(edna_mem, contexts_run_out_with_a_clear_error)
{
	long long contexts = 0;
	int fds[128], n = 0, err = 0;
	__u64 v;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_CONTEXTS, 0, &v));
	contexts = v;
	ASSERT_GE(128, contexts);
	while (n < 128) {
		int fd = edna_open(0);

		if (fd < 0) {
			err = fd;
			break;
		}
		fds[n++] = fd;
	}
	/* Context 0 is the kernel's, one is the fixture's. */
	EXPECT_EQ(contexts - 2, n);
	EXPECT_EQ(-EBUSY, err);
	while (n--)
		close(fds[n]);
	n = edna_open(0);
	EXPECT_LE(0, n);
	close(n);
}

/* Run one job and return its status. */
static int run_job(int fd, struct drm_edna_job *j)
{
	int ret = edna_submit(fd, j, 1), status;

	if (ret)
		return ret;
	ret = edna_wait(fd, j->seqno, edna_deadline(10 * SEC), &status, NULL);
	return ret ? ret : status;
}

TEST_F(edna_mem, device_memory_is_zeroed_for_its_next_owner)
{
	struct drm_edna_bo_info info;
	int other = edna_open(0), r;
	__u32 h, hh;
	__u64 va, hva;
	uint32_t *p;
	size_t i;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, bo_create(other, PAGE, EDNA_REGION_HOST, 0, &hh, &hva));
	ASSERT_EQ(0, bo_info(other, hh, &info));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, other, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	for (r = EDNA_REGION_DRAM; r <= EDNA_REGION_SRAM; r++) {
		/* One client leaves a secret in device memory... */
		struct drm_edna_job fill = { .op = EDNA_JOB_FILL, .size = self->sram,
					     .pattern = 0x5ec2e7 };
		struct drm_edna_job copy = { .op = EDNA_JOB_COPY, .size = PAGE, .dst = hva };

		ASSERT_EQ(0, bo_create(self->fd, self->sram, r, 0, &h, &va));
		fill.dst = va;
		ASSERT_EQ(0, run_job(self->fd, &fill));
		EXPECT_EQ(0, bo_close(self->fd, h));
		/* ...the next owner of that memory reads zeros. */
		ASSERT_EQ(0, bo_create(other, self->sram, r, 0, &h, &va));
		memset(p, 0xff, PAGE);
		for (copy.src = va; copy.src < va + self->sram; copy.src += self->sram / 4) {
			ASSERT_EQ(0, run_job(other, &copy));
			for (i = 0; i < PAGE / 4; i++)
				ASSERT_EQ(0, p[i]) TH_LOG("region %d offset %#llx", r,
							  copy.src - va);
		}
		EXPECT_EQ(0, bo_close(other, h));
	}
	munmap(p, PAGE);
	close(other);
}

TEST_F(edna_mem, a_guard_page_follows_each_buffer)
{
	struct drm_edna_job fill = { .op = EDNA_JOB_FILL, .size = 2 * PAGE };
	__u32 h[2];
	__u64 va[2];

	ASSERT_EQ(0, bo_create(self->fd, PAGE, EDNA_REGION_HOST, 0, &h[0], &va[0]));
	ASSERT_EQ(0, bo_create(self->fd, PAGE, EDNA_REGION_HOST, 0, &h[1], &va[1]));
	EXPECT_LE(PAGE, va[1] > va[0] ? va[1] - va[0] - PAGE : va[0] - va[1] - PAGE);
	/* One page too far off either buffer is unmapped. */
	fill.dst = va[0];
	EXPECT_EQ(-EFAULT, run_job(self->fd, &fill));
	fill.dst = va[1];
	EXPECT_EQ(-EFAULT, run_job(self->fd, &fill));
	fill.size = PAGE;
	EXPECT_EQ(0, run_job(self->fd, &fill));
	EXPECT_EQ(0, bo_close(self->fd, h[0]));
	EXPECT_EQ(0, bo_close(self->fd, h[1]));
}

TEST_F(edna_mem, host_memory_returns_to_baseline)
{
	long long base, peak, end;
	__u32 h[64];
	int i;

	base = edna_meminfo_kib("Shmem");
	ASSERT_LE(0, base);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, bo_create(self->fd, 1 << 20, EDNA_REGION_HOST, 0, &h[i], NULL));
	/* Pinned for the device at creation: 64 MiB of shmem pages. */
	peak = edna_meminfo_kib("Shmem");
	EXPECT_LE(base + 60 * 1024, peak);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, bo_close(self->fd, h[i]));
	end = edna_meminfo_kib("Shmem");
	TH_LOG("shmem %lld -> %lld -> %lld KiB", base, peak, end);
	EXPECT_GE(base + 1024, end);
}

TEST_F(edna_mem, another_clients_job_cannot_reach_a_buffer)
{
	struct drm_edna_job fill = { .op = EDNA_JOB_FILL, .size = PAGE, .pattern = 0xbad };
	struct drm_edna_bo_info info;
	int other = edna_open(0);
	__u32 h, ho;
	__u64 va, vo;
	uint32_t *p;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, bo_create(self->fd, PAGE, EDNA_REGION_HOST, 0, &h, &va));
	ASSERT_EQ(0, bo_info(self->fd, h, &info));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, info.mmap_offset);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 42;
	/* The other client has a buffer of its own, maybe at the same address. */
	ASSERT_EQ(0, bo_create(other, PAGE, EDNA_REGION_HOST, 0, &ho, &vo));
	fill.dst = va == vo ? va + PAGE : va;
	EXPECT_EQ(-EFAULT, run_job(other, &fill));
	EXPECT_EQ(42, p[0]);
	munmap(p, PAGE);
	close(other);
	EXPECT_EQ(0, bo_close(self->fd, h));
}

struct create_close_race {
	int fd;
	int iterations;
	atomic_int done;
	int unexpected;		/* BO_CREATE returns other than 0 and -ENOENT */
	int last_error;
};

static void *create_and_close(void *arg)
{
	struct create_close_race *r = arg;
	int i;

	for (i = 0; i < r->iterations; i++) {
		struct drm_edna_bo_create c = { .size = PAGE, .region = EDNA_REGION_HOST };
		int ret = edna_ioctl(r->fd, DRM_IOCTL_EDNA_BO_CREATE, &c);

		/* The other thread may have closed it already: -EINVAL then. */
		if (!ret)
			edna_gem_close(r->fd, c.handle);
		else if (ret != -ENOENT)
			r->unexpected++, r->last_error = ret;
	}
	atomic_store(&r->done, 1);
	return NULL;
}

/* Handles are small integers from 1: another thread can guess them. */
static void *close_predicted_handles(void *arg)
{
	struct create_close_race *r = arg;
	__u32 h;

	while (!atomic_load(&r->done))
		for (h = 1; h <= 64; h++)
			edna_gem_close(r->fd, h);
	return NULL;
}

TEST_F(edna_mem, bo_create_survives_close_of_its_handle_by_another_thread)
{
	struct create_close_race r = { .fd = edna_open(0), .iterations = 500 };
	pthread_t creator, closer;
	__u32 h;

	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, pthread_create(&closer, NULL, close_predicted_handles, &r));
	ASSERT_EQ(0, pthread_create(&creator, NULL, create_and_close, &r));
	pthread_join(creator, NULL);
	pthread_join(closer, NULL);
	EXPECT_EQ(0, r.unexpected) TH_LOG("BO_CREATE returned %d", r.last_error);
	/* Whoever closed what, nothing is left behind. */
	for (h = 1; h <= 128; h++)
		edna_gem_close(r.fd, h);
	EXPECT_EQ(0, fdinfo_bytes(r.fd, "total", "memory"));
	close(r.fd);
}

/*
 * A FILL slow enough to outlast any wait for it: 256 chunks of at least
 * 12 ms, 3 s or more, over @size bytes at @va, listing @handle (WRITE)
 * unless it is 0.
 */
static int start_slow_fill(int fd, __u64 va, __u64 size, __u32 handle, __u32 pattern,
			   const char *chunk_delay_us, __u64 *seqno)
{
	struct drm_edna_bo_ref ref = { .handle = handle, .flags = EDNA_BO_WRITE };
	struct drm_edna_job f = { .queue = 1, .op = EDNA_JOB_FILL, .dst = va, .size = size,
				  .pattern = pattern, .bos = (uintptr_t)&ref,
				  .bo_count = handle ? 1 : 0 };
	int ret = edna_write_file(SIM "chunk_delay_us", chunk_delay_us);

	if (ret)
		return ret;
	ret = edna_submit(fd, &f, 1);
	if (!ret && seqno)
		*seqno = f.seqno;
	return ret;
}

/* GEM_CLOSE of a buffer while a job writes it, listed by the job or not. */
static void gem_close_during_job(struct __test_metadata *_metadata, int fd, int listed)
{
	long long t0, took;
	__u64 va, seqno;
	__u32 h;
	int st = -1;

	ASSERT_EQ(0, bo_create(fd, 1 << 20, EDNA_REGION_HOST, 0, &h, &va));
	ASSERT_EQ(0, start_slow_fill(fd, va, 1 << 20, listed ? h : 0, 0x5eed, "12000", &seqno));
	usleep(50000);
	t0 = edna_now_ns();
	EXPECT_EQ(0, bo_close(fd, h));
	took = edna_now_ns() - t0;
	TH_LOG("GEM_CLOSE took %lld ms", took / 1000000);
	EXPECT_GT(SEC, took);
	/* It returned while the job was still at work. */
	EXPECT_EQ(-ETIME, edna_wait(fd, seqno, 0, &st, NULL));
	edna_write_file(SIM "chunk_delay_us", "0");
	/* The memory lived on until the job was done with it. */
	ASSERT_EQ(0, edna_wait(fd, seqno, edna_deadline(30 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
}

TEST_F(edna_mem, gem_close_does_not_wait_for_a_job_listing_the_buffer)
{
	gem_close_during_job(_metadata, self->fd, 1);
}

TEST_F(edna_mem, gem_close_does_not_wait_for_a_job_reaching_the_buffer)
{
	gem_close_during_job(_metadata, self->fd, 0);
}

TEST_F(edna_mem, close_does_not_wait_for_a_running_job)
{
	int fd = edna_open(0), st;
	long long t0, took;
	__u64 va;
	__u32 h;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bo_create(fd, 1 << 20, EDNA_REGION_HOST, 0, &h, &va));
	ASSERT_EQ(0, start_slow_fill(fd, va, 1 << 20, h, 0x5eed, "12000", NULL));
	usleep(50000);
	t0 = edna_now_ns();
	close(fd);
	took = edna_now_ns() - t0;
	TH_LOG("close took %lld ms", took / 1000000);
	EXPECT_GT(SEC, took);
	/* The queue carries on behind the job, for everyone else. */
	edna_write_file(SIM "chunk_delay_us", "0");
	struct drm_edna_job nop = { .queue = 1, .priority = EDNA_PRIORITY_NORMAL };
	ASSERT_EQ(0, edna_submit(self->fd, &nop, 1));
	ASSERT_EQ(0, edna_wait(self->fd, nop.seqno, edna_deadline(30 * SEC), &st, NULL));
	EXPECT_EQ(0, st);
}

TEST_F(edna_mem, killed_client_with_a_running_job_exits_promptly)
{
	long long t0, took;
	int ready[2], status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	/* 256 chunks of at least 20 ms: five seconds of device work. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "20000"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = edna_open(0);
		__u64 va;
		__u32 h;

		if (fd < 0 || bo_create(fd, 1 << 20, EDNA_REGION_HOST, 0, &h, &va) ||
		    start_slow_fill(fd, va, 1 << 20, h, 0xdead, "20000", NULL))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child could not submit");
	close(ready[0]);
	usleep(50000);
	t0 = edna_now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	took = edna_now_ns() - t0;
	edna_write_file(SIM "chunk_delay_us", "0");
	TH_LOG("reaped after %lld ms", took / 1000000);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_GT(2 * SEC, took);
}

TEST_F(edna_mem, closed_buffer_memory_is_never_written_after_reuse)
{
	const __u32 pattern = 0x5ec0ffee;
	enum { MAX_BOS = 96, BO_SIZE = 128 << 10 };
	int other = edna_open(0), n = 0, i, st = -1;
	struct edna_bo fresh[MAX_BOS];
	long long found = 0;
	__u64 va, seqno;
	__u32 h;

	ASSERT_LE(0, other);
	/* Not listed by the job: only the address space keeps it reachable. */
	ASSERT_EQ(0, bo_create(self->fd, 4 << 20, EDNA_REGION_HOST, 0, &h, &va));
	/* 1024 chunks of at least 3 ms: three seconds of writes. */
	ASSERT_EQ(0, start_slow_fill(self->fd, va, 4 << 20, 0, pattern, "3000", &seqno));
	usleep(50000);
	ASSERT_EQ(0, bo_close(self->fd, h));
	/* Someone else takes fresh pages while the job is still writing. */
	while (n < MAX_BOS && edna_wait(self->fd, seqno, 0, &st, NULL) == -ETIME) {
		ASSERT_EQ(0, edna_bo_new(other, BO_SIZE, EDNA_REGION_HOST, &fresh[n]));
		n++;
		usleep(20000);
	}
	ASSERT_EQ(0, edna_wait(self->fd, seqno, edna_deadline(30 * SEC), &st, NULL));
	TH_LOG("%d fresh buffers taken while the job ran", n);
	for (i = 0; i < n; i++) {
		const uint32_t *w = fresh[i].cpu;
		size_t k;

		for (k = 0; k < BO_SIZE / 4; k++)
			found += w[k] == pattern;
		edna_bo_free(other, &fresh[i]);
	}
	EXPECT_EQ(0, found) TH_LOG("words of the closed buffer's fill in fresh buffers");
	close(other);
}

TEST_F(edna_mem, client_host_limit_gives_edquot)
{
	const long long limit_mb = 64;
	__u32 h[3], dram;
	char v[32];
	__u64 param;
	int fd, i;

	self->saved_host_limit_mb = edna_sysfs_read(SYSFS "client_host_limit_mb");
	ASSERT_LE(0, self->saved_host_limit_mb);
	snprintf(v, sizeof(v), "%lld", limit_mb);
	ASSERT_EQ(0, edna_write_file(SYSFS "client_host_limit_mb", v));
	fd = edna_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, edna_get_param(fd, EDNA_PARAM_CLIENT_HOST_LIMIT, 0, &param));
	EXPECT_EQ(limit_mb << 20, param);
	/* Up to the limit exactly, then no more. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, bo_create(fd, 32 << 20, EDNA_REGION_HOST, 0, &h[i], NULL));
	EXPECT_EQ(-EDQUOT, bo_create(fd, 32 << 20, EDNA_REGION_HOST, 0, &h[2], NULL));
	EXPECT_EQ(-EDQUOT, bo_create(fd, PAGE, EDNA_REGION_HOST, 0, &h[2], NULL));
	/* Device memory is not host memory. */
	EXPECT_EQ(0, bo_create(fd, PAGE, EDNA_REGION_DRAM, 0, &dram, NULL));
	/* The limit is per file: another one has its own. */
	EXPECT_EQ(0, bo_create(self->fd, 32 << 20, EDNA_REGION_HOST, 0, &h[2], NULL));
	EXPECT_EQ(0, bo_close(self->fd, h[2]));
	close(fd);
}

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_TEST	CGROUP_ROOT "/edna_mem_test"

/* cgroup2 with the memory controller usable below the root; 0 or -errno. */
static int memory_cgroup_ready(void)
{
	char controllers[256] = "";
	int fd, ret;

	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK) &&
	    mount("none", CGROUP_ROOT, "cgroup2", 0, NULL))
		return -errno;
	fd = open(CGROUP_ROOT "/cgroup.controllers", O_RDONLY);
	if (fd < 0)
		return -errno;
	ret = read(fd, controllers, sizeof(controllers) - 1);
	close(fd);
	if (ret < 0 || !strstr(controllers, "memory"))
		return -EOPNOTSUPP;
	ret = edna_write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret)
		return ret;
	if (mkdir(CGROUP_TEST, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

struct cgroup_charge {
	long long before, after;	/* memory.current around BO_CREATE */
	long long fdinfo_charged;	/* edna-host-charged, bytes */
	int error;
};

/* In a child moved into CGROUP_TEST: create a @size host buffer. */
static void charge_in_cgroup(int out, __u64 size)
{
	struct cgroup_charge c = {};
	char pid[32];
	__u32 h;
	int fd;

	snprintf(pid, sizeof(pid), "%d", getpid());
	c.error = edna_write_file(CGROUP_TEST "/cgroup.procs", pid);
	if (!c.error) {
		c.before = edna_sysfs_read(CGROUP_TEST "/memory.current");
		fd = edna_open(0);
		c.error = fd < 0 ? fd : bo_create(fd, size, EDNA_REGION_HOST, 0, &h, NULL);
		c.after = edna_sysfs_read(CGROUP_TEST "/memory.current");
		if (fd >= 0)
			c.fdinfo_charged = edna_fdinfo_value(fd, "edna-host-charged");
	}
	if (write(out, &c, sizeof(c)) != sizeof(c))
		_exit(1);
	_exit(0);
}

TEST_F(edna_mem, host_buffers_are_charged_to_the_creators_memory_cgroup)
{
	const __u64 size = 16 << 20;
	struct cgroup_charge c = {};
	int results[2], status, ret, i;
	pid_t pid;

	ret = memory_cgroup_ready();
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no memory cgroup controller");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, pipe(results));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		charge_in_cgroup(results[1], size);
	close(results[1]);
	EXPECT_EQ(sizeof(c), read(results[0], &c, sizeof(c)));
	close(results[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The cgroup goes once its last task is gone; its charges may linger. */
	for (i = 0; i < 50 && rmdir(CGROUP_TEST) && errno == EBUSY; i++)
		usleep(20000);
	ASSERT_EQ(0, c.error);
	TH_LOG("memory.current %lld -> %lld", c.before, c.after);
	ASSERT_LE(0, c.before);
	EXPECT_LE(c.before + (long long)size, c.after);
	EXPECT_EQ(size, c.fdinfo_charged);
}

TEST_F(edna_mem, fdinfo_shows_host_memory_charged)
{
	__u32 h[2];

	/* Nothing yet: the line reads 0, or is not there. */
	EXPECT_GE(0, edna_fdinfo_value(self->fd, "edna-host-charged"));
	ASSERT_EQ(0, bo_create(self->fd, 3 * PAGE, EDNA_REGION_HOST, 0, &h[0], NULL));
	ASSERT_EQ(0, bo_create(self->fd, 5 * PAGE, EDNA_REGION_DRAM, 0, &h[1], NULL));
	/* Host memory only: device memory is nobody's RAM. */
	EXPECT_EQ(3 * PAGE, edna_fdinfo_value(self->fd, "edna-host-charged"));
	EXPECT_EQ(0, bo_close(self->fd, h[0]));
	EXPECT_EQ(0, bo_close(self->fd, h[1]));
}

TEST_F_TIMEOUT(edna_mem, whole_sram_buffer_is_reusable_right_after_close, 300)
{
	int i, st, failures = 0;
	__u64 sram, va;
	__u32 h;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_REGION_SIZE, EDNA_REGION_SRAM, &sram));
	for (i = 0; i < 200 && !failures; i++) {
		struct drm_edna_bo_ref ref;
		int ret = bo_create(self->fd, sram, EDNA_REGION_SRAM, 0, &h, &va);

		if (ret) {
			TH_LOG("round %d: BO_CREATE of the whole SRAM: %d", i, ret);
			failures++;
			break;
		}
		ref = (struct drm_edna_bo_ref){ .handle = h, .flags = EDNA_BO_WRITE };
		struct drm_edna_job f = { .queue = i % 4, .op = EDNA_JOB_FILL, .dst = va,
					  .size = sram, .pattern = i, .bos = (uintptr_t)&ref,
					  .bo_count = 1 };
		st = run_job(self->fd, &f);
		if (st) {
			TH_LOG("round %d: FILL: %d", i, st);
			failures++;
		}
		EXPECT_EQ(0, bo_close(self->fd, h));
	}
	EXPECT_EQ(0, failures);
}

TEST_HARNESS_MAIN
