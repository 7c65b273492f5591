// SPDX-License-Identifier: MIT
/*
 * The mapper: every crossbar of a loaded model on tiles, and the
 * canonical calibration of each (deploy_internal.h).
 *
 * Pruning costs nothing here: the file stores only kept channels and
 * modes, so each weight that exists takes exactly one differential pair.
 * A crossbar of n_in inputs and n_out outputs is cut into a grid of
 * pieces of at most `rows` inputs x `cols/2` outputs; pieces are sorted
 * by height and packed first-fit onto shelves (horizontal bands of a
 * tile), the classic shelf heuristic for strip packing.  Every piece
 * keeps its own rows, so no two pieces share a cell.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deploy_internal.h"
#include "internal.h"

struct shelf {
	uint32_t tile, row0, height, used_cols;
};

static int cmp_piece_height(const void *a, const void *b)
{
	const struct aimc_xbar_piece *const *x = a, *const *y = b;

	if ((*x)->n_in != (*y)->n_in)
		return (*x)->n_in > (*y)->n_in ? -1 : 1;
	return (*x)->n_out > (*y)->n_out ? -1 : (*x)->n_out < (*y)->n_out;
}

static uint32_t div_up(uint32_t a, uint32_t b)
{
	return (a + b - 1) / b;
}

void aimc_mapping_free(struct aimc_mapping *map)
{
	uint32_t i;

	if (!map)
		return;
	for (i = 0; i < map->n_xbars; i++) {
		free(map->xbars[i].pieces);
		free(map->xbars[i].gain);
		free(map->xbars[i].canon);
	}
	free(map->xbars);
	free(map);
}

static int cut_pieces(struct aimc_xbar_place *x, uint32_t rows,
		      uint32_t outs_per_tile)
{
	uint32_t gi = div_up(x->n_in, rows), go = div_up(x->n_out, outs_per_tile);
	uint32_t a, b, k = 0;

	x->pieces = calloc((size_t)gi * go, sizeof(*x->pieces));
	if (!x->pieces)
		return -ENOMEM;
	for (a = 0; a < gi; a++) {
		for (b = 0; b < go; b++) {
			struct aimc_xbar_piece *p = &x->pieces[k++];

			p->in0 = a * rows;
			p->n_in = x->n_in - p->in0 < rows ? x->n_in - p->in0 : rows;
			p->out0 = b * outs_per_tile;
			p->n_out = x->n_out - p->out0 < outs_per_tile ?
				   x->n_out - p->out0 : outs_per_tile;
		}
	}
	x->n_pieces = k;
	return 0;
}

/*
 * Shelf first-fit on as many tiles as it takes; returns their count.
 * With @own_columns every tile has one shelf as high as the tile, so no
 * two pieces share a physical column: each column's ADC calibration
 * register then serves exactly one crossbar output.
 */
static int pack(struct aimc_xbar_piece **order, uint32_t n, uint32_t rows,
		uint32_t cols, bool own_columns)
{
	struct shelf *shelves = calloc(n ? n : 1, sizeof(*shelves));
	uint32_t n_shelves = 0, tiles = 0, next_row = rows, i, s;

	if (!shelves)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct aimc_xbar_piece *p = order[i];
		uint32_t width = 2 * p->n_out;

		for (s = 0; s < n_shelves; s++)
			if (shelves[s].height >= p->n_in &&
			    cols - shelves[s].used_cols >= width)
				break;
		if (s == n_shelves) {
			if (rows - next_row < p->n_in) {
				tiles++;	/* a new tile: unbounded here */
				next_row = 0;
			}
			shelves[s].tile = tiles - 1;
			shelves[s].row0 = next_row;
			shelves[s].height = own_columns ? rows : p->n_in;
			next_row += shelves[s].height;
			n_shelves++;
		}
		p->tile = shelves[s].tile;
		p->row0 = shelves[s].row0;
		p->col0 = shelves[s].used_cols;
		shelves[s].used_cols += width;
	}
	free(shelves);
	return (int)tiles;
}

int aimc_map_model(const struct aimc_ssm *m, uint32_t max_tiles,
		   uint32_t rows, uint32_t cols, struct aimc_mapping **out)
{
	return aimc_map_model_columns(m, max_tiles, rows, cols, false, out);
}

int aimc_map_model_columns(const struct aimc_ssm *m, uint32_t max_tiles,
			   uint32_t rows, uint32_t cols, bool own_columns,
			   struct aimc_mapping **out)
{
	struct aimc_xbar_piece **order = NULL;
	struct aimc_mapping *map;
	uint32_t i, k, n_pieces = 0;
	int ret;

