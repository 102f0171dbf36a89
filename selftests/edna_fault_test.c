// SPDX-License-Identifier: GPL-2.0
/*
 * edna_fault: hangs, resets that fail, and removal of the device under
 * its clients.  Faults come from the device model's injection knobs; the
 * kernel log is checked for splats by the VM runner after the run.
 *
 * These tests wedge, unbind and rebind device 0: vm_main.sh runs this
 * binary after every other one.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define PAGE		4096ULL
#define SEC		EDNA_SEC
#define ACCEL0		"/sys/class/accel/accel0"
#define SYSFS		ACCEL0 "/device/"
#define SIM		"/sys/kernel/debug/edna_sim/edna_sim.0/"

static int nop(int fd, __u32 queue, __u64 *seqno)
{
	struct drm_edna_job j = {
		.queue = queue, .priority = EDNA_PRIORITY_NORMAL, .op = EDNA_JOB_NOP,
	};
	int ret = edna_submit(fd, &j, 1);

	if (!ret && seqno)
		*seqno = j.seqno;
	return ret;
}

static int wait_job(int fd, __u64 seqno, long long timeout_ns, int *status)
{
	return edna_wait(fd, seqno, edna_deadline(timeout_ns), status, NULL);
}

FIXTURE(edna_fault) {
	int fd;
};

FIXTURE_SETUP(edna_fault)
{
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "10000"));
}

FIXTURE_TEARDOWN(edna_fault)
{
	/* Leave the device as the next test expects it, whatever failed. */
	edna_write_file(SIM "hang_queue", "-1");
	edna_write_file(SIM "fail_reset", "0");
	edna_write_file(SIM "chunk_delay_us", "0");
	if (edna_sysfs_read(SYSFS "wedged") == 1)
		edna_write_file(SYSFS "reset", "1");
	edna_write_file(SYSFS "job_timeout_ms", "10000");
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(edna_fault, hangs_on_two_queues_at_once_recover_both)
{
	int round, i, st;

	/* Two timeout handlers at once, each recovering the device under the other. */
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "200"));
	for (round = 0; round < 10; round++) {
		/* A fresh file each round: two faults a round would get one banned. */
		int fd = edna_open(0);
		struct edna_bo b;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, edna_bo_new(fd, 3 * PAGE, EDNA_REGION_HOST, &b));
		ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "0"));
		ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "1"));
		struct drm_edna_job jobs[] = {
			{ .queue = 0, .op = EDNA_JOB_NOP },
			{ .queue = 1, .op = EDNA_JOB_NOP },
			/* Innocent ones behind the hung ones, and beside them. */
			{ .queue = 0, .op = EDNA_JOB_FILL, .dst = b.va, .size = PAGE,
			  .pattern = 0xa000 + round },
			{ .queue = 1, .op = EDNA_JOB_FILL, .dst = b.va + PAGE, .size = PAGE,
			  .pattern = 0xb000 + round },
			{ .queue = 2, .op = EDNA_JOB_FILL, .dst = b.va + 2 * PAGE, .size = PAGE,
			  .pattern = 0xc000 + round },
		};
		ASSERT_EQ(0, edna_submit(fd, jobs, 5));
		for (i = 0; i < 5; i++) {
			ASSERT_EQ(0, wait_job(fd, jobs[i].seqno, 20 * SEC, &st))
				TH_LOG("round %d job %d never completed", round, i);
			EXPECT_EQ(i < 2 ? -ETIMEDOUT : 0, st) TH_LOG("round %d job %d", round, i);
			if (i >= 2)
				EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + (i - 2) * PAGE, PAGE,
							      jobs[i].pattern))
					TH_LOG("round %d job %d", round, i);
		}
		edna_bo_free(fd, &b);
		close(fd);
	}
}

