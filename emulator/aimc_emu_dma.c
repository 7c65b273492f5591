// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The emulated card's view of host memory: a small software IOMMU.
 *
 * The card's platform device uses these dma_map_ops, so every DMA
 * address aimc.ko hands the card is an I/O virtual address this file
 * allocated and recorded page by page.  The card reaches host memory only
 * through that record: an address the driver did not map (or already
 * unmapped) is a DMA fault and touches nothing, as behind a real IOMMU.
 * Like dma-iommu, a scatterlist of whole pages is mapped to one
 * contiguous range.
 */
#include <linux/dma-map-ops.h>
#include <linux/genalloc.h>
#include <linux/highmem.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "aimc_emu.h"

/* Nothing lives at I/O virtual address 0, so 0 never looks valid. */
#define AIMC_EMU_IOVA_BASE	BIT_ULL(32)
#define AIMC_EMU_IOVA_SIZE	BIT_ULL(30)

static struct aimc_emu_dev *aimc_emu_dma_dev(struct device *dev)
{
	const struct aimc_swdev_pdata *pdata = dev_get_platdata(dev);

	return pdata->ctx;
}

/* Record npages pages from page on, at iova.  Called with iommu lock held. */
static int aimc_emu_iommu_insert(struct aimc_emu_iommu *iommu, u64 iova,
				 struct page *page, unsigned long npages)
{
	unsigned long i;
	int ret;

	/*
	 * Counted page by page: when a store fails, the caller removes the
	 * range, and aimc_emu_iommu_remove() uncounts exactly the pages
	 * that were stored.
	 */
	for (i = 0; i < npages; i++) {
		ret = xa_err(xa_store(&iommu->pages, (iova >> PAGE_SHIFT) + i,
				      nth_page(page, i), GFP_ATOMIC));
		if (ret)
			return ret;
		iommu->mapped_pages++;
	}
	return 0;
}

static void aimc_emu_iommu_remove(struct aimc_emu_iommu *iommu, u64 iova,
				  unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		if (xa_erase(&iommu->pages, (iova >> PAGE_SHIFT) + i))
			iommu->mapped_pages--;
}

static u64 aimc_emu_iova_alloc(struct aimc_emu_iommu *iommu, unsigned long npages)
{
	return gen_pool_alloc(iommu->iova, npages << PAGE_SHIFT);
}

static void aimc_emu_unmap_range(struct aimc_emu_dev *edev, u64 iova,
				 unsigned long npages)
{
	struct aimc_emu_iommu *iommu = &edev->iommu;
	unsigned long flags;

	iova &= PAGE_MASK;
	spin_lock_irqsave(&iommu->lock, flags);
	aimc_emu_iommu_remove(iommu, iova, npages);
	spin_unlock_irqrestore(&iommu->lock, flags);
	gen_pool_free(iommu->iova, iova, npages << PAGE_SHIFT);
}

/* Map physically contiguous pages; returns the IOVA of the first or 0. */
static u64 aimc_emu_map_range(struct aimc_emu_dev *edev, struct page *page,
			      unsigned long npages)
{
	struct aimc_emu_iommu *iommu = &edev->iommu;
	unsigned long flags;
	u64 iova;
	int ret;

	iova = aimc_emu_iova_alloc(iommu, npages);
	if (!iova)
		return 0;
	spin_lock_irqsave(&iommu->lock, flags);
	ret = aimc_emu_iommu_insert(iommu, iova, page, npages);
	if (ret)
		aimc_emu_iommu_remove(iommu, iova, npages);
	spin_unlock_irqrestore(&iommu->lock, flags);
	if (ret) {
		gen_pool_free(iommu->iova, iova, npages << PAGE_SHIFT);
		return 0;
	}
	return iova;
}

static dma_addr_t aimc_emu_map_page(struct device *dev, struct page *page,
				    unsigned long offset, size_t size,
				    enum dma_data_direction dir,
				    unsigned long attrs)
{
	unsigned long npages = DIV_ROUND_UP(offset_in_page(offset) + size, PAGE_SIZE);
	u64 iova;

	page = nth_page(page, offset >> PAGE_SHIFT);
	iova = aimc_emu_map_range(aimc_emu_dma_dev(dev), page, npages);
	return iova ? iova + offset_in_page(offset) : DMA_MAPPING_ERROR;
}

