"""The results table (tools/qat/RESULTS.md), one command:

  cd tools/qat && /usr/bin/python3 -m aimc_qat.results            # full table, both data sets
  cd tools/qat && /usr/bin/python3 -m aimc_qat.results --quick    # 8/4/ternary, half the epochs

For each data set: float, PTQ, QAT and noise-aware QAT at 8, 4, 3, 2 bits and ternary, without
and with structured pruning. Every model is exported to build/qat/results/<ds>/ and re-read by
the validating reader; sizes come from the files. Accuracy: digital (explicit recurrence, as the
card runs it) and under PCM-like programming noise (mean and spread over device seeds).

The "card sim" column: every quantized model is loaded, programmed (write-verify) and run over
the whole test split on libaimc's in-process sim card with the device model's default noise,
once per device seed (1..n: manufacture, programming and read noise), through the aimc Python
package (card.py: runtime/python with build/libaimc.so.2 from `make userspace`, or the
installed package); mean and spread over the seeds. Without the library the column is left
out; $AIMC_CARD_SIM=off skips it. Float models have no codes to program: n/a.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from . import card as C
from . import data as D
from . import modelfile as MF
from .export import export
from .model import count_params
from .train import HP, bits_tag, build_variant, evaluate, evaluate_noisy, log

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT_DIR = os.path.join(D.REPO, "build", "qat", "results")
NOISE_LEVELS = [1.0, 3.0]   # 1x: the device model's default open-loop noise; 3x: a stress level



def run_dataset(name, bit_list, seeds, epoch_scale, noise_levels, seed=0):
    t_start = time.time()
    ds = D.load(name, seed=0)
    hp = dict(HP[name])
    for k in ("epochs", "qat_epochs", "prune_epochs"):
        hp[k] = max(1, int(round(hp[k] * epoch_scale)))
    out_dir = os.path.join(OUT_DIR, name)
    os.makedirs(out_dir, exist_ok=True)
    if os.environ.get("AIMC_CARD_SIM") != "off" and C.available() is None:
        log("card sim column left out: %s" % C.why_not())
    cache, rows, loads = {}, [], []
    fp32_ref = None
    variants = []
    for pruned in (False, True):
        suf = "-pruned" if pruned else ""
        variants.append("float" + suf)
        for b in bit_list:
            for how in ("ptq", "qat", "qatna"):
                variants.append(how + bits_tag(b) + suf)
    for v in variants:
        t0 = time.time()
        m = build_variant(ds, v, seed, hp, cache)
        t_train = time.time() - t0
        if fp32_ref is None:
            fp32_ref = 32 * count_params(cache["float"])
        acc = evaluate(m, ds.x_test, ds.y_test, "rec")
        acc_conv = evaluate(m, ds.x_test, ds.y_test, "conv")
        noisy = {}
        for lvl in noise_levels:
            mu, sd, accs = evaluate_noisy(m, ds, seeds, scale=lvl, mode="conv")
            noisy[lvl] = (mu, sd)
        path = os.path.join(out_dir, v + ".safetensors")
        # the same weights come out of the single-variant command below (deterministic on one
        # thread, every stage reseeds), so that is the file's reproduce command
        cmd = ("cd tools/qat && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m aimc_qat.train --dataset %s "
               "--variant %s --seed %d --out %s-%s.safetensors" % (name, v, seed, name, v))
        if epoch_scale != 1.0:
            cmd = "cd tools/qat && /usr/bin/python3 -m aimc_qat.results --quick (%s %s)" % (name, v)
        mf = export(m, path, ds, dict(variant=v, seed=seed, test_accuracy=acc, command=cmd,
                                      hyperparameters=hp, produced_by="aimc_qat.results"))
        sz = MF.sizes(mf)
        t0 = time.time()
        card = C.card_sim_eval(path, ds.x_test, ds.y_test, seeds) if v.split("-")[0] != "float" else None
        t_card = time.time() - t0
        row = dict(variant=v, acc=acc, acc_conv=acc_conv, noisy={str(k): v2 for k, v2 in noisy.items()},
                   card=card, card_s=round(t_card, 1), bytes=os.path.getsize(path), train_s=round(t_train, 1),
                   compression=fp32_ref / sz["bits"], **sz)
        rows.append(row)
        loads.append(os.getloadavg()[0])
        log("%s %-18s acc %.4f (conv %.4f) noisy %s  card %s  bits %d  x%.1f  %.0fs (card %.0fs)" % (
            name, v, acc, acc_conv, " ".join("%.3f+-%.3f" % noisy[l] for l in noise_levels),
            "%.3f+-%.3f" % card[:2] if card else "n/a", sz["bits"], row["compression"], t_train, t_card))
    res = dict(dataset=name, info=ds.info, hp=hp, fp32_ref_bits=fp32_ref, seeds=list(seeds),
               noise_levels=list(noise_levels), rows=rows, quick=epoch_scale != 1.0,
               elapsed_s=round(time.time() - t_start, 1), load_avg=round(float(np.mean(loads)), 2),
               bits=[str(b) for b in bit_list])
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    return res


def fmt_pct(x):
    return "%.1f" % (100 * x)


def fmt_chg(drop):
    return "%+.1f" % (-100 * drop)


def variant_cols(v):
    pruned = v.endswith("-pruned")
    base = v[:-7] if pruned else v
    if base == "float":
        return "float", "fp32", pruned
    for how, label in (("qatna", "QAT+noise"), ("qat", "QAT"), ("ptq", "PTQ")):
        if base.startswith(how):
            b = base[len(how):]
            return label, ("ternary" if b == "t" else b + "-bit"), pruned
    return base, "?", pruned


def table(res):
    lv = res["noise_levels"]
    head = ["method", "weights", "pruned", "digital acc %"] + \
           ["noise %gx acc %% (mean ± sd)" % l for l in lv]
    has_card = any(r["card"] for r in res["rows"])
    if has_card:
        head.append("card sim acc %")
    head += ["params", "model bits", "compression vs fp32", "xbar cells", "MVMs/step", "train s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in res["rows"]:
        meth, w, pr = variant_cols(r["variant"])
        cells = [meth, w, "yes" if pr else "no", fmt_pct(r["acc"])]
        for l in lv:
            mu, sd = r["noisy"][str(l)]
            cells.append("%s ± %s" % (fmt_pct(mu), fmt_pct(sd)))
        if has_card:
            cells.append("%s ± %s" % (fmt_pct(r["card"][0]), fmt_pct(r["card"][1])) if r["card"] else "n/a")
        cells += [str(r["params"]), str(r["bits"]), "%.1fx" % r["compression"], str(r["cells"]),
                  "%d (+1/seq)" % r["mvms_per_step"], "%.0f" % r["train_s"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def claims(res):
    """The three claims of issue 7, evaluated with stated thresholds on this run's numbers."""
    R = {r["variant"]: r for r in res["rows"]}
    f = R["float"]["acc"]
    out = []
    # 1. QAT keeps accuracy where PTQ collapses at low bit widths
    parts, held = [], []
    for b in ("4", "3", "2", "t"):
        if "ptq" + b in R:
            p, q = R["ptq" + b]["acc"], R["qat" + b]["acc"]
            parts.append("%s: PTQ %s%%, QAT %s%%" % ("ternary" if b == "t" else b + "-bit", fmt_pct(p), fmt_pct(q)))
            held.append((f - p >= 0.10) and (f - q <= 0.03))
    verdict = "holds" if held and all(held[-2:]) else ("partly holds" if any(held) else "does not hold")
    out.append("1. *QAT keeps accuracy where PTQ collapses at low bit widths* (criterion: PTQ loses "
               ">= 10 points and QAT <= 3 points vs float %s%%): **%s** at the lowest widths; %s."
               % (fmt_pct(f), verdict, "; ".join(parts)))
    # 2. robustness to analog noise, at every evaluated level
    for l in map(str, res["noise_levels"]):
        drop = lambda v: R[v]["acc"] - R[v]["noisy"][l][0]
        for suf in ("", "-pruned"):
            parts, ok = [], []
            fd = drop("float" + suf)
            for b in ("8", "4", "3", "2", "t"):
                if "qat" + b + suf in R:
                    dq, dn = drop("qat" + b + suf), drop("qatna" + b + suf)
                    parts.append("%s: PTQ %s, QAT %s, QAT+noise %s" % (
                        "ternary" if b == "t" else b + "-bit", fmt_chg(drop("ptq" + b + suf)),
                        fmt_chg(dq), fmt_chg(dn)))
                    ok.append(dn <= 0.5 * fd)
            if fd <= 0.01:
                verdict = "not testable at this level (the float model itself loses <= 1 point)"
            else:
                verdict = "holds" if ok and all(ok) else ("partly holds (%d of %d widths)" % (sum(ok), len(ok))
                                                          if any(ok) else "does not hold")
            out.append("2. *QAT (especially noise-aware) loses far less accuracy under analog noise* (noise %sx, "
                       "%s; criterion: noise-aware QAT loses at most half the float model's drop): "
                       "**%s**; accuracy change under noise in points: float %s; %s." % (
                           l, "pruned" if suf else "unpruned", verdict, fmt_chg(fd), "; ".join(parts)))
    # 2, on the emulated card: the C runtime's sim backend, write-verify programming, default noise
    if any(r["card"] for r in res["rows"]):
        for suf in ("", "-pruned"):
            parts = []
            for b in ("8", "4", "3", "2", "t"):
                cells = ["%s %s%% (%s)" % (lab, fmt_pct(R[how + b + suf]["card"][0]),
                                           fmt_chg(R[how + b + suf]["acc"] - R[how + b + suf]["card"][0]))
                         for how, lab in (("ptq", "PTQ"), ("qat", "QAT"), ("qatna", "QAT+noise"))
                         if (R.get(how + b + suf) or {}).get("card")]
                if cells:
                    parts.append("%s: %s" % ("ternary" if b == "t" else b + "-bit", ", ".join(cells)))
            out.append("2. on the emulated card (C runtime, sim backend, write-verify, default noise; %s): "
                       "accuracy (change from digital in points): %s." % (
                           "pruned" if suf else "unpruned", "; ".join(parts)))
    # 3. about two orders of magnitude fewer bits at a small accuracy cost
    cands = [r for r in res["rows"] if r["variant"].endswith("-pruned") and r["variant"].startswith("qat")
             and r["acc"] >= f - 0.03]
    if cands:
        best = max(cands, key=lambda r: r["compression"])
        verdict = "holds" if best["compression"] >= 50 else "does not hold (%.0fx)" % best["compression"]
        out.append("3. *QAT plus pruning reaches about two orders of magnitude fewer bits than fp32 at a small "
                   "accuracy cost* (criterion: >= 50x at <= 3 points below float): **%s**; best: %s at "
                   "%s%% (float %s%%), %d bits vs %d fp32 bits = %.1fx."
                   % (verdict, best["variant"], fmt_pct(best["acc"]), fmt_pct(f), best["bits"],
                      res["fp32_ref_bits"], best["compression"]))
    else:
        out.append("3. no pruned QAT model within 3 points of float: **does not hold**.")
    return "\n".join(out)


