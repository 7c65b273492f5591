/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the PCI-only guest suites (tests/vm/pci/test_*.c, the
 * aimc-pci-tests runner the PCI lane runs): the aimc-pci card under test,
 * its sysfs attributes, its interrupts in /proc/interrupts, the kernel
 * log.  Every test needs an aimc-pci card, and some an IOMMU or the host
 * agent: a test is registered only where it applies (pci_add_test_if())
 * and the runner lists it skipped elsewhere (tests/check_skip.h).
 */
#ifndef PCI_UTIL_H
#define PCI_UTIL_H

#include "../vm_util.h"

/* The card under test, an aimc-pci card (the test was registered for one). */
static inline struct vm_card pci_card(void)
{
	struct vm_card c = vm_card();

	ck_assert_msg(c.kind == VM_CARD_PCI, "%s is not an aimc-pci card", c.name);
	return c;
}

/* Register @test if the card is an aimc-pci card and @cond holds. */
#define pci_add_test_if(tc, test, cond, why)				\
	do {								\
		bool pci = vm_card_kind_now() == VM_CARD_PCI;		\
									\
		aimc_add_test_if(tc, test, pci && (cond),		\
				 pci ? (why) : "the card under test is not an aimc-pci card"); \
	} while (0)
#define pci_add_test(tc, test)	pci_add_test_if(tc, test, true, "")

/* The lane booted with an emulated IOMMU (tests/vm/run-pci.sh). */
static inline bool pci_iommu_on(void)
{
	const char *v = getenv("AIMC_PCI_IOMMU");

	return v && !strcmp(v, "on");
}

static inline void pci_attr_path(const struct vm_card *c, const char *rel,
				 char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->sysfs, rel);
}

static inline long long pci_attr_ll(const struct vm_card *c, const char *rel)
{
	char path[256];

	pci_attr_path(c, rel, path, sizeof(path));
	return vm_read_ll(path);
}

/* A sysfs attribute's first line; "" if there is none. */
static inline void pci_attr_str(const struct vm_card *c, const char *rel,
				char *buf, size_t len)
{
	char path[256];
	FILE *f;

	pci_attr_path(c, rel, path, sizeof(path));
	buf[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static inline void pci_attr_write(const struct vm_card *c, const char *rel,
				  const char *value)
{
	char path[256];

	pci_attr_path(c, rel, path, sizeof(path));
	vm_write(path, value);
}

/* The driver's telemetry counter @name of the card (sysfs). */
static inline long long pci_telemetry(const struct vm_card *c, const char *name)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "telemetry/%s", name);
	return pci_attr_ll(c, rel);
}

/*
 * Whether Linux IRQ @irq is one of the card's MSI/MSI-X interrupts: the
 * PCI core lists them, by IRQ number, in the device's msi_irqs directory.
 */
static inline bool pci_irq_is_cards(const struct vm_card *c, long irq)
{
	char path[256], rel[64];

	snprintf(rel, sizeof(rel), "msi_irqs/%ld", irq);
	pci_attr_path(c, rel, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/*
 * /proc/interrupts for the card's MSI-X vector @v: the line's total over
 * all CPUs into *count, and the line itself into @line; false if the
 * vector has no line.  The line is the card's if its IRQ number is in
 * the device's msi_irqs; its vector is the hardware IRQ number's low 11
 * bits (the "N-edge" field), which is the MSI index itself on kernels
 * with per-device MSI domains (6.2 on, "PCI-MSIX-<bdf>") and the MSI
 * index under the PCI requester ID before that (6.1, "PCI-MSI").
 */
static inline bool pci_irq_line(const struct vm_card *c, int v, long long *count,
				char *line, size_t len)
{
	char buf[512];
	bool found = false;
	FILE *f = fopen("/proc/interrupts", "r");

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(buf, sizeof(buf), f)) {
		char *end, *edge = strstr(buf, "-edge ");
		long irq = strtol(buf, &end, 10);
		char *p = end;
		long hwirq;

		if (end == buf || *end != ':' || !edge ||
		    !pci_irq_is_cards(c, irq))
			continue;
		while (edge > buf && edge[-1] >= '0' && edge[-1] <= '9')
			edge--;
		hwirq = strtol(edge, NULL, 10);
		if ((hwirq & 0x7ff) != v)
			continue;
		*count = 0;
		for (p++;;) {
			long long n = strtoll(p, &end, 10);

			if (end == p)
				break;
			*count += n;
			p = end;
		}
		if (line)
			snprintf(line, len, "%s", buf);
		found = true;
	}
	fclose(f);
	return found;
}

static inline long long pci_irq_count(const struct vm_card *c, int v)
{
	long long n = -1;

	ck_assert_msg(pci_irq_line(c, v, &n, NULL, 0),
		      "no /proc/interrupts line for MSI-X vector %d of %s", v,
		      c->name);
	return n;
}

/* The kernel log holds a line containing @needle. */
static inline bool pci_dmesg_has(const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *p = popen("dmesg", "r");

	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p))
		if (strstr(line, needle))
			found = true;
	pclose(p);
	return found;
}

/* The aimc-pci functions on the bus, bound or not, space-separated. */
static inline void pci_cards_on_bus(char *buf, size_t len)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	buf[0] = 0;
	while ((e = readdir(d))) {
		char path[300], v[16] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(v, sizeof(v), f))
			v[0] = 0;
		fclose(f);
		if (strncmp(v, "0x1f1f", 6))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s ", e->d_name);
		if (n >= len)
			break;
	}
	closedir(d);
}

/*
 * A stream slot with a known state: STATE_LOAD of an image whose words
 * are @seed-derived, from @bo at @offset (the image is written there).
 */
static inline void pci_state_image(uint8_t *p, uint32_t seed)
{
	uint32_t i;

	vm_put32(p, AIMC_STATE_MAGIC);
	vm_put32(p + 4, AIMC_STATE_VERSION);
	vm_put32(p + 8, AIMC_SLOT_STATE_WORDS);
	vm_put32(p + 12, 5);
	for (i = 0; i < AIMC_SLOT_STATE_WORDS; i++)
		vm_put32(p + 16 + 4 * i, seed * 2654435761u + i * 40503u);
	for (i = 0; i < 2 * AIMC_POOL_LEN; i++)
		vm_put32(p + 16 + 4 * AIMC_SLOT_STATE_WORDS + 4 * i,
			 i & 1 ? 0 : seed + i);
}

static inline struct drm_aimc_cmd cmd_state_load(uint32_t slot, uint32_t bo,
						 uint64_t offset)
{
	struct drm_aimc_cmd c = cmd_nop();

	c.opcode = AIMC_OP_STATE_LOAD;
	c.slot = (uint16_t)slot;
	c.src = opnd(bo, offset, (uint32_t)AIMC_STATE_IMAGE_BYTES);
	return c;
}

/* Wait (up to @ms) for a sysfs attribute of the card to read @want. */
static inline bool pci_wait_attr(const struct vm_card *c, const char *rel,
				 const char *want, unsigned int ms)
{
	char buf[64];
	unsigned int t;

	for (t = 0; t <= ms; t += 10) {
		pci_attr_str(c, rel, buf, sizeof(buf));
		if (!strcmp(buf, want))
			return true;
		vm_sleep_ms(10);
	}
	return false;
}

#endif /* PCI_UTIL_H */
