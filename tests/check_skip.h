/* SPDX-License-Identifier: MIT */
/*
 * Skipping in the Check runners (tests/check_main.c).  Check has no skip
 * status, and a test that returns early would count as passed: a test
 * that does not apply to this run (a phase, a machine without a card) is
 * not registered at all, and the runner lists it as skipped with the
 * reason, after Check's own summary.
 */
#ifndef AIMC_CHECK_SKIP_H
#define AIMC_CHECK_SKIP_H

#include <check.h>
#include <stdbool.h>

/* Record a test left out of this run; defined by tests/check_main.c. */
void aimc_skip_test(const char *test, const char *why);

/* Register @test in @tc if @applies, else report it skipped for @why. */
#define aimc_add_test_if(tc, test, applies, why)			\
	do {								\
		if (applies)						\
			tcase_add_test(tc, test);			\
		else							\
			aimc_skip_test(#test, why);			\
	} while (0)

#endif /* AIMC_CHECK_SKIP_H */
