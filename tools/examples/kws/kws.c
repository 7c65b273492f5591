// SPDX-License-Identifier: MIT
/*
 * aimc-kws: keyword spotting on an AIMC card, streaming.  The example
 * of tools/examples/kws/README.md, written to be copied.
 *
 * Reads WAV files (16 kHz mono) in blocks of one hop (16 ms) as a
 * microphone would deliver them, turns them into the trainer's log-mel
 * frames as they arrive (frontend.c), and streams each frame to the card
 * at once: while the card runs frame t, the CPU computes frame t + 1.
 * Every second of audio is one utterance window: at its end the stream's
 * decoder gives the logits, and the word is printed.
 *
 *   aimc-kws MODEL WAV... [--device sim|drm|auto] [--seed S]
 *            [--labels FILE] [--features] [--quiet]
 *
 * --labels FILE: lines "WAV LABEL" (as tools/examples/kws/kws_data.py
 * writes them); prints the accuracy.  --features prints the frames
 * instead of running them (for the comparison with the trainer's).
 * Exit status: 0 success, 1 the card failed, 2 usage or a bad file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aimc.h>

#include "frontend.h"
#include "model_meta.h"
#include "wav.h"

static const char *const words[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
};
#define N_WORDS	(sizeof(words) / sizeof(words[0]))

struct kws {
	struct aimc_stream *stream;	/* NULL with --features */
	bool pending;			/* a frame submitted, not collected */
	bool quiet;
	unsigned long frames;
	int failed;			/* aimc error of the last frame */
};

static void die(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "aimc-kws: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(code);
}

/* Collect the frame the card is running, if any. */
static int collect(struct kws *k)
{
	int ret = 0;

	if (k->pending)
		ret = aimc_stream_wait(k->stream, -1, NULL);
	k->pending = false;
	return ret;
}

/* A frame is ready: wait for the previous one, submit this one. */
static int on_frame(const float *frame, void *ctx)
{
	struct kws *k = ctx;
	int ret, m;

	k->frames++;
	if (!k->stream) {
		for (m = 0; m < KWS_MELS; m++)
			printf("%s%.7g", m ? " " : "", frame[m]);
		printf("\n");
		return 0;
	}
	ret = collect(k);
	if (!ret)
		ret = aimc_stream_submit(k->stream, frame, KWS_MELS, 1);
	k->pending = !ret;
	k->failed = ret;
	return ret;
}

static int argmax(const float *v, unsigned int n)
{
	unsigned int i, best = 0;

	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return (int)best;
}

/* The window's decision: the last frame collected, then the decoder. */
static int end_window(struct kws *k, const char *path, unsigned int window)
{
	float logits[N_WORDS];
	int ret = collect(k), word;

	if (!k->stream) {
		printf("\n");	/* windows apart in --features */
		return 0;
	}
	if (!ret)
		ret = aimc_stream_finish(k->stream, logits, 0);
	if (ret)
		return ret;
	word = argmax(logits, N_WORDS);
	if (!k->quiet)
		printf("%s: %.1f s: %s\n", path, window + 1.0, words[word]);
	return word;
}

/* Stream one file, window by window; the last window's word, or < 0. */
static int spot(struct kws *k, struct frontend *fe, const char *path)
{
	float block[KWS_HOP];
	unsigned int window = 0;
	struct wav w;
	char err[512];
	long n, used, off;
	int word = -1;

	if (wav_open(&w, path, err, sizeof(err)))
		die(2, "%s", err);
	if (w.rate != KWS_RATE) {
		wav_close(&w);
		die(2, "%s: not 16000 samples per second", path);
	}
	while ((n = wav_read(&w, block, KWS_HOP)) > 0) {
		for (off = 0; off < n; off += used) {
			used = frontend_feed(fe, block + off, (size_t)(n - off), on_frame, k);
			if (used < 0)
				goto card_failed;
			if (frontend_window_full(fe)) {
				word = end_window(k, path, window++);
				if (word < 0)
					goto card_failed;
				frontend_next_window(fe);
			}
		}
	}
	wav_close(&w);
	if (n < 0)
		die(2, "%s: read error", path);
	/* a last, partial second: padded with silence, as in training */
	if (fe->filled) {
		if (frontend_pad(fe, on_frame, k))
			goto card_failed;
		word = end_window(k, path, window);
		frontend_next_window(fe);
	}
	return word;
card_failed:
	wav_close(&w);
	fprintf(stderr, "aimc-kws: %s: %s\n", path, aimc_last_error());
	exit(1);
}

