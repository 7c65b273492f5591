// SPDX-License-Identifier: MIT
/*
 * The job layer (runtime/job.h) on the sim backend: buffers, reservations,
 * PROGRAM/READ and EXEC round trips compared bit for bit with a directly
 * driven device model, and every submit-time check with the driver's
 * errno.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drm/aimc_accel.h>

#include "aimc.h"
#include "aimc_model.h"
#include "../../runtime/internal.h"
#include "../../runtime/job.h"
#include "../../runtime/sim_job.h"

#define SEED		7
#define BO_SIZE		(64 * 1024)
#define TGT_OFF		0
#define RD_OFF		8192
#define PROG_OFF	16384
#define IN_OFF		20480
#define OUT_OFF		24576
/* aimc.ko's AIMC_MAX_JOB_CMDS, which the sim backend keeps */
#define AIMC_SIM_MAX_JOB_CMDS_TEST	64

static struct aimc_device *dev;
static uint32_t bo;
static uint8_t *map;
static uint64_t map_size;

static void open_sim(uint32_t flags)
{
	struct aimc_sim_options o = { .seed = SEED, .flags = flags, .tiles = 4,
				      .rows = 64, .cols = 64, .slots = 4 };

	ck_assert_int_eq(aimc_device_open_sim(&o, &dev), 0);
	ck_assert_int_eq(aimc_bo_create(dev, BO_SIZE, &bo), 0);
	ck_assert_int_eq(aimc_bo_mmap(dev, bo, (void **)&map, &map_size), 0);
	ck_assert_uint_eq(map_size, BO_SIZE);
}

static void setup(void)
{
	open_sim(0);
}

static void teardown(void)
{
	aimc_bo_munmap(map, map_size);
	aimc_device_close(dev);
}

static struct drm_aimc_operand opnd(uint32_t handle, uint64_t off, uint32_t len)
{
	struct drm_aimc_operand o = { .handle = handle, .offset = off, .length = len };

	return o;
}

static struct drm_aimc_cmd cmd_window(uint8_t op, uint32_t tile, uint32_t rows,
				      uint32_t cols, uint64_t off)
{
	struct drm_aimc_cmd c = { .opcode = op, .tile = (uint16_t)tile,
				  .rows = (uint16_t)rows, .cols = (uint16_t)cols };

	if (op == AIMC_OP_PROGRAM)
		c.src = opnd(bo, off, rows * cols * 2);
	else
		c.dst = opnd(bo, off, rows * cols * 2);
	return c;
}

/* LOAD rows s8 inputs, MVM on tile (all rows, cols columns), STORE s32. */
static uint32_t mvm_program(uint8_t *p, uint32_t tile, uint32_t rows,
			    uint32_t cols, uint32_t shift)
{
	struct aimc_prog_hdr h = { .magic = AIMC_PROG_MAGIC,
				   .version = AIMC_PROG_VERSION, .n_uops = 3 };
	struct aimc_uop u[3] = {
		{ .op = AIMC_UOP_LOAD, .dst = 0, .len = (uint16_t)rows, .imm1 = 1 },
		{ .op = AIMC_UOP_MVM, .dst = 1, .src_a = 0, .len = (uint16_t)rows,
		  .aux = (uint16_t)tile, .imm0 = AIMC_MVM_IMM0(0, 0),
		  .imm1 = AIMC_MVM_IMM1(cols, shift) },
		{ .op = AIMC_UOP_STORE, .src_a = 1, .len = (uint16_t)(cols / 2),
		  .imm1 = 4 },
	};

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), u, sizeof(u));
	return sizeof(h) + sizeof(u);
}

static struct aimc_job_result run(const struct drm_aimc_cmd *c, uint32_t n)
{
	struct aimc_job_result r = { .status = 0 };
	uint64_t id;

	ck_assert_msg(aimc_job_submit(dev, c, n, NULL, 0, 0, &id) == 0, "submit: %s",
		      aimc_last_error());
	ck_assert_int_eq(aimc_job_wait(dev, id, aimc_deadline_ns(0), &r), 0);
	return r;
}

