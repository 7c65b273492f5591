// SPDX-License-Identifier: MIT
/*
 * Per-stage traces of the float and integer references (compile.h): the
 * buffers and the stage names.  The references fill them; runtime/diag/aimc-trace
 * and the host tests compare them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "compile.h"
#include "internal.h"

int aimc_trace_create(const struct aimc_ssm *model, struct aimc_trace **out)
{
	struct aimc_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return aimc_set_error(-ENOMEM, "out of memory");
	t->n_layers = model->n_layers;
	t->hk = model->hk;
	t->n_classes = model->n_classes;
	t->width = model->hk > model->n_classes ? model->hk : model->n_classes;
	t->n_stages = AIMC_TRACE_GLOBALS + model->n_layers * AIMC_TRACE_PER_LAYER;
	t->val = calloc((size_t)t->n_stages * t->width, sizeof(double));
	t->sat = calloc(t->n_stages, sizeof(uint64_t));
	t->count = calloc(t->n_stages, sizeof(uint64_t));
	if (!t->val || !t->sat || !t->count) {
		aimc_trace_free(t);
		return aimc_set_error(-ENOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

void aimc_trace_free(struct aimc_trace *t)
{
	if (!t)
		return;
	free(t->val);
	free(t->sat);
	free(t->count);
	free(t);
}

void aimc_trace_stage_name(const struct aimc_trace *t, uint32_t stage,
			   char *buf, size_t size)
{
	static const char *const global[AIMC_TRACE_GLOBALS] = {
		"encoder", "pooled", "decoder.dac_in", "logits",
	};
	static const char *const layer[AIMC_TRACE_PER_LAYER] = {
		"ssm.u", "ssm.y", "gelu", "mix.dac_in", "glu.value", "glu.gate",
		"sigmoid(gate)", "glu.out", "residual", "norm (out)",
	};

	if (stage < AIMC_TRACE_GLOBALS)
		snprintf(buf, size, "%s", global[stage]);
	else if (stage < t->n_stages)
		snprintf(buf, size, "L%u.%s",
			 (stage - AIMC_TRACE_GLOBALS) / AIMC_TRACE_PER_LAYER,
			 layer[(stage - AIMC_TRACE_GLOBALS) % AIMC_TRACE_PER_LAYER]);
	else
		snprintf(buf, size, "?");
}
