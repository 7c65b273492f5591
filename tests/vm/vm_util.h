/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the guest job suites (tests/vm/test_job_*.c): sysfs
 * and debugfs access, raw ioctl wrappers that return -errno, command and
 * micro-op program builders, and a userspace aimc_model configured like
 * the emulated card for reference results.  Header-only (static inline):
 * the Makefile links every tests/vm/test_*.c into one runner.
 *
 * Phases: the guest runs aimc-vm-tests once per card configuration.
 * AIMC_VM_PHASE=noise_free means the card is noise-free (aimc_emu loaded
 * with noise_free=1, or an aimc-pci card with noise-free=on: exact cells,
 * bit-exact comparisons); unset is the default, noisy card.
 * A test meant for one phase is registered only in it
 * (vm_add_noise_free_test(), vm_add_noisy_test()); in the other the
 * runner reports it skipped (tests/check_skip.h), never as passed.
 *
 * Cards: the suites drive whichever card is the first aimc node, an
 * aimc_emu.ko card (platform device aimc-swdev.N) or an aimc-pci card in
 * the PCI lane's QEMU (emulator/qemu/); vm_card() says which.  Fault
 * knobs go through vm_knob(): aimc_emu's debugfs files or the aimc-pci
 * card's test BAR (emulator/qemu/aimc_pci_dbg.h), by the same names.  A
 * test for one kind of card is registered only for it
 * (vm_add_emu_test(), vm_add_pci_test()) and reported skipped otherwise.
 */
#ifndef VM_UTIL_H
#define VM_UTIL_H

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <drm/aimc_accel.h>

#include "../check_skip.h"
#include "aimc.h"
#include "aimc_model.h"
#include "aimc_pci_dbg.h"
#include "../../runtime/job.h"

#define EMU_SYSFS	"/sys/devices/aimc_emu"
#define EMU_PARAMS	"/sys/module/aimc_emu/parameters"
#define EMU_DEBUGFS	"/sys/kernel/debug/aimc_emu/0"
#define DRV_PARAMS	"/sys/module/aimc/parameters"
/* The DRM device's debugfs directories, where aimc.ko adds its files. */
#define DRM_DEBUGFS_ROOTS	{ "/sys/kernel/debug/accel", "/sys/kernel/debug/dri" }
#define SWDEV_DRIVER	"/sys/bus/platform/drivers/aimc-swdev"
#define SWDEV_NAME	"aimc-swdev.0"
#define PCI_DRIVER	"/sys/bus/pci/drivers/aimc"
#define PCI_DEVICES	"/sys/bus/pci/devices"

/* ---- phases, sysfs, debugfs ---- */

static inline bool noise_free_phase(void)
{
	const char *p = getenv("AIMC_VM_PHASE");

	return p && !strcmp(p, "noise_free");
}

/* Tests of one phase: registered in it, reported skipped in the other. */
#define vm_add_noise_free_test(tc, test)				\
	aimc_add_test_if(tc, test, noise_free_phase(),			\
			 "bit-exact: needs the noise-free card (AIMC_VM_PHASE=noise_free)")
#define vm_add_noisy_test(tc, test)					\
	aimc_add_test_if(tc, test, !noise_free_phase(),			\
			 "needs the card's physics: not in the noise-free phase")

static inline bool vm_path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* A number from a sysfs/debugfs file; ck_assert on failure. */
static inline long long vm_read_ll(const char *path)
{
	long long value = 0;
	FILE *f = fopen(path, "r");

	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	ck_assert_msg(fscanf(f, "%lld", &value) == 1, "no number in %s", path);
	fclose(f);
	return value;
}

/* Write a string; returns 0 or -errno (no assert: usable in teardown). */
static inline int vm_write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value))
		ret = n < 0 ? -errno : -EIO;
	close(fd);
	return ret;
}

static inline void vm_write(const char *path, const char *value)
{
	int ret = vm_write_str(path, value);

	ck_assert_msg(ret == 0, "write '%s' to %s: %s", value, path,
		      strerror(-ret));
}

/* ---- the card under test ---- */

enum vm_card_kind {
	VM_CARD_EMU,		/* aimc_emu.ko's software card */
	VM_CARD_PCI,		/* an aimc-pci card in QEMU */
};

struct vm_card {
	enum vm_card_kind kind;
	char name[64];		/* bus device: aimc-swdev.0, 0000:01:00.0 */
	char sysfs[160];	/* /sys/bus/<bus>/devices/<name> */
	unsigned int emu_id;	/* aimc_emu's card number */
};

/*
 * The card behind the first aimc node (the one aimc_device_open(DRM, 0)
 * opens: nodes sorted by path, as the runtime sorts them); false if
 * there is none.
 */
