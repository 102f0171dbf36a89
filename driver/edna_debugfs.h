/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_DEBUGFS_H__
#define __EDNA_DEBUGFS_H__

#include "edna_drv.h"

#if IS_ENABLED(CONFIG_DEBUG_FS)
void edna_debugfs_init(struct edna_device *edev);
#else
static inline void edna_debugfs_init(struct edna_device *edev) { }
#endif

#endif /* __EDNA_DEBUGFS_H__ */
