#!/usr/bin/python3
"""The keyword-spotting example's audio and the trainer's features of it.

  kws_data.py export-test DIR      the held-out-accent test split (600 one-second words,
                                   the RESULTS.md kws test set) as 32-bit float WAVs, and
                                   DIR/labels.txt ("WAV LABEL" lines, aimc-kws --labels)
  kws_data.py demo-wav FILE        one held-out word per digit, 0..9, as one 10 s 16-bit WAV
  kws_data.py features MODEL WAV   the trainer's normalized log-mel frames of WAV, one line
                                   per frame, an empty line after each second (as
                                   aimc-kws --features prints them)

The audio comes from the trainer's kws cache (tools/qat/aimc_qat/data.py builds it with
espeak-ng on first use, about 50 s); the features from its log_mel(), normalized with the
model file's recorded training mean and std, in float32 as the trainer does.
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "qat"))
from aimc_qat import data as D  # noqa: E402


def write_wav(path, samples, float32=True):
    """Mono 16 kHz WAV: IEEE float (format 3) or 16-bit PCM (format 1)."""
    if float32:
        body, fmt, bits = np.asarray(samples, "<f4").tobytes(), 3, 32
    else:
        pcm = np.clip(np.round(np.asarray(samples) * 32768.0), -32768, 32767)
        body, fmt, bits = pcm.astype("<i2").tobytes(), 1, 16
    rate, align = D.KWS_SR, bits // 8
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<IHHIIHH", 16, fmt, 1, rate, rate * align, align, bits))
        f.write(b"data" + struct.pack("<I", len(body)) + body)


def read_wav(path):
    """The samples of a WAV written above (or any mono 16-bit/float one) as float64."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError("%s: not a WAV file" % path)
    pos, fmt = 12, None
    while pos + 8 <= len(raw):
        tag, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = raw[pos + 8:pos + 8 + size]
        if tag == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif tag == b"data":
            if fmt[0] == 3:
                return np.frombuffer(body, "<f4").astype(np.float64)
            return np.frombuffer(body, "<i2").astype(np.float64) / 32768.0
        pos += 8 + size + (size & 1)
    raise ValueError("%s: no data chunk" % path)


def test_split():
    ds = D.load("kws")
    if "audio_test" not in np.load(D._kws_path(D.DEFAULT_CACHE, 0, D.KWS_PER_ACCENT_WORD)).files:
        ds = D.build_kws()          # a cache from before the audio was kept
    z = np.load(D._kws_path(D.DEFAULT_CACHE, 0, D.KWS_PER_ACCENT_WORD))
    return z["audio_test"], ds.y_test


def export_test(out_dir):
    audio, labels = test_split()
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "labels.txt"), "w") as f:
        for i, (a, y) in enumerate(zip(audio, labels)):
            path = os.path.join(out_dir, "kws-test-%04d.wav" % i)
            write_wav(path, a)
            f.write("%s %d\n" % (path, int(y)))
    print("%d held-out words in %s" % (len(labels), out_dir))


def demo_wav(path):
    audio, labels = test_split()
    first = [int(np.nonzero(labels == w)[0][0]) for w in range(10)]
    write_wav(path, np.concatenate([audio[i] for i in first]), float32=False)
    print("%s: the held-out words %s" % (path, " ".join(D.DIGIT_WORDS)))


def model_norm(model):
    with open(model, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        meta = json.loads(f.read(n))["__metadata__"]
    info = json.loads(meta["provenance"])["dataset_info"]
    return info["norm_mean"], info["norm_std"]


def features(model, wav):
    mu, sd = model_norm(model)
    audio = read_wav(wav)
    fb = D.mel_filterbank()
    out = []
    for start in range(0, len(audio), D.KWS_SR):
        window = np.zeros(D.KWS_SR)
        piece = audio[start:start + D.KWS_SR]
        window[:len(piece)] = piece
        # as build_kws() does: log_mel in float64, then float32, then the normalization
        x = (D.log_mel(window, fb).astype(np.float32) - mu) / sd
        out.append(x.astype(np.float32))
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "export-test":
        export_test(argv[2])
    elif len(argv) == 3 and argv[1] == "demo-wav":
        demo_wav(argv[2])
    elif len(argv) == 4 and argv[1] == "features":
        for window in features(argv[2], argv[3]):
            for frame in window:
                print(" ".join("%.7g" % v for v in frame))
            print()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
