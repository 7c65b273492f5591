/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The device-independent core of aimc.ko.
 */
#ifndef AIMC_DRV_H
#define AIMC_DRV_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <drm/drm_device.h>
#include <drm/gpu_scheduler.h>
#include <drm/aimc_accel.h>

#include "aimc_hw.h"
#include "aimc_hw_check.h"

#define AIMC_DRIVER_NAME	"aimc"

/*
 * The driver's limits; userspace reads them as params, so they may change
 * without an ABI change.
 */
/* Commands one job may carry; a job must fit the ring. */
#define AIMC_MAX_JOB_CMDS	64
/* Bytes of EXEC programs one job may carry (copied into kernel memory). */
#define AIMC_MAX_JOB_PROG_BYTES	(256 * 1024)
/* Unfinished jobs one file may have. */
#define AIMC_MAX_FILE_JOBS	256
/* In-syncs (and out-syncs) one job may name. */
#define AIMC_MAX_IN_SYNCS	16
/* Largest buffer BO_CREATE makes. */
#define AIMC_MAX_BO_SIZE	(256ull << 20)
/* Finished jobs a file remembers for WAIT. */
#define AIMC_JOB_HISTORY	1024
/* The ring the driver sets up (at most the card's queue depth). */
#define AIMC_RING_SIZE		1024

struct aimc_file;
struct dentry;

/**
 * struct aimc_ring - the command ring and its completion write-back
 * @descs: the descriptors, coherent DMA memory
 * @descs_dma: their DMA address
 * @cpl: completion area (AIMC_CPL_* layout), coherent DMA memory
 * @cpl_dma: its DMA address
 * @size: descriptors, a power of two
 * @tail: counter of the next descriptor to write
 * @done: counter up to which completions have been processed
 */
struct aimc_ring {
	struct aimc_hw_desc *descs;
	dma_addr_t descs_dma;
	__le32 *cpl;
	dma_addr_t cpl_dma;
	u32 size;
	u32 tail;
	u32 done;
};

/**
 * struct aimc_resource - ownership of one tile or stream slot
 * @owner: the file that reserved it, or NULL
 * @users: unfinished jobs that name it; while non-zero nobody else may
 *	   reserve it, even after its owner released it
 * @state_lost: slots only: a card reset wiped the state its owner built
 */
struct aimc_resource {
	struct aimc_file *owner;
	u32 users;
	bool state_lost;
};

/**
 * struct aimc_stats - driver counters, shown in debugfs and sysfs
 *
 * Protected by &aimc_device.sched_lock; aimc_stats_snapshot() adds the
 * counters a job's end updates without it (&aimc_device.jobs_done...).
 */
struct aimc_stats {
	u32 jobs_queued;
	u32 jobs_inflight;
	u64 jobs_done;
	u64 jobs_failed;
	u32 pinned_operands;
	u32 resets;
	u32 files;
	u64 jobs_polled;
	u64 jobs_at_doorbell;
	u32 suspends;
	u32 resumes;
};

