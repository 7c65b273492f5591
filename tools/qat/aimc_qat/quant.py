"""Quantizers (straight-through estimators, LSQ scales) and the crossbar noise model."""
import math

import torch
import torch.nn as nn


def round_ste(x):
    return (torch.round(x) - x).detach() + x


def grad_scale(x, g):
    return (x - x * g).detach() + x * g


def qrange(bits):
    """(qmin, qmax) of a weight code: 'ternary' -> (-1, 1); int b -> two's complement range."""
    if bits == "ternary":
        return -1, 1
    b = int(bits)
    return -(2 ** (b - 1)), 2 ** (b - 1) - 1


def act_qmax(bits):
    return 2 ** (int(bits) - 1) - 1


def bits_of(bits):
    """Storage bits used for size accounting (ternary counted as 2 bits: the file and the card
    store a 2-bit code; its information content is log2(3) = 1.58 bits)."""
    return 2 if bits == "ternary" else int(bits)


def fake_quant(x, scale, qmin, qmax, lsq=True):
    """x / scale rounded (STE) and clamped to [qmin, qmax], times scale. scale broadcasts.
    LSQ gradient scaling (Esser et al. 2020) for the learned scale."""
    if lsq:
        n = x.numel() / max(scale.numel(), 1)
        g = 1.0 / math.sqrt(max(n * max(qmax, 1), 1.0))
        scale = grad_scale(scale, g)
    return torch.clamp(round_ste(x / scale), qmin, qmax) * scale


# ------------------------------------------------------------------ narrow vectors (format v2)
# Biases, norm vectors and per-channel scales stored as `bits`-bit codes with one scale per
# tensor (runtime/docs/model-format.md, version 2); a scale's codes are >= 1. The value is
# float32(code x step): what the loaders compute, so training, export and card agree.
def vec_step(v, bits, positive=False):
    qa = 2 ** (int(bits) - 1) - 1
    m = v.detach().max() if positive else v.detach().abs().max()
    return (m.clamp_min(1e-30) / qa).reshape(())


def vec_codes(v, bits, positive=False):
    qa = 2 ** (int(bits) - 1) - 1
    step = vec_step(v, bits, positive)
    return torch.clamp(torch.round(v.detach() / step), 1 if positive else -qa - 1, qa), step


def fq_vec(v, bits, positive=False):
    """Fake quantization of a vector to its stored form (straight-through)."""
    if bits is None:
        return v
    qa = 2 ** (int(bits) - 1) - 1
    step = vec_step(v, bits, positive)
    return torch.clamp(round_ste(v / step), 1 if positive else -qa - 1, qa) * step


def codes(x, scale, qmin, qmax):
    return torch.clamp(torch.round(x / scale), qmin, qmax)


@torch.no_grad()
def mse_scale(w, qmin, qmax, per_channel=True, grid=None):
    """Per-output-channel (rows) symmetric scale minimizing the quantization MSE over a grid of
    clipping fractions of max|w|. Used to initialise QAT scales and as the PTQ scale."""
    grid = grid if grid is not None else torch.linspace(0.15, 1.0, 52)
    w2 = w.reshape(w.shape[0], -1) if per_channel else w.reshape(1, -1)
    amax = w2.abs().max(dim=1).values.clamp_min(1e-12)
    qa = max(abs(qmin), qmax)
    best = torch.full_like(amax, float("inf"))
    best_s = amax / qa
    for f in grid:
        s = (amax * f / qa)
        err = ((torch.clamp(torch.round(w2 / s[:, None]), qmin, qmax) * s[:, None] - w2) ** 2).sum(1)
        better = err < best
        best = torch.where(better, err, best)
        best_s = torch.where(better, s, best_s)
    return best_s


# ------------------------------------------------------------------ noise model
# The card's noise model of one device preset, read from emulator/model/aimc_presets.def (the
# file the device model compiles: aimc_qat/presets.py), never copied: the open-loop programming
# sigma(G) = c0 + c1 x + ... + c4 x^4 (x = G/g_max), per device, Gaussian, G clamped at >= 0;
# the read sigma rel G + abs, fresh on every MVM. pcm (the default): aihwkit's PCMLikeNoiseModel
# quadratic at 25 uS and 1 % of G; rram: aihwkit's ReRamWan2022 quartic at 40 uS and 1 % of
# g_max. A signed weight is a differential pair G+ - G- on 0..g_max. Mapping: per output channel
# (crossbar column) the weight range w_range[o] (the largest code magnitude times the channel
# scale for quantized weights, max|w[o,:]| for float weights) maps to g_max. So the noise is
# relative to the conductance range of each column.
from . import presets as _presets

DEVICE = _presets.DeviceNoise("pcm")


def set_device(name):
    """Noise of preset `name` (aimc_presets.def) from now on; returns it."""
    global DEVICE
    DEVICE = _presets.DeviceNoise(name)
    return DEVICE


def noisy_weight(w, w_range, eps_pos, eps_neg, noise_scale=1.0, device=None):
    """w: [out, in] weights (real values), w_range: [out] (>0), eps_*: standard normal draws of
    the same shape as w. Returns (weights the crossbar realises after open-loop programming,
    read-noise variance factor [out, in]: per unit squared input)."""
    d = device or DEVICE
    r = w_range.detach().clamp_min(1e-12)[:, None]
    gp = torch.relu(w) / r
    gn = torch.relu(-w) / r
    gp_n = torch.clamp(gp + noise_scale * d.prog_sigma(gp.detach()) * eps_pos, min=0.0)
    gn_n = torch.clamp(gn + noise_scale * d.prog_sigma(gn.detach()) * eps_neg, min=0.0)
    sp = d.read_rel * gp_n.detach() + d.read_abs
    sn = d.read_rel * gn_n.detach() + d.read_abs
    read_var = (noise_scale ** 2) * (sp ** 2 + sn ** 2) * r * r
    # straight-through on the clamp: the gradient follows w
    return w + ((gp_n - gn_n) * r - w).detach(), read_var
