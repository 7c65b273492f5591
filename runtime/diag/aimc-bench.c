// SPDX-License-Identifier: MIT
/*
 * aimc-bench: performance figures, each measured against a baseline in
 * the same run and reported as a median over repeated runs.
 *
 *   aimc-bench [--device drm|sim|auto] [--repeats N] [--csv FILE]
 *              [--json FILE] [--plots DIR] [--models DIR] [--quick]
 *              [--emu-knobs DIR] [--card LABEL] [SECTION...]
 *   aimc-bench --table CSV... [--json FILE]   one table from earlier runs
 *
 * Sections (sim: stream cost mem wv; drm: kernel):
 *   stream   time per step of each model streaming on the card against the
 *            float C reference of the same model (ref_float.c) and the
 *            integer reference; one stream and many; scaling with d_model,
 *            state size and layers; integer MACs per step as MAC/s against
 *            this core's measured peak
 *   cost     parameters, bits, tiles, cells, MVMs per step against the
 *            float model
 *   mem      peak RSS of a fresh process per configuration against
 *            sequence length and number of streams, card SRAM per stream,
 *            against the float reference doing the same work
 *   wv       write-verify against open-loop and naive program-and-verify
 *            on the same cells at three tolerances
 *   kernel   round trip of an empty job and of a streaming chunk through
 *            aimc.ko and the card as a ratio to a no-op DRM ioctl;
 *            throughput against jobs in flight and chunk size (drm only);
 *            with --emu-knobs (an aimc_emu card's debugfs directory) the
 *            empty job also with the card's worker running every
 *            descriptor (its inline_short knob off); with --card LABEL
 *            the rows' section is kernel-LABEL (e.g. kernel-pci for an
 *            aimc-pci card), so one table holds both kinds of card
 *
 * Models: every *.safetensors under --models (default tools/qat/models);
 * without any, in-memory models of the trainer's shapes (marked "mem:").
 */
#include <errno.h>
#include <glob.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm/aimc_accel.h>

#include "aimc.h"
#include "aimc_model.h"
#include "../job.h"
#include "../compile.h"
#include "../program.h"
#include "../sim_job.h"
#include "../stream_internal.h"
#include "synth_model.h"

#define BENCH_MAX_ROWS	256
#define BENCH_MAX_MODELS	8

struct bench_row {
	char section[16];
	char name[72];
	double value;
	char unit[16];
	char baseline[72];	/* empty: the row is a baseline itself */
	double ratio;		/* value / baseline value */
	int hidden;		/* in CSV and JSON only, not the printed table */
};

struct bench_model {
	char name[40];
	char path[512];		/* shipped model file, or "" */
	struct testmodel *tm;	/* in-memory model, or NULL */
};

struct bench {
	struct aimc_device *dev;
	unsigned int repeats;
	int quick;
	const char *plots;	/* directory for .dat and .gp files, or NULL */
	const char *models_dir;
	const char *emu_knobs;	/* the emulated card's debugfs directory, or NULL */
	char kernel_section[16];	/* the kernel section's rows: "kernel[-LABEL]" */
	struct bench_model models[BENCH_MAX_MODELS];
	unsigned int nmodels;
	/* a shipped float model (runs on the float reference only), or NULL */
	struct aimc_ssm *float_model;
	char float_name[40];
	struct bench_row rows[BENCH_MAX_ROWS];
	unsigned int nrows;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct bench_row *add_row(struct bench *b, const char *section,
				 const char *name, double value, const char *unit)
{
	struct bench_row *r;

	if (b->nrows == BENCH_MAX_ROWS) {
		fprintf(stderr, "aimc-bench: too many rows\n");
		exit(1);
	}
	r = &b->rows[b->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->section, sizeof(r->section), "%s", section);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->value = value;
	return r;
}

static void set_baseline(struct bench_row *r, const struct bench_row *base)
{
	snprintf(r->baseline, sizeof(r->baseline), "%s", base->name);
	r->ratio = base->value ? r->value / base->value : 0;
}

/*
 * One kernel-section row of a series whose first row (@k == 0) is the
 * baseline of the others; *@base holds that first row.
 */
static void add_kernel_series_row(struct bench *b, const char *name,
				  unsigned int k, double value, const char *unit,
				  struct bench_row **base)
{
	struct bench_row *r = add_row(b, b->kernel_section, name, value, unit);

	if (k == 0)
		*base = r;
	else
		set_baseline(r, *base);
}

static FILE *plot_file(const struct bench *b, const char *name)
{
	char path[512];
	FILE *f;

	if (!b->plots)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", b->plots, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "aimc-bench: cannot write %s\n", path);
	return f;
}

/* ---- models ---------------------------------------------------------- */

/*
 * The trainer's architecture (tools/qat/README.md: H = 64, N = 32 modes,
 * 3 layers, 10 classes) with the input widths of its two data sets: one
 * pixel per step (digits) and 40 log-mel bands (kws).  Used when no model
 * is shipped, and for the scaling sweep.
 */
static void find_models(struct bench *b)
{
	char pattern[600];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/*.safetensors", b->models_dir);
	if (!glob(pattern, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc && b->nmodels < BENCH_MAX_MODELS; i++) {
			struct bench_model *m = &b->models[b->nmodels];
			const char *base = strrchr(g.gl_pathv[i], '/');
			struct aimc_ssm *ssm;

			if (aimc_ssm_load(g.gl_pathv[i], &ssm) < 0) {
				fprintf(stderr, "aimc-bench: %s: %s (skipped)\n",
					g.gl_pathv[i], aimc_last_error());
				continue;
			}
			snprintf(m->path, sizeof(m->path), "%s", g.gl_pathv[i]);
			snprintf(m->name, sizeof(m->name), "%.30s",
				 base ? base + 1 : g.gl_pathv[i]);
			*strrchr(m->name, '.') = '\0';
			if (ssm->quantized) {
				aimc_ssm_free(ssm);
				b->nmodels++;
			} else if (!b->float_model) {
				/* no codes for the card: the float baseline */
				b->float_model = ssm;
				snprintf(b->float_name, sizeof(b->float_name), "%s", m->name);
			} else {
				aimc_ssm_free(ssm);
			}
		}
		globfree(&g);
	}
	if (b->nmodels) {
		printf("aimc-bench: models: %u quantized shipped under %s/, float baseline %s\n",
		       b->nmodels, b->models_dir,
		       b->float_model ? b->float_name : "none (computed: same shape unpruned)");
		return;
	}
	printf("aimc-bench: models: NONE shipped under %s/ (*.safetensors): the figures\n"
	       "  use in-memory models of the trainer's shapes (mem:*, random weights)\n",
	       b->models_dir);
	fprintf(stderr, "aimc-bench: no shipped models under %s/: using mem:* stand-ins\n",
		b->models_dir);
	b->models[0].tm = testmodel_new(1, 1, 64, 3, 32, 10);
	snprintf(b->models[0].name, sizeof(b->models[0].name), "mem:digits-shape");
	b->models[1].tm = testmodel_new(2, 40, 64, 3, 32, 10);
	snprintf(b->models[1].name, sizeof(b->models[1].name), "mem:kws-shape");
	b->nmodels = 2;
}

static int open_net(struct aimc_device *dev, const struct bench_model *bm,
		    struct aimc_net **net)
{
	int ret;

	if (bm->tm)
		ret = aimc_net_create(dev, &bm->tm->m, NULL, 0, net);
	else
		ret = aimc_net_open(dev, bm->path, 0, net);
	if (ret < 0)
		fprintf(stderr, "aimc-bench: %s: %s\n", bm->name, aimc_last_error());
	return ret;
}

static struct aimc_device *open_sim(int noise_free, uint64_t seed,
				    uint32_t stuck_ppm, int stuck_set)
{
	struct aimc_sim_options o;
	struct aimc_device *dev;

	memset(&o, 0, sizeof(o));
	o.seed = seed;
	o.flags = noise_free ? AIMC_SIM_NOISE_FREE : 0;
	if (stuck_set) {
		o.flags |= AIMC_SIM_STUCK;
		o.stuck_gmin_ppm = stuck_ppm / 2;
		o.stuck_gmax_ppm = stuck_ppm / 2;
	}
	if (aimc_device_open_sim(&o, &dev) < 0) {
		fprintf(stderr, "aimc-bench: sim: %s\n", aimc_last_error());
		return NULL;
	}
	return dev;
}

/* Integer multiply-accumulates of one step (the decoder runs once per
 * sequence and is left out): crossbars, then the digital unit's complex
 * recurrence (A x: 4, B u: 2, C x: 2 per mode) and D u.
 */
static void macs_per_step(const struct aimc_ssm *m, double *xbar, double *digital)
{
	uint32_t l;

	*xbar = (double)m->hk * m->d_input;
	*digital = 0;
	for (l = 0; l < m->n_layers; l++) {
		*xbar += (double)m->layers[l].mix.weight.rows * m->layers[l].mix.weight.cols;
		*digital += (double)m->hk * (8.0 * m->layers[l].ssm.n_modes + 1);
	}
}

static float *make_input(uint32_t steps, uint32_t width, unsigned int seed)
{
	float *u = malloc(sizeof(float) * steps * width);
	uint32_t t, i;

	if (!u)
		return NULL;
	srand(seed);
	for (t = 0; t < steps; t++)
		for (i = 0; i < width; i++)
			u[(size_t)t * width + i] = (float)(1.2 * sin(0.05 * t * (i + 1) + seed) +
							    0.6 * (rand() / (double)RAND_MAX - 0.5));
	return u;
}

/* ---- streaming on the sim backend ------------------------------------ */

static void close_streams(struct aimc_stream **s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (s[i])
			aimc_stream_close(s[i]);
}

/* Seconds per step: @n_streams streams of @net, @steps steps each, pushed
 * round robin one chunk (the net's largest) at a time, outputs read back.
 */
