// SPDX-License-Identifier: MIT
/*
 * Guest tests: a job's out-fence (a syncobj, binary or a timeline point)
 * signals when it finishes, can be waited on with drmSyncobjWait and
 * polled as a sync_file, and serves as another job's in-fence, also from
 * another open file; a job whose in-fence never signals is cancelled when
 * its file closes.
 */
#include <poll.h>
#include <linux/sync_file.h>

#include "vm_util.h"

#define BO_SIZE		(16 * 1024)
#define TGT_OFF		0
#define RD_OFF		4096

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
}

static void teardown(void)
{
	aimc_bo_munmap(map, map_size);
	vm_close(&V);
}

static void fill_targets(uint16_t base)
{
	uint32_t i;

	for (i = 0; i < 64; i++)
		vm_put16(map + TGT_OFF + 2 * i, (uint16_t)(base + 100 * i));
}

/* READ results equal (noise-free) or near (noisy) fill_targets(base) */
static void assert_read_matches(uint16_t base)
{
	uint32_t i, far = 0;

	for (i = 0; i < 64; i++) {
		int t = base + 100 * i, g = vm_get16(map + RD_OFF + 2 * i);

		if (noise_free_phase())
			ck_assert_int_eq(g, t);
		else
			far += abs(g - t) > 4500;	/* > 5 sigma */
	}
	ck_assert_uint_le(far, 3);			/* stuck cells */
}

START_TEST(test_out_syncobj_signals)
{
	struct drm_aimc_cmd c;
	struct aimc_job_result res;
	uint32_t sync;
	uint64_t job;

	fill_targets(2000);
	c = cmd_program(tile, 0, 0, 8, 8, bo, TGT_OFF);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &sync), 0);
	ck_assert_int_eq(aimc_job_submit(V.dev, &c, 1, NULL, 0, sync, &job), 0);
	ck_assert_int_eq(aimc_syncobj_wait(V.dev, &sync, 1,
					   aimc_deadline_ns(10000)), 0);
	/* signalled means finished: WAIT only polls now */
	ck_assert_int_eq(aimc_job_wait(V.dev, job, 0, &res), 0);
	ck_assert_uint_eq(res.status, AIMC_JOB_DONE);
	ck_assert_int_eq(drmSyncobjWait(V.fd, &sync, 1, 0, 0, NULL), 0);
	ck_assert_int_eq(aimc_syncobj_destroy(V.dev, sync), 0);
}
END_TEST

START_TEST(test_out_fence_as_sync_file)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct pollfd pfd = { .events = POLLIN };
	uint32_t sync;
	uint64_t job;

	ck_assert_int_eq(aimc_syncobj_create(V.dev, &sync), 0);
	ck_assert_int_eq(aimc_job_submit(V.dev, &c, 1, NULL, 0, sync, &job), 0);
	ck_assert_int_eq(aimc_syncobj_export_sync_file(V.dev, sync, &pfd.fd), 0);
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert(pfd.revents & POLLIN);
	close(pfd.fd);
	ck_assert_int_eq(r_wait_status(V.fd, job, 0), AIMC_JOB_DONE);
}
END_TEST

/*
 * Job 1 programs a window and signals a syncobj; job 2 waits for it and
 * reads the window; job 3 waits for jobs 1 and 2.  When job 2's fence has
 * signalled, job 1's has too, and job 2 read what job 1 programmed.
 */
START_TEST(test_in_syncobj_orders_jobs)
{
	struct drm_aimc_cmd c1, c2, c3 = cmd_nop();
	uint32_t s1, s2, s3, both[2];
	uint64_t j1, j2, j3;

	fill_targets(3000);
	memset(map + RD_OFF, 0, 128);
	c1 = cmd_program(tile, 16, 0, 8, 8, bo, TGT_OFF);
	c2 = cmd_read(tile, 16, 0, 8, 8, bo, RD_OFF);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &s1), 0);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &s2), 0);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &s3), 0);
	ck_assert_int_eq(aimc_job_submit(V.dev, &c1, 1, NULL, 0, s1, &j1), 0);
	ck_assert_int_eq(aimc_job_submit(V.dev, &c2, 1, &s1, 1, s2, &j2), 0);
	both[0] = s1;
	both[1] = s2;
	ck_assert_int_eq(aimc_job_submit(V.dev, &c3, 1, both, 2, s3, &j3), 0);
	ck_assert_int_eq(aimc_syncobj_wait(V.dev, &s2, 1,
					   aimc_deadline_ns(10000)), 0);
	ck_assert_int_eq(drmSyncobjWait(V.fd, &s1, 1, 0, 0, NULL), 0);
	ck_assert_int_eq(r_wait_status(V.fd, j1, 0), AIMC_JOB_DONE);
	ck_assert_int_eq(r_wait_status(V.fd, j2, 0), AIMC_JOB_DONE);
	assert_read_matches(3000);
	ck_assert_int_eq(r_wait_status(V.fd, j3, 10000), AIMC_JOB_DONE);
	ck_assert_int_eq(drmSyncobjWait(V.fd, both, 2, 0,
					DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL),
			 0);
}
END_TEST

