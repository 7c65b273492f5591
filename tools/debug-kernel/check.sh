#!/bin/sh
# make check-debug: build the debug kernel and our modules for it
# (build.sh), boot it in QEMU with the usual initramfs and run the whole
# guest suite (tests/vm/run.sh).  Fails on any failing guest test and on any
# KASAN, lockdep, UBSAN, DMA-API debug or kmemleak report.
#
# Environment: BUILD, VM_TIMEOUT (seconds, default 1800), DEBUG_FUZZ_CALLS
# (default 20000), VM_APPEND and VM_SCRIPT as for run.sh.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac

vars=$(BUILD=$build "$top/tools/debug-kernel/build.sh")
eval "$vars"
export VM_KERNEL VM_MODULES_ROOT VM_KERNEL_VERSION VM_NODE_KIND VM_AIMC_MODULES
# The debug kernel has no ACPI: QEMU's MP table shows both CPUs only as
# sockets.  Its built-in vgem would take renderD128 before our driver does.
# KASAN and lockdep make every ioctl several times slower (about 160 fuzz
# calls/s against 1700 on the stock kernel): fewer fuzz calls, more time,
# and Check's per-test timeouts five times longer.  No Python: the kernel
# is built without networking, so asyncio (socketpair) cannot run there;
# the Python package's kernel path is tested on the stock kernels.
VM_PYTHON=no BUILD=$build VM_WORKDIR="$build/debug-kernel/$VM_KERNEL_VERSION/vm" VM_SMP=2,sockets=2,cores=1 \
	VM_TIMEOUT=${VM_TIMEOUT:-1800} \
	VM_APPEND="initcall_blacklist=vgem_init aimc.env.CK_TIMEOUT_MULTIPLIER=5 aimc.env.FUZZ_CALLS=${DEBUG_FUZZ_CALLS:-20000} aimc.env.FUZZ_SECONDS=300 ${VM_APPEND:-}" \
	"$top/tests/vm/run.sh"