static int card_time(struct aimc_net *net, unsigned int n_streams,
		     const float *u, uint32_t steps, double *sec_per_step)
{
	struct aimc_stream *s[16] = { NULL };
	struct aimc_net_info info;
	float *out = NULL;
	uint32_t t, n;
	unsigned int i;
	double t0;
	int ret;

	ret = aimc_net_info(net, &info, sizeof(info));
	if (ret < 0 || n_streams > 16)
		return ret < 0 ? ret : -EINVAL;
	out = malloc(sizeof(float) * info.max_chunk * info.d_output);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n_streams && ret >= 0; i++)
		ret = aimc_stream_open(net, &s[i]);
	t0 = now_s();
	for (t = 0; t < steps && ret >= 0; t += n) {
		n = steps - t < info.max_chunk ? steps - t : info.max_chunk;
		for (i = 0; i < n_streams && ret >= 0; i++)
			ret = aimc_stream_push(s[i], u + (size_t)t * info.d_input,
					       info.d_input, n, out);
	}
	*sec_per_step = (now_s() - t0) / ((double)steps * n_streams);
	if (ret < 0)
		fprintf(stderr, "aimc-bench: stream: %s\n", aimc_last_error());
	close_streams(s, n_streams);
	free(out);
	return ret;
}

static int float_time(const struct aimc_ssm *m, const float *u, uint32_t steps,
		      double *sec_per_step)
{
	struct aimc_ref_float *r;
	double *h = malloc(sizeof(double) * m->hk), t0;
	uint32_t t;

	if (!h || aimc_ref_float_create(m, &r) < 0) {
		free(h);
		return -ENOMEM;
	}
	t0 = now_s();
	for (t = 0; t < steps; t++)
		aimc_ref_float_step(r, u + (size_t)t * m->d_input, h);
	*sec_per_step = (now_s() - t0) / steps;
	aimc_ref_float_free(r);
	free(h);
	return 0;
}

/* The integer reference, including the input quantization the card's
 * caller also does per step.
 */
static int int_time(const struct aimc_net *net, const float *u, uint32_t steps,
		    double *sec_per_step)
{
	const struct aimc_int_model *im = net->im;
	int32_t *h = malloc(sizeof(int32_t) * im->hk);
	int8_t *xq = malloc(im->d_input);
	struct aimc_ref_int *r = NULL;
	uint32_t t;
	double t0;
	int ret = -ENOMEM;

	if (h && xq && aimc_ref_int_create(im, &r) == 0) {
		t0 = now_s();
		for (t = 0; t < steps; t++) {
			aimc_int_quantize_input(im, u + (size_t)t * im->d_input, xq);
			aimc_ref_int_step(r, xq, h);
		}
		*sec_per_step = (now_s() - t0) / steps;
		ret = 0;
	}
	aimc_ref_int_free(r);
	free(h);
	free(xq);
	return ret;
}

/* One int32 multiply-accumulate dot product over L1-resident data, with a
 * trip count the compiler can vectorise.
 */
#define PEAK_LEN	1024
static __attribute__((noinline)) int32_t dot_peak(const int32_t *a,
						  const int32_t *w)
{
	int32_t acc = 0;
	int i;

	for (i = 0; i < PEAK_LEN; i++)
		acc += a[i] * w[i];
	return acc;
}

/*
 * The machine's peak for this work, measured rather than taken from a
 * datasheet: int32 MACs per second of one core (the sim backend and the
 * references are single-threaded) on a vectorised dot product in L1.
 */
static double peak_int_macs(unsigned int repeats)
{
	static int32_t a[PEAK_LEN], w[PEAK_LEN];
	const unsigned int iters = 200000;
	double *t = calloc(repeats, sizeof(*t)), v;
	volatile int32_t sink = 0;
	unsigned int rep, k;

	for (k = 0; k < PEAK_LEN; k++) {
		a[k] = (int32_t)(k * 7 % 255) - 127;
		w[k] = (int32_t)(k * 13 % 31) - 15;
	}
	for (rep = 0; rep < repeats; rep++) {
		double t0 = now_s();

		for (k = 0; k < iters; k++) {
			int32_t acc = dot_peak(a, w);

			/* a changes every round: nothing to hoist */
			a[k % PEAK_LEN] ^= acc & 1;
			sink += acc;
		}
		t[rep] = (double)iters * PEAK_LEN / (now_s() - t0);
	}
	(void)sink;
	v = median(t, repeats);
	free(t);
	return v;
}

struct stream_fig {
	double card_noisy, card_exact, card_multi, float_ref, int_ref;
	unsigned int streams;
};

/* Medians over the repeats of every figure of one model. */
static int stream_model(struct bench *b, const struct bench_model *bm,
			uint32_t steps, int with_multi, struct stream_fig *f,
			struct aimc_net_info *info_out, double *mac_xbar,
			double *mac_digital)
{
	struct aimc_device *noisy = open_sim(0, 1, 0, 0), *exact = open_sim(1, 1, 0, 0);
	struct aimc_net *net_noisy = NULL, *net_exact = NULL;
	double *v[5];
	unsigned int rep, k;
	float *u = NULL;
	int ret = -ENOMEM;

	for (k = 0; k < 5; k++)
		v[k] = calloc(b->repeats, sizeof(double));
	if (!noisy || !exact)
		goto out;
	ret = open_net(noisy, bm, &net_noisy);
	if (ret < 0)
		goto out;
	ret = open_net(exact, bm, &net_exact);
	if (ret < 0)
		goto out;
	aimc_net_info(net_noisy, info_out, sizeof(*info_out));
	macs_per_step(net_noisy->model, mac_xbar, mac_digital);
	f->streams = 16 / info_out->slots_per_stream;
	if (f->streams > 16)
		f->streams = 16;
	u = make_input(steps, info_out->d_input, 7);
	ret = -ENOMEM;
	if (!u)
		goto out;
	for (rep = 0; rep < b->repeats; rep++) {
		ret = float_time(net_noisy->model, u, steps, &v[0][rep]);
		if (!ret)
			ret = int_time(net_noisy, u, steps, &v[1][rep]);
		if (!ret)
			ret = card_time(net_noisy, 1, u, steps, &v[2][rep]);
		if (!ret)
			ret = card_time(net_exact, 1, u, steps, &v[3][rep]);
		if (!ret && with_multi)
			ret = card_time(net_noisy, f->streams, u, steps / 4, &v[4][rep]);
		if (ret)
			goto out;
	}
	f->float_ref = median(v[0], b->repeats);
	f->int_ref = median(v[1], b->repeats);
	f->card_noisy = median(v[2], b->repeats);
	f->card_exact = median(v[3], b->repeats);
	f->card_multi = with_multi ? median(v[4], b->repeats) : 0;
out:
	aimc_net_close(net_noisy);
	aimc_net_close(net_exact);
	aimc_device_close(noisy);
	aimc_device_close(exact);
	for (k = 0; k < 5; k++)
		free(v[k]);
	free(u);
	return ret;
}

static int bench_stream(struct bench *b)
{
	static const struct { char what; uint32_t h, n, l; } sweep[] = {
		/* the largest that fit: a mix of 2H x H on one 256 x 256 tile
		 * (H <= 64), a layer's 2 H N state words in one slot (4096)
		 */
		{ 'H', 16, 32, 3 }, { 'H', 32, 32, 3 }, { 'H', 48, 32, 3 }, { 'H', 64, 32, 3 },
		{ 'N', 32, 8, 3 }, { 'N', 32, 16, 3 }, { 'N', 32, 32, 3 }, { 'N', 32, 64, 3 },
		{ 'L', 64, 32, 1 }, { 'L', 64, 32, 2 }, { 'L', 64, 32, 6 },
	};
	const uint32_t steps = b->quick ? 256 : 1024;
	struct bench_row *peak, *base, *r;
	char name[80];
	unsigned int i;
	FILE *dat;
	int ret;

	peak = add_row(b, "stream", "peak int32 MAC/s, 1 core (measured)",
		       peak_int_macs(b->repeats), "MAC/s");
	if (b->float_model) {
		float *u = make_input(steps, b->float_model->d_input, 7);
		double *v = calloc(b->repeats, sizeof(double));
		unsigned int rep;

		for (rep = 0; u && v && rep < b->repeats; rep++)
			float_time(b->float_model, u, steps, &v[rep]);
		if (u && v) {
			snprintf(name, sizeof(name), "%s: float ref (ref_float)", b->float_name);
			add_row(b, "stream", name, median(v, b->repeats) * 1e6, "us/step");
		}
		free(u);
		free(v);
	}
	for (i = 0; i < b->nmodels; i++) {
		const struct bench_model *bm = &b->models[i];
		struct aimc_net_info info;
		struct stream_fig f;
		double mx, md;

		ret = stream_model(b, bm, steps, 1, &f, &info, &mx, &md);
		if (ret < 0)
			return ret;
		snprintf(name, sizeof(name), "%s: MACs/step (xbar + digital)", bm->name);
		add_row(b, "stream", name, mx + md, "MAC");
		snprintf(name, sizeof(name), "%s: float ref (ref_float)", bm->name);
		base = add_row(b, "stream", name, f.float_ref * 1e6, "us/step");
		snprintf(name, sizeof(name), "%s: integer ref (ref_int)", bm->name);
		set_baseline(add_row(b, "stream", name, f.int_ref * 1e6, "us/step"), base);
		snprintf(name, sizeof(name), "%s: sim card, noisy", bm->name);
		r = add_row(b, "stream", name, f.card_noisy * 1e6, "us/step");
		set_baseline(r, base);
		snprintf(name, sizeof(name), "%s: sim card, noise-free", bm->name);
		set_baseline(add_row(b, "stream", name, f.card_exact * 1e6, "us/step"), base);
		snprintf(name, sizeof(name), "%s: sim card, 1 stream", bm->name);
		base = add_row(b, "stream", name, 1 / f.card_noisy, "steps/s");
		snprintf(name, sizeof(name), "%s: sim card, %u streams", bm->name, f.streams);
		set_baseline(add_row(b, "stream", name, 1 / f.card_multi, "steps/s"), base);
		snprintf(name, sizeof(name), "%s: sim card MAC/s", bm->name);
		set_baseline(add_row(b, "stream", name, (mx + md) / f.card_noisy, "MAC/s"), peak);
		snprintf(name, sizeof(name), "%s: float ref MAC/s", bm->name);
		set_baseline(add_row(b, "stream", name, (mx + md) / f.float_ref, "MAC/s"), peak);
	}

	dat = plot_file(b, "scaling.dat");
	if (dat)
		fprintf(dat, "# what H N L macs card_us float_us card_mac_s\n");
	for (i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		struct bench_model bm = { .tm = NULL };
		struct aimc_net_info info;
		struct stream_fig f;
		double mx, md;

		bm.tm = testmodel_new(3, 1, sweep[i].h, sweep[i].l, sweep[i].n, 10);
		snprintf(bm.name, sizeof(bm.name), "H=%u N=%u L=%u", sweep[i].h,
			 sweep[i].n, sweep[i].l);
		ret = stream_model(b, &bm, steps / 2, 0, &f, &info, &mx, &md);
		testmodel_free(bm.tm);
		if (ret < 0) {
			fprintf(stderr, "aimc-bench: scaling: %s skipped\n", bm.name);
			continue;
		}
		snprintf(name, sizeof(name), "scale %s: float ref", bm.name);
		base = add_row(b, "stream", name, f.float_ref * 1e6, "us/step");
		base->hidden = 1;
		snprintf(name, sizeof(name), "scale %s: sim card, %.0f MAC", bm.name, mx + md);
		set_baseline(add_row(b, "stream", name, f.card_noisy * 1e6, "us/step"), base);
		if (dat)
			fprintf(dat, "%c %u %u %u %.0f %.3f %.3f %.4g\n", sweep[i].what,
				sweep[i].h, sweep[i].n, sweep[i].l, mx + md,
				f.card_noisy * 1e6, f.float_ref * 1e6,
				(mx + md) / f.card_noisy);
	}
	if (dat)
		fclose(dat);
	return 0;
}

