#!/bin/sh
# Build the qemu-system-x86_64 the PCI lane (make check-pci) boots: Debian's
# QEMU source with one more device, aimc-pci (emulator/qemu/aimc_pci.c),
# linked with the device model of emulator/model/ (the same files aimc_emu.ko
# and libaimc's sim backend compile).
#
#   emulator/qemu/build.sh          prints the path of the binary on stdout
#   emulator/qemu/build.sh --source prints the unpacked source tree (step 1
#                                   only; tools/checkpatch.sh runs QEMU's
#                                   checkpatch.pl from it on the device)
#
# Steps (progress on stderr):
#   1. the source: `apt-get source qemu` (Debian's patches applied) through a
#      private sources directory under $AIMC_QEMU_CACHE/work/apt, a deb-src copy of
#      this machine's debian.sources: the machine's apt configuration is not
#      touched;
#   2. the device: aimc_pci.c, aimc_pci_dbg.h, the model's sources (the
#      presets' .def included) and the hardware contract (driver/hw/)
#      copied into hw/misc/aimc/ of the source tree, one Kconfig entry and
#      one meson.build line (re-copied every run: an edit rebuilds
#      incrementally);
#   3. configure for x86_64 with only what the lanes boot (q35, VT-d, PCIe
#      root ports, ACPI hotplug, isa-debug-exit, serial ports, aimc-pci), no
#      docs, no firmware blobs (the lane uses the machine's /usr/share/qemu
#      and /usr/share/seabios), then `ninja qemu-system-x86_64`.
#
# The result is cached outside the checkout, keyed by the source package's
# version, this script, the device file and the model (sources, headers,
# the presets' .def): $AIMC_QEMU_CACHE, default /var/cache/aimc/qemu when
# writable, else ~/.cache/aimc/qemu.  A clean clone reuses it; a change to
# any of them rebuilds, incrementally: the source and build trees are kept
# in $AIMC_QEMU_CACHE/work (a lock serializes builds from several checkouts).
set -eu
source_only=0
case ${1:-} in
--source) source_only=1 ;;
"") ;;
*) echo "usage: build.sh [--source]" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/emulator/qemu
model=$top/emulator/model
# The hardware contract (headers, and the one validator the model
# compiles in) lives on the driver's side of the tree, driver/hw/; the
# model's folder once held the headers: both are searched.
hw_dirs="$model"
[ -d "$top/driver/hw" ] && hw_dirs="$top/driver/hw $hw_dirs"
jobs=${QEMU_BUILD_JOBS:-$(nproc)}

if [ -z "${AIMC_QEMU_CACHE:-}" ]; then
	if mkdir -p /var/cache/aimc/qemu 2>/dev/null && [ -w /var/cache/aimc/qemu ]; then
		AIMC_QEMU_CACHE=/var/cache/aimc/qemu
	else
		AIMC_QEMU_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/aimc/qemu
	fi
fi
# The source and build trees live in the cache too, so that a clean clone
# after a change to the device or the model rebuilds only what changed
# (seconds) instead of all of QEMU.  One build at a time uses them: other
# checkouts of the project wait here.
work=$AIMC_QEMU_CACHE/work
log=$work/build.log
mkdir -p "$work"
exec 9>"$AIMC_QEMU_CACHE/.lock"
if ! flock -n 9; then
	echo "qemu: waiting for another build in $work" >&2
	flock 9
fi

# A private apt state: deb-src lines for this machine's Debian archive.
apt_dir=$work/apt
apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir/sources.list.d
	-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root"
# Refreshed daily: the archive drops a source version once it is replaced.
if [ -z "$(find "$apt_dir/.updated" -mtime -1 2>/dev/null)" ]; then
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	srcs=/etc/apt/sources.list.d/debian.sources
	[ -r "$srcs" ] || { echo "qemu: no $srcs to derive deb-src entries from" >&2; exit 1; }
	sed 's/^Types:.*/Types: deb-src/' "$srcs" >"$apt_dir/sources.list.d/debian.sources"
	echo "qemu: fetching the source package lists (private apt state in $apt_dir)" >&2
	# shellcheck disable=SC2086 # one word per option
	apt-get -q $apt_opts update >"$work/apt-update.log" 2>&1 || {
		cat "$work/apt-update.log" >&2
		exit 1
	}
	touch "$apt_dir/.updated"
fi
# shellcheck disable=SC2086
version=$(apt-cache $apt_opts showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1)
[ -n "$version" ] || { echo "qemu: no qemu source package in the archive" >&2; exit 1; }

