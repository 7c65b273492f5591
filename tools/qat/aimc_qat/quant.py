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
# PCM-like programming noise (IBM aihwkit PCMLikeNoiseModel, prog_coeff = [0.26348, 1.9650,
# -1.1731] uS at g_max = 25 uS): sigma(G) = c0 + c1 (G/Gmax) + c2 (G/Gmax)^2, per device,
# Gaussian, G clamped at >= 0. A signed weight is a differential pair G+ - G- on 0..Gmax.
# Mapping: per output channel (crossbar column) the weight range w_range[o] (the largest
# code magnitude times the channel scale for quantized weights, max|w[o,:]| for float
# weights) maps to Gmax. So the noise is relative to the conductance range of each column.
PCM_PROG_COEFF_US = (0.26348, 1.9650, -1.1731)
GMAX_US = 25.0


def pcm_sigma_rel(g_rel):
    c0, c1, c2 = (c / GMAX_US for c in PCM_PROG_COEFF_US)
    return c0 + c1 * g_rel + c2 * g_rel * g_rel


# Read noise (per read, i.e. per MVM): sigma = 1 % of G, as the device model's default
# (emulator/model/aimc_model.c: read_sigma_rel_ppm = 10000). The open-loop programming
# coefficients above are also the device model's defaults (prog_sigma_c* = 263, 1965, -1173 nS).
READ_SIGMA_REL = 0.01


def noisy_weight(w, w_range, eps_pos, eps_neg, noise_scale=1.0):
    """w: [out, in] weights (real values), w_range: [out] (>0), eps_*: standard normal draws of
    the same shape as w. Returns (weights the crossbar realises after open-loop programming,
    read-noise variance factor [out, in]: per unit squared input)."""
    r = w_range.detach().clamp_min(1e-12)[:, None]
    gp = torch.relu(w) / r
    gn = torch.relu(-w) / r
    gp_n = torch.clamp(gp + noise_scale * pcm_sigma_rel(gp.detach()) * eps_pos, min=0.0)
    gn_n = torch.clamp(gn + noise_scale * pcm_sigma_rel(gn.detach()) * eps_neg, min=0.0)
    read_var = ((noise_scale * READ_SIGMA_REL) ** 2) * (gp_n.detach() ** 2 + gn_n.detach() ** 2) * r * r
    # straight-through on the clamp: the gradient follows w
    return w + ((gp_n - gn_n) * r - w).detach(), read_var
