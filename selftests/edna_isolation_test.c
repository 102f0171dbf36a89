// SPDX-License-Identifier: GPL-2.0
/*
 * edna_isolation: one client cannot reach another's buffers, by guessing
 * device addresses, mmap offsets or GEM handles, or by misusing dma-bufs;
 * and what is root's stays root's (debugfs, the sysfs controls).
 *
 * The victim's buffers hold a pattern; every attempt of the attacker must
 * fail, and the pattern must be intact at the end.
 */
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE		4096ULL
#define SEC		EDNA_SEC
#define SYSFS		"/sys/class/accel/accel0/device/"
#define SIM		"/sys/kernel/debug/edna_sim/edna_sim.0/"
#define VICTIM_BOS	4
#define BO_SIZE		(4 * PAGE)

static __u32 secret(unsigned int bo, size_t word)
{
	return 0x5ec00000u + (bo << 16) + word;
}

FIXTURE(edna_isolation) {
	int victim, attacker;
	struct edna_bo v[VICTIM_BOS];
	struct edna_bo mine;
};

FIXTURE_SETUP(edna_isolation)
{
	unsigned int i;
	size_t w;

	self->victim = edna_open(0);
	self->attacker = edna_open(0);
	ASSERT_LE(0, self->victim);
	ASSERT_LE(0, self->attacker);
	for (i = 0; i < VICTIM_BOS; i++) {
		ASSERT_EQ(0, edna_bo_new(self->victim, BO_SIZE, EDNA_REGION_HOST, &self->v[i]));
		for (w = 0; w < BO_SIZE / 4; w++)
			((__u32 *)self->v[i].cpu)[w] = secret(i, w);
	}
	/* The attacker's own buffer: likely at the VA of the victim's first. */
	ASSERT_EQ(0, edna_bo_new(self->attacker, BO_SIZE, EDNA_REGION_HOST, &self->mine));
	memset(self->mine.cpu, 0, BO_SIZE);
}

FIXTURE_TEARDOWN(edna_isolation)
{
	unsigned int i;

	for (i = 0; i < VICTIM_BOS; i++)
		edna_bo_free(self->victim, &self->v[i]);
	edna_bo_free(self->attacker, &self->mine);
	close(self->victim);
	close(self->attacker);
}

/* The victim's buffers still hold their pattern: nothing wrote them. */
static int victim_intact(FIXTURE_DATA(edna_isolation) *self)
{
	unsigned int i;
	size_t w;

	for (i = 0; i < VICTIM_BOS; i++)
		for (w = 0; w < BO_SIZE / 4; w++)
			if (((__u32 *)self->v[i].cpu)[w] != secret(i, w))
				return 0;
	return 1;
}

/* Whether @p holds any word of the victim's patterns. */
static int holds_secret(const void *p, size_t size)
{
	const __u32 *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		if ((w[i] & 0xfff00000u) == 0x5ec00000u)
			return 1;
	return 0;
}

/* Run one job of the attacker's and return its status; -ETIME if it never ended. */
static int attack_job(int fd, struct drm_edna_job *j)
{
	int st = -ETIME, ret;

	ret = edna_submit(fd, j, 1);
	if (ret)
		return ret;
	ret = edna_wait(fd, j->seqno, edna_deadline(10 * SEC), &st, NULL);
	return ret ? ret : st;
}

/*
 * The attacker's jobs at every page of the range the victim's buffers
 * occupy in the victim's address space, and around it: each either hits
 * the attacker's own buffer or faults; none reads or writes the victim's.
 */
