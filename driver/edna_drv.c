// SPDX-License-Identifier: GPL-2.0
/*
 * edna: DRM accel driver for the Edge Decoder Neural Accelerator.
 *
 * This file holds the drm_driver, the ioctls that need no other subsystem
 * of the driver, and the bus-independent probe and remove.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/module.h>
#include <linux/mm.h>
#include <linux/dma-map-ops.h>
#include <linux/compat.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "edna_drv.h"
#include "edna_debugfs.h"
#include "edna_gem.h"
#include "edna_hw.h"
#include "edna_hwmon.h"
#include "edna_job.h"
#include "edna_mmu.h"
#include "edna_pm.h"
#include "edna_region.h"
#include "edna_sysfs.h"

#define EDNA_DRIVER_MAJOR	1
#define EDNA_DRIVER_MINOR	0

unsigned int edna_dbg_mask;
module_param_named(dbg_mask, edna_dbg_mask, uint, 0644);
MODULE_PARM_DESC(dbg_mask, "Debug categories: 1 hw, 2 irq, 4 mmu, 8 job, 16 mem, 32 pm");

static bool core_ioctl_filter = true;
module_param(core_ioctl_filter, bool, 0600);
MODULE_PARM_DESC(core_ioctl_filter, "Refuse DRM core ioctls that make no sense on an accel node (default Y; N only to test the DRM core)");

/*
 * Releases that outlive their file or device (unmapping behind fences,
 * tearing down a client): module-wide, so that unloading drains them.
 */
struct workqueue_struct *edna_wq;

/* Elements of a syncobj array ioctl: far more than any job waits for. */
#define EDNA_SYNCOBJ_ARRAY_MAX	4096

static int edna_get_param_value(struct edna_device *edev, u32 param, u32 index, u64 *value)
{
	const struct edna_caps *caps = &edev->caps;

	switch (param) {
	case EDNA_PARAM_DEVICE_ID:
		*value = caps->id;
		break;
	case EDNA_PARAM_HW_VERSION:
		*value = caps->version;
		break;
	case EDNA_PARAM_NUM_QUEUES:
		*value = caps->num_queues;
		break;
	case EDNA_PARAM_NUM_CONTEXTS:
		*value = caps->num_contexts;
		break;
	case EDNA_PARAM_MMU_PAGE_SIZE:
		*value = 1ULL << caps->page_shift;
		break;
	case EDNA_PARAM_VA_BITS:
		*value = caps->va_bits;
		break;
	case EDNA_PARAM_CLOCK_HZ:
		*value = caps->clock_hz;
		break;
	case EDNA_PARAM_PEAK_MACS:
		*value = caps->peak_macs;
		break;
	case EDNA_PARAM_POWER_UP_US:
		*value = caps->power_up_us;
		break;
	case EDNA_PARAM_FEATURES:
		*value = EDNA_FEATURE_TIMELINE_SYNCOBJ | EDNA_FEATURE_JOB_RESULT |
			 EDNA_FEATURE_GRAPH;
		break;
	case EDNA_PARAM_CLIENT_HOST_LIMIT:
		*value = READ_ONCE(edev->host_limit);
		break;
	case EDNA_PARAM_REGION_SIZE:
		if (index >= EDNA_REGION_COUNT)
			return -EINVAL;
		*value = index == EDNA_REGION_HOST ? (u64)totalram_pages() << PAGE_SHIFT :
						     caps->region_size[index];
		return 0;
	case EDNA_PARAM_PEAK_BANDWIDTH:
		if (index >= EDNA_REGION_COUNT)
			return -EINVAL;
		*value = caps->peak_bandwidth[index];
		return 0;
	case EDNA_PARAM_POWER_MW:
		if (index >= EDNA_POWER_COUNT)
			return -EINVAL;
		*value = caps->power_mw[index];
		return 0;
	default:
		return -EINVAL;
	}
	/* Only the indexed parameters above take an index. */
	return index ? -EINVAL : 0;
}

static int edna_ioctl_get_param(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct edna_device *edev = to_edna_device(drm);
	struct drm_edna_get_param *args = data;
	int ret;

	if (args->reserved) {
		edna_dbg(edev, HW, "GET_PARAM: reserved field is not zero\n");
		return -EINVAL;
	}
	ret = edna_get_param_value(edev, args->param, args->index, &args->value);
	if (ret)
		edna_dbg(edev, HW, "GET_PARAM: unknown param %u index %u\n",
			 args->param, args->index);
	return ret;
}

