/* SPDX-License-Identifier: MIT */
/*
 * libaimc: putting an aimc-ssm model file on a card (issue 5): load it,
 * place its crossbars on tiles and program the cells with write-verify.
 * Included by aimc.h; the same conventions (opaque handles, negative
 * errno results, aimc_last_error()).
 */
#ifndef AIMC_DEPLOY_H
#define AIMC_DEPLOY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aimc_device;
struct aimc_network;
struct aimc_deployment;

/**
 * aimc_network_load() - load and check a model file
 *
 * runtime/docs/model-format.md.  -ENOENT/-EACCES (open), -EINVAL
 * (malformed: the message names the file, the tensor and the reason),
 * -EPROTONOSUPPORT (unknown format version), -EOVERFLOW, -ENOMEM.
 */
int aimc_network_load(const char *path, struct aimc_network **out);

/** aimc_network_free() - NULL is ignored; free deployments first */
void aimc_network_free(struct aimc_network *net);

/** Write-verify parameters; aimc_program_params_init() sets defaults. */
struct aimc_program_params {
	uint32_t tolerance_ns;		/* band around each target (500) */
	uint32_t max_iterations;	/* PROGRAM+READ rounds per tile (40) */
	uint32_t max_pulses_per_cell;	/* pulse budget of one cell (1500) */
	uint32_t max_pulses_per_round;	/* most pulses one record asks (31) */
	uint32_t flags;			/* AIMC_PROGRAM_* */
	uint32_t reserved[3];		/* must be zero */
};

/* Only the open-loop AIMC_PROG_TARGET programming, no verify rounds */
#define AIMC_PROGRAM_OPEN_LOOP		0x1u
/* Fixed-amplitude, one-pulse-per-round program-and-verify (baseline) */
#define AIMC_PROGRAM_NAIVE		0x2u
/* No open-loop first guess: start from the cells' present state */
#define AIMC_PROGRAM_NO_TARGET_STEP	0x4u
/* Do not retarget the partner of a stuck cell */
#define AIMC_PROGRAM_NO_COMPENSATION	0x8u

void aimc_program_params_init(struct aimc_program_params *p);

/** Where programming stands, for a progress display. */
struct aimc_deploy_progress {
	uint32_t tile_index;	/* 0-based, of tiles */
	uint32_t tiles;
	uint32_t iteration;	/* within the tile */
	uint64_t cells_done;	/* in band, stuck or given up, all tiles */
	uint64_t cells_total;
};

typedef void (*aimc_deploy_progress_fn)(const struct aimc_deploy_progress *p,
					void *ctx);

/** What programming achieved (final READ of every cell). */
struct aimc_deploy_stats {
	uint32_t tiles_used;
	uint32_t iterations;		/* most rounds any tile needed */
	uint64_t cells_used;		/* 2 per weight */
	uint64_t cells_in_tolerance;	/* of the cells not stuck */
	uint64_t stuck_cells;		/* detected: did not respond */
	uint64_t compensated_pairs;	/* partner retargeted, pair in band */
	uint64_t failed_cells;		/* out of band, not compensated */
	uint64_t pulses;		/* SET + RESET pulses asked */
	uint64_t target_programs;	/* open-loop cell programmings */
	uint64_t jobs;
	double pulses_per_cell;		/* pulses / cells programmed */
	double in_tolerance_pct;	/* of non-stuck cells */
	double err_mean_ns;		/* |read - target|, non-stuck cells */
	double err_rms_ns;
	double err_p99_ns;
	double err_max_ns;
	double pair_err_mean_ns;	/* |(G+ - G-) - w unit|, pairs with a */
	double pair_err_max_ns;		/* stuck cell */
	uint64_t pairs_with_stuck;
};

/**
 * aimc_deploy() - map a loaded network onto @dev and program it
 *
 * Reserves the tiles it needs, programs every weight with write-verify
 * (@params NULL: defaults), sets each column's ADC gain, and reports
 * @progress after every round.  The same code runs on the sim and drm
 * backends.  -ENOSPC (does not fit; the message says how many tiles it
 * needs), -EBUSY (tiles taken by another process), -EINVAL (a float
 * model, bad params), -EIO (a command failed on the card), -ENOMEM.
 */
int aimc_deploy(struct aimc_device *dev, struct aimc_network *net,
		const struct aimc_program_params *params,
		aimc_deploy_progress_fn progress, void *ctx,
		struct aimc_deployment **out);

/** aimc_deployment_stats() - figures of the last programming or refresh */
int aimc_deployment_stats(const struct aimc_deployment *d,
			  struct aimc_deploy_stats *stats);

/**
 * aimc_deployment_refresh() - re-read every cell, re-verify the drifted
 *
 * Cells that drifted out of band get write-verify rounds again; the
 * statistics then describe this refresh.
 */
int aimc_deployment_refresh(struct aimc_deployment *d,
			    aimc_deploy_progress_fn progress, void *ctx);

/** aimc_deployment_free() - release the tiles; NULL is ignored */
void aimc_deployment_free(struct aimc_deployment *d);

#ifdef __cplusplus
}
#endif

#endif /* AIMC_DEPLOY_H */
