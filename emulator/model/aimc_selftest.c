// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A self-contained round trip through the command processor, for a
 * debugfs self-test in the kernel or a smoke test anywhere: a small
 * noise-free device, host memory of its own behind the DMA callbacks,
 * PROGRAM, READ, and an EXEC with one MVM, each result checked exactly.
 */
#include "aimc_model.h"
#include "aimc_model_priv.h"

#define ST_N		8	/* 8 x 8 cells */
#define ST_MEM		4096
#define ST_SRC		0
#define ST_DST		1024
#define ST_PROG		2048

struct selftest_mem {
	u8 buf[ST_MEM];
};

static int st_read(void *ctx, u64 addr, void *dst, u32 len)
{
	struct selftest_mem *mem = ctx;

	if (addr > ST_MEM || len > ST_MEM - addr)
		return -1;
	memcpy(dst, mem->buf + addr, len);
	return 0;
}

static int st_write(void *ctx, u64 addr, const void *src, u32 len)
{
	struct selftest_mem *mem = ctx;

	if (addr > ST_MEM || len > ST_MEM - addr)
		return -1;
	memcpy(mem->buf + addr, src, len);
	return 0;
}

static void put_uop(u8 *p, u8 op, u8 dst, u8 src, u16 len, u32 imm0,
		    u32 imm1)
{
	memset(p, 0, sizeof(struct aimc_uop));
	p[0] = op;
	p[1] = dst;
	p[2] = src;
	aimc_hw_put_le16(p + 4, len);
	aimc_hw_put_le32(p + 8, imm0);
	aimc_hw_put_le32(p + 12, imm1);
}

/* Weight of cell (r, c): G+ in even columns, G- = 0 in odd ones */
static u16 st_weight(u32 r, u32 c)
{
	return (c & 1) ? 0 : (u16)(((r * 3 + c) % 5 + 1) * 1024);
}

static u32 st_run(struct aimc_model *m, struct selftest_mem *mem)
{
	struct aimc_desc d;
	u8 *p;
	u32 r, c, st;

	/* PROGRAM all cells, READ them back */
	for (r = 0; r < ST_N; r++)
		for (c = 0; c < ST_N; c++)
			aimc_hw_put_le16(mem->buf + ST_SRC + 2 * (r * ST_N + c),
					 st_weight(r, c));
	memset(&d, 0, sizeof(d));
	d.opcode = AIMC_CMD_PROGRAM;
	d.rows = ST_N;
	d.cols = ST_N;
	d.src_addr = ST_SRC;
	d.src_len = 2 * ST_N * ST_N;
	st = aimc_model_execute(m, &d);
	if (st)
		return st;
	memset(&d, 0, sizeof(d));
	d.opcode = AIMC_CMD_READ;
	d.rows = ST_N;
	d.cols = ST_N;
	d.dst_addr = ST_DST;
	d.dst_len = 2 * ST_N * ST_N;
	st = aimc_model_execute(m, &d);
	if (st)
		return st;
	if (memcmp(mem->buf + ST_SRC, mem->buf + ST_DST, 2 * ST_N * ST_N))
		return AIMC_ST_COUNT;

	/* EXEC: x = 1..8 (int8), y = MVM with 2^10 nS = one weight step */
	p = mem->buf + ST_PROG;
	aimc_hw_put_le32(p, AIMC_PROG_MAGIC);
	aimc_hw_put_le16(p + 4, AIMC_PROG_VERSION);
	aimc_hw_put_le16(p + 6, 3);
	aimc_hw_put_le32(p + 8, 0);
	aimc_hw_put_le32(p + 12, 0);
	put_uop(p + 16, AIMC_UOP_LOAD, 1, 0, ST_N, 0, 1);
	put_uop(p + 32, AIMC_UOP_MVM, 2, 1, ST_N, AIMC_MVM_IMM0(0, 0),
		AIMC_MVM_IMM1(ST_N, 10));
	put_uop(p + 48, AIMC_UOP_STORE, 0, 2, ST_N / 2, 0, 1);
	for (r = 0; r < ST_N; r++)
		mem->buf[ST_SRC + r] = (u8)(r + 1);
	memset(&d, 0, sizeof(d));
	d.opcode = AIMC_CMD_EXEC;
	d.steps = 1;
	d.in_stride = ST_N;
	d.out_stride = ST_N / 2;
	d.src_addr = ST_SRC;
	d.src_len = ST_N;
	d.dst_addr = ST_DST;
	d.dst_len = ST_N / 2;
	d.prog_addr = ST_PROG;
	d.prog_len = 64;
	st = aimc_model_execute(m, &d);
	if (st)
		return st;
	for (c = 0; c < ST_N / 2; c++) {
		s32 want = 0;

		for (r = 0; r < ST_N; r++)
			want += (s32)(r + 1) * (st_weight(r, 2 * c) / 1024);
		if (want > 127)
			want = 127;
		if ((s8)mem->buf[ST_DST + c] != want)
			return AIMC_ST_COUNT;
	}
	return AIMC_ST_OK;
}

int aimc_model_selftest(void)
{
	struct aimc_model_config cfg;
	struct selftest_mem *mem = aimc_zalloc(sizeof(*mem));
	struct aimc_model_dma dma = { st_read, st_write, mem };
	struct aimc_model *m;
	u32 st;

	if (!mem)
		return -12;	/* -ENOMEM */
	aimc_model_config_defaults(&cfg);
	cfg.tiles = 1;
	cfg.rows = ST_N;
	cfg.cols = ST_N;
	cfg.slots = 1;
	cfg.noise_free = true;
	m = aimc_model_create(&cfg, &dma);
	if (!m) {
		aimc_free(mem);
		return -12;
	}
	st = st_run(m, mem);
	aimc_model_destroy(m);
	aimc_free(mem);
	if (st)
		aimc_log_err("self-test failed: status %u\n", st);
	return st ? -5 : 0;	/* -EIO */
}
