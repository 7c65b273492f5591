#!/bin/sh
# Build the debug kernel of the QEMU lane (make check-debug) and our
# modules against it:
#   - Debian's linux-source-6.1, `make tinyconfig` plus aimc-debug.config
#     (KASAN, lockdep, kmemleak, DMA-API debug, UBSAN runtime, ...), into
#     $BUILD/debug-kernel/linux-source-6.1; rebuilt only when the fragment
#     or the source package changes (a clean build takes minutes);
#   - aimc.ko and aimc_emu.ko from a private copy of the sources in
#     $BUILD/debug-kernel/src: kbuild writes objects next to the sources,
#     and the stock-kernel build of the same files must not be clobbered.
#     UBSAN_SANITIZE=y instruments them (the kernel itself is not).
# Prints nothing on stdout but the shell assignments run.sh needs:
#   VM_KERNEL=... VM_MODULES_ROOT=... VM_KERNEL_VERSION=... VM_AIMC_MODULES=...
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
out=$build/debug-kernel
tarball=/usr/src/linux-source-6.1.tar.xz
tree=$out/linux-source-6.1
fragment=$top/tools/debug-kernel/aimc-debug.config
jobs=${DEBUG_KERNEL_JOBS:-$(nproc)}
log=$out/kernel-build.log

[ -r "$tarball" ] || {
	echo "debug-kernel: no $tarball (tools/install-deps.sh debug)" >&2
	exit 1
}
mkdir -p "$out"

# The stamp names what the tree was configured and built from.
stamp=$( (ls -l --time-style=+%s "$tarball"; cat "$fragment") | sha256sum | cut -c1-16)
if [ "$(cat "$tree/.aimc-source" 2>/dev/null)" != "$(ls -l --time-style=+%s "$tarball")" ]; then
	echo "debug-kernel: extracting $tarball" >&2
	rm -rf "$tree"
	tar -xf "$tarball" -C "$out"
	ls -l --time-style=+%s "$tarball" >"$tree/.aimc-source"
fi

if [ "$(cat "$tree/.aimc-built" 2>/dev/null)" != "$stamp" ] ||
	[ ! -e "$tree/arch/x86/boot/bzImage" ]; then
	echo "debug-kernel: configuring (tinyconfig + $(basename "$fragment"))" >&2
	make -s -C "$tree" tinyconfig >"$log" 2>&1
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$log" 2>&1
	make -s -C "$tree" olddefconfig >>"$log" 2>&1
	# merge_config only warns when olddefconfig drops a request: fail instead.
	missing=""
	for line in $(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment"); do
		grep -qxF "$line" "$tree/.config" || missing="$missing $line"
	done
	for sym in $(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' "$fragment"); do
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

# Our modules, from a copy of the working tree's kernel sources.  cp -p keeps
# modification times, so kbuild rebuilds only what changed.
src=$out/src
mkdir -p "$src"
(cd "$top" && find Kbuild dkms.conf uapi driver emulator -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name dkms.conf -o -name '*.mk' \) ! -name '*.mod.c' |
	cpio -pdmu --quiet "$src")
if ! make -C "$tree" M="$src" UBSAN_SANITIZE=y modules >"$out/modules-build.log" 2>&1; then
	cat "$out/modules-build.log" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$out/modules-build.log" >&2; then
	echo "debug-kernel: our modules built with warnings" >&2
	exit 1
fi

echo "VM_KERNEL=$tree/arch/x86/boot/bzImage"
echo "VM_MODULES_ROOT=$out/root"
echo "VM_KERNEL_VERSION=$release"
echo "VM_AIMC_MODULES=$src"
