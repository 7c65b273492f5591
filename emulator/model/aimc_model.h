/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * AIMC-1 device model: public interface.  One struct aimc_model is one card:
 * crossbar tiles, converters, digital unit, stream slots and a virtual
 * clock.  The model never touches host memory itself; commands reach it
 * through the DMA callbacks given at creation.  Not thread-safe: callers
 * serialise calls on one model (the card processes one command at a time).
 */
#ifndef AIMC_MODEL_H
#define AIMC_MODEL_H

#include "aimc_platform.h"
#include "aimc_hw_check.h"
#include "aimc_hw_regs.h"

#define AIMC_RELAX_POINTS	3

/*
 * Tunables.  aimc_model_config_defaults() fills the documented defaults
 * (emulator/README.md, "Physics parameters"); ppm = parts per million.
 */
struct aimc_model_config {
	u64 seed;			/* manufacture and noise streams */
	bool noise_free;		/* exact cells: see README */

	/* geometry and converters */
	u32 tiles;
	u32 rows;
	u32 cols;			/* physical columns, even */
	u32 dac_bits;			/* 2..8, signed inputs */
	u32 adc_bits;			/* 2..16, signed outputs */
	u32 g_min_ns;
	u32 g_max_ns;			/* <= 65535 */
	u32 slots;			/* stream slots */

	u32 preset;			/* aimc_model_preset_name(preset) */

	/* open-loop programming sigma: c0 + c1 x + ... + c4 x^4, x = g / g_max */
	s32 prog_sigma_c0_ns;
	s32 prog_sigma_c1_ns;
	s32 prog_sigma_c2_ns;
	s32 prog_sigma_c3_ns;
	s32 prog_sigma_c4_ns;

	/* read noise sigma: rel * g + abs */
	u32 read_sigma_rel_ppm;
	u32 read_sigma_abs_ns;

	/* drift g(t) = g_prog ((t + t0) / t0)^-nu, nu ~ |N(mu(g), sd(g))| */
	u32 drift_t0_s;
	s32 drift_nu_mu_slope_ppm;	/* per unit of ln(g / g_max) */
	s32 drift_nu_mu_icept_ppm;
	u32 drift_nu_mu_min_ppm;
	u32 drift_nu_mu_max_ppm;
	s32 drift_nu_sd_slope_ppm;
	s32 drift_nu_sd_icept_ppm;
	u32 drift_nu_sd_min_ppm;
	u32 drift_nu_sd_max_ppm;
	u32 drift_scale_pct;		/* 0 disables drift */

	/*
	 * Relaxation (RRAM): a programmed cell's deviation from its verified
	 * value grows as z sigma(g, t), z ~ N(0, 1) drawn at programming;
	 * sigma^2 is interpolated in ln t between the quartics
	 * relax_sigma_ns[k] (in x = g / g_max) at relax_t_s[k], 0 before
	 * relax_t_s[0] and held after relax_t_s[2].  relax_t_s[0] = 0: off.
	 */
	u32 relax_t_s[AIMC_RELAX_POINTS];
	s32 relax_sigma_ns[AIMC_RELAX_POINTS][5];

	/* pulse programming (AIMC_PROG_PULSE) */
	u32 set_step_ns;		/* mean SET step at vref, mid-range */
	u32 reset_step_ns;
	u32 set_vth_mv;			/* no switching below threshold */
	u32 set_vref_mv;
	u32 reset_vth_mv;
	u32 reset_vref_mv;
	u32 pulse_v_double_mv;		/* step doubles per this many mV */
	u32 pulse_c2c_sigma_ppm;	/* cycle-to-cycle, relative */
	u32 d2d_sigma_ppm;		/* device-to-device step gain */

	/* faults fixed at manufacture */
	u32 stuck_gmin_ppm;
	u32 stuck_gmax_ppm;

	/* virtual time charged per operation */
	u32 t_pulse_ns;
	u32 t_cell_target_ns;		/* one open-loop target programming */
	u32 t_mvm_ns;			/* one crossbar MVM or row read */
	u32 t_uop_ns;			/* one digital micro-op */

	/* energy (emulator/README.md, "Energy"), femtojoules */
	u32 read_v_mv;			/* read bias of a crossbar row */
	u32 energy_dac_fj;		/* one input conversion */
	u32 energy_adc_fj;		/* one output conversion */
	u32 energy_dpu_mul_fj;		/* one digital-unit multiply */
	u32 energy_dpu_add_fj;		/* one digital-unit add */
};

