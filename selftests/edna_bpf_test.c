// SPDX-License-Identifier: GPL-2.0
/*
 * edna_bpf: the BPF probes on the driver's tracepoints, as an operator
 * uses them: edna-probes attaches and exits, bpftool reads the pinned
 * maps, edna-top shows them.  What they count is checked against
 * independent truths: the jobs the test ran, the device's own counters
 * (debugfs), fdinfo's busy time and the clock.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "edna_test.h"
#include "edna_json.h"
#include "edna_probes.h"

#define COUNTERS	"/sys/kernel/debug/accel/edna.0/counters"
#define BIG		(1 << 20)
#define MAX_QUEUES	8	/* EDNA_PARAM_NUM_QUEUES is at most this */

/* Run @cmd under sh; its output (stdout and stderr) in @out. Exit status, or -1. */
static int run(const char *cmd, char *out, size_t size)
{
	char line[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(line, sizeof(line), "%s 2>&1", cmd);
	p = popen(line, "r");
	if (!p)
		return -1;
	if (out && size)
		out[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		size_t len = strlen(line);

		if (out && n + len < size) {
			memcpy(out + n, line, len + 1);
			n += len;
		}
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool attached(void)
{
	struct stat st;

	return !stat(EDNA_PIN_DIR, &st);
}

/* Fresh probes: every map starts empty. */
static int attach_fresh(void)
{
	if (attached() && run("edna-probes --detach", NULL, 0))
		return -1;
	return run("edna-probes", NULL, 0);
}

/* Everything bpftool -j prints for @cmd, parsed; NULL on failure. */
static struct edna_json *bpftool_json(const char *cmd)
{
	/* A map prints each entry's bytes besides its BTF view: a lot of text. */
	const size_t size = 16 << 20;
	char *out = malloc(size), full[256];
	struct edna_json *j = NULL;

	snprintf(full, sizeof(full), "bpftool -j %s", cmd);
	if (out && !run(full, out, size))
		j = edna_json_parse(out);
	free(out);
	return j;
}

static struct edna_json *map_dump(const char *map)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "map dump pinned %s/%s", EDNA_PIN_DIR, map);
	return bpftool_json(cmd);
}

/* bpftool prints the BTF view of an entry under "formatted" next to raw bytes. */
static const struct edna_json *entry_part(const struct edna_json *e, const char *part)
{
	const struct edna_json *f = edna_json_get(e, "formatted");

	return edna_json_get(f ? f : e, part);
}

/* The value of the entry whose key has member @k1 == @v1 (and @k2 == @v2 if set). */
static const struct edna_json *find_entry(const struct edna_json *dump, const char *k1,
					  unsigned long long v1, const char *k2,
					  unsigned long long v2)
{
	const struct edna_json *e;

	for (e = dump ? dump->child : NULL; e; e = e->next) {
		const struct edna_json *key = entry_part(e, "key");

		if (edna_json_u64(key, ~0ull, k1, NULL) != v1)
			continue;
		if (k2 && edna_json_u64(key, ~0ull, k2, NULL) != v2)
			continue;
		return entry_part(e, "value");
	}
	return NULL;
}

/* The queue's or device's entry of an array map: its value names it. */
static const struct edna_json *find_slot(const struct edna_json *dump, unsigned int minor,
					 const char *k2, unsigned long long v2)
{
	const struct edna_json *e;

	for (e = dump ? dump->child : NULL; e; e = e->next) {
		const struct edna_json *v = entry_part(e, "value");

		if (edna_json_u64(v, 0, "active", NULL) && edna_json_u64(v, ~0ull, "minor", NULL) == minor &&
		    (!k2 || edna_json_u64(v, ~0ull, k2, NULL) == v2))
			return v;
	}
	return NULL;
}

static const struct edna_json *find_queue(const struct edna_json *dump, unsigned int minor,
					  unsigned int queue)
{
	return find_slot(dump, minor, "queue", queue);
}

static const struct edna_json *find_device(const struct edna_json *dump, unsigned int minor)
{
	return find_slot(dump, minor, NULL, 0);
}

static long long counter(const char *key)
{
	return edna_key_value(COUNTERS, key);
}

static long long fdinfo_busy_ns(int fd)
{
	long long sum = 0, v;
	char key[32];
	int q;

	for (q = 0; q < MAX_QUEUES; q++) {
		snprintf(key, sizeof(key), "drm-engine-queue%d", q);
		v = edna_fdinfo_value(fd, key);
		if (v > 0)
			sum += v;
	}
	return sum;
}

/* @n NOPs on @queue, @batch per SUBMIT (they ride on one another), all waited for. */
static int run_nops(int fd, unsigned int queue, unsigned int n, unsigned int batch)
{
	struct drm_edna_job jobs[64] = {};
	unsigned int done = 0, i;
	int ret, st;

	while (done < n) {
		unsigned int count = n - done < batch ? n - done : batch;

		for (i = 0; i < count; i++) {
			jobs[i] = (struct drm_edna_job){ .queue = queue, .op = EDNA_JOB_NOP };
		}
		ret = edna_submit(fd, jobs, count);
		if (ret)
			return ret;
		ret = edna_wait(fd, jobs[count - 1].seqno, edna_deadline(20 * EDNA_SEC), &st, NULL);
		if (ret || st)
			return ret ?: st;
		done += count;
	}
	return 0;
}

/* One job of @op on @queue, waited for. */
static int run_job(int fd, unsigned int queue, __u32 op, __u64 src, __u64 dst, __u64 size)
{
	struct drm_edna_job j = { .queue = queue, .op = op, .src = src, .dst = dst,
				  .size = size, .pattern = op == EDNA_JOB_FILL ? 0x5a5a5a5a : 0 };
	int ret, st;

	ret = edna_submit(fd, &j, 1);
	if (ret)
		return ret;
	ret = edna_wait(fd, j.seqno, edna_deadline(20 * EDNA_SEC), &st, NULL);
	return ret ?: st;
}

FIXTURE(edna_bpf) {
	int fd;
};

FIXTURE_SETUP(edna_bpf)
{
	int ret = attach_fresh();

	self->fd = -1;
	/* A kernel built without BPF on tracepoints (a minimal debug kernel). */
	if (ret == 4)
		SKIP(return, "edna-probes: this kernel lacks the BPF support the probes need");
	ASSERT_EQ(0, ret) TH_LOG("edna-probes failed to attach");
	/* Opened after the probes: every job of this file is seen from its submit. */
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(edna_bpf)
{
	if (self->fd >= 0)
		close(self->fd);
	if (attached())
		run("edna-probes --detach", NULL, 0);
}

TEST_F(edna_bpf, pinned_maps_programs_and_links_are_named)
{
	static const char *const maps[] = EDNA_MAP_NAMES;
	static const char *const progs[] = { "edna_job_submit", "edna_job_start",
		"edna_job_done", "edna_power", "edna_mmu_fault", "edna_q_reset", "edna_dev_reset" };
	struct edna_json *list, *links, *dump;
	const struct edna_json *e;
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", EDNA_PIN_DIR, maps[i]);
		EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s not pinned", path);
		/* The jobs in flight: 64k slots, slow to print under emulation. */
		if (!strcmp(maps[i], "jobs"))
			continue;
		dump = map_dump(maps[i]);
		EXPECT_NE(NULL, dump) TH_LOG("bpftool cannot dump %s", maps[i]);
		edna_json_free(dump);
	}
	list = bpftool_json("prog list");
	links = bpftool_json("link list");
	ASSERT_NE(NULL, list);
	ASSERT_NE(NULL, links);
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		unsigned long long id = 0;
		int linked = 0;

		for (e = list->child; e; e = e->next) {
			const struct edna_json *name = edna_json_get(e, "name");

			if (name && name->string && !strcmp(name->string, progs[i]))
				id = edna_json_u64(e, 0, "id", NULL);
		}
		EXPECT_NE(0, id) TH_LOG("bpftool prog list lacks %s", progs[i]);
		for (e = links->child; e; e = e->next)
			linked += edna_json_u64(e, 0, "prog_id", NULL) == id;
		EXPECT_EQ(1, linked) TH_LOG("%s: %d links", progs[i], linked);
		snprintf(path, sizeof(path), "%s/link_%s", EDNA_PIN_DIR, progs[i]);
		EXPECT_EQ(0, access(path, F_OK));
	}
	edna_json_free(list);
	edna_json_free(links);
}

