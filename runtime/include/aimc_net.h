/* SPDX-License-Identifier: MIT */
/*
 * libaimc: a model on a card (struct aimc_net).  aimc_net_open() loads an
 * aimc-ssm model file (runtime/docs/model-format.md), places its
 * crossbars on tiles of the device (pruning-aware, splitting and packing),
 * and compiles the card programs; aimc_net_program() writes the weights
 * into the cells with write-verify and calibrates the converters.  Streams
 * (aimc_stream.h) then run it.  Included by aimc.h; the same conventions
 * (opaque handles, negative errno results, aimc_last_error(), sizes of
 * output structs).
 */
#ifndef AIMC_NET_H
#define AIMC_NET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aimc_device;
struct aimc_net;

/* What a model file holds, without a device (aimc_model_info()). */
struct aimc_model_info {
	uint32_t d_input;	/* values per input sample */
	uint32_t d_output;	/* values per step output (hidden channels) */
	uint32_t n_classes;	/* logits at the end of a sequence */
	uint32_t n_layers;
	uint32_t crossbars;	/* encoder, one mix per layer, decoder */
	uint32_t weights;	/* crossbar weights (two cells each) */
	uint32_t weight_bits;	/* 2 for ternary; 0: a float model */
	uint32_t max_chunk;	/* largest submission, steps */
};

/*
 * aimc_model_info() - read a model file's shape without a device
 *
 * For checking inputs before a card is touched.  Errors as the loading
 * part of aimc_net_open(); a float model is described (weight_bits 0)
 * although no card can run it.
 */
int aimc_model_info(const char *path, struct aimc_model_info *info,
		    size_t info_size);

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
	uint32_t refresh_due;	/* 1: age_ns is past the refresh policy's */
	uint32_t refreshes;	/* refreshes the policy made by itself */
	uint64_t age_ns;	/* drift time since the last programming or */
				/* refresh (aimc_net_set_refresh_policy()) */
	/* API 2.1 */
	uint64_t baseline_fj_per_step;	/* this model on a digital */
	uint64_t baseline_fj_per_sequence; /* accelerator: README, Energy */
	uint32_t compensations;		/* made by the policy */
	uint32_t reserved;
};

/* aimc_net_open(): load, place and compile only; program later */
#define AIMC_NET_NO_PROGRAM	0x1u

/*
 * aimc_net_open() - load a model file and put it on a device
 *
 * Loads @path, reserves the tiles its crossbars need, compiles the card
 * programs and, unless @flags has AIMC_NET_NO_PROGRAM, programs the cells
 * with the default write-verify parameters.  The net holds a reference
 * on @dev.  Returns 0 or a negative errno: -ENOENT/-EACCES (open),
 * -EINVAL (a malformed file, or not a model file: the message names the
 * file, the tensor and the reason; a float model; converter widths the
 * card does not have; unknown flags), -EPROTONOSUPPORT (unknown format
 * version), -EOVERFLOW, -ENOSPC (the model does not fit the card or the
 * compiler's limits: the message says which and by how much), -EBUSY
 * (enough tiles, but other processes hold them), -EIO (a command failed
 * on the card), -ENOMEM.
 */
int aimc_net_open(struct aimc_device *dev, const char *path, uint32_t flags,
		  struct aimc_net **out);

/* Write-verify parameters; aimc_program_params_init() sets defaults. */
struct aimc_program_params {
	uint32_t tolerance_nsiemens;	/* band around each target (500) */
	uint32_t max_rounds;		/* verify rounds per tile (40) */
	uint32_t max_pulses_per_cell;	/* pulse budget of one cell (1500) */
	uint32_t max_pulses_per_round;	/* most pulses one record asks (31) */
	uint32_t flags;			/* AIMC_PROGRAM_* */
	uint32_t stall_rounds;		/* stop a tile after this many rounds */
					/* in which no cell settled (8) */
	uint32_t band_per_code_pct;	/* AIMC_PROGRAM_PRECISION_AWARE: a */
					/* tile's band, % of its weight code */
					/* step (API 2.1; 0: 25) */
	uint32_t reserved[1];		/* must be zero */
};

