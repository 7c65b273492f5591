// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Job fences.  One per job: the scheduler's hardware fence (run_job()
 * returns it) and the fence userspace gets through syncobjs and
 * sync_files, which may hold it long after the job, the file, the card
 * and the module are gone.  So:
 *   - nothing a fence's callbacks read lives in the card or the file:
 *     names are constant strings, the lock is the fence's own;
 *   - the code and the callbacks' table live in this module, so each fence
 *     holds a reference on it: `rmmod aimc` fails with EBUSY while any
 *     fence exists (a sync_file in some process) and succeeds once the
 *     last is released.  The last reference is dropped by an RCU
 *     callback (the DMA fence core frees fences after a grace period
 *     anyway), and the module's exit waits for those with rcu_barrier(),
 *     so no callback runs in unloaded code.
 */
#include <linux/dma-fence.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "aimc_job.h"

struct aimc_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's own: it may outlive the card */
};

static const char *aimc_fence_driver_name(struct dma_fence *fence)
{
	return AIMC_DRIVER_NAME;
}

static const char *aimc_fence_timeline_name(struct dma_fence *fence)
{
	return "aimc-job";
}

static void aimc_fence_free_rcu(struct rcu_head *rcu)
{
	struct dma_fence *fence = container_of(rcu, struct dma_fence, rcu);

	kfree(container_of(fence, struct aimc_fence, base));
	module_put(THIS_MODULE);
}

static void aimc_fence_release(struct dma_fence *fence)
{
	call_rcu(&fence->rcu, aimc_fence_free_rcu);
}

static const struct dma_fence_ops aimc_fence_ops = {
	.get_driver_name = aimc_fence_driver_name,
	.get_timeline_name = aimc_fence_timeline_name,
	.release = aimc_fence_release,
};

/**
 * aimc_fence_create - a new, unsignalled job fence
 *
 * Called from an ioctl of this module, which therefore is live: taking a
 * reference on it cannot fail.  Each fence gets a context of its own: a
 * file's jobs can end in another order than they were submitted (a reset
 * aborts some, in-fences delay others), and fences of one context must
 * signal in sequence-number order.
 *
 * Return: the fence, or NULL without memory.
 */
struct dma_fence *aimc_fence_create(void)
{
	struct aimc_fence *f = kzalloc(sizeof(*f), GFP_KERNEL | __GFP_NOWARN);

	if (!f)
		return NULL;
	__module_get(THIS_MODULE);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &aimc_fence_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	return &f->base;
}

/**
 * aimc_fence_module_exit - wait for the release of the last fences
 *
 * The module's refcount reached zero inside aimc_fence_free_rcu(), which
 * still has to return: let every pending RCU callback finish.
 */
void aimc_fence_module_exit(void)
{
	rcu_barrier();
}