TEST_F(edna_bpf, histogram_job_counts_equal_jobs_run)
{
	const unsigned int nops = 150, fills = 12;
	const struct edna_json *q0, *q1, *v, *s;
	struct edna_json *queues, *procs;
	unsigned long long sum = 0;
	struct edna_bo bo;
	unsigned int i;

	ASSERT_EQ(0, edna_bo_new(self->fd, 64 << 10, EDNA_REGION_HOST, &bo));
	/* Batches of 16 ride on one scheduler job: each is still one job. */
	ASSERT_EQ(0, run_nops(self->fd, 0, nops, 16));
	for (i = 0; i < fills; i++)
		ASSERT_EQ(0, run_job(self->fd, 1, EDNA_JOB_FILL, 0, bo.va, bo.size));

	queues = map_dump("queues");
	procs = map_dump("processes");
	ASSERT_NE(NULL, queues);
	ASSERT_NE(NULL, procs);
	q0 = find_queue(queues, 0, 0);
	q1 = find_queue(queues, 0, 1);
	ASSERT_NE(NULL, q0);
	ASSERT_NE(NULL, q1);
	EXPECT_EQ(nops, edna_json_u64(q0, 0, "lat_submit", "count"));
	EXPECT_EQ(fills, edna_json_u64(q1, 0, "lat_submit", "count"));
	EXPECT_EQ(nops, edna_json_u64(q0, 0, "lat_start", "count"));
	EXPECT_EQ(fills, edna_json_u64(q1, 0, "lat_start", "count"));
	EXPECT_EQ(nops, edna_json_u64(q0, 0, "done", NULL));
	EXPECT_EQ(0, edna_json_u64(q0, 1, "failed", NULL));
	TH_LOG("queue 0: device_ns %llu busy_ns %llu", edna_json_u64(q0, 0, "device_ns", NULL),
	       edna_json_u64(q0, 0, "time", "busy_ns"));

	/* The buckets add up to the count. */
	v = edna_json_get(edna_json_get(q0, "lat_submit"), "slots");
	ASSERT_NE(NULL, v);
	for (s = v->child; s; s = s->next)
		sum += s->number;
	EXPECT_EQ(nops, sum);

	v = find_entry(procs, "tgid", getpid(), "minor", 0);
	EXPECT_EQ(nops + fills, edna_json_u64(v, 0, "done", NULL));
	EXPECT_EQ(nops + fills, edna_json_u64(v, 0, "latency", "count"));
	v = edna_json_get(v, "comm");
	ASSERT_NE(NULL, v);
	EXPECT_STREQ("edna_bpf_test", v->string);
	edna_json_free(queues);
	edna_json_free(procs);
	edna_bo_free(self->fd, &bo);
}

