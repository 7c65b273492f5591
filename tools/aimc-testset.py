#!/usr/bin/python3
"""Write a test set as aimc-run's input format (tools/aimc-run.c): one line per
sequence, `LABEL: v v v ...` (T steps x d_input values, step major).

  tools/aimc-testset.py --dataset digits -n 200 -o tools/data/digits-test.txt
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "qat"))
from aimc_qat import data as D  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="digits", choices=["digits", "kws"])
    ap.add_argument("-n", type=int, default=200, help="sequences (from the start of the test split)")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    ds = D.load(a.dataset)
    D.write_run_input(a.out, a.dataset, ds.x_test[:a.n], ds.y_test[:a.n])


if __name__ == "__main__":
    main()
