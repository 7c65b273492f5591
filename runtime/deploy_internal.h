/* SPDX-License-Identifier: MIT */
/*
 * libaimc internal: a model's crossbars on a card (deploy.c): where
 * they are and how their ADC codes scale (map.c), their cells programmed
 * with write-verify (program.c).  A net (net.c) owns one deployment and
 * compiles its programs for the mapping aimc_deployment_mapping() gives.
 * Not installed.
 *
 * Orientation (emulator/README.md, "MVM"): a tile has `rows` inputs and
 * `cols / 2` differential outputs.  Weight [j][i] of a crossbar (output
 * j, input i) sits at tile row row0 + (i - in0) and physical columns
 * col0 + 2 (j - out0) (G+) and col0 + 2 (j - out0) + 1 (G-) of the piece
 * holding (i, j).
 *
 * Conductance scale (docs/integer-inference.md, section 3, canonical):
 * cmax = 2^(bits-1) (1 for ternary), unit = floor((g_max - g_min) /
 * cmax) nS per weight code, G+ = g_min + max(w, 0) unit, G- = g_min +
 * max(-w, 0) unit, so G+ - G- = w unit.  shift and gain[j] make
 * ADC code j stand for the model's adc_scale[j] units: the integer scale
 * between the card's ADC code and the model's value is 1 (an ADC code
 * IS the model's ADC code) up to the rounding of gain[j].
 */
#ifndef AIMC_DEPLOY_INTERNAL_H
#define AIMC_DEPLOY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "aimc.h"
#include "ssm.h"

struct aimc_deployment;

/* One rectangle of a crossbar on one tile. */
struct aimc_xbar_piece {
	uint32_t tile;		/* mapping: logical 0..; deployment: physical */
	uint32_t row0;		/* first tile row */
	uint32_t col0;		/* first physical column (even) */
	uint32_t in0, n_in;	/* crossbar inputs (weight columns) held */
	uint32_t out0, n_out;	/* crossbar outputs (weight rows) held */
};

struct aimc_xbar_place {
	const struct aimc_ssm_linear *lin;
	uint32_t n_in, n_out;		/* weight is [n_out, n_in] */
	uint32_t n_pieces;
	struct aimc_xbar_piece *pieces;
	/* calibration, quantized models only (else unit_nsiemens = 0) */
	uint32_t cmax;			/* largest |code| the scheme allows */
	uint32_t unit_nsiemens;		/* conductance of one weight code */
	uint32_t shift;			/* MVM micro-op ADC shift */
	uint16_t *gain;			/* n_out Q14 CALIBRATE gains */
	uint16_t *canon;		/* n_out gains it wants (gain unless shared) */
};

struct aimc_mapping {
	uint32_t tile_rows, tile_cols;	/* geometry mapped for */
	uint32_t tiles_used;
	uint64_t cells_used;		/* 2 per weight: differential pairs */
	uint32_t n_xbars;		/* encoder, layers' mix, decoder */
	bool own_columns;		/* no two pieces share a column */
	struct aimc_xbar_place *xbars;
};

/*
 * Place every crossbar of @m on tiles of @rows x @cols cells (at most
 * @max_tiles): crossbars larger than a tile are split into pieces of at
 * most rows inputs x cols/2 outputs, pieces are packed side by side on
 * shelves.  -ENOSPC (message says how many tiles were needed) if it
 * does not fit, -EINVAL for a geometry without a differential column.
 */
int aimc_map_model(const struct aimc_ssm *m, uint32_t max_tiles,
		   uint32_t rows, uint32_t cols, struct aimc_mapping **out);
void aimc_mapping_free(struct aimc_mapping *map);

/*
 * The same, and with @own_columns no two pieces share a physical column
 * (one shelf per tile), at the cost of tiles: the ADC calibration
 * (gain) register is per column, so pieces stacked in the same columns
 * would have to share one gain.
 */
int aimc_map_model_columns(const struct aimc_ssm *m, uint32_t max_tiles,
			   uint32_t rows, uint32_t cols, bool own_columns,
			   struct aimc_mapping **out);

