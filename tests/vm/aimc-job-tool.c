// SPDX-License-Identifier: MIT
/*
 * aimc-job-tool: submits jobs to the first aimc card for the guest's
 * shell tests (tests/vm/selftests/), which set the card's fault knobs
 * and then check what userspace sees.  The card is an aimc_emu.ko card
 * (knobs in debugfs) or an aimc-pci card in QEMU (knobs in its test BAR,
 * emulator/qemu/aimc_pci_dbg.h): the same knob names either way.
 *
 *   aimc-job-tool run [options]     submit jobs, wait, check how they ended
 *   aimc-job-tool stick TILE        program a 2x2 window, read it back
 *   aimc-job-tool stress [options]  processes submitting, programming and
 *                                   closing in a loop while faults are
 *                                   injected; prints the counts
 *   aimc-job-tool fence-outlives-module
 *                                   a job's fence held as a sync_file and
 *                                   as a syncobj fd past its file's close:
 *                                   aimc.ko cannot be unloaded meanwhile,
 *                                   the fence answers SYNC_IOC_FILE_INFO,
 *                                   and once both are closed the module
 *                                   unloads (it is left unloaded)
 *   aimc-job-tool card [PCI-ADDR]   the card under test (or the aimc-pci
 *                                   card at PCI-ADDR, bound or not):
 *                                   "kind NAME tiles R C slots seed S
 *                                   noise_free N"
 *   aimc-job-tool knob NAME [VALUE] set a fault knob of the card under
 *                                   test, or print its value; exit 4 if
 *                                   this kind of card has no such knob
 *   aimc-job-tool stray-dma --expect blocked|lands
 *                                   an aimc-pci card's next result is
 *                                   redirected to a page of this process
 *                                   the driver never mapped: behind an
 *                                   IOMMU the write is blocked (DMA fault,
 *                                   the job fails, nothing changes),
 *                                   without one it lands (the control)
 *
 * run options:
 *   --op nop|read|program   command of each job (default read; read and
 *                           program first program a 4x4 window)
 *   --jobs N                jobs, all submitted before the first wait
 *   --expect STATUS         done|device_error|timed_out|aborted|ended
 *                           (ended: any final status); default done
 *   --expect-first STATUS   the first job must end so, the others --expect
 *   --device-status N       a device_error must carry this card status
 *   --min-ms N / --max-ms N each job's time from submit to end
 *   --wait-ms N             WAIT deadline per job (default 10000)
 *   --sleep-ms N            sleep this long between the last submit and
 *                           the first wait (nobody waits meanwhile)
 *   --then-submit ERRNO     afterwards another submit must fail so (e.g.
 *                           ENODEV), and GET_PARAM must too after
 *                           --hold-ms
 *   --hold-ms N             keep the file open this long before exiting
 *   --arm KNOB=VALUE        write VALUE to the emulator's debugfs KNOB
 *                           after the setup job, right before submitting
 *                           (repeatable)
 * Exit status 0 only if every check passed.
 */
#include "vm_util.h"

#include <getopt.h>
#include <linux/sync_file.h>
#include <sys/syscall.h>

#define RD_OFF		4096
#define TGT_OFF		0
#define FILL		0x55

struct run_opts {
	const char *op;
	unsigned int jobs;
	int expect;		/* -1: any final status */
	int expect_first;	/* -2: same as expect */
	long device_status;	/* -1: not checked */
	long min_ms, max_ms;
	unsigned int wait_ms;
	unsigned int sleep_ms;
	int then_errno;
	unsigned int hold_ms;
	const char *arm[4];
	unsigned int narm;
};

static int status_from_name(const char *name)
{
	static const char *const names[] = {
		"pending", "done", "device_error", "timed_out", "aborted",
	};
	unsigned int i;

	if (!strcmp(name, "ended"))
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	fprintf(stderr, "unknown status %s\n", name);
	exit(2);
}

