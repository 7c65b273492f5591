// SPDX-License-Identifier: MIT
/*
 * Guest tests: device discovery and GET_PARAM through aimc.ko.  The VM
 * lane loads aimc_emu.ko with non-default geometry, and the PCI lane
 * gives its first aimc-pci card the same, so values that match the card's
 * configuration (vm_card_config(): aimc_emu's module parameters, or the
 * QEMU device's properties as its test BAR reports them) can only have
 * come from the capability registers.
 */
#include "vm_util.h"

static void write_sysfs(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);

	ck_assert_msg(fd >= 0, "cannot open %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, value, strlen(value)), (ssize_t)strlen(value));
	close(fd);
}

/* The node of the first AIMC device, opened raw. */
static int open_first_node(char *node, size_t len)
{
	struct aimc_device_info info;
	struct aimc_device *dev;
	int fd;

	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_DRM, 0, &dev), 0);
	ck_assert_int_eq(aimc_device_info(dev, &info, sizeof(info)), 0);
	aimc_device_close(dev);
	snprintf(node, len, "%s", info.node);
	fd = open(node, O_RDWR | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", node, strerror(errno));
	return fd;
}

static int get_param(int fd, uint32_t param, uint32_t reserved, uint64_t *value)
{
	struct drm_aimc_get_param args = { .param = param, .reserved = reserved };

	if (ioctl(fd, DRM_IOCTL_AIMC_GET_PARAM, &args))
		return -errno;
	*value = args.value;
	return 0;
}

/*
 * The card is found on the node its kernel gives compute devices: an
 * accel node where drivers/accel exists, else a render node.  run.sh
 * reads which from the guest kernel's config (AIMC_NODE_KIND).
 */
START_TEST(test_found_on_its_node_kind)
{
	const char *kind = getenv("AIMC_NODE_KIND");
	const char *prefix;
	drmVersionPtr version;
	char node[64];
	int fd;

	ck_assert_msg(kind, "AIMC_NODE_KIND is not set (tests/vm/run.sh sets it)");
	prefix = strcmp(kind, "accel") ? "/dev/dri/renderD" : "/dev/accel/accel";
	ck_assert_int_eq(aimc_device_count(AIMC_BACKEND_DRM), 1);
	fd = open_first_node(node, sizeof(node));
	ck_assert_msg(!strncmp(node, prefix, strlen(prefix)), "%s node is %s", kind, node);
	version = drmGetVersion(fd);
	ck_assert_ptr_nonnull(version);
	ck_assert_str_eq(version->name, "aimc");
	drmFreeVersion(version);
	close(fd);
}
END_TEST

START_TEST(test_caps_from_registers)
{
	struct aimc_model_config cfg;
	struct aimc_device_info info;
	struct aimc_device *dev;
	struct vm_card card;

	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_DRM, 0, &dev), 0);
	ck_assert_int_eq(aimc_device_info(dev, &info, sizeof(info)), 0);
	aimc_device_close(dev);

	ck_assert_uint_eq(info.backend, AIMC_BACKEND_DRM);
	ck_assert_uint_eq(info.device_id, AIMC_ID_MAGIC);
	ck_assert_uint_eq(info.hw_version, AIMC_HW_VERSION_MAJOR << 16 | AIMC_HW_VERSION_MINOR);
	ck_assert_uint_eq(info.abi_version, AIMC_ABI_VERSION);
	/* Serials: aimc_emu's 0xe0000000 + card number, aimc-pci's 0xc0000000 + seed */
	card = vm_card();
	vm_card_config(&cfg);
	ck_assert_uint_eq(info.serial, card.kind == VM_CARD_EMU ?
			  0xe0000000u + card.emu_id : 0xc0000000u + (uint32_t)cfg.seed);
	ck_assert_uint_eq(info.num_tiles, cfg.tiles);
	ck_assert_uint_eq(info.tile_rows, cfg.rows);
	ck_assert_uint_eq(info.tile_cols, cfg.cols);
	ck_assert_uint_eq(info.stream_slots, cfg.slots);
	ck_assert_uint_eq(info.dac_bits, cfg.dac_bits);
	ck_assert_uint_eq(info.adc_bits, cfg.adc_bits);
	ck_assert_uint_eq(info.g_min_nsiemens, cfg.g_min_ns);
	ck_assert_uint_eq(info.g_max_nsiemens, cfg.g_max_ns);
	ck_assert_uint_gt(info.queue_depth, 1);
}
END_TEST

