// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Scheduling on drm_sched: one scheduler for the card's one in-order
 * ring, one entity per open file.  The scheduler admits jobs by credits
 * (a job takes one per descriptor, the limit is the ring), runs them in
 * each file's order, times out the job at the ring's head (its timer
 * restarts when the job before it completes) and frees jobs after their
 * fence, in a context that may sleep.
 *
 * In-fences are waited for here, not by drm_sched: a job is armed and
 * pushed to its entity only once they all signalled, and jobs still
 * waiting are cancelled when their file closes.  drm_sched's own
 * dependency tracking cannot promise that close: Debian's 6.1 kills an
 * entity's queued jobs only after waiting, uninterruptibly, for each of
 * their dependencies (drm_sched_entity_kill_jobs()), so an in-fence that
 * never signals would hang close() for ever.  Pushing in order keeps
 * drm_sched's rule that a file's jobs run in submission order.
 *
 * Recovery: the timed-out job's card is reset, the job ends TIMED_OUT and
 * the others on the ring ABORTED, slot states are marked lost, and the
 * jobs not yet run stay queued and run on the fresh ring.
 */
#include <linux/module.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "aimc_compat.h"
#include "aimc_job.h"

static LIST_HEAD(aimc_devices);
static DEFINE_MUTEX(aimc_devices_lock);	/* protects aimc_devices */

static int aimc_job_timeout_set(const char *val, const struct kernel_param *kp)
{
	struct aimc_device *adev;
	int ret;

	ret = param_set_uint(val, kp);
	if (ret)
		return ret;
	mutex_lock(&aimc_devices_lock);
	list_for_each_entry(adev, &aimc_devices, node)
		aimc_sched_set_timeout(adev, aimc_job_timeout_ms);
	mutex_unlock(&aimc_devices_lock);
	return 0;
}

static const struct kernel_param_ops aimc_job_timeout_ops = {
	.set = aimc_job_timeout_set,
	.get = param_get_uint,
};

unsigned int aimc_job_timeout_ms = 5000;
module_param_cb(job_timeout_ms, &aimc_job_timeout_ops, &aimc_job_timeout_ms, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "A job longer than this at the head of the ring fails and the card is reset (default 5000)");

static long aimc_sched_timeout(unsigned int ms)
{
	return ms ? msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;
}

/**
 * aimc_sched_set_timeout - a new job timeout, from the next job on
 * @adev: the card
 * @ms: milliseconds, 0 for none
 *
 * The scheduler reads its timeout each time it arms the head job's timer.
 */
void aimc_sched_set_timeout(struct aimc_device *adev, unsigned int ms)
{
	WRITE_ONCE(adev->sched.timeout, aimc_sched_timeout(ms));
}

static struct dma_fence *aimc_sched_run_job(struct drm_sched_job *sched_job)
{
	struct aimc_job *job = to_aimc_job(sched_job);
	struct aimc_device *adev = job->adev;
	bool cookie;

	mutex_lock(&adev->sched_lock);
	if (adev->dead) {
		/* The card is gone: the job ends at once, as if aborted on it. */
		cookie = dma_fence_begin_signalling();
		aimc_job_end(job, AIMC_JOB_ABORTED, 0, 0);
		dma_fence_end_signalling(cookie);
	} else {
		aimc_ring_push(adev, job);
	}
	mutex_unlock(&adev->sched_lock);
	return dma_fence_get(job->fence);
}

/*
 * The head job ran past the timeout.  drm_sched took it off its pending
 * list for the handler; a job that completed after all (its interrupt
 * lost, the poll not yet run) goes back and nothing is reset.
 */
static enum drm_gpu_sched_stat aimc_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct aimc_job *job = to_aimc_job(sched_job);
	struct aimc_device *adev = job->adev;
	struct drm_gpu_scheduler *sched = &adev->sched;
	bool spurious;
	int ret;

	mutex_lock(&adev->sched_lock);
	/* Paused: a reset from outside the driver deals with the card. */
	spurious = adev->dead || adev->paused || aimc_ring_job_done(adev, job);
	mutex_unlock(&adev->sched_lock);
	if (spurious) {
		spin_lock(&sched->job_list_lock);
		list_add(&sched_job->list, &sched->pending_list);
		spin_unlock(&sched->job_list_lock);
		return DRM_GPU_SCHED_STAT_NOMINAL;
	}

	/* No new job reaches the ring, the jobs on it are detached. */
	drm_sched_stop(sched, sched_job);

	mutex_lock(&adev->sched_lock);
	drm_err(&adev->drm, "job %llu hung for %u ms: resetting the card\n",
		job->id, jiffies_to_msecs(READ_ONCE(sched->timeout)));
	ret = aimc_hw_reset(&adev->bus);
	/*
	 * Before any fence is signalled: a waiter that sees its job fail
	 * must also see the reset and the lost slot state.
	 */
	adev->stats.resets++;
	aimc_resv_lose_slot_state(adev);
	aimc_ring_fail_all(adev, AIMC_JOB_TIMED_OUT);
	if (!ret)
		ret = aimc_ring_hw_start(adev);
	if (ret) {
		drm_err(&adev->drm, "card did not recover (%d); it stays down\n", ret);
		adev->dead = true;
	}
	mutex_unlock(&adev->sched_lock);

	aimc_drm_sched_start(sched);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/* After the job's fence: give back what it holds, in a context that sleeps. */
