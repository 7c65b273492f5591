#!/bin/sh
# Build the debug kernel of the QEMU lane (make check-debug) and our
# modules against it:
#   - Debian's linux-source-LINE (DEBUG_KERNEL: 6.12, the default, or 6.1),
#     `make tinyconfig` plus aimc-debug.config and aimc-debug-LINE.config
#     (KASAN, lockdep, kmemleak, DMA-API debug, UBSAN runtime, fault
#     injection, ...), in a cache outside the build directory (a clean
#     clone, as CI has, reuses it): $AIMC_KERNEL_CACHE, default
#     /var/cache/aimc when writable, else ~/.cache/aimc.  The tree is
#     rebuilt when the fragments, this script or the source package's
#     version change (a clean build takes minutes);
#   - aimc.ko and aimc_emu.ko with tools/build-modules.sh, into
#     $BUILD/debug-kernel/LINE/modules.  UBSAN_SANITIZE=y instruments them
#     (the kernel itself is not).
# Prints nothing on stdout but the shell assignments run.sh needs:
#   VM_KERNEL=... VM_MODULES_ROOT=... VM_KERNEL_VERSION=... VM_NODE_KIND=...
#   VM_AIMC_MODULES=...
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
line=${DEBUG_KERNEL:-6.12}
case $line in
6.1 | 6.12) ;;
*) echo "debug-kernel: DEBUG_KERNEL=$line: 6.1 or 6.12" >&2; exit 2 ;;
esac
if [ -z "${AIMC_KERNEL_CACHE:-}" ]; then
	if mkdir -p /var/cache/aimc 2>/dev/null && [ -w /var/cache/aimc ]; then
		AIMC_KERNEL_CACHE=/var/cache/aimc
	else
		AIMC_KERNEL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/aimc
	fi
fi
out=$AIMC_KERNEL_CACHE/debug-kernel-$line
tarball=/usr/src/linux-source-$line.tar.xz
tree=$out/linux-source-$line
fragments="$top/tools/debug-kernel/aimc-debug.config $top/tools/debug-kernel/aimc-debug-$line.config"
jobs=${DEBUG_KERNEL_JOBS:-$(nproc)}
log=$out/kernel-build.log

[ -r "$tarball" ] || {
	echo "debug-kernel: no $tarball (tools/install-deps.sh debug)" >&2
	exit 1
}
mkdir -p "$out"

# The key names what the tree was configured and built from: the source
# package's version, the fragments and this script.
source_version=$(dpkg-query -W -f='${Version}' "linux-source-$line" 2>/dev/null ||
	ls -l --time-style=+%s "$tarball")
stamp=$( (echo "$source_version"; cat $fragments "$0") | sha256sum | cut -c1-16)
if [ "$(cat "$tree/.aimc-source" 2>/dev/null)" != "$source_version" ]; then
	echo "debug-kernel: extracting $tarball" >&2
	rm -rf "$tree"
	tar -xf "$tarball" -C "$out"
	echo "$source_version" >"$tree/.aimc-source"
fi

if [ "$(cat "$tree/.aimc-built" 2>/dev/null)" != "$stamp" ] ||
	[ ! -e "$tree/arch/x86/boot/bzImage" ]; then
	echo "debug-kernel: configuring linux-source-$line $source_version (tinyconfig + aimc-debug*.config)" >&2
	rm -f "$tree/.aimc-built"
	make -s -C "$tree" tinyconfig >"$log" 2>&1
	# shellcheck disable=SC2086 # one argument per fragment
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config $fragments) >>"$log" 2>&1
	make -s -C "$tree" olddefconfig >>"$log" 2>&1
	# merge_config only warns when olddefconfig drops a request: fail instead.
	missing=""
	# shellcheck disable=SC2086
	for want in $(grep -hE '^CONFIG_[A-Z0-9_]+=' $fragments); do
		grep -qxF "$want" "$tree/.config" || missing="$missing $want"
	done
	# shellcheck disable=SC2086
	for sym in $(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' $fragments); do
		grep -q "^$sym=" "$tree/.config" && missing="$missing $sym(unset)"
	done
	[ -z "$missing" ] || {
		echo "debug-kernel: not in the resulting .config:$missing" >&2
		exit 1
	}
	echo "debug-kernel: building bzImage with $jobs jobs (log: $log)" >&2
	start=$(date +%s)
	make -C "$tree" -j"$jobs" bzImage modules >>"$log" 2>&1 || {
		tail -30 "$log" >&2
		exit 1
	}
	rm -rf "$out/root"
	make -C "$tree" INSTALL_MOD_PATH="$out/root" modules_install >>"$log" 2>&1
	echo "debug-kernel: kernel built in $(($(date +%s) - start)) s" >&2
	echo "$stamp" >"$tree/.aimc-built"
fi
release=$(cat "$tree/include/config/kernel.release")

# Our modules, built for it the way make modules builds them.
mods=$build/debug-kernel/$line/modules
"$top/tools/build-modules.sh" "$tree" "$mods" UBSAN_SANITIZE=y

if grep -qx 'CONFIG_DRM_ACCEL=y' "$tree/.config"; then
	node_kind=accel
else
	node_kind=render
fi
echo "VM_KERNEL=$tree/arch/x86/boot/bzImage"
echo "VM_MODULES_ROOT=$out/root"
echo "VM_KERNEL_VERSION=$release"
echo "VM_NODE_KIND=$node_kind"
echo "VM_AIMC_MODULES=$mods"