static int errno_from_name(const char *name)
{
	if (!strcmp(name, "ENODEV"))
		return ENODEV;
	if (!strcmp(name, "EIO"))
		return EIO;
	fprintf(stderr, "unknown errno %s\n", name);
	exit(2);
}

struct card {
	struct vm_dev v;
	uint32_t tile, bo;
	uint8_t *map;
	uint64_t map_size;
};

/* Open, reserve @tile (or any), create and map a buffer, program 4x4. */
static int card_setup(struct card *c, uint32_t tile)
{
	struct drm_aimc_cmd cmd;
	int i, ret;

	ret = aimc_device_open(AIMC_BACKEND_DRM, 0, &c->v.dev);
	if (ret) {
		fprintf(stderr, "open: %s\n", aimc_last_error());
		return ret;
	}
	c->v.fd = aimc_job_fd(c->v.dev);
	if (aimc_reserve(c->v.dev, AIMC_RESOURCE_TILE, tile, &c->tile) ||
	    aimc_bo_create(c->v.dev, 32768, &c->bo) ||
	    aimc_bo_mmap(c->v.dev, c->bo, (void **)&c->map, &c->map_size)) {
		fprintf(stderr, "setup: %s\n", aimc_last_error());
		return -1;
	}
	for (i = 0; i < 16; i++)
		vm_put16(c->map + TGT_OFF + 2 * i, (uint16_t)(10000 + 500 * i));
	cmd = cmd_program(c->tile, 0, 0, 4, 4, c->bo, TGT_OFF);
	ret = r_run(c->v.fd, &cmd, 1);
	if (ret != AIMC_JOB_DONE) {
		fprintf(stderr, "setup PROGRAM: %d\n", ret);
		return -1;
	}
	return 0;
}

