// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The register file both register-bearing homes share
 * (emulator/model/aimc_regfile.c): reset values, write masks, the
 * refusals, the order of the side effects, hi/lo halves, completion.
 */
#include "test_model_util.h"
#include "aimc_regfile.h"

/* What the ops saw, in order: one letter an op ("R"eset, "E"nable, ...). */
struct rf_log {
	struct aimc_regfile *rf;
	char seq[32];
	unsigned int n;
	u32 ack_val;
	u32 status_at_reset;
	u32 control_at_enable;
	u32 tail_at_doorbell;
	enum aimc_regfile_error err[8];
	u32 err_reg[8];
	u32 err_val[8];
	unsigned int nerr;
	u32 relatch;		/* latched again by int_ack */
};

static void rf_note(struct rf_log *l, char c)
{
	ck_assert_uint_lt(l->n, sizeof(l->seq) - 1);
	l->seq[l->n++] = c;
	l->seq[l->n] = 0;
}

static void rf_reset(void *ctx)
{
	struct rf_log *l = ctx;

	l->status_at_reset = l->rf->status;
	rf_note(l, 'R');
}

static void rf_enable(void *ctx)
{
	struct rf_log *l = ctx;

	l->control_at_enable = l->rf->control;
	rf_note(l, 'E');
}

static void rf_doorbell(void *ctx)
{
	struct rf_log *l = ctx;

	l->tail_at_doorbell = l->rf->ring_tail;
	rf_note(l, 'D');
}

static void rf_int_ack(void *ctx, u32 val)
{
	struct rf_log *l = ctx;

	l->ack_val = val;
	rf_note(l, 'A');
	if (l->relatch)
		aimc_regfile_latch(l->rf, l->relatch);
}

static void rf_guest_error(void *ctx, enum aimc_regfile_error err, u32 reg,
			   u32 val)
{
	struct rf_log *l = ctx;

	ck_assert_uint_lt(l->nerr, 8);
	l->err[l->nerr] = err;
	l->err_reg[l->nerr] = reg;
	l->err_val[l->nerr] = val;
	l->nerr++;
	rf_note(l, 'G');
}

static const struct aimc_regfile_ops rf_ops = {
	.reset = rf_reset,
	.enable = rf_enable,
	.doorbell = rf_doorbell,
	.int_ack = rf_int_ack,
	.guest_error = rf_guest_error,
};

/* Only what aimc_emu.ko hands over: no int_ack, no guest errors. */
static const struct aimc_regfile_ops rf_ops_quiet = {
	.reset = rf_reset,
	.enable = rf_enable,
	.doorbell = rf_doorbell,
};

struct rf_fixture {
	struct model_fixture fx;
	struct aimc_regfile rf;
	struct rf_log log;
};

static void rf_open(struct rf_fixture *t, const struct aimc_regfile_ops *ops,
		    u32 flags)
{
	struct aimc_model_config cfg;

	small_config(&cfg, 2, 16, 32);
	fixture_open(&t->fx, &cfg);
	memset(&t->log, 0, sizeof(t->log));
	t->log.rf = &t->rf;
	aimc_regfile_init(&t->rf, ops, t->fx.m, 0xc0000007u, 13, flags);
}

static u32 rd(struct rf_fixture *t, u32 reg)
{
	return aimc_regfile_read(&t->rf, reg, &t->log);
}

static u32 wr(struct rf_fixture *t, u32 reg, u32 val)
{
	return aimc_regfile_write(&t->rf, reg, val, &t->log);
}

/* A ring configuration the contract accepts. */
static void rf_configure(struct rf_fixture *t)
{
	wr(t, AIMC_REG_RING_BASE_LO, 0x1000);
	wr(t, AIMC_REG_RING_BASE_HI, 0x1);
	wr(t, AIMC_REG_RING_SIZE, 8);
	wr(t, AIMC_REG_CPL_ADDR_LO, 0x2000);
	wr(t, AIMC_REG_CPL_ADDR_HI, 0);
}

