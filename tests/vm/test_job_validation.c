// SPDX-License-Identifier: MIT
/*
 * Guest tests: every argument the buffer, reservation, submit and wait
 * ioctls reject, one test each, with otherwise valid input and the exact
 * errno of uapi/drm/aimc_accel.h.  Each test then makes the same call
 * with the one bad field fixed and checks that it succeeds, so a test
 * can only pass because of the field it is about.
 */
#include "vm_util.h"

#define BO_SIZE		(64 * 1024)
#define TGT_OFF		0	/* 4x4 u16 targets */
#define OUT_OFF		4096
#define PROG_OFF	8192
#define IN_OFF		12288

static struct vm_dev V;
static uint32_t tile, slot, bo;
static uint8_t *map;
static uint64_t map_size;

static void setup(void)
{
	int i;

	vm_check_phase();
	vm_open(&V);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_TILE, AIMC_JOB_ANY,
				      &tile), 0);
	ck_assert_int_eq(aimc_reserve(V.dev, AIMC_RESOURCE_SLOT, AIMC_JOB_ANY,
				      &slot), 0);
	vm_bo_new_mapped(&V, BO_SIZE, &bo, &map, &map_size);
	for (i = 0; i < 16; i++)
		vm_put16(map + TGT_OFF + 2 * i, 10000);
}

static void teardown(void)
{
	aimc_bo_munmap(map, map_size);
	vm_close(&V);
}

/* A tile nobody has reserved (this process is the only client). */
static uint32_t free_tile(void)
{
	return (tile + 1) % V.info.num_tiles;
}

static struct drm_aimc_cmd good_program(void)
{
	return cmd_program(tile, 0, 0, 4, 4, bo, TGT_OFF);
}

static void assert_runs(const struct drm_aimc_cmd *c, uint32_t n)
{
	ck_assert_int_eq(r_run(V.fd, c, n), AIMC_JOB_DONE);
}

/* LOAD 4 s8, MVM on @mvm_tile (4 rows, 2 outputs), STORE 2 s8 */
static uint32_t mvm_program(uint32_t mvm_tile, uint32_t magic)
{
	struct vm_prog p = { .n_uops = 0 };
	uint32_t len;

	vm_uop(&p, AIMC_UOP_LOAD, 0, 0, 0, 4, 0, 0, 1);
	vm_uop(&p, AIMC_UOP_MVM, 1, 0, 0, 4, (uint16_t)mvm_tile,
	       AIMC_MVM_IMM0(0, 0), AIMC_MVM_IMM1(4, 8));
	vm_uop(&p, AIMC_UOP_STORE, 0, 1, 0, 2, 0, 0, 1);
	len = vm_prog_emit(&p, map + PROG_OFF);
	vm_put32(map + PROG_OFF, magic);
	return len;
}

static struct drm_aimc_cmd mvm_exec(uint32_t exec_slot, uint32_t len)
{
	return cmd_exec(exec_slot, AIMC_CMD_F_RESET_STATE, 2, 4, 2, bo, IN_OFF,
			OUT_OFF, PROG_OFF, len);
}

/* ---- buffers ---- */

START_TEST(test_bo_create_zero_size)
{
	uint32_t h;

	ck_assert_int_eq(r_bo_create(V.fd, 0, 0, &h), -EINVAL);
	ck_assert_int_eq(r_bo_create(V.fd, 1, 0, &h), 0);
}
END_TEST

START_TEST(test_bo_create_too_large)
{
	uint64_t max;
	uint32_t h;

	ck_assert_int_eq(r_get_param(V.fd, AIMC_PARAM_MAX_BO_SIZE, &max), 0);
	ck_assert_int_eq(r_bo_create(V.fd, max + 1, 0, &h), -EINVAL);
	ck_assert_int_eq(r_bo_create(V.fd, UINT64_MAX, 0, &h), -EINVAL);
	ck_assert_int_eq(r_bo_create(V.fd, 8192, 0, &h), 0);
}
END_TEST

START_TEST(test_bo_create_unknown_flag)
{
	uint32_t h;

	ck_assert_int_eq(r_bo_create(V.fd, 4096, 1, &h), -EINVAL);
	ck_assert_int_eq(r_bo_create(V.fd, 4096, 0x80000000u, &h), -EINVAL);
	ck_assert_int_eq(r_bo_create(V.fd, 4096, 0, &h), 0);
}
END_TEST