/* ---- energy (issue 19) ------------------------------------------------ */

#define ENERGY_SEQ_STEPS	64
#define ENERGY_SEQS		16

/*
 * The card's energy per inference of @bm (a sequence of 64 steps and the
 * decoder once, as the digits data set's) on a noisy sim card of preset
 * @preset, from the device model's counters (emulator/README.md, "Energy
 * and modelled time"), beside the same model on a digital accelerator
 * (aimc_net_info()'s baseline; constants and sources in
 * emulator/model/aimc_presets.def).  Energy is deterministic for a given
 * input: no repeats.
 */
static int energy_model(struct bench *b, const struct bench_model *bm, uint32_t preset)
{
	struct aimc_sim_options o = { .seed = 1, .preset = preset };
	struct aimc_device_telemetry t0, t1;
	struct aimc_net_info info;
	struct aimc_device *dev = NULL;
	struct aimc_net *net = NULL;
	struct aimc_stream *s = NULL;
	struct bench_row *card, *r;
	float *u = NULL, logits[256];
	double inf_nj, base_nj, dpu_share;
	char name[80];
	unsigned int q;
	int ret;

	ret = aimc_device_open_sim(&o, &dev);
	if (!ret)
		ret = open_net(dev, bm, &net);
	if (!ret)
		ret = aimc_net_info(net, &info, sizeof(info));
	if (!ret) {
		u = make_input(ENERGY_SEQ_STEPS, info.d_input, 11);
		ret = u ? aimc_stream_open(net, &s) : -ENOMEM;
	}
	if (!ret)
		ret = aimc_device_telemetry(dev, &t0, sizeof(t0));
	for (q = 0; !ret && q < ENERGY_SEQS; q++) {
		ret = aimc_stream_push(s, u, info.d_input, ENERGY_SEQ_STEPS, NULL);
		if (!ret)
			ret = aimc_stream_finish(s, logits, 0);
	}
	if (!ret)
		ret = aimc_device_telemetry(dev, &t1, sizeof(t1));
	if (ret) {
		fprintf(stderr, "aimc-bench: energy %s: %s\n", bm->name, aimc_last_error());
		goto out;
	}
	inf_nj = (double)(t1.energy_fj - t0.energy_fj) * 1e-6 / ENERGY_SEQS;
	base_nj = ((double)info.baseline_fj_per_step * ENERGY_SEQ_STEPS +
		   (double)info.baseline_fj_per_sequence) * 1e-6;
	dpu_share = (double)(t1.energy_dpu_fj - t0.energy_dpu_fj) /
		    (double)(t1.energy_fj - t0.energy_fj);
	snprintf(name, sizeof(name), "%s: digital baseline, energy/inference",
		 bm->name);
	r = add_row(b, "energy", name, base_nj, "nJ");
	r->hidden = preset != 0;
	snprintf(name, sizeof(name), "%s: %s card, energy/inference (%.0f %% digital)",
		 bm->name, aimc_sim_preset_name(preset), 100 * dpu_share);
	card = add_row(b, "energy", name, inf_nj, "nJ");
	set_baseline(card, r);
	snprintf(name, sizeof(name), "%s: %s card, analog part/inference", bm->name,
		 aimc_sim_preset_name(preset));
	set_baseline(add_row(b, "energy", name, inf_nj * (1 - dpu_share), "nJ"), card);
	snprintf(name, sizeof(name), "%s: %s card, modelled time/inference", bm->name,
		 aimc_sim_preset_name(preset));
	add_row(b, "energy", name, (double)(t1.busy_ns - t0.busy_ns) * 1e-3 / ENERGY_SEQS,
		"us");
out:
	aimc_stream_close(s);
	aimc_net_close(net);
	aimc_device_close(dev);
	free(u);
	return ret;
}

static int bench_energy(struct bench *b)
{
	unsigned int i;
	uint32_t p;
	int ret;

	for (i = 0; i < b->nmodels; i++)
		for (p = 0; aimc_sim_preset_name(p); p++) {
			ret = energy_model(b, &b->models[i], p);
			if (ret < 0)
				return ret;
		}
	return 0;
}

/* ---- model cost ------------------------------------------------------ */

struct cost {
	double params;		/* stored numbers the model computes with */
	double bits;		/* their storage, scales included */
};

static void cost_tensor(const struct aimc_ssm_tensor *t, struct cost *c)
{
	double n = (double)t->rows * t->cols;

	c->params += n;
	if (t->values) {
		c->bits += 32 * n;
	} else {
		c->bits += n * t->bits;
		c->bits += 32.0 * (t->per_tensor ? 1 : t->rows);	/* scales */
	}
}

static void cost_linear(const struct aimc_ssm_linear *l, struct cost *c)
{
	cost_tensor(&l->weight, c);
	c->params += l->weight.rows;		/* bias */
	c->bits += 32.0 * l->weight.rows;
	if (l->adc_scale)
		c->bits += 32.0 * (l->weight.rows + 1);	/* ADC scales, DAC scale */
}

static void model_cost(const struct aimc_ssm *m, struct cost *c)
{
	uint32_t l;

	memset(c, 0, sizeof(*c));
	cost_linear(&m->encoder, c);
	cost_linear(&m->decoder, c);
	for (l = 0; l < m->n_layers; l++) {
		const struct aimc_ssm_layer *L = &m->layers[l];

		cost_tensor(&L->ssm.a_re, c);
		cost_tensor(&L->ssm.a_im, c);
		cost_tensor(&L->ssm.b_re, c);
		cost_tensor(&L->ssm.b_im, c);
		cost_tensor(&L->ssm.c_re, c);
		cost_tensor(&L->ssm.c_im, c);
		cost_tensor(&L->ssm.d, c);
		cost_linear(&L->mix, c);
		c->params += 2.0 * m->hk;	/* norm scale, shift */
		c->bits += 64.0 * m->hk;
	}
}

/*
 * The float model the quantized one came from: the same architecture
 * unpruned (d_model channels, d_state modes in every layer), every number
 * a 32-bit float.
 */
static void float_cost(const struct aimc_ssm *m, struct cost *c)
{
	double h = m->d_model, n = m->d_state;

	c->params = (h * m->d_input + h) + (m->n_classes * h + m->n_classes) +
		    m->n_layers * (6 * h * n + h + 2 * h * h + 2 * h + 2 * h);
	c->bits = 32 * c->params;
}

static int bench_cost(struct bench *b)
{
	struct aimc_device *dev = open_sim(0, 1, 0, 0);
	unsigned int i;
	char name[80];

	if (!dev)
		return -ENODEV;
	for (i = 0; i < b->nmodels; i++) {
		const struct bench_model *bm = &b->models[i];
		struct bench_row *base;
		struct aimc_net_info info;
		struct aimc_net *net;
		struct cost q, f;
		int ret = open_net(dev, bm, &net);

		if (ret < 0) {
			aimc_device_close(dev);
			return ret;
		}
		aimc_net_info(net, &info, sizeof(info));
		model_cost(net->model, &q);
		/* the shipped float model, else this one's shape unpruned */
		if (b->float_model)
			model_cost(b->float_model, &f);
		else
			float_cost(net->model, &f);
		snprintf(name, sizeof(name), "%s: float params (%.24s)", bm->name,
			 b->float_model ? b->float_name : "unpruned");
		base = add_row(b, "cost", name, f.params, "count");
		snprintf(name, sizeof(name), "%s: parameters", bm->name);
		set_baseline(add_row(b, "cost", name, q.params, "count"), base);
		snprintf(name, sizeof(name), "%s: float size (%.24s)", bm->name,
			 b->float_model ? b->float_name : "unpruned");
		base = add_row(b, "cost", name, f.bits / 8192, "KiB");
		snprintf(name, sizeof(name), "%s: size (codes + scales)", bm->name);
		set_baseline(add_row(b, "cost", name, q.bits / 8192, "KiB"), base);
		snprintf(name, sizeof(name), "%s: compression factor", bm->name);
		add_row(b, "cost", name, f.bits / q.bits, "x");
		snprintf(name, sizeof(name), "%s: tiles", bm->name);
		add_row(b, "cost", name, info.tiles, "count");
		snprintf(name, sizeof(name), "%s: cells programmed", bm->name);
		add_row(b, "cost", name, info.cells, "count");
		snprintf(name, sizeof(name), "%s: MVMs per step", bm->name);
		add_row(b, "cost", name, info.mvms_per_step, "count");
		aimc_net_close(net);
	}
	aimc_device_close(dev);
	return 0;
}

