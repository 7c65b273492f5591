// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device model, command processor: every descriptor field and every
 * micro-op field out of range in turn gives its documented status and
 * leaves the device (state digest) and host memory untouched; DMA faults
 * roll back; valid commands of every opcode succeed.
 */
#include "test_model_util.h"

#define T	2
#define RC	16

static struct model_fixture fx;
static u8 *host_copy;
static u32 exec_plen;

struct uop_fields {
	u8 op, dst, a, b;
	u16 len, aux;
	u32 imm0, imm1;
};

/* One valid micro-op of every kind, run by the base EXEC descriptor */
static struct uop_fields base_uops[] = {
	{ AIMC_UOP_NOP, 0, 0, 0, 0, 0, 0, 0 },
	{ AIMC_UOP_LOAD, 1, 0, 0, 8, 0, 0, 1 },
	{ AIMC_UOP_MVM, 2, 1, 0, 8, 1, AIMC_MVM_IMM0(2, 4), AIMC_MVM_IMM1(8, 10) },
	{ AIMC_UOP_SSM, 3, 2, 2, 4, 0, 0, 100 },
	{ AIMC_UOP_LUT, 4, 3, 0, 4, AIMC_LUT_PROGRAM, 112, 0 },
	{ AIMC_UOP_GLU, 5, 4, 3, 4, 0, 0, 0 },
	{ AIMC_UOP_ADD, 6, 5, 4, 4, 0, 0, 0 },
	{ AIMC_UOP_MUL, 7, 6, 5, 4, 0, 5, 0 },
	{ AIMC_UOP_REQUANT, 8, 7, 0, 4, 0, 77, AIMC_REQUANT_IMM1(6, 8) },
	{ AIMC_UOP_AFFINE, 9, 8, 0, 4, 0, 624, 4 },
	{ AIMC_UOP_POOL_ACC, 0, 9, 0, 4, 0, 0, 0 },
	{ AIMC_UOP_POOL_READ, 10, 0, 0, 4, 0, 0, 0 },
	{ AIMC_UOP_MOV, 11, 10, 0, 4, 0, 2, 0 },
	{ AIMC_UOP_STATE_LD, 12, 0, 0, 6, 0, 98, 0 },
	{ AIMC_UOP_STATE_ST, 0, 12, 0, 6, 0, 200, 0 },
	{ AIMC_UOP_CONST_LD, 13, 0, 0, 4, 0, 0, 0 },
	{ AIMC_UOP_STORE, 0, 11, 0, 6, 0, 0, 2 },
};

#define N_UOPS	AIMC_ARRAY_SIZE(base_uops)
/* constants: SSM params 2 ch x 2 modes (26 words) at 0, LUT at 112,
 * AFFINE gamma/beta (4 pairs) at 624
 */
#define CONST_BYTES	(624 + 32)

static u32 emit_program(const struct uop_fields *u, u32 n)
{
	struct prog_builder *pb = malloc(sizeof(*pb));
	u32 i, len;

	pb_init(pb);
	for (i = 0; i < n; i++)
		pb_uop(pb, u[i].op, u[i].dst, u[i].a, u[i].b, u[i].len,
		       u[i].aux, u[i].imm0, u[i].imm1);
	for (i = 0; i < CONST_BYTES; i++)
		pb->consts[i] = (u8)(i * 7 + 3);
	pb->const_bytes = CONST_BYTES;
	len = pb_emit(pb, &fx.host, H_PROG);
	free(pb);
	return len;
}

static struct aimc_desc base_desc(u32 opcode)
{
	struct aimc_desc d = { .opcode = (u8)opcode, .seq = 0xabcd };

	switch (opcode) {
	case AIMC_CMD_PROGRAM:
		d.tile = 1;
		d.row0 = 2;
		d.col0 = 3;
		d.rows = 4;
		d.cols = 5;
		d.src_addr = H_SRC;
		d.src_len = 40;
		break;
	case AIMC_CMD_READ:
		d.tile = 1;
		d.row0 = 2;
		d.col0 = 3;
		d.rows = 4;
		d.cols = 5;
		d.dst_addr = H_DST;
		d.dst_len = 40;
		break;
	case AIMC_CMD_EXEC:
		d = exec_desc(1, 3, 8, 12, exec_plen);
		break;
	case AIMC_CMD_STATE_SAVE:
		d.slot = 2;
		d.dst_addr = H_AUX;
		d.dst_len = AIMC_STATE_IMAGE_BYTES;
		break;
	case AIMC_CMD_STATE_LOAD:
		d.slot = 3;
		d.src_addr = H_AUX;
		d.src_len = AIMC_STATE_IMAGE_BYTES;
		break;
	case AIMC_CMD_CALIBRATE:
		d.tile = 1;
		d.col0 = 2;
		d.cols = 6;
		d.src_addr = H_AUX + 0x80000;
		d.src_len = 12;
		break;
	case AIMC_CMD_WAIT:
		d.mode = AIMC_WAIT_MS;
		d.steps = 5;
		break;
	default:
		break;
	}
	return d;
}

