#!/bin/sh
# make check-deb-lint: the Debian packages make deb built ($DEB_DIR,
# default build/deb) as an integrator's apt would get them, without
# installing anything (the install, upgrade and purge cycle in a chroot is
# make check-deb, on demand: tests/install/check-deb.sh):
#  - exactly aimc-dkms, libaimc2, libaimc-dev, aimc-tools and python3-aimc,
#    at dkms.conf's version, the library package named after its soname;
#  - lintian (default level, plus info and pedantic tags shown) reports no
#    error or warning; overrides are in tools/debian/*.lintian-overrides;
#  - each package holds what it should: aimc-dkms exactly make
#    install-dkms's files and maintainer scripts that build and remove
#    the modules with DKMS, libaimc2 a symbols entry for every exported
#    symbol, libaimc-dev the headers, aimc.pc, libaimc.a and a man page per
#    function, aimc-tools the tools, man pages, udev rule and modprobe.d
#    file where udev and kmod read them, python3-aimc the package's files
#    and no byte code;
#  - the unpacked packages work: aimc-smi and aimc-run on the example model
#    and an example built with pkg-config against libaimc-dev run on the
#    sim card, the Python package runs a model through the packaged
#    library, and dpkg-shlibdeps gives the example the dependency the
#    symbols file promises (libaimc2 (>= first version with its symbols)).
# Environment: DEB_DIR, PYTHON (default /usr/bin/python3), CC.
# Prints "check-deb-lint: N checks passed".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
deb=${DEB_DIR:-build/deb}
case $deb in /*) ;; *) deb="$top/$deb" ;; esac
fail() { echo "check-deb-lint: FAIL: $*" >&2; exit 1; }
checks=0
pass() { checks=$((checks + 1)); }

# The package is for Debian's python3 (make's PYTHON), not another one on PATH.
python=${PYTHON:-/usr/bin/python3}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aimc-deb-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The packages, and nothing else next to them.
packages="aimc-dkms libaimc2 libaimc-dev aimc-tools python3-aimc"
for p in $packages; do
	case $p in aimc-dkms | python3-aimc) a=all ;; *) a=$arch ;; esac
	f=$deb/${p}_${version}_$a.deb
	[ -f "$f" ] || fail "no $f (make deb)"
	mkdir -p "$tmp/$p"
	dpkg-deb -R "$f" "$tmp/$p"
	dpkg-deb -x "$f" "$tmp/root"
done
found=$(find "$deb" -maxdepth 1 -name '*.deb' | wc -l)
[ "$found" -eq 5 ] || fail "$deb holds $found packages, want the 5 of $packages"
pass

# The library package's name is its soname's (Debian policy 8.1).
so=$tmp/libaimc2/usr/lib/$multiarch/libaimc.so.2.0.0
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
name=${soname%%.so.*}
case $name in *[0-9]) want=$name-${soname##*.so.} ;; *) want=$name${soname##*.so.} ;; esac
[ "$want" = libaimc2 ] || fail "soname $soname makes package $want, not libaimc2"
pass

# lintian: no error and no warning (info and pedantic tags are shown).
lintian -I --pedantic --fail-on error,warning "$deb"/*.deb "$deb"/dbgsym/*.deb >"$tmp/lintian.out" 2>&1 ||
	lintian_rc=$?
grep -v '^running with root privileges is not recommended!$' "$tmp/lintian.out" >"$tmp/lintian" || true
if [ "${lintian_rc:-0}" -ne 0 ]; then
	cat "$tmp/lintian" >&2
	fail "lintian reports errors or warnings (above)"
fi
if [ -s "$tmp/lintian" ]; then
	echo "check-deb-lint: lintian's info and pedantic tags:"
	sed 's/^/  /' "$tmp/lintian"
fi
pass

# aimc-dkms: make install-dkms's files, its maintainer scripts.
src=$tmp/aimc-dkms/usr/src/aimc-$version
make -s install-dkms DESTDIR="$tmp/dkms-ref" DKMS_SRC=/src >/dev/null
(cd "$tmp/dkms-ref/src" && find . -type f | sort) >"$tmp/dkms-want"
(cd "$src" && find . -type f | sort) >"$tmp/dkms-got"
diff "$tmp/dkms-want" "$tmp/dkms-got" >&2 || fail "aimc-dkms's /usr/src/aimc-$version differs from make install-dkms (< wanted, > packaged)"
cmp -s dkms.conf "$src/dkms.conf" || fail "aimc-dkms's dkms.conf is not the tree's"
[ -x "$src/driver/compat/configure.sh" ] || fail "driver/compat/configure.sh lost its execute bit"
grep -q "for DKMS_POSTINST in /usr/lib/dkms/common.postinst" "$tmp/aimc-dkms/DEBIAN/postinst" &&
	grep -q "\$DKMS_POSTINST \$DKMS_NAME \$DKMS_VERSION " "$tmp/aimc-dkms/DEBIAN/postinst" ||
	fail "aimc-dkms's postinst does not run dkms's common.postinst"
grep -qx "DKMS_VERSION=$version" "$tmp/aimc-dkms/DEBIAN/postinst" ||
	fail "aimc-dkms's postinst is not for version $version"
grep -q "dkms install -m aimc -v $version -k" "$tmp/aimc-dkms/DEBIAN/postinst" ||
	fail "aimc-dkms's postinst does not build for every kernel (#AIMC_VERSION# not replaced?)"
grep -q "dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all" "$tmp/aimc-dkms/DEBIAN/prerm" ||
	fail "aimc-dkms's prerm does not remove the modules from every kernel"
grep -q '^Depends:.*dkms' "$tmp/aimc-dkms/DEBIAN/control" || fail "aimc-dkms does not depend on dkms"
pass

# libaimc2: a symbols file that lists every exported symbol with a
# version, and a shlibs file; libaimc-dev: what an application needs.
symbols=$tmp/libaimc2/DEBIAN/symbols
[ -f "$symbols" ] || fail "libaimc2 has no symbols file"
head -1 "$symbols" | grep -qx "libaimc.so.2 libaimc2 #MINVER#" || fail "symbols file header: $(head -1 "$symbols")"
# Version nodes (type A) are listed as NODE@NODE, as dpkg-gensymbols does.
nm -D --defined-only "$so" | awk '$2 == "A" { print $3 "@" $3; next } { print $3 }' |
	sed 's/@@/@/' | sort >"$tmp/exported"
sed -n 's/^ \([^ ]*\) .*/\1/p' "$symbols" | sort >"$tmp/listed"
diff "$tmp/exported" "$tmp/listed" >&2 || fail "exported symbols (<) and the symbols file (>) differ"
grep -qx "libaimc 2 libaimc2 (>= [0-9.]*)" "$tmp/libaimc2/DEBIAN/shlibs" || fail "libaimc2's shlibs: $(cat "$tmp/libaimc2/DEBIAN/shlibs")"
dev=$tmp/libaimc-dev
for f in usr/include/aimc/aimc.h usr/include/aimc/drm/aimc_accel.h "usr/lib/$multiarch/libaimc.a" \
	"usr/lib/$multiarch/pkgconfig/aimc.pc"; do
	[ -f "$dev/$f" ] || fail "libaimc-dev has no /$f"
