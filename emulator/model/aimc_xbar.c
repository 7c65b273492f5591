// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "aimc_xbar.h"
#include "aimc_fixmath.h"

#define LN2_Q16		45426	/* round(ln(2) * 2^16) */
#define MFG_STREAM	0x6d616e7566616374ULL	/* "manufact" */

static u16 clamp_g(const struct aimc_model *m, s64 g)
{
	return (u16)aimc_clamp_s64(g, m->cfg.g_min_ns, m->cfg.g_max_ns);
}

/* ln(g / g_max) in Q16, with g floored at 1 nS */
static s64 ln_g_rel_q16(const struct aimc_model *m, u32 g_ns)
{
	s64 log2_rel = (s64)aimc_log2_q16(g_ns ? g_ns : 1) -
		       aimc_log2_q16(m->cfg.g_max_ns);

	return (log2_rel * LN2_Q16) >> 16;
}

static s64 affine_ppm(s32 slope_ppm, s32 icept_ppm, s64 x_q16, u32 lo,
		      u32 hi)
{
	return aimc_clamp_s64(((slope_ppm * x_q16) >> 16) + icept_ppm, lo, hi);
}

/*
 * Drift exponent drawn at programming: |N(mu(g), sd(g))| scaled by
 * drift_scale_pct, the aihwkit PCM fit (Nandakumar et al. 2019).
 */
static u16 draw_nu_q16(struct aimc_model *m, u32 g_ns)
{
	const struct aimc_model_config *c = &m->cfg;
	s64 ln_q16, mu, sd, nu;

	if (!m->k.drift_scale_q16)
		return 0;
	ln_q16 = ln_g_rel_q16(m, g_ns);
	mu = affine_ppm(c->drift_nu_mu_slope_ppm, c->drift_nu_mu_icept_ppm,
			ln_q16, c->drift_nu_mu_min_ppm, c->drift_nu_mu_max_ppm);
	sd = affine_ppm(c->drift_nu_sd_slope_ppm, c->drift_nu_sd_icept_ppm,
			ln_q16, c->drift_nu_sd_min_ppm, c->drift_nu_sd_max_ppm);
	nu = mu + aimc_rshift_round(sd * aimc_rng_normal_q16(&m->rng), 16);
	if (nu < 0)
		nu = -nu;
	/* ppm -> Q16, then the scale (Q16); nu stays below 1.0 */
	nu = (s64)((aimc_ppm_to_q32((u32)nu) * m->k.drift_scale_q16) >> 32);
	return (u16)aimc_clamp_s64(nu, 0, 65535);
}

/* The cell's relaxation deviate, Q12, only when the preset relaxes. */
static s16 draw_relax_z(struct aimc_model *m)
{
	if (!m->k.relax_on)
		return 0;
	return (s16)aimc_clamp_s64(aimc_rshift_round(aimc_rng_normal_q16(&m->rng),
						     4), -32767, 32767);
}

static void mark_programmed(struct aimc_model *m, size_t idx)
{
	struct aimc_cell *c = &m->cells[idx];

	c->nu_q16 = draw_nu_q16(m, c->g_prog);
	c->relax_z = draw_relax_z(m);
	c->t_prog_s = (u32)aimc_clamp_s64((s64)m->clock_s, 0, 0xffffffffLL);
	aimc_xbar_set_g_now(m, idx, c->g_prog);
	m->stats.cells_programmed++;
}

static bool cell_stuck(const struct aimc_cell *c)
{
	return !c->gain_set && !c->gain_reset;
}

static u8 draw_gain(struct aimc_model *m, struct aimc_rng *mfg)
{
	s64 z = aimc_rng_normal_q16(mfg);
	s64 sigma_q32 = (s64)aimc_ppm_to_q32(m->cfg.d2d_sigma_ppm);
	/* 128 * (1 + sigma z): Q16 z times Q32 sigma, down to Q7 */
	s64 g = AIMC_GAIN_ONE + aimc_rshift_round(z * sigma_q32, 41);

	/* 1/128 .. 255/128: a live cell always switches a little */
	return (u8)aimc_clamp_s64(g, 1, 255);
}

