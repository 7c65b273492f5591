/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The device-independent core of aimc.ko.
 */
#ifndef AIMC_DRV_H
#define AIMC_DRV_H

#include <linux/atomic.h>
#include <drm/drm_device.h>

#include "aimc_hw.h"

#define AIMC_DRIVER_NAME	"aimc"

/**
 * struct aimc_device - one AIMC card
 * @drm: the DRM device; the struct lives as long as it does, which may be
 *	 longer than the card when files are still open after removal
 * @bus: register access, DMA device and IRQs; only valid between
 *	 drm_dev_enter() and drm_dev_exit(), or before drm_dev_unplug()
 * @caps: capabilities read at probe
 * @irq_count: interrupts handled, per vector
 */
struct aimc_device {
	struct drm_device drm;
	struct aimc_bus bus;
	struct aimc_caps caps;
	atomic64_t irq_count[AIMC_NUM_VECTORS];
};

static inline struct aimc_device *to_aimc_device(struct drm_device *drm)
{
	return container_of(drm, struct aimc_device, drm);
}

struct aimc_device *aimc_device_probe(const struct aimc_bus *bus);
void aimc_device_remove(struct aimc_device *adev);

int aimc_irq_init(struct aimc_device *adev);
void aimc_irq_quiesce(struct aimc_device *adev);

int aimc_ioctl_get_param(struct drm_device *drm, void *data,
			 struct drm_file *file);

int aimc_pci_register(void);
void aimc_pci_unregister(void);
int aimc_swdev_register(void);
void aimc_swdev_unregister(void);

#endif /* AIMC_DRV_H */