START_TEST(test_bo_info_bad_handle)
{
	struct drm_aimc_bo_info a = { .handle = bo + 1000 };

	ck_assert_int_eq(r_ioctl(V.fd, DRM_IOCTL_AIMC_BO_INFO, &a), -ENOENT);
	a.handle = 0;
	ck_assert_int_eq(r_ioctl(V.fd, DRM_IOCTL_AIMC_BO_INFO, &a), -ENOENT);
	a.handle = bo;
	ck_assert_int_eq(r_ioctl(V.fd, DRM_IOCTL_AIMC_BO_INFO, &a), 0);
	ck_assert_uint_eq(a.size, BO_SIZE);
}
END_TEST

START_TEST(test_bo_info_reserved_nonzero)
{
	struct drm_aimc_bo_info a = { .handle = bo, .reserved = 1 };

	ck_assert_int_eq(r_ioctl(V.fd, DRM_IOCTL_AIMC_BO_INFO, &a), -EINVAL);
	a.reserved = 0;
	ck_assert_int_eq(r_ioctl(V.fd, DRM_IOCTL_AIMC_BO_INFO, &a), 0);
}
END_TEST

START_TEST(test_bo_closed_handle_is_enoent)
{
	struct drm_aimc_cmd c = good_program();
	uint32_t h;
	uint64_t job;

	ck_assert_int_eq(aimc_bo_create(V.dev, 4096, &h), 0);
	ck_assert_int_eq(aimc_bo_close(V.dev, h), 0);
	ck_assert_int_eq(aimc_bo_info(V.dev, h, NULL, NULL), -ENOENT);
	/* GEM_CLOSE is the DRM core's: it says EINVAL for unknown handles */
	ck_assert_int_eq(aimc_bo_close(V.dev, h), -EINVAL);
	c.src.handle = h;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -ENOENT);
}
END_TEST

/* ---- reservation ---- */

START_TEST(test_reserve_unknown_type)
{
	uint32_t t = free_tile();

	ck_assert_int_eq(r_reserve(V.fd, 2, t, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, 0xffffffffu, t, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0, 0, NULL), 0);
}
END_TEST

START_TEST(test_reserve_index_out_of_range)
{
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, V.info.num_tiles,
				   0, 0, NULL), -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, 0xffffffffu, 0, 0,
				   NULL), -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_SLOT,
				   V.info.stream_slots, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, V.info.num_tiles,
				   0, 0), -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_SLOT,
				   (slot + 1) % V.info.stream_slots, 0, 0,
				   NULL), 0);
}
END_TEST

START_TEST(test_reserve_unknown_flag)
{
	uint32_t t = free_tile();

	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0x2, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t,
				   AIMC_RESERVE_ANY | 0x80000000u, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0, 0, NULL), 0);
}
END_TEST

START_TEST(test_reserve_reserved_nonzero)
{
	uint32_t t = free_tile();

	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0, 1, NULL),
			 -EINVAL);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0, 0, NULL), 0);
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, t, 0, 1), -EINVAL);
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, t, 0, 0), 0);
}
END_TEST

START_TEST(test_reserve_twice_is_eexist)
{
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, tile, 0, 0, NULL),
			 -EEXIST);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_SLOT, slot, 0, 0, NULL),
			 -EEXIST);
}
END_TEST

START_TEST(test_reserve_any_exhausted_is_enospc)
{
	uint32_t i, got, seen = 1u << tile;

	for (i = 1; i < V.info.num_tiles; i++) {
		ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, 0,
					   AIMC_RESERVE_ANY, 0, &got), 0);
		ck_assert_uint_lt(got, V.info.num_tiles);
		ck_assert_msg(!(seen & (1u << got)), "tile %u handed out twice",
			      got);
		seen |= 1u << got;
	}
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, 0,
				   AIMC_RESERVE_ANY, 0, &got), -ENOSPC);
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, tile, 0, 0), 0);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, 0,
				   AIMC_RESERVE_ANY, 0, &got), 0);
	ck_assert_uint_eq(got, tile);
}
END_TEST

START_TEST(test_release_not_owned_is_eacces)
{
	uint32_t t = free_tile();

	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, t, 0, 0), -EACCES);
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_SLOT,
				   (slot + 1) % V.info.stream_slots, 0, 0),
			 -EACCES);
	ck_assert_int_eq(aimc_release(V.dev, AIMC_RESOURCE_TILE, tile), 0);
	ck_assert_int_eq(aimc_release(V.dev, AIMC_RESOURCE_TILE, tile), -EACCES);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "release tile"));
}
END_TEST

