/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_PM_H__
#define __EDNA_PM_H__

#include <linux/pm.h>

#include "edna_drv.h"

/* The default of power/autosuspend_delay_ms. */
#define EDNA_AUTOSUSPEND_MS		1000
/* The default of hwmon's power1_average_interval, and its bounds. */
#define EDNA_AVG_INTERVAL_MS		1000
#define EDNA_AVG_INTERVAL_MIN_MS	10
#define EDNA_AVG_INTERVAL_MAX_MS	600000

extern const struct dev_pm_ops edna_pm_ops;

void edna_pm_probe(struct edna_device *edev);
void edna_pm_enable(struct edna_device *edev);
void edna_pm_disable(struct edna_device *edev);
int edna_pm_get(struct edna_device *edev);
void edna_pm_put(struct edna_device *edev);
void edna_pm_local_get(struct edna_device *edev);
void edna_pm_local_put(struct edna_device *edev);

void edna_pm_desc_queued(struct edna_device *edev);
void edna_pm_descs_done(struct edna_device *edev, u32 n);
void edna_pm_device_reset(struct edna_device *edev);
void edna_pm_set_state(struct edna_device *edev, u32 state);
u32 edna_pm_state(struct edna_device *edev);
const char *edna_pm_state_name(u32 state);

void edna_pm_residency(struct edna_device *edev, u64 *ns);
u64 edna_pm_energy_uj(struct edna_device *edev);
s64 edna_pm_average_uw(struct edna_device *edev);
u32 edna_pm_avg_interval(struct edna_device *edev);
int edna_pm_set_avg_interval(struct edna_device *edev, u32 ms);

#endif /* __EDNA_PM_H__ */