# The key: what the binary is made of.
key=$( (echo "$version"; cat "$0" "$here/aimc_pci.c" "$here/aimc_pci_dbg.h" \
	"$model/model.mk" "$model"/*.c "$model"/*.h "$model"/*.def;
	for d in $hw_dirs; do cat "$d"/aimc_hw_*.[ch]; done) | sha256sum | cut -c1-16)
out=$AIMC_QEMU_CACHE/qemu-aimc-$key
if [ $source_only = 0 ] && [ -x "$out/qemu-system-x86_64" ]; then
	touch "$out"	# in use: see the pruning below
	echo "$out/qemu-system-x86_64"
	exit 0
fi
start=$(date +%s)

# 1. the source, once per version
upstream=${version#*:}
src=$work/qemu-${upstream}
if [ ! -e "$src/.aimc-unpacked" ]; then
	rm -rf "$src" "$work/dl"
	mkdir -p "$work/dl"
	echo "qemu: downloading Debian's qemu $version source" >&2
	# shellcheck disable=SC2086
	(cd "$work/dl" && apt-get -q $apt_opts source --download-only "qemu=$version") \
		>"$work/apt-source.log" 2>&1 || { cat "$work/apt-source.log" >&2; exit 1; }
	echo "qemu: unpacking (Debian's patches applied)" >&2
	dpkg-source -x "$work/dl"/qemu_*.dsc "$src" >"$work/dpkg-source.log" 2>&1 || {
		cat "$work/dpkg-source.log" >&2
		exit 1
	}
	rm -rf "$work/dl"
	# The dfsg tarball carries no edk2 firmware to unpack.
	sed -i 's/^\(    unpack_edk2_blobs = \)bzip2.found()$/\1false/' "$src/meson.build"
	touch "$src/.aimc-unpacked"
fi
if [ $source_only = 1 ]; then
	echo "$src"
	exit 0
fi

# 2. the device and the model, copied in when changed
dev=$src/hw/misc/aimc
mkdir -p "$dev"
sync_file() {
	cmp -s "$1" "$2/$(basename "$1")" 2>/dev/null || cp "$1" "$2/"
}
sync_file "$here/aimc_pci.c" "$dev"
sync_file "$here/aimc_pci_dbg.h" "$dev"
# shellcheck disable=SC1091 # the model's file list, a plain make assignment
model_srcs=$(sed -n 's/^AIMC_MODEL_SRCS := //p' "$model/model.mk")
for f in $model_srcs "$model"/*.h "$model"/*.def; do
	case $f in /*) sync_file "$f" "$dev" ;; *) sync_file "$model/$f" "$dev" ;; esac
done
for d in $hw_dirs; do
	for f in "$d"/aimc_hw_*.[ch]; do
		[ -e "$f" ] && sync_file "$f" "$dev"
	done
done
files="'aimc/aimc_pci.c'"
for f in $model_srcs; do files="$files, 'aimc/$f'"; done
meson_line="softmmu_ss.add(when: 'CONFIG_AIMC_PCI', if_true: files($files))"
if ! grep -qxF "$meson_line" "$src/hw/misc/meson.build"; then
	sed -i '/CONFIG_AIMC_PCI/d' "$src/hw/misc/meson.build"
	echo "$meson_line" >>"$src/hw/misc/meson.build"
fi
if ! grep -q '^config AIMC_PCI$' "$src/hw/misc/Kconfig"; then
	printf '\nconfig AIMC_PCI\n    bool\n    default y if TEST_DEVICES\n    depends on PCI_EXPRESS && MSI_NONBROKEN\n' \
		>>"$src/hw/misc/Kconfig"
fi
cat >"$src/configs/devices/x86_64-softmmu/aimc.mak" <<'EOF'
# make check-pci's machine: q35 with VT-d, PCIe root ports, isa-debug-exit,
# serial ports and the AIMC-1 card (emulator/qemu/build.sh).
CONFIG_Q35=y
CONFIG_PC=y
CONFIG_VTD=y
CONFIG_PCIE_PORT=y
CONFIG_ISA_DEBUG=y
CONFIG_SERIAL_ISA=y
CONFIG_AIMC_PCI=y
EOF

# 3. configure once per source tree, then build
bld=$work/build-${upstream}
if [ ! -e "$bld/build.ninja" ]; then
	rm -rf "$bld"
	mkdir -p "$bld"
	echo "qemu: configuring (x86_64, devices: aimc.mak)" >&2
	(cd "$bld" && "$src/configure" --target-list=x86_64-softmmu \
		--without-default-features --without-default-devices \
		--with-devices-x86_64=aimc --disable-docs --disable-werror \
		--disable-install-blobs \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu) \
		>"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
fi
echo "qemu: building qemu-system-x86_64 with $jobs jobs (log: $log)" >&2
# The model's headers come in through the device's directory.  The log
# keeps every run; only this run's lines are searched for warnings.
logstart=$(($(wc -l <"$log" 2>/dev/null || echo 0) + 1))
ninja -C "$bld" -j"$jobs" qemu-system-x86_64 >>"$log" 2>&1 || {
	tail -n +"$logstart" "$log" | grep -E "error|warning" | tail -30 >&2
	tail -10 "$log" >&2
	exit 1
}
# Warnings in our files fail the recipe (the rest of QEMU is not ours).
if tail -n +"$logstart" "$log" |
	grep -E '^\.\./[^ ]*hw/misc/aimc/[^:]*:[0-9]+:[0-9]+: warning' >&2; then
	echo "qemu: compiler warnings in the aimc-pci device or the model (above)" >&2
	exit 1
fi
mkdir -p "$out.tmp"
cp "$bld/qemu-system-x86_64" "$out.tmp/"
echo "$version" >"$out.tmp/VERSION"
rm -rf "$out"
mv "$out.tmp" "$out"
# Builds of other keys nobody has used for two weeks (old device or model
# versions) go; each is a 35 MB binary.
find "$AIMC_QEMU_CACHE" -maxdepth 1 -name 'qemu-aimc-*' -mtime +14 -exec rm -rf {} +
echo "qemu: built in $(($(date +%s) - start)) s: $out" >&2
echo "$out/qemu-system-x86_64"
