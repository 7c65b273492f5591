"""S4D-style model for AIMC-1 with QAT (STE, LSQ scales), crossbar noise and structured pruning.

Forward pass (the same semantics as runtime/docs/model-format.md section 4):
  h = crossbar(encoder, u_t)
  per layer: y = SSM(h) (diagonal complex, ZOH, y = 2 Re(C s) + D h); z = mix(gelu(y)) (H -> 2H);
             h = BN(h + z[:H] * sigmoid(z[H:]))          (post-norm, BN folded to an affine at export)
  logits = crossbar(decoder, mean_t h)
Crossbars (encoder, mix, decoder) are where weights sit on conductances: weight codes at w_bits
(8/4/3/2/ternary) with per-output-channel scales, 8-bit DAC on inputs, 8-bit ADC on outputs
(per-column scale), PCM-like programming noise. The SSM runs on the digital unit: A-bar, B-bar, C
(real, imag) at ssm_bits fixed point with per-channel scales, D per tensor; no analog noise.
"""
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import quant as Q


class QConfig:
    """w_bits: None (float) | 8/4/3/2 | 'ternary'; ssm_bits: None | 2..16; act: DAC/ADC fake quant;
    lsq: learn the weight/activation scales (QAT) or keep the calibrated ones (PTQ)."""

    def __init__(self, w_bits=None, ssm_bits=None, act=False, dac_bits=8, adc_bits=8, lsq=True,
                 ssm_per_tensor=("A_re", "A_im", "D"), vec_bits=None, scale_bits=None):
        self.w_bits, self.ssm_bits, self.act = w_bits, ssm_bits, act
        # version-2 narrow vectors: biases and norm at vec_bits, per-channel scales at
        # scale_bits (None: F32)
        self.vec_bits, self.scale_bits = vec_bits, scale_bits
        self.dac_bits, self.adc_bits, self.lsq = dac_bits, adc_bits, lsq
        self.ssm_per_tensor = tuple(ssm_per_tensor)   # SSM tensors with one scale (fixed point)

    @property
    def quantized(self):
        return self.w_bits is not None

    def to_dict(self):
        return dict(w_bits=self.w_bits, ssm_bits=self.ssm_bits, act=self.act,
                    dac_bits=self.dac_bits, adc_bits=self.adc_bits, lsq=self.lsq,
                    ssm_per_tensor=self.ssm_per_tensor, vec_bits=self.vec_bits,
                    scale_bits=self.scale_bits)


FLOAT = QConfig()


