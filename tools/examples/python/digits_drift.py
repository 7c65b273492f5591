#!/usr/bin/python3
"""Digits on the simulated card, and what drift does to them: an example of the aimc Python
package that trains nothing.

Loads the trainer's shipped digits model, programs it onto a simulated card with write-verify
(a progress bar with tqdm), streams the shipped test set and prints the accuracy, the
programming statistics and the card's telemetry.  Then it lets the card's (virtual) time pass,
from a minute to a year: on one card the cells drift untouched, on a twin card (same seed) the
net is refreshed (drifted cells re-verified) before each measurement; it prints both
accuracies at each age and, with matplotlib installed, plots them against the drift time.

  tools/examples/python/digits_drift.py [--plot digits-drift.png] [--seed 1] [--quick]

From the source tree after `make userspace` (or with the package installed: make install):
  AIMC_LIBRARY=build/libaimc.so.2 PYTHONPATH=runtime/python tools/examples/python/digits_drift.py
"""
import argparse
import os
import sys

import numpy as np

import aimc

TOOLS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(TOOLS, "qat", "models", "digits-qat4-pruned.safetensors")
TEST_SET = os.path.join(TOOLS, "data", "digits-test.txt")
MINUTE, HOUR, DAY = 60, 3600, 86400
AGES = [0, MINUTE, HOUR, DAY, 30 * DAY, 365 * DAY]


def accuracy(stream, inputs, labels):
    predicted = np.array([np.argmax(stream.run(x)) for x in inputs])
    return float(np.mean(predicted == labels))


def age_label(seconds):
    for unit, name in ((365 * DAY, "y"), (DAY, "d"), (HOUR, "h"), (MINUTE, "min")):
        if seconds >= unit:
            return "%g %s" % (seconds / unit, name)
    return "%g s" % seconds


def plot(path, ages, drifted, refreshed, model):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: matplotlib is not installed (apt-get install python3-matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    x = [max(a, 1) for a in ages]       # a log axis has no zero: "programmed" at 1 s
    ax.semilogx(x, [100 * a for a in drifted], "o-", label="cells drifting")
    ax.semilogx(x, [100 * a for a in refreshed], "s--", label="refreshed before each point")
    ax.set_xticks(x)
    ax.set_xticklabels(["programmed"] + [age_label(a) for a in ages[1:]])
    ax.set_xlabel("time since programming (the sim card's virtual clock)")
    ax.set_ylabel("test accuracy %")
    ax.set_title("%s on the simulated card" % os.path.basename(model), fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print("plot: %s" % path)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--test-set", default=TEST_SET, help="aimc-run input format")
    ap.add_argument("--seed", type=int, default=1, help="the simulated card's")
    ap.add_argument("--plot", default="digits-drift.png", help="PNG file (needs matplotlib)")
    ap.add_argument("--quick", action="store_true", help="50 sequences, three ages")
    a = ap.parse_args()

    info = aimc.model_info(a.model)
    inputs, labels = aimc.read_sequences(a.test_set, info.d_input)
    ages = AGES
    if a.quick:
        inputs, labels, ages = inputs[:50], labels[:50], [0, HOUR, 365 * DAY]

    with aimc.open_sim(seed=a.seed) as card, aimc.open_sim(seed=a.seed) as twin, \
            card.load(a.model, progress=True) as net, twin.load(a.model) as twin_net, \
            net.stream() as stream, twin_net.stream() as twin_stream:
        st = net.program_stats()
        print("model: %s (%d-bit weights, %d cells on %d tiles)"
              % (os.path.basename(a.model), info.weight_bits, net.info().cells, st.tiles_used))
        print("programming: %.2f %% of the cells within the band after %d rounds, %.2f pulses per "
              "cell, mean error %.0f nS, %d stuck cells (%d pairs compensated)"
              % (st.in_tolerance_pct, st.rounds, st.pulses_per_cell, st.err_mean_nsiemens,
                 st.stuck_cells, st.compensated_pairs))
        drifted, refreshed, elapsed = [], [], 0
        for age in ages:
            card.advance_clock(age - elapsed)
            twin.advance_clock(age - elapsed)
            elapsed = age
            if age:
                twin_net.refresh()
            drifted.append(accuracy(stream, inputs, labels))
            refreshed.append(accuracy(twin_stream, inputs, labels) if age else drifted[-1])
            if not age:
                print("accuracy: %.1f %% on %d test sequences" % (100 * drifted[0], len(labels)))
            else:
                print("after %-7s drifting: %5.1f %%   refreshed: %5.1f %% (refresh: %d pulses)"
                      % (age_label(age), 100 * drifted[-1], 100 * refreshed[-1],
                         twin_net.program_stats().pulses))
        t = card.telemetry()
        print("card: %d commands, %.1f ms busy, %d pulses, %d jobs, virtual clock %s"
              % (t.commands, t.busy_ns / 1e6, t.pulses, t.jobs_done, age_label(t.clock_ns / 1e9)))
    plot(a.plot, ages, drifted, refreshed, a.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
