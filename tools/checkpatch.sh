#!/bin/sh
# Run the kernel's checkpatch.pl --strict on every C file and header under
# the given directories.  checkpatch.pl is not packaged on its own: it is
# taken from Debian's newest kernel source, linux-source-6.12 (installed
# for the debug-kernel lane, else downloaded), once and cached in $BUILD.
# Fails on any ERROR or WARNING; CHECK notes are shown but do not fail.
# The QEMU device (emulator/qemu/*.c) is QEMU code in QEMU's coding style:
# QEMU's own checkpatch.pl checks it, from the QEMU source the PCI lane's
# recipe fetches (emulator/qemu/build.sh --source).
#   checkpatch.sh DIR...
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
cp_dir="$build/lint/checkpatch"

if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=/usr/src/linux-source-6.12.tar.xz
	if [ ! -r "$tarball" ]; then
		src=$("$top/tools/fetch-deb.sh" linux-source-6.12 "$build/lint/debs")
		tarball=$(ls "$src"/usr/src/linux-source-6.12.tar.* | head -1)
	fi
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" --strip-components=1 -xf "$tarball" \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	rm -rf "${src:-}"
fi

[ $# -gt 0 ] || {
	echo "usage: checkpatch.sh DIR..." >&2
	exit 2
}
cd "$top"
files=$(find "$@" -name '*.[ch]' -not -name '*.mod.c' -not -path 'emulator/qemu/*.c' | sort)
out="$build/lint/checkpatch.log"
# checkpatch.pl exits 1 when it reports anything (counted below); any
# other failure (perl missing, a crash) must not pass as a clean run.
rc=0
echo "$files" | xargs perl "$cp_dir/scripts/checkpatch.pl" --no-tree --strict \
	--terse --show-types -f >"$out" 2>&1 || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 123 ] || {
	cat "$out"
	echo "checkpatch: checkpatch.pl failed to run (xargs status $rc)" >&2
	exit 1
}
cat "$out"
errors=$(grep -c ': ERROR:' "$out" || true)
warnings=$(grep -c ': WARNING:' "$out" || true)
checks=$(grep -c ': CHECK:' "$out" || true)
echo "checkpatch: $(echo "$files" | wc -w) files, $errors errors, $warnings warnings, $checks checks"
[ "$errors" -eq 0 ] && [ "$warnings" -eq 0 ] || exit 1

qemu_files=$(find "$@" -path 'emulator/qemu/*.c' | sort)
[ -n "$qemu_files" ] || exit 0
qemu_src=$(BUILD=$build "$top/emulator/qemu/build.sh" --source)
qout="$build/lint/checkpatch-qemu.log"
rc=0
# shellcheck disable=SC2086 # one argument per file
perl "$qemu_src/scripts/checkpatch.pl" --no-tree -f $qemu_files >"$qout" 2>&1 || rc=$?
grep -E '^(ERROR|WARNING)|^#|^total:' "$qout" || true
echo "checkpatch (QEMU's, $(basename "$qemu_src")): $(echo "$qemu_files" | wc -w) files"
[ $rc -eq 0 ]