static bool untouched(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "op", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "expect", required_argument, NULL, 'e' },
		{ "expect-first", required_argument, NULL, 'f' },
		{ "device-status", required_argument, NULL, 'd' },
		{ "min-ms", required_argument, NULL, 'm' },
		{ "max-ms", required_argument, NULL, 'M' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "sleep-ms", required_argument, NULL, 's' },
		{ "then-submit", required_argument, NULL, 't' },
		{ "hold-ms", required_argument, NULL, 'h' },
		{ "arm", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = {
		.op = "read", .jobs = 1, .expect = AIMC_JOB_DONE,
		.expect_first = -2, .device_status = -1, .min_ms = -1,
		.max_ms = -1, .wait_ms = 10000,
	};
	struct card c = { .v.fd = -1 };
	struct drm_aimc_cmd cmd = cmd_nop();
	uint64_t ids[64];
	int64_t t0[64];
	unsigned int i, failures = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.op = optarg; break;
		case 'j': o.jobs = (unsigned int)atoi(optarg); break;
		case 'e': o.expect = status_from_name(optarg); break;
		case 'f': o.expect_first = status_from_name(optarg); break;
		case 'd': o.device_status = atol(optarg); break;
		case 'm': o.min_ms = atol(optarg); break;
		case 'M': o.max_ms = atol(optarg); break;
		case 'w': o.wait_ms = (unsigned int)atoi(optarg); break;
		case 's': o.sleep_ms = (unsigned int)atoi(optarg); break;
		case 't': o.then_errno = errno_from_name(optarg); break;
		case 'h': o.hold_ms = (unsigned int)atoi(optarg); break;
		case 'a':
			if (o.narm == 4)
				return 2;
			o.arm[o.narm++] = optarg;
			break;
		default: return 2;
		}
	}
	if (o.jobs < 1 || o.jobs > 64)
		return 2;
	if (o.expect_first == -2)
		o.expect_first = o.expect;

	if (!strcmp(o.op, "nop")) {
		/* No setup job: a knob set beforehand hits the first job. */
		if (aimc_device_open(AIMC_BACKEND_DRM, 0, &c.v.dev)) {
			fprintf(stderr, "open: %s\n", aimc_last_error());
			return 1;
		}
		c.v.fd = aimc_job_fd(c.v.dev);
	} else if (card_setup(&c, AIMC_JOB_ANY)) {
		return 1;
	} else if (!strcmp(o.op, "read")) {
		cmd = cmd_read(c.tile, 0, 0, 4, 4, c.bo, RD_OFF);
		memset(c.map + RD_OFF, FILL, 32 * 64);
	} else if (!strcmp(o.op, "program")) {
		cmd = cmd_program(c.tile, 0, 0, 4, 4, c.bo, TGT_OFF);
	} else {
		fprintf(stderr, "unknown op %s\n", o.op);
		return 2;
	}

	for (i = 0; i < o.narm; i++) {
		char name[64];
		const char *eq = strchr(o.arm[i], '=');
		struct vm_card card;
		int ret;

		if (!eq || eq - o.arm[i] >= (long)sizeof(name))
			return 2;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - o.arm[i]), o.arm[i]);
		if (!vm_card_find(&card))
			return 1;
		ret = vm_card_knob(&card, name, eq + 1);
		if (ret) {
			fprintf(stderr, "cannot set knob %s=%s on %s: %s\n", name,
				eq + 1, card.name, strerror(-ret));
			return 1;
		}
	}
	for (i = 0; i < o.jobs; i++) {
		struct drm_aimc_cmd each = cmd;
		int ret;

		/* Each READ lands in its own 32 bytes. */
		if (each.opcode == AIMC_OP_READ)
			each.dst.offset += 32 * i;
		t0[i] = vm_now_ms();
		ret = r_submit(c.v.fd, &each, 1, &ids[i]);
		if (ret) {
			printf("job %u: submit: %s\n", i, strerror(-ret));
			return 1;
		}
	}
	if (o.sleep_ms)
		vm_sleep_ms(o.sleep_ms);
	for (i = 0; i < o.jobs; i++) {
		struct drm_aimc_wait w;
		int want = i ? o.expect : o.expect_first;
		int ret = r_wait(c.v.fd, ids[i], aimc_deadline_ns(o.wait_ms), 0, &w);
		long ms = (long)(vm_now_ms() - t0[i]);
		bool ok = true;

		if (ret) {
			printf("not ok job %u: wait: %s\n", i, strerror(-ret));
			failures++;
			continue;
		}
		if (want >= 0 ? (int)w.status != want : w.status == AIMC_JOB_PENDING)
			ok = false;
		if (w.status == AIMC_JOB_DEVICE_ERROR && o.device_status >= 0 &&
		    w.device_status != (uint32_t)o.device_status)
			ok = false;
		if ((o.min_ms >= 0 && ms < o.min_ms) ||
		    (o.max_ms >= 0 && ms > o.max_ms))
			ok = false;
		/* A failed READ must not have written anything. */
		if (w.status != AIMC_JOB_DONE && cmd.opcode == AIMC_OP_READ &&
		    w.status != AIMC_JOB_ABORTED &&
		    !untouched(c.map + RD_OFF + 32 * i, 32))
			ok = false;
		printf("%sjob %u: status %s device_status %u failed_cmd %u ms %ld\n",
		       ok ? "" : "not ok ", i, aimc_job_status_name(w.status),
		       w.device_status, w.failed_cmd, ms);
		failures += !ok;
	}

	if (o.then_errno) {
		uint64_t id, value;
		int ret = r_submit(c.v.fd, &cmd, 1, &id);

		printf("%ssubmit afterwards: %s\n", ret == -o.then_errno ? "" : "not ok ",
		       ret ? strerror(-ret) : "accepted");
		failures += ret != -o.then_errno;
		vm_sleep_ms(o.hold_ms);
		ret = r_get_param(c.v.fd, AIMC_PARAM_NUM_TILES, &value);
		printf("%sGET_PARAM after %u ms: %s\n", ret == -o.then_errno ? "" : "not ok ",
		       o.hold_ms, ret ? strerror(-ret) : "answered");
		failures += ret != -o.then_errno;
	} else {
		vm_sleep_ms(o.hold_ms);
	}
	if (c.map)
		aimc_bo_munmap(c.map, c.map_size);
	aimc_device_close(c.v.dev);
	return failures ? 1 : 0;
}

