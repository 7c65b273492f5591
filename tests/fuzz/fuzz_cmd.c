// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the device model's command processor.  The input
 * is both the descriptors (up to four, at offsets 0, 64, 128, 192) and the
 * host memory the DMA callbacks serve: a DMA address is an offset into a
 * mutable copy of the input.  Invariants checked beyond "no crash": every
 * status is a defined one, and a rejected command leaves the state digest
 * as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_model.h"

struct fuzz_mem {
	u8 *buf;
	size_t size;
};

static int fuzz_read(void *ctx, u64 addr, void *dst, u32 len)
{
	struct fuzz_mem *m = ctx;

	if (addr > m->size || len > m->size - addr)
		return -1;
	memcpy(dst, m->buf + addr, len);
	return 0;
}

static int fuzz_write(void *ctx, u64 addr, const void *src, u32 len)
{
	struct fuzz_mem *m = ctx;

	if (addr > m->size || len > m->size - addr)
		return -1;
	memcpy(m->buf + addr, src, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aimc_model_config cfg;
	struct fuzz_mem mem;
	struct aimc_model_dma dma = { fuzz_read, fuzz_write, &mem };
	struct aimc_model *m;
	size_t off;

	if (size < AIMC_DESC_BYTES)
		return 0;
	mem.buf = malloc(size);
	if (!mem.buf)
		return 0;
	memcpy(mem.buf, data, size);
	mem.size = size;
	aimc_model_config_defaults(&cfg);
	cfg.tiles = 2;
	cfg.rows = 16;
	cfg.cols = 16;
	cfg.slots = 2;
	m = aimc_model_create(&cfg, &dma);
	if (!m)
		abort();
	for (off = 0; off + AIMC_DESC_BYTES <= size && off < 256;
	     off += AIMC_DESC_BYTES) {
		u8 raw[AIMC_DESC_BYTES];
		u64 before = aimc_model_digest(m);
		u32 st;

		/* the descriptor is fetched before the command runs */
		memcpy(raw, mem.buf + off, sizeof(raw));
		st = aimc_model_submit(m, raw);
		if (st >= AIMC_ST_COUNT)
			abort();
		if (st != AIMC_ST_OK && aimc_model_digest(m) != before)
			abort();
	}
	aimc_model_destroy(m);
	free(mem.buf);
	return 0;
}
