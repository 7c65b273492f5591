"""Finding and loading libaimc: the loaded library is the one asked for,
its release is the package's, and a missing library, one of another ABI
(API 1) or an older 2.x each give a LibraryError that says which, at the
first call; ``import aimc`` and ``help`` work without any library."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

import aimc
from aimc import _capi

PACKAGE_DIR = os.path.join(REPO, "runtime", "python")


def run_python(code, library):
    """Run ``code`` in a fresh interpreter with AIMC_LIBRARY=library."""
    env = dict(os.environ, AIMC_LIBRARY=library, PYTHONPATH=PACKAGE_DIR)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)


def stub_library(tmp_path, version_of):
    """A shared library defining the API's functions (doing nothing), each
    at the symbol version ``version_of(name, added_in)`` returns, or left
    out where it returns None."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler to build a stub libaimc")
    nodes = {}
    lines = []
    for name, (added, restype, _) in _capi.FUNCTIONS.items():
        node = version_of(name, added)
        if node is None:
            continue
        nodes.setdefault(node, []).append(name)
        lines.append('const char *%s(void) { return "0.9-stub"; }' % name if name == "aimc_version"
                     else "int %s(void) { return 0; }" % name)
    (tmp_path / "stub.c").write_text("\n".join(lines) + "\n")
    (tmp_path / "stub.map").write_text("".join(
        "%s { global: %s; local: *; };\n" % (node, "; ".join(names))
        for node, names in sorted(nodes.items())))
    out = tmp_path / "libaimc.so.2"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(tmp_path / "stub.c"),
                    "-Wl,--version-script=" + str(tmp_path / "stub.map")], check=True)
    return str(out)


def test_loaded_library_is_this_release():
    assert aimc.library_version() == aimc.__version__
    if os.environ.get("AIMC_LIBRARY"):
        assert os.path.realpath(aimc.library_path()) == os.path.realpath(
            os.environ["AIMC_LIBRARY"])
    assert aimc.API_VERSION == (2, 1)


def test_missing_library_is_a_clear_error():
    r = run_python("import aimc\ntry:\n    aimc.open_sim()\nexcept ImportError as e:\n"
                   "    print(type(e).__name__, e)", "/nonexistent/libaimc.so.2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("LibraryError aimc: libaimc.so.2 not found (looked at "
                               "$AIMC_LIBRARY=/nonexistent/libaimc.so.2")
    assert "set AIMC_LIBRARY" in r.stdout


def test_older_library_is_named_too_old(tmp_path):
    lib = stub_library(tmp_path, lambda name, added: added if added == "AIMC_2.0" else None)
    r = run_python("import aimc\ntry:\n    aimc.open_sim()\nexcept aimc.LibraryError as e:\n"
                   "    print(e)", lib)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (
        "aimc: %s (libaimc 0.9-stub) is older than this package: it lacks "
        "aimc_device_telemetry@AIMC_2.1; this package needs libaimc API 2.1: install the "
        "libaimc of its release" % lib)


def test_api_1_library_is_refused(tmp_path):
    lib = stub_library(tmp_path, lambda name, added: "AIMC_1.0")
    r = run_python("import aimc\ntry:\n    aimc.device_count()\nexcept aimc.LibraryError as e:\n"
                   "    print(e)", lib)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ("aimc: %s is not libaimc API 2 (no aimc_device_count@AIMC_2.0): "
                                "this package needs libaimc.so.2" % lib)


def test_import_and_help_need_no_library():
    r = run_python("import aimc, pydoc\ntext = pydoc.render_doc(aimc.Stream)\n"
                   "print('push' in text and 'float32' in text)", "/nonexistent/libaimc.so.2")
    assert (r.returncode, r.stdout.strip()) == (0, "True"), r.stderr


def test_handles_left_open_at_exit_are_closed():
    code = ("import aimc, numpy as np\nd = aimc.open_sim(seed=1)\n"
            "n = d.load(%r)\ns = n.stream()\ns.submit(np.zeros((4, 1), np.float32))\n"
            "print('ok')" % os.path.join(REPO, "tools", "qat", "models",
                                         "digits-qat4-pruned.safetensors"))
    r = run_python(code, os.environ.get("AIMC_LIBRARY", _capi.SONAME))
    assert (r.returncode, r.stdout, r.stderr) == (0, "ok\n", "")
