"""aimc-ssm model files (runtime/docs/model-format.md, versions 1 and 2): safetensors writer, a reader
that enforces every documented invariant, and a numpy reference forward pass of a file.

  /usr/bin/python3 -m aimc_qat.modelfile FILE...      validate and describe files
"""
import json
import math
import struct
import sys

import numpy as np

FORMAT = "aimc-ssm"
FORMAT_VERSION = 2          # the newest this reader reads (1 and 2); writers emit the lowest
MAX_HEADER = 16 << 20
DTYPES = {"F32": np.dtype("<f4"), "I8": np.dtype("i1"), "I16": np.dtype("<i2")}
CROSSBARS_FMT = ("encoder", "layers.{l}.mix", "decoder")
SSM_Q = ("A_re", "A_im", "B_re", "B_im", "C_re", "C_im")
CONFIG_FIXED = dict(arch="s4d", activation="gelu", mix="glu", norm="affine", norm_position="post",
                    pooling="mean", ssm_output="2re", discretization="zoh")


class ModelFileError(Exception):
    def __init__(self, path, tensor, reason):
        self.path, self.tensor, self.reason = path, tensor, reason
        super().__init__("%s: %s%s" % (path, ("tensor '%s': " % tensor) if tensor else "", reason))


# ------------------------------------------------------------------------------ writer
def write(path, tensors, metadata, extra_dtypes=False):
    """tensors: ordered dict name -> numpy array (float32/int8/int16); metadata: str -> str.
    extra_dtypes: also int32 (I32), for files that are not model files (golden vectors)."""
    kinds = {("f", 4): "F32", ("i", 1): "I8", ("i", 2): "I16"}
    if extra_dtypes:
        kinds[("i", 4)] = "I32"
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dt = kinds[(arr.dtype.kind, arr.dtype.itemsize)]
        b = arr.astype(DTYPES[dt] if dt in DTYPES else np.dtype("<i4")).tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = dict(metadata)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ------------------------------------------------------------------------------ reader
def _no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def read_container(path, buf=None):
    """Container-level checks (section 1). Returns (metadata dict, {name: np.ndarray})."""
    if buf is None:
        with open(path, "rb") as f:
            buf = f.read()
    E = lambda r, t=None: ModelFileError(path, t, r)
    if len(buf) < 8:
        raise E("file too short (%d bytes) for the header length" % len(buf))
    (n,) = struct.unpack("<Q", buf[:8])
    if n < 2 or n > MAX_HEADER:
        raise E("header length %d out of range" % n)
    if 8 + n > len(buf):
        raise E("header length %d past the end of the file (%d bytes)" % (n, len(buf)))
    try:
        text = buf[8:8 + n].decode("utf-8")
        hdr = json.loads(text.rstrip(" "), object_pairs_hook=_no_dups)
    except (UnicodeDecodeError, ValueError) as e:
        raise E("header is not valid JSON: %s" % e)
    if not isinstance(hdr, dict):
        raise E("header is not a JSON object")
    meta = hdr.pop("__metadata__", None)
    if not isinstance(meta, dict):
        raise E("__metadata__ missing or not an object")
    for k, v in meta.items():
        if not isinstance(v, str):
            raise E("__metadata__ value of %r is not a string" % k)
    data_len = len(buf) - 8 - n
    ranges, tensors = [], {}
    for name, t in hdr.items():
        if not isinstance(t, dict):
            raise E("entry is not an object", name)
        dt = t.get("dtype")
        if dt not in DTYPES:
            raise E("unsupported dtype %r" % (dt,), name)
        shape = t.get("shape")
        if not isinstance(shape, list) or len(shape) > 4 or not all(_is_int(s) and s >= 0 for s in shape):
            raise E("bad shape %r" % (shape,), name)
        count = 1
        for s in shape:
            count *= s
            if count > 2 ** 31:
                raise E("element count overflows", name)
        off = t.get("data_offsets")
        if not isinstance(off, list) or len(off) != 2 or not all(_is_int(o) for o in off):
            raise E("bad data_offsets %r" % (off,), name)
        b, e = off
        if b < 0 or b > e:
            raise E("data_offsets begin %d > end %d" % (b, e), name)
        if e - b != count * DTYPES[dt].itemsize:
            raise E("size %d != %d elements * %d bytes" % (e - b, count, DTYPES[dt].itemsize), name)
        if e > data_len:
            raise E("data end %d past the end of the data section (%d bytes)" % (e, data_len), name)
        if count == 0:
            raise E("zero-size tensor", name)
        ranges.append((b, e, name))
        tensors[name] = np.frombuffer(buf, dtype=DTYPES[dt], count=count, offset=8 + n + b).reshape(shape)
    ranges.sort()
    pos = 0
    for b, e, name in ranges:
        if b < pos:
            raise E("data range [%d, %d) overlaps another tensor" % (b, e), name)
        if b > pos:
            raise E("hole in the data section before offset %d" % b, name)
        pos = e
    if pos != data_len:
        raise E("data section has %d trailing bytes not covered by any tensor" % (data_len - pos))
    return meta, tensors


