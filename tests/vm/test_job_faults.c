// SPDX-License-Identifier: MIT
/*
 * Guest tests: the emulator's fault knobs (debugfs aimc_emu/0/) against
 * the driver's recovery, as the job API shows it.  hang_next_job and
 * fail_next_dma are tested here only; the other knobs in
 * selftests/fault_knobs.sh (one harness per knob).  "hang_next_job": the job times out within
 * aimc.job_timeout_ms (lowered to 300 ms by the fixture, restored after),
 * the card is reset, jobs queued behind it are aborted, the next job
 * succeeds.  "fail_next_dma": the command fails with AIMC_ST_DMA_FAULT,
 * touches no memory, and the card keeps serving without a reset.
 */
#include "vm_util.h"

#define TIMEOUT_MS	VM_SHORT_TIMEOUT_MS
#define SLACK_MS	3000	/* TCG guest, worker and IRQ latency */
#define BO_SIZE		(32 * 1024)
#define TGT_OFF		0
#define RD_OFF		4096
#define RD2_OFF		8192

static struct vm_dev V;
static uint32_t tile, bo;
static uint8_t *map;
static uint64_t map_size;
static void setup(void)
{
	uint32_t i;
	struct drm_aimc_cmd c;

	vm_check_phase();
	vm_open(&V);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	vm_bo_new_mapped(&V, BO_SIZE, &bo, &map, &map_size);
	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, (uint16_t)(5000 + 500 * i));
	c = cmd_program(tile, 0, 0, 4, 4, bo, TGT_OFF);
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
}

static void teardown(void)
{
	aimc_bo_munmap(map, map_size);
	vm_close(&V);
}

static uint64_t reset_count(void)
{
	uint64_t v;

	ck_assert_int_eq(r_get_param(V.fd, AIMC_PARAM_RESET_COUNT, &v), 0);
	return v;
}

/* The READ landed: no 0x5555 fill left (READ values are < 27000). */
static void assert_read_landed(uint32_t off)
{
	uint32_t i;

	for (i = 0; i < 16; i++)
		ck_assert_uint_ne(vm_get16(map + off + 2 * i), 0x5555);
}

static void assert_untouched(uint32_t off)
{
	uint32_t i;

	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(map[off + i], 0x55);
}

START_TEST(test_hang_times_out_and_resets)
{
	struct drm_aimc_cmd a = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF);
	struct drm_aimc_cmd b = cmd_read(tile, 0, 0, 4, 4, bo, RD2_OFF);
	struct aimc_job_result res;
	uint64_t param, resets, counter_resets, ja, jb;
	int64_t t0, elapsed;

	ck_assert_int_eq(r_get_param(V.fd, AIMC_PARAM_JOB_TIMEOUT_MS, &param), 0);
	ck_assert_uint_eq(param, TIMEOUT_MS);
	resets = reset_count();
	counter_resets = (uint64_t)vm_counter("resets");

	vm_knob("hang_next_job", "1");
	t0 = vm_now_ms();
	ck_assert_int_eq(aimc_job_submit(V.dev, &a, 1, NULL, 0, 0, &ja), 0);
	ck_assert_int_eq(aimc_job_submit(V.dev, &b, 1, NULL, 0, 0, &jb), 0);
	ck_assert_int_eq(aimc_job_wait(V.dev, ja, aimc_deadline_ns(TIMEOUT_MS +
								   10000),
				       &res), 0);
	elapsed = vm_now_ms() - t0;
	ck_assert_msg(res.status == AIMC_JOB_TIMED_OUT, "hung job: %s",
		      aimc_job_status_name(res.status));
	ck_assert_msg(elapsed >= TIMEOUT_MS - 20 &&
		      elapsed <= TIMEOUT_MS + SLACK_MS,
		      "timed out after %lld ms, timeout %d ms",
		      (long long)elapsed, TIMEOUT_MS);
	/* the job queued behind the hung one was cancelled by the reset */
	ck_assert_int_eq(aimc_job_wait(V.dev, jb, aimc_deadline_ns(10000), &res),
			 0);
	ck_assert_msg(res.status == AIMC_JOB_ABORTED, "queued job: %s",
		      aimc_job_status_name(res.status));
	ck_assert_uint_eq(reset_count(), resets + 1);
	ck_assert_uint_eq((uint64_t)vm_counter("resets"), counter_resets + 1);

	/* the card serves again */
	memset(map + RD_OFF, 0x55, 32);
	ck_assert_int_eq(aimc_job_submit(V.dev, &a, 1, NULL, 0, 0, &ja), 0);
	ck_assert_int_eq(aimc_job_wait(V.dev, ja, aimc_deadline_ns(10000), &res),
			 0);
	ck_assert_uint_eq(res.status, AIMC_JOB_DONE);
	assert_read_landed(RD_OFF);
	ck_assert_uint_eq(reset_count(), resets + 1);
}
END_TEST

