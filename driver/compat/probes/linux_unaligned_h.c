// SPDX-License-Identifier: GPL-2.0 OR MIT
/* HAVE_LINUX_UNALIGNED_H: <linux/unaligned.h> (6.12); before, <asm/unaligned.h>. */
#include <linux/unaligned.h>

static u32 __maybe_unused probe(const void *p)
{
	return get_unaligned_le32(p);
}
