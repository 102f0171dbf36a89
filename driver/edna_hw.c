// SPDX-License-Identifier: GPL-2.0
/*
 * edna hardware layer: the only file that touches registers.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/units.h>
#include <linux/regmap.h>

#include "edna_drv.h"
#include "edna_hw.h"
#include "edna_regs.h"

/*
 * The device model boots in microseconds; silicon loads its firmware from
 * flash first, which the programming manual bounds at 100 ms.
 */
#define EDNA_BOOT_TIMEOUT_US	100000
#define EDNA_BOOT_POLL_US	20

const struct regmap_config edna_regmap_config = {
	.name = "edna",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = EDNA_REG_LAST,
};

static u32 edna_rd(struct edna_device *edev, unsigned int reg)
{
	unsigned int val = 0;

	/* regmap errors only come from a bus that is gone: read as all-ones */
	if (regmap_read(edev->regmap, reg, &val))
		return ~0u;
	return val;
}

static void edna_wr(struct edna_device *edev, unsigned int reg, u32 val)
{
	regmap_write(edev->regmap, reg, val);
}

static void edna_hw_read_caps(struct edna_device *edev)
{
	struct edna_caps *caps = &edev->caps;
	u32 reg = edna_rd(edev, EDNA_REG_CAPS);
	u32 mhz = edna_rd(edev, EDNA_REG_CLOCK_MHZ);
	int i;

	caps->version = edna_rd(edev, EDNA_REG_VERSION);
	caps->num_queues = FIELD_GET(EDNA_CAPS_QUEUES, reg);
	caps->num_contexts = FIELD_GET(EDNA_CAPS_CONTEXTS, reg);
	caps->page_shift = FIELD_GET(EDNA_CAPS_PAGE_SHIFT, reg);
	caps->va_bits = FIELD_GET(EDNA_CAPS_VA_BITS, reg);
	caps->clock_hz = (u64)mhz * HZ_PER_MHZ;
	caps->peak_macs = (u64)edna_rd(edev, EDNA_REG_MACS_PER_CYCLE) * caps->clock_hz;
	caps->region_size[EDNA_REGION_HOST] = 0;
	caps->region_size[EDNA_REGION_DRAM] = (u64)edna_rd(edev, EDNA_REG_DRAM_KIB) * SZ_1K;
	caps->region_size[EDNA_REGION_SRAM] = (u64)edna_rd(edev, EDNA_REG_SRAM_KIB) * SZ_1K;
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		caps->peak_bandwidth[i] = (u64)edna_rd(edev, EDNA_REG_BW_MBPS(i)) * HZ_PER_MHZ;
	for (i = 0; i < EDNA_POWER_COUNT; i++)
		caps->power_mw[i] = edna_rd(edev, EDNA_REG_POWER_MW(i));
	caps->power_up_us = edna_rd(edev, EDNA_REG_POWER_UP_US);
}

/**
 * edna_hw_probe() - identify the device and read its capabilities
 * @edev: the device
 *
 * Return: 0, or -ENODEV when the registers do not belong to an edna
 * device or describe one this driver cannot drive.
 */
int edna_hw_probe(struct edna_device *edev)
{
	struct edna_caps *caps = &edev->caps;
	struct device *dev = edev->drm.dev;

	caps->id = edna_rd(edev, EDNA_REG_ID);
	if (caps->id != EDNA_ID_MAGIC)
		return dev_err_probe(dev, -ENODEV, "unknown device id %#x\n", caps->id);

	edna_hw_read_caps(edev);
	if (FIELD_GET(EDNA_VERSION_MAJOR, caps->version) != 1)
		return dev_err_probe(dev, -ENODEV, "unsupported hardware version %#x\n",
				     caps->version);
	if (!caps->num_queues || caps->num_queues > EDNA_MAX_QUEUES ||
	    caps->num_contexts < 2 || caps->page_shift != EDNA_PAGE_SHIFT ||
	    caps->va_bits != EDNA_VA_BITS || !caps->clock_hz)
		return dev_err_probe(dev, -ENODEV,
				     "inconsistent capabilities: %u queues, %u contexts, page shift %u, %u VA bits\n",
				     caps->num_queues, caps->num_contexts,
				     caps->page_shift, caps->va_bits);
	return 0;
}

/**
 * edna_hw_reset() - reset the whole device and redo the boot handshake
 * @edev: the device
 *
 * Everything the device held is lost: rings, MMU contexts, interrupt mask.
 *
 * Return: 0, or -ETIMEDOUT / -EIO when the device does not come back.
 */
int edna_hw_reset(struct edna_device *edev)
{
	u32 status;
	int ret;

	edna_wr(edev, EDNA_REG_IRQ_MASK, 0);
	edna_wr(edev, EDNA_REG_DEV_CTRL, EDNA_DEV_CTRL_RESET);
	ret = regmap_read_poll_timeout(edev->regmap, EDNA_REG_DEV_STATUS, status,
				       status & (EDNA_DEV_STATUS_READY | EDNA_DEV_STATUS_HALTED),
				       EDNA_BOOT_POLL_US, EDNA_BOOT_TIMEOUT_US);
	if (ret) {
		edna_err(edev, "device did not become ready after reset\n");
		return ret;
	}
	if (status & EDNA_DEV_STATUS_HALTED) {
		edna_err(edev, "device halted during boot, error %#x\n",
			 edna_rd(edev, EDNA_REG_DEV_ERROR));
		return -EIO;
	}

	edna_wr(edev, EDNA_REG_HANDSHAKE, EDNA_HANDSHAKE_HOST);
	ret = regmap_read_poll_timeout(edev->regmap, EDNA_REG_HANDSHAKE, status,
				       status == EDNA_HANDSHAKE_DEVICE,
				       EDNA_BOOT_POLL_US, EDNA_BOOT_TIMEOUT_US);
	if (ret) {
		edna_err(edev, "no boot handshake from the device (%#x)\n", status);
		return ret;
	}
	edna_dbg(edev, HW, "reset and handshake done\n");
	return 0;
}

/**
 * edna_hw_fini() - quiesce the device before the driver lets go of it
 * @edev: the device
 */
void edna_hw_fini(struct edna_device *edev)
{
	edna_wr(edev, EDNA_REG_IRQ_MASK, 0);
	edna_wr(edev, EDNA_REG_DEV_CTRL, EDNA_DEV_CTRL_RESET);
}