/* ---- memory ---------------------------------------------------------- */

static long vm_hwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * Child process of the memory section: run @streams streams of the first
 * model for @steps steps each on the card ("card") or the float reference
 * ("float"), then print the process's peak RSS in KiB.
 */
static int mem_child(char **argv)
{
	const char *kind = argv[0], *path = argv[1];
	unsigned int streams = strtoul(argv[2], NULL, 0), i;
	uint32_t steps = strtoul(argv[3], NULL, 0), t, n, chunk = 256;
	struct bench_model bm = { .tm = NULL };
	const uint32_t u_len = 4096;
	float *u, *out;
	int ret = 0;

	if (!strcmp(path, "mem"))
		bm.tm = testmodel_new(1, 1, 64, 3, 32, 10);
	else
		snprintf(bm.path, sizeof(bm.path), "%s", path);
	if (!strcmp(kind, "card")) {
		struct aimc_device *dev = open_sim(0, 1, 0, 0);
		struct aimc_stream *s[16];
		struct aimc_net_info info;
		struct aimc_net *net;

		if (!dev || open_net(dev, &bm, &net) < 0 || streams > 16)
			return 1;
		aimc_net_info(net, &info, sizeof(info));
		if (chunk > info.max_chunk)
			chunk = info.max_chunk;
		u = make_input(u_len, info.d_input, 7);
		out = malloc(sizeof(float) * chunk * info.d_output);
		for (i = 0; i < streams && ret >= 0; i++)
			ret = aimc_stream_open(net, &s[i]);
		for (t = 0; t < steps && ret >= 0; t += n) {
			n = steps - t < chunk ? steps - t : chunk;
			for (i = 0; i < streams && ret >= 0; i++)
				ret = aimc_stream_push(s[i], u + (size_t)(t % u_len) * info.d_input,
						       info.d_input, n, out);
		}
		if (ret < 0)
			return 1;
	} else {
		struct aimc_ref_float *r[16];
		const struct aimc_ssm *m;
		struct aimc_ssm *loaded = NULL;
		double *h;

		if (bm.tm) {
			m = &bm.tm->m;
		} else {
			if (aimc_ssm_load(bm.path, &loaded) < 0)
				return 1;
			m = loaded;
		}
		u = make_input(u_len, m->d_input, 7);
		h = malloc(sizeof(double) * m->hk);
		for (i = 0; i < streams; i++)
			if (aimc_ref_float_create(m, &r[i]) < 0)
				return 1;
		for (t = 0; t < steps; t++)
			for (i = 0; i < streams; i++)
				aimc_ref_float_step(r[i], u + (size_t)(t % u_len) * m->d_input, h);
	}
	printf("%ld\n", vm_hwm_kib());
	return 0;
}

/* Peak RSS of a fresh process (this binary re-executed) in KiB. */
static double mem_run(const char *kind, const char *model, unsigned int streams,
		      uint32_t steps)
{
	char s_arg[16], t_arg[16], buf[64] = "";
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	snprintf(s_arg, sizeof(s_arg), "%u", streams);
	snprintf(t_arg, sizeof(t_arg), "%u", steps);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/proc/self/exe", "aimc-bench", "--mem-child", kind, model,
		      s_arg, t_arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	got = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return strtod(buf, NULL);
}

/*
 * Peak RSS is deterministic up to a page or two (same allocations every
 * run), so two runs suffice for the median.
 */
static double mem_median(struct bench *b, const char *kind, const char *model,
			 unsigned int streams, uint32_t steps)
{
	unsigned int n = b->repeats < 2 ? b->repeats : 2, i;
	double v[3];

	for (i = 0; i < n; i++) {
		v[i] = mem_run(kind, model, streams, steps);
		if (v[i] < 0)
			return -1;
	}
	return median(v, n);
}

static int bench_mem(struct bench *b)
{
	const uint32_t long_steps = b->quick ? 5000 : 20000;
	const char *model = b->models[0].tm ? "mem" : b->models[0].path;
	struct aimc_device *dev = open_sim(0, 1, 0, 0);
	struct bench_row *f1, *c1, *c16, *f16, *r, *base;
	const struct aimc_int_model *im;
	struct aimc_net_info info;
	struct aimc_net *net;
	double float_state = 0, v;
	char name[80];
	uint32_t l;

	if (!dev || open_net(dev, &b->models[0], &net) < 0)
		return -ENODEV;
	aimc_net_info(net, &info, sizeof(info));
	im = net->im;
	for (l = 0; l < net->model->n_layers; l++)
		float_state += 2.0 * 8 * net->model->hk * net->model->layers[l].ssm.n_modes;
	float_state += 8.0 * net->model->hk;	/* pool */

#define MEM_ROW(var, kind, streams, steps, base_row)				\
	do {									\
		v = mem_median(b, kind, model, streams, steps);			\
		if (v < 0)							\
			goto fail;						\
		snprintf(name, sizeof(name), "%s: %s, %u stream%s, %u steps",	\
			 b->models[0].name, !strcmp(kind, "card") ?		\
			 "sim card" : "float ref", streams,			\
			 streams > 1 ? "s" : "", steps);			\
		var = add_row(b, "mem", name, v, "KiB RSS");			\
		if (base_row)							\
			set_baseline(var, base_row);				\
	} while (0)

	MEM_ROW(f1, "float", 1, 1000, NULL);
	MEM_ROW(c1, "card", 1, 1000, f1);
	MEM_ROW(r, "card", 1, long_steps / 5, c1);
	MEM_ROW(r, "card", 1, long_steps, c1);
	MEM_ROW(r, "float", 1, long_steps, f1);
	MEM_ROW(r, "card", 4, 1000, c1);
	MEM_ROW(c16, "card", 16 / info.slots_per_stream, 1000, c1);
	MEM_ROW(f16, "float", 16, 1000, f1);
	(void)r;
#undef MEM_ROW
	base = add_row(b, "mem", "float ref: host memory per stream",
		       (f16->value - f1->value) / 15, "KiB");
	r = add_row(b, "mem", "sim card: host memory per stream",
		    (c16->value - c1->value) / (16 / info.slots_per_stream - 1), "KiB");
	set_baseline(r, base);
	base = add_row(b, "mem", "float ref: state per stream (computed)",
		       float_state / 1024, "KiB");
	snprintf(name, sizeof(name), "card SRAM per stream: state used (%u words)",
		 im->state_words);
	set_baseline(add_row(b, "mem", name, (4.0 * im->state_words +
					       8.0 * im->hk) / 1024, "KiB"), base);
	snprintf(name, sizeof(name), "card SRAM per stream: %u slot(s) reserved",
		 info.slots_per_stream);
	set_baseline(add_row(b, "mem", name, info.slots_per_stream *
			     (4.0 * AIMC_SLOT_STATE_WORDS + 8.0 * AIMC_POOL_LEN) / 1024,
			     "KiB"), base);
	aimc_net_close(net);
	aimc_device_close(dev);
	return 0;
fail:
	fprintf(stderr, "aimc-bench: mem: a child run failed\n");
	aimc_net_close(net);
	aimc_device_close(dev);
	return -EIO;
}

/* ---- write-verify ---------------------------------------------------- */

/*
 * The runtime's programming code itself (runtime/program.c, what
 * aimc_net_program() runs per tile) in its three modes, on the same cells
 * (same seed: same manufacture, same initial state, same targets):
 *   open-loop    AIMC_PROGRAM_OPEN_LOOP: one PROGRAM TARGET, no verify
 *   naive P&V    AIMC_PROGRAM_NAIVE: the same first guess, then rounds of
 *                READ and one fixed-amplitude pulse per cell out of band
 *   write-verify the default: the same first guess, then adaptive pulse
 *                counts from a per-cell learnt step size, incremental
 *                amplitude, stuck-cell detection
 * Every mode gets the same parameters, the runtime's defaults (at most
 * WV_ROUNDS = 40 rounds; cells that read noise pushes back out of band
 * get pulses again, so the noisy card mostly uses them all).  Cells are
 * not stuck here (AIMC_SIM_STUCK with 0 ppm): a stuck cell converges under
 * no algorithm and would only measure the round cap; stuck-cell handling
 * is tested in tests/host/test_deploy.c.
 */
#define WV_ROWS		64
#define WV_COLS		128
#define WV_CELLS	(WV_ROWS * WV_COLS)
#define WV_ROUNDS	40	/* aimc_program_params_init()'s max_rounds */

enum wv_algo { WV_OPEN_LOOP, WV_NAIVE, WV_ADAPTIVE, WV_ALGOS };

static const char *const wv_algo_name[WV_ALGOS] = {
	"open-loop", "naive P&V", "write-verify",
};

static const uint32_t wv_algo_flags[WV_ALGOS] = {
	AIMC_PROGRAM_OPEN_LOOP, AIMC_PROGRAM_NAIVE, 0,
};

struct wv_result {
	double pulses_per_cell;
	double rounds;
	double wall_ms;
	double card_ms;		/* the device model's busy time */
	double err_mean_ns;	/* |G - target|, the cells' true conductance */
	double in_band_pct;	/* of the true conductances */
	double conv[WV_ROUNDS + 1];	/* closed (in band by READ), per round */
};

static int wv_progress(const struct aimc_program_progress *p, void *ctx)
{
	struct wv_result *res = ctx;
	unsigned int i;

	if (p->round > WV_ROUNDS || !p->cells_total)
		return 0;
	/* converged runs stay converged on the plot */
	for (i = p->round; i <= WV_ROUNDS; i++)
		res->conv[i] = 100.0 * (double)p->cells_done / (double)p->cells_total;
	return 0;
}

/* @err (may be NULL) gets each cell's final signed error, nS. */
static int wv_run(enum wv_algo algo, uint32_t tol, uint64_t seed,
		  struct wv_result *res, int32_t *err)
{
	struct aimc_device *dev = open_sim(0, seed, 0, 1);
	struct aimc_program_stats stats;
	struct aimc_device_info info;
	struct aimc_wv_tile tile;
	struct aimc_wv_run run;
	unsigned int i, in = 0;
	double t0, abs_sum = 0;
	uint64_t busy0, map_size;
	uint8_t *map = NULL;
	uint32_t bo;
	int ret;