/* ---- a device model driven directly, with flat host memory ---- */

static uint8_t ref_mem[BO_SIZE];

static int ref_read(void *ctx, u64 addr, void *dst, u32 len)
{
	(void)ctx;
	if (addr > BO_SIZE || len > BO_SIZE - addr)
		return -1;
	memcpy(dst, ref_mem + addr, len);
	return 0;
}

static int ref_write(void *ctx, u64 addr, const void *src, u32 len)
{
	(void)ctx;
	if (addr > BO_SIZE || len > BO_SIZE - addr)
		return -1;
	memcpy(ref_mem + addr, src, len);
	return 0;
}

static struct aimc_model *ref_model(bool noise_free)
{
	static const struct aimc_model_dma dma = { ref_read, ref_write, NULL };
	struct aimc_model_config cfg;

	aimc_model_config_defaults(&cfg);
	cfg.seed = SEED;
	cfg.noise_free = noise_free;
	cfg.tiles = 4;
	cfg.rows = 64;
	cfg.cols = 64;
	cfg.slots = 4;
	return aimc_model_create(&cfg, &dma);
}

/* The descriptor the card gets for a job-layer command, flat addresses. */
static struct aimc_desc ref_desc(const struct drm_aimc_cmd *c)
{
	struct aimc_desc d = {
		.opcode = c->opcode, .flags = c->flags, .tile = c->tile,
		.slot = c->slot, .mode = c->mode, .row0 = c->row0,
		.col0 = c->col0, .rows = c->rows, .cols = c->cols,
		.steps = c->steps, .in_stride = c->in_stride,
		.out_stride = c->out_stride,
		.src_addr = c->src.offset, .src_len = c->src.length,
		.dst_addr = c->dst.offset, .dst_len = c->dst.length,
		.prog_addr = c->prog.offset, .prog_len = c->prog.length,
	};

	return d;
}

/* ---- buffers ---- */

START_TEST(test_bo_mmap_shares_pages)
{
	uint64_t size, off, max;
	uint32_t h;
	uint8_t *p, *q;
	int i;

	ck_assert_int_eq(aimc_bo_create(dev, 5000, &h), 0);
	ck_assert_int_eq(aimc_bo_info(dev, h, &size, &off), 0);
	ck_assert_uint_eq(size, 8192);
	ck_assert_int_eq(aimc_bo_mmap(dev, h, (void **)&p, &size), 0);
	ck_assert_int_eq(aimc_bo_mmap(dev, h, (void **)&q, NULL), 0);
	for (i = 0; i < 8192; i++)
		p[i] = (uint8_t)(i * 7);
	for (i = 0; i < 8192; i++)
		ck_assert_uint_eq(q[i], (uint8_t)(i * 7));
	ck_assert_int_eq(aimc_bo_close(dev, h), 0);
	/* a mapping outlives the handle, as with GEM */
	ck_assert_uint_eq(q[100], (uint8_t)700);
	ck_assert_int_eq(aimc_bo_munmap(p, size), 0);
	ck_assert_int_eq(aimc_bo_munmap(q, size), 0);
	ck_assert_int_eq(aimc_bo_info(dev, h, NULL, NULL), -ENOENT);
	ck_assert_int_eq(aimc_bo_close(dev, h), -EINVAL);
	ck_assert_int_eq(aimc_bo_create(dev, 0, &h), -EINVAL);
	ck_assert_int_eq(aimc_job_get_param(dev, AIMC_PARAM_MAX_BO_SIZE, &max), 0);
	ck_assert_int_eq(aimc_bo_create(dev, max + 1, &h), -EINVAL);
	ck_assert_int_eq(aimc_job_fd(dev), -EOPNOTSUPP);
}
END_TEST

/* ---- reservations ---- */

