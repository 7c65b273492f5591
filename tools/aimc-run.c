// SPDX-License-Identifier: MIT
/*
 * aimc-run: load a model, program it on a card with write-verify, stream
 * an input file through it and print predictions and a summary.
 * --program-only stops after programming; --compare programs the model
 * on three identical sim cards with open-loop, naive fixed-pulse and
 * adaptive write-verify and prints their figures side by side.
 *
 * Input (text, `-` for stdin): `#` starts a comment line; a line
 * `LABEL: v v v ...` is one sequence (T steps x d_input values, step
 * major; LABEL an integer class or `?`), run from a reset state and
 * answered with the class of its pooled logits.  A line without a colon
 * is one step of d_input values; such steps form one open sequence whose
 * per-step outputs are printed, and whose prediction follows at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aimc.h"

struct run {
	struct aimc_net_info info;
	struct aimc_stream *s;
	uint32_t chunk;
	unsigned long seqs, labelled, correct, steps, submissions;
	double stream_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct progress_ctx {
	bool tty;
	uint32_t last_tile;
};

/* A bar redrawn in place on a terminal; one line per tile otherwise. */
static void progress(const struct aimc_program_progress *p, void *ctx)
{
	struct progress_ctx *c = ctx;
	unsigned int pct = p->cells_total ?
			   (unsigned int)(100 * p->cells_done / p->cells_total) : 100;
	char bar[41];
	unsigned int i;

	if (c->tty) {
		for (i = 0; i < 40; i++)
			bar[i] = i < pct * 40 / 100 ? '#' : '.';
		bar[40] = 0;
		fprintf(stderr, "\rprogramming [%s] %3u %%  tile %u/%u  round %u  ",
			bar, pct, p->tile_index + 1, p->tiles, p->iteration);
		return;
	}
	if (p->tile_index + 1 == c->last_tile)
		return;
	c->last_tile = p->tile_index + 1;
	printf("programming: tile %u of %u, %llu of %llu cells done\n",
	       p->tile_index + 1, p->tiles, (unsigned long long)p->cells_done,
	       (unsigned long long)p->cells_total);
}

static void program_summary(const struct aimc_program_stats *s, uint32_t tol,
			    double secs)
{
	printf("%-28s %u\n", "tiles used", s->tiles_used);
	printf("%-28s %llu\n", "cells used", (unsigned long long)s->cells_used);
	printf("%-28s %u\n", "rounds (most of any tile)", s->iterations);
	printf("%-28s %llu (%.2f per cell)\n", "pulses",
	       (unsigned long long)s->pulses, s->pulses_per_cell);
	printf("%-28s %llu in %.2f s\n", "jobs", (unsigned long long)s->jobs, secs);
	printf("%-28s %.3f %% (%llu cells, band %u nS)\n", "in tolerance",
	       s->in_tolerance_pct, (unsigned long long)s->cells_in_tolerance, tol);
	printf("%-28s mean %.0f  rms %.0f  p99 %.0f  max %.0f nS\n",
	       "final error (read)", s->err_mean_ns, s->err_rms_ns, s->err_p99_ns,
	       s->err_max_ns);
	printf("%-28s %llu\n", "stuck cells", (unsigned long long)s->stuck_cells);
	printf("%-28s %llu of %llu (pair error mean %.0f, max %.0f nS)\n",
	       "compensated pairs", (unsigned long long)s->compensated_pairs,
	       (unsigned long long)s->pairs_with_stuck, s->pair_err_mean_ns,
	       s->pair_err_max_ns);
	printf("%-28s %llu\n", "failed cells", (unsigned long long)s->failed_cells);
}

static int argmax(const float *v, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return (int)best;
}

static int push_timed(struct run *r, const float *v, uint32_t steps, float *out)
{
	double t0 = now_s();
	int ret = aimc_stream_push(r->s, v, r->info.d_input, steps, out);

	r->stream_s += now_s() - t0;
	r->submissions += (steps + r->chunk - 1) / r->chunk;
	r->steps += steps;
	return ret;
}

static int finish(struct run *r, long label, bool known)
{
	float logits[256];
	double t0 = now_s();
	int ret = aimc_stream_finish(r->s, logits), pred;

	r->stream_s += now_s() - t0;
	r->submissions++;
	if (ret)
		return ret;
	pred = argmax(logits, r->info.n_classes);
	r->seqs++;
	if (known) {
		r->labelled++;
		r->correct += pred == label;
		printf("sequence %lu: predicted %d, label %ld%s\n", r->seqs, pred,
		       label, pred == label ? "" : "  (wrong)");
	} else {
		printf("sequence %lu: predicted %d\n", r->seqs, pred);
	}
	return aimc_stream_reset(r->s);
}

