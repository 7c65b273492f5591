// SPDX-License-Identifier: GPL-2.0 OR MIT
/* HAVE_DEVICE_TYPE_UEVENT_CONST: device_type.uevent takes a const device (6.3). */
#include <linux/device.h>

static int probe_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	return 0;
}

static const struct device_type probe_type __maybe_unused = {
	.uevent = probe_uevent,
};