def _json_meta(path, meta, key):
    if key not in meta:
        raise ModelFileError(path, None, "__metadata__ key %r missing" % key)
    try:
        v = json.loads(meta[key], object_pairs_hook=_no_dups)
    except ValueError as e:
        raise ModelFileError(path, None, "__metadata__ %r is not JSON: %s" % (key, e))
    if not isinstance(v, dict):
        raise ModelFileError(path, None, "__metadata__ %r is not a JSON object" % key)
    return v


def _check_index_list(path, what, lst, limit):
    if not isinstance(lst, list) or not lst:
        raise ModelFileError(path, None, "%s must be a non-empty list" % what)
    prev = -1
    for v in lst:
        if not _is_int(v) or v < 0 or v >= limit:
            raise ModelFileError(path, None, "%s: index %r out of range 0..%d" % (what, v, limit - 1))
        if v <= prev:
            raise ModelFileError(path, None, "%s not strictly increasing at %r" % (what, v))
        prev = v


def qvec_eligible(name, shape):
    """Version 2: the vectors of a quantized model that may be stored as codes (one F32 scale)."""
    return len(shape) == 1 and shape[0] >= 2 and not name.endswith(".log_step")


def expected_tensors(cfg, Hk, Nk, quantized, granularity=None, qvecs=()):
    """name -> (shape, is_q) per section 3; granularity: Q tensor name -> granularity; qvecs:
    the (version 2) vectors stored as codes, each with a [1] scale."""
    I, K = cfg["d_input"], cfg["n_classes"]
    ex = {"encoder.weight": ([Hk, I], True), "encoder.bias": ([Hk], False),
          "decoder.weight": ([K, Hk], True), "decoder.bias": ([K], False)}
    for l in range(cfg["n_layers"]):
        p = "layers.%d." % l
        for s in SSM_Q:
            ex[p + "ssm." + s] = ([Hk, Nk[l]], True)
        ex[p + "ssm.D"] = ([Hk], True)
        ex[p + "ssm.log_step"] = ([Hk], False)
        ex[p + "mix.weight"] = ([2 * Hk, Hk], True)
        ex[p + "mix.bias"] = ([2 * Hk], False)
        ex[p + "norm.scale"] = ([Hk], False)
        ex[p + "norm.shift"] = ([Hk], False)
    if quantized:
        for name, (shape, q) in list(ex.items()):
            if q:
                gran = (granularity or {}).get(name)
                rows = shape[0] if gran == "per_output_channel" and not name.endswith("ssm.D") else 1
                ex[name + "_scale"] = ([rows], False)
        for l_or_none in ["encoder", "decoder"] + ["layers.%d.mix" % l for l in range(cfg["n_layers"])]:
            rows = ex[l_or_none + ".weight"][0][0]
            ex[l_or_none + ".dac_scale"] = ([1], False)
            ex[l_or_none + ".adc_scale"] = ([rows], False)
        for name in qvecs:
            if name in ex and not ex[name][1] and qvec_eligible(name, ex[name][0]):
                ex[name + "_scale"] = ([1], False)
    return ex


