// SPDX-License-Identifier: MIT
/*
 * Streams: one or more card stream slots holding a sequence's recurrent
 * state, fed chunk by chunk.  A chunk is one job: an EXEC per program
 * segment over all of the chunk's steps, each segment reading the
 * previous one's per-step outputs from the stream's buffer.  A finish is
 * one job too: the decoder program on the last slot.
 *
 * Sequences: the first job of a sequence carries AIMC_EXEC_F_RESET_STATE
 * on each slot (need_reset), so state never leaks from one sequence into
 * the next unless the application finishes with AIMC_FINISH_KEEP_STATE.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job.h"
#include "stream_internal.h"

#define ALIGN64(x)	(((x) + 63) & ~(uint64_t)63)

/* Stream buffer: input codes, one output area per segment, logits. */
static uint64_t in_bytes(const struct aimc_stream *s)
{
	return ALIGN64((uint64_t)s->net->max_chunk * s->net->model->d_input);
}

static uint64_t seg_out_off(const struct aimc_stream *s, uint32_t k)
{
	return in_bytes(s) + (uint64_t)k * AIMC_IO_MAX_BYTES;
}

static uint64_t logits_off(const struct aimc_stream *s)
{
	return seg_out_off(s, s->net->ps->n_segments);
}

static int check_stream(const struct aimc_stream *s)
{
	return s ? 0 : aimc_set_error(-EINVAL, "no stream");
}

static int check_idle(const struct aimc_stream *s)
{
	int ret = check_stream(s);

	if (!ret && s->pending != AIMC_PENDING_NONE)
		ret = aimc_set_error(-EBUSY, "a submission is pending: collect it with aimc_stream_wait() first");
	return ret;
}

static void release_slots(struct aimc_stream *s, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		aimc_release(s->net->dev, AIMC_RESOURCE_SLOT, s->slots[i]);
}

/* Everything but the handle and its net reference. */
static void stream_release(struct aimc_stream *s, uint32_t n_slots)
{
	release_slots(s, n_slots);
	if (s->fd >= 0)
		close(s->fd);
	if (s->map)
		aimc_bo_munmap(s->map, s->map_size);
	if (s->bo)
		aimc_bo_close(s->net->dev, s->bo);
	free(s->raw);
}

static int stream_open(struct aimc_net *net, struct aimc_stream **out)
{
	struct aimc_stream *s;
	uint32_t i, n;
	int ret = 0;

	if (!net || !out)
		return aimc_set_error(-EINVAL, "NULL argument");
	*out = NULL;
	if (!net->programmed)
		return aimc_set_error(-ENODATA, "the net is not programmed (aimc_net_program())");
	n = net->ps->n_slots;
	if (n > sizeof(s->slots) / sizeof(s->slots[0]))
		return aimc_set_error(-ENOSPC, "a stream would need %u slots, at most %zu",
				      n, sizeof(s->slots) / sizeof(s->slots[0]));
	s = calloc(1, sizeof(*s));
	if (!s)
		return aimc_set_error(-ENOMEM, "out of memory");
	s->net = net;
	s->fd = -1;
	s->chunk = net->max_chunk;
	s->need_reset = true;
	for (i = 0; i < n; i++) {
		ret = aimc_reserve(net->dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				   &s->slots[i]);
		if (ret == -ENOSPC)
			ret = aimc_set_error(-ENOSPC, "no free stream slot on %s (a stream of this net takes %u)",
					     net->dev->node, n);
		if (ret)
			break;
	}
	if (ret) {
		release_slots(s, i);
		free(s);
		return ret;
	}
	s->raw = calloc((size_t)net->max_chunk * net->model->hk, sizeof(int32_t));
	ret = s->raw ? 0 : aimc_set_error(-ENOMEM, "out of memory");
	if (!ret)
		ret = aimc_bo_create(net->dev, logits_off(s) + 4 * AIMC_INT_MAX_IO,
				     &s->bo);
	if (!ret)
		ret = aimc_bo_mmap(net->dev, s->bo, (void **)&s->map,
				   &s->map_size);
	if (ret) {
		stream_release(s, n);
		free(s);
		return ret;
	}
	aimc_net_get(net);
	*out = s;
	return 0;
}