/**
 * struct aimc_device - one AIMC card
 * @drm: the DRM device; the struct lives as long as it does, which may be
 *	 longer than the card when files are still open after removal
 * @bus: register access, DMA device and IRQs; only valid between
 *	 drm_dev_enter() and drm_dev_exit(), or before drm_dev_unplug()
 * @caps: capabilities read at probe
 * @limits: the card's size as the shared validator takes it (from @caps)
 * @irq_count: interrupts handled, per vector
 * @irq_spurious: interrupts that found nothing pending, all vectors
 * @irq_storm: per vector, spurious interrupts in the current burst and
 *	       when the last one came (only touched by that vector's
 *	       handler, which never runs concurrently with itself)
 * @irq_off: vectors the driver disabled to contain a storm (bit per vector)
 * @irq_storms: how often a vector was disabled that way
 * @irq_stopping: set while the interrupts are being quiesced
 * @irq_rearm_work: re-enables vectors disabled by a storm
 * @resv_lock: protects @tiles and @slots
 * @tiles: ownership of each tile
 * @slots: ownership of each stream slot
 * @sched_lock: protects the ring, @inflight, @stats, @files and every
 *	       file's job bookkeeping; taken before @resv_lock and before a
 *	       file's &aimc_file.push_lock; never held while waiting for a
 *	       fence
 * @sched: the scheduler: jobs of every file's entity onto the one ring,
 *	   credits (descriptors) for admission, the head job's timeout
 * @inflight: jobs on the ring, in ring order
 * @ring: the command ring
 * @wq: ordered workqueue for @done_work and @poll_work
 * @done_work: retires completed jobs after an interrupt
 * @poll_work: retires what interrupts missed, notices a card gone
 * @ringing: aimc_ring_push() is writing the doorbell; an interrupt then
 *	     leaves the retiring to it instead of queueing @done_work
 * @cpl_pending: bit 0: an interrupt reported completions not yet retired
 * @paused: a bus glue has the card (a reset from outside the driver, a
 *	    runtime suspend): no job reaches the ring, the poll and the
 *	    interrupts' work leave the card alone, the job timeout does not
 *	    reset it (aimc_reset.c, aimc_pm.c); protected by @sched_lock
 * @reset_watchdog: takes the card for lost if a reset from outside the
 *		    driver does not give it back (aimc_reset.c)
 * @dead: the card is gone or removed; nothing may touch @bus any more
 * @jobs_queued: jobs submitted, not yet on the ring nor ended
 * @jobs_done: jobs that ended with %AIMC_JOB_DONE
 * @jobs_failed: jobs that ended otherwise
 * @jobs_alive: jobs not yet freed; removal waits for zero on @jobs_freed
 * @jobs_freed: woken when a job is freed
 * @stats: counters
 * @files: open files (&aimc_file.node), protected by @sched_lock
 * @node: in the module's list of cards (aimc_job_timeout_ms updates)
 */
struct aimc_device {
	struct drm_device drm;
	struct aimc_bus bus;
	struct aimc_caps caps;
	struct aimc_hw_limits limits;
	atomic64_t irq_count[AIMC_NUM_VECTORS];
	atomic64_t irq_spurious;
	struct {
		u32 burst;
		unsigned long last;
	} irq_storm[AIMC_NUM_VECTORS];
	unsigned long irq_off;
	atomic_t irq_storms;
	bool irq_stopping;
	struct delayed_work irq_rearm_work;

	struct mutex resv_lock;	/* see above */
	struct aimc_resource *tiles;
	struct aimc_resource *slots;

	struct mutex sched_lock;	/* see above */
	struct drm_gpu_scheduler sched;
	struct list_head inflight;
	struct aimc_ring ring;
	struct workqueue_struct *wq;
	struct work_struct done_work;
	struct delayed_work poll_work;
	bool ringing;
	unsigned long cpl_pending;
	bool paused;
	struct delayed_work reset_watchdog;
	bool dead;
	atomic_t jobs_queued;
	atomic64_t jobs_done;
	atomic64_t jobs_failed;
	atomic_t jobs_alive;
	wait_queue_head_t jobs_freed;
	struct aimc_stats stats;
	struct list_head files;
	struct list_head node;
};

/**
 * struct aimc_job_record - how a finished job ended, kept for WAIT
 */
struct aimc_job_record {
	u64 id;
	u32 status;
	u32 device_status;
	u32 failed_cmd;
};

/**
 * struct aimc_file - what one open file owns
 * @adev: the card
 * @node: in &aimc_device.files
 * @client_id: unique among all aimc files open (debugfs, fdinfo)
 * @pid: the process that opened the file
 * @entity: the file's queue of the scheduler: its jobs run in order
 * @push_lock: orders arming and pushing jobs to @entity; protects @waiting
 * @waiting: jobs submitted but not yet pushed, waiting for their
 *	     in-fences or for an earlier job of the file
 * @push_work: pushes what became ready when an in-fence signalled
 * @next_job_id: id the next job gets (first is 1)
 * @jobs: this file's jobs not yet freed
 * @njobs: those of them not yet ended (sched_lock)
 * @history: finished jobs, indexed by id % AIMC_JOB_HISTORY
 * @engine_ns: time this file's freed jobs spent at the ring's head
 *
 * @next_job_id, @jobs, @njobs, @history and @engine_ns are protected by
 * &aimc_device.sched_lock.
 */
