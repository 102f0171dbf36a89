// SPDX-License-Identifier: GPL-2.0
/*
 * edna PCIe glue: registers in BAR 0, one MSI or legacy interrupt.
 *
 * Copyright 2026 The edna authors
 */

#include <linux/pci.h>
#include <linux/regmap.h>

#include "edna_drv.h"
#include "edna_pm.h"

/* Placeholder vendor and device ids until the silicon is enumerated. */
#define EDNA_PCI_VENDOR_ID	0x1ed4
#define EDNA_PCI_DEVICE_ID	0x0001
#define EDNA_PCI_REG_BAR	0

static int edna_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct regmap *regmap;
	void __iomem *regs;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable PCI device\n");
	pci_set_master(pdev);

	regs = pcim_iomap_region(pdev, EDNA_PCI_REG_BAR, EDNA_DRIVER_NAME);
	if (IS_ERR(regs))
		return dev_err_probe(dev, PTR_ERR(regs), "cannot map BAR %d\n",
				     EDNA_PCI_REG_BAR);

	regmap = devm_regmap_init_mmio(dev, regs, &edna_regmap_config);
	if (IS_ERR(regmap))
		return dev_err_probe(dev, PTR_ERR(regmap), "cannot create register map\n");

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return dev_err_probe(dev, ret, "no interrupt\n");

	/* Vectors of a managed device are freed by devres after remove. */
	return edna_device_probe(dev, regmap, pci_irq_vector(pdev, 0));
}

static void edna_pci_remove(struct pci_dev *pdev)
{
	edna_device_remove(&pdev->dev);
}

static void edna_pci_shutdown(struct pci_dev *pdev)
{
	edna_device_shutdown(&pdev->dev);
}

static const struct pci_device_id edna_pci_ids[] = {
	{ PCI_DEVICE(EDNA_PCI_VENDOR_ID, EDNA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edna_pci_ids);

static struct pci_driver edna_pci_driver = {
	.name = EDNA_DRIVER_NAME,
	.id_table = edna_pci_ids,
	.probe = edna_pci_probe,
	.remove = edna_pci_remove,
	.shutdown = edna_pci_shutdown,
	.driver.pm = pm_ptr(&edna_pm_ops),
};

int edna_pci_register(void)
{
	return pci_register_driver(&edna_pci_driver);
}

void edna_pci_unregister(void)
{
	pci_unregister_driver(&edna_pci_driver);
}
