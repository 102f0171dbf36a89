// SPDX-License-Identifier: GPL-2.0
/*
 * edna tracepoints: the one unit that instantiates them (edna_trace.h).
 *
 * Copyright 2026 The edna authors
 */
#ifndef __CHECKER__
#define CREATE_TRACE_POINTS
#include "edna_trace.h"
#endif