int aimc_stream_open(struct aimc_net *net, struct aimc_stream **out)
{
	aimc_api_begin();
	return aimc_api_end(__func__, stream_open(net, out));
}

static int set_chunk(struct aimc_stream *s, uint32_t steps)
{
	int ret = check_stream(s);

	if (ret)
		return ret;
	if (!steps || steps > s->net->max_chunk)
		return aimc_set_error(-EINVAL, "chunk of %u steps: 1..%u", steps,
				      s->net->max_chunk);
	s->chunk = steps;
	return 0;
}

int aimc_stream_set_chunk(struct aimc_stream *s, uint32_t steps)
{
	aimc_api_begin();
	return aimc_api_end(__func__, set_chunk(s, steps));
}

static int check_samples(const struct aimc_stream *s, const float *v,
			 uint32_t width, uint32_t n_steps)
{
	uint64_t i, n = (uint64_t)width * n_steps;
	int ret = check_idle(s);

	if (ret)
		return ret;
	if (width != s->net->model->d_input)
		return aimc_set_error(-EINVAL, "samples of %u values, the model takes %u",
				      width, s->net->model->d_input);
	if (!n_steps || !v)
		return aimc_set_error(-EINVAL, "no samples");
	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return aimc_set_error(-EDOM, "step %llu, value %llu is %s",
					      (unsigned long long)(i / width),
					      (unsigned long long)(i % width),
					      isnan(v[i]) ? "NaN" : "infinite");
	return 0;
}

/* One EXEC per segment; the first on each slot resets it if asked. */
static uint32_t chunk_cmds(struct aimc_stream *s, uint32_t steps,
			   struct drm_aimc_cmd *c)
{
	const struct aimc_program_set *ps = s->net->ps;
	bool reset_done[8] = { false };
	uint64_t in_off = 0;
	uint32_t k;

	for (k = 0; k < ps->n_segments; k++) {
		const struct aimc_segment *g = &ps->seg[k];

		memset(&c[k], 0, sizeof(c[k]));
		c[k].opcode = AIMC_OP_EXEC;
		if (s->need_reset && !reset_done[g->slot_index]) {
			c[k].flags = AIMC_EXEC_F_RESET_STATE;
			reset_done[g->slot_index] = true;
		}
		c[k].slot = (uint16_t)s->slots[g->slot_index];
		c[k].steps = steps;
		c[k].in_stride = g->in_stride;
		c[k].out_stride = g->out_stride;
		c[k].src = (struct drm_aimc_operand){ s->bo, steps * g->in_stride,
						      in_off };
		c[k].dst = (struct drm_aimc_operand){ s->bo, steps * g->out_stride,
						      seg_out_off(s, k) };
		c[k].prog = (struct drm_aimc_operand){ s->net->prog_bo, g->len,
						       s->net->seg_off[k] };
		in_off = seg_out_off(s, k);
	}
	return k;
}

/* Submit @c; with @async the stream gets the job's fence fd. */
static int submit_job(struct aimc_stream *s, const struct drm_aimc_cmd *c,
		      uint32_t n, bool async)
{
	int ret = aimc_net_auto_refresh(s->net);

	if (ret)
		return ret;
	if (!async)
		return aimc_job_submit(s->net->dev, c, n, NULL, 0, 0, &s->job_id);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return aimc_job_submit_fence_fd(s->net->dev, c, n, &s->job_id, &s->fd);
}

static int submit_chunk(struct aimc_stream *s, const float *v, uint32_t steps,
			bool async)
{
	const struct aimc_int_model *im = s->net->im;
	struct drm_aimc_cmd c[AIMC_SSM_MAX_LAYERS + 1];
	uint32_t t, n;
	int ret;

	for (t = 0; t < steps; t++)
		aimc_int_quantize_input(im, v + (size_t)t * im->d_input,
					(int8_t *)s->map + (size_t)t * im->d_input);
	n = chunk_cmds(s, steps, c);
	ret = submit_job(s, c, n, async);
	if (ret)
		return ret;
	s->need_reset = false;
	s->pending = AIMC_PENDING_CHUNK;
	s->pending_steps = steps;
	return 0;
}

