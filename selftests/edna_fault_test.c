// SPDX-License-Identifier: GPL-2.0
/*
 * edna_fault: hangs, resets that fail, MMU faults, bus errors, a device
 * that halts on a job, lost and spurious interrupts, a shared interrupt
 * line, a device that reads as all-ones, and removal of the device under
 * its clients.
 * Faults come from the device model's injection knobs; the kernel log is
 * checked for splats by the VM runner after the run.
 *
 * These tests wedge, unbind and rebind device 0: vm_main.sh runs this
 * binary after every other one.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
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
#define DBG		"/sys/kernel/debug/accel/edna.0/"

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

static long long fail_edna_allocations_stop(void);

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
	edna_write_file(SIM "mmio_all_ones", "0");
	edna_write_file(SIM "share_irq", "0");
	edna_write_file(SIM "mmu_fault_queue", "-1");
	edna_write_file(SIM "bus_error_queue", "-1");
	edna_write_file(SIM "dev_error_queue", "-1");
	edna_write_file(SIM "lose_irq", "0");
	/* Fault injection off, with no stack filter left for fail-nth. */
	fail_edna_allocations_stop();
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

/* The kernel log from now on: /dev/kmsg at its end, or -errno. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* How many records logged since kmsg_open(), or the last call, hold @text. */
static int kmsg_count(int fd, const char *text)
{
	char rec[2048];
	ssize_t n;
	int hits = 0;

	/* One record a read; EPIPE when old ones were overwritten meanwhile. */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		hits += !!strstr(rec, text);
	}
	return hits;
}

TEST_F(edna_fault, failed_reset_wedges_the_device_until_a_reset_succeeds)
{
	__u64 stuck, after;
	struct edna_bo b;
	int st = 0, kmsg = kmsg_open();

	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &b));
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	/* A job on the device when its reset fails. */
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "2"));
	ASSERT_EQ(0, nop(self->fd, 2, &stuck));
	ASSERT_EQ(1, edna_sim_wait_queue_hung(2, 5 * SEC));
	ASSERT_EQ(0, edna_write_file(SIM "fail_reset", "1"));
	EXPECT_EQ(-EIO, edna_write_file(SYSFS "reset", "1"));
	EXPECT_EQ(1, edna_sysfs_read(SYSFS "wedged"));
	/* The operator is told. */
	EXPECT_LE(1, kmsg_count(kmsg, "device wedged"));
	close(kmsg);
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

/* edna's own count of the interrupts it claimed, and of their causes. */
struct irq_stats {
	long long handled, job_done, job_error, mmu_fault, dev_error;
};

static void irq_stats(struct irq_stats *s)
{
	s->handled = edna_key_value(DBG "irq_stats", "handled");
	s->job_done = edna_key_value(DBG "irq_stats", "job_done");
	s->job_error = edna_key_value(DBG "irq_stats", "job_error");
	s->mmu_fault = edna_key_value(DBG "irq_stats", "mmu_fault");
	s->dev_error = edna_key_value(DBG "irq_stats", "dev_error");
}

/*
 * Interrupts the kernel delivered on the line whose handlers include
 * @action (and @also, unless NULL), summed over the CPUs, from
 * /proc/interrupts; -1 when there is no such line.
 */
static long long line_interrupts(const char *action, const char *also)
{
	char line[1024], *tok, *save;
	long long found = -1;
	int ncpu = 0, col;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		for (tok = strtok_r(line, "\n ", &save); tok; tok = strtok_r(NULL, "\n ", &save))
			ncpu++;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		long long sum = 0;
		int has = 0, has_also = !also;

		tok = strtok_r(line, "\n ,", &save);
		for (col = 0; tok; col++, tok = strtok_r(NULL, "\n ,", &save)) {
			/* "N:", then a count per CPU, then the chip and the handlers */
			if (col >= 1 && col <= ncpu)
				sum += atoll(tok);
			has |= !strcmp(tok, action);
			has_also |= also && !strcmp(tok, also);
		}
		if (has && has_also)
			found = sum;
	}
	fclose(f);
	return found;
}

/* Poll line_interrupts(@action, NULL) until it exceeds @than, for up to @timeout_ns. */
static long long wait_line_interrupts(const char *action, long long than, long long timeout_ns)
{
	long long end = edna_now_ns() + timeout_ns, n;

	while ((n = line_interrupts(action, NULL)) <= than && edna_now_ns() < end)
		usleep(1000);
	return n;
}

static void *raise_shared(void *arg)
{
	/* The other device's interrupts, while edna's jobs run. */
	return (void *)(intptr_t)edna_write_file(SIM "share_irq_raise", arg);
}

/*
 * INTx lines are shared: edna must request its line IRQF_SHARED (else a
 * second device cannot take it: EBUSY), claim only its own interrupts,
 * and keep working while the other device's interrupts come and go.
 */