/* Program cells (0..1, 0..1) of TILE to 10000, 12000, ... and read back. */
static int cmd_stick(int argc, char **argv)
{
	struct card c = { .v.fd = -1 };
	struct drm_aimc_cmd cmd;
	int i, ret;

	if (argc < 2)
		return 2;
	if (aimc_device_open(AIMC_BACKEND_DRM, 0, &c.v.dev))
		return 1;
	c.v.fd = aimc_job_fd(c.v.dev);
	if (aimc_reserve(c.v.dev, AIMC_RESOURCE_TILE, (uint32_t)atoi(argv[1]),
			 &c.tile) ||
	    aimc_bo_create(c.v.dev, 8192, &c.bo) ||
	    aimc_bo_mmap(c.v.dev, c.bo, (void **)&c.map, &c.map_size)) {
		fprintf(stderr, "setup: %s\n", aimc_last_error());
		return 1;
	}
	for (i = 0; i < 4; i++)
		vm_put16(c.map + 2 * i, (uint16_t)(10000 + 2000 * i));
	cmd = cmd_program(c.tile, 0, 0, 2, 2, c.bo, 0);
	ret = r_run(c.v.fd, &cmd, 1);
	if (ret != AIMC_JOB_DONE)
		return 1;
	cmd = cmd_read(c.tile, 0, 0, 2, 2, c.bo, RD_OFF);
	ret = r_run(c.v.fd, &cmd, 1);
	if (ret != AIMC_JOB_DONE)
		return 1;
	for (i = 0; i < 4; i++)
		printf("cell %d %d %u\n", i / 2, i % 2, vm_get16(c.map + RD_OFF + 2 * i));
	aimc_bo_munmap(c.map, c.map_size);
	aimc_device_close(c.v.dev);
	return 0;
}

/* ---- stress ---- */

struct stress_counts {
	unsigned long opens, submits, rejected, done, failed, unwaited;
};