/* Where the energy goes: struct aimc_model_stats' energy_fj[] */
enum aimc_energy_kind {
	AIMC_ENERGY_DAC,		/* input conversions */
	AIMC_ENERGY_XBAR,		/* cells read (MVM and READ) */
	AIMC_ENERGY_ADC,		/* output conversions */
	AIMC_ENERGY_DPU,		/* digital-unit arithmetic */
	AIMC_ENERGY_PROGRAM,		/* programming pulses */
	AIMC_ENERGY_KINDS,
};

/*
 * Host memory access.  Return 0 on success, anything else is a DMA fault
 * (the command then fails with AIMC_ST_DMA_FAULT and changes nothing).
 */
struct aimc_model_dma {
	int (*read)(void *ctx, u64 addr, void *dst, u32 len);
	int (*write)(void *ctx, u64 addr, const void *src, u32 len);
	void *ctx;
};

/* Telemetry: not architectural state, not covered by the digest. */
struct aimc_model_stats {
	u64 commands;
	u64 errors;
	u64 pulses;
	u64 cells_programmed;
	u64 mvms;
	u64 adc_clips;
	u64 busy_ns;			/* modelled time */
	u64 dac_conversions;
	u64 adc_conversions;
	u64 dpu_muls;
	u64 dpu_adds;
	u64 energy_fj[AIMC_ENERGY_KINDS];
	u32 last_status;
	u32 last_bad_uop;		/* index of the rejected micro-op */
	u64 fault_addr;			/* last failing DMA address */
};

struct aimc_model;

void aimc_model_config_defaults(struct aimc_model_config *cfg);
/*
 * Device presets (aimc_presets.def): the physics, timing and energy of a
 * cell technology.  aimc_model_config_defaults() applies preset 0.
 * Returns 0, or -EINVAL-style for an unknown name (cfg unchanged).
 */
int aimc_model_config_preset(struct aimc_model_config *cfg, const char *name);
/* Name of preset @index, NULL past the last. */
const char *aimc_model_preset_name(u32 index);
/* Total energy in femtojoules (the sum of stats->energy_fj[]). */
u64 aimc_model_energy_fj(const struct aimc_model_stats *stats);
/* 0 if usable, else -EINVAL-style negative with a reason in *why */
int aimc_model_config_check(const struct aimc_model_config *cfg,
			    const char **why);

struct aimc_model *aimc_model_create(const struct aimc_model_config *cfg,
				     const struct aimc_model_dma *dma);
void aimc_model_destroy(struct aimc_model *m);
/* Power-on reset: slots, calibration, clock; cells are non-volatile. */
void aimc_model_reset(struct aimc_model *m);
void aimc_model_set_dma(struct aimc_model *m,
			const struct aimc_model_dma *dma);

/* Descriptor wire format (little-endian, AIMC_DESC_BYTES) */
void aimc_desc_decode(const void *raw, struct aimc_desc *d);
void aimc_desc_encode(const struct aimc_desc *d, void *raw);

/* The card's size, as the shared validator (aimc_hw_check.h) takes it. */
const struct aimc_hw_limits *aimc_model_limits(const struct aimc_model *m);

/* Run one command; returns enum aimc_status. */
u32 aimc_model_submit(struct aimc_model *m, const void *raw_desc);
u32 aimc_model_execute(struct aimc_model *m, const struct aimc_desc *d);

void aimc_model_advance_clock(struct aimc_model *m, u64 ns);
u64 aimc_model_clock_s(const struct aimc_model *m);

/* Value of a capability register (AIMC_REG_CAP_*), 0 for others. */
u32 aimc_model_cap(const struct aimc_model *m, u32 reg);
const struct aimc_model_config *aimc_model_config(const struct aimc_model *m);
const struct aimc_model_stats *aimc_model_stats(const struct aimc_model *m);

/* 64-bit hash of all architectural state (cells, calibration, slots,
 * clock, noise generator): equal digests mean equal devices.
 */
u64 aimc_model_digest(const struct aimc_model *m);

/* Fault knob: stick one cell at g_min or g_max.  0 or -EINVAL-style. */
int aimc_model_stick_cell(struct aimc_model *m, u32 tile, u32 row, u32 col,
			  bool at_gmax);

/* Host-side noise-free peek at a cell's programmed conductance, nS. */
int aimc_model_peek_cell(const struct aimc_model *m, u32 tile, u32 row,
			 u32 col, u32 *g_prog_ns, u32 *g_now_ns);

/*
 * PROGRAM/READ/EXEC round trip on a private noise-free device: 0, or -5
 * (-EIO) if a result is wrong, -12 (-ENOMEM).  For a debugfs self-test.
 */
int aimc_model_selftest(void);

#endif /* AIMC_MODEL_H */
