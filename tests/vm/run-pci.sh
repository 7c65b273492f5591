#!/bin/sh
# The PCI lane (make check-pci): the QEMU built by emulator/qemu/build.sh
# boots one of Debian's kernels on -machine q35 with two aimc-pci cards
# behind PCIe root ports; aimc.ko binds them through its PCI glue and the
# guest (tests/vm/guest/guest-tests-pci.sh) runs the guest suites of the
# aimc_emu lane on them, then the PCI-only tests.  A third, empty root
# port takes the cards that tests plug in over QMP (tests/vm/host-agent.py).
#
# Environment: as tests/vm/run.sh (BUILD, KERNEL_LINE, VM_TIMEOUT, VM_APPEND,
# VM_SMP), and VM_PCI_IOMMU: on (an emulated VT-d, guest intel_iommu=on) or
# off; default on for 6.12, off for 6.1 (the lane runs both ways).
# VM_SCRIPT picks another guest script (guest-bench-pci.sh for make bench).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}
case $build in /*) ;; *) build="$top/$build" ;; esac
line=${KERNEL_LINE:-6.1}
case ${VM_PCI_IOMMU:-} in
on | off) iommu=$VM_PCI_IOMMU ;;
"") [ "$line" = 6.1 ] && iommu=off || iommu=on ;;
*) echo "run-pci: VM_PCI_IOMMU=$VM_PCI_IOMMU: on or off" >&2; exit 2 ;;
esac

qemu=$(BUILD=$build "$top/emulator/qemu/build.sh")

# The device's properties on the host, before any boot: a preset it knows
# realizes (QEMU quits over QMP with the card created), one it does not is
# refused with the list.
props() {
	printf '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n' |
		timeout 60 "$qemu" -machine q35 -nodefaults -display none -S -qmp stdio \
			-device "aimc-pci,$1" 2>&1
}
props preset=rram >/dev/null ||
	{ echo "run-pci: aimc-pci,preset=rram was not realized" >&2; exit 1; }
if out=$(props preset=nosuch); then
	echo "run-pci: aimc-pci,preset=nosuch was realized" >&2; exit 1
fi
case $out in
*"unknown preset 'nosuch'"*) ;;
*) echo "run-pci: aimc-pci,preset=nosuch: unexpected error: $out" >&2; exit 1 ;;
esac

# Card 0: the geometry the emulator lane gives aimc_emu (the suites compare
# GET_PARAM with it), noisy.  Card 1: the default geometry (the kws model
# needs 256 x 256 tiles), noise-free.  The cards device_add can bring back
# are these two (after a device_del) and one without MSI-X for the probe
# test, each in its own root port.
card0="aimc0=aimc-pci,id=aimc0,bus=rp0,tiles=4,tile-rows=128,tile-cols=64,stream-slots=16,seed=1"
card1="aimc1=aimc-pci,id=aimc1,bus=rp1,noise-free=on,seed=2"
nomsix="aimc-nomsix=aimc-pci,id=aimc2,bus=rp2,msix-vectors=0,seed=3"

args="-nodefaults"
append=""
if [ "$iommu" = on ]; then
	# Before the PCI devices it translates for.
	args="$args -device intel-iommu"
	append="intel_iommu=on"
fi
args="$args -device pcie-root-port,id=rp0,chassis=1,slot=1,bus=pcie.0,addr=0x4,x-speed=2_5,x-width=1"
args="$args -device pcie-root-port,id=rp1,chassis=2,slot=2,bus=pcie.0,addr=0x5,x-speed=2_5,x-width=1"
args="$args -device pcie-root-port,id=rp2,chassis=3,slot=3,bus=pcie.0,addr=0x6,x-speed=2_5,x-width=1"
args="$args -device ${card0#*=} -device ${card1#*=}"

abi=$("$top/tools/kernel.sh" abi "$line")
echo "run-pci: $line ($abi), IOMMU $iommu, QEMU $qemu"
VM_QEMU=$qemu VM_QEMU_ARGS=$args VM_AGENT_DEVICES="$card0 $card1 $nomsix" \
	VM_SCRIPT=${VM_SCRIPT:-guest-tests-pci.sh} \
	VM_WORKDIR=${VM_WORKDIR:-$build/vm-pci/$abi-iommu-$iommu} \
	VM_APPEND="$append aimc.env.AIMC_PCI_IOMMU=$iommu ${VM_APPEND:-}" \
	BUILD=$build KERNEL_LINE=$line exec "$top/tests/vm/run.sh"
