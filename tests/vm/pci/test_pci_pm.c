// SPDX-License-Identifier: MIT
/*
 * PCI-only: runtime power management.  An idle card suspends once its
 * autosuspend delay has passed (runtime_status "suspended", the function
 * in D3hot as the card's test BAR sees its PMCSR, counted in the
 * telemetry), and the next job resumes it; the hardware contract keeps
 * the card's state in D3hot, so the programmed cells read back as before
 * and a stream slot's state is exactly what was loaded before the
 * suspend.  A card with a job on it does not suspend.
 */
#include "pci_util.h"

#define BO_SIZE		(64 * 1024)
#define TGT_OFF		0
#define RD_OFF		4096
#define RD2_OFF		8192
#define IMG_OFF		16384
#define IMG2_OFF	(IMG_OFF + 20480)

static char saved_delay[32];

static void delay_setup(void)
{
	struct vm_card c;

	saved_delay[0] = 0;
	if (vm_card_find(&c) && c.kind == VM_CARD_PCI)
		pci_attr_str(&c, "power/autosuspend_delay_ms", saved_delay,
			     sizeof(saved_delay));
}

static void delay_teardown(void)
{
	struct vm_card c;
	char path[256];

	if (!saved_delay[0] || !vm_card_find(&c))
		return;
	pci_attr_path(&c, "power/autosuspend_delay_ms", path, sizeof(path));
	vm_write_str(path, saved_delay);
}

START_TEST(test_idle_card_suspends_and_resumes_on_submit)
{
	struct drm_aimc_cmd cmd;
	char control[16], state[16];
	struct vm_dev v;
	struct vm_card c = pci_card();
	uint32_t tile, slot, bo, i;
	long long suspends, resumes, d3;
	uint64_t size;
	uint8_t *map;

	/* The driver allows runtime PM: the PCI core forbids it by default. */
	pci_attr_str(&c, "power/control", control, sizeof(control));
	ck_assert_str_eq(control, "auto");
	ck_assert_int_eq(pci_attr_ll(&c, "power/autosuspend_delay_ms"), 1000);
	pci_attr_write(&c, "power/autosuspend_delay_ms", "200");

	vm_open(&v);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	vm_bo_new_mapped(&v, BO_SIZE, &bo, &map, &size);
	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, (uint16_t)(5000 + 900 * i));
	cmd = cmd_program(tile, 0, 0, 4, 4, bo, TGT_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	cmd = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	pci_state_image(map + IMG_OFF, 11);
	cmd = cmd_state_load(slot, bo, IMG_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	suspends = pci_telemetry(&c, "suspends");
	resumes = pci_telemetry(&c, "resumes");
	d3 = vm_dbg_read(c.name, AIMC_DBG_D3HOT_ENTRIES);

	/* Idle: suspended within the delay and some, the function in D3hot. */
	ck_assert_msg(pci_wait_attr(&c, "power/runtime_status", "suspended", 3000),
		      "the idle card did not suspend");
	ck_assert_uint_eq(vm_dbg_read(c.name, AIMC_DBG_POWER_STATE), 3);
	ck_assert_int_eq(vm_dbg_read(c.name, AIMC_DBG_D3HOT_ENTRIES), d3 + 1);
	pci_attr_str(&c, "power_state", state, sizeof(state));
	if (state[0])
		ck_assert_str_eq(state, "D3hot");
	ck_assert_int_eq(pci_telemetry(&c, "suspends"), suspends + 1);

	/* The next job resumes it, and finds everything as it was. */
	cmd = cmd_state_save(slot, bo, IMG2_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	pci_attr_str(&c, "power/runtime_status", state, sizeof(state));
	ck_assert_str_eq(state, "active");
	ck_assert_uint_eq(vm_dbg_read(c.name, AIMC_DBG_POWER_STATE), 0);
	ck_assert_int_eq(pci_telemetry(&c, "resumes"), resumes + 1);
	ck_assert_msg(!memcmp(map + IMG_OFF, map + IMG2_OFF, AIMC_STATE_IMAGE_BYTES),
		      "the slot's state changed across the suspend");
	cmd = cmd_read(tile, 0, 0, 4, 4, bo, RD2_OFF);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	for (i = 0; i < 16; i++) {
		int before = vm_get16(map + RD_OFF + 2 * i);
		int after = vm_get16(map + RD2_OFF + 2 * i);

		/* read noise: about 1 % of G */
		ck_assert_msg(abs(after - before) <= 600,
			      "cell %u read %d nS before the suspend, %d after", i,
			      before, after);
	}
	aimc_bo_munmap(map, size);
	vm_close(&v);
}
END_TEST

START_TEST(test_no_suspend_with_a_job_on_the_card)
{
	struct drm_aimc_cmd cmd = cmd_nop();
	char state[16];
	struct vm_dev v;
	struct vm_card c = pci_card();
	uint64_t job;

	pci_attr_write(&c, "power/autosuspend_delay_ms", "100");
	vm_open(&v);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	/* A slow card: the job takes 1.5 s, 15 autosuspend delays. */
	vm_knob("delay_us", "1500000");
	ck_assert_int_eq(r_submit(v.fd, &cmd, 1, &job), 0);
	vm_sleep_ms(800);
	pci_attr_str(&c, "power/runtime_status", state, sizeof(state));
	vm_knob("delay_us", "0");
	ck_assert_str_eq(state, "active");
	ck_assert_int_eq(r_wait_status(v.fd, job, 10000), AIMC_JOB_DONE);
	/* ... and once it has ended, the card goes down. */
	ck_assert_msg(pci_wait_attr(&c, "power/runtime_status", "suspended", 3000),
		      "the card did not suspend after its job");
	vm_close(&v);
}
END_TEST

Suite *pci_pm_suite(void)
{
	Suite *s = suite_create("pci_pm");
	TCase *tc = tcase_create("runtime_pm");

	tcase_add_unchecked_fixture(tc, delay_setup, delay_teardown);
	tcase_set_timeout(tc, 60);
	pci_add_test(tc, test_idle_card_suspends_and_resumes_on_submit);
	pci_add_test(tc, test_no_suspend_with_a_job_on_the_card);
	suite_add_tcase(s, tc);
	return s;
}