class QLinear(nn.Module):
    """A crossbar: y = ADC(W_q @ DAC(x)) + b, optional programming noise on W_q."""

    def __init__(self, d_in, d_out):
        super().__init__()
        lin = nn.Linear(d_in, d_out)
        self.weight = nn.Parameter(lin.weight.data.clone())
        self.bias = nn.Parameter(lin.bias.data.clone())
        self.w_scale = nn.Parameter(torch.ones(d_out))
        self.dac_scale = nn.Parameter(torch.ones(1))
        self.adc_scale = nn.Parameter(torch.ones(d_out))
        self.qcfg = FLOAT
        self.noise_mode = "off"      # off | train (fresh draw per forward) | fixed (programmed)
        self.noise_scale = 1.0
        self.register_buffer("eps_pos", torch.zeros(0), persistent=False)
        self.register_buffer("eps_neg", torch.zeros(0), persistent=False)
        self.calib = None            # dict while calibrating activation ranges

    # -- quantized weight and its conductance range per column
    def qweight(self):
        c = self.qcfg
        if not c.quantized:
            return self.weight, self.weight.detach().abs().amax(1)
        qmin, qmax = Q.qrange(c.w_bits)
        s = Q.fq_vec(self.w_scale.abs().clamp_min(1e-8), getattr(c, "scale_bits", None),
                     positive=True)[:, None]
        w = Q.fake_quant(self.weight, s, qmin, qmax, lsq=c.lsq)
        return w, max(-qmin, qmax) * s.detach()[:, 0]

    def weight_codes(self):
        qmin, qmax = Q.qrange(self.qcfg.w_bits)
        s = Q.fq_vec(self.w_scale.detach().abs().clamp_min(1e-8),
                     getattr(self.qcfg, "scale_bits", None), positive=True)
        return Q.codes(self.weight.detach(), s[:, None], qmin, qmax), s

    def program(self, generator):
        """Draw the programming noise once (as programming the card does)."""
        self.eps_pos = torch.randn(self.weight.shape, generator=generator)
        self.eps_neg = torch.randn(self.weight.shape, generator=generator)
        self.noise_mode = "fixed"

    def forward(self, x):
        c = self.qcfg
        w, w_range = self.qweight()
        if self.noise_mode != "off":
            if self.noise_mode == "train":
                ep, en = torch.randn_like(w), torch.randn_like(w)
            else:
                ep, en = self.eps_pos, self.eps_neg
            w, read_var = Q.noisy_weight(w, w_range, ep, en, self.noise_scale)
        if self.calib is not None:
            self.calib["x"] = max(self.calib.get("x", 0.0), float(x.detach().abs().max()))
        if c.act:
            qa = Q.act_qmax(c.dac_bits)
            x = Q.fake_quant(x, self.dac_scale.abs().clamp_min(1e-8), -qa, qa, lsq=c.lsq)
        y = F.linear(x, w)
        if self.noise_mode != "off":
            # read noise, fresh on every MVM (every time step), summed over the column
            y = y + torch.sqrt(F.linear(x.detach() ** 2, read_var) + 1e-30) * torch.randn_like(y)
        if self.calib is not None:
            m = y.detach().abs().reshape(-1, y.shape[-1]).amax(0)
            self.calib["y"] = torch.maximum(self.calib["y"], m) if "y" in self.calib else m
        if c.act:
            qa = Q.act_qmax(c.adc_bits)
            adc = Q.fq_vec(self.adc_scale.abs().clamp_min(1e-8), getattr(c, "scale_bits", None),
                           positive=True)
            y = Q.fake_quant(y, adc, -qa, qa, lsq=c.lsq)
        return y + Q.fq_vec(self.bias, getattr(c, "vec_bits", None) if c.quantized else None)


