// SPDX-License-Identifier: MIT
/*
 * The compiler: the integer constants of a model (int_model.c) packed into
 * the card's EXEC program images (emulator/README.md, "Program image"),
 * one program per segment of layers plus a one-step decoder program
 * (docs/integer-inference.md, section 6).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimc_model.h"
#include "compile.h"
#include "internal.h"

/* Vector registers of the per-step program */
enum {
	R_X,	/* DAC codes in */
	R_H,	/* residual stream, Q16 */
	R_U,	/* SSM input, Q8 */
	R_Y,	/* SSM output Q20, then GELU codes */
	R_T,	/* mix DAC codes */
	R_Z,	/* ADC codes, 2 Hk */
	R_AB,	/* GLU value and gate, Q16 */
	R_GATE,	/* gate, Q4 */
	R_G,	/* GLU output, Q16 */
};

#define HDR_BYTES	((uint32_t)sizeof(struct aimc_prog_hdr))
#define UOP_BYTES	((uint32_t)sizeof(struct aimc_uop))
#define LAYER_UOPS	12
#define MAX_EDGE_UOPS	8	/* prologue + epilogue, generously */

struct pbuild {
	struct aimc_uop uops[AIMC_PROG_MAX_UOPS];
	uint32_t n;
	uint8_t consts[AIMC_PROG_MAX_BYTES];
	uint32_t cbytes;
};

static void uop(struct pbuild *b, uint8_t op, uint8_t dst, uint8_t a,
		uint8_t bsrc, uint32_t len, uint32_t aux, uint32_t imm0,
		uint32_t imm1)
{
	struct aimc_uop *u = &b->uops[b->n++];

	u->op = op;
	u->dst = dst;
	u->src_a = a;
	u->src_b = bsrc;
	u->len = (uint16_t)len;
	u->aux = (uint16_t)aux;
	u->imm0 = imm0;
	u->imm1 = imm1;
}

/* Append s32 constants; their byte offset */
static uint32_t consts32(struct pbuild *b, const int32_t *v, uint32_t n)
{
	uint32_t off = b->cbytes, i;

	for (i = 0; i < n; i++)
		aimc_hw_put_le32(b->consts + off + 4 * i, (uint32_t)v[i]);
	b->cbytes += 4 * n;
	return off;
}

static uint32_t consts_affine(struct pbuild *b, const struct aimc_int_affine *a)
{
	uint32_t off = b->cbytes, i;

	for (i = 0; i < a->len; i++) {
		aimc_hw_put_le32(b->consts + off + 8 * i, (uint32_t)a->gamma[i]);
		aimc_hw_put_le32(b->consts + off + 8 * i + 4, (uint32_t)a->beta[i]);
	}
	b->cbytes += 8 * a->len;
	return off;
}

static void emit_mvm(struct pbuild *b, uint8_t dst, uint8_t src,
		     const struct aimc_ssm_linear *lin,
		     const struct aimc_xbar_calib *cal)
{
	uop(b, AIMC_UOP_MVM, dst, src, 0, lin->weight.cols, cal->tile,
	    AIMC_MVM_IMM0(cal->row0, cal->col0),
	    AIMC_MVM_IMM1(2 * lin->weight.rows, cal->shift));
}

static void emit_requant(struct pbuild *b, uint8_t dst, uint8_t src,
			 uint32_t len, int32_t m, uint32_t shift, uint32_t bits)
{
	uop(b, AIMC_UOP_REQUANT, dst, src, 0, len, 0, (uint32_t)m,
	    AIMC_REQUANT_IMM1(shift, bits));
}

static void emit_affine(struct pbuild *b, uint8_t dst, uint8_t src,
			const struct aimc_int_affine *a)
{
	uint32_t off = consts_affine(b, a);

	uop(b, AIMC_UOP_AFFINE, dst, src, 0, a->len, 0, off, a->shift);
}

