"""The results (tools/qat/RESULTS.md), one command:

  cd tools/qat && OPENBLAS_NUM_THREADS=1 nice -n 19 /usr/bin/python3 -m aimc_qat.results
  (--quick: half the epochs, 2 seeds; --datasets digits; --md-only re-renders from the saved runs)

Per data set (issue 19):
  1. claims: the model of issue 7 (d_model 64, 32 modes, 3 layers), unpruned and pruned: float,
     PTQ, QAT, noise-aware QAT per device preset, at 8, 4, 2 bits and ternary; digital accuracy,
     the trainer's open-loop noise per preset, and the C runtime's sim card per preset with
     write-verify at 500 nS (pruned models also open-loop and 250 nS), device seeds 1-2;
  2. narrow parameters: which SSM and vector widths keep the accuracy (one size, 4-bit);
  3. the size x precision frontier: d_model 8..64 and 8..32 modes, fp32/8/4/2/ternary, with and
     without structured pruning, the narrow widths of 2, every model on the sim card;
  4. precision-aware write-verify against the fixed band, per precision and preset;
  5. drift: accuracy after 1 s .. 1 year without and with compensation and with refresh.
Every model is exported to build/qat/results/<ds>/ and re-read by the validating reader; sizes
come from the files. Everything is cached there (models, their metrics, every card run): an
interrupted run resumes where it stopped. The card runs are build/tools/aimc-run (`make
userspace`); $AIMC_CARD_SIM_CMD=off skips them.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

from . import data as D
from . import modelfile as MF
from . import presets as P
from . import quant as Q
from .export import export
from .model import count_params, prune
from .train import (HP, SSM_BITS, NOISE_TRAIN, bits_tag, evaluate, evaluate_noisy, log,
                    new_model, quantize, train_epochs)

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT_DIR = os.path.join(D.REPO, "build", "qat", "results")
AIMC_RUN = os.path.join(D.REPO, "build", "tools", "aimc-run")
BITS = [8, 4, 2, "ternary"]
PRESETS = P.names()
NOISE_COLS = [("pcm", 1.0), ("pcm", 3.0), ("rram", 1.0)]    # the trainer's open-loop noise
# the card runs, sized to a few CPU hours: every claims row with write-verify at 500 nS (today's
# band), the pruned rows also open-loop and at 250 nS; noise-aware QAT on its own preset
CARD_MODES = [("wv 500 nS", []), ("open-loop", ["--open-loop"]), ("wv 250 nS", ["--tolerance", "250"])]
CARD_SEEDS = 2              # device seeds 1..2 per card figure
FRONTIER_SIZES = [(8, 8), (16, 8), (32, 16)]   # (d_model, d_state); + (64, 32)
ABLATION_SIZE = (32, 16)
# (ssm_bits, vec_bits, scale_bits), widest first: the first is the version-1 model of issue 7
ABLATION = [(8, None, None), (8, 8, 8), (6, 8, 8), (4, 8, 8), (4, 6, 8), (4, 6, 6)]
PA_PCTS = [12, 25, 50]
DRIFT_AGES = [(1, "1 s"), (3600, "1 h"), (86400, "1 day"), (2592000, "1 month"), (31536000, "1 year")]
DRIFT_MODES = [("none", []), ("compensated", ["--compensate", "1"]),
               ("compensated (global)", ["--compensate-global", "1"]), ("refreshed", ["--refresh-after", "1"])]


def fmt_pct(x):
    return "n/a" if x is None else "%.1f" % (100 * x)


def fmt_chg(drop):
    return "%+.1f" % (-100 * drop)


def bits_name(b):
    return "ternary" if b in ("t", "ternary") else "%s-bit" % b


# ------------------------------------------------------------------ caches
class Cache:
    """A JSON dict on disk, written after every new entry (resume after an interruption)."""

    def __init__(self, path):
        self.path = path
        self.d = json.load(open(path)) if os.path.exists(path) else {}

    def get(self, key, fn):
        if key not in self.d:
            self.d[key] = fn()
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.d, f, default=str)
            os.replace(tmp, self.path)
        return self.d[key]


def torch_cached(path, fn):
    if os.path.exists(path):
        return torch.load(path)
    m = fn()
    torch.save(m, path + ".tmp")
    os.replace(path + ".tmp", path)
    return m


def card_cmd_enabled():
    return os.environ.get("AIMC_CARD_SIM_CMD") != "off" and os.access(AIMC_RUN, os.X_OK)


def card_run(cache, path, input_path, y, preset, seed, extra):
    """One aimc-run of the whole test split: accuracy, pulses/cell, energy per inference."""
    key = "%s|%s|%d|%s" % (os.path.basename(path), preset, seed, " ".join(extra))

    def run():
        cmd = [AIMC_RUN, path, "--device", "sim", "--seed", str(seed), "--preset", preset, "--json",
               "--quiet", "--input", input_path] + list(extra)
        out = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                                        universal_newlines=True).stdout)
        pred = np.array([s["predicted"] for s in out["sequences"]])
        if len(pred) != len(y):
            raise RuntimeError("card sim: %d predictions for %d sequences: %s" % (len(pred), len(y), cmd))
        e = out["summary"].get("energy", {})
        p = out["programming"]
        return dict(acc=float(np.mean(pred == y)), ppc=p["pulses_per_cell"], rounds=p["rounds"],
                    band_max=p.get("band_max_nsiemens"), prog_uj=p.get("energy_uj"),
                    prog_ms=p.get("card_ms"), nj=e.get("nj_per_inference"),
                    base_nj=e.get("baseline_nj_per_inference"),
                    dpu_nj=e.get("nj_by_kind", {}).get("dpu"), seqs=len(y))
    return cache.get(key, run)


def card_eval(cache, path, input_path, y, preset, seeds, extra=()):
    """Mean and sd over device seeds 1..n of card_run(); None when the card is off."""
    if not card_cmd_enabled():
        return None
    runs = [card_run(cache, path, input_path, y, preset, s + 1, extra) for s in list(seeds)[:CARD_SEEDS]]
    accs = [r["acc"] for r in runs]
    out = dict(acc=float(np.mean(accs)), sd=float(np.std(accs)), ppc=float(np.mean([r["ppc"] for r in runs])),
               rounds=float(np.mean([r["rounds"] for r in runs])), accs=accs)
    for k in ("nj", "base_nj", "dpu_nj", "prog_uj", "prog_ms", "band_max"):
        v = [r[k] for r in runs if r.get(k) is not None]
        out[k] = float(np.mean(v)) if v else None
    if out["nj"] and out["dpu_nj"] is not None:
        out["dpu_nj"] /= runs[0]["seqs"]
    return out


# ------------------------------------------------------------------ one data set
class Run:
    def __init__(self, name, seeds, epoch_scale, seed=0):
        self.name, self.seeds, self.seed = name, list(seeds), seed
        self.ds = D.load(name, seed=0)
        self.hp = dict(HP[name])
        for k in ("epochs", "qat_epochs", "prune_epochs"):
            self.hp[k] = max(1, int(round(self.hp[k] * epoch_scale)))
        self.quick = epoch_scale != 1.0
        self.dir = os.path.join(OUT_DIR, name)
        os.makedirs(self.dir, exist_ok=True)
        self.input = os.path.join(self.dir, "test-input.txt")
        D.write_run_input(self.input, name, self.ds.x_test, self.ds.y_test)
        self.metrics = Cache(os.path.join(self.dir, "metrics.json"))
        self.cards = Cache(os.path.join(self.dir, "card-runs.json"))
        self.times = Cache(os.path.join(self.dir, "times.json"))

    def hp_for(self, H, N):
        hp = dict(self.hp)
        hp.update(d_model=H, d_state=N, keep_channels=max(2, H // 2), keep_modes=max(2, N // 4))
        return hp

    # -- models (torch, cached)
    def float_model(self, H, N):
        def train():
            t0 = time.time()
            hp = self.hp_for(H, N)
            m = new_model(self.ds, hp, self.seed)
            m = train_epochs(m, self.ds, hp["epochs"], hp["lr"], hp["ssm_lr"], hp["batch"], self.seed,
                             tag="float H%d N%d" % (H, N))
            self.times.get("float-%d-%d" % (H, N), lambda: time.time() - t0)
            return m
        return torch_cached(os.path.join(self.dir, "float-h%d-n%d.pt" % (H, N)), train)

    def pruned_model(self, H, N):
        def train():
            t0 = time.time()
            hp = self.hp_for(H, N)
            m = prune(self.float_model(H, N), hp["keep_channels"], hp["keep_modes"])
            m = train_epochs(m, self.ds, hp["prune_epochs"], hp["lr"], hp["ssm_lr"], hp["batch"],
                             self.seed + 1, tag="prune-ft H%d N%d" % (H, N))
            self.times.get("pruned-%d-%d" % (H, N), lambda: time.time() - t0)
            return m
        return torch_cached(os.path.join(self.dir, "pruned-h%d-n%d.pt" % (H, N)), train)

    def variant(self, tag, H, N, pruned, how, bits=None, noise_dev=None, narrow=(SSM_BITS, None, None)):
        """Train (or load) one model, export it, measure it; returns its metrics dict."""
        def build():
            t0 = time.time()
            base = self.pruned_model(H, N) if pruned else self.float_model(H, N)
            if how == "float":
                m = base
            else:
                if noise_dev:
                    Q.set_device(noise_dev)
                m = quantize(base, self.ds, self.hp_for(H, N), self.seed, bits, how,
                             noise=NOISE_TRAIN if noise_dev else None, ssm_bits=narrow[0],
                             vec_bits=narrow[1], scale_bits=narrow[2])
                Q.set_device("pcm")
            t_train = time.time() - t0
            path = os.path.join(self.dir, tag + ".safetensors")
            export(m, path, self.ds, dict(variant=tag, seed=self.seed, produced_by="aimc_qat.results",
                                          command="cd tools/qat && /usr/bin/python3 -m aimc_qat.results"
                                                  " --datasets %s%s" % (self.name, " --quick" if self.quick else ""),
                                          hyperparameters=self.hp_for(H, N)))
            mf = MF.load(path)
            acc = evaluate(m, self.ds.x_test, self.ds.y_test, "rec")
            noisy = {}
            if how != "float" or (H, N) == (64, 32):
                for dev, lvl in NOISE_COLS:
                    Q.set_device(dev)
                    mu, sd, _ = evaluate_noisy(m, self.ds, self.seeds, scale=lvl, mode="conv")
                    noisy["%s %gx" % (dev, lvl)] = (mu, sd)
                Q.set_device("pcm")
            return dict(tag=tag, H=H, N=N, Hk=len(mf["pruning"]["kept_channels"]),
                        Nk=[len(k) for k in mf["pruning"]["kept_modes"]], pruned=pruned, how=how,
                        wbits=str(bits) if bits is not None else "fp32", noise_dev=noise_dev,
                        narrow=list(narrow) if how != "float" else None, acc=acc, noisy=noisy,
                        version=mf["version"], train_s=round(t_train, 1), bytes=os.path.getsize(path),
                        **MF.sizes(mf))
        r = self.metrics.get(tag, build)
        log("%s %-28s acc %.4f bits %7d" % (self.name, tag, r["acc"], r["bits"]))
        return r

    def path(self, tag):
        return os.path.join(self.dir, tag + ".safetensors")

    def card(self, tag, preset="pcm", extra=(), seeds=None):
        return card_eval(self.cards, self.path(tag), self.input, self.ds.y_test, preset,
                         self.seeds if seeds is None else seeds, extra)


def claims_section(run):
    """Section 1: issue 7's model and the claims, per preset."""
    rows = []
    for pruned in (False, True):
        suf = "-pruned" if pruned else ""
        rows.append(run.variant("float" + suf, 64, 32, pruned, "float"))
        for b in BITS:
            bt = bits_tag(b)
            rows.append(run.variant("ptq%s%s" % (bt, suf), 64, 32, pruned, "ptq", b))
            rows.append(run.variant("qat%s%s" % (bt, suf), 64, 32, pruned, "qat", b))
            for dev in PRESETS:
                rows.append(run.variant("qatna-%s%s%s" % (dev, bt, suf), 64, 32, pruned, "qat", b, noise_dev=dev))
    for r in rows:
        if r["how"] == "float":
            continue
        r["card"] = {p: {m: run.card(r["tag"], p, ex)
                         for m, ex in (CARD_MODES if r["pruned"] else CARD_MODES[:1])}
                     for p in PRESETS if r["noise_dev"] in (None, p)}
    return rows


