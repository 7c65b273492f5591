#!/bin/sh
# Runs inside the QEMU guest: load the modules, run aimc-smi and the guest
# Check suites, then unbind/rebind and unload/reload and check the device
# comes back each time.  Exit status 0 only if every step passed.
set -u
abi=$(uname -r)
modprobe=/sbin/modprobe	# kmod's, not busybox's applet
rmmod=/sbin/rmmod
failures=0
step=0

skipped=0
ok() { step=$((step + 1)); echo "ok $step - $*"; }
not_ok() { step=$((step + 1)); failures=$((failures + 1)); echo "not ok $step - $*"; }
skip() { step=$((step + 1)); skipped=$((skipped + 1)); echo "ok $step - $* # SKIP"; }
# run DESCRIPTION COMMAND...: exit 0 passes, 4 (kselftest's KSFT_SKIP)
# does not apply here, anything else fails.
run() {
	desc=$1
	shift
	"$@"
	rc=$?
	case $rc in
	0) ok "$desc" ;;
	4) skip "$desc" ;;
	*) not_ok "$desc (exit $rc)" ;;
	esac
}

. /usr/share/aimc/aimc-node.sh

# The node kind run.sh expects from this kernel's config, and no other.
node_kind_is() {
	case ${AIMC_NODE_KIND:-} in
	accel) other=render ;;
	render) other=accel ;;
	*) echo "AIMC_NODE_KIND is '${AIMC_NODE_KIND:-}', not accel or render"; return 1 ;;
	esac
	echo "aimc's $AIMC_NODE_KIND nodes: $(aimc_nodes "$AIMC_NODE_KIND" | tr '\n' ' ')"
	[ "$(aimc_nodes "$AIMC_NODE_KIND")" = "$1" ] && [ -c "$1" ] &&
		[ -z "$(aimc_nodes $other)" ]
}

# The keyword-spotting example through the driver: the shipped model
# streams ten held-out-accent words frame by frame (one is known to be
# misheard on the sim card too).
kws_words() {
	kws=/usr/share/aimc/kws
	aimc-kws $kws/kws-qat4-pruned.safetensors $kws/heldout-digits.wav \
		--device drm > /tmp/kws.out 2>&1 || { cat /tmp/kws.out; return 1; }
	cat /tmp/kws.out
	right=0
	i=1
	for word in zero one two three four five six seven eight nine; do
		[ "$(sed -n "${i}s/.*: //p" /tmp/kws.out)" = "$word" ] && right=$((right + 1))
		i=$((i + 1))
	done
	echo "kws: $right of 10 words right"
	[ $right -ge 9 ]
}

# The Python package's pytest suite against the card (tests/python with
# AIMC_TEST_BACKEND=drm: what only the sim has skips), from the source
# tree initramfs-python.sh put in; a skip without python3 there.
python_suite() {
	tree=/usr/share/aimc/tree
	if [ ! -x /usr/bin/python3 ] || [ ! -d $tree/tests/python ]; then
		echo "no python3 and aimc package in this initramfs (VM_PYTHON=no, or none on the host)"
		return 4
	fi
	(cd $tree && AIMC_TEST_BACKEND=drm AIMC_LIBRARY=/lib/x86_64-linux-gnu/libaimc.so.2 \
		python3 -m pytest -q -p no:cacheprovider -rs tests/python)
}

echo "guest: kernel $abi, ${AIMC_NODE_KIND:-?} node expected"
# Non-default geometry: the tests compare GET_PARAM with these.
run "modprobe aimc_emu" $modprobe aimc_emu tiles=4 tile_rows=128 tile_cols=64 stream_slots=16
run "modprobe aimc" $modprobe aimc
run "device node appears" wait_node
if [ "${AIMC_NODE_KIND:-}" = accel ]; then
	run "/dev/accel/accel0 is aimc's, no render node is" node_kind_is /dev/accel/accel0
else
	run "/dev/dri/renderD128 is aimc's, no accel node is" node_kind_is /dev/dri/renderD128
fi
run "aimc-smi lists the emulated card" aimc-smi
run "device model self-test in the kernel" sh -c '[ "$(cat /sys/kernel/debug/aimc_emu/0/selftest)" = pass ]'
run "guest Check suites" aimc-vm-tests

dev=aimc-swdev.0
drv=/sys/bus/platform/drivers/aimc-swdev
run "unbind" sh -c "echo $dev > $drv/unbind"
run "node gone after unbind" no_node
run "bind" sh -c "echo $dev > $drv/bind"
run "node back after bind" wait_node
run "aimc-smi after rebind" aimc-smi

run "rmmod aimc" rmmod_aimc
run "node gone after rmmod" no_node
run "modprobe aimc again" $modprobe aimc
run "node back after modprobe" wait_node
run "aimc-smi after reload" aimc-smi

run "rmmod aimc_emu under a bound driver" $rmmod aimc_emu
run "node gone with the emulator" no_node
run "modprobe aimc_emu again" $modprobe aimc_emu tiles=4 tile_rows=128 tile_cols=64 stream_slots=16
run "node back with the emulator" wait_node
run "guest Check suites after reload" aimc-vm-tests
# Noise-free cards compute exactly what the userspace device model does.
run "rmmod aimc_emu for the noise-free phase" $rmmod aimc_emu
run "modprobe aimc_emu noise_free=1" $modprobe aimc_emu tiles=4 tile_rows=128 tile_cols=64 stream_slots=16 noise_free=1 seed=1
run "node back, noise-free" wait_node
run "guest Check suites, noise-free" env AIMC_VM_PHASE=noise_free aimc-vm-tests
# The kws model needs a card of the default geometry (256 x 256 tiles).
run "rmmod aimc_emu for the kws phase" $rmmod aimc_emu
run "modprobe aimc_emu (default geometry)" $modprobe aimc_emu
run "node back, default geometry" wait_node
run "keyword spotting through the driver (aimc-kws): 9 of 10 words or better" kws_words
run "the aimc Python package's suite through the driver (pytest)" python_suite
run "rmmod aimc" rmmod_aimc
run "rmmod aimc_emu" $rmmod aimc_emu

# Fault knobs, stress, the ioctl fuzzer and fault injection (debug kernel
# only) (tests/vm/selftests/): each loads and unloads the modules itself
# and prints its own TAP lines.
for t in fault_knobs stress ioctl_fuzz fault_inject fences; do
	run "selftest $t" sh /usr/share/aimc/selftests/$t.sh
done

tainted=$(cat /proc/sys/kernel/tainted)
# Allowed: O (out-of-tree module, 4096) and E (unsigned module, 8192).
if [ $((tainted & ~(4096 | 8192))) -eq 0 ]; then
	ok "kernel taint $tainted is out-of-tree/unsigned only"
else
	not_ok "kernel tainted $tainted"
fi

echo "guest: $((step - failures - skipped)) passed, $failures failed, $skipped skipped"
[ $failures -eq 0 ]
