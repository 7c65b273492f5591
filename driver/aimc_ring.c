// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The command ring: putting ready jobs on it, retiring completed ones,
 * and recovering from a hung card.
 *
 * Timeouts are handled here rather than by drm_sched: the card runs one
 * ring in order, so only the job at the ring's head can be hung, and the
 * only recovery is a full card reset that also loses the stream slots'
 * state.  A timer on the head job, a reset, and failing what was on the
 * ring with a status userspace can read is all that needs; drm_sched's
 * entity/run-queue machinery and resubmission would add nothing but API
 * churn across the kernels this driver builds for.
 *
 * The head job's deadline starts when it reaches the head of the ring,
 * so a job is not charged for the time spent behind others.
 *
 * The same delayed work also polls: while jobs are on the ring it runs at
 * least every AIMC_POLL_MS and retires whatever the card has written
 * back.  A lost completion interrupt then costs a job AIMC_POLL_MS, not
 * the whole job timeout (nothing at all when its waiter arrives after the
 * card finished: WAIT retires before it sleeps), and a vector disabled to
 * contain an interrupt storm (aimc_irq.c) loses nothing.  The poll also
 * notices a card that left the bus (its registers read all-ones) and
 * fails what was on it at once: no reset can bring it back.
 */
#include <linux/dma-mapping.h>
#include <linux/moduleparam.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "aimc_job.h"

/* Completion poll period while the ring is busy. */
#define AIMC_POLL_MS	100

unsigned int aimc_job_timeout_ms = 5000;
module_param_named(job_timeout_ms, aimc_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "A job running longer than this on the card fails and the card is reset (default 5000)");

static u32 aimc_ring_free(const struct aimc_ring *ring)
{
	return ring->size - (ring->tail - ring->done);
}

/* Program the ring into the card after probe or a reset, and start it. */
static int aimc_ring_hw_start(struct aimc_device *adev)
{
	const struct aimc_bus *bus = &adev->bus;
	struct aimc_ring *ring = &adev->ring;

	memset(ring->cpl, 0, AIMC_CPL_AREA_BYTES(ring->size));
	ring->tail = 0;
	ring->done = 0;
	aimc_hw_write(bus, AIMC_REG_RING_BASE_LO, lower_32_bits(ring->descs_dma));
	aimc_hw_write(bus, AIMC_REG_RING_BASE_HI, upper_32_bits(ring->descs_dma));
	aimc_hw_write(bus, AIMC_REG_RING_SIZE, ring->size);
	aimc_hw_write(bus, AIMC_REG_CPL_ADDR_LO, lower_32_bits(ring->cpl_dma));
	aimc_hw_write(bus, AIMC_REG_CPL_ADDR_HI, upper_32_bits(ring->cpl_dma));
	aimc_hw_write(bus, AIMC_REG_CONTROL, AIMC_CONTROL_ENABLE);
	if (!(aimc_hw_read(bus, AIMC_REG_CONTROL) & AIMC_CONTROL_ENABLE)) {
		drm_err(&adev->drm, "card refused the ring (error %#x)\n",
			aimc_hw_read(bus, AIMC_REG_ERR_CODE));
		return -EIO;
	}
	aimc_hw_write(bus, AIMC_REG_INT_MASK, 0);
	return 0;
}

static u32 aimc_ring_retire(struct aimc_device *adev);

static void aimc_ring_arm_timeout(struct aimc_device *adev)
{
	struct aimc_job *head;

	head = list_first_entry_or_null(&adev->inflight, struct aimc_job, dev_node);
	if (!head)
		return;
	if (!head->deadline) {
		head->deadline = jiffies + msecs_to_jiffies(aimc_job_timeout_ms);
		head->head_ns = ktime_get_ns();
	}
	mod_delayed_work(adev->wq, &adev->timeout_work,
			 min(time_after(head->deadline, jiffies) ?
			     head->deadline - jiffies : 0,
			     msecs_to_jiffies(AIMC_POLL_MS)));
}