START_TEST(test_release_with_flag_is_einval)
{
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, tile,
				   AIMC_RESERVE_ANY, 0), -EINVAL);
	ck_assert_int_eq(r_release(V.fd, AIMC_RESOURCE_TILE, tile, 0, 0), 0);
}
END_TEST

START_TEST(test_tile_of_other_file)
{
	struct vm_dev other;
	struct drm_aimc_cmd c;
	uint32_t t = free_tile();
	uint64_t job;

	vm_open_node(&other, V.info.node);
	ck_assert_int_eq(r_reserve(other.fd, AIMC_RESOURCE_TILE, t, 0, 0, NULL),
			 0);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0, 0, NULL),
			 -EBUSY);
	c = cmd_program(t, 0, 0, 4, 4, bo, TGT_OFF);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	c = cmd_read(t, 0, 0, 4, 4, bo, OUT_OFF);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	/* released by closing the other file: now ours to take */
	vm_close(&other);
	ck_assert_int_eq(r_reserve(V.fd, AIMC_RESOURCE_TILE, t, 0, 0, NULL), 0);
	c = cmd_program(t, 0, 0, 4, 4, bo, TGT_OFF);
	assert_runs(&c, 1);
}
END_TEST

/* ---- submit: operands ---- */

START_TEST(test_submit_bad_handle)
{
	struct drm_aimc_cmd c = good_program();
	uint64_t job;

	c.src.handle = bo + 1000;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -ENOENT);
	c = cmd_read(tile, 0, 0, 4, 4, bo + 1000, OUT_OFF);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -ENOENT);
	c = good_program();
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_offset_overflow)
{
	struct drm_aimc_cmd c = good_program();
	uint64_t job;

	c.src.offset = UINT64_MAX - 8;		/* + 32 wraps */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EOVERFLOW);
	c = cmd_read(tile, 0, 0, 4, 4, bo, UINT64_MAX - 31 + 1);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EOVERFLOW);
	c = good_program();
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_past_end_of_buffer)
{
	struct drm_aimc_cmd c = good_program();
	uint64_t job;

	c.src.offset = BO_SIZE - 31;		/* one byte past the end */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -ERANGE);
	c.src.offset = 1ull << 40;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -ERANGE);
	c = cmd_read(tile, 0, 0, 4, 4, bo, BO_SIZE - 31);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -ERANGE);
	memcpy(map + BO_SIZE - 32, map + TGT_OFF, 32);
	c = good_program();
	c.src.offset = BO_SIZE - 32;		/* ends exactly at the end */
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_operand_too_long)
{
	struct vm_prog p = { .n_uops = 0 };
	struct drm_aimc_cmd c;
	uint32_t big, len;
	uint8_t *bmap;
	uint64_t bsize, job;

	/* 3 steps of 65535 input bytes: consistent, but past 128 KiB */
	ck_assert_int_eq(aimc_bo_create(V.dev, 256 * 1024, &big), 0);
	ck_assert_int_eq(aimc_bo_mmap(V.dev, big, (void **)&bmap, &bsize), 0);
	vm_uop(&p, AIMC_UOP_LOAD, 0, 0, 0, 1, 0, 0, 1);
	vm_uop(&p, AIMC_UOP_STORE, 0, 0, 0, 1, 0, 0, 1);
	len = vm_prog_emit(&p, bmap);
	c = cmd_exec(slot, 0, 3, 65535, 1, big, 4096, 1024, 0, len);
	ck_assert_uint_eq(c.src.length, 196605);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -E2BIG);
	c = cmd_exec(slot, 0, 2, 65535, 1, big, 4096, 1024, 0, len);
	assert_runs(&c, 1);
	aimc_bo_munmap(bmap, bsize);
}
END_TEST

START_TEST(test_submit_unused_operand_nonzero)
{
	struct drm_aimc_cmd c = good_program();
	uint64_t job;

	c.dst = opnd(bo, OUT_OFF, 32);		/* PROGRAM writes nothing */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c.dst = opnd(0, 0, 8);			/* no handle, but a length */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c.dst = opnd(0, 8, 0);			/* no handle, but an offset */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = good_program();
	c.prog = opnd(bo, PROG_OFF, 16);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = good_program();
	assert_runs(&c, 1);
}
END_TEST

/* ---- submit: tiles, slots and programs ---- */

