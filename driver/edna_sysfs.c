// SPDX-License-Identifier: GPL-2.0
/*
 * edna sysfs: what an operator reads and tunes on a running box, in the
 * bus device's directory.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/device.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>

#include <drm/drm_drv.h>

#include "edna_drv.h"
#include "edna_job.h"
#include "edna_pm.h"
#include "edna_sysfs.h"

static struct edna_device *dev_to_edna(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t job_timeout_ms_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edna_device *edev = dev_to_edna(dev);

	return sysfs_emit(buf, "%u\n", jiffies_to_msecs(READ_ONCE(edev->queues[0]->sched.timeout)));
}

static ssize_t job_timeout_ms_store(struct device *dev, struct device_attribute *attr,
				    const char *buf, size_t count)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(buf, 0, &ms);
	if (ret)
		return ret;
	if (ms < EDNA_JOB_TIMEOUT_MIN_MS || ms > EDNA_JOB_TIMEOUT_MAX_MS)
		return -ERANGE;
	edna_job_set_timeout(dev_to_edna(dev), ms);
	return count;
}
static DEVICE_ATTR_RW(job_timeout_ms);

/* One value per queue, space separated: an array of one type, one file. */
static ssize_t edna_sysfs_per_queue(struct edna_device *edev, char *buf, size_t offset)
{
	ssize_t len = 0;
	u32 q;

	for (q = 0; q < edev->caps.num_queues; q++) {
		atomic64_t *v = (void *)edev->queues[q] + offset;

		len += sysfs_emit_at(buf, len, "%s%lld", q ? " " : "", atomic64_read(v));
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

/* Busy nanoseconds of each queue, all clients. */
static ssize_t busy_ns_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return edna_sysfs_per_queue(dev_to_edna(dev), buf,
				    offsetof(struct edna_job_queue, busy_ns));
}
static DEVICE_ATTR_RO(busy_ns);

/* Jobs the device completed on each queue, all clients, failed ones too. */
static ssize_t jobs_done_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return edna_sysfs_per_queue(dev_to_edna(dev), buf,
				    offsetof(struct edna_job_queue, jobs_done));
}
static DEVICE_ATTR_RO(jobs_done);

/* 1 when a failed reset left the device unusable; see reset. */
static ssize_t wedged_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", edna_wedged(dev_to_edna(dev)));
}
static DEVICE_ATTR_RO(wedged);

/* Host memory one client may hold in buffers, MiB; -EDQUOT beyond. */
static ssize_t client_host_limit_mb_show(struct device *dev, struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(dev_to_edna(dev)->host_limit) / SZ_1M);
}

static ssize_t client_host_limit_mb_store(struct device *dev, struct device_attribute *attr,
					  const char *buf, size_t count)
{
	u64 mb;
	int ret;

	ret = kstrtou64(buf, 0, &mb);
	if (ret)
		return ret;
	if (!mb || mb > ((u64)totalram_pages() << PAGE_SHIFT) / SZ_1M)
		return -ERANGE;
	WRITE_ONCE(dev_to_edna(dev)->host_limit, mb * SZ_1M);
	return count;
}
static DEVICE_ATTR_RW(client_host_limit_mb);

/*
 * Write 1 to reset a stuck or wedged device; jobs on it fail with
 * -ECANCELED.  Fails with the error of a device that does not come back.
 */
static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct edna_device *edev = dev_to_edna(dev);
	bool doit;
	int ret, idx;

	ret = kstrtobool(buf, &doit);
	if (ret)
		return ret;
	if (!doit)
		return -EINVAL;
	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	/* A device that is OFF takes no reset: power it up first. */
	ret = edna_pm_get(edev);
	if (!ret) {
		ret = edna_job_reset_device(edev);
		edna_pm_put(edev);
	}
	drm_dev_exit(idx);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(reset);

/* The power state the device is in: active, idle or off. */
static ssize_t power_state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", edna_pm_state_name(edna_pm_state(dev_to_edna(dev))));
}
static DEVICE_ATTR_RO(power_state);

/* Nanoseconds spent active, idle and off since probe, up to the read. */
static ssize_t power_residency_ns_show(struct device *dev, struct device_attribute *attr,
				       char *buf)
{
	u64 ns[EDNA_POWER_COUNT];

	edna_pm_residency(dev_to_edna(dev), ns);
	return sysfs_emit(buf, "%llu %llu %llu\n", ns[EDNA_PSTATE_ACTIVE], ns[EDNA_PSTATE_IDLE],
			  ns[EDNA_PSTATE_OFF]);
}
static DEVICE_ATTR_RO(power_residency_ns);

static struct attribute *edna_attrs[] = {
	&dev_attr_job_timeout_ms.attr,
	&dev_attr_busy_ns.attr,
	&dev_attr_jobs_done.attr,
	&dev_attr_reset.attr,
	&dev_attr_wedged.attr,
	&dev_attr_client_host_limit_mb.attr,
	&dev_attr_power_state.attr,
	&dev_attr_power_residency_ns.attr,
	NULL
};

static const struct attribute_group edna_attr_group = {
	.attrs = edna_attrs,
};

int edna_sysfs_init(struct edna_device *edev)
{
	return devm_device_add_group(edev->drm.dev, &edna_attr_group);
}