static void setup(void)
{
	struct aimc_model_config cfg;
	struct aimc_desc d;
	u32 i;

	small_config(&cfg, T, RC, RC);
	fixture_open(&fx, &cfg);
	host_copy = malloc(HOST_SIZE);
	/* plausible operands everywhere: targets in range, random inputs */
	for (i = 0; i < 0x80000; i += 2)
		put16(host_ptr(&fx.host, H_SRC) + i, (u16)(i * 13 % 25000));
	for (i = 0; i < 64; i++)
		host_ptr(&fx.host, H_AUX + 0x80000)[i] = (u8)(i * 29);
	exec_plen = emit_program(base_uops, N_UOPS);
	/* some state to protect: programmed cells, a used slot, a save */
	d = base_desc(AIMC_CMD_PROGRAM);
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);
	ck_assert_uint_eq(program_uniform(&fx, 1, RC, RC, 7000), AIMC_ST_OK);
	d = base_desc(AIMC_CMD_EXEC);
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);
	d.slot = 2;
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);
	d = base_desc(AIMC_CMD_STATE_SAVE);
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);
}

static void teardown(void)
{
	free(host_copy);
	fixture_close(&fx);
}

/* Submit; the status must be @want and nothing may have changed. */
static void expect_rejected(const struct aimc_desc *d, u32 want,
			    const char *what)
{
	u64 before = aimc_model_digest(fx.m);
	u32 st;

	memcpy(host_copy, fx.host.buf, HOST_SIZE);
	st = submit(&fx, d);
	ck_assert_msg(st == want, "%s: status %u, want %u", what, st, want);
	ck_assert_msg(aimc_model_digest(fx.m) == before,
		      "%s: device state changed", what);
	ck_assert_msg(!memcmp(host_copy, fx.host.buf, HOST_SIZE),
		      "%s: host memory changed", what);
	ck_assert_uint_eq(aimc_model_stats(fx.m)->last_status, want);
}

START_TEST(every_opcode_valid)
{
	u32 op;

	for (op = 0; op < AIMC_CMD_COUNT; op++) {
		struct aimc_desc d = base_desc(op);
		u64 before = aimc_model_digest(fx.m);

		ck_assert_msg(submit(&fx, &d) == AIMC_ST_OK, "opcode %u", op);
		/* NOP, and a SAVE/READ that only write the host, keep state */
		if (op == AIMC_CMD_NOP || op == AIMC_CMD_STATE_SAVE)
			ck_assert_uint_eq(aimc_model_digest(fx.m), before);
		else
			ck_assert_uint_ne(aimc_model_digest(fx.m), before);
	}
}
END_TEST

START_TEST(bad_opcode)
{
	struct aimc_desc d = base_desc(AIMC_CMD_NOP);

	d.opcode = AIMC_CMD_COUNT;
	expect_rejected(&d, AIMC_ST_BAD_OPCODE, "opcode 8");
	d.opcode = 0xff;
	expect_rejected(&d, AIMC_ST_BAD_OPCODE, "opcode 255");
}
END_TEST