	*out = NULL;
	if (!m || !rows || cols < 2 || cols % 2)
		return aimc_set_error(-EINVAL, "map: bad tile geometry %u x %u", rows, cols);
	map = calloc(1, sizeof(*map));
	if (!map)
		return aimc_set_error(-ENOMEM, "map: out of memory");
	map->tile_rows = rows;
	map->tile_cols = cols;
	map->n_xbars = m->n_layers + 2;
	map->xbars = calloc(map->n_xbars, sizeof(*map->xbars));
	if (!map->xbars) {
		ret = -ENOMEM;
		goto fail;
	}
	map->xbars[0].lin = &m->encoder;
	for (i = 0; i < m->n_layers; i++)
		map->xbars[1 + i].lin = &m->layers[i].mix;
	map->xbars[m->n_layers + 1].lin = &m->decoder;
	for (i = 0; i < map->n_xbars; i++) {
		struct aimc_xbar_place *x = &map->xbars[i];

		x->n_out = x->lin->weight.rows;
		x->n_in = x->lin->weight.cols;
		map->cells_used += 2ull * x->n_in * x->n_out;
		ret = cut_pieces(x, rows, cols / 2);
		if (ret)
			goto fail;
		n_pieces += x->n_pieces;
	}
	order = calloc(n_pieces, sizeof(*order));
	if (!order) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0, n_pieces = 0; i < map->n_xbars; i++)
		for (k = 0; k < map->xbars[i].n_pieces; k++)
			order[n_pieces++] = &map->xbars[i].pieces[k];
	qsort(order, n_pieces, sizeof(*order), cmp_piece_height);
	ret = pack(order, n_pieces, rows, cols, own_columns);
	free(order);
	if (ret < 0)
		goto fail;
	if ((uint32_t)ret > max_tiles) {
		aimc_set_error(-ENOSPC, "map: %s does not fit: its %llu cells take %d tiles of %u x %u, the card has %u",
			       m->path ? m->path : "model",
			       (unsigned long long)map->cells_used, ret, rows,
			       cols, max_tiles);
		aimc_mapping_free(map);
		return -ENOSPC;
	}
	map->tiles_used = (uint32_t)ret;
	map->own_columns = own_columns;
	*out = map;
	return 0;
fail:
	aimc_mapping_free(map);
	return aimc_set_error(ret, "map: out of memory");
}

int aimc_calib_xbar(struct aimc_xbar_place *x, uint32_t g_min_nsiemens,
		    uint32_t g_max_nsiemens)
{
	const struct aimc_ssm_linear *lin = x->lin;
	const struct aimc_ssm_tensor *w = &lin->weight;
	double max_gain = 0, r;
	uint32_t j;
	int s;

	if (!w->codes || !lin->adc_scale)
		return aimc_set_error(-EINVAL, "calib: %s: a float model has no codes to program",
				      lin->name);
	x->cmax = w->ternary ? 1 : 1u << (w->bits - 1);
	x->unit_nsiemens = (g_max_nsiemens - g_min_nsiemens) / x->cmax;
	free(x->gain);
	x->gain = calloc(x->n_out, sizeof(*x->gain));
	if (!x->gain)
		return aimc_set_error(-ENOMEM, "calib: out of memory");
	for (j = 0; j < x->n_out; j++) {
		r = ((double)w->scale[w->per_tensor ? 0 : j] * (double)lin->dac_scale) /
		    (double)lin->adc_scale[j];
		if (r > max_gain)
			max_gain = r;
	}
	for (s = 40; s >= 0; s--)
		if (floor(ldexp(max_gain, 14 + s) / x->unit_nsiemens + 0.5) <=
		    AIMC_CALIB_GAIN_MAX)
			break;
	if (s < 0)
		return aimc_set_error(-ERANGE, "calib: %s: no ADC shift makes the gain fit %u",
				      lin->name, AIMC_CALIB_GAIN_MAX);
	x->shift = (uint32_t)s;
	for (j = 0; j < x->n_out; j++) {
		r = ((double)w->scale[w->per_tensor ? 0 : j] * (double)lin->dac_scale) /
		    (double)lin->adc_scale[j];
		x->gain[j] = (uint16_t)floor(ldexp(r, 14 + s) / x->unit_nsiemens + 0.5);
	}
	return 0;
}

int aimc_calib_shared_columns(struct aimc_mapping *map)
{
	uint32_t half = map->tile_cols / 2, x, p, j;
	uint16_t *common = NULL;

	for (x = 0; x < map->n_xbars; x++) {
		struct aimc_xbar_place *xb = &map->xbars[x];

		free(xb->canon);
		xb->canon = calloc(xb->n_out, sizeof(*xb->canon));
		if (!xb->canon)
			return aimc_set_error(-ENOMEM, "calib: out of memory");
		memcpy(xb->canon, xb->gain, xb->n_out * sizeof(*xb->gain));
	}
	if (map->own_columns)
		return 0;
	common = calloc((size_t)map->tiles_used * half, sizeof(*common));
	if (!common)
		return aimc_set_error(-ENOMEM, "calib: out of memory");
	for (x = 0; x < map->n_xbars; x++) {
		const struct aimc_xbar_place *xb = &map->xbars[x];

		for (p = 0; p < xb->n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &xb->pieces[p];

			for (j = 0; j < pc->n_out; j++) {
				uint16_t *c = &common[(size_t)pc->tile * half +
						      pc->col0 / 2 + j];
				uint16_t g = xb->gain[pc->out0 + j];

				if (g && (!*c || g < *c))
					*c = g;
			}
		}
	}
	for (x = 0; x < map->n_xbars; x++) {
		struct aimc_xbar_place *xb = &map->xbars[x];

		for (p = 0; p < xb->n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &xb->pieces[p];

			for (j = 0; j < pc->n_out; j++) {
				uint16_t c = common[(size_t)pc->tile * half +
						    pc->col0 / 2 + j];

				if (c)
					xb->gain[pc->out0 + j] = c;
			}
		}
	}
	free(common);
	return 0;
}

void aimc_xbar_targets(const struct aimc_xbar_place *x, uint32_t g_min_nsiemens,
		       uint32_t j, uint32_t i, uint16_t *g_pos, uint16_t *g_neg)
{
	int32_t code = x->lin->weight.codes[(size_t)j * x->n_in + i];

	*g_pos = (uint16_t)(g_min_nsiemens + (uint32_t)(code > 0 ? code : 0) * x->unit_nsiemens);
	*g_neg = (uint16_t)(g_min_nsiemens + (uint32_t)(code < 0 ? -code : 0) * x->unit_nsiemens);
}
