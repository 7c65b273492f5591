// SPDX-License-Identifier: MIT
/*
 * The drm backend's telemetry (aimc_device_telemetry()): what aimc.ko
 * publishes on the card's bus device (driver/aimc_sysfs.c, the
 * "telemetry" group, the card's energy included) and its hwmon
 * temperature sensor, found from the open node's device number, so
 * render and accel nodes alike.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "backend_drm.h"
#include "internal.h"

/* /sys/dev/char/MAJ:MIN/device of the open node. */
static int device_dir(struct aimc_device *dev, char *buf, size_t len)
{
	struct stat st;

	if (fstat(dev->fd, &st))
		return aimc_set_error(-errno, "%s: %s", dev->node, strerror(errno));
	snprintf(buf, len, "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	return 0;
}

static int read_u64(struct aimc_device *dev, const char *path, uint64_t *value)
{
	FILE *f = fopen(path, "r");
	int ok, err;

	if (!f)
		return aimc_set_error(-errno, "%s: %s: %s", dev->node, path,
				      strerror(errno));
	ok = fscanf(f, "%" SCNu64, value) == 1;
	/* a card counter of a removed card reads -ENODEV */
	err = ferror(f) ? errno : EIO;
	fclose(f);
	if (!ok)
		return aimc_set_error(-err, "%s: %s: %s", dev->node, path,
				      err == EIO ? "not a number" : strerror(err));
	return 0;
}

/*
 * The card's hwmon temp1_input, if the card has a sensor (a failed read
 * leaves a message that the call's success then clears).
 */
static int32_t temperature_mc(struct aimc_device *dev, const char *dir)
{
	char path[512];
	struct dirent *de;
	int32_t t = AIMC_TEMPERATURE_NONE;
	uint64_t value;
	DIR *d;

	snprintf(path, sizeof(path), "%s/hwmon", dir);
	d = opendir(path);
	if (!d)
		return t;
	while ((de = readdir(d)) && t == AIMC_TEMPERATURE_NONE) {
		if (strncmp(de->d_name, "hwmon", 5))
			continue;
		snprintf(path, sizeof(path), "%s/hwmon/%.64s/temp1_input", dir,
			 de->d_name);
		if (!read_u64(dev, path, &value) && value <= INT32_MAX)
			t = (int32_t)value;
	}
	closedir(d);
	return t;
}

/*
 * The card's energy, telemetry/energy_nj (whole nanojoules): energy_fj
 * and AIMC_TELEMETRY_ENERGY.  Its kinds stay zero (a card reports a
 * total).  An aimc.ko without the file (before API 2.1's) leaves the
 * flag clear; any other failure to read it is the call's.
 */
static int card_energy(struct aimc_device *dev, const char *dir,
		       struct aimc_device_telemetry *t)
{
	char path[256];
	uint64_t nj;
	int ret;

	snprintf(path, sizeof(path), "%s/telemetry/energy_nj", dir);
	ret = read_u64(dev, path, &nj);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	if (nj > UINT64_MAX / 1000000)
		return aimc_set_error(-EOVERFLOW, "%s: %s: %" PRIu64 " nJ is more than 2^64 fJ",
				      dev->node, path, nj);
	t->energy_fj = nj * 1000000;
	t->flags |= AIMC_TELEMETRY_ENERGY;
	return 0;
}

int aimc_drm_telemetry(struct aimc_device *dev, struct aimc_device_telemetry *t)
{
	static const struct {
		const char *name;
		size_t offset;
		int is32;
		uint64_t scale;
	} fields[] = {
		{ "jobs", offsetof(struct aimc_device_telemetry, commands), 0, 1 },
		{ "busy_us", offsetof(struct aimc_device_telemetry, busy_ns), 0, 1000 },
		{ "pulses", offsetof(struct aimc_device_telemetry, pulses), 0, 1 },
		{ "jobs_done", offsetof(struct aimc_device_telemetry, jobs_done), 0, 1 },
		{ "jobs_failed", offsetof(struct aimc_device_telemetry, jobs_failed), 0, 1 },
		{ "resets", offsetof(struct aimc_device_telemetry, resets), 1, 1 },
		{ "tiles_in_use", offsetof(struct aimc_device_telemetry, tiles_in_use), 1, 1 },
		{ "slots_in_use", offsetof(struct aimc_device_telemetry, slots_in_use), 1, 1 },
	};
	char dir[128], path[256];
	uint64_t value;
	size_t i;
	int ret = device_dir(dev, dir, sizeof(dir));

	for (i = 0; !ret && i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(path, sizeof(path), "%s/telemetry/%s", dir, fields[i].name);
		ret = read_u64(dev, path, &value);
		if (ret)
			break;
		value *= fields[i].scale;
		if (fields[i].is32)
			*(uint32_t *)((char *)t + fields[i].offset) = (uint32_t)value;
		else
			*(uint64_t *)((char *)t + fields[i].offset) = value;
	}
	if (!ret)
		ret = card_energy(dev, dir, t);
	if (!ret)
		t->temperature_mc = temperature_mc(dev, dir);
	return ret;
}

int aimc_drm_advance_clock(struct aimc_device *dev, uint64_t ns)
{
	(void)ns;
	return aimc_set_error(-EOPNOTSUPP, "%s: a card's clock is wall time (only a sim card's clock can be moved on)",
			      dev->node);
}