void aimc_xbar_manufacture(struct aimc_model *m)
{
	const struct aimc_model_config *c = &m->cfg;
	size_t n = (size_t)c->tiles * c->rows * c->cols, i;
	struct aimc_rng mfg;

	/* a stream of its own: variation does not depend on command history */
	aimc_rng_seed(&mfg, c->seed ^ MFG_STREAM);
	for (i = 0; i < n; i++) {
		struct aimc_cell *cell = &m->cells[i];
		u32 draw = aimc_rng_below(&mfg, 1000000);

		cell->gain_set = draw_gain(m, &mfg);
		cell->gain_reset = draw_gain(m, &mfg);
		cell->g_prog = (u16)c->g_min_ns;
		cell->nu_q16 = 0;
		cell->relax_z = 0;
		cell->t_prog_s = 0;
		if (draw < c->stuck_gmin_ppm) {
			cell->gain_set = 0;
			cell->gain_reset = 0;
		} else if (draw < c->stuck_gmin_ppm + c->stuck_gmax_ppm) {
			cell->gain_set = 0;
			cell->gain_reset = 0;
			cell->g_prog = (u16)c->g_max_ns;
		}
		aimc_xbar_set_g_now(m, i, cell->g_prog);
	}
}

/* x^2, x^3, x^4 in Q16 from x in Q16 (x <= 1) */
static s64 pow_q16(s64 x_q16, u32 n)
{
	s64 p = x_q16;

	while (--n)
		p = (p * x_q16) >> 16;
	return p;
}

u32 aimc_xbar_prog_sigma_ns(const struct aimc_model *m, u32 g_ns)
{
	const struct aimc_model_config *c = &m->cfg;
	s64 x_q16 = (s64)((g_ns * m->k.inv_gmax_q32) >> 16);
	s64 sigma = c->prog_sigma_c0_ns +
		    ((c->prog_sigma_c1_ns * x_q16) >> 16) +
		    ((c->prog_sigma_c2_ns * x_q16 * x_q16) >> 32);

	/* a quadratic (PCM) keeps the exact arithmetic it always had */
	if (c->prog_sigma_c3_ns)
		sigma += (c->prog_sigma_c3_ns * pow_q16(x_q16, 3)) >> 16;
	if (c->prog_sigma_c4_ns)
		sigma += (c->prog_sigma_c4_ns * pow_q16(x_q16, 4)) >> 16;
	return (u32)aimc_clamp_s64(sigma, 0, 65535);
}

void aimc_xbar_program_target(struct aimc_model *m, size_t idx,
			      u32 target_ns)
{
	struct aimc_cell *c = &m->cells[idx];
	s64 sigma = aimc_xbar_prog_sigma_ns(m, target_ns);
	s64 g = target_ns;

	/* a pulse train at the SET reference amplitude into the target */
	m->stats.energy_fj[AIMC_ENERGY_PROGRAM] +=
		aimc_energy_vgt_fj(m->cfg.set_vref_mv, target_ns,
				   m->cfg.t_cell_target_ns);
	if (cell_stuck(c))
		return;
	if (sigma)
		g += aimc_rshift_round(sigma * aimc_rng_normal_q16(&m->rng),
				       16);
	c->g_prog = clamp_g(m, g);
	mark_programmed(m, idx);
}

/*
 * Mean step at amplitude v: step_ref * 2^((v - vref) / v_double) above
 * the threshold, nothing below it (Alibart et al. 2012: switching rate
 * grows exponentially with the pulse amplitude).
 */
static s64 step_at_amplitude(const struct aimc_model *m, u32 step_ref_ns,
			     u32 vth_mv, u32 vref_mv, u32 v_mv)
{
	s64 e_q16;

	if (v_mv < vth_mv)
		return 0;
	e_q16 = aimc_div_s64(((s64)v_mv - vref_mv) * 65536,
			     (s32)m->cfg.pulse_v_double_mv);
	if (e_q16 < 0)
		return ((s64)step_ref_ns *
			aimc_exp2_neg_q30((s32)aimc_clamp_s64(e_q16,
							      -(40 << 16),
							      0))) >> 30;
	/* capped at 2^15: one pulse cannot do more than a full swing */
	return ((s64)step_ref_ns *
		aimc_exp2_pos_q16((s32)aimc_clamp_s64(e_q16, 0,
						      (15 << 16)))) >> 16;
}

