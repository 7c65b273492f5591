// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Runtime power management, the core's half.  The bus glue decides
 * whether a card suspends (the PCI glue enables runtime PM with
 * autosuspend; software devices never suspend) and calls
 * aimc_device_suspend()/aimc_device_resume() from its dev_pm_ops; the
 * core holds a runtime PM reference for every job from SUBMIT until the
 * job is released (aimc_pm_get() at submit, aimc_pm_put() in
 * aimc_job_release()) and while it reads the card's registers for
 * userspace (telemetry, temperature), so a card only suspends when idle
 * and wakes for the next job.
 *
 * The hardware contract: AIMC-1 keeps its state in D3hot (PMCSR
 * No_Soft_Reset: registers, ring configuration, the digital unit's
 * SRAM with the stream slots' state and the calibration; the crossbar
 * cells are non-volatile anyway), so nothing is saved or re-programmed.
 * A card that comes back reset all the same is handled as after any
 * reset: the ring is programmed again and the slots' state is lost
 * (the jobs that rely on it fail at submit with -EIO).
 */
#include <linux/pm_runtime.h>
#include <drm/drm_print.h>

#include "aimc_job.h"

/**
 * aimc_pm_get - keep the card powered: resume it if it is suspended
 * @adev: the card
 *
 * May sleep; the caller must not hold &aimc_device.sched_lock (resuming
 * takes it).  Cards whose bus glue does not enable runtime PM are always
 * on.  Balanced by aimc_pm_put().
 *
 * Return: 0, or the error of resuming the card.
 */
int aimc_pm_get(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;
	int ret = pm_runtime_resume_and_get(dev);

	/* -EACCES: runtime PM is disabled for this device: always on. */
	if (ret == -EACCES) {
		pm_runtime_get_noresume(dev);
		return 0;
	}
	return ret;
}

/**
 * aimc_pm_put - the card may suspend once idle for the autosuspend delay
 * @adev: the card
 *
 * Does not sleep (the suspend runs later, from the PM core's work):
 * callable with &aimc_device.sched_lock held.
 */
void aimc_pm_put(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
}

/*
 * The card still holds the ring as the driver programmed it, enabled and
 * idle: it kept its state.
 */
static bool aimc_pm_ring_intact(struct aimc_device *adev)
{
	const struct aimc_bus *bus = &adev->bus;
	const struct aimc_ring *ring = &adev->ring;

	return (aimc_hw_read(bus, AIMC_REG_CONTROL) & AIMC_CONTROL_ENABLE) &&
	       aimc_hw_read(bus, AIMC_REG_RING_BASE_LO) == lower_32_bits(ring->descs_dma) &&
	       aimc_hw_read(bus, AIMC_REG_RING_BASE_HI) == upper_32_bits(ring->descs_dma) &&
	       aimc_hw_read(bus, AIMC_REG_RING_SIZE) == ring->size &&
	       aimc_hw_read(bus, AIMC_REG_CPL_ADDR_LO) == lower_32_bits(ring->cpl_dma) &&
	       aimc_hw_read(bus, AIMC_REG_CPL_ADDR_HI) == upper_32_bits(ring->cpl_dma) &&
	       aimc_hw_read(bus, AIMC_REG_RING_HEAD) == ring->tail;
}

/**
 * aimc_device_suspend - an idle card is about to lose power (runtime PM)
 * @adev: the card
 *
 * Called by the bus glue's runtime_suspend before the bus puts the card
 * in a low-power state.  The driver keeps off the card until
 * aimc_device_resume() (&aimc_device.paused); its interrupts are masked.
 * Counted in the telemetry (suspends).
 *
 * Return: 0, or -EBUSY if jobs are on the card (the runtime PM references
 * aimc_pm_get() takes keep that from happening).
 */
int aimc_device_suspend(struct aimc_device *adev)
{
	mutex_lock(&adev->sched_lock);
	if (!list_empty(&adev->inflight)) {
		mutex_unlock(&adev->sched_lock);
		return -EBUSY;
	}
	adev->paused = true;
	adev->stats.suspends++;
	mutex_unlock(&adev->sched_lock);
	cancel_delayed_work_sync(&adev->poll_work);
	if (!adev->dead)
		aimc_irq_mask_sync(adev);
	return 0;
}

/**
 * aimc_device_resume - the card is powered again: give it back to the driver
 * @adev: the card, in D0 with its bus state restored
 *
 * Called by the bus glue's runtime_resume.  A card that kept its state
 * only gets its interrupts unmasked; one that lost it is set up as after
 * a reset (aimc_ring_restart()).  Counted in the telemetry (resumes).
 *
 * Return: 0; -ENODEV if the card no longer answers (its jobs fail, the
 * removal follows), or the error with which it stayed down.
 */
int aimc_device_resume(struct aimc_device *adev)
{
	const struct aimc_bus *bus = &adev->bus;
	int ret = 0;

	mutex_lock(&adev->sched_lock);
	adev->stats.resumes++;
	adev->paused = false;
	if (adev->dead)
		goto out;
	if (aimc_hw_gone(bus)) {
		drm_err(&adev->drm, "card no longer answers after a resume\n");
		aimc_ring_fail_all(adev, AIMC_JOB_ABORTED);
		adev->dead = true;
		ret = -ENODEV;
		goto out;
	}
	if (aimc_pm_ring_intact(adev)) {
		aimc_hw_write(bus, AIMC_REG_INT_MASK, 0);
	} else {
		drm_info(&adev->drm, "card lost its state while suspended: setting it up again\n");
		ret = aimc_ring_restart(adev);
	}
out:
	mutex_unlock(&adev->sched_lock);
	return ret;
}