	if (!dev)
		return -ENODEV;
	memset(res, 0, sizeof(*res));
	memset(&stats, 0, sizeof(stats));
	memset(&run, 0, sizeof(run));
	aimc_device_info(dev, &info, sizeof(info));
	ret = aimc_wv_tile_init(&tile, 0, WV_ROWS, WV_COLS);
	if (!ret)
		ret = aimc_reserve(dev, AIMC_RESOURCE_TILE, 0, NULL);
	if (!ret)
		ret = aimc_bo_create(dev, AIMC_WV_BO_BYTES, &bo);
	if (!ret)
		ret = aimc_bo_mmap(dev, bo, (void **)&map, &map_size);
	if (ret) {
		aimc_wv_tile_free(&tile);
		aimc_device_close(dev);
		return ret;
	}
	srand((unsigned int)seed * 7 + 1);
	for (i = 0; i < WV_CELLS; i++)
		tile.target[i] = (uint16_t)(info.g_min_nsiemens + (uint64_t)rand() *
					    (info.g_max_nsiemens - info.g_min_nsiemens) / RAND_MAX);
	run.dev = dev;
	run.bo = bo;
	run.map = map;
	run.g_min = info.g_min_nsiemens;
	run.g_max = info.g_max_nsiemens;
	aimc_program_params_init(&run.params);
	run.params.tolerance_nsiemens = tol;
	run.params.flags = wv_algo_flags[algo];
	run.progress = wv_progress;
	run.ctx = res;
	run.at.tiles = 1;
	run.at.cells_total = WV_CELLS;
	run.stats = &stats;

	busy0 = aimc_model_stats(aimc_sim_model(dev))->busy_ns;
	t0 = now_s();
	ret = aimc_wv_program(&run, &tile, 0);
	res->wall_ms = (now_s() - t0) * 1e3;
	if (!ret)
		ret = aimc_wv_finish(&run, &tile, 1);
	res->card_ms = (aimc_model_stats(aimc_sim_model(dev))->busy_ns - busy0) * 1e-6;
	res->pulses_per_cell = stats.pulses_per_cell;
	res->rounds = stats.rounds;
	for (i = 0; !ret && i < WV_CELLS; i++) {
		uint32_t g_prog, g_now;
		int32_t e;

		aimc_model_peek_cell(aimc_sim_model(dev), 0, i / WV_COLS, i % WV_COLS, &g_prog, &g_now);
		e = (int32_t)g_now - tile.target[i];
		if (err)
			err[i] = e;
		abs_sum += abs(e);
		in += (uint32_t)abs(e) <= tol;
	}
	res->err_mean_ns = abs_sum / WV_CELLS;
	res->in_band_pct = 100.0 * in / WV_CELLS;
	aimc_bo_munmap(map, map_size);
	aimc_wv_tile_free(&tile);
	aimc_device_close(dev);
	return ret;
}

static int bench_wv(struct bench *b)
{
	static const uint32_t tols[] = { 250, 500, 1000 };
	static struct wv_result conv_runs[3][WV_ALGOS];
	static int32_t err_open[WV_CELLS], err_adapt[WV_CELLS];
	const unsigned int reps = b->repeats < 3 ? b->repeats : 3;
	unsigned int t, a, rep, i;
	FILE *f;

	for (t = 0; t < 3; t++) {
		double v[WV_ALGOS][6][3];
		struct bench_row *base[6];
		static const char *const fig[6] = {
			"|G - target| mean", "cells in band", "pulses/cell",
			"rounds", "card time (model)", "sim wall time",
		};
		static const char *const unit[6] = { "nS", "%", "pulses", "rounds", "ms", "ms" };

		for (a = 0; a < WV_ALGOS; a++) {
			for (rep = 0; rep < reps; rep++) {
				struct wv_result r;
				int32_t *err = NULL;
				int ret;

				if (rep == 0 && t == 1)
					err = a == WV_OPEN_LOOP ? err_open :
					      a == WV_ADAPTIVE ? err_adapt : NULL;
				ret = wv_run((enum wv_algo)a, tols[t], rep + 1, &r, err);
				if (ret < 0) {
					fprintf(stderr, "aimc-bench: wv: %s\n", aimc_last_error());
					return ret;
				}
				if (rep == 0)
					conv_runs[t][a] = r;
				v[a][0][rep] = r.err_mean_ns;
				v[a][1][rep] = r.in_band_pct;
				v[a][2][rep] = r.pulses_per_cell;
				v[a][3][rep] = r.rounds;
				v[a][4][rep] = r.card_ms;
				v[a][5][rep] = r.wall_ms;
			}
		}
		/* error and band against open-loop, cost against naive */
		for (i = 0; i < 6; i++) {
			unsigned int first = i < 2 ? WV_OPEN_LOOP : WV_NAIVE;

			if (i == 1)
				first = WV_OPEN_LOOP;
			for (a = first; a < WV_ALGOS; a++) {
				char name[80];
				struct bench_row *r;

				snprintf(name, sizeof(name), "tol %u nS: %s, %s", tols[t],
					 wv_algo_name[a], fig[i]);
				r = add_row(b, "wv", name, median(v[a][i], reps), unit[i]);
				if (a == first)
					base[i] = r;
				else
					set_baseline(r, base[i]);
			}
		}
	}

	f = plot_file(b, "wv_convergence.dat");
	if (f) {
		fprintf(f, "# round, cells in band by READ (%%): naive and write-verify at 250, 500, 1000 nS\n");
		for (i = 0; i <= WV_ROUNDS; i++)
			fprintf(f, "%u %.2f %.2f %.2f %.2f %.2f %.2f\n", i,
				conv_runs[0][WV_NAIVE].conv[i], conv_runs[0][WV_ADAPTIVE].conv[i],
				conv_runs[1][WV_NAIVE].conv[i], conv_runs[1][WV_ADAPTIVE].conv[i],
				conv_runs[2][WV_NAIVE].conv[i], conv_runs[2][WV_ADAPTIVE].conv[i]);
		fclose(f);
	}
	f = plot_file(b, "wv_error_hist.dat");
	if (f) {
		const int bin = 50, lo = -2000, nbins = 80;
		unsigned int h_open[80] = { 0 }, h_adapt[80] = { 0 };

		for (i = 0; i < WV_CELLS; i++) {
			int k1 = (err_open[i] - lo) / bin, k2 = (err_adapt[i] - lo) / bin;

			h_open[k1 < 0 ? 0 : k1 >= nbins ? nbins - 1 : k1]++;
			h_adapt[k2 < 0 ? 0 : k2 >= nbins ? nbins - 1 : k2]++;
		}
		fprintf(f, "# error bin centre (nS), cells: open-loop, write-verify (tol 500 nS); end bins hold the tails\n");
		for (i = 0; i < (unsigned int)nbins; i++)
			fprintf(f, "%d %u %u\n", lo + bin * (int)i + bin / 2, h_open[i], h_adapt[i]);
		fclose(f);
	}
	return 0;
}

/* ---- accuracy against noise ------------------------------------------ */

/*
 * Relative RMS difference between the card's step outputs and the float
 * reference's on the same input: noise-free (what quantization alone
 * costs), then with programming and read noise and a growing fraction of
 * stuck cells (half at g_min, half at g_max).
 */
static int noise_error(const struct bench_model *bm, int noise_free,
		       uint32_t stuck_ppm, uint32_t steps, double *rel)
{
	struct aimc_device *dev = open_sim(noise_free, 1, stuck_ppm, !noise_free);
	struct aimc_net *net = NULL;
	struct aimc_ref_float *r = NULL;
	struct aimc_stream *s = NULL;
	struct aimc_net_info info;
	double num = 0, den = 0, *h = NULL;
	float *u = NULL, *out = NULL;
	uint32_t t, c;
	int ret = -ENOMEM;

	if (!dev)
		return -ENODEV;
	ret = open_net(dev, bm, &net);
	if (ret < 0)
		goto out;
	aimc_net_info(net, &info, sizeof(info));
	u = make_input(steps, info.d_input, 11);
	out = malloc(sizeof(float) * steps * info.d_output);
	h = malloc(sizeof(double) * info.d_output);
	ret = -ENOMEM;
	if (!u || !out || !h || aimc_ref_float_create(net->model, &r) < 0)
		goto out;
	ret = aimc_stream_open(net, &s);
	if (!ret)
		ret = aimc_stream_push(s, u, info.d_input, steps, out);
	if (ret)
		goto out;
	for (t = 0; t < steps; t++) {
		aimc_ref_float_step(r, u + (size_t)t * info.d_input, h);
		for (c = 0; c < info.d_output; c++) {
			double d = out[(size_t)t * info.d_output + c] - h[c];

			num += d * d;
			den += h[c] * h[c];
		}
	}
	*rel = den ? sqrt(num / den) : 0;
out:
	if (s)
		aimc_stream_close(s);
	aimc_ref_float_free(r);
	aimc_net_close(net);
	aimc_device_close(dev);
	free(u);
	free(out);
	free(h);
	return ret;
}

