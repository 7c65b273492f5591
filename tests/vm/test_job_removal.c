// SPDX-License-Identifier: MIT
/*
 * Guest tests: the card goes away while a process holds the node open,
 * has a job in flight ("hang next job", so it cannot finish) and a child
 * is blocked in WAIT on it.  How it goes, by kind of card:
 *
 *   case        aimc_emu card           aimc-pci card (PCI lane)
 *   del_device  del_device/new_device   the PCI core's sysfs remove, then
 *                                       a bus rescan (as hot-unplug test
 *                                       suites drive it)
 *   unbind      unbind/bind             unbind/bind
 *   rmmod_emu   rmmod/modprobe aimc_emu (skipped: no emulator)
 *   device_del  (skipped: no QEMU)      QMP device_del/device_add through
 *                                       the host agent (host-request.sh)
 *
 * The
 * WAIT returns (ABORTED, or -ENODEV), never hangs (alarm() bounds it),
 * every later ioctl on the open file gives -ENODEV, and once the card is
 * back a new open file runs jobs.  The kernel log is checked for
 * WARN/BUG/Oops by tests/vm/run.sh.
 *
 * The TCase's unchecked teardown brings the card back even when a test
 * failed half-way, so later suites still find it.
 */
#include "vm_util.h"

#define BO_SIZE		(16 * 1024)

enum removal { DEL_DEVICE, UNBIND, RMMOD_EMU, QMP_DEVICE_DEL };

static char emu_args[512];
/* The card under test, as the test began; its QEMU id once device_del'd. */
static struct vm_card card;
static char qdev_id[64];
/* The id, for the teardown (in the runner, not the test's child). */
#define QDEV_DELETED	"/tmp/aimc-vm-device-del"

