"""The package's ctypes mirror (aimc/_capi.py) against the C headers and the
symbol map: every function with its version, every struct member in order
with its type's width, every constant.  A header change not made in the
package fails here, not at a user's call."""
import ctypes
import os
import re

import pytest

from conftest import REPO

from aimc import _capi

INCLUDE = os.path.join(REPO, "runtime", "include")
HEADERS = "".join(open(os.path.join(INCLUDE, h)).read()
                  for h in ("aimc.h", "aimc_net.h", "aimc_stream.h"))
C_TYPES = {"uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64, "int32_t": ctypes.c_int32,
           "double": ctypes.c_double, "char": ctypes.c_char}


def header_functions():
    return sorted(set(re.findall(r"^[a-z].*?[ *](aimc_[a-z0-9_]+)\(", HEADERS, re.M)))


def header_struct(name):
    """[(member, C type, array length or None)] of ``struct name`` in the headers."""
    body = re.search(r"struct %s \{(.*?)\n\};" % name, HEADERS, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    members = []
    for decl in body.split(";"):
        m = re.match(r"\s*(\w+)\s+(\w+)(?:\[(\w+)\])?\s*$", decl)
        if m:
            members.append((m.group(2), m.group(1), m.group(3)))
    return members


def test_every_header_function_is_bound_and_nothing_else():
    assert sorted(_capi.FUNCTIONS) == header_functions()


def test_symbol_versions_are_the_maps():
    text = open(os.path.join(REPO, "runtime", "libaimc.map")).read()
    nodes = re.findall(r"^(AIMC_[0-9.]+) \{(.*?)\}", text, re.M | re.S)
    version_of = {name: node for node, body in nodes
                  for name in re.findall(r"^\s*(aimc_\w+);", body, re.M)}
    assert {n: v[0] for n, v in _capi.FUNCTIONS.items()} == version_of
    assert "AIMC_%d.%d" % _capi.API_VERSION == max(version_of.values())


@pytest.mark.parametrize("struct, mirror", [
    ("aimc_device_info", _capi.DeviceInfoStruct),
    ("aimc_sim_options", _capi.SimOptionsStruct),
    ("aimc_device_telemetry", _capi.TelemetryStruct),
    ("aimc_model_info", _capi.ModelInfoStruct),
    ("aimc_net_info", _capi.NetInfoStruct),
    ("aimc_program_params", _capi.ProgramParamsStruct),
    ("aimc_program_progress", _capi.ProgramProgressStruct),
    ("aimc_program_stats", _capi.ProgramStatsStruct),
    ("aimc_refresh_policy", _capi.RefreshPolicyStruct),
])
def test_structs_match_the_headers(struct, mirror):
    want = header_struct(struct)
    got = mirror._fields_
    assert [f[0] for f in got] == [w[0] for w in want]
    for (name, ctype), (_, c_name, length) in zip(got, want):
        base = C_TYPES[c_name]
        expect = base * int(length) if length else base
        assert ctypes.sizeof(ctype) == ctypes.sizeof(expect), name
        assert getattr(ctype, "_type_", ctype) in (base, getattr(base, "_type_", base)), name


def test_constants_match_the_headers():
    defines = dict(re.findall(r"^#define\s+(AIMC_\w+)\s+(\S+)", HEADERS, re.M))
    mirrored = {k: v for k, v in vars(_capi).items() if k.startswith("AIMC_")}
    assert mirrored
    for name, value in mirrored.items():
        text = defines[name].rstrip("u").rstrip("ull")
        expect = -(1 << 31) if text == "INT32_MIN" else int(text, 0)
        assert value == expect, name
    assert (_capi.BACKEND_AUTO, _capi.BACKEND_DRM, _capi.BACKEND_SIM) == tuple(
        int(v) for v in re.findall(r"AIMC_BACKEND_\w+ = (\d)", HEADERS))
    assert _capi.API_VERSION == (int(defines["AIMC_API_VERSION_MAJOR"]),
                                 int(defines["AIMC_API_VERSION_MINOR"]))


def test_every_function_is_called_by_the_package():
    package = os.path.join(REPO, "runtime", "python", "aimc")
    source = "".join(open(os.path.join(package, f)).read() for f in os.listdir(package)
                     if f.endswith(".py") and f != "_capi.py")
    unused = [f for f in _capi.FUNCTIONS if not re.search(r"\b%s\b" % f, source)]
    assert unused == []