struct aimc_file {
	struct aimc_device *adev;
	struct list_head node;
	u32 client_id;
	pid_t pid;
	struct drm_sched_entity entity;
	struct mutex push_lock;	/* see above */
	struct list_head waiting;
	struct work_struct push_work;
	u64 next_job_id;
	struct list_head jobs;
	u32 njobs;
	struct aimc_job_record history[AIMC_JOB_HISTORY];
	u64 engine_ns;
};

static inline struct aimc_device *to_aimc_device(struct drm_device *drm)
{
	return container_of(drm, struct aimc_device, drm);
}

extern unsigned int aimc_job_timeout_ms;

struct aimc_device *aimc_device_probe(const struct aimc_bus *bus);
void aimc_device_remove(struct aimc_device *adev);

int aimc_irq_init(struct aimc_device *adev);
void aimc_irq_quiesce(struct aimc_device *adev);
void aimc_irq_mask_sync(struct aimc_device *adev);

/* For the bus glues: resets from outside the driver (aimc_reset.c). */
void aimc_reset_init(struct aimc_device *adev);
void aimc_reset_fini(struct aimc_device *adev);
void aimc_device_reset_prepare(struct aimc_device *adev);
int aimc_device_reset_done(struct aimc_device *adev);
void aimc_device_lost(struct aimc_device *adev);
int aimc_ring_restart(struct aimc_device *adev);

/* Runtime power management (aimc_pm.c). */
int aimc_device_suspend(struct aimc_device *adev);
int aimc_device_resume(struct aimc_device *adev);
int aimc_pm_get(struct aimc_device *adev);
void aimc_pm_put(struct aimc_device *adev);

int aimc_ioctl_get_param(struct drm_device *drm, void *data,
			 struct drm_file *file);

int aimc_ioctl_bo_create(struct drm_device *drm, void *data,
			 struct drm_file *file);
int aimc_ioctl_bo_info(struct drm_device *drm, void *data,
		       struct drm_file *file);
struct drm_gem_object *aimc_gem_create_object(struct drm_device *drm,
					      size_t size);
struct aimc_bounce;
int aimc_bo_dma_get(struct drm_gem_object *obj, struct device *dev,
		    u64 offset, u32 length, struct aimc_bounce **bounce,
		    dma_addr_t *dma);
void aimc_bo_bounce_copy_back(struct drm_gem_object *obj,
			      struct aimc_bounce *bounce);
void aimc_bo_dma_put(struct drm_gem_object *obj, struct device *dev,
		     struct aimc_bounce *bounce);

int aimc_resv_init(struct aimc_device *adev);
int aimc_ioctl_reserve(struct drm_device *drm, void *data,
		       struct drm_file *file);
int aimc_ioctl_release(struct drm_device *drm, void *data,
		       struct drm_file *file);
void aimc_resv_release_file(struct aimc_file *afile);
int aimc_resv_use(struct aimc_file *afile, u32 type, u32 index);
int aimc_resv_slot_state(struct aimc_file *afile, u32 slot, bool resets);
void aimc_resv_lose_slot_state(struct aimc_device *adev);
void aimc_resv_unuse(struct aimc_device *adev, u32 type, u32 index);
u32 aimc_resv_count(struct aimc_device *adev, u32 type);

int aimc_job_init(struct aimc_device *adev);
void aimc_job_fini(struct aimc_device *adev);
int aimc_job_file_open(struct aimc_file *afile);
void aimc_job_file_close(struct aimc_file *afile);
void aimc_stats_snapshot(struct aimc_device *adev, struct aimc_stats *stats);
int aimc_ioctl_submit(struct drm_device *drm, void *data,
		      struct drm_file *file);
int aimc_ioctl_wait(struct drm_device *drm, void *data,
		    struct drm_file *file);
void aimc_job_irq(struct aimc_device *adev);

struct drm_minor;
void aimc_debugfs_init(struct aimc_device *adev);
void aimc_debugfs_minor_init(struct drm_minor *minor);
int aimc_sysfs_init(struct aimc_device *adev);
int aimc_hwmon_init(struct aimc_device *adev);

struct drm_printer;
struct seq_file;
void aimc_fdinfo_print(struct drm_printer *p, struct drm_file *file);
void aimc_show_fdinfo(struct seq_file *m, struct file *f);

int aimc_pci_register(void);
void aimc_pci_unregister(void);
int aimc_swdev_register(void);
void aimc_swdev_unregister(void);

#endif /* AIMC_DRV_H */
