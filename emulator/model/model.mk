# SPDX-License-Identifier: GPL-2.0 OR MIT
# Sources of the AIMC-1 device model, relative to emulator/model/.
# Included by the kernel Kbuild (aimc_emu.ko) and the top-level Makefile
# (build/libaimc_model.a): keep it a plain list.
AIMC_MODEL_SRCS := aimc_rng.c aimc_fixmath.c aimc_xbar.c aimc_mvm.c aimc_dpu.c aimc_dpu_tables.c aimc_cmd.c aimc_model.c aimc_selftest.c aimc_hw_check_model.c aimc_regfile.c
