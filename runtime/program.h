/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: write-verify programming of one tile window through
 * the job layer (program.c).  deploy.c fills the targets from the
 * mapping; tools/aimc-wv-compare.c drives it on raw cells.
 */
#ifndef AIMC_PROGRAM_H
#define AIMC_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "aimc.h"
#include "aimc_hw_cmd.h"

#define AIMC_WV_UNUSED	UINT16_MAX	/* target of a cell no weight uses */

/* READs of the window per round, averaged (program.c, step 5) */
#define AIMC_WV_READS	4
/* The buffer a run needs: pulse records, then each READ's window. */
#define AIMC_WV_BO_BYTES	((1 + AIMC_WV_READS) * AIMC_IO_MAX_BYTES)

/*
 * One tile's cells: window [0, rows) x [0, cols) from its corner.  Pairs
 * are the even/odd columns (G+, G-); want_diff is G+ - G- per pair as
 * the weights ask, kept for compensation.
 */
struct aimc_wv_tile {
	uint32_t tile;
	uint32_t rows, cols;
	uint32_t tol_nsiemens;	/* the tile's band; 0: the run's tolerance */
	uint16_t *target;	/* rows * cols; AIMC_WV_UNUSED if unused */
	int32_t *want_diff;	/* rows * cols / 2 */
	/* state between programming and refresh */
	uint16_t *read;		/* last READ */
	uint8_t *status;	/* enum in program.c */
	float *k_up, *k_down;	/* learnt nS per SET / RESET pulse */
	uint8_t *amp_up, *amp_down;	/* 10 mV units */
	uint16_t *pulses;
	uint8_t *still;		/* rounds without a response */
};

int aimc_wv_tile_init(struct aimc_wv_tile *t, uint32_t tile, uint32_t rows,
		      uint32_t cols);
void aimc_wv_tile_free(struct aimc_wv_tile *t);

struct aimc_wv_run {
	struct aimc_device *dev;
	uint32_t bo;		/* >= AIMC_WV_BO_BYTES */
	uint8_t *map;
	uint32_t g_min, g_max;
	struct aimc_program_params params;
	aimc_program_progress_fn progress;
	void *ctx;
	struct aimc_program_progress at;
	struct aimc_program_stats *stats;
};

/*
 * Program (or with @refresh, re-read and re-verify) one tile; adds to
 * run->stats (counters and how the tile stopped; aimc_wv_finish()
 * computes the errors).  -ECANCELED if the progress callback asked to
 * stop.
 */
int aimc_wv_program(struct aimc_wv_run *run, struct aimc_wv_tile *t,
		    int refresh);

/* Was cell @i of @t found stuck? */
int aimc_wv_cell_stuck(const struct aimc_wv_tile *t, size_t i);

/* Error figures over @n tiles from their last READ, into run->stats. */
int aimc_wv_finish(struct aimc_wv_run *run, struct aimc_wv_tile *tiles,
		   uint32_t n);

#endif /* AIMC_PROGRAM_H */
