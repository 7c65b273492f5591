/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Analog matrix-vector multiply on one tile window.  Physical columns
 * pair up as differential weights: column 2j holds G+, 2j+1 holds G-, and
 * logical output j is the ADC code of the difference current.
 */
#ifndef AIMC_MVM_H
#define AIMC_MVM_H

#include "aimc_model_priv.h"

/*
 * y[j] = ADC(sum_i DAC(x[i]) (G+[i][j] - G-[i][j])), j < cols / 2.
 * The window must already be validated: rows <= AIMC_DPU_VLEN, col0 and
 * cols even, cols / 2 <= AIMC_DPU_VLEN, shift <= AIMC_MVM_MAX_SHIFT.
 * @y may alias @x.
 */
void aimc_mvm(struct aimc_model *m, u32 tile, u32 row0, u32 rows, u32 col0,
	      u32 cols, u32 shift, const s32 *x, s32 *y);

/*
 * The same with each row's sum of G+ + G- over the window given (@row_sum,
 * rows entries, aimc_mvm_row_sums()): the crossbar read energy needs it,
 * and the digital unit computes it once per EXEC instead of once per MVM.
 */
void aimc_mvm_sums(struct aimc_model *m, u32 tile, u32 row0, u32 rows, u32 col0,
		   u32 cols, u32 shift, const s32 *x, s32 *y, const u32 *row_sum);
void aimc_mvm_row_sums(const struct aimc_model *m, u32 tile, u32 row0, u32 rows,
		       u32 col0, u32 cols, u32 *sum);

/* The ADC transfer function of logical column @lcol (for tests, too). */
s32 aimc_adc_convert(struct aimc_model *m, u32 tile, u32 lcol,
		     s64 col_current, u32 shift);

#endif /* AIMC_MVM_H */
