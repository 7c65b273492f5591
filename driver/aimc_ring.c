// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The card's command ring: writing a job's descriptors and ringing the
 * doorbell (the scheduler's run_job, aimc_sched.c), retiring what the
 * card completed, and the completion poll.
 *
 * Retiring signals job fences, so it is a fence-signalling critical
 * section (annotated for lockdep): nothing in it allocates, takes a
 * reservation lock, unpins or unmaps.  Buffers are released after the
 * fence, by the scheduler's free_job, in a context that may sleep.
 *
 * The poll: while jobs are on the ring a delayed work runs at least every
 * AIMC_POLL_MS and retires whatever the card has written back.  A lost
 * completion interrupt then costs a job AIMC_POLL_MS, not the job timeout
 * (nothing at all when its waiter arrives after the card finished: WAIT
 * retires before it sleeps), and a vector disabled to contain an
 * interrupt storm (aimc_irq.c) loses nothing.  The poll also notices a
 * card that left the bus (its registers read all-ones) and fails what
 * was on it at once: no reset can bring it back.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <drm/drm_print.h>

#include "aimc_job.h"

/* Completion poll period while the ring is busy. */
#define AIMC_POLL_MS	100

/**
 * aimc_ring_hw_start - program the ring into the card and start it
 * @adev: the card, reset; the caller holds sched_lock (or probes)
 *
 * Return: 0, or -EIO if the card refuses the ring.
 */
int aimc_ring_hw_start(struct aimc_device *adev)
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

static void aimc_ring_arm_poll(struct aimc_device *adev)
{
	struct aimc_job *head;

	head = list_first_entry_or_null(&adev->inflight, struct aimc_job, ring_node);
	if (!head)
		return;
	if (!head->head_ns)
		head->head_ns = ktime_get_ns();
	mod_delayed_work(adev->wq, &adev->poll_work, msecs_to_jiffies(AIMC_POLL_MS));
}

/*
 * End a job on the ring: record how, signal its fence.  Its buffers stay
 * mapped until the scheduler frees the job.  The caller holds sched_lock
 * and is in a fence-signalling section.
 */
static void aimc_ring_end(struct aimc_device *adev, struct aimc_job *job,
			  u32 status, u32 device_status, u32 failed_cmd)
{
	list_del_init(&job->ring_node);
	adev->stats.jobs_inflight--;
	if (job->head_ns)
		job->engine_ns = ktime_get_ns() - job->head_ns;
	aimc_job_end(job, status, device_status, failed_cmd);
}

/*
 * Write the new tail; returns whether the card interrupted meanwhile.
 *
 * A card can finish short descriptors before the doorbell write returns
 * (the emulator runs them in the write, a fast card could too), and its
 * interrupt then finds the retiring work's lock held by the caller.  So
 * that it costs no extra thread, an interrupt that sees @ringing only
 * sets cpl_pending, and the caller retires.  The barrier pairs with
 * aimc_ring_irq()'s: either the handler sees @ringing clear and queues
 * done_work, or this sees cpl_pending set.
 */
static bool aimc_ring_doorbell(struct aimc_device *adev)
{
	WRITE_ONCE(adev->ringing, true);
	aimc_hw_write(&adev->bus, AIMC_REG_RING_TAIL, adev->ring.tail);
	/* ringing cleared before cpl_pending is read; pairs with aimc_ring_irq() */
	smp_store_mb(adev->ringing, false);
	return test_and_clear_bit(0, &adev->cpl_pending);
}

/**
 * aimc_ring_push - put a job's descriptors on the ring and ring the doorbell
 * @adev: the card; the caller holds sched_lock
 * @job: the scheduler's next job; its credits guarantee it fits
 *
 * What the card completes during the doorbell write is retired here.
 */
void aimc_ring_push(struct aimc_device *adev, struct aimc_job *job)
{
	struct aimc_ring *ring = &adev->ring;
	bool cookie;
	u32 i;

	lockdep_assert_held(&adev->sched_lock);
	job->ring_first = ring->tail;
	for (i = 0; i < job->ncmds; i++)
		ring->descs[(ring->tail + i) & (ring->size - 1)] = job->descs[i];
	ring->tail += job->ncmds;
	list_add_tail(&job->ring_node, &adev->inflight);
	job->ran = true;
	atomic_dec(&adev->jobs_queued);
	adev->stats.jobs_inflight++;
	/* Descriptors must be visible before the card sees the new tail. */
	dma_wmb();
	if (aimc_ring_doorbell(adev)) {
		cookie = dma_fence_begin_signalling();
		adev->stats.jobs_at_doorbell += aimc_ring_retire(adev);
		dma_fence_end_signalling(cookie);
	}
	aimc_ring_arm_poll(adev);
}

/**
 * aimc_ring_retire - end the jobs whose descriptors the card all completed
 * @adev: the card; the caller holds sched_lock, in a signalling section
 *
 * Return: how many jobs it ended.
 */
u32 aimc_ring_retire(struct aimc_device *adev)
{
	struct aimc_ring *ring = &adev->ring;
	struct aimc_job *job, *tmp;
	u32 head, retired = 0;

	lockdep_assert_held(&adev->sched_lock);
	if (adev->dead)
		return 0;
	head = le32_to_cpu(READ_ONCE(ring->cpl[AIMC_CPL_HEAD_OFFSET / 4]));
	/* Statuses up to head are valid once head is. */
	dma_rmb();
	if (head - ring->done > ring->tail - ring->done) {
		drm_err_once(&adev->drm, "card reports head %u outside %u..%u\n",
			     head, ring->done, ring->tail);
		return 0;
	}
	list_for_each_entry_safe(job, tmp, &adev->inflight, ring_node) {
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
		aimc_ring_end(adev, job, status, device_status, failed);
		retired++;
	}
	ring->done = head;
	aimc_ring_arm_poll(adev);
	return retired;
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
	bool cookie = dma_fence_begin_signalling();

	aimc_ring_retire(adev);
	dma_fence_end_signalling(cookie);
}

/**
 * aimc_ring_job_done - whether the card completed a job, retiring it if so
 * @adev: the card; the caller holds sched_lock
 * @job: a job the scheduler ran
 */
bool aimc_ring_job_done(struct aimc_device *adev, struct aimc_job *job)
{
	aimc_ring_reap(adev);
	return dma_fence_is_signaled(job->fence);
}

/**
 * aimc_ring_fail_all - end every job on the ring: the card was reset or lost
 * @adev: the card, stopped; the caller holds sched_lock
 * @first_status: status of the job at the ring's head (%AIMC_JOB_TIMED_OUT
 *		  when it hung); the others are %AIMC_JOB_ABORTED
 */
void aimc_ring_fail_all(struct aimc_device *adev, u32 first_status)
{
	struct aimc_job *job, *tmp;
	bool cookie = dma_fence_begin_signalling();
	u32 status = first_status;

	lockdep_assert_held(&adev->sched_lock);
	list_for_each_entry_safe(job, tmp, &adev->inflight, ring_node) {
		aimc_ring_end(adev, job, status, 0, 0);
		status = AIMC_JOB_ABORTED;
	}
	dma_fence_end_signalling(cookie);
}

static void aimc_done_work(struct work_struct *work)
{
	struct aimc_device *adev = container_of(work, struct aimc_device, done_work);

	mutex_lock(&adev->sched_lock);
	clear_bit(0, &adev->cpl_pending);
	if (!adev->paused)
		aimc_ring_reap(adev);
	mutex_unlock(&adev->sched_lock);
}

/*
 * The card left the bus: nothing on the ring will complete and no reset
 * can help.  Fail the ring's jobs now; the scheduler's next jobs find the
 * card dead and fail at once (aimc_sched.c), submitting gets -ENODEV from
 * here on, and the bus glue's removal does the rest.
 */
static void aimc_ring_lost(struct aimc_device *adev)
{
	drm_err(&adev->drm, "card no longer answers (surprise removal?): failing its jobs\n");
	aimc_ring_fail_all(adev, AIMC_JOB_ABORTED);
	adev->dead = true;
}

static void aimc_poll_work(struct work_struct *work)
{
	struct aimc_device *adev = container_of(to_delayed_work(work),
						struct aimc_device, poll_work);
	bool cookie;

	mutex_lock(&adev->sched_lock);
	/* Paused: the card is being reset or is powered down. */
	if (adev->dead || adev->paused)
		goto out;
	if (aimc_hw_gone(&adev->bus)) {
		aimc_ring_lost(adev);
		goto out;
	}
	/* Retired here rather than on an interrupt: one was lost or off. */
	cookie = dma_fence_begin_signalling();
	adev->stats.jobs_polled += aimc_ring_retire(adev);
	dma_fence_end_signalling(cookie);
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
 * aimc_ring_init - allocate the ring and start the card processing it
 * @adev: the card, reset, capabilities read
 *
 * Return: 0 or a negative errno; undone by aimc_ring_fini().
 */
int aimc_ring_init(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;
	struct aimc_ring *ring = &adev->ring;
	int ret;

	INIT_LIST_HEAD(&adev->inflight);
	INIT_WORK(&adev->done_work, aimc_done_work);
	INIT_DELAYED_WORK(&adev->poll_work, aimc_poll_work);
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
	aimc_ring_fini(adev);
	return ret;
}

/**
 * aimc_ring_fini - stop the poll and free the ring
 * @adev: the card; nothing is on the ring, the card is stopped
 */
void aimc_ring_fini(struct aimc_device *adev)
{
	struct device *dev = adev->bus.dev;
	struct aimc_ring *ring = &adev->ring;

	if (adev->wq) {
		cancel_delayed_work_sync(&adev->poll_work);
		cancel_work_sync(&adev->done_work);
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