done
[ "$(readlink "$dev/usr/lib/$multiarch/libaimc.so")" = libaimc.so.2 ] || fail "libaimc-dev's libaimc.so link"
grep -qx "libdir=\${prefix}/lib/$multiarch" "$dev/usr/lib/$multiarch/pkgconfig/aimc.pc" ||
	fail "aimc.pc's libdir is not the multiarch directory"
grep -qx "Version: $version" "$dev/usr/lib/$multiarch/pkgconfig/aimc.pc" || fail "aimc.pc's version is not $version"
for fn in aimc $(sed 's/@.*//' "$tmp/exported" | grep '^aimc_'); do
	[ -f "$dev/usr/share/man/man3/$fn.3.gz" ] || fail "libaimc-dev has no man page for $fn"
done
pass

# aimc-tools: where udev and kmod read the rule and the module options
# on every Debian 12 system (/lib, merged /usr or not).
t=$tmp/aimc-tools
for f in usr/bin/aimc-smi usr/bin/aimc-run usr/share/man/man1/aimc-smi.1.gz \
	usr/share/man/man1/aimc-run.1.gz usr/share/aimc/examples/digits-qat4-pruned.safetensors; do
	[ -f "$t/$f" ] || fail "aimc-tools has no /$f"
done
cmp -s tools/udev/70-aimc.rules "$t/lib/udev/rules.d/70-aimc.rules" || fail "aimc-tools' udev rule"
cmp -s tools/modprobe.d/aimc.conf "$t/lib/modprobe.d/aimc.conf" || fail "aimc-tools' modprobe.d file"
grep -q '^Depends:.*udev' "$t/DEBIAN/control" || fail "aimc-tools does not depend on udev (the render group)"
pass

