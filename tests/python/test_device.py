"""Devices: discovery, opening by backend, index, node and sim options,
identity, telemetry, the sim's clock, and every refusal with its errno."""
import errno
import os

import numpy as np
import pytest

from conftest import (BACKEND, DRM_CARD_NOISE_FREE, MODEL, REPO, drm_only, open_card, sequence,
                      sim_only)

import aimc


def test_counts_and_names():
    cards = aimc.device_count("drm")
    assert cards >= (1 if BACKEND == "drm" else 0)
    assert aimc.device_count("sim") == 1
    assert aimc.device_count(aimc.Backend.AUTO) == (cards or 1)
    assert [aimc.backend_name(b) for b in aimc.Backend] == ["auto", "drm", "sim"]
    assert aimc.backend_name(9) == "unknown"
    assert [i.node for i in aimc.devices("sim")] == ["sim"]
    assert len(aimc.devices("drm")) == cards


def test_auto_opens_a_card_or_the_sim():
    with aimc.open() as d:
        assert d.backend == (aimc.Backend.DRM if aimc.device_count("drm") else aimc.Backend.SIM)


def test_no_card_is_enodev():
    if aimc.device_count("drm"):
        pytest.skip("a card is present")
    with pytest.raises(aimc.AimcError) as e:
        aimc.open("drm")
    assert e.value.errno == errno.ENODEV
    assert e.value.strerror == ("aimc_device_open: no AIMC card found (is aimc.ko loaded? "
                                "try: modprobe aimc)")
    assert e.value.function == "aimc_device_open"


def test_sim_has_one_device():
    with pytest.raises(aimc.AimcError) as e:
        aimc.open("sim", 1)
    assert e.value.errno == errno.ENODEV
    assert "one device" in e.value.strerror


def uapi_abi_major():
    """AIMC_ABI_VERSION_MAJOR of the tree's uapi header (the sim reports it)."""
    header = os.path.join(REPO, "uapi", "drm", "aimc_accel.h")
    with open(header) as f:
        for line in f:
            words = line.split()
            if words[:2] == ["#define", "AIMC_ABI_VERSION_MAJOR"]:
                return int(words[2])
    raise AssertionError("no AIMC_ABI_VERSION_MAJOR in " + header)


def test_sim_info_follows_the_options():
    sim_only()
    with aimc.open_sim(seed=5, tiles=3, rows=128, cols=64, slots=4) as d:
        i = d.info
        assert (i.backend, i.node, i.num_tiles, i.tile_rows, i.tile_cols, i.stream_slots) == (
            aimc.Backend.SIM, "sim", 3, 128, 64, 4)
        assert i.device_id == 0x41494d43
        assert i.serial == 0xf0000005
        assert i.g_max_nsiemens > i.g_min_nsiemens
        assert i.abi_version[0] == uapi_abi_major()
        assert "3 tiles of 128x64" in repr(d)


def test_drm_info_names_its_node():
    drm_only()
    with aimc.open("drm") as d:
        assert d.info.node.startswith(("/dev/accel/accel", "/dev/dri/renderD"))
        with aimc.open_node(d.info.node) as again:
            assert again.info == d.info


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(seed=-1), aimc.InvalidArgumentError, "open_sim: seed -1: 0..18446744073709551615"),
    (dict(tiles=1.5), aimc.ArgumentTypeError, "open_sim: tiles must be an int, not float"),
    (dict(rows=1 << 32), aimc.InvalidArgumentError, "open_sim: rows 4294967296: 0..4294967295"),
])
def test_sim_options_checked_before_the_library(kwargs, exc, message):
    with pytest.raises(exc) as e:
        aimc.open_sim(**kwargs)
    assert (e.value.errno, e.value.strerror) == (errno.EINVAL, message)


def test_sim_options_the_library_refuses():
    with pytest.raises(aimc.InvalidArgumentError) as e:
        aimc.open_sim(cols=7)       # physical columns come in pairs
    assert e.value.errno == errno.EINVAL
    assert e.value.strerror.startswith("aimc_device_open_sim: options: a configuration the "
                                       "device model refuses")


@pytest.mark.parametrize("backend", ["gpu", 7, None])
def test_unknown_backend(backend):
    with pytest.raises(aimc.InvalidArgumentError) as e:
        aimc.open(backend)
    assert e.value.strerror == "open: backend %r: auto, drm or sim" % (backend,)


def test_open_node_errors():
    with pytest.raises(aimc.NoSuchFileError) as e:
        aimc.open_node("/nonexistent/renderD128")
    assert e.value.errno == errno.ENOENT
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(aimc.AimcError) as e:
        aimc.open_node("/dev/null")
    assert e.value.errno == errno.ENODEV
    assert "not an AIMC device" in e.value.strerror


def test_telemetry_follows_the_work():
    with open_card(noise_free=False) as d:
        t0 = d.telemetry()
        if BACKEND == "sim":
            assert (t0.commands, t0.busy_ns, t0.jobs_done, t0.temperature_mc) == (0, 0, 0, None)
        with d.load(MODEL) as net:
            t1 = d.telemetry()
            assert t1.tiles_in_use >= t0.tiles_in_use + net.info().tiles
            assert t1.pulses > t0.pulses and t1.commands > t0.commands
            with net.stream() as s:
                assert d.telemetry().slots_in_use >= t0.slots_in_use + 1
                s.run(sequence())
                t2 = d.telemetry()
        assert t2.jobs_done >= t1.jobs_done + 2 and t2.busy_ns > t1.busy_ns
        assert d.telemetry().tiles_in_use == t0.tiles_in_use
        assert d.telemetry().slots_in_use == t0.slots_in_use


