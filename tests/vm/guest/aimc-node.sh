# Finding the card's device node in the guest (sourced, not run).  Kernels
# with drivers/accel give aimc.ko /dev/accel/accelN, older ones a render
# node /dev/dri/renderDN; a node is ours when its device is bound to the
# PCI glue (aimc) or the software-device glue (aimc-swdev).

# aimc_nodes [render|accel]: our nodes of that kind (default both), one per line
aimc_nodes() {
	for sys in /sys/class/drm/renderD* /sys/class/accel/accel*; do
		[ -e "$sys/device/driver" ] || continue
		case ${1:-}:$sys in
		render:*/accel/* | accel:*/drm/*) continue ;;
		esac
		case $(basename "$(readlink "$sys/device/driver")") in
		aimc | aimc-swdev) ;;
		*) continue ;;
		esac
		case $sys in
		*/accel/*) echo "/dev/accel/$(basename "$sys")" ;;
		*) echo "/dev/dri/$(basename "$sys")" ;;
		esac
	done
}

# wait_node: until our node exists (5 s at most)
wait_node() {
	i=0
	while [ $i -lt 100 ]; do
		node=$(aimc_nodes | head -1)
		[ -n "$node" ] && [ -e "$node" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

no_node() { [ -z "$(aimc_nodes)" ]; }

# rmmod_aimc: unload aimc.ko.  Every job fence pins the module until it
# is released, which happens an RCU grace period after its last holder let
# go: right after the last file closed, "in use" may be seen for a moment.
rmmod_aimc() {
	i=0
	grep -q '^aimc ' /proc/modules || { /sbin/rmmod aimc; return; }
	while ! /sbin/rmmod aimc 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 40 ] || { /sbin/rmmod aimc; return 1; }
		sleep 0.05
	done
}
