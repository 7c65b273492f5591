// SPDX-License-Identifier: MIT
/*
 * Guest tests: tiles, slots and buffers belong to the open file that
 * reserved or created them.  A second process (fork, its own open of the
 * node) cannot reserve, program, read or execute on the first one's tiles
 * and slots, nor name its buffer handles; a process killed with jobs in
 * flight gives everything back (the driver's debugfs counters return to
 * their baseline and its tiles can be reserved again).
 *
 * Children report through a pipe and never call Check: only the test
 * process asserts.
 */
#include "vm_util.h"

#define BO_SIZE		(16 * 1024)
#define TGT_OFF		0
#define RD_OFF		4096
#define PROG_OFF	8192
#define IN_OFF		12288
#define OUT_OFF		12800

/* ---- child side: raw ioctls, results into an array ---- */

static int child_open(const char *node)
{
	return open(node, O_RDWR | O_CLOEXEC);
}

static uint8_t *child_map(int fd, uint32_t handle)
{
	struct drm_aimc_bo_info a = { .handle = handle };
	void *p;

	if (r_ioctl(fd, DRM_IOCTL_AIMC_BO_INFO, &a))
		return NULL;
	p = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)a.mmap_offset);
	return p == MAP_FAILED ? NULL : p;
}

/* LOAD 4 s8, MVM on @t (4 rows, 2 outputs), STORE: into map[PROG_OFF] */
static uint32_t mvm_prog(uint8_t *map, uint32_t t)
{
	uint8_t *p = map + PROG_OFF;
	uint32_t i;
	static const uint8_t uops[3][4] = {
		{ AIMC_UOP_LOAD, 0, 0, 0 },
		{ AIMC_UOP_MVM, 1, 0, 0 },
		{ AIMC_UOP_STORE, 0, 1, 0 },
	};

	vm_put32(p, AIMC_PROG_MAGIC);
	vm_put16(p + 4, AIMC_PROG_VERSION);
	vm_put16(p + 6, 3);
	vm_put32(p + 8, 0);
	vm_put32(p + 12, 0);
	for (i = 0; i < 3; i++) {
		uint8_t *u = p + 16 + 16 * i;

		memset(u, 0, 16);
		memcpy(u, uops[i], 4);
	}
	vm_put16(p + 16 + 4, 4);		/* LOAD len 4, width 1 */
	vm_put32(p + 16 + 12, 1);
	vm_put16(p + 32 + 4, 4);		/* MVM 4 rows on tile t */
	vm_put16(p + 32 + 6, (uint16_t)t);
	vm_put32(p + 32 + 8, AIMC_MVM_IMM0(0, 0));
	vm_put32(p + 32 + 12, AIMC_MVM_IMM1(4, 8));
	vm_put16(p + 48 + 4, 2);		/* STORE 2, width 1 */
	vm_put32(p + 48 + 12, 1);
	return 16 + 3 * 16;
}

static struct drm_aimc_cmd mvm_cmd(uint32_t slot, uint32_t bo, uint32_t len)
{
	return cmd_exec(slot, AIMC_CMD_F_RESET_STATE, 1, 4, 2, bo, IN_OFF,
			OUT_OFF, PROG_OFF, len);
}

enum {
	R_FOREIGN_HANDLE_SUBMIT, R_FOREIGN_HANDLE_INFO, R_RESERVE_TILE,
	R_RESERVE_SLOT, R_PROGRAM, R_READ, R_EXEC_SLOT, R_EXEC_PROG_TILE,
	R_RELEASE_TILE, R_OWN_READ, R_OWN_EXEC, R_COUNT
};

