/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The types the AIMC-1 hardware contract (aimc_hw_regs.h, aimc_hw_cmd.h)
 * is written in, in each of its homes: the kernel (aimc.ko, aimc_emu.ko),
 * and userspace (the device model in libaimc's sim backend and in the QEMU
 * device).  Freestanding: in userspace only the compiler's own headers.
 *
 * Memory shared with the card is little-endian: __le types, converted
 * with cpu_to_le*() / le*_to_cpu(); register fields are GENMASK() masks
 * read with FIELD_GET() and built with FIELD_PREP().
 */
#ifndef AIMC_HW_TYPES_H
#define AIMC_HW_TYPES_H

#ifdef __KERNEL__

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler_attributes.h>
#include <linux/types.h>
#include <asm/byteorder.h>

#else /* userspace */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the compiler's own names: the same types as <stdint.h> gives */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;
/* As <linux/types.h> has them, which a program may include as well. */
typedef unsigned short __le16;
typedef unsigned int __le32;
typedef unsigned long long __le64;

/*
 * Contract structs are laid out naturally (static_asserts check offsets),
 * so packing changes nothing but what the kernel's compiler may assume.
 */
#ifndef __packed
#define __packed
#endif
#ifndef static_assert
/*
 * C11's own (<assert.h> names it static_assert; a translation unit may not
 * include that).  Not an extern array per use: builds with
 * -Wredundant-decls (QEMU's, for the aimc-pci device) warn on each.
 */
#define static_assert(e) _Static_assert(e, #e)
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define cpu_to_le16(x) ((__le16)__builtin_bswap16(x))
#define cpu_to_le32(x) ((__le32)__builtin_bswap32(x))
#define cpu_to_le64(x) ((__le64)__builtin_bswap64(x))
#define le16_to_cpu(x) ((u16)__builtin_bswap16(x))
#define le32_to_cpu(x) ((u32)__builtin_bswap32(x))
#define le64_to_cpu(x) ((u64)__builtin_bswap64(x))
#else
#define cpu_to_le16(x) ((__le16)(u16)(x))
#define cpu_to_le32(x) ((__le32)(u32)(x))
#define cpu_to_le64(x) ((__le64)(u64)(x))
#define le16_to_cpu(x) ((u16)(x))
#define le32_to_cpu(x) ((u32)(x))
#define le64_to_cpu(x) ((u64)(x))
#endif

#ifndef GENMASK
#define GENMASK(h, l) ((~0u << (l)) & (~0u >> (31 - (h))))
#endif
#ifndef FIELD_GET
#define FIELD_GET(mask, reg) (((reg) & (mask)) >> __builtin_ctz(mask))
#define FIELD_PREP(mask, val) (((u32)(val) << __builtin_ctz(mask)) & (mask))
#endif

#endif /* __KERNEL__ */

/*
 * Little-endian bytes of host memory, at any alignment: how the card and
 * its models read operands and programs.
 */
static inline u16 aimc_hw_get_le16(const u8 *p)
{
	return (u16)(p[0] | (p[1] << 8));
}

static inline u32 aimc_hw_get_le32(const u8 *p)
{
	return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) |
	       ((u32)p[3] << 24);
}

static inline u64 aimc_hw_get_le64(const u8 *p)
{
	return (u64)aimc_hw_get_le32(p) | ((u64)aimc_hw_get_le32(p + 4) << 32);
}

/* Masks before narrowing: sparse flags casts that drop constant bits. */
static inline void aimc_hw_put_le16(u8 *p, u16 v)
{
	p[0] = (u8)(v & 0xff);
	p[1] = (u8)(v >> 8);
}

static inline void aimc_hw_put_le32(u8 *p, u32 v)
{
	aimc_hw_put_le16(p, (u16)(v & 0xffff));
	aimc_hw_put_le16(p + 2, (u16)(v >> 16));
}

static inline void aimc_hw_put_le64(u8 *p, u64 v)
{
	aimc_hw_put_le32(p, (u32)(v & 0xffffffffu));
	aimc_hw_put_le32(p + 4, (u32)(v >> 32));
}

#endif /* AIMC_HW_TYPES_H */
