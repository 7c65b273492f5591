// SPDX-License-Identifier: MIT
/*
 * The drm backend: a card driven by aimc.ko, on a render node (found with
 * libdrm) or an accel node (found in sysfs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <drm/aimc_accel.h>

#include "backend_drm.h"
#include "internal.h"

#define AIMC_MAX_CARDS	64

static int aimc_drm_get_param(struct aimc_device *dev, uint32_t param,
			      uint64_t *value)
{
	struct drm_aimc_get_param args = { .param = param };

	if (drmIoctl(dev->fd, DRM_IOCTL_AIMC_GET_PARAM, &args))
		return aimc_set_error(-errno, "%s: GET_PARAM %u: %s", dev->node,
				      param, strerror(errno));
	*value = args.value;
	return 0;
}

static void aimc_drm_close(struct aimc_device *dev)
{
	close(dev->fd);
	free(dev);
}

/* Queries and lifetime here; the job layer: backend_drm_job.c. */
static const struct aimc_backend_ops aimc_drm_ops = {
	.kind = AIMC_BACKEND_DRM,
	.get_param = aimc_drm_get_param,
	.drift_clock_ns = aimc_drm_drift_clock,
	.advance_clock = aimc_drm_advance_clock,
	.telemetry = aimc_drm_telemetry,
	.close = aimc_drm_close,
	.job = &aimc_drm_job_ops,
};

/* 1 if fd is a node of aimc.ko, 0 if of another driver. */
static int aimc_drm_is_ours(int fd)
{
	drmVersionPtr version = drmGetVersion(fd);
	int ours;

	if (!version)
		return 0;
	ours = strcmp(version->name, "aimc") == 0;
	drmFreeVersion(version);
	return ours;
}

static int aimc_cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Render nodes of aimc.ko's devices, through libdrm; appends to found[]. */
static int aimc_drm_list_render(char found[][64], int count, int max)
{
	drmDevicePtr devices[AIMC_MAX_CARDS];
	int n, i;

	n = drmGetDevices2(0, devices, AIMC_MAX_CARDS);
	if (n == -ENOENT)	/* no /dev/dri: no DRM device at all */
		return count;
	if (n < 0)
		return aimc_set_error(n, "drmGetDevices2: %s", strerror(-n));
	for (i = 0; i < n && count < max; i++) {
		const char *node;
		int fd;

		if (!(devices[i]->available_nodes & (1 << DRM_NODE_RENDER)))
			continue;
		node = devices[i]->nodes[DRM_NODE_RENDER];
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (aimc_drm_is_ours(fd))
			snprintf(found[count++], sizeof(found[0]), "%s", node);
		close(fd);
	}
	drmFreeDevices(devices, n);
	return count;
}

/*
 * Accel nodes (/dev/accel/accelN, kernels with drivers/accel) of
 * aimc.ko's devices; appends to found[].  libdrm (2.4.114) does not list
 * them: sysfs does, with the driver the node's device is bound to (the
 * PCI glue's "aimc", the software-device glue's "aimc-swdev").
 */
static int aimc_drm_list_accel(char found[][64], int count, int max)
{
	DIR *dir = opendir("/sys/class/accel");
	struct dirent *de;

	if (!dir && errno == ENOENT)	/* no drivers/accel in this kernel */
		return count;
	if (!dir)
		return aimc_set_error(-errno, "/sys/class/accel: %s", strerror(errno));
	while ((de = readdir(dir)) && count < max) {
		char link[300], target[256];
		const char *driver;
		ssize_t len;

		if (strncmp(de->d_name, "accel", 5))
			continue;
		snprintf(link, sizeof(link), "/sys/class/accel/%s/device/driver", de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		driver = strrchr(target, '/');
		driver = driver ? driver + 1 : target;
		if (strcmp(driver, "aimc") && strcmp(driver, "aimc-swdev"))
			continue;
		snprintf(found[count], sizeof(found[0]), "/dev/accel/%.50s", de->d_name);
		/* As for render nodes: only those this user can open. */
		if (access(found[count], R_OK | W_OK) == 0)
			count++;
	}
	closedir(dir);
	return count;
}

/*
 * Fill paths[] with the nodes of aimc.ko's devices, render or accel,
 * sorted, and return how many (at most max).
 */
static int aimc_drm_list(char paths[][64], int max)
{
	char found[AIMC_MAX_CARDS][64];
	char *sorted[AIMC_MAX_CARDS];
	int count, i;

	count = aimc_drm_list_render(found, 0, AIMC_MAX_CARDS);
	if (count < 0)
		return count;
	count = aimc_drm_list_accel(found, count, AIMC_MAX_CARDS);
	if (count < 0)
		return count;
	for (i = 0; i < count; i++)
		sorted[i] = found[i];
	qsort(sorted, count, sizeof(sorted[0]), aimc_cmp_path);
	if (count > max)
		count = max;
	for (i = 0; i < count; i++)
		memcpy(paths[i], sorted[i], sizeof(paths[i]));
	return count;
}

int aimc_drm_count(void)
{
	char paths[AIMC_MAX_CARDS][64];

	return aimc_drm_list(paths, AIMC_MAX_CARDS);
}

int aimc_drm_open_index(unsigned int index, struct aimc_device **out)
{
	char paths[AIMC_MAX_CARDS][64];
	int n = aimc_drm_list(paths, AIMC_MAX_CARDS);

	if (n < 0)
		return n;
	if (n == 0)
		return aimc_set_error(-ENODEV,
				      "no AIMC card found (is aimc.ko loaded? try: modprobe aimc)");
	if (index >= (unsigned int)n)
		return aimc_set_error(-ENODEV, "no AIMC card %u: %d found", index, n);
	return aimc_drm_open_node(paths[index], out);
}

int aimc_drm_open_node(const char *path, struct aimc_device **out)
{
	struct aimc_device *dev;
	uint64_t abi;
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return aimc_set_error(-errno, "%s: %s%s", path, strerror(errno),
				      errno == EACCES ?
				      " (add yourself to the node's group, e.g. render)" : "");
	if (!aimc_drm_is_ours(fd)) {
		close(fd);
		return aimc_set_error(-ENODEV, "%s: not an AIMC device (driver is not aimc)",
				      path);
	}
	dev = aimc_device_alloc(&aimc_drm_ops);
	if (!dev) {
		close(fd);
		return aimc_set_error(-ENOMEM, "out of memory");
	}
	dev->fd = fd;
	snprintf(dev->node, sizeof(dev->node), "%s", path);

	ret = aimc_drm_get_param(dev, AIMC_PARAM_ABI_VERSION, &abi);
	if (ret < 0) {
		aimc_drm_close(dev);
		return ret;
	}
	if ((abi >> 16) != AIMC_ABI_VERSION_MAJOR) {
		aimc_drm_close(dev);
		return aimc_set_error(-EPROTO,
				      "%s: driver interface %u.%u, this library needs %u.x: install matching aimc.ko and libaimc",
				      path, (unsigned int)(abi >> 16),
				      (unsigned int)(abi & 0xffff),
				      AIMC_ABI_VERSION_MAJOR);
	}
	*out = dev;
	return 0;
}
