#!/bin/sh
# Build the guest's initramfs: busybox, kmod, the DRM modules aimc.ko
# needs from the guest kernel package, our modules, tools and tests, and
# python3 with the aimc package and its pytest suite.
#   build-initramfs.sh ABI KERNEL_ROOT OUTPUT.cpio.gz
# A DRM module missing from KERNEL_ROOT must be built into the kernel (the
# debug kernel).  VM_AIMC_MODULES: the directory whose driver/aimc.ko and
# emulator/aimc_emu.ko go in (default: $BUILD/modules/ABI, where
# make modules builds them).
set -eu
abi=$1
kroot=$2
out=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}

root=$(mktemp -d "${TMPDIR:-/tmp}/aimc-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/share/aimc" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
cp "$top/tests/vm/guest/init" "$root/init"
cp "$top"/tests/vm/guest/*.sh "$root/usr/share/aimc/"
# The keyword-spotting example's model and ten held-out words.
mkdir -p "$root/usr/share/aimc/kws"
cp "$top/tools/qat/models/kws-qat4-pruned.safetensors" \
	"$top/tools/examples/kws/data/heldout-digits.wav" "$root/usr/share/aimc/kws/"
# The digits model and test set, for aimc-run's energy figures on the card.
mkdir -p "$root/usr/share/aimc/digits"
cp "$top/tools/qat/models/digits-qat4-pruned.safetensors" \
	"$top/tools/data/digits-test.txt" "$root/usr/share/aimc/digits/"
mkdir -p "$root/usr/share/aimc/selftests"
cp "$top"/tests/vm/selftests/*.sh "$root/usr/share/aimc/selftests/"
chmod 755 "$root/init"

# kmod is dynamically linked: bring its libraries along.
cp /bin/kmod "$root/sbin/kmod"
for tool in modprobe rmmod insmod lsmod modinfo depmod; do
	ln -s kmod "$root/sbin/$tool"
done
for lib in $(ldd /bin/kmod | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

mods="$root/lib/modules/$abi"
kmods="$kroot/lib/modules/$abi"
mkdir -p "$mods/extra"
aimc_mods=${VM_AIMC_MODULES:-$build/modules/$abi}
cp "$aimc_mods/driver/aimc.ko" "$aimc_mods/emulator/aimc_emu.ko" "$mods/extra/"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -e "$kmods/$f" ] && cp "$kmods/$f" "$mods/"
done

# The kernel modules ours depend on, and theirs, from the kernel package;
# compressed ones (6.12 ships .ko.xz) are unpacked so that the guest's
# kmod needs no decompressor.  A dependency that is no module file must
# be built in (the debug kernel).
added=" "
add_deps() {
	for dep in $(/sbin/modinfo -F depends "$1" | tr ',' ' '); do
		case $added in *" $dep "*) continue ;; esac
		added="$added$dep "
		file=$(find "$kmods/kernel" -name "$dep.ko" -o -name "$dep.ko.xz" -o \
			-name "$dep.ko.zst" -o -name "$(echo "$dep" | tr _ -).ko*" | head -1)
		if [ -z "$file" ]; then
			grep -q "/$dep.ko\$" "$kmods/modules.builtin" 2>/dev/null || {
				echo "build-initramfs: module $dep (needed by $(basename "$1")) is neither a module nor built in" >&2
				exit 1
			}
			continue
		fi
		rel=${file#"$kmods/"}
		dest="$mods/${rel%.xz}"
		dest=${dest%.zst}
		mkdir -p "$(dirname "$dest")"
		case $file in
		*.xz) xz -dc "$file" >"$dest" ;;
		*.zst) zstd -qdc "$file" >"$dest" ;;
		*) cp "$file" "$dest" ;;
		esac
		add_deps "$dest"
	done
}
add_deps "$mods/extra/aimc.ko"
add_deps "$mods/extra/aimc_emu.ko"
depmod -b "$root" "$abi"

# aimc-smi links libkmod (no static library exists) and libc dynamically.
for bin in "$build"/tools/* "$build/tests/vm/aimc-vm-tests" \
	"$build/tests/vm/pci/aimc-pci-tests" \
	"$build/tests/vm/aimc-job-tool" "$build/tests/vm/aimc-ioctl-fuzz"; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	cp "$bin" "$root/usr/bin/"
	for lib in $(ldd "$bin" 2>/dev/null | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

# The Python package's suite (guest-tests.sh): python3, numpy, pytest and
# the package, unless VM_PYTHON=no or this machine has no python3 (about
# 28 MB more, compressed; initramfs-python.sh says what it leaves out).
[ "${VM_PYTHON:-yes}" = no ] || BUILD=$build "$top/tests/vm/initramfs-python.sh" "$root"

(cd "$root" && find . | busybox cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
