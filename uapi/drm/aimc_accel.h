/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * Userspace interface of aimc.ko, the driver of the AIMC-1 analog
 * in-memory-computing card.
 *
 * Rules this ABI keeps (Documentation/process/botching-up-ioctls.rst):
 * every struct has fixed-size members, explicit padding and a size that
 * is a multiple of 8; every reserved or pad member must be zero and is
 * checked; structs only ever grow at the end; every size and count is
 * bounded; features are announced by capability bits
 * (%AIMC_PARAM_CAPABILITIES), never guessed from a version; the driver's
 * implementation limits are params, not constants of this header.
 *
 * Completion: a job's fence (an out-syncobj's, binary or a timeline
 * point) orders jobs, also across drivers, and can be polled as a
 * sync_file; %DRM_IOCTL_AIMC_WAIT is kept beside it because only it
 * reports why a job failed (&drm_aimc_wait.status, .device_status,
 * .failed_cmd): a fence carries no more than an errno.
 */
#ifndef __AIMC_ACCEL_H__
#define __AIMC_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * define AIMC_ABI_VERSION - version of this interface
 *
 * Returned by %AIMC_PARAM_ABI_VERSION.  The major number (bits 31:16)
 * changes only if an existing ioctl changes meaning: userspace refuses a
 * driver of another major.  The minor number (bits 15:0) grows when
 * ioctls, params or flags are added; whether one is there is told by its
 * capability bit, not by the minor.  Major 2 (this one): SUBMIT takes
 * arrays of &struct drm_aimc_sync (timeline points), limits are params.
 */
#define AIMC_ABI_VERSION_MAJOR	2
#define AIMC_ABI_VERSION_MINOR	0
#define AIMC_ABI_VERSION \
	((AIMC_ABI_VERSION_MAJOR << 16) | AIMC_ABI_VERSION_MINOR)

#define DRM_AIMC_GET_PARAM	0x00
#define DRM_AIMC_BO_CREATE	0x01
#define DRM_AIMC_BO_INFO	0x02
#define DRM_AIMC_RESERVE	0x03
#define DRM_AIMC_RELEASE	0x04
#define DRM_AIMC_SUBMIT		0x05
#define DRM_AIMC_WAIT		0x06

#define DRM_IOCTL_AIMC_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_GET_PARAM, struct drm_aimc_get_param)
#define DRM_IOCTL_AIMC_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_BO_CREATE, struct drm_aimc_bo_create)
#define DRM_IOCTL_AIMC_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_BO_INFO, struct drm_aimc_bo_info)
#define DRM_IOCTL_AIMC_RESERVE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_RESERVE, struct drm_aimc_reserve)
#define DRM_IOCTL_AIMC_RELEASE \
	DRM_IOW(DRM_COMMAND_BASE + DRM_AIMC_RELEASE, struct drm_aimc_reserve)
#define DRM_IOCTL_AIMC_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_SUBMIT, struct drm_aimc_submit)
#define DRM_IOCTL_AIMC_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_AIMC_WAIT, struct drm_aimc_wait)

