// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The card's die temperature as a hwmon sensor (temp1_input, millidegrees
 * Celsius), for sensors(1) and aimc-smi.  A card whose temperature
 * register reads 0 at probe has no sensor and gets no hwmon device.
 */
#include <linux/device.h>
#include <linux/hwmon.h>
#include <drm/drm_drv.h>

#include "aimc_drv.h"

static umode_t aimc_hwmon_is_visible(const void *data,
				     enum hwmon_sensor_types type, u32 attr,
				     int channel)
{
	return type == hwmon_temp && attr == hwmon_temp_input ? 0444 : 0;
}

static int aimc_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			   u32 attr, int channel, long *val)
{
	struct aimc_device *adev = dev_get_drvdata(dev);
	int idx, ret;

	if (type != hwmon_temp || attr != hwmon_temp_input)
		return -EOPNOTSUPP;
	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	/* A suspended card is woken to be read (aimc_pm.c). */
	ret = aimc_pm_get(adev);
	if (!ret) {
		*val = (s32)aimc_hw_read(&adev->bus, AIMC_REG_TEL_TEMP_MC);
		aimc_pm_put(adev);
	}
	drm_dev_exit(idx);
	return ret;
}

static const struct hwmon_ops aimc_hwmon_ops = {
	.is_visible = aimc_hwmon_is_visible,
	.read = aimc_hwmon_read,
};

static const struct hwmon_channel_info *aimc_hwmon_channels[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT),
	NULL
};

static const struct hwmon_chip_info aimc_hwmon_chip = {
	.ops = &aimc_hwmon_ops,
	.info = aimc_hwmon_channels,
};

/**
 * aimc_hwmon_init - register the temperature sensor, if the card has one
 * @adev: the card, registers reachable
 *
 * Device-managed: removed when the bus device is unbound.
 *
 * Return: 0 or a negative errno.
 */
int aimc_hwmon_init(struct aimc_device *adev)
{
	struct device *hwmon;

	if (!aimc_hw_read(&adev->bus, AIMC_REG_TEL_TEMP_MC))
		return 0;
	hwmon = devm_hwmon_device_register_with_info(adev->bus.dev, "aimc", adev,
						     &aimc_hwmon_chip, NULL);
	return PTR_ERR_OR_ZERO(hwmon);
}
