#!/bin/sh
# The card's fault knobs against aimc.ko (aimc_emu's debugfs knobs, or the
# same knobs in an aimc-pci card's test BAR): set the knob, submit jobs with
# aimc-job-tool, check what userspace sees (statuses, errnos, timings,
# untouched buffers) and what the driver counts, then check that nothing is
# left held.  Each knob is tested by one harness: hang_next_job and
# fail_next_dma, which the driver's recovery through the job API rests on
# (timeout, reset, aborted jobs behind, lost slot state, a failed command),
# by the Check suite tests/vm/test_job_faults.c; every other knob here.
# TAP output; exit 0 only if all passed.
. "$(dirname "$0")/lib.sh"
tool=aimc-job-tool

# Noise-free cells: stick_cell can be checked exactly.
check "load aimc_emu (noise-free) and aimc ($CARD_KIND card)" \
	load tiles=4 tile_rows=128 tile_cols=64 stream_slots=16 noise_free=1
echo 300 > $DRV_PARAMS/job_timeout_ms

# ---- hang_every_n: only the hung job times out, the rest is aborted
resets=$(counter resets)
out=$($tool run --op nop --jobs 4 --arm hang_every_n=2 --expect ended)
rc=$?
echo "$out" | sed 's/^/# /'
knob hang_every_n 0
check "hang_every_n=2: every job ended" [ $rc -eq 0 ]
check "hang_every_n=2: a job timed out" sh -c "echo '$out' | grep -q 'status timed out'"
check "hang_every_n=2: the card was reset" [ "$(counter resets)" -gt "$resets" ]
check "hang_every_n=0: four jobs complete" $tool run --op nop --jobs 4

# ---- DMA faults: only the job's command fails, the card goes on
irq_error=$(counter irq_error)
check "fail_next_dma_read: descriptor fetch faults, AIMC_ST_DMA_FAULT" \
	$tool run --op nop --arm fail_next_dma_read=1 --expect device_error \
	--device-status 7
check "fail_next_dma_read: error interrupt counted" \
	[ "$(counter irq_error)" -gt "$irq_error" ]
check "fail_next_dma_write: READ result faults, buffer untouched" \
	$tool run --op read --arm fail_next_dma_write=1 --expect device_error \
	--device-status 7
check "fail_next_dma_write: lost completion write-back times out" \
	$tool run --op nop --arm fail_next_dma_write=1 --expect timed_out \
	--max-ms 3000
check "after DMA faults: jobs complete" $tool run --op read --jobs 2

# ---- error_next_desc: the first of three jobs fails, the others run
check "error_next_desc=12: only the first job fails, with status 12" \
	$tool run --op read --jobs 3 --arm error_next_desc=12 \
	--expect-first device_error --device-status 12 --expect done

# ---- drop_next_irq: a waiter retires the job itself; with nobody
# waiting, the ring's poll notices it, not the 5 s timeout
echo 5000 > $DRV_PARAMS/job_timeout_ms
check "drop_next_irq: job done within 1.5 s (timeout 5 s)" \
	$tool run --op nop --arm drop_next_irq=1 --max-ms 1500
polled=$(counter jobs_polled)
check "drop_next_irq, nobody waiting: job done within 1.5 s" \
	$tool run --op read --arm drop_next_irq=1 --sleep-ms 400 --max-ms 1500
check "drop_next_irq, nobody waiting: retired by the poll" \
	[ "$(counter jobs_polled)" -gt "$polled" ]

# ---- delay_us: slow but correct; slower than the timeout: reset
check "delay_us=300000: job done, took >= 300 ms" \
	$tool run --op read --arm delay_us=300000 --min-ms 300
echo 300 > $DRV_PARAMS/job_timeout_ms
resets=$(counter resets)
check "delay_us=2000000, timeout 300 ms: timed out, reset cut it short" \
	$tool run --op nop --arm delay_us=2000000 --expect timed_out --max-ms 1500
knob delay_us 0
check "delay_us: one reset" [ "$(counter resets)" -eq $((resets + 1)) ]
check "delay_us=0: job done" $tool run --op read

# ---- stick_cell: a stuck cell reads g_max / g_min whatever is programmed
check "stick_cell: cell off the card refused" \
	sh -c "! aimc-job-tool knob stick_cell '99 0 0 gmax' 2>/dev/null"