def ablation_section(run):
    H, N = ABLATION_SIZE
    rows = [run.variant("abl-s%s-v%s-c%s" % (s, v or "f", c or "f"), H, N, False, "qat", 4,
                        narrow=(s, v, c)) for s, v, c in ABLATION]
    for r in rows:
        r["card"] = run.card(r["tag"])
    base = rows[0]["acc"]
    ok = [r for r in rows if r["acc"] >= base - 0.005]
    chosen = min(ok, key=lambda r: r["bits"])
    return rows, tuple(chosen["narrow"])


def frontier_section(run, narrow):
    rows = []
    for H, N in FRONTIER_SIZES + [(64, 32)]:
        for pruned in (False, True):
            suf = "-pruned" if pruned else ""
            if (H, N) == (64, 32):
                rows.append(run.variant("float" + suf, H, N, pruned, "float"))
            else:
                rows.append(run.variant("fr-h%d-n%d-float%s" % (H, N, suf), H, N, pruned, "float"))
            for b in BITS:
                rows.append(run.variant("fr-h%d-n%d-qat%s%s" % (H, N, bits_tag(b), suf), H, N, pruned, "qat",
                                        b, narrow=narrow))
    for r in rows:
        r["card"] = run.card(r["tag"]) if r["how"] != "float" else None
    return rows


