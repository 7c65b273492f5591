/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Crossbar cells: manufacture (variation, stuck cells), programming by
 * target or by pulses, reads with noise, drift with the virtual clock.
 * Conductances are u16 in nS and always stay inside [g_min, g_max] except
 * for read results, which carry noise and saturate at [0, 65535].
 */
#ifndef AIMC_XBAR_H
#define AIMC_XBAR_H

#include "aimc_model_priv.h"

void aimc_xbar_manufacture(struct aimc_model *m);

/* Set cell @idx's drifted conductance and what MVMs derive from it. */
static inline void aimc_xbar_set_g_now(struct aimc_model *m, size_t idx,
				       u16 g)
{
	size_t even = idx & ~(size_t)1;
	u32 gp, gn;

	m->g_now[idx] = g;
	gp = m->g_now[even];
	gn = m->g_now[even + 1];
	m->pairs[idx >> 1].diff = (s32)gp - (s32)gn;
	m->pair_sum[idx >> 1] = gp + gn;
	m->pairs[idx >> 1].sq = (u32)(((u64)gp * gp + (u64)gn * gn) >>
				     m->k.sq_shift);
}

/* Open-loop programming of cell @idx towards @target_ns (in range). */
void aimc_xbar_program_target(struct aimc_model *m, size_t idx,
			      u32 target_ns);

/* @count pulses (+ SET, - RESET) of amplitude @amp_10mv on cell @idx. */
void aimc_xbar_program_pulses(struct aimc_model *m, size_t idx, s32 count,
			      u32 amp_10mv);

/* Bring every cell's g_now of @tile up to the current clock second. */
void aimc_xbar_refresh_drift(struct aimc_model *m, u32 tile);

/* Read sigma of a cell at @g_ns, in nS Q4 (1/16 nS). */
u32 aimc_xbar_read_sigma_q4(const struct aimc_model *m, u32 g_ns);

/* One noisy read of cell @idx of a refreshed tile, nS. */
u16 aimc_xbar_read(struct aimc_model *m, size_t idx);

/* Open-loop programming sigma at @g_ns, nS. */
u32 aimc_xbar_prog_sigma_ns(const struct aimc_model *m, u32 g_ns);

#endif /* AIMC_XBAR_H */
