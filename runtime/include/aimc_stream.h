/* SPDX-License-Identifier: MIT */
/*
 * libaimc streaming inference: streams running a programmed model
 * (struct aimc_net, aimc_net.h) sample by sample with their recurrent
 * state kept on the card between submissions (struct aimc_stream, one or
 * more card stream slots each).  Included by aimc.h.  What the card
 * computes is runtime/docs/integer-inference.md; noise-free it equals
 * the library's integer reference bit for bit.
 *
 * A stream runs one sequence after another: aimc_stream_finish() ends a
 * sequence and the next push starts a new one from a zero state, unless
 * the finish asked to keep it (AIMC_FINISH_KEEP_STATE).
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

/*
 * aimc_stream_open() - a new stream (zero state) on @net
 *
 * The stream holds a reference on @net.  Errors: -ENODATA (the net is
 * not programmed), -ENOSPC (no free stream slot on the card; other
 * streams are untouched), -ENOMEM.
 */
int aimc_stream_open(struct aimc_net *net, struct aimc_stream **out);

/* aimc_stream_set_chunk() - steps per submission, 1..max_chunk (-EINVAL) */
int aimc_stream_set_chunk(struct aimc_stream *s, uint32_t steps);

/*
 * aimc_stream_push() - run @n_steps samples of @width values each
 *
 * @outputs gets n_steps x d_output values (may be NULL), the card's
 * output of each step as real numbers.  Splits into chunks, one
 * submission each, and waits for each.  Returns 0 or: -EINVAL (@width is
 * not d_input, or n_steps is 0), -EDOM (a NaN or infinite sample:
 * nothing is submitted, the state is unchanged), -EBUSY (an asynchronous
 * submission is pending), -EIO (the card failed the job).
 */
int aimc_stream_push(struct aimc_stream *s, const float *samples,
		     uint32_t width, uint32_t n_steps, float *outputs);

/* aimc_stream_finish(): the next push continues this sequence */
#define AIMC_FINISH_KEEP_STATE	0x1u

/*
 * aimc_stream_finish() - end of a sequence: the decoder on the mean of
 * every step since the sequence began, n_classes logits into @logits
 *
 * The next push starts a new sequence from a zero state; with
 * AIMC_FINISH_KEEP_STATE only the mean starts over and the recurrent
 * state carries on.
 */
int aimc_stream_finish(struct aimc_stream *s, float *logits, uint32_t flags);

/*
 * aimc_stream_submit() - asynchronous push of at most one chunk
 *
 * Same checks as aimc_stream_push(), plus -EMSGSIZE if @n_steps exceeds
 * the chunk size.  Then aimc_stream_fd() becomes readable (poll POLLIN)
 * when the card has finished, and aimc_stream_wait() collects the
 * outputs.
 */
int aimc_stream_submit(struct aimc_stream *s, const float *samples,
		       uint32_t width, uint32_t n_steps);

/*
 * aimc_stream_submit_finish() - asynchronous aimc_stream_finish()
 *
 * aimc_stream_wait() then stores the n_classes logits.
 */
int aimc_stream_submit_finish(struct aimc_stream *s, uint32_t flags);

/*
 * aimc_stream_fd() - pollable fd of the pending submission
 *
 * -EINVAL if nothing is pending.  drm: a sync_file of the job's fence.
 * sim: the card runs the job inside the submit; an eventfd that is
 * already readable.  The fd belongs to the stream.
 */
int aimc_stream_fd(struct aimc_stream *s);

/*
 * aimc_stream_wait() - wait for the pending submission
 *
 * Waits up to @timeout_ns nanoseconds (negative: without a limit; 0:
 * only looks), then stores what it computed in @out (may be NULL): a
 * chunk's outputs as aimc_stream_push(), or a finish's logits.  -EINVAL
 * if nothing is pending, -ETIME on timeout (still pending), -EIO if the
 * card failed.
 */
int aimc_stream_wait(struct aimc_stream *s, int64_t timeout_ns, float *out);

/*
 * aimc_stream_reset() - abandon the sequence: zero the state and the
 * mean (at the next job)
 */
int aimc_stream_reset(struct aimc_stream *s);

/*
 * aimc_stream_close() - wait for a pending submission, give the stream's
 * slots back and free the stream; NULL is ignored
 *
 * The handle must not be used afterwards.
 */
int aimc_stream_close(struct aimc_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* AIMC_STREAM_H */