/*
 * Write the new tail; returns whether the card interrupted meanwhile.
 *
 * A card can finish short descriptors before the doorbell write returns
 * (the emulator runs them in the write, a fast card could too), and its
 * interrupt then finds the retiring work's lock held by the caller.  So
 * that it costs no extra thread, an interrupt that sees @ringing only
 * sets cpl_pending, and the caller retires.  The barrier pairs with
 * aimc_job_irq()'s: either the handler sees @ringing clear and queues
 * done_work, or this sees cpl_pending set.  (An interrupt on another
 * CPU that misses @ringing being set only queues done_work needlessly.)
 */
static bool aimc_ring_doorbell(struct aimc_device *adev)
{
	WRITE_ONCE(adev->ringing, true);
	aimc_hw_write(&adev->bus, AIMC_REG_RING_TAIL, adev->ring.tail);
	/* ringing cleared before cpl_pending is read; pairs with aimc_job_irq() */
	smp_store_mb(adev->ringing, false);
	return test_and_clear_bit(0, &adev->cpl_pending);
}

/**
 * aimc_ring_fill - put ready queued jobs on the ring and ring the doorbell
 * @adev: the card; the caller holds sched_lock
 *
 * Jobs still waiting for in-fences do not hold up ready ones behind them;
 * a ready job that does not fit stops the scan so jobs keep their order.
 * What the card completes during the doorbell write is retired here.
 */
void aimc_ring_fill(struct aimc_device *adev)
{
	struct aimc_ring *ring = &adev->ring;
	struct aimc_job *job, *tmp;
	bool added;
	u32 i;

	lockdep_assert_held(&adev->sched_lock);
again:
	if (adev->dead)
		return;
	added = false;
	list_for_each_entry_safe(job, tmp, &adev->queue, dev_node) {
		if (atomic_read(&job->deps_pending))
			continue;
		if (aimc_ring_free(ring) < job->ncmds)
			break;
		job->ring_first = ring->tail;
		for (i = 0; i < job->ncmds; i++) {
			u32 slot = (ring->tail + i) & (ring->size - 1);

			ring->descs[slot] = job->descs[i];
		}
		ring->tail += job->ncmds;
		job->on_ring = true;
		list_move_tail(&job->dev_node, &adev->inflight);
		adev->stats.jobs_queued--;
		adev->stats.jobs_inflight++;
		added = true;
	}
	if (!added)
		return;
	/* Descriptors must be visible before the card sees the new tail. */
	dma_wmb();
	if (aimc_ring_doorbell(adev)) {
		adev->stats.jobs_at_doorbell += aimc_ring_retire(adev);
		/* Retiring made room: the queue may have more to put on. */
		goto again;
	}
	aimc_ring_arm_timeout(adev);
}

/* Retire jobs whose descriptors the card has all completed; returns how many. */
static u32 aimc_ring_retire(struct aimc_device *adev)
{
	struct aimc_ring *ring = &adev->ring;
	struct aimc_job *job, *tmp;
	u32 head, retired = 0;

	lockdep_assert_held(&adev->sched_lock);
	head = le32_to_cpu(READ_ONCE(ring->cpl[AIMC_CPL_HEAD_OFFSET / 4]));
	/* Statuses up to head are valid once head is. */
	dma_rmb();
	if (head - ring->done > ring->tail - ring->done) {
		drm_err_once(&adev->drm, "card reports head %u outside %u..%u\n",
			     head, ring->done, ring->tail);
		return 0;
	}
	list_for_each_entry_safe(job, tmp, &adev->inflight, dev_node) {
		u32 status = AIMC_JOB_DONE, device_status = 0, failed = 0, i;

		if (head - job->ring_first < job->ncmds)
			break;
		for (i = 0; i < job->ncmds; i++) {
			u32 slot = (job->ring_first + i) & (ring->size - 1);
			u32 st = le32_to_cpu(ring->cpl[AIMC_CPL_STATUS_OFFSET / 4 + slot]);

			if (st != AIMC_ST_OK) {
				status = AIMC_JOB_DEVICE_ERROR;
				device_status = st;
				failed = i;
				break;
			}
		}
		adev->stats.jobs_inflight--;
		aimc_job_finish(job, status, device_status, failed);
		retired++;
	}
	ring->done = head;
	aimc_ring_arm_timeout(adev);
	return retired;
}

