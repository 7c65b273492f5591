// SPDX-License-Identifier: MIT
/*
 * PCI-only: DMA through the PCI bus.
 *
 * Behind the emulated VT-d (6.12 lane) a DMA address the driver never
 * mapped is blocked: the card's test BAR redirects its next result to a
 * page of the test's own (aimc-job-tool stray-dma), the IOMMU faults the
 * write (the kernel logs the DMAR fault for the card), the card reports a
 * DMA fault with that address, the job fails with AIMC_ST_DMA_FAULT, the
 * page and the job's result buffer are untouched, and the card serves
 * on.  Without an IOMMU (6.1 lane) the same write lands: the control,
 * showing the test sees a stray write when there is one.
 *
 * Either way, operands longer than a page, whose pages need not be
 * contiguous for the card without an IOMMU, round trip exactly (the
 * driver's bounce buffers, driver/aimc_gem.c).
 */
#include "pci_util.h"

#define BO_SIZE		(256 * 1024)
/* Offsets that make the 18 KiB state images straddle five pages. */
#define IMG_IN		(3 * 4096 + 100)
#define IMG_OUT		(40 * 4096 + 4000)

START_TEST(test_unmapped_address_blocked)
{
	struct vm_card c = pci_card();
	char path[256], needle[128];
	int ret;

	pci_attr_path(&c, "iommu_group", path, sizeof(path));
	ck_assert_msg(vm_path_exists(path), "%s is in no IOMMU group", c.name);
	ret = system("aimc-job-tool stray-dma --expect blocked");
	ck_assert_msg(ret == 0, "aimc-job-tool stray-dma --expect blocked: %d", ret);
	/* The IOMMU's own report names the card (bus:dev.fn). */
	snprintf(needle, sizeof(needle), "DMAR: [DMA Write NO_PASID] Request device [%.7s]",
		 c.name + 5);
	ck_assert_msg(pci_dmesg_has(needle), "no '%s' in the kernel log", needle);
}
END_TEST

START_TEST(test_stray_write_lands_without_iommu)
{
	struct vm_card c = pci_card();
	char path[256];
	int ret;

	pci_attr_path(&c, "iommu_group", path, sizeof(path));
	ck_assert_msg(!vm_path_exists(path), "%s is in an IOMMU group", c.name);
	ret = system("aimc-job-tool stray-dma --expect lands");
	ck_assert_msg(ret == 0, "aimc-job-tool stray-dma --expect lands: %d", ret);
}
END_TEST

START_TEST(test_multi_page_operands_round_trip)
{
	struct drm_aimc_cmd cmd;
	struct vm_dev v;
	uint32_t slot, bo;
	uint64_t size;
	uint8_t *map;

	vm_open(&v);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	vm_bo_new_mapped(&v, BO_SIZE, &bo, &map, &size);
	memset(map, 0xa5, BO_SIZE);
	pci_state_image(map + IMG_IN, 7);
	/* The card reads one across pages, then writes one across pages. */
	cmd = cmd_state_load(slot, bo, IMG_IN);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	cmd = cmd_state_save(slot, bo, IMG_OUT);
	ck_assert_int_eq(r_run(v.fd, &cmd, 1), AIMC_JOB_DONE);
	ck_assert_msg(!memcmp(map + IMG_IN, map + IMG_OUT, AIMC_STATE_IMAGE_BYTES),
		      "the state image did not survive the round trip");
	/* Nothing around the result was written. */
	ck_assert_uint_eq(map[IMG_OUT - 1], 0xa5);
	ck_assert_uint_eq(map[IMG_OUT + AIMC_STATE_IMAGE_BYTES], 0xa5);
	aimc_bo_munmap(map, size);
	vm_close(&v);
}
END_TEST

Suite *pci_iommu_suite(void)
{
	Suite *s = suite_create("pci_iommu");
	TCase *tc = tcase_create("iommu");

	tcase_set_timeout(tc, 60);
	pci_add_test_if(tc, test_unmapped_address_blocked, pci_iommu_on(),
			"this lane runs without an IOMMU (test_stray_write_lands_without_iommu is the control)");
	pci_add_test_if(tc, test_stray_write_lands_without_iommu, !pci_iommu_on(),
			"this lane runs with an IOMMU, which blocks the write (test_unmapped_address_blocked)");
	pci_add_test(tc, test_multi_page_operands_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