static void edna_fill_device_info(struct edna_device *edev, struct drm_edna_device_info *info)
{
	const struct edna_caps *caps = &edev->caps;
	int i;

	info->device_id = caps->id;
	info->hw_version = caps->version;
	info->num_queues = caps->num_queues;
	info->num_contexts = caps->num_contexts;
	info->mmu_page_size = 1U << caps->page_shift;
	info->va_bits = caps->va_bits;
	info->clock_hz = caps->clock_hz;
	info->peak_macs = caps->peak_macs;
	for (i = 0; i < EDNA_REGION_COUNT; i++) {
		edna_get_param_value(edev, EDNA_PARAM_REGION_SIZE, i, &info->region_size[i]);
		info->peak_bandwidth[i] = caps->peak_bandwidth[i];
	}
	for (i = 0; i < EDNA_POWER_COUNT; i++)
		info->power_mw[i] = caps->power_mw[i];
	info->power_up_us = caps->power_up_us;
	edna_get_param_value(edev, EDNA_PARAM_FEATURES, 0, &info->features);
	edna_get_param_value(edev, EDNA_PARAM_CLIENT_HOST_LIMIT, 0, &info->client_host_limit);
}

/* Copy min(user size, kernel size) bytes and report the kernel's size. */
static int edna_query_copy(struct drm_edna_query *args, const void *obj, u32 size)
{
	u32 len = min(args->size, size);

	if (args->data && copy_to_user(u64_to_user_ptr(args->data), obj, len))
		return -EFAULT;
	args->size = size;
	return 0;
}

static int edna_ioctl_query(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct edna_device *edev = to_edna_device(drm);
	struct drm_edna_query *args = data;

	if (args->flags || args->reserved) {
		edna_dbg(edev, HW, "QUERY: flags or reserved field not zero\n");
		return -EINVAL;
	}

	switch (args->id) {
	case EDNA_QUERY_DEVICE_INFO: {
		struct drm_edna_device_info info = {};

		edna_fill_device_info(edev, &info);
		return edna_query_copy(args, &info, sizeof(info));
	}
	default:
		edna_dbg(edev, HW, "QUERY: unknown id %u\n", args->id);
		return -EINVAL;
	}
}

/* The client and everything of it are gone: free its address space. */
static void edna_file_free(struct edna_file *efile)
{
	struct drm_device *drm = &efile->edev->drm;

	edna_job_file_fini(efile);
	edna_gem_file_fini(efile);
	kfree(efile);
	drm_dev_put(drm);
}

static void edna_file_release(struct kref *ref)
{
	edna_file_free(container_of(ref, struct edna_file, ref));
}

static void edna_file_free_work(struct work_struct *work)
{
	struct edna_file *efile = container_of(work, struct edna_file, free_work);
	struct edna_device *edev = efile->edev;

	drm_dev_get(&edev->drm);
	edna_file_free(efile);
	edna_job_retired(edev);
	drm_dev_put(&edev->drm);
}

/* Counted as retiring: its hardware context comes free soon. */
static void edna_file_release_async(struct kref *ref)
{
	struct edna_file *efile = container_of(ref, struct edna_file, ref);

	atomic_inc(&efile->edev->retiring);
	queue_work(edna_wq, &efile->free_work);
}

void edna_file_get(struct edna_file *efile)
{
	kref_get(&efile->ref);
}

/**
 * edna_file_put() - drop a reference to a client
 * @efile: the client
 *
 * The last one, from the file, its last job or its last deferred release,
 * frees its address space.  Process context, and not in a scheduler's
 * work: see edna_file_put_async().
 */
void edna_file_put(struct edna_file *efile)
{
	kref_put(&efile->ref, edna_file_release);
}

/**
 * edna_file_put_async() - drop a reference to a client from a job's
 *	free_job
 * @efile: the client
 *
 * The device's release tears down the schedulers, so it must not run in a
 * scheduler's work: the last reference frees the client from edna_wq.
 */
void edna_file_put_async(struct edna_file *efile)
{
	kref_put(&efile->ref, edna_file_release_async);
}

static int edna_open(struct drm_device *drm, struct drm_file *file)
{
	struct edna_file *efile;
	unsigned long deadline;
	int ret, idx, seq;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	efile = kzalloc(sizeof(*efile), GFP_KERNEL);
	if (!efile) {
		ret = -ENOMEM;
		goto out;
	}
	efile->edev = to_edna_device(drm);
	efile->client_id = file->client_id;
	kref_init(&efile->ref);
	INIT_WORK(&efile->free_work, edna_file_free_work);
	/* A client that just went may still hold a hardware context. */
	deadline = jiffies + msecs_to_jiffies(EDNA_RETIRE_WAIT_MS);
	do {
		seq = edna_job_retire_seq(efile->edev);
		ret = edna_gem_file_init(efile);
	} while (ret == -EBUSY && edna_job_wait_retiring(efile->edev, seq, deadline));
	if (ret) {
		kfree(efile);
		goto out;
	}
	edna_job_file_init(efile);
	drm_dev_get(drm);
	file->driver_priv = efile;
out:
	drm_dev_exit(idx);
	return ret;
}

