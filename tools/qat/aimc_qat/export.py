"""Export a trained S4DModel to an aimc-ssm v1 file (runtime/docs/model-format.md)."""
import datetime
import json
import subprocess

import numpy as np
import torch

from . import modelfile as MF
from . import quant as Q


def _git_rev():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=MF.__file__.rsplit("/", 1)[0]).stdout.strip()
    except OSError:
        return ""


def _f32(t):
    return t.detach().cpu().numpy().astype(np.float32)


def _codes(c, bits):
    return c.detach().cpu().numpy().astype(np.int8 if Q.bits_of(bits) <= 8 else np.int16)


def _qentry(name, bits, per_tensor=False):
    qmin, qmax = Q.qrange(bits)
    return {"scheme": "ternary" if bits == "ternary" else "int", "bits": Q.bits_of(bits),
            "qmin": qmin, "qmax": qmax,
            "granularity": "per_tensor" if per_tensor else "per_output_channel",
            "zero_point": 0, "scale": name + "_scale"}


@torch.no_grad()
def tensors_and_meta(model, ds=None, provenance=None):
    c = model.qcfg
    quantized = c.quantized
    vbits = getattr(c, "vec_bits", None) if quantized else None
    sbits = getattr(c, "scale_bits", None) if quantized else None
    T, qt, narrow = {}, {}, []

    def vector(name, v, bits, positive=False):
        """An always-F32 vector: F32, or (version 2) codes with one scale."""
        if bits is None or v.numel() < 2:
            T[name] = _f32(v)
            return
        codes, step = Q.vec_codes(v, bits, positive)
        T[name] = codes.cpu().numpy().astype(np.int8 if bits <= 8 else np.int16)
        T[name + "_scale"] = np.array([float(step)], dtype=np.float32)
        qt[name] = _qentry(name, bits, per_tensor=True)
        narrow.append(name)

    def xbar(prefix, lin):
        if quantized:
            codes, s = lin.weight_codes()
            T[prefix + ".weight"] = _codes(codes, c.w_bits)
            vector(prefix + ".weight_scale", lin.w_scale.abs().clamp_min(1e-8), sbits, True)
            qt[prefix + ".weight"] = _qentry(prefix + ".weight", c.w_bits)
        else:
            T[prefix + ".weight"] = _f32(lin.weight)
        vector(prefix + ".bias", lin.bias, vbits)
        if quantized:
            T[prefix + ".dac_scale"] = _f32(lin.dac_scale.abs().clamp_min(1e-8))
            vector(prefix + ".adc_scale", lin.adc_scale.abs().clamp_min(1e-8), sbits, True)

    xbar("encoder", model.encoder)
    for li, layer in enumerate(model.layers):
        p = "layers.%d." % li
        s = layer.ssm
        if quantized:
            cs = s.ssm_codes()
            for k in ("A_re", "A_im", "B_re", "B_im", "C_re", "C_im", "D"):
                codes, sc = cs[k]
                T[p + "ssm." + k] = _codes(codes, c.ssm_bits)
                if sc.numel() > 1 and sbits is not None:
                    # the raw per-channel scale: ssm_scale() quantized it the same way
                    bits, s.scale_bits = s.scale_bits, None
                    raw = s.ssm_scale(k, s.discrete_raw()[k])
                    s.scale_bits = bits
                    vector(p + "ssm." + k + "_scale", raw, sbits, True)
                else:
                    T[p + "ssm." + k + "_scale"] = _f32(sc)
                qt[p + "ssm." + k] = _qentry(p + "ssm." + k, c.ssm_bits, per_tensor=(sc.numel() == 1))
        else:
            d = s.discrete()
            for k in ("A_re", "A_im", "B_re", "B_im", "C_re", "C_im", "D"):
                T[p + "ssm." + k] = _f32(d[k])
        T[p + "ssm.log_step"] = _f32(s.log_dt)
        xbar(p + "mix", layer.mix)
        bn = layer.norm
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        vector(p + "norm.scale", scale, vbits)
        vector(p + "norm.shift", bn.bias - bn.running_mean * scale, vbits)
    xbar("decoder", model.decoder)

    cfg = dict(arch="s4d", d_input=model.cfg["d_input"], d_model=model.cfg["d_model"],
               d_state=model.cfg["d_state"], n_layers=model.cfg["n_layers"],
               n_classes=model.cfg["n_classes"], **{k: v for k, v in MF.CONFIG_FIXED.items() if k != "arch"})
    if quantized:
        qz = dict(quantized=True, dac_bits=c.dac_bits, adc_bits=c.adc_bits,
                  method="qat" if c.lsq else "ptq",
                  noise_aware=(dict(model="%s_programming" % getattr(model, "noise_device", "pcm"),
                                    scale=model.noise_aware,
                                    relative_to="per_column_conductance_range") if model.noise_aware else None),
                  tensors=qt)
    else:
        qz = dict(quantized=False)
    pr = dict(kept_channels=list(map(int, model.kept_channels)),
              kept_modes=[list(map(int, k)) for k in model.kept_modes])
    prov = dict(provenance or {})
    if ds is not None:
        prov.setdefault("dataset", ds.name)
        prov.setdefault("dataset_info", ds.info)
    prov.setdefault("torch", torch.__version__)
    prov.setdefault("git", _git_rev())
    prov.setdefault("created", datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"))
    # the lowest version that holds the model: 2 only with narrow vectors
    version = 2 if narrow else 1
    meta = {"format": MF.FORMAT, "format_version": str(version),
            "config": json.dumps(cfg), "quantization": json.dumps(qz), "pruning": json.dumps(pr),
            "provenance": json.dumps(prov, default=str)}
    return T, meta


def export(model, path, ds=None, provenance=None):
    T, meta = tensors_and_meta(model, ds, provenance)
    MF.write(path, T, meta)
    return MF.load(path)      # the writer's output must pass the reader's checks