static inline bool vm_card_find(struct vm_card *c)
{
	static const char *const classes[] = { "/sys/class/accel", "/sys/class/drm" };
	char best[64] = "", best_sys[128] = "";
	unsigned int i;

	for (i = 0; i < 2; i++) {
		DIR *d = opendir(classes[i]);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char link[300], target[256], node[64];
			const char *drv;
			ssize_t n;

			if (strncmp(e->d_name, i ? "renderD" : "accel", i ? 7 : 5))
				continue;
			snprintf(link, sizeof(link), "%s/%s/device/driver", classes[i],
				 e->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = 0;
			drv = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
			if (strcmp(drv, "aimc") && strcmp(drv, "aimc-swdev"))
				continue;
			snprintf(node, sizeof(node), "%s/%.40s",
				 i ? "/dev/dri" : "/dev/accel", e->d_name);
			if (!best[0] || strcmp(node, best) < 0) {
				snprintf(best, sizeof(best), "%s", node);
				snprintf(best_sys, sizeof(best_sys), "%s/%.40s",
					 classes[i], e->d_name);
			}
		}
		if (d)
			closedir(d);
	}
	if (!best[0])
		return false;
	{
		char link[200], target[256];
		const char *name;
		ssize_t n;

		snprintf(link, sizeof(link), "%s/device", best_sys);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			return false;
		target[n] = 0;
		name = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		snprintf(c->name, sizeof(c->name), "%.63s", name);
	}
	if (!strncmp(c->name, "aimc-swdev.", 11)) {
		c->kind = VM_CARD_EMU;
		c->emu_id = (unsigned int)strtoul(c->name + 11, NULL, 10);
		snprintf(c->sysfs, sizeof(c->sysfs), "/sys/bus/platform/devices/%s",
			 c->name);
	} else {
		c->kind = VM_CARD_PCI;
		c->emu_id = 0;
		snprintf(c->sysfs, sizeof(c->sysfs), PCI_DEVICES "/%s", c->name);
	}
	return true;
}

/* The card under test; ck_assert that there is one. */
static inline struct vm_card vm_card(void)
{
	struct vm_card c;

	ck_assert_msg(vm_card_find(&c), "no aimc card");
	return c;
}

static inline bool vm_card_is_pci(void)
{
	return vm_card().kind == VM_CARD_PCI;
}

/* The kind of the first card, for registering tests; -1 if there is none. */
static inline int vm_card_kind_now(void)
{
	struct vm_card c;

	return vm_card_find(&c) ? (int)c.kind : -1;
}

/* Tests for one kind of card: registered for it, reported skipped otherwise. */
#define vm_add_emu_test(tc, test, why)					\
	aimc_add_test_if(tc, test, vm_card_kind_now() == VM_CARD_EMU, why)
#define vm_add_pci_test(tc, test, why)					\
	aimc_add_test_if(tc, test, vm_card_kind_now() == VM_CARD_PCI, why)

/*
 * Ask the host (tests/vm/host-agent.py, through host-request.sh): 0 and
 * the answer's detail in @detail (if given), or -1 (no asserts).
 */
static inline int vm_host_request(const char *request, char *detail, size_t len)
{
	char cmd[512], line[256];
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "sh /usr/share/aimc/host-request.sh %s", request);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (detail && len)
		detail[0] = 0;
	/* Read to the end: pclose() closes the pipe before it waits. */
	while (fgets(line, sizeof(line), p)) {
		if (detail && len && !detail[0]) {
			size_t n = strcspn(line, "\n");

			n = n < len ? n : len - 1;
			memcpy(detail, line, n);
			detail[n] = 0;
		}
	}
	status = pclose(p);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static inline bool vm_host_agent(void)
{
	const char *a = getenv("AIMC_HOST_AGENT");

	return a && !strcmp(a, "1");
}

/* ---- an aimc-pci card's test BAR (emulator/qemu/aimc_pci_dbg.h) ---- */

struct vm_dbg_bar {
	int fd;
	volatile uint32_t *regs;
};

/* Map @pci_name's test BAR; 0 or -errno (no assert: usable in tools). */
static inline int vm_dbg_open(const char *pci_name, struct vm_dbg_bar *b)
{
	char path[200];
	void *p;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource%d", pci_name,
		 AIMC_DBG_BAR);
	b->fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (b->fd < 0)
		return -errno;
	p = mmap(NULL, AIMC_DBG_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 b->fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		close(b->fd);
		return err;
	}
	b->regs = p;
	if (b->regs[AIMC_DBG_ID / 4] != AIMC_DBG_ID_MAGIC) {
		munmap(p, AIMC_DBG_BAR_SIZE);
		close(b->fd);
		return -ENODEV;
	}
	return 0;
}

static inline void vm_dbg_close(struct vm_dbg_bar *b)
{
	munmap((void *)b->regs, AIMC_DBG_BAR_SIZE);
	close(b->fd);
}

static inline uint32_t vm_dbg_read(const char *pci_name, uint32_t reg)
{
	struct vm_dbg_bar b = { -1, NULL };
	uint32_t v;
	int ret = vm_dbg_open(pci_name, &b);

	ck_assert_msg(ret == 0, "test BAR of %s: %s", pci_name, strerror(-ret));
	v = b.regs[reg / 4];
	vm_dbg_close(&b);
	return v;
}

