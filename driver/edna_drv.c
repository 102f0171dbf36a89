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
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_gem.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "edna_drv.h"
#include "edna_debugfs.h"
#include "edna_gem.h"
#include "edna_hw.h"
#include "edna_job.h"
#include "edna_mmu.h"
#include "edna_region.h"
#include "edna_sysfs.h"

#define EDNA_DRIVER_MAJOR	1
#define EDNA_DRIVER_MINOR	0

unsigned int edna_dbg_mask;
module_param_named(dbg_mask, edna_dbg_mask, uint, 0644);
MODULE_PARM_DESC(dbg_mask, "Debug categories: 1 hw, 2 irq, 4 mmu, 8 job, 16 mem, 32 pm");

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

static void edna_file_release(struct kref *ref)
{
	struct edna_file *efile = container_of(ref, struct edna_file, ref);

	edna_gem_file_fini(efile);
	kfree(efile);
}

/**
 * edna_file_put() - drop a reference to a client
 * @efile: the client
 *
 * The last one, from the file or from its last job, frees its address
 * space.
 */
void edna_file_put(struct edna_file *efile)
{
	kref_put(&efile->ref, edna_file_release);
}

static int edna_open(struct drm_device *drm, struct drm_file *file)
{
	struct edna_file *efile;
	int ret, idx;

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
	ret = edna_gem_file_init(efile);
	if (ret) {
		kfree(efile);
		goto out;
	}
	edna_job_file_init(efile);
	file->driver_priv = efile;
out:
	drm_dev_exit(idx);
	return ret;
}

/* After drm_gem_release(): the client's BOs are closed and unmapped. */
static void edna_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct edna_file *efile = file->driver_priv;

	edna_job_file_fini(efile);
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

/* The accel fops of this kernel lack fdinfo, which usage stats need. */
static const struct file_operations edna_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver edna_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ,
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
	dev_set_drvdata(dev, edev);
	spin_lock_init(&edev->fault_lock);
	xa_init_flags(&edev->contexts, XA_FLAGS_ALLOC);
	ret = drmm_mutex_init(&edev->drm, &edev->reset_lock);
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
	if (ret)
		goto err_hw_fini;
	ret = edna_job_init(edev);
	if (ret)
		goto err_kctx;
	ret = edna_sysfs_init(edev);
	if (ret)
		goto err_kctx;

	edna_debugfs_init(edev);
	ret = drm_dev_register(&edev->drm, 0);
	if (ret)
		goto err_kctx;

	edna_info(edev, "%u queues, %u contexts, DRAM %llu KiB, SRAM %llu KiB\n",
		  edev->caps.num_queues, edev->caps.num_contexts,
		  edev->caps.region_size[EDNA_REGION_DRAM] / SZ_1K,
		  edev->caps.region_size[EDNA_REGION_SRAM] / SZ_1K);
	return 0;

err_kctx:
	edna_hw_fini(edev);
	edna_mmu_ctx_destroy(edev->kctx);
	return ret;
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
	edna_hw_fini(edev);
	edna_job_fini(edev);
	/* The device is quiet: its page tables can go. */
	edna_mmu_ctx_destroy(edev->kctx);
	edev->kctx = NULL;
}

void edna_device_shutdown(struct device *dev)
{
	struct edna_device *edev = dev_get_drvdata(dev);

	edna_hw_fini(edev);
}

static int __init edna_init(void)
{
	int ret;

	ret = edna_platform_register();
	if (ret)
		return ret;
	ret = edna_pci_register();
	if (ret)
		edna_platform_unregister();
	return ret;
}

static void __exit edna_exit(void)
{
	edna_pci_unregister();
	edna_platform_unregister();
}

module_init(edna_init);
module_exit(edna_exit);

MODULE_AUTHOR("The edna authors");
MODULE_DESCRIPTION(EDNA_DRIVER_DESC);
MODULE_LICENSE("GPL");