START_TEST(test_unknown_param_is_einval)
{
	uint64_t value = 0xdead;
	char node[64];
	int fd = open_first_node(node, sizeof(node));

	ck_assert_int_eq(get_param(fd, AIMC_PARAM_COUNT, 0, &value), -EINVAL);
	ck_assert_int_eq(get_param(fd, 0xffffffffu, 0, &value), -EINVAL);
	ck_assert_uint_eq(value, 0xdead);
	close(fd);
}
END_TEST

START_TEST(test_nonzero_reserved_is_einval)
{
	struct aimc_model_config cfg;
	uint64_t value = 0;
	char node[64];
	int fd = open_first_node(node, sizeof(node));

	ck_assert_int_eq(get_param(fd, AIMC_PARAM_NUM_TILES, 1, &value), -EINVAL);
	ck_assert_int_eq(get_param(fd, AIMC_PARAM_NUM_TILES, 0x80000000u, &value),
			 -EINVAL);
	ck_assert_int_eq(get_param(fd, AIMC_PARAM_NUM_TILES, 0, &value), 0);
	vm_card_config(&cfg);
	ck_assert_uint_eq(value, cfg.tiles);
	close(fd);
}
END_TEST

START_TEST(test_closed_fd_is_ebadf)
{
	uint64_t value;
	char node[64];
	int fd = open_first_node(node, sizeof(node));

	close(fd);
	ck_assert_int_eq(get_param(fd, AIMC_PARAM_NUM_TILES, 0, &value), -EBADF);
}
END_TEST

/* Wait (up to 2 s) until libdrm sees `want` AIMC devices. */
static void wait_for_count(int want)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (aimc_device_count(AIMC_BACKEND_DRM) == want)
			return;
		usleep(10000);
	}
	ck_abort_msg("AIMC device count did not reach %d", want);
}

/*
 * The card goes away under an open file: aimc_emu's del_device, or for an
 * aimc-pci card the PCI core's own removal (sysfs remove), then back:
 * new_device, or a bus rescan.
 */
START_TEST(test_removed_device_is_enodev)
{
	struct vm_card card = vm_card();
	char path[256];
	uint64_t value;
	char node[64];
	int fd = open_first_node(node, sizeof(node));

	ck_assert_int_eq(get_param(fd, AIMC_PARAM_NUM_TILES, 0, &value), 0);
	if (card.kind == VM_CARD_EMU) {
		snprintf(path, sizeof(path), "%u", card.emu_id);
		write_sysfs(EMU_SYSFS "/del_device", path);
	} else {
		snprintf(path, sizeof(path), "%s/remove", card.sysfs);
		write_sysfs(path, "1");
	}
	ck_assert_int_eq(get_param(fd, AIMC_PARAM_NUM_TILES, 0, &value), -ENODEV);
	ck_assert_int_eq(get_param(fd, AIMC_PARAM_ABI_VERSION, 0, &value), -ENODEV);
	ck_assert_int_eq(open(node, O_RDWR), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(close(fd), 0);

	if (card.kind == VM_CARD_EMU) {
		snprintf(path, sizeof(path), "%u", card.emu_id);
		write_sysfs(EMU_SYSFS "/new_device", path);
	} else {
		write_sysfs("/sys/bus/pci/rescan", "1");
	}
	wait_for_count(1);
}
END_TEST

START_TEST(test_new_and_del_device)
{
	struct aimc_device *dev;

	write_sysfs(EMU_SYSFS "/new_device", "7");
	wait_for_count(2);
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_DRM, 1, &dev), 0);
	aimc_device_close(dev);
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_DRM, 2, &dev), -ENODEV);
	ck_assert_ptr_null(dev);
	write_sysfs(EMU_SYSFS "/del_device", "7");
	wait_for_count(1);
}
END_TEST

Suite *drm_param_suite(void)
{
	Suite *s = suite_create("drm_param");
	TCase *tc = tcase_create("get_param");

	tcase_add_test(tc, test_found_on_its_node_kind);
	tcase_add_test(tc, test_caps_from_registers);
	tcase_add_test(tc, test_unknown_param_is_einval);
	tcase_add_test(tc, test_nonzero_reserved_is_einval);
	tcase_add_test(tc, test_closed_fd_is_ebadf);
	tcase_add_test(tc, test_removed_device_is_enodev);
	vm_add_emu_test(tc, test_new_and_del_device,
			"aimc_emu's new_device/del_device; an aimc-pci card comes and goes by QMP (job_removal/device_del)");
	suite_add_tcase(s, tc);
	return s;
}
