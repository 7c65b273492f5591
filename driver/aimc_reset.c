// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Resets the driver does not start itself, for the bus glues: a PCI
 * function-level reset through the PCI core (sysfs reset), PCIe error
 * recovery, and a card the bus gives up on.
 *
 * Around such a reset the driver keeps off the card (&aimc_device.paused:
 * no job reaches the ring, the poll and the interrupts' work leave it
 * alone, the job timeout does not reset it) and afterwards does what its
 * own recovery does (aimc_sched.c), except that no job is to blame: every
 * job that was on the card ends %AIMC_JOB_ABORTED.  A bus that never
 * gives the card back (recovery failed: the PCI core then calls no driver
 * callback at all) leaves it dead after AIMC_EXT_RESET_MS, its jobs
 * failed, rather than waiters asleep for ever.
 */
#include <drm/drm_print.h>

#include "aimc_compat.h"
#include "aimc_job.h"

/* PCIe error recovery with a link reset takes about a second. */
#define AIMC_EXT_RESET_MS	10000

/**
 * aimc_ring_restart - reset the card, fail what was on it, start the ring
 * @adev: the card, paused or stopped; the caller holds sched_lock
 *
 * The reset is counted and the stream slots' state is marked lost before
 * any fence signals (a waiter that sees its job fail sees those too).
 * A card that does not come back is dead.
 *
 * Return: 0, or the error with which the card stayed down.
 */
int aimc_ring_restart(struct aimc_device *adev)
{
	int ret;

	lockdep_assert_held(&adev->sched_lock);
	ret = aimc_hw_reset(&adev->bus);
	adev->stats.resets++;
	aimc_resv_lose_slot_state(adev);
	aimc_ring_fail_all(adev, AIMC_JOB_ABORTED);
	if (!ret)
		ret = aimc_ring_hw_start(adev);
	if (ret) {
		drm_err(&adev->drm, "card did not recover (%d); it stays down\n", ret);
		adev->dead = true;
	}
	return ret;
}

/* The card is gone: fail what was on it; the scheduler ends the rest. */
static void aimc_ring_gone(struct aimc_device *adev)
{
	lockdep_assert_held(&adev->sched_lock);
	aimc_ring_fail_all(adev, AIMC_JOB_ABORTED);
	adev->dead = true;
}

static void aimc_reset_watchdog(struct work_struct *work)
{
	struct aimc_device *adev = container_of(to_delayed_work(work),
						struct aimc_device, reset_watchdog);
	bool expired;

	mutex_lock(&adev->sched_lock);
	expired = adev->paused;
	if (expired) {
		drm_err(&adev->drm, "card not back %u ms after a reset from outside the driver: failing its jobs\n",
			AIMC_EXT_RESET_MS);
		adev->paused = false;
		if (!adev->dead)
			aimc_ring_gone(adev);
	}
	mutex_unlock(&adev->sched_lock);
	/* Jobs the scheduler still holds run on a dead card: they end. */
	if (expired)
		aimc_drm_sched_start(&adev->sched);
}

/**
 * aimc_reset_init - set up the external reset's watchdog
 * @adev: the card, being probed
 */
void aimc_reset_init(struct aimc_device *adev)
{
	INIT_DELAYED_WORK(&adev->reset_watchdog, aimc_reset_watchdog);
}

/**
 * aimc_reset_fini - the card is being removed: no reset is waited for
 * @adev: the card, unplugged
 *
 * A reset from outside the driver that never finished leaves the card
 * paused: the removal (aimc_job_fini()) stops the card and fails the jobs.
 */
void aimc_reset_fini(struct aimc_device *adev)
{
	cancel_delayed_work_sync(&adev->reset_watchdog);
	mutex_lock(&adev->sched_lock);
	adev->paused = false;
	mutex_unlock(&adev->sched_lock);
}

/**
 * aimc_device_reset_prepare - keep off the card while it is reset from outside
 * @adev: the card
 *
 * For the resets the driver does not start itself: a PCI function-level
 * reset (sysfs reset), PCIe error recovery.  Until aimc_device_reset_done()
 * no job reaches the ring, nothing polls, times out or resets the card,
 * and its interrupts are masked; jobs stay where they are (the card may
 * still work on them until the reset stops it).  If the card is not given
 * back within AIMC_EXT_RESET_MS it is taken for lost (every job fails).
 */
void aimc_device_reset_prepare(struct aimc_device *adev)
{
	drm_sched_stop(&adev->sched, NULL);
	mutex_lock(&adev->sched_lock);
	adev->paused = true;
	mutex_unlock(&adev->sched_lock);
	cancel_delayed_work_sync(&adev->poll_work);
	if (!adev->dead)
		aimc_irq_mask_sync(adev);
	mod_delayed_work(system_wq, &adev->reset_watchdog,
			 msecs_to_jiffies(AIMC_EXT_RESET_MS));
}

/**
 * aimc_device_reset_done - the card was reset from outside the driver
 * @adev: the card, reachable again after aimc_device_reset_prepare()
 *
 * What the driver's own recovery does after its reset: the reset is
 * counted, the stream slots' state is marked lost, every job that was on
 * the card ends %AIMC_JOB_ABORTED (the card stopped in it), the ring is
 * programmed again and the scheduler puts the jobs not yet run on it.
 *
 * Return: 0, or the error with which the card stayed down (it is then
 * dead: the jobs not yet run end at once, submits get -ENODEV).
 */
int aimc_device_reset_done(struct aimc_device *adev)
{
	int ret = -ENODEV;

	cancel_delayed_work_sync(&adev->reset_watchdog);
	mutex_lock(&adev->sched_lock);
	adev->paused = false;
	if (!adev->dead) {
		drm_info(&adev->drm, "card reset from outside the driver: aborting %u jobs on it\n",
			 adev->stats.jobs_inflight);
		ret = aimc_ring_restart(adev);
	}
	mutex_unlock(&adev->sched_lock);
	aimc_drm_sched_start(&adev->sched);
	return ret;
}

/**
 * aimc_device_lost - the bus says the card is gone for good
 * @adev: the card, after aimc_device_reset_prepare() or not
 *
 * For a permanent bus failure (PCIe error recovery gave up): every job
 * ends %AIMC_JOB_ABORTED now and submits get -ENODEV, as when the driver
 * finds the card gone itself; the bus glue's removal follows.
 */
void aimc_device_lost(struct aimc_device *adev)
{
	bool stopped;

	cancel_delayed_work_sync(&adev->reset_watchdog);
	mutex_lock(&adev->sched_lock);
	stopped = adev->paused;
	adev->paused = false;
	if (!adev->dead)
		aimc_ring_gone(adev);
	mutex_unlock(&adev->sched_lock);
	cancel_delayed_work_sync(&adev->poll_work);
	if (stopped)
		aimc_drm_sched_start(&adev->sched);
}