/* The aimc_emu knob names that an aimc-pci card's test BAR has too. */
static inline int vm_pci_knob_reg(const char *name, uint32_t *reg)
{
	static const struct {
		const char *name;
		uint32_t reg;
	} knobs[] = {
		{ "hang_next_job", AIMC_DBG_HANG_NEXT_JOB },
		{ "hang_every_n", AIMC_DBG_HANG_EVERY_N },
		{ "fail_next_dma", AIMC_DBG_FAIL_NEXT_DMA },
		{ "fail_next_dma_read", AIMC_DBG_FAIL_NEXT_DMA_READ },
		{ "fail_next_dma_write", AIMC_DBG_FAIL_NEXT_DMA_WRITE },
		{ "drop_next_irq", AIMC_DBG_DROP_NEXT_IRQ },
		{ "error_next_desc", AIMC_DBG_ERROR_NEXT_DESC },
		{ "delay_us", AIMC_DBG_DELAY_US },
		{ "irq_storm", AIMC_DBG_IRQ_STORM },
		{ "irq_storm_status", AIMC_DBG_IRQ_STORM_STATUS },
		{ "surprise_remove", AIMC_DBG_SURPRISE_REMOVE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (!strcmp(knobs[i].name, name)) {
			*reg = knobs[i].reg;
			return 0;
		}
	}
	return -ENOTSUP;
}

/* stick_cell "TILE ROW COL gmin|gmax" on an aimc-pci card: 0 or -errno. */
static inline int vm_pci_stick(struct vm_dbg_bar *b, const char *value)
{
	unsigned int tile, row, col, i;
	char level[8];

	if (sscanf(value, "%u %u %u %7s", &tile, &row, &col, level) != 4 ||
	    (strcmp(level, "gmin") && strcmp(level, "gmax")))
		return -EINVAL;
	b->regs[AIMC_DBG_STICK_TILE / 4] = tile;
	b->regs[AIMC_DBG_STICK_ROW / 4] = row;
	b->regs[AIMC_DBG_STICK_COL / 4] = col;
	b->regs[AIMC_DBG_STICK_CMD / 4] = strcmp(level, "gmax") ?
					  AIMC_DBG_STICK_GMIN : AIMC_DBG_STICK_GMAX;
	for (i = 0; i < 5000; i++) {
		uint32_t st = b->regs[AIMC_DBG_STICK_STATUS / 4];

		if (st != AIMC_DBG_STICK_PENDING)
			return st ? -EINVAL : 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * Set fault knob @name of @c to @value (aimc_emu's debugfs names and
 * values, emulator/README.md): 0, -ENOTSUP if this kind of card has no
 * such knob, or -errno (no assert: usable in tools and teardowns).
 */
static inline int vm_card_knob(const struct vm_card *c, const char *name,
			       const char *value)
{
	struct vm_dbg_bar b = { -1, NULL };
	uint32_t reg = 0;
	int ret;

	if (c->kind == VM_CARD_EMU) {
		char path[200];

		snprintf(path, sizeof(path), "/sys/kernel/debug/aimc_emu/%u/%s",
			 c->emu_id, name);
		if (!vm_path_exists(path))
			return -ENOTSUP;
		return vm_write_str(path, value);
	}
	if (strcmp(name, "stick_cell") && vm_pci_knob_reg(name, &reg))
		return -ENOTSUP;
	ret = vm_dbg_open(c->name, &b);
	if (ret)
		return ret;
	if (!strcmp(name, "stick_cell"))
		ret = vm_pci_stick(&b, value);
	else
		b.regs[reg / 4] = (uint32_t)strtoul(value, NULL, 0);
	vm_dbg_close(&b);
	return ret;
}

/* vm_card_knob() on the card under test; ck_assert that it worked. */
static inline void vm_knob(const char *name, const char *value)
{
	struct vm_card c = vm_card();
	int ret = vm_card_knob(&c, name, value);

	ck_assert_msg(ret == 0, "knob %s=%s on %s: %s", name, value, c.name,
		      strerror(-ret));
}

/* A knob's value (read-only ones too, e.g. irq_storm); -1 if none. */
static inline long long vm_card_knob_get(const struct vm_card *c,
					 const char *name)
{
	struct vm_dbg_bar b = { -1, NULL };
	long long v = -1;
	uint32_t reg = 0;

	if (c->kind == VM_CARD_EMU) {
		char path[200];
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/debug/aimc_emu/%u/%s",
			 c->emu_id, name);
		f = fopen(path, "r");
		if (!f)
			return -1;
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
		return v;
	}
	if (vm_pci_knob_reg(name, &reg) || vm_dbg_open(c->name, &b))
		return -1;
	v = b.regs[reg / 4];
	vm_dbg_close(&b);
	return v;
}

/*
 * @c's device model configuration, for a userspace reference: 0 or -errno
 * (no asserts: tools run outside Check, where even a passing ck_assert
 * aborts the process).
 */
static inline int vm_card_config_of(const struct vm_card *c,
				    struct aimc_model_config *cfg)
{
	static const char *const params[] = {
		"tiles", "tile_rows", "tile_cols", "stream_slots", "seed", "noise_free",
	};
	long long v[6];
	unsigned int i;

	aimc_model_config_defaults(cfg);
	if (c->kind == VM_CARD_PCI) {
		struct vm_dbg_bar b = { -1, NULL };
		int ret = vm_dbg_open(c->name, &b);

		if (ret)
			return ret;
		cfg->tiles = b.regs[AIMC_DBG_CFG_TILES / 4];
		cfg->rows = b.regs[AIMC_DBG_CFG_ROWS / 4];
		cfg->cols = b.regs[AIMC_DBG_CFG_COLS / 4];
		cfg->slots = b.regs[AIMC_DBG_CFG_SLOTS / 4];
		cfg->seed = (uint64_t)b.regs[AIMC_DBG_CFG_SEED_HI / 4] << 32 |
			    b.regs[AIMC_DBG_CFG_SEED_LO / 4];
		cfg->noise_free = b.regs[AIMC_DBG_CFG_NOISE_FREE / 4] != 0;
		vm_dbg_close(&b);
		return 0;
	}
	/* aimc_emu: its parameters (0: the model's default); card N: seed + N */
	for (i = 0; i < 6; i++) {
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), EMU_PARAMS "/%s", params[i]);
		f = fopen(path, "r");
		if (!f)
			return -errno;
		if (fscanf(f, "%lld", &v[i]) != 1)
			v[i] = -1;
		fclose(f);
		if (v[i] < 0)
			return -EINVAL;
	}
	if (v[0])
		cfg->tiles = (u32)v[0];
	if (v[1])
		cfg->rows = (u32)v[1];
	if (v[2])
		cfg->cols = (u32)v[2];
	if (v[3])
		cfg->slots = (u32)v[3];
	cfg->seed = (u64)v[4] + c->emu_id;
	cfg->noise_free = v[5] != 0;
	return 0;
}