TEST_F(edna_fault, a_second_device_on_the_interrupt_line_works_beside_edna)
{
	long long lines0, lines, handled0, handled;
	struct irq_stats s0, s;
	struct edna_bo b;
	__u64 queues;
	pthread_t raiser;
	void *raised;
	int i, st;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &queues));
	ASSERT_EQ(0, edna_bo_new(self->fd, queues * 4 * PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "share_irq", "1"))
		TH_LOG("the interrupt line of edna.0 cannot be shared");
	EXPECT_EQ(1, edna_sysfs_read(SIM "share_irq"));
	lines0 = line_interrupts("edna.0", "edna_sim.0");
	ASSERT_LE(0, lines0) TH_LOG("no line in /proc/interrupts with both handlers");
	handled0 = edna_sysfs_read(SIM "share_irq_handled");
	ASSERT_LE(0, handled0);
	irq_stats(&s0);
	ASSERT_LE(0, s0.handled);

	/* Interrupts of the other device only: edna claims none, acts on none. */
	ASSERT_EQ(0, edna_write_file(SIM "share_irq_raise", "500"));
	EXPECT_EQ(handled0 + 500, edna_sysfs_read(SIM "share_irq_handled"));
	lines = line_interrupts("edna.0", NULL);
	EXPECT_LE(lines0 + 500, lines) TH_LOG("%lld interrupts on the line", lines - lines0);
	irq_stats(&s);
	EXPECT_EQ(s0.handled, s.handled) TH_LOG("edna claimed another device's interrupts");
	EXPECT_EQ(s0.job_done, s.job_done);
	EXPECT_EQ(s0.job_error, s.job_error);
	EXPECT_EQ(s0.mmu_fault, s.mmu_fault);
	EXPECT_EQ(s0.dev_error, s.dev_error);

	/* Both devices at once: jobs on every queue while the other one raises. */
	struct drm_edna_job jobs[4 * 8];
	int n = queues * 4;

	ASSERT_GE(4 * 8, n);
	for (i = 0; i < n; i++)
		jobs[i] = (struct drm_edna_job){ .queue = i % queues, .op = EDNA_JOB_FILL,
						 .dst = b.va + i * PAGE, .size = PAGE,
						 .pattern = 0x5a5e0000 + i };
	ASSERT_EQ(0, pthread_create(&raiser, NULL, raise_shared, "500"));
	ASSERT_EQ(0, edna_submit(self->fd, jobs, n));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, wait_job(self->fd, jobs[i].seqno, 10 * SEC, &st)) TH_LOG("job %d", i);
		EXPECT_EQ(0, st) TH_LOG("job %d", i);
		EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + i * PAGE, PAGE, jobs[i].pattern))
			TH_LOG("job %d", i);
	}
	pthread_join(raiser, &raised);
	EXPECT_EQ(0, (intptr_t)raised) TH_LOG("the other device lost an interrupt");
	handled = edna_sysfs_read(SIM "share_irq_handled");
	EXPECT_EQ(handled0 + 1000, handled);
	irq_stats(&s);
	EXPECT_LT(s0.handled, s.handled);
	EXPECT_LT(s0.job_done, s.job_done);
	EXPECT_EQ(s0.job_error, s.job_error);
	EXPECT_EQ(s0.mmu_fault, s.mmu_fault);
	EXPECT_EQ(s0.dev_error, s.dev_error);

	/* The other device leaves; edna has the line to itself again. */
	ASSERT_EQ(0, edna_write_file(SIM "share_irq", "0"));
	EXPECT_EQ(0, edna_sysfs_read(SIM "share_irq"));
	EXPECT_EQ(-ENODEV, edna_write_file(SIM "share_irq_raise", "1"));
	EXPECT_EQ(-1, line_interrupts("edna.0", "edna_sim.0"));
	jobs[0] = (struct drm_edna_job){ .queue = 0, .op = EDNA_JOB_FILL, .dst = b.va,
					 .size = PAGE, .pattern = 0x5a5effff };
	ASSERT_EQ(0, edna_submit(self->fd, jobs, 1));
	ASSERT_EQ(0, wait_job(self->fd, jobs[0].seqno, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(PAGE / 4, edna_first_not(b.cpu, PAGE, 0x5a5effff));
	edna_bo_free(self->fd, &b);
}

/*
 * A device that fell off the bus reads all-ones, IRQ_STATUS included:
 * its handler must see that, claim nothing and act on nothing, even as
 * the device (here still working) raises interrupts.  Once the registers
 * read true again, every job completes once, with its real status.
 */
TEST_F(edna_fault, all_ones_registers_complete_no_job_until_the_device_reads_true)
{
	enum { N = 4 };
	long long q0, done_early, lines0, lines, faults0, end;
	struct drm_edna_job jobs[N + 1];
	struct irq_stats s0, s1, s;
	struct edna_bo b;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, N * 2 * PAGE, EDNA_REGION_HOST, &b));
	irq_stats(&s0);
	ASSERT_LE(0, s0.handled);
	faults0 = edna_key_value(DBG "mmu", "faults");
	ASSERT_LE(0, faults0);
	/* The model's own count of the jobs queue 0 completed, which all-ones does not hide. */
	q0 = edna_key_value(SIM "counters", "q0_jobs");
	ASSERT_LE(0, q0);

	/* About 100 ms a job: the bus goes while all of them are still to run. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "50000"));
	for (i = 0; i < N; i++)
		jobs[i] = (struct drm_edna_job){ .queue = 0, .op = EDNA_JOB_FILL,
						 .dst = b.va + i * 2 * PAGE, .size = 2 * PAGE,
						 .pattern = 0xa11e0000 + i };
	ASSERT_EQ(0, edna_submit(self->fd, jobs, N));
	ASSERT_EQ(0, edna_write_file(SIM "mmio_all_ones", "1"));
	lines0 = line_interrupts("edna.0", NULL);
	ASSERT_LE(0, lines0);
	done_early = edna_key_value(SIM "counters", "q0_jobs") - q0;
	ASSERT_GT(N, done_early) TH_LOG("every job ran before the registers went all-ones");
	/* A handler that read IRQ_STATUS just before may still be finishing. */
	usleep(20000);
	irq_stats(&s1);

	/* The device finishes the jobs and raises its interrupt; edna cannot tell. */
	end = edna_now_ns() + 10 * SEC;
	while (edna_key_value(SIM "counters", "q0_jobs") < q0 + N && edna_now_ns() < end)
		usleep(10000);
	ASSERT_EQ(q0 + N, edna_key_value(SIM "counters", "q0_jobs"));
	lines = wait_line_interrupts("edna.0", lines0, 2 * SEC);
	TH_LOG("%lld jobs done before, %lld interrupts while all-ones", done_early, lines - lines0);
	EXPECT_LT(lines0, lines) TH_LOG("the device raised no interrupt while all-ones");
	/* An edge per completion, not a storm of re-raised interrupts. */
	EXPECT_GE(lines0 + 2 * N, lines);
	irq_stats(&s);
	EXPECT_EQ(s1.handled, s.handled) TH_LOG("edna claimed an interrupt from all-ones");
	EXPECT_EQ(s1.job_done, s.job_done);
	EXPECT_EQ(s1.job_error, s.job_error);
	EXPECT_EQ(s1.mmu_fault, s.mmu_fault);
	EXPECT_EQ(s1.dev_error, s.dev_error);
	EXPECT_EQ(faults0, edna_key_value(DBG "mmu", "faults"))
		TH_LOG("edna recorded an MMU fault read from all-ones");
	/* Nothing reported complete on what the registers said. */
	for (i = done_early; i < N; i++)
		EXPECT_EQ(-ETIME, wait_job(self->fd, jobs[i].seqno, -1, &st)) TH_LOG("job %d", i);

	/*
	 * The registers read true again.  The causes edna did not acknowledge
	 * are still pending; the next interrupt, that of one more job, brings
	 * them in.
	 */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "0"));
	ASSERT_EQ(0, edna_write_file(SIM "mmio_all_ones", "0"));
	ASSERT_EQ(0, nop(self->fd, 0, &jobs[N].seqno));
	for (i = 0; i <= N; i++) {
		ASSERT_EQ(0, wait_job(self->fd, jobs[i].seqno, 10 * SEC, &st)) TH_LOG("job %d", i);
		EXPECT_EQ(0, st) TH_LOG("job %d", i);
		if (i < N)
			EXPECT_EQ(2 * PAGE / 4, edna_first_not((char *)b.cpu + i * 2 * PAGE,
							       2 * PAGE, jobs[i].pattern))
				TH_LOG("job %d", i);
	}
	/* Each ran once: no recovery reset (it zeroes JOBS) and no replay. */
	EXPECT_EQ(q0 + N + 1, edna_key_value(SIM "counters", "q0_jobs"));
	irq_stats(&s);
	EXPECT_EQ(s0.job_error, s.job_error);
	EXPECT_EQ(s0.mmu_fault, s.mmu_fault);
	EXPECT_EQ(s0.dev_error, s.dev_error);
	EXPECT_EQ(faults0, edna_key_value(DBG "mmu", "faults"));
	edna_bo_free(self->fd, &b);
}

/* Jobs the device completed, summed over the queues, from sysfs. */
static long long jobs_done_total(void)
{
	char buf[256], *p, *end;
	long long sum = 0;
	FILE *f = fopen(SYSFS "jobs_done", "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (p = buf;; p = end) {
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		sum += v;
	}
	return sum;
}

/* Whether line "@queue: armed" is in the knob @path of the device model. */
static int knob_armed(const char *path, unsigned int queue)
{
	char line[64], state[16];
	unsigned int n;
	int armed = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u: %15s", &n, state) == 2 && n == queue)
			armed = !strcmp(state, "armed");
	fclose(f);
	return armed;
}