/**
 * enum drm_aimc_param - what %DRM_IOCTL_AIMC_GET_PARAM can query
 *
 * @AIMC_PARAM_DEVICE_ID: identity register of the card ("AIMC", 0x41494d43)
 * @AIMC_PARAM_HW_VERSION: hardware version, major << 16 | minor
 * @AIMC_PARAM_ABI_VERSION: this interface's version, %AIMC_ABI_VERSION
 * @AIMC_PARAM_SERIAL: serial number of the card
 * @AIMC_PARAM_NUM_TILES: number of crossbar tiles
 * @AIMC_PARAM_TILE_ROWS: rows (inputs) per tile
 * @AIMC_PARAM_TILE_COLS: columns (outputs) per tile
 * @AIMC_PARAM_DAC_BITS: input DAC resolution in bits
 * @AIMC_PARAM_ADC_BITS: output ADC resolution in bits
 * @AIMC_PARAM_G_MIN_NS: lowest programmable conductance, nanosiemens
 * @AIMC_PARAM_G_MAX_NS: highest programmable conductance, nanosiemens
 * @AIMC_PARAM_SRAM_KIB: digital-unit SRAM, KiB
 * @AIMC_PARAM_STREAM_SLOTS: number of recurrent-state stream slots
 * @AIMC_PARAM_QUEUE_DEPTH: largest command ring the card supports
 * @AIMC_PARAM_MAX_JOB_CMDS: most commands one %DRM_IOCTL_AIMC_SUBMIT takes
 * @AIMC_PARAM_JOB_TIMEOUT_MS: a job running longer than this on the card
 *	is failed with %AIMC_JOB_TIMED_OUT and the card is reset
 * @AIMC_PARAM_RESET_COUNT: card resets since the driver bound to it
 * @AIMC_PARAM_CAPABILITIES: the %AIMC_CAP_* bits of what this driver does
 * @AIMC_PARAM_MAX_SYNCS: most in- (and most out-) syncs one SUBMIT takes
 * @AIMC_PARAM_MAX_FILE_JOBS: most unfinished jobs one open file may have
 *	(SUBMIT gives -EAGAIN past it)
 * @AIMC_PARAM_JOB_HISTORY: how many of a file's last finished jobs WAIT
 *	still knows (-ENOENT for older ones)
 * @AIMC_PARAM_MAX_BO_SIZE: largest buffer %DRM_IOCTL_AIMC_BO_CREATE makes,
 *	bytes
 * @AIMC_PARAM_COUNT: number of params; not a param itself
 */
enum drm_aimc_param {
	AIMC_PARAM_DEVICE_ID = 0,
	AIMC_PARAM_HW_VERSION = 1,
	AIMC_PARAM_ABI_VERSION = 2,
	AIMC_PARAM_SERIAL = 3,
	AIMC_PARAM_NUM_TILES = 4,
	AIMC_PARAM_TILE_ROWS = 5,
	AIMC_PARAM_TILE_COLS = 6,
	AIMC_PARAM_DAC_BITS = 7,
	AIMC_PARAM_ADC_BITS = 8,
	AIMC_PARAM_G_MIN_NS = 9,
	AIMC_PARAM_G_MAX_NS = 10,
	AIMC_PARAM_SRAM_KIB = 11,
	AIMC_PARAM_STREAM_SLOTS = 12,
	AIMC_PARAM_QUEUE_DEPTH = 13,
	AIMC_PARAM_MAX_JOB_CMDS = 14,
	AIMC_PARAM_JOB_TIMEOUT_MS = 15,
	AIMC_PARAM_RESET_COUNT = 16,
	AIMC_PARAM_CAPABILITIES = 17,
	AIMC_PARAM_MAX_SYNCS = 18,
	AIMC_PARAM_MAX_FILE_JOBS = 19,
	AIMC_PARAM_JOB_HISTORY = 20,
	AIMC_PARAM_MAX_BO_SIZE = 21,
	AIMC_PARAM_COUNT
};

/*
 * Capability bits (%AIMC_PARAM_CAPABILITIES).  AIMC_CAP_TIMELINE_SYNCS:
 * &drm_aimc_sync.point may name a timeline syncobj's point.
 */
#define AIMC_CAP_TIMELINE_SYNCS	0x1ull

/**
 * struct drm_aimc_get_param - query one device parameter
 * @param: in, one of &enum drm_aimc_param
 * @reserved: in, must be zero
 * @value: out, the parameter's value
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @reserved,
 * -ENODEV once the device has been removed.
 */
struct drm_aimc_get_param {
	__u32 param;
	__u32 reserved;
	__u64 value;
};

/**
 * struct drm_aimc_bo_create - create a buffer object
 * @size: in, bytes, 1..%AIMC_PARAM_MAX_BO_SIZE; rounded up to whole pages
 * @flags: in, must be zero
 * @handle: out, GEM handle of the new buffer, valid in this file only
 *
 * Buffers are shmem-backed: their pages exist only while the CPU or a job
 * uses them.  A job pins and maps the part of a buffer each command names
 * for the job's lifetime only.  Errors: -EINVAL for a zero or too large
 * @size or non-zero @flags, -ENOMEM.
 */
