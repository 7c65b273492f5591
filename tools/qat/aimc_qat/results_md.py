"""RESULTS.md from the saved results of aimc_qat.results (every number from the run), and the
frontier plots (SVG, written here without a plotting library)."""
import math
import os

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def pct(x):
    return "n/a" if x is None else "%.1f" % (100 * x)


def pm(c):
    return "n/a" if not c else "%.1f ± %.1f" % (100 * c["acc"], 100 * c["sd"])


def chg(d):
    return "%+.1f" % (100 * d)


def bname(b):
    return {"ternary": "ternary", "t": "ternary", "fp32": "fp32"}.get(str(b), "%s-bit" % b)


def method(r):
    if r["how"] == "float":
        return "float"
    if r["how"] == "ptq":
        return "PTQ"
    return "QAT+noise (%s)" % r["noise_dev"] if r.get("noise_dev") else "QAT"


def table(head, rows):
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] +
                     ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def narrow_txt(n):
    if not n:
        return "F32"
    s, v, c = n
    return "SSM %s, vectors %s, scales %s" % (s, v or "F32", c or "F32")


# ------------------------------------------------------------------ frontier
def pareto(rows, key="acc"):
    """Rows not dominated: no other row has fewer or equal bits and higher accuracy."""
    pts = sorted(rows, key=lambda r: (r["bits"], -r[key]))
    out, best = [], -1
    for r in pts:
        if r[key] > best:
            out.append(r)
            best = r[key]
    return out


def card_acc(r):
    return r["card"]["acc"] if r.get("card") else None


def ratios(res):
    fr = res["frontier"]
    F = [r for r in fr if r["how"] == "float"]
    Qm = [r for r in fr if r["how"] != "float"]
    ref = next(r for r in F if (r["H"], r["N"], r["pruned"]) == (64, 32, False))
    out = {}
    # A: against the d_model 64 float model, at <= 1 point below its accuracy
    for key, label in (("acc", "digital"), ("card", "card sim")):
        val = (lambda r: r["acc"]) if key == "acc" else card_acc
        ok = [r for r in Qm if val(r) is not None and val(r) >= ref["acc"] - 0.01]
        best = min(ok, key=lambda r: r["bits"]) if ok else None
        out["A_" + key] = dict(ref=ref, best=best, ratio=ref["bits"] / best["bits"] if best else None,
                               label=label)
    # B: equal accuracy: smallest float within 1 point of the best float vs smallest quantized
    top = max(F, key=lambda r: r["acc"])
    fs = min([r for r in F if r["acc"] >= top["acc"] - 0.01], key=lambda r: r["bits"])
    for key, label in (("acc", "digital"), ("card", "card sim")):
        val = (lambda r: r["acc"]) if key == "acc" else card_acc
        ok = [r for r in Qm if val(r) is not None and val(r) >= top["acc"] - 0.01]
        best = min(ok, key=lambda r: r["bits"]) if ok else None
        out["B_" + key] = dict(top=top, fsmall=fs, best=best,
                               ratio=fs["bits"] / best["bits"] if best else None, label=label)
    return out


def model_name(r):
    kept = "" if not r["pruned"] else " pruned to %d/%s" % (r["Hk"], "/".join(map(str, sorted(set(r["Nk"])))))
    return "d%d N%d%s %s" % (r["H"], r["N"], kept, bname(r["wbits"]))


