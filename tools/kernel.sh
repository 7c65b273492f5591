#!/bin/sh
# The Debian kernels aimc is built and tested against, resolved at run time
# from Debian's archive (the ABI in a package name changes with every
# point release: never hard-code it).
#
#   kernel.sh lines              the supported kernel lines: 6.1 6.12
#   kernel.sh abi LINE           the ABI of LINE's current kernel (6.1.0-57-amd64)
#   kernel.sh kdir LINE DIR      a headers tree for LINE to build modules
#                                against: the installed package's, else the
#                                packages unpacked under DIR (no root needed)
#   kernel.sh image LINE DIR     Debian's unsigned image of LINE, unpacked
#                                under DIR; prints its root
#   kernel.sh node-kind LINE DIR accel if LINE's kernel has drivers/accel
#                                (CONFIG_DRM_ACCEL), else render
#
# A line's current ABI is what its headers metapackage depends on:
# linux-headers-amd64 for 6.1 (Debian 12's own kernel), the 6.12 LTS
# line's linux-headers-6.12-amd64 (bookworm-security).  The installed
# metapackage wins over the archive's candidate.
set -eu

die() { echo "kernel.sh: $*" >&2; exit 1; }

metapackage() {
	case $1 in
	6.1) echo linux-headers-amd64 ;;
	6.12) echo linux-headers-6.12-amd64 ;;
	*) die "unsupported kernel line '$1' (supported: 6.1 6.12)" ;;
	esac
}

abi() {
	meta=$(metapackage "$1")
	if dpkg-query -W -f='${Status}' "$meta" 2>/dev/null | grep -q ' installed$'; then
		dep=$(dpkg-query -W -f='${Depends}' "$meta")
	else
		dep=$(apt-cache show --no-all-versions "$meta" 2>/dev/null |
			sed -n 's/^Depends: //p') ||
			true
		[ -n "$dep" ] || die "$meta is neither installed nor in the package lists (apt-get update?)"
	fi
	abi=$(printf '%s\n' "$dep" | sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
	case $abi in
	"$1".*) printf '%s\n' "$abi" ;;
	*) die "$meta depends on '$dep': no $1 kernel" ;;
	esac
}

# Download one package's .deb into $2 and unpack it into root $3, once.
unpack() {
	stamp="$3/.unpacked-$1"
	[ -e "$stamp" ] && return 0
	mkdir -p "$2" "$3"
	(cd "$2" && rm -f "$1"_*.deb && apt-get download -q "$1" >/dev/null 2>&1) ||
		die "'apt-get download $1' failed (apt-get update?)"
	dpkg-deb -x "$2/$1"_*.deb "$3"
	touch "$stamp"
}

kdir() {
	abi=$(abi "$1")
	if [ -r "/usr/src/linux-headers-$abi/include/generated/utsrelease.h" ]; then
		echo "/usr/src/linux-headers-$abi"
		return 0
	fi
	root=$2/headers-$abi
	# The arch headers package needs its -common part and the kbuild tools.
	deps=$(apt-cache show --no-all-versions "linux-headers-$abi" | sed -n 's/^Depends: //p' |
		tr ',' '\n' | sed -n 's/^ *\(linux-\(headers-[^ ]*-common\|kbuild-[^ ]*\)\).*/\1/p')
	for pkg in "linux-headers-$abi" $deps; do
		unpack "$pkg" "$2/debs" "$root"
	done
	kdir=$root/usr/src/linux-headers-$abi
	# Its Makefile includes the -common part by absolute path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
	echo "$kdir"
}

image() {
	abi=$(abi "$1")
	unpack "linux-image-$abi-unsigned" "$2/debs" "$2/image-$abi"
	echo "$2/image-$abi"
}

node_kind() {
	root=$(image "$1" "$2")
	if grep -qx 'CONFIG_DRM_ACCEL=y' "$root/boot/config-$(abi "$1")"; then
		echo accel
	else
		echo render
	fi
}

# DIR may be relative; the headers' Makefile needs an absolute path.
if [ $# -eq 3 ]; then
	mkdir -p "$3"
	dir=$(cd "$3" && pwd)
	set -- "$1" "$2" "$dir"
fi

case ${1:-} in
lines) echo "6.1 6.12" ;;
abi) [ $# -eq 2 ] || die "usage: kernel.sh abi LINE"; abi "$2" ;;
kdir) [ $# -eq 3 ] || die "usage: kernel.sh kdir LINE DIR"; kdir "$2" "$3" ;;
image) [ $# -eq 3 ] || die "usage: kernel.sh image LINE DIR"; image "$2" "$3" ;;
node-kind) [ $# -eq 3 ] || die "usage: kernel.sh node-kind LINE DIR"; node_kind "$2" "$3" ;;
*) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
