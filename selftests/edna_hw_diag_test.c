// SPDX-License-Identifier: GPL-2.0
/*
 * edna_hw: the hardware layer end to end, through the driver's debugfs
 * diagnostics (rings, interrupts, MMU, DMA between tiers, counters,
 * resets) and the device model's fault injection.
 *
 * What the device must do is Documentation/hardware.rst; the data a test
 * moves is checked byte for byte by the kernel against its source buffer,
 * and counters against the byte counts the test chose.
 */
#include "kselftest_harness.h"
#include "edna_test.h"

#define DIAG		"/sys/kernel/debug/accel/edna.0/diag"
#define COUNTERS	"/sys/kernel/debug/accel/edna.0/counters"
#define RINGS		"/sys/kernel/debug/accel/edna.0/rings"
#define MMU		"/sys/kernel/debug/accel/edna.0/mmu"
#define SIM_HANG	"/sys/kernel/debug/edna_sim/edna_sim.0/hang_queue"

/* hardware.rst: job status and fault reason codes */
#define JOB_MMU_FAULT	1
#define FAULT_UNMAPPED	1

/* Run one diagnostic; 0 or -errno, its one-line result in @res. */
static int diag(const char *cmd, char *res, size_t len)
{
	int fd = open(DIAG, O_RDWR);
	ssize_t n;
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		ret = -errno;
	n = pread(fd, res, len - 1, 0);
	res[n > 0 ? n : 0] = '\0';
	close(fd);
	return ret;
}

/* The value of "key=" in a diagnostic result, or -1. */
static long long field(const char *res, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(res, pat);
	return p ? strtoll(p + strlen(pat), NULL, 0) : -1;
}

