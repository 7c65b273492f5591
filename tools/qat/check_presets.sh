#!/bin/sh
# The trainer's noise-aware training and the device model cannot disagree
# on a preset's numbers (issue 19): both read emulator/model/aimc_presets.def.
#
# 1. The tree's file: every field of every preset, as the device model holds
#    it on a card created with the preset (tools/qat/presets_probe/probe.c,
#    compiled with the model's sources) and as the trainer resolves it
#    (aimc_qat.presets), line for line equal.
# 2. A copy of emulator/model/ with one number changed in its presets file
#    (rram's read_sigma_abs_ns and pcm's prog_sigma_c1_ns): the model built
#    from that copy and the trainer reading that file both report the new
#    numbers, and the trainer's noise model (quant.DeviceNoise) uses them.
# Run from anywhere; make check-qat runs it.  Exit 0 on success.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
srcs=$(sed -n 's/^AIMC_MODEL_SRCS := //p' "$top/emulator/model/model.mk")

probe() {	# probe MODELDIR OUT: build and run the probe against MODELDIR
	(cd "$1" && ${CC:-cc} -std=gnu11 -O1 -I. -I"$top/driver/hw" $srcs \
		"$top/tools/qat/presets_probe/probe.c" -o "$2.bin")
	"$2.bin" >"$2"
}
trainer() {	# trainer DEFFILE OUT
	(cd "$top/tools/qat" && $py -m aimc_qat.presets --def "$1" --lines) >"$2"
}

# 1. the tree
probe "$top/emulator/model" "$tmp/c.txt"
trainer "$top/emulator/model/aimc_presets.def" "$tmp/py.txt"
[ -s "$tmp/c.txt" ] || { echo "check_presets: the probe printed nothing" >&2; exit 1; }
if ! cmp -s "$tmp/c.txt" "$tmp/py.txt"; then
	echo "check_presets: device model and trainer disagree on aimc_presets.def:" >&2
	diff "$tmp/c.txt" "$tmp/py.txt" >&2 || true
	exit 1
fi
echo "check_presets: device model and trainer agree on $(wc -l <"$tmp/c.txt") preset fields"

# 2. one number changed in a copy
cp -r "$top/emulator/model" "$tmp/model"
def=$tmp/model/aimc_presets.def
sed -i 's/^AIMC_P(rram, read_sigma_abs_ns, 400,/AIMC_P(rram, read_sigma_abs_ns, 417,/;
	s/^AIMC_P(pcm, prog_sigma_c1_ns, 1965,/AIMC_P(pcm, prog_sigma_c1_ns, 1999,/' "$def"
[ "$(grep -c 'read_sigma_abs_ns, 417,\|prog_sigma_c1_ns, 1999,' "$def")" = 2 ] ||
	{ echo "check_presets: the edit did not apply (file changed?)" >&2; exit 1; }
probe "$tmp/model" "$tmp/c2.txt"
trainer "$def" "$tmp/py2.txt"
for want in "rram read_sigma_abs_ns 417" "pcm prog_sigma_c1_ns 1999" "rram prog_sigma_c1_ns 16030"; do
	grep -qx "$want" "$tmp/c2.txt" || { echo "check_presets: device model: no '$want'" >&2; exit 1; }
	grep -qx "$want" "$tmp/py2.txt" || { echo "check_presets: trainer: no '$want'" >&2; exit 1; }
done
cmp -s "$tmp/c2.txt" "$tmp/py2.txt" || { echo "check_presets: they disagree after the edit" >&2; exit 1; }
! cmp -s "$tmp/c.txt" "$tmp/c2.txt" || { echo "check_presets: the model did not change" >&2; exit 1; }
(cd "$top/tools/qat" && $py - "$def" <<'PYEOF'
import sys
from aimc_qat import presets
d = presets.DeviceNoise("rram", sys.argv[1])
assert abs(d.read_abs * d.g_max_ns - 417) < 1e-9, d.read_abs
p = presets.DeviceNoise("pcm", sys.argv[1])
assert abs(p.prog[1] * p.g_max_ns - 1999) < 1e-9, p.prog
print("check_presets: after changing two numbers in a copy, the model and the trainer's noise "
      "model both use them (rram read sigma %.0f nS, pcm c1 %.0f nS)" % (d.read_abs * d.g_max_ns,
                                                                       p.prog[1] * p.g_max_ns))
PYEOF
)
