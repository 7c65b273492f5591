// SPDX-License-Identifier: MIT
/*
 * Streams: one or more card stream slots holding a sequence's recurrent
 * state, fed chunk by chunk.  A chunk is one job: an EXEC per program
 * segment over all of the chunk's steps, each segment reading the
 * previous one's per-step outputs from the stream's buffer.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "job.h"
#include "stream_internal.h"

#define ALIGN64(x)	(((x) + 63) & ~(uint64_t)63)

void aimc_stream_destroy(struct aimc_stream *s);

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

static int check_open(const struct aimc_stream *s)
{
	if (!s)
		return aimc_set_error(-EINVAL, "no stream");
	if (s->closed)
		return aimc_set_error(-EPIPE, "the stream is closed");
	return 0;
}

static void release_slots(struct aimc_stream *s, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		aimc_release(s->net->dev, AIMC_RESOURCE_SLOT, s->slots[i]);
}

int aimc_stream_open(struct aimc_net *net, struct aimc_stream **out)
{
	struct aimc_stream *s;
	uint32_t i, n;
	int ret;

	if (!net || !out)
		return aimc_set_error(-EINVAL, "aimc_stream_open: bad argument");
	if (!net->programmed)
		return aimc_set_error(-ENOEXEC, "the model is not programmed on the card");
	n = net->ps->n_slots;
	if (n > sizeof(s->slots) / sizeof(s->slots[0]))
		return aimc_set_error(-E2BIG, "a stream would need %u slots", n);
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
		if (ret) {
			release_slots(s, i);
			free(s);
			return aimc_set_error(ret, "no free stream slot: %s",
					      ret == -ENOSPC ? "all in use" :
					      "reserve failed");
		}
	}
	s->raw = calloc((size_t)net->max_chunk * net->model->hk, sizeof(int32_t));
	ret = s->raw ? 0 : aimc_set_error(-ENOMEM, "out of memory");
	if (!ret)
		ret = aimc_bo_create(net->dev, logits_off(s) + 4 * AIMC_INT_MAX_IO,
				     &s->bo);
	if (!ret)
		ret = aimc_bo_mmap(net->dev, s->bo, (void **)&s->map,
				   &s->map_size);
	if (!ret && net->is_drm)
		ret = aimc_syncobj_create(net->dev, &s->syncobj);
	s->next = net->streams;
	net->streams = s;
	if (ret) {
		aimc_stream_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

int aimc_stream_set_chunk(struct aimc_stream *s, uint32_t steps)
{
	int ret = check_open(s);

	if (ret)
		return ret;
	if (!steps || steps > s->net->max_chunk)
		return aimc_set_error(-EINVAL, "chunk of %u steps: 1..%u", steps,
				      s->net->max_chunk);
	s->chunk = steps;
	return 0;
}

static int check_samples(const struct aimc_stream *s, const float *v,
			 uint32_t width, uint32_t n_steps)
{
	uint64_t i, n = (uint64_t)width * n_steps;
	int ret = check_open(s);

	if (ret)
		return ret;
	if (s->pending)
		return aimc_set_error(-EBUSY, "a submission is pending: wait first");
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
	ret = aimc_job_submit(s->net->dev, c, n, NULL, 0,
			      async ? s->syncobj : 0, &s->job_id);
	if (ret)
		return ret;
	s->need_reset = false;
	s->pending = true;
	s->pending_steps = steps;
	return 0;
}

static int collect(struct aimc_stream *s, int64_t deadline, float *outputs)
{
	const uint8_t *p = s->map + seg_out_off(s, s->net->ps->n_segments - 1);
	uint32_t n = s->pending_steps * s->net->model->hk, i;
	struct aimc_job_result res;
	int ret = aimc_job_wait(s->net->dev, s->job_id, deadline, &res);

	if (ret)
		return ret;
	s->pending = false;
	if (res.status != AIMC_JOB_DONE)
		return aimc_set_error(-EIO, "stream job %s (card status %u at command %u)",
				      aimc_job_status_name(res.status),
				      res.device_status, res.failed_cmd);
	for (i = 0; i < n; i++) {
		int32_t v;

		memcpy(&v, p + 4 * i, 4);
		s->raw[i] = v;
		if (outputs)
			outputs[i] = (float)((double)v / 65536.0);
	}
	return 0;
}

int aimc_stream_push(struct aimc_stream *s, const float *samples,
		     uint32_t width, uint32_t n_steps, float *outputs)
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
			ret = collect(s, aimc_deadline_ns(600000),
				      outputs ? outputs + (size_t)done * hk : NULL);
		done += steps;
	}
	return ret;
}

int aimc_stream_submit(struct aimc_stream *s, const float *samples,
		       uint32_t width, uint32_t n_steps)
{
	uint64_t one = 1;
	int ret = check_samples(s, samples, width, n_steps);

	if (ret)
		return ret;
	if (n_steps > s->chunk)
		return aimc_set_error(-E2BIG, "%u steps, the chunk is %u", n_steps,
				      s->chunk);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	ret = submit_chunk(s, samples, n_steps, true);
	if (ret)
		return ret;
	if (s->net->is_drm)
		return aimc_syncobj_export_sync_file(s->net->dev, s->syncobj,
						     &s->fd);
	/* sim ran the job inside submit: the fd is readable at once */
	s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->fd < 0)
		return aimc_set_error(-errno, "eventfd: %s", strerror(errno));
	return write(s->fd, &one, sizeof(one)) == sizeof(one) ? 0 :
	       aimc_set_error(-EIO, "eventfd write failed");
}

