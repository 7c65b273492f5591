// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Prints every field aimc_presets.def sets, as the device model holds it
 * after aimc_model_config_preset() and on a card created with it
 * (aimc_model_config()): "preset field value" lines, the format of
 * `python3 -m aimc_qat.presets --lines`.  Built against a copy of
 * emulator/model/ by tools/qat/check_presets.sh.
 */
#include <stdio.h>
#include "aimc_model.h"

static void print_preset(const char *name)
{
	struct aimc_model_config cfg;
	const struct aimc_model_config *c;
	struct aimc_model *m;

	aimc_model_config_defaults(&cfg);
	cfg.tiles = 1;
	cfg.rows = 8;
	cfg.cols = 8;
	if (aimc_model_config_preset(&cfg, name)) {
		fprintf(stderr, "probe: no preset %s\n", name);
		return;
	}
	m = aimc_model_create(&cfg, NULL);
	if (!m) {
		fprintf(stderr, "probe: preset %s: the model refuses it\n", name);
		return;
	}
	c = aimc_model_config(m);
	/* every field any preset sets, for this preset */
#define AIMC_PRESET(...)
#define AIMC_BASELINE(...)
#define AIMC_P(preset, field, value, src) \
	printf("%s %s %lld\n", name, #field, (long long)c->field);
#include "aimc_presets.def"
	aimc_model_destroy(m);
}

int main(void)
{
	const char *name;
	unsigned int i;

	for (i = 0; (name = aimc_model_preset_name(i)); i++)
		print_preset(name);
	return 0;
}