/* One process: open, reserve, submit PROGRAM/READ/NOP jobs, close. */
static void stress_child(unsigned int seed, int64_t end_ms, int report_fd)
{
	struct stress_counts n = { 0 };
	uint32_t rng = seed;

	while (vm_now_ms() < end_ms) {
		struct aimc_device *dev;
		uint32_t tile = UINT32_MAX, bo, round, j;
		uint8_t *map = NULL;
		uint64_t map_size = 0;
		int fd;

		if (aimc_device_open(AIMC_BACKEND_DRM, 0, &dev))
			break;
		n.opens++;
		fd = aimc_job_fd(dev);
		if (aimc_reserve(dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &tile))
			tile = UINT32_MAX;	/* all taken: NOPs only */
		if (aimc_bo_create(dev, 16384, &bo) ||
		    aimc_bo_mmap(dev, bo, (void **)&map, &map_size)) {
			aimc_device_close(dev);
			continue;
		}
		for (j = 0; j < 16; j++)
			vm_put16(map + 2 * j, (uint16_t)(5000 + 1000 * j));
		for (round = 0; round < 1 + vm_rand(&rng) % 8; round++) {
			struct drm_aimc_cmd cmds[8];
			uint32_t ncmds = 1 + vm_rand(&rng) % 8;
			uint64_t id;
			int ret;

			for (j = 0; j < ncmds; j++) {
				uint32_t kind = tile == UINT32_MAX ? 0 : vm_rand(&rng) % 3;

				cmds[j] = kind == 0 ? cmd_nop() :
					  kind == 1 ? cmd_program(tile, 0, 0, 4, 4, bo, 0) :
					  cmd_read(tile, 0, 0, 4, 4, bo,
						   4096 + 32 * j);
			}
			ret = r_submit(fd, cmds, ncmds, &id);
			if (ret) {
				n.rejected++;	/* e.g. -EIO right after a reset */
				continue;
			}
			n.submits++;
			/* Sometimes leave the job running and move on or close. */
			if (vm_rand(&rng) % 4 == 0) {
				n.unwaited++;
				continue;
			}
			ret = r_wait_status(fd, id, 2000);
			if (ret == AIMC_JOB_DONE)
				n.done++;
			else
				n.failed++;
		}
		aimc_bo_munmap(map, map_size);
		aimc_device_close(dev);
	}
	if (write(report_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		_exit(1);
	_exit(0);
}

static const char *const stress_knobs[] = {
	"fail_next_dma_read", "fail_next_dma_write", "error_next_desc",
	"drop_next_irq", "hang_next_job", "irq_storm", "irq_storm_status",
	"fail_next_dma",
};

static int cmd_stress(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "procs", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int procs = 4, seconds = 20, seed = (unsigned int)time(NULL);
	unsigned long faults = 0, per_knob[8] = { 0 };
	struct stress_counts total = { 0 };
	struct vm_card card;
	int pipefd[2], opt, failures = 0;
	unsigned int i;
	uint32_t rng;
	int64_t end;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': procs = (unsigned int)atoi(optarg); break;
		case 's': seconds = (unsigned int)atoi(optarg); break;
		case 'S': seed = (unsigned int)strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (!vm_card_find(&card)) {
		fprintf(stderr, "stress: no aimc card\n");
		return 1;
	}
	printf("stress: seed %u, %u processes, %u s, card %s\n", seed, procs,
	       seconds, card.name);
	fflush(stdout);
	rng = seed ? seed : 1;
	if (pipe(pipefd))
		return 1;
	end = vm_now_ms() + 1000LL * seconds;
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(pipefd[0]);
			stress_child(seed * 1000003u + i + 1, end, pipefd[1]);
		}
	}
	close(pipefd[1]);

	/* Inject a fault every 100-400 ms while the children run. */
	while (vm_now_ms() < end) {
		unsigned int k = vm_rand(&rng) % 8;
		const char *value = "1";

		if (!strcmp(stress_knobs[k], "error_next_desc"))
			value = "12";
		else if (!strncmp(stress_knobs[k], "irq_storm", 9))
			value = "2000";
		if (vm_card_knob(&card, stress_knobs[k], value) == 0) {
			faults++;
			per_knob[k]++;
		}
		vm_sleep_ms(100 + vm_rand(&rng) % 300);
	}

	for (i = 0; i < procs; i++) {
		struct stress_counts n;
		int status;

		if (read(pipefd[0], &n, sizeof(n)) != (ssize_t)sizeof(n)) {
			failures++;
			continue;
		}
		total.opens += n.opens;
		total.submits += n.submits;
		total.rejected += n.rejected;
		total.done += n.done;
		total.failed += n.failed;
		total.unwaited += n.unwaited;
		(void)status;
	}
	for (i = 0; i < procs; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failures++;
	}
	/* Whatever the knobs armed and nothing consumed must not linger. */
	for (i = 0; i < 8; i++) {
		if (!strncmp(stress_knobs[i], "irq_storm", 9))
			continue;
		vm_card_knob(&card, stress_knobs[i], "0");
	}
	printf("stress: processes %u opens %lu jobs %lu done %lu failed %lu unwaited %lu rejected %lu faults %lu\n",
	       procs, total.opens, total.submits, total.done, total.failed,
	       total.unwaited, total.rejected, faults);
	printf("stress: faults by knob:");
	for (i = 0; i < 8; i++)
		printf(" %s=%lu", stress_knobs[i], per_knob[i]);
	printf("\n");
	if (!total.done || !faults)
		failures++;
	return failures ? 1 : 0;
}

