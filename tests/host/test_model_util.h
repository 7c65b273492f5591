/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Helpers shared by the device-model Check suites (test_model_*.c): a fake
 * host memory behind the DMA callbacks, descriptor and program builders.
 */
#ifndef TEST_MODEL_UTIL_H
#define TEST_MODEL_UTIL_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_model.h"

/* Host memory: addresses HOST_BASE .. HOST_BASE + size map to buf. */
#define HOST_BASE	0x100000ULL
#define HOST_SIZE	(4u << 20)

struct host_mem {
	u8 *buf;
	u64 size;
	int reads;
	int writes;
	int fail_read_at;	/* fail the n-th read (1-based), 0 = never */
	int fail_write_at;
};

static inline int host_read(void *ctx, u64 addr, void *dst, u32 len)
{
	struct host_mem *h = ctx;

	h->reads++;
	if (h->fail_read_at && h->reads == h->fail_read_at)
		return -1;
	if (addr < HOST_BASE || addr - HOST_BASE > h->size ||
	    len > h->size - (addr - HOST_BASE))
		return -1;
	memcpy(dst, h->buf + (addr - HOST_BASE), len);
	return 0;
}

static inline int host_write(void *ctx, u64 addr, const void *src, u32 len)
{
	struct host_mem *h = ctx;

	h->writes++;
	if (h->fail_write_at && h->writes == h->fail_write_at)
		return -1;
	if (addr < HOST_BASE || addr - HOST_BASE > h->size ||
	    len > h->size - (addr - HOST_BASE))
		return -1;
	memcpy(h->buf + (addr - HOST_BASE), src, len);
	return 0;
}

/* Fixed host-memory regions the helpers use */
#define H_SRC		(HOST_BASE + 0x000000)
#define H_DST		(HOST_BASE + 0x100000)
#define H_PROG		(HOST_BASE + 0x200000)
#define H_AUX		(HOST_BASE + 0x300000)

static inline u8 *host_ptr(struct host_mem *h, u64 addr)
{
	return h->buf + (addr - HOST_BASE);
}

struct model_fixture {
	struct aimc_model *m;
	struct host_mem host;
};

static inline void fixture_open(struct model_fixture *f,
				const struct aimc_model_config *cfg)
{
	struct aimc_model_dma dma = { host_read, host_write, &f->host };

	memset(&f->host, 0, sizeof(f->host));
	f->host.buf = calloc(1, HOST_SIZE);
	f->host.size = HOST_SIZE;
	ck_assert_ptr_nonnull(f->host.buf);
	f->m = aimc_model_create(cfg, &dma);
	ck_assert_ptr_nonnull(f->m);
}

static inline void fixture_close(struct model_fixture *f)
{
	aimc_model_destroy(f->m);
	free(f->host.buf);
}

static inline void small_config(struct aimc_model_config *cfg, u32 tiles,
				u32 rows, u32 cols)
{
	aimc_model_config_defaults(cfg);
	cfg->tiles = tiles;
	cfg->rows = rows;
	cfg->cols = cols;
	cfg->slots = 4;
}

static inline u32 submit(struct model_fixture *f, const struct aimc_desc *d)
{
	u8 raw[AIMC_DESC_BYTES];

	aimc_desc_encode(d, raw);
	return aimc_model_submit(f->m, raw);
}

static inline void put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline u16 get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline void put32(u8 *p, u32 v)
{
	put16(p, (u16)v);
	put16(p + 2, (u16)(v >> 16));
}

static inline u32 get32(const u8 *p)
{
	return get16(p) | (u32)get16(p + 2) << 16;
}

/* PROGRAM a window from 16-bit records already placed at H_SRC */
static inline u32 do_program(struct model_fixture *f, u32 mode, u32 tile,
			     u32 row0, u32 col0, u32 rows, u32 cols)
{
	struct aimc_desc d = {
		.opcode = AIMC_CMD_PROGRAM, .mode = (u16)mode,
		.tile = (u16)tile, .row0 = (u16)row0, .col0 = (u16)col0,
		.rows = (u16)rows, .cols = (u16)cols,
		.src_addr = H_SRC, .src_len = rows * cols * 2,
	};

	return submit(f, &d);
}

