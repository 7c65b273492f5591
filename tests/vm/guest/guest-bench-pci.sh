#!/bin/sh
# Runs inside the PCI lane's guest for `make bench`: aimc-bench's kernel
# section on an aimc-pci card (rows in section kernel-pci), to set beside
# the aimc_emu card's.  Exit status 0 only if the benchmark ran.
set -u
echo "guest: kernel $(uname -r)"
/sbin/modprobe aimc || exit 1
. /usr/share/aimc/aimc-node.sh
wait_node || exit 1
drv=/sys/bus/pci/drivers/aimc
# One card, the first (the emulator lane's geometry); runtime PM off so
# the figures are the job path's, not a resume's.
first=""
for d in $drv/0000:*; do
	[ -e "$d" ] || continue
	if [ -z "$first" ]; then
		first=$(basename "$d")
		echo on > "$d/power/control"
	else
		basename "$d" > $drv/unbind
	fi
done
[ -n "$first" ] || exit 1
echo "guest: aimc-pci card $first"
aimc-bench --device drm --repeats "${AIMC_BENCH_REPEATS:-5}" --card pci \
	--csv /tmp/kernel-pci.csv kernel || exit 1
# The host's tools/bench.sh picks the rows up from the console log.
sed 's/^/BENCH-CSV: /' /tmp/kernel-pci.csv