/* Every field an opcode does not use must be zero. */
START_TEST(reserved_fields)
{
	u32 op, k;

	for (op = 0; op < AIMC_CMD_COUNT; op++) {
		for (k = 0; k < 17; k++) {
			struct aimc_desc d = base_desc(op);
			bool used = true;

			switch (k) {
			case 0: used = op == AIMC_CMD_EXEC; d.flags = 1; break;
			case 1: used = d.tile; d.tile ^= 1; break;
			case 2: used = d.slot; d.slot ^= 1; break;
			case 3: used = op == AIMC_CMD_PROGRAM ||
				       op == AIMC_CMD_WAIT; d.mode ^= 1; break;
			case 4: used = d.rows; d.row0 ^= 1; break;
			case 5: used = d.rows; d.rows ^= 1; break;
			case 6: used = d.cols; d.col0 ^= 2; break;
			case 7: used = d.cols; d.cols ^= 2; break;
			case 8: used = d.steps; d.steps ^= 1; break;
			case 9: used = d.in_stride; d.in_stride ^= 1; break;
			case 10: used = d.out_stride; d.out_stride ^= 1; break;
			case 11: used = d.src_len; d.src_addr ^= 8; break;
			case 12: used = d.src_len; d.src_len ^= 2; break;
			case 13: used = d.dst_len; d.dst_addr ^= 8; break;
			case 14: used = d.dst_len; d.dst_len ^= 2; break;
			case 15: used = d.prog_len; d.prog_addr ^= 8; break;
			default: used = d.prog_len; d.prog_len ^= 2; break;
			}
			if (used)
				continue;
			expect_rejected(&d, AIMC_ST_BAD_RESERVED, "reserved");
		}
	}
}
END_TEST

struct bad_case {
	u32 opcode;
	u32 want;
	const char *what;
	void (*mutate)(struct aimc_desc *d);
};

#define MUT(name, body) static void name(struct aimc_desc *d) { body; }
MUT(tile_end, d->tile = T)
MUT(tile_max, d->tile = 0xffff)
MUT(rows_zero, d->rows = 0)
MUT(cols_zero, d->cols = 0)
MUT(row_off, d->row0 = RC - 3)
MUT(col_off, d->col0 = RC - 4)
MUT(row_wrap, { d->row0 = 0xffff; d->rows = 2; })
MUT(col_wrap, { d->col0 = 0xfffe; d->cols = 0xffff; })
MUT(len_short, d->src_len -= 2)
MUT(len_long, d->src_len += 2)
MUT(dlen_short, d->dst_len -= 2)
MUT(dlen_huge, d->dst_len = 0xffffffff)
MUT(mode_2, d->mode = 2)
MUT(mode_max, d->mode = 0xffff)
MUT(src_fault, d->src_addr = 0x10)
MUT(dst_fault, d->dst_addr = HOST_BASE + HOST_SIZE - 4)
MUT(prog_fault, d->prog_addr = 0xfffffffffffff000ULL)
MUT(slot_end, d->slot = 4)
MUT(slot_max, d->slot = 0xffff)
MUT(flags_bad, d->flags = 0x80)
MUT(steps_zero, { d->steps = 0; d->src_len = 0; d->dst_len = 0; })
MUT(steps_big, { d->steps = AIMC_EXEC_MAX_STEPS + 1; d->in_stride = 0;
		 d->out_stride = 0; d->src_len = 0; d->dst_len = 0; })
MUT(io_too_big, { d->steps = 20000; d->src_len = 160000;
		  d->dst_len = 240000; })
MUT(prog_short, d->prog_len = 8)
MUT(prog_long, d->prog_len += 4)
MUT(prog_huge, d->prog_len = AIMC_PROG_MAX_BYTES + 16)
MUT(stride_short, { d->in_stride = 7; d->src_len = 21; })
MUT(cal_odd_col, d->col0 = 3)
MUT(cal_odd_cols, { d->cols = 5; d->src_len = 8; })
MUT(wait_mode, d->mode = 4)