def is_crossbar_weight(name):
    return name in ("encoder.weight", "decoder.weight") or name.endswith(".mix.weight")


def load(path, buf=None):
    """Read and validate a model file against every invariant of the format document.
    Returns a dict: config, quantization, pruning, provenance, tensors (numpy), version."""
    E = lambda r, t=None: ModelFileError(path, t, r)
    meta, T = read_container(path, buf)
    if meta.get("format") != FORMAT:
        raise E("format %r is not %r" % (meta.get("format"), FORMAT))
    ver = meta.get("format_version")
    if ver is None or not ver.isdigit():
        raise E("format_version %r is not a decimal integer" % (ver,))
    if not 1 <= int(ver) <= FORMAT_VERSION:
        raise E("unsupported format version %s (this loader reads 1 and %d)" % (ver, FORMAT_VERSION))
    cfg = _json_meta(path, meta, "config")
    qz = _json_meta(path, meta, "quantization")
    pr = _json_meta(path, meta, "pruning")
    prov = json.loads(meta["provenance"]) if "provenance" in meta else {}
    for k, lo, hi in (("d_input", 1, 65536), ("d_model", 1, 4096), ("d_state", 1, 4096),
                      ("n_layers", 1, 64), ("n_classes", 1, 65536)):
        v = cfg.get(k)
        if not _is_int(v) or not lo <= v <= hi:
            raise E("config %s = %r not an integer in %d..%d" % (k, v, lo, hi))
    for k, v in CONFIG_FIXED.items():
        if cfg.get(k) != v:
            raise E("config %s = %r, this loader supports only %r" % (k, cfg.get(k), v))
    _check_index_list(path, "pruning.kept_channels", pr.get("kept_channels"), cfg["d_model"])
    km = pr.get("kept_modes")
    if not isinstance(km, list) or len(km) != cfg["n_layers"]:
        raise E("pruning.kept_modes must hold n_layers = %d lists" % cfg["n_layers"])
    for l, lst in enumerate(km):
        _check_index_list(path, "pruning.kept_modes[%d]" % l, lst, cfg["d_state"])
    Hk, Nk = len(pr["kept_channels"]), [len(x) for x in km]
    quantized = qz.get("quantized")
    if not isinstance(quantized, bool):
        raise E("quantization.quantized must be true or false")
    gran, qvecs = {}, set()
    if quantized:
        qt0 = qz.get("tensors")
        if not isinstance(qt0, dict):
            raise E("quantization.tensors missing")
        gran = {n: e.get("granularity") for n, e in qt0.items() if isinstance(e, dict)}
        if int(ver) >= 2:
            base = expected_tensors(cfg, Hk, Nk, quantized, gran)
            qvecs = {n for n in qt0 if n in base and not base[n][1] and qvec_eligible(n, base[n][0])}
    ex = expected_tensors(cfg, Hk, Nk, quantized, gran, qvecs)
    for name in T:
        if name not in ex:
            raise E("unknown tensor (newer writer?)", name)
    for name, (shape, q) in ex.items():
        if name not in T:
            raise E("missing tensor", name)
        if list(T[name].shape) != shape:
            raise E("shape %s, expected %s" % (list(T[name].shape), shape), name)
    qt = {}
    if quantized:
        for k in ("dac_bits", "adc_bits"):
            v = qz.get(k)
            if not _is_int(v) or not 2 <= v <= 16:
                raise E("quantization.%s = %r not in 2..16" % (k, v))
        qt = qz.get("tensors")
        if not isinstance(qt, dict):
            raise E("quantization.tensors missing")
        for name, (shape, q) in ex.items():
            if not q:
                continue
            e = qt.get(name)
            if not isinstance(e, dict):
                raise E("no quantization entry", name)
            scheme, bits = e.get("scheme"), e.get("bits")
            if scheme == "ternary":
                if bits != 2:
                    raise E("ternary must have bits = 2", name)
                rng = (-1, 1)
            elif scheme == "int":
                hi = 8 if is_crossbar_weight(name) else 16
                if not _is_int(bits) or not 2 <= bits <= hi:
                    raise E("bits %r: the card holds 2..%d here" % (bits, hi), name)
                rng = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
            else:
                raise E("unknown scheme %r" % (scheme,), name)
            if (e.get("qmin"), e.get("qmax")) != rng:
                raise E("qmin/qmax %r/%r inconsistent with %s %s" % (e.get("qmin"), e.get("qmax"), scheme, bits), name)
            if e.get("zero_point") != 0:
                raise E("zero_point must be 0 in version 1", name)
            gran = e.get("granularity")
            if name.endswith("ssm.D"):
                allowed = ("per_tensor",)
            elif is_crossbar_weight(name):
                allowed = ("per_output_channel",)
            else:
                allowed = ("per_output_channel", "per_tensor")
            if gran not in allowed:
                raise E("granularity %r, expected one of %s" % (gran, "/".join(allowed)), name)
            if e.get("scale") != name + "_scale":
                raise E("scale must name %r" % (name + "_scale"), name)
            want_dt = "I8" if bits <= 8 else "I16"
            if T[name].dtype != DTYPES[want_dt]:
                raise E("dtype %s, expected %s for %s bits" % (T[name].dtype, want_dt, bits), name)
            if T[name].min() < rng[0] or T[name].max() > rng[1]:
                raise E("code outside [%d, %d]" % rng, name)
        for name in sorted(qvecs):
            e = qt[name]
            bits = e.get("bits")
            if e.get("scheme") != "int":
                raise E("scheme must be 'int' for a quantized vector", name)
            if not _is_int(bits) or not 2 <= bits <= 16:
                raise E("bits missing or outside 2..16", name)
            rng = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
            if (e.get("qmin"), e.get("qmax")) != rng:
                raise E("qmin/qmax %r/%r inconsistent with int %s" % (e.get("qmin"), e.get("qmax"), bits), name)
            if e.get("zero_point") != 0:
                raise E("zero_point must be 0", name)
            if e.get("granularity") != "per_tensor":
                raise E("granularity must be 'per_tensor' for a quantized vector", name)
            if e.get("scale") != name + "_scale":
                raise E("scale must name %r" % (name + "_scale"), name)
            want_dt = "I8" if bits <= 8 else "I16"
            if T[name].dtype != DTYPES[want_dt]:
                raise E("dtype %s, expected %s for %s bits" % (T[name].dtype, want_dt, bits), name)
            lo = 1 if name.endswith("_scale") else rng[0]
            if T[name].min() < lo or T[name].max() > rng[1]:
                raise E("code outside [%d, %d]" % (lo, rng[1]), name)
    for name, (shape, q) in ex.items():
        arr = T[name]
        if (q and quantized) or name in qvecs:
            continue
        if arr.dtype != DTYPES["F32"]:
            raise E("dtype %s, expected F32" % arr.dtype, name)
        if not np.all(np.isfinite(arr)):
            raise E("NaN or infinite value", name)
        if quantized and (name.endswith("_scale")) and not np.all(arr > 0):
            raise E("scale <= 0", name)
    return dict(config=cfg, quantization=qz, pruning=pr, provenance=prov, tensors=T,
                version=int(ver), path=path, qvecs=qvecs)


