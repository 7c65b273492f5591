"""The results table (tools/qat/RESULTS.md), one command:

  cd tools/qat && /usr/bin/python3 -m aimc_qat.results            # full table, both data sets
  cd tools/qat && /usr/bin/python3 -m aimc_qat.results --quick    # 8/4/ternary, half the epochs

For each data set: float, PTQ, QAT and noise-aware QAT at 8, 4, 3, 2 bits and ternary, without
and with structured pruning. Every model is exported to build/qat/results/<ds>/ and re-read by
the validating reader; sizes come from the files. Accuracy: digital (explicit recurrence, as the
card runs it) and under PCM-like programming noise (mean and spread over device seeds).

Hook for the emulated card: set AIMC_CARD_SIM_CMD to a command template with {model}, {inputs},
{outputs} and {seed}; it must read inputs (.npy float32 [n, T, d_input]) and write logits
(.npy [n, n_classes]). When set, a column "card sim" is added (mean/spread over the seeds).
It is unset until the C runtime's sim backend (issue 5) and the device model exist.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from . import data as D
from . import modelfile as MF
from .export import export
from .model import count_params
from .train import HP, bits_tag, build_variant, evaluate, evaluate_noisy, log

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT_DIR = os.path.join(D.REPO, "build", "qat", "results")
NOISE_LEVELS = [1.0, 3.0]   # 1x: the device model's default open-loop noise; 3x: a stress level


def card_sim_eval(path, ds, seeds):
    cmd = os.environ.get("AIMC_CARD_SIM_CMD")
    if not cmd:
        return None
    tmp = tempfile.mkdtemp(prefix="aimc_cardsim_")
    inp = os.path.join(tmp, "in.npy")
    np.save(inp, ds.x_test)
    accs = []
    for s in seeds:
        outp = os.path.join(tmp, "out%d.npy" % s)
        subprocess.run(shlex.split(cmd.format(model=path, inputs=inp, outputs=outp, seed=s)), check=True)
        accs.append(float(np.mean(np.load(outp).argmax(1) == ds.y_test)))
    return float(np.mean(accs)), float(np.std(accs))


def run_dataset(name, bit_list, seeds, epoch_scale, noise_levels, seed=0):
    ds = D.load(name, seed=0)
    hp = dict(HP[name])
    for k in ("epochs", "qat_epochs", "prune_epochs"):
        hp[k] = max(1, int(round(hp[k] * epoch_scale)))
    out_dir = os.path.join(OUT_DIR, name)
    os.makedirs(out_dir, exist_ok=True)
    cache, rows = {}, []
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
        card = card_sim_eval(path, ds, seeds)
        row = dict(variant=v, acc=acc, acc_conv=acc_conv, noisy={str(k): v2 for k, v2 in noisy.items()},
                   card=card, bytes=os.path.getsize(path), train_s=round(t_train, 1),
                   compression=fp32_ref / sz["bits"], **sz)
        rows.append(row)
        log("%s %-18s acc %.4f (conv %.4f) noisy %s  bits %d  x%.1f  %.0fs" % (
            name, v, acc, acc_conv, " ".join("%.3f+-%.3f" % noisy[l] for l in noise_levels),
            sz["bits"], row["compression"], t_train))
    res = dict(dataset=name, info=ds.info, hp=hp, fp32_ref_bits=fp32_ref, seeds=list(seeds),
               noise_levels=list(noise_levels), rows=rows)
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
                    ok.append(dn <= 0.5 * fd or dn <= 0.01)
            verdict = "holds" if ok and all(ok) else ("partly holds" if any(ok) else "does not hold")
            out.append("2. *QAT (especially noise-aware) loses far less accuracy under analog noise* (noise %sx, "
                       "%s; criterion: noise-aware QAT loses at most half the float model's drop, or <= 1 point): "
                       "**%s**; accuracy change under noise in points: float %s; %s." % (
                           l, "pruned" if suf else "unpruned", verdict, fmt_chg(fd), "; ".join(parts)))
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
         "Generated by `cd tools/qat && /usr/bin/python3 -m aimc_qat.results%s` in %.1f min on this "
         "machine (1 thread). Do not edit by hand: every number below comes from that command "
         "(raw numbers and the exported models: `build/qat/results/<dataset>/`)." % (
             " --quick" if args.quick else "", elapsed / 60), "",
         "- digital acc: test accuracy of the quantized model evaluated with the explicit recurrence "
         "(the way the card runs it); PTQ/QAT include 8-bit DAC/ADC and 8-bit SSM parameters.",
         "- noise: PCM-like programming noise (aihwkit PCMLikeNoiseModel coefficients, 25 uS), per device "
         "of a differential pair, each crossbar column's weight range mapped to Gmax (so relative to the "
         "per-column conductance range); programmed once per device seed, %d seeds; the SSM runs on the "
         "digital unit without analog noise." % len(results[0]["seeds"]),
         "- params: values stored (scales excluded); model bits: codes at their width (ternary as 2 bits), "
         "everything else (scales, biases, norm) at 32 bits; compression against 32 bits x the trainable "
         "parameters of the unpruned float model; xbar cells: 2 per crossbar weight; MVMs per step: "
         "encoder + one per layer, plus the decoder once per sequence.",
         "- card sim: not yet available (needs the C runtime's sim backend, issue 5, and the device model); "
         "see the AIMC_CARD_SIM_CMD hook in `aimc_qat/results.py`.", ""]
    for res in results:
        info = res["info"]
        L += ["## %s" % res["dataset"], "",
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
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    bits = [8, 4, "ternary"] if args.quick else [8, 4, 3, 2, "ternary"]
    n_seeds = args.seeds or (3 if args.quick else 5)
    results = []
    for name in args.datasets.split(","):
        results.append(run_dataset(name, bits, range(n_seeds), 0.5 if args.quick else 1.0, NOISE_LEVELS))
        write_md(results, args, time.time() - t0)
    log("wrote %s in %.1f min" % (args.md, (time.time() - t0) / 60))


if __name__ == "__main__":
    main()
