// SPDX-License-Identifier: MIT
/*
 * The normalization of a kws model file (model_meta.h): a safetensors
 * file is an 8-byte little-endian header length and a JSON header whose
 * "__metadata__" holds "provenance", itself JSON text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model_meta.h"

#define HEADER_MAX	(16u << 20)	/* model-format.md, section 1 */

/* The JSON header of @path, or NULL. */
static json_object *read_header(const char *path)
{
	unsigned char len8[8];
	json_object *header = NULL;
	uint64_t len = 0;
	char *text;
	FILE *f = fopen(path, "rb");
	int i;

	if (!f)
		return NULL;
	if (fread(len8, 1, 8, f) == 8) {
		for (i = 7; i >= 0; i--)
			len = len << 8 | len8[i];
		text = len >= 2 && len <= HEADER_MAX ? calloc(1, len + 1) : NULL;
		if (text && fread(text, 1, len, f) == len)
			header = json_tokener_parse(text);
		free(text);
	}
	fclose(f);
	return header;
}

int kws_model_norm(const char *path, float *mean, float *std, char *err,
		   size_t err_size)
{
	json_object *header = read_header(path), *meta, *prov_text, *prov = NULL;
	json_object *info, *m, *s;
	int ret = -1;

	if (!header) {
		snprintf(err, err_size, "%s: cannot read its header", path);
		return -1;
	}
	if (json_object_object_get_ex(header, "__metadata__", &meta) &&
	    json_object_object_get_ex(meta, "provenance", &prov_text))
		prov = json_tokener_parse(json_object_get_string(prov_text));
	if (prov && json_object_object_get_ex(prov, "dataset_info", &info) &&
	    json_object_object_get_ex(info, "norm_mean", &m) &&
	    json_object_object_get_ex(info, "norm_std", &s) &&
	    json_object_get_double(s) > 0) {
		*mean = (float)json_object_get_double(m);
		*std = (float)json_object_get_double(s);
		ret = 0;
	} else {
		snprintf(err, err_size,
			 "%s: no provenance.dataset_info.norm_mean/norm_std: not a model of the trainer's kws data set",
			 path);
	}
	json_object_put(prov);
	json_object_put(header);
	return ret;
}
