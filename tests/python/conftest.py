"""Fixtures of the aimc package's pytest suite (tests/python/README.md).

The backend under test is $AIMC_TEST_BACKEND: "sim" (default: a simulated
card in this process, make check-python) or "drm" (the first card aimc.ko
drives: the QEMU lane against aimc_emu.ko).  Tests of what only one
backend has skip on the other.  The library is $AIMC_LIBRARY (make
check-python sets build/libaimc.so.2) or the installed one.
"""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "runtime", "python"))

import aimc  # noqa: E402

BACKEND = os.environ.get("AIMC_TEST_BACKEND", "sim")
# The shipped models and data: the source tree's, or where the guest's
# initramfs puts them ($AIMC_TEST_DATA).
DATA = os.environ.get("AIMC_TEST_DATA", os.path.join(REPO, "tools"))
MODEL = os.path.join(DATA, "qat", "models", "digits-qat4-pruned.safetensors")
FLOAT_MODEL = os.path.join(DATA, "qat", "models", "digits-float-pruned.safetensors")
DIGITS = os.path.join(DATA, "data", "digits-test.txt")
GOLDEN = os.path.join(DATA, "qat", "models", "golden",
                      "digits-qat4-pruned.vectors.safetensors")


def sim_only():
    if BACKEND != "sim":
        pytest.skip("needs the sim backend (AIMC_TEST_BACKEND=%s)" % BACKEND)


def drm_only():
    if BACKEND != "drm":
        pytest.skip("needs a card through aimc.ko (AIMC_TEST_BACKEND=%s)" % BACKEND)


# Whether the driver's card under test is noise-free: a card's physics is
# its own (aimc_emu's noise_free parameter, aimc-pci's noise-free
# property), so the lane that runs the suite says ($AIMC_TEST_CARD_NOISE_FREE).
DRM_CARD_NOISE_FREE = os.environ.get("AIMC_TEST_CARD_NOISE_FREE", "0") == "1"


def open_card(seed=1, noise_free=True):
    """A device of the backend under test: a new sim card, or the first card.

    A test that needs programming noise (noise_free=False) skips on a
    driver's card that has none.
    """
    if BACKEND == "drm":
        if not noise_free and DRM_CARD_NOISE_FREE:
            pytest.skip("needs a card with programming noise: the card under "
                        "test is noise-free (AIMC_TEST_CARD_NOISE_FREE=1)")
        return aimc.open("drm", 0)
    return aimc.open_sim(seed=seed, noise_free=noise_free)


@pytest.fixture
def card():
    with open_card() as d:
        yield d


@pytest.fixture
def net(card):
    with card.load(MODEL) as n:
        yield n


@pytest.fixture
def stream(net):
    with net.stream() as s:
        yield s


@pytest.fixture(scope="session")
def digits():
    """The shipped digits test set: (float32 (200, 64, 1), labels)."""
    inputs, labels = aimc.read_sequences(DIGITS, 1)
    return np.stack(inputs), labels


def sequence(steps=64, phase=0.0):
    """A deterministic input sequence of the digits model's shape."""
    return ((np.arange(steps, dtype=np.float32) % 8) / 8 + phase).reshape(steps, 1)
