#!/bin/sh
# The ioctl fuzzer in the guest: FUZZ_CALLS (default 100000) ioctls with
# random and structure-aware arguments from FUZZ_PROCS processes (default
# 2), at most FUZZ_SECONDS (default 150).  Hang knobs are off and the job
# timeout short, so no WAIT sleeps long.  The seed (FUZZ_SEED, default
# the clock) is printed for replay.  TAP output.
. "$(dirname "$0")/lib.sh"
calls=${FUZZ_CALLS:-100000}
procs=${FUZZ_PROCS:-2}
seconds=${FUZZ_SECONDS:-150}
seed=${FUZZ_SEED:-$(now_ms)}

check "load aimc_emu and aimc ($CARD_KIND card)" load tiles=4 tile_rows=128 tile_cols=64 stream_slots=16
echo 300 > $DRV_PARAMS/job_timeout_ms
mapped=$(knob_get mapped_pages 2>/dev/null)
out=/tmp/fuzz.out
aimc-ioctl-fuzz --seed "$seed" --calls "$calls" --procs "$procs" \
	--seconds "$seconds" > $out 2>&1
rc=$?
sed 's/^/# /' $out
check "fuzz: exited cleanly, no oracle violation" [ $rc -eq 0 ]
made=$(sed -n 's/^fuzz: \([0-9]*\) calls in.*/\1/p' $out)
check "fuzz: made $made calls (want $calls)" [ "${made:-0}" -ge "$calls" ]
check "fuzz: driver back to baseline" wait_until 10 at_baseline
emu_check "fuzz: emulator mapped_pages back to $mapped" \
	wait_until 5 sh -c "[ \$(aimc-job-tool knob mapped_pages) -eq $mapped ]"
echo 5000 > $DRV_PARAMS/job_timeout_ms
check "fuzz: the card still serves" aimc-job-tool run --op read
check "rmmod aimc" rmmod_aimc
emu_check "rmmod aimc_emu" $rmmod aimc_emu
check "no kernel reports" sh -c "! dmesg | grep -qE '$KERNEL_REPORTS'"
tap_done