struct drm_aimc_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_aimc_bo_info - size and mmap offset of a buffer
 * @handle: in, GEM handle
 * @reserved: in, must be zero
 * @size: out, bytes
 * @mmap_offset: out, offset to pass to mmap() on the device file
 *
 * Errors: -ENOENT for an unknown @handle, -EINVAL for non-zero @reserved.
 */
struct drm_aimc_bo_info {
	__u32 handle;
	__u32 reserved;
	__u64 size;
	__u64 mmap_offset;
};

/**
 * enum drm_aimc_resource - the card's per-file resources
 * @AIMC_RESOURCE_TILE: a crossbar tile; its cells hold the owner's weights
 * @AIMC_RESOURCE_SLOT: a stream slot; it holds the owner's recurrent state
 *
 * A command may only name tiles and slots its file has reserved, and an
 * EXEC program may only run matrix products on such tiles.  Closing the
 * file releases everything it reserved.
 */
enum drm_aimc_resource {
	AIMC_RESOURCE_TILE = 0,
	AIMC_RESOURCE_SLOT = 1,
};

/* Reserve any free one and return its index */
#define AIMC_RESERVE_ANY	0x1u

/**
 * struct drm_aimc_reserve - reserve or release a tile or stream slot
 * @type: in, &enum drm_aimc_resource
 * @index: in, the tile or slot; out with %AIMC_RESERVE_ANY
 * @flags: in, %AIMC_RESERVE_ANY (reserve only) or zero
 * @reserved: in, must be zero
 *
 * %DRM_IOCTL_AIMC_RESERVE errors: -EINVAL (unknown @type or @flags,
 * non-zero @reserved, @index out of range), -EEXIST (this file has it
 * already), -EBUSY (another file has it), -ENOSPC (%AIMC_RESERVE_ANY and
 * none is free).  %DRM_IOCTL_AIMC_RELEASE errors: -EINVAL as above (no
 * flags allowed), -EACCES (this file does not have it).  A released tile
 * keeps its conductances; a released slot keeps its state until the next
 * owner resets it (see %AIMC_CMD_F_RESET_STATE).
 */
struct drm_aimc_reserve {
	__u32 type;
	__u32 index;
	__u32 flags;
	__u32 reserved;
};

/**
 * define AIMC_OP_NOP - command opcodes (&drm_aimc_cmd.opcode)
 *
 * %AIMC_OP_NOP does nothing; %AIMC_OP_PROGRAM programs cells of a tile
 * window from @src; %AIMC_OP_READ reads their conductances into @dst;
 * %AIMC_OP_EXEC runs the micro-op program @prog for @steps time steps on
 * a stream slot, @src in, @dst out; %AIMC_OP_STATE_SAVE and
 * %AIMC_OP_STATE_LOAD copy a slot's state to @dst or from @src;
 * %AIMC_OP_CALIBRATE loads the ADC gain/offset of a tile window's columns
 * from @src; %AIMC_OP_WAIT lets the card's clock advance (drift).  The
 * operand formats are the card's (emulator/README.md).
 */
#define AIMC_OP_NOP		0
#define AIMC_OP_PROGRAM		1
#define AIMC_OP_READ		2
#define AIMC_OP_EXEC		3
#define AIMC_OP_STATE_SAVE	4
#define AIMC_OP_STATE_LOAD	5
#define AIMC_OP_CALIBRATE	6
#define AIMC_OP_WAIT		7

/* EXEC flag: zero the slot's state before the first step */
#define AIMC_CMD_F_RESET_STATE	0x01u

/* PROGRAM modes (&drm_aimc_cmd.mode): what each 16-bit @src record is */
#define AIMC_PROGRAM_TARGET	0	/* target conductance, nanosiemens */
#define AIMC_PROGRAM_PULSES	1	/* s8 pulse count (+ SET, - RESET), amplitude << 8 */

