// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The device object: configuration, creation, reset, clock, capability
 * registers and the state digest.
 */
#include "aimc_model_priv.h"
#include "aimc_xbar.h"
#include "aimc_fixmath.h"

#define NS_PER_S	1000000000u
#define MAX_CELL_BYTES	((u64)1 << 30)
/* a cell's state, its drifted conductance and the MVM's view of it */
#define BYTES_PER_CELL	(sizeof(struct aimc_cell) + sizeof(u16) + \
			 (sizeof(s32) + 2 * sizeof(u32)) / 2)

/* aimc_presets.def as tables: the presets, and every number they set */
enum {
#define AIMC_PRESET(id, ...)	AIMC_PRESET_##id,
#define AIMC_P(...)
#define AIMC_BASELINE(...)
#include "aimc_presets.def"
#undef AIMC_P
#undef AIMC_PRESET
	AIMC_PRESETS
};

static const struct {
	const char *name;
	const char *what;
	u32 id;
} presets[] = {
#define AIMC_PRESET(id, name, desc)	{ (name), (desc), AIMC_PRESET_##id },
#define AIMC_P(...)
#include "aimc_presets.def"
#undef AIMC_P
#undef AIMC_PRESET
};

/* Fields a preset sets are 32-bit: the offset of one that is not fails to compile. */
#define PRESET_FIELD(field) \
	(offsetof(struct aimc_model_config, field) + \
	 0 * sizeof(char[sizeof(((struct aimc_model_config *)0)->field) == 4 ? 1 : -1]))

static const struct {
	u32 preset;
	u32 offset;
	s64 value;
	const char *source;
} preset_params[] = {
#define AIMC_PRESET(...)
#define AIMC_P(preset, field, value, src) \
	{ AIMC_PRESET_##preset, PRESET_FIELD(field), (value), (src) },
#include "aimc_presets.def"
#undef AIMC_P
#undef AIMC_PRESET
#undef AIMC_BASELINE
};

static void apply_preset(struct aimc_model_config *cfg, u32 preset)
{
	u32 i;

	for (i = 0; i < AIMC_ARRAY_SIZE(preset_params); i++) {
		u32 v = (u32)preset_params[i].value;

		if (preset_params[i].preset == preset)
			memcpy((u8 *)cfg + preset_params[i].offset, &v, sizeof(v));
	}
}

const char *aimc_model_preset_name(u32 index)
{
	return index < AIMC_ARRAY_SIZE(presets) ? presets[index].name : NULL;
}

int aimc_model_config_preset(struct aimc_model_config *cfg, const char *name)
{
	struct aimc_model_config keep = *cfg;
	u32 i;

	for (i = 0; i < AIMC_ARRAY_SIZE(presets); i++) {
		if (strcmp(presets[i].name, name))
			continue;
		/* every preset starts from the defaults, which are the first */
		aimc_model_config_defaults(cfg);
		cfg->seed = keep.seed;
		cfg->noise_free = keep.noise_free;
		cfg->tiles = keep.tiles;
		cfg->rows = keep.rows;
		cfg->cols = keep.cols;
		cfg->dac_bits = keep.dac_bits;
		cfg->adc_bits = keep.adc_bits;
		cfg->slots = keep.slots;
		if (i)
			apply_preset(cfg, i);
		cfg->preset = i;
		return 0;
	}
	return -AIMC_EINVAL;
}

void aimc_model_config_defaults(struct aimc_model_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->tiles = 8;
	cfg->rows = 256;
	cfg->cols = 256;
	cfg->dac_bits = 8;
	cfg->adc_bits = 8;
	cfg->slots = 16;
	/* cells, timing and energy: preset 0 (aimc_presets.def) */
	apply_preset(cfg, 0);
}

u64 aimc_model_energy_fj(const struct aimc_model_stats *stats)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < AIMC_ENERGY_KINDS; i++)
		sum += stats->energy_fj[i];
	return sum;
}

static bool sigma_poly_ok(const s32 *c)
{
	u32 i;

	for (i = 0; i < 5; i++)
		if (c[i] < -262143 || c[i] > 262143)
			return false;
	return true;
}

/* relaxation: off, or three increasing times from 1 s */
static const char *relax_problem(const struct aimc_model_config *cfg)
{
	u32 k;

	if (!cfg->relax_t_s[0])
		return NULL;
	if (cfg->relax_t_s[0] > cfg->relax_t_s[1] ||
	    cfg->relax_t_s[1] > cfg->relax_t_s[2] ||
	    cfg->relax_t_s[2] > 100000000u)
		return "relax_t_s not increasing within 1..1e8 s";
	for (k = 0; k < AIMC_RELAX_POINTS; k++)
		if (!sigma_poly_ok(cfg->relax_sigma_ns[k]))
			return "relax_sigma_ns beyond +-262143 nS";
	return NULL;
}

