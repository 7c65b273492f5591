#!/bin/sh
# `make bench`: aimc-bench's host sections on the sim backend, the Python
# package against the C API (tests/python/bench_overhead.py), aimc-bench's
# kernel section in the QEMU guest on an aimc_emu card
# (tests/vm/guest/guest-bench.sh) and on an aimc-pci card in the PCI
# lane's QEMU (guest-bench-pci.sh, section kernel-pci), the plots, and one
# table of all.  Everything lands in $BUILD/bench/: host.txt, python.txt,
# kernel.txt, kernel-pci.txt (the runs' own output), host.csv,
# python.csv, kernel.csv, kernel-pci.csv, bench.csv, bench.json,
# table.txt, *.dat, *.gp and *.png.
#
# Environment: BUILD (default build), AIMC_BENCH_REPEATS (default 5),
# AIMC_BENCH_MODELS (default tools/qat/models: every *.safetensors there),
# AIMC_BENCH_GUEST=no (this machine's sections only, no QEMU guest).
set -eu
build=${BUILD:-build}
out=$build/bench
repeats=${AIMC_BENCH_REPEATS:-5}
models=${AIMC_BENCH_MODELS:-tools/qat/models}
start=$(date +%s)
mkdir -p "$out"
rm -f "$out"/*.csv "$out"/*.png "$out"/*.dat "$out"/*.gp

if ls "$models"/*.safetensors >/dev/null 2>&1; then
	note="models: $(cd "$models" && ls *.safetensors | tr '\n' ' ')(from $models/)"
else
	note="models: NONE shipped in $models/ (*.safetensors); stream, cost, mem use in-memory stand-ins of the trainer's shapes (mem:*)"
fi
echo "bench: $note"
echo "bench: load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

echo "bench: host sections on the sim backend (1-3 minutes)"
"$build/tools/aimc-bench" --device sim --repeats "$repeats" --models "$models" \
	--csv "$out/host.csv" --plots "$out" >"$out/host.txt"

# numpy's OpenBLAS would start a thread per core that the package never
# uses: one thread, as the trainer runs.
echo "bench: the Python package against the C API, digits test set (about 1 minute)"
OPENBLAS_NUM_THREADS=1 AIMC_LIBRARY="$(cd "$build" && pwd)/libaimc.so.2" PYTHONPATH=runtime/python \
	/usr/bin/python3 tests/python/bench_overhead.py --stream-loop "$build/tests/python/libstream-loop.so" \
	--repeats "$repeats" --csv "$out/python.csv" >"$out/python.txt"
tables="$out/host.csv $out/python.csv"

# The QEMU lane boots with slub_debug=FZPU (red zones, poisoning and a
# stack trace per allocation and free: the job path's allocations
# then cost ~2 ms in TCG); a benchmark measures the driver, not that, so
# the last slub_debug= on the command line turns it off.  Arguments with
# no dot reach the guest's init as environment variables.
if [ "${AIMC_BENCH_GUEST:-yes}" = no ]; then
	echo "bench: no QEMU guest (AIMC_BENCH_GUEST=no): no kernel section"
else
	echo "bench: kernel section in the QEMU guest, aimc_emu card (about 2 minutes)"
	BUILD=$build VM_SCRIPT=guest-bench.sh VM_WORKDIR=$out/vm \
		VM_APPEND="slub_debug=- AIMC_BENCH_REPEATS=$repeats ${VM_APPEND:-}" \
		tests/vm/run.sh >"$out/kernel.txt" 2>&1 || {
		cat "$out/kernel.txt" >&2
		exit 1
	}
	# The guest prints its CSV on the console, one BENCH-CSV: line per row.
	sed -n 's/^BENCH-CSV: //p' "$out/vm/console.log" >"$out/kernel.csv"
	tables="$tables $out/kernel.csv"

	# The same kernel line on an aimc-pci card: the PCI lane's QEMU and
	# machine (tests/vm/run-pci.sh; no IOMMU on 6.1), one card bound.
	echo "bench: kernel section in the QEMU guest, aimc-pci card (about 2 minutes; the first run builds that QEMU)"
	BUILD=$build VM_SCRIPT=guest-bench-pci.sh VM_WORKDIR=$out/vm-pci VM_PYTHON=no \
		VM_APPEND="slub_debug=- AIMC_BENCH_REPEATS=$repeats ${VM_APPEND:-}" \
		tests/vm/run-pci.sh >"$out/kernel-pci.txt" 2>&1 || {
		cat "$out/kernel-pci.txt" >&2
		exit 1
	}
	sed -n 's/^BENCH-CSV: //p' "$out/vm-pci/console.log" >"$out/kernel-pci.csv"
	tables="$tables $out/kernel-pci.csv"
fi

if command -v gnuplot >/dev/null; then
	for gp in "$out"/*.gp; do
		(cd "$out" && gnuplot "$(basename "$gp")")
	done
else
	echo "bench: no gnuplot (tools/install-deps.sh bench): plots skipped" >&2
fi

{
	echo "bench: $note"
	# shellcheck disable=SC2086 # a list of files
	"$build/tools/aimc-bench" --table $tables --csv "$out/bench.csv" --json "$out/bench.json"
	echo "bench: energy (section energy): the device model's counters; constants and sources in" \
		"emulator/model/aimc_presets.def (DAC, read bias: assumptions; ADC: Kull et al., JSSC 2013;" \
		"digital unit and the digital baseline: Horowitz, ISSCC 2014, 45 nm; t_mvm: Le Gallo et al. 2023)"
	echo "bench: load after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine" \
		"slows both sides of a ratio alike; absolute times are this machine's, under this load)"
} | tee "$out/table.txt"
echo "bench: wall time $(($(date +%s) - start)) s; results in $out/ (table.txt, bench.csv, bench.json, *.png)"
