// SPDX-License-Identifier: MIT
/*
 * aimc-run: load a model, program it on a card with write-verify, stream
 * an input file through it and print predictions and a summary
 * (aimc-run(1)).  --program-only stops after programming; --compare
 * programs the model on three identical sim cards with open-loop, naive
 * fixed-pulse and adaptive write-verify and prints their figures side by
 * side.
 *
 * Order of work: every option, the model file and the whole input are
 * checked first (exit status 2 naming the option or the input line), and
 * only then is a card opened and programmed (failures there: 1).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aimc.h"
#include "aimc-run-input.h"
#include "aimc-run-report.h"

#define EXIT_CARD	1	/* the card or the library failed */
#define EXIT_USAGE	2	/* the command line, the model or the input */

struct options {
	const char *model, *input, *device;
	uint32_t chunk;			/* 0: the model's largest */
	bool chunk_set;
	uint64_t seed;
	bool seed_set, noise_free, program_only, compare, json, quiet;
	uint64_t refresh_after_ns;	/* 0: report only */
	uint32_t preset;		/* sim: aimc_sim_preset_name() index */
	bool preset_set;
	uint64_t age_s;			/* sim: idle this long before streaming */
	uint64_t compensate_ns;		/* drift compensation period, 0: none */
	bool compensate_global;
	struct aimc_program_params params;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: aimc-run MODEL [--input FILE|-] [--device sim|drm|auto] [--chunk N]\n"
"                [--seed S] [--noise-free] [--tolerance NS] [--rounds N]\n"
"                [--pulse-budget N] [--refresh-after SECONDS] [--preset NAME]\n"
"                [--age SECONDS] [--open-loop | --band-per-code PCT]\n"
"                [--compensate SECONDS | --compensate-global SECONDS]\n"
"                [--json] [--quiet]\n"
"                [--program-only | --compare]\n"
"       aimc-run --version | --help\n"
"\n"
"Load an aimc-ssm MODEL, program its weights into an AIMC card's cells with\n"
"write-verify, stream the input through it and print a prediction per\n"
"sequence and a summary.\n"
"\n"
"Options:\n"
"  -i, --input FILE        the input (format below); - is standard input, the\n"
"                          default unless standard input is a terminal\n"
"  -d, --device KIND       sim (default): a card simulated in this process;\n"
"                          drm: the first card driven by aimc.ko;\n"
"                          auto: drm if a card is found, else sim (says so)\n"
"  -c, --chunk N           steps per submission, 1..the model's largest (default)\n"
"  -s, --seed S            sim: the card's manufacture and noise seed, >= 1 (1)\n"
"  -n, --noise-free        sim: exact cells (equals the integer reference)\n"
"      --tolerance NS      write-verify band around each target, nanosiemens,\n"
"                          1..the card's conductance range (500)\n"
"      --rounds N          write-verify rounds per tile at most, 1..%u (40)\n"
"      --pulse-budget N    pulses one cell may take, 1..%u (1500)\n"
"      --refresh-after S   re-verify the cells once they have drifted S seconds\n"
"                          (default: only report when 10 s have passed)\n"
"      --open-loop         program each cell once to its target, no verify rounds\n"
"      --band-per-code P   precision-aware write-verify: each tile's band is P %%\n"
"                          of its weight code step (never below --tolerance)\n"
"      --compensate S      drift compensation instead of refreshes: the column\n"
"                          gains are rescaled to a reference response\n"
"                          measured after programming, before a job once S\n"
"                          seconds have passed since the last (aimc_net_compensate(3))\n"
"      --compensate-global S  the same with one factor per crossbar\n"
"      --preset NAME       sim: the cells' technology, pcm (default) or rram\n"
"                          (emulator/model/aimc_presets.def)\n"
"      --age S             sim: let the programmed card sit idle S seconds of\n"
"                          its clock before streaming (its cells drift)\n"
"      --program-only      stop after programming and its summary\n"
"      --compare           program the model on three identical sim cards\n"
"                          (open-loop, naive, write-verify) and compare\n"
"      --json              standard output is one JSON object (aimc-run(1))\n"
"  -q, --quiet             no progress display\n"
"  -V, --version           versions of aimc-run and libaimc\n"
"  -h, --help              this text\n"
"\n"
"Input (text): '#' starts a comment line.  'LABEL: v v v ...' is one\n"
"sequence of T steps x d_input values, step major; LABEL is a class\n"
"0..n_classes-1 or '?'.  Each sequence starts from a zero state and is\n"
"answered with the class of its pooled logits.  A line 'v v v ...' without a\n"
"colon is steps of d_input values; consecutive such lines form one open\n"
"sequence whose per-step outputs are printed and which ends at the next\n"
"labelled line or the end of the input.  Values: blanks or commas between.\n"
"\n"
"Output: results on standard output (text, or --json); progress, notes and\n"
"errors on standard error.  Errors name the option or FILE:LINE.\n"
"\n"
"Exit status: 0 success (wrong predictions are not failures); 1 the card or\n"
"the library failed (no device, the model does not fit, programming or\n"
"streaming failed); 2 usage: an unknown option, a bad option value, or a\n"
"model or input file that cannot be read or is malformed, all found before\n"
"the card is touched.\n",
		AIMC_PROGRAM_MAX_ROUNDS, AIMC_PROGRAM_MAX_PULSES_PER_CELL);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("aimc-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(aimc-run --help for the options)\n", stderr);
	exit(EXIT_USAGE);
}

