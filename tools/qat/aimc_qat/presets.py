"""The device presets of emulator/model/aimc_presets.def, read from that file.

The device model compiles the same file (an X-macro list), so the trainer's noise-aware training
and the card cannot disagree on a preset's numbers: nothing here is a copy.
`tools/qat/check_presets.sh` changes one number in a copy of the file and checks that both
follow.

    python3 -m aimc_qat.presets                       every preset, resolved, as JSON
    python3 -m aimc_qat.presets --preset rram --field read_sigma_abs_ns
    python3 -m aimc_qat.presets --markdown            the tables with their sources
    (--def FILE reads another copy of the file)
"""
import argparse
import json
import os
import re
import sys

DEF_PATH = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                         "emulator", "model", "aimc_presets.def"))

_STR = r'"(?:[^"\\]|\\.)*"'
_STRS = r'((?:\s*' + _STR + r')+)'
_RE_PRESET = re.compile(r'AIMC_PRESET\(\s*(\w+)\s*,\s*(' + _STR + r')\s*,' + _STRS + r'\s*\)')
_RE_P = re.compile(r'AIMC_P\(\s*(\w+)\s*,\s*([a-z0-9_]+(?:\[\d+\])*)\s*,\s*(-?\d+)\s*,' + _STRS + r'\s*\)')
_RE_BASE = re.compile(r'AIMC_BASELINE\(\s*(\w+)\s*,\s*(-?\d+)\s*,' + _STRS + r'\s*\)')


def _cstr(lits):
    return "".join(json.loads(m) for m in re.findall(_STR, lits))


def parse(path=None):
    """{'presets': {name: {'id', 'what', 'set': {field: value}, 'sources': {field: source}}},
    'order': [names], 'baseline': {name: (value, source)}}, exactly as the file says."""
    text = open(path or DEF_PATH).read()
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    presets, order, by_id = {}, [], {}
    for m in _RE_PRESET.finditer(text):
        name = _cstr(m.group(2))
        presets[name] = {"id": m.group(1), "what": _cstr(m.group(3)), "set": {}, "sources": {}}
        order.append(name)
        by_id[m.group(1)] = name
    for m in _RE_P.finditer(text):
        if m.group(1) not in by_id:
            raise ValueError("AIMC_P for undeclared preset %s" % m.group(1))
        p = presets[by_id[m.group(1)]]
        p["set"][m.group(2)] = int(m.group(3))
        p["sources"][m.group(2)] = _cstr(m.group(4))
    baseline = {m.group(1): (int(m.group(2)), _cstr(m.group(3))) for m in _RE_BASE.finditer(text)}
    n_lines = len(re.findall(r'^\s*AIMC_(?:PRESET|P|BASELINE)\(', text, flags=re.M))
    if n_lines != len(order) + sum(len(p["set"]) for p in presets.values()) + len(baseline):
        raise ValueError("%s: a line did not parse (%d entries, %d parsed)" % (
            path or DEF_PATH, n_lines, len(order) + sum(len(p["set"]) for p in presets.values())
            + len(baseline)))
    return {"presets": presets, "order": order, "baseline": baseline}


def resolve(name, path=None, parsed=None):
    """Every field any preset sets, as preset `name` leaves it: 0 (the configuration starts
    zeroed), then the first preset's values, then its own (as aimc_model_config_preset() applies
    them)."""
    d = parsed or parse(path)
    if name not in d["presets"]:
        raise KeyError("unknown preset %r (have: %s)" % (name, ", ".join(d["order"])))
    out = {f: 0 for n in d["order"] for f in d["presets"][n]["set"]}
    out.update(d["presets"][d["order"][0]]["set"])
    out.update(d["presets"][name]["set"])
    return out


def names(path=None):
    return parse(path)["order"]


class DeviceNoise:
    """What the trainer's crossbar noise needs from a preset, in units of g_max.

    prog: open-loop programming sigma polynomial c0..c4 (x = g/g_max), divided by g_max;
    read_rel: read sigma per unit of g; read_abs: the absolute read sigma over g_max.
    """

    def __init__(self, name="pcm", path=None):
        f = resolve(name, path)
        self.name = name
        self.g_max_ns = f["g_max_ns"]
        self.g_min_ns = f["g_min_ns"]
        self.prog = [f["prog_sigma_c%d_ns" % i] / self.g_max_ns for i in range(5)]
        self.read_rel = f["read_sigma_rel_ppm"] * 1e-6
        self.read_abs = f["read_sigma_abs_ns"] / self.g_max_ns
        self.fields = f

    def prog_sigma(self, g_rel):
        c = self.prog
        return c[0] + g_rel * (c[1] + g_rel * (c[2] + g_rel * (c[3] + g_rel * c[4])))

    def describe(self):
        return ("%s: g_max %.1f uS, programming sigma %s (x = G/g_max, uS), read sigma %.2g G + %.3g uS"
                % (self.name, self.g_max_ns / 1000.0,
                   " ".join("%+.4g" % (c * self.g_max_ns / 1000.0) for c in self.prog),
                   self.read_rel, self.read_abs * self.g_max_ns / 1000.0))


def markdown(path=None):
    d = parse(path)
    lines = []
    for name in d["order"]:
        p = d["presets"][name]
        lines.append("**%s**: %s\n" % (name, p["what"]))
        lines.append("| field | value | source |")
        lines.append("|---|---:|---|")
        for k, v in p["set"].items():
            lines.append("| `%s` | %d | %s |" % (k, v, p["sources"][k]))
        lines.append("")
    lines.append("**digital baseline**\n")
    lines.append("| constant | value | source |")
    lines.append("|---|---:|---|")
    for k, (v, src) in d["baseline"].items():
        lines.append("| `%s` | %d | %s |" % (k, v, src))
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--def", dest="path", default=None, help="the presets file (default: the tree's)")
    ap.add_argument("--preset", default=None)
    ap.add_argument("--field", default=None)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--lines", action="store_true",
                    help="'preset field value' for every field any preset sets (presets_probe's format)")
    a = ap.parse_args(argv)
    if a.markdown:
        sys.stdout.write(markdown(a.path))
        return 0
    if a.lines:
        d = parse(a.path)
        for n in d["order"]:
            r = resolve(n, parsed=d)
            for n2 in d["order"]:
                for f in d["presets"][n2]["set"]:
                    print(n, f, r[f])
        return 0
    d = parse(a.path)
    if a.preset and a.field:
        print(resolve(a.preset, parsed=d)[a.field])
        return 0
    out = {n: resolve(n, parsed=d) for n in ([a.preset] if a.preset else d["order"])}
    print(json.dumps(out, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