class S4D(nn.Module):
    """Diagonal complex SSM, H channels x N modes (conjugate pairs implied), ZOH, learned log dt,
    all arithmetic in real numbers."""

    def __init__(self, H, N, dt_min=1e-3, dt_max=1e-1, seed_gen=None):
        super().__init__()
        g = seed_gen
        self.log_dt = nn.Parameter(torch.rand(H, generator=g) * (math.log(dt_max) - math.log(dt_min))
                                   + math.log(dt_min))
        self.log_A_re = nn.Parameter(torch.full((H, N), math.log(0.5)))
        self.A_im = nn.Parameter(math.pi * torch.arange(N).float().repeat(H, 1))
        self.C = nn.Parameter(torch.randn(H, N, 2, generator=g) * math.sqrt(0.5))
        self.D = nn.Parameter(torch.randn(H, generator=g))
        self.ssm_bits = None
        self.scale_bits = None
        self.ssm_per_tensor = ("D",)

    def discrete(self):
        """Returns dict of the (quantized if ssm_bits) A-bar, B-bar, C real/imag [H, N] and D [H]."""
        dt = torch.exp(self.log_dt)[:, None]
        lre = -torch.exp(self.log_A_re)
        lim = self.A_im
        mag = torch.exp(lre * dt)
        ar, ai = mag * torch.cos(lim * dt), mag * torch.sin(lim * dt)
        nr, ni = ar - 1.0, ai
        den = lre * lre + lim * lim
        br = (nr * lre + ni * lim) / den
        bi = (ni * lre - nr * lim) / den
        p = dict(A_re=ar, A_im=ai, B_re=br, B_im=bi, C_re=self.C[..., 0], C_im=self.C[..., 1], D=self.D)
        if self.ssm_bits is not None:
            p = {k: self.quantize_param(k, v) for k, v in p.items()}
        return p

    def ssm_scale(self, name, v):
        qmin, qmax = Q.qrange(self.ssm_bits)
        if name == "D" or name in self.ssm_per_tensor:
            return (v.detach().abs().max().clamp_min(1e-8) / qmax).reshape(1)
        s = v.detach().abs().amax(1).clamp_min(1e-8) / qmax
        return Q.fq_vec(s, self.scale_bits, positive=True) if self.scale_bits else s

    def quantize_param(self, name, v):
        qmin, qmax = Q.qrange(self.ssm_bits)
        s = self.ssm_scale(name, v)
        s = s if v.dim() == 1 else s[:, None]
        return Q.fake_quant(v, s, qmin, qmax, lsq=False)

    def discrete_raw(self):
        """discrete() without the SSM quantization."""
        bits, self.ssm_bits = self.ssm_bits, None
        raw = self.discrete()
        self.ssm_bits = bits
        return raw

    def ssm_codes(self):
        """(codes, scale) per parameter, exactly what the quantized forward uses."""
        with torch.no_grad():
            bits, self.ssm_bits = self.ssm_bits, None
            raw = self.discrete()
            self.ssm_bits = bits
            qmin, qmax = Q.qrange(bits)
            out = {}
            for k, v in raw.items():
                s = self.ssm_scale(k, v)
                out[k] = (Q.codes(v, s if v.dim() == 1 else s[:, None], qmin, qmax), s)
            return out

    def kernel(self, p, L):
        ar, ai = p["A_re"], p["A_im"]
        logmag = 0.5 * torch.log(ar * ar + ai * ai + 1e-30)
        th = torch.atan2(ai, ar)
        l = torch.arange(L, dtype=ar.dtype)
        pm = torch.exp(logmag[..., None] * l)
        pr, pi = pm * torch.cos(th[..., None] * l), pm * torch.sin(th[..., None] * l)
        cbr = p["C_re"] * p["B_re"] - p["C_im"] * p["B_im"]
        cbi = p["C_re"] * p["B_im"] + p["C_im"] * p["B_re"]
        return 2.0 * (cbr[..., None] * pr - cbi[..., None] * pi).sum(1)   # [H, L]

    def forward(self, u, mode="conv"):
        """u: [B, H, L] -> [B, H, L]."""
        p = self.discrete()
        L = u.shape[-1]
        if mode == "conv":
            k = self.kernel(p, L)
            n = 1 << (2 * L - 1).bit_length()   # power of two >= 2L: 2L = 122 (prime factor 61)
                                                 # made pocketfft 5x slower
            y = torch.fft.irfft(torch.fft.rfft(u, n=n) * torch.fft.rfft(k, n=n), n=n)[..., :L]
        else:
            y = self.recurrence(p, u)
        return y + p["D"][:, None] * u

    @staticmethod
    def recurrence(p, u):
        """Explicit step-by-step recurrence, as the card's digital unit runs it (without D)."""
        B, H, L = u.shape
        N = p["A_re"].shape[1]
        sr = u.new_zeros(B, H, N)
        si = u.new_zeros(B, H, N)
        ys = []
        for t in range(L):
            x = u[:, :, t:t + 1]
            sr, si = (p["A_re"] * sr - p["A_im"] * si + p["B_re"] * x,
                      p["A_re"] * si + p["A_im"] * sr + p["B_im"] * x)
            ys.append(2.0 * (p["C_re"] * sr - p["C_im"] * si).sum(-1))
        return torch.stack(ys, -1)