/* @v as a whole number in [min, max], or exit 2 naming @opt. */
static uint64_t parse_number(const char *opt, const char *v, uint64_t min,
			     uint64_t max)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!*v || *v == '-' || *v == '+' || *end || errno == ERANGE)
		usage_error("%s %s: not a whole number %" PRIu64 "..%" PRIu64,
			    opt, v, min, max);
	if (n < min || n > max)
		usage_error("%s %s: must be %" PRIu64 "..%" PRIu64, opt, v, min, max);
	return n;
}

/* --preset NAME: one of the sim's presets, by name */
static void parse_preset(const char *name, struct options *o)
{
	char names[256] = "";
	const char *n;
	uint32_t i;

	for (i = 0; (n = aimc_sim_preset_name(i)); i++) {
		if (!strcmp(n, name)) {
			o->preset = i;
			o->preset_set = true;
			return;
		}
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ", " : "", n);
	}
	usage_error("--preset %s: not one of %s", name, names);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_TOL = 256, OPT_ROUNDS, OPT_BUDGET, OPT_REFRESH, OPT_PROGRAM_ONLY,
	       OPT_COMPARE, OPT_JSON, OPT_PRESET, OPT_AGE, OPT_BAND, OPT_COMP,
	       OPT_COMP_GLOBAL, OPT_OPEN_LOOP };
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "device", required_argument, NULL, 'd' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "noise-free", no_argument, NULL, 'n' },
		{ "tolerance", required_argument, NULL, OPT_TOL },
		{ "rounds", required_argument, NULL, OPT_ROUNDS },
		{ "iterations", required_argument, NULL, OPT_ROUNDS },	/* API 1's name */
		{ "pulse-budget", required_argument, NULL, OPT_BUDGET },
		{ "refresh-after", required_argument, NULL, OPT_REFRESH },
		{ "program-only", no_argument, NULL, OPT_PROGRAM_ONLY },
		{ "compare", no_argument, NULL, OPT_COMPARE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "preset", required_argument, NULL, OPT_PRESET },
		{ "age", required_argument, NULL, OPT_AGE },
		{ "band-per-code", required_argument, NULL, OPT_BAND },
		{ "compensate", required_argument, NULL, OPT_COMP },
		{ "open-loop", no_argument, NULL, OPT_OPEN_LOOP },
		{ "compensate-global", required_argument, NULL, OPT_COMP_GLOBAL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char flag[32];
	int opt, index = 0;

	memset(o, 0, sizeof(*o));
	o->device = "sim";
	o->seed = 1;
	aimc_program_params_init(&o->params);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:d:c:s:nqVh", opts, &index)) != -1) {
		switch (opt) {
		case 'i': o->input = optarg; break;
		case 'd':
			if (strcmp(optarg, "sim") && strcmp(optarg, "drm") && strcmp(optarg, "auto"))
				usage_error("--device %s: not sim, drm or auto", optarg);
			o->device = optarg;
			break;
		case 'c':
			/* its range is the model's, checked once the model is read */
			o->chunk = (uint32_t)parse_number("--chunk", optarg, 0, UINT32_MAX);
			o->chunk_set = true;
			break;
		case 's':
			o->seed = parse_number("--seed", optarg, 1, UINT64_MAX);
			o->seed_set = true;
			break;
		case 'n': o->noise_free = true; break;
		case OPT_TOL:
			/* the card's range is checked once a card is open */
			o->params.tolerance_nsiemens =
				(uint32_t)parse_number("--tolerance", optarg, 1, UINT16_MAX);
			break;
		case OPT_ROUNDS:
			/* named as given: --rounds, or API 1's --iterations */
			snprintf(flag, sizeof(flag), "--%s", opts[index].name);
			o->params.max_rounds = (uint32_t)parse_number(flag, optarg, 1,
								      AIMC_PROGRAM_MAX_ROUNDS);
			break;
		case OPT_BUDGET:
			o->params.max_pulses_per_cell =
				(uint32_t)parse_number("--pulse-budget", optarg, 1,
						       AIMC_PROGRAM_MAX_PULSES_PER_CELL);
			break;
		case OPT_REFRESH:
			o->refresh_after_ns = parse_number("--refresh-after", optarg, 1,
							   UINT64_MAX / 1000000000ull) *
					      1000000000ull;
			break;
		case OPT_PROGRAM_ONLY: o->program_only = true; break;
		case OPT_COMPARE: o->compare = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_PRESET:
			parse_preset(optarg, o);
			break;
		case OPT_BAND:
			o->params.flags |= AIMC_PROGRAM_PRECISION_AWARE;
			o->params.band_per_code_pct =
				(uint32_t)parse_number("--band-per-code", optarg, 1, 200);
			break;
		case OPT_OPEN_LOOP:
			o->params.flags |= AIMC_PROGRAM_OPEN_LOOP;
			break;
		case OPT_COMP:
		case OPT_COMP_GLOBAL:
			o->compensate_global = opt == OPT_COMP_GLOBAL;
			o->compensate_ns = parse_number(opt == OPT_COMP ? "--compensate" :
							"--compensate-global", optarg, 1,
							UINT64_MAX / 1000000000ull) *
					   1000000000ull;
			break;
		case OPT_AGE:
			/* up to ten years of the card's clock */
			o->age_s = parse_number("--age", optarg, 0, 315360000ull);
			break;
		case 'q': o->quiet = true; break;
		case 'V':
			printf("aimc-run %s (libaimc %s, API %d.%d)\n", AIMC_PACKAGE_VERSION,
			       aimc_version(), AIMC_API_VERSION_MAJOR, AIMC_API_VERSION_MINOR);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("%s needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind == argc)
		usage_error("no MODEL given");
	if (optind < argc - 1)
		usage_error("one MODEL only, got '%s' too", argv[optind + 1]);
	o->model = argv[optind];
	if (o->program_only && o->compare)
		usage_error("--program-only and --compare exclude each other");
	if (o->params.stall_rounds > o->params.max_rounds)
		o->params.stall_rounds = o->params.max_rounds;
	if (!strcmp(o->device, "drm") && (o->seed_set || o->noise_free || o->preset_set ||
					  o->age_s))
		usage_error("--%s: only for the sim card, not --device drm",
			    o->seed_set ? "seed" : o->noise_free ? "noise-free" :
			    o->preset_set ? "preset" : "age");
	if ((o->params.flags & AIMC_PROGRAM_OPEN_LOOP) &&
	    (o->params.flags & AIMC_PROGRAM_PRECISION_AWARE))
		usage_error("--open-loop and --band-per-code exclude each other");
	if (o->compensate_ns && o->refresh_after_ns)
		usage_error("--compensate and --refresh-after exclude each other");
	if (o->compare && strcmp(o->device, "sim"))
		usage_error("--compare: on sim cards only, not --device %s", o->device);
	if (o->compare && (o->json || o->input))
		usage_error("--compare takes no --%s", o->json ? "json" : "input");
}

/* The input, checked against the model, before anything else happens. */
static void read_input(const struct options *o, const struct aimc_model_info *mi,
		       struct run_input *in)
{
	const char *name = o->input ? o->input : "-";
	char err[512];
	FILE *f;
	int ret;

	if (!o->input && isatty(STDIN_FILENO))
		usage_error("no input: give --input FILE, or - and pipe it to standard input");
	f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	if (!f)
		usage_error("--input %s: %s", name, strerror(errno));
	ret = run_input_read(f, strcmp(name, "-") ? name : "standard input",
			     mi->d_input, mi->n_classes, in, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret)
		usage_error("%s", err);
}

static int open_device(const struct options *o, const char *kind,
		       struct aimc_device **dev)
{
	struct aimc_sim_options so;

	if (!strcmp(kind, "drm"))
		return aimc_device_open(AIMC_BACKEND_DRM, 0, dev);
	if (!strcmp(kind, "auto") && aimc_device_count(AIMC_BACKEND_DRM) > 0) {
		if (o->seed_set || o->noise_free || o->preset_set || o->age_s)
			fprintf(stderr, "aimc-run: note: --device auto found a card: --seed, --noise-free, --preset and --age do not apply\n");
		return aimc_device_open(AIMC_BACKEND_DRM, 0, dev);
	}
	if (!strcmp(kind, "auto"))
		fprintf(stderr, "aimc-run: note: --device auto found no card: using the simulated card\n");
	memset(&so, 0, sizeof(so));
	so.seed = o->seed;
	so.flags = o->noise_free ? AIMC_SIM_NOISE_FREE : 0;
	so.preset = o->preset;
	return aimc_device_open_sim(&so, dev);
}

struct progress_ctx {
	bool tty;
	uint32_t last_tile;
};

/* A bar redrawn in place on a terminal, one line per tile otherwise. */
static int progress(const struct aimc_program_progress *p, void *ctx)
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
			bar, pct, p->tile_index + 1, p->tiles, p->round);
		return 0;
	}
	if (p->tile_index + 1 != c->last_tile) {
		c->last_tile = p->tile_index + 1;
		fprintf(stderr, "programming: tile %u of %u\n", p->tile_index + 1, p->tiles);
	}
	return 0;
}