/* The card under test's configuration; ck_assert that it could be read. */
static inline void vm_card_config(struct aimc_model_config *cfg)
{
	struct vm_card c = vm_card();
	int ret = vm_card_config_of(&c, cfg);

	ck_assert_msg(ret == 0, "configuration of %s: %s", c.name, strerror(-ret));
}

/* In the noise-free phase the card must really be noise-free. */
static inline void vm_check_phase(void)
{
	struct aimc_model_config cfg;

	if (!noise_free_phase())
		return;
	vm_card_config(&cfg);
	ck_assert_msg(cfg.noise_free,
		      "AIMC_VM_PHASE=noise_free but the card is not noise-free");
}

/*
 * The driver's counters of the card under test: the "counters" file in
 * the debugfs directory of its DRM device (accel/<bus device>/, or the
 * dri/<minor>/ whose "name" names the bus device).
 */
static inline void vm_counters_path(char *buf, size_t len)
{
	static const char *const roots[] = DRM_DEBUGFS_ROOTS;
	struct vm_card c = vm_card();
	char path[300], name[256], want[80];
	unsigned int r;

	snprintf(want, sizeof(want), "dev=%s", c.name);

	buf[0] = 0;
	for (r = 0; r < sizeof(roots) / sizeof(roots[0]); r++) {
		DIR *d = opendir(roots[r]);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			bool match = false;
			const char *p;
			FILE *f;

			snprintf(path, sizeof(path), "%s/%.100s/counters", roots[r], e->d_name);
			if (e->d_name[0] == '.' || !vm_path_exists(path))
				continue;
			snprintf(path, sizeof(path), "%s/%.100s/name", roots[r], e->d_name);
			f = fopen(path, "r");
			name[0] = 0;
			if (f && !fgets(name, sizeof(name), f))
				name[0] = 0;
			if (f)
				fclose(f);
			p = strstr(name, want);
			if (p) {
				p += strlen(want);
				match = *p == ' ' || *p == '\n' || !*p;
			}
			if (match || !strcmp(e->d_name, c.name)) {
				snprintf(buf, len, "%s/%.100s/counters", roots[r], e->d_name);
				closedir(d);
				return;
			}
		}
		if (d)
			closedir(d);
	}
	ck_assert_msg(buf[0], "no aimc counters of %s under /sys/kernel/debug/{accel,dri}",
		      c.name);
}

static inline void vm_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Value of one `name value` line of the driver's counters, or -1. */
static inline long long vm_counter(const char *name)
{
	char path[256], key[64];
	long long value, found = -1;
	FILE *f;

	vm_counters_path(path, sizeof(path));
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %lld", key, &value) == 2)
		if (!strcmp(key, name))
			found = value;
	fclose(f);
	ck_assert_msg(found >= 0, "no counter %s in %s", name, path);
	return found;
}

/* Whether the counter reaches zero within @ms (driver work is asynchronous). */
static inline bool vm_wait_counter_zero(const char *name, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; vm_counter(name); waited += 10) {
		if (waited >= ms)
			return false;
		vm_sleep_ms(10);
	}
	return true;
}


static inline int64_t vm_now_ms(void)
{
	return aimc_deadline_ns(0) / 1000000;
}

