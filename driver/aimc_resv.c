// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Tile and stream-slot ownership.  A tile's conductances and a slot's
 * state belong to the file that reserved it: only that file's commands
 * may name it.  A resource stays unavailable to others while a job that
 * names it is unfinished, even if its owner released it, so a late job
 * can never see the next owner's weights or state.
 */
#include <linux/slab.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_managed.h>

#include "aimc_drv.h"

static struct aimc_resource *aimc_resv_table(struct aimc_device *adev,
					     u32 type, u32 *count)
{
	switch (type) {
	case AIMC_RESOURCE_TILE:
		*count = adev->caps.num_tiles;
		return adev->tiles;
	case AIMC_RESOURCE_SLOT:
		*count = adev->caps.stream_slots;
		return adev->slots;
	}
	return NULL;
}

/**
 * aimc_resv_init - allocate the ownership tables
 * @adev: the card, capabilities read
 *
 * Return: 0 or -ENOMEM.
 */
int aimc_resv_init(struct aimc_device *adev)
{
	adev->tiles = drmm_kcalloc(&adev->drm, adev->caps.num_tiles,
				   sizeof(*adev->tiles), GFP_KERNEL);
	adev->slots = drmm_kcalloc(&adev->drm, adev->caps.stream_slots,
				   sizeof(*adev->slots), GFP_KERNEL);
	if (!adev->tiles || !adev->slots)
		return -ENOMEM;
	return drmm_mutex_init(&adev->drm, &adev->resv_lock);
}

static int aimc_resv_check_args(const struct drm_aimc_reserve *args,
				u32 allowed_flags)
{
	if (args->reserved || (args->flags & ~allowed_flags))
		return -EINVAL;
	if (args->type != AIMC_RESOURCE_TILE && args->type != AIMC_RESOURCE_SLOT)
		return -EINVAL;
	return 0;
}

int aimc_ioctl_reserve(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct aimc_device *adev = to_aimc_device(drm);
	struct aimc_file *afile = file->driver_priv;
	struct drm_aimc_reserve *args = data;
	struct aimc_resource *table;
	u32 count, i;
	int ret;

	ret = aimc_resv_check_args(args, AIMC_RESERVE_ANY);
	if (ret)
		return ret;
	table = aimc_resv_table(adev, args->type, &count);

	mutex_lock(&adev->resv_lock);
	if (args->flags & AIMC_RESERVE_ANY) {
		ret = -ENOSPC;
		for (i = 0; i < count; i++) {
			if (!table[i].owner && !table[i].users) {
				table[i].owner = afile;
				table[i].state_lost = false;
				args->index = i;
				ret = 0;
				break;
			}
		}
	} else if (args->index >= count) {
		ret = -EINVAL;
	} else if (table[args->index].owner == afile) {
		ret = -EEXIST;
	} else if (table[args->index].owner || table[args->index].users) {
		ret = -EBUSY;
	} else {
		table[args->index].owner = afile;
		table[args->index].state_lost = false;
	}
	mutex_unlock(&adev->resv_lock);
	return ret;
}

int aimc_ioctl_release(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct aimc_device *adev = to_aimc_device(drm);
	struct aimc_file *afile = file->driver_priv;
	struct drm_aimc_reserve *args = data;
	struct aimc_resource *table;
	u32 count;
	int ret;

	ret = aimc_resv_check_args(args, 0);
	if (ret)
		return ret;
	table = aimc_resv_table(adev, args->type, &count);

	mutex_lock(&adev->resv_lock);
	if (args->index >= count)
		ret = -EINVAL;
	else if (table[args->index].owner != afile)
		ret = -EACCES;
	else
		table[args->index].owner = NULL;
	mutex_unlock(&adev->resv_lock);
	return ret;
}

/**
 * aimc_resv_release_file - release everything a closing file reserved
 * @afile: the file
 */
void aimc_resv_release_file(struct aimc_file *afile)
{
	struct aimc_device *adev = afile->adev;
	u32 i;

	mutex_lock(&adev->resv_lock);
	for (i = 0; i < adev->caps.num_tiles; i++)
		if (adev->tiles[i].owner == afile)
			adev->tiles[i].owner = NULL;
	for (i = 0; i < adev->caps.stream_slots; i++)
		if (adev->slots[i].owner == afile)
			adev->slots[i].owner = NULL;
	mutex_unlock(&adev->resv_lock);
}

/**
 * aimc_resv_use - a job is going to name a tile or slot
 * @afile: the submitting file
 * @type: AIMC_RESOURCE_*
 * @index: the tile or slot
 *
 * Return: 0 and one more user, -EINVAL if @index is out of range, or
 * -EACCES if @afile does not own it.
 */
int aimc_resv_use(struct aimc_file *afile, u32 type, u32 index)
{
	struct aimc_device *adev = afile->adev;
	struct aimc_resource *table;
	u32 count;
	int ret = 0;

	table = aimc_resv_table(adev, type, &count);
	mutex_lock(&adev->resv_lock);
	if (index >= count)
		ret = -EINVAL;
	else if (table[index].owner != afile)
		ret = -EACCES;
	else
		table[index].users++;
	mutex_unlock(&adev->resv_lock);
	return ret;
}

/**
 * aimc_resv_slot_state - may a command rely on a slot's state?
 * @afile: the submitting file, owner of @slot
 * @slot: the stream slot
 * @resets: the command replaces the state (EXEC with
 *	    AIMC_CMD_F_RESET_STATE, STATE_LOAD)
 *
 * After a card reset a slot's state is gone; its owner must replace it
 * before using it, or it would silently compute on zeros.
 *
 * Return: 0, or -EIO if the state was lost and the command needs it.
 */
int aimc_resv_slot_state(struct aimc_file *afile, u32 slot, bool resets)
{
	struct aimc_device *adev = afile->adev;
	int ret = 0;

	mutex_lock(&adev->resv_lock);
	if (resets)
		adev->slots[slot].state_lost = false;
	else if (adev->slots[slot].state_lost)
		ret = -EIO;
	mutex_unlock(&adev->resv_lock);
	return ret;
}

/* A card reset wiped every slot: tell their owners. */
void aimc_resv_lose_slot_state(struct aimc_device *adev)
{
	u32 i;

	mutex_lock(&adev->resv_lock);
	for (i = 0; i < adev->caps.stream_slots; i++)
		if (adev->slots[i].owner)
			adev->slots[i].state_lost = true;
	mutex_unlock(&adev->resv_lock);
}

/* Undo aimc_resv_use(). */
void aimc_resv_unuse(struct aimc_device *adev, u32 type, u32 index)
{
	struct aimc_resource *table;
	u32 count;

	table = aimc_resv_table(adev, type, &count);
	mutex_lock(&adev->resv_lock);
	if (!WARN_ON(index >= count || !table[index].users))
		table[index].users--;
	mutex_unlock(&adev->resv_lock);
}

/* Tiles or slots that have an owner. */
u32 aimc_resv_count(struct aimc_device *adev, u32 type)
{
	struct aimc_resource *table;
	u32 count, i, n = 0;

	table = aimc_resv_table(adev, type, &count);
	mutex_lock(&adev->resv_lock);
	for (i = 0; i < count; i++)
		if (table[i].owner)
			n++;
	mutex_unlock(&adev->resv_lock);
	return n;
}