/* Program @net and report; 0 or EXIT_CARD. */
static int program(const struct options *o, struct aimc_device *dev,
		   struct aimc_net *net, struct report *rep)
{
	struct progress_ctx pc = { .tty = isatty(STDERR_FILENO) };
	struct aimc_device_telemetry t0e, t1e;
	struct aimc_program_stats s;
	double t0 = now_s();
	bool energy = !aimc_device_telemetry(dev, &t0e, sizeof(t0e)) &&
		      (t0e.flags & AIMC_TELEMETRY_ENERGY);
	int ret = aimc_net_program(net, &o->params, o->quiet ? NULL : progress, &pc);

	if (pc.tty && !o->quiet)
		fputc('\n', stderr);
	if (!ret)
		ret = aimc_net_program_stats(net, &s, sizeof(s));
	if (ret) {
		fprintf(stderr, "aimc-run: %s\n", aimc_last_error());
		return EXIT_CARD;
	}
	report_programming(rep, &s, o->params.tolerance_nsiemens, now_s() - t0);
	if (energy && !aimc_device_telemetry(dev, &t1e, sizeof(t1e)))
		report_programming_energy(rep, t1e.energy_fj - t0e.energy_fj,
					  t1e.busy_ns - t0e.busy_ns);
	return 0;
}

