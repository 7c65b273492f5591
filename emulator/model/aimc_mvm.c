// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_mvm.h"
#include "aimc_xbar.h"
#include "aimc_fixmath.h"

#ifdef AIMC_MVM_AVX2
#include <immintrin.h>
#endif

/* code = sat_adc(rnd(I x gain, 14 + shift) + offset), clips counted */
static __always_inline s32 adc_code(struct aimc_model *m,
				    const struct aimc_calib_rec *cal,
				    s64 col_current, u32 shift)
{
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

s32 aimc_adc_convert(struct aimc_model *m, u32 tile, u32 lcol,
		     s64 col_current, u32 shift)
{
	return adc_code(m, &m->calib[(size_t)tile * m->k.half_cols + lcol],
			col_current, shift);
}

/* (a * b) >> shift without a 128-bit product; shift <= 32 */
static __always_inline u64 mul_shr_u64_u32(u64 a, u32 b, u32 shift)
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
static __always_inline u64 column_variance(const struct aimc_model *m,
					   u64 sq, u64 lin, u64 x2_sum)
{
	u64 rel = m->k.read_rel_q32;
	u64 a = (u64)m->cfg.read_sigma_abs_ns * 16;
	u64 var = mul_shr_u64_u32(sq, (u32)((rel * rel) >> 28), 28);

	var += 2 * a * mul_shr_u64_u32(lin, (u32)rel, 28);
	return var + a * a * 2 * x2_sum;
}

/*
 * What the MAC loop sums besides x (G+ - G-): nothing for a noise-free
 * card, x^2 (G+^2 + G-^2) for the relative read noise, and x^2 (G+ + G-)
 * too for its cross term with the absolute noise.
 */
enum mac_sums { MAC_PLAIN, MAC_SQ, MAC_SQ_LIN };

/*
 * The column sums of pairs j0 .. j0 + AIMC_MVM_BLOCK - 1 over the n rows
 * with a non-zero input, in registers.  acc is exact in s32: |x| <= 127,
 * |G+ - G-| <= 65535 and at most 256 rows give |acc| <= 2 130 673 920 <
 * 2^31.  The variance sums are u32 x u32 products in u64.  Blocks past
 * the window's last pair read spare entries (AIMC_MVM_SLACK) and land in
 * spare outputs, which nobody reads.
 */
static __always_inline void mac_block(const struct aimc_model *m,
				      size_t base, u32 n, enum mac_sums sums,
				      s32 *acc, u64 *sq, u64 *lin)
{
	const struct aimc_pair *pp = &m->pairs[base];
	const u32 *ps = &m->pair_sum[base];
	const s32 *xs = m->row_x;
	const u32 *x2s = m->row_x2, *off = m->row_off;
	s32 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	u64 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	u64 l0 = 0, l1 = 0, l2 = 0, l3 = 0;
	u32 k;

	for (k = 0; k < n; k++) {
		const struct aimc_pair *d = pp + off[k];
		const u32 *g = ps + off[k];
		s32 x = xs[k];
		u64 x2 = x2s[k];

		a0 += x * d[0].diff;
		a1 += x * d[1].diff;
		a2 += x * d[2].diff;
		a3 += x * d[3].diff;
		if (sums == MAC_PLAIN)
			continue;
		s0 += x2 * d[0].sq;
		s1 += x2 * d[1].sq;
		s2 += x2 * d[2].sq;
		s3 += x2 * d[3].sq;
		if (sums == MAC_SQ)
			continue;
		l0 += x2 * g[0];
		l1 += x2 * g[1];
		l2 += x2 * g[2];
		l3 += x2 * g[3];
	}
	acc[0] = a0;
	acc[1] = a1;
	acc[2] = a2;
	acc[3] = a3;
	sq[0] = s0 << m->k.sq_shift;
	sq[1] = s1 << m->k.sq_shift;
	sq[2] = s2 << m->k.sq_shift;
	sq[3] = s3 << m->k.sq_shift;
	lin[0] = l0;
	lin[1] = l1;
	lin[2] = l2;
	lin[3] = l3;
}

/* mac_block() over a window, one loop per kind of sum */
static void mac_window(const struct aimc_model *m, size_t base, u32 half,
		       u32 n, enum mac_sums sums, s32 *acc, u64 *sq, u64 *lin)
{
	u32 j;

	if (sums == MAC_PLAIN) {
		for (j = 0; j < half; j += AIMC_MVM_BLOCK)
			mac_block(m, base + j, n, MAC_PLAIN, &acc[j], &sq[j],
				  &lin[j]);
	} else if (sums == MAC_SQ) {
		for (j = 0; j < half; j += AIMC_MVM_BLOCK)
			mac_block(m, base + j, n, MAC_SQ, &acc[j], &sq[j],
				  &lin[j]);
	} else {
		for (j = 0; j < half; j += AIMC_MVM_BLOCK)
			mac_block(m, base + j, n, MAC_SQ_LIN, &acc[j], &sq[j],
				  &lin[j]);
	}
}

#ifdef AIMC_MVM_AVX2
/*
 * mac_window() eight pairs at a time in AVX2: a row's four pairs are one
 * 256-bit load, diff in the low and sq in the high half of each 64-bit
 * lane, so a signed and an unsigned 32 x 32 -> 64 multiply per lane give
 * both sums; G+ + G- is widened to 64 bits for the third.  The same
 * products and the same wrapping u64 sums as mac_block(): the same bits.
 */
__attribute__((target("avx2")))
static void mac_window_avx2(const struct aimc_model *m, size_t base,
			    u32 half, u32 n, enum mac_sums sums, s32 *acc,
			    u64 *sq, u64 *lin)
{
	const s32 *xs = m->row_x;
	const u32 *x2s = m->row_x2, *off = m->row_off;
	s64 av[8];
	u64 sv[8], lv[8];
	u32 j, k;

	for (j = 0; j < half; j += 8) {
		const struct aimc_pair *pp = &m->pairs[base + j];
		const u32 *ps = &m->pair_sum[base + j];
		__m256i a0 = _mm256_setzero_si256(), a1 = a0, s0 = a0,
			s1 = a0, l0 = a0, l1 = a0;

		for (k = 0; k < n; k++) {
			const struct aimc_pair *d = pp + off[k];
			__m256i v0 = _mm256_loadu_si256((const void *)d);
			__m256i v1 = _mm256_loadu_si256((const void *)(d + 4));
			__m256i x = _mm256_set1_epi32(xs[k]), x2, g, p;

			a0 = _mm256_add_epi64(a0, _mm256_mul_epi32(v0, x));
			a1 = _mm256_add_epi64(a1, _mm256_mul_epi32(v1, x));
			if (sums == MAC_PLAIN)
				continue;
			x2 = _mm256_set1_epi32((int)x2s[k]);
			p = _mm256_mul_epu32(_mm256_srli_epi64(v0, 32), x2);
			s0 = _mm256_add_epi64(s0, p);
			p = _mm256_mul_epu32(_mm256_srli_epi64(v1, 32), x2);
			s1 = _mm256_add_epi64(s1, p);
			if (sums == MAC_SQ)
				continue;
			g = _mm256_loadu_si256((const void *)(ps + off[k]));
			p = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(g));
			l0 = _mm256_add_epi64(l0, _mm256_mul_epu32(p, x2));
			p = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(g, 1));
			l1 = _mm256_add_epi64(l1, _mm256_mul_epu32(p, x2));
		}
		_mm256_storeu_si256((void *)av, a0);
		_mm256_storeu_si256((void *)(av + 4), a1);
		_mm256_storeu_si256((void *)sv, s0);
		_mm256_storeu_si256((void *)(sv + 4), s1);
		_mm256_storeu_si256((void *)lv, l0);
		_mm256_storeu_si256((void *)(lv + 4), l1);
		for (k = 0; k < 8; k++) {
			acc[j + k] = (s32)av[k];
			sq[j + k] = sv[k] << m->k.sq_shift;
			lin[j + k] = lv[k];
		}
	}
}
#endif