/*
 * Whether the first AIMC device opens within @ms: a new node shows in
 * sysfs (and devtmpfs) a moment before DRM lets it be opened (ENODEV until
 * its minor is registered).  No asserts: teardowns use it too.
 */
static inline bool vm_first_card_opens(unsigned int ms)
{
	struct aimc_device *dev;
	unsigned int waited;
	int ret;

	for (waited = 0;; waited += 10) {
		ret = aimc_device_open(AIMC_BACKEND_DRM, 0, &dev);
		if (ret == 0) {
			aimc_device_close(dev);
			return true;
		}
		if ((ret != -ENODEV && ret != -ENXIO && ret != -ENOENT) ||
		    waited >= ms)
			return false;
		vm_sleep_ms(10);
	}
}

/* Wait (up to 5 s) until libdrm sees `want` AIMC devices, the first open. */
static inline void vm_wait_count(int want)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (aimc_device_count(AIMC_BACKEND_DRM) == want)
			break;
		vm_sleep_ms(10);
	}
	ck_assert_msg(i < 500, "AIMC device count did not reach %d", want);
	if (want > 0)
		ck_assert_msg(vm_first_card_opens(5000),
			      "the first AIMC device did not open: %s",
			      aimc_last_error());
}

static inline long long vm_job_timeout_ms(void)
{
	return vm_read_ll(DRV_PARAMS "/job_timeout_ms");
}

/*
 * Unchecked fixture (runs in the runner process, so the restore happens
 * even when a test fails): aimc.job_timeout_ms = VM_SHORT_TIMEOUT_MS for
 * a TCase, the old value after it.  No Check asserts in here.
 */
#define VM_SHORT_TIMEOUT_MS	300

static inline long long *vm_saved_timeout(void)
{
	static long long saved = -1;

	return &saved;
}

static inline void vm_short_timeout_setup(void)
{
	FILE *f = fopen(DRV_PARAMS "/job_timeout_ms", "r");
	char buf[32];

	*vm_saved_timeout() = -1;
	if (f) {
		if (fscanf(f, "%lld", vm_saved_timeout()) != 1)
			*vm_saved_timeout() = -1;
		fclose(f);
	}
	snprintf(buf, sizeof(buf), "%d", VM_SHORT_TIMEOUT_MS);
	vm_write_str(DRV_PARAMS "/job_timeout_ms", buf);
}

static inline void vm_short_timeout_teardown(void)
{
	char buf[32];

	if (*vm_saved_timeout() < 0)
		return;
	snprintf(buf, sizeof(buf), "%lld", *vm_saved_timeout());
	vm_write_str(DRV_PARAMS "/job_timeout_ms", buf);
}

/* ---- devices ---- */

struct vm_dev {
	struct aimc_device *dev;
	int fd;
	struct aimc_device_info info;
};

static inline void vm_open(struct vm_dev *v)
{
	int ret = aimc_device_open(AIMC_BACKEND_DRM, 0, &v->dev);

	ck_assert_msg(ret == 0, "aimc_device_open: %s", aimc_last_error());
	ck_assert_int_eq(aimc_device_info(v->dev, &v->info, sizeof(v->info)), 0);
	v->fd = aimc_job_fd(v->dev);
	ck_assert_int_ge(v->fd, 0);
}

/* A new buffer object of @size bytes on @v, mapped into this process. */
static inline void vm_bo_new_mapped(struct vm_dev *v, uint64_t size,
				    uint32_t *bo, uint8_t **map,
				    uint64_t *map_size)
{
	ck_assert_int_eq(aimc_bo_create(v->dev, size, bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(v->dev, *bo, (void **)map, map_size), 0);
	ck_assert_uint_eq(*map_size, size);
}

/* Another open file of the same node (a second DRM client). */
static inline void vm_open_node(struct vm_dev *v, const char *node)
{
	int ret = aimc_device_open_node(node, &v->dev);

	ck_assert_msg(ret == 0, "aimc_device_open_node: %s", aimc_last_error());
	ck_assert_int_eq(aimc_device_info(v->dev, &v->info, sizeof(v->info)), 0);
	v->fd = aimc_job_fd(v->dev);
	ck_assert_int_ge(v->fd, 0);
}

static inline void vm_close(struct vm_dev *v)
{
	aimc_device_close(v->dev);
	v->dev = NULL;
	v->fd = -1;
}

/* ---- raw ioctls: 0 or -errno, no asserts (usable in children) ---- */

static inline int r_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static inline int r_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_aimc_get_param a = { .param = param };
	int ret = r_ioctl(fd, DRM_IOCTL_AIMC_GET_PARAM, &a);

	if (!ret && value)
		*value = a.value;
	return ret;
}

static inline int r_bo_create(int fd, uint64_t size, uint32_t flags,
			      uint32_t *handle)
{
	struct drm_aimc_bo_create a = { .size = size, .flags = flags };
	int ret = r_ioctl(fd, DRM_IOCTL_AIMC_BO_CREATE, &a);

	if (!ret && handle)
		*handle = a.handle;
	return ret;
}

