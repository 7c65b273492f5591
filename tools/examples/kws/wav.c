// SPDX-License-Identifier: MIT
/* WAV reading for the keyword-spotting example (wav.h). */
#include <stdarg.h>
#include <string.h>

#include "wav.h"

static int fail(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The chunks up to "data": "fmt " must come first (every writer does). */
int wav_open(struct wav *w, const char *path, char *err, size_t err_size)
{
	unsigned char hdr[12], chunk[8], fmt[16];
	uint32_t size;
	uint16_t channels = 0;

	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "rb");
	if (!w->f)
		return fail(err, err_size, "%s: cannot open", path);
	if (fread(hdr, 1, 12, w->f) != 12 || memcmp(hdr, "RIFF", 4) ||
	    memcmp(hdr + 8, "WAVE", 4))
		goto bad;
	while (fread(chunk, 1, 8, w->f) == 8) {
		size = le32(chunk + 4);
		if (!memcmp(chunk, "fmt ", 4)) {
			if (size < 16 || fread(fmt, 1, 16, w->f) != 16 ||
			    fseek(w->f, (long)(size - 16 + (size & 1)), SEEK_CUR))
				goto bad;
			w->format = le16(fmt);
			channels = le16(fmt + 2);
			w->rate = le32(fmt + 4);
			w->bits = le16(fmt + 14);
		} else if (!memcmp(chunk, "data", 4)) {
			if (!w->rate)
				goto bad;
			if (channels != 1 ||
			    !((w->format == 1 && w->bits == 16) ||
			      (w->format == 3 && w->bits == 32))) {
				wav_close(w);
				return fail(err, err_size,
					    "%s: %u channels, format %u, %u bits: want mono 16-bit PCM or 32-bit float",
					    path, channels, w->format, w->bits);
			}
			w->left = size / (w->bits / 8);
			return 0;
		} else if (fseek(w->f, (long)(size + (size & 1)), SEEK_CUR)) {
			goto bad;
		}
	}
bad:
	wav_close(w);
	return fail(err, err_size, "%s: not a WAV file (RIFF/WAVE with fmt and data chunks)",
		    path);
}

long wav_read(struct wav *w, float *out, size_t max)
{
	unsigned char buf[4096];
	size_t want = max < w->left ? max : (size_t)w->left, bytes = w->bits / 8;
	size_t done = 0, n, i;

	while (done < want) {
		n = want - done < sizeof(buf) / bytes ? want - done : sizeof(buf) / bytes;
		if (fread(buf, bytes, n, w->f) != n)
			return -1;
		for (i = 0; i < n; i++) {
			if (w->format == 1) {
				out[done + i] = (float)(int16_t)le16(buf + 2 * i) / 32768.0f;
			} else {
				uint32_t u = le32(buf + 4 * i);

				memcpy(&out[done + i], &u, 4);
			}
		}
		done += n;
	}
	w->left -= done;
	return (long)done;
}

void wav_close(struct wav *w)
{
	if (w->f)
		fclose(w->f);
	w->f = NULL;
}
