"""Golden vectors: the exact outputs of the card's integer arithmetic for a model file.

`integer_forward` is an independent implementation (numpy, int64, exact) of the integer
inference contract, runtime/docs/integer-inference.md (version 2): the constants computed from
the file's codes and scales with binary64 operations in the contract's order, the canonical
calibration of a card with the default conductance range (g_min 0, g_max 25000 nS, which is what
libaimc's mapper derives on a noise-free card, where programming is exact), the card's
micro-ops (REQUANT, SSM, LUT, MVM through the ADC, AFFINE, GLU, ADD, POOL) with their rounding
(half up) and saturation, and the digital unit's GELU and sigmoid tables, computed here from
their definitions. It does not call the C code: the C host test
(tests/host/test_golden.c) runs the same file through libaimc on a noise-free sim card and
must reproduce every value bit for bit.

  cd tools/qat && /usr/bin/python3 -m aimc_qat.golden MODEL.safetensors --dataset digits -n 16 -o OUT
  cd tools/qat && /usr/bin/python3 -m aimc_qat.golden MODEL.safetensors --check OUT [--card]

--check recomputes the file's integers from its inputs; with --card (make check-qat) the card
computes them too: the model on an exact (noise-free) sim card through the aimc Python package
(card.py), every per-step output and logit equal to the vectors' bit for bit.

The shipped models' vectors are models/golden/<model>.vectors.safetensors (a subdirectory: every
models/*.safetensors is a model to the other tools).

The vectors file (safetensors, `format` = `aimc-ssm-vectors`, `format_version` = `2`):

| tensor | dtype, shape | what |
|--------|--------------|------|
| `inputs` | F32 [N, T, I] | the float samples (what an application passes to aimc_stream_push) |
| `labels` | I16 [N] | the data set's labels |
| `dac_codes` | I8 [N, T, I] | the input DAC codes (contract 2) |
| `outputs` | I32 [N, T, Hk] | the per-step output h after the last layer, Q16 (contract 4.3) |
| `logits` | I32 [N, K] | the logits at the end of each sequence, Q16 (contract 4.4) |
| `predictions` | I16 [N] | the predicted class: first index of the largest logit |
| `logits_ref` | F32 [N, K] | the format's float64 reference (model-format.md section 4), for comparison only |

Every sequence starts from a reset card (state, pool and count zero). Metadata: `model` (file
name), `model_data_sha256` (sha256 of the model file's data section: every tensor's bytes, so a
re-export that changes only the provenance keeps it), `contract` (`integer-inference-3`),
`calibration`, `exact` = `true`, `dataset`, `command`.
"""
import argparse
import hashlib
import json
import math
import os

import numpy as np

from . import data as D
from . import modelfile as MF

CONTRACT = "integer-inference-3"
G_MIN_NS, G_MAX_NS = 0, 25000          # the device model's default conductance range
CALIB_GAIN_MAX = 16383                  # largest canonical ADC gain: 4x left for drift compensation
S32_MAX_D = 2147483647.0
S64_MIN, S64_MAX = -(1 << 63), (1 << 63) - 1
H_FRAC, U_FRAC, Y_FRAC, GATE_FRAC = 16, 8, 20, 4
HORIZON_LOG2 = 8


class ContractError(Exception):
    """A constant does not fit (the C compiler's -ERANGE / -E2BIG / -EINVAL)."""


# ------------------------------------------------------------------ the digital unit's tables
def _gelu(x):
    return x * 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def lut_gelu():
    """GELU table, int8 Q4 code + 128 -> round(16 gelu(code / 16)) (Q4)."""
    return np.array([math.floor(16.0 * _gelu((i - 128) / 16.0) + 0.5) for i in range(256)], np.int64)


def lut_sigmoid():
    """Sigmoid table, int8 Q4 code + 128 -> min(32767, round(32768 / (1 + exp(-code / 16)))) (Q15)."""
    return np.array([min(32767, math.floor(32768.0 / (1.0 + math.exp(-(i - 128) / 16.0)) + 0.5))
                     for i in range(256)], np.int64)


LUT_GELU = lut_gelu()
LUT_SIGMOID = lut_sigmoid()


# ------------------------------------------------------------------ integer primitives
def rnd(v, s):
    """v * 2^-s rounded half up (arithmetic shift), rnd(v, 0) = v."""
    v = np.asarray(v, np.int64)
    if s == 0:
        return v
    return (v >> s) + ((v >> (s - 1)) & 1)


def sat(v, bits):
    hi = (1 << (bits - 1)) - 1
    return np.clip(np.asarray(v, np.int64), -hi - 1, hi)