/* Submit a FILL of @size bytes at @va on @queue; its seqno, or 0. */
static __u64 fill(int fd, __u32 queue, __u64 va, __u64 size, __u32 pattern)
{
	struct drm_edna_job j = { .queue = queue, .op = EDNA_JOB_FILL, .dst = va, .size = size,
				  .pattern = pattern };

	return edna_submit(fd, &j, 1) ? 0 : j.seqno;
}

/*
 * A job whose accesses fail (injected on @knob of @queue) fails with @err,
 * its record saying @reason at its first byte; the job behind it on the
 * queue and one beside it on another complete.  Nothing is reset.
 */
static void fault_fails_only_its_job(struct __test_metadata *_metadata, int fd,
				     const char *knob, int err, __u32 reason)
{
	enum { Q = 1, OTHER = 0 };
	long long faults0, done0, q1jobs0, wedged;
	struct drm_edna_job_result rec = {};
	struct irq_stats s0, s;
	__u64 guilty, behind, beside;
	struct edna_bo b;
	char q[8];
	int st = 0;

	ASSERT_EQ(0, edna_bo_new(fd, 3 * PAGE, EDNA_REGION_HOST, &b));
	memset(b.cpu, 0, 3 * PAGE);
	faults0 = edna_key_value(DBG "mmu", "faults");
	done0 = jobs_done_total();
	q1jobs0 = edna_key_value(SIM "counters", "q1_jobs");
	ASSERT_LE(0, faults0);
	ASSERT_LE(0, done0);
	irq_stats(&s0);
	snprintf(q, sizeof(q), "%d", Q);
	ASSERT_EQ(0, edna_write_file(knob, q));
	EXPECT_EQ(1, knob_armed(knob, Q));

	guilty = fill(fd, Q, b.va, PAGE, 0x0bad0001);
	behind = fill(fd, Q, b.va + PAGE, PAGE, 0x900d0002);
	beside = fill(fd, OTHER, b.va + 2 * PAGE, PAGE, 0x900d0003);
	ASSERT_NE(0, guilty);
	ASSERT_NE(0, behind);
	ASSERT_NE(0, beside);
	ASSERT_EQ(0, edna_wait(fd, guilty, edna_deadline(5 * SEC), &st, &rec));
	EXPECT_EQ(err, st);
	EXPECT_EQ(reason, rec.reason);
	EXPECT_EQ(b.va, rec.fault_va);
	EXPECT_EQ(0, edna_first_not(b.cpu, PAGE, 0x0bad0001))
		TH_LOG("the faulted job wrote its destination");
	ASSERT_EQ(0, wait_job(fd, behind, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + PAGE, PAGE, 0x900d0002));
	ASSERT_EQ(0, wait_job(fd, beside, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + 2 * PAGE, PAGE, 0x900d0003));

	/* Counted once each, and the fault once; the queue was not reset. */
	EXPECT_EQ(0, knob_armed(knob, Q));
	EXPECT_EQ(faults0 + 1, edna_key_value(DBG "mmu", "faults"));
	EXPECT_EQ(done0 + 3, jobs_done_total());
	EXPECT_EQ(q1jobs0 + 2, edna_key_value(SIM "counters", "q1_jobs"));
	irq_stats(&s);
	EXPECT_LE(s0.mmu_fault + 1, s.mmu_fault);
	EXPECT_LE(s0.job_error + 1, s.job_error);
	EXPECT_EQ(s0.dev_error, s.dev_error);
	wedged = edna_sysfs_read(SYSFS "wedged");
	EXPECT_EQ(0, wedged);
	edna_bo_free(fd, &b);
}

TEST_F(edna_fault, mmu_fault_fails_its_job_with_efault_and_no_other)
{
	fault_fails_only_its_job(_metadata, self->fd, SIM "mmu_fault_queue", -EFAULT,
				 EDNA_FAULT_REASON_UNMAPPED);
}

TEST_F(edna_fault, bus_error_fails_its_job_with_eio_and_no_other)
{
	fault_fails_only_its_job(_metadata, self->fd, SIM "bus_error_queue", -EIO,
				 EDNA_FAULT_REASON_BUS);
}

/*
 * The device halts on a job with a firmware error: the driver resets the
 * device at once, not at the hang timeout; the job fails with -EIO, every
 * other job, on its queue and beside it, runs again and completes.
 */
TEST_F(edna_fault, device_error_resets_the_device_and_fails_only_its_job)
{
	enum { N = 4 };
	const __u32 queue[N] = { 1, 1, 0, 2 };
	long long t0, took, done0;
	struct irq_stats s0, s;
	__u64 seq[N], after;
	struct edna_bo b;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, N * PAGE, EDNA_REGION_HOST, &b));
	memset(b.cpu, 0, N * PAGE);
	irq_stats(&s0);
	done0 = jobs_done_total();
	/* The hang timeout stays at 10 s: recovery must not wait for it. */
	ASSERT_EQ(0, edna_write_file(SIM "dev_error_queue", "1"));
	EXPECT_EQ(1, knob_armed(SIM "dev_error_queue", 1));
	t0 = edna_now_ns();
	for (i = 0; i < N; i++) {
		seq[i] = fill(self->fd, queue[i], b.va + i * PAGE, PAGE, 0xde0e0000 + i);
		ASSERT_NE(0, seq[i]);
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, wait_job(self->fd, seq[i], 5 * SEC, &st)) TH_LOG("job %d", i);
		EXPECT_EQ(i ? 0 : -EIO, st) TH_LOG("job %d", i);
		if (i)
			EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + i * PAGE, PAGE,
							   0xde0e0000 + i))
				TH_LOG("job %d", i);
	}
	took = edna_now_ns() - t0;
	TH_LOG("recovered in %lld ms", took / 1000000);
	EXPECT_GT(5 * SEC, took);
	EXPECT_EQ(0, edna_first_not(b.cpu, PAGE, 0xde0e0000)) TH_LOG("the failed job ran");
	EXPECT_EQ(0, knob_armed(SIM "dev_error_queue", 1));
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	irq_stats(&s);
	EXPECT_LE(s0.dev_error + 1, s.dev_error);
	/* The failed job never completed on the device; the others once each. */
	EXPECT_EQ(done0 + N - 1, jobs_done_total());
	ASSERT_EQ(0, nop(self->fd, 1, &after));
	ASSERT_EQ(0, wait_job(self->fd, after, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	edna_bo_free(self->fd, &b);
}

/*
 * Completion interrupts that never arrive: the hang timeout finds the
 * jobs done (HEAD moved) and completes them, successfully, without a
 * reset, each once.
 */
TEST_F(edna_fault, lost_interrupts_complete_their_jobs_at_the_timeout_without_a_reset)
{
	enum { N = 3 };
	long long t0, took, done0, jobs0[N];
	struct edna_bo b;
	__u64 seq[N];
	char key[16];
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, N * PAGE, EDNA_REGION_HOST, &b));
	memset(b.cpu, 0, N * PAGE);
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "1000"));
	done0 = jobs_done_total();
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "q%d_jobs", i);
		jobs0[i] = edna_key_value(SIM "counters", key);
		ASSERT_LE(0, jobs0[i]);
	}
	/* One job at a time: each is the only interrupt the device raises. */
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, edna_write_file(SIM "lose_irq", "1"));
		t0 = edna_now_ns();
		seq[i] = fill(self->fd, i, b.va + i * PAGE, PAGE, 0x10570000 + i);
		ASSERT_NE(0, seq[i]);
		snprintf(key, sizeof(key), "q%d_jobs", i);
		while (edna_key_value(SIM "counters", key) == jobs0[i] && edna_now_ns() - t0 < 5 * SEC)
			usleep(1000);
		ASSERT_EQ(jobs0[i] + 1, edna_key_value(SIM "counters", key));
		EXPECT_EQ(0, edna_sysfs_read(SIM "lose_irq")) TH_LOG("no interrupt was lost");
		/* Done on the device, not yet known to the driver (unless it is late). */
		if (edna_now_ns() - t0 < 700000000)
			EXPECT_EQ(-ETIME, wait_job(self->fd, seq[i], -1, &st)) TH_LOG("job %d", i);
		ASSERT_EQ(0, wait_job(self->fd, seq[i], 10 * SEC, &st)) TH_LOG("job %d", i);
		took = edna_now_ns() - t0;
		EXPECT_EQ(0, st) TH_LOG("job %d", i);
		EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + i * PAGE, PAGE, 0x10570000 + i));
		TH_LOG("job %d completed after %lld ms", i, took / 1000000);
	}
	/* JOBS survives only if nothing reset the device or a queue. */
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "q%d_jobs", i);
		EXPECT_EQ(jobs0[i] + 1, edna_key_value(SIM "counters", key));
	}
	EXPECT_EQ(done0 + N, jobs_done_total());
	edna_bo_free(self->fd, &b);
}

