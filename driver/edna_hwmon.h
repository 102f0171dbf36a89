/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_HWMON_H__
#define __EDNA_HWMON_H__

struct edna_device;

int edna_hwmon_init(struct edna_device *edev);

#endif /* __EDNA_HWMON_H__ */