static void aimc_emu_unmap_page(struct device *dev, dma_addr_t addr,
				size_t size, enum dma_data_direction dir,
				unsigned long attrs)
{
	unsigned long npages = DIV_ROUND_UP(offset_in_page(addr) + size, PAGE_SIZE);

	aimc_emu_unmap_range(aimc_emu_dma_dev(dev), addr, npages);
}

static unsigned long aimc_emu_sg_pages(struct scatterlist *sgl, int nents)
{
	struct scatterlist *sg;
	unsigned long npages = 0;
	int i;

	for_each_sg(sgl, sg, nents, i)
		npages += DIV_ROUND_UP(sg->offset + sg->length, PAGE_SIZE);
	return npages;
}

/* True if the entries can be laid end to end in I/O virtual space. */
static bool aimc_emu_sg_joinable(struct scatterlist *sgl, int nents)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		if (i > 0 && sg->offset)
			return false;
		if (i < nents - 1 && !PAGE_ALIGNED(sg->offset + sg->length))
			return false;
	}
	return true;
}

static int aimc_emu_map_sg(struct device *dev, struct scatterlist *sgl,
			   int nents, enum dma_data_direction dir,
			   unsigned long attrs)
{
	struct aimc_emu_dev *edev = aimc_emu_dma_dev(dev);
	struct aimc_emu_iommu *iommu = &edev->iommu;
	unsigned long npages = aimc_emu_sg_pages(sgl, nents);
	bool joined = aimc_emu_sg_joinable(sgl, nents);
	struct scatterlist *sg;
	unsigned long flags;
	u64 iova, next;
	int i, ret = 0;

	iova = aimc_emu_iova_alloc(iommu, npages);
	if (!iova)
		return -ENOMEM;

	spin_lock_irqsave(&iommu->lock, flags);
	next = iova;
	for_each_sg(sgl, sg, nents, i) {
		unsigned long n = DIV_ROUND_UP(sg->offset + sg->length, PAGE_SIZE);

		ret = aimc_emu_iommu_insert(iommu, next, sg_page(sg), n);
		if (ret)
			break;
		sg_dma_address(sg) = next + sg->offset;
		sg_dma_len(sg) = sg->length;
		next += (u64)n << PAGE_SHIFT;
	}
	if (ret)
		aimc_emu_iommu_remove(iommu, iova, npages);
	spin_unlock_irqrestore(&iommu->lock, flags);
	if (ret) {
		gen_pool_free(iommu->iova, iova, npages << PAGE_SHIFT);
		return -ENOMEM;
	}
	if (!joined)
		return nents;
	sg_dma_address(sgl) = iova + sgl->offset;
	sg_dma_len(sgl) = 0;
	for_each_sg(sgl, sg, nents, i)
		sg_dma_len(sgl) += sg->length;
	return 1;
}

static void aimc_emu_unmap_sg(struct device *dev, struct scatterlist *sgl,
			      int nents, enum dma_data_direction dir,
			      unsigned long attrs)
{
	aimc_emu_unmap_range(aimc_emu_dma_dev(dev), sg_dma_address(sgl),
			     aimc_emu_sg_pages(sgl, nents));
}

static void *aimc_emu_alloc(struct device *dev, size_t size,
			    dma_addr_t *dma_handle, gfp_t gfp,
			    unsigned long attrs)
{
	unsigned int order = get_order(size);
	struct page *page;
	u64 iova;

	page = alloc_pages(gfp | __GFP_ZERO, order);
	if (!page)
		return NULL;
	iova = aimc_emu_map_range(aimc_emu_dma_dev(dev), page, 1ul << order);
	if (!iova) {
		__free_pages(page, order);
		return NULL;
	}
	*dma_handle = iova;
	return page_address(page);
}

