// SPDX-License-Identifier: MIT
/* The calling thread's last error message (aimc_last_error()). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void aimc_api_begin(void)
{
	aimc_errmsg[0] = '\0';
}

int aimc_api_end(const char *function, int ret)
{
	char msg[sizeof(aimc_errmsg)];
	size_t len = strlen(function);

	if (ret >= 0) {
		aimc_errmsg[0] = '\0';
		return ret;
	}
	if (!aimc_errmsg[0]) {
		snprintf(aimc_errmsg, sizeof(aimc_errmsg), "%s: %s", function,
			 strerror(-ret));
		return ret;
	}
	if (strncmp(aimc_errmsg, function, len) || aimc_errmsg[len] != ':') {
		memcpy(msg, aimc_errmsg, sizeof(msg));
		/* a message cut short is still a message: keep its start */
		snprintf(aimc_errmsg, sizeof(aimc_errmsg), "%s: %.*s", function,
			 (int)(sizeof(msg) - len - 3), msg);
	}
	return ret;
}

int aimc_check_out(const void *handle, const void *out, size_t size,
		   size_t min)
{
	if (!handle || !out)
		return aimc_set_error(-EINVAL, "NULL argument");
	if (size < min)
		return aimc_set_error(-EINVAL, "struct size %zu: at least %zu (pass sizeof of the struct)",
				      size, min);
	return 0;
}

const char *aimc_last_error(void)
{
	return aimc_errmsg[0] ? aimc_errmsg : "no error";
}