/*
 * Reset the card and fail everything that was on the ring: the job at
 * the head timed out, the rest are aborted by the reset.  Queued jobs
 * stay queued and run on the fresh ring.
 */
static void aimc_ring_recover(struct aimc_device *adev)
{
	struct aimc_job *job, *tmp;
	u32 status = AIMC_JOB_TIMED_OUT;
	int ret;

	job = list_first_entry(&adev->inflight, struct aimc_job, dev_node);
	drm_err(&adev->drm, "job %llu hung for %u ms: resetting the card\n",
		job->id, aimc_job_timeout_ms);
	ret = aimc_hw_reset(&adev->bus);
	/*
	 * Before any fence is signalled: a waiter that sees its job fail
	 * must also see the reset and the lost slot state.
	 */
	adev->stats.resets++;
	aimc_resv_lose_slot_state(adev);
	list_for_each_entry_safe(job, tmp, &adev->inflight, dev_node) {
		adev->stats.jobs_inflight--;
		aimc_job_finish(job, status, 0, 0);
		status = AIMC_JOB_ABORTED;
	}
	if (!ret)
		ret = aimc_ring_hw_start(adev);
	if (ret) {
		drm_err(&adev->drm, "card did not recover (%d); it stays down\n", ret);
		adev->dead = true;
		list_for_each_entry_safe(job, tmp, &adev->queue, dev_node)
			aimc_job_cancel(job);
	}
}

/**
 * aimc_ring_reap - retire what the card has completed, without waiting
 * @adev: the card; the caller holds sched_lock
 *
 * A waiter calls this before it sleeps: when the card finished the job
 * before its interrupt's work could run, the waiter retires it itself
 * and does not sleep at all.
 */
void aimc_ring_reap(struct aimc_device *adev)
{
	lockdep_assert_held(&adev->sched_lock);
	if (adev->dead)
		return;
	aimc_ring_retire(adev);
	aimc_ring_fill(adev);
}

static void aimc_run_work(struct work_struct *work)
{
	struct aimc_device *adev = container_of(work, struct aimc_device, run_work);

	mutex_lock(&adev->sched_lock);
	aimc_ring_fill(adev);
	mutex_unlock(&adev->sched_lock);
}

static void aimc_done_work(struct work_struct *work)
{
	struct aimc_device *adev = container_of(work, struct aimc_device, done_work);

	mutex_lock(&adev->sched_lock);
	clear_bit(0, &adev->cpl_pending);
	if (!adev->dead) {
		aimc_ring_retire(adev);
		aimc_ring_fill(adev);
	}
	mutex_unlock(&adev->sched_lock);
}

/*
 * The card left the bus: nothing on the ring will complete and no reset
 * can help.  Fail every job now; submitting gets -ENODEV from here on,
 * and the bus glue's removal does the rest.
 */
static void aimc_ring_lost(struct aimc_device *adev)
{
	struct aimc_job *job, *tmp;

	drm_err(&adev->drm, "card no longer answers (surprise removal?): failing its jobs\n");
	adev->dead = true;
	list_for_each_entry_safe(job, tmp, &adev->inflight, dev_node) {
		adev->stats.jobs_inflight--;
		aimc_job_finish(job, AIMC_JOB_ABORTED, 0, 0);
	}
	list_for_each_entry_safe(job, tmp, &adev->queue, dev_node)
		aimc_job_cancel(job);
}

static void aimc_timeout_work(struct work_struct *work)
{
	struct aimc_device *adev = container_of(to_delayed_work(work),
						struct aimc_device, timeout_work);
	struct aimc_job *head;

	mutex_lock(&adev->sched_lock);
	if (adev->dead)
		goto out;
	if (aimc_hw_gone(&adev->bus)) {
		aimc_ring_lost(adev);
		goto out;
	}
	/* Retired here rather than on an interrupt: one was lost or off. */
	adev->stats.jobs_polled += aimc_ring_retire(adev);
	head = list_first_entry_or_null(&adev->inflight, struct aimc_job, dev_node);
	if (head && time_after_eq(jiffies, head->deadline)) {
		aimc_ring_recover(adev);
		aimc_ring_fill(adev);
	}
out:
	mutex_unlock(&adev->sched_lock);
}

