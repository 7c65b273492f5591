// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HAVE_PLATFORM_REMOVE_VOID: platform_driver.remove returns void (6.11);
 * before, such a callback is .remove_new (6.3, in Debian's 6.1 too).
 */
#include <linux/platform_device.h>

static void probe_remove(struct platform_device *pdev)
{
}

static struct platform_driver probe_driver __maybe_unused = {
	.remove = probe_remove,
};