/* aimc_emu's current parameters, to load it again the same way */
static void save_emu_args(void)
{
	static const char *const names[] = {
		"tiles", "tile_rows", "tile_cols", "stream_slots", "noise_free",
		"seed",
	};
	char path[128];
	size_t i, n = 0;

	emu_args[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;
		char value[64];

		snprintf(path, sizeof(path), EMU_PARAMS "/%s", names[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%63s", value) == 1)
			n += (size_t)snprintf(emu_args + n, sizeof(emu_args) - n,
					      " %s=%s", names[i], value);
		fclose(f);
	}
}

static int load_emu(void)
{
	char cmd[640];

	snprintf(cmd, sizeof(cmd), "/sbin/modprobe aimc_emu%s", emu_args);
	return system(cmd);
}

/* No asserts: also the unchecked teardown.  Only this test's card. */
static void restore_pci_card(void)
{
	char path[256];
	int i;

	FILE *f = fopen(QDEV_DELETED, "r");

	if (f) {
		if (!fgets(qdev_id, sizeof(qdev_id), f))
			qdev_id[0] = 0;
		qdev_id[strcspn(qdev_id, "\n")] = 0;
		fclose(f);
		unlink(QDEV_DELETED);
	}
	if (!vm_path_exists(card.sysfs) && qdev_id[0]) {
		snprintf(path, sizeof(path), "device_add %s", qdev_id);
		vm_host_request(path, NULL, 0);
	}
	qdev_id[0] = 0;
	if (!vm_path_exists(card.sysfs))
		vm_write_str("/sys/bus/pci/rescan", "1");
	snprintf(path, sizeof(path), PCI_DRIVER "/%s", card.name);
	for (i = 0; i < 200 && !vm_path_exists(path); i++)
		vm_sleep_ms(10);
	if (!vm_path_exists(path))
		vm_write_str(PCI_DRIVER "/bind", card.name);
	for (i = 0; i < 500 && aimc_device_count(AIMC_BACKEND_DRM) != 1; i++)
		vm_sleep_ms(10);
	vm_first_card_opens(5000);
}

/* No asserts: also the unchecked teardown. */
static void restore_card(void)
{
	int i;

	if (card.kind == VM_CARD_PCI) {
		restore_pci_card();
		return;
	}
	if (!vm_path_exists("/sys/module/aimc_emu"))
		load_emu();
	if (!vm_path_exists(EMU_SYSFS "/" SWDEV_NAME))
		vm_write_str(EMU_SYSFS "/new_device", "0");
	for (i = 0; i < 100 && !vm_path_exists(SWDEV_DRIVER "/" SWDEV_NAME); i++)
		vm_sleep_ms(10);
	if (!vm_path_exists(SWDEV_DRIVER "/" SWDEV_NAME))
		vm_write_str(SWDEV_DRIVER "/bind", SWDEV_NAME);
	for (i = 0; i < 500 && aimc_device_count(AIMC_BACKEND_DRM) != 1; i++)
		vm_sleep_ms(10);
	vm_first_card_opens(5000);
}

static void remove_card(enum removal how)
{
	char path[256];
	FILE *f;
	int ret;

	switch (how) {
	case DEL_DEVICE:
		if (card.kind == VM_CARD_PCI) {
			snprintf(path, sizeof(path), "%s/remove", card.sysfs);
			vm_write(path, "1");
		} else {
			vm_write(EMU_SYSFS "/del_device", "0");
		}
		break;
	case UNBIND:
		vm_write(card.kind == VM_CARD_PCI ? PCI_DRIVER "/unbind" :
			 SWDEV_DRIVER "/unbind", card.name);
		break;
	case RMMOD_EMU:
		ret = system("/sbin/rmmod aimc_emu");
		ck_assert_msg(ret == 0, "rmmod aimc_emu: %d", ret);
		break;
	case QMP_DEVICE_DEL:
		snprintf(path, sizeof(path), "device_del %s", card.name);
		ck_assert_msg(vm_host_request(path, qdev_id, sizeof(qdev_id)) == 0,
			      "the host could not device_del %s", card.name);
		ck_assert_msg(qdev_id[0], "device_del: no QEMU id for %s", card.name);
		f = fopen(QDEV_DELETED, "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "%s\n", qdev_id);
		fclose(f);
		break;
	}
}

static void add_card_back(enum removal how)
{
	char req[128];

	switch (how) {
	case DEL_DEVICE:
		if (card.kind == VM_CARD_PCI)
			vm_write("/sys/bus/pci/rescan", "1");
		else
			vm_write(EMU_SYSFS "/new_device", "0");
		break;
	case UNBIND:
		vm_write(card.kind == VM_CARD_PCI ? PCI_DRIVER "/bind" :
			 SWDEV_DRIVER "/bind", card.name);
		break;
	case RMMOD_EMU:
		ck_assert_int_eq(load_emu(), 0);
		break;
	case QMP_DEVICE_DEL:
		snprintf(req, sizeof(req), "device_add %s", qdev_id);
		ck_assert_msg(vm_host_request(req, NULL, 0) == 0,
			      "the host could not device_add %s", qdev_id);
		qdev_id[0] = 0;
		unlink(QDEV_DELETED);
		break;
	}
	vm_wait_count(1);
}

struct waiter_result {
	int ret;
	uint32_t status;
};

static void remove_with_job_in_flight(enum removal how)
{
	struct vm_dev v, again;
	struct drm_aimc_cmd c;
	struct waiter_result wr;
	uint32_t tile, bo, h;
	uint64_t job, job2, value;
	int pipefd[2], status, i;
	uint8_t *map;
	uint64_t size;
	pid_t pid;

	vm_check_phase();
	save_emu_args();
	ck_assert_int_ge(vm_job_timeout_ms(), 3000);	/* no reset meanwhile */
	vm_open(&v);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	ck_assert_int_eq(aimc_bo_create(v.dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(v.dev, bo, (void **)&map, &size), 0);
	for (i = 0; i < 16; i++)
		vm_put16(map + 2 * i, 9000);
	c = cmd_program(tile, 0, 0, 4, 4, bo, 0);
	ck_assert_int_eq(r_run(v.fd, &c, 1), AIMC_JOB_DONE);

	vm_knob("hang_next_job", "1");
	c = cmd_read(tile, 0, 0, 4, 4, bo, 4096);
	ck_assert_int_eq(r_submit(v.fd, &c, 1, &job), 0);
	ck_assert_int_eq(r_submit(v.fd, &c, 1, &job2), 0);

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		struct drm_aimc_wait w;

		close(pipefd[0]);
		alarm(20);		/* a hang kills the child: SIGALRM */
		wr.ret = r_wait(v.fd, job, aimc_deadline_ns(30000), 0, &w);
		wr.status = w.status;
		if (write(pipefd[1], &wr, sizeof(wr)) != (ssize_t)sizeof(wr))
			_exit(3);
		_exit(0);
	}
	close(pipefd[1]);
	/* let the child block in WAIT */
	for (i = 0; i < 200 && vm_proc_state(pid) != 'S'; i++)
		vm_sleep_ms(10);
	vm_sleep_ms(100);
	ck_assert_int_eq(r_wait(v.fd, job, 0, 0, NULL), -ETIME);

	remove_card(how);

	status = vm_waitpid_ms(pid, 15000);
	ck_assert_msg(status >= 0, "WAIT still blocked 15 s after the removal");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "waiting child died (status 0x%x%s)", status,
		      WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ?
		      ", alarm: WAIT hung" : "");
	ck_assert_int_eq(read(pipefd[0], &wr, sizeof(wr)), (ssize_t)sizeof(wr));
	close(pipefd[0]);
	ck_assert_msg((wr.ret == 0 && wr.status == AIMC_JOB_ABORTED) ||
		      wr.ret == -ENODEV,
		      "WAIT across the removal: ret %d, status %u", wr.ret,
		      wr.status);

	/* the open file outlives its card: every ioctl says ENODEV */
	ck_assert_int_eq(r_get_param(v.fd, AIMC_PARAM_NUM_TILES, &value),
			 -ENODEV);
	ck_assert_int_eq(r_wait(v.fd, job2, aimc_deadline_ns(1000), 0, NULL),
			 -ENODEV);
	ck_assert_int_eq(r_submit(v.fd, &c, 1, &job), -ENODEV);
	ck_assert_int_eq(r_bo_create(v.fd, 4096, 0, &h), -ENODEV);
	ck_assert_int_eq(r_reserve(v.fd, AIMC_RESOURCE_TILE, 0,
				   AIMC_RESERVE_ANY, 0, NULL), -ENODEV);
	ck_assert_int_eq(aimc_job_wait(v.dev, job, 0, NULL), -ENODEV);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "device removed"));
	ck_assert_int_eq(aimc_bo_munmap(map, size), 0);
	vm_close(&v);

	/* back, and a new open file works */
	add_card_back(how);
	vm_open(&again);
	c = cmd_nop();
	ck_assert_int_eq(r_run(again.fd, &c, 1), AIMC_JOB_DONE);
	ck_assert_int_eq(aimc_reserve(again.dev, AIMC_RESOURCE_TILE, tile,
				      NULL), 0);
	vm_close(&again);
}