TEST_F(edna_bpf, dma_bytes_equal_device_counters)
{
	static const char *const names[] = { "host_read", "host_written", "dram_read",
		"dram_written", "sram_read", "sram_written" };
	static const char *const keys[] = { "bytes_read_host", "bytes_written_host",
		"bytes_read_dram", "bytes_written_dram", "bytes_read_sram", "bytes_written_sram" };
	long long before[6], after[6];
	struct edna_bo host, dram, sram;
	struct edna_json *devs, *procs;
	const struct edna_json *d, *p;
	unsigned int i;

	for (i = 0; i < 6; i++) {
		before[i] = counter(keys[i]);
		ASSERT_LE(0, before[i]) TH_LOG("cannot read %s", COUNTERS);
	}
	/* Device buffers are cleared by the device when created: counted too. */
	ASSERT_EQ(0, edna_bo_new(self->fd, BIG, EDNA_REGION_HOST, &host));
	ASSERT_EQ(0, edna_bo_new(self->fd, BIG, EDNA_REGION_DRAM, &dram));
	ASSERT_EQ(0, edna_bo_new(self->fd, 256 << 10, EDNA_REGION_SRAM, &sram));
	ASSERT_EQ(0, run_job(self->fd, 0, EDNA_JOB_FILL, 0, host.va, BIG));
	ASSERT_EQ(0, run_job(self->fd, 1, EDNA_JOB_COPY, host.va, dram.va, BIG));
	ASSERT_EQ(0, run_job(self->fd, 2, EDNA_JOB_COPY, dram.va, sram.va, 256 << 10));
	ASSERT_EQ(0, run_job(self->fd, 0, EDNA_JOB_COPY, sram.va, host.va, 100 << 10));
	for (i = 0; i < 6; i++)
		after[i] = counter(keys[i]);

	devs = map_dump("devices");
	procs = map_dump("processes");
	d = edna_json_get(find_device(devs, 0), "dma");
	p = edna_json_get(find_entry(procs, "tgid", getpid(), "minor", 0), "dma");
	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, p);
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(after[i] - before[i], (long long)edna_json_u64(d, ~0ull, names[i], NULL))
			TH_LOG("device %s", names[i]);
		EXPECT_EQ(after[i] - before[i], (long long)edna_json_u64(p, ~0ull, names[i], NULL))
			TH_LOG("process %s", names[i]);
	}
	/* Something of each tier moved: the comparison is not of zeros. */
	EXPECT_LT(0, after[0] - before[0] + after[1] - before[1]);
	EXPECT_LT(0, after[2] - before[2] + after[3] - before[3]);
	EXPECT_LT(0, after[4] - before[4] + after[5] - before[5]);
	edna_json_free(devs);
	edna_json_free(procs);
	edna_bo_free(self->fd, &host);
	edna_bo_free(self->fd, &dram);
	edna_bo_free(self->fd, &sram);
}

