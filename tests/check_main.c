// SPDX-License-Identifier: MIT
/*
 * Runs every Check suite of one test directory.  The build generates
 * suites.h from the `Suite *name_suite(void)` definitions in that
 * directory's test_*.c files and compiles this file once per directory.
 */
#include <check.h>
#include <stdlib.h>

#define AIMC_SUITE(fn) Suite *fn(void);
#include "suites.h"
#undef AIMC_SUITE

int main(void)
{
	Suite *(*const suites[])(void) = {
#define AIMC_SUITE(fn) fn,
#include "suites.h"
#undef AIMC_SUITE
	};
	SRunner *runner = srunner_create(NULL);
	size_t i;
	int failed;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(runner, suites[i]());
	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
