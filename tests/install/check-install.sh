#!/bin/sh
# make install into a DESTDIR, then use the installed tree the way an
# integrator would: build and run an example with pkg-config, run the
# installed aimc-smi (linked to the installed libaimc.so), render the man
# pages (one for every exported function), check the exported symbols are
# exactly the public API, run the installed Python package and a pip
# install of the tree's, and that make uninstall removes everything.
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
for f in bin/aimc-smi lib/libaimc.so.2.0.0 lib/libaimc.a lib/pkgconfig/aimc.pc \
	include/aimc/aimc.h include/aimc/drm/aimc_accel.h \
	share/man/man1/aimc-smi.1 share/man/man3/aimc.3; do
	[ -f "$dest$prefix/$f" ] || fail "make install did not install $prefix/$f"
done
[ "$(readlink "$lib/libaimc.so.2")" = libaimc.so.2.0.0 ] || fail "libaimc.so.2 link"
[ "$(readlink "$lib/libaimc.so")" = libaimc.so.2 ] || fail "libaimc.so link"
[ -f "$dest/etc/udev/rules.d/70-aimc.rules" ] || fail "udev rule not in /etc/udev/rules.d"
[ -f "$dest/etc/modprobe.d/aimc.conf" ] || fail "modprobe.d file not in /etc/modprobe.d"
pass

# API 2 broke API 1's ABI: a new soname and symbol version (README, "API 2").
soname=$(readelf -d "$lib/libaimc.so.2.0.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libaimc.so.2 ] || fail "soname is '$soname', want libaimc.so.2"
nm -D --defined-only "$lib/libaimc.so.2.0.0" | grep -q ' aimc_version@@AIMC_2.0$' ||
	fail "symbols do not carry the version AIMC_2.0"
nm -D --defined-only "$lib/libaimc.so.2.0.0" | grep -q ' aimc_device_telemetry@@AIMC_2.1$' ||
	fail "2.1's functions do not carry the version AIMC_2.1"
api_major=$(sed -n 's/^#define AIMC_API_VERSION_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' runtime/include/aimc.h)
[ "libaimc.so.$api_major" = "$soname" ] || fail "aimc.h's API major $api_major is not the soname's"
pass

# Exported on purpose only: the functions the public headers declare.
sed -n 's/^[a-z].*[ *]\(aimc_[a-z0-9_]*\)(.*/\1/p' runtime/include/*.h | sort -u >"$tmp/api"
nm -D --defined-only "$lib/libaimc.so.2.0.0" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
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
readelf -d "$tmp/example" | grep -q 'NEEDED.*\[libaimc.so.2\]' ||
	fail "example is not linked to libaimc.so.2"
out=$(LD_LIBRARY_PATH="$lib" "$tmp/example") || fail "example failed: $out"
echo "$out" | grep -q "^example: sim backend, " || fail "example printed: $out"
pass

# Static linking with the installed libaimc.a and pkg-config alone (the
# device model is inside libaimc.a: nothing else to name).
# shellcheck disable=SC2046
${CC:-cc} -static -o "$tmp/example-static" tests/install/example.c \
	$($pc --static --cflags --libs aimc) || fail "example does not link statically"
"$tmp/example-static" >/dev/null || fail "static example failed"
pass

# The public headers are clean under clang -Weverything (the doc
# comments were not) and compile as C11 and as C++.
if command -v clang >/dev/null; then
	printf '#include <aimc.h>\nint main(void) { return aimc_version() == 0; }\n' >"$tmp/hdr.c"
	# shellcheck disable=SC2046
	clang -std=c11 -Weverything -Werror -Wno-declaration-after-statement \
		-fsyntax-only $($pc --cflags aimc) "$tmp/hdr.c" ||
		fail "clang -Weverything warns on the public headers"
	cp "$tmp/hdr.c" "$tmp/hdr.cc"
	# shellcheck disable=SC2046
	clang++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only $($pc --cflags aimc) \
		"$tmp/hdr.cc" || fail "the public headers do not compile as C++"
	pass
else
	echo "check-install: SKIP: no clang for the -Weverything header check" >&2
fi

# The installed tool uses the installed library, not a copy of its own.
smi=$dest$prefix/bin/aimc-smi
LD_LIBRARY_PATH="$lib" ldd "$smi" | grep -q "libaimc.so.2 => $lib/libaimc.so.2" ||
	fail "installed aimc-smi does not load the installed libaimc.so.2"
LD_LIBRARY_PATH="$lib" "$smi" --device sim >/dev/null || fail "installed aimc-smi --device sim"
set +e
LD_LIBRARY_PATH="$lib" "$smi" --device nonsense >/dev/null 2>&1
status=$?
set -e
[ $status -eq 2 ] || fail "aimc-smi --device nonsense exited $status, want 2"
pass

# The Python package, installed for Debian's python3 next to the library
# it records, imports from the staged tree and runs a model on a sim card
# through the staged libaimc.so.2; and the tree's package installs with
# pip (no build isolation, nothing compiled) and works the same.
python=${PYTHON:-/usr/bin/python3}
pydir=$dest$($make -s --no-print-directory -f Makefile print-pythondir PREFIX=$prefix)
[ -f "$pydir/aimc/__init__.py" ] && [ -f "$pydir/aimc/stream.py" ] ||
	fail "make install did not install the Python package into $pydir"
grep -qx "LIBDIR = \"$prefix/lib\"" "$pydir/aimc/_installed.py" ||
	fail "the installed package does not record LIBDIR $prefix/lib"
py_smoke='import aimc, numpy as np
with aimc.open_sim(seed=1) as d, d.load("tools/qat/models/digits-qat4-pruned.safetensors") as n:
    with n.stream() as s:
        assert s.run(np.zeros((64, 1), np.float32)).shape == (10,)
print(aimc.__file__, aimc.library_path())'
out=$(cd "$top" && PYTHONPATH="$pydir" AIMC_LIBRARY="$lib/libaimc.so.2" "$python" -c "$py_smoke") ||
	fail "the installed Python package does not run: $out"
[ "$out" = "$pydir/aimc/__init__.py $lib/libaimc.so.2" ] ||
	fail "the installed Python package ran from elsewhere: $out"
cp -r runtime/python "$tmp/pysrc"
"$python" -m pip install -q --no-build-isolation --no-deps --no-index \
	--target "$tmp/pip" "$tmp/pysrc" >"$tmp/pip.log" 2>&1 || fail "pip install: $(cat "$tmp/pip.log")"
[ -d "$tmp/pip/aimc-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf).dist-info" ] ||
	fail "pip installed no aimc dist-info of the project's version"
out=$(cd "$top" && PYTHONPATH="$tmp/pip" AIMC_LIBRARY="$lib/libaimc.so.2" "$python" -c "$py_smoke") ||
	fail "the pip-installed Python package does not run: $out"
pass

# Man pages: groff reports no warning; every page of the tree renders
# with man -l as it is (no .so links that only resolve once installed).
for page in runtime/man/*.3 tools/man/*.1; do
	MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q . || fail "man -l $page renders nothing"
done
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