/* The decoder: one step on the last slot, pooled mean in, logits out. */
static int submit_finish(struct aimc_stream *s, uint32_t flags, bool async)
{
	const struct aimc_segment *d = &s->net->ps->decoder;
	struct drm_aimc_cmd c;
	int ret;

	if (flags & ~AIMC_FINISH_KEEP_STATE)
		return aimc_set_error(-EINVAL, "unknown flags 0x%x", flags);
	memset(&c, 0, sizeof(c));
	c.opcode = AIMC_OP_EXEC;
	c.flags = s->need_reset ? AIMC_EXEC_F_RESET_STATE : 0;
	c.slot = (uint16_t)s->slots[d->slot_index];
	c.steps = 1;
	c.out_stride = d->out_stride;
	c.dst = (struct drm_aimc_operand){ s->bo, d->out_stride, logits_off(s) };
	c.prog = (struct drm_aimc_operand){ s->net->prog_bo, d->len,
					    s->net->dec_off };
	ret = submit_job(s, &c, 1, async);
	if (ret)
		return ret;
	if (flags & AIMC_FINISH_KEEP_STATE) {
		/* a reset with it covered only the decoder's slot */
		if (c.flags)
			s->need_reset = s->net->ps->n_slots > 1;
	} else {
		s->need_reset = true;
	}
	s->pending = AIMC_PENDING_FINISH;
	s->finish_flags = flags;
	return 0;
}

/* Wait for the pending job until @deadline; store what it computed. */
static int collect(struct aimc_stream *s, int64_t deadline, float *out)
{
	const uint8_t *p = s->map + seg_out_off(s, s->net->ps->n_segments - 1);
	enum aimc_stream_pending what = s->pending;
	uint32_t n, i;
	struct aimc_job_result res;
	int ret = aimc_job_wait(s->net->dev, s->job_id, deadline, &res);

	if (ret)
		return ret;
	s->pending = AIMC_PENDING_NONE;
	if (res.status != AIMC_JOB_DONE) {
		/* whatever state the slots hold now, it is not the sequence's */
		s->need_reset = true;
		return aimc_set_error(-EIO, "%s job %s (card status %u at command %u); the sequence is lost, the next push starts a new one",
				      what == AIMC_PENDING_FINISH ? "decoder" : "stream",
				      aimc_job_status_name(res.status),
				      res.device_status, res.failed_cmd);
	}
	if (what == AIMC_PENDING_FINISH) {
		p = s->map + logits_off(s);
		n = s->net->model->n_classes;
	} else {
		n = s->pending_steps * s->net->model->hk;
	}
	for (i = 0; i < n; i++) {
		int32_t v;

		memcpy(&v, p + 4 * i, 4);
		if (what == AIMC_PENDING_FINISH)
			s->raw_logits[i] = v;
		else
			s->raw[i] = v;
		if (out)
			out[i] = (float)((double)v / 65536.0);
	}
	return 0;
}

static int push(struct aimc_stream *s, const float *samples, uint32_t width,
		uint32_t n_steps, float *outputs)
{
	uint32_t done = 0, hk;
	int ret = check_samples(s, samples, width, n_steps);

	if (ret)
		return ret;
	hk = s->net->model->hk;
	while (done < n_steps && !ret) {
		uint32_t steps = n_steps - done < s->chunk ? n_steps - done :
				 s->chunk;

		ret = submit_chunk(s, samples + (size_t)done * width, steps,
				   false);
		if (!ret)
			ret = collect(s, AIMC_WAIT_FOREVER,
				      outputs ? outputs + (size_t)done * hk : NULL);
		done += steps;
	}
	return ret;
}

int aimc_stream_push(struct aimc_stream *s, const float *samples,
		     uint32_t width, uint32_t n_steps, float *outputs)
{
	aimc_api_begin();
	return aimc_api_end(__func__, push(s, samples, width, n_steps, outputs));
}

static int submit(struct aimc_stream *s, const float *samples, uint32_t width,
		  uint32_t n_steps)
{
	int ret = check_samples(s, samples, width, n_steps);

	if (ret)
		return ret;
	if (n_steps > s->chunk)
		return aimc_set_error(-EMSGSIZE, "%u steps: one submission takes at most the chunk, %u",
				      n_steps, s->chunk);
	return submit_chunk(s, samples, n_steps, true);
}