def pa_section(run):
    out = []
    for b in BITS:
        tag = "qat%s-pruned" % bits_tag(b)
        for p in PRESETS:
            row = dict(tag=tag, bits=b, preset=p, fixed=run.card(tag, p))
            row["pa"] = {pct: run.card(tag, p, ["--band-per-code", str(pct)]) for pct in PA_PCTS}
            out.append(row)
    return out


def drift_section(run):
    out = []
    # noise-aware QAT too: does training with the preset's weight noise also carry a model
    # through the per-cell drift that compensation cannot undo?
    for tag, presets in (("qat4-pruned", PRESETS), ("qatna-pcm4-pruned", PRESETS[:1]),
                         ("qatt-pruned", PRESETS[:1])):
        for p in presets:
            for age, age_name in DRIFT_AGES:
                row = dict(tag=tag, preset=p, age=age, age_name=age_name)
                for mode, ex in DRIFT_MODES:
                    row[mode] = run.card(tag, p, ["--age", str(age)] + ex)
                out.append(row)
    return out


def run_dataset(name, seeds, epoch_scale):
    t0 = time.time()
    run = Run(name, seeds, epoch_scale)
    res = dict(dataset=name, info=run.ds.info, hp=run.hp, seeds=list(seeds), card_seeds=CARD_SEEDS,
               quick=run.quick,
               presets=PRESETS, bits=[str(b) for b in BITS])
    res["claims"] = claims_section(run)
    res["ablation"], narrow = ablation_section(run)
    res["narrow"] = list(narrow)
    res["frontier"] = frontier_section(run, narrow)
    res["pa"] = pa_section(run)
    res["drift"] = drift_section(run)
    res["fp32_ref_bits"] = 32 * count_params(run.float_model(64, 32))
    res["elapsed_s"] = round(time.time() - t0, 1)
    res["cpu_s"] = round(sum(v for v in run.times.d.values()), 1)
    res["load_avg"] = round(os.getloadavg()[0], 2)
    with open(os.path.join(run.dir, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    return res


def main():
    global OUT_DIR, BITS, FRONTIER_SIZES, ABLATION
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="half the epochs, 2 seeds")
    ap.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)   # code check: tiny, minutes
    ap.add_argument("--datasets", default="digits,kws")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--md", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--md-only", action="store_true",
                    help="only rewrite RESULTS.md from the saved results.json files (no training)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    scale = 0.5 if args.quick else 1.0
    n_seeds = args.seeds or (2 if args.quick else 3)
    if args.smoke:
        OUT_DIR = OUT_DIR + "-smoke"
        BITS, FRONTIER_SIZES, ABLATION = [4, "ternary"], [(8, 8)], ABLATION[:2]
        scale, n_seeds = 0.03, 1
    names = [] if args.md_only else args.datasets.split(",")
    for name in names:
        run_dataset(name, range(n_seeds), scale)
        write_md(args)
    if args.md_only:
        write_md(args)
    log("wrote %s in %.1f min" % (args.md, (time.time() - t0) / 60))


def write_md(args):
    from .results_md import render
    res = []
    for name in ("digits", "kws"):
        p = os.path.join(OUT_DIR, name, "results.json")
        if os.path.exists(p):
            res.append(json.load(open(p)))
    with open(args.md, "w") as f:
        f.write(render(res, args))


if __name__ == "__main__":
    main()