/* Contract 4.2 for layer @L, state at word @state_off of the slot */
static void emit_layer(struct pbuild *b, const struct aimc_int_model *im,
		       const struct aimc_int_layer *L, uint32_t state_off)
{
	uint32_t hk = im->hk;
	uint32_t off = consts32(b, L->ssm_consts, hk * (6 * L->modes + 1));

	emit_requant(b, R_U, R_H, hk, 1, AIMC_INT_H_FRAC - AIMC_INT_U_FRAC, 16);
	uop(b, AIMC_UOP_SSM, R_Y, R_U, (uint8_t)L->modes, hk, 0, off,
	    state_off);
	emit_requant(b, R_Y, R_Y, hk, 1, AIMC_INT_Y_FRAC - 4, 8);
	uop(b, AIMC_UOP_LUT, R_Y, R_Y, 0, hk, AIMC_LUT_GELU, 0, 0);
	emit_requant(b, R_T, R_Y, hk, L->mix_in.m, L->mix_in.shift,
		     im->dac_bits);
	emit_mvm(b, R_Z, R_T, L->mix, &L->mix_cal);
	emit_affine(b, R_AB, R_Z, &L->glu);
	uop(b, AIMC_UOP_MOV, R_GATE, R_AB, 0, hk, 0, 0, hk);
	emit_requant(b, R_GATE, R_GATE, hk, 1,
		     AIMC_INT_H_FRAC - AIMC_INT_GATE_FRAC, 8);
	uop(b, AIMC_UOP_GLU, R_G, R_AB, R_GATE, hk, 0, 0, 0);
	uop(b, AIMC_UOP_ADD, R_H, R_H, R_G, hk, 0, 0, 0);
	emit_affine(b, R_H, R_H, &L->norm);
}

/* Bytes of constants a layer adds to a program */
static uint32_t layer_const_bytes(const struct aimc_int_model *im,
				  const struct aimc_int_layer *L)
{
	return 4 * im->hk * (6 * L->modes + 1) + 8 * 2 * im->hk + 8 * im->hk;
}

static int finish_image(const struct pbuild *b, struct aimc_segment *seg)
{
	uint32_t len = HDR_BYTES + b->n * UOP_BYTES + b->cbytes, i;
	uint8_t *p = malloc(len);

	if (!p)
		return aimc_set_error(-ENOMEM, "out of memory");
	aimc_hw_put_prog_hdr(p, (uint16_t)b->n, b->cbytes);
	for (i = 0; i < b->n; i++)
		aimc_hw_put_uop(p + HDR_BYTES + i * UOP_BYTES, &b->uops[i]);
	memcpy(p + HDR_BYTES + b->n * UOP_BYTES, b->consts, b->cbytes);
	seg->image = p;
	seg->len = len;
	seg->n_uops = b->n;
	return 0;
}

/* One segment: layers [first, first + count), on slot @slot */
static int build_segment(const struct aimc_int_model *im, uint32_t first,
			 uint32_t count, uint32_t slot, const uint32_t *state_off,
			 bool last, struct pbuild *b, struct aimc_segment *seg)
{
	uint32_t hk = im->hk, l;

	memset(b, 0, sizeof(*b));
	if (first == 0) {
		uop(b, AIMC_UOP_LOAD, R_X, 0, 0, im->d_input, 0, 0, 1);
		emit_mvm(b, R_Z, R_X, &im->model->encoder, &im->enc_cal);
		emit_affine(b, R_H, R_Z, &im->enc_aff);
		seg->in_stride = (uint16_t)im->d_input;
	} else {
		uop(b, AIMC_UOP_LOAD, R_H, 0, 0, hk, 0, 0, 4);
		seg->in_stride = (uint16_t)(4 * hk);
	}
	for (l = first; l < first + count; l++)
		emit_layer(b, im, &im->layers[l], state_off[l]);
	if (last)
		uop(b, AIMC_UOP_POOL_ACC, 0, R_H, 0, hk, 0, 0, 0);
	uop(b, AIMC_UOP_STORE, 0, R_H, 0, hk, 0, 0, 4);
	seg->out_stride = (uint16_t)(4 * hk);
	seg->slot_index = slot;
	seg->first_layer = first;
	seg->n_layers = count;
	return finish_image(b, seg);
}