int aimc_stream_submit(struct aimc_stream *s, const float *samples,
		       uint32_t width, uint32_t n_steps)
{
	aimc_api_begin();
	return aimc_api_end(__func__, submit(s, samples, width, n_steps));
}

static int finish_now(struct aimc_stream *s, uint32_t flags)
{
	int ret = check_idle(s);

	if (!ret)
		ret = submit_finish(s, flags, false);
	if (!ret)
		ret = collect(s, AIMC_WAIT_FOREVER, NULL);
	return ret;
}

int aimc_stream_finish_raw(struct aimc_stream *s, int32_t *logits)
{
	int ret = finish_now(s, 0);

	if (!ret)
		memcpy(logits, s->raw_logits,
		       s->net->model->n_classes * sizeof(*logits));
	return ret;
}

static int finish(struct aimc_stream *s, float *logits, uint32_t flags)
{
	uint32_t k;
	int ret = check_stream(s);

	if (!ret && !logits)
		ret = aimc_set_error(-EINVAL, "logits is NULL");
	if (!ret)
		ret = finish_now(s, flags);
	for (k = 0; !ret && k < s->net->model->n_classes; k++)
		logits[k] = (float)((double)s->raw_logits[k] / 65536.0);
	return ret;
}

int aimc_stream_finish(struct aimc_stream *s, float *logits, uint32_t flags)
{
	aimc_api_begin();
	return aimc_api_end(__func__, finish(s, logits, flags));
}

static int submit_finish_async(struct aimc_stream *s, uint32_t flags)
{
	int ret = check_idle(s);

	return ret ? ret : submit_finish(s, flags, true);
}

int aimc_stream_submit_finish(struct aimc_stream *s, uint32_t flags)
{
	aimc_api_begin();
	return aimc_api_end(__func__, submit_finish_async(s, flags));
}

static int check_pending(const struct aimc_stream *s)
{
	int ret = check_stream(s);

	if (!ret && s->pending == AIMC_PENDING_NONE)
		ret = aimc_set_error(-EINVAL, "nothing is pending (nothing submitted, or collected already)");
	return ret;
}

static int stream_fd(struct aimc_stream *s)
{
	int ret = check_pending(s);

	if (!ret && s->fd < 0)
		ret = aimc_set_error(-EINVAL, "the pending job has no fd (submitted by push or finish)");
	return ret ? ret : s->fd;
}

int aimc_stream_fd(struct aimc_stream *s)
{
	aimc_api_begin();
	return aimc_api_end(__func__, stream_fd(s));
}

static int wait_pending(struct aimc_stream *s, int64_t timeout_ns, float *out)
{
	int64_t deadline = AIMC_WAIT_FOREVER, now;
	int ret = check_pending(s);

	if (ret)
		return ret;
	if (timeout_ns >= 0) {
		now = aimc_deadline_ns(0);
		deadline = timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
	}
	return collect(s, deadline, out);
}

int aimc_stream_wait(struct aimc_stream *s, int64_t timeout_ns, float *out)
{
	aimc_api_begin();
	return aimc_api_end(__func__, wait_pending(s, timeout_ns, out));
}

static int reset(struct aimc_stream *s)
{
	int ret = check_idle(s);

	if (!ret)
		s->need_reset = true;
	return ret;
}

int aimc_stream_reset(struct aimc_stream *s)
{
	aimc_api_begin();
	return aimc_api_end(__func__, reset(s));
}

const int32_t *aimc_stream_raw(const struct aimc_stream *s)
{
	return s->raw;
}

int aimc_stream_close(struct aimc_stream *s)
{
	struct aimc_net *net;

	aimc_api_begin();
	if (!s)
		return 0;
	net = s->net;
	/* the card may still write into the buffer: let the job end first */
	if (s->pending != AIMC_PENDING_NONE)
		aimc_job_wait(net->dev, s->job_id, AIMC_WAIT_FOREVER, NULL);
	stream_release(s, net->ps->n_slots);
	free(s);
	aimc_net_put(net);
	return aimc_api_end(__func__, 0);
}