START_TEST(test_submit_unowned_tile)
{
	struct drm_aimc_cmd c = cmd_program(free_tile(), 0, 0, 4, 4, bo,
					    TGT_OFF);
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	c = cmd_read(free_tile(), 0, 0, 4, 4, bo, OUT_OFF);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	/* one bad command fails the whole job: nothing is queued */
	{
		struct drm_aimc_cmd two[2] = { good_program(), c };

		ck_assert_int_eq(r_submit(V.fd, two, 2, &job), -EACCES);
	}
	c = cmd_read(tile, 0, 0, 4, 4, bo, OUT_OFF);
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_unowned_slot)
{
	uint32_t len = mvm_program(tile, AIMC_PROG_MAGIC);
	struct drm_aimc_cmd c = mvm_exec((slot + 1) % V.info.stream_slots, len);
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	c = cmd_state_save((slot + 1) % V.info.stream_slots, bo, 16384);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	c = mvm_exec(slot, len);
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_exec_program_unowned_tile)
{
	uint32_t len = mvm_program(free_tile(), AIMC_PROG_MAGIC);
	struct drm_aimc_cmd c = mvm_exec(slot, len);
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EACCES);
	len = mvm_program(tile, AIMC_PROG_MAGIC);
	c = mvm_exec(slot, len);
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_malformed_program)
{
	uint32_t len = mvm_program(tile, 0x12345678);
	struct drm_aimc_cmd c = mvm_exec(slot, len);
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	len = mvm_program(tile, AIMC_PROG_MAGIC);
	c = mvm_exec(slot, len - 1);		/* length off by one */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = mvm_exec(slot, len);
	assert_runs(&c, 1);
}
END_TEST

/* ---- submit: struct fields ---- */

START_TEST(test_submit_reserved_nonzero)
{
	struct drm_aimc_cmd c = good_program();
	struct r_submit_args s = { .cmds = &c, .count = 1, .reserved = 1 };
	uint64_t job;

	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.reserved = 0x80000000u;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.reserved = 0;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
}
END_TEST

START_TEST(test_submit_unknown_flag)
{
	struct drm_aimc_cmd c = good_program();
	struct r_submit_args s = { .cmds = &c, .count = 1, .flags = 1 };
	uint64_t job;

	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.flags = 0x80000000u;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.flags = 0;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
}
END_TEST

START_TEST(test_cmd_unknown_flag)
{
	struct drm_aimc_cmd c = good_program();
	uint32_t len;
	uint64_t job;

	c.flags = AIMC_CMD_F_RESET_STATE;	/* EXEC only */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	len = mvm_program(tile, AIMC_PROG_MAGIC);
	c = mvm_exec(slot, len);
	c.flags = 0x02;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c.flags = 0x80 | AIMC_CMD_F_RESET_STATE;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c.flags = AIMC_CMD_F_RESET_STATE;
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_cmd_unknown_opcode)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint64_t job;

	c.opcode = AIMC_OP_WAIT + 1;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c.opcode = 0xff;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c.opcode = AIMC_OP_NOP;
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_cmd_unused_field_nonzero)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint64_t job;

	c.tile = (uint16_t)tile;		/* NOP uses no tile */
	if (!tile)
		c.tile = 1;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = cmd_read(tile, 0, 0, 4, 4, bo, OUT_OFF);
	c.steps = 1;				/* READ has no steps */
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = good_program();
	c.slot = (uint16_t)slot;		/* PROGRAM has no slot */
	if (!slot)
		c.slot = 1;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = good_program();
	c.in_stride = 4;
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), -EINVAL);
	c = cmd_read(tile, 0, 0, 4, 4, bo, OUT_OFF);
	assert_runs(&c, 1);
}
END_TEST

START_TEST(test_submit_zero_commands)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 0, &job), -EINVAL);
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), 0);
}
END_TEST

START_TEST(test_submit_too_many_commands)
{
	uint64_t max, job;
	struct drm_aimc_cmd *c;
	uint32_t i;

	ck_assert_int_eq(r_get_param(V.fd, AIMC_PARAM_MAX_JOB_CMDS, &max), 0);
	ck_assert_uint_ge(max, 1);
	ck_assert_uint_le(max, 1u << 20);
	c = calloc(max + 1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	for (i = 0; i <= max; i++)
		c[i] = cmd_nop();
	ck_assert_int_eq(r_submit(V.fd, c, (uint32_t)max + 1, &job), -E2BIG);
	ck_assert_int_eq(r_submit(V.fd, c, 0xffffffffu, &job), -E2BIG);
	assert_runs(c, (uint32_t)max);
	free(c);
}
END_TEST

START_TEST(test_submit_cmd_size_too_small)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct r_submit_args s = {
		.cmds = &c, .count = 1,
		.cmd_size = sizeof(c) - 8,
	};
	uint64_t job;

	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.cmd_size = 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.cmd_size = sizeof(c);
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
}
END_TEST