START_TEST(regfile_power_on)
{
	struct rf_fixture t;
	u32 reg;

	rf_open(&t, &rf_ops_quiet, 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ID), AIMC_ID_MAGIC);
	ck_assert_uint_eq(rd(&t, AIMC_REG_VERSION),
			  AIMC_HW_VERSION_MAJOR << 16 | AIMC_HW_VERSION_MINOR);
	ck_assert_uint_eq(rd(&t, AIMC_REG_SERIAL), 0xc0000007u);
	for (reg = AIMC_REG_CAP_TILES; reg <= AIMC_REG_CAP_STREAM_SLOTS; reg += 4)
		ck_assert_uint_eq(rd(&t, reg), aimc_model_cap(t.fx.m, reg));
	ck_assert_uint_eq(rd(&t, AIMC_REG_CAP_TILES), 2);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CAP_QUEUE_DEPTH), AIMC1_QUEUE_DEPTH);
	ck_assert_uint_eq(rd(&t, AIMC_REG_STATUS), AIMC_STATUS_READY);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_MASK), AIMC_INT_ALL);
	/* 40 C and (13 % 8) quarter degrees, idle */
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_TEMP_MC), 40000 + 5 * 250);
	/* Everything else from CONTROL on reads 0, unimplemented or not. */
	for (reg = AIMC_REG_CONTROL; reg < AIMC_BAR0_SIZE; reg += 4) {
		if (reg == AIMC_REG_STATUS || reg == AIMC_REG_INT_MASK ||
		    reg == AIMC_REG_TEL_TEMP_MC)
			continue;
		ck_assert_msg(rd(&t, reg) == 0, "register 0x%x", reg);
	}
	ck_assert_str_eq(t.log.seq, "");
	fixture_close(&t.fx);

	/* A home that wants to know is told of unimplemented ones. */
	rf_open(&t, &rf_ops, 0);
	ck_assert_uint_eq(rd(&t, 0x04c), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_ACK), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_ENERGY_NJ_HI), 0);
	ck_assert_str_eq(t.log.seq, "GG");
	ck_assert_uint_eq(t.log.err[0], AIMC_REGFILE_READ_UNKNOWN);
	ck_assert_uint_eq(t.log.err_reg[0], 0x04c);
	ck_assert_uint_eq(t.log.err_reg[1], AIMC_REG_INT_ACK);
	ck_assert_uint_eq(t.log.err_val[1], 0);
	fixture_close(&t.fx);
}
END_TEST

START_TEST(regfile_write_masks)
{
	struct rf_fixture t;

	rf_open(&t, &rf_ops_quiet, 0);
	wr(&t, AIMC_REG_INT_MASK, ~0u);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_MASK), AIMC_INT_ALL);
	wr(&t, AIMC_REG_INT_MASK, 0xfffffffeu);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_MASK), AIMC_INT_ERROR);
	rf_configure(&t);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_BASE_LO), 0x1000);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_BASE_HI), 0x1);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_SIZE), 8);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CPL_ADDR_LO), 0x2000);
	/* CONTROL keeps ENABLE only; reserved bits are no reset. */
	wr(&t, AIMC_REG_CONTROL, 0xfffffffdu);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CONTROL), AIMC_CONTROL_ENABLE);
	ck_assert_uint_eq(t.log.control_at_enable, AIMC_CONTROL_ENABLE);
	wr(&t, AIMC_REG_CONTROL, 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CONTROL), 0);
	ck_assert_str_eq(t.log.seq, "EE");
	/* Read-only registers keep their values. */
	wr(&t, AIMC_REG_ID, 0);
	wr(&t, AIMC_REG_STATUS, 0);
	wr(&t, AIMC_REG_RING_HEAD, 5);
	wr(&t, AIMC_REG_INT_STATUS, AIMC_INT_ALL);
	wr(&t, AIMC_REG_ERR_CODE, 1);
	wr(&t, AIMC_REG_SERIAL, 1);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ID), AIMC_ID_MAGIC);
	ck_assert_uint_eq(rd(&t, AIMC_REG_STATUS), AIMC_STATUS_READY);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_HEAD), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_CODE), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_SERIAL), 0xc0000007u);
	ck_assert_str_eq(t.log.seq, "EE");
	fixture_close(&t.fx);
}
END_TEST