START_TEST(test_reserve_release)
{
	uint32_t got, i;

	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 2, &got), 0);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 2, NULL), -EEXIST);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 4, NULL), -EINVAL);
	ck_assert_int_eq(aimc_reserve(dev, 9, 0, NULL), -EINVAL);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
					      &got), 0);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &got),
			 -ENOSPC);
	ck_assert_int_eq(aimc_release(dev, AIMC_RESOURCE_TILE, 2), 0);
	ck_assert_int_eq(aimc_release(dev, AIMC_RESOURCE_TILE, 2), -EACCES);
	ck_assert_int_eq(aimc_release(dev, AIMC_RESOURCE_SLOT, 0), -EACCES);
	ck_assert_int_eq(aimc_release(dev, AIMC_RESOURCE_SLOT, 4), -EINVAL);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &got), 0);
	ck_assert_uint_eq(got, 2);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY, &got), 0);
	ck_assert_uint_eq(got, 0);
}
END_TEST

/* ---- round trips against the device model driven directly ---- */

/*
 * PROGRAM a 16 x 32 window, READ it back, then EXEC an MVM over it: the
 * same command sequence on a model with the same seed gives the same
 * bytes and the same architectural state, noise included.
 */
static void roundtrip_matches_model(bool noise_free)
{
	struct drm_aimc_cmd c[3];
	struct aimc_model *ref;
	uint32_t i, prog_len, tile;
	struct aimc_desc d;

	if (noise_free) {
		teardown();
		open_sim(AIMC_SIM_NOISE_FREE);
	}
	ref = ref_model(noise_free);
	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY, &tile), 0);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_SLOT, 1, NULL), 0);
	memset(map, 0, BO_SIZE);
	for (i = 0; i < 16 * 32; i++) {
		uint16_t g = (uint16_t)((i * 2654435761u >> 7) % 4096);

		memcpy(map + TGT_OFF + 2 * i, &g, 2);
	}
	for (i = 0; i < 16; i++)
		map[IN_OFF + i] = (uint8_t)(int8_t)((int)(i * 37 % 255) - 127);
	prog_len = mvm_program(map + PROG_OFF, tile, 16, 32, 4);
	c[0] = cmd_window(AIMC_OP_PROGRAM, tile, 16, 32, TGT_OFF);
	c[1] = cmd_window(AIMC_OP_READ, tile, 16, 32, RD_OFF);
	c[2] = (struct drm_aimc_cmd){ .opcode = AIMC_OP_EXEC,
		.flags = AIMC_CMD_F_RESET_STATE, .slot = 1, .steps = 1,
		.in_stride = 16, .out_stride = 64,
		.src = opnd(bo, IN_OFF, 16), .dst = opnd(bo, OUT_OFF, 64),
		.prog = opnd(bo, PROG_OFF, prog_len) };
	memcpy(ref_mem, map, BO_SIZE);
	ck_assert_uint_eq(run(c, 3).status, AIMC_JOB_DONE);
	for (i = 0; i < 3; i++) {
		d = ref_desc(&c[i]);
		ck_assert_uint_eq(aimc_model_execute(ref, &d), AIMC_ST_OK);
	}
	ck_assert_mem_eq(map + RD_OFF, ref_mem + RD_OFF, 2 * 16 * 32);
	ck_assert_mem_eq(map + OUT_OFF, ref_mem + OUT_OFF, 64);
	ck_assert_uint_eq(aimc_model_digest(aimc_sim_model(dev)), aimc_model_digest(ref));
	if (noise_free)
		ck_assert_mem_eq(map + RD_OFF, map + TGT_OFF, 2 * 16 * 32);
	else
		ck_assert_mem_ne(map + RD_OFF, map + TGT_OFF, 2 * 16 * 32);
	aimc_model_destroy(ref);
}

START_TEST(test_roundtrip_noisy_bit_exact)
{
	roundtrip_matches_model(false);
}
END_TEST

START_TEST(test_roundtrip_noise_free_bit_exact)
{
	roundtrip_matches_model(true);
}
END_TEST

