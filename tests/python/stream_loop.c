// SPDX-License-Identifier: MIT
/* The C path's streaming loop (stream_loop.h). */
#include "stream_loop.h"

int stream_sequences(struct aimc_stream *s, const float *x, size_t n_seqs,
		     uint32_t steps, uint32_t width, uint32_t d_output,
		     uint32_t n_classes, float *out, float *logits)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n_seqs && !ret; i++) {
		ret = aimc_stream_push(s, x + i * steps * width, width, steps,
				       out + i * steps * d_output);
		if (!ret)
			ret = aimc_stream_finish(s, logits + i * n_classes, 0);
	}
	return ret;
}