/**
 * aimc_job_irq - the card raised an interrupt: retire completed jobs
 * @adev: the card
 *
 * Called from hard interrupt context.  During a doorbell write the
 * writer retires (aimc_ring_doorbell()).
 */
void aimc_job_irq(struct aimc_device *adev)
{
	set_bit(0, &adev->cpl_pending);
	/* cpl_pending set before ringing is read; pairs with aimc_ring_doorbell() */
	smp_mb__after_atomic();
	if (!READ_ONCE(adev->ringing))
		queue_work(adev->wq, &adev->done_work);
}

/**
 * aimc_job_init - set up the ring and start the card processing it
 * @adev: the card, reset, capabilities read
 *
 * Return: 0 or a negative errno; undone by aimc_job_fini().
 */
int aimc_job_init(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;
	struct aimc_ring *ring = &adev->ring;
	int ret;

	INIT_LIST_HEAD(&adev->queue);
	INIT_LIST_HEAD(&adev->inflight);
	INIT_WORK(&adev->run_work, aimc_run_work);
	INIT_WORK(&adev->done_work, aimc_done_work);
	INIT_DELAYED_WORK(&adev->timeout_work, aimc_timeout_work);
	ret = drmm_mutex_init(&adev->drm, &adev->sched_lock);
	if (ret)
		return ret;

	adev->wq = alloc_ordered_workqueue("aimc-%s", 0, dev_name(dev));
	if (!adev->wq)
		return -ENOMEM;
	ring->size = min_t(u32, AIMC_RING_SIZE, adev->caps.queue_depth);
	ring->descs = dma_alloc_coherent(dev, ring->size * sizeof(*ring->descs),
					 &ring->descs_dma, GFP_KERNEL);
	ring->cpl = dma_alloc_coherent(dev, AIMC_CPL_AREA_BYTES(ring->size),
				       &ring->cpl_dma, GFP_KERNEL);
	if (!ring->descs || !ring->cpl) {
		ret = -ENOMEM;
		goto err;
	}
	ret = aimc_ring_hw_start(adev);
	if (ret)
		goto err;
	return 0;
err:
	aimc_job_fini(adev);
	return ret;
}

/**
 * aimc_job_fini - stop the card and end every job; the card is going away
 * @adev: the card, unplugged, interrupts quiesced, registers still there
 *
 * Jobs the card completed are retired normally, the rest are aborted.
 * When this returns nothing is mapped for the card any more.
 */
void aimc_job_fini(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;
	struct aimc_ring *ring = &adev->ring;
	struct aimc_job *job, *tmp;

	mutex_lock(&adev->sched_lock);
	if (ring->cpl && !adev->dead)
		aimc_ring_retire(adev);
	adev->dead = true;
	/* The card must stop touching memory before it is unmapped. */
	aimc_hw_reset(&adev->bus);
	list_for_each_entry_safe(job, tmp, &adev->inflight, dev_node) {
		adev->stats.jobs_inflight--;
		aimc_job_finish(job, AIMC_JOB_ABORTED, 0, 0);
	}
	list_for_each_entry_safe(job, tmp, &adev->queue, dev_node)
		aimc_job_cancel(job);
	mutex_unlock(&adev->sched_lock);

	if (adev->wq) {
		cancel_delayed_work_sync(&adev->timeout_work);
		destroy_workqueue(adev->wq);
		adev->wq = NULL;
	}
	if (ring->descs)
		dma_free_coherent(dev, ring->size * sizeof(*ring->descs), ring->descs,
				  ring->descs_dma);
	if (ring->cpl)
		dma_free_coherent(dev, AIMC_CPL_AREA_BYTES(ring->size), ring->cpl,
				  ring->cpl_dma);
	ring->descs = NULL;
	ring->cpl = NULL;
}
