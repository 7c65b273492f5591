/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Command processor internals: which descriptor fields each opcode uses.
 */
#ifndef AIMC_CMD_H
#define AIMC_CMD_H

#include "aimc_model_priv.h"

#define AIMC_FIELD_FLAGS	0x001
#define AIMC_FIELD_TILE		0x002
#define AIMC_FIELD_SLOT		0x004
#define AIMC_FIELD_MODE		0x008
#define AIMC_FIELD_ROWS		0x010	/* row0, rows */
#define AIMC_FIELD_COLS		0x020	/* col0, cols */
#define AIMC_FIELD_STEPS	0x040
#define AIMC_FIELD_STRIDES	0x080
#define AIMC_FIELD_SRC		0x100	/* src_addr, src_len */
#define AIMC_FIELD_DST		0x200
#define AIMC_FIELD_PROG		0x400

/* Fields @opcode uses (0 for an unknown opcode). */
u32 aimc_cmd_fields(u32 opcode);

#endif /* AIMC_CMD_H */