static void aimc_sched_free_job(struct drm_sched_job *sched_job)
{
	struct aimc_job *job = to_aimc_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	job->sched_inited = false;
	aimc_job_release(job);
	aimc_job_put(job);
}

static const struct drm_sched_backend_ops aimc_sched_ops = {
	.run_job = aimc_sched_run_job,
	.timedout_job = aimc_sched_timedout_job,
	.free_job = aimc_sched_free_job,
};

/*
 * The scheduler dropped a job without running it (its entity was torn
 * down): end it, so that its fence, which userspace may hold, signals.
 * Runs under the finished fence's lock.
 */
static void aimc_job_finished_cb(struct dma_fence *finished, struct dma_fence_cb *cb)
{
	struct aimc_job *job = container_of(cb, struct aimc_job, finished_cb);

	if (!dma_fence_is_signaled(job->fence))
		aimc_job_end(job, AIMC_JOB_ABORTED, 0, 0);
}

/* Arm and push the file's ready jobs, oldest first; stops at one not ready. */
static void aimc_sched_push_ready(struct aimc_file *afile)
{
	struct aimc_job *job, *tmp;

	lockdep_assert_held(&afile->push_lock);
	list_for_each_entry_safe(job, tmp, &afile->waiting, wait_node) {
		if (atomic_read(&job->deps_pending))
			break;
		list_del_init(&job->wait_node);
		drm_sched_job_arm(&job->base);
		job->pushed = true;
		/* Not signalled yet: nothing ran the job. */
		WARN_ON(dma_fence_add_callback(&job->base.s_fence->finished,
					       &job->finished_cb,
					       aimc_job_finished_cb));
		drm_sched_entity_push_job(&job->base);
	}
}

static void aimc_sched_push_work(struct work_struct *work)
{
	struct aimc_file *afile = container_of(work, struct aimc_file, push_work);

	mutex_lock(&afile->push_lock);
	aimc_sched_push_ready(afile);
	mutex_unlock(&afile->push_lock);
}

static void aimc_job_dep_signalled(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct aimc_job_dep *dep = container_of(cb, struct aimc_job_dep, cb);

	if (atomic_dec_and_test(&dep->job->deps_pending))
		queue_work(system_wq, &dep->job->afile->push_work);
}

/**
 * aimc_sched_queue - hand a checked job to the scheduler
 * @job: the job, its id and bookkeeping in place
 *
 * The job is pushed to its file's entity once its in-fences signalled and
 * every earlier job of the file was pushed.
 *
 * Return: 0; the job cannot fail to queue from here on.
 */
int aimc_sched_queue(struct aimc_job *job)
{
	struct aimc_file *afile = job->afile;
	u32 i;

	mutex_lock(&afile->push_lock);
	list_add_tail(&job->wait_node, &afile->waiting);
	/* One extra count until every callback is installed. */
	atomic_set(&job->deps_pending, job->ndeps + 1);
	for (i = 0; i < job->ndeps; i++) {
		job->deps[i].job = job;
		if (dma_fence_add_callback(job->deps[i].fence, &job->deps[i].cb,
					   aimc_job_dep_signalled))
			atomic_dec(&job->deps_pending);
	}
	atomic_dec(&job->deps_pending);
	aimc_sched_push_ready(afile);
	mutex_unlock(&afile->push_lock);
	return 0;
}

/*
 * Take the file's jobs that wait for in-fences off their callbacks and
 * onto @cancelled.  When this returns no callback runs or will.
 */
static void aimc_sched_take_waiting(struct aimc_file *afile,
				    struct list_head *cancelled)
{
	struct aimc_job *job, *tmp;
	u32 i;

	mutex_lock(&afile->push_lock);
	list_for_each_entry_safe(job, tmp, &afile->waiting, wait_node) {
		for (i = 0; i < job->ndeps; i++)
			dma_fence_remove_callback(job->deps[i].fence, &job->deps[i].cb);
		list_move_tail(&job->wait_node, cancelled);
	}
	mutex_unlock(&afile->push_lock);
}