/* The largest max_rounds, max_pulses_per_cell, max_pulses_per_round */
#define AIMC_PROGRAM_MAX_ROUNDS		1000u
#define AIMC_PROGRAM_MAX_PULSES_PER_CELL	65535u
#define AIMC_PROGRAM_MAX_PULSES_PER_ROUND	127u

/* Only the open-loop AIMC_PROG_TARGET programming, no verify rounds */
#define AIMC_PROGRAM_OPEN_LOOP		0x1u
/* Fixed-amplitude, one-pulse-per-round program-and-verify (baseline) */
#define AIMC_PROGRAM_NAIVE		0x2u
/* No open-loop first guess: start from the cells' present state */
#define AIMC_PROGRAM_NO_TARGET_STEP	0x4u
/* Do not retarget the partner of a stuck cell */
#define AIMC_PROGRAM_NO_COMPENSATION	0x8u
/*
 * Precision-aware (API 2.1): each tile's band is band_per_code_pct % of
 * the conductance step of one weight code on it (the smallest of its
 * crossbars': g range / 2^(bits-1), a ternary weight's the whole range),
 * never below tolerance_nsiemens: coarse weights settle in wide bands.
 */
#define AIMC_PROGRAM_PRECISION_AWARE	0x10u

void aimc_program_params_init(struct aimc_program_params *p);

/*
 * Where programming stands, for a progress display.  Fields are added at
 * the end: read one only if its offset is below @size.
 */
struct aimc_program_progress {
	uint32_t size;		/* sizeof this struct in the library */
	uint32_t tile_index;	/* 0-based, of tiles */
	uint32_t tiles;
	uint32_t round;		/* 0: the first job (open-loop targets, or */
				/* a refresh's read); then each verify round */
	uint64_t cells_done;	/* settled: in band, stuck or given up, all */
				/* tiles so far; never decreases */
	uint64_t cells_total;
};

/*
 * Called after every PROGRAM/READ job of programming or refreshing;
 * return 0 to go on, anything else to stop: the call then fails with
 * -ECANCELED.
 */
typedef int (*aimc_program_progress_fn)(const struct aimc_program_progress *p,
					void *ctx);

/* What programming achieved (final READ of every cell). */
struct aimc_program_stats {
	uint32_t tiles_used;
	uint32_t rounds;		/* most verify rounds any tile ran */
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
	double err_mean_nsiemens;	/* |read - target|, non-stuck cells */
	double err_rms_nsiemens;
	double err_p99_nsiemens;
	double err_max_nsiemens;
	double pair_err_mean_nsiemens;	/* |(G+ - G-) - w unit|, pairs with */
	double pair_err_max_nsiemens;	/* a stuck cell */
	uint64_t pairs_with_stuck;
	uint32_t tiles_settled;		/* stopped: every cell settled */
	uint32_t tiles_stalled;		/* stopped: stall_rounds without gain */
	uint32_t tiles_at_round_cap;	/* stopped by max_rounds, cells open */
	uint32_t padding;
	/* API 2.1: the bands the tiles were programmed to */
	uint32_t tolerance_min_nsiemens;
	uint32_t tolerance_max_nsiemens;
};

/*
 * aimc_net_program() - write the weights into the cells with write-verify
 *
 * Programs every cell of the net's tiles (@params NULL: defaults), sets
 * each column's ADC gain, and reports @progress (may be NULL) after every
 * job.  A tile stops when every cell has settled (in band, stuck or given
 * up), after stall_rounds rounds in which no cell settled, or at
 * max_rounds.  Programming again starts over.  -EINVAL (bad params: the
 * message names the field and its range), -ECANCELED (@progress asked to
 * stop; the net is not programmed), -EIO (a command failed on the card),
 * -ENOMEM.
 */
