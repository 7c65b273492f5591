/* SPDX-License-Identifier: MIT */
/*
 * What the keyword-spotting example needs from a model file besides
 * what libaimc reads (model_meta.c): the feature normalization the
 * trainer used, which the exporter records in the file's provenance
 * (runtime/docs/model-format.md, 2.4: dataset_info.norm_mean and
 * norm_std of a kws model).
 */
#ifndef KWS_MODEL_META_H
#define KWS_MODEL_META_H

#include <stddef.h>

/* 0, or -1 with the reason in @err. */
int kws_model_norm(const char *path, float *mean, float *std, char *err,
		   size_t err_size);

#endif /* KWS_MODEL_META_H */