def test_presets_and_energy():
    assert aimc.sim_preset_names() == ["pcm", "rram"]
    with open_card() as d:
        t0 = d.telemetry()
        if BACKEND == "drm":
            # a card: its total in whole nanojoules (telemetry/energy_nj),
            # no kinds, no preset
            assert (t0.energy_by_kind_fj, t0.preset) == (None, None)
            assert t0.energy_fj % 10 ** 6 == 0
        else:
            assert (t0.energy_fj, t0.preset) == (0, "pcm")
        with d.load(MODEL) as net:
            t1 = d.telemetry()
            with net.stream() as s:
                s.run(sequence())
        t2 = d.telemetry()
        # programming and every inference cost energy (2 nJ is far below
        # either: the card rounds to whole nanojoules)
        assert t1.energy_fj > t0.energy_fj + 2 * 10 ** 6
        assert t2.energy_fj > t1.energy_fj + 2 * 10 ** 6
        if BACKEND == "drm":
            return
        assert t2.energy_fj == sum(t2.energy_by_kind_fj.values())
        assert min(t2.energy_by_kind_fj.values()) > 0
    with aimc.open_sim(preset="rram") as d:
        assert (d.info.g_max_nsiemens, d.telemetry().preset) == (40000, "rram")
    with pytest.raises(aimc.InvalidArgumentError) as e:
        aimc.open_sim(preset="taox")
    assert e.value.strerror == "open_sim: preset 'taox': one of pcm, rram"


def test_noise_free_card_energy_is_the_sims():
    """The same work on a noise-free card and on a noise-free sim card of its
    geometry costs the same energy: the card counts the sim's femtojoules
    and reports whole nanojoules, rounded down, so a difference of two
    readings is within 1 nJ of the sim's."""
    drm_only()
    if not DRM_CARD_NOISE_FREE:
        pytest.skip("needs a noise-free card (AIMC_TEST_CARD_NOISE_FREE=1): "
                    "programming noise changes the cells' read energy")
    spent = {}
    with aimc.open("drm") as card:
        i = card.info
        sim = aimc.open_sim(noise_free=True, tiles=i.num_tiles, rows=i.tile_rows,
                            cols=i.tile_cols, slots=i.stream_slots)
        for name, d in (("drm", card), ("sim", sim)):
            t0 = d.telemetry().energy_fj
            with d.load(MODEL) as net, net.stream() as s:
                for phase in range(4):
                    s.run(sequence(phase=phase / 4))
            spent[name] = d.telemetry().energy_fj - t0
        sim.close()
    assert spent["sim"] > 10 ** 9           # more than 1 uJ: not a trivial match
    assert abs(spent["drm"] - spent["sim"]) < 10 ** 6, spent


def test_card_temperature():
    drm_only()
    with aimc.open("drm") as d:
        assert 40000 <= d.telemetry().temperature_mc < 50000


def test_advance_clock_ages_and_drifts():
    sim_only()
    x = sequence()
    with aimc.open_sim(seed=3) as d, d.load(MODEL) as net, net.stream() as s:
        age, clock = net.info().age_ns, d.telemetry().clock_ns
        before = s.run(x)
        read_noise = np.abs(s.run(x) - before).mean()   # the same input again, no drift
        d.advance_clock(30)
        assert d.telemetry().clock_ns == clock + 30 * 10 ** 9
        info = net.info()
        assert (info.age_ns, info.refresh_due) == (age + 30 * 10 ** 9, True)
        d.advance_clock(365 * 86400.0)      # a year of drift moves the logits far more
        assert np.abs(s.run(x) - before).mean() > 5 * read_noise


def test_advance_clock_refusals():
    with open_card() as d:
        with pytest.raises(aimc.InvalidArgumentError) as e:
            d.advance_clock(-1)
        assert e.value.strerror == ("Device.advance_clock: seconds -1 s: 0 or more, "
                                    "below 2**64 ns")
        with pytest.raises(aimc.ArgumentTypeError):
            d.advance_clock("1 s")
        if BACKEND == "drm":
            with pytest.raises(aimc.AimcError) as e:
                d.advance_clock(1)
            assert e.value.errno == errno.EOPNOTSUPP
            assert "wall time" in e.value.strerror


def test_closed_device():
    d = open_card()
    d.close()
    d.close()                       # again: nothing
    assert d.closed
    for name, call in (("telemetry", d.telemetry), ("advance_clock", lambda: d.advance_clock(1)),
                       ("load", lambda: d.load(MODEL))):
        with pytest.raises(aimc.ClosedHandleError) as e:
            call()
        assert (e.value.errno, e.value.strerror) == (errno.EBADF,
                                                     "Device.%s: the device is closed" % name)
        assert isinstance(e.value, ValueError)
    assert "closed" not in repr(d.info)     # the identity stays readable
