// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Buffer objects: shmem-backed GEM objects.  Their pages are pinned and
 * mapped for the card only while jobs use them (aimc_job.c).
 *
 * A buffer is mapped once, whole, however many operands of however many
 * in-flight jobs use it, and unmapped when the last of them is freed: the
 * DMA API does not support overlapping mappings of the same memory (two
 * jobs writing into one output buffer would be two), and the card can
 * still reach only the buffers of unfinished jobs.  (The shmem helpers'
 * drm_gem_shmem_get_pages_sgt() would map a buffer until it is freed,
 * possibly after the card was removed: a file may keep a buffer open
 * that long.)  The mapping's bookkeeping is under the object's
 * reservation lock; it is never taken where fences are signalled.
 *
 * The card takes one address and length per operand, so an operand must
 * be contiguous in the card's address space.  Behind an IOMMU (or the
 * emulator's) the whole buffer is; without one, shmem pages rarely are
 * next to each other, and an operand that spans two of them that are not
 * goes through a bounce buffer: a contiguous DMA allocation of the
 * operand's length, filled from the buffer when the job is submitted;
 * the card's result in it is copied back when the job ends, before its
 * fence signals (aimc_bo_bounce_copy_back(): no lock, no allocation), and
 * it is freed with the operand's mapping.
 */
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_vma_manager.h>

#include "aimc_compat.h"
#include "aimc_drv.h"

/*
 * A buffer: @dma_users and @sgt are protected by the object's reservation
 * lock.
 */
struct aimc_bo {
	struct drm_gem_shmem_object shmem;	/* first: the helpers kfree() it */
	unsigned int dma_users;	/* operands of jobs not yet released */
	struct sg_table *sgt;	/* mapped for the card while dma_users */
};

/* A contiguous copy of an operand the card cannot reach in one piece. */
struct aimc_bounce {
	u64 offset;
	u32 length;
	void *cpu;
	dma_addr_t dma;
};

static struct aimc_bo *to_aimc_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct aimc_bo, shmem);
}

/**
 * aimc_gem_create_object - &drm_driver.gem_create_object
 * @drm: the DRM device
 * @size: object size, unused (the shmem helper sets it up)
 *
 * Return: the GEM object embedded in a new &struct aimc_bo, or an ERR_PTR().
 */
struct drm_gem_object *aimc_gem_create_object(struct drm_device *drm,
					      size_t size)
{
	struct aimc_bo *bo;

	static_assert(offsetof(struct aimc_bo, shmem) == 0);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	return &bo->shmem.base;
}

/* Where [offset, offset + length) is in the card's address space. */
static int aimc_bo_dma_range(struct sg_table *sgt, u64 offset, u32 length,
			     dma_addr_t *dma)
{
	struct scatterlist *sg;
	u64 start = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 len = sg_dma_len(sg);

		if (offset < start + len) {
			/*
			 * The card takes one address and length per operand:
			 * the range must be contiguous in its DMA space, which
			 * an IOMMU (or the emulator's) provides and a single
			 * page always is; -E2BIG sends it to a bounce buffer.
			 */
			if (offset + length > start + len)
				return -E2BIG;
			*dma = sg_dma_address(sg) + (offset - start);
			return 0;
		}
		start += len;
	}
	return -ERANGE;
}

/* Pin the whole buffer and map it for the card. */
static int aimc_bo_map(struct aimc_bo *bo, struct device *dev)
{
	struct sg_table *sgt;
	int ret;

	dma_resv_assert_held(bo->shmem.base.resv);
	ret = aimc_shmem_pin_resv_held(&bo->shmem);
	if (ret)
		return ret;
	sgt = drm_gem_shmem_get_sg_table(&bo->shmem);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_unpin;
	}
	ret = dma_map_sgtable(dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_free;
	bo->sgt = sgt;
	return 0;

err_free:
	sg_free_table(sgt);
	kfree(sgt);
err_unpin:
	aimc_shmem_unpin_resv_held(&bo->shmem);
	return ret;
}

