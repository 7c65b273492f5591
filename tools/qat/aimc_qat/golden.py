"""Test vectors for the C runtime.

Today: *reference* vectors. For a model file, N test inputs and the outputs of the format's
float64 reference forward pass (modelfile.forward: dequantized weights, DAC/ADC rounding, explicit
recurrence), so the C loader + a float reference path (runtime/ref_float.c) can be compared
within a tolerance. Written as a safetensors file: inputs F32 [N, T, d_input], labels I16 [N]
(kept small: I16 is one of the format's dtypes), logits_ref F32 [N, n_classes]; metadata names
the model file and its sha256.

  cd tools/qat && /usr/bin/python3 -m aimc_qat.golden MODEL.safetensors --dataset digits -n 16 -o OUT

Not yet: bit-exact golden vectors of the card's integer arithmetic (issue 7 acceptance). They
need the digital unit's integer semantics (state format, rounding, GELU/sigmoid tables,
saturation) that are being specified in emulator/README.md and emulator/model/ (aimc_dpu.c,
aimc_fixmath.c, aimc_dpu_tables.c). The hook is `integer_forward` below: implement it from that
specification (or call the device model's userspace build through ctypes) and the same file
gains `logits_int` (I16/F32 codes) with `"exact": "true"`. It deliberately raises until then,
so that nobody mistakes the float reference for card arithmetic.
"""
import argparse
import hashlib
import json

import numpy as np

from . import data as D
from . import modelfile as MF


def integer_forward(model, inputs):
    raise NotImplementedError("card integer semantics not specified yet: see emulator/README.md "
                              "and emulator/model/; this is the hook for issue 7's golden vectors")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--dataset", default="digits", choices=["digits", "kws"])
    ap.add_argument("-n", type=int, default=16)
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    m = MF.load(a.model)
    ds = D.load(a.dataset)
    x, y = ds.x_test[:a.n], ds.y_test[:a.n]
    logits = MF.forward(m, x).astype(np.float32)
    sha = hashlib.sha256(open(a.model, "rb").read()).hexdigest()
    MF.write(a.out, {"inputs": x.astype(np.float32), "labels": y.astype(np.int16), "logits_ref": logits},
             {"format": "aimc-ssm-vectors", "format_version": "1", "model_sha256": sha,
              "exact": "false", "dataset": a.dataset,
              "note": "float64 reference of model-format.md section 4, not the card's integer arithmetic"})
    print(json.dumps(dict(out=a.out, n=int(a.n), agree_with_labels=float(np.mean(logits.argmax(1) == y)))))


if __name__ == "__main__":
    main()