def sat32(v):
    return sat(v, 32)


def sat_add_s64(a, b):
    """a + b saturated at the s64 range (a, b int64 arrays)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.int64), np.asarray(b, np.int64))
    with np.errstate(over="ignore"):
        s = a + b
        hi = (b > 0) & (a > S64_MAX - b)
        lo = (b < 0) & (a < S64_MIN - b)
    return np.where(hi, S64_MAX, np.where(lo, S64_MIN, s))


def requant(v, m, s, bits):
    return sat(rnd(np.asarray(v, np.int64) * m, s), bits)


def affine(v, gamma, shift, beta):
    return sat32(rnd(np.asarray(v, np.int64) * gamma, shift) + beta)


# ------------------------------------------------------------------ constants (binary64)
def fix(r, s, what):
    """The integer nearest r 2^s, halves away from zero; must fit s32."""
    v = math.floor(math.ldexp(math.fabs(r), s) + 0.5)
    if not v <= S32_MAX_D:
        raise ContractError("%s: %g * 2^%d does not fit in s32" % (what, r, s))
    return -v if r < 0 else v


def multiplier(r, what):
    """(m, s) for a positive ratio r: s the largest in 0..62 with fix(r, s) <= 2^31 - 1."""
    for s in range(62, -1, -1):
        if math.floor(math.ldexp(r, s) + 0.5) <= S32_MAX_D:
            return fix(r, s, what), s
    raise ContractError("%s: ratio %g too large" % (what, r))


def affine_consts(g, o, what):
    """An affine into Q16: (gamma[], shift, beta[])."""
    gmax = 0.0
    for x in g:
        gmax = max(gmax, math.fabs(x))
    s = 62
    while s > 0 and not math.floor(math.ldexp(gmax, s) + 0.5) <= S32_MAX_D:
        s -= 1
    gamma = np.array([fix(x, s, what) for x in g], np.int64)
    beta = np.array([fix(x, H_FRAC, what) for x in o], np.int64)
    return gamma, s, beta


def _f(arr):
    """float32 tensor -> list of Python floats (binary64, exact)."""
    return [float(x) for x in np.asarray(arr, np.float32).reshape(-1)]


class Crossbar:
    """A crossbar with its canonical calibration (contract 3) and its ADC affine (4.1)."""

    def __init__(self, m, prefix):
        T, q = m["tensors"], m["quantization"]
        e = q["tensors"][prefix + ".weight"]
        self.name = prefix
        self.codes = T[prefix + ".weight"].astype(np.int64)          # [rows, cols]
        self.rows, self.cols = self.codes.shape
        wscale = _f(MF.vec(m, prefix + ".weight_scale"))
        self.dac_scale = _f(T[prefix + ".dac_scale"])[0]
        self.adc_scale = _f(MF.vec(m, prefix + ".adc_scale"))
        self.bias = _f(MF.vec(m, prefix + ".bias"))
        self.cmax = 1 if e["scheme"] == "ternary" else 1 << (e["bits"] - 1)
        self.unit = (G_MAX_NS - G_MIN_NS) // self.cmax
        r = [(wscale[j if len(wscale) > 1 else 0] * self.dac_scale) / self.adc_scale[j]
             for j in range(self.rows)]
        gmax = 0.0
        for x in r:
            gmax = max(gmax, x)
        for s in range(40, -1, -1):
            if math.floor(math.ldexp(gmax, 14 + s) / self.unit + 0.5) <= CALIB_GAIN_MAX:
                break
        else:
            raise ContractError("%s: no ADC shift makes the gain fit %d" % (prefix, CALIB_GAIN_MAX))
        self.shift = s
        self.gain = np.array([math.floor(math.ldexp(x, 14 + s) / self.unit + 0.5) for x in r], np.int64)
        self.aff = affine_consts([a * 65536.0 for a in self.adc_scale], self.bias, prefix)

    def mvm(self, x, dac_bits, adc_bits):
        """x [..., cols] int64 codes -> ADC codes [..., rows] (noise-free card)."""
        dmax = (1 << (dac_bits - 1)) - 1
        x = np.clip(np.asarray(x, np.int64), -dmax, dmax)
        acc = (x @ self.codes.T) * self.unit
        return sat(rnd(acc * self.gain, 14 + self.shift), adc_bits)

    def bound(self, j, adc_bits):
        """Xb(P, j) of contract 0.1."""
        return math.ldexp(1.0, adc_bits - 1) * self.adc_scale[j] + math.fabs(self.bias[j])


class IntModel:
    """Every integer constant of the contract for a loaded quantized model (modelfile.load)."""

    def __init__(self, m):
        cfg, q, T = m["config"], m["quantization"], m["tensors"]
        if not q.get("quantized"):
            raise ContractError("a float model does not run on the card")
        self.db, self.ab = q["dac_bits"], q["adc_bits"]
        self.n_layers = cfg["n_layers"]
        self.enc = Crossbar(m, "encoder")
        self.dec = Crossbar(m, "decoder")
        self.hk, self.d_input = self.enc.rows, self.enc.cols
        self.n_classes = self.dec.rows
        if self.hk > 128 or self.d_input > 256 or self.n_classes > 256:
            raise ContractError("past the compiler's limits (Hk <= 128, I, K <= 256)")
        self.dec_in = multiplier(1.0 / (65536.0 * self.dec.dac_scale), "decoder")
        hb = [self.enc.bound(c, self.ab) for c in range(self.hk)]
        self.layers = []
        for l in range(self.n_layers):
            p = "layers.%d." % l
            L = {}
            L["ssm"] = self._ssm(m, p + "ssm.", hb, "layers.%d.ssm" % l)
            L["mix"] = mix = Crossbar(m, p + "mix")
            L["mix_in"] = multiplier(1.0 / (16.0 * mix.dac_scale), mix.name)
            nsc, nsh = _f(MF.vec(m, p + "norm.scale")), _f(MF.vec(m, p + "norm.shift"))
            for c in range(self.hk):
                hb[c] = (hb[c] + mix.bound(c, self.ab)) * math.fabs(nsc[c]) + math.fabs(nsh[c])
            L["norm"] = affine_consts(nsc, nsh, "norm")
            self.layers.append(L)

    @staticmethod
    def _real(m, name, c, n):
        T = m["tensors"]
        s = _f(MF.vec(m, name + "_scale"))
        return float(int(T[name][c, n] if T[name].ndim == 2 else T[name][c])) * s[c if len(s) > 1 else 0]

    def _ssm(self, m, p, hb, what):
        """Contract 4.2 steps 2-3: state exponent and SSM constants per channel."""
        Tn = m["tensors"]
        hk, M = Tn[p + "A_re"].shape
        if M > 64:
            raise ContractError("%s: %d modes, one SSM micro-op takes 64" % (what, M))
        K = np.zeros((hk, M, 6), np.int64)
        Dc = np.zeros(hk, np.int64)
        exps = []
        for c in range(hk):
            ratio = 0.0
            for n in range(M):
                ar, ai = self._real(m, p + "A_re", c, n), self._real(m, p + "A_im", c, n)
                br, bi = self._real(m, p + "B_re", c, n), self._real(m, p + "B_im", c, n)
                abs_a = math.sqrt(ar * ar + ai * ai)
                abs_b = math.sqrt(br * br + bi * bi)
                gap = 1.0 - abs_a
                if gap < math.ldexp(1.0, -HORIZON_LOG2):
                    gap = math.ldexp(1.0, -HORIZON_LOG2)
                ratio = max(ratio, abs_b / gap)
            bound = ratio * min(hb[c], 128.0)
            e = -40
            while math.ldexp(1.0, 14 + e) < bound:
                e += 1
            exps.append(e)
            for n in range(M):
                ar, ai = self._real(m, p + "A_re", c, n), self._real(m, p + "A_im", c, n)
                if math.sqrt(ar * ar + ai * ai) >= 2.0:
                    raise ContractError("%s.A: |A| >= 2 at [%d][%d]" % (what, c, n))
                K[c, n] = (fix(ar, 30, what), fix(ai, 30, what),
                           fix(self._real(m, p + "B_re", c, n), 8 - e, what),
                           fix(self._real(m, p + "B_im", c, n), 8 - e, what),
                           fix(self._real(m, p + "C_re", c, n), e + 21, what),
                           fix(self._real(m, p + "C_im", c, n), e + 21, what))
            Dc[c] = fix(self._real(m, p + "D", c, 0), 12, what)
        return dict(K=K, D=Dc, exp=np.array(exps), modes=M)

    def quantize_input(self, v):
        """Contract 2: float samples -> DAC codes (rint half to even in binary64)."""
        v = np.asarray(v, np.float32).astype(np.float64)
        if not np.all(np.isfinite(v)):
            raise ValueError("NaN or infinite sample")
        hi = (1 << (self.db - 1)) - 1
        return np.clip(np.rint(v / self.enc.dac_scale), -hi, hi).astype(np.int64)


def _ssm_step(S, state, u):
    """The SSM micro-op on a batch: state [B, Hk, M, 2], u [B, Hk] -> y [B, Hk] (Q20)."""
    K = S["K"]
    are, aim, bre, bim, cre, cim = (K[None, :, :, i] for i in range(6))
    uin = u[:, :, None]
    xr, xi = state[..., 0], state[..., 1]
    nr = rnd(rnd(are * xr, 1) - rnd(aim * xi, 1), 29) + bre * uin
    ni = rnd(rnd(are * xi, 1) + rnd(aim * xr, 1), 29) + bim * uin
    xr, xi = sat32(nr), sat32(ni)
    state[..., 0], state[..., 1] = xr, xi
    terms = rnd(cre * xr, 1) - rnd(cim * xi, 1)              # [B, Hk, M]
    acc = np.zeros(u.shape, np.int64)
    for n in range(S["modes"]):                              # mode order: s64 saturating sum
        acc = sat_add_s64(acc, terms[:, :, n])
    return sat32(rnd(acc, 15) + S["D"][None, :] * u)


def _pool_mean(s, count):
    """floor(s / count + 1/2), 0 for count 0 (POOL_READ); s int64."""
    if count == 0:
        return np.zeros_like(s)
    q = s // count                                          # floor division
    r = s - q * count
    return sat32(q + (2 * r >= count))


def integer_forward(model, inputs):
    """The card's integer arithmetic (noise-free, canonical calibration) on sequences.
    model: modelfile.load() dict (or an IntModel); inputs [N, T, I] float.
    Returns dict(dac_codes [N, T, I], outputs [N, T, Hk] Q16, logits [N, K] Q16,
    predictions [N]), all int64."""
    im = model if isinstance(model, IntModel) else IntModel(model)
    xq = im.quantize_input(inputs)
    N, T, _ = xq.shape
    hk = im.hk
    states = [np.zeros((N, hk, L["ssm"]["modes"], 2), np.int64) for L in im.layers]
    pool = np.zeros((N, hk), np.int64)
    outs = np.zeros((N, T, hk), np.int64)
    for t in range(T):
        g, s, b = im.enc.aff
        h = affine(im.enc.mvm(xq[:, t], im.db, im.ab), g, s, b)                # 4.1
        for L, st in zip(im.layers, states):                                    # 4.2
            u = requant(h, 1, H_FRAC - U_FRAC, 16)
            y = _ssm_step(L["ssm"], st, u)
            tq = LUT_GELU[requant(y, 1, Y_FRAC - 4, 8) + 128]
            xm = requant(tq, L["mix_in"][0], L["mix_in"][1], im.db)
            z = L["mix"].mvm(xm, im.db, im.ab)
            g, s, b = L["mix"].aff
            ab = affine(z, g, s, b)
            a, bq = ab[:, :hk], ab[:, hk:]
            gb = requant(bq, 1, H_FRAC - GATE_FRAC, 8)
            glu = sat32(rnd(a * LUT_SIGMOID[gb + 128], 15))
            h = sat32(h + glu)
            g, s, b = L["norm"]
            h = affine(h, g, s, b)
        pool = sat_add_s64(pool, h)                                             # 4.3
        outs[:, t] = h
    p = _pool_mean(pool, T)                                                     # 4.4
    xd = requant(p, im.dec_in[0], im.dec_in[1], im.db)
    g, s, b = im.dec.aff
    logits = affine(im.dec.mvm(xd, im.db, im.ab), g, s, b)
    return dict(dac_codes=xq, outputs=outs, logits=logits, predictions=np.argmax(logits, axis=1))


def write_vectors(path, model_path, m, x, y, dataset, command):
    r = integer_forward(m, x)
    ref = MF.forward(m, x).astype(np.float32)
    buf = open(model_path, "rb").read()
    sha = hashlib.sha256(buf[8 + int.from_bytes(buf[:8], "little"):]).hexdigest()
    tensors = {"inputs": np.asarray(x, np.float32), "labels": np.asarray(y, np.int16),
               "dac_codes": r["dac_codes"].astype(np.int8), "outputs": r["outputs"].astype(np.int32),
               "logits": r["logits"].astype(np.int32), "predictions": r["predictions"].astype(np.int16),
               "logits_ref": ref}
    meta = {"format": "aimc-ssm-vectors", "format_version": "2", "model": os.path.basename(model_path),
            "model_data_sha256": sha, "contract": CONTRACT, "exact": "true", "dataset": dataset,
            "calibration": "canonical: g_min %d nS, g_max %d nS (the sim card's defaults)" % (G_MIN_NS, G_MAX_NS),
            "command": command}
    MF.write(path, tensors, meta, extra_dtypes=True)
    return r, ref


VEC_DTYPES = {"F32": "<f4", "I8": "i1", "I16": "<i2", "I32": "<i4"}


def read_vectors(path):
    """(metadata, {name: array}) of a vectors file."""
    buf = open(path, "rb").read()
    n = int.from_bytes(buf[:8], "little")
    hdr = json.loads(buf[8:8 + n])
    meta = hdr.pop("__metadata__")
    if meta.get("format") != "aimc-ssm-vectors" or meta.get("format_version") != "2":
        raise ValueError("%s: not an aimc-ssm-vectors v2 file" % path)
    T = {k: np.frombuffer(buf[8 + n + e["data_offsets"][0]:8 + n + e["data_offsets"][1]],
                          VEC_DTYPES[e["dtype"]]).reshape(e["shape"]) for k, e in hdr.items()}
    return meta, T


def check_on_card(model_path, path, meta, T):
    """Run the vectors' inputs on an exact sim card through the aimc package: 0 if its outputs and
    logits are the vectors' bit for bit, else 1 with the first difference."""
    from . import card as C
    aimc = C.available()
    if aimc is None:
        print("%s: no card to check on: %s" % (path, C.why_not()))
        return 1
    outs, logits = C.exact_run(aimc, model_path, T["inputs"])
    for k, got in (("outputs", outs), ("logits", logits)):
        diff = C.first_difference(got, C.q16_as_card_floats(T[k]))
        if diff:
            print("%s: the card's %s differ at flat index %d (card %s, vectors %s)" % ((path, k) + diff))
            return 1
    print("%s: the card (aimc package, exact sim card, libaimc %s) computes all %d sequences x %d steps "
          "bit for bit" % (path, aimc.library_version(), T["outputs"].shape[0], T["outputs"].shape[1]))
    return 0


