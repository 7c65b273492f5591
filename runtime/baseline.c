// SPDX-License-Identifier: MIT
/*
 * The digital baseline of a compiled model (aimc_net_info()'s
 * baseline_fj_*): the same work on a digital accelerator.  Every crossbar
 * weight an MVM micro-op uses becomes an int8 multiply-accumulate plus the
 * read of that weight from SRAM; the digital unit's work is counted as
 * the device model counts it on the card (emulator/model/aimc_dpu.c,
 * dpu_energy()) at the same 32-bit arithmetic energies.  The constants
 * are emulator/model/aimc_presets.def's AIMC_BASELINE lines.
 */
#include <stdint.h>

#include "aimc_hw_cmd.h"
#include "compile.h"
#include "internal.h"

enum {
#define AIMC_PRESET(...)
#define AIMC_P(...)
#define AIMC_BASELINE(name, value, src) BASELINE_##name = (value),
#include "aimc_presets.def"
#undef AIMC_BASELINE
#undef AIMC_P
#undef AIMC_PRESET
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* Femtojoules of one step of @seg's program on the digital baseline. */
static uint64_t segment_fj(const struct aimc_segment *seg)
{
	const uint8_t *uop = seg->image + sizeof(struct aimc_prog_hdr);
	uint64_t fj = 0;
	uint32_t i;

	for (i = 0; i < seg->n_uops; i++, uop += sizeof(struct aimc_uop)) {
		uint64_t len = le16(uop + 4), muls = 0, adds = 0;

		switch (uop[0]) {
		case AIMC_UOP_MVM:
			/* len rows x cols / 2 signed weights */
			fj += len * ((le32(uop + 12) & 0xffff) / 2) *
			      (uint64_t)(BASELINE_mac8_fj + BASELINE_weight8_sram_fj);
			break;
		case AIMC_UOP_SSM:
			muls = adds = len * (8 * (uint64_t)uop[3] + 1);
			break;
		case AIMC_UOP_REQUANT:
		case AIMC_UOP_AFFINE:
		case AIMC_UOP_MUL:
		case AIMC_UOP_GLU:
			muls = adds = len;
			break;
		case AIMC_UOP_ADD:
		case AIMC_UOP_LUT:
		case AIMC_UOP_POOL_ACC:
			adds = len;
			break;
		default:
			break;
		}
		fj += muls * BASELINE_digital_mul_fj + adds * BASELINE_digital_add_fj;
	}
	return fj;
}

void aimc_baseline_energy(const struct aimc_program_set *ps, uint64_t *per_step_fj,
			  uint64_t *per_sequence_fj)
{
	uint32_t s;

	*per_step_fj = 0;
	for (s = 0; s < ps->n_segments; s++)
		*per_step_fj += segment_fj(&ps->seg[s]);
	*per_sequence_fj = segment_fj(&ps->decoder);
}