START_TEST(regfile_enable_refused)
{
	static const struct {
		u32 base_lo, size, cpl_lo;
	} bad[] = {
		{ 0x1000, 0, 0x2000 }, { 0x1000, 1, 0x2000 },
		{ 0x1000, 6, 0x2000 }, { 0x1000, 2048, 0x2000 },
		{ 0, 8, 0x2000 }, { 0x1000, 8, 0 },
	};
	unsigned int i;

	for (i = 0; i < AIMC_ARRAY_SIZE(bad); i++) {
		struct rf_fixture t;

		rf_open(&t, &rf_ops, 0);
		wr(&t, AIMC_REG_RING_BASE_LO, bad[i].base_lo);
		wr(&t, AIMC_REG_RING_SIZE, bad[i].size);
		wr(&t, AIMC_REG_CPL_ADDR_LO, bad[i].cpl_lo);
		ck_assert_uint_eq(wr(&t, AIMC_REG_CONTROL, AIMC_CONTROL_ENABLE), 0);
		ck_assert_uint_eq(rd(&t, AIMC_REG_CONTROL), 0);
		ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_CODE), AIMC_ERR_RING_CONFIG);
		ck_assert_str_eq(t.log.seq, "G");
		ck_assert_uint_eq(t.log.err[0], AIMC_REGFILE_RING_REFUSED);
		/* Clearing ENABLE needs no configuration. */
		wr(&t, AIMC_REG_CONTROL, 0);
		ck_assert_str_eq(t.log.seq, "GE");
		fixture_close(&t.fx);
	}
	/* The largest ring, a 64-bit base with a zero low half. */
	{
		struct rf_fixture t;

		rf_open(&t, &rf_ops, 0);
		wr(&t, AIMC_REG_RING_BASE_HI, 1);
		wr(&t, AIMC_REG_RING_SIZE, AIMC1_QUEUE_DEPTH);
		wr(&t, AIMC_REG_CPL_ADDR_HI, 2);
		wr(&t, AIMC_REG_CONTROL, AIMC_CONTROL_ENABLE);
		ck_assert_uint_eq(rd(&t, AIMC_REG_CONTROL), AIMC_CONTROL_ENABLE);
		ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_CODE), 0);
		ck_assert_str_eq(t.log.seq, "E");
		fixture_close(&t.fx);
	}
}
END_TEST

START_TEST(regfile_reset)
{
	struct rf_fixture t;

	rf_open(&t, &rf_ops, 0);
	rf_configure(&t);
	wr(&t, AIMC_REG_CONTROL, AIMC_CONTROL_ENABLE);
	wr(&t, AIMC_REG_INT_MASK, 0);
	wr(&t, AIMC_REG_RING_TAIL, 3);
	aimc_regfile_latch(&t.rf, AIMC_INT_COMPLETION);
	/* RESET wins over ENABLE, drops READY before the op, raises nothing. */
	ck_assert_uint_eq(wr(&t, AIMC_REG_CONTROL, AIMC_CONTROL_RESET |
			     AIMC_CONTROL_ENABLE | 0x80), 0);
	ck_assert_str_eq(t.log.seq, "EDGR");
	ck_assert_uint_eq(t.log.err[0], AIMC_REGFILE_CONTROL_RESERVED);
	ck_assert_uint_eq(t.log.err_val[0], AIMC_CONTROL_RESET |
			  AIMC_CONTROL_ENABLE | 0x80);
	ck_assert_uint_eq(t.log.status_at_reset, 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CONTROL), AIMC_CONTROL_ENABLE);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_TAIL), 3);
	/* The home finishes it: everything as at power-on, one more reset. */
	aimc_regfile_reset(&t.rf);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RESET_COUNT), 1);
	ck_assert_uint_eq(rd(&t, AIMC_REG_STATUS), AIMC_STATUS_READY);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_MASK), AIMC_INT_ALL);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CONTROL), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_BASE_LO), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_SIZE), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_TAIL), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_SERIAL), 0xc0000007u);
	ck_assert_uint_eq(rd(&t, AIMC_REG_CAP_TILES), 2);
	aimc_regfile_reset(&t.rf);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RESET_COUNT), 2);
	fixture_close(&t.fx);
}
END_TEST

