// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * debugfs, in the DRM device's own directory (/sys/kernel/debug/accel/<bus
 * device>/ for an accel node, /sys/kernel/debug/dri/<minor>/ else):
 *   counters  driver counters, one "name value" per line
 *   ring      the ring's state and the jobs on it
 *   open_files each open file: pid, tiles, slots, unfinished jobs
 * The DRM core removes the directory with the device.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/seq_file.h>

#include "aimc_compat.h"
#include "aimc_job.h"

static int aimc_counters_show(struct seq_file *m, void *data)
{
	struct aimc_device *adev = m->private;
	struct aimc_stats stats;

	aimc_stats_snapshot(adev, &stats);
	seq_printf(m, "jobs_queued %u\n", stats.jobs_queued);
	seq_printf(m, "jobs_inflight %u\n", stats.jobs_inflight);
	seq_printf(m, "jobs_done %llu\n", stats.jobs_done);
	seq_printf(m, "jobs_failed %llu\n", stats.jobs_failed);
	seq_printf(m, "tiles_reserved %u\n",
		   aimc_resv_count(adev, AIMC_RESOURCE_TILE));
	seq_printf(m, "slots_reserved %u\n",
		   aimc_resv_count(adev, AIMC_RESOURCE_SLOT));
	seq_printf(m, "pinned_operands %u\n", stats.pinned_operands);
	seq_printf(m, "resets %u\n", stats.resets);
	seq_printf(m, "files %u\n", stats.files);
	seq_printf(m, "irq_completion %lld\n", atomic64_read(&adev->irq_count[0]));
	seq_printf(m, "irq_error %lld\n", atomic64_read(&adev->irq_count[1]));
	seq_printf(m, "irq_spurious %lld\n", atomic64_read(&adev->irq_spurious));
	seq_printf(m, "irq_storms %d\n", atomic_read(&adev->irq_storms));
	seq_printf(m, "jobs_polled %llu\n", stats.jobs_polled);
	seq_printf(m, "jobs_at_doorbell %llu\n", stats.jobs_at_doorbell);
	seq_printf(m, "suspends %u\n", stats.suspends);
	seq_printf(m, "resumes %u\n", stats.resumes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aimc_counters);

static int aimc_ring_show(struct seq_file *m, void *data)
{
	struct aimc_device *adev = m->private;
	struct aimc_job *job;

	mutex_lock(&adev->sched_lock);
	seq_printf(m, "size %u tail %u done %u free %u%s\n", adev->ring.size,
		   adev->ring.tail, adev->ring.done,
		   adev->ring.size - (adev->ring.tail - adev->ring.done),
		   adev->dead ? " (card gone)" : "");
	list_for_each_entry(job, &adev->inflight, ring_node)
		seq_printf(m, "on ring: job %llu client %d cmds %u first %u\n",
			   job->id, job->afile ? (int)job->afile->client_id : -1,
			   job->ncmds, job->ring_first);
	seq_printf(m, "queued: %d\n", atomic_read(&adev->jobs_queued));
	mutex_unlock(&adev->sched_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aimc_ring);

static void aimc_show_owned(struct seq_file *m, struct aimc_device *adev,
			    const char *what, struct aimc_resource *table,
			    u32 count, struct aimc_file *afile)
{
	u32 i;

	seq_printf(m, " %s", what);
	for (i = 0; i < count; i++)
		if (table[i].owner == afile)
			seq_printf(m, " %u", i);
}

static int aimc_open_files_show(struct seq_file *m, void *data)
{
	struct aimc_device *adev = m->private;
	struct aimc_file *afile;

	mutex_lock(&adev->sched_lock);
	list_for_each_entry(afile, &adev->files, node) {
		seq_printf(m, "client %u pid %d jobs %u next_job %llu:",
			   afile->client_id, afile->pid, afile->njobs,
			   afile->next_job_id);
		mutex_lock(&adev->resv_lock);
		aimc_show_owned(m, adev, "tiles", adev->tiles,
				adev->caps.num_tiles, afile);
		aimc_show_owned(m, adev, "slots", adev->slots,
				adev->caps.stream_slots, afile);
		mutex_unlock(&adev->resv_lock);
		seq_puts(m, "\n");
	}
	mutex_unlock(&adev->sched_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(aimc_open_files);

static void aimc_debugfs_create(struct aimc_device *adev, struct dentry *root)
{
	debugfs_create_file("counters", 0444, root, adev, &aimc_counters_fops);
	debugfs_create_file("ring", 0444, root, adev, &aimc_ring_fops);
	debugfs_create_file("open_files", 0444, root, adev, &aimc_open_files_fops);
}

#if HAVE_DRM_DEVICE_DEBUGFS_ROOT
/**
 * aimc_debugfs_init - the driver's files in the DRM device's directory
 * @adev: the card, registered
 */
void aimc_debugfs_init(struct aimc_device *adev)
{
	aimc_debugfs_create(adev, adev->drm.debugfs_root);
}
#else
/**
 * aimc_debugfs_minor_init - &drm_driver.debugfs_init
 * @minor: a minor of the card, registering
 *
 * Once per card: in its primary minor's directory (a render-only driver
 * has one too).
 */
void aimc_debugfs_minor_init(struct drm_minor *minor)
{
	if (minor->type == DRM_MINOR_PRIMARY)
		aimc_debugfs_create(to_aimc_device(minor->dev), minor->debugfs_root);
}
#endif
