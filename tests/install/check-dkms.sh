#!/bin/sh
# dkms add + build of both modules for one kernel line (KERNEL_LINE, default
# 6.1; its headers installed or fetched by tools/kernel.sh), in private dkms
# and source trees with a throw-away signing key (nothing under
# /var/lib/dkms or /usr/src is touched), then check each module's vermagic
# names the kernel it was built for and dkms signed it, as it does on
# Secure Boot machines (README.md, "Secure Boot").
# Prints "check-dkms: ... passed".
# DKMS_DEB=FILE takes the module sources from that aimc-dkms package
# (make deb) instead of make install-dkms; MODULES_OUT=DIR keeps the built
# modules there as DIR/driver/aimc.ko and DIR/emulator/aimc_emu.ko, the
# layout the QEMU lane's VM_AIMC_MODULES takes (make check-vm-deb).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
make=${MAKE:-make}
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
cd "$top"

command -v dkms >/dev/null || { echo "check-dkms: dkms is not installed (make deps)" >&2; exit 1; }
line=${KERNEL_LINE:-6.1}
abi=$(tools/kernel.sh abi "$line")
kdir=$(tools/kernel.sh kdir "$line" "$build/kernels")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aimc-dkms.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-dkms: FAIL: $*" >&2; exit 1; }

if [ -n "${DKMS_DEB:-}" ]; then
	[ -r "$DKMS_DEB" ] || fail "no $DKMS_DEB (make deb)"
	dpkg-deb -x "$DKMS_DEB" "$tmp/deb"
	[ -d "$tmp/deb/usr/src/aimc-$version" ] ||
		fail "$DKMS_DEB holds no usr/src/aimc-$version (dkms.conf's version)"
	mkdir -p "$tmp/src"
	mv "$tmp/deb/usr/src/aimc-$version" "$tmp/src/"
	from="the package $(basename "$DKMS_DEB")"
else
	$make -s install-dkms DESTDIR= DKMS_SRC="$tmp/src/aimc-$version"
	from="make install-dkms"
fi
# Only sources: a stale object from an in-tree build must not get in.
stray=$(find "$tmp/src" -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' -o -name aimc_config.h)
[ -z "$stray" ] || fail "$from holds build output: $stray"

mkdir -p "$tmp/tree"
trees="--sourcetree $tmp/src --dkmstree $tmp/tree"
# shellcheck disable=SC2086 # $trees is two options
dkms add -m aimc -v "$version" $trees >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "dkms add"; }
# dkms signs what it builds; a key it is given it creates if missing.
export mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.der"
# dkms looks for sign-file under /lib/modules/ABI/build, which headers
# fetched rather than installed do not provide.
export sign_file="$kdir/scripts/sign-file"
# shellcheck disable=SC2086
dkms build -m aimc -v "$version" -k "$abi" --kernelsourcedir "$kdir" $trees \
	>"$tmp/log" 2>&1 || { cat "$tmp/log" "$tmp/tree/aimc/$version/build/make.log" 2>/dev/null; fail "dkms build"; }
makelog=$(find "$tmp/tree/aimc/$version/$abi" -name make.log | head -1)
[ -n "$makelog" ] || fail "dkms kept no make.log"
if grep -E 'warning:|error:' "$makelog"; then
	fail "the modules built with warnings for $abi (above)"
fi
for m in aimc aimc_emu; do
	ko=$(find "$tmp/tree/aimc/$version/$abi" -name "$m.ko*" | head -1)
	[ -n "$ko" ] || fail "dkms build produced no $m.ko"
	vermagic=$(/sbin/modinfo -F vermagic "$ko")
	case $vermagic in
	"$abi "*) ;;
	*) fail "$m.ko vermagic '$vermagic' is not for $abi" ;;
	esac
	signer=$(/sbin/modinfo -F signer "$ko")
	[ -n "$signer" ] || fail "$m.ko is not signed"
done
if [ -n "${MODULES_OUT:-}" ]; then
	rm -rf "$MODULES_OUT"
	mkdir -p "$MODULES_OUT/driver" "$MODULES_OUT/emulator"
	for m in driver/aimc emulator/aimc_emu; do
		ko=$(find "$tmp/tree/aimc/$version/$abi" -name "$(basename $m).ko*" | head -1)
		case $ko in
		*.xz) xz -dc "$ko" >"$MODULES_OUT/$m.ko" ;;
		*.zst) zstd -qdc "$ko" >"$MODULES_OUT/$m.ko" ;;
		*) cp "$ko" "$MODULES_OUT/$m.ko" ;;
		esac
	done
fi
probes=$(sed -n 's/^  CONFIGURE [^:]*: //p' "$makelog" | head -1)
# shellcheck disable=SC2086
status=$(dkms status -m aimc -v "$version" $trees)
echo "check-dkms: dkms build of aimc/$version ($from) for $abi passed, modules signed by '$signer' ($status; probes: $probes)"
