// SPDX-License-Identifier: MIT
/*
 * PCI-only: PCIe error recovery.  The host agent injects an
 * uncorrectable error into the card (QEMU's pcie_aer_inject_error); the
 * root port's AER driver in the guest reports it and runs the driver's
 * pci_error_handlers: the job in flight fails (ABORTED), the card is
 * reset and comes back, and serves on.  A non-fatal error (poisoned TLP)
 * recovers without a link reset; a fatal one (malformed TLP) through a
 * secondary bus reset, which the card sees as a reset (its test BAR).
 */
#include "pci_util.h"

#define PCI_COMMAND_OFFSET	0x04
#define PCI_COMMAND_SERR_BIT	0x0100

/*
 * The count after @name in one of the card's aer_dev_* files, or with
 * @name NULL the number in @file (relative to the card's sysfs
 * directory: ../ is the root port); -1 if none.
 */
static long long aer_count(const struct vm_card *c, const char *file,
			   const char *name)
{
	char path[256], key[64];
	long long n, found = -1;
	FILE *f;

	pci_attr_path(c, file, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!name) {
		if (fscanf(f, "%lld", &n) == 1)
			found = n;
	} else {
		while (fscanf(f, "%63s %lld", key, &n) == 2)
			if (!strcmp(key, name))
				found = n;
	}
	fclose(f);
	return found;
}

/*
 * SERR# Enable in the card's command register, as the firmware sets it at
 * boot.  QEMU 7.2 forwards an uncorrectable error only with it set (and
 * the Device Control enables the AER driver sets); a card that came in
 * by hotplug (device_add in earlier suites) never saw the firmware.
 */
static void serr_enable(const struct vm_card *c)
{
	char path[256];
	uint16_t cmd;
	int fd;

	pci_attr_path(c, "config", path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(pread(fd, &cmd, 2, PCI_COMMAND_OFFSET), 2);
	cmd |= PCI_COMMAND_SERR_BIT;
	ck_assert_int_eq(pwrite(fd, &cmd, 2, PCI_COMMAND_OFFSET), 2);
	close(fd);
}

static void error_with_job_in_flight(const char *error, const char *file,
				     const char *name)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct drm_aimc_wait w;
	char req[128], needle[128];
	struct vm_dev v;
	struct vm_card card = pci_card();
	long long count, resets, card_resets;
	uint64_t job;

	count = aer_count(&card, file, name);
	ck_assert_msg(count >= 0, "no %s %s counter: no AER for %s", file,
		      name ? name : "", card.name);
	ck_assert_int_ge(vm_job_timeout_ms(), 3000);	/* no timeout meanwhile */
	serr_enable(&card);
	vm_open(&v);
	ck_assert_int_eq(r_run(v.fd, &c, 1), AIMC_JOB_DONE);
	resets = pci_telemetry(&card, "resets");
	card_resets = vm_dbg_read(card.name, AIMC_DBG_RESETS);
	vm_knob("hang_next_job", "1");
	ck_assert_int_eq(r_submit(v.fd, &c, 1, &job), 0);

	snprintf(req, sizeof(req), "aer %s %s", card.name, error);
	ck_assert_int_eq(vm_host_request(req, NULL, 0), 0);

	ck_assert_int_eq(r_wait(v.fd, job, aimc_deadline_ns(10000), 0, &w), 0);
	ck_assert_str_eq(aimc_job_status_name(w.status), "aborted");
	ck_assert_int_eq(aer_count(&card, file, name), count + 1);
	ck_assert_int_eq(pci_telemetry(&card, "resets"), resets + 1);
	ck_assert_int_gt(vm_dbg_read(card.name, AIMC_DBG_RESETS), card_resets);
	snprintf(needle, sizeof(needle), "%s: recovered from the PCIe error", card.name);
	ck_assert_msg(pci_dmesg_has(needle), "no '%s' in the kernel log", needle);
	/* It serves on, on the same open file. */
	ck_assert_int_eq(r_run(v.fd, &c, 1), AIMC_JOB_DONE);
	vm_close(&v);
}

START_TEST(test_nonfatal_error_recovers)
{
	error_with_job_in_flight("POISON_TLP", "aer_dev_nonfatal", "TLP");
}
END_TEST

/*
 * The link is down ("frozen") when a fatal error is handled: the kernel
 * cannot read the card's error registers and counts the error at the
 * root port only.
 */
START_TEST(test_fatal_error_recovers_through_a_link_reset)
{
	error_with_job_in_flight("MALF_TLP", "../aer_rootport_total_err_fatal", NULL);
}
END_TEST

Suite *pci_aer_suite(void)
{
	Suite *s = suite_create("pci_aer");
	TCase *tc = tcase_create("aer");

	tcase_set_timeout(tc, 60);
	pci_add_test_if(tc, test_nonfatal_error_recovers, vm_host_agent(),
			"no host agent in this VM to inject the error");
	pci_add_test_if(tc, test_fatal_error_recovers_through_a_link_reset,
			vm_host_agent(), "no host agent in this VM to inject the error");
	suite_add_tcase(s, tc);
	return s;
}
