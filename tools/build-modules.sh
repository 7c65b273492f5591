#!/bin/sh
# Build aimc.ko and aimc_emu.ko against one kernel tree, in a copy of their
# sources of its own: kbuild writes objects next to the sources, and the
# builds for other kernels (and the tree itself) must not be clobbered.
#
#   build-modules.sh KDIR OUTDIR [VAR=VALUE...]
#
# OUTDIR gets the sources (cp keeps modification times, so kbuild rebuilds
# only what changed), driver/aimc.ko, emulator/aimc_emu.ko and build.log.
# VAR=VALUE go to kbuild (e.g. C=2 for sparse, UBSAN_SANITIZE=y).  Fails on
# any compiler warning: the modules must build cleanly on every kernel.
set -eu
[ $# -ge 2 ] || { echo "usage: build-modules.sh KDIR OUTDIR [VAR=VALUE...]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
out=$2
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Sources removed or moved in the tree must not linger in the copy (a
# stale header would shadow its new home); cpio keeps the modification
# times of the rest, so they are not rebuilt.
find "$out" -type f \( -name '*.[ch]' -o -name Kbuild -o -name '*.mk' -o -name '*.sh' \) \
	! -name '*.mod.c' ! -name aimc_config.h -delete
(cd "$top" && find Kbuild dkms.conf uapi driver emulator -type f \
	\( -name '*.[ch]' -o -name '*.def' -o -name Kbuild -o -name dkms.conf -o -name '*.mk' -o -name '*.sh' \) \
	! -name '*.mod.c' ! -name aimc_config.h |
	cpio -pdmu --quiet "$out")
log=$out/build.log
if ! make -C "$kdir" M="$out" "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-modules: build against $kdir failed" >&2
	exit 1
fi
# make's own notes (a jobserver it cannot use) are not the compiler's
if grep -E 'warning:|error:' "$log" | grep -Ev '^make(\[[0-9]+\])?: ' >&2; then
	echo "build-modules: warnings building against $kdir (above; log: $log)" >&2
	exit 1
fi
grep '^  CONFIGURE' "$log" | sort -u >&2 || true