static inline int r_reserve(int fd, uint32_t type, uint32_t index,
			    uint32_t flags, uint32_t reserved, uint32_t *got)
{
	struct drm_aimc_reserve a = {
		.type = type, .index = index, .flags = flags,
		.reserved = reserved,
	};
	int ret = r_ioctl(fd, DRM_IOCTL_AIMC_RESERVE, &a);

	if (!ret && got)
		*got = a.index;
	return ret;
}

static inline int r_release(int fd, uint32_t type, uint32_t index,
			    uint32_t flags, uint32_t reserved)
{
	struct drm_aimc_reserve a = {
		.type = type, .index = index, .flags = flags,
		.reserved = reserved,
	};

	return r_ioctl(fd, DRM_IOCTL_AIMC_RELEASE, &a);
}

/*
 * A SUBMIT: in-syncobjs @in (@n_in of them, at points @in_points or 0),
 * an out-syncobj @out (at @out_point or 0) unless 0.  @in_syncs, if set,
 * is passed as the in-sync array as it is (bad pointers).
 */
struct r_submit_args {
	const void *cmds;
	uint32_t count;
	uint32_t cmd_size;	/* 0: sizeof(struct drm_aimc_cmd) */
	const uint32_t *in;
	const uint64_t *in_points;
	uint32_t n_in;
	uint32_t out;
	uint64_t out_point;
	uint32_t flags;
	uint32_t reserved;
	const void *in_syncs;
	uint32_t sync_flags;	/* into every sync's flags (must be zero) */
};

#define R_MAX_SYNCS	64

static inline int r_submit_ex(int fd, const struct r_submit_args *s,
			      uint64_t *job_id)
{
	struct drm_aimc_sync in[R_MAX_SYNCS], out = {
		.handle = s->out, .point = s->out_point, .flags = s->sync_flags,
	};
	struct drm_aimc_submit a = {
		.cmds = (uintptr_t)s->cmds,
		.cmd_count = s->count,
		.cmd_size = s->cmd_size ? s->cmd_size :
			    (uint32_t)sizeof(struct drm_aimc_cmd),
		.in_syncs = (uintptr_t)(s->in_syncs ? s->in_syncs : in),
		.in_sync_count = s->n_in,
		.out_syncs = (uintptr_t)&out,
		.out_sync_count = s->out ? 1 : 0,
		.flags = s->flags,
		.reserved = s->reserved,
	};
	uint32_t i;
	int ret;

	for (i = 0; i < s->n_in && i < R_MAX_SYNCS && !s->in_syncs; i++)
		in[i] = (struct drm_aimc_sync){
			.handle = s->in ? s->in[i] : 0,
			.point = s->in_points ? s->in_points[i] : 0,
			.flags = s->sync_flags,
		};
	ret = r_ioctl(fd, DRM_IOCTL_AIMC_SUBMIT, &a);

	if (!ret && job_id)
		*job_id = a.job_id;
	return ret;
}

static inline int r_submit(int fd, const struct drm_aimc_cmd *cmds,
			   uint32_t count, uint64_t *job_id)
{
	struct r_submit_args s = { .cmds = cmds, .count = count };

	return r_submit_ex(fd, &s, job_id);
}

static inline int r_wait(int fd, uint64_t job_id, int64_t timeout_ns,
			 uint32_t flags, struct drm_aimc_wait *out)
{
	struct drm_aimc_wait a = {
		.job_id = job_id, .timeout_ns = timeout_ns, .flags = flags,
	};
	int ret = r_ioctl(fd, DRM_IOCTL_AIMC_WAIT, &a);

	if (out)
		*out = a;
	return ret;
}

/* Wait up to @ms for a job; returns its status or -errno. */
static inline int r_wait_status(int fd, uint64_t job_id, unsigned int ms)
{
	struct drm_aimc_wait w;
	int ret = r_wait(fd, job_id, aimc_deadline_ns(ms), 0, &w);

	return ret ? ret : (int)w.status;
}

/* Submit and wait (10 s): the job's status, or -errno of either call. */
static inline int r_run(int fd, const struct drm_aimc_cmd *cmds,
			uint32_t count)
{
	uint64_t job;
	int ret = r_submit(fd, cmds, count, &job);

	return ret ? ret : r_wait_status(fd, job, 10000);
}

/* ---- commands ---- */

static inline struct drm_aimc_operand opnd(uint32_t handle, uint64_t offset,
					   uint32_t length)
{
	struct drm_aimc_operand o = {
		.handle = handle, .length = length, .offset = offset,
	};

	return o;
}

static inline struct drm_aimc_cmd cmd_nop(void)
{
	struct drm_aimc_cmd c;

	memset(&c, 0, sizeof(c));
	c.opcode = AIMC_OP_NOP;
	return c;
}

