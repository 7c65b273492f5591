// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Command processor.  Every command is checked in full before it changes
 * anything, and a command that fails after that point (a DMA fault) rolls
 * back what it touched, so a failed command leaves the digest unchanged.
 */
#include "aimc_model_priv.h"
#include "aimc_xbar.h"
#include "aimc_dpu.h"
#include "aimc_fixmath.h"

static const u32 wait_unit_ns[] = { 1, 1000, 1000000, 1000000000 };

/* The raw bytes may sit at any alignment: go through an aligned copy. */
void aimc_desc_decode(const void *raw, struct aimc_desc *d)
{
	struct aimc_hw_desc hw;

	memcpy(&hw, raw, sizeof(hw));
	aimc_desc_from_hw(&hw, d);
}

void aimc_desc_encode(const struct aimc_desc *d, void *raw)
{
	struct aimc_hw_desc hw;

	aimc_desc_to_hw(d, &hw);
	memcpy(raw, &hw, sizeof(hw));
}

static u32 dma_in(struct aimc_model *m, u64 addr, void *dst, u32 len)
{
	if (!len)
		return AIMC_ST_OK;
	if (!m->dma.read || m->dma.read(m->dma.ctx, addr, dst, len)) {
		m->stats.fault_addr = addr;
		return AIMC_ST_DMA_FAULT;
	}
	return AIMC_ST_OK;
}

static u32 dma_out(struct aimc_model *m, u64 addr, const void *src, u32 len)
{
	if (!len)
		return AIMC_ST_OK;
	if (!m->dma.write || m->dma.write(m->dma.ctx, addr, src, len)) {
		m->stats.fault_addr = addr;
		return AIMC_ST_DMA_FAULT;
	}
	return AIMC_ST_OK;
}

static u32 window_bytes(const struct aimc_desc *d)
{
	return (u32)d->rows * d->cols * 2;
}

static u32 cmd_program(struct aimc_model *m, const struct aimc_desc *d,
		       u64 *cost_ns)
{
	u32 n = (u32)d->rows * d->cols, i, st;
	u64 pulses = m->stats.pulses;

	if (d->src_len != window_bytes(d) || d->src_len > AIMC_IO_MAX_BYTES)
		return AIMC_ST_BAD_LENGTH;
	st = dma_in(m, d->src_addr, m->io_in, d->src_len);
	if (st)
		return st;
	if (d->mode == AIMC_PROG_TARGET) {
		for (i = 0; i < n; i++) {
			u32 t = aimc_hw_get_le16(m->io_in + 2 * i);

			if (t < m->cfg.g_min_ns || t > m->cfg.g_max_ns)
				return AIMC_ST_BAD_OPERAND;
		}
	}
	for (i = 0; i < n; i++) {
		size_t c = aimc_cell_index(m, d->tile, d->row0 + i / d->cols,
					   d->col0 + i % d->cols);
		u16 rec = aimc_hw_get_le16(m->io_in + 2 * i);

		if (i % d->cols == 0)
			aimc_yield();
		if (d->mode == AIMC_PROG_TARGET)
			aimc_xbar_program_target(m, c, rec);
		else
			aimc_xbar_program_pulses(m, c, AIMC_PULSE_COUNT(rec),
						 AIMC_PULSE_AMP(rec));
	}
	if (d->mode == AIMC_PROG_TARGET)
		*cost_ns = (u64)n * m->cfg.t_cell_target_ns;
	else
		*cost_ns = (m->stats.pulses - pulses) * m->cfg.t_pulse_ns;
	return AIMC_ST_OK;
}

static u32 cmd_read(struct aimc_model *m, const struct aimc_desc *d,
		    u64 *cost_ns)
{
	u32 n = (u32)d->rows * d->cols, i;

	if (d->dst_len != window_bytes(d) || d->dst_len > AIMC_IO_MAX_BYTES)
		return AIMC_ST_BAD_LENGTH;
	aimc_xbar_refresh_drift(m, d->tile);
	for (i = 0; i < n; i++) {
		size_t c = aimc_cell_index(m, d->tile, d->row0 + i / d->cols,
					   d->col0 + i % d->cols);

		aimc_hw_put_le16(m->io_out + 2 * i, aimc_xbar_read(m, c));
	}
	*cost_ns = (u64)d->rows * m->cfg.t_mvm_ns;
	return dma_out(m, d->dst_addr, m->io_out, d->dst_len);
}

static u32 cmd_exec(struct aimc_model *m, const struct aimc_desc *d,
		    u64 *cost_ns)
{
	struct aimc_slot *slot = &m->slots[d->slot];
	u32 n_uops, st;

	if ((u64)d->steps * d->in_stride != d->src_len ||
	    (u64)d->steps * d->out_stride != d->dst_len ||
	    d->src_len > AIMC_IO_MAX_BYTES || d->dst_len > AIMC_IO_MAX_BYTES ||
	    d->prog_len > AIMC_PROG_MAX_BYTES)
		return AIMC_ST_BAD_LENGTH;
	st = dma_in(m, d->prog_addr, m->prog, d->prog_len);
	if (st)
		return st;
	st = aimc_dpu_load(m, d, d->prog_len, &n_uops);
	if (st)
		return st;
	st = dma_in(m, d->src_addr, m->io_in, d->src_len);
	if (st)
		return st;
	/* the program runs on a copy: the slot changes only on success */
	if (d->flags & AIMC_EXEC_F_RESET_STATE)
		memset(m->work, 0, sizeof(*m->work));
	else
		memcpy(m->work, slot, sizeof(*m->work));
	memset(m->io_out, 0, d->dst_len);
	*cost_ns = aimc_dpu_run(m, d, n_uops, m->work);
	st = dma_out(m, d->dst_addr, m->io_out, d->dst_len);
	if (st)
		return st;
	memcpy(slot, m->work, sizeof(*slot));
	return AIMC_ST_OK;
}