static const struct bad_case cases[] = {
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_TILE, "program tile", tile_end },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_TILE, "program tile max", tile_max },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_MODE, "program mode", mode_2 },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_MODE, "program mode max", mode_max },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_WINDOW, "program rows 0", rows_zero },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_WINDOW, "program cols 0", cols_zero },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_WINDOW, "program rows", row_off },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_WINDOW, "program cols", col_off },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_WINDOW, "program row wrap", row_wrap },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_WINDOW, "program col wrap", col_wrap },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_LENGTH, "program len-", len_short },
	{ AIMC_CMD_PROGRAM, AIMC_ST_BAD_LENGTH, "program len+", len_long },
	{ AIMC_CMD_PROGRAM, AIMC_ST_DMA_FAULT, "program dma", src_fault },
	{ AIMC_CMD_READ, AIMC_ST_BAD_TILE, "read tile", tile_end },
	{ AIMC_CMD_READ, AIMC_ST_BAD_WINDOW, "read rows", row_off },
	{ AIMC_CMD_READ, AIMC_ST_BAD_WINDOW, "read cols 0", cols_zero },
	{ AIMC_CMD_READ, AIMC_ST_BAD_LENGTH, "read len", dlen_short },
	{ AIMC_CMD_READ, AIMC_ST_BAD_LENGTH, "read len huge", dlen_huge },
	{ AIMC_CMD_READ, AIMC_ST_DMA_FAULT, "read dma", dst_fault },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_SLOT, "exec slot", slot_end },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_SLOT, "exec slot max", slot_max },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_MODE, "exec flags", flags_bad },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_STEPS, "exec steps 0", steps_zero },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_STEPS, "exec steps max", steps_big },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_LENGTH, "exec src len", len_short },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_LENGTH, "exec dst len", dlen_short },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_LENGTH, "exec io size", io_too_big },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_LENGTH, "exec prog huge", prog_huge },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_PROGRAM, "exec prog short", prog_short },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_PROGRAM, "exec prog long", prog_long },
	{ AIMC_CMD_EXEC, AIMC_ST_BAD_UOP, "exec load past stride",
	  stride_short },
	{ AIMC_CMD_EXEC, AIMC_ST_DMA_FAULT, "exec prog dma", prog_fault },
	{ AIMC_CMD_EXEC, AIMC_ST_DMA_FAULT, "exec src dma", src_fault },
	{ AIMC_CMD_EXEC, AIMC_ST_DMA_FAULT, "exec dst dma", dst_fault },
	{ AIMC_CMD_STATE_SAVE, AIMC_ST_BAD_SLOT, "save slot", slot_end },
	{ AIMC_CMD_STATE_SAVE, AIMC_ST_BAD_LENGTH, "save len", dlen_short },
	{ AIMC_CMD_STATE_SAVE, AIMC_ST_DMA_FAULT, "save dma", dst_fault },
	{ AIMC_CMD_STATE_LOAD, AIMC_ST_BAD_SLOT, "load slot", slot_max },
	{ AIMC_CMD_STATE_LOAD, AIMC_ST_BAD_LENGTH, "load len", len_long },
	{ AIMC_CMD_STATE_LOAD, AIMC_ST_DMA_FAULT, "load dma", src_fault },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_BAD_TILE, "cal tile", tile_end },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_BAD_WINDOW, "cal cols 0", cols_zero },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_BAD_WINDOW, "cal cols", col_off },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_BAD_WINDOW, "cal odd col0",
	  cal_odd_col },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_BAD_WINDOW, "cal odd cols",
	  cal_odd_cols },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_BAD_LENGTH, "cal len", len_short },
	{ AIMC_CMD_CALIBRATE, AIMC_ST_DMA_FAULT, "cal dma", src_fault },
	{ AIMC_CMD_WAIT, AIMC_ST_BAD_MODE, "wait mode", wait_mode },
};

START_TEST(bad_fields)
{
	u32 i;

	for (i = 0; i < AIMC_ARRAY_SIZE(cases); i++) {
		struct aimc_desc d = base_desc(cases[i].opcode);

		cases[i].mutate(&d);
		expect_rejected(&d, cases[i].want, cases[i].what);
	}
}
END_TEST

/* Operand data the hardware cannot take, and late faults */
START_TEST(bad_operands_and_late_faults)
{
	struct aimc_desc d = base_desc(AIMC_CMD_PROGRAM);
	u8 *p = host_ptr(&fx.host, H_SRC);
	u16 keep = get16(p + 38);

	put16(p + 38, 25001);	/* the last cell's target > g_max */
	expect_rejected(&d, AIMC_ST_BAD_OPERAND, "target above g_max");
	put16(p + 38, keep);
	/* EXEC whose output DMA fails after the noisy MVMs and the SSM ran */
	d = base_desc(AIMC_CMD_EXEC);
	fx.host.writes = 0;
	fx.host.fail_write_at = 1;
	expect_rejected(&d, AIMC_ST_DMA_FAULT, "exec late write fault");
	ck_assert_uint_eq(aimc_model_stats(fx.m)->fault_addr, H_DST);
	fx.host.fail_write_at = 0;
	/* READ likewise: the read noise it drew is given back */
	d = base_desc(AIMC_CMD_READ);
	fx.host.writes = 0;
	fx.host.fail_write_at = 1;
	expect_rejected(&d, AIMC_ST_DMA_FAULT, "read late write fault");
	fx.host.fail_write_at = 0;
	/* a failed input read after the program loaded */
	d = base_desc(AIMC_CMD_EXEC);
	fx.host.reads = 0;
	fx.host.fail_read_at = 2;
	expect_rejected(&d, AIMC_ST_DMA_FAULT, "exec input fault");
	fx.host.fail_read_at = 0;
}
END_TEST

