/* SPDX-License-Identifier: MIT */
/*
 * libaimc streaming inference: streams running a programmed model
 * (struct aimc_net, aimc_net.h) sample by sample with their recurrent
 * state kept on the card between submissions (struct aimc_stream, one or
 * more card stream slots each).  Included by aimc.h.  What the card
 * computes is runtime/docs/integer-inference.md; noise-free it equals
 * the library's integer reference bit for bit.
 */
#ifndef AIMC_STREAM_H
#define AIMC_STREAM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct aimc_device;
struct aimc_net;
struct aimc_stream;

/**
 * aimc_stream_open() - a new stream (zero state) on @net
 *
 * Errors: -ENOEXEC (the net is not programmed), -ENOSPC (no free stream
 * slot on the card; other streams are untouched), -ENOMEM.
 */
int aimc_stream_open(struct aimc_net *net, struct aimc_stream **out);

/** aimc_stream_set_chunk() - steps per submission, 1..max_chunk (-EINVAL) */
int aimc_stream_set_chunk(struct aimc_stream *s, uint32_t steps);

/**
 * aimc_stream_push() - run @n_steps samples of @width values each
 *
 * @outputs gets n_steps x d_output values (may be NULL).  Splits into
 * chunks, one submission each, and waits.  Returns 0 or: -EINVAL
 * (@width is not d_input, or n_steps is 0), -EDOM (a NaN or infinite
 * sample: nothing is submitted, the state is unchanged), -EPIPE (the
 * stream is closed), -EBUSY (an asynchronous submission is pending), -EIO
 * (the card failed the job).
 */
int aimc_stream_push(struct aimc_stream *s, const float *samples,
		     uint32_t width, uint32_t n_steps, float *outputs);

/**
 * aimc_stream_submit() - asynchronous push of at most one chunk
 *
 * Same checks as aimc_stream_push(), plus -E2BIG if @n_steps exceeds the
 * chunk size.  Then aimc_stream_fd() becomes readable (poll POLLIN) when
 * the card has finished, and aimc_stream_wait() collects the outputs.
 * drm: the fd is a sync_file of the job's fence.  sim: the card runs the
 * job inside the submit call; the fd is an eventfd that is already
 * readable when submit returns.
 */
int aimc_stream_submit(struct aimc_stream *s, const float *samples,
		       uint32_t width, uint32_t n_steps);

/** aimc_stream_fd() - pollable fd of the pending submission, or -ENODATA */
int aimc_stream_fd(struct aimc_stream *s);

/**
 * aimc_stream_wait() - wait up to @timeout_ms (-1: forever) for the
 * pending submission; outputs as aimc_stream_push().  -ENODATA if nothing
 * is pending, -ETIME on timeout (still pending), -EIO if the card failed.
 */
int aimc_stream_wait(struct aimc_stream *s, int timeout_ms, float *outputs);

/**
 * aimc_stream_finish() - end of a sequence: the decoder on the mean of
 * every step since the last finish or reset, n_classes logits into
 * @logits.  The pooled mean restarts; the recurrent state is kept.
 */
int aimc_stream_finish(struct aimc_stream *s, float *logits);

/** aimc_stream_reset() - zero the state and the pool (at the next job) */
int aimc_stream_reset(struct aimc_stream *s);

/**
 * aimc_stream_close() - give the stream's slots back
 *
 * The handle stays valid until aimc_net_close(): every later call on it
 * returns -EPIPE.  Closing twice is -EPIPE.
 */
int aimc_stream_close(struct aimc_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* AIMC_STREAM_H */
