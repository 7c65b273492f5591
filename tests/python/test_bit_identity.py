"""The Python path computes what the C path computes, bit for bit: the same
model, seed and input through aimc.Stream and through libaimc's C API
(aimc-stream-c, tests/python/aimc-stream-c.c) give identical per-step
outputs and logits, noisy or exact, at every chunk size; and on an exact
card both equal the trainer's golden vectors (its own integer
implementation of the card's arithmetic)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import GOLDEN, MODEL, REPO, sim_only

import aimc

SEQUENCES = 48


def stream_c():
    path = os.environ.get("AIMC_STREAM_C")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("no C path: set AIMC_STREAM_C to build/tests/python/aimc-stream-c "
                    "(make check-python does)")
    return path


def c_path(tmp_path, x, seed, noise_free, chunk):
    """Per-step outputs and logits of aimc-stream-c for the sequences ``x``."""
    x.tofile(tmp_path / "in.f32")
    cmd = [stream_c(), MODEL, str(tmp_path / "in.f32"), str(x.shape[1]), "--seed", str(seed),
           "--chunk", str(chunk), "--outputs", str(tmp_path / "out.f32"),
           "--logits", str(tmp_path / "logits.f32")] + (["--noise-free"] if noise_free else [])
    report = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    assert report["sequences"] == len(x) and report["chunk"] == chunk
    out = np.fromfile(tmp_path / "out.f32", np.float32).reshape(len(x), x.shape[1], -1)
    logits = np.fromfile(tmp_path / "logits.f32", np.float32).reshape(len(x), -1)
    return out, logits


def python_path(x, seed, noise_free, chunk):
    with aimc.open_sim(seed=seed, noise_free=noise_free) as card, card.load(MODEL) as net, \
            net.stream(chunk=chunk) as s:
        outs, logits = [], []
        for seq in x:
            outs.append(s.push(seq))
            logits.append(s.finish())
    return np.stack(outs), np.stack(logits)


def bits(a):
    return np.ascontiguousarray(a).view(np.uint32)


@pytest.mark.parametrize("seed, noise_free, chunk", [
    (1, False, 1), (1, False, 8), (1, False, 1024), (7, False, 64), (1, True, 3),
])
def test_python_equals_c(tmp_path, digits, seed, noise_free, chunk):
    sim_only()
    x = digits[0][:SEQUENCES]
    c_out, c_logits = c_path(tmp_path, x, seed, noise_free, chunk)
    py_out, py_logits = python_path(x, seed, noise_free, chunk)
    assert np.array_equal(bits(py_out), bits(c_out))
    assert np.array_equal(bits(py_logits), bits(c_logits))
    # and it is not the same for another seed: the comparison can tell
    if not noise_free:
        other, _ = python_path(x[:2], seed + 1, False, chunk)
        assert not np.array_equal(bits(other), bits(py_out[:2]))


def test_python_equals_the_golden_vectors():
    sim_only()
    sys.path.insert(0, os.path.join(REPO, "tools", "qat"))
    from aimc_qat import golden
    _, v = golden.read_vectors(GOLDEN)
    out, logits = python_path(v["inputs"], 1, True, 1024)
    q16 = np.float64(65536.0)
    assert np.array_equal(bits(out), bits((v["outputs"] / q16).astype(np.float32)))
    assert np.array_equal(bits(logits), bits((v["logits"] / q16).astype(np.float32)))
    assert np.array_equal(logits.argmax(1), v["predictions"])
