/* SPDX-License-Identifier: MIT */
/*
 * The keyword-spotting front end (frontend.c): the trainer's features
 * (tools/qat/aimc_qat/data.py, log_mel()) computed in C, frame by frame
 * as the audio arrives.  16 kHz audio in windows of one second (the
 * trainer's utterance window); per window 61 frames of 40 log-mel bands
 * (25 ms Hann window, 16 ms hop, 512-point FFT by FFTW), normalized with
 * the training set's mean and standard deviation.
 */
#ifndef KWS_FRONTEND_H
#define KWS_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>

#include <fftw3.h>

#define KWS_RATE	16000	/* samples per second */
#define KWS_WIN		400	/* 25 ms */
#define KWS_HOP		256	/* 16 ms */
#define KWS_NFFT	512
#define KWS_BINS	(KWS_NFFT / 2 + 1)
#define KWS_MELS	40
#define KWS_FMIN	20.0	/* Hz; the top band ends at KWS_RATE / 2 */
#define KWS_WINDOW	KWS_RATE	/* one utterance window: 1 s */
#define KWS_FRAMES	(1 + (KWS_WINDOW - KWS_WIN) / KWS_HOP)	/* 61 */

/* A frame is ready: KWS_MELS normalized values. */
typedef int (*kws_frame_fn)(const float *frame, void *ctx);

struct frontend {
	double hann[KWS_WIN];
	double mel[KWS_MELS][KWS_BINS];	/* triangular filters */
	double *fft_in;			/* KWS_NFFT */
	fftw_complex *fft_out;		/* KWS_BINS */
	fftw_plan plan;
	float mean, std;		/* the training set's */
	float audio[KWS_WINDOW];	/* the current window */
	size_t filled;			/* samples of it so far */
	unsigned int frames;		/* frames of it emitted */
};

/* 0, or -1 if FFTW has no memory. */
int frontend_init(struct frontend *fe, float mean, float std);
void frontend_free(struct frontend *fe);

/*
 * Add up to @n samples to the current window and emit every frame they
 * complete; returns how many samples it took (fewer than @n once the
 * window is full), or the callback's non-zero result.
 */
long frontend_feed(struct frontend *fe, const float *x, size_t n,
		   kws_frame_fn emit, void *ctx);

/* The window has all its samples (and so all its frames). */
bool frontend_window_full(const struct frontend *fe);

/* Zero-pad a partial window to its end (emitting its frames), as the
 * trainer places an utterance in a window of silence. */
int frontend_pad(struct frontend *fe, kws_frame_fn emit, void *ctx);

/* Start the next window. */
void frontend_next_window(struct frontend *fe);

#endif /* KWS_FRONTEND_H */
