/* SPDX-License-Identifier: MIT */
/*
 * libaimc: a model on a card (struct aimc_net).  aimc_net_open() loads an
 * aimc-ssm model file (runtime/docs/model-format.md), places its
 * crossbars on tiles of the device (pruning-aware, splitting and packing),
 * and compiles the card programs; aimc_net_program() writes the weights
 * into the cells with write-verify and calibrates the converters.  Streams
 * (aimc_stream.h) then run it.  Included by aimc.h; the same conventions
 * (opaque handles, negative errno results, aimc_last_error()).
 */
#ifndef AIMC_NET_H
#define AIMC_NET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aimc_device;
struct aimc_net;

struct aimc_net_info {
	uint32_t d_input;	/* values per input sample */
	uint32_t d_output;	/* values per step output (hidden channels) */
	uint32_t n_classes;	/* logits at the end of a sequence */
	uint32_t n_layers;
	uint32_t slots_per_stream;	/* card stream slots one stream holds */
	uint32_t segments;	/* EXEC commands per chunk */
	uint32_t mvms_per_step;
	uint32_t tiles;		/* tiles the model occupies */
	uint32_t cells;		/* programmed cells (two per weight) */
	uint32_t max_chunk;	/* largest chunk, steps */
	uint32_t programmed;	/* 1 once aimc_net_program() succeeded */
	uint32_t crossbars;	/* encoder, one mix per layer, decoder */
	uint32_t reserved[4];
};

/* aimc_net_open(): load, place and compile only; program later */
#define AIMC_NET_NO_PROGRAM	0x1u

/**
 * aimc_net_open() - load a model file and put it on a device
 *
 * Loads @path, reserves the tiles its crossbars need, compiles the card
 * programs and, unless @flags has AIMC_NET_NO_PROGRAM, programs the cells
 * with the default write-verify parameters.  Returns 0 or a negative
 * errno: -ENOENT/-EACCES (open), -EINVAL (a malformed file: the message
 * names the file, the tensor and the reason; a float model; converter
 * widths the card does not have; unknown flags), -EPROTONOSUPPORT
 * (unknown format version), -EOVERFLOW, -E2BIG (past a compiler or card
 * limit), -ENOSPC (the model does not fit the card: the message says how
 * many tiles it needs), -EBUSY (enough tiles, but other processes hold
 * them), -EIO (a command failed on the card), -ENOMEM.
 */
int aimc_net_open(struct aimc_device *dev, const char *path, uint32_t flags,
		  struct aimc_net **out);

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
struct aimc_program_progress {
	uint32_t tile_index;	/* 0-based, of tiles */
	uint32_t tiles;
	uint32_t iteration;	/* within the tile */
	uint64_t cells_done;	/* in band, stuck or given up, all tiles */
	uint64_t cells_total;
};

typedef void (*aimc_program_progress_fn)(const struct aimc_program_progress *p,
					 void *ctx);

/** What programming achieved (final READ of every cell). */
struct aimc_program_stats {
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
 * aimc_net_program() - write the weights into the cells with write-verify
 *
 * Programs every cell of the net's tiles (@params NULL: defaults), sets
 * each column's ADC gain, and reports @progress (may be NULL) after every
 * round.  The same code runs on the sim and drm backends.  Programming
 * again starts over.  -EINVAL (bad params: a reserved field, an unknown
 * flag, a zero or too large budget), -EIO (a command failed on the
 * card), -ENOMEM.
 */
int aimc_net_program(struct aimc_net *net,
		     const struct aimc_program_params *params,
		     aimc_program_progress_fn progress, void *ctx);

/**
 * aimc_net_program_stats() - figures of the last programming or refresh
 *
 * -ENOEXEC if the net was never programmed.
 */
int aimc_net_program_stats(const struct aimc_net *net,
			   struct aimc_program_stats *stats);

/**
 * aimc_net_refresh() - re-read every cell, re-verify the drifted
 *
 * Cells that drifted out of band get write-verify rounds again (the
 * parameters of the last aimc_net_program()); the statistics then
 * describe this refresh.  -ENOEXEC if the net was never programmed.
 */
int aimc_net_refresh(struct aimc_net *net, aimc_program_progress_fn progress,
		     void *ctx);

int aimc_net_info(const struct aimc_net *net, struct aimc_net_info *info);

/**
 * aimc_net_close() - release tiles, buffers and every stream of @net
 *
 * Streams of the net become invalid handles.  NULL is ignored.
 */
void aimc_net_close(struct aimc_net *net);

#ifdef __cplusplus
}
#endif

#endif /* AIMC_NET_H */
