/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The device object's layout, shared by the model's own sources only.
 */
#ifndef AIMC_MODEL_PRIV_H
#define AIMC_MODEL_PRIV_H

#include "aimc_model.h"
#include "aimc_rng.h"

#define AIMC_EINVAL	22

/*
 * One crossbar cell, 12 bytes, plus its drifted conductance (2 bytes) in
 * a separate array that MVMs stream through.  A stuck cell is one whose
 * switching gains are both zero: programming leaves it where it is.
 */
struct aimc_cell {
	u32 t_prog_s;		/* virtual clock second of last programming */
	u16 g_prog;		/* conductance right after programming, nS */
	u16 nu_q16;		/* drift exponent */
	u8 gain_set;		/* device-to-device SET gain, Q7 */
	u8 gain_reset;		/* device-to-device RESET gain, Q7 */
	s16 relax_z;		/* relaxation deviate drawn at programming, Q12 */
};

#define AIMC_GAIN_ONE	128

/* What an MVM reads of one differential pair (one stream for its loop). */
struct aimc_pair {
	s32 diff;		/* G+ - G- */
	u32 sq;			/* (G+^2 + G-^2) >> k.sq_shift */
};

/* Block of the MVM loops; arrays they run over have this many spare entries. */
#define AIMC_MVM_BLOCK	4
/* MVM micro-ops of a program whose row sums an EXEC computes once */
#define AIMC_DPU_MVM_SUMS	16
#define AIMC_MVM_SLACK	8

struct aimc_slot {
	s32 words[AIMC_SLOT_STATE_WORDS];
	s64 pool[AIMC_POOL_LEN];
	u32 pool_count;
};

/* Derived constants, fixed at creation */
struct aimc_derived {
	u64 inv_gmax_q32;	/* 2^32 / g_max */
	u64 read_rel_q32;
	u64 c2c_q32;
	u64 drift_scale_q16;
	s32 log2_t0_q16;
	s32 dac_max;
	u32 half_cols;
	u32 sq_shift;		/* 1 if 2 g_max^2 does not fit u32, else 0 */
	bool avx2;		/* the MAC loop may use AVX2 */
	bool relax_on;
	s32 relax_log2_t_q16[AIMC_RELAX_POINTS];
};

struct aimc_model {
	struct aimc_model_config cfg;	/* effective (noise_free applied) */
	struct aimc_derived k;
	struct aimc_hw_limits lim;	/* cfg's geometry, for the validator */
	struct aimc_model_dma dma;
	struct aimc_model_stats stats;

	struct aimc_rng rng;		/* operational noise */
	u64 clock_s;
	u32 clock_ns;

	struct aimc_cell *cells;	/* [tile][row][col] */
	u16 *g_now;			/* [tile][row][col], drift cache, nS */
	/*
	 * What MVMs read, per differential pair, kept equal to g_now by
	 * aimc_xbar_set_g_now(): G+ - G-, G+ + G- (read energy, and the
	 * read-noise term in abs), and (G+^2 + G-^2) >> k.sq_shift
	 * (the pair's read-noise variance is rel^2 times that, plus terms
	 * in abs).  AIMC_MVM_SLACK spare entries at the end: the MAC loop
	 * runs in blocks of AIMC_MVM_BLOCK pairs.
	 */
	struct aimc_pair *pairs;	/* [tile][row][col / 2] */
	u32 *pair_sum;			/* [tile][row][col / 2] G+ + G- */
	u64 *tile_drift_stamp;		/* clock_s + 1 of g_now, 0 = stale */
	struct aimc_calib_rec *calib;	/* [tile][col / 2] */
	struct aimc_slot *slots;

	/* scratch, never part of the state */
	struct aimc_slot *work;
	s32 *regs;			/* [AIMC_DPU_NREGS][AIMC_DPU_VLEN] */
	s32 *col_acc;			/* [AIMC_DPU_VLEN + AIMC_MVM_SLACK] */
	u64 *col_sq;			/* [VLEN + SLACK] sum x^2 pair_sq */
	u64 *col_lin;			/* [VLEN + SLACK] sum x^2 (G+ + G-) */
	s32 *row_x;			/* [AIMC_DPU_VLEN] an MVM's non-zero inputs */
	u32 *row_x2;			/* [AIMC_DPU_VLEN] their squares */
	u32 *row_off;			/* [AIMC_DPU_VLEN] and their rows' offsets */
	u32 *row_sum;			/* [AIMC_DPU_VLEN] window sums of G+ + G- */
	u32 *exec_row_sum;		/* [AIMC_DPU_MVM_SUMS][VLEN], per EXEC */
	struct aimc_uop *uops;		/* [AIMC_PROG_MAX_UOPS] */
	u8 *prog;			/* AIMC_PROG_MAX_BYTES */
	u8 *io_in;			/* AIMC_IO_MAX_BYTES */
	u8 *io_out;			/* AIMC_IO_MAX_BYTES */
};

static inline size_t aimc_cell_index(const struct aimc_model *m, u32 tile,
				     u32 row, u32 col)
{
	return ((size_t)tile * m->cfg.rows + row) * m->cfg.cols + col;
}

/*
 * Energy of a voltage across a conductance for a time, femtojoules:
 * (mV)^2 nS ns = 1e-24 J = 1e-9 fJ.  Without overflow for v <= 5 V,
 * g <= 65535 nS and g t <= 2^64 / 25000.
 */
static inline u64 aimc_energy_vgt_fj(u32 v_mv, u64 g_ns, u64 t_ns)
{
	u32 rem;

	return aimc_div_u64_rem((u64)v_mv * v_mv / 1000 * g_ns * t_ns,
				1000000, &rem);
}

/* ppm (1e-6) to a Q32 fraction: 2^32 / 1e6 = 281474977 / 2^16 */
static inline u64 aimc_ppm_to_q32(u32 ppm)
{
	return ((u64)ppm * 281474977ULL) >> 16;
}

#endif /* AIMC_MODEL_PRIV_H */
