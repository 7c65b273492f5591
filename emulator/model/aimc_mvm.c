// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_mvm.h"
#include "aimc_xbar.h"
#include "aimc_fixmath.h"

s32 aimc_adc_convert(struct aimc_model *m, u32 tile, u32 lcol,
		     s64 col_current, u32 shift)
{
	const struct aimc_calib_rec *cal =
		&m->calib[(size_t)tile * m->k.half_cols + lcol];
	s64 hi = ((s64)1 << (m->cfg.adc_bits - 1)) - 1;
	s64 code;

	code = aimc_rshift_round(col_current * cal->gain_q14, 14 + shift) +
	       cal->offset;
	if (code > hi || code < -hi - 1) {
		m->stats.adc_clips++;
		code = aimc_clamp_s64(code, -hi - 1, hi);
	}
	return (s32)code;
}

/* (a * b) >> shift without a 128-bit product; shift <= 32 */
static u64 mul_shr_u64_u32(u64 a, u32 b, u32 shift)
{
	return (((a >> 32) * b) << (32 - shift)) +
	       (((a & 0xffffffffu) * b) >> shift);
}

/*
 * Variance of a column's read noise in (nS x DAC LSB)^2 Q8.  Each cell's
 * sigma is R g + A (R = rel * 16 in Q28 = read_rel_q32, A = 16 abs, in
 * 1/16 nS), so the sum over the column's cells of x^2 sigma^2 needs only
 * sum x^2 g^2, sum x^2 g and sum x^2, gathered in the MVM loop.
 */
static u64 column_variance(const struct aimc_model *m, u64 sq, u64 lin,
			   u64 x2_sum)
{
	u64 rel = m->k.read_rel_q32;
	u64 a = (u64)m->cfg.read_sigma_abs_ns * 16;
	u64 var = mul_shr_u64_u32(sq, (u32)((rel * rel) >> 28), 28);

	var += 2 * a * mul_shr_u64_u32(lin, (u32)rel, 28);
	return var + a * a * 2 * x2_sum;
}

void aimc_mvm(struct aimc_model *m, u32 tile, u32 row0, u32 rows, u32 col0,
	      u32 cols, u32 shift, const s32 *x, s32 *y)
{
	u32 half = cols / 2, i, j;
	s64 *acc = m->col_acc;
	u64 *sq = m->col_sq, *lin = m->col_lin, x2_sum = 0;
	s32 *dac = m->dac_in;
	bool noisy = m->k.read_rel_q32 || m->cfg.read_sigma_abs_ns;

	aimc_xbar_refresh_drift(m, tile);
	for (i = 0; i < rows; i++)
		dac[i] = (s32)aimc_clamp_s64(x[i], -m->k.dac_max, m->k.dac_max);
	memset(acc, 0, half * sizeof(*acc));
	memset(sq, 0, half * sizeof(*sq));
	memset(lin, 0, half * sizeof(*lin));
	for (i = 0; i < rows; i++) {
		const u16 *g = &m->g_now[aimc_cell_index(m, tile, row0 + i,
							 col0)];
		s64 xi = dac[i];
		u64 x2 = (u64)(xi * xi);

		if (!xi)
			continue;
		x2_sum += x2;
		for (j = 0; j < half; j++)
			acc[j] += xi * ((s32)g[2 * j] - g[2 * j + 1]);
		if (!noisy)
			continue;
		/* independent cell noise adds up in variance */
		for (j = 0; j < half; j++) {
			u64 gp = g[2 * j], gn = g[2 * j + 1];

			sq[j] += x2 * (gp * gp + gn * gn);
			lin[j] += x2 * (gp + gn);
		}
	}
	for (j = 0; j < half; j++) {
		s64 col_current = acc[j];

		if (noisy && x2_sum) {
			u64 var = column_variance(m, sq[j], lin[j], x2_sum);
			s64 sd_q4 = aimc_isqrt_u64(var);
			s64 z = aimc_rng_normal_q16(&m->rng);

			col_current += aimc_rshift_round(sd_q4 * z, 20);
		}
		y[j] = aimc_adc_convert(m, tile, col0 / 2 + j, col_current,
					shift);
	}
	m->stats.mvms++;
}
