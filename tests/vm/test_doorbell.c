// SPDX-License-Identifier: MIT
/*
 * Guest tests: who runs a descriptor on the emulated card.  A doorbell
 * that finds the card idle runs short descriptors (NOP, WAIT, STATE_*,
 * CALIBRATE) before the register write returns; the first long one
 * (PROGRAM, READ, EXEC) and everything after it go to the card's worker,
 * in ring order; the inline_short knob sends everything to the worker.
 * debugfs aimc_emu/<card>/ran_inline counts the doorbell's descriptors.
 * The doorbell is rung by the driver's scheduler (run_job), which retires
 * what the card completed during the write itself (jobs_at_doorbell).
 * An aimc-pci card (the PCI lane) has no such path: its own thread runs
 * every descriptor, as a card does, so these tests are skipped there.
 */
#include "vm_util.h"

#define BO_SIZE		(16 * 1024)
#define TGT_OFF		0
#define RD_OFF		4096
/* A doorbell runs descriptors only on an idle card: let the worker go idle. */
#define IDLE_TRIES	50
#define IDLE_SLEEP_MS	10

/* Why these tests are not run on an aimc-pci card. */
#define NO_DOORBELL	"an aimc-pci card runs every descriptor on its own thread: no doorbell path"

static struct vm_dev V;
static uint32_t tile, bo;
static uint8_t *map;
static uint64_t map_size;

static void setup(void)
{
	vm_check_phase();
	vm_open(&V);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	vm_bo_new_mapped(&V, BO_SIZE, &bo, &map, &map_size);
	memset(map, 0, BO_SIZE);
}

static void teardown(void)
{
	vm_knob("inline_short", "1");
	aimc_bo_munmap(map, map_size);
	vm_close(&V);
}

static long long ran_inline(void)
{
	struct vm_card c = vm_card();
	long long n = vm_card_knob_get(&c, "ran_inline");

	ck_assert_int_ge(n, 0);
	return n;
}

static uint32_t wait_done(uint64_t job)
{
	struct aimc_job_result res;

	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(10000),
				       &res), 0);
	return res.status;
}

/*
 * Submit @cmds on an idle card and wait for the job; returns how many
 * descriptors the doorbell ran and how the job ended.
 */
static long long submit_idle(const struct drm_aimc_cmd *cmds, uint32_t n,
			     uint64_t *job, uint32_t *status)
{
	long long before = ran_inline();

	ck_assert_int_eq(aimc_job_submit(V.dev, cmds, n, NULL, 0, 0, job), 0);
	*status = wait_done(*job);
	return ran_inline() - before;
}

/*
 * The card ran the job inside the doorbell write and the writer retired
 * it (jobs_at_doorbell), not the interrupt's work.
 */
START_TEST(test_short_job_retired_by_doorbell_writer)
{
	struct drm_aimc_cmd c[2] = { cmd_nop(), cmd_nop() };
	long long ran = 0, done = 0, at_doorbell = 0;
	uint32_t status = AIMC_JOB_PENDING, i;
	uint64_t job;

	for (i = 0; i < IDLE_TRIES; i++) {
		done = vm_counter("jobs_done");
		at_doorbell = vm_counter("jobs_at_doorbell");
		ran = submit_idle(c, 2, &job, &status);
		done = vm_counter("jobs_done") - done;
		at_doorbell = vm_counter("jobs_at_doorbell") - at_doorbell;
		if (ran)
			break;
		vm_sleep_ms(IDLE_SLEEP_MS);
	}
	ck_assert_int_eq(ran, 2);
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(at_doorbell, 1);
	ck_assert_msg(status == AIMC_JOB_DONE, "job ended %s",
		      aimc_job_status_name(status));
}
END_TEST

/* NOP, READ, NOP: the doorbell runs the first NOP, the worker the rest. */
START_TEST(test_long_descriptor_goes_to_worker_in_order)
{
	struct drm_aimc_cmd c[3] = {
		cmd_nop(), cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF), cmd_nop(),
	};
	uint32_t status, i;
	long long ran = 0;
	uint64_t job;

	for (i = 0; i < IDLE_TRIES; i++) {
		memset(map + RD_OFF, 0x55, 32);
		ran = submit_idle(c, 3, &job, &status);
		ck_assert_uint_eq(wait_done(job), AIMC_JOB_DONE);
		if (ran)
			break;
		vm_sleep_ms(IDLE_SLEEP_MS);
	}
	ck_assert_int_eq(ran, 1);
	for (i = 0; i < 16; i++)
		ck_assert_uint_ne(vm_get16(map + RD_OFF + 2 * i), 0x5555);
	/* a long descriptor first: nothing for the doorbell at all */
	ran = submit_idle(c + 1, 2, &job, &status);
	ck_assert_uint_eq(wait_done(job), AIMC_JOB_DONE);
	ck_assert_int_eq(ran, 0);
}
END_TEST

START_TEST(test_knob_off_leaves_all_to_worker)
{
	struct drm_aimc_cmd c[2] = { cmd_nop(), cmd_nop() };
	uint32_t status, i;
	uint64_t job;

	vm_knob("inline_short", "0");
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(submit_idle(c, 2, &job, &status), 0);
		ck_assert_uint_eq(wait_done(job), AIMC_JOB_DONE);
	}
}
END_TEST

/* Faults hit a descriptor the doorbell runs as they hit the worker's. */
START_TEST(test_knobs_apply_to_doorbell)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint32_t status, i;
	long long ran = 0;
	uint64_t job;

	struct aimc_job_result res;

	for (i = 0; i < IDLE_TRIES && !ran; i++) {
		vm_knob("error_next_desc", "12");
		ran = submit_idle(&c, 1, &job, &status);
		if (!ran) {
			/* the worker consumed the knob instead */
			ck_assert_uint_eq(status, AIMC_JOB_DEVICE_ERROR);
			vm_sleep_ms(IDLE_SLEEP_MS);
		}
	}
	ck_assert_int_eq(ran, 1);
	ck_assert_uint_eq(status, AIMC_JOB_DEVICE_ERROR);
	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(10000),
				       &res), 0);
	ck_assert_uint_eq(res.device_status, AIMC_ST_BAD_STATE);
	/* consumed: the card goes on */
	ck_assert_int_eq(aimc_job_submit(V.dev, &c, 1, NULL, 0, 0, &job), 0);
	ck_assert_uint_eq(wait_done(job), AIMC_JOB_DONE);
}
END_TEST

Suite *doorbell_suite(void)
{
	Suite *s = suite_create("doorbell");
	TCase *tc = tcase_create("doorbell");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	vm_add_emu_test(tc, test_short_job_retired_by_doorbell_writer, NO_DOORBELL);
	vm_add_emu_test(tc, test_long_descriptor_goes_to_worker_in_order, NO_DOORBELL);
	vm_add_emu_test(tc, test_knob_off_leaves_all_to_worker, NO_DOORBELL);
	vm_add_emu_test(tc, test_knobs_apply_to_doorbell, NO_DOORBELL);
	suite_add_tcase(s, tc);
	return s;
}