START_TEST(test_submit_cmd_tail_nonzero)
{
	/* a newer userspace's larger command: two entries of size + 8 */
	enum { SZ = sizeof(struct drm_aimc_cmd) + 8 };
	uint8_t buf[2 * SZ];
	struct drm_aimc_cmd c = good_program();
	struct r_submit_args s = { .cmds = buf, .count = 2, .cmd_size = SZ };
	uint64_t job;
	uint32_t i, sum;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &c, sizeof(c));
	c = cmd_read(tile, 0, 0, 4, 4, bo, OUT_OFF);
	memcpy(buf + SZ, &c, sizeof(c));
	buf[2 * SZ - 1] = 1;		/* second entry's last byte */
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -E2BIG);
	buf[2 * SZ - 1] = 0;
	memset(map + OUT_OFF, 0, 32);
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
	/* the second entry (a READ) was found at the caller's stride */
	for (i = 0, sum = 0; i < 16; i++)
		sum += vm_get16(map + OUT_OFF + 2 * i);
	ck_assert_uint_gt(sum, 0);
}
END_TEST

/*
 * cmd_size is bounded: below the first version's struct or above
 * AIMC_CMD_SIZE_MAX is refused at once, however many bytes it would have
 * the driver check (4 GiB of zero tail was a CPU denial of service).
 */
START_TEST(test_submit_cmd_size_bounded)
{
	static uint8_t buf[AIMC_CMD_SIZE_MAX];
	struct drm_aimc_cmd c = good_program();
	struct r_submit_args s = { .cmds = buf, .count = 1 };
	uint64_t job;
	int64_t t0;

	ck_assert_uint_eq(sizeof(struct drm_aimc_cmd), AIMC_CMD_SIZE_V1);
	memcpy(buf, &c, sizeof(c));
	s.cmd_size = AIMC_CMD_SIZE_V1 - 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	s.cmd_size = AIMC_CMD_SIZE_MAX + 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	t0 = vm_now_ms();
	s.cmd_size = 0xffffffffu;
	s.count = 64;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -EINVAL);
	ck_assert_int_lt(vm_now_ms() - t0, 100);
	/* the largest size, its tail zero, is a command like any other */
	s.cmd_size = AIMC_CMD_SIZE_MAX;
	s.count = 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
	buf[AIMC_CMD_SIZE_MAX - 1] = 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -E2BIG);
}
END_TEST

START_TEST(test_submit_unknown_syncobj)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint32_t sync, bad = 0x7fff;
	struct r_submit_args s = { .cmds = &c, .count = 1, .in = &bad,
				   .n_in = 1 };
	uint64_t job;

	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -ENOENT);
	s.n_in = 0;
	s.out = bad;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), -ENOENT);
	ck_assert_int_eq(aimc_syncobj_create(V.dev, &sync), 0);
	s.out = sync;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
	s.out = 0;
	s.in = &sync;
	s.n_in = 1;
	ck_assert_int_eq(r_submit_ex(V.fd, &s, &job), 0);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
}
END_TEST

/* ---- wait ---- */

START_TEST(test_wait_unknown_job)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), 0);
	ck_assert_int_eq(r_wait(V.fd, job + 1000, aimc_deadline_ns(1000), 0,
				NULL), -EINVAL);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
}
END_TEST

START_TEST(test_wait_unknown_flag)
{
	struct drm_aimc_cmd c = cmd_nop();
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), 0);
	ck_assert_int_eq(r_wait(V.fd, job, aimc_deadline_ns(10000), 1, NULL),
			 -EINVAL);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
}
END_TEST

START_TEST(test_wait_negative_timeout)
{
	struct drm_aimc_cmd c = cmd_nop();
	struct drm_aimc_wait w;
	uint64_t job;

	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), 0);
	ck_assert_int_eq(r_wait_status(V.fd, job, 10000), AIMC_JOB_DONE);
	ck_assert_int_eq(r_wait(V.fd, job, -1, 0, NULL), -EINVAL);
	ck_assert_int_eq(r_wait(V.fd, job, INT64_MIN, 0, NULL), -EINVAL);
	/* a finished job and a time in the past: a poll that succeeds */
	ck_assert_int_eq(r_wait(V.fd, job, 0, 0, &w), 0);
	ck_assert_uint_eq(w.status, AIMC_JOB_DONE);
}
END_TEST

