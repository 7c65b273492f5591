/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * AIMC-1 command contract: ring descriptors, per-command status codes,
 * operand formats and the digital unit's micro-op encoding.  The driver
 * owns it (driver/hw/); the emulator, the device model (in the kernel,
 * in libaimc's sim backend and in the QEMU device) and the runtime's
 * program compiler include it.  Everything in host memory is
 * little-endian.  emulator/README.md is the prose version of this file.
 */
#ifndef AIMC_HW_CMD_H
#define AIMC_HW_CMD_H

#include "aimc_hw_types.h"

/* ---- Descriptor ------------------------------------------------------ */

#define AIMC_DESC_BYTES		64

enum aimc_cmd_opcode {
	AIMC_CMD_NOP		= 0,
	AIMC_CMD_PROGRAM	= 1,
	AIMC_CMD_READ		= 2,
	AIMC_CMD_EXEC		= 3,
	AIMC_CMD_STATE_SAVE	= 4,
	AIMC_CMD_STATE_LOAD	= 5,
	AIMC_CMD_CALIBRATE	= 6,
	AIMC_CMD_WAIT		= 7,
	AIMC_CMD_COUNT		= 8,
};

/*
 * One ring entry as the card reads it from host memory.  Fields an
 * opcode does not use are reserved and must be zero (AIMC_ST_BAD_RESERVED
 * otherwise); seq is never checked.
 */
struct aimc_hw_desc {
	u8 opcode;		/* 0x00 enum aimc_cmd_opcode */
	u8 flags;		/* 0x01 AIMC_EXEC_F_* for EXEC */
	__le16 tile;		/* 0x02 PROGRAM, READ, CALIBRATE */
	__le16 slot;		/* 0x04 EXEC, STATE_SAVE, STATE_LOAD */
	__le16 mode;		/* 0x06 PROGRAM: AIMC_PROG_*, WAIT: unit */
	__le16 row0;		/* 0x08 window, in cells */
	__le16 col0;		/* 0x0a */
	__le16 rows;		/* 0x0c */
	__le16 cols;		/* 0x0e */
	__le32 steps;		/* 0x10 EXEC: time steps, WAIT: amount */
	__le16 in_stride;	/* 0x14 EXEC: input bytes per step */
	__le16 out_stride;	/* 0x16 EXEC: output bytes per step */
	__le64 src_addr;	/* 0x18 operand read by the device */
	__le64 dst_addr;	/* 0x20 result written by the device */
	__le64 prog_addr;	/* 0x28 EXEC: micro-op program */
	__le32 src_len;		/* 0x30 bytes */
	__le32 dst_len;		/* 0x34 bytes */
	__le32 prog_len;	/* 0x38 bytes */
	__le32 seq;		/* 0x3c cookie for the driver, not checked */
} __packed;

static_assert(sizeof(struct aimc_hw_desc) == AIMC_DESC_BYTES);
static_assert(offsetof(struct aimc_hw_desc, src_addr) == 0x18);
static_assert(offsetof(struct aimc_hw_desc, seq) == 0x3c);

/* The same descriptor in CPU byte order, as the checks and models use it. */
struct aimc_desc {
	u8 opcode;
	u8 flags;
	u16 tile;
	u16 slot;
	u16 mode;
	u16 row0;
	u16 col0;
	u16 rows;
	u16 cols;
	u32 steps;
	u16 in_stride;
	u16 out_stride;
	u64 src_addr;
	u64 dst_addr;
	u64 prog_addr;
	u32 src_len;
	u32 dst_len;
	u32 prog_len;
	u32 seq;
};

static inline void aimc_desc_to_hw(const struct aimc_desc *d,
				   struct aimc_hw_desc *hw)
{
	hw->opcode = d->opcode;
	hw->flags = d->flags;
	hw->tile = cpu_to_le16(d->tile);
	hw->slot = cpu_to_le16(d->slot);
	hw->mode = cpu_to_le16(d->mode);
	hw->row0 = cpu_to_le16(d->row0);
	hw->col0 = cpu_to_le16(d->col0);
	hw->rows = cpu_to_le16(d->rows);
	hw->cols = cpu_to_le16(d->cols);
	hw->steps = cpu_to_le32(d->steps);
	hw->in_stride = cpu_to_le16(d->in_stride);
	hw->out_stride = cpu_to_le16(d->out_stride);
	hw->src_addr = cpu_to_le64(d->src_addr);
	hw->dst_addr = cpu_to_le64(d->dst_addr);
	hw->prog_addr = cpu_to_le64(d->prog_addr);
	hw->src_len = cpu_to_le32(d->src_len);
	hw->dst_len = cpu_to_le32(d->dst_len);
	hw->prog_len = cpu_to_le32(d->prog_len);
	hw->seq = cpu_to_le32(d->seq);
}

static inline void aimc_desc_from_hw(const struct aimc_hw_desc *hw,
				     struct aimc_desc *d)
{
	d->opcode = hw->opcode;
	d->flags = hw->flags;
	d->tile = le16_to_cpu(hw->tile);
	d->slot = le16_to_cpu(hw->slot);
	d->mode = le16_to_cpu(hw->mode);
	d->row0 = le16_to_cpu(hw->row0);
	d->col0 = le16_to_cpu(hw->col0);
	d->rows = le16_to_cpu(hw->rows);
	d->cols = le16_to_cpu(hw->cols);
	d->steps = le32_to_cpu(hw->steps);
	d->in_stride = le16_to_cpu(hw->in_stride);
	d->out_stride = le16_to_cpu(hw->out_stride);
	d->src_addr = le64_to_cpu(hw->src_addr);
	d->dst_addr = le64_to_cpu(hw->dst_addr);
	d->prog_addr = le64_to_cpu(hw->prog_addr);
	d->src_len = le32_to_cpu(hw->src_len);
	d->dst_len = le32_to_cpu(hw->dst_len);
	d->prog_len = le32_to_cpu(hw->prog_len);
	d->seq = le32_to_cpu(hw->seq);
}

/*
 * Which descriptor fields each opcode uses; every other field is reserved
 * and must be zero.  Shared so the driver checks exactly what the card
 * checks.
 */
#define AIMC_DF_FLAGS		0x001
#define AIMC_DF_TILE		0x002
#define AIMC_DF_SLOT		0x004
#define AIMC_DF_MODE		0x008
#define AIMC_DF_ROWS		0x010	/* row0, rows */
#define AIMC_DF_COLS		0x020	/* col0, cols */
#define AIMC_DF_STEPS		0x040
#define AIMC_DF_STRIDES		0x080	/* in_stride, out_stride */
#define AIMC_DF_SRC		0x100	/* src_addr, src_len */
#define AIMC_DF_DST		0x200	/* dst_addr, dst_len */
#define AIMC_DF_PROG		0x400	/* prog_addr, prog_len */

/* Fields @opcode uses; 0 for an unknown opcode. */
static inline u32 aimc_desc_fields(u32 opcode)
{
	switch (opcode) {
	case AIMC_CMD_PROGRAM:
		return AIMC_DF_TILE | AIMC_DF_MODE | AIMC_DF_ROWS |
		       AIMC_DF_COLS | AIMC_DF_SRC;
	case AIMC_CMD_READ:
		return AIMC_DF_TILE | AIMC_DF_ROWS | AIMC_DF_COLS | AIMC_DF_DST;
	case AIMC_CMD_EXEC:
		return AIMC_DF_FLAGS | AIMC_DF_SLOT | AIMC_DF_STEPS |
		       AIMC_DF_STRIDES | AIMC_DF_SRC | AIMC_DF_DST |
		       AIMC_DF_PROG;
	case AIMC_CMD_STATE_SAVE:
		return AIMC_DF_SLOT | AIMC_DF_DST;
	case AIMC_CMD_STATE_LOAD:
		return AIMC_DF_SLOT | AIMC_DF_SRC;
	case AIMC_CMD_CALIBRATE:
		return AIMC_DF_TILE | AIMC_DF_COLS | AIMC_DF_SRC;
	case AIMC_CMD_WAIT:
		return AIMC_DF_MODE | AIMC_DF_STEPS;
	default:
		return 0;
	}
}

/* PROGRAM modes: what one 16-bit source record per cell means */
#define AIMC_PROG_TARGET	0	/* u16 target conductance, nS */
#define AIMC_PROG_PULSE		1	/* AIMC_PULSE_* record */

/* Pulse record: signed pulse count (+ SET, - RESET) and amplitude */
#define AIMC_PULSE_F_COUNT	GENMASK(7, 0)	/* s8 */
#define AIMC_PULSE_F_AMP	GENMASK(15, 8)	/* units of 10 mV */
#define AIMC_PULSE_COUNT(rec)	((s8)FIELD_GET(AIMC_PULSE_F_COUNT, (u32)(rec)))
#define AIMC_PULSE_AMP(rec)	FIELD_GET(AIMC_PULSE_F_AMP, (u32)(rec))
#define AIMC_PULSE_REC(count, amp_10mv) \
	((u16)(FIELD_PREP(AIMC_PULSE_F_COUNT, (u8)(s8)(count)) | \
	       FIELD_PREP(AIMC_PULSE_F_AMP, (u8)(amp_10mv))))

/* WAIT: mode selects the unit of steps */
#define AIMC_WAIT_NS		0
#define AIMC_WAIT_US		1
#define AIMC_WAIT_MS		2
#define AIMC_WAIT_S		3

/* EXEC flags */
#define AIMC_EXEC_F_RESET_STATE	0x01	/* zero the slot before step 0 */
#define AIMC_EXEC_F_ALL		AIMC_EXEC_F_RESET_STATE

/* CALIBRATE: one record per differential (logical) column of the window */
struct aimc_calib_rec {
	u16 gain_q14;		/* ADC gain, 16384 = 1.0 */
	s16 offset;		/* added after scaling, ADC codes */
};

#define AIMC_CALIB_GAIN_ONE	16384

/* ---- Status ---------------------------------------------------------- */

enum aimc_status {
	AIMC_ST_OK		= 0,
	AIMC_ST_BAD_OPCODE	= 1,	/* unknown opcode */
	AIMC_ST_BAD_TILE	= 2,	/* tile index >= tile count */
	AIMC_ST_BAD_WINDOW	= 3,	/* window empty or off the tile */
	AIMC_ST_BAD_SLOT	= 4,	/* stream slot >= slot count */
	AIMC_ST_BAD_UOP		= 5,	/* a micro-op field out of range */
	AIMC_ST_BAD_LENGTH	= 6,	/* operand length does not match */
	AIMC_ST_DMA_FAULT	= 7,	/* a DMA callback failed */
	AIMC_ST_BAD_MODE	= 8,	/* mode or flags not defined */
	AIMC_ST_BAD_RESERVED	= 9,	/* an unused field is not zero */
	AIMC_ST_BAD_STEPS	= 10,	/* step count zero or too large */
	AIMC_ST_BAD_PROGRAM	= 11,	/* program header malformed */
	AIMC_ST_BAD_STATE	= 12,	/* state image malformed */
	AIMC_ST_BAD_OPERAND	= 13,	/* operand value out of range */
	AIMC_ST_COUNT		= 14,
};

/* ---- Limits ---------------------------------------------------------- */

#define AIMC_IO_MAX_BYTES	131072	/* per operand buffer */
#define AIMC_PROG_MAX_BYTES	65536
#define AIMC_PROG_MAX_UOPS	512
#define AIMC_EXEC_MAX_STEPS	65536
#define AIMC_DPU_NREGS		16
#define AIMC_DPU_VLEN		256	/* s32 elements per vector register */
#define AIMC_SLOT_STATE_WORDS	4096	/* s32 state words per stream slot */
#define AIMC_POOL_LEN		256	/* mean-pool accumulators per slot */

/* ---- EXEC program ---------------------------------------------------- */

#define AIMC_PROG_MAGIC		0x504d4941u	/* "AIMP" */
#define AIMC_PROG_VERSION	1

/* Program image: header, n_uops micro-ops, const_bytes of constants. */
struct aimc_prog_hdr {
	u32 magic;
	u16 version;
	u16 n_uops;
	u32 const_bytes;
	u32 reserved;		/* must be zero */
};

struct aimc_uop {
	u8 op;			/* enum aimc_uop_opcode */
	u8 dst;			/* vector register */
	u8 src_a;		/* vector register */
	u8 src_b;		/* vector register or small immediate */
	u16 len;		/* elements, 1..AIMC_DPU_VLEN */
	u16 aux;		/* tile, table id or flags */
	u32 imm0;
	u32 imm1;
};

/* A program image's header, little-endian, as the card reads it. */
static inline void aimc_hw_put_prog_hdr(u8 *p, u16 n_uops, u32 const_bytes)
{
	aimc_hw_put_le32(p, AIMC_PROG_MAGIC);
	aimc_hw_put_le16(p + 4, AIMC_PROG_VERSION);
	aimc_hw_put_le16(p + 6, n_uops);
	aimc_hw_put_le32(p + 8, const_bytes);
	aimc_hw_put_le32(p + 12, 0);
}

/* One micro-op, little-endian, as the card reads it. */
static inline void aimc_hw_put_uop(u8 *p, const struct aimc_uop *u)
{
	p[0] = u->op;
	p[1] = u->dst;
	p[2] = u->src_a;
	p[3] = u->src_b;
	aimc_hw_put_le16(p + 4, u->len);
	aimc_hw_put_le16(p + 6, u->aux);
	aimc_hw_put_le32(p + 8, u->imm0);
	aimc_hw_put_le32(p + 12, u->imm1);
}

enum aimc_uop_opcode {
	AIMC_UOP_NOP		= 0x00,
	AIMC_UOP_LOAD		= 0x01,
	AIMC_UOP_STORE		= 0x02,
	AIMC_UOP_MVM		= 0x03,
	AIMC_UOP_SSM		= 0x04,
	AIMC_UOP_LUT		= 0x05,
	AIMC_UOP_GLU		= 0x06,
	AIMC_UOP_ADD		= 0x07,
	AIMC_UOP_MUL		= 0x08,
	AIMC_UOP_REQUANT	= 0x09,
	AIMC_UOP_AFFINE		= 0x0a,
	AIMC_UOP_POOL_ACC	= 0x0b,
	AIMC_UOP_POOL_READ	= 0x0c,
	AIMC_UOP_MOV		= 0x0d,
	AIMC_UOP_STATE_LD	= 0x0e,
	AIMC_UOP_STATE_ST	= 0x0f,
	AIMC_UOP_CONST_LD	= 0x10,
	AIMC_UOP_COUNT		= 0x11,
};

/* MVM packs its window into the immediates */
#define AIMC_MVM_F_ROW0		GENMASK(15, 0)	/* imm0 */
#define AIMC_MVM_F_COL0		GENMASK(31, 16)	/* imm0 */
#define AIMC_MVM_F_COLS		GENMASK(15, 0)	/* imm1 */
#define AIMC_MVM_F_SHIFT	GENMASK(31, 16)	/* imm1 */
#define AIMC_MVM_IMM0(row0, col0) \
	(FIELD_PREP(AIMC_MVM_F_ROW0, row0) | FIELD_PREP(AIMC_MVM_F_COL0, col0))
#define AIMC_MVM_IMM1(cols, shift) \
	(FIELD_PREP(AIMC_MVM_F_COLS, cols) | FIELD_PREP(AIMC_MVM_F_SHIFT, shift))
#define AIMC_MVM_MAX_SHIFT		40

/* LUT tables (aux) */
#define AIMC_LUT_GELU		0	/* in Q4, out Q4 */
#define AIMC_LUT_SIGMOID	1	/* in Q4, out Q15 */
#define AIMC_LUT_PROGRAM	2	/* 256 s16 at const offset imm0 */

/* REQUANT: imm1 = shift | out_bits << 8, nothing above */
#define AIMC_REQUANT_F_SHIFT	GENMASK(7, 0)
#define AIMC_REQUANT_F_BITS	GENMASK(15, 8)
#define AIMC_REQUANT_IMM1(shift, bits) \
	(FIELD_PREP(AIMC_REQUANT_F_SHIFT, shift) | FIELD_PREP(AIMC_REQUANT_F_BITS, bits))
#define AIMC_SHIFT_MAX			62

/* POOL_READ aux flag */
#define AIMC_POOL_F_CLEAR	0x1

/* SSM fixed point */
#define AIMC_SSM_A_FRAC		30	/* A: Q1.30 */
#define AIMC_SSM_FRAC		16	/* B, C, D and the state: Q15.16 */
#define AIMC_SSM_MAX_MODES	64

/* ---- Stream state image (STATE_SAVE / STATE_LOAD) -------------------- */

#define AIMC_STATE_MAGIC	0x54534941u	/* "AIST" */
#define AIMC_STATE_VERSION	1

struct aimc_state_hdr {
	u32 magic;
	u32 version;
	u32 words;		/* AIMC_SLOT_STATE_WORDS */
	u32 pool_count;		/* steps accumulated by POOL_ACC */
};

/* header, s32 words[AIMC_SLOT_STATE_WORDS], s64 pool[AIMC_POOL_LEN] */
#define AIMC_STATE_IMAGE_BYTES \
	(sizeof(struct aimc_state_hdr) + 4 * AIMC_SLOT_STATE_WORDS + \
	 8 * AIMC_POOL_LEN)

#endif /* AIMC_HW_CMD_H */