START_TEST(test_dma_fault_fails_command)
{
	struct drm_aimc_cmd c = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF);
	struct aimc_job_result res;
	uint64_t resets = reset_count(), job;

	memset(map + RD_OFF, 0x55, 32);
	vm_knob("fail_next_dma", "1");
	ck_assert_int_eq(aimc_job_submit(V.dev, &c, 1, NULL, 0, 0, &job), 0);
	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(10000),
				       &res), 0);
	ck_assert_msg(res.status == AIMC_JOB_DEVICE_ERROR, "job: %s",
		      aimc_job_status_name(res.status));
	ck_assert_uint_eq(res.device_status, AIMC_ST_DMA_FAULT);
	ck_assert_uint_eq(res.failed_cmd, 0);
	assert_untouched(RD_OFF);		/* no memory touched */

	ck_assert_int_eq(aimc_job_submit(V.dev, &c, 1, NULL, 0, 0, &job), 0);
	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(10000),
				       &res), 0);
	ck_assert_uint_eq(res.status, AIMC_JOB_DONE);
	assert_read_landed(RD_OFF);
	ck_assert_uint_eq(reset_count(), resets);	/* no reset needed */
}
END_TEST

/* The card continues with the commands after the faulting one. */
START_TEST(test_dma_fault_later_commands_run)
{
	struct drm_aimc_cmd c[3] = {
		cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF),
		cmd_nop(),
		cmd_read(tile, 0, 0, 4, 4, bo, RD2_OFF),
	};
	struct aimc_job_result res;
	uint64_t job;

	memset(map + RD_OFF, 0x55, 32);
	memset(map + RD2_OFF, 0x55, 32);
	vm_knob("fail_next_dma", "1");
	ck_assert_int_eq(aimc_job_submit(V.dev, c, 3, NULL, 0, 0, &job), 0);
	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(10000),
				       &res), 0);
	ck_assert_uint_eq(res.status, AIMC_JOB_DEVICE_ERROR);
	ck_assert_uint_eq(res.device_status, AIMC_ST_DMA_FAULT);
	ck_assert_uint_eq(res.failed_cmd, 0);
	assert_untouched(RD_OFF);
	assert_read_landed(RD2_OFF);
}
END_TEST

/* LOAD 4 s8 inputs, accumulate them in slot words 0..3, STORE the sums */
static struct drm_aimc_cmd accumulate(uint32_t slot, uint32_t flags)
{
	struct vm_prog p = { .n_uops = 0 };
	uint32_t len;

	vm_uop(&p, AIMC_UOP_LOAD, 0, 0, 0, 4, 0, 0, 1);
	vm_uop(&p, AIMC_UOP_STATE_LD, 1, 0, 0, 4, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_ADD, 1, 1, 0, 4, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_STATE_ST, 0, 1, 0, 4, 0, 0, 0);
	vm_uop(&p, AIMC_UOP_STORE, 0, 1, 0, 4, 0, 0, 4);
	len = vm_prog_emit(&p, map + 12288);
	return cmd_exec(slot, flags, 1, 4, 16, bo, 12000, RD2_OFF, 12288, len);
}

/*
 * A reset wipes every stream slot: until its owner replaces the state
 * (EXEC with RESET_STATE, or STATE_LOAD), commands relying on it fail
 * at submit with -EIO instead of computing on zeros.
 */
START_TEST(test_reset_wipes_slot_state)
{
	struct drm_aimc_cmd c, hang = cmd_nop();
	uint32_t slot;
	uint64_t job;
	int32_t sum;

	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	memset(map + 12000, 3, 4);
	c = accumulate(slot, AIMC_CMD_F_RESET_STATE);
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	c = accumulate(slot, 0);
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	memcpy(&sum, map + RD2_OFF, 4);
	ck_assert_int_eq(sum, 6);		/* state kept between jobs */

	vm_knob("hang_next_job", "1");
	ck_assert_int_eq(r_run(V.fd, &hang, 1), AIMC_JOB_TIMED_OUT);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EIO);
	c = cmd_state_save(slot, bo, 0);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EIO);
	c = accumulate(slot, AIMC_CMD_F_RESET_STATE);
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	c = accumulate(slot, 0);
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	memcpy(&sum, map + RD2_OFF, 4);
	ck_assert_int_eq(sum, 6);
}
END_TEST

Suite *job_faults_suite(void)
{
	Suite *s = suite_create("job_faults");
	TCase *tc = tcase_create("faults");

	tcase_add_unchecked_fixture(tc, vm_short_timeout_setup,
				    vm_short_timeout_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_hang_times_out_and_resets);
	tcase_add_test(tc, test_dma_fault_fails_command);
	tcase_add_test(tc, test_dma_fault_later_commands_run);
	tcase_add_test(tc, test_reset_wipes_slot_state);
	suite_add_tcase(s, tc);
	return s;
}
