/* SPDX-License-Identifier: MIT */
/* libaimc internal: nets and streams (net.c, stream.c); not installed. */
#ifndef AIMC_STREAM_INTERNAL_H
#define AIMC_STREAM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "aimc.h"
#include "aimc_hw_cmd.h"
#include "compile.h"
#include "deploy_internal.h"
#include "internal.h"

/* What a stream's one outstanding job computes (aimc_stream_wait()). */
enum aimc_stream_pending {
	AIMC_PENDING_NONE,
	AIMC_PENDING_CHUNK,	/* per-step outputs */
	AIMC_PENDING_FINISH,	/* the decoder's logits */
};

struct aimc_stream {
	struct aimc_net *net;		/* a reference */
	bool need_reset;		/* the next job zeroes state and pool */
	enum aimc_stream_pending pending;
	uint32_t finish_flags;		/* of the pending finish */
	uint32_t slots[8];
	uint32_t chunk;
	uint32_t bo;			/* inputs, per-segment outputs, logits */
	uint8_t *map;
	uint64_t map_size;
	uint64_t job_id;
	uint32_t pending_steps;
	int fd;				/* fence of the pending job, or -1 */
	int32_t *raw;			/* last outputs, Q16, chunk x d_output */
	int32_t raw_logits[AIMC_INT_MAX_IO];	/* last finish, Q16 */
};

struct aimc_net {
	/* the application's handle and every open stream of the net */
	int refs;
	struct aimc_device *dev;	/* a reference */
	struct aimc_ssm *model;
	void (*free_model)(struct aimc_ssm *model);
	struct aimc_deployment *dep;	/* tiles, calibration, cells */
	struct aimc_placement pl;	/* the compiler's view of dep */
	struct aimc_int_model *im;
	struct aimc_program_set *ps;
	bool programmed;
	uint32_t prog_bo;		/* every program image */
	uint64_t seg_off[AIMC_SSM_MAX_LAYERS + 1];
	uint64_t dec_off;
	uint32_t max_chunk;
	/* drift (refresh.c) */
	struct aimc_refresh_policy policy;
	uint64_t programmed_at_ns;	/* drift clock of the last programming */
	uint32_t refreshes;		/* made by the policy */
	uint64_t compensated_at_ns;	/* drift clock of the last compensation */
	uint32_t compensations;		/* made by the policy */
};

/*
 * A net from an already loaded model (aimc_net_open() without the
 * file): deploys it (deploy_internal.h), compiles for the deployment's
 * placement and calibration, and programs with the default parameters
 * unless AIMC_NET_NO_PROGRAM.  @free_model (may be NULL) is called on
 * @model when the net is freed; if creation fails the caller still owns
 * @model.  Close with aimc_net_close().
 */
int aimc_net_create(struct aimc_device *dev, struct aimc_ssm *model,
		    void (*free_model)(struct aimc_ssm *), uint32_t flags,
		    struct aimc_net **out);

/* Net references (net.c): each open stream holds one. */
void aimc_net_get(struct aimc_net *net);
void aimc_net_put(struct aimc_net *net);

/* The largest chunk, steps, of a model (what a stream's buffers take). */
uint32_t aimc_model_max_chunk(const struct aimc_ssm *model);

/* The net's deployment, for tests and diagnostics. */
const struct aimc_deployment *aimc_net_deployment(const struct aimc_net *net);

/*
 * The refresh policy (refresh.c): the net's age now, whether it is past
 * the policy's, and, with AIMC_REFRESH_AUTO, the refresh a stream makes
 * before its next job once it is (0 or a negative errno).
 */
int aimc_net_age_ns(const struct aimc_net *net, uint64_t *age_ns);
bool aimc_net_refresh_due(const struct aimc_net *net);
int aimc_net_auto_refresh(struct aimc_net *net);
/* Restart the age: programming or a refresh just succeeded. */
void aimc_net_mark_programmed(struct aimc_net *net);
void aimc_net_mark_compensated(struct aimc_net *net);
/* With AIMC_REFRESH_COMPENSATE, the compensation reference; else 0. */
int aimc_net_policy_reference(struct aimc_net *net);
/* AIMC_REFRESH_DEFAULT_AGE_NS, reported only */
void aimc_net_set_policy_default(struct aimc_net *net);

/* Outputs of the stream's last push/wait chunk as the card wrote them. */
const int32_t *aimc_stream_raw(const struct aimc_stream *s);

/* aimc_stream_finish() without the conversion: logits in Q16. */
int aimc_stream_finish_raw(struct aimc_stream *s, int32_t *logits);

#endif /* AIMC_STREAM_INTERNAL_H */
