# Helpers of the kselftest-style shell tests (sourced, not run).  Each test
# script loads the modules, prints TAP ("ok N - ..."/"not ok N - ..."),
# unloads, and exits non-zero if any step failed.
modprobe=/sbin/modprobe	# kmod's, not busybox's applet
rmmod=/sbin/rmmod
EMU=/sys/kernel/debug/aimc_emu/0
EMU_SYSFS=/sys/devices/aimc_emu
DRV_PARAMS=/sys/module/aimc/parameters
tap_n=0
tap_fail=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_fail=$((tap_fail + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
tap_done() {
	echo "# $((tap_n - tap_fail)) passed, $tap_fail failed"
	[ "$tap_fail" -eq 0 ]
}

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

. /usr/share/aimc/aimc-node.sh

# load [aimc_emu parameters...]: both modules, the node present
load() {
	$modprobe aimc_emu "$@" && $modprobe aimc && wait_node
}

unload() {
	rmmod_aimc 2>/dev/null
	$rmmod aimc_emu 2>/dev/null
	no_node
}

# The driver's counters of aimc_emu's card 0, in its DRM device's debugfs
# directory (accel/<bus device>/, or dri/<minor>/ whose name names it).
counters_file() {
	first=""
	for d in /sys/kernel/debug/accel/*/ /sys/kernel/debug/dri/*/; do
		[ -e "$d/counters" ] || continue
		[ -n "$first" ] || first="$d/counters"
		case "$d" in */aimc-swdev.0/) echo "$d/counters"; return 0 ;; esac
		grep -q 'aimc-swdev\.0\b' "$d/name" 2>/dev/null && { echo "$d/counters"; return 0; }
	done
	[ -n "$first" ] && { echo "$first"; return 0; }
	return 1
}

# counter NAME: the driver's debugfs counter (empty if absent)
counter() {
	awk -v k="$1" '$1 == k { print $2 }' "$(counters_file)"
}

knob() { echo "$2" > "$EMU/$1"; }

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
