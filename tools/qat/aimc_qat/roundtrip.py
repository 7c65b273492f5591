"""Export round trip in a few seconds (for CI): train a tiny model a few steps, export it (float,
PTQ/QAT at 8, 4 and ternary, pruned), re-read every file through the validating reader, run the
numpy reference forward of the file and compare with the PyTorch model's explicit recurrence;
check the FFT path against the recurrence; check that corrupted files are rejected. With --card
(make check-qat) every quantized file is also loaded, programmed and run by the C runtime on an
exact sim card through the aimc Python package (card.py), which must compute the integers of
golden.integer_forward (the card's arithmetic as the trainer implements it) bit for bit.

  cd tools/qat && /usr/bin/python3 -m aimc_qat.roundtrip [--keep DIR] [--card]
"""
import argparse
import json
import os
import struct
import sys
import tempfile
import time

import numpy as np
import torch

from . import card as C
from . import data as D
from . import golden as G
from . import modelfile as MF
from .export import export
from .model import QConfig, S4DModel, prune
from .train import calib_batches, train_epochs

torch.set_num_threads(1)


def check(cond, msg):
    if not cond:
        print("FAIL:", msg)
        sys.exit(1)
    print("ok:", msg)


def compare(model, path, x):
    m = MF.load(path)
    with torch.no_grad():
        ref = model(torch.from_numpy(x), "rec").double().numpy()
        conv = model(torch.from_numpy(x), "conv").double().numpy()
    got = MF.forward(m, x)
    scale = np.abs(ref).max() + 1e-9
    err = np.abs(got - ref).max() / scale
    agree = float(np.mean(got.argmax(1) == ref.argmax(1)))
    q = m["quantization"].get("quantized")
    # quantized files: a float32-vs-float64 difference can flip one DAC/ADC rounding; allow a
    # few steps but require the same decisions
    tol = 0.05 if q else 1e-4
    check(err < tol and agree >= 0.98,
          "%s: file forward vs torch recurrence rel err %.2e, argmax agreement %.3f" % (os.path.basename(path), err, agree))
    cerr = np.abs(conv - ref).max() / scale
    check(cerr < (0.05 if q else 1e-4), "%s: FFT conv vs recurrence rel err %.2e" % (os.path.basename(path), cerr))
    print("   ", MF.describe(m))
    return m


def card_check(aimc, path, m, x, y):
    """The file on an exact sim card (aimc package): its outputs and logits are the trainer's
    integer arithmetic's, bit for bit."""
    outs, logits = C.exact_run(aimc, path, x)
    want = G.integer_forward(m, x)
    for k, got in (("outputs", outs), ("logits", logits)):
        diff = C.first_difference(got, C.q16_as_card_floats(want[k]))
        check(diff is None, "%s: the card's %s are golden.integer_forward's bit for bit%s" % (
            os.path.basename(path), k, "" if diff is None else " (first difference %s)" % (diff,)))
    print("    card (exact sim): accuracy %.3f on %d sequences" % (np.mean(logits.argmax(1) == y), len(y)))