TEST_F(edna_fault, failed_reset_wedges_the_device_until_a_reset_succeeds)
{
	__u64 stuck, after;
	struct edna_bo b;
	int st = 0;

	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &b));
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	/* A job on the device when its reset fails. */
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "2"));
	ASSERT_EQ(0, nop(self->fd, 2, &stuck));
	ASSERT_EQ(1, edna_sim_wait_queue_hung(2, 5 * SEC));
	ASSERT_EQ(0, edna_write_file(SIM "fail_reset", "1"));
	EXPECT_EQ(-EIO, edna_write_file(SYSFS "reset", "1"));
	EXPECT_EQ(1, edna_sysfs_read(SYSFS "wedged"));
	/* Nothing runs on a device in an unknown state. */
	EXPECT_EQ(-EIO, nop(self->fd, 0, NULL));
	ASSERT_EQ(0, wait_job(self->fd, stuck, 10 * SEC, &st));
	TH_LOG("the job on the device ended with %d", st);
	EXPECT_TRUE(st == -EIO || st == -ECANCELED);

	/* The operator's way out: a reset that works. */
	EXPECT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	struct drm_edna_bo_ref ref = { .handle = b.handle, .flags = EDNA_BO_WRITE };
	struct drm_edna_job f = { .queue = 2, .op = EDNA_JOB_FILL, .dst = b.va, .size = PAGE,
				  .pattern = 0x0bac4, .bos = (uintptr_t)&ref, .bo_count = 1 };
	ASSERT_EQ(0, edna_submit(self->fd, &f, 1));
	ASSERT_EQ(0, wait_job(self->fd, f.seqno, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(PAGE / 4, edna_first_not(b.cpu, PAGE, 0x0bac4));
	ASSERT_EQ(0, nop(self->fd, 0, &after));
	ASSERT_EQ(0, wait_job(self->fd, after, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	edna_bo_free(self->fd, &b);
}

/*
 * The bus device of /dev/accel/accel0 (e.g. "edna.0") and the directory
 * of the driver bound to it, with its bind and unbind files.
 */
static int accel0_bus_device(char *name, size_t len, char *driver, size_t dlen)
{
	char link[PATH_MAX], real[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(ACCEL0 "/device", link, sizeof(link) - 1);
	if (n <= 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!realpath(ACCEL0 "/device/driver", real))
		return -errno;
	if (strlen(base) >= len || strlen(real) >= dlen)
		return -ENAMETOOLONG;
	strcpy(name, base);
	strcpy(driver, real);
	return 0;
}

/* The accel minor of bus device @name, or -1 while it has none. */
static int bus_device_minor(const char *name)
{
	DIR *d = opendir("/sys/class/accel");
	struct dirent *e;
	int minor = -1;

	while (d && (e = readdir(d))) {
		char path[300], link[PATH_MAX];
		const char *base;
		ssize_t n;
		int m;

		if (sscanf(e->d_name, "accel%d", &m) != 1)
			continue;
		snprintf(path, sizeof(path), "/sys/class/accel/%s/device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		base = strrchr(link, '/');
		if (!strcmp(base ? base + 1 : link, name))
			minor = m;
	}
	if (d)
		closedir(d);
	return minor;
}

/* Bind @name to @driver and wait up to 5 s for its accel node; its minor or -1. */
static int bind_device(const char *driver, const char *name)
{
	char path[PATH_MAX + 16];
	long long end;
	int minor;

	snprintf(path, sizeof(path), "%s/bind", driver);
	if (edna_write_file(path, name))
		return -1;
	for (end = edna_now_ns() + 5 * SEC; (minor = bus_device_minor(name)) < 0;) {
		if (edna_now_ns() > end)
			break;
		usleep(10000);
	}
	return minor;
}

struct blocked_create {
	int fd;
	atomic_int returned;
	int ret;
};

static void *create_dram_bo(void *arg)
{
	struct blocked_create *c = arg;
	struct drm_edna_bo_create args = { .size = 64 << 10, .region = EDNA_REGION_DRAM };

	/* Device memory is cleared by the device: this waits behind the hangs. */
	c->ret = edna_ioctl(c->fd, DRM_IOCTL_EDNA_BO_CREATE, &args);
	atomic_store(&c->returned, 1);
	return NULL;
}

/* Poll for @flag to be set for up to @timeout_ns; whether it was. */
static int wait_flag(atomic_int *flag, long long timeout_ns)
{
	long long end = edna_now_ns() + timeout_ns;

	while (!atomic_load(flag) && edna_now_ns() < end)
		usleep(10000);
	return atomic_load(flag);
}

/* Keep this test last: it takes device 0 away and brings it back. */
TEST_F_TIMEOUT(edna_fault, removal_with_a_hung_job_and_a_waiting_bo_create_completes, 120)
{
	char name[64], driver[PATH_MAX], unbind[PATH_MAX + 16];
	struct blocked_create create = {};
	int status = 0, done = 0, attempt, minor = -1, st;
	long long t0, took = 0;
	__u64 queues, hung[8];
	pthread_t creator;
	unsigned int q;
	pid_t pid;

	ASSERT_EQ(0, accel0_bus_device(name, sizeof(name), driver, sizeof(driver)));
	TH_LOG("device %s, driver %s", name, driver);
	snprintf(unbind, sizeof(unbind), "%s/unbind", driver);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &queues));
	ASSERT_GE(8, queues);
	/* Long enough that no timeout recovers the hangs during the test. */
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "60000"));
	/* Every queue hangs, whichever the kernel clears device memory on. */
	for (q = 0; q < queues; q++) {
		char v[8];

		snprintf(v, sizeof(v), "%u", q);
		ASSERT_EQ(0, edna_write_file(SIM "hang_queue", v));
		ASSERT_EQ(0, nop(self->fd, q, &hung[q]));
		ASSERT_EQ(1, edna_sim_wait_queue_hung(q, 5 * SEC)) TH_LOG("queue %u", q);
	}
	create.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&creator, NULL, create_dram_bo, &create));
	usleep(300000);
	if (atomic_load(&create.returned))
		TH_LOG("BO_CREATE of DRAM returned %d before the removal", create.ret);

	/* Unbind from a child, so that a deadlock shows as time, not as a hang. */
	t0 = edna_now_ns();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(edna_write_file(unbind, name) ? 1 : 0);
	while (!done && edna_now_ns() - t0 < 20 * SEC) {
		done = waitpid(pid, &status, WNOHANG) == pid;
		if (!done)
			usleep(10000);
	}
	took = edna_now_ns() - t0;
	ASSERT_TRUE(done) TH_LOG("unbind still blocked after 20 s");
	TH_LOG("unbind took %lld ms", took / 1000000);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));

	/* The BO_CREATE gives up too, with whatever error. */
	ASSERT_TRUE(wait_flag(&create.returned, 5 * SEC)) TH_LOG("BO_CREATE still blocked");
	pthread_join(creator, NULL);
	TH_LOG("BO_CREATE returned %d", create.ret);
	for (q = 0; q < queues; q++) {
		int ret = wait_job(self->fd, hung[q], SEC, &st);

		TH_LOG("queue %u: WAIT %d, status %d", q, ret, ret ? 0 : st);
		EXPECT_NE(-ETIME, ret);
	}
	/* Every file of the old device gone, so that the new one gets minor 0. */
	close(self->fd);
	self->fd = -1;

	/*
	 * The minor is free once the old device's last reference goes, which
	 * deferred releases may hold a moment longer: if the device came back
	 * under another minor, give that up and try again.
	 */
	for (attempt = 0; attempt < 5; attempt++) {
		usleep(200000);
		minor = bind_device(driver, name);
		if (minor <= 0)
			break;
		TH_LOG("%s came back as accel%d", name, minor);
		edna_write_file(unbind, name);
	}
	ASSERT_EQ(0, minor) TH_LOG("%s did not come back as accel0", name);
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "10000"));
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	/* Each queue works again. */
	for (q = 0; q < queues; q++) {
		ASSERT_EQ(0, nop(self->fd, q, &hung[q]));
		ASSERT_EQ(0, wait_job(self->fd, hung[q], 10 * SEC, &st));
		EXPECT_EQ(0, st) TH_LOG("queue %u", q);
	}
}

TEST_HARNESS_MAIN