static int argmax(const float *v, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return (int)best;
}

/* Run every sequence of @in on one stream; 0 or EXIT_CARD. */
static int stream_input(const struct options *o, struct aimc_device *dev,
			struct aimc_net *net, const struct aimc_net_info *info,
			const struct run_input *in, struct report *rep)
{
	struct run_summary sum = { .chunk = o->chunk ? o->chunk : info->max_chunk };
	struct aimc_device_telemetry e0, e1;
	bool energy = !aimc_device_telemetry(dev, &e0, sizeof(e0)) &&
		      (e0.flags & AIMC_TELEMETRY_ENERGY);
	float *out = malloc(sizeof(float) * info->d_output);
	float logits[256];
	struct aimc_net_info after;
	struct aimc_stream *s = NULL;
	unsigned long step = 0;
	size_t i;
	uint32_t t;
	double t0;
	int ret = out ? aimc_stream_open(net, &s) : -ENOMEM;

	if (!ret)
		ret = aimc_stream_set_chunk(s, sum.chunk);
	for (i = 0; !ret && i < in->n_seqs; i++) {
		const struct run_seq *q = &in->seqs[i];

		t0 = now_s();
		/* an open sequence: step by step, each output printed */
		for (t = 0; q->open && !ret && t < q->n_steps; t++) {
			ret = aimc_stream_push(s, q->values + (size_t)t * info->d_input,
					       info->d_input, 1, out);
			sum.submissions++;
			if (!ret)
				report_step(rep, ++step, out, info->d_output);
		}
		if (!q->open && !ret) {
			ret = aimc_stream_push(s, q->values, info->d_input, q->n_steps, NULL);
			sum.submissions += (q->n_steps + sum.chunk - 1) / sum.chunk;
		}
		if (!ret)
			ret = aimc_stream_finish(s, logits, 0);
		sum.submissions++;
		sum.stream_s += now_s() - t0;
		sum.steps += q->n_steps;
		if (ret)
			break;
		sum.sequences++;
		sum.labelled += q->labelled;
		sum.correct += q->labelled && argmax(logits, info->n_classes) == q->label;
		report_sequence(rep, sum.sequences, q->line, q->labelled ? q->label : -1,
				argmax(logits, info->n_classes), logits, info->n_classes);
	}
	if (ret)
		fprintf(stderr, "aimc-run: streaming%s: %s\n",
			i < in->n_seqs ? " the input" : "", aimc_last_error());
	if (energy && !aimc_device_telemetry(dev, &e1, sizeof(e1))) {
		sum.energy = true;
		sum.energy_kinds = !!(e0.flags & e1.flags & AIMC_TELEMETRY_ENERGY_KINDS);
		sum.energy_fj = e1.energy_fj - e0.energy_fj;
		sum.energy_kind_fj[0] = e1.energy_dac_fj - e0.energy_dac_fj;
		sum.energy_kind_fj[1] = e1.energy_xbar_fj - e0.energy_xbar_fj;
		sum.energy_kind_fj[2] = e1.energy_adc_fj - e0.energy_adc_fj;
		sum.energy_kind_fj[3] = e1.energy_dpu_fj - e0.energy_dpu_fj;
		sum.energy_kind_fj[4] = e1.energy_program_fj - e0.energy_program_fj;
		sum.busy_ns = e1.busy_ns - e0.busy_ns;
	}
	sum.baseline_fj = (double)info->baseline_fj_per_step * (double)sum.steps +
			  (double)info->baseline_fj_per_sequence * (double)sum.sequences;
	if (!aimc_net_info(net, &after, sizeof(after))) {
		sum.age_ns = after.age_ns;
		sum.refresh_due = after.refresh_due;
		sum.refreshes = after.refreshes;
		sum.compensations = after.compensations;
		if (after.refresh_due && !o->quiet)
			fprintf(stderr, "aimc-run: note: the cells have drifted %.1f s since programming: a refresh is due (--refresh-after)\n",
				(double)after.age_ns * 1e-9);
	}
	report_summary(rep, &sum);
	aimc_stream_close(s);
	free(out);
	return ret ? EXIT_CARD : 0;
}

