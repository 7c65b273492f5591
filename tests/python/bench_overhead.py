#!/usr/bin/python3
"""make bench's Python figure: what streaming the digits test set costs through the aimc package
against the same through libaimc's C API, at the same chunk sizes, in the same run.

For each chunk size and repeat, in turn: the C path (aimc-stream-c: a new sim card of seed 1,
the model programmed, every sequence pushed and finished with the per-step outputs kept) and
the Python path (the same with aimc.open_sim / Net.stream / Stream.push / Stream.finish); each
times only its streaming loop, in CPU time of its thread (the sim card runs every job in the
calling thread, so that is all the work, and other processes on the machine do not change it)
and in wall time (which they do).  The medians go into a CSV of aimc-bench's format (section
"python"; `aimc-bench --table` merges it), with the package's time as a ratio to the C API's.

  tests/python/bench_overhead.py --stream-c build/tests/python/aimc-stream-c \\
      [--repeats 5] [--chunks 1,8,64] [--csv python.csv]
(with AIMC_LIBRARY and PYTHONPATH=runtime/python as for make check-python)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(REPO, "tools", "qat", "models", "digits-qat4-pruned.safetensors")
TEST_SET = os.path.join(REPO, "tools", "data", "digits-test.txt")
SEED = 1

import aimc  # noqa: E402


def c_seconds(stream_c, inputs_file, steps, chunk):
    """(CPU, wall) seconds of the C path's streaming loop."""
    out = subprocess.run([stream_c, MODEL, inputs_file, str(steps), "--seed", str(SEED),
                          "--chunk", str(chunk)], check=True, capture_output=True, text=True)
    report = json.loads(out.stdout)
    return report["cpu_seconds"][0], report["seconds"][0]


def python_seconds(inputs, chunk):
    """(CPU, wall) seconds of the Python path's streaming loop."""
    with aimc.open_sim(seed=SEED) as card, card.load(MODEL) as net, \
            net.stream(chunk=chunk) as s:
        c0, t0 = time.thread_time(), time.perf_counter()
        for x in inputs:
            s.push(x)
            s.finish()
        return time.thread_time() - c0, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stream-c", required=True)
    ap.add_argument("--repeats", type=int, default=int(os.environ.get("AIMC_BENCH_REPEATS", 5)))
    ap.add_argument("--chunks", default="1,8,64")
    ap.add_argument("--csv")
    a = ap.parse_args()
    inputs, _ = aimc.read_sequences(TEST_SET, 1)
    x = np.stack(inputs)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs_file = os.path.join(tmp, "digits.f32")
        x.tofile(inputs_file)
        for chunk in (int(c) for c in a.chunks.split(",")):
            c_times, py_times = [], []
            for _ in range(a.repeats):
                c_times.append(c_seconds(a.stream_c, inputs_file, x.shape[1], chunk))
                py_times.append(python_seconds(inputs, chunk))
            for k, clock in enumerate(("CPU", "wall")):
                c_ms = 1e3 * statistics.median(t[k] for t in c_times)
                py_ms = 1e3 * statistics.median(t[k] for t in py_times)
                base = "C API: digits test set, chunk %d, %s time" % (chunk, clock)
                rows.append(("python", base, c_ms, "ms", "", 0.0))
                rows.append(("python", "aimc package: the same, chunk %d, %s time" % (chunk, clock),
                             py_ms, "ms", base, py_ms / c_ms))
                print("chunk %4d, %-4s time: C API %7.1f ms, aimc package %7.1f ms: %.3fx "
                      "(medians of %d; %d sequences of %d steps)" % (
                          chunk, clock, c_ms, py_ms, py_ms / c_ms, a.repeats, len(x), x.shape[1]))
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
