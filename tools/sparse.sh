#!/bin/sh
# Build the modules with sparse checking every file (C=2); fail on any
# sparse warning or error.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
kdir=${KDIR:-/usr/src/linux-headers-$("$top/tools/kernel-abi.sh")}
mkdir -p "$build/lint"
out="$build/lint/sparse.log"
make -C "$kdir" M="$top" C=2 modules >"$out" 2>&1 || { cat "$out"; exit 1; }
grep -E '(warning|error):' "$out" && { echo "sparse: reports above" >&2; exit 1; }
echo "sparse: $(grep -c '^  CHECK' "$out") files checked, clean"
