// SPDX-License-Identifier: MIT
/*
 * aimc-smi on the host: --json output parses and describes the simulated
 * card; without a card it says why, and usage errors exit 2.  The binary
 * is $AIMC_SMI (make check-host sets it).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <drm/aimc_accel.h>

#include <json-c/json.h>

#include "../check_skip.h"
#include "aimc.h"

static const char *smi(void)
{
	const char *path = getenv("AIMC_SMI");

	return path ? path : "build/tools/aimc-smi";
}

/* Run aimc-smi with args; its stdout (malloc'd) and exit code. */
static char *run_smi(const char *args, int *code)
{
	char cmd[512];
	size_t len = 0, cap = 4096, n;
	char *out = malloc(cap);
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", smi(), args);
	p = popen(cmd, "r");
	ck_assert(out && p);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			out = realloc(out, cap);
			ck_assert(out);
		}
	}
	out[len] = '\0';
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status), "%s did not exit", cmd);
	*code = WEXITSTATUS(status);
	return out;
}

static json_object *get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(obj, key, &v), "no key %s", key);
	return v;
}

START_TEST(test_json_sim)
{
	json_object *report, *dev, *info;
	char want[32];
	int code;
	char *out = run_smi("--device sim --json", &code);

	ck_assert_int_eq(code, 0);
	report = json_tokener_parse(out);
	ck_assert_msg(report, "not JSON:\n%s", out);
	snprintf(want, sizeof(want), "%u.%u", AIMC_ABI_VERSION_MAJOR,
		 AIMC_ABI_VERSION_MINOR);
	ck_assert_str_eq(json_object_get_string(get(report, "library_interface")), want);
	ck_assert_int_eq(json_object_array_length(get(report, "diagnosis")), 0);
	ck_assert_int_eq(json_object_array_length(get(report, "devices")), 1);
	dev = json_object_array_get_idx(get(report, "devices"), 0);
	ck_assert_str_eq(json_object_get_string(get(dev, "backend")), "sim");
	ck_assert_str_eq(json_object_get_string(get(dev, "node")), "sim");
	info = get(dev, "info");
	/* the key is always there; the sim uses no kernel module */
	ck_assert(json_object_is_type(get(report, "module"), json_type_null));
	ck_assert_str_eq(json_object_get_string(get(report, "library_version")),
			 AIMC_PACKAGE_VERSION);
	/* a sim card's serial tells its seed (1), its queue is AIMC-1's */
	ck_assert_int_eq(json_object_get_int64(get(info, "serial")), 0xf0000001);
	ck_assert_int_eq(json_object_get_int(get(info, "queue_depth")), 1024);
	ck_assert_int_eq(json_object_get_int(get(info, "g_max_nsiemens")), 25000);
	/* The device model's defaults (emulator/README.md). */
	ck_assert_int_eq(json_object_get_int(get(info, "tiles")), 8);
	ck_assert_int_eq(json_object_get_int(get(info, "tile_rows")), 256);
	ck_assert_int_eq(json_object_get_int(get(info, "tile_cols")), 256);
	ck_assert_int_eq(json_object_get_int(get(info, "stream_slots")), 16);
	json_object_put(report);
	free(out);
}
END_TEST

START_TEST(test_json_no_card_diagnosed)
{
	json_object *report, *diagnosis, *first;
	int code;
	char *out = run_smi("--json", &code);

	report = json_tokener_parse(out);
	ck_assert_msg(report, "not JSON:\n%s", out);
	ck_assert_int_eq(json_object_array_length(get(report, "devices")), 0);
	ck_assert_int_eq(code, 1);
	diagnosis = get(report, "diagnosis");
	ck_assert_int_eq(json_object_array_length(diagnosis), 1);
	first = json_object_array_get_idx(diagnosis, 0);
	ck_assert_ptr_nonnull(strstr(json_object_get_string(get(first, "problem")),
				     "aimc.ko is "));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(get(first, "fix")),
				     "modprobe") ?: strstr(json_object_get_string(get(first, "fix")),
							    "dkms"));
	ck_assert_str_eq(json_object_get_string(get(get(report, "module"), "name")),
			 "aimc");
	/* the fix names this release, not a placeholder */
	ck_assert_ptr_null(strstr(json_object_get_string(get(first, "fix")),
				  "<version>"));
	json_object_put(report);
	free(out);
}
END_TEST

/* --device auto without a card says it shows the simulated card. */
START_TEST(test_auto_falls_back_out_loud)
{
	json_object *report;
	int code;
	char *out;

	out = run_smi("--device auto --json", &code);
	ck_assert_int_eq(code, 0);
	report = json_tokener_parse(out);
	ck_assert_msg(report, "not JSON:\n%s", out);
	ck_assert_str_eq(json_object_get_string(get(report, "note")),
			 "no AIMC card found (aimc.ko not loaded, or it drives no card): "
			 "showing the simulated card instead");
	ck_assert_str_eq(json_object_get_string(get(json_object_array_get_idx(get(report, "devices"), 0),
						    "backend")), "sim");
	json_object_put(report);
	free(out);
}
END_TEST

START_TEST(test_version_and_help)
{
	char want[128];
	int code;
	char *out = run_smi("--version", &code);

	snprintf(want, sizeof(want), "aimc-smi %s (libaimc %s, API %d.%d, driver interface %d.%d)\n",
		 AIMC_PACKAGE_VERSION, AIMC_PACKAGE_VERSION, AIMC_API_VERSION_MAJOR,
		 AIMC_API_VERSION_MINOR, AIMC_ABI_VERSION_MAJOR, AIMC_ABI_VERSION_MINOR);
	ck_assert_int_eq(code, 0);
	ck_assert_str_eq(out, want);
	free(out);
	out = run_smi("--help", &code);
	ck_assert_int_eq(code, 0);
	ck_assert_ptr_nonnull(strstr(out, "Exit status: 0 every device found is usable"));
	ck_assert_ptr_nonnull(strstr(out, "--version"));
	free(out);
}
END_TEST

START_TEST(test_usage_errors)
{
	int code;

	free(run_smi("--device bogus", &code));
	ck_assert_int_eq(code, 2);
	free(run_smi("extra-argument", &code));
	ck_assert_int_eq(code, 2);
	free(run_smi("--no-such-option", &code));
	ck_assert_int_eq(code, 2);
	free(run_smi("--help", &code));
	ck_assert_int_eq(code, 0);
}
END_TEST

Suite *smi_suite(void)
{
	Suite *s = suite_create("smi");
	TCase *tc = tcase_create("smi");

	tcase_add_test(tc, test_json_sim);
	/* A machine with an AIMC card or aimc_emu loaded has nothing to diagnose. */
	aimc_add_test_if(tc, test_json_no_card_diagnosed,
			 aimc_device_count(AIMC_BACKEND_DRM) == 0,
			 "this machine has an AIMC card");
	tcase_add_test(tc, test_usage_errors);
	aimc_add_test_if(tc, test_auto_falls_back_out_loud,
			 aimc_device_count(AIMC_BACKEND_DRM) == 0,
			 "this machine has an AIMC card");
	tcase_add_test(tc, test_version_and_help);
	suite_add_tcase(s, tc);
	return s;
}