static const int expected[R_COUNT] = {
	[R_FOREIGN_HANDLE_SUBMIT] = -ENOENT,
	[R_FOREIGN_HANDLE_INFO] = -ENOENT,
	[R_RESERVE_TILE] = -EBUSY,
	[R_RESERVE_SLOT] = -EBUSY,
	[R_PROGRAM] = -EACCES,
	[R_READ] = -EACCES,
	[R_EXEC_SLOT] = -EACCES,
	[R_EXEC_PROG_TILE] = -EACCES,
	[R_RELEASE_TILE] = -EACCES,
	[R_OWN_READ] = AIMC_JOB_DONE,
	[R_OWN_EXEC] = AIMC_JOB_DONE,
};

static const char *const what[R_COUNT] = {
	"submit naming the other's buffer handle",
	"BO_INFO of the other's handle",
	"reserve the other's tile",
	"reserve the other's slot",
	"PROGRAM the other's tile",
	"READ the other's tile",
	"EXEC on the other's slot",
	"EXEC program with MVM on the other's tile",
	"release the other's tile",
	"READ of its own tile",
	"EXEC on its own slot and tile",
};

static void intruder(const char *node, uint32_t tile, uint32_t slot,
		     uint32_t bo, int out)
{
	int r[R_COUNT], fd = child_open(node), i;
	uint32_t my_tile = 0, my_slot = 0, my_bo = 0, len;
	struct drm_aimc_cmd c;
	struct drm_aimc_bo_info info = { .handle = bo };
	uint8_t *map;
	uint64_t job;

	for (i = 0; i < R_COUNT; i++)
		r[i] = 1000;
	if (fd < 0)
		_exit(2);
	if (r_reserve(fd, AIMC_RESOURCE_TILE, 0, AIMC_RESERVE_ANY, 0,
		      &my_tile) ||
	    r_reserve(fd, AIMC_RESOURCE_SLOT, 0, AIMC_RESERVE_ANY, 0, &my_slot))
		_exit(3);
	/* before this file has any buffer: the parent's handle number */
	c = cmd_read(my_tile, 0, 0, 4, 4, bo, RD_OFF);
	r[R_FOREIGN_HANDLE_SUBMIT] = r_submit(fd, &c, 1, &job);
	r[R_FOREIGN_HANDLE_INFO] = r_ioctl(fd, DRM_IOCTL_AIMC_BO_INFO, &info);

	if (r_bo_create(fd, BO_SIZE, 0, &my_bo))
		_exit(4);
	map = child_map(fd, my_bo);
	if (!map)
		_exit(5);
	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, 1234);
	r[R_RESERVE_TILE] = r_reserve(fd, AIMC_RESOURCE_TILE, tile, 0, 0, NULL);
	r[R_RESERVE_SLOT] = r_reserve(fd, AIMC_RESOURCE_SLOT, slot, 0, 0, NULL);
	c = cmd_program(tile, 0, 0, 4, 4, my_bo, TGT_OFF);
	r[R_PROGRAM] = r_submit(fd, &c, 1, &job);
	c = cmd_read(tile, 0, 0, 4, 4, my_bo, RD_OFF);
	r[R_READ] = r_submit(fd, &c, 1, &job);
	len = mvm_prog(map, my_tile);
	c = mvm_cmd(slot, my_bo, len);
	r[R_EXEC_SLOT] = r_submit(fd, &c, 1, &job);
	len = mvm_prog(map, tile);
	c = mvm_cmd(my_slot, my_bo, len);
	r[R_EXEC_PROG_TILE] = r_submit(fd, &c, 1, &job);
	r[R_RELEASE_TILE] = r_release(fd, AIMC_RESOURCE_TILE, tile, 0, 0);
	/* the same commands on its own resources work */
	c = cmd_read(my_tile, 0, 0, 4, 4, my_bo, RD_OFF);
	r[R_OWN_READ] = r_run(fd, &c, 1);
	len = mvm_prog(map, my_tile);
	c = mvm_cmd(my_slot, my_bo, len);
	r[R_OWN_EXEC] = r_run(fd, &c, 1);
	if (write(out, r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(6);
	_exit(0);
}

START_TEST(test_second_process_denied)
{
	struct vm_dev v;
	uint32_t tile, slot, bo, i;
	uint8_t *map;
	uint64_t size;
	struct drm_aimc_cmd c[2];
	int pipefd[2], r[R_COUNT], status;
	pid_t pid;

	vm_check_phase();
	vm_open(&v);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	ck_assert_int_eq(aimc_bo_create(v.dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(v.dev, bo, (void **)&map, &size), 0);
	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, (uint16_t)(20000 - 100 * i));
	c[0] = cmd_program(tile, 0, 0, 4, 4, bo, TGT_OFF);
	c[1] = cmd_read(tile, 0, 0, 4, 4, bo, RD_OFF);
	ck_assert_int_eq(r_run(v.fd, c, 2), AIMC_JOB_DONE);

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		close(pipefd[0]);
		intruder(v.info.node, tile, slot, bo, pipefd[1]);
	}
	close(pipefd[1]);
	status = vm_waitpid_ms(pid, 15000);
	ck_assert_msg(status >= 0, "child hung");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed to set up (status 0x%x)", status);
	ck_assert_int_eq(read(pipefd[0], r, sizeof(r)), (ssize_t)sizeof(r));
	close(pipefd[0]);
	for (i = 0; i < R_COUNT; i++)
		ck_assert_msg(r[i] == expected[i], "%s: got %d, expected %d",
			      what[i], r[i], expected[i]);

	/* still ours, and the cells are what we programmed */
	ck_assert_int_eq(aimc_reserve(v.dev, AIMC_RESOURCE_TILE, tile, NULL),
			 -EEXIST);
	ck_assert_int_eq(r_run(v.fd, &c[1], 1), AIMC_JOB_DONE);
	for (i = 0; i < 16; i++) {
		int g = vm_get16(map + RD_OFF + 2 * i);

		if (noise_free_phase())
			ck_assert_int_eq(g, 20000 - 100 * (int)i);
		else	/* nowhere near the intruder's 1234 nS */
			ck_assert_msg(g > 8000 || g < 2, "cell %u reads %d", i, g);
	}
	aimc_bo_munmap(map, size);
	vm_close(&v);
}
END_TEST

