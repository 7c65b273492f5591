// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The card checks what the driver checks, with the same code: the one
 * validator (driver/hw/aimc_hw_check.c) is part of every build of the
 * device model (aimc_emu.ko, libaimc_model.a, the QEMU device), compiled
 * here so that the model's build lists stay within this folder.
 */
#include "aimc_hw_check.c"