/* PROGRAM (target mode) a window from u16 targets at bo[offset] */
static inline struct drm_aimc_cmd cmd_program(uint32_t tile, uint32_t row0,
					      uint32_t col0, uint32_t rows,
					      uint32_t cols, uint32_t bo,
					      uint64_t offset)
{
	struct drm_aimc_cmd c = cmd_nop();

	c.opcode = AIMC_OP_PROGRAM;
	c.tile = (uint16_t)tile;
	c.mode = AIMC_PROG_TARGET;
	c.row0 = (uint16_t)row0;
	c.col0 = (uint16_t)col0;
	c.rows = (uint16_t)rows;
	c.cols = (uint16_t)cols;
	c.src = opnd(bo, offset, rows * cols * 2);
	return c;
}

/* READ a window's conductances (u16 nS) into bo[offset] */
static inline struct drm_aimc_cmd cmd_read(uint32_t tile, uint32_t row0,
					   uint32_t col0, uint32_t rows,
					   uint32_t cols, uint32_t bo,
					   uint64_t offset)
{
	struct drm_aimc_cmd c = cmd_nop();

	c.opcode = AIMC_OP_READ;
	c.tile = (uint16_t)tile;
	c.row0 = (uint16_t)row0;
	c.col0 = (uint16_t)col0;
	c.rows = (uint16_t)rows;
	c.cols = (uint16_t)cols;
	c.dst = opnd(bo, offset, rows * cols * 2);
	return c;
}

/* EXEC: program at bo[prog_off] (prog_len), input and output in bo */
static inline struct drm_aimc_cmd cmd_exec(uint32_t slot, uint32_t flags,
					   uint32_t steps, uint32_t in_stride,
					   uint32_t out_stride, uint32_t bo,
					   uint64_t in_off, uint64_t out_off,
					   uint64_t prog_off, uint32_t prog_len)
{
	struct drm_aimc_cmd c = cmd_nop();

	c.opcode = AIMC_OP_EXEC;
	c.flags = (uint8_t)flags;
	c.slot = (uint16_t)slot;
	c.steps = steps;
	c.in_stride = (uint16_t)in_stride;
	c.out_stride = (uint16_t)out_stride;
	c.src = opnd(bo, in_off, steps * in_stride);
	c.dst = opnd(bo, out_off, steps * out_stride);
	c.prog = opnd(bo, prog_off, prog_len);
	return c;
}

static inline struct drm_aimc_cmd cmd_state_save(uint32_t slot, uint32_t bo,
						 uint64_t offset)
{
	struct drm_aimc_cmd c = cmd_nop();

	c.opcode = AIMC_OP_STATE_SAVE;
	c.slot = (uint16_t)slot;
	c.dst = opnd(bo, offset, (uint32_t)AIMC_STATE_IMAGE_BYTES);
	return c;
}

/* CALIBRATE a column window from aimc_calib_rec records at bo[offset] */
static inline struct drm_aimc_cmd cmd_calibrate(uint32_t tile, uint32_t col0,
						uint32_t cols, uint32_t bo,
						uint64_t offset)
{
	struct drm_aimc_cmd c = cmd_nop();

	c.opcode = AIMC_OP_CALIBRATE;
	c.tile = (uint16_t)tile;
	c.col0 = (uint16_t)col0;
	c.cols = (uint16_t)cols;
	c.src = opnd(bo, offset, cols / 2 * 4);
	return c;
}

/* ---- little-endian helpers ---- */

static inline void vm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint16_t vm_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void vm_put32(uint8_t *p, uint32_t v)
{
	vm_put16(p, (uint16_t)v);
	vm_put16(p + 2, (uint16_t)(v >> 16));
}

/* Deterministic test data: xorshift32 */
static inline uint32_t vm_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* ---- micro-op programs ---- */

struct vm_prog {
	uint8_t uops[64 * 16];
	uint8_t consts[4096];
	uint32_t n_uops;
	uint32_t const_bytes;
};

static inline void vm_uop(struct vm_prog *p, uint8_t op, uint8_t dst,
			  uint8_t a, uint8_t b, uint16_t len, uint16_t aux,
			  uint32_t imm0, uint32_t imm1)
{
	uint8_t *u = p->uops + 16 * p->n_uops++;

	ck_assert_uint_le(p->n_uops, 64);
	u[0] = op;
	u[1] = dst;
	u[2] = a;
	u[3] = b;
	vm_put16(u + 4, len);
	vm_put16(u + 6, aux);
	vm_put32(u + 8, imm0);
	vm_put32(u + 12, imm1);
}

/* Append s32 constants; returns their byte offset in the pool. */
static inline uint32_t vm_const32(struct vm_prog *p, const int32_t *v,
				  uint32_t n)
{
	uint32_t off = p->const_bytes, i;

	ck_assert_uint_le(off + 4 * n, sizeof(p->consts));
	for (i = 0; i < n; i++)
		vm_put32(p->consts + off + 4 * i, (uint32_t)v[i]);
	p->const_bytes += 4 * n;
	return off;
}

static inline uint32_t vm_prog_len(const struct vm_prog *p)
{
	return 16 + 16 * p->n_uops + p->const_bytes;
}

