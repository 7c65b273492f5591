#!/bin/sh
# Job fences outlive their file, their card and the module's use: a job's
# fence held as a sync_file and as a syncobj fd after the DRM file closed
# keeps aimc.ko loaded (rmmod refused), answers SYNC_IOC_FILE_INFO, and
# once both are closed the module unloads (aimc-job-tool
# fence-outlives-module).  Before, releasing such a fence after rmmod
# called into the unloaded module.  TAP output.
. "$(dirname "$0")/lib.sh"

check "load aimc_emu and aimc ($CARD_KIND card)" load
out=/tmp/fences.out
aimc-job-tool fence-outlives-module > $out 2>&1
rc=$?
sed 's/^/# /' $out
check "fence held past close: rmmod refused, fence info read, rmmod once released" [ $rc -eq 0 ]
check "aimc.ko unloaded" sh -c "! grep -q '^aimc ' /proc/modules"
check "modprobe aimc again" $modprobe aimc
check "node back" wait_node
check "the card serves" aimc-job-tool run --op nop
check "rmmod aimc" rmmod_aimc
emu_check "rmmod aimc_emu" $rmmod aimc_emu
check "no kernel reports" sh -c "! dmesg | grep -qE '$KERNEL_REPORTS'"
tap_done
