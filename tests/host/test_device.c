// SPDX-License-Identifier: MIT
/*
 * libaimc device handles on the host: the sim backend, backend selection
 * and the errors of bad arguments.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include <drm/aimc_accel.h>

#include "aimc.h"
#include "aimc_model.h"

START_TEST(test_sim_info_matches_model)
{
	struct aimc_model_config cfg;
	struct aimc_device_info info;
	struct aimc_device *dev;

	aimc_model_config_defaults(&cfg);
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_SIM, 0, &dev), 0);
	ck_assert_int_eq(aimc_device_info(dev, &info, sizeof(info)), 0);
	aimc_device_close(dev);

	ck_assert_uint_eq(info.backend, AIMC_BACKEND_SIM);
	ck_assert_str_eq(info.node, "sim");
	ck_assert_uint_eq(info.device_id, AIMC_ID_MAGIC);
	ck_assert_uint_eq(info.abi_version, AIMC_ABI_VERSION);
	ck_assert_uint_eq(info.num_tiles, cfg.tiles);
	ck_assert_uint_eq(info.tile_rows, cfg.rows);
	ck_assert_uint_eq(info.tile_cols, cfg.cols);
	ck_assert_uint_eq(info.dac_bits, cfg.dac_bits);
	ck_assert_uint_eq(info.adc_bits, cfg.adc_bits);
	ck_assert_uint_eq(info.g_min_nsiemens, cfg.g_min_ns);
	ck_assert_uint_eq(info.g_max_nsiemens, cfg.g_max_ns);
	ck_assert_uint_eq(info.stream_slots, cfg.slots);
}
END_TEST

START_TEST(test_sim_has_one_device)
{
	struct aimc_device *dev = (struct aimc_device *)&dev;

	ck_assert_int_eq(aimc_device_count(AIMC_BACKEND_SIM), 1);
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_SIM, 1, &dev), -ENODEV);
	ck_assert_ptr_null(dev);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "one device"));
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct aimc_device_info info;
	struct aimc_device *dev;

	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_SIM, 0, NULL), -EINVAL);
	ck_assert_int_eq(aimc_device_open((enum aimc_backend)7, 0, &dev), -EINVAL);
	ck_assert_int_eq(aimc_device_count((enum aimc_backend)7), -EINVAL);
	ck_assert_int_eq(aimc_device_info(NULL, &info, sizeof(info)), -EINVAL);
	ck_assert_int_eq(aimc_device_open_node(NULL, &dev), -EINVAL);
	aimc_device_close(NULL);
}
END_TEST

START_TEST(test_open_node_errors)
{
	struct aimc_device *dev;

	ck_assert_int_eq(aimc_device_open_node("/nonexistent/renderD128", &dev),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "/nonexistent/renderD128"));
	ck_assert_int_eq(aimc_device_open_node("/dev/null", &dev), -ENODEV);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "not an AIMC device"));
}
END_TEST

START_TEST(test_auto_prefers_drm_then_sim)
{
	int cards = aimc_device_count(AIMC_BACKEND_DRM);
	struct aimc_device_info info;
	struct aimc_device *dev;

	ck_assert_int_ge(cards, 0);
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_AUTO, 0, &dev), 0);
	ck_assert_int_eq(aimc_device_info(dev, &info, sizeof(info)), 0);
	aimc_device_close(dev);
	if (cards > 0) {
		ck_assert_uint_eq(info.backend, AIMC_BACKEND_DRM);
		return;
	}
	ck_assert_uint_eq(info.backend, AIMC_BACKEND_SIM);
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_DRM, 0, &dev), -ENODEV);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "modprobe aimc"));
}
END_TEST

START_TEST(test_backend_names)
{
	ck_assert_str_eq(aimc_backend_name(AIMC_BACKEND_AUTO), "auto");
	ck_assert_str_eq(aimc_backend_name(AIMC_BACKEND_DRM), "drm");
	ck_assert_str_eq(aimc_backend_name(AIMC_BACKEND_SIM), "sim");
	ck_assert_str_eq(aimc_backend_name((enum aimc_backend)9), "unknown");
}
END_TEST

Suite *runtime_device_suite(void)
{
	Suite *s = suite_create("runtime_device");
	TCase *tc = tcase_create("device");

	tcase_add_test(tc, test_sim_info_matches_model);
	tcase_add_test(tc, test_sim_has_one_device);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_open_node_errors);
	tcase_add_test(tc, test_auto_prefers_drm_then_sim);
	tcase_add_test(tc, test_backend_names);
	suite_add_tcase(s, tc);
	return s;
}
