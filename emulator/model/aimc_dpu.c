// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_dpu.h"
#include "aimc_mvm.h"
#include "aimc_xbar.h"
#include "aimc_fixmath.h"

#define HDR_BYTES	sizeof(struct aimc_prog_hdr)
#define UOP_BYTES	sizeof(struct aimc_uop)
#define SSM_WORDS(m)	(6 * (m))	/* Are Aim Bre Bim Cre Cim per mode */

u32 aimc_dpu_load(struct aimc_model *m, const struct aimc_desc *d, u32 len,
		  u32 *n_uops)
{
	return aimc_hw_check_prog(m->prog, len, d, aimc_model_limits(m), NULL,
				  NULL, m->uops, n_uops, &m->stats.last_bad_uop);
}

static __always_inline s32 *reg(struct aimc_model *m, u32 r)
{
	return &m->regs[r * AIMC_DPU_VLEN];
}

static s32 get_elem(const u8 *p, u32 width)
{
	if (width == 1)
		return (s8)p[0];
	if (width == 2)
		return (s16)aimc_hw_get_le16(p);
	return (s32)aimc_hw_get_le32(p);
}

static void put_elem(u8 *p, u32 width, s32 v)
{
	if (width == 1)
		p[0] = (u8)aimc_sat_bits(v, 8);
	else if (width == 2)
		aimc_hw_put_le16(p, (u16)aimc_sat_bits(v, 16));
	else
		aimc_hw_put_le32(p, (u32)v);
}

static __always_inline s32 lut_index(s32 v)
{
	return aimc_sat_bits(v, 8) + 128;
}

/*
 * x' = A x + B u per complex mode (A Q1.30, B and state Q15.16), then
 * y = Re(sum C x) + D u.  Products are halved before summing so no s64
 * sum can overflow; state and y saturate at s32.  Every product here is
 * of two s32 (|p| <= 2^62), so aimc_rshift_round_prod() rounds it
 * exactly as aimc_rshift_round() would.
 */
static __always_inline void op_ssm(struct aimc_model *m,
				   const struct aimc_uop *u, const u8 *consts,
				   struct aimc_slot *slot)
{
	const u8 *par = consts + u->imm0;
	u32 modes = u->src_b, h, n;
	const s32 *in = reg(m, u->src_a);
	s32 *out = reg(m, u->dst);
	s32 *x = &slot->words[u->imm1];
	const u8 *dpar = par + 4 * SSM_WORDS(modes) * u->len;
	const u8 *q = par;

	for (h = 0; h < u->len; h++) {
		s64 uin = in[h], acc = 0;

		for (n = 0; n < modes; n++, q += 4 * SSM_WORDS(1), x += 2) {
			s64 are = (s32)aimc_hw_get_le32(q);
			s64 aim = (s32)aimc_hw_get_le32(q + 4);
			s64 bre = (s32)aimc_hw_get_le32(q + 8);
			s64 bim = (s32)aimc_hw_get_le32(q + 12);
			s64 cre = (s32)aimc_hw_get_le32(q + 16);
			s64 cim = (s32)aimc_hw_get_le32(q + 20);
			s64 xr = x[0], xi = x[1], nr, ni, term;

			nr = aimc_rshift_round_prod(
				aimc_rshift_round_prod(are * xr, 1) -
				aimc_rshift_round_prod(aim * xi, 1),
				AIMC_SSM_A_FRAC - 1) + bre * uin;
			ni = aimc_rshift_round_prod(
				aimc_rshift_round_prod(are * xi, 1) +
				aimc_rshift_round_prod(aim * xr, 1),
				AIMC_SSM_A_FRAC - 1) + bim * uin;
			x[0] = aimc_sat_s32(nr);
			x[1] = aimc_sat_s32(ni);
			term = aimc_rshift_round_prod(cre * x[0], 1) -
			       aimc_rshift_round_prod(cim * x[1], 1);
			/* aimc_sat_add_s64(), with the overflow flag */
			if (__builtin_add_overflow(acc, term, &acc))
				acc = term > 0 ? AIMC_S64_MAX : -AIMC_S64_MAX - 1;
		}
		acc = aimc_rshift_round(acc, AIMC_SSM_FRAC - 1);
		out[h] = aimc_sat_s32(acc + (s32)aimc_hw_get_le32(dpar + 4 * h) *
				      uin);
	}
}

/* floor(sum / count + 1/2), 0 for an empty pool */
static __always_inline s32 pool_mean(s64 sum, u32 count)
{
	s64 q, r;

	if (!count)
		return 0;
	q = aimc_div_s64(sum, (s32)count);
	r = sum - q * count;
	if (r < 0) {
		q -= 1;
		r += count;
	}
	return aimc_sat_s32(q + (2 * r >= count ? 1 : 0));
}