/* Parse floats from @p into a growing array; returns the count. */
static size_t parse_values(char *p, float **buf, size_t *cap, int lineno)
{
	size_t n = 0;
	char *end;

	for (;;) {
		float v;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p || *p == '\n')
			break;
		v = strtof(p, &end);
		if (end == p) {
			fprintf(stderr, "aimc-run: line %d: not a number: %.20s\n",
				lineno, p);
			exit(2);
		}
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*buf = realloc(*buf, *cap * sizeof(float));
			if (!*buf)
				exit(3);
		}
		(*buf)[n++] = v;
		p = end;
	}
	return n;
}

static int stream_file(struct run *r, FILE *in)
{
	char *line = NULL, *colon;
	size_t len = 0, cap = 0, n, open_steps = 0;
	float *vals = NULL, *out = malloc(sizeof(float) * r->info.d_output);
	int lineno = 0, ret = 0;
	uint32_t c;

	while (!ret && getline(&line, &len, in) >= 0) {
		lineno++;
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
			continue;
		colon = strchr(line, ':');
		n = parse_values(colon ? colon + 1 : line, &vals, &cap, lineno);
		if (n % r->info.d_input || !n) {
			fprintf(stderr, "aimc-run: line %d: %zu values, not a multiple of d_input %u\n",
				lineno, n, r->info.d_input);
			ret = -EINVAL;
			break;
		}
		if (colon) {
			char *endp;
			long label = strtol(line, &endp, 10);
			bool known = endp != line && endp <= colon;

			ret = push_timed(r, vals, (uint32_t)(n / r->info.d_input), NULL);
			if (!ret)
				ret = finish(r, label, known);
			continue;
		}
		ret = push_timed(r, vals, 1, out);
		open_steps++;
		printf("step %zu:", open_steps);
		for (c = 0; c < r->info.d_output && !ret; c++)
			printf(" %.4f", out[c]);
		printf("\n");
	}
	if (!ret && open_steps)
		ret = finish(r, 0, false);
	free(line);
	free(vals);
	free(out);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: aimc-run MODEL [--input FILE|-] [--device sim|drm|auto] [--chunk N]\n"
		   "                [--seed S] [--noise-free] [--tolerance NS] [--iterations N]\n"
		   "                [--pulse-budget N] [--program-only | --compare]\n");
}

static int open_device(const char *kind, uint64_t seed, bool noise_free,
		       struct aimc_device **dev)
{
	struct aimc_sim_options o;

	if (!strcmp(kind, "drm"))
		return aimc_device_open(AIMC_BACKEND_DRM, 0, dev);
	if (!strcmp(kind, "auto") && aimc_device_count(AIMC_BACKEND_DRM) > 0)
		return aimc_device_open(AIMC_BACKEND_DRM, 0, dev);
	if (strcmp(kind, "sim") && strcmp(kind, "auto"))
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	o.seed = seed;
	o.flags = noise_free ? AIMC_SIM_NOISE_FREE : 0;
	return aimc_device_open_sim(&o, dev);
}

