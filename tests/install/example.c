// SPDX-License-Identifier: MIT
/*
 * The smallest libaimc application: built by tests/install/check-install.sh
 * against an installed tree with `pkg-config --cflags --libs aimc` only.
 * Opens the simulated card, checks the library and header agree on the
 * driver interface, and that errors come back as documented.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <aimc.h>
#include <drm/aimc_accel.h>

int main(void)
{
	struct aimc_device_info info;
	struct aimc_device *dev;
	int ret;

	ret = aimc_device_open(AIMC_BACKEND_SIM, 0, &dev);
	if (ret < 0) {
		fprintf(stderr, "example: %s\n", aimc_last_error());
		return 1;
	}
	ret = aimc_device_info(dev, &info, sizeof(info));
	aimc_device_close(dev);
	if (ret < 0) {
		fprintf(stderr, "example: %s\n", aimc_last_error());
		return 1;
	}
	if (info.abi_version >> 16 != AIMC_ABI_VERSION_MAJOR) {
		fprintf(stderr, "example: interface %#x, header says %u.x\n",
			info.abi_version, AIMC_ABI_VERSION_MAJOR);
		return 1;
	}
	ret = aimc_device_open(AIMC_BACKEND_SIM, 1, &dev);
	if (ret != -ENODEV || !strstr(aimc_last_error(), "sim backend has one device")) {
		fprintf(stderr, "example: open of sim device 1 gave %d (%s), want -ENODEV\n",
			ret, aimc_last_error());
		return 1;
	}
	printf("example: %s backend, %u tiles of %u x %u, interface %u.%u\n",
	       aimc_backend_name(info.backend), info.num_tiles, info.tile_rows,
	       info.tile_cols, info.abi_version >> 16, info.abi_version & 0xffff);
	return 0;
}
