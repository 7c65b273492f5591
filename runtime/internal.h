/* SPDX-License-Identifier: MIT */
/* Shared between libaimc's own files; not installed. */
#ifndef AIMC_INTERNAL_H
#define AIMC_INTERNAL_H

#include "aimc.h"

struct aimc_backend_ops {
	enum aimc_backend kind;
	/* Fill *value with the param of uapi/drm/aimc_accel.h. */
	int (*get_param)(struct aimc_device *dev, uint32_t param, uint64_t *value);
	void (*close)(struct aimc_device *dev);
};

struct aimc_device {
	const struct aimc_backend_ops *ops;
	char node[64];
	int fd;			/* drm backend */
	void *sim;		/* sim backend: the struct aimc_model */
	struct aimc_sim_jobs *sim_jobs;	/* sim backend: buffers, jobs */
};

int aimc_set_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int aimc_drm_count(void);
int aimc_drm_open_index(unsigned int index, struct aimc_device **out);
int aimc_drm_open_node(const char *path, struct aimc_device **out);
int aimc_sim_open(struct aimc_device **out);

#endif /* AIMC_INTERNAL_H */