static int bench_noise(struct bench *b)
{
	/*
	 * The host suites' model (tests/host/test_stream.c: I=3 H=16 L=3 N=8),
	 * whose random weights keep every fixed-point range of the contract;
	 * the H=64 stand-ins' random weights saturate them (their outputs are
	 * good for timing, not for accuracy).  A shipped model comes first.
	 */
	struct bench_model models[2] = { { .tm = NULL } };
	unsigned int nmodels = 0;
	static const uint32_t ppm[] = { 0, 2000, 10000, 30000, 100000 };
	const uint32_t steps = 512;
	struct bench_row *base;
	unsigned int i, m;
	char name[80];
	FILE *dat = plot_file(b, "noise.dat");
	double v;
	int ret;

	if (dat)
		fprintf(dat, "# stuck cells (%%), relative RMS error of step outputs vs float ref, per model\n");
	if (!b->models[0].tm)
		models[nmodels++] = b->models[0];
	models[nmodels].tm = testmodel_new(17, 3, 16, 3, 8, 5);
	snprintf(models[nmodels].name, sizeof(models[nmodels].name), "mem:suite-model");
	nmodels++;
	for (m = 0; m < nmodels; m++) {
		ret = noise_error(&models[m], 1, 0, steps, &v);
		if (ret < 0)
			break;
		snprintf(name, sizeof(name), "%.30s: output error, noise-free card", models[m].name);
		base = add_row(b, "noise", name, 100 * v, "% RMS");
		for (i = 0; i < sizeof(ppm) / sizeof(ppm[0]); i++) {
			ret = noise_error(&models[m], 0, ppm[i], steps, &v);
			if (ret < 0)
				break;
			snprintf(name, sizeof(name), "%.30s: output error, noisy, %.1f%% stuck",
				 models[m].name, ppm[i] / 1e4);
			set_baseline(add_row(b, "noise", name, 100 * v, "% RMS"), base);
			if (dat)
				fprintf(dat, "%u %.3f %.4f\n", m, ppm[i] / 1e4, 100 * v);
		}
		if (dat)
			fprintf(dat, "\n\n");
	}
	if (dat) {
		fclose(dat);
		dat = plot_file(b, "noise.gp");
	}
	if (dat) {
		fprintf(dat,
			"set terminal pngcairo size 900,600\nset output 'noise.png'\n"
			"set title 'Step outputs of the noisy sim card against the float reference'\n"
			"set xlabel 'stuck cells (%%), with programming and read noise'\n"
			"set ylabel 'relative RMS error (%%)'\nset key top left\nset grid\nplot");
		for (m = 0; m < nmodels; m++)
			fprintf(dat, "%s 'noise.dat' index %u using 2:3 with linespoints lw 2 title '%s'",
				m ? ", \\\n    " : "", m, models[m].name);
		fprintf(dat, "\n");
		fclose(dat);
	}
	testmodel_free(models[nmodels - 1].tm);
	return ret;
}

/* gnuplot scripts next to their data; `make bench` runs them. */
static void write_plot_scripts(const struct bench *b)
{
	static const char *const scripts[][2] = {
		{ "scaling.gp",
			"set terminal pngcairo size 900,600\nset output 'scaling.png'\n"
			"set title 'Cost per step against integer MACs per step (sweeps of H, N, L)'\n"
			"set logscale xy\nset xlabel 'integer MACs per step'\nset ylabel 'us per step'\n"
			"set key top left\nset grid\n"
			"plot 'scaling.dat' using 5:6 with points pt 7 ps 1.5 title 'sim card (noisy)', \\\n"
			"     '' using 5:7 with points pt 5 ps 1.5 title 'float reference (ref\\_float)', \\\n"
			"     '' using 5:6:(sprintf('%s', stringcolumn(1) eq 'H' ? 'H='.stringcolumn(2) : "
			"stringcolumn(1) eq 'N' ? 'N='.stringcolumn(3) : 'L='.stringcolumn(4))) "
			"with labels offset 0,1 notitle\n" },
		{ "wv_convergence.gp",
			"set terminal pngcairo size 900,600\nset output 'wv_convergence.png'\n"
			"set title 'Write-verify convergence: cells within tolerance (by READ) per round'\n"
			"set xlabel 'round (0: after the open-loop first guess)'\nset ylabel 'cells in band (%)'\n"
			"set yrange [0:100]\nset key bottom right\nset grid\n"
			"plot 'wv_convergence.dat' using 1:2 with lines lw 2 dt 2 lc 1 title 'naive, 250 nS', \\\n"
			"     '' using 1:3 with lines lw 2 lc 1 title 'write-verify, 250 nS', \\\n"
			"     '' using 1:4 with lines lw 2 dt 2 lc 2 title 'naive, 500 nS', \\\n"
			"     '' using 1:5 with lines lw 2 lc 2 title 'write-verify, 500 nS', \\\n"
			"     '' using 1:6 with lines lw 2 dt 2 lc 3 title 'naive, 1000 nS', \\\n"
			"     '' using 1:7 with lines lw 2 lc 3 title 'write-verify, 1000 nS'\n" },
		{ "wv_error_hist.gp",
			"set terminal pngcairo size 900,600\nset output 'wv_error_hist.png'\n"
			"set title 'Conductance error after programming (8192 cells, tolerance 500 nS)'\n"
			"set xlabel 'G - target (nS); outer bins hold the tails'\nset ylabel 'cells'\n"
			"set style fill transparent solid 0.5\nset boxwidth 50\nset grid\n"
			"set arrow from -500, graph 0 to -500, graph 1 nohead dt 2\n"
			"set arrow from 500, graph 0 to 500, graph 1 nohead dt 2\n"
			"plot 'wv_error_hist.dat' using 1:2 with boxes title 'open-loop', \\\n"
			"     '' using 1:3 with boxes title 'write-verify'\n" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		FILE *f = plot_file(b, scripts[i][0]);

		if (f) {
			fputs(scripts[i][1], f);
			fclose(f);
		}
	}
}

/*
 * One streaming chunk through the kernel path: the host suites' small
 * model (so the chunk's compute stays small against the path), built in
 * memory (the guest has no model files), programmed through aimc.ko.
 */
static int kernel_stream(struct bench *b, const struct bench_row *ioctl_row)
{
	static const uint32_t chunks[] = { 1, 16, 256 };
	static const unsigned int inflight[] = { 1, 4, 16 };
	struct testmodel *tm = testmodel_new(1, 3, 16, 3, 8, 5);
	const uint32_t u_steps = 1024, round_trips = b->quick ? 50 : 200;
	struct aimc_stream *s[16] = { NULL };
	double *t = calloc(b->repeats, sizeof(*t));
	struct aimc_net_info info;
	struct aimc_net *net = NULL;
	struct bench_row *base = NULL, *r;
	unsigned int rep, i, k, n_open = 0;
	float *u = make_input(u_steps, 3, 7), *out = NULL;
	char name[80];
	int ret;

	ret = aimc_net_create(b->dev, &tm->m, NULL, 0, &net);
	if (ret < 0 || !t || !u) {
		fprintf(stderr, "aimc-bench: kernel stream: %s\n", aimc_last_error());
		goto out;
	}
	aimc_net_info(net, &info, sizeof(info));
	out = malloc(sizeof(float) * u_steps * info.d_output);
	for (k = 0; k < 16 / info.slots_per_stream && ret >= 0; k++, n_open++)
		ret = aimc_stream_open(net, &s[k]);
	if (ret < 0 || !out)
		goto out;

	ret = aimc_stream_set_chunk(s[0], 1);
	for (rep = 0; rep < b->repeats && !ret; rep++) {
		double per[200];

		for (i = 0; i < round_trips && !ret; i++) {
			double t0 = now_s();

			ret = aimc_stream_push(s[0], u + 3 * (i % u_steps), 3, 1, out);
			per[i] = (now_s() - t0) * 1e6;
		}
		t[rep] = median(per, round_trips);
	}
	if (ret)
		goto out;
	r = add_row(b, b->kernel_section, "stream chunk (1 step) round trip, median", median(t, b->repeats), "us");
	set_baseline(r, ioctl_row);

	/* The same with 64 steps per chunk: the card's share grows. */
	ret = aimc_stream_set_chunk(s[0], 64);
	for (rep = 0; rep < b->repeats && !ret; rep++) {
		double per[200];
		unsigned int n = round_trips / 4;

		for (i = 0; i < n && !ret; i++) {
			double t0 = now_s();

			ret = aimc_stream_push(s[0], u + 3 * ((64 * i) % (u_steps - 64)), 3,
					       64, out);
			per[i] = (now_s() - t0) * 1e6;
		}
		t[rep] = median(per, n);
	}
	if (ret)
		goto out;
	r = add_row(b, b->kernel_section, "stream chunk (64 steps) round trip, median",
		    median(t, b->repeats), "us");
	set_baseline(r, ioctl_row);

	for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]) && !ret; k++) {
		uint32_t steps = chunks[k] * (b->quick ? 4 : 16);

		if (steps > u_steps)
			steps = u_steps;
		ret = aimc_stream_set_chunk(s[0], chunks[k]);
		for (rep = 0; rep < b->repeats && !ret; rep++) {
			double t0 = now_s();

			ret = aimc_stream_push(s[0], u, 3, steps, out);
			t[rep] = steps / (now_s() - t0);
		}
		if (ret)
			goto out;
		snprintf(name, sizeof(name), "stream, chunk %u steps, 1 in flight", chunks[k]);
		add_kernel_series_row(b, name, k, median(t, b->repeats), "steps/s", &base);
	}

	/* chunks of 16 steps, one per stream, all submitted before any wait */
	for (k = 0; k < sizeof(inflight) / sizeof(inflight[0]) && !ret; k++) {
		unsigned int jobs = inflight[k] > n_open ? n_open : inflight[k], j;
		const unsigned int rounds = b->quick ? 4 : 16;

		for (j = 0; j < jobs && !ret; j++)
			ret = aimc_stream_set_chunk(s[j], 16);
		for (rep = 0; rep < b->repeats && !ret; rep++) {
			double t0 = now_s();

			for (i = 0; i < rounds && !ret; i++) {
				for (j = 0; j < jobs && !ret; j++)
					ret = aimc_stream_submit(s[j], u + 3 * 16 * i, 3, 16);
				for (j = 0; j < jobs && !ret; j++)
					ret = aimc_stream_wait(s[j], 10000000000ll, out);
			}
			t[rep] = (double)rounds * jobs * 16 / (now_s() - t0);
		}
		if (ret)
			goto out;
		snprintf(name, sizeof(name), "stream, chunk 16 steps, %u in flight", jobs);
		add_kernel_series_row(b, name, k, median(t, b->repeats), "steps/s", &base);
	}
out:
	if (ret < 0)
		fprintf(stderr, "aimc-bench: kernel stream: %s\n", aimc_last_error());
	close_streams(s, n_open);
	aimc_net_close(net);
	testmodel_free(tm);
	free(t);
	free(u);
	free(out);
	return ret;
}
/* ---- kernel path ----------------------------------------------------- */

static int noop_ioctl(int fd)
{
	struct drm_aimc_get_param args = { .param = AIMC_PARAM_ABI_VERSION };

	return ioctl(fd, DRM_IOCTL_AIMC_GET_PARAM, &args);
}