START_TEST(regfile_doorbell)
{
	struct rf_fixture t;

	/* Unchecked (aimc_emu.ko): any tail is taken. */
	rf_open(&t, &rf_ops, 0);
	rf_configure(&t);
	wr(&t, AIMC_REG_RING_TAIL, 100);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_TAIL), 100);
	ck_assert_uint_eq(t.log.tail_at_doorbell, 100);
	ck_assert_str_eq(t.log.seq, "D");
	fixture_close(&t.fx);

	/* Checked (aimc-pci): at most RING_SIZE ahead of HEAD. */
	rf_open(&t, &rf_ops, AIMC_REGFILE_CHECK_TAIL);
	wr(&t, AIMC_REG_RING_TAIL, 9);	/* no ring yet: unchecked */
	ck_assert_str_eq(t.log.seq, "D");
	rf_configure(&t);
	t.rf.ring_head = 0xfffffffeu;
	wr(&t, AIMC_REG_RING_TAIL, 6);	/* 8 ahead, wrapped */
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_TAIL), 6);
	ck_assert_str_eq(t.log.seq, "DD");
	wr(&t, AIMC_REG_RING_TAIL, 7);	/* 9 ahead */
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_TAIL), 6);
	ck_assert_str_eq(t.log.seq, "DDG");
	ck_assert_uint_eq(t.log.err[0], AIMC_REGFILE_TAIL_REFUSED);
	ck_assert_uint_eq(t.log.err_val[0], 7);
	wr(&t, AIMC_REG_RING_TAIL, 0xfffffffdu);	/* behind HEAD */
	ck_assert_str_eq(t.log.seq, "DDGG");
	fixture_close(&t.fx);
}
END_TEST

START_TEST(regfile_interrupts)
{
	struct rf_fixture t;

	rf_open(&t, &rf_ops, 0);
	/* Masked causes latch, undelivered; unmasking delivers them. */
	ck_assert_uint_eq(aimc_regfile_latch(&t.rf, AIMC_INT_ALL), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), AIMC_INT_ALL);
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_MASK, AIMC_INT_ERROR),
			  AIMC_INT_COMPLETION);
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_MASK, 0), AIMC_INT_ERROR);
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_MASK, 0), 0);
	ck_assert_uint_eq(aimc_regfile_latch(&t.rf, 0), AIMC_INT_ALL);
	/* Write 1 to clear. */
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_ACK, AIMC_INT_COMPLETION), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), AIMC_INT_ERROR);
	ck_assert_uint_eq(t.log.ack_val, AIMC_INT_COMPLETION);
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_ACK, ~0u), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), 0);
	/* A cause the ack latches anew counts when it was not deliverable. */
	t.log.relatch = AIMC_INT_COMPLETION;
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_ACK, AIMC_INT_COMPLETION),
			  AIMC_INT_COMPLETION);
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_ACK, AIMC_INT_COMPLETION), 0);
	ck_assert_str_eq(t.log.seq, "AAAA");
	fixture_close(&t.fx);

	/* Without an int_ack op (aimc_emu.ko) the ack only clears. */
	rf_open(&t, &rf_ops_quiet, 0);
	aimc_regfile_latch(&t.rf, AIMC_INT_ALL);
	ck_assert_uint_eq(wr(&t, AIMC_REG_INT_ACK, AIMC_INT_ERROR), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), AIMC_INT_COMPLETION);
	ck_assert_str_eq(t.log.seq, "");
	fixture_close(&t.fx);
}
END_TEST