knob stick_cell "1 0 0 gmax"
knob stick_cell "1 0 1 gmin"
out=$($tool stick 1)
echo "$out" | sed 's/^/# /'
check "stick_cell: (0,0) stuck at g_max reads 25000 nS" \
	sh -c "echo '$out' | grep -qx 'cell 0 0 25000'"
check "stick_cell: (0,1) stuck at g_min reads 0 nS" \
	sh -c "echo '$out' | grep -qx 'cell 0 1 0'"
check "stick_cell: (1,0) unaffected, programmed 14000 nS" \
	sh -c "echo '$out' | grep -qx 'cell 1 0 14000'"

# ---- irq_storm: stray interrupts; the driver turns the vector off for a
# while instead of letting the kernel kill the line, jobs go on.
spurious=$(counter irq_spurious)
storms=$(counter irq_storms)
raised=$(knob_get irq_storm)
t0=$(now_ms)
knob irq_storm 150000
sleep 0.2
t1=$(now_ms)
check "irq_storm: the guest stays responsive (sleep 0.2 took $((t1 - t0)) ms)" \
	[ $((t1 - t0)) -lt 2000 ]
check "irq_storm: jobs complete during the storm" \
	$tool run --op read --jobs 8 --max-ms 5000
check "irq_storm: 150000 interrupts raised" \
	wait_until 120 sh -c "[ \$(aimc-job-tool knob irq_storm) -ge $((raised + 150000)) ]"
echo "# irq_storm: $(( $(now_ms) - t0 )) ms, spurious $(( $(counter irq_spurious) - spurious )), vector disabled $(( $(counter irq_storms) - storms )) times"
check "irq_storm: spurious interrupts counted" \
	[ "$(counter irq_spurious)" -ge $((spurious + 1000)) ]
check "irq_storm: the driver contained it" [ "$(counter irq_storms)" -gt "$storms" ]
check "irq_storm: no 'nobody cared' (kernel did not disable the line)" \
	sh -c "! dmesg | grep -q 'nobody cared'"
sleep 1.2
completions=$(counter irq_completion)
check "irq_storm: after it, a job completes" $tool run --op read
check "irq_storm: the completion vector is back on" \
	[ "$(counter irq_completion)" -gt "$completions" ]

# ---- irq_storm_status: causes latched without completions: all handled
completions=$(counter irq_completion)
storms=$(counter irq_storms)
raised=$(knob_get irq_storm)
knob irq_storm_status 20000
check "irq_storm_status: jobs complete during the storm" \
	$tool run --op read --jobs 8 --max-ms 5000
check "irq_storm_status: 20000 interrupts raised" \
	wait_until 60 sh -c "[ \$(aimc-job-tool knob irq_storm) -ge $((raised + 20000)) ]"
check "irq_storm_status: handled as completions" \
	[ "$(counter irq_completion)" -ge $((completions + 10000)) ]
check "irq_storm_status: no vector had to be turned off" \
	[ "$(counter irq_storms)" -eq "$storms" ]

check "driver back to baseline after the knobs" at_baseline

# ---- surprise_remove: the driver itself notices the card is gone (before
# any removal is announced): the job in flight is aborted at once and the
# file gets ENODEV; then the hotplug removal (del_device, or QMP's
# device_del for an aimc-pci card) comes, 2 s later, with the file still
# open.
echo 5000 > $DRV_PARAMS/job_timeout_ms
$tool run --op nop --arm delay_us=5000000 --expect aborted --max-ms 1500 \
	--then-submit ENODEV --hold-ms 3000 > /tmp/surprise.out 2>&1 &
pid=$!
sleep 0.5
knob surprise_remove 1
sleep 2
check "surprise_remove: hotplug removal with the file open" card_remove
wait $pid
rc=$?
sed 's/^/# /' /tmp/surprise.out
check "surprise_remove: job aborted within 1.5 s (before del_device), then ENODEV" \
	[ $rc -eq 0 ]
check "surprise_remove: node gone" no_node
check "surprise_remove: a card comes back" card_add
check "surprise_remove: node back" wait_node
check "surprise_remove: the new card serves" $tool run --op read

# Nothing mapped for the card once the driver lets go of it.
check "rmmod aimc" rmmod_aimc
emu_check "emulator: mapped_pages 0 after unbind" [ "$(cat $EMU/mapped_pages)" -eq 0 ]
emu_check "rmmod aimc_emu" $rmmod aimc_emu
check "no kernel reports" sh -c "! dmesg | grep -qE '$KERNEL_REPORTS'"
tap_done
