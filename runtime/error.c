// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static __thread char aimc_errmsg[512];

int aimc_set_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(aimc_errmsg, sizeof(aimc_errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *aimc_last_error(void)
{
	return aimc_errmsg[0] ? aimc_errmsg : "no error";
}