/* Write the program image to @dst; returns its length. */
static inline uint32_t vm_prog_emit(const struct vm_prog *p, uint8_t *dst)
{
	vm_put32(dst, AIMC_PROG_MAGIC);
	vm_put16(dst + 4, AIMC_PROG_VERSION);
	vm_put16(dst + 6, (uint16_t)p->n_uops);
	vm_put32(dst + 8, p->const_bytes);
	vm_put32(dst + 12, 0);
	memcpy(dst + 16, p->uops, 16 * p->n_uops);
	memcpy(dst + 16 + 16 * p->n_uops, p->consts, p->const_bytes);
	return vm_prog_len(p);
}

/* ---- userspace reference: an aimc_model with a fake host memory ---- */

#define REF_BASE	0x10000000ULL
#define REF_SLOT	0x01000000ULL	/* address space per buffer handle */
#define REF_MAX_BOS	8

struct vm_ref {
	struct aimc_model *m;
	uint8_t *mem[REF_MAX_BOS];
	uint64_t size[REF_MAX_BOS];
	uint32_t handle[REF_MAX_BOS];
	unsigned int n;
};

static inline int vm_ref_find(struct vm_ref *r, uint64_t addr, uint32_t len,
			      uint8_t **p)
{
	uint64_t i, off;

	if (addr < REF_BASE)
		return -1;
	i = (addr - REF_BASE) / REF_SLOT;
	off = (addr - REF_BASE) % REF_SLOT;
	if (i >= r->n || off > r->size[i] || len > r->size[i] - off)
		return -1;
	*p = r->mem[i] + off;
	return 0;
}

static inline int vm_ref_read(void *ctx, u64 addr, void *dst, u32 len)
{
	uint8_t *p;

	if (vm_ref_find(ctx, addr, len, &p))
		return -1;
	memcpy(dst, p, len);
	return 0;
}

static inline int vm_ref_write(void *ctx, u64 addr, const void *src, u32 len)
{
	uint8_t *p;

	if (vm_ref_find(ctx, addr, len, &p))
		return -1;
	memcpy(p, src, len);
	return 0;
}

/* A model configured like the card under test (vm_card_config()). */
static inline void vm_ref_init(struct vm_ref *r)
{
	struct aimc_model_config cfg;
	struct aimc_model_dma dma = { vm_ref_read, vm_ref_write, r };

	memset(r, 0, sizeof(*r));
	vm_card_config(&cfg);
	r->m = aimc_model_create(&cfg, &dma);
	ck_assert_ptr_nonnull(r->m);
}

/* Mirror buffer @handle with a copy of @contents (its current bytes). */
static inline uint8_t *vm_ref_add_bo(struct vm_ref *r, uint32_t handle,
				     const void *contents, uint64_t size)
{
	ck_assert_uint_lt(r->n, REF_MAX_BOS);
	ck_assert_uint_le(size, REF_SLOT);
	r->mem[r->n] = malloc(size);
	ck_assert_ptr_nonnull(r->mem[r->n]);
	memcpy(r->mem[r->n], contents, size);
	r->size[r->n] = size;
	r->handle[r->n] = handle;
	return r->mem[r->n++];
}

static inline uint64_t vm_ref_addr(struct vm_ref *r,
				   const struct drm_aimc_operand *o)
{
	unsigned int i;

	if (!o->handle)
		return 0;
	for (i = 0; i < r->n; i++)
		if (r->handle[i] == o->handle)
			return REF_BASE + i * REF_SLOT + o->offset;
	ck_abort_msg("handle %u not mirrored", o->handle);
	return 0;
}

/* Run one uapi command on the reference model; its AIMC_ST_* status. */
static inline u32 vm_ref_cmd(struct vm_ref *r, const struct drm_aimc_cmd *c)
{
	struct aimc_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = c->opcode;
	d.flags = c->flags;
	d.tile = c->tile;
	d.slot = c->slot;
	d.mode = c->mode;
	d.row0 = c->row0;
	d.col0 = c->col0;
	d.rows = c->rows;
	d.cols = c->cols;
	d.steps = c->steps;
	d.in_stride = c->in_stride;
	d.out_stride = c->out_stride;
	d.src_addr = vm_ref_addr(r, &c->src);
	d.dst_addr = vm_ref_addr(r, &c->dst);
	d.prog_addr = vm_ref_addr(r, &c->prog);
	d.src_len = c->src.length;
	d.dst_len = c->dst.length;
	d.prog_len = c->prog.length;
	return aimc_model_execute(r->m, &d);
}

static inline void vm_ref_free(struct vm_ref *r)
{
	unsigned int i;

	aimc_model_destroy(r->m);
	for (i = 0; i < r->n; i++)
		free(r->mem[i]);
	memset(r, 0, sizeof(*r));
}

/* ---- children ---- */

/*
 * Wait for child @pid at most @ms; returns its wait status, or kills it
 * and returns -1 if it did not finish (a hang).
 */
static inline int vm_waitpid_ms(pid_t pid, unsigned int ms)
{
	int64_t end = vm_now_ms() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		if (vm_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		vm_sleep_ms(10);
	}
}

/* 'S' when @pid sleeps (e.g. blocked in an ioctl), from /proc/pid/stat */
static inline char vm_proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

#endif /* VM_UTIL_H */
