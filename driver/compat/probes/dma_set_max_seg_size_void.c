// SPDX-License-Identifier: GPL-2.0 OR MIT
/* HAVE_DMA_SET_MAX_SEG_SIZE_VOID: dma_set_max_seg_size() cannot fail (6.12). */
#include <linux/dma-mapping.h>

static void __maybe_unused probe(struct device *dev)
{
	void (*fn)(struct device *, unsigned int) = dma_set_max_seg_size;

	fn(dev, 0);
}
