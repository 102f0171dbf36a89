// SPDX-License-Identifier: GPL-2.0
/*
 * edna_mem: buffer objects, their placement in the memory tiers, CPU
 * mappings, sharing through dma-buf, and fdinfo memory statistics.
 *
 * Expected sizes come from the device model's module parameters and the
 * page size of Documentation/hardware.rst.
 */
#include <inttypes.h>
#include <stdint.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE	4096ULL

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
	char path[64], line[256], want[64], unit[16];
	unsigned long long v;
	long long found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(want, sizeof(want), "drm-%s-%s:", key, region);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		int n = sscanf(line, "%63s %llu %15s", name, &v, unit);

		if (n < 2 || strcmp(name, want))
			continue;
		found = v;
		if (n == 3 && !strcmp(unit, "KiB"))
			found = v << 10;
		else if (n == 3 && !strcmp(unit, "MiB"))
			found = v << 20;
	}
	fclose(f);
	return found;
}

FIXTURE(edna_mem) {
	int fd;
	long long sram;
	long long dram;
};

FIXTURE_SETUP(edna_mem)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	self->sram = edna_sim_param("sram_kib") << 10;
	self->dram = edna_sim_param("dram_mib") << 20;
	ASSERT_LT(0, self->sram);
}

FIXTURE_TEARDOWN(edna_mem)
{
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
static int run_job(int fd, struct drm_edna_submit *s)
{
	struct drm_edna_wait w = { .timeout_ns = 10000000000LL };
	int ret = edna_ioctl(fd, DRM_IOCTL_EDNA_SUBMIT, s);

	if (ret)
		return ret;
	w.job_id = s->job_id;
	ret = edna_ioctl(fd, DRM_IOCTL_EDNA_WAIT, &w);
	return ret ? ret : w.status;
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
		struct drm_edna_submit fill = { .op = EDNA_JOB_FILL, .size = self->sram,
						.pattern = 0x5ec2e7 };
		struct drm_edna_submit copy = { .op = EDNA_JOB_COPY, .size = PAGE, .dst = hva };

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
	struct drm_edna_submit fill = { .op = EDNA_JOB_FILL, .size = 2 * PAGE };
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

/* Shmem pages in use system-wide, from /proc/meminfo, in KiB. */
static long long shmem_kib(void)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Shmem: %lld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

TEST_F(edna_mem, host_memory_returns_to_baseline)
{
	long long base, peak, end;
	__u32 h[64];
	int i;

	base = shmem_kib();
	ASSERT_LE(0, base);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, bo_create(self->fd, 1 << 20, EDNA_REGION_HOST, 0, &h[i], NULL));
	/* Pinned for the device at creation: 64 MiB of shmem pages. */
	peak = shmem_kib();
	EXPECT_LE(base + 60 * 1024, peak);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, bo_close(self->fd, h[i]));
	end = shmem_kib();
	TH_LOG("shmem %lld -> %lld -> %lld KiB", base, peak, end);
	EXPECT_GE(base + 1024, end);
}

TEST_F(edna_mem, another_clients_job_cannot_reach_a_buffer)
{
	struct drm_edna_submit s = { .op = EDNA_JOB_FILL, .size = PAGE, .pattern = 0xbad };
	struct drm_edna_wait w = { .timeout_ns = 5000000000LL };
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
	s.dst = va == vo ? va + PAGE : va;
	ASSERT_EQ(0, edna_ioctl(other, DRM_IOCTL_EDNA_SUBMIT, &s));
	w.job_id = s.job_id;
	ASSERT_EQ(0, edna_ioctl(other, DRM_IOCTL_EDNA_WAIT, &w));
	EXPECT_EQ(-EFAULT, w.status);
	EXPECT_EQ(42, p[0]);
	munmap(p, PAGE);
	close(other);
	EXPECT_EQ(0, bo_close(self->fd, h));
}

TEST_HARNESS_MAIN