int aimc_net_program(struct aimc_net *net,
		     const struct aimc_program_params *params,
		     aimc_program_progress_fn progress, void *ctx);

/*
 * aimc_net_program_stats() - figures of the last programming or refresh
 *
 * -ENODATA if the net holds no programming (never programmed, or the
 * last programming failed).
 */
int aimc_net_program_stats(const struct aimc_net *net,
			   struct aimc_program_stats *stats, size_t stats_size);

/*
 * aimc_net_refresh() - re-read every cell, re-verify the drifted
 *
 * Cells that drifted out of band get write-verify rounds again (the
 * parameters of the last aimc_net_program()); the statistics then
 * describe this refresh, and the net's age starts again.  -ENODATA if
 * the net is not programmed.
 */
int aimc_net_refresh(struct aimc_net *net, aimc_program_progress_fn progress,
		     void *ctx);

/*
 * When to refresh.  The net measures its age on the clock the card's
 * cells drift by (a card: time since programming, suspend included; the
 * sim: its virtual clock, which advances with the work it does).  Past
 * max_age_ns, aimc_net_info() reports refresh_due; with
 * AIMC_REFRESH_AUTO the library also refreshes by itself before the
 * next job of a stream of the net.
 */
struct aimc_refresh_policy {
	uint64_t max_age_ns;	/* 0: never due */
	uint32_t flags;		/* AIMC_REFRESH_* */
	uint32_t reserved;	/* must be zero */
};

/* The default: reported after 10 s (PCM drift leaves a 500 nS band then) */
#define AIMC_REFRESH_DEFAULT_AGE_NS	10000000000ull
/* Refresh before a stream's next job once the age has passed */
#define AIMC_REFRESH_AUTO		0x1u
/*
 * Instead of refreshing (API 2.1): after each programming or refresh
 * measure the drift-compensation reference, and before a stream's next
 * job once max_age_ns has passed since the last compensation compensate
 * (aimc_net_compensate(); with AIMC_REFRESH_COMPENSATE_GLOBAL one factor
 * per crossbar).  Not with AIMC_REFRESH_AUTO.
 */
#define AIMC_REFRESH_COMPENSATE		0x2u
#define AIMC_REFRESH_COMPENSATE_GLOBAL	0x4u

/* aimc_net_compensate() flags */
#define AIMC_COMPENSATE_REFERENCE	0x1u	/* measure the reference */
#define AIMC_COMPENSATE_GLOBAL		0x2u	/* one factor per crossbar */

/*
 * aimc_net_compensate() - drift compensation with the column gains (API 2.1)
 *
 * As aihwkit's drift compensation: a reference input (each crossbar row
 * alone at full scale: the one-hot vectors), the measured response of
 * every column (mean |ADC code|), a rescale: each column's gain register
 * is set to its programmed gain times reference / now (per column, or
 * with AIMC_COMPENSATE_GLOBAL one factor per crossbar).  With
 * AIMC_COMPENSATE_REFERENCE it measures the reference instead (right
 * after programming; aimc_net_program() and aimc_net_refresh() drop it).
 * Needs a free stream slot while it probes.  -ENODATA (not programmed, or
 * no reference), -EOPNOTSUPP (crossbars share columns: too few tiles),
 * -EBUSY (no free slot), -EINVAL (unknown flags).
 */
int aimc_net_compensate(struct aimc_net *net, uint32_t flags);

/* aimc_net_set_refresh_policy() - @policy NULL restores the default */
int aimc_net_set_refresh_policy(struct aimc_net *net,
				const struct aimc_refresh_policy *policy);

int aimc_net_info(const struct aimc_net *net, struct aimc_net_info *info,
		  size_t info_size);

/*
 * aimc_net_close() - give up the application's handle of @net
 *
 * The net (its tiles, buffers and device reference) is released once its
 * last stream is closed too.  NULL is ignored.
 */
void aimc_net_close(struct aimc_net *net);

#ifdef __cplusplus
}
#endif

#endif /* AIMC_NET_H */