void aimc_xbar_program_pulses(struct aimc_model *m, size_t idx, s32 count,
			      u32 amp_10mv)
{
	const struct aimc_model_config *cfg = &m->cfg;
	struct aimc_cell *c = &m->cells[idx];
	u32 v_mv = amp_10mv * 10;
	s64 range = (s64)cfg->g_max_ns - cfg->g_min_ns;
	bool set = count > 0;
	u32 n = (u32)(set ? count : -count), i;
	s64 base;
	u8 gain;

	if (!n)
		return;
	m->stats.pulses += n;
	/* V^2 G t of each pulse, at the conductance the train starts from */
	m->stats.energy_fj[AIMC_ENERGY_PROGRAM] +=
		n * aimc_energy_vgt_fj(v_mv, c->g_prog, cfg->t_pulse_ns);
	if (cell_stuck(c) || !range)
		return;
	if (set)
		base = step_at_amplitude(m, cfg->set_step_ns, cfg->set_vth_mv,
					 cfg->set_vref_mv, v_mv);
	else
		base = step_at_amplitude(m, cfg->reset_step_ns,
					 cfg->reset_vth_mv, cfg->reset_vref_mv,
					 v_mv);
	gain = set ? c->gain_set : c->gain_reset;
	base = base * gain;	/* nS, Q7 */
	for (i = 0; i < n; i++) {
		s64 g = c->g_prog;
		/* soft bounds: the step shrinks as the cell nears its limit */
		s64 room = set ? cfg->g_max_ns - g : g - cfg->g_min_ns;
		s64 step = aimc_div_s64(base * room * 2, (s32)range);
		s64 noise = 0;

		if (m->k.c2c_q32)
			noise = (s64)(((u64)(step < 0 ? -step : step) *
				       (m->k.c2c_q32 >> 16)) >> 16);
		if (noise)
			step += aimc_rshift_round(noise *
						  aimc_rng_normal_q16(&m->rng),
						  16);
		step = aimc_rshift_round(step, 7);
		c->g_prog = clamp_g(m, set ? g + step : g - step);
	}
	mark_programmed(m, idx);
}

/* c0 + c1 x + ... + c4 x^4 (Horner, x in Q16), nS, not below 0 */
static u64 relax_sigma_ns(const s32 *c, s64 x_q16)
{
	s64 v = c[4];
	s32 k;

	for (k = 3; k >= 0; k--)
		v = ((v * x_q16) >> 16) + c[k];
	return v > 0 ? (u64)v : 0;
}

/* Where relaxation stands @dt seconds after programming. */
struct relax_at {
	u32 seg;	/* 0: none yet, 1: between t0 and t1, 2: t1..t2, 3: held */
	u32 w_q16;	/* position in the segment, in ln t */
};

static struct relax_at relax_time(const struct aimc_model *m, u64 dt)
{
	const u32 *t = m->cfg.relax_t_s;
	const s32 *l = m->k.relax_log2_t_q16;
	struct relax_at r = { 0, 0 };
	s64 num, den;

	if (dt < t[0])
		return r;
	if (dt >= t[2]) {
		r.seg = 3;
		return r;
	}
	r.seg = dt < t[1] ? 1 : 2;
	num = (s64)aimc_log2_q16(dt) - l[r.seg - 1];
	den = (s64)l[r.seg] - l[r.seg - 1];
	r.w_q16 = den > 0 ? (u32)aimc_clamp_s64(aimc_div_s64(num << 16,
							     (s32)den), 0,
						  65536) : 65536;
	return r;
}

/*
 * g plus the cell's relaxation: z sigma, sigma^2 interpolated linearly
 * in ln t between the fitted sigma^2 at the relax_t_s points.
 */