/* ---- kill with jobs in flight ---- */

static const char *const counters[] = {
	"jobs_queued", "jobs_inflight", "tiles_reserved", "slots_reserved",
	"pinned_operands", "files",
};
#define N_COUNTERS	(sizeof(counters) / sizeof(counters[0]))

static void read_counters(long long *v)
{
	size_t i;

	for (i = 0; i < N_COUNTERS; i++)
		v[i] = vm_counter(counters[i]);
}

/* Child: reserve, queue @jobs jobs, tell the parent, wait to be killed. */
static void victim(const char *node, int jobs, int out)
{
	int fd = child_open(node), i;
	uint32_t t1, t2, s, bo;
	struct drm_aimc_cmd c[4];
	uint8_t *map;
	uint64_t job;
	char ok = 'r';

	if (fd < 0 ||
	    r_reserve(fd, AIMC_RESOURCE_TILE, 0, AIMC_RESERVE_ANY, 0, &t1) ||
	    r_reserve(fd, AIMC_RESOURCE_TILE, 0, AIMC_RESERVE_ANY, 0, &t2) ||
	    r_reserve(fd, AIMC_RESOURCE_SLOT, 0, AIMC_RESERVE_ANY, 0, &s) ||
	    r_bo_create(fd, 64 * 1024, 0, &bo))
		_exit(2);
	map = child_map(fd, bo);
	if (!map)
		_exit(3);
	for (i = 0; i < 32 * 32; i++)
		vm_put16(map + 2 * i, (uint16_t)(i * 20));
	c[0] = cmd_program(t1, 0, 0, 32, 32, bo, 0);
	c[1] = cmd_read(t1, 0, 0, 32, 32, bo, 16384);
	c[2] = cmd_program(t2, 32, 0, 32, 32, bo, 0);
	c[3] = cmd_read(t2, 32, 0, 32, 32, bo, 32768);
	for (i = 0; i < jobs; i++)
		if (r_submit(fd, c, 4, &job))
			_exit(4);
	if (write(out, &ok, 1) != 1)
		_exit(5);
	for (;;)
		pause();
}