/* Submit @n empty jobs, then wait for all; returns 0 or -errno. */
static int run_empty_jobs(struct aimc_device *dev, unsigned int n)
{
	struct drm_aimc_cmd nop = { .opcode = AIMC_OP_NOP };
	uint64_t ids[64];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = aimc_job_submit(dev, &nop, 1, NULL, 0, 0, &ids[i]);
		if (ret < 0) {
			fprintf(stderr, "aimc-bench: empty job: %s\n", aimc_last_error());
			return ret;
		}
	}
	for (i = 0; i < n; i++) {
		struct aimc_job_result res;

		ret = aimc_job_wait(dev, ids[i], aimc_deadline_ns(10000), &res);
		if (ret < 0) {
			fprintf(stderr, "aimc-bench: empty job: %s\n", aimc_last_error());
			return ret;
		}
		if (res.status != AIMC_JOB_DONE) {
			fprintf(stderr, "aimc-bench: empty job ended %s\n",
				aimc_job_status_name(res.status));
			return -EIO;
		}
	}
	return 0;
}

/*
 * Round trips of @jobs empty jobs, one at a time, into repeat @rep of
 * m[1] (median job), m[2] (median SUBMIT), m[3] (median WAIT) and m[4]
 * (mean job); @v, @ts and @tw hold @jobs values each.
 */
static int empty_job_latency(struct bench *b, unsigned int jobs, double *v,
			     double *ts, double *tw, double **m, unsigned int rep)
{
	struct drm_aimc_cmd nop = { .opcode = AIMC_OP_NOP };
	unsigned int i;
	int ret;

	for (i = 0; i < jobs; i++) {
		struct aimc_job_result res;
		uint64_t id;
		double t0 = now_s(), t1;

		ret = aimc_job_submit(b->dev, &nop, 1, NULL, 0, 0, &id);
		t1 = now_s();
		if (!ret)
			ret = aimc_job_wait(b->dev, id, aimc_deadline_ns(10000), &res);
		if (!ret && res.status != AIMC_JOB_DONE)
			ret = -EIO;
		if (ret < 0)
			return ret;
		ts[i] = (t1 - t0) * 1e6;
		tw[i] = (now_s() - t1) * 1e6;
		v[i] = ts[i] + tw[i];
	}
	for (i = 0, m[4][rep] = 0; i < jobs; i++)
		m[4][rep] += v[i] / jobs;
	m[1][rep] = median(v, jobs);
	m[2][rep] = median(ts, jobs);
	m[3][rep] = median(tw, jobs);
	return 0;
}

/* Write @val to the emulated card's knob @name; returns 0 or -errno. */
static int emu_knob_write(const struct bench *b, const char *name, unsigned int val)
{
	char path[600];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", b->emu_knobs, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%u\n", val) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret < 0)
		fprintf(stderr, "aimc-bench: cannot write %s: %s\n", path, strerror(-ret));
	return ret;
}

/*
 * With --emu-knobs, the empty job again with the emulated card's worker
 * running every descriptor (inline_short=0): the cost of the worker
 * thread's two switches that the doorbell path saves.
 */
static int kernel_latency_worker(struct bench *b, unsigned int jobs,
				 const struct bench_row *ioctl_row)
{
	double *v = calloc(jobs, sizeof(double)), *ts = calloc(jobs, sizeof(double));
	double *tw = calloc(jobs, sizeof(double));
	double *m[5] = { NULL };
	struct bench_row *r;
	unsigned int rep, i;
	int ret = -ENOMEM;

	for (i = 1; i < 5; i++)
		m[i] = calloc(b->repeats, sizeof(double));
	if (!v || !ts || !tw || !m[1] || !m[2] || !m[3] || !m[4])
		goto out;
	ret = emu_knob_write(b, "inline_short", 0);
	if (ret < 0)
		goto out;
	for (rep = 0; rep < b->repeats && ret >= 0; rep++)
		ret = empty_job_latency(b, jobs, v, ts, tw, m, rep);
	if (emu_knob_write(b, "inline_short", 1) < 0 && ret >= 0)
		ret = -EIO;
	if (ret < 0)
		goto out;
	r = add_row(b, b->kernel_section, "empty job, card worker runs it (inline_short=0)",
		    median(m[1], b->repeats), "us");
	set_baseline(r, ioctl_row);
	r = add_row(b, b->kernel_section, "  of which the SUBMIT ioctl", median(m[2], b->repeats), "us");
	set_baseline(r, ioctl_row);
	r = add_row(b, b->kernel_section, "  of which WAIT", median(m[3], b->repeats), "us");
	set_baseline(r, ioctl_row);
out:
	if (ret == -ENOMEM)
		fprintf(stderr, "aimc-bench: kernel latency: out of memory\n");
	free(v);
	free(ts);
	free(tw);
	for (i = 1; i < 5; i++)
		free(m[i]);
	return ret;
}

/*
 * Latencies, each timed call by call and reported as the median call (the
 * mean of back-to-back calls follows, tail included: in a TCG guest on a
 * loaded host a vCPU waits for a host time slice now and then):
 *   a no-op ioctl (GET_PARAM), the baseline;
 *   an empty job's round trip (SUBMIT of one NOP, WAIT for it), then its
 *   two halves: the SUBMIT ioctl alone, and the WAIT ioctl (the card's
 *   worker picking the descriptor up, the completion interrupt, the
 *   driver's retire work and the waiter's wakeup);
 *   the floor of any asynchronous design in this guest: a round trip
 *   through another process over two pipes (two wakeups, as submitter ->
 *   card worker -> submitter).
 */
static int kernel_latency(struct bench *b, int fd, unsigned int calls,
			  unsigned int jobs, const struct bench_row **ioctl_out)
{
	unsigned int n = calls > jobs ? calls : jobs, rep, i;
	double *v = calloc(n, sizeof(double)), *tw = calloc(jobs, sizeof(double));
	double *ts = calloc(jobs, sizeof(double));
	double *m[6];
	int to_child[2] = { -1, -1 }, to_parent[2] = { -1, -1 }, ret = -ENOMEM;
	struct bench_row *r, *ioctl_row, *job_row, *pipe_row;
	pid_t pid = -1;
	char c = 0;

	for (i = 0; i < 6; i++)
		m[i] = calloc(b->repeats, sizeof(double));
	if (!v || !ts || !tw || !m[0] || !m[1] || !m[2] || !m[3] || !m[4] || !m[5])
		goto out;
	for (rep = 0; rep < b->repeats; rep++) {
		for (i = 0; i < calls; i++) {
			double t0 = now_s();

			if (noop_ioctl(fd)) {
				ret = -errno;
				goto out;
			}
			v[i] = (now_s() - t0) * 1e6;
		}
		m[0][rep] = median(v, calls);
		ret = empty_job_latency(b, jobs, v, ts, tw, m, rep);
		if (ret < 0)
			goto out;
	}

	ret = -errno;
	if (pipe(to_child) || pipe(to_parent))
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		/* EOF once the parent closes its end */
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	to_child[0] = to_parent[1] = -1;
	for (rep = 0; rep < b->repeats; rep++) {
		for (i = 0; i < jobs; i++) {
			double t0 = now_s();

			if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
				goto out;
			v[i] = (now_s() - t0) * 1e6;
		}
		m[5][rep] = median(v, jobs);
	}

	ioctl_row = add_row(b, b->kernel_section, "no-op ioctl (GET_PARAM), median call",
			    median(m[0], b->repeats), "us");
	*ioctl_out = ioctl_row;
	job_row = add_row(b, b->kernel_section, "empty job round trip, median job",
			  median(m[1], b->repeats), "us");
	set_baseline(job_row, ioctl_row);
	r = add_row(b, b->kernel_section, "  of which the SUBMIT ioctl", median(m[2], b->repeats), "us");
	set_baseline(r, ioctl_row);
	r = add_row(b, b->kernel_section, "  of which WAIT (card, IRQ, retire, wakeup)",
		    median(m[3], b->repeats), "us");
	set_baseline(r, ioctl_row);
	r = add_row(b, b->kernel_section, "empty job round trip, mean (tail included)",
		    median(m[4], b->repeats), "us");
	set_baseline(r, ioctl_row);
	pipe_row = add_row(b, b->kernel_section, "pipe round trip via another process, median",
			   median(m[5], b->repeats), "us");
	set_baseline(pipe_row, ioctl_row);
	r = add_row(b, b->kernel_section, "empty job round trip, median job (again)", job_row->value, "us");
	set_baseline(r, pipe_row);
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "aimc-bench: kernel latency: %s\n", aimc_last_error());
	for (i = 0; i < 2; i++) {
		if (to_child[i] >= 0)
			close(to_child[i]);
		if (to_parent[i] >= 0)
			close(to_parent[i]);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	free(v);
	free(ts);
	free(tw);
	for (i = 0; i < 6; i++)
		free(m[i]);
	return ret;
}

static int bench_kernel(struct bench *b)
{
	static const unsigned int inflight[] = { 1, 4, 16, 64 };
	const unsigned int ioctls = 5000, jobs = 400;
	double *t = calloc(b->repeats, sizeof(*t));
	const struct bench_row *ioctl_row = NULL;
	struct bench_row *base = NULL;
	unsigned int rep, i, k;
	int fd = aimc_job_fd(b->dev), ret;

	if (fd < 0 || !t) {
		free(t);
		fprintf(stderr, "aimc-bench: kernel: %s\n",
			fd < 0 ? aimc_last_error() : "out of memory");
		return fd < 0 ? fd : -ENOMEM;
	}
	ret = kernel_latency(b, fd, ioctls, jobs, &ioctl_row);
	if (ret >= 0 && b->emu_knobs)
		ret = kernel_latency_worker(b, jobs, ioctl_row);
	if (ret < 0) {
		free(t);
		return ret;
	}

	for (k = 0; k < sizeof(inflight) / sizeof(inflight[0]); k++) {
		char name[64];

		for (rep = 0; rep < b->repeats; rep++) {
			double t0 = now_s();

			for (i = 0; i < jobs / inflight[k]; i++) {
				ret = run_empty_jobs(b->dev, inflight[k]);
				if (ret < 0) {
					free(t);
					return ret;
				}
			}
			t[rep] = (jobs / inflight[k]) * inflight[k] / (now_s() - t0);
		}
		snprintf(name, sizeof(name), "empty jobs, %u in flight", inflight[k]);
		add_kernel_series_row(b, name, k, median(t, b->repeats), "jobs/s", &base);
	}
	free(t);
	return kernel_stream(b, ioctl_row);
}


