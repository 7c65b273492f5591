/* SPDX-License-Identifier: MIT */
/*
 * Shared between libaimc's own files; not installed.
 *
 * A device handle is a backend's operations table and the state it keeps.
 * Everything above the table (job.c, deploy.c, program.c, net.c,
 * stream.c) calls the table through job.h and never asks which backend
 * runs beneath it: a backend is complete when it fills every entry
 * (an entry it cannot serve says so with -EOPNOTSUPP and a message).
 */
#ifndef AIMC_INTERNAL_H
#define AIMC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aimc.h"

struct drm_aimc_cmd;
struct aimc_job_result;

/* One job for aimc_backend_ops.submit (see job.h, aimc_job_submit()). */
struct aimc_submit {
	const struct drm_aimc_cmd *cmds;
	uint32_t count;
	const uint32_t *in_syncobjs;
	uint32_t n_in;
	uint32_t out_syncobj;		/* 0: none */
	/*
	 * Non-NULL: on success a new file descriptor the caller owns that
	 * polls readable (POLLIN) once the job has finished.
	 */
	int *fence_fd;
};

/* The job layer's half of a backend: the contract of job.h. */
struct aimc_job_ops {
	int (*bo_create)(struct aimc_device *dev, uint64_t size, uint32_t *handle);
	int (*bo_info)(struct aimc_device *dev, uint32_t handle, uint64_t *size,
		       uint64_t *mmap_offset);
	int (*bo_mmap)(struct aimc_device *dev, uint32_t handle, void **ptr,
		       uint64_t *size);
	int (*bo_close)(struct aimc_device *dev, uint32_t handle);
	int (*reserve)(struct aimc_device *dev, uint32_t type, uint32_t index,
		       uint32_t *got);
	int (*release)(struct aimc_device *dev, uint32_t type, uint32_t index);
	int (*submit)(struct aimc_device *dev, const struct aimc_submit *job,
		      uint64_t *job_id);
	int (*wait)(struct aimc_device *dev, uint64_t job_id,
		    int64_t abs_timeout_ns, struct aimc_job_result *res);
	int (*syncobj_create)(struct aimc_device *dev, uint32_t *handle);
	int (*syncobj_destroy)(struct aimc_device *dev, uint32_t handle);
	int (*syncobj_wait)(struct aimc_device *dev, uint32_t *handles,
			    uint32_t count, int64_t abs_timeout_ns);
	int (*syncobj_export)(struct aimc_device *dev, uint32_t handle,
			      int *sync_file_fd);
	/* The file descriptor the backend's ioctls go to. */
	int (*node_fd)(struct aimc_device *dev);
};

struct aimc_backend_ops {
	enum aimc_backend kind;
	/* Fill *value with the param of uapi/drm/aimc_accel.h. */
	int (*get_param)(struct aimc_device *dev, uint32_t param, uint64_t *value);
	/*
	 * The time the card's cells drift by, in ns from an arbitrary start:
	 * what the refresh policy measures a programming's age with.
	 */
	int (*drift_clock_ns)(struct aimc_device *dev, uint64_t *now_ns);
	/*
	 * Move the drift clock on by @ns as if the card idled (the sim's
	 * virtual clock); a card's clock is wall time: -EOPNOTSUPP.
	 */
	int (*advance_clock)(struct aimc_device *dev, uint64_t ns);
	/* The card's counters, all but clock_ns (the caller adds it). */
	int (*telemetry)(struct aimc_device *dev,
			 struct aimc_device_telemetry *t);
	/* Free the device and everything the backend holds for it. */
	void (*close)(struct aimc_device *dev);
	/* Buffers, reservations, jobs and syncobjs. */
	const struct aimc_job_ops *job;
};

struct aimc_device {
	const struct aimc_backend_ops *ops;
	/* the application's handle and every net on the device (device.c) */
	int refs;
	char node[64];
	int fd;			/* drm backend: the node; -1 otherwise */
	void *backend;		/* the backend's own state (sim: sim_job.h) */
};

/*
 * The thread's message for aimc_last_error(); returns @err.  Messages say
 * what failed in the caller's terms: no internal file or layer names.
 */
int aimc_set_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Every exported function runs as
 *	aimc_api_begin();  ret = ...;  return aimc_api_end(__func__, ret);
 * begin clears the thread's message (a success leaves none behind); end
 * puts the function's name in front of a failure's message (or, if the
 * failure left none, its errno's text), so the message names the call
 * the application made.
 */
void aimc_api_begin(void);
int aimc_api_end(const char *function, int ret);

/*
 * The checks of a function that fills an output struct: @handle and @out
 * not NULL, @size at least 2.0's @min.  0 or -EINVAL with the message.
 */
int aimc_check_out(const void *handle, const void *out, size_t size,
		   size_t min);

/*
 * Output structs grow at the end (aimc.h).  Their size in API 2.0, the
 * least a caller may pass, is up to the end of @last, the struct's last
 * member in 2.0; never change it.
 */
#define AIMC_SIZE_2_0(type, last) \
	(offsetof(type, last) + sizeof(((type *)0)->last))
/* The same for a struct 2.1 introduced (struct aimc_device_telemetry). */
#define AIMC_SIZE_2_1(type, last)	AIMC_SIZE_2_0(type, last)

/* What both sides know of @src into @dst, zeros past the library's end. */
static inline void aimc_copy_out(void *dst, size_t dst_size, const void *src,
				 size_t src_size)
{
	memcpy(dst, src, dst_size < src_size ? dst_size : src_size);
	if (dst_size > src_size)
		memset((char *)dst + src_size, 0, dst_size - src_size);
}

/* Device references (device.c): a net holds one on its device. */
void aimc_device_get(struct aimc_device *dev);
void aimc_device_put(struct aimc_device *dev);

/* aimc_device_info() for the library's own callers (no message prefix). */
int aimc_device_query(struct aimc_device *dev, struct aimc_device_info *info);

/* A zeroed handle of @ops with one reference, or NULL (no message). */
struct aimc_device *aimc_device_alloc(const struct aimc_backend_ops *ops);

int aimc_drm_count(void);
int aimc_drm_open_index(unsigned int index, struct aimc_device **out);
int aimc_drm_open_node(const char *path, struct aimc_device **out);
int aimc_sim_open(const struct aimc_sim_options *opts, struct aimc_device **out);

#endif /* AIMC_INTERNAL_H */
