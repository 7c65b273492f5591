"""The package as installed and documented: its version is the project's
(dkms.conf, pyproject.toml), every public name has a docstring help()
shows, and the package has no compiled part."""
import inspect
import os
import re

from conftest import REPO

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
