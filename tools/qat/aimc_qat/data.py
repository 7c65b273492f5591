"""Offline data sets for the aimc QAT trainer.

digits: scikit-learn's 8x8 handwritten digits read as a 64-step pixel sequence
        (1 feature per step, pixel/16), 10 classes, stratified 80/20 split, seed 0.
kws:    spoken digits "zero".."nine" synthesized with espeak-ng (several accents, voice
        variants, speeds, pitches), placed at a random offset in a 1 s window with a little
        white noise, 40-band log-mel frames (25 ms window, 16 ms hop -> 62 frames) computed here
        with numpy. Whole accents are held out for the test set (synthesized speech repeats
        itself: a random split would be far too easy). Cached as .npz under the build dir.

Generated data is never committed; only this code is.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_CACHE = os.environ.get("AIMC_QAT_CACHE", os.path.join(REPO, "build", "qat", "data"))

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
KWS_TRAIN_ACCENTS = ["en", "en-us", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
KWS_TEST_ACCENTS = ["en-gb-scotland", "en-029"]
KWS_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]
KWS_PER_ACCENT_WORD = 30          # utterances per (accent, word)
KWS_SR = 16000
KWS_WIN = 400                      # 25 ms
KWS_NFFT = 512
KWS_HOP = 256                      # 16 ms
KWS_MELS = 40
KWS_SECONDS = 1.0
KWS_VERSION = 1                    # bump when the recipe changes (invalidates the cache)


class Dataset:
    def __init__(self, name, x_train, y_train, x_test, y_test, info):
        self.name = name
        self.x_train = x_train.astype(np.float32)   # [n, L, d_input]
        self.y_train = y_train.astype(np.int64)
        self.x_test = x_test.astype(np.float32)
        self.y_test = y_test.astype(np.int64)
        self.info = info

    @property
    def d_input(self):
        return self.x_train.shape[2]

    @property
    def seq_len(self):
        return self.x_train.shape[1]

    @property
    def n_classes(self):
        return int(max(self.y_train.max(), self.y_test.max()) + 1)


def load_digits_seq(seed=0):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = (d.data / 16.0).reshape(-1, 64, 1)
    y = d.target
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)
    info = {"dataset": "digits", "split_seed": seed, "n_train": len(ytr), "n_test": len(yte),
            "preprocessing": "sklearn load_digits, pixel/16 in [0,1], row-major 64 steps x 1"}
    return Dataset("digits", xtr, ytr, xte, yte, info)


# ---------------------------------------------------------------- log-mel (numpy)
def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(sr=KWS_SR, n_fft=KWS_NFFT, n_mels=KWS_MELS, fmin=20.0, fmax=None):
    fmax = fmax or sr / 2
    mels = np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2)
    hz = _mel_to_hz(mels)
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    fb = np.zeros((n_mels, len(bins)))
    for m in range(n_mels):
        lo, c, hi = hz[m], hz[m + 1], hz[m + 2]
        up = (bins - lo) / (c - lo)
        down = (hi - bins) / (hi - c)
        fb[m] = np.maximum(0.0, np.minimum(up, down))
    return fb


def log_mel(audio, fb=None):
    """audio: float array at KWS_SR. Returns [frames, KWS_MELS] log-mel (natural log)."""
    fb = mel_filterbank() if fb is None else fb
    n_frames = 1 + (len(audio) - KWS_WIN) // KWS_HOP
    idx = np.arange(KWS_WIN)[None, :] + KWS_HOP * np.arange(n_frames)[:, None]
    frames = audio[idx] * np.hanning(KWS_WIN)[None, :]
    spec = np.abs(np.fft.rfft(frames, n=KWS_NFFT, axis=1)) ** 2
    return np.log(spec @ fb.T + 1e-6)


def _synth(text, voice, speed, pitch, path):
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path, text],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with wave.open(path, "rb") as w:
        sr = w.getframerate()
        raw = w.readframes(w.getnframes())
    a = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    return a, sr


def _trim(a, thr=0.02):
    env = np.abs(a)
    on = np.nonzero(env > thr * env.max())[0]
    if len(on) == 0:
        return a
    return a[max(0, on[0] - 160):on[-1] + 160]


def build_kws(cache_dir=DEFAULT_CACHE, seed=0, per_accent_word=KWS_PER_ACCENT_WORD, verbose=True):
    from scipy.signal import resample_poly
    rng = np.random.RandomState(seed)
    fb = mel_filterbank()
    win = int(KWS_SR * KWS_SECONDS)
    feats, labels, accents, meta, audio_test = [], [], [], [], []
    tmp = tempfile.mkdtemp(prefix="aimc_kws_")
    wav = os.path.join(tmp, "u.wav")
    all_acc = KWS_TRAIN_ACCENTS + KWS_TEST_ACCENTS
    for ai, acc in enumerate(all_acc):
        for wi, word in enumerate(DIGIT_WORDS):
            for k in range(per_accent_word):
                var = KWS_VARIANTS[rng.randint(len(KWS_VARIANTS))]
                speed = int(rng.randint(110, 231))
                pitch = int(rng.randint(20, 81))
                a, sr = _synth(word, acc + "+" + var, speed, pitch, wav)
                if sr != KWS_SR:
                    g = np.gcd(sr, KWS_SR)
                    a = resample_poly(a, KWS_SR // g, sr // g)
                a = _trim(a)[:win]
                a = a / (np.abs(a).max() + 1e-9) * rng.uniform(0.3, 1.0)
                out = np.zeros(win)
                off = rng.randint(0, win - len(a) + 1)
                out[off:off + len(a)] = a
                snr_db = rng.uniform(10, 30)
                p = np.mean(a ** 2)
                out += rng.randn(win) * np.sqrt(p / 10 ** (snr_db / 10))
                feats.append(log_mel(out, fb).astype(np.float32))
                if acc in KWS_TEST_ACCENTS:
                    # the held-out words as audio, for the C front end's example and tests
                    # (tools/examples/kws/); float32 keeps the features within 1e-5 of these
                    audio_test.append(out.astype(np.float32))
                labels.append(wi)
                accents.append(ai)
                meta.append((acc, var, speed, pitch))
        if verbose:
            print("kws: accent %s done (%d utterances)" % (acc, len(labels)), file=sys.stderr)
    x = np.stack(feats)
    y = np.array(labels)
    acc = np.array(accents)
    test = acc >= len(KWS_TRAIN_ACCENTS)
    xtr, ytr, xte, yte = x[~test], y[~test], x[test], y[test]
    mu, sd = float(xtr.mean()), float(xtr.std())
    xtr = (xtr - mu) / sd
    xte = (xte - mu) / sd
    info = {"dataset": "kws", "seed": seed, "version": KWS_VERSION,
            "train_accents": KWS_TRAIN_ACCENTS, "test_accents": KWS_TEST_ACCENTS,
            "variants": KWS_VARIANTS, "per_accent_word": per_accent_word,
            "n_train": int(len(ytr)), "n_test": int(len(yte)),
            "preprocessing": ("espeak-ng -> %d Hz, trimmed, random offset in %.1f s, white noise "
                              "SNR 10-30 dB, log-mel %d bands win %d hop %d nfft %d, "
                              "normalized by train mean %.6f std %.6f"
                              % (KWS_SR, KWS_SECONDS, KWS_MELS, KWS_WIN, KWS_HOP, KWS_NFFT, mu, sd)),
            "norm_mean": mu, "norm_std": sd}
    os.makedirs(cache_dir, exist_ok=True)
    np.savez_compressed(_kws_path(cache_dir, seed, per_accent_word), x_train=xtr, y_train=ytr,
                        x_test=xte, y_test=yte, info=json.dumps(info),
                        audio_test=np.stack(audio_test))
    return Dataset("kws", xtr, ytr, xte, yte, info)


def _kws_path(cache_dir, seed, per):
    return os.path.join(cache_dir, "kws_v%d_seed%d_n%d.npz" % (KWS_VERSION, seed, per))


def load_kws(cache_dir=DEFAULT_CACHE, seed=0, per_accent_word=KWS_PER_ACCENT_WORD):
    p = _kws_path(cache_dir, seed, per_accent_word)
    if not os.path.exists(p):
        return build_kws(cache_dir, seed, per_accent_word)
    z = np.load(p)
    info = json.loads(str(z["info"]))
    return Dataset("kws", z["x_train"], z["y_train"], z["x_test"], z["y_test"], info)


def load(name, seed=0):
    if name == "digits":
        return load_digits_seq(seed)
    if name == "kws":
        return load_kws(seed=seed)
    raise ValueError("unknown data set %r (digits, kws)" % name)


def write_run_input(path, name, x, y):
    """Write sequences in aimc-run's input format (tools/aimc-run.c): one line per sequence,
    `LABEL: v v v ...` (T steps x d_input values, step major)."""
    with open(path, "w") as f:
        f.write("# aimc-run input: %s test split, %d sequences of %d steps x %d values\n"
                % (name, len(y), x.shape[1], x.shape[2]))
        for xi, yi in zip(x, y):
            f.write("%d: %s\n" % (int(yi), " ".join("%.6g" % v for v in xi.reshape(-1))))


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="build/cache the aimc QAT data sets")
    ap.add_argument("dataset", choices=["digits", "kws", "all"])
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    for n in (["digits", "kws"] if a.dataset == "all" else [a.dataset]):
        if n == "kws" and a.rebuild:
            ds = build_kws()
        else:
            ds = load(n)
        print(n, "train", ds.x_train.shape, "test", ds.x_test.shape, "classes", ds.n_classes,
              json.dumps(ds.info)[:300])
