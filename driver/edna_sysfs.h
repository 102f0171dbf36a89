/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_SYSFS_H__
#define __EDNA_SYSFS_H__

#include "edna_drv.h"

int edna_sysfs_init(struct edna_device *edev);

#endif /* __EDNA_SYSFS_H__ */