TEST_F(edna_bpf, busy_plus_idle_is_wall_time_and_busy_is_fdinfo)
{
	unsigned long long attach, busy, idle, since, wall, qbusy, qbusy0 = 0;
	struct edna_json *settings, *queues, *devs, *procs;
	const struct edna_json *q, *d;
	long long now, fdbusy, fdbusy0 = 0;
	struct edna_bo bo;
	int i;

	ASSERT_EQ(0, edna_bo_new(self->fd, BIG, EDNA_REGION_HOST, &bo));
	/*
	 * Busy stretches and idle gaps: neither side of the split is empty.
	 * Under emulation a first run is slow (the probes' and the device
	 * model's code is translated then) on both sides of the tracepoints:
	 * the probes' busy time is compared with fdinfo's from the second job.
	 */
	for (i = 0; i < 7; i++) {
		ASSERT_EQ(0, run_job(self->fd, 0, EDNA_JOB_FILL, 0, bo.va, BIG));
		usleep(50000);
		if (i)
			continue;
		queues = map_dump("queues");
		ASSERT_NE(NULL, queues);
		q = edna_json_get(find_queue(queues, 0, 0), "time");
		ASSERT_NE(NULL, q);
		qbusy0 = edna_json_u64(q, 0, "busy_ns", NULL);
		edna_json_free(queues);
		fdbusy0 = fdinfo_busy_ns(self->fd);
		ASSERT_LT(0, fdbusy0);
	}
	settings = map_dump("settings");
	now = edna_now_ns();
	queues = map_dump("queues");
	devs = map_dump("devices");
	procs = map_dump("processes");
	ASSERT_NE(NULL, settings);
	ASSERT_NE(NULL, queues);
	ASSERT_NE(NULL, devs);
	ASSERT_NE(NULL, procs);
	attach = edna_json_u64(entry_part(settings->child, "value"), 0, "attach_ns", NULL);
	ASSERT_LT(0, attach);
	wall = now - attach;

	q = edna_json_get(find_queue(queues, 0, 0), "time");
	d = edna_json_get(find_device(devs, 0), "time");
	ASSERT_NE(NULL, q);
	ASSERT_NE(NULL, d);
	/* Idle now: the time since the last change of state is idle time. */
	busy = edna_json_u64(q, 0, "busy_ns", NULL);
	idle = edna_json_u64(q, 0, "idle_ns", NULL);
	since = edna_json_u64(q, 0, "since_ns", NULL);
	EXPECT_EQ(0, edna_json_u64(q, 1, "outstanding", NULL));
	ASSERT_LE(since, (unsigned long long)now);
	idle += now - since;
	TH_LOG("queue 0: busy %llu idle %llu wall %llu ns", busy, idle, wall);
	EXPECT_LT(0, busy);
	EXPECT_LT(0, idle);
	EXPECT_GE(wall / 100, busy + idle > wall ? busy + idle - wall : wall - busy - idle);
	qbusy = busy;

	busy = edna_json_u64(d, 0, "busy_ns", NULL);
	idle = edna_json_u64(d, 0, "idle_ns", NULL) + now - edna_json_u64(d, 0, "since_ns", NULL);
	EXPECT_GE(wall / 100, busy + idle > wall ? busy + idle - wall : wall - busy - idle);
	/* Only queue 0 worked: the device was busy when it was. */
	EXPECT_EQ(qbusy, busy);

	/*
	 * The driver charges each job's device time to its client (fdinfo)
	 * and reports it in edna_job_done: their sums agree exactly.  The
	 * probes' own busy time spans the same jobs from ring to completion.
	 */
	fdbusy = fdinfo_busy_ns(self->fd);
	EXPECT_EQ(fdbusy, (long long)edna_json_u64(find_entry(procs, "tgid", getpid(), "minor", 0),
						   0, "device_ns", NULL));
	qbusy -= qbusy0;
	fdbusy -= fdbusy0;
	TH_LOG("jobs 2-7: queue busy %llu ns, fdinfo %lld ns", qbusy, fdbusy);
	EXPECT_LT(0, fdbusy);
	EXPECT_GE(fdbusy / 10, llabs((long long)qbusy - fdbusy));
	edna_json_free(settings);
	edna_json_free(queues);
	edna_json_free(devs);
	edna_json_free(procs);
	edna_bo_free(self->fd, &bo);
}