def corrupt_cases(path, tmp):
    buf = open(path, "rb").read()
    (n,) = struct.unpack("<Q", buf[:8])
    hdr = json.loads(buf[8:8 + n])
    data = buf[8 + n:]

    def rebuild(h, d=data):
        t = json.dumps(h).encode()
        t += b" " * ((8 - (8 + len(t)) % 8) % 8)
        return struct.pack("<Q", len(t)) + t + d

    cases = {"truncated": buf[:len(buf) - 3], "short": buf[:5],
             "header past end": struct.pack("<Q", len(buf)) + buf[8:],
             "not json": struct.pack("<Q", 8) + b"{{{{{{{{" + data}
    h = json.loads(json.dumps(hdr)); h["__metadata__"]["format_version"] = "3"; cases["version 3"] = rebuild(h)
    h = json.loads(json.dumps(hdr)); h["encoder.bias"]["data_offsets"][0] -= 4; cases["overlap/size"] = rebuild(h)
    h = json.loads(json.dumps(hdr)); del h["decoder.bias"]; cases["missing tensor"] = rebuild(h)
    h = json.loads(json.dumps(hdr)); h["encoder.bias"]["shape"] = [h["encoder.bias"]["shape"][0] + 1]
    cases["shape"] = rebuild(h)
    h = json.loads(json.dumps(hdr))
    pr = json.loads(h["__metadata__"]["pruning"]); pr["kept_channels"][0:2] = pr["kept_channels"][1::-1]
    h["__metadata__"]["pruning"] = json.dumps(pr); cases["unsorted kept"] = rebuild(h)
    qz = json.loads(hdr["__metadata__"]["quantization"])
    if qz.get("quantized") and "encoder.bias" in qz["tensors"]:
        h = json.loads(json.dumps(hdr)); qz2 = json.loads(json.dumps(qz))
        qz2["tensors"]["encoder.bias"]["granularity"] = "per_output_channel"
        h["__metadata__"]["quantization"] = json.dumps(qz2); cases["vector per channel"] = rebuild(h)
        h = json.loads(json.dumps(hdr)); h["__metadata__"]["format_version"] = "1"
        cases["narrow vector in v1"] = rebuild(h)
        b, e = hdr["encoder.adc_scale"]["data_offsets"]
        d = bytearray(data); d[b] = 0
        cases["scale code 0"] = rebuild(hdr, bytes(d))
    if qz.get("quantized"):
        h = json.loads(json.dumps(hdr)); qz2 = json.loads(json.dumps(qz))
        qz2["tensors"]["encoder.weight"]["bits"] = 9; qz2["tensors"]["encoder.weight"]["qmax"] = 255
        h["__metadata__"]["quantization"] = json.dumps(qz2); cases["bits 9 on a crossbar"] = rebuild(h)
        b, e = hdr["encoder.weight_scale"]["data_offsets"]
        d = bytearray(data); d[b:b + 4] = struct.pack("<f", float("nan"))
        cases["NaN scale"] = rebuild(hdr, bytes(d))
        d = bytearray(data); d[b:b + 4] = struct.pack("<f", -1.0)
        cases["negative scale"] = rebuild(hdr, bytes(d))
    for name, b in cases.items():
        try:
            MF.load(name, b)
        except MF.ModelFileError as e:
            print("ok: rejected %-22s %s" % (name, e))
            continue
        check(False, "corrupted file (%s) was accepted" % name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="write the files into this directory")
    ap.add_argument("--card", action="store_true",
                    help="run every quantized file on an exact sim card through the aimc package")
    a = ap.parse_args()
    aimc = C.available() if a.card else None
    if a.card:
        check(aimc is not None, "the aimc package and its library for --card%s"
              % ("" if aimc is not None else ": %s" % C.why_not()))
    t0 = time.time()
    ds = D.load_digits_seq()
    ds.x_train, ds.y_train = ds.x_train[:256], ds.y_train[:256]
    x = ds.x_test[:64]
    out = a.keep or tempfile.mkdtemp(prefix="aimc_rt_")
    os.makedirs(out, exist_ok=True)
    fm = S4DModel(1, 16, 8, 2, 10, seed=0)
    train_epochs(fm, ds, 2, 4e-3, 1e-3, 32, 0, tag="tiny-float")
    fm.eval()
    paths = {}
    paths["float"] = os.path.join(out, "tiny-float.safetensors")
    export(fm, paths["float"], ds, dict(variant="float", command="roundtrip"))
    compare(fm, paths["float"], x)
    pm = prune(fm, 12, 5)
    for bits, lsq in ((8, False), (4, True), ("ternary", True)):
        mq = S4DModel.__new__(S4DModel)
        import copy
        mq = copy.deepcopy(pm)
        mq.set_qconfig(QConfig(w_bits=bits, ssm_bits=8, act=True, lsq=lsq))
        mq.calibrate(calib_batches(ds, n=2, bs=64))
        if lsq:
            train_epochs(mq, ds, 1, 1e-3, 5e-4, 32, 1, noise=1.0, tag="tiny-qat%s" % bits)
        mq.eval()
        p = os.path.join(out, "tiny-q%s-pruned.safetensors" % bits)
        export(mq, p, ds, dict(variant="q%s" % bits, command="roundtrip"))
        m = compare(mq, p, x)
        check(m["pruning"]["kept_channels"] == pm.kept_channels and len(m["pruning"]["kept_modes"][0]) == 5,
              "pruning indices survive the round trip")
        paths[bits] = p
        if aimc is not None:
            card_check(aimc, p, m, x, ds.y_test[:64])
    # version 2: narrow vectors (biases and norm 8-bit, per-channel scales 8-bit), SSM 6-bit
    mq = copy.deepcopy(pm)
    mq.set_qconfig(QConfig(w_bits=4, ssm_bits=6, act=True, lsq=True, vec_bits=8, scale_bits=8))
    mq.calibrate(calib_batches(ds, n=2, bs=64))
    train_epochs(mq, ds, 1, 1e-3, 5e-4, 32, 1, tag="tiny-qat4v8", freeze_bn=True)
    mq.eval()
    p = os.path.join(out, "tiny-q4v8-pruned.safetensors")
    export(mq, p, ds, dict(variant="q4v8", command="roundtrip"))
    m = compare(mq, p, x)
    check(m["version"] == 2 and len(m["qvecs"]) > 0, "narrow vectors make a version 2 file (%d vectors)"
          % len(m["qvecs"]))
    v1 = MF.sizes(MF.load(paths[4]))["bits"]
    check(MF.sizes(m)["bits"] < v1, "version 2 file smaller: %d bits against %d (4-bit, v1)"
          % (MF.sizes(m)["bits"], v1))
    from . import golden as G
    G.write_vectors(os.path.join(out, "golden-tiny-q4v8-pruned.vectors.safetensors"), p, m, x[:8],
                    ds.y_test[:8], "digits", "roundtrip")
    paths["v2"] = p
    if aimc is not None:
        card_check(aimc, p, m, x, ds.y_test[:64])
    corrupt_cases(paths["float"], out)
    corrupt_cases(paths[4], out)
    corrupt_cases(paths["v2"], out)
    print("roundtrip passed in %.1f s" % (time.time() - t0))


if __name__ == "__main__":
    main()