static int build_decoder(const struct aimc_int_model *im, uint32_t slot,
			 struct pbuild *b, struct aimc_segment *seg)
{
	memset(b, 0, sizeof(*b));
	uop(b, AIMC_UOP_POOL_READ, R_H, 0, 0, im->hk, AIMC_POOL_F_CLEAR, 0, 0);
	emit_requant(b, R_X, R_H, im->hk, im->dec_in.m, im->dec_in.shift,
		     im->dac_bits);
	emit_mvm(b, R_Z, R_X, &im->model->decoder, &im->dec_cal);
	emit_affine(b, R_Z, R_Z, &im->dec_aff);
	uop(b, AIMC_UOP_STORE, 0, R_Z, 0, im->n_classes, 0, 0, 4);
	seg->in_stride = 0;
	seg->out_stride = (uint16_t)(4 * im->n_classes);
	seg->slot_index = slot;
	return finish_image(b, seg);
}

void aimc_program_set_free(struct aimc_program_set *ps)
{
	uint32_t i;

	if (!ps)
		return;
	for (i = 0; ps->seg && i < ps->n_segments; i++)
		free(ps->seg[i].image);
	free(ps->seg);
	free(ps->decoder.image);
	free(ps);
}

/*
 * Greedy packing: a layer joins the current segment if the program's
 * constants and the slot's state words still fit; a new slot also starts
 * a new segment (one EXEC runs on one slot).
 */
int aimc_compile(const struct aimc_int_model *im, struct aimc_program_set **out)
{
	uint32_t n = im->n_layers, l, first = 0, slot = 0, words = 0;
	uint32_t cbytes = 8 * im->hk, seg_slot = 0;
	uint32_t *state_off = calloc(n ? n : 1, sizeof(uint32_t));
	struct aimc_program_set *ps = calloc(1, sizeof(*ps));
	struct pbuild *b = malloc(sizeof(*b));
	int ret = 0;

	if (!state_off || !ps || !b) {
		ret = aimc_set_error(-ENOMEM, "out of memory");
		goto out;
	}
	ps->seg = calloc(n ? n : 1, sizeof(*ps->seg));
	if (!ps->seg) {
		ret = aimc_set_error(-ENOMEM, "out of memory");
		goto out;
	}
	for (l = 0; l < n && !ret; l++) {
		uint32_t w = 2 * im->hk * im->layers[l].modes;
		uint32_t c = layer_const_bytes(im, &im->layers[l]);
		uint32_t room = AIMC_PROG_MAX_BYTES - HDR_BYTES -
				UOP_BYTES * (LAYER_UOPS * (l - first + 1) +
					     MAX_EDGE_UOPS);

		if (w > AIMC_SLOT_STATE_WORDS || c + 8 * im->hk > room)
			ret = aimc_set_error(-ENOSPC, "layers.%u: %u state words / %u constant bytes do not fit one slot / program",
					     l, w, c);
		if (ret)
			break;
		if (words + w > AIMC_SLOT_STATE_WORDS) {
			slot++;
			words = 0;
		}
		if (l > first && (slot != seg_slot || cbytes + c > room)) {
			ret = build_segment(im, first, l - first, seg_slot,
					    state_off, false, b,
					    &ps->seg[ps->n_segments++]);
			first = l;
			cbytes = 0;
		}
		seg_slot = slot;
		state_off[l] = words;
		words += w;
		cbytes += c;
	}
	if (!ret)
		ret = build_segment(im, first, n - first, seg_slot, state_off,
				    true, b, &ps->seg[ps->n_segments++]);
	if (!ret)
		ret = build_decoder(im, seg_slot, b, &ps->decoder);
	ps->n_slots = seg_slot + 1;
	ps->mvms_per_step = 1 + n;
out:
	free(state_off);
	free(b);
	if (ret) {
		aimc_program_set_free(ps);
		return ret;
	}
	*out = ps;
	return 0;
}