/* delete_module(2) as rmmod does it: 0 or -errno. */
static int unload_aimc(void)
{
	return syscall(SYS_delete_module, "aimc", O_NONBLOCK) ? -errno : 0;
}

static int fence_info(int sync_file, struct sync_fence_info *fi)
{
	struct sync_file_info info = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)fi,
	};

	return ioctl(sync_file, SYNC_IOC_FILE_INFO, &info) ? -errno : 0;
}

#define EXPECT(cond, ...) do {						\
	if (!(cond)) {							\
		printf("fence-outlives-module: FAIL: " __VA_ARGS__);	\
		printf("\n");						\
		return 1;						\
	}								\
} while (0)

static int cmd_fence_outlives_module(void)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct sync_fence_info fi = {};
	struct aimc_job_result res;
	struct aimc_device *dev;
	int sync_file, syncobj_fd, ret, i;
	uint32_t syncobj;
	uint64_t job;

	EXPECT(!aimc_device_open(AIMC_BACKEND_DRM, 0, &dev), "open: %s", aimc_last_error());
	EXPECT(!aimc_syncobj_create(dev, &syncobj), "syncobj: %s", aimc_last_error());
	EXPECT(!aimc_job_submit(dev, &c, 1, NULL, 0, syncobj, &job), "submit: %s",
	       aimc_last_error());
	EXPECT(!aimc_job_wait(dev, job, aimc_deadline_ns(10000), &res) &&
	       res.status == AIMC_JOB_DONE, "the job did not end done");
	EXPECT(!aimc_syncobj_export_sync_file(dev, syncobj, &sync_file), "export: %s",
	       aimc_last_error());
	EXPECT(!drmSyncobjHandleToFD(aimc_job_fd(dev), syncobj, &syncobj_fd),
	       "syncobj fd: %s", strerror(errno));
	aimc_device_close(dev);

	ret = unload_aimc();
	EXPECT(ret == -EWOULDBLOCK, "rmmod with a sync_file and a syncobj held: %s, want %s",
	       strerror(-ret), strerror(EWOULDBLOCK));
	ret = fence_info(sync_file, &fi);
	EXPECT(!ret, "SYNC_IOC_FILE_INFO: %s", strerror(-ret));
	EXPECT(!strcmp(fi.driver_name, "aimc") && fi.status == 1,
	       "fence info: driver %s timeline %s status %d", fi.driver_name,
	       fi.obj_name, fi.status);
	printf("fence-outlives-module: sync_file after close: driver %s, timeline %s, status %d\n",
	       fi.driver_name, fi.obj_name, fi.status);
	close(sync_file);
	ret = unload_aimc();
	EXPECT(ret == -EWOULDBLOCK, "rmmod with a syncobj fd held: %s", strerror(-ret));
	close(syncobj_fd);
	/* The last fence reference goes after an RCU grace period. */
	for (i = 0, ret = -EWOULDBLOCK; i < 200 && ret == -EWOULDBLOCK; i++) {
		vm_sleep_ms(10);
		ret = unload_aimc();
	}
	EXPECT(!ret, "rmmod once nothing holds a fence: %s", strerror(-ret));
	printf("fence-outlives-module: unloaded %d ms after the last fence was closed\n",
	       10 * i);
	return 0;
}

/* ---- the card, its knobs ---- */

