// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What one open file uses, in /proc/<pid>/fdinfo/<fd>, with the keys of
 * Documentation/gpu/drm-usage-stats.rst so that generic tools read it:
 *   drm-driver: aimc
 *   drm-client-id: N          unique among all aimc files open
 *   drm-pdev: 0000:01:00.0    PCI cards only
 *   drm-engine-aimc: N ns     time this file's jobs spent on the card
 *   drm-memory-system: N KiB  buffers this file holds handles to (the key
 *                             of 6.1's document)
 *   drm-total-system: N KiB   the same, under the key of 6.5 and later
 *   aimc-jobs: N              jobs submitted
 *   aimc-tiles: N             tiles reserved
 *   aimc-slots: N             stream slots reserved
 *
 * A job's time on the card runs from when the driver sees it reach the
 * head of the ring (the card executes the ring in order, so that is when
 * the card starts on it) until it is retired.  Jobs that completed
 * together are seen at the head only one at a time: the first is charged
 * the time, the others nothing, so the sum over all files stays the
 * card's busy time.  Time of a job still at the head is included; time
 * of jobs finishing after their file closed is not charged to anybody.
 */
#include <linux/idr.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "aimc_compat.h"
#include "aimc_job.h"

static u32 aimc_fdinfo_owned(struct aimc_device *adev,
			     const struct aimc_resource *table, u32 count,
			     const struct aimc_file *afile)
{
	u32 i, owned = 0;

	for (i = 0; i < count; i++)
		if (table[i].owner == afile)
			owned++;
	return owned;
}

/**
 * aimc_fdinfo_print - print the driver's fdinfo keys of an open file
 * @p: where to
 * @file: the file
 *
 * Before 6.5 called by aimc_show_fdinfo(), from 6.5 by the DRM core.
 */
void aimc_fdinfo_print(struct drm_printer *p, struct drm_file *file)
{
	struct aimc_file *afile = file->driver_priv;
	struct aimc_device *adev = afile->adev;
	struct drm_gem_object *obj;
	struct aimc_job *job;
	u64 engine_ns, jobs, bytes = 0;
	u32 tiles, slots;
	int id;

	mutex_lock(&adev->sched_lock);
	engine_ns = afile->engine_ns;
	list_for_each_entry(job, &afile->jobs, file_node)
		if (job->engine_ns)
			engine_ns += job->engine_ns;
		else if (job->head_ns)
			engine_ns += ktime_get_ns() - job->head_ns;
	jobs = afile->next_job_id - 1;
	mutex_unlock(&adev->sched_lock);

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id)
		bytes += obj->size;
	spin_unlock(&file->table_lock);

	mutex_lock(&adev->resv_lock);
	tiles = aimc_fdinfo_owned(adev, adev->tiles, adev->caps.num_tiles, afile);
	slots = aimc_fdinfo_owned(adev, adev->slots, adev->caps.stream_slots,
				  afile);
	mutex_unlock(&adev->resv_lock);

	drm_printf(p, "drm-engine-%s:\t%llu ns\n", AIMC_DRIVER_NAME, engine_ns);
	drm_printf(p, "drm-memory-system:\t%llu KiB\n", bytes / SZ_1K);
	drm_printf(p, "drm-total-system:\t%llu KiB\n", bytes / SZ_1K);
	drm_printf(p, "aimc-jobs:\t%llu\n", jobs);
	drm_printf(p, "aimc-tiles:\t%u\n", tiles);
	drm_printf(p, "aimc-slots:\t%u\n", slots);
}

#if !AIMC_CORE_FDINFO
/**
 * aimc_show_fdinfo - &file_operations.show_fdinfo of kernels before 6.5
 * @m: the fdinfo file
 * @f: the open aimc node
 *
 * Prints the keys the DRM core prints from 6.5 on, then the driver's.
 */
void aimc_show_fdinfo(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	struct aimc_file *afile = file->driver_priv;
	struct drm_device *drm = file->minor->dev;
	struct drm_printer p = drm_seq_file_printer(m);

	drm_printf(&p, "drm-driver:\t%s\n", drm->driver->name);
	drm_printf(&p, "drm-client-id:\t%u\n", afile->client_id);
	/* drm->dev is referenced by the DRM device: safe after unplug. */
	if (dev_is_pci(drm->dev))
		drm_printf(&p, "drm-pdev:\t%s\n", dev_name(drm->dev));
	aimc_fdinfo_print(&p, file);
}
#endif