# python3-aimc: the tree's package, no byte code, no record of a libdir.
py=$tmp/python3-aimc/usr/lib/python3/dist-packages/aimc
for f in runtime/python/aimc/*.py; do
	cmp -s "$f" "$py/${f##*/}" || fail "python3-aimc's ${f##*/} is not the tree's"
done
extra=$(find "$py" -mindepth 1 ! -name '*.py')
[ -z "$extra" ] || fail "python3-aimc holds more than the sources: $extra"
[ ! -e "$py/_installed.py" ] || fail "python3-aimc records a libdir"
depends=$(grep '^Depends:' "$tmp/python3-aimc/DEBIAN/control")
case $depends in
*"libaimc2 (>= $version)"*python3-numpy*) ;;
*) fail "python3-aimc's $depends" ;;
esac
grep -q py3compile "$tmp/python3-aimc/DEBIAN/postinst" || fail "python3-aimc does not byte-compile on install"
pass

# The unpacked packages work together.
root=$tmp/root
export LD_LIBRARY_PATH="$root/usr/lib/$multiarch"
"$root/usr/bin/aimc-smi" --device sim >"$tmp/smi" || fail "packaged aimc-smi --device sim: $(cat "$tmp/smi")"
ldd "$root/usr/bin/aimc-smi" | grep -q "libaimc.so.2 => $root/usr/lib/$multiarch/libaimc.so.2" ||
	fail "packaged aimc-smi does not load the packaged libaimc.so.2"
"$root/usr/bin/aimc-run" "$root/usr/share/aimc/examples/digits-qat4-pruned.safetensors" --device sim \
	--input "$root/usr/share/aimc/examples/digits-test.txt" >"$tmp/run" 2>&1 ||
	fail "packaged aimc-run on the example: $(tail -3 "$tmp/run")"
grep -q '^summary: 200 sequences, .* accuracy' "$tmp/run" ||
	fail "packaged aimc-run on the example printed no summary: $(tail -3 "$tmp/run")"
out=$(cd "$tmp" && PYTHONPATH="$root/usr/lib/python3/dist-packages" "$python" -c 'import aimc, numpy as np
with aimc.open_sim(seed=1) as d, d.load("'"$root"'/usr/share/aimc/examples/digits-qat4-pruned.safetensors") as n, n.stream() as s:
    assert s.run(np.zeros((64, 1), np.float32)).shape == (10,)
print(aimc.__version__, aimc.library_path())') || fail "packaged Python package: $out"
[ "$out" = "$version $root/usr/lib/$multiarch/libaimc.so.2" ] || fail "packaged Python package ran with: $out"
mkdir "$tmp/pc"
sed "s|^prefix=.*|prefix=$root/usr|" "$root/usr/lib/$multiarch/pkgconfig/aimc.pc" >"$tmp/pc/aimc.pc"
# shellcheck disable=SC2046 # pkg-config's output is a word list
PKG_CONFIG_PATH=$tmp/pc ${CC:-cc} -Wall -Wextra -Werror -o "$tmp/example" tests/install/example.c \
	$(PKG_CONFIG_PATH=$tmp/pc pkg-config --cflags --libs aimc) || fail "example does not build against libaimc-dev"
"$tmp/example" | grep -q '^example: sim backend' || fail "example against the packages failed"
pass

# What a package built against libaimc-dev gets from the symbols file.
mkdir -p "$tmp/dep/debian"
printf 'Source: dep\n\nPackage: dep\nArchitecture: any\n' >"$tmp/dep/debian/control"
cp -a "$tmp/libaimc2" "$tmp/dep/debian/libaimc2"
(cd "$tmp/dep" && dpkg-shlibdeps -O -l"$tmp/dep/debian/libaimc2/usr/lib/$multiarch" "$tmp/example" 2>"$tmp/shlibdeps.err") \
	>"$tmp/shlibdeps" || fail "dpkg-shlibdeps: $(cat "$tmp/shlibdeps.err")"
# The newest version among the symbols the example uses.
min=$(nm -D --undefined-only "$tmp/example" | awk '/ aimc_/ { print $2 }' |
	while read -r sym; do sed -n "s/^ $sym \([^ ]*\)$/\1/p" "$symbols"; done | sort -V | tail -1)
[ -n "$min" ] || fail "the example uses no versioned libaimc symbol"
grep -q "libaimc2 (>= $min)" "$tmp/shlibdeps" || fail "a program built against libaimc-dev gets $(cat "$tmp/shlibdeps")"
pass

echo "check-deb-lint: $checks checks passed (lintian clean; $(grep -c . "$tmp/lintian" || true) info/pedantic lines)"