/* The same model on three identical sim cards, three ways to program. */
static int compare(const struct options *o)
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
		struct aimc_program_params p = o->params;
		struct aimc_device *dev = NULL;
		struct aimc_net *net = NULL;
		int ret;

		p.flags = modes[m].flags;
		ret = open_device(o, "sim", &dev);
		if (!ret)
			ret = aimc_net_open(dev, o->model, AIMC_NET_NO_PROGRAM, &net);
		if (!ret)
			ret = aimc_net_program(net, &p, NULL, NULL);
		if (!ret)
			ret = aimc_net_program_stats(net, &s[m], sizeof(s[m]));
		if (ret)
			fprintf(stderr, "aimc-run: %s: %s\n", modes[m].name, aimc_last_error());
		aimc_net_close(net);
		aimc_device_close(dev);
		if (ret)
			return EXIT_CARD;
	}
	printf("%-26s %12s %7s %10s %10s %10s %10s %12s\n", "method", "pulses/cell",
	       "rounds", "mean nS", "rms nS", "p99 nS", "max nS", "in band %");
	for (m = 0; m < 3; m++)
		printf("%-26s %12.2f %7u %10.0f %10.0f %10.0f %10.0f %12.3f\n", modes[m].name,
		       s[m].pulses_per_cell, s[m].rounds, s[m].err_mean_nsiemens,
		       s[m].err_rms_nsiemens, s[m].err_p99_nsiemens, s[m].err_max_nsiemens,
		       s[m].in_tolerance_pct);
	printf("(same sim card for each: seed %" PRIu64 "; errors from the final READ, "
	       "stuck cells excluded; open loop: 1 TARGET programming per cell, no pulses)\n",
	       o->seed);
	return 0;
}

