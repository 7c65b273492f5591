#!/bin/sh
# Stress: several processes open the card, reserve tiles, submit PROGRAM,
# READ and NOP jobs, wait for some, close with others in flight, for
# STRESS_SECONDS (default 20), while aimc-job-tool injects a fault every
# 100-400 ms (DMA faults, device errors, lost interrupts, hangs, interrupt
# storms).  Afterwards the driver must hold nothing and the emulator must
# have unmapped what the jobs mapped.  TAP output.
. "$(dirname "$0")/lib.sh"
seconds=${STRESS_SECONDS:-20}
procs=${STRESS_PROCS:-4}
seed=${STRESS_SEED:-$(now_ms)}

check "load aimc_emu and aimc ($CARD_KIND card)" load tiles=4 tile_rows=128 tile_cols=64 stream_slots=16
echo 300 > $DRV_PARAMS/job_timeout_ms
mapped=$(knob_get mapped_pages 2>/dev/null)
t0=$(now_ms)
check "stress: $procs processes for $seconds s with faults (seed $seed)" \
	aimc-job-tool stress --procs "$procs" --seconds "$seconds" --seed "$seed"
echo "# stress: took $(( $(now_ms) - t0 )) ms"
check "stress: jobs all retired, nothing pinned or reserved, no file open" \
	wait_until 10 at_baseline
emu_check "stress: emulator mapped_pages back to $mapped" \
	[ "$(knob_get mapped_pages)" -eq "$mapped" ]
echo 5000 > $DRV_PARAMS/job_timeout_ms
check "stress: the card still serves" aimc-job-tool run --op read --jobs 4
echo "# counters: $(tr '\n' ' ' < "$(counters_file)")"
check "rmmod aimc" rmmod_aimc
emu_check "emulator: mapped_pages 0 after unbind" [ "$(cat $EMU/mapped_pages)" -eq 0 ]
emu_check "rmmod aimc_emu" $rmmod aimc_emu
check "no kernel reports" sh -c "! dmesg | grep -qE '$KERNEL_REPORTS'"
tap_done