/* NULL if @cfg is usable, else what is wrong with it */
static const char *config_problem(const struct aimc_model_config *cfg)
{
	const s32 prog[5] = {
		cfg->prog_sigma_c0_ns, cfg->prog_sigma_c1_ns,
		cfg->prog_sigma_c2_ns, cfg->prog_sigma_c3_ns,
		cfg->prog_sigma_c4_ns,
	};
	u64 cells;

	if (!(cfg->tiles >= 1 && cfg->tiles <= 1024))
		return "tiles not in 1..1024";
	if (!(cfg->rows >= 1 && cfg->rows <= 4096))
		return "rows not in 1..4096";
	if (!(cfg->cols >= 2 && cfg->cols <= 4096 && !(cfg->cols & 1)))
		return "cols not even in 2..4096";
	cells = (u64)cfg->tiles * cfg->rows * cfg->cols;
	if (cells * BYTES_PER_CELL > MAX_CELL_BYTES)
		return "cell array above 1 GiB";
	if (!(cfg->dac_bits >= 2 && cfg->dac_bits <= 8))
		return "dac_bits not 2..8";
	if (!(cfg->adc_bits >= 2 && cfg->adc_bits <= 16))
		return "adc_bits not 2..16";
	if (!(cfg->g_min_ns < cfg->g_max_ns && cfg->g_max_ns <= 65535))
		return "need g_min_ns < g_max_ns <= 65535";
	if (!(cfg->slots >= 1 && cfg->slots <= 1024))
		return "slots not in 1..1024";
	if (!sigma_poly_ok(prog))
		return "prog_sigma coefficients beyond +-262143 nS";
	if (relax_problem(cfg))
		return relax_problem(cfg);
	if (!(cfg->read_sigma_rel_ppm <= 200000))
		return "read_sigma_rel_ppm > 20 %";
	if (!(cfg->read_sigma_abs_ns <= 5000))
		return "read_sigma_abs_ns > 5000";
	if (!(cfg->drift_t0_s >= 1 && cfg->drift_t0_s <= 1000000))
		return "drift_t0_s not in 1..1e6";
	if (!(cfg->drift_nu_mu_min_ppm <= cfg->drift_nu_mu_max_ppm &&
	      cfg->drift_nu_mu_max_ppm <= 1000000 &&
	      cfg->drift_nu_sd_min_ppm <= cfg->drift_nu_sd_max_ppm &&
	      cfg->drift_nu_sd_max_ppm <= 1000000))
		return "drift nu bounds inverted or above 1";
	if (!(cfg->drift_nu_mu_slope_ppm >= -1000000 &&
	      cfg->drift_nu_mu_slope_ppm <= 1000000 &&
	      cfg->drift_nu_mu_icept_ppm >= -1000000 &&
	      cfg->drift_nu_mu_icept_ppm <= 1000000 &&
	      cfg->drift_nu_sd_slope_ppm >= -1000000 &&
	      cfg->drift_nu_sd_slope_ppm <= 1000000 &&
	      cfg->drift_nu_sd_icept_ppm >= -1000000 &&
	      cfg->drift_nu_sd_icept_ppm <= 1000000))
		return "drift nu slope or intercept beyond +-1";
	if (!(cfg->drift_scale_pct <= 1000))
		return "drift_scale_pct > 1000";
	if (!(cfg->set_step_ns <= 65535 && cfg->reset_step_ns <= 65535))
		return "pulse step above 65535 nS";
	if (!(cfg->set_vth_mv <= 10000 && cfg->set_vref_mv <= 10000 &&
	      cfg->reset_vth_mv <= 10000 && cfg->reset_vref_mv <= 10000))
		return "pulse voltages above 10 V";
	if (!(cfg->pulse_v_double_mv >= 1 && cfg->pulse_v_double_mv <= 10000))
		return "pulse_v_double_mv not in 1..10000";
	if (!(cfg->pulse_c2c_sigma_ppm <= 1000000 &&
	      cfg->d2d_sigma_ppm <= 1000000))
		return "variation sigma above 100 %";
	if (!((u64)cfg->stuck_gmin_ppm + cfg->stuck_gmax_ppm <= 1000000))
		return "stuck fractions add up above 1";
	if (!(cfg->read_v_mv <= 5000 && cfg->energy_dac_fj <= 100000000 &&
	      cfg->energy_adc_fj <= 100000000 &&
	      cfg->energy_dpu_mul_fj <= 100000000 &&
	      cfg->energy_dpu_add_fj <= 100000000))
		return "read_v_mv above 5 V or an energy above 100 nJ";
	if (!(cfg->t_mvm_ns <= 1000000000 && cfg->t_pulse_ns <= 1000000000 &&
	      cfg->t_cell_target_ns <= 1000000000 &&
	      cfg->t_uop_ns <= 1000000000))
		return "a time above 1 s";
	return NULL;
}