/* The card's part: open, check what needs the card, program, stream. */
static int run_on_card(const struct options *o, const struct run_input *in)
{
	struct aimc_refresh_policy policy = { 0 };
	struct aimc_device_info dinfo;
	struct aimc_net_info info;
	struct aimc_device *dev = NULL;
	struct aimc_net *net = NULL;
	struct report *rep;
	uint32_t range;
	int ret, status = EXIT_CARD;

	ret = open_device(o, o->device, &dev);
	if (!ret)
		ret = aimc_device_info(dev, &dinfo, sizeof(dinfo));
	if (ret) {
		fprintf(stderr, "aimc-run: --device %s: %s\n", o->device, aimc_last_error());
		aimc_device_close(dev);
		return EXIT_CARD;
	}
	range = dinfo.g_max_nsiemens - dinfo.g_min_nsiemens;
	if (o->params.tolerance_nsiemens > range) {
		aimc_device_close(dev);
		usage_error("--tolerance %u: must be 1..%u (the card's conductance range, nS)",
			    o->params.tolerance_nsiemens, range);
	}
	rep = report_new(o->json);
	ret = rep ? aimc_net_open(dev, o->model, AIMC_NET_NO_PROGRAM, &net) : -ENOMEM;
	if (!ret)
		ret = aimc_net_info(net, &info, sizeof(info));
	if (!ret && o->refresh_after_ns) {
		policy.max_age_ns = o->refresh_after_ns;
		policy.flags = AIMC_REFRESH_AUTO;
		ret = aimc_net_set_refresh_policy(net, &policy);
	}
	if (!ret && o->compensate_ns) {
		policy.max_age_ns = o->compensate_ns;
		policy.flags = AIMC_REFRESH_COMPENSATE |
			       (o->compensate_global ? AIMC_REFRESH_COMPENSATE_GLOBAL : 0);
		ret = aimc_net_set_refresh_policy(net, &policy);
	}
	if (ret) {
		fprintf(stderr, "aimc-run: %s\n", aimc_last_error());
	} else {
		report_model(rep, o->model, &dinfo,
			     o->noise_free && dinfo.backend == AIMC_BACKEND_SIM, &info);
		status = program(o, dev, net, rep);
		if (!status && o->age_s &&
		    aimc_device_advance_clock(dev, o->age_s * 1000000000ull)) {
			fprintf(stderr, "aimc-run: --age: %s\n", aimc_last_error());
			status = EXIT_CARD;
		}
		if (!status && !o->program_only)
			status = stream_input(o, dev, net, &info, in, rep);
	}
	report_end(rep);
	aimc_net_close(net);
	aimc_device_close(dev);
	return status;
}

int main(int argc, char **argv)
{
	struct aimc_model_info mi;
	struct run_input in = { 0 };
	struct options o;
	int status;

	parse_options(argc, argv, &o);
	if (aimc_model_info(o.model, &mi, sizeof(mi)))
		usage_error("%s", aimc_last_error());
	if (!mi.weight_bits)
		usage_error("%s: a float model: only quantized models have codes to program",
			    o.model);
	if (o.chunk_set && (!o.chunk || o.chunk > mi.max_chunk))
		usage_error("--chunk %u: must be 1..%u for this model", o.chunk, mi.max_chunk);
	if (o.compare)
		return compare(&o);
	if (!o.program_only)
		read_input(&o, &mi, &in);
	status = run_on_card(&o, &in);
	run_input_free(&in);
	return status;
}
