#!/bin/sh
# Build the modules with sparse checking every file (C=2) against one
# kernel line's headers (KERNEL_LINE, default 6.1; or KDIR); fail on any
# sparse warning or error.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
line=${KERNEL_LINE:-6.1}
kdir=${KDIR:-$("$top/tools/kernel.sh" kdir "$line" "$build/kernels")}
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
out=$build/lint/sparse-$release
# A full rebuild, so that sparse sees every file.
rm -rf "$out"
"$top/tools/build-modules.sh" "$kdir" "$out" C=2 2>/dev/null || {
	cat "$out/build.log"
	echo "sparse: reports against $release (above)" >&2
	exit 1
}
command -v sparse >/dev/null || { echo "sparse: not installed (make deps)" >&2; exit 1; }
echo "sparse: $(grep -c '^  CHECK' "$out/build.log") files checked against $release, clean"
