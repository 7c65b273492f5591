// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The one validator of AIMC-1 descriptors and EXEC programs (see
 * aimc_hw_check.h).  The order of the checks is the card's documented
 * order (emulator/README.md): the first rule broken names the status.
 */
#include "aimc_hw_check.h"

#define HDR_BYTES	sizeof(struct aimc_prog_hdr)
#define UOP_BYTES	sizeof(struct aimc_uop)
#define SSM_WORDS(m)	(6 * (m))	/* Are Aim Bre Bim Cre Cim per mode */

static bool reserved_clear(const struct aimc_desc *d, u32 used)
{
	if (!(used & AIMC_DF_FLAGS) && d->flags)
		return false;
	if (!(used & AIMC_DF_TILE) && d->tile)
		return false;
	if (!(used & AIMC_DF_SLOT) && d->slot)
		return false;
	if (!(used & AIMC_DF_MODE) && d->mode)
		return false;
	if (!(used & AIMC_DF_ROWS) && (d->row0 || d->rows))
		return false;
	if (!(used & AIMC_DF_COLS) && (d->col0 || d->cols))
		return false;
	if (!(used & AIMC_DF_STEPS) && d->steps)
		return false;
	if (!(used & AIMC_DF_STRIDES) && (d->in_stride || d->out_stride))
		return false;
	if (!(used & AIMC_DF_SRC) && (d->src_addr || d->src_len))
		return false;
	if (!(used & AIMC_DF_DST) && (d->dst_addr || d->dst_len))
		return false;
	if (!(used & AIMC_DF_PROG) && (d->prog_addr || d->prog_len))
		return false;
	return true;
}

u32 aimc_hw_check_fields(const struct aimc_desc *d)
{
	if (d->opcode >= AIMC_CMD_COUNT)
		return AIMC_ST_BAD_OPCODE;
	if (!reserved_clear(d, aimc_desc_fields(d->opcode)))
		return AIMC_ST_BAD_RESERVED;
	if (d->flags & ~AIMC_EXEC_F_ALL)
		return AIMC_ST_BAD_MODE;
	return AIMC_ST_OK;
}

u32 aimc_hw_check_resources(const struct aimc_desc *d, aimc_hw_use_fn use,
			    void *ctx)
{
	u32 used = aimc_desc_fields(d->opcode);

	if ((used & AIMC_DF_TILE) && use(ctx, AIMC_HW_TILE, d->tile))
		return AIMC_CHECK_REFUSED;
	if ((used & AIMC_DF_SLOT) && use(ctx, AIMC_HW_SLOT, d->slot))
		return AIMC_CHECK_REFUSED;
	return AIMC_ST_OK;
}

u32 aimc_hw_check_desc(const struct aimc_desc *d,
		       const struct aimc_hw_limits *lim)
{
	u32 used, st;

	st = aimc_hw_check_fields(d);
	if (st)
		return st;
	used = aimc_desc_fields(d->opcode);
	if (d->opcode == AIMC_CMD_PROGRAM && d->mode > AIMC_PROG_PULSE)
		return AIMC_ST_BAD_MODE;
	if (d->opcode == AIMC_CMD_WAIT && d->mode > AIMC_WAIT_S)
		return AIMC_ST_BAD_MODE;
	if ((used & AIMC_DF_TILE) && d->tile >= lim->tiles)
		return AIMC_ST_BAD_TILE;
	if ((used & AIMC_DF_SLOT) && d->slot >= lim->slots)
		return AIMC_ST_BAD_SLOT;
	if ((used & AIMC_DF_ROWS) &&
	    (!d->rows || (u32)d->row0 + d->rows > lim->rows))
		return AIMC_ST_BAD_WINDOW;
	if ((used & AIMC_DF_COLS) &&
	    (!d->cols || (u32)d->col0 + d->cols > lim->cols))
		return AIMC_ST_BAD_WINDOW;
	if (d->opcode == AIMC_CMD_CALIBRATE && ((d->col0 | d->cols) & 1))
		return AIMC_ST_BAD_WINDOW;
	if (d->opcode == AIMC_CMD_EXEC &&
	    (!d->steps || d->steps > AIMC_EXEC_MAX_STEPS))
		return AIMC_ST_BAD_STEPS;
	return AIMC_ST_OK;
}

/* ---- EXEC programs ---------------------------------------------------- */

struct prog_view {
	const u8 *consts;
	u32 const_bytes;
};