void aimc_mvm_row_sums(const struct aimc_model *m, u32 tile, u32 row0, u32 rows,
		       u32 col0, u32 cols, u32 *sum)
{
	size_t base = aimc_cell_index(m, tile, row0, col0) / 2;
	u32 i, j, hc = m->k.half_cols;

	for (i = 0; i < rows; i++) {
		const u32 *g = &m->pair_sum[base + (size_t)i * hc];

		sum[i] = 0;
		for (j = 0; j < cols / 2; j++)
			sum[i] += g[j];
	}
}

/*
 * Energy of one MVM: the DAC of every row, each cell at the read bias for
 * |x| / x_max of the MVM time (a pulse-width input: a full-scale input is
 * on for t_mvm_ns), an ADC conversion per output.  @xg = sum |x| (G+ + G-)
 * over the window, LSB nS.
 */
static void mvm_energy(struct aimc_model *m, u32 rows, u32 outputs, u64 xg)
{
	const struct aimc_model_config *c = &m->cfg;
	u32 rem;

	m->stats.dac_conversions += rows;
	m->stats.adc_conversions += outputs;
	m->stats.energy_fj[AIMC_ENERGY_DAC] += (u64)rows * c->energy_dac_fj;
	m->stats.energy_fj[AIMC_ENERGY_ADC] += (u64)outputs * c->energy_adc_fj;
	m->stats.energy_fj[AIMC_ENERGY_XBAR] +=
		aimc_div_u64_rem(aimc_energy_vgt_fj(c->read_v_mv, xg,
						    c->t_mvm_ns),
				 (u32)m->k.dac_max, &rem);
}

