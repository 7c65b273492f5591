#!/bin/sh
# Runs inside the QEMU guest for `make bench`: the kernel-path figures of
# aimc-bench on the emulated card.  Exit status 0 only if the benchmark ran.
set -u
echo "guest: kernel $(uname -r)"
/sbin/modprobe aimc_emu || exit 1
/sbin/modprobe aimc || exit 1
. /usr/share/aimc/aimc-node.sh
wait_node || exit 1
# Card 0's knobs: the empty job is also timed with every descriptor on
# the emulated card's worker thread.
aimc-bench --device drm --repeats "${AIMC_BENCH_REPEATS:-5}" \
	--emu-knobs /sys/kernel/debug/aimc_emu/0 --csv /tmp/kernel.csv kernel || exit 1
# The host's tools/bench.sh picks the rows up from the console log.
sed 's/^/BENCH-CSV: /' /tmp/kernel.csv