int aimc_stream_fd(struct aimc_stream *s)
{
	int ret = check_open(s);

	if (ret)
		return ret;
	if (!s->pending || s->fd < 0)
		return aimc_set_error(-ENODATA, "nothing submitted");
	return s->fd;
}

int aimc_stream_wait(struct aimc_stream *s, int timeout_ms, float *outputs)
{
	int ret = check_open(s);

	if (ret)
		return ret;
	if (!s->pending)
		return aimc_set_error(-ENODATA, "nothing submitted");
	return collect(s, timeout_ms < 0 ? INT64_MAX :
		       aimc_deadline_ns((uint64_t)timeout_ms), outputs);
}

int aimc_stream_finish_raw(struct aimc_stream *s, int32_t *logits)
{
	const struct aimc_segment *d = &s->net->ps->decoder;
	struct aimc_job_result res;
	struct drm_aimc_cmd c;
	uint32_t k, n = s->net->model->n_classes;
	int ret = check_open(s);

	if (!ret && s->pending)
		ret = aimc_set_error(-EBUSY, "a submission is pending: wait first");
	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	c.opcode = AIMC_OP_EXEC;
	c.flags = s->need_reset ? AIMC_EXEC_F_RESET_STATE : 0;
	c.slot = (uint16_t)s->slots[d->slot_index];
	c.steps = 1;
	c.out_stride = d->out_stride;
	c.dst = (struct drm_aimc_operand){ s->bo, d->out_stride, logits_off(s) };
	c.prog = (struct drm_aimc_operand){ s->net->prog_bo, d->len,
					    s->net->dec_off };
	ret = aimc_job_submit(s->net->dev, &c, 1, NULL, 0, 0, &s->job_id);
	if (!ret)
		ret = aimc_job_wait(s->net->dev, s->job_id,
				    aimc_deadline_ns(60000), &res);
	if (ret)
		return ret;
	if (res.status != AIMC_JOB_DONE)
		return aimc_set_error(-EIO, "decoder job %s (card status %u)",
				      aimc_job_status_name(res.status),
				      res.device_status);
	if (c.flags) {
		/* the reset covered every slot the decoder's did not */
		s->need_reset = s->net->ps->n_slots > 1;
	}
	for (k = 0; k < n; k++)
		memcpy(&logits[k], s->map + logits_off(s) + 4 * k, 4);
	return 0;
}

int aimc_stream_finish(struct aimc_stream *s, float *logits)
{
	int32_t raw[AIMC_INT_MAX_IO];
	uint32_t k;
	int ret = aimc_stream_finish_raw(s, raw);

	if (ret)
		return ret;
	for (k = 0; k < s->net->model->n_classes; k++)
		logits[k] = (float)((double)raw[k] / 65536.0);
	return 0;
}

int aimc_stream_reset(struct aimc_stream *s)
{
	int ret = check_open(s);

	if (ret)
		return ret;
	if (s->pending)
		return aimc_set_error(-EBUSY, "a submission is pending: wait first");
	s->need_reset = true;
	return 0;
}

const int32_t *aimc_stream_raw(const struct aimc_stream *s)
{
	return s->raw;
}

int aimc_stream_close(struct aimc_stream *s)
{
	struct aimc_job_result res;
	int ret = check_open(s);

	if (ret)
		return ret;
	if (s->pending)
		aimc_job_wait(s->net->dev, s->job_id, INT64_MAX, &res);
	s->pending = false;
	release_slots(s, s->net->ps->n_slots);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->map)
		aimc_bo_munmap(s->map, s->map_size);
	s->map = NULL;
	if (s->bo)
		aimc_bo_close(s->net->dev, s->bo);
	s->bo = 0;
	if (s->syncobj)
		aimc_syncobj_destroy(s->net->dev, s->syncobj);
	s->syncobj = 0;
	free(s->raw);
	s->raw = NULL;
	s->closed = true;
	return 0;
}

/* Called by aimc_net_close() for every stream, open or closed. */
void aimc_stream_destroy(struct aimc_stream *s)
{
	if (!s->closed)
		aimc_stream_close(s);
	free(s);
}
