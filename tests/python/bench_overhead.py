#!/usr/bin/python3
"""make bench's Python figure: what streaming the digits test set costs through the aimc package
against the same through libaimc's C API, at the same chunk sizes, in the same run.

Two sim cards of the same seed get the model programmed and a stream each.  The test set is
streamed through both in turns of a few sequences: one turn through the C API (the loop of
stream_loop.c, built as libstream-loop.so and called once per turn: push and finish per
sequence, per-step outputs kept), one through the package (Stream.push and Stream.finish per
sequence), alternating which goes first.  Fine-grained turns give both the same machine: other
work slows them alike.  Each turn is timed in CPU time of this thread (the sim card runs every
job in the calling thread, so that is all the work) and in wall time; the sums over the test
set, per repeat (fresh cards each), give medians into a CSV of aimc-bench's format (section
"python"; `aimc-bench --table` merges it), with the package's time as a ratio to the C API's.

  tests/python/bench_overhead.py --stream-loop build/tests/python/libstream-loop.so \\
      [--repeats 5] [--chunks 1,8,64] [--turn 10] [--csv python.csv]
(with AIMC_LIBRARY and PYTHONPATH=runtime/python as for make check-python)
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(REPO, "tools", "qat", "models", "digits-qat4-pruned.safetensors")
TEST_SET = os.path.join(REPO, "tools", "data", "digits-test.txt")
SEED = 1

import aimc  # noqa: E402


def c_loop(path):
    loop = ctypes.CDLL(path).stream_sequences
    loop.restype = ctypes.c_int
    loop.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t] + \
        [ctypes.c_uint32] * 4 + [ctypes.c_void_p, ctypes.c_void_p]
    return loop


def one_repeat(loop, x, chunk, turn):
    """Seconds (C cpu, C wall, package cpu, package wall) over the test set."""
    total = np.zeros(4)
    with aimc.open_sim(seed=SEED) as card_c, aimc.open_sim(seed=SEED) as card_py, \
            card_c.load(MODEL) as net_c, card_py.load(MODEL) as net_py, \
            net_c.stream(chunk) as s_c, net_py.stream(chunk) as s_py:
        out = np.empty((turn, x.shape[1], net_c.d_output), np.float32)
        logits = np.empty((turn, net_c.n_classes), np.float32)
        handle = s_c._pointer       # the C API's own handle of this stream

        def through_c(batch):
            ret = loop(handle, batch.ctypes.data, len(batch), x.shape[1], x.shape[2],
                       net_c.d_output, net_c.n_classes, out.ctypes.data, logits.ctypes.data)
            if ret:
                raise aimc.AimcError(-ret, aimc._lib.lib().aimc_last_error().decode())

        def through_package(batch):
            for seq in batch:
                s_py.push(seq)
                s_py.finish()

        for k, start in enumerate(range(0, len(x), turn)):
            batch = x[start:start + turn]
            order = ((0, through_c), (2, through_package))
            for slot, run in (order if k % 2 == 0 else order[::-1]):
                c0, w0 = time.thread_time(), time.perf_counter()
                run(batch)
                total[slot] += time.thread_time() - c0
                total[slot + 1] += time.perf_counter() - w0
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stream-loop", required=True, help="libstream-loop.so")
    ap.add_argument("--repeats", type=int, default=int(os.environ.get("AIMC_BENCH_REPEATS", 5)))
    ap.add_argument("--chunks", default="1,8,64")
    ap.add_argument("--turn", type=int, default=10, help="sequences per turn")
    ap.add_argument("--csv")
    a = ap.parse_args()
    loop = c_loop(a.stream_loop)
    inputs, _ = aimc.read_sequences(TEST_SET, 1)
    x = np.stack(inputs)
    rows = []
    for chunk in (int(c) for c in a.chunks.split(",")):
        runs = [one_repeat(loop, x, chunk, a.turn) for _ in range(a.repeats)]
        for k, clock in enumerate(("CPU", "wall")):
            c_ms = 1e3 * statistics.median(r[k] for r in runs)
            py_ms = 1e3 * statistics.median(r[2 + k] for r in runs)
            base = "C API: digits test set, chunk %d, %s time" % (chunk, clock)
            rows.append(("python", base, c_ms, "ms", "", 0.0))
            rows.append(("python", "aimc package: the same, chunk %d, %s time" % (chunk, clock),
                         py_ms, "ms", base, py_ms / c_ms))
            print("chunk %4d, %-4s time: C API %7.1f ms, aimc package %7.1f ms: %.3fx "
                  "(medians of %d; %d sequences of %d steps, in turns of %d)" % (
                      chunk, clock, c_ms, py_ms, py_ms / c_ms, a.repeats, len(x), x.shape[1],
                      a.turn))
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("# machine: python %s, numpy %s, libaimc %s\n" % (
                sys.version.split()[0], np.__version__, aimc.library_version()))
            f.write("section,figure,median,unit,baseline,ratio,hidden\n")
            for section, name, value, unit, baseline, ratio in rows:
                f.write('%s,"%s",%.6g,%s,"%s",%.6g,0\n' % (section, name, value, unit, baseline,
                                                           ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