static void decode_uop(const u8 *p, struct aimc_uop *u)
{
	u->op = p[0];
	u->dst = p[1];
	u->src_a = p[2];
	u->src_b = p[3];
	u->len = aimc_hw_get_le16(p + 4);
	u->aux = aimc_hw_get_le16(p + 6);
	u->imm0 = aimc_hw_get_le32(p + 8);
	u->imm1 = aimc_hw_get_le32(p + 12);
}

static bool reg_ok(u32 r)
{
	return r < AIMC_DPU_NREGS;
}

/* [off, off + bytes) inside the constant pool, off 4-byte aligned */
static bool const_ok(const struct prog_view *pv, u64 off, u64 bytes)
{
	return !(off & 3) && off + bytes <= pv->const_bytes;
}

static bool width_ok(u32 w)
{
	return w == 1 || w == 2 || w == 4;
}

static bool bits_ok(u32 bits)
{
	return bits >= 2 && bits <= 32;
}

static bool mvm_ok(const struct aimc_hw_limits *lim, const struct aimc_uop *u)
{
	u32 row0 = FIELD_GET(AIMC_MVM_F_ROW0, u->imm0);
	u32 col0 = FIELD_GET(AIMC_MVM_F_COL0, u->imm0);
	u32 cols = FIELD_GET(AIMC_MVM_F_COLS, u->imm1);
	u32 shift = FIELD_GET(AIMC_MVM_F_SHIFT, u->imm1);

	return u->aux < lim->tiles && row0 + u->len <= lim->rows &&
	       cols >= 2 && !(cols & 1) && !(col0 & 1) &&
	       col0 + cols <= lim->cols && cols / 2 <= AIMC_DPU_VLEN &&
	       shift <= AIMC_MVM_MAX_SHIFT;
}

/* Field rules per opcode; anything not named must be zero. */
static bool uop_ok(const struct aimc_hw_limits *lim, const struct aimc_desc *d,
		   const struct prog_view *pv, const struct aimc_uop *u)
{
	u64 len = u->len;
	bool regs3 = reg_ok(u->dst) && reg_ok(u->src_a) && reg_ok(u->src_b);
	bool regs2 = reg_ok(u->dst) && reg_ok(u->src_a) && !u->src_b;
	bool len_ok = len >= 1 && len <= AIMC_DPU_VLEN;

	switch (u->op) {
	case AIMC_UOP_NOP:
		return !u->dst && !u->src_a && !u->src_b && !u->len &&
		       !u->aux && !u->imm0 && !u->imm1;
	case AIMC_UOP_LOAD:
		return reg_ok(u->dst) && !u->src_a && !u->src_b && len_ok &&
		       !u->aux && width_ok(u->imm1) &&
		       u->imm0 + len * u->imm1 <= d->in_stride;
	case AIMC_UOP_STORE:
		return !u->dst && reg_ok(u->src_a) && !u->src_b && len_ok &&
		       !u->aux && width_ok(u->imm1) &&
		       u->imm0 + len * u->imm1 <= d->out_stride;
	case AIMC_UOP_MVM:
		return regs2 && len_ok && mvm_ok(lim, u);
	case AIMC_UOP_SSM: {
		u64 modes = u->src_b;

		return reg_ok(u->dst) && reg_ok(u->src_a) && len_ok &&
		       modes >= 1 && modes <= AIMC_SSM_MAX_MODES && !u->aux &&
		       const_ok(pv, u->imm0,
				4 * len * (SSM_WORDS(modes) + 1)) &&
		       (u64)u->imm1 + 2 * len * modes <=
		       AIMC_SLOT_STATE_WORDS;
	}
	case AIMC_UOP_LUT:
		if (!regs2 || !len_ok || u->imm1)
			return false;
		if (u->aux == AIMC_LUT_PROGRAM)
			return const_ok(pv, u->imm0, 512);
		return (u->aux == AIMC_LUT_GELU ||
			u->aux == AIMC_LUT_SIGMOID) && !u->imm0;
	case AIMC_UOP_GLU:
	case AIMC_UOP_ADD:
		return regs3 && len_ok && !u->aux && !u->imm0 && !u->imm1;
	case AIMC_UOP_MUL:
		return regs3 && len_ok && !u->aux &&
		       u->imm0 <= AIMC_SHIFT_MAX && !u->imm1;
	case AIMC_UOP_REQUANT:
		return regs2 && len_ok && !u->aux &&
		       FIELD_GET(AIMC_REQUANT_F_SHIFT, u->imm1) <= AIMC_SHIFT_MAX &&
		       bits_ok(FIELD_GET(AIMC_REQUANT_F_BITS, u->imm1)) &&
		       !(u->imm1 >> 16);
	case AIMC_UOP_AFFINE:
		return regs2 && len_ok && !u->aux &&
		       const_ok(pv, u->imm0, 8 * len) &&
		       u->imm1 <= AIMC_SHIFT_MAX;
	case AIMC_UOP_POOL_ACC:
		return !u->dst && reg_ok(u->src_a) && !u->src_b &&
		       len_ok && len <= AIMC_POOL_LEN && !u->aux &&
		       !u->imm0 && !u->imm1;
	case AIMC_UOP_POOL_READ:
		return reg_ok(u->dst) && !u->src_a && !u->src_b && len_ok &&
		       len <= AIMC_POOL_LEN && !(u->aux & ~AIMC_POOL_F_CLEAR) &&
		       !u->imm0 && !u->imm1;
	case AIMC_UOP_MOV:
		return regs2 && len_ok && !u->aux &&
		       u->imm0 + len <= AIMC_DPU_VLEN &&
		       u->imm1 + len <= AIMC_DPU_VLEN;
	case AIMC_UOP_STATE_LD:
		return reg_ok(u->dst) && !u->src_a && !u->src_b && len_ok &&
		       !u->aux && u->imm0 + len <= AIMC_SLOT_STATE_WORDS &&
		       !u->imm1;
	case AIMC_UOP_STATE_ST:
		return !u->dst && reg_ok(u->src_a) && !u->src_b && len_ok &&
		       !u->aux && u->imm0 + len <= AIMC_SLOT_STATE_WORDS &&
		       !u->imm1;
	case AIMC_UOP_CONST_LD:
		return reg_ok(u->dst) && !u->src_a && !u->src_b && len_ok &&
		       !u->aux && const_ok(pv, u->imm0, 4 * len) && !u->imm1;
	default:
		return false;
	}
}