/*
 * An unfinished job needs a card that does not finish it: "hang next
 * job", with aimc.job_timeout_ms lowered by the fixture so the reset
 * comes quickly.
 */
START_TEST(test_wait_past_timeout_unfinished)
{
	struct drm_aimc_cmd c = cmd_read(tile, 0, 0, 4, 4, bo, OUT_OFF);
	struct drm_aimc_wait w;
	uint64_t job;

	ck_assert_int_eq(vm_job_timeout_ms(), VM_SHORT_TIMEOUT_MS);
	vm_knob("hang_next_job", "1");
	ck_assert_int_eq(r_submit(V.fd, &c, 1, &job), 0);
	ck_assert_int_eq(r_wait(V.fd, job, 0, 0, &w), -ETIME);
	ck_assert_int_eq(r_wait(V.fd, job, aimc_deadline_ns(0) - 1000000, 0,
				&w), -ETIME);
	ck_assert_int_eq(aimc_job_wait(V.dev, job, aimc_deadline_ns(20), NULL),
			 -ETIME);
	ck_assert_ptr_nonnull(strstr(aimc_last_error(), "deadline"));
	ck_assert_int_eq(r_wait(V.fd, job, aimc_deadline_ns(10000), 0, &w), 0);
	ck_assert_uint_eq(w.status, AIMC_JOB_TIMED_OUT);
	assert_runs(&c, 1);
}
END_TEST

Suite *job_validation_suite(void)
{
	Suite *s = suite_create("job_validation");
	TCase *tc = tcase_create("bo");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bo_create_zero_size);
	tcase_add_test(tc, test_bo_create_too_large);
	tcase_add_test(tc, test_bo_create_unknown_flag);
	tcase_add_test(tc, test_bo_info_bad_handle);
	tcase_add_test(tc, test_bo_info_reserved_nonzero);
	tcase_add_test(tc, test_bo_closed_handle_is_enoent);
	suite_add_tcase(s, tc);

	tc = tcase_create("reserve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reserve_unknown_type);
	tcase_add_test(tc, test_reserve_index_out_of_range);
	tcase_add_test(tc, test_reserve_unknown_flag);
	tcase_add_test(tc, test_reserve_reserved_nonzero);
	tcase_add_test(tc, test_reserve_twice_is_eexist);
	tcase_add_test(tc, test_reserve_any_exhausted_is_enospc);
	tcase_add_test(tc, test_release_not_owned_is_eacces);
	tcase_add_test(tc, test_release_with_flag_is_einval);
	tcase_add_test(tc, test_tile_of_other_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("submit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_submit_bad_handle);
	tcase_add_test(tc, test_submit_offset_overflow);
	tcase_add_test(tc, test_submit_past_end_of_buffer);
	tcase_add_test(tc, test_submit_operand_too_long);
	tcase_add_test(tc, test_submit_unused_operand_nonzero);
	tcase_add_test(tc, test_submit_unowned_tile);
	tcase_add_test(tc, test_submit_unowned_slot);
	tcase_add_test(tc, test_submit_exec_program_unowned_tile);
	tcase_add_test(tc, test_submit_malformed_program);
	tcase_add_test(tc, test_submit_reserved_nonzero);
	tcase_add_test(tc, test_submit_unknown_flag);
	tcase_add_test(tc, test_cmd_unknown_flag);
	tcase_add_test(tc, test_cmd_unknown_opcode);
	tcase_add_test(tc, test_cmd_unused_field_nonzero);
	tcase_add_test(tc, test_submit_zero_commands);
	tcase_add_test(tc, test_submit_too_many_commands);
	tcase_add_test(tc, test_submit_cmd_size_too_small);
	tcase_add_test(tc, test_submit_cmd_tail_nonzero);
	tcase_add_test(tc, test_submit_cmd_size_bounded);
	tcase_add_test(tc, test_submit_unknown_syncobj);
	suite_add_tcase(s, tc);

	tc = tcase_create("wait");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wait_unknown_job);
	tcase_add_test(tc, test_wait_unknown_flag);
	tcase_add_test(tc, test_wait_negative_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("wait_unfinished");
	tcase_add_unchecked_fixture(tc, vm_short_timeout_setup,
				    vm_short_timeout_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_wait_past_timeout_unfinished);
	suite_add_tcase(s, tc);
	return s;
}
