// SPDX-License-Identifier: MIT
/*
 * aimc-program: load a model file, place it on a card and program it
 * with write-verify (libaimc's aimc_deploy()), with a progress bar on a
 * terminal (plain lines otherwise) and a summary table.
 *
 *   aimc-program MODEL [--device sim|drm|auto] [--tolerance NS]
 *                [--iterations N] [--pulse-budget N] [--seed N]
 *   aimc-program MODEL --compare [--seed N]
 *
 * --compare programs the same model on three identical simulated cards
 * (same seed: same devices, same noise stream) with open-loop
 * AIMC_PROG_TARGET only, a naive fixed-pulse program-and-verify, and
 * the adaptive write-verify, and prints final error and pulses per cell
 * side by side.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimc.h"

struct progress_ctx {
	int tty;
	uint64_t last_done;
};

static void show_progress(const struct aimc_deploy_progress *p, void *ctx)
{
	struct progress_ctx *c = ctx;
	unsigned int pct = p->cells_total ? (unsigned int)(100 * p->cells_done / p->cells_total) : 100;
	char bar[41];
	unsigned int i;

	if (c->tty) {
		for (i = 0; i < 40; i++)
			bar[i] = i < pct * 40 / 100 ? '#' : '.';
		bar[40] = 0;
		fprintf(stderr, "\r[%s] %3u %%  tile %u/%u  round %u  ", bar, pct,
			p->tile_index + 1, p->tiles, p->iteration);
		return;
	}
	if (p->cells_done == c->last_done && p->iteration)
		return;
	c->last_done = p->cells_done;
	printf("progress: tile %u/%u round %u cells %llu/%llu\n", p->tile_index + 1,
	       p->tiles, p->iteration, (unsigned long long)p->cells_done,
	       (unsigned long long)p->cells_total);
}

static void summary(const struct aimc_deploy_stats *s, uint32_t tol)
{
	printf("%-28s %llu\n", "tiles used", (unsigned long long)s->tiles_used);
	printf("%-28s %llu\n", "cells used", (unsigned long long)s->cells_used);
	printf("%-28s %u\n", "rounds (most of any tile)", s->iterations);
	printf("%-28s %llu (%.2f per cell)\n", "pulses", (unsigned long long)s->pulses,
	       s->pulses_per_cell);
	printf("%-28s %llu\n", "jobs", (unsigned long long)s->jobs);
	printf("%-28s %.3f %% (%llu cells, band %u nS)\n", "in tolerance",
	       s->in_tolerance_pct, (unsigned long long)s->cells_in_tolerance, tol);
	printf("%-28s mean %.0f  rms %.0f  p99 %.0f  max %.0f nS\n", "final error (read)",
	       s->err_mean_ns, s->err_rms_ns, s->err_p99_ns, s->err_max_ns);
	printf("%-28s %llu\n", "stuck cells", (unsigned long long)s->stuck_cells);
	printf("%-28s %llu of %llu (pair error mean %.0f, max %.0f nS)\n",
	       "compensated pairs", (unsigned long long)s->compensated_pairs,
	       (unsigned long long)s->pairs_with_stuck, s->pair_err_mean_ns,
	       s->pair_err_max_ns);
	printf("%-28s %llu\n", "failed cells", (unsigned long long)s->failed_cells);
}

static int open_device(const char *kind, uint64_t seed, struct aimc_device **dev)
{
	struct aimc_sim_options o = { .seed = seed };

	if (!strcmp(kind, "sim"))
		return aimc_device_open_sim(&o, dev);
	if (!strcmp(kind, "drm"))
		return aimc_device_open(AIMC_BACKEND_DRM, 0, dev);
	if (!strcmp(kind, "auto"))
		return aimc_device_open(AIMC_BACKEND_AUTO, 0, dev);
	fprintf(stderr, "aimc-program: --device must be sim, drm or auto\n");
	return -EINVAL;
}

static int compare(struct aimc_network *net, const struct aimc_program_params *base,
		   uint64_t seed)
{
	static const struct {
		const char *name;
		uint32_t flags;
	} modes[] = {
		{ "open-loop (TARGET once)", AIMC_PROGRAM_OPEN_LOOP },
		{ "naive fixed-pulse P&V", AIMC_PROGRAM_NAIVE },
		{ "adaptive write-verify", 0 },
	};
	struct aimc_deploy_stats s[3];
	size_t m;

	for (m = 0; m < 3; m++) {
		struct aimc_program_params p = *base;
		struct aimc_deployment *d;
		struct aimc_device *dev;
		int ret;

		p.flags = modes[m].flags;
		ret = open_device("sim", seed, &dev);
		if (!ret)
			ret = aimc_deploy(dev, net, &p, NULL, NULL, &d);
		if (ret) {
			fprintf(stderr, "aimc-program: %s: %s\n", modes[m].name, aimc_last_error());
			aimc_device_close(dev);
			return 1;
		}
		aimc_deployment_stats(d, &s[m]);
		aimc_deployment_free(d);
		aimc_device_close(dev);
	}
	printf("%-26s %12s %10s %10s %10s %10s %12s\n", "method", "pulses/cell",
	       "mean nS", "rms nS", "p99 nS", "max nS", "in band %");
	for (m = 0; m < 3; m++)
		printf("%-26s %12.2f %10.0f %10.0f %10.0f %10.0f %12.3f\n", modes[m].name,
		       s[m].pulses_per_cell, s[m].err_mean_ns, s[m].err_rms_ns,
		       s[m].err_p99_ns, s[m].err_max_ns, s[m].in_tolerance_pct);
	printf("(same sim card for each: seed %llu; errors from the final READ, "
	       "stuck cells excluded; open loop: 1 TARGET programming per cell, no pulses)\n",
	       (unsigned long long)seed);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: aimc-program MODEL [--device sim|drm|auto] [--tolerance NS]\n"
		"                    [--iterations N] [--pulse-budget N] [--seed N] [--compare]\n");
}

int main(int argc, char **argv)
{
	struct progress_ctx pc = { .tty = isatty(STDERR_FILENO) };
	struct aimc_program_params params;
	const char *model = NULL, *device = "auto";
	struct aimc_deployment *d;
	struct aimc_network *net;
	struct aimc_device *dev;
	struct aimc_deploy_stats s;
	uint64_t seed = 1;
	int do_compare = 0, i, ret;

	aimc_program_params_init(&params);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--compare")) {
			do_compare = 1;
		} else if (!strcmp(a, "--device") && v) {
			device = v;
			i++;
		} else if (!strcmp(a, "--tolerance") && v) {
			params.tolerance_ns = (uint32_t)strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--iterations") && v) {
			params.max_iterations = (uint32_t)strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--pulse-budget") && v) {
			params.max_pulses_per_cell = (uint32_t)strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--seed") && v) {
			seed = strtoull(v, NULL, 0);
			i++;
		} else if (a[0] != '-' && !model) {
			model = a;
		} else {
			usage();
			return 2;
		}
	}
	if (!model) {
		usage();
		return 2;
	}
	ret = aimc_network_load(model, &net);
	if (ret) {
		fprintf(stderr, "aimc-program: %s\n", aimc_last_error());
		return 1;
	}
	if (do_compare) {
		ret = compare(net, &params, seed);
		aimc_network_free(net);
		return ret;
	}
	ret = open_device(device, seed, &dev);
	if (ret) {
		fprintf(stderr, "aimc-program: %s\n", aimc_last_error());
		aimc_network_free(net);
		return 1;
	}
	ret = aimc_deploy(dev, net, &params, show_progress, &pc, &d);
	if (pc.tty)
		fputc('\n', stderr);
	if (ret) {
		fprintf(stderr, "aimc-program: %s\n", aimc_last_error());
		aimc_device_close(dev);
		aimc_network_free(net);
		return 1;
	}
	aimc_deployment_stats(d, &s);
	printf("%s on %s\n", model, device);
	summary(&s, params.tolerance_ns);
	aimc_deployment_free(d);
	aimc_device_close(dev);
	aimc_network_free(net);
	return 0;
}
