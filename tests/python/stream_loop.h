/* SPDX-License-Identifier: MIT */
/*
 * The C path's streaming loop (stream_loop.c), shared by aimc-stream-c
 * and, as libstream-loop.so, by make bench's in-process comparison
 * (bench_overhead.py).
 */
#ifndef STREAM_LOOP_H
#define STREAM_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "aimc.h"

/*
 * Push each of @n_seqs sequences of @steps x @width samples (@x, step
 * major) through @s and finish it, as aimc.Stream.push + finish do:
 * per-step outputs into @out (n_seqs x steps x d_output), logits into
 * @logits (n_seqs x n_classes).  0, or the first call's negative errno
 * (aimc_last_error() says which).
 */
int stream_sequences(struct aimc_stream *s, const float *x, size_t n_seqs,
		     uint32_t steps, uint32_t width, uint32_t d_output,
		     uint32_t n_classes, float *out, float *logits);

#endif /* STREAM_LOOP_H */