def gelu(x):
    """Exact GELU written out. Debian's torch 1.13.0a0 F.gelu (erf form) returns garbage,
    run-to-run different gradients when its output is consumed transposed (measured here:
    errors up to 1e29, then NaN losses); the written-out form is exact and deterministic."""
    return x * 0.5 * (1.0 + torch.erf(x * 0.7071067811865476))


class Layer(nn.Module):
    def __init__(self, H, N, dropout, g):
        super().__init__()
        self.ssm = S4D(H, N, seed_gen=g)
        self.mix = QLinear(H, 2 * H)
        self.norm = nn.BatchNorm1d(H)
        self.drop = nn.Dropout(dropout)
        self.vec_bits = None

    def norm_affine(self):
        """The norm folded to the per-channel affine the file stores (narrow with vec_bits)."""
        bn = self.norm
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        shift = bn.bias - bn.running_mean * scale
        return Q.fq_vec(scale, self.vec_bits), Q.fq_vec(shift, self.vec_bits)

    def forward(self, u, mode):
        z = gelu(self.ssm(u, mode))
        z = self.drop(z)
        z = self.mix(z.transpose(1, 2))
        H = u.shape[1]
        g = z[..., :H] * torch.sigmoid(z[..., H:])
        if self.vec_bits and not self.norm.training:
            scale, shift = self.norm_affine()
            return (u + g.transpose(1, 2)) * scale[:, None] + shift[:, None]
        return self.norm(u + g.transpose(1, 2))


