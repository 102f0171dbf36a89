/* SPDX-License-Identifier: GPL-2.0 */
/* Copyright 2026 The edna authors */
#ifndef __EDNA_DIAG_H__
#define __EDNA_DIAG_H__

#include "edna_drv.h"

#define EDNA_DIAG_RESULT_LEN	256

int edna_diag_command(struct edna_device *edev, const char *cmd, char *result, size_t len);

#endif /* __EDNA_DIAG_H__ */