TEST_F(edna_isolation, device_vas_of_another_client_reach_only_your_own_mappings)
{
	__u64 lo = self->v[0].va - 16 * PAGE, hi = self->v[VICTIM_BOS - 1].va + BO_SIZE + 16 * PAGE;
	int faults = 0, own = 0, st;
	struct drm_edna_bo_ref ref = { .handle = self->mine.handle, .flags = EDNA_BO_WRITE };
	__u64 va;

	TH_LOG("victim's buffers at %#llx..%#llx, the attacker's at %#llx", self->v[0].va,
	       self->v[VICTIM_BOS - 1].va + BO_SIZE, self->mine.va);
	/* The addresses are right: the victim's own jobs reach its buffers there. */
	struct drm_edna_job control = { .queue = 2, .op = EDNA_JOB_COPY, .src = self->v[3].va,
				    .dst = self->v[2].va, .size = PAGE };

	ASSERT_EQ(0, attack_job(self->victim, &control));
	EXPECT_EQ(secret(3, 0), *(__u32 *)self->v[2].cpu);
	for (size_t w = 0; w < PAGE / 4; w++)
		((__u32 *)self->v[2].cpu)[w] = secret(2, w);
	for (va = lo; va < hi; va += PAGE) {
		int mine = va >= self->mine.va && va < self->mine.va + BO_SIZE;
		/* Read it into the attacker's buffer, then write over it. */
		struct drm_edna_job copy = { .queue = 0, .op = EDNA_JOB_COPY, .src = va,
					     .dst = self->mine.va, .size = PAGE,
					     .bos = (uintptr_t)&ref, .bo_count = 1 };
		struct drm_edna_job fill = { .queue = 1, .op = EDNA_JOB_FILL, .dst = va,
					     .size = PAGE, .pattern = 0xa77ac4ed };

		if (mine) {
			own++;
			continue;
		}
		st = attack_job(self->attacker, &copy);
		EXPECT_EQ(-EFAULT, st) TH_LOG("COPY from %#llx", va);
		st = attack_job(self->attacker, &fill);
		EXPECT_EQ(-EFAULT, st) TH_LOG("FILL of %#llx", va);
		faults += 2;
		/* A fresh attacker file now and then: sixteen faults get it banned. */
		if (faults % 14 == 0) {
			int fd = edna_open(0);
			struct drm_edna_bo_info info = {};

			ASSERT_LE(0, fd);
			edna_bo_free(self->attacker, &self->mine);
			close(self->attacker);
			self->attacker = fd;
			ASSERT_EQ(0, edna_bo_new(fd, BO_SIZE, EDNA_REGION_HOST, &self->mine));
			memset(self->mine.cpu, 0, BO_SIZE);
			ref.handle = self->mine.handle;
			info.handle = self->mine.handle;
			ASSERT_EQ(0, edna_ioctl(fd, DRM_IOCTL_EDNA_BO_INFO, &info));
		}
	}
	TH_LOG("%d jobs faulted, %d pages were the attacker's own", faults, own);
	EXPECT_FALSE(holds_secret(self->mine.cpu, BO_SIZE));
	EXPECT_TRUE(victim_intact(self));
}

/*
 * mmap(2) offsets are per client: the victim's, and every offset near
 * them, fail on the attacker's file unless they are the attacker's own.
 */
TEST_F(edna_isolation, mmap_offsets_of_another_client_do_not_map)
{
	__u64 lo = ~0ULL, hi = 0, off;
	struct drm_edna_bo_info mine = { .handle = self->mine.handle };
	unsigned int i, tried = 0;

	ASSERT_EQ(0, edna_ioctl(self->attacker, DRM_IOCTL_EDNA_BO_INFO, &mine));
	for (i = 0; i < VICTIM_BOS; i++) {
		struct drm_edna_bo_info info = { .handle = self->v[i].handle };

		ASSERT_EQ(0, edna_ioctl(self->victim, DRM_IOCTL_EDNA_BO_INFO, &info));
		lo = info.mmap_offset < lo ? info.mmap_offset : lo;
		hi = info.mmap_offset > hi ? info.mmap_offset : hi;
	}
	/* The offsets are right: on the victim's own file, they map its buffers. */
	void *vp = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->victim, hi);

	ASSERT_NE(MAP_FAILED, vp);
	EXPECT_TRUE(holds_secret(vp, PAGE));
	munmap(vp, PAGE);
	for (off = lo > 64 * PAGE ? lo - 64 * PAGE : 0; off <= hi + 64 * PAGE; off += PAGE) {
		void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->attacker, off);

		if (off >= mine.mmap_offset && off < mine.mmap_offset + BO_SIZE) {
			/* Only the first page of the attacker's own buffer is an offset. */
			if (p != MAP_FAILED)
				munmap(p, PAGE);
			continue;
		}
		tried++;
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("offset %#llx mapped", off);
		if (p != MAP_FAILED) {
			EXPECT_FALSE(holds_secret(p, PAGE));
			munmap(p, PAGE);
		}
	}
	TH_LOG("%u offsets tried", tried);
	EXPECT_TRUE(victim_intact(self));
}

