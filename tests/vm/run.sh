#!/bin/sh
# The QEMU lane: boot one of Debian's kernels with an initramfs holding our
# modules (built for it by make modules) and tests, run the guest tests,
# and fail unless they all pass and the kernel log is clean.
#
# Environment: BUILD (build directory), KERNEL_LINE (6.1 or 6.12, default
# 6.1: tools/kernel.sh resolves its current ABI and fetches its image),
# VM_TIMEOUT (seconds, default 300), VM_APPEND (extra kernel command line),
# VM_SCRIPT (guest script in tests/vm/guest/, default guest-tests.sh).
# Another kernel (the debug lane, tools/debug-kernel/check.sh): VM_KERNEL (its
# image), VM_MODULES_ROOT (holds lib/modules/VM_KERNEL_VERSION), VM_NODE_KIND
# (accel or render), VM_AIMC_MODULES (our .ko files built for it, see
# build-initramfs.sh), VM_WORKDIR (initramfs and logs, default
# $BUILD/vm/ABI), VM_SMP (QEMU's -smp, default 2).
# Another machine (the PCI lane, tests/vm/run-pci.sh): VM_QEMU (the
# qemu-system-x86_64 to run, default the machine's), VM_QEMU_ARGS (more
# QEMU arguments, split at white space, e.g. -device lists), VM_AGENT_DEVICES
# (starts tests/vm/host-agent.py on a QMP socket and the guest's second
# serial port, so guest tests can ask for device_del/device_add/AER
# injection; its value lists the cards device_add may bring back, as
# NAME=DRIVER,PROP=VALUE,... separated by spaces).
# VM_INTERACTIVE=1 (make vm-shell, make vm-shell-pci): the guest's console
# on this terminal, guest script shell.sh, no timeout and no verdict.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
timeout_s=${VM_TIMEOUT:-300}

if [ -n "${VM_KERNEL:-}" ]; then
	kernel=$VM_KERNEL
	kroot=${VM_MODULES_ROOT:?VM_KERNEL needs VM_MODULES_ROOT}
	abi=${VM_KERNEL_VERSION:?VM_KERNEL needs VM_KERNEL_VERSION}
	node_kind=${VM_NODE_KIND:?VM_KERNEL needs VM_NODE_KIND}
	config=$(find "$kroot" -maxdepth 2 -name "config-$abi" | head -1)
else
	line=${KERNEL_LINE:-6.1}
	abi=$("$top/tools/kernel.sh" abi "$line")
	kroot=$("$top/tools/kernel.sh" image "$line" "$build/kernels")
	node_kind=$("$top/tools/kernel.sh" node-kind "$line" "$build/kernels")
	kernel="$kroot/boot/vmlinuz-$abi"
	config="$kroot/boot/config-$abi"
fi
work=${VM_WORKDIR:-$build/vm/$abi}
mkdir -p "$work"
[ -r "$kernel" ] || { echo "vm: no kernel at $kernel" >&2; exit 1; }

# KFENCE samples one allocation per interval: with the shortest interval
# it watches as many as its pool holds (guarded pages catch out-of-bounds
# and use-after-free on them, reported as BUG: KFENCE).
append="aimc.env.AIMC_NODE_KIND=$node_kind"
if [ -n "$config" ] && grep -qx 'CONFIG_KFENCE=y' "$config"; then
	append="$append kfence.sample_interval=1"
fi

initrd="$work/initramfs.cpio.gz"
BUILD=$build "$top/tests/vm/build-initramfs.sh" "$abi" "$kroot" "$initrd"

log="$work/console.log"
qemu=${VM_QEMU:-qemu-system-x86_64}
if [ "${VM_INTERACTIVE:-0}" = 1 ]; then
	echo "vm: booting $abi ($node_kind node) under $qemu; leave the guest's shell to power off"
	# shellcheck disable=SC2086 # VM_QEMU_ARGS is a word list
	exec "$qemu" -machine q35 -m 1G -smp "${VM_SMP:-2}" -nographic -no-reboot \
		-serial mon:stdio -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 aimc.script=shell.sh $append ${VM_APPEND:-}" \
		${VM_QEMU_ARGS:-}