/* Program every cell of a window to one target conductance */
static inline u32 program_uniform(struct model_fixture *f, u32 tile,
				  u32 rows, u32 cols, u32 target_ns)
{
	u32 i;

	for (i = 0; i < rows * cols; i++)
		put16(host_ptr(&f->host, H_SRC) + 2 * i, (u16)target_ns);
	return do_program(f, AIMC_PROG_TARGET, tile, 0, 0, rows, cols);
}

/* READ a window into H_DST */
static inline u32 do_read(struct model_fixture *f, u32 tile, u32 row0,
			  u32 col0, u32 rows, u32 cols)
{
	struct aimc_desc d = {
		.opcode = AIMC_CMD_READ, .tile = (u16)tile,
		.row0 = (u16)row0, .col0 = (u16)col0,
		.rows = (u16)rows, .cols = (u16)cols,
		.dst_addr = H_DST, .dst_len = rows * cols * 2,
	};

	return submit(f, &d);
}

/* Program builder: header, micro-ops, constants */
struct prog_builder {
	u8 uops[AIMC_PROG_MAX_UOPS * 16];
	u8 consts[32768];
	u32 n_uops;
	u32 const_bytes;
};

static inline void pb_init(struct prog_builder *pb)
{
	memset(pb, 0, sizeof(*pb));
}

static inline void pb_uop(struct prog_builder *pb, u8 op, u8 dst, u8 a,
			  u8 b, u16 len, u16 aux, u32 imm0, u32 imm1)
{
	u8 *p = pb->uops + 16 * pb->n_uops++;

	p[0] = op;
	p[1] = dst;
	p[2] = a;
	p[3] = b;
	put16(p + 4, len);
	put16(p + 6, aux);
	put32(p + 8, imm0);
	put32(p + 12, imm1);
}

/* Append s32 constants; returns their byte offset in the pool */
static inline u32 pb_const32(struct prog_builder *pb, const s32 *v, u32 n)
{
	u32 off = pb->const_bytes, i;

	for (i = 0; i < n; i++)
		put32(pb->consts + off + 4 * i, (u32)v[i]);
	pb->const_bytes += 4 * n;
	return off;
}

/* Write the image at @addr; returns its length */
static inline u32 pb_emit(struct prog_builder *pb, struct host_mem *h,
			  u64 addr)
{
	u8 *p = host_ptr(h, addr);

	put32(p, AIMC_PROG_MAGIC);
	put16(p + 4, AIMC_PROG_VERSION);
	put16(p + 6, (u16)pb->n_uops);
	put32(p + 8, pb->const_bytes);
	put32(p + 12, 0);
	memcpy(p + 16, pb->uops, 16 * pb->n_uops);
	memcpy(p + 16 + 16 * pb->n_uops, pb->consts, pb->const_bytes);
	return 16 + 16 * pb->n_uops + pb->const_bytes;
}

static inline struct aimc_desc exec_desc(u32 slot, u32 steps, u32 in_stride,
					 u32 out_stride, u32 prog_len)
{
	struct aimc_desc d = {
		.opcode = AIMC_CMD_EXEC, .slot = (u16)slot, .steps = steps,
		.in_stride = (u16)in_stride, .out_stride = (u16)out_stride,
		.src_addr = H_SRC, .src_len = steps * in_stride,
		.dst_addr = H_DST, .dst_len = steps * out_stride,
		.prog_addr = H_PROG, .prog_len = prog_len,
	};

	return d;
}

/* Sample statistics */
struct stat_acc {
	double n, sum, sum2;
};

static inline void stat_add(struct stat_acc *s, double x)
{
	s->n += 1;
	s->sum += x;
	s->sum2 += x * x;
}

static inline double stat_mean(const struct stat_acc *s)
{
	return s->sum / s->n;
}

static inline double stat_sd(const struct stat_acc *s)
{
	double m = stat_mean(s);

	return sqrt((s->sum2 - s->n * m * m) / (s->n - 1));
}

/* Measured figures, printed when AIMC_TEST_VERBOSE is set */
#define report(fmt, ...)						\
	do {								\
		if (getenv("AIMC_TEST_VERBOSE"))			\
			fprintf(stderr, "  " fmt "\n", ##__VA_ARGS__);	\
	} while (0)

#endif /* TEST_MODEL_UTIL_H */