def check_vectors(model_path, path, card=False):
    """Recompute a committed vectors file from its model and inputs: 0 if every integer
    (DAC codes, outputs, logits, predictions) is equal, else 1 with the first difference;
    with `card`, the card too (check_on_card)."""
    meta, T = read_vectors(path)
    r = integer_forward(MF.load(model_path), T["inputs"])
    for k in ("dac_codes", "outputs", "logits", "predictions"):
        got, want = r[k].reshape(-1), T[k].astype(np.int64).reshape(-1)
        bad = np.nonzero(got != want)[0] if got.shape == want.shape else [0]
        if len(bad):
            i = int(bad[0])
            print("%s: %s differs at flat index %d (now %s, file %s): regenerate with: %s"
                  % (path, k, i, got[i] if i < got.size else "-", want[i] if i < want.size else "-",
                     meta.get("command")))
            return 1
    print("%s: %d sequences x %d steps reproduced exactly from %s"
          % (path, T["outputs"].shape[0], T["outputs"].shape[1], model_path))
    return check_on_card(model_path, path, meta, T) if card else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--dataset", default="digits", choices=["digits", "kws"])
    ap.add_argument("-n", type=int, default=16)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("-o", "--out", help="write vectors for the first N test sequences")
    g.add_argument("--check", metavar="VECTORS", help="recompute VECTORS (its inputs) and compare")
    ap.add_argument("--card", action="store_true",
                    help="with --check: the card (exact sim card, aimc package) must compute them too")
    a = ap.parse_args()
    if a.check:
        raise SystemExit(check_vectors(a.model, a.check, a.card))
    m = MF.load(a.model)
    ds = D.load(a.dataset)
    x, y = ds.x_test[:a.n], ds.y_test[:a.n]
    qat_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rel = lambda f: os.path.relpath(os.path.abspath(f), qat_dir)
    cmd = ("cd tools/qat && /usr/bin/python3 -m aimc_qat.golden %s --dataset %s -n %d -o %s"
           % (rel(a.model), a.dataset, a.n, rel(a.out)))
    r, ref = write_vectors(a.out, a.model, m, x, y, a.dataset, cmd)
    print(json.dumps(dict(out=a.out, n=int(a.n), steps=int(x.shape[1]),
                          int_accuracy=float(np.mean(r["predictions"] == y)),
                          float_ref_accuracy=float(np.mean(ref.argmax(1) == y)),
                          int_agrees_with_float_ref=float(np.mean(r["predictions"] == ref.argmax(1))))))


if __name__ == "__main__":
    main()