/* The program is copied at submit, and a failing command stops the job. */
START_TEST(test_device_error_stops_job)
{
	struct drm_aimc_cmd c[3];
	struct aimc_job_result r;
	uint16_t bad = 30000;	/* above g_max: BAD_OPERAND */
	uint32_t i;

	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 0, NULL), 0);
	for (i = 0; i < 4; i++)
		memcpy(map + TGT_OFF + 2 * i, &(uint16_t){ 1000 }, 2);
	memcpy(map + 4096, &bad, 2);
	memset(map + RD_OFF, 0xaa, 8);
	c[0] = cmd_window(AIMC_OP_PROGRAM, 0, 2, 2, TGT_OFF);
	c[1] = cmd_window(AIMC_OP_PROGRAM, 0, 1, 1, 4096);
	c[2] = cmd_window(AIMC_OP_READ, 0, 2, 2, RD_OFF);
	r = run(c, 3);
	ck_assert_uint_eq(r.status, AIMC_JOB_DEVICE_ERROR);
	ck_assert_uint_eq(r.device_status, AIMC_ST_BAD_OPERAND);
	ck_assert_uint_eq(r.failed_cmd, 1);
	ck_assert_uint_eq(map[RD_OFF], 0xaa);	/* the READ never ran */
}
END_TEST

/* ---- submit-time checks: the driver's errnos ---- */

static int submit1(struct drm_aimc_cmd c)
{
	uint64_t id;

	return aimc_job_submit(dev, &c, 1, NULL, 0, 0, &id);
}

START_TEST(test_submit_errnos)
{
	struct drm_aimc_cmd many[AIMC_SIM_MAX_JOB_CMDS_TEST + 1];
	struct drm_aimc_cmd c;
	uint32_t prog_len, syncobj = 1;
	uint64_t id;

	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_TILE, 0, NULL), 0);
	ck_assert_int_eq(aimc_reserve(dev, AIMC_RESOURCE_SLOT, 0, NULL), 0);

	c = (struct drm_aimc_cmd){ .opcode = AIMC_CMD_COUNT };
	ck_assert_int_eq(submit1(c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "unknown opcode"));
	c = (struct drm_aimc_cmd){ .opcode = AIMC_OP_NOP, .tile = 1 };
	ck_assert_int_eq(submit1(c), -EINVAL);
	c = cmd_window(AIMC_OP_READ, 0, 1, 1, 0);
	c.steps = 1;					/* READ has no steps */
	ck_assert_int_eq(submit1(c), -EINVAL);
	c = cmd_window(AIMC_OP_READ, 0, 1, 1, 0);
	c.src = opnd(bo, 0, 2);				/* nor a source */
	ck_assert_int_eq(submit1(c), -EINVAL);
	c = (struct drm_aimc_cmd){ .opcode = AIMC_OP_WAIT, .flags = 1, .steps = 1 };
	ck_assert_int_eq(submit1(c), -EINVAL);

	ck_assert_int_eq(submit1(cmd_window(AIMC_OP_READ, 1, 1, 1, 0)), -EACCES);
	ck_assert_int_eq(submit1(cmd_window(AIMC_OP_READ, 4, 1, 1, 0)), -EINVAL);
	c = (struct drm_aimc_cmd){ .opcode = AIMC_OP_STATE_SAVE, .slot = 2,
		.dst = opnd(bo, 0, AIMC_STATE_IMAGE_BYTES) };
	ck_assert_int_eq(submit1(c), -EACCES);

	c = cmd_window(AIMC_OP_READ, 0, 1, 1, 0);
	c.dst.handle = 99;
	ck_assert_int_eq(submit1(c), -ENOENT);
	c.dst = opnd(0, 0, 2);
	ck_assert_int_eq(submit1(c), -EINVAL);
	c.dst = opnd(bo, 0, 0);
	ck_assert_int_eq(submit1(c), -EINVAL);
	c.dst = opnd(bo, UINT64_MAX - 1, 2);
	ck_assert_int_eq(submit1(c), -EOVERFLOW);
	c.dst = opnd(bo, BO_SIZE - 1, 2);
	ck_assert_int_eq(submit1(c), -ERANGE);
	c.dst = opnd(bo, 0, AIMC_IO_MAX_BYTES + 1);
	ck_assert_int_eq(submit1(c), -E2BIG);

	/* EXEC: a malformed program, an MVM on a tile we do not own */
	prog_len = mvm_program(map + PROG_OFF, 3, 16, 32, 0);
	c = (struct drm_aimc_cmd){ .opcode = AIMC_OP_EXEC, .slot = 0, .steps = 1,
		.in_stride = 16, .out_stride = 64,
		.src = opnd(bo, IN_OFF, 16), .dst = opnd(bo, OUT_OFF, 64),
		.prog = opnd(bo, PROG_OFF, prog_len) };
	ck_assert_int_eq(submit1(c), -EACCES);
	mvm_program(map + PROG_OFF, 0, 16, 32, 0);
	c.prog.length = prog_len - 1;
	ck_assert_int_eq(submit1(c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "malformed EXEC program"));
	c.prog.length = AIMC_PROG_MAX_BYTES + 1;
	ck_assert_int_eq(submit1(c), -E2BIG);

	/* the job as a whole */
	c = (struct drm_aimc_cmd){ .opcode = AIMC_OP_NOP };
	ck_assert_int_eq(aimc_job_submit(dev, &c, 0, NULL, 0, 0, &id), -EINVAL);
	memset(many, 0, sizeof(many));
	ck_assert_int_eq(aimc_job_submit(dev, many, AIMC_SIM_MAX_JOB_CMDS_TEST + 1,
					 NULL, 0, 0, &id), -E2BIG);
	ck_assert_int_eq(aimc_job_submit(dev, many, AIMC_SIM_MAX_JOB_CMDS_TEST,
					 NULL, 0, 0, &id), 0);
	ck_assert_int_eq(aimc_job_submit(dev, &c, 1, &syncobj, 1, 0, &id),
			 -EOPNOTSUPP);
	ck_assert_int_eq(aimc_job_submit(dev, &c, 1, NULL, 0, 1, &id), -EOPNOTSUPP);
	ck_assert_int_eq(aimc_syncobj_create(dev, &syncobj), -EOPNOTSUPP);
}
END_TEST

