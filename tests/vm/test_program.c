// SPDX-License-Identifier: MIT
/*
 * Write-verify programming through aimc.ko + aimc_emu.ko (the host suite
 * runtime_deploy does the same on the sim backend): a model file opened
 * with aimc_net_open() and programmed with aimc_net_program() on the drm
 * backend.  The guest cannot peek at the cells' true conductances, so
 * each window is READ 16 times and averaged (read noise shrinks 4x).
 * Noisy phase: >= 99.5 % of the non-stuck cells within the band.
 * Noise-free phase: every cell exactly on target.
 */
#include "vm_util.h"
#include "../../runtime/deploy_internal.h"
#include "../../runtime/stream_internal.h"
#include "../host/ssm_writer.h"

#define READS	16
#define TOL_NS	500

/* Fits the guest card's 128 x 64 tiles: no crossbar is split. */
static const struct sw_spec model_spec = {
	.d_input = 4, .d_model = 16, .d_state = 4, .n_layers = 2,
	.n_classes = 10, .keep_every = 1, .quantized = true, .xbar_bits = 4,
	.zero_permille = 200, .seed = 11, .stable_a = true,
};

struct tally {
	uint64_t cells, stuck, in_tol, exact;
};

/* The mean of READS reads of the window [0, rows) x [0, cols) of @tile. */
static void read_mean(struct aimc_device *dev, uint32_t tile, uint32_t rows,
		      uint32_t cols, double *mean)
{
	uint32_t len = rows * cols * 2, bo, i, k;
	struct aimc_job_result res;
	uint8_t *map;
	uint64_t size, id;

	ck_assert_int_eq(aimc_bo_create(dev, len, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(dev, bo, (void **)&map, &size), 0);
	memset(mean, 0, sizeof(double) * rows * cols);
	for (k = 0; k < READS; k++) {
		struct drm_aimc_cmd c = {
			.opcode = AIMC_OP_READ, .tile = (uint16_t)tile,
			.rows = (uint16_t)rows, .cols = (uint16_t)cols,
			.dst = { bo, len, 0 },
		};

		ck_assert_int_eq(aimc_job_submit(dev, &c, 1, NULL, 0, 0, &id), 0);
		ck_assert_int_eq(aimc_job_wait(dev, id, aimc_deadline_ns(10000), &res), 0);
		ck_assert_uint_eq(res.status, AIMC_JOB_DONE);
		for (i = 0; i < rows * cols; i++)
			mean[i] += (map[2 * i] | map[2 * i + 1] << 8) / (double)READS;
	}
	aimc_bo_munmap(map, size);
	aimc_bo_close(dev, bo);
}

/* Every used cell of every piece against its target. */
static struct tally measure(struct aimc_device *dev, const struct aimc_net *net)
{
	const struct aimc_deployment *d = aimc_net_deployment(net);
	const struct aimc_mapping *map = aimc_deployment_mapping(d);
	uint32_t rows = map->tile_rows, cols = map->tile_cols, x, p, r, c;
	double *mean = malloc(sizeof(double) * rows * cols);
	struct tally t = { 0 };

	for (x = 0; x < map->n_xbars; x++) {
		for (p = 0; p < map->xbars[x].n_pieces; p++) {
			const struct aimc_xbar_piece *pc = &map->xbars[x].pieces[p];

			read_mean(dev, pc->tile, rows, cols, mean);
			for (r = pc->row0; r < pc->row0 + pc->n_in; r++) {
				for (c = pc->col0; c < pc->col0 + 2 * pc->n_out; c++) {
					double g = mean[r * cols + c];
					uint16_t target;
					int stuck;

					ck_assert_int_eq(aimc_deployment_cell(d, pc->tile, r, c,
									      &target, &stuck), 0);
					t.cells++;
					if (stuck) {
						t.stuck++;
						continue;
					}
					t.in_tol += fabs(g - target) <= TOL_NS;
					t.exact += g == target;
				}
			}
		}
	}
	free(mean);
	return t;
}

START_TEST(write_verify_through_the_driver)
{
	struct aimc_program_stats s;
	struct aimc_device *dev;
	struct aimc_net *net;
	struct tally t;
	char path[32];

	ck_assert_msg(sw_write_temp(&model_spec, path) == 0, "%s", strerror(errno));
	ck_assert_msg(aimc_device_open(AIMC_BACKEND_DRM, 0, &dev) == 0, "%s",
		      aimc_last_error());
	ck_assert_msg(aimc_net_open(dev, path, AIMC_NET_NO_PROGRAM, &net) == 0,
		      "%s", aimc_last_error());
	unlink(path);
	ck_assert_msg(aimc_net_program(net, NULL, NULL, NULL) == 0, "%s",
		      aimc_last_error());
	ck_assert_int_eq(aimc_net_program_stats(net, &s, sizeof(s)), 0);
	ck_assert_uint_eq(s.cells_used, 2 * (16 * 4 + 2 * 32 * 16 + 10 * 16));
	t = measure(dev, net);
	ck_assert_uint_eq(t.cells, s.cells_used);
	printf("vm write-verify (%s): %llu cells, %llu stuck, %.3f %% of the rest in band (mean of %u reads), %.2f pulses/cell, %u rounds\n",
	       noise_free_phase() ? "noise-free" : "default physics",
	       (unsigned long long)t.cells, (unsigned long long)t.stuck,
	       100.0 * (double)t.in_tol / (double)(t.cells - t.stuck), READS,
	       s.pulses_per_cell, s.rounds);
	if (noise_free_phase()) {
		ck_assert_uint_eq(t.stuck, 0);
		ck_assert_uint_eq(t.exact, t.cells);
		ck_assert(s.err_max_nsiemens == 0);
	} else {
		ck_assert_msg(t.in_tol >= 0.995 * (double)(t.cells - t.stuck),
			      "%llu of %llu non-stuck cells in band",
			      (unsigned long long)t.in_tol,
			      (unsigned long long)(t.cells - t.stuck));
		ck_assert(s.pulses_per_cell > 0);
	}
	aimc_net_close(net);
	aimc_device_close(dev);
}
END_TEST

Suite *vm_program_suite(void)
{
	Suite *s = suite_create("vm_program");
	TCase *tc = tcase_create("write_verify");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, write_verify_through_the_driver);
	suite_add_tcase(s, tc);
	return s;
}