class S4DModel(nn.Module):
    def __init__(self, d_input, d_model, d_state, n_layers, n_classes, dropout=0.1, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        self.cfg = dict(d_input=d_input, d_model=d_model, d_state=d_state, n_layers=n_layers,
                        n_classes=n_classes, dropout=dropout)
        self.encoder = QLinear(d_input, d_model)
        self.layers = nn.ModuleList([Layer(d_model, d_state, dropout, g) for _ in range(n_layers)])
        self.decoder = QLinear(d_model, n_classes)
        self.kept_channels = list(range(d_model))
        self.kept_modes = [list(range(d_state)) for _ in range(n_layers)]
        self.qcfg = FLOAT
        self.noise_aware = None

    def crossbars(self):
        return [self.encoder] + [l.mix for l in self.layers] + [self.decoder]

    def forward(self, x, mode="conv"):
        u = self.encoder(x).transpose(1, 2)          # [B, H, L]
        for layer in self.layers:
            u = layer(u, mode)
        return self.decoder(u.mean(-1))

    # ------------------------------------------------------------ quantization set-up
    def set_qconfig(self, qcfg):
        self.qcfg = qcfg
        for m in self.crossbars():
            m.qcfg = qcfg
        for l in self.layers:
            l.ssm.ssm_bits = qcfg.ssm_bits
            l.ssm.scale_bits = getattr(qcfg, "scale_bits", None) if qcfg.quantized else None
            l.ssm.ssm_per_tensor = ("D",) + tuple(getattr(qcfg, "ssm_per_tensor", ()))
            l.vec_bits = getattr(qcfg, "vec_bits", None) if qcfg.quantized else None

    def set_noise(self, mode, scale=1.0, seed=None):
        g = torch.Generator().manual_seed(seed) if seed is not None else None
        for m in self.crossbars():
            m.noise_scale = scale
            if mode == "fixed":
                m.program(g)
            else:
                m.noise_mode = mode

    @torch.no_grad()
    def calibrate(self, x_batches):
        """Initialise weight scales (MSE-optimal per output channel) and DAC/ADC scales (max over
        calibration batches). Used for PTQ as is, and as the start of QAT."""
        c = self.qcfg
        was = self.training
        self.eval()
        for m in self.crossbars():
            qmin, qmax = Q.qrange(c.w_bits)
            m.w_scale.data = Q.mse_scale(m.weight.data, qmin, qmax)
            m.calib = {}
        act = c.act
        c.act = False                      # measure float activation ranges
        for xb in x_batches:
            self(xb)
        c.act = act
        for m in self.crossbars():
            m.dac_scale.data = torch.tensor([max(m.calib["x"], 1e-6) / Q.act_qmax(c.dac_bits)])
            m.adc_scale.data = m.calib["y"].clamp_min(1e-6) / Q.act_qmax(c.adc_bits)
            m.calib = None
        self.train(was)


def count_params(model):
    return sum(p.numel() for n, p in model.named_parameters()
               if not n.endswith(("w_scale", "dac_scale", "adc_scale")))


# ------------------------------------------------------------------------- pruning
@torch.no_grad()
def mode_importance(layer):
    """Energy of each mode's contribution to the impulse response, summed over channels:
    |C B|^2 / (1 - |A|^2) (the H2 norm of a first-order complex mode)."""
    s = layer.ssm
    bits, s.ssm_bits = s.ssm_bits, None
    p = s.discrete()
    s.ssm_bits = bits
    cb2 = (p["C_re"] * p["B_re"] - p["C_im"] * p["B_im"]) ** 2 + (p["C_re"] * p["B_im"] + p["C_im"] * p["B_re"]) ** 2
    a2 = (p["A_re"] ** 2 + p["A_im"] ** 2).clamp(max=1 - 1e-6)
    return (cb2 / (1 - a2)).sum(0)


@torch.no_grad()
def channel_importance(model):
    """Per hidden channel: sum over layers of the norm's |gamma| / sqrt(var) (the channel's gain
    into the residual stream, as in network slimming) times the norm of the decoder and mix
    input columns that read it."""
    imp = torch.zeros(len(model.kept_channels))
    for l in model.layers:
        bn = l.norm
        gain = bn.weight.abs() / torch.sqrt(bn.running_var + bn.eps)
        imp += gain / gain.mean()
        col = l.mix.weight.norm(dim=0)
        imp += col / col.mean()
    col = model.decoder.weight.norm(dim=0)
    imp += col / col.mean()
    return imp


def _take(p, idx, dim):
    return nn.Parameter(p.data.index_select(dim, torch.as_tensor(idx)).clone())


@torch.no_grad()
def prune(model, keep_channels, keep_modes):
    """Structured pruning: keep the `keep_channels` most important hidden channels and, per layer,
    the `keep_modes` most important state modes. Returns a new, physically smaller model."""
    m = copy.deepcopy(model)
    ch = torch.sort(torch.topk(channel_importance(m), keep_channels).indices).values
    m.kept_channels = [m.kept_channels[i] for i in ch.tolist()]
    m.encoder.weight = _take(m.encoder.weight, ch, 0)
    for n in ("bias", "w_scale", "adc_scale"):
        setattr(m.encoder, n, _take(getattr(m.encoder, n), ch, 0))
    H0 = model.layers[0].norm.num_features
    for li, l in enumerate(m.layers):
        md = torch.sort(torch.topk(mode_importance(l), keep_modes).indices).values
        m.kept_modes[li] = [m.kept_modes[li][i] for i in md.tolist()]
        s = l.ssm
        s.log_dt = _take(s.log_dt, ch, 0)
        s.D = _take(s.D, ch, 0)
        for n in ("log_A_re", "A_im", "C"):
            setattr(s, n, _take(_take(getattr(s, n), ch, 0), md, 1))
        rows = torch.cat([ch, ch + H0])
        l.mix.weight = _take(_take(l.mix.weight, rows, 0), ch, 1)
        for n in ("bias", "w_scale", "adc_scale"):
            setattr(l.mix, n, _take(getattr(l.mix, n), rows, 0))
        bn = nn.BatchNorm1d(len(ch))
        bn.weight.data = l.norm.weight.data[ch].clone()
        bn.bias.data = l.norm.bias.data[ch].clone()
        bn.running_mean = l.norm.running_mean[ch].clone()
        bn.running_var = l.norm.running_var[ch].clone()
        l.norm = bn
    m.decoder.weight = _take(m.decoder.weight, ch, 1)
    return m