def vec(m, name):
    """An always-F32 vector as the card's loaders see it (float32): in version 2 a quantized one
    is float32(code x scale), the product in binary64 rounded once (model-format.md)."""
    T = m["tensors"]
    if name in m.get("qvecs", ()):
        return (T[name].astype(np.float64) * np.float64(T[name + "_scale"][0])).astype(np.float32)
    return T[name]


# ------------------------------------------------------------------ sizes and reference run
def real(m, name):
    """Dequantized value of a tensor as float64."""
    T, q = m["tensors"], m["quantization"]
    if q.get("quantized") and name in q.get("tensors", {}) and name not in m.get("qvecs", ()):
        s = vec(m, name + "_scale").astype(np.float64)
        c = T[name].astype(np.float64)
        return c * (s.reshape((-1,) + (1,) * (c.ndim - 1)) if s.size > 1 else s[0])
    return vec(m, name).astype(np.float64)


def sizes(m):
    """parameters (values the card needs, scales excluded), model bits (codes at their width,
    every other value at 32 bits; informational log_step excluded), crossbar cells
    (2 per weight: differential pair), MVMs per step."""
    q = m["quantization"]
    qt = q.get("tensors", {}) if q.get("quantized") else {}
    params = bits = 0
    for name, arr in m["tensors"].items():
        if name.endswith("log_step"):
            continue
        if name in qt:
            b = 2 if qt[name]["scheme"] == "ternary" else qt[name]["bits"]
            bits += arr.size * b
        else:
            bits += arr.size * 32
        if not name.endswith("_scale"):
            params += arr.size
    cells = sum(2 * arr.size for name, arr in m["tensors"].items() if is_crossbar_weight(name))
    return dict(params=int(params), bits=int(bits), cells=int(cells),
                mvms_per_step=1 + m["config"]["n_layers"])


