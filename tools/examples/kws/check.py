#!/usr/bin/python3
"""make check-kws: the keyword-spotting example against the trainer.

  check.py AIMC_KWS MODEL WORK_DIR

1. Features: aimc-kws --features (C, FFTW) against the trainer's log_mel() (numpy) on every
   20th held-out word and on the shipped demo WAV: every value within FEATURE_TOL (the features
   are normalized: unit variance over the training set).
2. Accuracy: aimc-kws on the 600 held-out-accent test words (the trainer's kws test split,
   exported to WORK_DIR by kws_data.py) on sim cards of seeds 1..5; the mean must be within
   ACCURACY_POINTS of the "card sim acc %" the shipped-models table of tools/qat/README.md
   gives for the model file (the trainer's own card evaluation, seeds 1..5).

Exit status 0 when both hold, 1 otherwise.
"""
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kws_data  # noqa: E402

FEATURE_TOL = 1e-4          # measured: 2e-6 (float32 rounding of the normalization)
ACCURACY_POINTS = 1.0       # the bound
SEEDS = range(1, 6)         # as the trainer's card sim column
MODELS_TABLE = os.path.join(HERE, "..", "..", "qat", "README.md")
DEMO_WAV = os.path.join(HERE, "data", "heldout-digits.wav")


def c_features(kws, model, wav):
    out = subprocess.run([kws, model, wav, "--features"], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    windows = [w for w in out.split("\n\n") if w.strip()]
    return [np.array([[float(v) for v in line.split()] for line in w.strip().split("\n")],
                     dtype=np.float32) for w in windows]


def check_features(kws, model, wavs):
    worst = 0.0
    for wav in wavs:
        c, py = c_features(kws, model, wav), kws_data.features(model, wav)
        if len(c) != len(py) or any(a.shape != b.shape for a, b in zip(c, py)):
            print("FAIL: %s: C frames %s, Python %s" % (wav, [a.shape for a in c],
                                                       [b.shape for b in py]))
            return False
        worst = max([worst] + [float(np.abs(a - b).max()) for a, b in zip(c, py)])
    ok = worst <= FEATURE_TOL
    print("%s: features of %d WAVs, C (FFTW) vs Python (numpy): largest difference %.2e "
          "(tolerance %.0e)" % ("ok" if ok else "FAIL", len(wavs), worst, FEATURE_TOL))
    return ok


def table_figure(model):
    """The card sim accuracy the shipped-models table of tools/qat/README.md gives
    for this model file (measured by the trainer over the same test split and seeds)."""
    name = "`%s`" % os.path.basename(model)
    for line in open(MODELS_TABLE):
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if cols and cols[0] == name:
            return float(cols[5].split()[0])
    raise ValueError("no row for %s in the shipped-models table of %s" % (name, MODELS_TABLE))


def check_accuracy(kws, model, labels):
    wavs = [line.split()[0] for line in open(labels)]
    accs = []
    for seed in SEEDS:
        out = subprocess.run([kws, model] + wavs + ["--seed", str(seed), "--labels", labels,
                                                    "--quiet"],
                             check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
        accs.append(float(re.search(r"accuracy ([0-9.]+) %", out).group(1)))
    mean, table = float(np.mean(accs)), table_figure(model)
    ok = abs(mean - table) <= ACCURACY_POINTS
    print("%s: %d held-out words on sim cards of seeds %d..%d: %.2f %% (%s); the trainer: "
          "%.1f %%, so %.2f points apart (bound %.1f)"
          % ("ok" if ok else "FAIL", len(wavs), SEEDS[0], SEEDS[-1], mean,
             " ".join("%.1f" % a for a in accs), table, mean - table, ACCURACY_POINTS))
    return ok


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    kws, model, work = argv[1:]
    labels = os.path.join(work, "labels.txt")
    if not os.path.exists(labels):
        kws_data.export_test(work)
    wavs = [line.split()[0] for line in open(labels)][::20] + [DEMO_WAV]
    ok = check_features(kws, model, wavs)
    ok = check_accuracy(kws, model, labels) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