/* The same model on three identical sim cards, three ways to program. */
static int compare(const char *model, const struct aimc_program_params *base,
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
	struct aimc_program_stats s[3];
	size_t m;

	for (m = 0; m < 3; m++) {
		struct aimc_program_params p = *base;
		struct aimc_device *dev = NULL;
		struct aimc_net *net = NULL;
		int ret;

		p.flags = modes[m].flags;
		ret = open_device("sim", seed, false, &dev);
		if (!ret)
			ret = aimc_net_open(dev, model, AIMC_NET_NO_PROGRAM, &net);
		if (!ret)
			ret = aimc_net_program(net, &p, NULL, NULL);
		if (!ret)
			ret = aimc_net_program_stats(net, &s[m]);
		if (ret)
			fprintf(stderr, "aimc-run: %s: %s\n", modes[m].name,
				aimc_last_error());
		aimc_net_close(net);
		aimc_device_close(dev);
		if (ret)
			return 1;
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

/* Program @net, print the summary table; 0 or 1 (the exit status). */
static int program(struct aimc_net *net, const struct aimc_program_params *p)
{
	struct progress_ctx pc = { .tty = isatty(STDERR_FILENO) };
	struct aimc_program_stats s;
	double t0 = now_s();
	int ret = aimc_net_program(net, p, progress, &pc);

	if (pc.tty)
		fputc('\n', stderr);
	if (!ret)
		ret = aimc_net_program_stats(net, &s);
	if (ret) {
		fprintf(stderr, "aimc-run: programming: %s\n", aimc_last_error());
		return 1;
	}
	program_summary(&s, p->tolerance_ns, now_s() - t0);
	return 0;
}

static int stream_input(struct run *r, struct aimc_net *net, const char *input)
{
	FILE *in;
	int ret = aimc_stream_open(net, &r->s);

	if (!ret && r->chunk)
		ret = aimc_stream_set_chunk(r->s, r->chunk);
	if (ret) {
		fprintf(stderr, "aimc-run: stream: %s\n", aimc_last_error());
		return 1;
	}
	if (!r->chunk)
		r->chunk = r->info.max_chunk;
	in = strcmp(input, "-") ? fopen(input, "r") : stdin;
	if (!in) {
		fprintf(stderr, "aimc-run: %s: %s\n", input, strerror(errno));
		return 1;
	}
	ret = stream_file(r, in);
	if (in != stdin)
		fclose(in);
	if (ret && ret != -EINVAL)
		fprintf(stderr, "aimc-run: streaming: %s\n", aimc_last_error());
	printf("summary: %lu sequences, %lu samples, %lu submissions, chunk %u, %.1f us per step",
	       r->seqs, r->steps, r->submissions, r->chunk,
	       r->steps ? r->stream_s * 1e6 / r->steps : 0.0);
	if (r->labelled)
		printf(", accuracy %.1f %% (%lu of %lu)", 100.0 * r->correct / r->labelled,
		       r->correct, r->labelled);
	printf("\n");
	return ret ? 1 : 0;
}

static uint32_t parse_u32(const char *opt, const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 0);

	if (*v == '-' || *end || end == v || n > UINT32_MAX) {
		fprintf(stderr, "aimc-run: %s: not a number: %s\n", opt, v);
		exit(2);
	}
	return (uint32_t)n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "device", required_argument, NULL, 'd' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "noise-free", no_argument, NULL, 'n' },
		{ "tolerance", required_argument, NULL, 't' },
		{ "iterations", required_argument, NULL, 'I' },
		{ "pulse-budget", required_argument, NULL, 'b' },
		{ "program-only", no_argument, NULL, 'p' },
		{ "compare", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = "-", *device = "sim";
	struct aimc_program_params params;
	struct run r = { .chunk = 0 };
	struct aimc_device_info dinfo;
	struct aimc_device *dev;
	struct aimc_net *net;
	bool noise_free = false, program_only = false, do_compare = false;
	uint64_t seed = 1;
	int opt, ret;

	aimc_program_params_init(&params);
	while ((opt = getopt_long(argc, argv, "i:d:c:s:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': input = optarg; break;
		case 'd': device = optarg; break;
		case 'c': r.chunk = parse_u32("--chunk", optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': noise_free = true; break;
		case 't': params.tolerance_ns = parse_u32("--tolerance", optarg); break;
		case 'I': params.max_iterations = parse_u32("--iterations", optarg); break;
		case 'b': params.max_pulses_per_cell = parse_u32("--pulse-budget", optarg); break;
		case 'p': program_only = true; break;
		case 'C': do_compare = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || (program_only && do_compare)) {
		usage(stderr);
		return 2;
	}
	if (do_compare)
		return compare(argv[optind], &params, seed);
	ret = open_device(device, seed, noise_free, &dev);
	if (ret) {
		fprintf(stderr, "aimc-run: device %s: %s\n", device,
			ret == -EINVAL ? "unknown kind (sim, drm or auto)" :
			aimc_last_error());
		return 1;
	}
	aimc_device_info(dev, &dinfo);
	ret = aimc_net_open(dev, argv[optind], AIMC_NET_NO_PROGRAM, &net);
	if (ret) {
		fprintf(stderr, "aimc-run: %s\n", aimc_last_error());
		aimc_device_close(dev);
		return 1;
	}
	aimc_net_info(net, &r.info);
	printf("model %s on %s (%s%s): d_input %u, %u layers, %u classes, %u crossbars on %u tiles, %u cells, %u MVMs/step\n",
	       argv[optind], dinfo.node, aimc_backend_name(dinfo.backend),
	       noise_free && dinfo.backend == AIMC_BACKEND_SIM ? ", noise-free" : "",
	       r.info.d_input, r.info.n_layers, r.info.n_classes,
	       r.info.crossbars, r.info.tiles, r.info.cells, r.info.mvms_per_step);
	ret = program(net, &params);
	if (!ret && !program_only)
		ret = stream_input(&r, net, input);
	aimc_net_close(net);
	aimc_device_close(dev);
	return ret;
}
