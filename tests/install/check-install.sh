#!/bin/sh
# make install into a DESTDIR, then use the installed tree the way an
# integrator would: build and run an example with pkg-config, run the
# installed aimc-smi (linked to the installed libaimc.so), render the man
# pages (one for every exported function), check the exported symbols are
# exactly the public API, and that make uninstall removes everything.
# Prints "check-install: N checks passed".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
make=${MAKE:-make}
cd "$top"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/aimc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
prefix=/usr/local
checks=0
fail() { echo "check-install: FAIL: $*" >&2; exit 1; }
pass() { checks=$((checks + 1)); }

$make -s install DESTDIR="$dest" PREFIX=$prefix BUILD="$build" >/dev/null
lib=$dest$prefix/lib
for f in bin/aimc-smi lib/libaimc.so.1.0.0 lib/pkgconfig/aimc.pc \
	include/aimc/aimc.h include/aimc/drm/aimc_accel.h \
	share/man/man1/aimc-smi.1 share/man/man3/aimc.3; do
	[ -f "$dest$prefix/$f" ] || fail "make install did not install $prefix/$f"
done
[ "$(readlink "$lib/libaimc.so.1")" = libaimc.so.1.0.0 ] || fail "libaimc.so.1 link"
[ "$(readlink "$lib/libaimc.so")" = libaimc.so.1 ] || fail "libaimc.so link"
[ -f "$dest/etc/udev/rules.d/70-aimc.rules" ] || fail "udev rule not in /etc/udev/rules.d"
[ -f "$dest/etc/modprobe.d/aimc.conf" ] || fail "modprobe.d file not in /etc/modprobe.d"
pass

soname=$(readelf -d "$lib/libaimc.so.1.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libaimc.so.1 ] || fail "soname is '$soname', want libaimc.so.1"
pass

# Exported on purpose only: the functions the public headers declare.
sed -n 's/^[a-z].*[ *]\(aimc_[a-z0-9_]*\)(.*/\1/p' runtime/include/*.h | sort -u >"$tmp/api"
nm -D --defined-only "$lib/libaimc.so.1.0.0" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"
if ! cmp -s "$tmp/api" "$tmp/exported"; then
	diff "$tmp/api" "$tmp/exported" >&2 || true
	fail "exported symbols (>) differ from runtime/include/*.h's functions (<): update runtime/libaimc.map"
fi
pass

# An application built with pkg-config alone.  The .pc file's paths are
# relative to its prefix: a copy whose prefix is the DESTDIR tree finds
# the staged files (--define-variable or a sysroot would move libdrm too).
grep -q '^libdir=${prefix}/lib$' "$lib/pkgconfig/aimc.pc" || fail "aimc.pc libdir not under prefix"
mkdir "$tmp/pc"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$lib/pkgconfig/aimc.pc" >"$tmp/pc/aimc.pc"
export PKG_CONFIG_PATH="$tmp/pc"
pc=pkg-config
[ "$($pc --modversion aimc)" = "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)" ] ||
	fail "aimc.pc version differs from dkms.conf's"
# shellcheck disable=SC2046 # pkg-config output is a word list
${CC:-cc} -Wall -Wextra -Werror -o "$tmp/example" tests/install/example.c \
	$($pc --cflags --libs aimc) || fail "example does not build against the installed tree"
readelf -d "$tmp/example" | grep -q 'NEEDED.*\[libaimc.so.1\]' ||
	fail "example is not linked to libaimc.so.1"
out=$(LD_LIBRARY_PATH="$lib" "$tmp/example") || fail "example failed: $out"
echo "$out" | grep -q "^example: sim backend, " || fail "example printed: $out"
pass

# Static linking works too, with --static for libdrm's own dependencies.
# shellcheck disable=SC2046
${CC:-cc} -o "$tmp/example-static" tests/install/example.c $($pc --cflags aimc) \
	"$build/libaimc.a" "$build/libaimc_model.a" $($pc --static --libs-only-l aimc | sed "s/-laimc//") ||
	fail "example does not link statically"
"$tmp/example-static" >/dev/null || fail "static example failed"
pass

# The installed tool uses the installed library, not a copy of its own.
smi=$dest$prefix/bin/aimc-smi
LD_LIBRARY_PATH="$lib" ldd "$smi" | grep -q "libaimc.so.1 => $lib/libaimc.so.1" ||
	fail "installed aimc-smi does not load the installed libaimc.so.1"
LD_LIBRARY_PATH="$lib" "$smi" --device sim >/dev/null || fail "installed aimc-smi --device sim"
set +e
LD_LIBRARY_PATH="$lib" "$smi" --device nonsense >/dev/null 2>&1
status=$?
set -e
[ $status -eq 2 ] || fail "aimc-smi --device nonsense exited $status, want 2"
pass

# Man pages: groff reports no warning, man renders them from the tree.
for page in "$dest$prefix"/share/man/man[13]/*; do
	if [ ! -L "$page" ] && head -1 "$page" | grep -q '^\.so '; then
		target=$dest$prefix/share/man/$(sed -n 's/^\.so //p' "$page")
		[ -f "$target" ] || fail "$page includes missing $target"
		continue
	fi
	warnings=$(groff -t -man -Tutf8 -ww -z "$page" 2>&1)
	[ -z "$warnings" ] || fail "$page: $warnings"
done
# Every exported function has a page (most are .so links to a group's).
for name in aimc-smi aimc $(cat "$tmp/api"); do
	MANWIDTH=80 man --manpath="$dest$prefix/share/man" "$name" 2>/dev/null |
		grep -q . || fail "man $name renders nothing"
done
if [ -f tools/aimc-run.c ]; then
	[ -x "$dest$prefix/bin/aimc-run" ] || fail "aimc-run is not installed"
	MANWIDTH=80 man --manpath="$dest$prefix/share/man" aimc-run 2>/dev/null |
		grep -q . || fail "man aimc-run renders nothing"
fi
pass

$make -s uninstall DESTDIR="$dest" PREFIX=$prefix BUILD="$build" >/dev/null
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left: $left"
pass

echo "check-install: $checks checks passed"
