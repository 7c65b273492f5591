// SPDX-License-Identifier: MIT
/*
 * Log-mel features as the trainer computes them (frontend.h).  Each step
 * follows numpy's operation in tools/qat/aimc_qat/data.py, in double
 * precision as numpy does, so that the C and Python features agree to
 * rounding (tools/examples/kws/features_match.py checks it):
 *
 *   mel_filterbank(): mels = linspace(mel(20), mel(8000), 42),
 *     hz = mel^-1(mels), bins = rfftfreq(512, 1/16000),
 *     fb[m] = max(0, min((bins - lo) / (c - lo), (hi - bins) / (hi - c)))
 *   log_mel(): frames * hanning(400), |rfft(n=512)|^2, @ fb.T, log(+1e-6)
 *   then .astype(float32) and (x - mean) / std in float32.
 */
#include <math.h>
#include <string.h>

#include "frontend.h"

static double hz_to_mel(double f)
{
	return 2595.0 * log10(1.0 + f / 700.0);
}

static double mel_to_hz(double m)
{
	return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
}

static void mel_filterbank(double fb[KWS_MELS][KWS_BINS])
{
	double lo_mel = hz_to_mel(KWS_FMIN), hi_mel = hz_to_mel(KWS_RATE / 2.0);
	double step = (hi_mel - lo_mel) / (KWS_MELS + 1), hz[KWS_MELS + 2];
	double bin_hz = 1.0 / (KWS_NFFT * (1.0 / KWS_RATE));	/* rfftfreq */
	int m, k;

	for (m = 0; m < KWS_MELS + 2; m++)	/* linspace: exact ends */
		hz[m] = mel_to_hz(m == KWS_MELS + 1 ? hi_mel : lo_mel + m * step);
	for (m = 0; m < KWS_MELS; m++) {
		for (k = 0; k < KWS_BINS; k++) {
			double f = k * bin_hz;
			double up = (f - hz[m]) / (hz[m + 1] - hz[m]);
			double down = (hz[m + 2] - f) / (hz[m + 2] - hz[m + 1]);

			fb[m][k] = fmax(0.0, fmin(up, down));
		}
	}
}

int frontend_init(struct frontend *fe, float mean, float std)
{
	int n;

	memset(fe, 0, sizeof(*fe));
	for (n = 0; n < KWS_WIN; n++)	/* numpy's hanning(), as it computes it */
		fe->hann[n] = 0.5 + 0.5 * cos(M_PI * (1 - KWS_WIN + 2 * n) / (KWS_WIN - 1));
	mel_filterbank(fe->mel);
	fe->fft_in = fftw_malloc(sizeof(double) * KWS_NFFT);
	fe->fft_out = fftw_malloc(sizeof(fftw_complex) * KWS_BINS);
	if (!fe->fft_in || !fe->fft_out)
		return -1;
	fe->plan = fftw_plan_dft_r2c_1d(KWS_NFFT, fe->fft_in, fe->fft_out,
					FFTW_ESTIMATE);
	fe->mean = mean;
	fe->std = std;
	return fe->plan ? 0 : -1;
}

void frontend_free(struct frontend *fe)
{
	if (fe->plan)
		fftw_destroy_plan(fe->plan);
	fftw_free(fe->fft_in);
	fftw_free(fe->fft_out);
	memset(fe, 0, sizeof(*fe));
}

/* Frame @i of the window: its 40 normalized log-mel values. */
static void frame(struct frontend *fe, unsigned int i, float *out)
{
	const float *x = fe->audio + (size_t)i * KWS_HOP;
	double power[KWS_BINS];
	int n, m, k;

	for (n = 0; n < KWS_NFFT; n++)
		fe->fft_in[n] = n < KWS_WIN ? (double)x[n] * fe->hann[n] : 0.0;
	fftw_execute(fe->plan);
	for (k = 0; k < KWS_BINS; k++)
		power[k] = fe->fft_out[k][0] * fe->fft_out[k][0] +
			   fe->fft_out[k][1] * fe->fft_out[k][1];
	for (m = 0; m < KWS_MELS; m++) {
		double e = 0.0;

		for (k = 0; k < KWS_BINS; k++)
			e += power[k] * fe->mel[m][k];
		out[m] = ((float)log(e + 1e-6) - fe->mean) / fe->std;
	}
}

/* Emit the frames the samples so far complete. */
static int emit_ready(struct frontend *fe, kws_frame_fn emit, void *ctx)
{
	float out[KWS_MELS];
	int ret;

	while (fe->frames < KWS_FRAMES &&
	       fe->filled >= (size_t)fe->frames * KWS_HOP + KWS_WIN) {
		frame(fe, fe->frames++, out);
		ret = emit(out, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

long frontend_feed(struct frontend *fe, const float *x, size_t n,
		   kws_frame_fn emit, void *ctx)
{
	size_t take = KWS_WINDOW - fe->filled;
	int ret;

	if (take > n)
		take = n;
	memcpy(fe->audio + fe->filled, x, take * sizeof(*x));
	fe->filled += take;
	ret = emit_ready(fe, emit, ctx);
	return ret ? ret : (long)take;
}

bool frontend_window_full(const struct frontend *fe)
{
	return fe->filled == KWS_WINDOW;
}

int frontend_pad(struct frontend *fe, kws_frame_fn emit, void *ctx)
{
	memset(fe->audio + fe->filled, 0, (KWS_WINDOW - fe->filled) * sizeof(float));
	fe->filled = KWS_WINDOW;
	return emit_ready(fe, emit, ctx);
}

void frontend_next_window(struct frontend *fe)
{
	fe->filled = 0;
	fe->frames = 0;
}
