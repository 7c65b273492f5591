// SPDX-License-Identifier: MIT
/*
 * PCI-only: MSI-X.  The card's two vectors are allocated (one
 * /proc/interrupts line each, named after the cause) and fire: a job's
 * completion raises the completion vector, a failing command the error
 * vector too, and the guest counts exactly the messages the card says
 * it sent (its test BAR).  A function that offers no MSI-X is refused at
 * probe with a message saying so (device_add of the lane's card without
 * MSI-X, through the host agent).
 */
#include "pci_util.h"

static struct vm_dev V;

static void setup(void)
{
	vm_open(&V);
}

static void teardown(void)
{
	vm_close(&V);
}

START_TEST(test_two_vectors_allocated)
{
	char line[512], path[256];
	struct vm_card c = pci_card();
	long long n;
	int entries = 0;
	DIR *d;

	ck_assert_msg(pci_irq_line(&c, 0, &n, line, sizeof(line)),
		      "no MSI-X vector 0 line for %s", c.name);
	ck_assert_msg(strstr(line, "aimc-completion"), "vector 0: %s", line);
	ck_assert_msg(pci_irq_line(&c, 1, &n, line, sizeof(line)),
		      "no MSI-X vector 1 line for %s", c.name);
	ck_assert_msg(strstr(line, "aimc-error"), "vector 1: %s", line);
	ck_assert(!pci_irq_line(&c, 2, &n, NULL, 0));
	/* The PCI core's own record of the vectors the driver enabled. */
	pci_attr_path(&c, "msi_irqs", path, sizeof(path));
	d = opendir(path);
	ck_assert_msg(d, "no %s", path);
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(entries, 2);
}
END_TEST

START_TEST(test_completion_vector_fires)
{
	struct drm_aimc_cmd c = cmd_nop();
	long long guest0, guest1, sent0, sent1, err0;
	struct vm_card card = pci_card();

	/*
	 * A first job wakes a suspended card: only then count, once its
	 * interrupt has been handled (WAIT may retire a job before).
	 */
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	vm_sleep_ms(100);
	guest0 = pci_irq_count(&card, 0);
	err0 = pci_irq_count(&card, 1);
	sent0 = vm_dbg_read(card.name, AIMC_DBG_MSIX_SENT_0);
	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	vm_sleep_ms(100);
	guest1 = pci_irq_count(&card, 0);
	sent1 = vm_dbg_read(card.name, AIMC_DBG_MSIX_SENT_0);
	ck_assert_int_ge(sent1 - sent0, 1);
	ck_assert_int_eq(guest1 - guest0, sent1 - sent0);
	ck_assert_int_eq(pci_irq_count(&card, 1), err0);
}
END_TEST

START_TEST(test_error_vector_fires)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct drm_aimc_wait w;
	long long guest0, sent0;
	struct vm_card card = pci_card();
	uint64_t job;

	ck_assert_int_eq(r_run(V.fd, &c, 1), AIMC_JOB_DONE);
	vm_sleep_ms(100);
	guest0 = pci_irq_count(&card, 1);
	sent0 = vm_dbg_read(card.name, AIMC_DBG_MSIX_SENT_1);
	vm_knob("error_next_desc", "12");
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), 0);
	ck_assert_int_eq(r_wait(V.fd, job, aimc_deadline_ns(10000), 0, &w), 0);
	ck_assert_uint_eq(w.status, AIMC_JOB_DEVICE_ERROR);
	ck_assert_uint_eq(w.device_status, 12);
	vm_sleep_ms(100);
	ck_assert_int_eq(vm_dbg_read(card.name, AIMC_DBG_MSIX_SENT_1) - sent0, 1);
	ck_assert_int_eq(pci_irq_count(&card, 1) - guest0, 1);
}
END_TEST

/* Wait (up to 10 s) for an aimc-pci function not in @before; its name. */
static bool wait_new_card(const char *before, char *name, size_t len)
{
	char now[512], *tok, *save;
	int i;

	for (i = 0; i < 1000; i++) {
		pci_cards_on_bus(now, sizeof(now));
		for (tok = strtok_r(now, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strstr(before, tok)) {
				snprintf(name, len, "%s", tok);
				return true;
			}
		}
		vm_sleep_ms(10);
	}
	return false;
}

START_TEST(test_card_without_msix_refused)
{
	char before[512], name[64], path[300], needle[128], req[128];
	int i;

	pci_cards_on_bus(before, sizeof(before));
	ck_assert_int_eq(vm_host_request("device_add aimc-nomsix", NULL, 0), 0);
	ck_assert_msg(wait_new_card(before, name, sizeof(name)),
		      "the card without MSI-X did not appear on the bus");
	/* Probe ran and refused: no driver, the reason in the log. */
	snprintf(needle, sizeof(needle), "%s: no MSI-X with 2 vectors (the function offers 0)",
		 name);
	for (i = 0; i < 300 && !pci_dmesg_has(needle); i++)
		vm_sleep_ms(10);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", name);
	ck_assert_msg(!vm_path_exists(path), "%s is bound to a driver", name);
	ck_assert_msg(pci_dmesg_has(needle), "no '%s' in the kernel log", needle);
	ck_assert_int_eq(aimc_device_count(AIMC_BACKEND_DRM), 1);
	snprintf(req, sizeof(req), "device_del %s", name);
	ck_assert_int_eq(vm_host_request(req, NULL, 0), 0);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s", name);
	ck_assert(!vm_path_exists(path));
}
END_TEST

Suite *pci_msix_suite(void)
{
	Suite *s = suite_create("pci_msix");
	TCase *tc = tcase_create("msix");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	pci_add_test(tc, test_two_vectors_allocated);
	pci_add_test(tc, test_completion_vector_fires);
	pci_add_test(tc, test_error_vector_fires);
	pci_add_test_if(tc, test_card_without_msix_refused, vm_host_agent(),
			"no host agent in this VM to device_add a card without MSI-X");
	suite_add_tcase(s, tc);
	return s;
}