/* ---- output ---------------------------------------------------------- */

static void print_table(const struct bench *b)
{
	unsigned int i;

	printf("%-10s %-58s %12s %-8s %-50s %8s\n", "section", "figure", "median",
	       "unit", "baseline (same run)", "ratio");
	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		if (r->hidden)
			continue;
		/* counts exactly: %.4g printed 12 992 cells as 1.299e+04 */
		if (r->value == floor(r->value) && fabs(r->value) < 1e9)
			printf("%-10s %-58s %12.0f %-8s %-50s ", r->section, r->name,
			       r->value, r->unit, r->baseline[0] ? r->baseline : "-");
		else
			printf("%-10s %-58s %12.4g %-8s %-50s ", r->section, r->name,
			       r->value, r->unit, r->baseline[0] ? r->baseline : "-");
		if (r->baseline[0])
			printf("%8.3g\n", r->ratio);
		else
			printf("%8s\n", "-");
	}
}

/* Names and units are ours: no commas or quotes in them. */
static int write_csv(const struct bench *b, const char *path,
		     const char *machine)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f)
		return -errno;
	fprintf(f, "# machine: %s\n", machine);
	fprintf(f, "section,figure,median,unit,baseline,ratio,hidden\n");
	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		fprintf(f, "%s,\"%s\",%.6g,%s,\"%s\",%.6g,%d\n", r->section, r->name,
			r->value, r->unit, r->baseline, r->ratio, r->hidden);
	}
	return fclose(f) ? -errno : 0;
}

static int write_json(const struct bench *b, const char *path,
		      const char *machine)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f)
		return -errno;
	fprintf(f, "{\"machine\": \"%s\", \"repeats\": %u, \"rows\": [\n",
		machine, b->repeats);
	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		fprintf(f, "  {\"section\": \"%s\", \"figure\": \"%s\", \"median\": %.6g, "
			"\"unit\": \"%s\", \"baseline\": \"%s\", \"ratio\": %.6g}%s\n",
			r->section, r->name, r->value, r->unit, r->baseline, r->ratio,
			i + 1 < b->nrows ? "," : "");
	}
	fprintf(f, "]}\n");
	return fclose(f) ? -errno : 0;
}

/* Split one CSV line of write_csv() in place; returns the field count. */
static int csv_fields(char *line, char **field, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		if (*p == '"') {
			field[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = '\0';
		} else {
			field[n++] = p;
			p += strcspn(p, ",");
		}
		if (*p != ',')
			break;
		*p++ = '\0';
	}
	return n;
}

/* Rows of earlier runs' CSV files (the host's and the guest's) into @b. */
static int read_csv(struct bench *b, const char *path, char *machines,
		    size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512], *fld[7];

	if (!f) {
		fprintf(stderr, "aimc-bench: cannot read %s\n", path);
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		struct bench_row *r;

		if (!strncmp(line, "# machine: ", 11)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(machines + strlen(machines), len - strlen(machines),
				 "%s%s", machines[0] ? "; " : "", line + 11);
			continue;
		}
		if (!strncmp(line, "section,", 8) ||
		    csv_fields(line, fld, 7) != 7)
			continue;
		r = add_row(b, fld[0], fld[1], strtod(fld[2], NULL), fld[3]);
		snprintf(r->baseline, sizeof(r->baseline), "%s", fld[4]);
		r->ratio = strtod(fld[5], NULL);
		r->hidden = atoi(fld[6]);
	}
	fclose(f);
	return 0;
}

static void machine_line(char *buf, size_t len)
{
	char model[128] = "unknown CPU", line[256];
	struct utsname u;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double load = -1;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	if (uname(&u))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s %s %s, %s, %ld CPUs, load %.2f at start",
			 u.sysname, u.release, u.machine, model, cpus, load);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aimc-bench [--device drm|sim|auto] [--repeats N] [--quick]\n"
		"                  [--csv FILE] [--json FILE] [--plots DIR] [--models DIR]\n"
		"                  [--emu-knobs DIR] [--card LABEL] [SECTION...]\n"
		"       aimc-bench --table CSV... [--csv FILE] [--json FILE]\n"
		"Sections: stream energy cost mem noise wv (sim), kernel (drm).\n"
		"Default: every section the device supports.\n");
}

static int run_section(struct bench *b, const char *section, uint32_t backend)
{
	int sim = backend == AIMC_BACKEND_SIM;

	if (!strcmp(section, "kernel")) {
		if (backend == AIMC_BACKEND_DRM)
			return bench_kernel(b);
		fprintf(stderr, "aimc-bench: kernel needs the drm backend\n");
		return -ENODEV;
	}
	if (!strcmp(section, "stream") || !strcmp(section, "cost") ||
	    !strcmp(section, "energy") ||
	    !strcmp(section, "mem") || !strcmp(section, "noise") ||
	    !strcmp(section, "wv")) {
		/* they open their own in-process cards */
		if (!sim) {
			fprintf(stderr, "aimc-bench: %s runs on the sim backend\n", section);
			return -ENODEV;
		}
		if (!strcmp(section, "stream"))
			return bench_stream(b);
		if (!strcmp(section, "cost"))
			return bench_cost(b);
		if (!strcmp(section, "energy"))
			return bench_energy(b);
		if (!strcmp(section, "mem"))
			return bench_mem(b);
		if (!strcmp(section, "noise"))
			return bench_noise(b);
		return bench_wv(b);
	}
	fprintf(stderr, "aimc-bench: unknown section '%s'\n", section);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "csv", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "plots", required_argument, NULL, 'p' },
		{ "models", required_argument, NULL, 'm' },
		{ "quick", no_argument, NULL, 'q' },
		{ "emu-knobs", required_argument, NULL, 'e' },
		{ "card", required_argument, NULL, 'k' },
		{ "table", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const sim_sections[] = { "stream", "energy", "cost", "mem", "noise", "wv" };
	static struct bench b = { .repeats = 5, .models_dir = "tools/qat/models" };
	enum aimc_backend backend = AIMC_BACKEND_AUTO;
	const char *csv = NULL, *json = NULL;
	struct aimc_device_info info;
	char machine[1024] = "";
	int opt, i, ret = 0, table = 0;
	unsigned int k;

	if (argc == 6 && !strcmp(argv[1], "--mem-child"))
		return mem_child(argv + 2);
	snprintf(b.kernel_section, sizeof(b.kernel_section), "kernel");
	while ((opt = getopt_long(argc, argv, "d:r:c:j:p:m:e:k:qth", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (!strcmp(optarg, "drm"))
				backend = AIMC_BACKEND_DRM;
			else if (!strcmp(optarg, "sim"))
				backend = AIMC_BACKEND_SIM;
			else if (!strcmp(optarg, "auto"))
				backend = AIMC_BACKEND_AUTO;
			else {
				fprintf(stderr, "aimc-bench: unknown device '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			b.repeats = strtoul(optarg, NULL, 0);
			if (b.repeats < 1 || b.repeats > 1000) {
				fprintf(stderr, "aimc-bench: --repeats takes 1..1000\n");
				return 2;
			}
			break;
		case 'c':
			csv = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'p':
			b.plots = optarg;
			break;
		case 'm':
			b.models_dir = optarg;
			break;
		case 'q':
			b.quick = 1;
			break;
		case 'e':
			b.emu_knobs = optarg;
			break;
		case 'k':
			if (strlen(optarg) > sizeof(b.kernel_section) - 8) {
				fprintf(stderr, "aimc-bench: --card takes at most %zu characters\n",
					sizeof(b.kernel_section) - 8);
				return 2;
			}
			snprintf(b.kernel_section, sizeof(b.kernel_section), "kernel-%s", optarg);
			break;
		case 't':
			table = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	if (table) {
		for (i = optind; i < argc && !ret; i++)
			ret = read_csv(&b, argv[i], machine, sizeof(machine));
		if (ret)
			return 1;
		printf("aimc-bench: %s\n", machine);
		goto output;
	}

	ret = aimc_device_open(backend, 0, &b.dev);
	if (ret < 0 || aimc_device_info(b.dev, &info, sizeof(info)) < 0) {
		fprintf(stderr, "aimc-bench: %s\n", aimc_last_error());
		return 1;
	}
	machine_line(machine, sizeof(machine));
	printf("aimc-bench: %s, device %s (%s), median of %u runs\n", machine,
	       info.node, aimc_backend_name(info.backend), b.repeats);
	fflush(stdout);
	if (info.backend == AIMC_BACKEND_SIM)
		find_models(&b);
	if (b.plots)
		mkdir(b.plots, 0777);

	if (optind == argc) {
		if (info.backend == AIMC_BACKEND_DRM)
			ret = run_section(&b, "kernel", info.backend);
		else
			for (k = 0; k < sizeof(sim_sections) / sizeof(sim_sections[0]) && ret >= 0; k++)
				ret = run_section(&b, sim_sections[k], info.backend);
	}
	for (i = optind; i < argc && ret >= 0; i++)
		ret = run_section(&b, argv[i], info.backend);
	aimc_device_close(b.dev);
	if (info.backend == AIMC_BACKEND_SIM)
		write_plot_scripts(&b);
	for (k = 0; k < b.nmodels; k++)
		if (b.models[k].tm)
			testmodel_free(b.models[k].tm);
	aimc_ssm_free(b.float_model);
output:
	print_table(&b);
	if (csv && write_csv(&b, csv, machine))
		fprintf(stderr, "aimc-bench: cannot write %s\n", csv), ret = -EIO;
	if (json && write_json(&b, json, machine))
		fprintf(stderr, "aimc-bench: cannot write %s\n", json), ret = -EIO;
	return ret < 0;
}
