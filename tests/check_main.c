// SPDX-License-Identifier: MIT
/*
 * Runs every Check suite of one test directory.  The build generates
 * suites.h from the `Suite *name_suite(void)` definitions in that
 * directory's test_*.c files and compiles this file once per directory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_skip.h"

#define AIMC_SUITE(fn) Suite *fn(void);
#include "suites.h"
#undef AIMC_SUITE

static struct {
	const char *test;
	const char *why;
} skipped[256];
static unsigned int nskipped;

void aimc_skip_test(const char *test, const char *why)
{
	if (nskipped < sizeof(skipped) / sizeof(skipped[0]))
		skipped[nskipped] = (typeof(skipped[0])){ test, why };
	nskipped++;
}

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
	for (i = 0; i < nskipped && i < sizeof(skipped) / sizeof(skipped[0]); i++)
		printf("SKIP: %s: %s\n", skipped[i].test, skipped[i].why);
	printf("Summary: %d run, %d failed, %u skipped\n", srunner_ntests_run(runner),
	       failed, nskipped);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