/* A fence shared with another open file through a syncobj fd. */
START_TEST(test_in_syncobj_from_other_file)
{
	struct vm_dev other;
	struct drm_aimc_cmd c1, c2;
	uint32_t s1, s_other;
	int obj_fd;
	uint64_t j1, j2;

	vm_open_node(&other, V.info.node);
	fill_targets(4000);
	c1 = cmd_program(tile, 32, 8, 8, 8, bo, TGT_OFF);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &s1), 0);
	ck_assert_int_eq(aimc_job_submit(V.dev, &c1, 1, NULL, 0, s1, &j1), 0);
	ck_assert_int_eq(drmSyncobjHandleToFD(V.fd, s1, &obj_fd), 0);
	ck_assert_int_eq(drmSyncobjFDToHandle(other.fd, obj_fd, &s_other), 0);
	close(obj_fd);
	c2 = cmd_nop();
	ck_assert_int_eq(aimc_job_submit(other.dev, &c2, 1, &s_other, 1, 0,
					 &j2), 0);
	ck_assert_int_eq(r_wait_status(other.fd, j2, 10000), AIMC_JOB_DONE);
	ck_assert_int_eq(r_wait_status(V.fd, j1, 0), AIMC_JOB_DONE);
	vm_close(&other);
}
END_TEST

/* Points of a timeline syncobj: the out point signals, an in point orders. */
START_TEST(test_timeline_points)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint64_t j1, j2, point = 0, caps;
	struct r_submit_args s = { .cmds = &c, .count = 1 };
	uint32_t tl;

	ck_assert_int_eq(aimc_job_get_param(V.dev, AIMC_PARAM_CAPABILITIES, &caps), 0);
	ck_assert(caps & AIMC_CAP_TIMELINE_SYNCS);
	ck_assert_int_eq(drmSyncobjCreate(V.fd, 0, &tl), 0);
	s.out = tl;
	s.out_point = 5;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &j1), 0);
	ck_assert_int_eq(r_wait_status(V.fd, j1, 10000), AIMC_JOB_DONE);
	ck_assert_int_eq(drmSyncobjQuery(V.fd, &tl, &point, 1), 0);
	ck_assert_uint_eq(point, 5);
	/* waiting for point 5 of it, and signalling point 7 */
	s.in = &tl;
	s.in_points = (uint64_t[]){ 5 };
	s.n_in = 1;
	s.out_point = 7;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &j2), 0);
	ck_assert_int_eq(drmSyncobjTimelineWait(V.fd, &tl, (uint64_t[]){ 7 }, 1,
						aimc_deadline_ns(10000), 0, NULL), 0);
	ck_assert_int_eq(r_wait_status(V.fd, j2, 0), AIMC_JOB_DONE);
	/* a point nothing was submitted for yet has no fence: -EINVAL */
	s.in_points = (uint64_t[]){ 9 };
	s.out = 0;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &j2), -EINVAL);
	drmSyncobjDestroy(V.fd, tl);
}
END_TEST