def write_md(results, args, elapsed):
    L = ["# aimc QAT results", "",
         "Generated by `cd tools/qat && /usr/bin/python3 -m aimc_qat.results` (full table, both data "
         "sets; `--quick`: 8/4/ternary, half the epochs, 3 noise seeds; `--datasets X --keep-others` "
         "re-runs one data set and keeps the others' last results). Do not edit by hand: every number "
         "below comes from that command (raw numbers and every exported model: "
         "`build/qat/results/<dataset>/`). Times: 1 thread on 2 cores shared with other work (the "
         "mean 1-minute load average during each run is given with it).%s" % (
             " Rendered by `--md-only` from the saved results of the runs named per data set (same numbers)."
             if args.md_only else ""), "",
         "- digital acc: test accuracy of the quantized model evaluated with the explicit recurrence "
         "(the way the card runs it); PTQ/QAT include 8-bit DAC/ADC and 8-bit SSM parameters.",
         "- noise: PCM-like programming noise (aihwkit PCMLikeNoiseModel coefficients, 25 uS), per device "
         "of a differential pair, each crossbar column's weight range mapped to Gmax (so relative to the "
         "per-column conductance range); programmed once per device seed (seeds per data set below); the SSM "
         "runs on the digital unit without analog noise.",
         "- params: values stored (scales excluded); model bits: codes at their width (ternary as 2 bits), "
         "everything else (scales, biases, norm) at 32 bits; compression against 32 bits x the trainable "
         "parameters of the unpruned float model; xbar cells: 2 per crossbar weight; MVMs per step: "
         "encoder + one per layer, plus the decoder once per sequence.",
         "- card sim: the exported file loaded through the aimc Python package (libaimc's sim card: "
         "`aimc.open_sim(seed=S).load(MODEL)`, `aimc_qat/card.py`), write-verify programmed onto the "
         "in-process sim card with the device model's default "
         "noise (manufacture, programming and read noise, stuck cells) and run over the whole test split; "
         "mean ± sd over device seeds S = 1..n (n below). Float models have no codes to program (n/a). The "
         "trainer's noise columns model open-loop programming; write-verify programs within a tolerance "
         "band, so the card sees less programming noise than \"1x\".", ""]
    for res in results:
        info = res["info"]
        L += ["## %s" % res["dataset"], "",
              "Mode: **%s** (`/usr/bin/python3 -m aimc_qat.results --datasets %s%s`): weights %s, %d noise "
              "and card seeds; %.1f min (mean load average %.1f)." % (
                  "quick" if res.get("quick") else "full", res["dataset"], " --quick" if res.get("quick") else "",
                  "/".join(res.get("bits", [])), len(res["seeds"]),
                  res.get("elapsed_s", 0) / 60, res.get("load_avg", float("nan"))), "",
              "%d train / %d test; %s." % (info["n_train"], info["n_test"], info.get("preprocessing", "")), ""]
        if res["dataset"] == "kws":
            L += ["Test accents (held out entirely): %s; train accents: %s." % (
                ", ".join(info["test_accents"]), ", ".join(info["train_accents"])), ""]
        L += ["Hyper-parameters: %s" % json.dumps(res["hp"]), "", table(res), "", "### Claims (%s)" % res["dataset"],
              "", claims(res), ""]
    with open(args.md, "w") as f:
        f.write("\n".join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="8/4/ternary only, half the epochs, 3 noise seeds")
    ap.add_argument("--datasets", default="digits,kws")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--md", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--md-only", action="store_true",
                    help="only rewrite RESULTS.md from the saved results.json files (no training)")
    ap.add_argument("--keep-others", action="store_true",
                    help="include the last results.json of the data sets not run now")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    bits = [8, 4, "ternary"] if args.quick else [8, 4, 3, 2, "ternary"]
    n_seeds = args.seeds or (3 if args.quick else 5)
    names = [] if args.md_only else args.datasets.split(",")
    kept = {}
    if args.keep_others or args.md_only:
        for other in ("digits", "kws"):
            p = os.path.join(OUT_DIR, other, "results.json")
            if other not in names and os.path.exists(p):
                kept[other] = json.load(open(p))
    done = {}
    order = lambda: [done.get(n) or kept.get(n) for n in ("digits", "kws") if (done.get(n) or kept.get(n))]
    for name in names:
        done[name] = run_dataset(name, bits, range(n_seeds), 0.5 if args.quick else 1.0, NOISE_LEVELS)
        write_md(order(), args, time.time() - t0)
    if args.md_only:
        write_md(order(), args, 0)
    log("wrote %s in %.1f min" % (args.md, (time.time() - t0) / 60))


if __name__ == "__main__":
    main()
