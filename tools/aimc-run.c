// SPDX-License-Identifier: MIT
/*
 * aimc-run: load a model, program it on a card, stream an input file
 * through it and print predictions and a summary.
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

static void progress(void *ctx, uint32_t done, uint32_t total)
{
	bool tty = *(bool *)ctx;

	if (tty) {
		int w = 30, fill = (int)(w * done / total);

		fprintf(stderr, "\rprogramming [%.*s%*s] %u/%u crossbars", fill,
			"==============================", w - fill, "", done, total);
		if (done == total)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "programming: crossbar %u of %u written\n", done,
			total);
	}
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
		   "                [--seed S] [--noise-free]\n");
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "device", required_argument, NULL, 'd' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "noise-free", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = "-", *device = "sim";
	struct run r = { .chunk = 0 };
	struct aimc_device_info dinfo;
	struct aimc_device *dev;
	struct aimc_net *net;
	bool noise_free = false, tty = isatty(2);
	uint64_t seed = 1;
	double t0;
	FILE *in;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "i:d:c:s:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': input = optarg; break;
		case 'd': device = optarg; break;
		case 'c': r.chunk = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': noise_free = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	ret = open_device(device, seed, noise_free, &dev);
	if (ret) {
		fprintf(stderr, "aimc-run: device %s: %s\n", device,
			ret == -EINVAL ? "unknown kind" : aimc_last_error());
		return 1;
	}
	aimc_device_info(dev, &dinfo);
	ret = aimc_net_open(dev, argv[optind], AIMC_NET_NO_PROGRAM, &net);
	if (ret) {
		fprintf(stderr, "aimc-run: %s\n", aimc_last_error());
		return 1;
	}
	aimc_net_info(net, &r.info);
	printf("model %s on %s (%s): d_input %u, %u layers, %u classes, %u tiles, %u cells, %u MVMs/step\n",
	       argv[optind], dinfo.node, aimc_backend_name(dinfo.backend),
	       r.info.d_input, r.info.n_layers, r.info.n_classes, r.info.tiles,
	       r.info.cells, r.info.mvms_per_step);
	t0 = now_s();
	ret = aimc_net_program(net, progress, &tty);
	if (ret) {
		fprintf(stderr, "aimc-run: programming: %s\n", aimc_last_error());
		return 1;
	}
	printf("programmed %u crossbars (%u cells) in %.2f s (open loop%s)\n",
	       r.info.n_layers + 2, r.info.cells, now_s() - t0,
	       noise_free ? ", noise-free card" : "");
	ret = aimc_stream_open(net, &r.s);
	if (!ret && r.chunk)
		ret = aimc_stream_set_chunk(r.s, r.chunk);
	if (ret) {
		fprintf(stderr, "aimc-run: stream: %s\n", aimc_last_error());
		return 1;
	}
	if (!r.chunk)
		r.chunk = r.info.max_chunk;
	in = strcmp(input, "-") ? fopen(input, "r") : stdin;
	if (!in) {
		fprintf(stderr, "aimc-run: %s: %s\n", input, strerror(errno));
		return 1;
	}
	ret = stream_file(&r, in);
	if (ret && ret != -EINVAL)
		fprintf(stderr, "aimc-run: streaming: %s\n", aimc_last_error());
	printf("summary: %lu sequences, %lu samples, %lu submissions, chunk %u, %.1f us per step",
	       r.seqs, r.steps, r.submissions, r.chunk,
	       r.steps ? r.stream_s * 1e6 / r.steps : 0.0);
	if (r.labelled)
		printf(", accuracy %.1f %% (%lu of %lu)", 100.0 * r.correct / r.labelled,
		       r.correct, r.labelled);
	printf("\n");
	aimc_net_close(net);
	aimc_device_close(dev);
	return ret ? 1 : 0;
}