/* WAIT units (&drm_aimc_cmd.mode): @steps counts these */
#define AIMC_WAIT_UNIT_NS	0
#define AIMC_WAIT_UNIT_US	1
#define AIMC_WAIT_UNIT_MS	2
#define AIMC_WAIT_UNIT_S	3

/* Longest operand a command reads or writes, and longest EXEC program */
#define AIMC_OPERAND_MAX_BYTES	131072
#define AIMC_PROGRAM_MAX_BYTES	65536

/**
 * struct drm_aimc_operand - a byte range of a buffer object
 * @handle: GEM handle, or 0 for none (then @length and @offset are zero)
 * @length: bytes, 1..%AIMC_OPERAND_MAX_BYTES (%AIMC_PROGRAM_MAX_BYTES for
 *	    &drm_aimc_cmd.prog)
 * @offset: first byte, @offset + @length <= the buffer's size
 */
struct drm_aimc_operand {
	__u32 handle;
	__u32 length;
	__u64 offset;
};

/**
 * struct drm_aimc_cmd - one command of a job
 * @opcode: %AIMC_OP_*
 * @flags: %AIMC_CMD_F_RESET_STATE for EXEC, else zero
 * @tile: PROGRAM, READ, CALIBRATE: a tile this file reserved
 * @slot: EXEC, STATE_SAVE, STATE_LOAD: a slot this file reserved
 * @mode: PROGRAM: target or pulse records; WAIT: unit
 * @row0: window, first row (PROGRAM, READ, CALIBRATE)
 * @col0: window, first column
 * @rows: window rows
 * @cols: window columns
 * @steps: EXEC: time steps; WAIT: amount
 * @in_stride: EXEC: input bytes per step
 * @out_stride: EXEC: output bytes per step
 * @src: operand the card reads
 * @dst: operand the card writes
 * @prog: EXEC: the micro-op program; the driver copies and checks it at
 *	  submit time, so changing the buffer later has no effect
 *
 * Buffers are named by handle and offset only: the driver maps them and
 * writes the card's DMA addresses itself.  Fields a command does not use
 * must be zero.
 */
struct drm_aimc_cmd {
	__u8 opcode;
	__u8 flags;
	__u16 tile;
	__u16 slot;
	__u16 mode;
	__u16 row0;
	__u16 col0;
	__u16 rows;
	__u16 cols;
	__u32 steps;
	__u16 in_stride;
	__u16 out_stride;
	struct drm_aimc_operand src;
	struct drm_aimc_operand dst;
	struct drm_aimc_operand prog;
};

/**
 * define AIMC_CMD_SIZE_MAX - largest &drm_aimc_submit.cmd_size
 *
 * Room for &struct drm_aimc_cmd to grow; the bytes past the struct the
 * driver knows are checked to be zero, so the bound also bounds that work.
 */
#define AIMC_CMD_SIZE_MAX	1024
/* sizeof(struct drm_aimc_cmd) of the first version */
#define AIMC_CMD_SIZE_V1	72

/**
 * struct drm_aimc_sync - a syncobj a job waits for or signals
 * @handle: syncobj handle
 * @flags: must be zero
 * @point: a point of a timeline syncobj, or 0 for a binary syncobj
 *	   (timeline points need %AIMC_CAP_TIMELINE_SYNCS)
 *
 * An in-sync's fence must exist when SUBMIT is called: a binary syncobj
 * without a fence, or a timeline point nothing has been submitted for
 * yet, gives -EINVAL.  An out-sync gets the job's fence: a binary syncobj
 * has its fence replaced, a timeline gets the point added.
 */
struct drm_aimc_sync {
	__u32 handle;
	__u32 flags;
	__u64 point;
};