/* After drm_gem_release(): the client's BOs are closed and unmapped. */
static void edna_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct edna_file *efile = file->driver_priv;

	edna_job_file_close(efile);
	edna_file_put(efile);
}

static void edna_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	edna_job_show_fdinfo(p, file->driver_priv);
	edna_gem_show_fdinfo(p, file);
}

static const struct drm_ioctl_desc edna_ioctls[] = {
	DRM_IOCTL_DEF_DRV(EDNA_GET_PARAM, edna_ioctl_get_param, 0),
	DRM_IOCTL_DEF_DRV(EDNA_QUERY, edna_ioctl_query, 0),
	DRM_IOCTL_DEF_DRV(EDNA_BO_CREATE, edna_ioctl_bo_create, 0),
	DRM_IOCTL_DEF_DRV(EDNA_BO_INFO, edna_ioctl_bo_info, 0),
	DRM_IOCTL_DEF_DRV(EDNA_SUBMIT, edna_ioctl_submit, 0),
	DRM_IOCTL_DEF_DRV(EDNA_WAIT, edna_ioctl_wait, 0),
};

/* Bound the count of a syncobj array ioctl; 0 or -EINVAL. */
static int edna_check_syncobj_count(unsigned int nr, unsigned long arg)
{
	size_t off;
	u32 count;

	if (nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT))
		off = offsetof(struct drm_syncobj_wait, count_handles);
	else if (nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT))
		off = offsetof(struct drm_syncobj_timeline_wait, count_handles);
	else if (nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET) ||
		 nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL))
		off = offsetof(struct drm_syncobj_array, count_handles);
	else if (nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY) ||
		 nr == DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL))
		off = offsetof(struct drm_syncobj_timeline_array, count_handles);
	else
		return 0;
	if (get_user(count, (u32 __user *)(arg + off)))
		return -EFAULT;
	return count > EDNA_SYNCOBJ_ARRAY_MAX ? -EINVAL : 0;
}

/*
 * The DRM core ioctls that mean something on an accel node.  Others, such
 * as GET_UNIQUE and GET_MAGIC, assume a primary node's master and crash
 * this kernel when called on an accel node; huge syncobj arrays trip the
 * page allocator.  The core needs fixing (tools/debugk/patches); until
 * then they stop here.  The count is read again by the core: a thread
 * changing it in between reaches only the core's own checks.
 */
static int edna_core_ioctl_check(unsigned int nr, unsigned long arg)
{
	static const unsigned int allowed[] = {
		DRM_IOCTL_NR(DRM_IOCTL_VERSION),
		DRM_IOCTL_NR(DRM_IOCTL_GET_CAP),
		DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE),
		DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD),
		DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD),
	};
	int i;

	if (!READ_ONCE(core_ioctl_filter) ||
	    (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END))
		return 0;
	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		if (nr == allowed[i])
			return edna_check_syncobj_count(nr, arg);
	return -ENOTTY;
}

static long edna_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = edna_core_ioctl_check(DRM_IOCTL_NR(cmd), arg);

	return ret ?: drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long edna_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	int ret = edna_core_ioctl_check(DRM_IOCTL_NR(cmd), (unsigned long)compat_ptr(arg));

	return ret ?: drm_compat_ioctl(filp, cmd, arg);
}
#else
#define edna_compat_ioctl NULL
#endif

/*
 * DRM_ACCEL_FOPS, with our ioctl entry points; this kernel's accel fops
 * also lack fdinfo, which usage stats need.
 */
static const struct file_operations edna_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = edna_ioctl,
	.compat_ioctl = edna_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
	.show_fdinfo = drm_show_fdinfo,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver edna_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = edna_open,
	.postclose = edna_postclose,
	.show_fdinfo = edna_show_fdinfo,
	.gem_create_object = edna_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.ioctls = edna_ioctls,
	.num_ioctls = ARRAY_SIZE(edna_ioctls),
	.fops = &edna_fops,
	.name = EDNA_DRIVER_NAME,
	.desc = EDNA_DRIVER_DESC,
	.major = EDNA_DRIVER_MAJOR,
	.minor = EDNA_DRIVER_MINOR,
};