fi
# The host agent: QMP for the host side, the guest's ttyS1 for requests.
agent_args=""
if [ -n "${VM_AGENT_DEVICES:-}" ]; then
	agent_args="-qmp unix:$work/qmp.sock,server=on,wait=off
		-chardev socket,id=agent,path=$work/agent.sock,server=on,wait=off
		-serial chardev:agent"
	append="$append aimc.env.AIMC_HOST_AGENT=1"
fi

# One boot: the console log in $log, QEMU's exit status in $qemu_rc.
boot() {
	agent_pid=""
	rm -f "$work/qmp.sock" "$work/agent.sock"
	set +e
	# shellcheck disable=SC2086 # VM_QEMU_ARGS and agent_args are word lists
	timeout --foreground -k 10 "$timeout_s" "$qemu" \
		-machine q35 -m 1G -smp "${VM_SMP:-2}" -nographic -no-reboot \
		-serial mon:stdio $agent_args \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 slub_debug=FZPU loglevel=7 aimc.script=${VM_SCRIPT:-guest-tests.sh} $append ${VM_APPEND:-}" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 ${VM_QEMU_ARGS:-} \
		</dev/null >"$log.raw" 2>&1 &
	qemu_pid=$!
	if [ -n "${VM_AGENT_DEVICES:-}" ]; then
		dev_args=""
		for d in $VM_AGENT_DEVICES; do dev_args="$dev_args --device $d"; done
		# shellcheck disable=SC2086
		/usr/bin/python3 "$top/tests/vm/host-agent.py" "$work/qmp.sock" "$work/agent.sock" \
			"$work/agent.log" $dev_args 2>"$work/agent.err" &
		agent_pid=$!
	fi
	wait $qemu_pid
	qemu_rc=$?
	[ -n "$agent_pid" ] && { kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null; }
	set -e
	# Serial output carries \r and terminal escapes.
	sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' "$log.raw" >"$log"
}

started=$(date +%s)
rm -f "$log.int3-before-init"
echo "vm: booting $abi ($node_kind node) under $qemu (log: $log)"
boot
# Known, not ours (README, "Known, not ours"): QEMU 7.2's TCG now and then
# races the kernel patching its own code on two vCPUs, an int3 Oops before
# /init runs, so before any module of ours is loaded.  That one boot, and
# only it, is tried again; its log is kept beside the new one.
if grep -q 'int3:' "$log" && ! grep -q 'Run /init as init process' "$log"; then
	mv "$log" "$log.int3-before-init"
	echo "vm: the kernel took an int3 Oops before /init (QEMU TCG, not ours;" \
		"log: $log.int3-before-init): booting again"
	boot
fi

# Show the guest's own output (not the kernel's boot chatter).
grep -v '^\[ *[0-9]*\.[0-9]*\]' "$log" | sed -n '/^guest: kernel/,$p'

fail=""
case $qemu_rc in
1) ;;			# guest wrote 0 to isa-debug-exit
124|137) fail="timed out after ${timeout_s}s" ;;
0) fail="guest powered off or panicked without a result" ;;
*) fail="guest reported failure (QEMU exit $qemu_rc)" ;;
esac
grep -q '^AIMC-VM-EXIT: 0$' "$log" || fail="${fail:-no passing result in the guest log}"
# The sanitizers' own report headers (debug kernel): KASAN and lockdep
# reports start with BUG: and WARNING:, UBSAN's with UBSAN:, DMA-API debug's
# with DMA-API: and name the device driver, kmemleak-check.sh prints the
# kmemleak report (unreferenced object) on the console.
if grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace:|Kernel panic|UBSAN:|unreferenced object|suspected memory leak|DMA-API: .*device driver' "$log"; then
	fail="kernel reported a problem (see above)"
fi
if [ -n "$fail" ]; then
	echo "vm: FAIL: $fail (full log: $log)" >&2
	tail -40 "$log" >&2
	exit 1
fi
echo "vm: PASS ($abi, $node_kind node) in $(($(date +%s) - started)) s"