static void kill_with_jobs(int jobs, bool hang)
{
	long long base[N_COUNTERS], now[N_COUNTERS], during[N_COUNTERS];
	struct vm_dev v;
	int pipefd[2];
	int64_t end;
	uint32_t t;
	size_t i;
	pid_t pid;
	char ok;
	char node[64];
	struct aimc_device_info info;
	struct aimc_device *dev;

	vm_check_phase();
	/* the node's name, without keeping a file open */
	ck_assert_int_eq(aimc_device_open(AIMC_BACKEND_DRM, 0, &dev), 0);
	ck_assert_int_eq(aimc_device_info(dev, &info, sizeof(info)), 0);
	aimc_device_close(dev);
	snprintf(node, sizeof(node), "%s", info.node);
	read_counters(base);

	if (hang)
		vm_knob("hang_next_job", "1");
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		close(pipefd[0]);
		victim(node, jobs, pipefd[1]);
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &ok, 1), 1);
	close(pipefd[0]);
	read_counters(during);
	/* The scheduler's worker puts jobs on the ring after SUBMIT returned. */
	end = vm_now_ms() + 2000;
	while (hang && during[1] < 1 && vm_now_ms() < end) {
		vm_sleep_ms(5);
		read_counters(during);
	}
	kill(pid, SIGKILL);
	ck_assert_int_ge(vm_waitpid_ms(pid, 10000), 0);

	ck_assert_int_eq(during[2], base[2] + 2);	/* tiles_reserved */
	ck_assert_int_eq(during[3], base[3] + 1);	/* slots_reserved */
	ck_assert_int_eq(during[5], base[5] + 1);	/* files */
	if (hang)
		ck_assert_int_ge(during[1], 1);		/* jobs_inflight */

	/* everything comes back; a hung job first has to time out */
	end = vm_now_ms() + 8000;
	for (;;) {
		bool same = true;

		read_counters(now);
		for (i = 0; i < N_COUNTERS; i++)
			same &= now[i] == base[i];
		if (same)
			break;
		if (vm_now_ms() > end) {
			for (i = 0; i < N_COUNTERS; i++)
				ck_assert_msg(now[i] == base[i],
					      "%s: %lld after the kill, baseline %lld",
					      counters[i], now[i], base[i]);
		}
		vm_sleep_ms(20);
	}

	/* every tile is free again, and the card works */
	vm_open(&v);
	for (t = 0; t < v.info.num_tiles; t++)
		ck_assert_int_eq(r_reserve(v.fd, AIMC_RESOURCE_TILE, t, 0, 0,
					   NULL), 0);
	{
		struct drm_aimc_cmd c = cmd_nop();

		ck_assert_int_eq(r_run(v.fd, &c, 1), AIMC_JOB_DONE);
	}
	vm_close(&v);
}

START_TEST(test_kill_with_queued_jobs)
{
	kill_with_jobs(32, false);
}
END_TEST

START_TEST(test_kill_with_hung_job)
{
	kill_with_jobs(4, true);
}
END_TEST

Suite *job_isolation_suite(void)
{
	Suite *s = suite_create("job_isolation");
	TCase *tc = tcase_create("isolation");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_second_process_denied);
	suite_add_tcase(s, tc);

	tc = tcase_create("process_death");
	tcase_add_unchecked_fixture(tc, vm_short_timeout_setup,
				    vm_short_timeout_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_kill_with_queued_jobs);
	tcase_add_test(tc, test_kill_with_hung_job);
	suite_add_tcase(s, tc);
	return s;
}
