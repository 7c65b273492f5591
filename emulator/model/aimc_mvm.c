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

void aimc_mvm(struct aimc_model *m, u32 tile, u32 row0, u32 rows, u32 col0,
	      u32 cols, u32 shift, const s32 *x, s32 *y)
{
	u32 half = cols / 2, i, j;
	s64 *acc = m->col_acc;
	u64 *var = m->col_var;
	s32 *dac = m->dac_in;
	bool noisy = m->k.read_rel_q32 || m->cfg.read_sigma_abs_ns;

	aimc_xbar_refresh_drift(m, tile);
	for (i = 0; i < rows; i++)
		dac[i] = (s32)aimc_clamp_s64(x[i], -m->k.dac_max, m->k.dac_max);
	memset(acc, 0, half * sizeof(*acc));
	memset(var, 0, half * sizeof(*var));
	for (i = 0; i < rows; i++) {
		const struct aimc_cell *c = aimc_cell_at(m, tile, row0 + i,
							 col0);
		s64 xi = dac[i];
		u64 x2 = (u64)(xi * xi);

		if (!xi)
			continue;
		for (j = 0; j < half; j++, c += 2) {
			acc[j] += xi * ((s64)c[0].g_now - c[1].g_now);
			if (noisy) {
				/* independent cell noise sums in variance */
				u64 sp = aimc_xbar_read_sigma_q4(m, c[0].g_now);
				u64 sn = aimc_xbar_read_sigma_q4(m, c[1].g_now);

				var[j] += x2 * (sp * sp + sn * sn);
			}
		}
	}
	for (j = 0; j < half; j++) {
		s64 col_current = acc[j];

		if (var[j]) {
			s64 sd_q4 = aimc_isqrt_u64(var[j]);

			col_current += aimc_rshift_round(sd_q4 *
						     aimc_rng_normal_q16(&m->rng),
						     20);
		}
		y[j] = aimc_adc_convert(m, tile, col0 / 2 + j, col_current,
					shift);
	}
	m->stats.mvms++;
}
