/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The one validator of AIMC-1 descriptors and EXEC programs.  Freestanding
 * C compiled into every home of the contract: the driver (what it checks
 * before a job reaches the ring), the device model (what the card checks
 * before it executes a command: in aimc_emu.ko, libaimc's sim backend and
 * the QEMU device) and so the sim backend's submit.  Each check returns an
 * enum aimc_status; a caller that owns tiles and stream slots per client
 * is asked about every one a command names, through aimc_hw_use_fn.
 */
#ifndef AIMC_HW_CHECK_H
#define AIMC_HW_CHECK_H

#include "aimc_hw_cmd.h"

/* The card's size, from its capability registers. */
struct aimc_hw_limits {
	u32 tiles;
	u32 rows;
	u32 cols;		/* physical columns, two per signed output */
	u32 slots;
};

enum aimc_hw_resource {
	AIMC_HW_TILE = 0,
	AIMC_HW_SLOT = 1,
};

/*
 * May the command use tile or slot @index?  0 if so; otherwise any
 * non-zero value, which the caller keeps (an errno, say) and the check
 * turns into AIMC_CHECK_REFUSED.
 */
typedef int (*aimc_hw_use_fn)(void *ctx, enum aimc_hw_resource type, u32 index);

/* Not a card status: the command names a tile or slot the caller refused. */
#define AIMC_CHECK_REFUSED	0x100u

/*
 * The fields of @d its opcode does not use are zero, the opcode exists and
 * the flags are defined: what the driver must know before it builds a
 * descriptor for the card.  AIMC_ST_OK, AIMC_ST_BAD_OPCODE,
 * AIMC_ST_BAD_RESERVED or AIMC_ST_BAD_MODE.
 */
u32 aimc_hw_check_fields(const struct aimc_desc *d);

/*
 * The tile and the slot @d names, if its opcode uses them, passed to
 * @use.  AIMC_ST_OK or AIMC_CHECK_REFUSED.
 */
u32 aimc_hw_check_resources(const struct aimc_desc *d, aimc_hw_use_fn use,
			    void *ctx);

/*
 * Everything the card checks of a descriptor before it touches anything:
 * aimc_hw_check_fields(), modes, indices, windows and step counts against
 * @lim.  Operand lengths are checked per command when it runs.
 */
u32 aimc_hw_check_desc(const struct aimc_desc *d,
		       const struct aimc_hw_limits *lim);

/*
 * Parse and check the EXEC program image @prog (@len bytes) of
 * descriptor @d: header, then every micro-op's fields against @lim and
 * @d's strides, then (if @use is not NULL) the tile of every MVM through
 * @use.  On success *n_uops is the micro-op count and, if @uops is not
 * NULL, it holds them decoded (AIMC_PROG_MAX_UOPS entries).  Returns
 * AIMC_ST_OK, AIMC_ST_BAD_PROGRAM (the header), AIMC_ST_BAD_UOP (then
 * *bad_uop is the micro-op's index) or AIMC_CHECK_REFUSED.
 */
u32 aimc_hw_check_prog(const u8 *prog, u32 len, const struct aimc_desc *d,
		       const struct aimc_hw_limits *lim, aimc_hw_use_fn use,
		       void *ctx, struct aimc_uop *uops, u32 *n_uops,
		       u32 *bad_uop);

#endif /* AIMC_HW_CHECK_H */
