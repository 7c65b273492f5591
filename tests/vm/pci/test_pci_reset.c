// SPDX-License-Identifier: MIT
/*
 * PCI-only: a function-level reset through the PCI core (sysfs reset) of
 * a card in use behaves like the driver's own reset: the jobs on the card
 * end (ABORTED: the card was stopped in them), the reset is counted, the
 * stream slots' state is lost (a job that relies on it fails at submit
 * with EIO until its owner loads a state again), the programmed cells
 * are kept (non-volatile), queued jobs run on the fresh ring and the
 * card serves on.  The card's test BAR confirms it saw an FLR.
 */
#include "pci_util.h"

#define BO_SIZE		(64 * 1024)
#define TGT_OFF		0
#define RD_OFF		4096
#define RD2_OFF		8192
#define IMG_OFF		16384

START_TEST(test_flr_of_a_busy_card)
{
	struct drm_aimc_cmd cmd, hang = cmd_nop();
	struct drm_aimc_wait w;
	char method[64];
	struct vm_dev v;
	struct vm_card c = pci_card();
	uint32_t tile, slot, bo, i;
	uint64_t size, job1, job2, job3;
	long long resets, flrs;
	uint8_t *map;

	pci_attr_str(&c, "reset_method", method, sizeof(method));
	ck_assert_msg(strstr(method, "flr"), "reset_method '%s' has no flr", method);
	ck_assert_int_ge(vm_job_timeout_ms(), 3000);	/* no timeout meanwhile */
	vm_open(&v);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	vm_bo_new_mapped(&v, BO_SIZE, &bo, &map, &size);
	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, (uint16_t)(6000 + 800 * i));
	cmd = cmd_program(tile, 0, 0, 4, 4, bo, TGT_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	cmd = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	pci_state_image(map + IMG_OFF, 3);
	cmd = cmd_state_load(slot, bo, IMG_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);

	resets = pci_telemetry(&c, "resets");
	flrs = vm_dbg_read(c.name, AIMC_DBG_FLRS);
	/* One job stuck on the card, one behind it on the ring. */
	vm_knob("hang_next_job", "1");
	ck_assert_int_eq(r_submit(v.fd, &hang, 1, &job1), 0);
	cmd = cmd_read(tile, 0, 0, 4, 4, bo, RD2_OFF);
	ck_assert_int_eq(r_submit(v.fd, &cmd, 1, &job2), 0);
	vm_sleep_ms(200);
	ck_assert_int_eq(r_wait(v.fd, job1, 0, 0, NULL), -ETIME);

	pci_attr_write(&c, "reset", "1");

	ck_assert_int_eq(r_wait(v.fd, job1, aimc_deadline_ns(5000), 0, &w), 0);
	ck_assert_str_eq(aimc_job_status_name(w.status), "aborted");
	ck_assert_int_eq(r_wait(v.fd, job2, aimc_deadline_ns(5000), 0, &w), 0);
	ck_assert_str_eq(aimc_job_status_name(w.status), "aborted");
	ck_assert_int_eq(pci_telemetry(&c, "resets"), resets + 1);
	ck_assert_int_eq(vm_dbg_read(c.name, AIMC_DBG_FLRS), flrs + 1);

	/* As after the driver's own reset: the slot's state is gone ... */
	cmd = cmd_state_save(slot, bo, IMG_OFF + AIMC_STATE_IMAGE_BYTES);
	ck_assert_int_eq(r_submit(v.fd, &cmd, 1, &job3), -EIO);
	/* ... until its owner loads one; the cells are kept. */
	cmd = cmd_state_load(slot, bo, IMG_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	cmd = cmd_state_save(slot, bo, IMG_OFF + AIMC_STATE_IMAGE_BYTES);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	ck_assert(!memcmp(map + IMG_OFF, map + IMG_OFF + AIMC_STATE_IMAGE_BYTES,
			  AIMC_STATE_IMAGE_BYTES));
	cmd = cmd_read(tile, 0, 0, 4, 4, bo, RD2_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	for (i = 0; i < 16; i++) {
		int before = vm_get16(map + RD_OFF + 2 * i);
		int after = vm_get16(map + RD2_OFF + 2 * i);

		/* read noise: about 1 % of G */
		ck_assert_msg(abs(after - before) <= 600,
			      "cell %u read %d nS before the reset, %d after", i,
			      before, after);
	}
	aimc_bo_munmap(map, size);
	vm_close(&v);
}
END_TEST

Suite *pci_reset_suite(void)
{
	Suite *s = suite_create("pci_reset");
	TCase *tc = tcase_create("flr");

	tcase_set_timeout(tc, 60);
	pci_add_test(tc, test_flr_of_a_busy_card);
	suite_add_tcase(s, tc);
	return s;
}