/* Program header and every micro-op field out of range in turn */
START_TEST(bad_programs_and_uops)
{
	struct uop_fields u[N_UOPS];
	struct aimc_desc d = base_desc(AIMC_CMD_EXEC);
	u8 *p = host_ptr(&fx.host, H_PROG);
	char what[32];
	u32 i, k;

	/* header */
	p[0] ^= 1;
	expect_rejected(&d, AIMC_ST_BAD_PROGRAM, "magic");
	p[0] ^= 1;
	p[4] ^= 1;
	expect_rejected(&d, AIMC_ST_BAD_PROGRAM, "version");
	p[4] ^= 1;
	p[12] = 1;
	expect_rejected(&d, AIMC_ST_BAD_PROGRAM, "reserved");
	p[12] = 0;
	p[8] += 4;
	expect_rejected(&d, AIMC_ST_BAD_PROGRAM, "const_bytes");
	p[8] -= 4;
	put16(p + 6, 0);
	expect_rejected(&d, AIMC_ST_BAD_PROGRAM, "no micro-ops");
	put16(p + 6, N_UOPS);
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);

	/* each micro-op: each field pushed out of its range */
	for (i = 0; i < N_UOPS; i++) {
		for (k = 0; k < 12; k++) {
			u32 len;
			bool skip = false;

			memcpy(u, base_uops, sizeof(u));
			switch (k) {
			case 0: u[i].op = AIMC_UOP_COUNT; break;
			case 1: u[i].dst = AIMC_DPU_NREGS; break;
			case 2: u[i].a = AIMC_DPU_NREGS; break;
			case 3: u[i].b = u[i].op == AIMC_UOP_SSM ?
				AIMC_SSM_MAX_MODES + 1 : AIMC_DPU_NREGS; break;
			case 4: u[i].len = 0;
				skip = u[i].op == AIMC_UOP_NOP; break;
			case 5: u[i].len = AIMC_DPU_VLEN + 1; break;
			case 6: u[i].aux = 0x7fff; break;
			case 7: u[i].imm0 = 0xfffffff0u;
				skip = u[i].op == AIMC_UOP_REQUANT; break;
			case 8: u[i].imm1 = 0xfffffff0u; break;
			case 9: u[i].imm0 += 2;
				skip = u[i].op == AIMC_UOP_REQUANT ||
				       u[i].op == AIMC_UOP_MUL ||
				       u[i].op == AIMC_UOP_MVM ||
				       u[i].op == AIMC_UOP_MOV ||
				       u[i].op == AIMC_UOP_STATE_LD ||
				       u[i].op == AIMC_UOP_STATE_ST ||
				       u[i].op == AIMC_UOP_LOAD ||
				       u[i].op == AIMC_UOP_STORE; break;
			case 10: u[i].op = 0xff; break;
			default: u[i].b = 1;
				skip = u[i].op == AIMC_UOP_SSM ||
				       u[i].op == AIMC_UOP_GLU ||
				       u[i].op == AIMC_UOP_ADD ||
				       u[i].op == AIMC_UOP_MUL; break;
			}
			/* a register operand some ops do not have is reserved */
			if (skip)
				continue;
			len = emit_program(u, N_UOPS);
			ck_assert_uint_eq(len, exec_plen);
			snprintf(what, sizeof(what), "uop %u field %u", i, k);
			expect_rejected(&d, AIMC_ST_BAD_UOP, what);
			ck_assert_msg(aimc_model_stats(fx.m)->last_bad_uop == i,
				      "uop %u field %u: blamed %u", i, k,
				      aimc_model_stats(fx.m)->last_bad_uop);
		}
	}
	/* op-specific ranges */
	memcpy(u, base_uops, sizeof(u));
	u[2].aux = T;				/* MVM tile */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "mvm tile");
	memcpy(u, base_uops, sizeof(u));
	u[2].imm1 = AIMC_MVM_IMM1(7, 10);	/* odd columns */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "mvm odd cols");
	memcpy(u, base_uops, sizeof(u));
	u[2].imm0 = AIMC_MVM_IMM0(2, 5);	/* odd first column */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "mvm odd col0");
	memcpy(u, base_uops, sizeof(u));
	u[2].imm1 = AIMC_MVM_IMM1(8, AIMC_MVM_MAX_SHIFT + 1);
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "mvm shift");
	memcpy(u, base_uops, sizeof(u));
	u[2].imm0 = AIMC_MVM_IMM0(RC - 7, 4);	/* rows past the tile */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "mvm rows");
	memcpy(u, base_uops, sizeof(u));
	u[3].b = 0;				/* SSM no modes */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "ssm modes");
	memcpy(u, base_uops, sizeof(u));
	u[3].imm1 = AIMC_SLOT_STATE_WORDS - 15;	/* state past the slot */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "ssm state");
	memcpy(u, base_uops, sizeof(u));
	u[4].imm0 = CONST_BYTES - 508;		/* table past the pool */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "lut table");
	memcpy(u, base_uops, sizeof(u));
	u[8].imm1 = AIMC_REQUANT_IMM1(6, 33);
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "requant bits");
	memcpy(u, base_uops, sizeof(u));
	u[8].imm1 = AIMC_REQUANT_IMM1(AIMC_SHIFT_MAX + 1, 8);
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "requant shift");
	memcpy(u, base_uops, sizeof(u));
	u[16].imm1 = 3;				/* STORE width 3 */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "store width");
	memcpy(u, base_uops, sizeof(u));
	u[15].imm0 = 2;				/* misaligned constants */
	emit_program(u, N_UOPS);
	expect_rejected(&d, AIMC_ST_BAD_UOP, "const align");
	emit_program(base_uops, N_UOPS);
}
END_TEST