static int cmd_card(int argc, char **argv)
{
	struct aimc_model_config cfg;
	struct vm_card card;

	if (argc >= 2) {
		struct vm_dbg_bar b;
		int ret = vm_dbg_open(argv[1], &b);

		if (ret) {
			fprintf(stderr, "test BAR of %s: %s\n", argv[1], strerror(-ret));
			return 1;
		}
		printf("pci %s tiles %u rows %u cols %u slots %u seed %llu noise_free %u\n",
		       argv[1], b.regs[AIMC_DBG_CFG_TILES / 4],
		       b.regs[AIMC_DBG_CFG_ROWS / 4], b.regs[AIMC_DBG_CFG_COLS / 4],
		       b.regs[AIMC_DBG_CFG_SLOTS / 4],
		       (unsigned long long)b.regs[AIMC_DBG_CFG_SEED_HI / 4] << 32 |
		       b.regs[AIMC_DBG_CFG_SEED_LO / 4],
		       b.regs[AIMC_DBG_CFG_NOISE_FREE / 4]);
		vm_dbg_close(&b);
		return 0;
	}
	if (!vm_card_find(&card)) {
		fprintf(stderr, "no aimc card\n");
		return 1;
	}
	if (vm_card_config_of(&card, &cfg)) {
		fprintf(stderr, "no configuration for %s\n", card.name);
		return 1;
	}
	printf("%s %s tiles %u rows %u cols %u slots %u seed %llu noise_free %u\n",
	       card.kind == VM_CARD_PCI ? "pci" : "emu", card.name, cfg.tiles,
	       cfg.rows, cfg.cols, cfg.slots, (unsigned long long)cfg.seed,
	       cfg.noise_free);
	return 0;
}

static int cmd_knob(int argc, char **argv)
{
	struct vm_card card;
	long long v;
	int ret;

	if (argc < 2 || argc > 3)
		return 2;
	if (!vm_card_find(&card)) {
		fprintf(stderr, "no aimc card\n");
		return 1;
	}
	if (argc == 3) {
		ret = vm_card_knob(&card, argv[1], argv[2]);
		if (ret == -ENOTSUP)
			return 4;
		if (ret)
			fprintf(stderr, "knob %s=%s on %s: %s\n", argv[1], argv[2],
				card.name, strerror(-ret));
		return ret ? 1 : 0;
	}
	v = vm_card_knob_get(&card, argv[1]);
	if (v < 0)
		return 4;
	printf("%lld\n", v);
	return 0;
}

/* The physical address of @p (root: /proc/self/pagemap); 0 if unknown. */
static uint64_t phys_addr(const void *p)
{
	uint64_t entry, vpn = (uintptr_t)p / 4096;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, &entry, sizeof(entry), (off_t)(vpn * sizeof(entry)));
	close(fd);
	if (n != (ssize_t)sizeof(entry) || !(entry & (1ull << 63)))
		return 0;
	return (entry & ((1ull << 55) - 1)) * 4096 + (uintptr_t)p % 4096;
}

/*
 * An aimc-pci card's next result goes to a page of this process that the
 * driver never mapped for the card (the redirect knob: a card or driver
 * gone wrong).  blocked: the IOMMU stops it: the job ends with the card's
 * DMA status, the card reports the address, and neither the page nor the
 * job's own result buffer changed.  lands: with no IOMMU the write
 * reaches the page (the control: the test sees a stray write when there
 * is one).
 */