static u16 relax(const struct aimc_model *m, const struct aimc_cell *c,
		 u32 g, struct relax_at r)
{
	const struct aimc_model_config *cfg = &m->cfg;
	s64 x_q16 = (s64)((c->g_prog * m->k.inv_gmax_q32) >> 16);
	u64 lo, hi, var, sd;
	s64 v;

	if (!r.seg || !c->relax_z)
		return (u16)g;
	if (r.seg == 3) {
		var = relax_sigma_ns(cfg->relax_sigma_ns[2], x_q16);
		var *= var;
	} else {
		lo = relax_sigma_ns(cfg->relax_sigma_ns[r.seg - 1], x_q16);
		hi = relax_sigma_ns(cfg->relax_sigma_ns[r.seg], x_q16);
		lo *= lo;
		hi *= hi;
		var = (u64)((s64)lo + ((((s64)hi - (s64)lo) * r.w_q16) >> 16));
	}
	sd = aimc_isqrt_u64(var);
	v = (s64)g + aimc_rshift_round((s64)sd * c->relax_z, 12);
	return clamp_g(m, v);
}

void aimc_xbar_refresh_drift(struct aimc_model *m, u32 tile)
{
	const struct aimc_model_config *cfg = &m->cfg;
	size_t n = (size_t)cfg->rows * cfg->cols, i;
	size_t first = aimc_cell_index(m, tile, 0, 0);
	const struct aimc_cell *cells = &m->cells[first];
	u64 stamp = m->clock_s + 1;
	u32 memo_t = 0, relax_memo_t = 0;
	s32 memo_log2 = 0;
	bool memo_valid = false, relax_memo_valid = false;
	struct relax_at r = { 0, 0 };

	if (m->tile_drift_stamp[tile] == stamp)
		return;
	m->tile_drift_stamp[tile] = stamp;
	for (i = 0; i < n; i++) {
		const struct aimc_cell *c = &cells[i];
		u64 dt = m->clock_s > c->t_prog_s ? m->clock_s - c->t_prog_s : 0;
		u32 g = c->g_prog;
		s64 e_q16;

		if (c->nu_q16) {
			/* cells programmed together share the time: reuse the log */
			if (!memo_valid || c->t_prog_s != memo_t) {
				memo_log2 = aimc_log2_q16(dt + cfg->drift_t0_s) -
					    m->k.log2_t0_q16;
				memo_t = c->t_prog_s;
				memo_valid = true;
			}
			e_q16 = -(((s64)c->nu_q16 * memo_log2) >> 16);
			g = (u32)(((u64)c->g_prog *
				   aimc_exp2_neg_q30((s32)e_q16) +
				   (1u << 29)) >> 30);
		}
		if (c->relax_z) {
			if (!relax_memo_valid || c->t_prog_s != relax_memo_t) {
				r = relax_time(m, dt);
				relax_memo_t = c->t_prog_s;
				relax_memo_valid = true;
			}
			g = relax(m, c, g, r);
		}
		aimc_xbar_set_g_now(m, first + i, (u16)g);
	}
}

u32 aimc_xbar_read_sigma_q4(const struct aimc_model *m, u32 g_ns)
{
	return (u32)(((u64)g_ns * m->k.read_rel_q32) >> 28) +
	       m->cfg.read_sigma_abs_ns * 16;
}

u16 aimc_xbar_read(struct aimc_model *m, size_t idx)
{
	s64 g = m->g_now[idx];
	s64 sigma_q4 = aimc_xbar_read_sigma_q4(m, (u32)g);

	/* the cell at the read bias for an MVM's time, and its conversion */
	m->stats.energy_fj[AIMC_ENERGY_XBAR] +=
		aimc_energy_vgt_fj(m->cfg.read_v_mv, (u64)g, m->cfg.t_mvm_ns);
	m->stats.energy_fj[AIMC_ENERGY_ADC] += m->cfg.energy_adc_fj;
	m->stats.adc_conversions++;

	if (sigma_q4)
		g += aimc_rshift_round(sigma_q4 * aimc_rng_normal_q16(&m->rng),
				       20);
	return (u16)aimc_clamp_s64(g, 0, 65535);
}