/* Sync arguments are checked: flags must be zero, handles must exist. */
START_TEST(test_sync_args_checked)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct r_submit_args s = { .cmds = &c, .count = 1 };
	uint64_t job, max_syncs;
	uint32_t so, in[R_MAX_SYNCS] = {};

	ck_assert_int_eq(aimc_syncobj_create(V.dev, &so), 0);
	s.out = so;
	s.sync_flags = 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.sync_flags = 0;
	s.out = so + 1000;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -ENOENT);
	s.out = 0;
	s.in = (uint32_t[]){ so + 1000 };
	s.n_in = 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -ENOENT);
	/* a binary syncobj without a fence yet */
	s.in = &so;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	/* more syncs than the param allows */
	ck_assert_int_eq(aimc_job_get_param(V.dev, AIMC_PARAM_MAX_SYNCS, &max_syncs), 0);
	ck_assert_uint_lt(max_syncs, R_MAX_SYNCS);
	s.in = in;
	s.n_in = max_syncs + 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -E2BIG);
	/* an unreadable array */
	s.n_in = 1;
	s.in_syncs = (const void *)8;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EFAULT);
	aimc_syncobj_destroy(V.dev, so);
}
END_TEST

/* A sync_file's fence state: 1 signalled, 0 not yet, < 0 its error. */
static int sync_file_status(int fd)
{
	struct sync_fence_info fi = {};
	struct sync_file_info info = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)&fi,
	};

	ck_assert_int_eq(ioctl(fd, SYNC_IOC_FILE_INFO, &info), 0);
	return fi.status;
}

/*
 * A job whose in-fence does not signal for long (another file's job hung
 * on the card, its timeout seconds away) is cancelled when its file
 * closes: close returns without waiting for the in-fence, the job's
 * out-fence ends -ECANCELED at once, and everything is given back once
 * the hung job has been reset.
 */
START_TEST(test_unsignalled_in_fence_cancelled_on_close)
{
	struct drm_aimc_cmd hang = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF), c = cmd_nop();
	uint32_t s_hang, s_in, s_out;
	int sf_hang, sf_out;
	struct vm_dev b;
	uint64_t job_hang, job;
	int64_t t0;
	struct pollfd p;

	ck_assert_int_ge(vm_job_timeout_ms(), 3000);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &s_hang), 0);
	vm_knob("hang_next_job", "1");
	ck_assert_int_eq(aimc_job_submit(V.dev, &hang, 1, NULL, 0, s_hang, &job_hang), 0);
	ck_assert_int_eq(aimc_syncobj_export_sync_file(V.dev, s_hang, &sf_hang), 0);

	vm_open_node(&b, V.info.node);
	ck_assert_int_eq(aimc_syncobj_create(b.dev, &s_in), 0);
	ck_assert_int_eq(drmSyncobjImportSyncFile(b.fd, s_in, sf_hang), 0);
	ck_assert_int_eq(aimc_syncobj_create(b.dev, &s_out), 0);
	ck_assert_int_eq(aimc_job_submit(b.dev, &c, 1, &s_in, 1, s_out, &job), 0);
	ck_assert_int_eq(aimc_syncobj_export_sync_file(b.dev, s_out, &sf_out), 0);
	vm_sleep_ms(50);
	ck_assert_int_eq(sync_file_status(sf_out), 0);	/* held back */

	t0 = vm_now_ms();
	vm_close(&b);
	ck_assert_int_lt(vm_now_ms() - t0, 1000);
	p = (struct pollfd){ .fd = sf_out, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	ck_assert_int_eq(sync_file_status(sf_out), -ECANCELED);
	ck_assert_int_eq(sync_file_status(sf_hang), 0);	/* still hung */
	close(sf_out);
	close(sf_hang);
	/* the hung job times out; then nothing is left queued or pinned */
	ck_assert_int_eq(r_wait_status(V.fd, job_hang, vm_job_timeout_ms() + 5000),
			 AIMC_JOB_TIMED_OUT);
	ck_assert(vm_wait_counter_zero("jobs_queued", 5000));
	ck_assert(vm_wait_counter_zero("pinned_operands", 5000));
}
END_TEST

Suite *job_fences_suite(void)
{
	Suite *s = suite_create("job_fences");
	TCase *tc = tcase_create("fences");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_out_syncobj_signals);
	tcase_add_test(tc, test_out_fence_as_sync_file);
	tcase_add_test(tc, test_in_syncobj_orders_jobs);
	tcase_add_test(tc, test_in_syncobj_from_other_file);
	tcase_add_test(tc, test_timeline_points);
	tcase_add_test(tc, test_sync_args_checked);
	tcase_add_test(tc, test_unsignalled_in_fence_cancelled_on_close);
	suite_add_tcase(s, tc);
	return s;
}