START_TEST(regfile_complete_and_halves)
{
	struct aimc_model_stats stats;
	struct rf_fixture t;
	u32 i;

	rf_open(&t, &rf_ops, 0);
	memset(&stats, 0, sizeof(stats));
	stats.pulses = 0x123456789ull;
	stats.busy_ns = 0x2540be400999ull;	/* more than 2^32 us */
	for (i = 0; i < AIMC_ENERGY_KINDS; i++)
		stats.energy_fj[i] = (1ull << 56) + i;
	t.rf.status |= AIMC_STATUS_BUSY;
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_TEMP_MC), 40000 + 5 * 250 + 5000);
	ck_assert_uint_eq(aimc_regfile_complete(&t.rf, 0xffffffffu, AIMC_ST_OK,
						0xdead, &stats),
			  AIMC_INT_COMPLETION);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_HEAD), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_JOBS), 1);
	ck_assert_uint_eq(rd(&t, AIMC_REG_STATUS), AIMC_STATUS_READY);
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_TEMP_MC), 40000 + 5 * 250);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_CODE), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_PULSES_LO), 0x23456789u);
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_PULSES_HI), 0x1);
	ck_assert_uint_eq((u64)rd(&t, AIMC_REG_TEL_BUSY_US_HI) << 32 |
			  rd(&t, AIMC_REG_TEL_BUSY_US_LO),
			  stats.busy_ns / 1000);
	ck_assert_uint_ne(rd(&t, AIMC_REG_TEL_BUSY_US_HI), 0);
	ck_assert_uint_eq((u64)rd(&t, AIMC_REG_TEL_ENERGY_NJ_HI) << 32 |
			  rd(&t, AIMC_REG_TEL_ENERGY_NJ_LO),
			  aimc_model_energy_fj(&stats) / 1000000);
	ck_assert_uint_ne(rd(&t, AIMC_REG_TEL_ENERGY_NJ_HI), 0);

	/* A DMA fault records its address; another failure records none. */
	ck_assert_uint_eq(aimc_regfile_complete(&t.rf, 0, AIMC_ST_DMA_FAULT,
						0x123456789abull, &stats),
			  AIMC_INT_ALL);
	ck_assert_uint_eq(rd(&t, AIMC_REG_RING_HEAD), 1);
	ck_assert_uint_eq(rd(&t, AIMC_REG_TEL_JOBS), 2);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_CODE), AIMC_ST_DMA_FAULT);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_ADDR_LO), 0x456789abu);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_ADDR_HI), 0x123);
	aimc_regfile_complete(&t.rf, 1, AIMC_ST_BAD_OPCODE, 0x77, &stats);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_CODE), AIMC_ST_BAD_OPCODE);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_ADDR_LO), 0);
	ck_assert_uint_eq(rd(&t, AIMC_REG_ERR_ADDR_HI), 0);
	/* Completing latches nothing: the home raises the causes. */
	ck_assert_uint_eq(rd(&t, AIMC_REG_INT_STATUS), 0);
	ck_assert_str_eq(t.log.seq, "");
	fixture_close(&t.fx);
}
END_TEST

Suite *model_regfile_suite(void)
{
	Suite *s = suite_create("model_regfile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, regfile_power_on);
	tcase_add_test(tc, regfile_write_masks);
	tcase_add_test(tc, regfile_enable_refused);
	tcase_add_test(tc, regfile_reset);
	tcase_add_test(tc, regfile_doorbell);
	tcase_add_test(tc, regfile_interrupts);
	tcase_add_test(tc, regfile_complete_and_halves);
	suite_add_tcase(s, tc);
	return s;
}