int aimc_model_config_check(const struct aimc_model_config *cfg,
			    const char **why)
{
	const char *problem = config_problem(cfg);

	if (why)
		*why = problem;
	return problem ? -AIMC_EINVAL : 0;
}

static void apply_noise_free(struct aimc_model_config *cfg)
{
	cfg->prog_sigma_c0_ns = 0;
	cfg->prog_sigma_c1_ns = 0;
	cfg->prog_sigma_c2_ns = 0;
	cfg->prog_sigma_c3_ns = 0;
	cfg->prog_sigma_c4_ns = 0;
	cfg->relax_t_s[0] = 0;
	cfg->read_sigma_rel_ppm = 0;
	cfg->read_sigma_abs_ns = 0;
	cfg->drift_scale_pct = 0;
	cfg->pulse_c2c_sigma_ppm = 0;
	cfg->d2d_sigma_ppm = 0;
	cfg->stuck_gmin_ppm = 0;
	cfg->stuck_gmax_ppm = 0;
}

static void derive(struct aimc_model *m)
{
	const struct aimc_model_config *c = &m->cfg;
	u32 rem, i;

	m->k.inv_gmax_q32 = aimc_div_u64_rem((u64)1 << 32, c->g_max_ns, &rem);
	m->k.read_rel_q32 = aimc_ppm_to_q32(c->read_sigma_rel_ppm);
	m->k.c2c_q32 = aimc_ppm_to_q32(c->pulse_c2c_sigma_ppm);
	m->k.drift_scale_q16 = aimc_div_u64_rem((u64)c->drift_scale_pct << 16,
						100, &rem);
	m->k.log2_t0_q16 = aimc_log2_q16(c->drift_t0_s);
	m->k.dac_max = (1 << (c->dac_bits - 1)) - 1;
	m->k.half_cols = c->cols / 2;
	m->lim.tiles = c->tiles;
	m->lim.rows = c->rows;
	m->lim.cols = c->cols;
	m->lim.slots = c->slots;
	m->k.sq_shift = 2ULL * c->g_max_ns * c->g_max_ns > 0xffffffffULL;
	m->k.avx2 = aimc_cpu_has_avx2();
	m->k.relax_on = c->relax_t_s[0] != 0;
	for (i = 0; i < AIMC_RELAX_POINTS; i++)
		m->k.relax_log2_t_q16[i] = aimc_log2_q16(c->relax_t_s[i]);
}

static void reset_volatile(struct aimc_model *m)
{
	size_t n = (size_t)m->cfg.tiles * m->k.half_cols, i;

	for (i = 0; i < n; i++) {
		m->calib[i].gain_q14 = AIMC_CALIB_GAIN_ONE;
		m->calib[i].offset = 0;
	}
	memset(m->slots, 0, m->cfg.slots * sizeof(*m->slots));
	memset(m->tile_drift_stamp, 0,
	       m->cfg.tiles * sizeof(*m->tile_drift_stamp));
	aimc_rng_seed(&m->rng, m->cfg.seed);
	m->clock_s = 0;
	m->clock_ns = 0;
}

void aimc_model_destroy(struct aimc_model *m)
{
	if (!m)
		return;
	aimc_free(m->cells);
	aimc_free(m->g_now);
	aimc_free(m->pairs);
	aimc_free(m->pair_sum);
	aimc_free(m->row_x);
	aimc_free(m->row_x2);
	aimc_free(m->row_off);
	aimc_free(m->row_sum);
	aimc_free(m->exec_row_sum);
	aimc_free(m->tile_drift_stamp);
	aimc_free(m->calib);
	aimc_free(m->slots);
	aimc_free(m->work);
	aimc_free(m->regs);
	aimc_free(m->col_acc);
	aimc_free(m->col_sq);
	aimc_free(m->col_lin);
	aimc_free(m->uops);
	aimc_free(m->prog);
	aimc_free(m->io_in);
	aimc_free(m->io_out);
	aimc_free(m);
}

