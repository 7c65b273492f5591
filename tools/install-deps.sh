#!/bin/sh
# Install every Debian package that building, testing and the QEMU lane
# need.  Idempotent: packages already installed are not touched.  When not
# root, print the exact command to run instead and fail.
#
#   tools/install-deps.sh [GROUP...]     groups: build install vm qemu lint fuzz qat python
#                                        deb debug bench (default: all but debug and bench)
set -eu

# The 6.1 headers are installed; the 6.12 ones are fetched and unpacked
# into build/ by tools/kernel.sh (installing them would pull in their
# kernel image).  6.12's headers carry vmlinux: modules get BTF, by pahole.
# libfftw3-dev: the FFT of the keyword-spotting example's front end
# (tools/examples/kws/), built with the rest of userspace.
pkgs_build="gcc make pkg-config libdrm-dev check libsubunit-dev libjson-c-dev libkmod-dev linux-headers-amd64 pahole libfftw3-dev"
# check-dkms builds and signs (openssl) the modules with dkms;
# check-install renders man pages.
pkgs_install="dkms openssl man-db"
pkgs_vm="qemu-system-x86 busybox-static kmod cpio xz-utils"
# The PCI lane's QEMU (emulator/qemu/build.sh): Debian's qemu source
# (dpkg-source unpacks it with its patches) and what building it with
# meson takes; python3 runs meson and the lane's host agent
# (tests/vm/host-agent.py).  Its firmware is qemu-system-x86's (vm).
pkgs_qemu="dpkg-dev python3 meson ninja-build libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev"
pkgs_lint="sparse"
pkgs_fuzz="clang libclang-rt-14-dev"
# The QAT trainer (tools/qat/; make check-qat runs its export round trip):
# Debian's torch needs an optimized BLAS to be usable, scipy resamples the
# synthesized speech, espeak-ng synthesizes it.
pkgs_qat="python3-torch python3-sklearn python3-scipy python3-numpy espeak-ng libopenblas0-pthread"
# The Python package (runtime/python, make check-python): numpy, pytest;
# tqdm (progress bars) and matplotlib (the example's plot) are optional
# to the package but installed so that their paths are tested too.
pkgs_python="python3-numpy python3-pytest python3-tqdm python3-matplotlib"
# make deb (tools/debian/): debian/control's Build-Depends besides the
# build group's (debhelper, dh_dkms, dh_python3), lintian for the packages
# it builds; debootstrap makes check-deb's Debian 12 chroot.
pkgs_deb="debhelper dh-dkms dh-python python3 dpkg-dev lintian debootstrap"
# make check-debug: the kernel sources (6.12 is the default debug kernel,
# 6.1 on request) and what building them takes.
pkgs_debug="linux-source-6.12 linux-source-6.1 bison flex libelf-dev bc cpio"
# make bench only: the plots.
pkgs_bench="gnuplot-nox"

groups=${*:-build install vm qemu lint fuzz qat python deb}
want=""
for g in $groups; do
	case $g in
	build) want="$want $pkgs_build" ;;
	install) want="$want $pkgs_install" ;;
	vm) want="$want $pkgs_vm" ;;
	qemu) want="$want $pkgs_qemu" ;;
	lint) want="$want $pkgs_lint" ;;
	fuzz) want="$want $pkgs_fuzz" ;;
	qat) want="$want $pkgs_qat" ;;
	python) want="$want $pkgs_python" ;;
	deb) want="$want $pkgs_deb" ;;
	debug) want="$want $pkgs_debug" ;;
	bench) want="$want $pkgs_bench" ;;
	*) echo "install-deps: unknown group '$g' (build install vm qemu lint fuzz qat python deb debug bench)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends $missing >/dev/null
