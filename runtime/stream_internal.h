/* SPDX-License-Identifier: MIT */
/* libaimc internal: nets and streams (net.c, stream.c); not installed. */
#ifndef AIMC_STREAM_INTERNAL_H
#define AIMC_STREAM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "aimc.h"
#include "aimc_hw_cmd.h"
#include "compile.h"
#include "internal.h"

struct aimc_stream {
	struct aimc_net *net;
	struct aimc_stream *next;	/* the net's list */
	bool closed;
	bool need_reset;
	bool pending;
	uint32_t slots[8];
	uint32_t chunk;
	uint32_t bo;			/* inputs, per-segment outputs, logits */
	uint8_t *map;
	uint64_t map_size;
	uint64_t job_id;
	uint32_t pending_steps;
	uint32_t syncobj;		/* drm: out fence of the pending job */
	int fd;				/* sync_file (drm) or eventfd (sim) */
	int32_t *raw;			/* last outputs, Q16, chunk x d_output */
};

struct aimc_net {
	struct aimc_device *dev;
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
	bool is_drm;
	struct aimc_stream *streams;
};

/*
 * A net from an already loaded model (aimc_net_open() without the
 * file): deploys it (deploy_internal.h), compiles for the deployment's
 * placement and calibration, and programs with the default parameters
 * unless AIMC_NET_NO_PROGRAM.  @free_model (may be NULL) is called on
 * @model when the net closes; if creation fails the caller still owns
 * @model.
 */
int aimc_net_create(struct aimc_device *dev, struct aimc_ssm *model,
		    void (*free_model)(struct aimc_ssm *), uint32_t flags,
		    struct aimc_net **out);

/* The net's deployment, for tests and diagnostics. */
const struct aimc_deployment *aimc_net_deployment(const struct aimc_net *net);

/* Outputs of the stream's last push/wait chunk as the card wrote them. */
const int32_t *aimc_stream_raw(const struct aimc_stream *s);

/* Logits of the last finish, Q16. */
int aimc_stream_finish_raw(struct aimc_stream *s, int32_t *logits);

#endif /* AIMC_STREAM_INTERNAL_H */