struct aimc_model *aimc_model_create(const struct aimc_model_config *cfg,
				     const struct aimc_model_dma *dma)
{
	struct aimc_model *m;
	const char *why;
	size_t ncells;

	if (aimc_model_config_check(cfg, &why)) {
		aimc_log_err("bad config: %s\n", why);
		return NULL;
	}
	m = aimc_zalloc(sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	if (cfg->noise_free)
		apply_noise_free(&m->cfg);
	if (dma)
		m->dma = *dma;
	derive(m);
	ncells = (size_t)cfg->tiles * cfg->rows * cfg->cols;
	m->cells = aimc_zalloc(ncells * sizeof(*m->cells));
	m->g_now = aimc_zalloc(ncells * sizeof(*m->g_now));
	m->pairs = aimc_zalloc((ncells / 2 + AIMC_MVM_SLACK) * sizeof(*m->pairs));
	m->pair_sum = aimc_zalloc((ncells / 2 + AIMC_MVM_SLACK) *
				  sizeof(*m->pair_sum));
	m->tile_drift_stamp = aimc_zalloc(cfg->tiles * sizeof(u64));
	m->calib = aimc_zalloc((size_t)cfg->tiles * m->k.half_cols *
			       sizeof(*m->calib));
	m->slots = aimc_zalloc((size_t)cfg->slots * sizeof(*m->slots));
	m->work = aimc_zalloc(sizeof(*m->work));
	m->regs = aimc_zalloc(AIMC_DPU_NREGS * AIMC_DPU_VLEN * sizeof(s32));
	m->col_acc = aimc_zalloc((AIMC_DPU_VLEN + AIMC_MVM_SLACK) *
				 sizeof(*m->col_acc));
	m->col_sq = aimc_zalloc((AIMC_DPU_VLEN + AIMC_MVM_SLACK) *
				sizeof(*m->col_sq));
	m->col_lin = aimc_zalloc((AIMC_DPU_VLEN + AIMC_MVM_SLACK) *
				 sizeof(*m->col_lin));
	m->row_x = aimc_zalloc(AIMC_DPU_VLEN * sizeof(*m->row_x));
	m->row_x2 = aimc_zalloc(AIMC_DPU_VLEN * sizeof(*m->row_x2));
	m->row_off = aimc_zalloc(AIMC_DPU_VLEN * sizeof(*m->row_off));
	m->row_sum = aimc_zalloc(AIMC_DPU_VLEN * sizeof(*m->row_sum));
	m->exec_row_sum = aimc_zalloc((size_t)AIMC_DPU_MVM_SUMS * AIMC_DPU_VLEN *
				      sizeof(*m->exec_row_sum));
	m->uops = aimc_zalloc(AIMC_PROG_MAX_UOPS * sizeof(struct aimc_uop));
	m->prog = aimc_zalloc(AIMC_PROG_MAX_BYTES);
	m->io_in = aimc_zalloc(AIMC_IO_MAX_BYTES);
	m->io_out = aimc_zalloc(AIMC_IO_MAX_BYTES);
	if (!m->cells || !m->g_now || !m->pairs ||
	    !m->pair_sum ||
	    !m->row_x || !m->row_x2 || !m->row_off || !m->row_sum ||
	    !m->exec_row_sum ||
	    !m->tile_drift_stamp || !m->calib ||
	    !m->slots || !m->work || !m->regs || !m->col_acc ||
	    !m->col_sq || !m->col_lin ||
	    !m->uops || !m->prog || !m->io_in || !m->io_out) {
		aimc_model_destroy(m);
		return NULL;
	}
	aimc_xbar_manufacture(m);
	reset_volatile(m);
	return m;
}

void aimc_model_reset(struct aimc_model *m)
{
	reset_volatile(m);
	memset(&m->stats, 0, sizeof(m->stats));
}

void aimc_model_set_dma(struct aimc_model *m,
			const struct aimc_model_dma *dma)
{
	m->dma = *dma;
}

void aimc_model_advance_clock(struct aimc_model *m, u64 ns)
{
	u32 rem;
	u64 secs = aimc_div_u64_rem(ns, NS_PER_S, &rem);

	m->clock_s += secs;
	m->clock_ns += rem;
	if (m->clock_ns >= NS_PER_S) {
		m->clock_ns -= NS_PER_S;
		m->clock_s++;
	}
}

u64 aimc_model_clock_s(const struct aimc_model *m)
{
	return m->clock_s;
}

u32 aimc_model_cap(const struct aimc_model *m, u32 reg)
{
	const struct aimc_model_config *c = &m->cfg;

	switch (reg) {
	case AIMC_REG_CAP_TILES:
		return c->tiles;
	case AIMC_REG_CAP_GEOMETRY:
		return FIELD_PREP(AIMC_GEOMETRY_ROWS, c->rows) |
		       FIELD_PREP(AIMC_GEOMETRY_COLS, c->cols);
	case AIMC_REG_CAP_CONVERTERS:
		return FIELD_PREP(AIMC_CONVERTERS_DAC_BITS, c->dac_bits) |
		       FIELD_PREP(AIMC_CONVERTERS_ADC_BITS, c->adc_bits);
	case AIMC_REG_CAP_G_MIN_NS:
		return c->g_min_ns;
	case AIMC_REG_CAP_G_MAX_NS:
		return c->g_max_ns;
	case AIMC_REG_CAP_SRAM_KIB:
		return (u32)((AIMC_DPU_NREGS * AIMC_DPU_VLEN * 4 +
			      AIMC_PROG_MAX_BYTES + 2 * AIMC_IO_MAX_BYTES +
			      (u64)c->slots * AIMC_STATE_IMAGE_BYTES) >> 10);
	case AIMC_REG_CAP_STREAM_SLOTS:
		return c->slots;
	default:
		return 0;
	}
}

const struct aimc_model_config *aimc_model_config(const struct aimc_model *m)
{
	return &m->cfg;
}

const struct aimc_model_stats *aimc_model_stats(const struct aimc_model *m)
{
	return &m->stats;
}

static u64 mix(u64 h, u64 v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

u64 aimc_model_digest(const struct aimc_model *m)
{
	size_t ncells = (size_t)m->cfg.tiles * m->cfg.rows * m->cfg.cols;
	size_t ncal = (size_t)m->cfg.tiles * m->k.half_cols, i, j;
	u64 h = 0xcbf29ce484222325ULL;

	/* g_now is a cache of g_prog and the clock: not state of its own */
	for (i = 0; i < ncells; i++) {
		const struct aimc_cell *c = &m->cells[i];

		h = mix(h, c->g_prog | ((u64)c->nu_q16 << 16) |
			((u64)c->gain_set << 32) | ((u64)c->gain_reset << 40));
		h = mix(h, c->t_prog_s | ((u64)(u16)c->relax_z << 32));
	}
	for (i = 0; i < ncal; i++)
		h = mix(h, m->calib[i].gain_q14 |
			((u64)(u16)m->calib[i].offset << 16));
	for (i = 0; i < m->cfg.slots; i++) {
		const struct aimc_slot *s = &m->slots[i];

		for (j = 0; j < AIMC_SLOT_STATE_WORDS; j++)
			h = mix(h, (u32)s->words[j]);
		for (j = 0; j < AIMC_POOL_LEN; j++)
			h = mix(h, (u64)s->pool[j]);
		h = mix(h, s->pool_count);
	}
	for (i = 0; i < 4; i++)
		h = mix(h, m->rng.s[i]);
	h = mix(h, m->clock_s);
	return mix(h, m->clock_ns);
}

int aimc_model_stick_cell(struct aimc_model *m, u32 tile, u32 row, u32 col,
			  bool at_gmax)
{
	struct aimc_cell *c;
	size_t idx;

	if (tile >= m->cfg.tiles || row >= m->cfg.rows || col >= m->cfg.cols)
		return -AIMC_EINVAL;
	idx = aimc_cell_index(m, tile, row, col);
	c = &m->cells[idx];
	c->gain_set = 0;
	c->gain_reset = 0;
	c->g_prog = (u16)(at_gmax ? m->cfg.g_max_ns : m->cfg.g_min_ns);
	aimc_xbar_set_g_now(m, idx, c->g_prog);
	c->nu_q16 = 0;
	c->relax_z = 0;
	return 0;
}

int aimc_model_peek_cell(const struct aimc_model *m, u32 tile, u32 row,
			 u32 col, u32 *g_prog_ns, u32 *g_now_ns)
{
	size_t idx;

	if (tile >= m->cfg.tiles || row >= m->cfg.rows || col >= m->cfg.cols)
		return -AIMC_EINVAL;
	idx = aimc_cell_index(m, tile, row, col);
	if (g_prog_ns)
		*g_prog_ns = m->cells[idx].g_prog;
	if (g_now_ns)
		*g_now_ns = m->g_now[idx];
	return 0;
}

const struct aimc_hw_limits *aimc_model_limits(const struct aimc_model *m)
{
	return &m->lim;
}