static __always_inline void op_pool(struct aimc_model *m,
				    const struct aimc_uop *u,
				    struct aimc_slot *slot)
{
	u32 i;

	if (u->op == AIMC_UOP_POOL_ACC) {
		const s32 *in = reg(m, u->src_a);

		for (i = 0; i < u->len; i++)
			slot->pool[i] = aimc_sat_add_s64(slot->pool[i], in[i]);
		if (slot->pool_count != 0xffffffffu)
			slot->pool_count++;
		return;
	}
	for (i = 0; i < u->len; i++)
		reg(m, u->dst)[i] = pool_mean(slot->pool[i], slot->pool_count);
	if (u->aux & AIMC_POOL_F_CLEAR) {
		memset(slot->pool, 0, sizeof(slot->pool));
		slot->pool_count = 0;
	}
}

/* One loop per op, so that each is a plain loop the compiler can schedule. */
static __always_inline void op_elementwise(struct aimc_model *m,
					   const struct aimc_uop *u,
					   const u8 *consts)
{
	const s32 *a = reg(m, u->src_a), *b = reg(m, u->src_b);
	const u8 *c = consts + u->imm0;
	s32 *y = reg(m, u->dst);
	u32 i, len = u->len, shift, bits;
	const s16 *t;
	s32 mul;

	switch (u->op) {
	case AIMC_UOP_LUT:
		if (u->aux == AIMC_LUT_PROGRAM) {
			for (i = 0; i < len; i++)
				y[i] = (s16)aimc_hw_get_le16(c + 2 * lut_index(a[i]));
			return;
		}
		t = u->aux == AIMC_LUT_GELU ? aimc_lut_gelu : aimc_lut_sigmoid;
		for (i = 0; i < len; i++)
			y[i] = t[lut_index(a[i])];
		return;
	case AIMC_UOP_GLU:
		for (i = 0; i < len; i++)
			y[i] = aimc_sat_s32(aimc_rshift_round_prod(
				(s64)a[i] * aimc_lut_sigmoid[lut_index(b[i])],
				15));
		return;
	case AIMC_UOP_ADD:
		for (i = 0; i < len; i++)
			y[i] = aimc_sat_s32((s64)a[i] + b[i]);
		return;
	case AIMC_UOP_MUL:
		for (i = 0; i < len; i++)
			y[i] = aimc_sat_s32(aimc_rshift_round_prod(
				(s64)a[i] * b[i], u->imm0));
		return;
	case AIMC_UOP_REQUANT:
		mul = (s32)u->imm0;
		shift = u->imm1 & 0xff;
		bits = (u->imm1 >> 8) & 0xff;
		for (i = 0; i < len; i++)
			y[i] = aimc_sat_bits(aimc_rshift_round_prod(
				(s64)a[i] * mul, shift), bits);
		return;
	case AIMC_UOP_AFFINE:
		for (i = 0; i < len; i++, c += 8)
			y[i] = aimc_sat_s32(aimc_rshift_round_prod(
				(s64)a[i] * (s32)aimc_hw_get_le32(c), u->imm1) +
				(s32)aimc_hw_get_le32(c + 4));
		return;
	default: /* AIMC_UOP_CONST_LD */
		for (i = 0; i < len; i++)
			y[i] = (s32)aimc_hw_get_le32(c + 4 * i);
		return;
	}
}

static void op_io(struct aimc_model *m, const struct aimc_desc *d,
		  const struct aimc_uop *u, u32 step)
{
	u32 i;

	if (u->op == AIMC_UOP_LOAD) {
		const u8 *p = m->io_in + (size_t)step * d->in_stride + u->imm0;

		for (i = 0; i < u->len; i++)
			reg(m, u->dst)[i] = get_elem(p + i * u->imm1, u->imm1);
	} else {
		u8 *p = m->io_out + (size_t)step * d->out_stride + u->imm0;

		for (i = 0; i < u->len; i++)
			put_elem(p + i * u->imm1, u->imm1,
				 reg(m, u->src_a)[i]);
	}
}

static void op_move(struct aimc_model *m, const struct aimc_uop *u,
		    struct aimc_slot *slot)
{
	size_t bytes = (size_t)u->len * sizeof(s32);

	if (u->op == AIMC_UOP_MOV)
		memmove(reg(m, u->dst) + u->imm0, reg(m, u->src_a) + u->imm1,
			bytes);
	else if (u->op == AIMC_UOP_STATE_LD)
		memcpy(reg(m, u->dst), &slot->words[u->imm0], bytes);
	else
		memcpy(&slot->words[u->imm0], reg(m, u->src_a), bytes);
}

