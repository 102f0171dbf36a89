// SPDX-License-Identifier: GPL-2.0
/*
 * edna_errmsg(): how the model library, the compiler and the tools built
 * on them report an error: a message for a person, and an errno.
 *
 * Copyright 2026 The edna authors
 */
#include <stdarg.h>
#include <stdio.h>

#include "edna_model.h"

int edna_errmsg(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}