void aimc_mvm(struct aimc_model *m, u32 tile, u32 row0, u32 rows, u32 col0,
	      u32 cols, u32 shift, const s32 *x, s32 *y)
{
	aimc_xbar_refresh_drift(m, tile);
	aimc_mvm_row_sums(m, tile, row0, rows, col0, cols, m->row_sum);
	aimc_mvm_sums(m, tile, row0, rows, col0, cols, shift, x, y, m->row_sum);
}

aimc_hot_loop
void aimc_mvm_sums(struct aimc_model *m, u32 tile, u32 row0, u32 rows, u32 col0,
		   u32 cols, u32 shift, const s32 *x, s32 *y, const u32 *row_sum)
{
	u32 half = cols / 2, hc = m->k.half_cols, i, j, n = 0;
	size_t base = aimc_cell_index(m, tile, row0, col0) / 2;
	s32 *acc = m->col_acc;
	u64 *sq = m->col_sq, *lin = m->col_lin, x2_sum = 0, xg = 0;
	bool rel = m->k.read_rel_q32, abs = m->cfg.read_sigma_abs_ns;
	enum mac_sums sums;
	const struct aimc_calib_rec *cal =
		&m->calib[(size_t)tile * hc + col0 / 2];

	aimc_xbar_refresh_drift(m, tile);
	/* the DAC; rows at 0 add nothing, not even noise */
	for (i = 0; i < rows; i++) {
		s32 xi = (s32)aimc_clamp_s64(x[i], -m->k.dac_max,
					      m->k.dac_max);

		if (!xi)
			continue;
		m->row_x[n] = xi;
		m->row_x2[n] = (u32)(xi * xi);
		m->row_off[n] = i * hc;
		x2_sum += m->row_x2[n++];
		xg += (u64)(xi < 0 ? -xi : xi) * row_sum[i];
	}
	sums = !rel ? MAC_PLAIN : abs ? MAC_SQ_LIN : MAC_SQ;
#ifdef AIMC_MVM_AVX2
	if (m->k.avx2)
		mac_window_avx2(m, base, half, n, sums, acc, sq, lin);
	else
#endif
		mac_window(m, base, half, n, sums, acc, sq, lin);
	mvm_energy(m, rows, half, xg);
	if (!(rel || abs) || !x2_sum) {
		for (j = 0; j < half; j++)
			y[j] = adc_code(m, &cal[j], acc[j], shift);
		m->stats.mvms++;
		return;
	}
	/* two passes: the second's square roots then overlap */
	for (j = 0; j < half; j++)
		sq[j] = column_variance(m, rel ? sq[j] : 0,
					rel && abs ? lin[j] : 0, x2_sum);
	for (j = 0; j < half; j++) {
		s64 sd_q4 = aimc_isqrt_u64(sq[j]);
		s64 z = aimc_rng_normal_q16(&m->rng);

		y[j] = adc_code(m, &cal[j],
				acc[j] + aimc_rshift_round(sd_q4 * z, 20), shift);
	}
	m->stats.mvms++;
}
