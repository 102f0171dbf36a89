// SPDX-License-Identifier: GPL-2.0
/*
 * edna_access: the device node as the udev rule 70-edna.rules leaves it
 * (vm_main.sh applies the rule first, with edna_udev_apply.sh), and what
 * an unprivileged process can do with it: a member of the render group
 * runs jobs, anyone else gets EACCES, and a member still reaches neither
 * the root-only sysfs controls (reset, timeouts, limits, runtime PM), nor
 * debugfs, nor HIGH priority.
 *
 * Every check runs in a child that dropped root for good: supplementary
 * groups, gid and uid, and so every capability.  The child reports the
 * first step that went wrong as its exit code and says why on stderr.
 */
#include <grp.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edna_test.h"

#define NODE		"/dev/accel/accel0"
#define SYSFS		"/sys/class/accel/accel0/device/"
#define PAGE		4096ULL
#define NOBODY		65534
#define FILL_PATTERN	0x5ca1ab1e

/* Exit codes of the children: which step failed. */
enum {
	STEP_OK,
	STEP_DROP,
	STEP_OPEN,
	STEP_BO,
	STEP_SUBMIT,
	STEP_WAIT,
	STEP_DATA,
	STEP_ERRNO,
};

/* Become uid nobody with gid @gid and no other group, for good. */
static int drop_root(gid_t gid)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(NOBODY)) {
		fprintf(stderr, "# dropping root: %s\n", strerror(errno));
		return -1;
	}
	/* A process that could get root back would prove nothing. */
	if (setuid(0) == 0) {
		fprintf(stderr, "# uid 0 came back after setuid(%d)\n", NOBODY);
		return -1;
	}
	return 0;
}

/* Run @fn(@arg) in a child as uid nobody, gid @gid; its exit code. */
static int as_user(gid_t gid, int (*fn)(void *), void *arg)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(drop_root(gid) ? STEP_DROP : fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Open the node, fill a host buffer on the device, check it from the CPU. */
static int run_fill_job(void *unused)
{
	struct edna_bo bo = {};
	struct drm_edna_job job = {
		.queue = 0, .priority = EDNA_PRIORITY_NORMAL, .op = EDNA_JOB_FILL,
		.size = PAGE, .pattern = FILL_PATTERN,
	};
	const uint32_t *words;
	int fd, ret, st = -1;
	size_t i;

	(void)unused;
	fd = edna_open(0);
	if (fd < 0) {
		fprintf(stderr, "# open %s: %s\n", NODE, strerror(-fd));
		return STEP_OPEN;
	}
	ret = edna_bo_new(fd, PAGE, EDNA_REGION_HOST, &bo);
	if (ret) {
		fprintf(stderr, "# BO_CREATE and mmap: %s\n", strerror(-ret));
		return STEP_BO;
	}
	memset(bo.cpu, 0, PAGE);
	job.dst = bo.va;
	ret = edna_submit(fd, &job, 1);
	if (ret) {
		fprintf(stderr, "# SUBMIT: %s\n", strerror(-ret));
		return STEP_SUBMIT;
	}
	ret = edna_wait(fd, job.seqno, edna_deadline(30 * EDNA_SEC), &st, NULL);
	if (ret || st) {
		fprintf(stderr, "# WAIT: %s, job status %d\n", strerror(-ret), st);
		return STEP_WAIT;
	}
	words = bo.cpu;
	for (i = 0; i < PAGE / 4; i++) {
		if (words[i] != FILL_PATTERN) {
			fprintf(stderr, "# word %zu is %#x, not %#x\n", i, words[i],
				FILL_PATTERN);
			return STEP_DATA;
		}
	}
	edna_bo_free(fd, &bo);
	close(fd);
	return STEP_OK;
}

/* Opening @arg (a path; read-write, then read-only) fails with EACCES. */
static int open_is_refused(void *arg)
{
	static const int modes[] = { O_RDWR, O_RDONLY, O_WRONLY };
	const char *path = arg;
	unsigned int i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int fd = open(path, modes[i] | O_CLOEXEC);

		if (fd >= 0 || errno != EACCES) {
			fprintf(stderr, "# open %s (flags %#x): %s, not EACCES\n", path,
				modes[i], fd >= 0 ? "opened" : strerror(errno));
			return STEP_ERRNO;
		}
	}
	return STEP_OK;
}

/* Writing @arg, a root-only control, fails with EACCES. */
static int write_is_refused(void *arg)
{
	const char *path = arg;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0 || errno != EACCES) {
		fprintf(stderr, "# open %s for writing: %s, not EACCES\n", path,
			fd >= 0 ? "opened" : strerror(errno));
		return STEP_ERRNO;
	}
	return STEP_OK;
}

/* A HIGH priority job needs CAP_SYS_NICE, which a member lacks. */
static int high_priority_is_refused(void *unused)
{
	struct drm_edna_job job = {
		.queue = 0, .priority = EDNA_PRIORITY_HIGH, .op = EDNA_JOB_NOP,
	};
	int fd = edna_open(0), ret;

	(void)unused;
	if (fd < 0) {
		fprintf(stderr, "# open %s: %s\n", NODE, strerror(-fd));
		return STEP_OPEN;
	}
	ret = edna_submit(fd, &job, 1);
	close(fd);
	if (ret != -EACCES) {
		fprintf(stderr, "# HIGH priority SUBMIT: %s, not EACCES\n",
			ret ? strerror(-ret) : "accepted");
		return STEP_ERRNO;
	}
	return STEP_OK;
}

FIXTURE(access) {
	gid_t render;
};

FIXTURE_SETUP(access)
{
	struct group *g = getgrnam("render");

	ASSERT_NE(NULL, g) TH_LOG("no render group in /etc/group");
	self->render = g->gr_gid;
	/* nobody must not get in through its own group. */
	ASSERT_NE(NOBODY, self->render);
}

FIXTURE_TEARDOWN(access)
{
}

TEST_F(access, node_has_the_rules_group_and_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(NODE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(self->render, st.st_gid);
	EXPECT_EQ(0660, st.st_mode & 07777);
}

TEST_F(access, render_member_runs_a_job)
{
	EXPECT_EQ(STEP_OK, as_user(self->render, run_fill_job, NULL));
}

TEST_F(access, outsider_gets_eacces)
{
	EXPECT_EQ(STEP_OK, as_user(NOBODY, open_is_refused, NODE));
}

TEST_F(access, member_cannot_write_the_device_controls)
{
	static const char *const controls[] = {
		SYSFS "reset", SYSFS "job_timeout_ms", SYSFS "client_host_limit_mb",
		SYSFS "power/control",
	};
	unsigned int i;

	for (i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
		/* Present, and open to root: a refusal is the permission's. */
		ASSERT_EQ(0, access(controls[i], W_OK)) TH_LOG("%s", controls[i]);
		EXPECT_EQ(STEP_OK, as_user(self->render, write_is_refused, (void *)controls[i]))
			TH_LOG("%s", controls[i]);
	}
}

TEST_F(access, member_cannot_reach_debugfs)
{
	ASSERT_EQ(0, access("/sys/kernel/debug/accel", F_OK));
	EXPECT_EQ(STEP_OK, as_user(self->render, open_is_refused, "/sys/kernel/debug/accel"));
}

TEST_F(access, member_cannot_submit_high_priority)
{
	EXPECT_EQ(STEP_OK, as_user(self->render, high_priority_is_refused, NULL));
}

TEST_HARNESS_MAIN