static u32 cmd_state_save(struct aimc_model *m, const struct aimc_desc *d)
{
	const struct aimc_slot *slot = &m->slots[d->slot];
	u8 *p = m->io_out;
	u32 i;

	if (d->dst_len != AIMC_STATE_IMAGE_BYTES)
		return AIMC_ST_BAD_LENGTH;
	aimc_hw_put_le32(p, AIMC_STATE_MAGIC);
	aimc_hw_put_le32(p + 4, AIMC_STATE_VERSION);
	aimc_hw_put_le32(p + 8, AIMC_SLOT_STATE_WORDS);
	aimc_hw_put_le32(p + 12, slot->pool_count);
	p += sizeof(struct aimc_state_hdr);
	for (i = 0; i < AIMC_SLOT_STATE_WORDS; i++, p += 4)
		aimc_hw_put_le32(p, (u32)slot->words[i]);
	for (i = 0; i < AIMC_POOL_LEN; i++, p += 8)
		aimc_hw_put_le64(p, (u64)slot->pool[i]);
	return dma_out(m, d->dst_addr, m->io_out, d->dst_len);
}

static u32 cmd_state_load(struct aimc_model *m, const struct aimc_desc *d)
{
	struct aimc_slot *slot = &m->slots[d->slot];
	const u8 *p = m->io_in;
	u32 i, st;

	if (d->src_len != AIMC_STATE_IMAGE_BYTES)
		return AIMC_ST_BAD_LENGTH;
	st = dma_in(m, d->src_addr, m->io_in, d->src_len);
	if (st)
		return st;
	if (aimc_hw_get_le32(p) != AIMC_STATE_MAGIC ||
	    aimc_hw_get_le32(p + 4) != AIMC_STATE_VERSION ||
	    aimc_hw_get_le32(p + 8) != AIMC_SLOT_STATE_WORDS)
		return AIMC_ST_BAD_STATE;
	slot->pool_count = aimc_hw_get_le32(p + 12);
	p += sizeof(struct aimc_state_hdr);
	for (i = 0; i < AIMC_SLOT_STATE_WORDS; i++, p += 4)
		slot->words[i] = (s32)aimc_hw_get_le32(p);
	for (i = 0; i < AIMC_POOL_LEN; i++, p += 8)
		slot->pool[i] = (s64)aimc_hw_get_le64(p);
	return AIMC_ST_OK;
}

static u32 cmd_calibrate(struct aimc_model *m, const struct aimc_desc *d)
{
	struct aimc_calib_rec *cal =
		&m->calib[(size_t)d->tile * m->k.half_cols + d->col0 / 2];
	u32 n = d->cols / 2, i, st;

	if (d->src_len != n * sizeof(struct aimc_calib_rec))
		return AIMC_ST_BAD_LENGTH;
	st = dma_in(m, d->src_addr, m->io_in, d->src_len);
	if (st)
		return st;
	for (i = 0; i < n; i++) {
		cal[i].gain_q14 = aimc_hw_get_le16(m->io_in + 4 * i);
		cal[i].offset = (s16)aimc_hw_get_le16(m->io_in + 4 * i + 2);
	}
	return AIMC_ST_OK;
}

static u32 dispatch(struct aimc_model *m, const struct aimc_desc *d,
		    u64 *cost_ns)
{
	switch (d->opcode) {
	case AIMC_CMD_PROGRAM:
		return cmd_program(m, d, cost_ns);
	case AIMC_CMD_READ:
		return cmd_read(m, d, cost_ns);
	case AIMC_CMD_EXEC:
		return cmd_exec(m, d, cost_ns);
	case AIMC_CMD_STATE_SAVE:
		return cmd_state_save(m, d);
	case AIMC_CMD_STATE_LOAD:
		return cmd_state_load(m, d);
	case AIMC_CMD_CALIBRATE:
		return cmd_calibrate(m, d);
	case AIMC_CMD_WAIT:
		*cost_ns = (u64)d->steps * wait_unit_ns[d->mode];
		return AIMC_ST_OK;
	default: /* AIMC_CMD_NOP */
		return AIMC_ST_OK;
	}
}

u32 aimc_model_execute(struct aimc_model *m, const struct aimc_desc *d)
{
	struct aimc_rng saved_rng = m->rng;
	u64 cost_ns = 0;
	u32 st;

	m->stats.commands++;
	st = aimc_hw_check_desc(d, aimc_model_limits(m));
	if (!st)
		st = dispatch(m, d, &cost_ns);
	if (st) {
		/* reads and MVMs draw noise before a late DMA fault */
		m->rng = saved_rng;
		m->stats.errors++;
	} else {
		aimc_model_advance_clock(m, cost_ns);
		m->stats.busy_ns += cost_ns;
	}
	m->stats.last_status = st;
	return st;
}

u32 aimc_model_submit(struct aimc_model *m, const void *raw_desc)
{
	struct aimc_desc d;

	aimc_desc_decode(raw_desc, &d);
	return aimc_model_execute(m, &d);
}
