"""The example tools/examples/python/digits_drift.py runs as documented (its
--quick form): accuracy, programming statistics, drift against refresh,
telemetry, and the plot when matplotlib is installed."""
import importlib.util
import os
import re
import subprocess
import sys

from conftest import REPO, sim_only

EXAMPLE = os.path.join(REPO, "tools", "examples", "python", "digits_drift.py")


def test_digits_drift_example(tmp_path):
    sim_only()
    png = tmp_path / "drift.png"
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "runtime", "python"))
    r = subprocess.run([sys.executable, EXAMPLE, "--quick", "--plot", str(png)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "model: digits-qat4-pruned.safetensors (4-bit weights, 12992 cells on 2 tiles)"
    assert re.match(r"programming: 99\.\d\d % of the cells within the band after \d+ rounds", lines[1])
    accuracy = float(re.match(r"accuracy: ([\d.]+) % on 50 test sequences$", lines[2]).group(1))
    assert accuracy > 90
    drifted, refreshed = zip(*(map(float, m) for m in re.findall(
        r"drifting: +([\d.]+) %   refreshed: +([\d.]+) %", r.stdout)))
    assert len(drifted) == 2
    assert drifted[-1] < accuracy - 20 and min(refreshed) > accuracy - 5
    assert re.search(r"^card: \d+ commands, [\d.]+ ms busy, \d+ pulses, \d+ jobs, virtual clock 1 y$",
                     r.stdout, re.M)
    if importlib.util.find_spec("matplotlib") is None:
        assert lines[-1].startswith("no plot: matplotlib is not installed")
    else:
        assert lines[-1] == "plot: %s" % png
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
