// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Telemetry in sysfs, on the card's bus device (group "telemetry"; in the
 * Documentation/ABI format: driver/ABI/sysfs-driver-aimc):
 *   jobs            descriptors the card has completed (card counter)
 *   busy_us         time the card spent executing, microseconds
 *   pulses          programming pulses applied to cells
 *   energy_nj       energy the card used, nanojoules (its device model's
 *                   count, emulator/README.md)
 *   resets          card resets done by the driver
 *   jobs_done       jobs that completed, jobs_failed those that did not
 *   tiles_in_use    tiles reserved by open files
 *   slots_in_use    stream slots reserved by open files
 *   suspends        runtime suspends (an idle card powered down), and
 *   resumes         resumes (aimc_pm.c)
 * Card counters read -ENODEV once the card is gone; reading them wakes a
 * suspended card.  The temperature is
 * a hwmon sensor (aimc_hwmon.c), per-file usage is in fdinfo
 * (aimc_fdinfo.c).
 */
#include <linux/device.h>
#include <drm/drm_drv.h>

#include "aimc_drv.h"

static struct aimc_device *aimc_sysfs_adev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/* A card counter: @hi 0 for a 32-bit one, else a 64-bit _LO/_HI pair. */
static ssize_t aimc_show_card64(struct device *dev, char *buf, u32 lo, u32 hi)
{
	struct aimc_device *adev = aimc_sysfs_adev(dev);
	u64 value;
	int idx;
	int ret;

	if (!drm_dev_enter(&adev->drm, &idx))
		return -ENODEV;
	ret = aimc_pm_get(adev);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}
	value = hi ? aimc_hw_read64(&adev->bus, lo, hi) :
		     aimc_hw_read(&adev->bus, lo);
	aimc_pm_put(adev);
	drm_dev_exit(idx);
	return sysfs_emit(buf, "%llu\n", value);
}

static ssize_t jobs_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return aimc_show_card64(dev, buf, AIMC_REG_TEL_JOBS, 0);
}
static DEVICE_ATTR_RO(jobs);

static ssize_t busy_us_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return aimc_show_card64(dev, buf, AIMC_REG_TEL_BUSY_US_LO,
				AIMC_REG_TEL_BUSY_US_HI);
}
static DEVICE_ATTR_RO(busy_us);

static ssize_t pulses_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return aimc_show_card64(dev, buf, AIMC_REG_TEL_PULSES_LO,
				AIMC_REG_TEL_PULSES_HI);
}
static DEVICE_ATTR_RO(pulses);

static ssize_t energy_nj_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return aimc_show_card64(dev, buf, AIMC_REG_TEL_ENERGY_NJ_LO,
				AIMC_REG_TEL_ENERGY_NJ_HI);
}
static DEVICE_ATTR_RO(energy_nj);

/* The driver's counters, read together under the lock that guards them. */
static struct aimc_stats aimc_sysfs_stats(struct device *dev)
{
	struct aimc_stats stats;

	aimc_stats_snapshot(aimc_sysfs_adev(dev), &stats);
	return stats;
}

static ssize_t resets_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", aimc_sysfs_stats(dev).resets);
}
static DEVICE_ATTR_RO(resets);

static ssize_t jobs_done_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", aimc_sysfs_stats(dev).jobs_done);
}
static DEVICE_ATTR_RO(jobs_done);

static ssize_t jobs_failed_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", aimc_sysfs_stats(dev).jobs_failed);
}
static DEVICE_ATTR_RO(jobs_failed);

static ssize_t tiles_in_use_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", aimc_resv_count(aimc_sysfs_adev(dev),
						       AIMC_RESOURCE_TILE));
}
static DEVICE_ATTR_RO(tiles_in_use);

static ssize_t slots_in_use_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", aimc_resv_count(aimc_sysfs_adev(dev),
						       AIMC_RESOURCE_SLOT));
}
static DEVICE_ATTR_RO(slots_in_use);

static ssize_t suspends_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", aimc_sysfs_stats(dev).suspends);
}
static DEVICE_ATTR_RO(suspends);

static ssize_t resumes_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", aimc_sysfs_stats(dev).resumes);
}
static DEVICE_ATTR_RO(resumes);

static struct attribute *aimc_telemetry_attrs[] = {
	&dev_attr_jobs.attr,
	&dev_attr_busy_us.attr,
	&dev_attr_pulses.attr,
	&dev_attr_energy_nj.attr,
	&dev_attr_resets.attr,
	&dev_attr_jobs_done.attr,
	&dev_attr_jobs_failed.attr,
	&dev_attr_tiles_in_use.attr,
	&dev_attr_slots_in_use.attr,
	&dev_attr_suspends.attr,
	&dev_attr_resumes.attr,
	NULL,
};

static const struct attribute_group aimc_telemetry_group = {
	.name = "telemetry",
	.attrs = aimc_telemetry_attrs,
};

/**
 * aimc_sysfs_init - publish telemetry on the bus device
 * @adev: the card; the bus device's drvdata must be @adev
 *
 * Device-managed: removed when the bus device is unbound.
 *
 * Return: 0 or a negative errno.
 */
int aimc_sysfs_init(struct aimc_device *adev)
{
	int ret = devm_device_add_group(adev->bus.dev, &aimc_telemetry_group);

	return ret ? ret : aimc_hwmon_init(adev);
}
