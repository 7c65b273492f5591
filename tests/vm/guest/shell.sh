#!/bin/sh
# An interactive shell in the guest (make vm-shell, make vm-shell-pci): the
# driver bound to the VM's cards (aimc-pci cards on the PCI bus, else an
# aimc_emu card), aimc-smi's listing, then a shell on the console with the
# tools, the shipped models and the Python package.  Leaving the shell
# powers the VM off.
set -u
pci_cards=0
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1f1f ] && [ "$(cat "$d/device")" = 0x0001 ] &&
		pci_cards=$((pci_cards + 1))
done
if [ $pci_cards -eq 0 ]; then
	modprobe aimc_emu || exit 1
fi
modprobe aimc || exit 1
. /usr/share/aimc/aimc-node.sh
wait_node || exit 1
aimc-smi
cat <<'TEXT'

aimc: the driver is bound; tools in /usr/bin (aimc-smi, aimc-run, aimc-kws,
aimc-bench), the kws model and ten spoken digits in /usr/share/aimc/kws/,
the source tree's models and the Python package in /usr/share/aimc/tree/
(when the initramfs has python3).  Try:
  aimc-kws /usr/share/aimc/kws/kws-qat4-pruned.safetensors /usr/share/aimc/kws/heldout-digits.wav
Leave the shell (exit or Ctrl-D) to power the VM off.
TEXT
# cttyhack gives the shell the console as its controlling terminal (job
# control, Ctrl-C).
if command -v cttyhack >/dev/null 2>&1; then
	setsid cttyhack sh
else
	sh
fi
exit 0