/*
 * Arithmetic of one step, for the energy telemetry: a complex SSM mode
 * is 8 multiplies and 8 adds (A x: 4 + 2, B u: 2 + 2, C x: 2 + 2 with
 * the sum), D u one of each per channel; REQUANT, AFFINE, MUL and GLU
 * one of each per element; ADD, LUT and POOL_ACC one add.  Moves, loads
 * and stores are register-file traffic, not counted.
 */
static void dpu_energy(struct aimc_model *m, u32 n_uops, u64 steps)
{
	u64 muls = 0, adds = 0;
	u32 i;

	for (i = 0; i < n_uops; i++) {
		const struct aimc_uop *u = &m->uops[i];

		switch (u->op) {
		case AIMC_UOP_SSM:
			muls += (u64)u->len * (8 * u->src_b + 1);
			adds += (u64)u->len * (8 * u->src_b + 1);
			break;
		case AIMC_UOP_REQUANT:
		case AIMC_UOP_AFFINE:
		case AIMC_UOP_MUL:
		case AIMC_UOP_GLU:
			muls += u->len;
			adds += u->len;
			break;
		case AIMC_UOP_ADD:
		case AIMC_UOP_LUT:
		case AIMC_UOP_POOL_ACC:
			adds += u->len;
			break;
		default:
			break;
		}
	}
	m->stats.dpu_muls += muls * steps;
	m->stats.dpu_adds += adds * steps;
	m->stats.energy_fj[AIMC_ENERGY_DPU] +=
		steps * (muls * m->cfg.energy_dpu_mul_fj +
			 adds * m->cfg.energy_dpu_add_fj);
}

aimc_hot_loop
u64 aimc_dpu_run(struct aimc_model *m, const struct aimc_desc *d,
		 u32 n_uops, struct aimc_slot *slot)
{
	const u8 *consts = m->prog + HDR_BYTES + n_uops * UOP_BYTES;
	u64 mvms = 0;
	u32 step, i, k = 0, mk;
	u32 *sums[AIMC_DPU_MVM_SUMS];

	/*
	 * The read energy's row sums of the first MVMs, once per EXEC (the
	 * cells drift by whole seconds: a refresh within the EXEC leaves the
	 * energy of its remaining steps at the sums of its start).
	 */
	for (i = 0; i < n_uops; i++) {
		const struct aimc_uop *u = &m->uops[i];

		if (u->op != AIMC_UOP_MVM)
			continue;
		if (k < AIMC_DPU_MVM_SUMS) {
			sums[k] = &m->exec_row_sum[(size_t)k * AIMC_DPU_VLEN];
			aimc_xbar_refresh_drift(m, u->aux);
			aimc_mvm_row_sums(m, u->aux, u->imm0 & 0xffff, u->len,
					  u->imm0 >> 16, u->imm1 & 0xffff, sums[k]);
			k++;
		}
	}
	memset(m->regs, 0, AIMC_DPU_NREGS * AIMC_DPU_VLEN * sizeof(s32));
	for (step = 0; step < d->steps; step++) {
		aimc_yield();
		mk = 0;
		for (i = 0; i < n_uops; i++) {
			const struct aimc_uop *u = &m->uops[i];

			switch (u->op) {
			case AIMC_UOP_NOP:
				break;
			case AIMC_UOP_LOAD:
			case AIMC_UOP_STORE:
				op_io(m, d, u, step);
				break;
			case AIMC_UOP_MVM:
				if (mk < k)
					aimc_mvm_sums(m, u->aux, u->imm0 & 0xffff,
						      u->len, u->imm0 >> 16,
						      u->imm1 & 0xffff,
						      u->imm1 >> 16, reg(m, u->src_a),
						      reg(m, u->dst), sums[mk++]);
				else
					aimc_mvm(m, u->aux, u->imm0 & 0xffff,
						 u->len, u->imm0 >> 16,
						 u->imm1 & 0xffff, u->imm1 >> 16,
						 reg(m, u->src_a), reg(m, u->dst));
				mvms++;
				break;
			case AIMC_UOP_SSM:
				op_ssm(m, u, consts, slot);
				break;
			case AIMC_UOP_POOL_ACC:
			case AIMC_UOP_POOL_READ:
				op_pool(m, u, slot);
				break;
			case AIMC_UOP_MOV:
			case AIMC_UOP_STATE_LD:
			case AIMC_UOP_STATE_ST:
				op_move(m, u, slot);
				break;
			default:
				op_elementwise(m, u, consts);
				break;
			}
		}
	}
	dpu_energy(m, n_uops, d->steps);
	return (u64)d->steps * n_uops * m->cfg.t_uop_ns +
	       mvms * m->cfg.t_mvm_ns;
}