/*
 * The kernel context goes with the device, not with its removal: the
 * kernel's jobs may still have mappings to release behind their fences.
 */
static void edna_kctx_fini(struct drm_device *drm, void *arg)
{
	struct edna_device *edev = arg;

	edna_mmu_ctx_destroy(edev->kctx);
	edev->kctx = NULL;
}

/**
 * edna_device_probe() - bring up one device, whatever bus it sits on
 * @dev: the bus device
 * @regmap: its registers
 * @irq: its interrupt
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int edna_device_probe(struct device *dev, struct regmap *regmap, int irq)
{
	struct edna_device *edev;
	int ret;

	edev = devm_drm_dev_alloc(dev, &edna_drm_driver, struct edna_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	edev->regmap = regmap;
	edev->irq = irq;
	edev->coherent = dev_is_dma_coherent(dev);
	/* Half of RAM: one client can never pin the whole machine. */
	edev->host_limit = ((u64)totalram_pages() << PAGE_SHIFT) / 2;
	dev_set_drvdata(dev, edev);
	spin_lock_init(&edev->fault_lock);
	xa_init_flags(&edev->contexts, XA_FLAGS_ALLOC);
	edna_pm_probe(edev);
	ret = drmm_mutex_init(&edev->drm, &edev->reset_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->mmu_inv_lock);
	if (!ret)
		ret = drmm_mutex_init(&edev->drm, &edev->diag_lock);
	if (ret)
		return ret;

	ret = edna_hw_probe(edev);
	if (ret)
		return ret;
	ret = edna_region_init(edev);
	if (!ret)
		ret = edna_mmu_kva_init(edev);
	if (ret)
		return ret;
	ret = edna_hw_init(edev);
	if (ret)
		return ret;
	ret = edna_mmu_ctx_create(edev, true, &edev->kctx);
	if (!ret)
		ret = drmm_add_action_or_reset(&edev->drm, edna_kctx_fini, edev);
	if (ret)
		goto err_hw_fini;
	ret = edna_job_init(edev);
	if (ret)
		goto err_hw_fini;
	ret = edna_sysfs_init(edev);
	if (!ret)
		ret = edna_hwmon_init(edev);
	if (ret)
		goto err_hw_fini;

	edna_debugfs_init(edev);
	edna_pm_enable(edev);
	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		goto err_pm_disable;

	edna_info(edev, "%u queues, %u contexts, DRAM %llu KiB, SRAM %llu KiB\n",
		  edev->caps.num_queues, edev->caps.num_contexts,
		  edev->caps.region_size[EDNA_REGION_DRAM] / SZ_1K,
		  edev->caps.region_size[EDNA_REGION_SRAM] / SZ_1K);
	return 0;

err_pm_disable:
	edna_pm_disable(edev);
err_hw_fini:
	edna_hw_fini(edev);
	return ret;
}

/**
 * edna_device_remove() - tear down what edna_device_probe() built
 * @dev: the bus device
 *
 * Open files keep the drm_device alive; drm_dev_unplug() makes their
 * ioctls fail with -ENODEV from here on.
 */
void edna_device_remove(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);

	drm_dev_unplug(&edev->drm);
	edna_pm_disable(edev);
	edna_hw_fini(edev);
	edna_job_fini(edev);
}

/* Power is about to go: stop feeding the device, then stop the device. */
void edna_device_shutdown(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);

	edna_job_shutdown(edev);
	edna_pm_disable(edev);
	edna_hw_fini(edev);
}

static int __init edna_init(void)
{
	int ret;

	ret = edna_job_module_init();
	if (ret)
		return ret;
	edna_wq = alloc_workqueue("edna", WQ_UNBOUND, 0);
	if (!edna_wq) {
		ret = -ENOMEM;
		goto err_jobs;
	}
	ret = edna_platform_register();
	if (ret)
		goto err_wq;
	ret = edna_pci_register();
	if (ret)
		goto err_platform;
	return 0;

err_platform:
	edna_platform_unregister();
err_wq:
	destroy_workqueue(edna_wq);
err_jobs:
	edna_job_module_exit();
	return ret;
}

static void __exit edna_exit(void)
{
	edna_pci_unregister();
	edna_platform_unregister();
	/* Waits for releases still running behind fences of gone devices. */
	destroy_workqueue(edna_wq);
	edna_job_module_exit();
}

module_init(edna_init);
module_exit(edna_exit);

MODULE_AUTHOR("The edna authors");
MODULE_DESCRIPTION(EDNA_DRIVER_DESC);
MODULE_LICENSE("GPL");
