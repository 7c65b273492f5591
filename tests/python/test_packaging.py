"""The package as installed and documented: its version is the project's
(dkms.conf, pyproject.toml), every public name has a docstring help()
shows, the package has no compiled part, and the README's example runs."""
import inspect
import os
import re
import subprocess
import sys

from conftest import REPO, sim_only

import aimc

PACKAGE = os.path.join(REPO, "runtime", "python")


def test_version_is_the_projects():
    dkms = open(os.path.join(REPO, "dkms.conf")).read()
    assert re.search(r'^PACKAGE_VERSION="(.*)"', dkms, re.M).group(1) == aimc.__version__
    pyproject = open(os.path.join(PACKAGE, "pyproject.toml")).read()
    assert 'version = {attr = "aimc._version.__version__"}' in pyproject


def test_every_public_name_is_documented():
    undocumented = []
    for name in aimc.__all__:
        obj = getattr(aimc, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if not (obj.__doc__ or "").strip():
                undocumented.append(name)
            for attr, member in vars(obj).items() if inspect.isclass(obj) else ():
                if (not attr.startswith("_") and callable(member)
                        and not (member.__doc__ or "").strip()):
                    undocumented.append("%s.%s" % (name, attr))
    assert undocumented == []
    assert "import numpy as np, aimc" in aimc.__doc__


def test_pure_python():
    files = os.listdir(os.path.join(PACKAGE, "aimc"))
    assert [f for f in files if not f.endswith(".py") and f != "__pycache__"] == []


def test_the_readmes_example_runs():
    """The ten lines of README.md's Python section, as written there."""
    sim_only()
    readme = open(os.path.join(REPO, "README.md")).read()
    section = readme[readme.index("## Python: the aimc package"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 11
    env = dict(os.environ, PYTHONPATH=PACKAGE)
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert float(lines[0]) > 99 and lines[1] == "0.96" and lines[2].startswith("Telemetry(")
