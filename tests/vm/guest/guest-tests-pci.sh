#!/bin/sh
# Runs inside the PCI lane's guest (tests/vm/run-pci.sh): two aimc-pci cards
# on the PCI bus, aimc.ko binds them through its PCI glue.  The guest
# suites of the aimc_emu lane run on them (the noisy card with the
# emulator lane's geometry, then the noise-free card of the default
# geometry, the other card unbound each time), then the PCI-only suites
# (tests/vm/pci/: MSI-X, IOMMU, function reset, AER, runtime PM) and the
# selftests.  Exit status 0 only if every step passed.
set -u
abi=$(uname -r)
. /usr/share/aimc/guest-lib.sh
drv=/sys/bus/pci/drivers/aimc

# The aimc-pci functions on the bus, in address order.
pci_cards() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1f1f ] && [ "$(cat "$d/device")" = 0x0001 ] &&
			basename "$d"
	done
}
cards=$(pci_cards | tr '\n' ' ')
card0=$(echo "$cards" | cut -d' ' -f1)
card1=$(echo "$cards" | cut -d' ' -f2)

# Every aimc node is of the kind this kernel gives compute devices, and
# there are N of them.
nodes_are() {
	case ${AIMC_NODE_KIND:-} in
	accel) other=render ;;
	render) other=accel ;;
	*) echo "AIMC_NODE_KIND is '${AIMC_NODE_KIND:-}', not accel or render"; return 1 ;;
	esac
	echo "aimc's $AIMC_NODE_KIND nodes: $(aimc_nodes "$AIMC_NODE_KIND" | tr '\n' ' ')"
	[ "$(aimc_nodes "$AIMC_NODE_KIND" | wc -l)" -eq "$1" ] && [ -z "$(aimc_nodes $other)" ]
}

# The IOMMU is there when the lane put one in, and the cards are behind it.
iommu_as_set_up() {
	groups=0
	for c in $cards; do
		[ -e "/sys/bus/pci/devices/$c/iommu_group" ] && groups=$((groups + 1))
	done
	echo "IOMMU ${AIMC_PCI_IOMMU:-?}: $(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')cards in IOMMU groups: $groups"
	case ${AIMC_PCI_IOMMU:-} in
	on) [ -n "$(ls /sys/class/iommu 2>/dev/null)" ] && [ $groups -eq 2 ] ;;
	off) [ -z "$(ls /sys/class/iommu 2>/dev/null)" ] && [ $groups -eq 0 ] ;;
	*) return 1 ;;
	esac
}

# aimc-smi lists both cards, on the PCI bus, with their addresses.
smi_lists_pci_cards() {
	aimc-smi || return 1
	out=$(aimc-smi --json) || return 1
	for c in $cards; do
		echo "$out" | grep -q "\"bus_device\": *\"$c\"" || { echo "no $c in aimc-smi --json"; return 1; }
	done
	[ "$(echo "$out" | grep -c '"bus": *"pci"')" -eq 2 ] || { echo "aimc-smi --json: not two PCI cards"; return 1; }
}

# only CARD: bind CARD, unbind every other aimc-pci card; one node left
only() {
	for c in $cards; do
		if [ "$c" = "$1" ]; then
			[ -e "$drv/$c" ] || echo "$c" > $drv/bind
		elif [ -e "$drv/$c" ]; then
			echo "$c" > $drv/unbind
		fi
	done
	wait_node && nodes_are 1 >/dev/null && [ -e "$drv/$1" ]
}

echo "guest: kernel $abi, ${AIMC_NODE_KIND:-?} node expected, IOMMU ${AIMC_PCI_IOMMU:-?}, cards $cards"
run "two aimc-pci cards on the PCI bus" [ -n "$card1" ]
run "the IOMMU as the lane set it up" iommu_as_set_up
run "modprobe aimc" $modprobe aimc
run "both cards bound to aimc's PCI glue" sh -c "[ -e $drv/$card0 ] && [ -e $drv/$card1 ]"
run "two $AIMC_NODE_KIND nodes, no other kind" nodes_are 2
run "aimc-smi lists two PCI cards with their addresses" smi_lists_pci_cards

# The suites on card 0: the emulator lane's geometry, noisy.
run "only $card0 bound" only "$card0"
suites "guest Check suites on $card0"
run "unbind $card0" sh -c "echo $card0 > $drv/unbind"
run "node gone after unbind" no_node
run "bind $card0" sh -c "echo $card0 > $drv/bind"
run "node back after bind" wait_node
run "aimc-smi after rebind" aimc-smi
run "rmmod aimc" rmmod_aimc
run "node gone after rmmod" no_node
run "modprobe aimc again" $modprobe aimc
run "only $card0 bound again" only "$card0"
suites "guest Check suites on $card0 after reload"
# The PCI-only suites, on card 0 (its own function, vectors, resets).
check_runner "PCI-only suites on $card0" aimc-pci-tests

# Card 1: noise-free, the default geometry.
run "only $card1 bound" only "$card1"
suites "guest Check suites on $card1, noise-free" AIMC_VM_PHASE=noise_free
run "keyword spotting through the driver (aimc-kws): 9 of 10 words or better" kws_words
run "aimc-run reports the card's energy per inference (digits, beside the sim's)" card_energy
run "the aimc Python package's suite through the driver (pytest), noise-free card" python_suite noise-free
run "rmmod aimc" rmmod_aimc

# Fault knobs (the same knobs, in the cards' test BAR), stress, the ioctl
# fuzzer and fault injection (debug kernel only): each loads the driver
# itself and keeps the card it wants bound.
for t in fault_knobs stress ioctl_fuzz fault_inject fences; do
	run "selftest $t" sh /usr/share/aimc/selftests/$t.sh
done

taint_check
guest_done