/*
 * Interrupt causes with nothing behind them, while a job runs: no job
 * completes early or twice, no fault is recorded, nothing is reset.
 */
TEST_F(edna_fault, spurious_interrupts_complete_nothing_and_record_nothing)
{
	long long faults0, q0, done0;
	struct irq_stats s0, s;
	struct edna_bo b;
	__u64 queues, seq;
	unsigned int all;
	char mask[16];
	int i, st;

	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &queues));
	all = (1u << queues) - 1;
	all = all | all << 8 | 1u << 16 | 1u << 17;
	ASSERT_EQ(0, edna_bo_new(self->fd, 4 * PAGE, EDNA_REGION_HOST, &b));
	memset(b.cpu, 0, 4 * PAGE);
	faults0 = edna_key_value(DBG "mmu", "faults");
	q0 = edna_key_value(SIM "counters", "q0_jobs");
	done0 = jobs_done_total();
	irq_stats(&s0);
	EXPECT_EQ(-EINVAL, edna_write_file(SIM "spurious_irq", "0"));
	EXPECT_EQ(-EINVAL, edna_write_file(SIM "spurious_irq", "0x40000"));

	/* About 200 ms of work, so that the causes come while it runs. */
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "50000"));
	seq = fill(self->fd, 0, b.va, 4 * PAGE, 0x5b0050);
	ASSERT_NE(0, seq);
	snprintf(mask, sizeof(mask), "%#x", all);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(0, edna_write_file(SIM "spurious_irq", mask));
	if (edna_key_value(SIM "counters", "q0_jobs") == q0)
		EXPECT_EQ(-ETIME, wait_job(self->fd, seq, -1, &st))
			TH_LOG("a spurious interrupt completed a running job");
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "0"));
	ASSERT_EQ(0, wait_job(self->fd, seq, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(4 * PAGE / 4, edna_first_not(b.cpu, 4 * PAGE, 0x5b0050));
	irq_stats(&s);
	EXPECT_LT(s0.handled, s.handled) TH_LOG("the spurious causes were not delivered");
	EXPECT_EQ(faults0, edna_key_value(DBG "mmu", "faults"));
	EXPECT_EQ(q0 + 1, edna_key_value(SIM "counters", "q0_jobs"));
	EXPECT_EQ(done0 + 1, jobs_done_total());
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	edna_bo_free(self->fd, &b);
}

/*
 * Rounds of one random fault each (MMU fault, bus error, device error, a
 * lost interrupt, spurious causes) with a job on every queue: the job the
 * fault hit fails as documented, every other one completes, each exactly
 * once.  Seeded; the seed is logged.
 */
TEST_F_TIMEOUT(edna_fault, random_faults_fail_exactly_the_jobs_they_hit, 300)
{
	enum { ROUNDS = 40, MMU, BUS, DEV, LOST, SPURIOUS, KINDS = SPURIOUS - MMU + 1 };
	static const char * const knob[] = {
		[MMU] = SIM "mmu_fault_queue", [BUS] = SIM "bus_error_queue",
		[DEV] = SIM "dev_error_queue",
	};
	unsigned int seed = getenv("EDNA_FAULT_SEED") ? atoi(getenv("EDNA_FAULT_SEED")) :
			    (unsigned int)edna_now_ns();
	int round, i, st, injected[KINDS] = {};
	long long done0, expect_done = 0;
	__u64 queues;

	TH_LOG("seed %u (EDNA_FAULT_SEED)", seed);
	srand(seed);
	ASSERT_EQ(0, edna_get_param(self->fd, EDNA_PARAM_NUM_QUEUES, 0, &queues));
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	done0 = jobs_done_total();
	for (round = 0; round < ROUNDS; round++) {
		int kind = MMU + rand() % KINDS, hit = rand() % queues, expect;
		/* A fresh file each round: faults add up to a ban. */
		int fd = edna_open(0);
		__u64 seq[8];
		struct edna_bo b;
		char v[16];

		ASSERT_LE(0, fd);
		ASSERT_GE(8, queues);
		ASSERT_EQ(0, edna_bo_new(fd, queues * PAGE, EDNA_REGION_HOST, &b));
		memset(b.cpu, 0, queues * PAGE);
		injected[kind - MMU]++;
		snprintf(v, sizeof(v), "%d", hit);
		if (kind <= DEV) {
			ASSERT_EQ(0, edna_write_file(knob[kind], v));
		} else if (kind == LOST) {
			ASSERT_EQ(0, edna_write_file(SIM "lose_irq", "1"));
		}
		for (i = 0; i < (int)queues; i++) {
			seq[i] = fill(fd, i, b.va + i * PAGE, PAGE, 0xf0000000 + round * 16 + i);
			ASSERT_NE(0, seq[i]);
		}
		if (kind == SPURIOUS) {
			snprintf(v, sizeof(v), "%#x", 1u << hit | 1u << (hit + 8) | 3u << 16);
			ASSERT_EQ(0, edna_write_file(SIM "spurious_irq", v));
		}
		for (i = 0; i < (int)queues; i++) {
			expect = 0;
			if (i == hit && kind == MMU)
				expect = -EFAULT;
			if (i == hit && (kind == BUS || kind == DEV))
				expect = -EIO;
			ASSERT_EQ(0, wait_job(fd, seq[i], 10 * SEC, &st))
				TH_LOG("round %d (fault %d on queue %d) job %d", round, kind, hit, i);
			EXPECT_EQ(expect, st)
				TH_LOG("round %d (fault %d on queue %d) job %d", round, kind, hit, i);
			if (!expect)
				EXPECT_EQ(PAGE / 4, edna_first_not((char *)b.cpu + i * PAGE, PAGE,
								   0xf0000000 + round * 16 + i))
					TH_LOG("round %d job %d", round, i);
			expect_done += !(i == hit && kind == DEV);
		}
		edna_bo_free(fd, &b);
		close(fd);
	}
	TH_LOG("%d MMU faults, %d bus errors, %d device errors, %d lost and %d spurious interrupts",
	       injected[0], injected[1], injected[2], injected[3], injected[4]);
	EXPECT_EQ(done0 + expect_done, jobs_done_total());
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
}

/* Every injected fault counts against the client whose job it hit, and only that one. */
TEST_F(edna_fault, injected_faults_ban_their_client_and_no_other)
{
	int other = edna_open(0), i, st;
	struct edna_bo b, ob;
	__u64 seq;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, edna_bo_new(self->fd, PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_bo_new(other, PAGE, EDNA_REGION_HOST, &ob));
	/* uapi.rst, Banning: at the 16th fault. */
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, edna_write_file(SIM "mmu_fault_queue", i % 2 ? "0" : "3"));
		if (i % 4 == 1)
			ASSERT_EQ(0, edna_write_file(SIM "bus_error_queue", "0"));
		seq = fill(self->fd, i % 2 ? 0 : 3, b.va, PAGE, i);
		ASSERT_NE(0, seq) TH_LOG("fault %d", i);
		ASSERT_EQ(0, wait_job(self->fd, seq, 5 * SEC, &st));
		EXPECT_EQ(i % 4 == 1 ? -EIO : -EFAULT, st) TH_LOG("fault %d", i);
	}
	EXPECT_EQ(0, fill(self->fd, 1, b.va, PAGE, 1)) TH_LOG("a banned client submitted");
	struct drm_edna_job j = { .queue = 1, .op = EDNA_JOB_NOP };

	EXPECT_EQ(-ECANCELED, edna_submit(self->fd, &j, 1));
	/* The other client works on, on the queues the faults hit. */
	seq = fill(other, 3, ob.va, PAGE, 0x07e40000);
	ASSERT_NE(0, seq);
	ASSERT_EQ(0, wait_job(other, seq, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(PAGE / 4, edna_first_not(ob.cpu, PAGE, 0x07e40000));
	edna_bo_free(other, &ob);
	close(other);
	edna_bo_free(self->fd, &b);
}

/*
 * The device halts on a job and the reset that should bring it back
 * fails: the device is wedged and says so; every job on it fails with
 * -EIO; an operator reset brings it back.
 */
TEST_F(edna_fault, device_error_with_a_failing_reset_wedges_until_a_reset_succeeds)
{
	__u64 seq[3], after;
	struct edna_bo b;
	long long end;
	int i, st;

	ASSERT_EQ(0, edna_bo_new(self->fd, 3 * PAGE, EDNA_REGION_HOST, &b));
	ASSERT_EQ(0, edna_write_file(SIM "fail_reset", "1"));
	ASSERT_EQ(0, edna_write_file(SIM "dev_error_queue", "2"));
	struct drm_edna_job jobs[3];

	/* One SUBMIT: the device may wedge before a second one. */
	for (i = 0; i < 3; i++)
		jobs[i] = (struct drm_edna_job){ .queue = 2, .op = EDNA_JOB_FILL,
						 .dst = b.va + i * PAGE, .size = PAGE,
						 .pattern = 0xed0e0000 + i };
	ASSERT_EQ(0, edna_submit(self->fd, jobs, 3));
	for (i = 0; i < 3; i++)
		seq[i] = jobs[i].seqno;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, wait_job(self->fd, seq[i], 5 * SEC, &st)) TH_LOG("job %d", i);
		EXPECT_EQ(-EIO, st) TH_LOG("job %d", i);
	}
	/* Recovery's reset failed: wedged, until the operator's succeeds. */
	for (end = edna_now_ns() + 5 * SEC; edna_sysfs_read(SYSFS "wedged") != 1;)
		if (edna_now_ns() > end)
			break;
	EXPECT_EQ(1, edna_sysfs_read(SYSFS "wedged"));
	EXPECT_EQ(0, edna_sysfs_read(SIM "fail_reset"));
	EXPECT_EQ(-EIO, nop(self->fd, 0, NULL));
	EXPECT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	ASSERT_EQ(0, nop(self->fd, 2, &after));
	ASSERT_EQ(0, wait_job(self->fd, after, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	edna_bo_free(self->fd, &b);
}

/*
 * The bus device of /dev/accel/accel@minor (e.g. "edna.0") and the
 * directory of the driver bound to it, with its bind and unbind files.
 */
static int accel_bus_device(int minor, char *name, size_t len, char *driver, size_t dlen)
{
	char path[64], link[PATH_MAX], real[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device", minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/driver", minor);
	if (!realpath(path, real))
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

/* Wait up to 5 s for bus device @name's accel node; its minor or -1. */
static int wait_device_minor(const char *name)
{
	long long end = edna_now_ns() + 5 * SEC;
	int minor;

	while ((minor = bus_device_minor(name)) < 0 && edna_now_ns() < end)
		usleep(10000);
	return minor;
}

/* Bind @name to @driver and wait for its accel node; its minor or -1. */
static int bind_device(const char *driver, const char *name)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/bind", driver);
	if (edna_write_file(path, name))
		return -1;
	return wait_device_minor(name);
}

/* Run a NOP on bus device @name once its node is there: its status, or an error. */
static int nop_on_bus_device(const char *name)
{
	int minor = wait_device_minor(name), fd, ret, st = -1;
	__u64 seqno;

	if (minor < 0)
		return -ENODEV;
	fd = edna_open(minor);
	if (fd < 0)
		return fd;
	ret = nop(fd, 0, &seqno) ?: wait_job(fd, seqno, 10 * SEC, &st);
	close(fd);
	return ret ?: st;
}

/* Whether bus device @name, of the driver at @driver, is bound to it. */
static int is_bound(const char *driver, const char *name)
{
	char path[PATH_MAX + 80];

	snprintf(path, sizeof(path), "%s/%s", driver, name);
	return !access(path, F_OK);
}

/*
 * Device 1 comes up wrong at probe: registers that read all-ones (no
 * device behind them), then a reset that leaves it halted.  Each probe
 * fails with its error, the device stays unbound with nothing behind;
 * once the device is right it binds and works.
 */
TEST_F(edna_fault, probe_fails_cleanly_when_the_device_does_not_come_up)
{
	static const struct {
		const char *knob, *on, *off;
		int err;
	} faults[] = {
		{ "mmio_all_ones", "1", "0", ENODEV },
		{ "fail_reset", "1", "0", EIO },
	};
	char name[64], driver[PATH_MAX], bind[PATH_MAX + 16], unbind[PATH_MAX + 16];
	char knob[128];
	int dev, i, kmsg;

	if (accel_bus_device(1, name, sizeof(name), driver, sizeof(driver)))
		SKIP(return, "no second device");
	ASSERT_EQ(1, sscanf(name, "edna.%d", &dev));
	snprintf(bind, sizeof(bind), "%s/bind", driver);
	snprintf(unbind, sizeof(unbind), "%s/unbind", driver);
	ASSERT_EQ(0, edna_write_file(unbind, name));
	for (i = 0; i < 2; i++) {
		snprintf(knob, sizeof(knob), "/sys/kernel/debug/edna_sim/edna_sim.%d/%s", dev,
			 faults[i].knob);
		ASSERT_EQ(0, edna_write_file(knob, faults[i].on));
		kmsg = kmsg_open();
		ASSERT_LE(0, kmsg);
		EXPECT_EQ(-faults[i].err, edna_write_file(bind, name)) TH_LOG("%s", faults[i].knob);
		EXPECT_FALSE(is_bound(driver, name)) TH_LOG("%s", faults[i].knob);
		/* A device that never went into service is not said to be wedged. */
		EXPECT_EQ(0, kmsg_count(kmsg, "wedged")) TH_LOG("%s", faults[i].knob);
		close(kmsg);
		ASSERT_EQ(0, edna_write_file(knob, faults[i].off));
	}
	ASSERT_EQ(0, edna_write_file(bind, name));
	EXPECT_EQ(0, nop_on_bus_device(name));
}

/*
 * Allocation failures, on a kernel with fault injection (the debug kernel
 * of make check-debug; elsewhere these tests skip): the N-th allocation
 * that the calling thread makes fails (/proc/thread-self/fail-nth, which
 * failslab and fail_page_alloc both honour), for N = 1, 2, ... until an
 * operation completes without reaching its N-th: every allocation of its
 * path fails once.
 */
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAIL_NTH_MAX	5000

static int alloc_faults_setup(void)
{
	static const char * const knobs[][2] = {
		/* Also the allocations that may sleep, of any order; and quietly. */
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	};
	unsigned int i;

	if (access(FAIL_NTH, W_OK))
		return -1;
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (edna_write_file(knobs[i][0], knobs[i][1]))
			return -1;
	return 0;
}

/* Arm the @n-th allocation of this thread to fail; 0 disarms. */
static void fail_nth_arm(int fd, int n)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%d", n);

	if (pwrite(fd, v, len, 0) != len)
		abort();
}

