// SPDX-License-Identifier: MIT
/*
 * aimc-smi: list AIMC devices and their capabilities.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimc.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aimc-smi [--device drm|sim|auto]\n"
		"List AIMC devices and their capabilities.\n"
		"  -d, --device B  drm: cards driven by aimc.ko (default)\n"
		"                  sim: the in-process simulated card\n"
		"                  auto: drm if a card is present, else sim\n"
		"  -h, --help      this text\n");
}

static int parse_backend(const char *name, enum aimc_backend *backend)
{
	if (!strcmp(name, "drm"))
		*backend = AIMC_BACKEND_DRM;
	else if (!strcmp(name, "sim"))
		*backend = AIMC_BACKEND_SIM;
	else if (!strcmp(name, "auto"))
		*backend = AIMC_BACKEND_AUTO;
	else
		return -EINVAL;
	return 0;
}

static void print_device(unsigned int index, const struct aimc_device_info *info)
{
	printf("[%u] %-20s AIMC-1 hw %u.%u  serial %#010x  interface %u.%u  backend %s\n",
	       index, info->node, info->hw_version >> 16, info->hw_version & 0xffff,
	       info->serial, info->abi_version >> 16, info->abi_version & 0xffff,
	       aimc_backend_name(info->backend));
	printf("    tiles         %u x (%u rows x %u columns)\n", info->num_tiles,
	       info->tile_rows, info->tile_cols);
	printf("    converters    DAC %u bit, ADC %u bit\n", info->dac_bits,
	       info->adc_bits);
	printf("    conductance   %u - %u nS\n", info->g_min_ns, info->g_max_ns);
	printf("    SRAM          %u KiB\n", info->sram_kib);
	printf("    stream slots  %u\n", info->stream_slots);
	printf("    queue depth   %u descriptors\n", info->queue_depth);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum aimc_backend backend = AIMC_BACKEND_DRM;
	int opt, count, i, failed = 0;

	while ((opt = getopt_long(argc, argv, "d:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (parse_backend(optarg, &backend) < 0) {
				fprintf(stderr, "aimc-smi: unknown device '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aimc-smi: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	count = aimc_device_count(backend);
	if (count < 0) {
		fprintf(stderr, "aimc-smi: %s\n", aimc_last_error());
		return 1;
	}
	if (count == 0) {
		fprintf(stderr,
			"aimc-smi: no AIMC device found.  Is the driver loaded (modprobe aimc)?\n"
			"          Without a card: modprobe aimc_emu, or aimc-smi --device sim\n");
		return 1;
	}
	printf("aimc-smi: %d device%s\n", count, count == 1 ? "" : "s");
	for (i = 0; i < count; i++) {
		struct aimc_device_info info;
		struct aimc_device *dev;
		int ret;

		ret = aimc_device_open(backend, i, &dev);
		if (ret == 0) {
			ret = aimc_device_info(dev, &info);
			aimc_device_close(dev);
		}
		if (ret < 0) {
			fprintf(stderr, "aimc-smi: device %d: %s\n", i, aimc_last_error());
			failed = 1;
			continue;
		}
		print_device(i, &info);
	}
	return failed;
}