/*
 * The largest gain the canonical calibration gives a column: a quarter of
 * the u16 register, so drift compensation (aimc_net_compensate()) can
 * raise any column's gain 4x before the register saturates (a pcm cell's
 * conductance falls to about half in a year, more on its fast-drifting
 * cells).  Two bits fewer than the register holds cost nothing the ADC
 * can see: 14 bits of gain against an 8-bit code.
 */
#define AIMC_CALIB_GAIN_MAX	16383u

/*
 * Canonical calibration of a quantized crossbar for a card with the
 * conductance range [g_min, g_max]: fills cmax, unit_nsiemens, shift, gain.
 * -ERANGE if no shift fits (contract section 3), -EINVAL for a float
 * model.
 */
int aimc_calib_xbar(struct aimc_xbar_place *x, uint32_t g_min_nsiemens,
		    uint32_t g_max_nsiemens);

/*
 * After aimc_calib_xbar() of every crossbar: where pieces of different
 * crossbars share physical columns (a mapping without own_columns), one
 * gain per column, the smallest non-zero one wanted there (so no output
 * clips earlier than trained); canon keeps what each crossbar wanted.
 */
int aimc_calib_shared_columns(struct aimc_mapping *map);

/* Targets of the pair holding weight [j][i], nS. */
void aimc_xbar_targets(const struct aimc_xbar_place *x, uint32_t g_min_nsiemens,
		       uint32_t j, uint32_t i, uint16_t *g_pos,
		       uint16_t *g_neg);

/*
 * Map @model (which must outlive the deployment) onto @dev, calibrate
 * every crossbar and reserve the tiles; nothing is programmed yet.
 * -EINVAL (a float model), -ENOSPC (does not fit: the message says how
 * many tiles it needs), -EBUSY (tiles held by others), -ERANGE, -ENOMEM.
 */
int aimc_deployment_create(struct aimc_device *dev,
			   const struct aimc_ssm *model,
			   struct aimc_deployment **out);

/*
 * 0, or -EINVAL naming the field and its range for parameters no
 * programming on a card of conductance range @g_range_nsiemens accepts.
 */
int aimc_program_params_check(const struct aimc_program_params *p,
			      uint32_t g_range_nsiemens);

/* g_max - g_min of the deployment's card, nS. */
uint32_t aimc_deployment_g_range(const struct aimc_deployment *d);

/*
 * Write-verify every cell (@params NULL: defaults), then CALIBRATE.
 * -ECANCELED if @progress asked to stop.
 */
int aimc_deployment_program(struct aimc_deployment *d,
			    const struct aimc_program_params *params,
			    aimc_program_progress_fn progress, void *ctx);

/*
 * Re-read and re-verify; -ENODATA if never programmed.  A refresh that
 * fails (or is cancelled) leaves the deployment unprogrammed.
 */
int aimc_deployment_refresh(struct aimc_deployment *d,
			    aimc_program_progress_fn progress, void *ctx);

/* Figures of the last programming or refresh; NULL if never programmed. */
const struct aimc_program_stats *aimc_deployment_stats(const struct aimc_deployment *d);

/*
 * Drift compensation (aimc_net_compensate()): with AIMC_COMPENSATE_REFERENCE
 * measure each column's response to the reference input, else measure it
 * again and rescale the column gain registers (AIMC_COMPENSATE_GLOBAL: one
 * factor per crossbar piece).  -ENODATA (not programmed, no reference),
 * -EOPNOTSUPP (crossbars share columns), -EBUSY (no free slot to probe).
 */
int aimc_deployment_compensate(struct aimc_deployment *d, uint32_t flags);

/* Release the tiles and buffers; NULL is ignored. */
void aimc_deployment_free(struct aimc_deployment *d);

/* The placement of a deployment (physical tiles), valid until freed. */
const struct aimc_mapping *aimc_deployment_mapping(const struct aimc_deployment *d);

/*
 * The present target of a cell of a deployment (a stuck cell's partner
 * is retargeted) and whether programming found it stuck.  -ENOENT if no
 * weight uses the cell.  For tests and diagnostics.
 */
int aimc_deployment_cell(const struct aimc_deployment *d, uint32_t tile,
			 uint32_t row, uint32_t col, uint16_t *target,
			 int *stuck);

#endif /* AIMC_DEPLOY_INTERNAL_H */
