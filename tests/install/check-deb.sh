#!/bin/sh
# make check-deb (on demand, not in make check; root; Debian's archive):
# the Debian packages make deb built ($DEB_DIR, default build/deb)
# installed, upgraded and purged by apt on a new Debian 12 system, as an
# integrator would:
#  1. a second set of packages, the next patch release, built from a copy
#     of the tree by tools/debian/new-version.sh and make deb's script;
#  2. a Debian 12 chroot (debootstrap, minbase) with what a machine with
#     the card has before aimc: both supported kernels (Debian 12's 6.1,
#     image and headers, and the 6.12 LTS line's), udev, pkg-config; a
#     listing of its files (path, type, mode, owner, and each regular
#     file's checksum);
#  3. apt-get install ./*.deb: apt pulls the dependencies from Debian's
#     archive; DKMS builds aimc.ko and aimc_emu.ko for both kernels;
#     /usr/bin/aimc-smi --device sim and /usr/bin/aimc-run on the shipped
#     example run, a program built with pkg-config against libaimc-dev
#     runs, the Python package runs a model;
#  4. apt-get install of the next release's packages over them: the
#     modules rebuilt at the new version for both kernels and the old ones
#     gone, the same programs run (the one built against the first release
#     too);
#  5. apt-get purge of the five packages: dpkg -L knows none of them, dkms
#     status is empty, no module, source tree or DKMS state left; then
#     apt-get purge of what apt pulled in, and the listing must equal the
#     one of step 2 (apt's and dpkg's own records, caches and logs aside,
#     and dkms's signing key, which dkms keeps on purpose).
#
# Environment: DEB_DIR; CHECK_DEB_CACHE (default build/check-deb: the
# .debs debootstrap and apt download, kept for the next run, and the
# next release's packages); KEEP=1 keeps the chroot (its path is printed);
# MIRROR (default: the first URIs of this machine's apt sources).
# Prints each phase's time and "check-deb: passed in N s" (about 16
# minutes on 2 cores: the two chroot set-ups and 8 DKMS builds).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$top"
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
say() { echo "check-deb: $*"; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
deb=$(abspath "${DEB_DIR:-build/deb}")
cache=$(abspath "${CHECK_DEB_CACHE:-build/check-deb}")

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot, apt-get in the chroot)"
command -v debootstrap >/dev/null || fail "debootstrap is not installed (tools/install-deps.sh deb)"

packages="aimc-dkms libaimc2 libaimc-dev aimc-tools python3-aimc"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# The next patch release (1.0.0 -> 1.0.1).
next=$(echo "$version" | awk -F. '{ printf "%s.%s.%d\n", $1, $2, $3 + 1 }')
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
machine=$(uname -m)
debs_of() { # DIR VERSION: the five packages' files
	for p in $packages; do
		case $p in aimc-dkms | python3-aimc) a=all ;; *) a=$arch ;; esac
		f=$1/${p}_$2_$a.deb
		[ -f "$f" ] || fail "no $f"
		echo "$f"
	done
}
debs_of "$deb" "$version" >/dev/null

clock=$(date +%s)
begun=$clock
phase() { # what took the time since the last phase
	now=$(date +%s)
	say "$1 ($((now - clock)) s)"
	clock=$now
}

# ---- 1. The next release's packages, from a copy of the tree ----
rm -rf "$cache/next" "$cache/deb-next"
mkdir -p "$cache/next"
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$cache/next"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$cache/next"
fi
"$cache/next/tools/debian/new-version.sh" "$next" \
	"The upgrade test's release (tests/install/check-deb.sh)." >/dev/null
DEB_BUILD_OPTIONS=nocheck "$cache/next/tools/debian/build-debs.sh" "$cache/deb-next" >/dev/null
rm -rf "$cache/next"
debs_of "$cache/deb-next" "$next" >/dev/null
phase "built the next release's packages ($next)"

