"""The trainer's exported models on the card, through the aimc Python package (runtime/python,
libaimc's sim card in this process): the "card sim" column of the results table, the golden
vectors' and the round trip's card checks.

The package is imported as installed (`make install`) or from this source tree
(runtime/python, with build/libaimc.so.2 from `make userspace` unless $AIMC_LIBRARY names
another library). Without it, or without its library, `available()` is None and says why.
"""
import os
import sys

import numpy as np

from . import data as D

TREE_PACKAGE = os.path.join(D.REPO, "runtime", "python")
TREE_LIBRARY = os.path.join(D.REPO, "build", "libaimc.so.2")
_why_not = None


def available():
    """The aimc package with a usable library, or None (`why_not()` says why)."""
    global _why_not
    if not os.environ.get("AIMC_LIBRARY") and os.path.exists(TREE_LIBRARY):
        os.environ["AIMC_LIBRARY"] = TREE_LIBRARY
    try:
        import aimc
    except ImportError:
        sys.path.insert(0, TREE_PACKAGE)
        import aimc
    try:
        aimc.library_version()
    except aimc.LibraryError as e:
        _why_not = str(e)
        return None
    return aimc


def why_not():
    return _why_not


def predictions(aimc, path, x, seed, noise_free=False):
    """Predicted classes of the sequences x (N, T, d_input) on a new sim card of `seed`: the
    model programmed with write-verify (default parameters), each sequence pushed and
    finished on one stream, as an application would."""
    x = np.ascontiguousarray(x, np.float32)
    with aimc.open_sim(seed=seed, noise_free=noise_free) as card, card.load(path) as net, \
            net.stream() as s:
        return np.array([int(np.argmax(s.run(seq))) for seq in x])


def card_sim_eval(path, x, y, seeds):
    """Accuracy of the model file on sim cards of device seeds 1..n (manufacture, programming
    and read noise at the device model's defaults): (mean, sd, per seed), or None when the
    column is off ($AIMC_CARD_SIM=off) or the package has no library."""
    if os.environ.get("AIMC_CARD_SIM") == "off":
        return None
    aimc = available()
    if aimc is None:
        return None
    accs = [float(np.mean(predictions(aimc, path, x, s + 1) == y)) for s in seeds]
    return float(np.mean(accs)), float(np.std(accs)), accs


def exact_run(aimc, path, x):
    """Per-step outputs (N, T, d_output) and logits (N, K) of the model on an exact (noise-free)
    sim card, float32 as the package returns them: the card's Q16 integers / 65536."""
    with aimc.open_sim(seed=1, noise_free=True) as card, card.load(path) as net, \
            net.stream() as s:
        outs, logits = [], []
        for seq in np.ascontiguousarray(x, np.float32):
            outs.append(s.push(seq))
            logits.append(s.finish())
    return np.stack(outs), np.stack(logits)


def q16_as_card_floats(v):
    """Q16 integers as the card's float32 outputs ((float)(v / 65536.0), aimc_stream.h)."""
    return (np.asarray(v, np.float64) / 65536.0).astype(np.float32)


def first_difference(got, want):
    """None if the float32 arrays are equal bit for bit, else (flat index, got, want)."""
    g, w = np.ascontiguousarray(got).view(np.uint32), np.ascontiguousarray(want).view(np.uint32)
    if g.shape != w.shape:
        return (0, got.shape, want.shape)
    bad = np.nonzero(g.reshape(-1) != w.reshape(-1))[0]
    return None if not len(bad) else (int(bad[0]), got.reshape(-1)[bad[0]], want.reshape(-1)[bad[0]])
