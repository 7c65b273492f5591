/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The only place where the device model touches its home: the Linux kernel
 * (aimc_emu.ko) or a userspace program (libaimc_model.a).  Model sources
 * include this header and model headers, nothing else.
 */
#ifndef AIMC_PLATFORM_H
#define AIMC_PLATFORM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/string.h>
#include <linux/printk.h>
#include <linux/math64.h>
#include <linux/sched.h>

/* Long EXECs and full-tile PROGRAMs yield between steps and rows. */
static inline void aimc_yield(void)
{
	cond_resched();
}

/* Tile arrays reach megabytes: kvzalloc falls back to vmalloc. */
static inline void *aimc_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static inline void aimc_free(void *ptr)
{
	kvfree(ptr);
}

static inline u64 aimc_div_u64_rem(u64 dividend, u32 divisor, u32 *rem)
{
	return div_u64_rem(dividend, divisor, rem);
}

static inline s64 aimc_div_s64(s64 dividend, s32 divisor)
{
	return div_s64(dividend, divisor);
}

static inline u64 aimc_div64_u64(u64 dividend, u64 divisor)
{
	return div64_u64(dividend, divisor);
}

#define aimc_log_err(fmt, ...) pr_err("aimc_model: " fmt, ##__VA_ARGS__)
#define aimc_log_dbg(fmt, ...) pr_debug("aimc_model: " fmt, ##__VA_ARGS__)

#else /* userspace */

#include <string.h>
#include <stdlib.h>
#include <stdio.h>

/* u8..s64, as the hardware contract has them */
#include "aimc_hw_types.h"

static inline void *aimc_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void aimc_yield(void)
{
}

static inline void aimc_free(void *ptr)
{
	free(ptr);
}

static inline u64 aimc_div_u64_rem(u64 dividend, u32 divisor, u32 *rem)
{
	*rem = (u32)(dividend % divisor);
	return dividend / divisor;
}

static inline s64 aimc_div_s64(s64 dividend, s32 divisor)
{
	return dividend / divisor;
}

static inline u64 aimc_div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

/* A library stays quiet unless built for debugging: callers get statuses. */
#ifdef AIMC_MODEL_DEBUG
#define aimc_log_dbg(fmt, ...) fprintf(stderr, "aimc_model: " fmt, \
				       ##__VA_ARGS__)
#define aimc_log_err(fmt, ...) fprintf(stderr, "aimc_model: " fmt, \
				       ##__VA_ARGS__)
#else
/* Still checked against their arguments, as the kernel's no_printk(). */
#define aimc_log_dbg(fmt, ...) do { if (0) fprintf(stderr, fmt, ##__VA_ARGS__); } while (0)
#define aimc_log_err(fmt, ...) do { if (0) fprintf(stderr, fmt, ##__VA_ARGS__); } while (0)
#endif

#endif /* __KERNEL__ */

/*
 * Speed of the sim card (libaimc_model.a, the QEMU device): the MVM and
 * digital-unit loops are most of its time.  Built for userspace on x86-64
 * by GCC 12 or later, the two functions that run them are compiled for
 * AVX-512, AVX2 and the baseline ISA, and the loader picks one per CPU
 * (function multiversioning), and the MAC loop has an AVX2 form chosen at
 * run time (aimc_mvm.c).  Integer arithmetic only: every form gives the
 * same bits (tests/host/test_model_mvm.c holds the MAC loop's two forms to
 * each other).  The kernel keeps one baseline copy: no vector registers
 * there.  -DAIMC_MODEL_SCALAR builds the baseline copy alone.
 */
#if !defined(__KERNEL__) && defined(__x86_64__) && !defined(__clang__) && \
	__GNUC__ >= 12 && !defined(AIMC_MODEL_SCALAR)
#define aimc_hot_loop __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#define AIMC_MVM_AVX2 1
static inline bool aimc_cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}
#else
#define aimc_hot_loop
static inline bool aimc_cpu_has_avx2(void)
{
	return false;
}
#endif

/*
 * The helpers of those loops are __always_inline (the kernel's, or glibc's
 * from <sys/cdefs.h>): GCC does not inline a baseline-ISA function into an
 * AVX2 clone unless forced, and a call per cell or product costs more than
 * its work.
 */
#ifndef __always_inline
#define __always_inline inline
#endif

#define AIMC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* AIMC_PLATFORM_H */