/* End jobs the scheduler never got, then free them. */
static void aimc_sched_cancel(struct list_head *cancelled)
{
	struct aimc_job *job, *tmp;
	bool cookie;

	list_for_each_entry_safe(job, tmp, cancelled, wait_node) {
		list_del_init(&job->wait_node);
		cookie = dma_fence_begin_signalling();
		aimc_job_end(job, AIMC_JOB_ABORTED, 0, 0);
		dma_fence_end_signalling(cookie);
		drm_sched_job_cleanup(&job->base);
		job->sched_inited = false;
		aimc_job_release(job);
		aimc_job_put(job);
	}
}

/**
 * aimc_sched_file_open - a file's scheduler entity
 * @afile: the new file
 *
 * Return: 0 or a negative errno.
 */
int aimc_sched_file_open(struct aimc_file *afile)
{
	struct drm_gpu_scheduler *sched = &afile->adev->sched;

	mutex_init(&afile->push_lock);
	INIT_LIST_HEAD(&afile->waiting);
	INIT_WORK(&afile->push_work, aimc_sched_push_work);
	return drm_sched_entity_init(&afile->entity, DRM_SCHED_PRIORITY_NORMAL,
				     &sched, 1, NULL);
}

/**
 * aimc_sched_file_close - a file closes: cancel what it has queued
 * @afile: the file
 *
 * Jobs waiting for in-fences are cancelled (ABORTED); jobs pushed but not
 * yet run are dropped by the scheduler (ABORTED too); jobs on the ring
 * cannot be recalled from the card: they finish (or time out) on their
 * own and then release what they hold.
 */
void aimc_sched_file_close(struct aimc_file *afile)
{
	LIST_HEAD(cancelled);

	aimc_sched_take_waiting(afile, &cancelled);
	cancel_work_sync(&afile->push_work);
	aimc_sched_cancel(&cancelled);
	drm_sched_entity_destroy(&afile->entity);
	mutex_destroy(&afile->push_lock);
}

static void aimc_sched_release(struct drm_device *drm, void *arg)
{
	struct aimc_device *adev = arg;

	drm_sched_fini(&adev->sched);
}

/**
 * aimc_sched_init - the card's scheduler
 * @adev: the card, its ring set up
 *
 * The scheduler lives as long as the DRM device: entities of files still
 * open after the card's removal refer to it until they close.
 *
 * Return: 0 or a negative errno.
 */
int aimc_sched_init(struct aimc_device *adev)
{
	u32 limit = adev->ring.size;
	int ret;

	if (!AIMC_SCHED_JOB_CREDITS)
		limit /= AIMC_MAX_JOB_CMDS;
	ret = aimc_drm_sched_init(&adev->sched, &aimc_sched_ops, limit,
				  aimc_sched_timeout(READ_ONCE(aimc_job_timeout_ms)),
				  dev_name(adev->bus.dev), adev->bus.dev);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(&adev->drm, aimc_sched_release, adev);
	if (ret)
		return ret;
	mutex_lock(&aimc_devices_lock);
	list_add_tail(&adev->node, &aimc_devices);
	mutex_unlock(&aimc_devices_lock);
	return 0;
}

/**
 * aimc_sched_fini - the card goes away: end every job, wait until freed
 * @adev: the card, unplugged, interrupts quiesced, registers still there
 *
 * Jobs the card completed are retired normally, the rest are aborted:
 * those waiting for in-fences, those on the ring, and those queued in
 * the entities of files still open, which the scheduler now runs on a
 * dead card (they end at once).  When this returns nothing is mapped for
 * the card any more.
 */
void aimc_sched_fini(struct aimc_device *adev)
{
	struct drm_gpu_scheduler *sched = &adev->sched;
	struct aimc_file *afile;
	LIST_HEAD(cancelled);

	mutex_lock(&aimc_devices_lock);
	list_del(&adev->node);
	mutex_unlock(&aimc_devices_lock);

	mutex_lock(&adev->sched_lock);
	list_for_each_entry(afile, &adev->files, node)
		aimc_sched_take_waiting(afile, &cancelled);
	mutex_unlock(&adev->sched_lock);
	aimc_sched_cancel(&cancelled);

	drm_sched_stop(sched, NULL);
	mutex_lock(&adev->sched_lock);
	if (adev->ring.cpl)
		aimc_ring_reap(adev);
	/* The card must stop touching memory before it is unmapped. */
	aimc_hw_reset(&adev->bus);
	aimc_ring_fail_all(adev, AIMC_JOB_ABORTED);
	adev->dead = true;
	mutex_unlock(&adev->sched_lock);
	aimc_drm_sched_start(sched);

	if (!wait_event_timeout(adev->jobs_freed, !atomic_read(&adev->jobs_alive),
				10 * HZ))
		drm_err(&adev->drm, "%d jobs still hold buffers after removal\n",
			atomic_read(&adev->jobs_alive));
}