static void aimc_emu_free(struct device *dev, size_t size, void *vaddr,
			  dma_addr_t dma_handle, unsigned long attrs)
{
	unsigned int order = get_order(size);

	aimc_emu_unmap_range(aimc_emu_dma_dev(dev), dma_handle, 1ul << order);
	free_pages((unsigned long)vaddr, order);
}

const struct dma_map_ops aimc_emu_dma_ops = {
	.alloc = aimc_emu_alloc,
	.free = aimc_emu_free,
	.map_page = aimc_emu_map_page,
	.unmap_page = aimc_emu_unmap_page,
	.map_sg = aimc_emu_map_sg,
	.unmap_sg = aimc_emu_unmap_sg,
};

/**
 * aimc_emu_dma_access - the card reads or writes host memory
 * @edev: the card
 * @addr: I/O virtual address
 * @buf: card-side buffer
 * @len: bytes
 * @write: true to copy @buf to host memory
 *
 * The whole range is checked before any byte moves.  A fault (unmapped
 * address, or the fail_next_dma knob) records the address in the error
 * registers' shadow.
 *
 * Return: 0, or -EFAULT for a DMA fault.
 */
int aimc_emu_dma_access(struct aimc_emu_dev *edev, u64 addr, void *buf,
			u32 len, bool write)
{
	struct aimc_emu_iommu *iommu = &edev->iommu;
	unsigned long flags;
	u64 end, a;
	int ret = 0;

	/* A card that left the bus (surprise_remove) reaches nothing. */
	if (READ_ONCE(edev->gone) || xchg(&edev->knobs.fail_next_dma, 0) ||
	    xchg(write ? &edev->knobs.fail_next_dma_write :
		 &edev->knobs.fail_next_dma_read, 0)) {
		edev->fault_addr = addr;
		return -EFAULT;
	}
	if (check_add_overflow(addr, (u64)len, &end)) {
		edev->fault_addr = addr;
		return -EFAULT;
	}

	spin_lock_irqsave(&iommu->lock, flags);
	for (a = addr & PAGE_MASK; a < end; a += PAGE_SIZE) {
		if (!xa_load(&iommu->pages, a >> PAGE_SHIFT)) {
			edev->fault_addr = max(a, addr);
			ret = -EFAULT;
			goto out;
		}
	}
	for (a = addr; a < end;) {
		struct page *page = xa_load(&iommu->pages, a >> PAGE_SHIFT);
		u32 off = offset_in_page(a);
		u32 chunk = min_t(u64, end - a, PAGE_SIZE - off);
		u8 *vaddr = kmap_local_page(page);

		if (write)
			memcpy(vaddr + off, buf, chunk);
		else
			memcpy(buf, vaddr + off, chunk);
		kunmap_local(vaddr);
		buf += chunk;
		a += chunk;
	}
out:
	spin_unlock_irqrestore(&iommu->lock, flags);
	return ret;
}

int aimc_emu_iommu_init(struct aimc_emu_dev *edev)
{
	struct aimc_emu_iommu *iommu = &edev->iommu;

	spin_lock_init(&iommu->lock);
	xa_init(&iommu->pages);
	iommu->iova = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!iommu->iova)
		return -ENOMEM;
	if (gen_pool_add(iommu->iova, AIMC_EMU_IOVA_BASE, AIMC_EMU_IOVA_SIZE,
			 NUMA_NO_NODE)) {
		gen_pool_destroy(iommu->iova);
		return -ENOMEM;
	}
	return 0;
}

/**
 * aimc_emu_iommu_fini - tear down; the driver must have unmapped everything
 * @edev: the card, unregistered
 */
void aimc_emu_iommu_fini(struct aimc_emu_dev *edev)
{
	struct aimc_emu_iommu *iommu = &edev->iommu;

	/*
	 * Mappings left now are a driver bug; the pool cannot be destroyed
	 * with allocations in it, so it is leaked rather than crashing.
	 */
	if (WARN(iommu->mapped_pages, "aimc_emu %u: driver left %lu pages mapped\n",
		 edev->id, iommu->mapped_pages)) {
		xa_destroy(&iommu->pages);
		return;
	}
	xa_destroy(&iommu->pages);
	gen_pool_destroy(iommu->iova);
}