# ---- 2. A Debian 12 system with two kernels ----
root=$(mktemp -d /var/tmp/aimc-check-deb.XXXXXX)
chmod 755 "$root"
mounted() { grep -q " $root/" /proc/mounts; }
cleanup() {
	for m in var/cache/apt/archives sys proc; do
		umount "$root/$m" 2>/dev/null || true
	done
	umount -R "$root/dev" 2>/dev/null || true
	if mounted; then
		echo "check-deb: mounts remain under $root; not removing it" >&2
	elif [ -n "${KEEP:-}" ]; then
		echo "check-deb: the chroot is kept in $root" >&2
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
if [ -z "${MIRROR:-}" ]; then
	MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$MIRROR" ] || MIRROR=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi
mkdir -p "$cache/debootstrap" "$cache/apt/partial"
# apt downloads as _apt.
chown _apt:root "$cache/apt/partial" 2>/dev/null || true
debootstrap --variant=minbase --cache-dir="$cache/debootstrap" bookworm "$root" "$MIRROR" \
	>"$cache/debootstrap.log" 2>&1 || { tail -5 "$cache/debootstrap.log" >&2; fail "debootstrap (log: $cache/debootstrap.log)"; }
# This machine's sources (Debian 12's 6.12 line is in bookworm-security).
rm -f "$root/etc/apt/sources.list"
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
	cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
fi
[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$root/etc/apt/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service starts in a chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mount --bind "$cache/apt" "$root/var/cache/apt/archives"
in_target() {
	chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
apt_target() { # LOG ARGS...: apt-get in the chroot, its output in LOG
	log=$1
	shift
	in_target ${APT_ENV:-} apt-get -y -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-unsafe-io "$@" \
		>"$cache/$log" 2>&1 ||
		{ tail -30 "$cache/$log" >&2; fail "apt-get $* (log: $cache/$log)"; }
}
apt_target apt-update.log update
# The 6.12 line's headers depend on its image; 6.1's do not, its image is
# installed too, as a machine running Debian 12's kernel has it.  The
# chroot never boots: no initramfs (INITRD=No, 3 minutes each).  netbase
# (/etc/hosts) is on every installed system, not in debootstrap's minbase.
# Then the system is brought up to date, as a maintained machine is (else
# the packages aimc pulls in would upgrade some of it).
APT_ENV=INITRD=No apt_target apt-base.log install linux-image-amd64 linux-headers-amd64 linux-headers-6.12-amd64 \
	udev pkg-config netbase
APT_ENV=INITRD=No apt_target apt-base-upgrade.log dist-upgrade
installed_packages() {
	in_target dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' | awk 'substr($1, 2, 1) != "n" { print $2 }' | LC_ALL=C sort
}
installed_packages >"$cache/packages-before.txt"
# (build is an absolute link: resolved in the chroot.)
kernels=$(in_target sh -c 'cd /lib/modules && for k in *; do if [ -e "$k/build/include" ]; then echo "$k"; fi; done')
case $(echo "$kernels" | tr '\n' ' ') in
"6.1."*-amd64" 6.12."*+deb12-amd64" ") ;;
*) fail "the chroot's kernels with headers are '$kernels', not one 6.1 and one 6.12" ;;
esac
# The system's files, but for /proc, /sys, /dev, /run, /tmp, and apt's and
# dpkg's own records, caches and logs; and but for dkms's signing key
# (/var/lib/dkms/mok.key, .pub), which dkms creates to sign the first
# modules it builds and keeps when it is purged, on purpose: the key may
# be enrolled in the firmware as a Machine Owner Key.
listing() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
		-o -path ./var/cache -o -path ./var/log -o -path ./var/lib/apt -o -path ./var/lib/dpkg \) -prune \
		-o -printf '%p %y %m %u:%g\n' | LC_ALL=C sort) >"$1"
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
		-o -path ./var/cache -o -path ./var/log -o -path ./var/lib/apt -o -path ./var/lib/dpkg \) -prune \
		-o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >>"$1"
	grep -Ev '(^| )\./var/lib/dkms(/mok\.(key|pub))?( |$)' "$1" >"$1.tmp"
	mv "$1.tmp" "$1"
}
listing "$cache/before.txt"
phase "Debian 12 chroot with kernels $(echo "$kernels" | tr '\n' ' ')($(wc -l <"$cache/before.txt") entries listed)"

