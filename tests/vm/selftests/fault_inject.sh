#!/bin/sh
# Failing kernel allocations on purpose (the debug-kernel lane: failslab
# and fail_page_alloc exist only where CONFIG_FAULT_INJECTION_DEBUG_FS is
# built; elsewhere this reports a skip, exit 4).  The ioctl fuzzer runs
# with a share of the slab and page allocations of its own tasks failing
# (task-filter + make-it-fail), so the ioctls' error paths are taken by
# the thousand.  Every failure must be handled: no kernel report, the
# driver back to its baseline, nothing mapped left behind, the card still
# serving; kmemleak (at the end of the guest run) finds no leak.  TAP.
. "$(dirname "$0")/lib.sh"
FAILSLAB=/sys/kernel/debug/failslab
FAILPAGE=/sys/kernel/debug/fail_page_alloc
if [ ! -d $FAILSLAB ] || [ ! -d $FAILPAGE ]; then
	echo "ok 1 - # SKIP no failslab/fail_page_alloc in this kernel (CONFIG_FAULT_INJECTION_DEBUG_FS)"
	exit 4
fi
calls=${FAULT_FUZZ_CALLS:-4000}
seed=${FUZZ_SEED:-$(now_ms)}
budget=1000000

# inject DIR PERCENT: fail PERCENT % of the allocations of marked tasks,
# sleeping ones and (pages) order 0 and user pages included
inject() {
	if [ -e "$1/min-order" ]; then
		echo 0 > "$1/min-order" && echo N > "$1/ignore-gfp-highmem" || return 1
	fi
	echo Y > "$1/task-filter" &&
		echo N > "$1/ignore-gfp-wait" &&
		echo 0 > "$1/verbose" &&
		echo 0 > "$1/space" &&
		echo 1 > "$1/interval" &&
		echo $budget > "$1/times" &&
		echo "$2" > "$1/probability"
}
stop_injecting() {
	echo 0 > "$1/probability"
	echo N > "$1/task-filter"
}
# injected DIR: how many failures it injected
injected() { echo $((budget - $(cat "$1/times"))); }

check "load aimc_emu and aimc ($CARD_KIND card)" load tiles=4 tile_rows=128 tile_cols=64 stream_slots=16
echo 300 > $DRV_PARAMS/job_timeout_ms
mapped=$(knob_get mapped_pages 2>/dev/null)
check "failslab: 10 % of the fuzzer's slab allocations fail" inject $FAILSLAB 10
check "fail_page_alloc: 2 % of its page allocations fail" inject $FAILPAGE 2
out=/tmp/fault-fuzz.out
aimc-ioctl-fuzz --make-it-fail --seed "$seed" --calls "$calls" --procs 2 \
	--seconds 300 > $out 2>&1
rc=$?
stop_injecting $FAILSLAB
stop_injecting $FAILPAGE
sed 's/^/# /' $out
check "fuzz under fault injection: exited cleanly, no oracle violation" [ $rc -eq 0 ]
slab=$(injected $FAILSLAB)
page=$(injected $FAILPAGE)
echo "# injected: $slab slab and $page page allocation failures"
check "failures were injected ($slab slab, $page page)" [ "$slab" -gt 0 ]
check "some calls failed with ENOMEM" grep -q 'ENOMEM=[1-9]' $out
check "driver back to baseline" wait_until 10 at_baseline
emu_check "emulator mapped_pages back to $mapped" \
	wait_until 5 sh -c "[ \$(aimc-job-tool knob mapped_pages) -eq $mapped ]"
echo 5000 > $DRV_PARAMS/job_timeout_ms
check "the card still serves" aimc-job-tool run --op read
# kmemleak's own metadata allocations may fail too: it must still be on,
# or the leak check at the end of the run proves nothing.
check "kmemleak still watching" sh -c "! dmesg | grep -qE 'kmemleak: (Cannot allocate a kmemleak_object|Kernel memory leak detector disabled)'"
check "rmmod aimc" rmmod_aimc
emu_check "rmmod aimc_emu" $rmmod aimc_emu
check "no kernel reports" sh -c "! dmesg | grep -qE '$KERNEL_REPORTS'"
tap_done