TEST_F(edna_bpf, attaching_twice_is_refused_and_keeps_the_first)
{
	struct edna_json *queues;
	char out[1024];

	ASSERT_EQ(0, run_nops(self->fd, 0, 10, 10));
	EXPECT_EQ(2, run("edna-probes", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "already attached")) TH_LOG("%s", out);
	/* The first probes still count. */
	ASSERT_EQ(0, run_nops(self->fd, 0, 5, 5));
	queues = map_dump("queues");
	EXPECT_EQ(15, edna_json_u64(find_queue(queues, 0, 0), 0, "done", NULL));
	edna_json_free(queues);
}

TEST_F(edna_bpf, detach_leaves_nothing_behind)
{
	unsigned long long ids[16];
	struct edna_json *list;
	const struct edna_json *e;
	char cmd[64], out[256];
	int n = 0, i, left;

	list = bpftool_json("prog list");
	ASSERT_NE(NULL, list);
	for (e = list->child; e && n < 16; e = e->next) {
		const struct edna_json *name = edna_json_get(e, "name");

		if (name && name->string && !strncmp(name->string, "edna_", 5))
			ids[n++] = edna_json_u64(e, 0, "id", NULL);
	}
	edna_json_free(list);
	ASSERT_EQ(7, n);

	ASSERT_EQ(0, run("edna-probes --detach", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(0, access(EDNA_PIN_DIR, F_OK));
	/* Programs go once their links are released, which may lag a little. */
	for (i = 0; i < 100; i++) {
		for (left = 0; left < n; left++) {
			snprintf(cmd, sizeof(cmd), "bpftool prog show id %llu", ids[left]);
			if (!run(cmd, NULL, 0))
				break;
		}
		if (left == n)
			break;
		usleep(20000);
	}
	EXPECT_EQ(n, left) TH_LOG("program %llu still loaded", ids[left < n ? left : 0]);
	list = bpftool_json("link list");
	ASSERT_NE(NULL, list);
	EXPECT_EQ(NULL, list->child) TH_LOG("links left after detach");
	edna_json_free(list);
	/* Detaching again says so. */
	EXPECT_EQ(3, run("edna-probes --detach", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "not attached"));
}

TEST_F(edna_bpf, clear_errors_without_root_or_bpffs)
{
	char out[1024];
	pid_t pid;
	int st, fd;

	ASSERT_EQ(0, run("edna-probes --detach", NULL, 0));
	/* As nobody: refused before anything is loaded. */
	fd = open("/tmp/edna-probes.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (setgid(65534) || setuid(65534))
			_exit(99);
		execlp("edna-probes", "edna-probes", NULL);
		_exit(98);
	}
	close(fd);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(1, WEXITSTATUS(st));
	ASSERT_EQ(0, run("cat /tmp/edna-probes.out", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "root")) TH_LOG("%s", out);
	EXPECT_NE(0, access(EDNA_PIN_DIR, F_OK));

	/* Without the BPF filesystem. */
	ASSERT_EQ(0, umount("/sys/fs/bpf"));
	EXPECT_EQ(1, run("edna-probes", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "mount -t bpf")) TH_LOG("%s", out);
	ASSERT_EQ(0, mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL));
	EXPECT_EQ(0, run("edna-probes", NULL, 0));
}

TEST_F(edna_bpf, module_reload_with_probes_attached)
{
	struct edna_json *queues;
	char out[1024];

	close(self->fd);
	self->fd = -1;
	/* The devices go and come back: the probes see the new ones. */
	ASSERT_EQ(0, run("rmmod edna_sim", out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, run("modprobe edna_sim num_devices=2", out, sizeof(out))) TH_LOG("%s", out);
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, run_nops(self->fd, 0, 20, 4));
	queues = map_dump("queues");
	EXPECT_EQ(20, edna_json_u64(find_queue(queues, 0, 0), 0, "done", NULL));
	edna_json_free(queues);
	close(self->fd);
	self->fd = -1;

	/* The attached probes hold the driver, as any tracepoint user does. */
	EXPECT_NE(0, run("rmmod edna", out, sizeof(out)));
	EXPECT_EQ(0, access("/sys/module/edna", F_OK));
	ASSERT_EQ(0, run("edna-probes --detach", NULL, 0));
	/* Links are released, and the fences of our jobs freed, a little later. */
	ASSERT_EQ(0, run("i=0; until rmmod edna 2>/dev/null; do i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.05; done",
			 out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(1, run("edna-probes", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "not loaded")) TH_LOG("%s", out);
	EXPECT_NE(0, access(EDNA_PIN_DIR, F_OK));
	ASSERT_EQ(0, run("modprobe edna", out, sizeof(out))) TH_LOG("%s", out);
	ASSERT_EQ(0, access("/dev/accel/accel1", F_OK));
	/* And attach again to the new module. */
	ASSERT_EQ(0, run("edna-probes", out, sizeof(out))) TH_LOG("%s", out);
	self->fd = edna_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, run_nops(self->fd, 1, 7, 7));
	queues = map_dump("queues");
	EXPECT_EQ(7, edna_json_u64(find_queue(queues, 0, 1), 0, "done", NULL));
	edna_json_free(queues);
}

/* enum drm_edna_power_state of accel0, from sysfs; -1 when unknown. */
static int sysfs_power_state(void)
{
	static const char *const names[] = { "active", "idle", "off" };
	char buf[32] = "";
	FILE *f = fopen("/sys/class/accel/accel0/device/power_state", "r");
	int i;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (i = 0; i < 3; i++)
		if (!strncmp(buf, names[i], strlen(names[i])))
			return i;
	return -1;
}

TEST_F(edna_bpf, power_state_changes_are_seen)
{
	unsigned long long changes = 0, state = ~0ull;
	int i, before = -1, after = -2;
	struct edna_json *devs;

	/* A job wakes a gated device, which gates again once its rings are empty. */
	ASSERT_EQ(0, run_nops(self->fd, 0, 4, 4));
	for (i = 0; i < 10 && before != after; i++) {
		before = sysfs_power_state();
		devs = map_dump("devices");
		ASSERT_NE(NULL, devs);
		changes = edna_json_u64(find_device(devs, 0), 0, "power_changes", NULL);
		state = edna_json_u64(find_device(devs, 0), ~0ull, "power_state", NULL);
		edna_json_free(devs);
		after = sysfs_power_state();
	}
	ASSERT_LE(0, before) TH_LOG("no power_state in sysfs");
	ASSERT_EQ(before, after) TH_LOG("the state keeps changing");
	EXPECT_LE(2, changes);
	EXPECT_EQ((unsigned long long)before, state);
}

/* The line of edna-top --once that starts with @first, split in fields. */
static int top_line(const char *out, const char *first, char fields[][32], int max)
{
	const char *l;

	for (l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int n = 0;
		const char *p = l;

		if (strncmp(l, first, strlen(first)) || l[strlen(first)] != ' ')
			continue;
		while (*p && *p != '\n' && n < max) {
			int len = 0;

			while (*p == ' ')
				p++;
			while (p[len] && p[len] != ' ' && p[len] != '\n')
				len++;
			if (!len)
				break;
			snprintf(fields[n++], 32, "%.*s", len, p);
			p += len;
		}
		return n;
	}
	return 0;
}

TEST_F(edna_bpf, edna_top_once_agrees_with_fdinfo)
{
	char out[16384], fields[16][32], pid[16], *end;
	struct edna_bo bo;
	long long busy_us;
	int n;

	ASSERT_EQ(0, edna_bo_new(self->fd, BIG, EDNA_REGION_HOST, &bo));
	ASSERT_EQ(0, run_job(self->fd, 2, EDNA_JOB_FILL, 0, bo.va, BIG));
	ASSERT_EQ(0, run_nops(self->fd, 0, 30, 10));
	ASSERT_EQ(0, run("edna-top --once -d 0.2", out, sizeof(out))) TH_LOG("%s", out);
	TH_LOG("%s", out);
	/* PID COMM DEVICE UTIL% JOBS/S P50_US P99_US HOST DRAM SRAM JOBS BUSY_US */
	snprintf(pid, sizeof(pid), "%d", getpid());
	n = top_line(out, pid, fields, 16);
	ASSERT_EQ(12, n);
	EXPECT_STREQ("accel0", fields[2]);
	EXPECT_EQ(31, atoll(fields[10]));
	busy_us = fdinfo_busy_ns(self->fd) / 1000;
	EXPECT_GE(1, llabs(busy_us - atoll(fields[11])))
		TH_LOG("edna-top %s us, fdinfo %lld us", fields[11], busy_us);
	/* Nothing ran in the sampling interval. */
	EXPECT_STREQ("0.0", fields[3]);

	/* DEVICE POWER WATTS ...: the device's state and its hwmon's power. */
	ASSERT_EQ(12, top_line(out, "accel0", fields, 16));
	EXPECT_TRUE(!strcmp(fields[1], "ACTIVE") || !strcmp(fields[1], "IDLE") ||
		    !strcmp(fields[1], "OFF")) TH_LOG("power state %s", fields[1]);
	EXPECT_LE(0, strtod(fields[2], &end)) TH_LOG("watts %s", fields[2]);
	EXPECT_EQ('\0', *end) TH_LOG("watts %s", fields[2]);
	edna_bo_free(self->fd, &bo);
}

TEST_HARNESS_MAIN