START_TEST(test_wait_history)
{
	struct drm_aimc_cmd c = { .opcode = AIMC_OP_NOP };
	struct aimc_job_result r;
	uint64_t first, id = 0, history;
	uint32_t i;

	/* How far back WAIT reaches is the backend's param, not a constant. */
	ck_assert_int_eq(aimc_job_get_param(dev, AIMC_PARAM_JOB_HISTORY, &history), 0);
	ck_assert_uint_gt(history, 0);
	ck_assert_int_eq(aimc_job_wait(dev, 1, 0, &r), -EINVAL);
	ck_assert_int_eq(aimc_job_submit(dev, &c, 1, NULL, 0, 0, &first), 0);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(aimc_job_wait(dev, first, 0, &r), 0);
	ck_assert_uint_eq(r.status, AIMC_JOB_DONE);
	ck_assert_int_eq(aimc_job_wait(dev, first, -1, &r), -EINVAL);
	for (i = 0; i < history; i++)
		ck_assert_int_eq(aimc_job_submit(dev, &c, 1, NULL, 0, 0, &id), 0);
	ck_assert_uint_eq(id, first + history);
	ck_assert_int_eq(aimc_job_wait(dev, first, 0, &r), -ENOENT);
	ck_assert_int_eq(aimc_job_wait(dev, first + 1, 0, &r), 0);
	ck_assert_int_eq(aimc_job_wait(dev, id + 1, 0, &r), -EINVAL);
}
END_TEST

/* ---- opening with options ---- */

START_TEST(test_open_sim_options)
{
	struct aimc_sim_options o = { .tiles = 3, .rows = 32, .cols = 48, .slots = 2 };
	struct aimc_device_info info;
	struct aimc_device *d;

	ck_assert_int_eq(aimc_device_open_sim(&o, &d), 0);
	ck_assert_int_eq(aimc_device_info(d, &info, sizeof(info)), 0);
	ck_assert_uint_eq(info.num_tiles, 3);
	ck_assert_uint_eq(info.tile_rows, 32);
	ck_assert_uint_eq(info.tile_cols, 48);
	ck_assert_uint_eq(info.stream_slots, 2);
	aimc_device_close(d);

	o.reserved[5] = 1;
	ck_assert_int_eq(aimc_device_open_sim(&o, &d), -EINVAL);
	ck_assert_ptr_null(d);
	o.reserved[5] = 0;
	o.flags = 0x80;
	ck_assert_int_eq(aimc_device_open_sim(&o, &d), -EINVAL);
	o.flags = 0;
	o.cols = 33;		/* columns come in differential pairs */
	ck_assert_int_eq(aimc_device_open_sim(&o, &d), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "aimc_device_open_sim: options: a configuration the device model refuses"));
	ck_assert_int_eq(aimc_device_open_sim(NULL, NULL), -EINVAL);
	ck_assert_int_eq(aimc_device_open_sim(NULL, &d), 0);
	aimc_device_close(d);
}
END_TEST