/**
 * struct drm_aimc_submit - queue a job: commands the card runs in order
 * @cmds: in, user pointer to @cmd_count commands of @cmd_size bytes
 * @cmd_count: in, 1..%AIMC_PARAM_MAX_JOB_CMDS
 * @cmd_size: in, sizeof(struct drm_aimc_cmd) as the caller knows it, at
 *	      least %AIMC_CMD_SIZE_V1, at most %AIMC_CMD_SIZE_MAX;
 *	      bytes beyond the driver's struct must be zero (-E2BIG if not)
 * @in_syncs: in, user pointer to @in_sync_count &struct drm_aimc_sync;
 *	      the job starts after all their fences signalled
 * @in_sync_count: in, 0..%AIMC_PARAM_MAX_SYNCS
 * @out_sync_count: in, 0..%AIMC_PARAM_MAX_SYNCS
 * @out_syncs: in, user pointer to @out_sync_count &struct drm_aimc_sync
 *	       that get the job's fence
 * @flags: in, must be zero
 * @reserved: in, must be zero
 * @job_id: out, the job's id in this file, for %DRM_IOCTL_AIMC_WAIT
 *
 * A file's jobs start on the card in the order they were submitted: a job
 * waiting for its in-fences holds back the file's later jobs (not other
 * files').  The job's fence signals when it ends, however it ends; its
 * error is -EIO (%AIMC_JOB_DEVICE_ERROR), -ETIMEDOUT (%AIMC_JOB_TIMED_OUT)
 * or -ECANCELED (%AIMC_JOB_ABORTED).
 *
 * Errors, all before anything is queued or signalled: -EINVAL (a reserved
 * field or flag, @cmd_count zero, @cmd_size out of its range, an unknown
 * opcode, a field a command does not use, a malformed EXEC program, an
 * in-sync without a fence), -E2BIG (more commands or syncs than the
 * params allow, an operand longer than %AIMC_OPERAND_MAX_BYTES, EXEC
 * programs of more than 256 KiB in one job, non-zero bytes past the
 * struct this driver knows), -ENOENT (unknown buffer or syncobj handle),
 * -EOVERFLOW (offset + length overflows), -ERANGE (operand past the end
 * of its buffer), -EACCES (a tile or slot, in a command or an EXEC
 * program, that this file has not reserved), -EIO (a command relies on a
 * slot's state, which a card reset since wiped: replace it first with
 * EXEC and %AIMC_CMD_F_RESET_STATE, or STATE_LOAD), -EFAULT (bad user
 * pointer), -EAGAIN (this file already has %AIMC_PARAM_MAX_FILE_JOBS
 * unfinished jobs), -ENODEV (device removed), -ENOMEM (also: no memory
 * for the bounce buffer of an operand that is not contiguous for a card
 * without an IOMMU).  An EXEC program
 * is checked as the card checks it (&enum drm_aimc_device_status).
 */
struct drm_aimc_submit {
	__u64 cmds;
	__u32 cmd_count;
	__u32 cmd_size;
	__u64 in_syncs;
	__u32 in_sync_count;
	__u32 out_sync_count;
	__u64 out_syncs;
	__u32 flags;
	__u32 reserved;
	__u64 job_id;
};

/**
 * enum drm_aimc_job_status - how a job ended (&drm_aimc_wait.status)
 * @AIMC_JOB_PENDING: not finished yet
 * @AIMC_JOB_DONE: every command completed
 * @AIMC_JOB_DEVICE_ERROR: the card failed a command;
 *	&drm_aimc_wait.device_status and .failed_cmd say which and why
 * @AIMC_JOB_TIMED_OUT: the job ran past %AIMC_PARAM_JOB_TIMEOUT_MS; the
 *	card was reset
 * @AIMC_JOB_ABORTED: the job was cancelled by a card reset caused by
 *	another job, or by the card's removal.  A reset wipes every stream
 *	slot: jobs that rely on a slot's state fail with -EIO at submit
 *	until its owner replaces the state.
 */
enum drm_aimc_job_status {
	AIMC_JOB_PENDING = 0,
	AIMC_JOB_DONE = 1,
	AIMC_JOB_DEVICE_ERROR = 2,
	AIMC_JOB_TIMED_OUT = 3,
	AIMC_JOB_ABORTED = 4,
};

