/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_DRV_H__
#define __EDNA_DRV_H__

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/types.h>

#include <drm/drm_device.h>
#include <drm/drm_print.h>

#include "edna_accel.h"

#define EDNA_DRIVER_NAME	"edna"
#define EDNA_DRIVER_DESC	"Edge Decoder Neural Accelerator"

/* Debug categories for edna_dbg(), selected with the dbg_mask parameter */
#define EDNA_DBG_HW	BIT(0)
#define EDNA_DBG_IRQ	BIT(1)
#define EDNA_DBG_MMU	BIT(2)
#define EDNA_DBG_JOB	BIT(3)
#define EDNA_DBG_MEM	BIT(4)
#define EDNA_DBG_PM	BIT(5)

extern unsigned int edna_dbg_mask;

#define edna_err(edev, fmt, ...) drm_err(&(edev)->drm, fmt, ##__VA_ARGS__)
#define edna_warn(edev, fmt, ...) drm_warn(&(edev)->drm, fmt, ##__VA_ARGS__)
#define edna_info(edev, fmt, ...) drm_info(&(edev)->drm, fmt, ##__VA_ARGS__)
#define edna_dbg(edev, cat, fmt, ...)					\
	do {								\
		if (edna_dbg_mask & EDNA_DBG_##cat)			\
			drm_dbg_driver(&(edev)->drm, "[" #cat "] " fmt,	\
				       ##__VA_ARGS__);			\
	} while (0)

/**
 * struct edna_caps - what the identity and capability registers report
 *
 * Read once at probe; constant for the life of the device.
 */
struct edna_caps {
	u32 id;
	u32 version;
	u32 num_queues;
	u32 num_contexts;
	u32 page_shift;
	u32 va_bits;
	u64 clock_hz;
	u64 peak_macs;
	u64 region_size[EDNA_REGION_COUNT];
	u64 peak_bandwidth[EDNA_REGION_COUNT];
	u32 power_mw[EDNA_POWER_COUNT];
	u32 power_up_us;
};

/**
 * struct edna_device - one accelerator
 * @drm: the DRM accel device; its lifetime is the lifetime of this struct
 * @regmap: register access; used only by edna_hw.c
 * @irq: the device interrupt
 * @caps: identity and capabilities
 */
struct edna_device {
	struct drm_device drm;
	struct regmap *regmap;
	int irq;
	struct edna_caps caps;
};

static inline struct edna_device *to_edna_device(struct drm_device *drm)
{
	return container_of(drm, struct edna_device, drm);
}

int edna_device_probe(struct device *dev, struct regmap *regmap, int irq);
void edna_device_remove(struct device *dev);
void edna_device_shutdown(struct device *dev);

int edna_platform_register(void);
void edna_platform_unregister(void);
#if IS_ENABLED(CONFIG_PCI)
int edna_pci_register(void);
void edna_pci_unregister(void);
#else
static inline int edna_pci_register(void) { return 0; }
static inline void edna_pci_unregister(void) { }
#endif

extern const struct regmap_config edna_regmap_config;

#endif /* __EDNA_DRV_H__ */