def _erf(x):
    return np.vectorize(math.erf)(x)


def _q(x, s, bits):
    qa = 2 ** (bits - 1) - 1
    return np.clip(np.round(x / s), -qa, qa) * s


def forward(m, u):
    """Reference float64 forward of a file (format section 4, explicit recurrence).
    u: [B, T, d_input] -> logits [B, n_classes]."""
    cfg, q, T = m["config"], m["quantization"], m["tensors"]
    Q = bool(q.get("quantized"))

    def xbar(p, x):
        W = real(m, p + ".weight")
        if Q:
            x = _q(x, float(T[p + ".dac_scale"][0]), q["dac_bits"])
            y = x @ W.T
            y = _q(y, vec(m, p + ".adc_scale").astype(np.float64), q["adc_bits"])
        else:
            y = x @ W.T
        return y + vec(m, p + ".bias").astype(np.float64)

    u = np.asarray(u, dtype=np.float64)
    h = xbar("encoder", u)                                   # [B, T, Hk]
    Bn, L, Hk = h.shape
    for l in range(cfg["n_layers"]):
        p = "layers.%d." % l
        ar, ai, br, bi, cr, ci = (real(m, p + "ssm." + s) for s in SSM_Q)
        Dv = real(m, p + "ssm.D")
        sr = np.zeros((Bn,) + ar.shape)
        si = np.zeros((Bn,) + ar.shape)
        ys = np.zeros_like(h)
        for t in range(L):
            x = h[:, t, :, None]
            sr, si = ar * sr - ai * si + br * x, ar * si + ai * sr + bi * x
            ys[:, t] = 2.0 * (cr * sr - ci * si).sum(-1) + Dv * h[:, t]
        g = ys * 0.5 * (1.0 + _erf(ys / math.sqrt(2.0)))
        z = xbar(p + "mix", g)
        z = z[..., :Hk] * (1.0 / (1.0 + np.exp(-z[..., Hk:])))
        h = (h + z) * vec(m, p + "norm.scale").astype(np.float64) + vec(m, p + "norm.shift").astype(np.float64)
    return xbar("decoder", h.mean(1))


def describe(m):
    c, q, p = m["config"], m["quantization"], m["pruning"]
    s = sizes(m)
    wb = sorted({str(e["bits"]) if e["scheme"] == "int" else "ternary"
                 for n, e in q.get("tensors", {}).items() if is_crossbar_weight(n)}) if q.get("quantized") else ["fp32"]
    return ("%s: aimc-ssm v%d, d_input %d, d_model %d (kept %d), d_state %d (kept %s), %d layers, "
            "%d classes, weights %s, %d params, %d bits (%.1f KiB), %d crossbar cells, %d MVMs/step"
            % (m["path"], m["version"], c["d_input"], c["d_model"], len(p["kept_channels"]), c["d_state"],
               [len(k) for k in p["kept_modes"]], c["n_layers"], c["n_classes"], "/".join(wb),
               s["params"], s["bits"], s["bits"] / 8192.0, s["cells"], s["mvms_per_step"]))


if __name__ == "__main__":
    rc = 0
    for f in sys.argv[1:]:
        try:
            print(describe(load(f)))
        except ModelFileError as e:
            print("INVALID", e)
            rc = 1
    sys.exit(rc)
