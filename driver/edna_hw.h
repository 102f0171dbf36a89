/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_HW_H__
#define __EDNA_HW_H__

#include "edna_drv.h"

int edna_hw_probe(struct edna_device *edev);
int edna_hw_reset(struct edna_device *edev);
void edna_hw_fini(struct edna_device *edev);

#endif /* __EDNA_HW_H__ */