u32 aimc_hw_check_prog(const u8 *prog, u32 len, const struct aimc_desc *d,
		       const struct aimc_hw_limits *lim, aimc_hw_use_fn use,
		       void *ctx, struct aimc_uop *uops, u32 *n_uops,
		       u32 *bad_uop)
{
	struct prog_view pv;
	struct aimc_uop u;
	u32 n, i;

	if (len < HDR_BYTES)
		return AIMC_ST_BAD_PROGRAM;
	n = aimc_hw_get_le16(prog + offsetof(struct aimc_prog_hdr, n_uops));
	pv.const_bytes = aimc_hw_get_le32(prog + offsetof(struct aimc_prog_hdr,
							  const_bytes));
	if (aimc_hw_get_le32(prog + offsetof(struct aimc_prog_hdr, magic)) !=
	    AIMC_PROG_MAGIC ||
	    aimc_hw_get_le16(prog + offsetof(struct aimc_prog_hdr, version)) !=
	    AIMC_PROG_VERSION ||
	    aimc_hw_get_le32(prog + offsetof(struct aimc_prog_hdr, reserved)) ||
	    !n || n > AIMC_PROG_MAX_UOPS ||
	    (u64)HDR_BYTES + (u64)n * UOP_BYTES + pv.const_bytes != len)
		return AIMC_ST_BAD_PROGRAM;
	pv.consts = prog + HDR_BYTES + n * UOP_BYTES;
	for (i = 0; i < n; i++) {
		decode_uop(prog + HDR_BYTES + i * UOP_BYTES, &u);
		if (!uop_ok(lim, d, &pv, &u)) {
			*bad_uop = i;
			return AIMC_ST_BAD_UOP;
		}
		if (uops)
			uops[i] = u;
	}
	if (use) {
		for (i = 0; i < n; i++) {
			const u8 *p = prog + HDR_BYTES + i * UOP_BYTES;

			if (p[offsetof(struct aimc_uop, op)] == AIMC_UOP_MVM &&
			    use(ctx, AIMC_HW_TILE,
				aimc_hw_get_le16(p + offsetof(struct aimc_uop, aux))))
				return AIMC_CHECK_REFUSED;
		}
	}
	*n_uops = n;
	return AIMC_ST_OK;
}
