/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Digital unit: runs an EXEC program of fixed-size micro-ops once per time
 * step over vector registers of s32 elements.  A program is checked in
 * full before its first step, so execution itself cannot fail.
 */
#ifndef AIMC_DPU_H
#define AIMC_DPU_H

#include "aimc_model_priv.h"

extern const s16 aimc_lut_gelu[256];
extern const s16 aimc_lut_sigmoid[256];

/*
 * Decode and check the program image in m->prog (@len bytes) against the
 * descriptor; fills m->uops.  Returns an enum aimc_status; on
 * AIMC_ST_BAD_UOP m->stats.last_bad_uop names the micro-op.
 */
u32 aimc_dpu_load(struct aimc_model *m, const struct aimc_desc *d, u32 len,
		  u32 *n_uops);

/*
 * Run the loaded program for d->steps steps on stream state @slot, reading
 * m->io_in and writing m->io_out.  Returns the virtual time used, ns.
 */
u64 aimc_dpu_run(struct aimc_model *m, const struct aimc_desc *d,
		 u32 n_uops, struct aimc_slot *slot);

#endif /* AIMC_DPU_H */