START_TEST(wait_and_caps)
{
	struct aimc_desc d = base_desc(AIMC_CMD_WAIT);
	u64 s0 = aimc_model_clock_s(fx.m);

	d.mode = AIMC_WAIT_S;
	d.steps = 3600;
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);
	ck_assert_uint_eq(aimc_model_clock_s(fx.m), s0 + 3600);
	d.mode = AIMC_WAIT_MS;
	d.steps = 2500;
	ck_assert_uint_eq(submit(&fx, &d), AIMC_ST_OK);
	ck_assert_uint_eq(aimc_model_clock_s(fx.m), s0 + 3602);
	ck_assert_uint_eq(aimc_model_cap(fx.m, AIMC_REG_CAP_TILES), T);
	ck_assert_uint_eq(aimc_model_cap(fx.m, AIMC_REG_CAP_GEOMETRY),
			  RC | RC << 16);
	ck_assert_uint_eq(aimc_model_cap(fx.m, AIMC_REG_CAP_CONVERTERS),
			  8 | 8 << 8);
	ck_assert_uint_eq(aimc_model_cap(fx.m, AIMC_REG_CAP_G_MAX_NS), 25000);
	ck_assert_uint_eq(aimc_model_cap(fx.m, AIMC_REG_CAP_STREAM_SLOTS), 4);
	ck_assert_uint_eq(aimc_model_cap(fx.m, AIMC_REG_ID), 0);
}
END_TEST

START_TEST(config_check_rejects)
{
	struct aimc_model_config c;
	const char *why = NULL;

	aimc_model_config_defaults(&c);
	ck_assert_int_eq(aimc_model_config_check(&c, &why), 0);
	c.cols = 255;
	ck_assert_int_lt(aimc_model_config_check(&c, &why), 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_null(aimc_model_create(&c, NULL));
	aimc_model_config_defaults(&c);
	c.g_max_ns = 70000;
	ck_assert_int_lt(aimc_model_config_check(&c, NULL), 0);
	aimc_model_config_defaults(&c);
	c.adc_bits = 17;
	ck_assert_int_lt(aimc_model_config_check(&c, NULL), 0);
}
END_TEST

START_TEST(builtin_selftest)
{
	ck_assert_int_eq(aimc_model_selftest(), 0);
}
END_TEST

Suite *model_cmd_suite(void)
{
	Suite *s = suite_create("model_cmd");
	TCase *tc = tcase_create("descriptors");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_opcode_valid);
	tcase_add_test(tc, bad_opcode);
	tcase_add_test(tc, reserved_fields);
	tcase_add_test(tc, bad_fields);
	tcase_add_test(tc, bad_operands_and_late_faults);
	tcase_add_test(tc, bad_programs_and_uops);
	tcase_add_test(tc, wait_and_caps);
	tcase_add_test(tc, config_check_rejects);
	tcase_add_test(tc, builtin_selftest);
	suite_add_tcase(s, tc);
	return s;
}
