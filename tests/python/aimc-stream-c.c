// SPDX-License-Identifier: MIT
/*
 * aimc-stream-c: the C path the Python package is held to (tests/python,
 * make bench).  Streams sequences through libaimc's public API exactly as
 * aimc.Stream.push + finish do: a new sim card (seed, noise-free or not),
 * the model opened and programmed with the defaults, one stream with the
 * given chunk, every sequence pushed (per-step outputs kept) and finished.
 *
 *   aimc-stream-c MODEL INPUT.f32 STEPS [--seed S] [--noise-free]
 *                 [--chunk N] [--repeats R] [--outputs FILE] [--logits FILE]
 *
 * INPUT.f32: raw float32, sequences x STEPS x d_input.  Prints one JSON
 * object: the sequences, the chunk, and the wall time and this thread's
 * CPU time of each repeat's streaming (programming excluded; the sim card
 * runs every job in the calling thread, so its CPU time is all the work,
 * whatever else the machine runs).  --outputs and --logits write what
 * the last repeat computed, raw float32 (sequences x STEPS x d_output,
 * sequences x n_classes).  Exit status 1 with libaimc's message on a
 * failure, 2 for bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aimc.h"
#include "stream_loop.h"

struct options {
	const char *model, *input, *outputs, *logits;
	unsigned long steps, chunk, repeats;
	unsigned long long seed;
	int noise_free;
};

static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(void)
{
	fprintf(stderr, "usage: aimc-stream-c MODEL INPUT.f32 STEPS [--seed S] [--noise-free] "
		"[--chunk N] [--repeats R] [--outputs FILE] [--logits FILE]\n");
	return 2;
}

static int parse(int argc, char **argv, struct options *o)
{
	int i;

	if (argc < 4)
		return -1;
	o->model = argv[1];
	o->input = argv[2];
	o->steps = strtoul(argv[3], NULL, 10);
	o->seed = 1;
	o->repeats = 1;
	for (i = 4; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--noise-free")) {
			o->noise_free = 1;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--seed"))
			o->seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--chunk"))
			o->chunk = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--repeats"))
			o->repeats = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--outputs"))
			o->outputs = v;
		else if (!strcmp(a, "--logits"))
			o->logits = v;
		else
			return -1;
	}
	return o->steps && o->repeats ? 0 : -1;
}

/* The whole file, and its size in floats. */
static float *read_floats(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	float *v = NULL;
	long bytes;

	if (!f || fseek(f, 0, SEEK_END) || (bytes = ftell(f)) <= 0 || bytes % 4 ||
	    fseek(f, 0, SEEK_SET) || !(v = malloc((size_t)bytes)) ||
	    fread(v, 1, (size_t)bytes, f) != (size_t)bytes) {
		fprintf(stderr, "aimc-stream-c: %s: cannot read float32 data\n", path);
		free(v);
		v = NULL;
	}
	if (f)
		fclose(f);
	*n = v ? (size_t)bytes / 4 : 0;
	return v;
}

static int write_floats(const char *path, const float *v, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(v, sizeof(*v), n, f) == n;

	if (f && fclose(f))
		ok = 0;
	if (!ok)
		fprintf(stderr, "aimc-stream-c: %s: %s\n", path, strerror(errno));
	return ok ? 0 : -1;
}

static int fail(const char *what)
{
	fprintf(stderr, "aimc-stream-c: %s: %s\n", what, aimc_last_error());
	return 1;
}

int main(int argc, char **argv)
{
	struct aimc_sim_options so = { 0 };
	struct aimc_net_info info;
	struct aimc_device *dev;
	struct aimc_stream *s;
	struct aimc_net *net;
	struct options o = { 0 };
	float *x, *out, *logits;
	size_t n_values, n_seqs;
	double *wall, *cpu;
	unsigned long r;
	int ret = 1;

	if (parse(argc, argv, &o))
		return usage();
	x = read_floats(o.input, &n_values);
	if (!x)
		return 1;
	so.seed = o.seed;
	so.flags = o.noise_free ? AIMC_SIM_NOISE_FREE : 0;
	if (aimc_device_open_sim(&so, &dev))
		return fail("aimc_device_open_sim");
	if (aimc_net_open(dev, o.model, 0, &net))
		return fail(o.model);
	if (aimc_net_info(net, &info, sizeof(info)) || aimc_stream_open(net, &s))
		return fail("stream");
	if (o.chunk && aimc_stream_set_chunk(s, (uint32_t)o.chunk))
		return fail("chunk");
	n_seqs = n_values / (o.steps * info.d_input);
	if (!n_seqs || n_values % (o.steps * info.d_input)) {
		fprintf(stderr, "aimc-stream-c: %s: %zu values, not sequences of %lu x %u\n",
			o.input, n_values, o.steps, info.d_input);
		return 2;
	}
	out = malloc(n_seqs * o.steps * info.d_output * sizeof(*out));
	logits = malloc(n_seqs * info.n_classes * sizeof(*logits));
	wall = calloc(o.repeats, sizeof(*wall));
	cpu = calloc(o.repeats, sizeof(*cpu));
	if (!out || !logits || !wall || !cpu)
		return 1;
	for (r = 0; r < o.repeats; r++) {
		double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);

		if (stream_sequences(s, x, n_seqs, (uint32_t)o.steps, info.d_input,
				     info.d_output, info.n_classes, out, logits))
			return fail("streaming");
		wall[r] = clock_s(CLOCK_MONOTONIC) - t0;
		cpu[r] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	}
	printf("{\"sequences\": %zu, \"steps\": %lu, \"chunk\": %lu, \"seconds\": [", n_seqs,
	       o.steps, o.chunk ? o.chunk : info.max_chunk);
	for (r = 0; r < o.repeats; r++)
		printf("%s%.9f", r ? ", " : "", wall[r]);
	printf("], \"cpu_seconds\": [");
	for (r = 0; r < o.repeats; r++)
		printf("%s%.9f", r ? ", " : "", cpu[r]);
	printf("]}\n");
	if ((!o.outputs || !write_floats(o.outputs, out, n_seqs * o.steps * info.d_output)) &&
	    (!o.logits || !write_floats(o.logits, logits, n_seqs * info.n_classes)))
		ret = 0;
	aimc_stream_close(s);
	aimc_net_close(net);
	aimc_device_close(dev);
	free(out);
	free(logits);
	free(wall);
	free(cpu);
	free(x);
	return ret;
}