# ---- 3. Install ----
mkdir -p "$root/tmp/check-deb/first" "$root/tmp/check-deb/next"
# shellcheck disable=SC2046 # one path a line
cp $(debs_of "$deb" "$version") "$root/tmp/check-deb/first/"
# shellcheck disable=SC2046
cp $(debs_of "$cache/deb-next" "$next") "$root/tmp/check-deb/next/"
cp tests/install/example.c "$root/tmp/check-deb/"
# shellcheck disable=SC2046
apt_target apt-install.log install $(cd "$root" && ls tmp/check-deb/first/*.deb | sed 's|^|/|')
pulled=$(sed -n '/^The following NEW packages will be installed:/,/^[^ ]/p' "$cache/apt-install.log" |
	sed '1d;$d' | tr -s ' \n' '\n\n' | grep -vx "$(echo "$packages" | sed 's/ /\\|/g')" | grep . | tr '\n' ' ')
for p in dkms libdrm2 libjson-c5 python3-numpy; do
	case " $pulled " in *" $p "*) ;; *) fail "apt did not pull $p from the archive (new packages: $pulled)" ;; esac
done
say "apt pulled from the archive: $pulled"

# Both modules for both kernels, at VERSION, and nothing else.
modules_at() { # VERSION
	# (dkms's readelf warns about 6.12's vmlinux; its stderr is kept aside.)
	status=$(in_target dkms status 2>"$cache/dkms-status.err" | LC_ALL=C sort)
	want=$(for k in $kernels; do echo "aimc/$1, $k, $machine: installed"; done | LC_ALL=C sort)
	[ "$status" = "$want" ] || fail "dkms status, wanted:
$want
got:
$status"
	for k in $kernels; do
		for m in aimc aimc_emu; do
			ko=$(cd "$root" && ls "lib/modules/$k/updates/dkms/$m.ko"* 2>/dev/null) ||
				fail "no $m.ko in /lib/modules/$k/updates/dkms"
			vermagic=$(in_target modinfo -F vermagic "/$ko")
			case $vermagic in "$k "*) ;; *) fail "/$ko: vermagic $vermagic" ;; esac
			if [ $m = aimc ]; then
				v=$(in_target modinfo -F version "/$ko")
				[ "$v" = "$1" ] || fail "/$ko is version $v, not $1"
			fi
		done
		grep -q '^updates/dkms/aimc\.ko' "$root/lib/modules/$k/modules.dep" ||
			fail "depmod did not index aimc.ko for $k"
	done
	for d in "$root"/usr/src/aimc-*; do
		[ "$d" = "$root/usr/src/aimc-$1" ] || fail "source trees: $(ls -d "$root"/usr/src/aimc-*)"
	done
}
# The installed tools, library, -dev package and Python package at VERSION.
programs_at() { # VERSION
	in_target /usr/bin/aimc-smi --device sim >"$cache/smi.out" 2>&1 ||
		fail "/usr/bin/aimc-smi --device sim: $(cat "$cache/smi.out")"
	in_target /usr/bin/aimc-run /usr/share/aimc/examples/digits-qat4-pruned.safetensors --device sim \
		--input /usr/share/aimc/examples/digits-test.txt >"$cache/run.out" 2>&1 ||
		fail "/usr/bin/aimc-run: $(tail -3 "$cache/run.out")"
	grep -q '^summary: 200 sequences, .* accuracy' "$cache/run.out" || fail "aimc-run: $(tail -1 "$cache/run.out")"
	[ "$(in_target pkg-config --modversion aimc)" = "$1" ] || fail "aimc.pc is not at $1"
	in_target sh -c 'cc -Wall -Wextra -Werror -o /tmp/check-deb/example-'"$1"' /tmp/check-deb/example.c \
		$(pkg-config --cflags --libs aimc)' >"$cache/cc.out" 2>&1 ||
		fail "example built with pkg-config against libaimc-dev: $(cat "$cache/cc.out")"
	for e in "$root"/tmp/check-deb/example-*; do
		out=$(in_target "/tmp/check-deb/${e##*/}") || fail "/tmp/check-deb/${e##*/}: $out"
		case $out in "example: sim backend"*) ;; *) fail "/tmp/check-deb/${e##*/}: $out" ;; esac
	done
	out=$(in_target python3 -c 'import aimc, numpy as np
with aimc.open_sim(seed=1) as d, d.load("/usr/share/aimc/examples/digits-qat4-pruned.safetensors") as n, n.stream() as s:
    assert s.run(np.zeros((64, 1), np.float32)).shape == (10,)
print(aimc.__version__, aimc.library_path())' 2>&1) || fail "python3 -c 'import aimc ...': $out"
	# (the loader's path: /lib is /usr/lib on Debian 12's merged /usr)
	case $out in
	"$1 /usr/lib/$multiarch/libaimc.so.2" | "$1 /lib/$multiarch/libaimc.so.2") ;;
	*) fail "the Python package ran as: $out" ;;
	esac
	for p in $packages; do
		v=$(in_target dpkg-query -W -f='${Version} ${db:Status-Abbrev}' "$p")
		[ "$v" = "$1 ii " ] || fail "$p: $v"
	done
}
modules_at "$version"
programs_at "$version"
[ -f "$root/lib/udev/rules.d/70-aimc.rules" ] || fail "no /lib/udev/rules.d/70-aimc.rules"
[ -f "$root/lib/modprobe.d/aimc.conf" ] || fail "no /lib/modprobe.d/aimc.conf"
phase "installed $version: dkms built aimc.ko and aimc_emu.ko for both kernels; aimc-smi, aimc-run, the example, the Python package run"

