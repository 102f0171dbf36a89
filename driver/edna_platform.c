// SPDX-License-Identifier: GPL-2.0
/*
 * edna platform glue: the accelerator on an AXI interconnect, described by
 * device tree, or the device model registered by edna_sim.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/dma-mapping.h>
#include <linux/mod_devicetable.h>
#include <linux/platform_device.h>
#include <linux/regmap.h>

#include "edna_drv.h"
#include "edna_pm.h"

static struct regmap *edna_platform_regmap(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct regmap *regmap;
	void __iomem *base;

	/*
	 * Silicon has an MMIO window.  A device without one is a function of
	 * a parent that owns the register map, as MFD cells are; that is how
	 * the device model presents itself.
	 */
	if (platform_get_resource(pdev, IORESOURCE_MEM, 0)) {
		base = devm_platform_ioremap_resource(pdev, 0);
		if (IS_ERR(base))
			return ERR_CAST(base);
		return devm_regmap_init_mmio(dev, base, &edna_regmap_config);
	}

	regmap = dev->parent ? dev_get_regmap(dev->parent, NULL) : NULL;
	if (!regmap) {
		dev_err(dev, "no registers: neither an MMIO window nor a parent register map\n");
		return ERR_PTR(-ENODEV);
	}
	return regmap;
}

static int edna_platform_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct regmap *regmap;
	int irq, ret;

	regmap = edna_platform_regmap(pdev);
	if (IS_ERR(regmap))
		return dev_err_probe(dev, PTR_ERR(regmap), "cannot map registers\n");

	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");

	return edna_device_probe(dev, regmap, irq);
}

static void edna_platform_remove(struct platform_device *pdev)
{
	edna_device_remove(&pdev->dev);
}

static void edna_platform_shutdown(struct platform_device *pdev)
{
	edna_device_shutdown(&pdev->dev);
}

static const struct of_device_id edna_of_match[] = {
	{ .compatible = "edna,npu-v1" },
	{ }
};
MODULE_DEVICE_TABLE(of, edna_of_match);

static const struct platform_device_id edna_platform_ids[] = {
	{ .name = EDNA_DRIVER_NAME },
	{ }
};
MODULE_DEVICE_TABLE(platform, edna_platform_ids);

static struct platform_driver edna_platform_driver = {
	.probe = edna_platform_probe,
	.remove_new = edna_platform_remove,
	.shutdown = edna_platform_shutdown,
	.id_table = edna_platform_ids,
	.driver = {
		.name = EDNA_DRIVER_NAME,
		.of_match_table = edna_of_match,
		.pm = pm_ptr(&edna_pm_ops),
	},
};

int edna_platform_register(void)
{
	return platform_driver_register(&edna_platform_driver);
}

void edna_platform_unregister(void)
{
	platform_driver_unregister(&edna_platform_driver);
}