static int cmd_stray_dma(int argc, char **argv)
{
	struct card c = { .v.fd = -1 };
	struct drm_aimc_cmd cmd;
	struct drm_aimc_wait w;
	struct vm_card card;
	struct vm_dbg_bar b;
	uint8_t *page;
	uint64_t pa, id;
	uint32_t faults, fault_lo, fault_hi;
	bool page_same, dst_same, blocked;
	int ret, failures = 0;

	if (argc != 3 || strcmp(argv[1], "--expect") ||
	    (strcmp(argv[2], "blocked") && strcmp(argv[2], "lands")))
		return 2;
	blocked = !strcmp(argv[2], "blocked");
	if (!vm_card_find(&card) || card.kind != VM_CARD_PCI) {
		printf("stray-dma: no aimc-pci card: skip\n");
		return 4;
	}
	if (card_setup(&c, AIMC_JOB_ANY))
		return 1;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	memset(page, FILL, 4096);
	pa = phys_addr(page);
	if (!pa) {
		fprintf(stderr, "stray-dma: no physical address (pagemap)\n");
		return 1;
	}
	cmd = cmd_read(c.tile, 0, 0, 4, 4, c.bo, RD_OFF);
	memset(c.map + RD_OFF, FILL, 32);

	ret = vm_dbg_open(card.name, &b);
	if (ret)
		return 1;
	faults = b.regs[AIMC_DBG_DMA_FAULTS / 4];
	b.regs[AIMC_DBG_REDIRECT_ADDR_LO / 4] = (uint32_t)pa;
	b.regs[AIMC_DBG_REDIRECT_ADDR_HI / 4] = (uint32_t)(pa >> 32);
	b.regs[AIMC_DBG_REDIRECT_ARM / 4] = 1;
	ret = r_submit(c.v.fd, &cmd, 1, &id);
	if (!ret)
		ret = r_wait(c.v.fd, id, aimc_deadline_ns(10000), 0, &w);
	if (ret) {
		fprintf(stderr, "stray-dma: job: %s\n", strerror(-ret));
		return 1;
	}
	fault_lo = b.regs[AIMC_DBG_LAST_FAULT_LO / 4];
	fault_hi = b.regs[AIMC_DBG_LAST_FAULT_HI / 4];
	page_same = untouched(page, 4096);
	dst_same = untouched(c.map + RD_OFF, 32);
	printf("stray-dma: page at 0x%llx, job %s device_status %u, card DMA faults +%u (last at 0x%llx), page %s, result buffer %s\n",
	       (unsigned long long)pa, aimc_job_status_name(w.status),
	       w.device_status, b.regs[AIMC_DBG_DMA_FAULTS / 4] - faults,
	       (unsigned long long)fault_hi << 32 | fault_lo,
	       page_same ? "untouched" : "written", dst_same ? "untouched" : "written");
	if (blocked) {
		failures += w.status != AIMC_JOB_DEVICE_ERROR;
		failures += w.device_status != AIMC_ST_DMA_FAULT;
		failures += b.regs[AIMC_DBG_DMA_FAULTS / 4] - faults != 1;
		failures += ((uint64_t)fault_hi << 32 | fault_lo) != pa;
		failures += !page_same;
	} else {
		failures += w.status != AIMC_JOB_DONE;
		failures += page_same;
	}
	/* The job's own result buffer: the card wrote elsewhere or nowhere. */
	failures += !dst_same;
	failures += b.regs[AIMC_DBG_REDIRECT_ARM / 4] != 0;
	vm_dbg_close(&b);

	/* The card serves on. */
	cmd = cmd_read(c.tile, 0, 0, 4, 4, c.bo, RD_OFF);
	ret = r_run(c.v.fd, &cmd, 1);
	printf("stray-dma: next job %s, result buffer %s\n",
	       ret == AIMC_JOB_DONE ? "done" : "failed",
	       untouched(c.map + RD_OFF, 32) ? "untouched" : "written");
	failures += ret != AIMC_JOB_DONE || untouched(c.map + RD_OFF, 32);
	munmap(page, 4096);
	aimc_bo_munmap(c.map, c.map_size);
	aimc_device_close(c.v.dev);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "stick"))
		return cmd_stick(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "stress"))
		return cmd_stress(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "fence-outlives-module"))
		return cmd_fence_outlives_module();
	if (argc >= 2 && !strcmp(argv[1], "card"))
		return cmd_card(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "knob"))
		return cmd_knob(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "stray-dma"))
		return cmd_stray_dma(argc - 1, argv + 1);
	fprintf(stderr, "usage: aimc-job-tool run|stick|stress|fence-outlives-module|card|knob|stray-dma [options]\n");
	return 2;
}
