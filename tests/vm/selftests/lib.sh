# Helpers of the kselftest-style shell tests (sourced, not run).  Each test
# script loads the modules, prints TAP ("ok N - ..."/"not ok N - ..."),
# unloads, and exits non-zero if any step failed.
#
# The card is an aimc_emu.ko card, or in the PCI lane an aimc-pci card in
# QEMU (emulator/qemu/): CARD_KIND (emu or pci) says which, found from the
# PCI bus.  load/unload, knob/knob_get, card_remove/card_add work for
# both; a step that only an emulated card has is emu_check (a reported
# skip on a PCI card), one that only a PCI card has is pci_check.
modprobe=/sbin/modprobe	# kmod's, not busybox's applet
rmmod=/sbin/rmmod
EMU=/sys/kernel/debug/aimc_emu/0
EMU_SYSFS=/sys/devices/aimc_emu
DRV_PARAMS=/sys/module/aimc/parameters
tap_n=0
tap_fail=0

tap_skip=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); tap_skip=$((tap_skip + 1)); echo "ok $tap_n - $* # SKIP"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status
# (exit 4, kselftest's skip, is reported as a skip)
check() {
	desc=$1
	shift
	"$@"
	case $? in
	0) ok "$desc" ;;
	4) skip "$desc" ;;
	*) not_ok "$desc" ;;
	esac
}
tap_done() {
	echo "# $((tap_n - tap_fail - tap_skip)) passed, $tap_fail failed, $tap_skip skipped"
	[ "$tap_fail" -eq 0 ]
}

# The kind of card: pci when the PCI bus has an AIMC-1 (aimc-pci), else emu.
card_kind() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor" 2>/dev/null)" = 0x1f1f ] &&
			[ "$(cat "$d/device")" = 0x0001 ] && { echo pci; return; }
	done
	echo emu
}
CARD_KIND=$(card_kind)
PCI_DRV=/sys/bus/pci/drivers/aimc

# emu_check / pci_check DESCRIPTION COMMAND...: a check only one kind of
# card can take, reported as a skip on the other.
emu_check() {
	if [ "$CARD_KIND" = emu ]; then check "$@"; else skip "$1 (aimc_emu only)"; fi
}
pci_check() {
	if [ "$CARD_KIND" = pci ]; then check "$@"; else skip "$1 (aimc-pci only)"; fi
}

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

. /usr/share/aimc/aimc-node.sh

# load [aimc_emu parameters...]: both modules, the node present.  On
# aimc-pci cards, whose configuration QEMU fixed, aimc.ko alone, and only
# one card stays bound: the first whose noise-freedom matches the
# noise_free= parameter asked for (default noisy); the others are unbound.
load() {
	if [ "$CARD_KIND" = emu ]; then
		$modprobe aimc_emu "$@" && $modprobe aimc && wait_node
		return
	fi
	want=0
	for a in "$@"; do
		case $a in noise_free=1) want=1 ;; esac
	done
	$modprobe aimc || return 1
	kept=""
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1f1f ] || continue
		dev=$(basename "$d")
		i=0
		while [ ! -e "$PCI_DRV/$dev" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		nf=$(aimc-job-tool card "$dev" | sed -n 's/.* noise_free \([0-9]*\).*/\1/p')
		if [ -z "$kept" ] && [ "$nf" = "$want" ]; then
			kept=$dev
		elif [ -e "$PCI_DRV/$dev" ]; then
			echo "$dev" > $PCI_DRV/unbind
		fi
	done
	[ -n "$kept" ] || { echo "# no aimc-pci card with noise_free $want"; return 1; }
	echo "# aimc-pci card $kept"
	wait_node
}

unload() {
	rmmod_aimc 2>/dev/null
	[ "$CARD_KIND" = emu ] && $rmmod aimc_emu 2>/dev/null
	no_node
}

# unload_emu: aimc_emu.ko's own rmmod step (nothing to do on aimc-pci)
unload_emu() {
	[ "$CARD_KIND" = pci ] || $rmmod aimc_emu
}

# The driver's counters of the card under test, in its DRM device's
# debugfs directory (accel/<bus device>/, or dri/<minor>/ whose name names
# the bus device).
counters_file() {
	name=$(card_name)
	[ -n "$name" ] || return 1
	[ -e "/sys/kernel/debug/accel/$name/counters" ] &&
		{ echo "/sys/kernel/debug/accel/$name/counters"; return 0; }
	for d in /sys/kernel/debug/dri/*/; do
		[ -e "$d/counters" ] || continue
		grep -q "dev=$name\b" "$d/name" 2>/dev/null && { echo "$d/counters"; return 0; }
	done
	return 1
}

# counter NAME: the driver's debugfs counter (empty if absent)
counter() {
	f=$(counters_file) || return 1
	awk -v k="$1" '$1 == k { print $2 }' "$f" </dev/null
}

# knob NAME VALUE / knob_get NAME: a fault knob of the card under test
knob() { aimc-job-tool knob "$1" "$2"; }
knob_get() { aimc-job-tool knob "$1"; }

# The card under test's bus device (aimc-swdev.0, 0000:01:00.0).
card_name() { aimc-job-tool card | cut -d' ' -f2; }

# card_remove / card_add: the hotplug removal of the card under test and
# a card coming back: aimc_emu's del_device/new_device; for an aimc-pci
# card QMP device_del/device_add through the host (host-request.sh), or
# without a host agent the PCI core's sysfs remove and a bus rescan.
card_remove() {
	removed_card=$(card_name)
	if [ "$CARD_KIND" = emu ]; then
		echo "${removed_card#aimc-swdev.}" > $EMU_SYSFS/del_device
	elif [ "${AIMC_HOST_AGENT:-0}" = 1 ]; then
		removed_qdev=$(sh /usr/share/aimc/host-request.sh device_del "$removed_card")
	else
		removed_qdev=""
		echo 1 > "/sys/bus/pci/devices/$removed_card/remove"
	fi
}
card_add() {
	if [ "$CARD_KIND" = emu ]; then
		echo "${removed_card#aimc-swdev.}" > $EMU_SYSFS/new_device
	elif [ -n "${removed_qdev:-}" ]; then
		sh /usr/share/aimc/host-request.sh device_add "$removed_qdev"
	else
		echo 1 > /sys/bus/pci/rescan
	fi
}

# the driver holds nothing: no job, pin, tile, slot or file left
at_baseline() {
	for c in jobs_queued jobs_inflight pinned_operands tiles_reserved \
		slots_reserved files; do
		v=$(counter $c)
		[ "$v" = 0 ] || { echo "# counter $c = $v, want 0"; return 1; }
	done
}

# wait_until SECONDS COMMAND...: poll every 0.1 s
wait_until() {
	limit=$(($1 * 10))
	shift
	i=0
	while [ $i -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Kernel log lines that mean the driver mishandled something.
KERNEL_REPORTS='nobody cared|WARNING:|BUG:|Oops|Call Trace:|Unbalanced enable'
