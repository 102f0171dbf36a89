// SPDX-License-Identifier: GPL-2.0
/*
 * edna-info: print what every edna device reports about itself.
 */
#include <stdio.h>

#include "accel.h"

static const char *const region_names[EDNA_REGION_COUNT] = { "host", "dram", "sram" };
static const char *const power_names[EDNA_POWER_COUNT] = { "active", "idle", "off" };

static const struct {
	const char *name;
	uint32_t param;
	uint32_t index;
} params[] = {
	{ "device_id", EDNA_PARAM_DEVICE_ID, 0 },
	{ "num_queues", EDNA_PARAM_NUM_QUEUES, 0 },
	{ "num_contexts", EDNA_PARAM_NUM_CONTEXTS, 0 },
	{ "dram_bytes", EDNA_PARAM_REGION_SIZE, EDNA_REGION_DRAM },
	{ "sram_bytes", EDNA_PARAM_REGION_SIZE, EDNA_REGION_SRAM },
	{ "features", EDNA_PARAM_FEATURES, 0 },
};

static const struct {
	uint64_t bit;
	const char *name;
} features[] = {
	{ EDNA_FEATURE_TIMELINE_SYNCOBJ, "timeline_syncobj" },
	{ EDNA_FEATURE_JOB_RESULT, "job_result" },
	{ EDNA_FEATURE_GRAPH, "graph" },
};

/* Feature bits by name; bits this tool does not know as hex. */
static void print_features(uint64_t bits)
{
	uint64_t known = 0;
	unsigned int i;

	printf("  features %#llx:", (unsigned long long)bits);
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		known |= features[i].bit;
		if (bits & features[i].bit)
			printf(" %s", features[i].name);
	}
	if (bits & ~known)
		printf(" unknown(%#llx)", (unsigned long long)(bits & ~known));
	if (!bits)
		printf(" none");
	printf("\n");
}

static int print_params(struct accel_device *dev, unsigned int index)
{
	unsigned int i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		uint64_t v;
		int ret = accel_get_param(dev, params[i].param, params[i].index, &v);

		if (ret) {
			fprintf(stderr, "edna-info: device %u: GET_PARAM %s: %s\n", index,
				params[i].name, accel_strerror(ret));
			return ret;
		}
		printf("%s%s=%llu", i ? ", " : "  GET_PARAM ", params[i].name,
		       (unsigned long long)v);
	}
	printf("\n");
	return 0;
}

static int print_device(unsigned int index)
{
	struct drm_edna_device_info info;
	struct accel_device *dev;
	int i, ret;

	ret = accel_open(index, &dev);
	if (ret) {
		fprintf(stderr, "edna-info: device %u: %s\n", index, accel_strerror(ret));
		return ret;
	}
	ret = accel_device_info(dev, &info, sizeof(info));
	if (ret) {
		fprintf(stderr, "edna-info: device %u: query: %s\n", index, accel_strerror(ret));
		accel_close(dev);
		return ret;
	}

	printf("device %u: id %#x version %u.%u\n", index, info.device_id,
	       info.hw_version >> 16, info.hw_version & 0xffff);
	printf("  queues %u, contexts %u, MMU page %u bytes, %u-bit VA\n",
	       info.num_queues, info.num_contexts, info.mmu_page_size, info.va_bits);
	printf("  clock %llu MHz, peak %llu GMAC/s\n",
	       (unsigned long long)info.clock_hz / 1000000,
	       (unsigned long long)info.peak_macs / 1000000000);
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		printf("  region %-4s %10llu KiB, peak %6llu MB/s\n", region_names[i],
		       (unsigned long long)info.region_size[i] >> 10,
		       (unsigned long long)info.peak_bandwidth[i] / 1000000);
	for (i = 0; i < EDNA_POWER_COUNT; i++)
		printf("  power %-6s %5u mW\n", power_names[i], info.power_mw[i]);
	printf("  power-up latency %u us\n", info.power_up_us);
	print_features(info.features);
	/* Zero: a kernel older than the limit, which does not report one. */
	if (info.client_host_limit)
		printf("  host memory per client %llu MiB\n",
		       (unsigned long long)info.client_host_limit >> 20);
	else
		printf("  host memory per client: not reported\n");
	ret = print_params(dev, index);
	accel_close(dev);
	return ret;
}

int main(void)
{
	int n = accel_device_count();
	int i, ret = 0;

	if (n < 0) {
		fprintf(stderr, "edna-info: %s\n", accel_strerror(n));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "edna-info: no edna device (is the edna module loaded?)\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		ret |= print_device(i);
	return ret ? 1 : 0;
}
