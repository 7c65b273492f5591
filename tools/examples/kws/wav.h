/* SPDX-License-Identifier: MIT */
/*
 * The WAV files of the keyword-spotting example (wav.c): RIFF/WAVE, one
 * channel, 16-bit PCM or 32-bit IEEE float, read in blocks as they would
 * arrive from a microphone.
 */
#ifndef KWS_WAV_H
#define KWS_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct wav {
	FILE *f;
	uint32_t rate;		/* samples per second */
	uint16_t format;	/* 1: PCM, 3: IEEE float */
	uint16_t bits;		/* 16 or 32 */
	uint64_t left;		/* samples not read yet */
};

/* Open @path; 0, or -1 with the reason in @err. */
int wav_open(struct wav *w, const char *path, char *err, size_t err_size);

/* Up to @max samples as floats in [-1, 1]; how many (0 at the end), -1 on error. */
long wav_read(struct wav *w, float *out, size_t max);

void wav_close(struct wav *w);

#endif /* KWS_WAV_H */