/**
 * enum drm_aimc_device_status - why the card failed a command
 *
 * &drm_aimc_wait.device_status of an %AIMC_JOB_DEVICE_ERROR job: the
 * card's own status of the command at &drm_aimc_wait.failed_cmd.  The
 * card checks every command in full before it changes anything, so a
 * failed command left the card's state as it was.
 *
 * @AIMC_DEVICE_OK: the command completed (never reported as an error)
 * @AIMC_DEVICE_BAD_OPCODE: unknown opcode
 * @AIMC_DEVICE_BAD_TILE: tile index past the card's tiles
 * @AIMC_DEVICE_BAD_WINDOW: a window that is empty or leaves the tile (or,
 *	for CALIBRATE, does not cover whole signed columns)
 * @AIMC_DEVICE_BAD_SLOT: slot index past the card's stream slots
 * @AIMC_DEVICE_BAD_UOP: an EXEC program's micro-op has a field out of range
 * @AIMC_DEVICE_BAD_LENGTH: an operand's length does not match the command
 * @AIMC_DEVICE_DMA_FAULT: the card could not read or write an operand
 * @AIMC_DEVICE_BAD_MODE: undefined mode or flags
 * @AIMC_DEVICE_BAD_RESERVED: a field the opcode does not use is not zero
 * @AIMC_DEVICE_BAD_STEPS: EXEC with zero or too many steps
 * @AIMC_DEVICE_BAD_PROGRAM: an EXEC program's header is malformed
 * @AIMC_DEVICE_BAD_STATE: a STATE_LOAD image is malformed
 * @AIMC_DEVICE_BAD_OPERAND: an operand value is out of range (a PROGRAM
 *	target outside the card's conductance range)
 */
enum drm_aimc_device_status {
	AIMC_DEVICE_OK = 0,
	AIMC_DEVICE_BAD_OPCODE = 1,
	AIMC_DEVICE_BAD_TILE = 2,
	AIMC_DEVICE_BAD_WINDOW = 3,
	AIMC_DEVICE_BAD_SLOT = 4,
	AIMC_DEVICE_BAD_UOP = 5,
	AIMC_DEVICE_BAD_LENGTH = 6,
	AIMC_DEVICE_DMA_FAULT = 7,
	AIMC_DEVICE_BAD_MODE = 8,
	AIMC_DEVICE_BAD_RESERVED = 9,
	AIMC_DEVICE_BAD_STEPS = 10,
	AIMC_DEVICE_BAD_PROGRAM = 11,
	AIMC_DEVICE_BAD_STATE = 12,
	AIMC_DEVICE_BAD_OPERAND = 13,
};

/**
 * struct drm_aimc_wait - wait for a job and read how it ended
 * @job_id: in, from &drm_aimc_submit.job_id
 * @timeout_ns: in, absolute CLOCK_MONOTONIC time to give up at
 * @flags: in, must be zero
 * @status: out, &enum drm_aimc_job_status
 * @device_status: out, &enum drm_aimc_device_status of the failed command
 *	(%AIMC_JOB_DEVICE_ERROR only)
 * @failed_cmd: out, index of the failed command
 *
 * Returns 0 once the job has finished, however it ended.  Errors:
 * -ETIME (@timeout_ns passed first; a time in the past only polls),
 * -EINVAL (non-zero @flags, negative @timeout_ns, a @job_id this file
 * never got), -ENOENT (the job finished before this file's last
 * %AIMC_PARAM_JOB_HISTORY jobs did), -EINTR (a signal arrived and its
 * handler was installed without SA_RESTART; with it the call restarts,
 * @timeout_ns being absolute).
 */
struct drm_aimc_wait {
	__u64 job_id;
	__s64 timeout_ns;
	__u32 flags;
	__u32 status;
	__u32 device_status;
	__u32 failed_cmd;
};

#if defined(__cplusplus)
}
#endif

#endif /* __AIMC_ACCEL_H__ */