/* Whether the armed failure happened, disarming it either way. */
static int fail_nth_hit(int fd)
{
	char v[16] = "";
	int left;

	if (pread(fd, v, sizeof(v) - 1, 0) <= 0)
		abort();
	left = atoi(v);
	fail_nth_arm(fd, 0);
	return left == 0;
}

/*
 * An operation whose allocations fail in turn: prepare() (not under
 * test), then run() with the failure armed, then cleanup() with it
 * disarmed, which waits for what run() started and undoes it.
 */
struct alloc_op {
	int fd;			/* a file of the device */
	struct edna_bo *bo;	/* a host buffer of @fd */
	int other;		/* another file, for imports */
	/* what prepare() and run() leave for the next step */
	int aux_fd;
	struct edna_bo aux_bo;
	__u32 syncobj;
	struct drm_edna_job jobs[4];
	__u64 seqno;
};

static int op_open(struct alloc_op *o)
{
	int fd = open("/dev/accel/accel0", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int op_bo_create(struct alloc_op *o, __u32 region)
{
	struct drm_edna_bo_create c = { .size = 64 << 10, .region = region };
	int ret = edna_ioctl(o->fd, DRM_IOCTL_EDNA_BO_CREATE, &c);

	if (!ret)
		edna_gem_close(o->fd, c.handle);
	return ret;
}

static int op_bo_create_host(struct alloc_op *o)
{
	return op_bo_create(o, EDNA_REGION_HOST);
}

static int op_bo_create_dram(struct alloc_op *o)
{
	return op_bo_create(o, EDNA_REGION_DRAM);
}

static int prep_submit(struct alloc_op *o)
{
	struct drm_syncobj_create sc = {};
	int ret = edna_ioctl(o->fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc);

	o->syncobj = sc.handle;
	return ret;
}

static int op_submit(struct alloc_op *o)
{
	static struct drm_edna_bo_ref ref;
	static struct drm_edna_sync sync;
	int i;

	ref = (struct drm_edna_bo_ref){ .handle = o->bo->handle, .flags = EDNA_BO_WRITE };
	sync = (struct drm_edna_sync){ .handle = o->syncobj, .flags = EDNA_SYNC_SIGNAL };
	o->jobs[0] = (struct drm_edna_job){ .queue = 0, .op = EDNA_JOB_FILL, .dst = o->bo->va,
					    .size = PAGE, .pattern = 0xa110c,
					    .bos = (uintptr_t)&ref, .bo_count = 1,
					    .syncs = (uintptr_t)&sync, .sync_count = 1 };
	/* Three that ride on one scheduler job. */
	for (i = 1; i < 4; i++)
		o->jobs[i] = (struct drm_edna_job){ .queue = 1, .op = EDNA_JOB_NOP };
	return edna_submit(o->fd, o->jobs, 4);
}

static int done_submit(struct alloc_op *o, int submitted)
{
	struct drm_syncobj_destroy sd = { .handle = o->syncobj };
	int i, st = 0, ret = 0;

	/* run()'s result: 0 when the jobs were queued. */
	for (i = 0; !submitted && i < 4 && !ret; i++)
		ret = wait_job(o->fd, o->jobs[i].seqno, 10 * SEC, &st) ?: st;
	if (!submitted && !ret && edna_first_not(o->bo->cpu, PAGE, 0xa110c) != PAGE / 4)
		ret = -EIO;
	edna_ioctl(o->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
	return ret;
}

static int prep_wait(struct alloc_op *o)
{
	int st;

	return nop(o->fd, 2, &o->seqno) ?: wait_job(o->fd, o->seqno, 10 * SEC, &st);
}

static int op_wait(struct alloc_op *o)
{
	struct drm_edna_job_result r = {};
	int st;

	return edna_wait(o->fd, o->seqno, edna_deadline(10 * SEC), &st, &r);
}

static int op_prime(struct alloc_op *o)
{
	struct drm_prime_handle exp = { .handle = o->bo->handle, .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = {};
	int ret = edna_ioctl(o->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);

	if (ret)
		return ret;
	imp.fd = exp.fd;
	ret = edna_ioctl(o->other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp);
	if (!ret)
		edna_gem_close(o->other, imp.handle);
	close(exp.fd);
	return ret;
}

static int op_mmap(struct alloc_op *o)
{
	struct drm_edna_bo_info info = { .handle = o->bo->handle };
	int ret = edna_ioctl(o->fd, DRM_IOCTL_EDNA_BO_INFO, &info);
	void *p;

	if (ret)
		return ret;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, info.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	*(volatile __u32 *)p = 1;
	munmap(p, PAGE);
	return 0;
}

/* A client that goes away with a job in flight. */
static int prep_close_busy(struct alloc_op *o)
{
	o->aux_fd = edna_open(0);
	if (o->aux_fd < 0)
		return o->aux_fd;
	if (edna_bo_new(o->aux_fd, PAGE, EDNA_REGION_HOST, &o->aux_bo))
		return -EAGAIN;
	munmap(o->aux_bo.cpu, PAGE);
	return fill(o->aux_fd, 3, o->aux_bo.va, PAGE, 0xc105e) ? 0 : -EAGAIN;
}

static int op_close_busy(struct alloc_op *o)
{
	return close(o->aux_fd) ? -errno : 0;
}

static const struct {
	const char *name;
	int (*prepare)(struct alloc_op *o);
	int (*run)(struct alloc_op *o);
	int (*cleanup)(struct alloc_op *o, int run_ret);
} alloc_ops[] = {
	{ "open", NULL, op_open, NULL },
	{ "BO_CREATE host", NULL, op_bo_create_host, NULL },
	{ "BO_CREATE dram", NULL, op_bo_create_dram, NULL },
	{ "SUBMIT", prep_submit, op_submit, done_submit },
	{ "WAIT", prep_wait, op_wait, NULL },
	{ "PRIME export and import", NULL, op_prime, NULL },
	{ "mmap", NULL, op_mmap, NULL },
	{ "close busy", prep_close_busy, op_close_busy, NULL },
};

/*
 * Every allocation on the paths of open, BO_CREATE, SUBMIT, WAIT, PRIME,
 * mmap and close fails in turn: each call fails with ENOMEM or succeeds,
 * nothing splats, and afterwards the device works with nothing held.
 */
TEST_F_TIMEOUT(edna_fault, every_allocation_of_the_ioctl_paths_can_fail, 1200)
{
	int other = edna_open(0), fnth, unexpected = 0, injected_total = 0, st;
	long long charged0, charged;
	struct edna_bo b;
	unsigned int i;
	__u64 seqno;

	if (alloc_faults_setup())
		SKIP(return, "no fault injection in this kernel (the debug kernel has it)");
	ASSERT_LE(0, other);
	ASSERT_EQ(0, edna_bo_new(self->fd, 4 * PAGE, EDNA_REGION_HOST, &b));
	charged0 = edna_fdinfo_value(self->fd, "edna-host-charged");
	for (i = 0; i < sizeof(alloc_ops) / sizeof(alloc_ops[0]); i++) {
		struct alloc_op o = { .fd = self->fd, .bo = &b, .other = other };
		int n, injected = 0, ret = 0;

		for (n = 1; n <= FAIL_NTH_MAX; n++) {
			int hit;

			if (alloc_ops[i].prepare)
				ASSERT_EQ(0, alloc_ops[i].prepare(&o)) TH_LOG("%s", alloc_ops[i].name);
			fnth = open(FAIL_NTH, O_RDWR);
			ASSERT_LE(0, fnth);
			fail_nth_arm(fnth, n);
			ret = alloc_ops[i].run(&o);
			hit = fail_nth_hit(fnth);
			close(fnth);
			if (alloc_ops[i].cleanup) {
				int done = alloc_ops[i].cleanup(&o, ret);

				/* What it queued, it ran, and right. */
				EXPECT_EQ(0, done) TH_LOG("%s, allocation %d", alloc_ops[i].name, n);
			}
			if (!hit)
				break;
			injected++;
			if (ret && ret != -ENOMEM) {
				unexpected++;
				TH_LOG("%s, allocation %d failed: %d", alloc_ops[i].name, n, ret);
			}
		}
		injected_total += injected;
		TH_LOG("%s: %d allocations failed in turn", alloc_ops[i].name, injected);
		EXPECT_EQ(0, ret) TH_LOG("%s without a failure", alloc_ops[i].name);
		EXPECT_GE(FAIL_NTH_MAX, n);
	}
	TH_LOG("%d allocation failures injected", injected_total);
	EXPECT_EQ(0, unexpected);

	/* Nothing held on for a call that failed. */
	charged = edna_fdinfo_value(self->fd, "edna-host-charged");
	EXPECT_EQ(charged0, charged);
	ASSERT_EQ(0, nop(self->fd, 0, &seqno));
	ASSERT_EQ(0, wait_job(self->fd, seqno, 10 * SEC, &st));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	edna_bo_free(self->fd, &b);
	close(other);
}

/*
 * [start, end) of @module's code, from /proc/kallsyms: from its first
 * function to the next symbol of anything else after its last one, or
 * 64 KiB past it.
 */
static int module_text(const char *module, unsigned long long *start, unsigned long long *end)
{
	unsigned long long a, lo = ~0ULL, hi = 0, next = ~0ULL;
	char line[512], sym[256], mod[64];
	FILE *f = fopen("/proc/kallsyms", "r");
	int pass;
	char t;

	if (!f)
		return -errno;
	for (pass = 0; pass < 2; pass++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			int n = sscanf(line, "%llx %c %255s [%63[^]]]", &a, &t, sym, mod);
			int ours = n == 4 && !strcmp(mod, module);

			if (n < 3 || !a)
				continue;
			if (!pass && ours && (t == 't' || t == 'T')) {
				lo = a < lo ? a : lo;
				hi = a > hi ? a : hi;
			} else if (pass && !ours && a > hi && a < next) {
				next = a;
			}
		}
	}
	fclose(f);
	if (!hi)
		return -ENOENT;
	*start = lo;
	/* The last module loaded has nothing after it: no function is that long. */
	*end = next - hi < 0x10000 ? next : hi + 0x10000;
	return 0;
}

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAIL_PAGE	"/sys/kernel/debug/fail_page_alloc/"
#define FAIL_TIMES	1000000

static const char *const fail_attrs[] = { FAILSLAB, FAIL_PAGE };

/* Write @fmt's value to the attribute @attr of fault injection @fa. */
static int fail_attr_set(const char *fa, const char *attr, const char *fmt, ...)
{
	char path[128], v[32];
	va_list ap;

	snprintf(path, sizeof(path), "%s%s", fa, attr);
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	return edna_write_file(path, v);
}

/*
 * Fail every allocation, of any task, made with a function of edna.ko on
 * the stack and none of edna_sim.ko (the device has no allocator to fail),
 * quietly and sleeping ones too (alloc_faults_setup()).
 */
static int fail_edna_allocations_start(void)
{
	unsigned long long s0, e0, s1, e1;
	unsigned int i;
	int ret;

	ret = module_text("edna", &s0, &e0) ?: module_text("edna_sim", &s1, &e1);
	for (i = 0; i < 2 && !ret; i++) {
		const char *fa = fail_attrs[i];

		ret = fail_attr_set(fa, "require-start", "%llu", s0) ?:
		      fail_attr_set(fa, "require-end", "%llu", e0) ?:
		      fail_attr_set(fa, "reject-start", "%llu", s1) ?:
		      fail_attr_set(fa, "reject-end", "%llu", e1) ?:
		      fail_attr_set(fa, "stacktrace-depth", "%d", 32) ?:
		      fail_attr_set(fa, "task-filter", "N") ?:
		      fail_attr_set(fa, "interval", "%d", 1) ?:
		      fail_attr_set(fa, "times", "%d", FAIL_TIMES) ?:
		      fail_attr_set(fa, "probability", "%d", 100);
	}
	return ret;
}

/*
 * Stop, and lift the stack filter, which fail-nth honours too; the
 * failures injected since the start.
 */
static long long fail_edna_allocations_stop(void)
{
	long long injected = 0;
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const char *fa = fail_attrs[i];

		fail_attr_set(fa, "probability", "0");
		snprintf(path, sizeof(path), "%stimes", fa);
		injected += FAIL_TIMES - edna_sysfs_read(path);
		fail_attr_set(fa, "require-start", "0");
		fail_attr_set(fa, "require-end", "%llu", ~0ULL);
		fail_attr_set(fa, "reject-start", "0");
		fail_attr_set(fa, "reject-end", "0");
	}
	return injected;
}

/* WAIT for @seqno, again whenever WAIT itself runs out of memory. */
static int wait_job_nomem(int fd, __u64 seqno, long long timeout_ns, int *status)
{
	long long end = edna_now_ns() + timeout_ns;
	int ret;

	do {
		ret = wait_job(fd, seqno, timeout_ns, status);
	} while (ret == -ENOMEM && edna_now_ns() < end && !usleep(1000));
	return ret;
}

/*
 * Recovery with every allocation of edna.ko failing, in every task, the
 * workqueues included: a timeout's queue reset, the full reset a device
 * error needs, and an operator's reset each fail exactly their job, run
 * the innocent ones, and leave the device working.
 */
TEST_F_TIMEOUT(edna_fault, recovery_needs_no_allocation_that_can_fail, 120)
{
	struct drm_edna_bo_create c = { .size = PAGE, .region = EDNA_REGION_HOST };
	enum { N = 6 };
	const __u32 queue[N] = { 0, 0, 2, 1, 1, 3 };
	/*
	 * Job 0 hangs, job 3 halts the device, each from its own file (two
	 * faults would ban one); the rest are innocent.
	 */
	const int want[N] = { -ETIMEDOUT, 0, 0, -EIO, 0, 0 };
	int fd[2] = { self->fd, edna_open(0) }, i, st, ret;
	long long injected;
	struct edna_bo b[2];
	__u64 seq[N], after;

	if (access(FAILSLAB "require-start", W_OK) || alloc_faults_setup())
		SKIP(return, "no stack-filtered fault injection in this kernel (the debug kernel has it)");
	ASSERT_LE(0, fd[1]);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, edna_bo_new(fd[i], N * PAGE, EDNA_REGION_HOST, &b[i]));
		memset(b[i].cpu, 0, N * PAGE);
	}
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "300"));
	ASSERT_EQ(0, edna_write_file(SIM "hang_queue", "0"));
	for (i = 0; i < 3; i++) {
		seq[i] = fill(fd[0], queue[i], b[0].va + i * PAGE, PAGE, 0x4ec0 + i);
		ASSERT_NE(0, seq[i]);
	}
	ASSERT_EQ(1, edna_sim_wait_queue_hung(0, 5 * SEC));

	/* A hang's timeout. */
	ASSERT_EQ(0, fail_edna_allocations_start());
	ret = wait_job_nomem(fd[0], seq[0], 10 * SEC, &st);
	/* The injection was on all along: a BO_CREATE fails at its first allocation. */
	EXPECT_EQ(-ENOMEM, edna_ioctl(fd[0], DRM_IOCTL_EDNA_BO_CREATE, &c));
	injected = fail_edna_allocations_stop();
	ASSERT_EQ(0, ret);

	/* A device error's full reset, then an operator's, jobs queued. */
	ASSERT_EQ(0, edna_write_file(SYSFS "job_timeout_ms", "10000"));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "20000"));
	ASSERT_EQ(0, edna_write_file(SIM "dev_error_queue", "1"));
	for (i = 3; i < N; i++) {
		seq[i] = fill(fd[1], queue[i], b[1].va + i * PAGE, PAGE, 0x4ec0 + i);
		ASSERT_NE(0, seq[i]);
	}
	ASSERT_EQ(0, fail_edna_allocations_start());
	ret = wait_job_nomem(fd[1], seq[3], 10 * SEC, &st);
	EXPECT_EQ(0, edna_write_file(SYSFS "reset", "1"));
	EXPECT_EQ(-ENOMEM, edna_ioctl(fd[1], DRM_IOCTL_EDNA_BO_CREATE, &c));
	injected += fail_edna_allocations_stop();
	ASSERT_EQ(0, ret);

	/* Two of them the BO_CREATEs', the rest recovery's. */
	EXPECT_LE(2, injected);
	TH_LOG("%lld allocations failed during recovery", injected - 2);
	for (i = 0; i < N; i++) {
		int f = i < 3 ? 0 : 1;

		ASSERT_EQ(0, wait_job(fd[f], seq[i], 10 * SEC, &st)) TH_LOG("job %d", i);
		/* Innocent jobs the operator's reset caught fail with ECANCELED. */
		if (want[i] || st != -ECANCELED) {
			EXPECT_EQ(want[i], st) TH_LOG("job %d", i);
		}
		if (!st) {
			EXPECT_EQ(PAGE / 4, edna_first_not((char *)b[f].cpu + i * PAGE, PAGE,
							   0x4ec0 + i)) TH_LOG("job %d", i);
		}
	}
	EXPECT_EQ(0, edna_sysfs_read(SYSFS "wedged"));
	ASSERT_EQ(0, edna_write_file(SIM "chunk_delay_us", "0"));
	ASSERT_EQ(0, nop(fd[0], 1, &after));
	ASSERT_EQ(0, wait_job(fd[0], after, 5 * SEC, &st));
	EXPECT_EQ(0, st);
	for (i = 0; i < 2; i++)
		edna_bo_free(fd[i], &b[i]);
	close(fd[1]);
}