def svg_frontier(res, path):
    """Accuracy against model bits (log scale), one colour per weight width, the digital
    Pareto frontier as a line."""
    fr = res["frontier"]
    W, H, L, R, T, B = 720, 420, 70, 160, 30, 50
    xs = [math.log10(r["bits"]) for r in fr]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    ys = [r["acc"] for r in fr]
    y0 = max(0.0, math.floor(min(ys) * 10) / 10)
    y1 = 1.0
    X = lambda b: L + (math.log10(b) - x0) / (x1 - x0) * (W - L - R)
    Y = lambda a: T + (y1 - a) / (y1 - y0) * (H - T - B)
    colors = {"fp32": "#000000", "8": "#1f77b4", "4": "#2ca02c", "2": "#ff7f0e", "ternary": "#d62728"}
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
         'font-size="12">' % (W, H), '<rect width="100%" height="100%" fill="white"/>']
    for e in range(x0, x1 + 1):
        x = L + (e - x0) / (x1 - x0) * (W - L - R)
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x, T, x, H - B))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">1e%d</text>' % (x, H - B + 16, e))
    for k in range(int(round(y0 * 10)), 11):
        y = Y(k / 10)
        o.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (L, y, W - R, y))
        o.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (L - 6, y + 4, k * 10))
    o.append('<text x="%d" y="%d" text-anchor="middle">model bits (every stored bit, log scale)</text>'
             % ((L + W - R) // 2, H - 12))
    o.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">digital test '
             'accuracy %%</text>' % ((T + H - B) // 2, (T + H - B) // 2))
    front = pareto(fr)
    o.append('<polyline fill="none" stroke="#888" stroke-dasharray="4 3" points="%s"/>'
             % " ".join("%.1f,%.1f" % (X(r["bits"]), Y(r["acc"])) for r in front))
    for r in fr:
        c = colors.get(str(r["wbits"]), "#777")
        x, y = X(r["bits"]), Y(r["acc"])
        if r["pruned"]:
            o.append('<rect x="%.1f" y="%.1f" width="7" height="7" fill="%s"/>' % (x - 3.5, y - 3.5, c))
        else:
            o.append('<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>' % (x, y, c))
    ly = T + 10
    for k, c in colors.items():
        o.append('<circle cx="%d" cy="%d" r="4" fill="%s"/><text x="%d" y="%d">%s</text>'
                 % (W - R + 16, ly, c, W - R + 26, ly + 4, bname(k)))
        ly += 18
    o.append('<circle cx="%d" cy="%d" r="4" fill="#555"/><text x="%d" y="%d">not pruned</text>'
             % (W - R + 16, ly, W - R + 26, ly + 4))
    ly += 18
    o.append('<rect x="%d" y="%d" width="7" height="7" fill="#555"/><text x="%d" y="%d">pruned</text>'
             % (W - R + 12, ly - 3, W - R + 26, ly + 4))
    ly += 18
    o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888" stroke-dasharray="4 3"/>'
             '<text x="%d" y="%d">frontier</text>' % (W - R + 8, ly, W - R + 22, ly, W - R + 26, ly + 4))
    o.append('<text x="%d" y="18" font-weight="bold">%s: accuracy against model bits</text>'
             % (L, res["dataset"]))
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def frontier_md(res):
    fr = res["frontier"]
    ref = next(r for r in fr if (r["H"], r["N"], r["pruned"], r["how"]) == (64, 32, False, "float"))
    front = {r["tag"] for r in pareto(fr)}
    rows = []
    for r in sorted(fr, key=lambda r: r["bits"]):
        c = r.get("card")
        rows.append([model_name(r), "%d" % r["bits"], "%.1fx" % (ref["bits"] / r["bits"]), pct(r["acc"]),
                     pm(c), "%.0f" % c["nj"] if c and c.get("nj") else "n/a",
                     "%.0f" % c["base_nj"] if c and c.get("base_nj") else "n/a",
                     "yes" if r["tag"] in front else ""])
    rt = ratios(res)
    lines = [table(["model", "model bits", "vs d64 float", "digital acc %", "card sim acc % (pcm)",
                    "card nJ/inference", "digital baseline nJ/inference", "on the frontier"], rows), ""]
    for k in ("A_acc", "A_card"):
        a = rt[k]
        if a["best"]:
            lines.append("- **Against the d_model 64 float model** (%s bits, %s %%), %s accuracy: the smallest "
                         "quantized model within 1 point is %s, %d bits: **%.1fx** (%s %%)."
                         % (a["ref"]["bits"], pct(a["ref"]["acc"]), a["label"], model_name(a["best"]),
                            a["best"]["bits"], a["ratio"],
                            pct(a["best"]["acc"] if k == "A_acc" else card_acc(a["best"]))))
        else:
            lines.append("- Against the d_model 64 float model, %s accuracy: no quantized model within 1 point."
                         % a["label"])
    for k in ("B_acc", "B_card"):
        b = rt[k]
        if b["best"]:
            lines.append("- **At equal accuracy** (%s): the best float model is %s at %s %%; the smallest float "
                         "model within 1 point of it %s, %d bits; the smallest quantized one %s, %d bits (%s %%): "
                         "**%.1fx**." % (b["label"], model_name(b["top"]), pct(b["top"]["acc"]),
                                         model_name(b["fsmall"]), b["fsmall"]["bits"], model_name(b["best"]),
                                         b["best"]["bits"],
                                         pct(b["best"]["acc"] if k == "B_acc" else card_acc(b["best"])),
                                         b["ratio"]))
        else:
            lines.append("- At equal accuracy (%s): no quantized model within 1 point of the best float model."
                         % b["label"])
    best = max([rt[k]["ratio"] or 0 for k in ("A_acc", "B_acc")])
    lines.append("- Goal (100x at no more than 1 point below the float model): **%s** (best %.1fx, digital)."
                 % ("met" if best >= 100 else "not met", best))
    return "\n".join(lines)


def ablation_md(res):
    rows = []
    base = res["ablation"][0]
    for r in res["ablation"]:
        rows.append([narrow_txt(r["narrow"]), "v%d" % r["version"], "%d" % r["bits"], pct(r["acc"]),
                     chg(r["acc"] - base["acc"]), pm(r.get("card"))])
    return table(["SSM parameters, vectors, per-channel scales (bits)", "file", "model bits", "digital acc %",
                  "vs widest", "card sim acc % (pcm)"], rows) + \
        "\n\nChosen for the frontier (the fewest bits within 0.5 points of the widest): **%s**." % \
        narrow_txt(res["narrow"])


# ------------------------------------------------------------------ claims per preset
def claims_md(res):
    C = {r["tag"]: r for r in res["claims"]}
    presets = res["presets"]
    bits = [b if b != "ternary" else "t" for b in res["bits"]]
    out = []
    head = ["method", "weights", "pruned", "digital acc %"] + ["%s open-loop noise %%" % k for k in
                                                              C["float"]["noisy"]] + \
        ["card %s wv 500 nS %%" % p for p in presets] + ["model bits"]
    rows = []
    for r in res["claims"]:
        cells = [method(r), bname(r["wbits"]), "yes" if r["pruned"] else "no", pct(r["acc"])]
        cells += ["%.1f ± %.1f" % (100 * v[0], 100 * v[1]) for v in r["noisy"].values()]
        cells += [pm(r["card"][p]["wv 500 nS"]) if p in (r.get("card") or {}) else "n/a" for p in presets]
        cells.append(str(r["bits"]))
        rows.append(cells)
    out += [table(head, rows), ""]
    f = C["float"]["acc"]
    # claim 1
    parts, held = [], []
    for b in bits:
        p, q = C["ptq" + b]["acc"], C["qat" + b]["acc"]
        parts.append("%s: PTQ %s %%, QAT %s %%" % (bname(b), pct(p), pct(q)))
        held.append(f - p >= 0.10 and f - q <= 0.03)
    v = "holds" if held and all(held[-2:]) else ("partly holds" if any(held) else "does not hold")
    out.append("1. *QAT keeps accuracy where PTQ collapses at low bit widths* (PTQ loses >= 10 points and "
               "QAT <= 3 points against float %s %%): **%s**; %s." % (pct(f), v, "; ".join(parts)))
    # claim 2 per preset, the trainer's open-loop noise (the float model's drop is measurable there)
    for p in presets:
        col = "%s 1x" % p
        for suf in ("", "-pruned"):
            fd = C["float" + suf]["acc"] - C["float" + suf]["noisy"][col][0]
            parts, ok = [], []
            for b in bits:
                d = {k: C[k + b + suf]["acc"] - C[k + b + suf]["noisy"][col][0]
                     for k in ("ptq", "qat", "qatna-" + p)}
                parts.append("%s: PTQ %s, QAT %s, QAT+noise %s" % (bname(b), chg(-d["ptq"]), chg(-d["qat"]),
                                                                  chg(-d["qatna-" + p])))
                ok.append(d["qatna-" + p] <= 0.5 * fd)
            if fd <= 0.01:
                verdict = "not testable (the float model itself loses <= 1 point)"
            else:
                verdict = "holds" if all(ok) else ("partly holds (%d of %d widths)" % (sum(ok), len(ok))
                                                   if any(ok) else "does not hold")
            out.append("2. *QAT, especially noise-aware, loses far less under analog noise*, preset **%s**, "
                       "open-loop programming noise of the trainer (%s; noise-aware QAT loses at most half the "
                       "float model's drop): **%s**; change in points: float %s; %s."
                       % (p, "pruned" if suf else "unpruned", verdict, chg(-fd), "; ".join(parts)))
    # claim 2 on the card, per preset and programming
    for p in presets:
        rows = []
        for suf in ("", "-pruned"):
            for b in bits:
                for k in ("ptq", "qat", "qatna-" + p):
                    r = C[k + b + suf]
                    cm = r["card"][p]
                    rows.append([method(r), bname(b), "yes" if suf else "no", pct(r["acc"])] +
                                ["%s (%s)" % (pct(cm[m]["acc"]), chg(cm[m]["acc"] - r["acc"]))
                                 if cm.get(m) else "-" for m in [x for x, _ in CARD_MODES_NAMES]])
        out += ["", "On the sim card, preset **%s** (accuracy %%, change from digital in points; device seeds "
                    "1-2; open-loop and 250 nS for the pruned models only, to keep the sweep to a few CPU "
                    "hours):" % p, "",
                table(["method", "weights", "pruned", "digital %"] + [m for m, _ in CARD_MODES_NAMES], rows)]
        # verdict: at open-loop programming, at <= 4 bits, QAT and noise-aware QAT lose less than PTQ
        held, tot, na_better = 0, 0, 0
        for suf in ("-pruned",):
            for b in bits:
                if b == "8":
                    continue
                loss = {k: C[k + b + suf]["acc"] - C[k + b + suf]["card"][p]["open-loop"]["acc"]
                        for k in ("ptq", "qat", "qatna-" + p)}
                acc = {k: C[k + b + suf]["card"][p]["open-loop"]["acc"] for k in ("ptq", "qat", "qatna-" + p)}
                tot += 1
                held += min(acc["qat"], acc["qatna-" + p]) > acc["ptq"]
                na_better += loss["qatna-" + p] < loss["qat"]
        out += ["", "Verdict on the card, preset %s: at open-loop programming, pruned, 4 bits or fewer, QAT and "
                    "noise-aware QAT are more accurate than PTQ in **%d of %d** cases; noise-aware QAT loses less "
                    "than plain QAT in %d of %d." % (p, held, tot, na_better, tot)]
    return "\n".join(out)


CARD_MODES_NAMES = [("open-loop", 0), ("wv 500 nS", 0), ("wv 250 nS", 0)]


def pa_md(res):
    rows, goal = [], []
    for r in res["pa"]:
        f = r["fixed"]
        if not f:
            continue
        cells = [bname(r["bits"]), r["preset"], "%.2f" % f["ppc"], pm(f)]
        for pct_, c in sorted(r["pa"].items(), key=lambda kv: int(kv[0])):
            cells += ["%.0f" % c["band_max"], "%.2f (%.1fx fewer)" % (c["ppc"], f["ppc"] / max(c["ppc"], 1e-9)),
                      "%s (%s)" % (pm(c), chg(c["acc"] - f["acc"]))]
            if str(r["bits"]) in ("2", "ternary"):
                goal.append((r, pct_, f["ppc"] / max(c["ppc"], 1e-9) >= 2 and c["acc"] >= f["acc"] - 0.005))
        rows.append(cells)
    pcts = sorted(res["pa"][0]["pa"].keys(), key=int) if res["pa"] else []
    head = ["weights", "preset", "fixed 500 nS: pulses/cell", "accuracy %"]
    for p_ in pcts:
        head += ["%s %%: band nS" % p_, "pulses/cell", "accuracy % (change)"]
    met = [(r["preset"], bname(r["bits"]), p_) for r, p_, ok in goal if ok]
    return table(head, rows) + "\n\nGoal (ternary and 2-bit with at least 2x fewer pulses per cell at no more " \
        "than 0.5 points accuracy cost): met for %s." % (
            ", ".join("%s %s at %s %%" % m for m in met) if met else "**none**")


def drift_md(res):
    out = []
    for tag in sorted({r["tag"] for r in res["drift"]}):
        for p in res["presets"]:
            rows = [r for r in res["drift"] if r["tag"] == tag and r["preset"] == p]
            if not rows or not rows[0]["none"]:
                continue
            t = [[r["age_name"]] + [pm(r[m]) for m in ("none", "compensated", "compensated (global)", "refreshed")]
                 for r in rows]
            fresh = rows[0]["none"]["acc"]
            year = rows[-1]["compensated"]["acc"]
            out += ["**%s, preset %s** (accuracy %% after the card sat idle that long):" % (tag, p), "",
                    table(["age", "no compensation", "per-column compensation", "global compensation",
                           "refreshed"], t), "",
                    "After a year with per-column compensation: %s %% against %s %% at 1 s (%s points): %s." % (
                        pct(year), pct(fresh), chg(year - fresh),
                        "**within 1 point**" if year >= fresh - 0.01 else "**not within 1 point**"), ""]
    return "\n".join(out)


def energy_md(res):
    C = {r["tag"]: r for r in res["claims"]}
    rows = []
    for tag in ("qat8-pruned", "qat4-pruned", "qatt-pruned", "qat4"):
        for p in res["presets"]:
            c = C[tag]["card"][p]["wv 500 nS"] if C.get(tag, {}).get("card") else None
            if not c or not c.get("nj"):
                continue
            rows.append([tag, p, "%.0f" % c["nj"], "%.0f %%" % (100 * c["dpu_nj"] / c["nj"]),
                         "%.0f" % c["base_nj"], "%.2f" % (c["nj"] / c["base_nj"]),
                         "%.2f uJ, %.1f ms" % (c["prog_uj"], c["prog_ms"])])
    return table(["model", "preset", "card nJ/inference", "digital unit share", "digital baseline nJ/inference",
                  "card / baseline", "programming (energy, card time)"], rows)


def render(results, args):
    L = ["# aimc QAT results", "",
         "Generated by `cd tools/qat && OPENBLAS_NUM_THREADS=1 nice -n 19 /usr/bin/python3 -m aimc_qat.results` "
         "(both data sets; `--datasets X`, `--quick`, `--md-only` re-renders from the saved runs). Do not edit by "
         "hand: every number below comes from that command (raw numbers, every model, every card run: "
         "`build/qat/results/<dataset>/`; an interrupted run resumes from there). One thread on 2 cores shared "
         "with other work.", "",
         "- **digital acc**: the trainer's explicit recurrence of the quantized model (the card's arithmetic in "
         "float); **card sim**: the exported file through the C runtime (`build/tools/aimc-run MODEL --device sim "
         "--preset P --seed S`, write-verify at 500 nS unless a column says otherwise) over the whole test split, "
         "mean ± sd over device seeds 1..n; **open-loop noise**: the trainer's model of open-loop programming and "
         "read noise of a preset (`aimc_presets.def`), the only place a float model meets analog noise (it has no "
         "codes to program).",
         "- **model bits**: every stored bit of the file (codes at their width, ternary as 2 bits; F32 values 32 "
         "bits; narrow vectors of format version 2 at their width plus one F32 scale each; the informational "
         "log_step excluded). Compression is against the d_model 64 float model's file.",
         "- **energy**: the device model's counters per inference (a sequence) on the card, beside the same model "
         "on a digital accelerator (`emulator/README.md`, \"Energy and modelled time\"; constants and sources in "
         "`emulator/model/aimc_presets.def`).", ""]
    for res in results:
        ds = res["dataset"]
        svg = "frontier-%s.svg" % ds
        svg_frontier(res, os.path.join(HERE, svg))
        L += ["## %s" % ds, "",
              "Mode: **%s**; the trainer's noise evaluated over seeds 1-%d, card runs over device seeds 1-%d; "
              "float and pruning trainings %.0f min (CPU time, one thread); load average at the end %.1f." % (
                  "quick" if res.get("quick") else "full", len(res["seeds"]), res.get("card_seeds", 2),
                  res.get("cpu_s", 0) / 60, res.get("load_avg", float("nan"))), "",
              "%d train / %d test; %s." % (res["info"]["n_train"], res["info"]["n_test"],
                                           res["info"].get("preprocessing", "")), ""]
        L += ["### Size x precision frontier (%s)" % ds, "",
              "d_model 8..64, 8..32 modes, 3 layers; fp32 and QAT at 8, 4, 2 bits and ternary, unpruned and "
              "pruned (half the channels, a quarter of the modes, fine-tuned); quantized models with the narrow "
              "widths chosen below. ![frontier](%s)" % svg, "", frontier_md(res), "",
              "### Narrow parameters (%s): how narrow the digital unit's numbers can be" % ds, "",
              "d_model 32, 16 modes, 4-bit QAT; the SSM parameters, the vectors (biases, norm) and the "
              "per-channel scales (weight, ADC, SSM) at the widths given; \"F32\": format version 1.", "",
              ablation_md(res), "",
              "### Claims per device preset (%s)" % ds, "",
              "Issue 7's model: d_model 64, 32 modes, 3 layers (pruned: 32 channels, 8 modes); noise-aware QAT "
              "trains with the named preset's noise at %sx." % 2, "", claims_md(res), "",
              "### Precision-aware write-verify (%s)" % ds, "",
              "The pruned QAT models; the fixed band is today's default (500 nS); precision-aware: each tile's "
              "band is the given share of its weight code step (`aimc-run --band-per-code`).", "", pa_md(res), "",
              "### Drift (%s)" % ds, "",
              "Programmed with write-verify, then the card idles (`aimc-run --age`); per-column and global "
              "compensation rescale the column gains to a reference measured after programming (aihwkit's "
              "method with the card's calibration registers, `aimc_net_compensate(3)`); refreshed: the cells "
              "re-verified before streaming.", "", drift_md(res), "",
              "### Energy per inference (%s)" % ds, "", energy_md(res), ""]
    done = {r["dataset"] for r in results}
    for ds in ("digits", "kws"):
        if ds not in done:
            L += ["## %s" % ds, "",
                  "**Not in this run**: the sweep of this data set has not finished (`--datasets %s` runs or "
                  "resumes it; it writes this file again with both)." % ds, ""]
    return "\n".join(L) + "\n"