START_TEST(test_del_device_with_job_in_flight)
{
	remove_with_job_in_flight(DEL_DEVICE);
}
END_TEST

START_TEST(test_unbind_with_job_in_flight)
{
	remove_with_job_in_flight(UNBIND);
}
END_TEST

START_TEST(test_rmmod_emu_with_job_in_flight)
{
	remove_with_job_in_flight(RMMOD_EMU);
}
END_TEST

START_TEST(test_qmp_device_del_with_job_in_flight)
{
	remove_with_job_in_flight(QMP_DEVICE_DEL);
}
END_TEST

static void restore_setup(void)
{
	save_emu_args();
	qdev_id[0] = 0;
	if (!vm_card_find(&card))
		memset(&card, 0, sizeof(card));
}

Suite *job_removal_suite(void)
{
	Suite *s = suite_create("job_removal");
	int kind = vm_card_kind_now();
	const struct {
		const char *name;
		const TTest *test;
		bool applies;
		const char *why;
	} cases[] = {
		{ "del_device", test_del_device_with_job_in_flight, true, NULL },
		{ "unbind", test_unbind_with_job_in_flight, true, NULL },
		{ "rmmod_emu", test_rmmod_emu_with_job_in_flight, kind == VM_CARD_EMU,
		  "an aimc-pci card: there is no aimc_emu to unload" },
		{ "device_del", test_qmp_device_del_with_job_in_flight,
		  kind == VM_CARD_PCI && vm_host_agent(),
		  kind == VM_CARD_PCI ?
		  "no host agent in this VM (tests/vm/run.sh VM_AGENT_DEVICES)" :
		  "aimc_emu's card: no QEMU device to device_del" },
	};
	size_t i;

	/* one TCase each: the card is restored after each, even on failure */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc;

		if (!cases[i].applies) {
			aimc_skip_test(cases[i].name, cases[i].why);
			continue;
		}
		tc = tcase_create(cases[i].name);
		tcase_add_unchecked_fixture(tc, restore_setup, restore_card);
		tcase_set_timeout(tc, 40);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}