static void aimc_bo_unmap(struct aimc_bo *bo, struct device *dev)
{
	dma_unmap_sgtable(dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(bo->sgt);
	kfree(bo->sgt);
	bo->sgt = NULL;
	aimc_shmem_unpin_resv_held(&bo->shmem);
}

/* Copy between the buffer's pages (pinned) and @buf. */
static void aimc_bo_copy(struct aimc_bo *bo, u64 offset, void *buf, u32 length,
			 bool to_bo)
{
	u32 done = 0;

	while (done < length) {
		u64 pos = offset + done;
		u32 off = offset_in_page(pos);
		u32 chunk = min_t(u32, length - done, PAGE_SIZE - off);
		void *vaddr = kmap_local_page(bo->shmem.pages[pos >> PAGE_SHIFT]);

		if (to_bo)
			memcpy(vaddr + off, buf + done, chunk);
		else
			memcpy(buf + done, vaddr + off, chunk);
		kunmap_local(vaddr);
		done += chunk;
	}
}

/* A bounce buffer for [offset, offset + length), filled from the buffer. */
static int aimc_bo_bounce(struct aimc_bo *bo, struct device *dev, u64 offset,
			  u32 length, struct aimc_bounce **bounce, dma_addr_t *dma)
{
	struct aimc_bounce *b = kzalloc(sizeof(*b), GFP_KERNEL | __GFP_NOWARN);

	/* Userspace sees -ENOMEM: no log line per failed submit. */
	if (!b)
		return -ENOMEM;
	b->cpu = dma_alloc_coherent(dev, length, &b->dma,
				    GFP_KERNEL | __GFP_NOWARN);
	if (!b->cpu) {
		kfree(b);
		return -ENOMEM;
	}
	b->offset = offset;
	b->length = length;
	/* What the card reads, and what it leaves alone of what it writes. */
	dma_sync_sgtable_for_cpu(dev, bo->sgt, DMA_BIDIRECTIONAL);
	aimc_bo_copy(bo, offset, b->cpu, length, false);
	*bounce = b;
	*dma = b->dma;
	return 0;
}

/**
 * aimc_bo_dma_get - map a buffer for the card on behalf of one operand
 * @obj: the buffer; the caller holds a reference until aimc_bo_dma_put()
 * @dev: the card's DMA device
 * @offset: operand start in the buffer
 * @length: operand bytes; the caller checked the range is in the buffer
 * @bounce: out, the operand's bounce buffer, or NULL if the card reaches
 *	    the buffer itself; for aimc_bo_bounce_copy_back() and
 *	    aimc_bo_dma_put()
 * @dma: out, the operand's address for the card
 *
 * Pins and maps the whole buffer on first use, syncs it for the card on
 * later ones.  A range that is not contiguous for the card (no IOMMU)
 * gets a bounce buffer.
 *
 * Return: 0, or the pin, mapping or allocation error.
 */
int aimc_bo_dma_get(struct drm_gem_object *obj, struct device *dev,
		    u64 offset, u32 length, struct aimc_bounce **bounce,
		    dma_addr_t *dma)
{
	struct aimc_bo *bo = to_aimc_bo(obj);
	int ret = 0;

	*bounce = NULL;
	dma_resv_lock(obj->resv, NULL);
	if (!bo->dma_users)
		ret = aimc_bo_map(bo, dev);
	if (!ret)
		ret = aimc_bo_dma_range(bo->sgt, offset, length, dma);
	if (ret == -E2BIG)
		ret = aimc_bo_bounce(bo, dev, offset, length, bounce, dma);
	if (!ret) {
		if (bo->dma_users++)
			dma_sync_sgtable_for_device(dev, bo->sgt,
						    DMA_BIDIRECTIONAL);
	} else if (!bo->dma_users && bo->sgt) {
		aimc_bo_unmap(bo, dev);
	}
	dma_resv_unlock(obj->resv);
	return ret;
}

/**
 * aimc_bo_bounce_copy_back - the card's result from a bounce buffer
 * @obj: the buffer
 * @bounce: the operand's bounce buffer (aimc_bo_dma_get()), not NULL
 *
 * Called when the job ends, before its fence signals: no lock, no
 * allocation (the buffer's pages stay pinned until aimc_bo_dma_put()).
 */
void aimc_bo_bounce_copy_back(struct drm_gem_object *obj,
			      struct aimc_bounce *bounce)
{
	aimc_bo_copy(to_aimc_bo(obj), bounce->offset, bounce->cpu,
		     bounce->length, true);
}

/**
 * aimc_bo_dma_put - an operand's job is done with the buffer
 * @obj: the buffer passed to aimc_bo_dma_get()
 * @dev: the card's DMA device
 * @bounce: the operand's bounce buffer, or NULL; freed
 *
 * Unmaps and unpins the buffer when no operand uses it any more, else
 * syncs it for the CPU so the finished job's results are visible.
 */
void aimc_bo_dma_put(struct drm_gem_object *obj, struct device *dev,
		     struct aimc_bounce *bounce)
{
	struct aimc_bo *bo = to_aimc_bo(obj);

	if (bounce) {
		dma_free_coherent(dev, bounce->length, bounce->cpu, bounce->dma);
		kfree(bounce);
	}
	dma_resv_lock(obj->resv, NULL);
	if (--bo->dma_users)
		dma_sync_sgtable_for_cpu(dev, bo->sgt, DMA_BIDIRECTIONAL);
	else
		aimc_bo_unmap(bo, dev);
	dma_resv_unlock(obj->resv);
}

int aimc_ioctl_bo_create(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_aimc_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags || !args->size || args->size > AIMC_MAX_BO_SIZE)
		return -EINVAL;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	/* The handle holds the reference from now on. */
	drm_gem_object_put(&shmem->base);
	return ret;
}

int aimc_ioctl_bo_info(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_aimc_bo_info *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->reserved)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret) {
		args->size = obj->size;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
	return ret;
}