/*
 * Probe with each of its allocations failed in turn, on device 1: a
 * probe that fails leaves the device unbound and nothing behind (the
 * run's kmemleak scan and splat check tell), one that absorbs the
 * failure works; then the device binds and runs a job.
 */
TEST_F_TIMEOUT(edna_fault, probe_unwinds_from_every_allocation_failure, 900)
{
	char name[64], driver[PATH_MAX], bind_path[PATH_MAX + 16], unbind[PATH_MAX + 16];
	int n, hit = 1, bind, fnth, injected = 0, unbound = 0, unexpected = 0, no_node = 0, ret;

	if (alloc_faults_setup())
		SKIP(return, "no fault injection in this kernel (the debug kernel has it)");
	if (accel_bus_device(1, name, sizeof(name), driver, sizeof(driver)))
		SKIP(return, "no second device");
	snprintf(unbind, sizeof(unbind), "%s/unbind", driver);
	snprintf(bind_path, sizeof(bind_path), "%s/bind", driver);
	ASSERT_EQ(0, edna_write_file(unbind, name));
	for (n = 1; n <= FAIL_NTH_MAX && hit; n++) {
		/* Opened before the failure is armed: only probe's allocations count. */
		bind = open(bind_path, O_WRONLY);
		ASSERT_LE(0, bind);
		fnth = open(FAIL_NTH, O_RDWR);
		ASSERT_LE(0, fnth);
		fail_nth_arm(fnth, n);
		if (write(bind, name, strlen(name)) < 0 && errno != ENOMEM) {
			unexpected++;
			TH_LOG("allocation %d: bind failed with %d", n, -errno);
		}
		hit = fail_nth_hit(fnth);
		close(fnth);
		close(bind);
		if (!hit)
			break;
		injected++;
		if (!is_bound(driver, name)) {
			unbound++;
			continue;
		}
		/*
		 * Probe absorbed the failure: the device must work, through
		 * its /dev node unless devtmpfs failed to make it (the driver
		 * core goes on without it).
		 */
		ret = nop_on_bus_device(name);
		if (ret == -ENOENT) {
			no_node++;
		} else {
			EXPECT_EQ(0, ret) TH_LOG("allocation %d", n);
		}
		ASSERT_EQ(0, edna_write_file(unbind, name));
	}
	TH_LOG("probe: %d allocations failed in turn, %d of them failed it, %d left no /dev node",
	       injected, unbound, no_node);
	ASSERT_FALSE(hit) TH_LOG("probe still allocating after %d", FAIL_NTH_MAX);
	ASSERT_TRUE(is_bound(driver, name));
	EXPECT_LT(20, injected);
	EXPECT_LT(0, unbound);
	/* A failed probe says why: out of memory. */
	EXPECT_EQ(0, unexpected);

	EXPECT_EQ(0, nop_on_bus_device(name));
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

	ASSERT_EQ(0, accel_bus_device(0, name, sizeof(name), driver, sizeof(driver)));
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