/* The value of "key value" lines as in debugfs/counters, or -1. */
static long long counter(const char *key)
{
	char name[64];
	long long v, found = -1;
	FILE *f = fopen(COUNTERS, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

FIXTURE(edna_hw) {
	char res[512];
	long long ring_entries;
};

FIXTURE_SETUP(edna_hw)
{
	self->ring_entries = edna_sysfs_read("/sys/module/edna/parameters/ring_entries");
	ASSERT_LT(1, self->ring_entries);
	ASSERT_EQ(0, access(DIAG, W_OK)) TH_LOG("no %s: debugfs not mounted?", DIAG);
}

FIXTURE_TEARDOWN(edna_hw)
{
}

TEST_F(edna_hw, nop_job_completes)
{
	ASSERT_EQ(0, diag("nop 0 1", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(1, field(self->res, "completed"));
	EXPECT_EQ(0, field(self->res, "errors"));
}

TEST_F(edna_hw, ring_wraps_under_many_jobs)
{
	char cmd[64];
	long long n = 4 * self->ring_entries + 3;

	snprintf(cmd, sizeof(cmd), "nop 1 %lld", n);
	ASSERT_EQ(0, diag(cmd, self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(n, field(self->res, "completed"));
	EXPECT_EQ(1, field(self->res, "in_order"));
	EXPECT_EQ(0, field(self->res, "errors"));
}

TEST_F(edna_hw, doorbell_on_empty_ring_is_a_noop)
{
	ASSERT_EQ(0, diag("nop 0 3", self->res, sizeof(self->res)));
	EXPECT_EQ(0, diag("doorbell 0", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(0, field(self->res, "interrupts"));
}

TEST_F(edna_hw, masked_interrupt_stays_pending_until_unmasked)
{
	EXPECT_EQ(0, diag("irqmask 2", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(1, field(self->res, "pending_while_masked"));
	EXPECT_EQ(0, field(self->res, "delivered_while_masked"));
	EXPECT_EQ(1, field(self->res, "delivered_after_unmask"));
	/* The handler acked it. */
	EXPECT_EQ(0, field(self->res, "pending_after"));
}

TEST_F(edna_hw, device_reset_while_idle_clears_counters)
{
	ASSERT_EQ(0, diag("nop 0 2", self->res, sizeof(self->res)));
	EXPECT_LT(0, counter("ops"));
	ASSERT_EQ(0, diag("reset", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(0, counter("ops"));
	EXPECT_EQ(0, counter("bytes_read_host"));
	ASSERT_EQ(0, diag("nop 3 5", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(5, field(self->res, "completed"));
	EXPECT_EQ(5, counter("ops"));
}

TEST_F(edna_hw, queue_reset_while_idle)
{
	ASSERT_EQ(0, diag("nop 1 3", self->res, sizeof(self->res)));
	ASSERT_EQ(0, diag("reset 1", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	ASSERT_EQ(0, diag("nop 1 3", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(3, field(self->res, "completed"));
}

TEST_F(edna_hw, hung_queue_recovers_by_queue_reset)
{
	ASSERT_EQ(0, edna_write_file(SIM_HANG, "3"));
	/* The job never completes: the diagnostic times out and resets the queue. */
	EXPECT_EQ(-ETIMEDOUT, diag("nop 3 1", self->res, sizeof(self->res)));
	EXPECT_EQ(1, field(self->res, "completed"));
	EXPECT_EQ(1, field(self->res, "errors"));
	ASSERT_EQ(0, diag("nop 3 4", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(4, field(self->res, "completed"));
}

TEST_F(edna_hw, mmu_fault_reports_read_va_and_context)
{
	long long va = 0x7654321000LL;

	ASSERT_EQ(0, diag("fault 1 0x7654321000 0", self->res, sizeof(self->res)));
	TH_LOG("%s", self->res);
	EXPECT_EQ(JOB_MMU_FAULT, field(self->res, "status"));
	EXPECT_EQ(1, field(self->res, "reported"));
	EXPECT_EQ(va, field(self->res, "fault_va"));
	EXPECT_EQ(field(self->res, "ctx"), field(self->res, "fault_ctx"));
	EXPECT_NE(0, field(self->res, "fault_ctx"));
	EXPECT_EQ(1, field(self->res, "fault_queue"));
	EXPECT_EQ(0, field(self->res, "fault_write"));
	EXPECT_EQ(FAULT_UNMAPPED, field(self->res, "fault_reason"));
}

TEST_F(edna_hw, mmu_fault_reports_write)
{
	ASSERT_EQ(0, diag("fault 2 0x40000 1", self->res, sizeof(self->res)));
	TH_LOG("%s", self->res);
	EXPECT_EQ(JOB_MMU_FAULT, field(self->res, "status"));
	EXPECT_EQ(0x40000, field(self->res, "fault_va"));
	EXPECT_EQ(2, field(self->res, "fault_queue"));
	EXPECT_EQ(1, field(self->res, "fault_write"));
	/* The queue goes on after a faulted job. */
	ASSERT_EQ(0, diag("nop 2 2", self->res, sizeof(self->res)));
}

TEST_F(edna_hw, counters_equal_bytes_moved)
{
	/* 3 pages and a bit: chunks that straddle page boundaries. */
	const long long n = 3 * 4096 + 100;
	const char *const tiers[] = { "host", "dram", "sram" };
	long long before[3][2], ops;
	char key[64];
	int t, w;

	for (t = 0; t < 3; t++)
		for (w = 0; w < 2; w++) {
			snprintf(key, sizeof(key), "bytes_%s_%s", w ? "written" : "read", tiers[t]);
			before[t][w] = counter(key);
		}
	ops = counter("ops");

	/* host -> dram -> sram -> host: each tier reads n and writes n. */
	ASSERT_EQ(0, diag("dma dram sram 12388", self->res, sizeof(self->res)));
	for (t = 0; t < 3; t++)
		for (w = 0; w < 2; w++) {
			snprintf(key, sizeof(key), "bytes_%s_%s", w ? "written" : "read", tiers[t]);
			EXPECT_EQ(n, counter(key) - before[t][w]) TH_LOG("%s", key);
		}
	EXPECT_EQ(3, counter("ops") - ops);

	/* FILL writes only; the read-back copy reads sram and writes host. */
	before[2][1] = counter("bytes_written_sram");
	before[2][0] = counter("bytes_read_sram");
	before[0][1] = counter("bytes_written_host");
	ASSERT_EQ(0, diag("fill sram 8192 5a5aa5a5", self->res, sizeof(self->res)));
	EXPECT_EQ(8192, counter("bytes_written_sram") - before[2][1]);
	EXPECT_EQ(8192, counter("bytes_read_sram") - before[2][0]);
	EXPECT_EQ(8192, counter("bytes_written_host") - before[0][1]);
}

TEST_F(edna_hw, fill_writes_pattern_in_every_tier)
{
	ASSERT_EQ(0, diag("fill host 40964 deadbeef", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	ASSERT_EQ(0, diag("fill dram 65536 01020304", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	ASSERT_EQ(0, diag("fill sram 4096 ffffffff", self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(0, field(self->res, "mismatched_words"));
}

TEST_F(edna_hw, diag_rejects_bad_commands)
{
	EXPECT_EQ(-EINVAL, diag("nop 99 1", self->res, sizeof(self->res)));
	EXPECT_EQ(-EINVAL, diag("nop 0 0", self->res, sizeof(self->res)));
	EXPECT_EQ(-EINVAL, diag("dma host nowhere 4096", self->res, sizeof(self->res)));
	EXPECT_EQ(-EINVAL, diag("dma host dram 0", self->res, sizeof(self->res)));
	EXPECT_EQ(-EINVAL, diag("fill sram 3 1", self->res, sizeof(self->res)));
	EXPECT_EQ(-EINVAL, diag("frobnicate", self->res, sizeof(self->res)));
	EXPECT_EQ(-EINVAL, diag("fault 0 0x1000 7", self->res, sizeof(self->res)));
}

TEST_F(edna_hw, debugfs_shows_rings_and_contexts)
{
	char line[256];
	long long queues = edna_sim_param("num_queues");
	int rows = 0, ctx0 = 0;
	FILE *f = fopen(RINGS, "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		unsigned int q, entries;

		if (sscanf(line, "%u %u", &q, &entries) == 2) {
			EXPECT_EQ(self->ring_entries, entries);
			rows++;
		}
	}
	fclose(f);
	EXPECT_EQ(queues, rows);

	f = fopen(MMU, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		ctx0 |= !strncmp(line, "context 0 ", 10);
	fclose(f);
	EXPECT_EQ(1, ctx0);
}

/* Every pair of tiers, including a tier to itself, byte for byte. */
FIXTURE(edna_hw_dma) {
	char res[512];
};

FIXTURE_VARIANT(edna_hw_dma) {
	const char *src;
	const char *dst;
};

#define DMA_PAIR(s, d) \
	FIXTURE_VARIANT_ADD(edna_hw_dma, s##_to_##d) { .src = #s, .dst = #d }
DMA_PAIR(host, host);
DMA_PAIR(host, dram);
DMA_PAIR(host, sram);
DMA_PAIR(dram, host);
DMA_PAIR(dram, dram);
DMA_PAIR(dram, sram);
DMA_PAIR(sram, host);
DMA_PAIR(sram, dram);
DMA_PAIR(sram, sram);

FIXTURE_SETUP(edna_hw_dma)
{
}

FIXTURE_TEARDOWN(edna_hw_dma)
{
}

TEST_F(edna_hw_dma, copy_is_byte_exact)
{
	char cmd[64];

	/* Odd size: partial first and last chunks. */
	snprintf(cmd, sizeof(cmd), "dma %s %s %d", variant->src, variant->dst, 5 * 4096 + 77);
	ASSERT_EQ(0, diag(cmd, self->res, sizeof(self->res))) TH_LOG("%s", self->res);
	EXPECT_EQ(1, field(self->res, "match"));
}

TEST_HARNESS_MAIN
