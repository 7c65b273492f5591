#!/bin/sh
# The QEMU lane: boot Debian's kernel matching the installed headers with
# an initramfs holding our modules and tests, run the guest tests, and
# fail unless they all pass and the kernel log is clean.
#
# Environment: BUILD (build directory), VM_TIMEOUT (seconds, default 300),
# VM_APPEND (extra kernel command line), VM_SCRIPT (guest script in
# tests/vm/guest/, default guest-tests.sh).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
timeout_s=${VM_TIMEOUT:-300}

abi=$("$top/tools/kernel-abi.sh")
kroot=$("$top/tools/fetch-deb.sh" "linux-image-$abi-unsigned" "$build/vm/debs")
kernel="$kroot/boot/vmlinuz-$abi"
[ -r "$kernel" ] || { echo "vm: no kernel at $kernel" >&2; exit 1; }

initrd="$build/vm/initramfs.cpio.gz"
BUILD=$build "$top/tests/vm/build-initramfs.sh" "$abi" "$kroot" "$initrd"

log="$build/vm/console.log"
echo "vm: booting $abi under QEMU (log: $log)"
set +e
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 \
	-machine q35 -m 1G -smp 2 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 slub_debug=FZPU loglevel=7 aimc.script=${VM_SCRIPT:-guest-tests.sh} ${VM_APPEND:-}" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	</dev/null >"$log.raw" 2>&1
qemu_rc=$?
set -e
# Serial output carries \r and terminal escapes.
sed 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' "$log.raw" >"$log"

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
if grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace:|Kernel panic' "$log"; then
	fail="kernel reported a problem (see above)"
fi
if [ -n "$fail" ]; then
	echo "vm: FAIL: $fail (full log: $log)" >&2
	tail -40 "$log" >&2
	exit 1
fi
echo "vm: PASS"