/* API 2.1: presets by index, telemetry, the sim's clock */
START_TEST(test_sim_presets_telemetry_clock)
{
	struct aimc_sim_options o = { .preset = 1 };
	struct aimc_device_info info;
	struct aimc_device_telemetry t;
	struct aimc_device *d;
	uint32_t i;

	ck_assert_str_eq(aimc_sim_preset_name(0), "pcm");
	ck_assert_str_eq(aimc_sim_preset_name(1), "rram");
	for (i = 0; aimc_sim_preset_name(i); i++)
		;
	ck_assert_int_eq(aimc_device_open_sim(&o, &d), 0);
	ck_assert_int_eq(aimc_device_info(d, &info, sizeof(info)), 0);
	ck_assert_uint_eq(info.g_max_nsiemens, 40000);	/* rram's range */
	ck_assert_int_eq(aimc_device_telemetry(d, &t, sizeof(t)), 0);
	ck_assert_uint_eq(t.preset, 1);
	ck_assert_uint_eq(t.flags, AIMC_TELEMETRY_ENERGY | AIMC_TELEMETRY_ENERGY_KINDS |
				   AIMC_TELEMETRY_PRESET);
	ck_assert_uint_eq(t.energy_fj, 0);
	ck_assert_uint_eq(t.busy_ns, 0);
	/* a size below 2.1's struct is refused */
	ck_assert_int_eq(aimc_device_telemetry(d, &t, 8), -EINVAL);
	aimc_device_close(d);

	o.preset = i;		/* one past the last */
	ck_assert_int_eq(aimc_device_open_sim(&o, &d), -EINVAL);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "no preset"));
	ck_assert_ptr_null(d);

	/* the default card: pcm; work costs energy and time, idling costs neither */
	ck_assert_int_eq(aimc_device_open_sim(NULL, &d), 0);
	ck_assert_int_eq(aimc_device_info(d, &info, sizeof(info)), 0);
	ck_assert_uint_eq(info.g_max_nsiemens, 25000);
	ck_assert_int_eq(aimc_device_advance_clock(d, 3600ull * 1000000000ull), 0);
	ck_assert_int_eq(aimc_device_telemetry(d, &t, sizeof(t)), 0);
	ck_assert_uint_eq(t.preset, 0);
	ck_assert_uint_eq(t.energy_fj, 0);
	ck_assert_uint_eq(t.busy_ns, 0);
	ck_assert_uint_eq(aimc_model_clock_s(aimc_sim_model(d)), 3600);
	aimc_device_close(d);
	ck_assert_int_eq(aimc_device_advance_clock(NULL, 1), -EINVAL);
}
END_TEST

Suite *runtime_sim_job_suite(void)
{
	Suite *s = suite_create("runtime_sim_job");
	TCase *tc = tcase_create("sim_job");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bo_mmap_shares_pages);
	tcase_add_test(tc, test_reserve_release);
	tcase_add_test(tc, test_roundtrip_noisy_bit_exact);
	tcase_add_test(tc, test_roundtrip_noise_free_bit_exact);
	tcase_add_test(tc, test_device_error_stops_job);
	tcase_add_test(tc, test_submit_errnos);
	tcase_add_test(tc, test_wait_history);
	tcase_add_test(tc, test_open_sim_options);
	tcase_add_test(tc, test_sim_presets_telemetry_clock);
	suite_add_tcase(s, tc);
	return s;
}