/* The label of @path in a "WAV LABEL" list, or -1. */
static long label_of(FILE *labels, const char *path)
{
	char line[4096], name[4096];
	long label;

	if (!labels)
		return -1;
	rewind(labels);
	while (fgets(line, sizeof(line), labels))
		if (sscanf(line, "%4095s %ld", name, &label) == 2 && !strcmp(name, path))
			return label;
	return -1;
}

static struct aimc_net *open_net(const char *model, const char *device,
				 unsigned long long seed)
{
	struct aimc_sim_options o = { .seed = seed };
	struct aimc_model_info mi;
	struct aimc_device *dev;
	struct aimc_net *net;
	int ret;

	if (aimc_model_info(model, &mi, sizeof(mi)) < 0)
		die(2, "%s", aimc_last_error());
	if (mi.d_input != KWS_MELS || mi.n_classes != N_WORDS)
		die(2, "%s: not a keyword model (40 bands in, 10 words out)", model);
	if (!strcmp(device, "sim"))
		ret = aimc_device_open_sim(&o, &dev);
	else
		ret = aimc_device_open(strcmp(device, "drm") ? AIMC_BACKEND_AUTO :
				       AIMC_BACKEND_DRM, 0, &dev);
	if (!ret)
		ret = aimc_net_open(dev, model, 0, &net);	/* and program it */
	aimc_device_close(dev);	/* the net keeps the device */
	if (ret)
		die(1, "%s", aimc_last_error());
	return net;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "labels", required_argument, NULL, 'l' },
		{ "features", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = "sim", *model;
	unsigned long long seed = 1;
	unsigned long labelled = 0, correct = 0;
	struct kws k = { 0 };
	struct aimc_net *net = NULL;
	struct frontend fe;
	FILE *labels = NULL;
	float mean, std;
	char err[512];
	int opt, i;
	bool features = false;

	while ((opt = getopt_long(argc, argv, "d:s:l:fqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (strcmp(optarg, "sim") && strcmp(optarg, "drm") && strcmp(optarg, "auto"))
				die(2, "--device %s: not sim, drm or auto", optarg);
			device = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			if (!seed || *optarg == '-')
				die(2, "--seed %s: a whole number >= 1", optarg);
			break;
		case 'l':
			labels = fopen(optarg, "r");
			if (!labels)
				die(2, "--labels %s: cannot open", optarg);
			break;
		case 'f': features = true; break;
		case 'q': k.quiet = true; break;
		case 'h':
			printf("usage: aimc-kws MODEL WAV... [--device sim|drm|auto] [--seed S]\n"
			       "                [--labels FILE] [--features] [--quiet]\n"
			       "Spot the spoken digit in every second of each WAV (16 kHz mono) on an\n"
			       "AIMC card, streaming the audio frame by frame (tools/examples/kws/README.md).\n"
			       "Exit status: 0 success, 1 the card failed, 2 usage or a bad file.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (argc - optind < 2)
		die(2, "%s", "usage: aimc-kws MODEL WAV... (--help)");
	model = argv[optind];
	if (kws_model_norm(model, &mean, &std, err, sizeof(err)))
		die(2, "%s", err);
	if (frontend_init(&fe, mean, std))
		die(1, "%s", "out of memory for FFTW");
	if (!features) {
		net = open_net(model, device, seed);
		if (aimc_stream_open(net, &k.stream))
			die(1, "%s", aimc_last_error());
	}
	for (i = optind + 1; i < argc; i++) {
		long label = label_of(labels, argv[i]);
		int word = spot(&k, &fe, argv[i]);

		if (label >= 0 && !features) {
			labelled++;
			correct += word == label;
		}
	}
	if (labelled)
		printf("accuracy %.2f %% (%lu of %lu), %lu frames streamed\n",
		       100.0 * (double)correct / (double)labelled, correct, labelled,
		       k.frames);
	aimc_stream_close(k.stream);
	aimc_net_close(net);
	frontend_free(&fe);
	fftw_cleanup();
	if (labels)
		fclose(labels);
	return 0;
}