# ---- 4. Upgrade ----
# shellcheck disable=SC2046
apt_target apt-upgrade.log install $(cd "$root" && ls tmp/check-deb/next/*.deb | sed 's|^|/|')
grep -q "^Unpacking aimc-dkms ($next) over ($version)" "$cache/apt-upgrade.log" ||
	fail "apt did not upgrade aimc-dkms from $version to $next (log: $cache/apt-upgrade.log)"
modules_at "$next"
programs_at "$next"
phase "upgraded to $next: the modules rebuilt for both kernels, $version's removed; the programs run (the one built against $version too)"

# ---- 5. Purge ----
apt_target apt-purge.log purge $packages
for p in $packages; do
	out=$(in_target dpkg -L "$p" 2>&1) && fail "dpkg -L $p after the purge: $out"
	[ "$(echo "$out" | head -1)" = "dpkg-query: package '$p' is not installed" ] ||
		fail "dpkg -L $p after the purge: $out"
done
status=$(in_target dkms status 2>"$cache/dkms-status.err")
[ -z "$status" ] || fail "dkms status after the purge: $status"
left=$(cd "$root" && find lib/modules usr/src var/lib/dkms usr/share/aimc usr/include/aimc \
	"usr/lib/$multiarch" usr/lib/python3/dist-packages etc \( -name 'aimc*' -o -name 'libaimc*' \) \
	-print 2>/dev/null || true)
[ -z "$left" ] || fail "left after the purge: $left"
rm -rf "$root/tmp/check-deb"
# What apt pulled in (sudo, recommended by dkms, refuses to go unless told).
installed_packages >"$cache/packages-after.txt"
# shellcheck disable=SC2046 # one package a line
APT_ENV=SUDO_FORCE_REMOVE=yes apt_target apt-purge-pulled.log purge \
	$(LC_ALL=C comm -13 "$cache/packages-before.txt" "$cache/packages-after.txt")
installed_packages >"$cache/packages-after.txt"
cmp -s "$cache/packages-before.txt" "$cache/packages-after.txt" ||
	fail "the packages differ from before the install: $(diff "$cache/packages-before.txt" "$cache/packages-after.txt")"
listing "$cache/after.txt"
if ! diff "$cache/before.txt" "$cache/after.txt" >"$cache/listing.diff"; then
	head -40 "$cache/listing.diff" >&2
	fail "the system differs from before the install (< before, > after; $cache/listing.diff)"
fi
phase "purged: dpkg -L lists nothing, dkms status is empty; with what apt pulled in purged too, the files are as before ($(wc -l <"$cache/after.txt") entries)"
say "passed in $(($(date +%s) - begun)) s"
