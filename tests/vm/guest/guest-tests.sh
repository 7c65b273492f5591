#!/bin/sh
# Runs inside the QEMU guest: load the modules, run aimc-smi and the guest
# Check suites, then unbind/rebind and unload/reload and check the device
# comes back each time.  Exit status 0 only if every step passed.
set -u
abi=$(uname -r)
. /usr/share/aimc/guest-lib.sh

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
suites "guest Check suites"

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
suites "guest Check suites after reload"
# Noise-free cards compute exactly what the userspace device model does.
run "rmmod aimc_emu for the noise-free phase" $rmmod aimc_emu
run "modprobe aimc_emu noise_free=1" $modprobe aimc_emu tiles=4 tile_rows=128 tile_cols=64 stream_slots=16 noise_free=1 seed=1
run "node back, noise-free" wait_node
suites "guest Check suites, noise-free" AIMC_VM_PHASE=noise_free
# The kws model needs a card of the default geometry (256 x 256 tiles).
run "rmmod aimc_emu for the kws phase" $rmmod aimc_emu
run "modprobe aimc_emu (default geometry)" $modprobe aimc_emu
run "node back, default geometry" wait_node
run "keyword spotting through the driver (aimc-kws): 9 of 10 words or better" kws_words
run "aimc-run reports the card's energy per inference (digits, beside the sim's)" card_energy
run "the aimc Python package's suite through the driver (pytest)" python_suite
run "rmmod aimc" rmmod_aimc
run "rmmod aimc_emu" $rmmod aimc_emu

# Fault knobs, stress, the ioctl fuzzer and fault injection (debug kernel
# only) (tests/vm/selftests/): each loads and unloads the modules itself
# and prints its own TAP lines.
for t in fault_knobs stress ioctl_fuzz fault_inject fences; do
	run "selftest $t" sh /usr/share/aimc/selftests/$t.sh
done

taint_check
guest_done