/*
 * GEM handles are per client: the victim's handle numbers name nothing in
 * the attacker's file, or the attacker's own buffer; using them reaches
 * nothing of the victim's, and closing them closes nothing of the victim's.
 */
TEST_F(edna_isolation, gem_handles_of_another_client_name_nothing_of_theirs)
{
	unsigned int i;

	for (i = 0; i < VICTIM_BOS; i++) {
		__u32 h = self->v[i].handle;
		struct drm_edna_bo_info info = { .handle = h };
		struct drm_prime_handle exp = { .handle = h, .flags = DRM_CLOEXEC };
		struct drm_edna_bo_ref ref = { .handle = h, .flags = EDNA_BO_READ };
		struct drm_edna_job j = { .queue = 0, .op = EDNA_JOB_NOP, .bos = (uintptr_t)&ref,
					  .bo_count = 1 };
		struct drm_edna_wait w = { .seqno = h, .flags = EDNA_WAIT_BO };
		int ret;

		if (h == self->mine.handle)
			continue;
		EXPECT_EQ(-ENOENT, edna_ioctl(self->attacker, DRM_IOCTL_EDNA_BO_INFO, &info));
		ret = edna_ioctl(self->attacker, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
		EXPECT_NE(0, ret);
		if (!ret)
			close(exp.fd);
		ret = edna_submit(self->attacker, &j, 1);
		EXPECT_NE(0, ret) TH_LOG("a job listed handle %u", h);
		EXPECT_EQ(-ENOENT, edna_ioctl(self->attacker, DRM_IOCTL_EDNA_WAIT, &w));
		EXPECT_NE(0, edna_gem_close(self->attacker, h));
	}
	/* The victim's handles all still work. */
	for (i = 0; i < VICTIM_BOS; i++) {
		struct drm_edna_bo_info info = { .handle = self->v[i].handle };

		EXPECT_EQ(0, edna_ioctl(self->victim, DRM_IOCTL_EDNA_BO_INFO, &info));
		EXPECT_EQ(self->v[i].va, info.va);
	}
	EXPECT_TRUE(victim_intact(self));
}

/*
 * A dma-buf is shared on purpose, and only what is shared is reachable:
 * importing it reaches that one buffer, at an address of the importer's
 * own; a read-only export cannot be mapped for writing; other kinds of
 * file are not dma-bufs; and the importer's jobs still cannot reach the
 * exporter's other buffers.
 */
TEST_F(edna_isolation, dma_buf_shares_one_buffer_and_nothing_more)
{
	struct drm_prime_handle exp = { .handle = self->v[1].handle, .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = {};
	struct drm_edna_bo_info info = {};
	struct drm_syncobj_create sc = {};
	struct drm_syncobj_handle sh = {};
	int bad_fds[3], i, st;
	void *p;

	ASSERT_EQ(0, edna_ioctl(self->victim, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	/* Exported without DRM_RDWR: the dma-buf is read-only for the CPU. */
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, exp.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, BO_SIZE);
	p = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, exp.fd, 0);
	if (p != MAP_FAILED) {
		EXPECT_EQ(secret(1, 0), *(__u32 *)p);
		munmap(p, BO_SIZE);
	}

	/* Imported, it is the attacker's to use: at the attacker's own address. */
	imp.fd = exp.fd;
	ASSERT_EQ(0, edna_ioctl(self->attacker, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	info.handle = imp.handle;
	ASSERT_EQ(0, edna_ioctl(self->attacker, DRM_IOCTL_EDNA_BO_INFO, &info));
	EXPECT_EQ(BO_SIZE, info.size);
	struct drm_edna_bo_ref refs[] = {
		{ .handle = imp.handle, .flags = EDNA_BO_READ },
		{ .handle = self->mine.handle, .flags = EDNA_BO_WRITE },
	};
	struct drm_edna_job copy = { .queue = 0, .op = EDNA_JOB_COPY, .src = info.va,
				     .dst = self->mine.va, .size = BO_SIZE,
				     .bos = (uintptr_t)refs, .bo_count = 2 };

	ASSERT_EQ(0, attack_job(self->attacker, &copy));
	EXPECT_EQ(0, memcmp(self->mine.cpu, self->v[1].cpu, BO_SIZE));
	/* Past the shared buffer is its guard page, not the victim's next buffer. */
	memset(self->mine.cpu, 0, BO_SIZE);
	copy = (struct drm_edna_job){ .queue = 0, .op = EDNA_JOB_COPY, .src = info.va + BO_SIZE,
				      .dst = self->mine.va, .size = PAGE };
	EXPECT_EQ(-EFAULT, attack_job(self->attacker, &copy));
	EXPECT_FALSE(holds_secret(self->mine.cpu, BO_SIZE));

	/* Other files are not dma-bufs: the node itself, a syncobj, a pipe. */
	bad_fds[0] = self->attacker;
	ASSERT_EQ(0, edna_ioctl(self->victim, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	sh.handle = sc.handle;
	ASSERT_EQ(0, edna_ioctl(self->victim, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &sh));
	bad_fds[1] = sh.fd;
	int pfd[2];

	ASSERT_EQ(0, pipe(pfd));
	bad_fds[2] = pfd[0];
	for (i = 0; i < 3; i++) {
		struct drm_prime_handle bad = { .fd = bad_fds[i] };

		EXPECT_NE(0, edna_ioctl(self->attacker, DRM_IOCTL_PRIME_FD_TO_HANDLE, &bad))
			TH_LOG("file %d imported as a dma-buf", i);
	}
	close(pfd[0]);
	close(pfd[1]);
	close(sh.fd);
	close(exp.fd);

	/* The victim frees it; the attacker's import keeps the buffer, and only it. */
	edna_bo_free(self->victim, &self->v[1]);
	self->v[1].handle = 0;
	copy = (struct drm_edna_job){ .queue = 1, .op = EDNA_JOB_COPY, .src = info.va,
				      .dst = self->mine.va, .size = PAGE,
				      .bos = (uintptr_t)refs, .bo_count = 2 };
	ASSERT_EQ(0, attack_job(self->attacker, &copy));
	EXPECT_EQ(secret(1, 0), *(__u32 *)self->mine.cpu);
	EXPECT_EQ(0, edna_gem_close(self->attacker, imp.handle));
	st = attack_job(self->attacker, &copy);
	EXPECT_NE(0, st) TH_LOG("a job listed a closed import");
	/* Put a buffer back where the teardown expects one. */
	ASSERT_EQ(0, edna_bo_new(self->victim, BO_SIZE, EDNA_REGION_HOST, &self->v[1]));
	for (size_t w = 0; w < BO_SIZE / 4; w++)
		((__u32 *)self->v[1].cpu)[w] = secret(1, w);
	EXPECT_TRUE(victim_intact(self));
}

/* Run @fn as user and group nobody in a child; its exit status, or -1. */
static int as_nobody(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Bit i set: what i denied nobody was allowed. */
static int nobody_tries_roots_files(void)
{
	static const char * const root_only[] = {
		"/sys/kernel/debug/accel/edna.0/rings",
		SIM "hang_queue",
		SIM "mmu_fault_queue",
		SIM "lose_irq",
		SYSFS "reset",
		SYSFS "job_timeout_ms",
	};
	int allowed = 0;
	unsigned int i;

	for (i = 0; i < sizeof(root_only) / sizeof(root_only[0]); i++) {
		int fd = open(root_only[i], i < 2 ? O_RDONLY : O_WRONLY);

		if (fd >= 0) {
			allowed |= 1 << i;
			close(fd);
		}
	}
	return allowed;
}

/*
 * Documentation/testing.rst, Isolation: debugfs is root's (the directory
 * is 0700), and so are the driver's writable sysfs controls; the device
 * node's mode is the system's choice, and logged.
 */
TEST_F(edna_isolation, debugfs_and_the_sysfs_controls_are_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/accel/accel0", &st));
	TH_LOG("/dev/accel/accel0: mode %03o, uid %u, gid %u", st.st_mode & 0777, st.st_uid,
	       st.st_gid);
	ASSERT_EQ(0, stat("/sys/kernel/debug", &st));
	EXPECT_EQ(0, st.st_mode & 0077) TH_LOG("debugfs mode %03o", st.st_mode & 0777);
	ASSERT_EQ(0, stat(SYSFS "reset", &st));
	EXPECT_EQ(0200, st.st_mode & 0777);
	ASSERT_EQ(0, stat(SYSFS "job_timeout_ms", &st));
	EXPECT_EQ(0, st.st_mode & 0022);
	EXPECT_EQ(0, as_nobody(nobody_tries_roots_files));
}

TEST_HARNESS_MAIN
