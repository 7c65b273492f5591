"""Nets: model files described and refused, loading, write-verify with its
parameters, progress (callback, tqdm, text, cancelling) and statistics,
refresh and the refresh policy, a closed net."""
import errno
import sys

import numpy as np
import pytest

from conftest import BACKEND, FLOAT_MODEL, MODEL, open_card, sequence, sim_only

import aimc


def test_model_info_without_a_device():
    mi = aimc.model_info(MODEL)
    assert mi == aimc.ModelInfo(d_input=1, d_output=32, n_classes=10, n_layers=3, crossbars=5,
                                weights=6496, weight_bits=4, max_chunk=1024)
    assert aimc.model_info(FLOAT_MODEL).weight_bits == 0     # described, not runnable


def not_a_model(tmp_path):
    path = tmp_path / "notes.safetensors"
    path.write_text("hello, this is text\n")
    return str(path)


def truncated_model(tmp_path):
    path = tmp_path / "truncated.safetensors"
    path.write_bytes(open(MODEL, "rb").read()[:-100])
    return str(path)


@pytest.mark.parametrize("make, exc, err, says", [
    (lambda tmp: "/nonexistent/m.safetensors", aimc.NoSuchFileError, errno.ENOENT,
     "/nonexistent/m.safetensors"),
    (not_a_model, aimc.InvalidArgumentError, errno.EINVAL, "not a model file"),
    (truncated_model, aimc.InvalidArgumentError, errno.EINVAL, "truncated.safetensors"),
])
def test_bad_model_files(tmp_path, card, make, exc, err, says):
    path = make(tmp_path)
    for function, call in (("aimc_model_info", lambda: aimc.model_info(path)),
                           ("aimc_net_open", lambda: card.load(path))):
        with pytest.raises(exc) as e:
            call()
        assert e.value.errno == err
        assert e.value.function == function
        assert says in e.value.strerror
    assert card.telemetry().tiles_in_use == 0 or BACKEND == "drm"


def test_float_model_cannot_be_loaded(card):
    with pytest.raises(aimc.InvalidArgumentError) as e:
        card.load(FLOAT_MODEL)
    assert e.value.strerror == ("aimc_net_open: %s is a float model: only quantized models "
                                "have codes to program" % FLOAT_MODEL)


def test_model_too_large_for_the_card():
    sim_only()
    with aimc.open_sim(tiles=1, rows=64, cols=64) as d:
        with pytest.raises(aimc.AimcError) as e:
            d.load(MODEL)
        assert e.value.errno == errno.ENOSPC
        assert "does not fit: its 12992 cells take 4 tiles of 64 x 64" in e.value.strerror


def test_tiles_held_by_another_net():
    sim_only()
    with aimc.open_sim(tiles=2) as d, d.load(MODEL):
        with pytest.raises(aimc.AimcError) as e:
            d.load(MODEL)
        assert e.value.errno == errno.EBUSY
        assert "needs 2 tiles, only 0 are free" in e.value.strerror


def test_info_of_a_loaded_net(net):
    i = net.info()
    assert (i.d_input, i.d_output, i.n_classes, i.n_layers, i.crossbars) == (1, 32, 10, 3, 5)
    assert (i.cells, i.max_chunk, i.programmed) == (12992, 1024, True)
    assert i.tiles >= 1 and i.slots_per_stream >= 1 and i.mvms_per_step == 4
    assert (net.d_input, net.d_output, net.n_classes, net.max_chunk) == (1, 32, 10, 1024)
    assert net.path == MODEL and net.device is not None
    assert repr(net).startswith("<aimc.Net digits-qat4-pruned.safetensors on ")


def test_unprogrammed_net_is_enodata(card):
    with card.load(MODEL, program=False) as net:
        assert net.info().programmed is False
        for function, call in (("aimc_net_program_stats", net.program_stats),
                               ("aimc_net_refresh", net.refresh),
                               ("aimc_stream_open", net.stream)):
            with pytest.raises(aimc.AimcError) as e:
                call()
            assert (e.value.errno, e.value.function) == (errno.ENODATA, function)
        stats = net.program()
        assert net.info().programmed is True
        assert stats == net.program_stats()


def test_program_params_defaults_and_refusals(card):
    assert aimc.ProgramParams.defaults() == aimc.ProgramParams(
        tolerance_nsiemens=500, max_rounds=40, max_pulses_per_cell=1500,
        max_pulses_per_round=31, mode=aimc.ProgramMode(0), stall_rounds=8,
        band_per_code_pct=0)
    with card.load(MODEL, program=False) as net:
        with pytest.raises(aimc.InvalidArgumentError) as e:
            net.program(aimc.ProgramParams(max_rounds=0))
        assert e.value.strerror == "aimc_net_program: params: max_rounds 0: must be 1..1000"
        with pytest.raises(aimc.InvalidArgumentError) as e:
            net.program(aimc.ProgramParams(tolerance_nsiemens=-5))
        assert e.value.strerror == "Net.program: tolerance_nsiemens -5: 0..4294967295"
        assert net.info().programmed is False


def test_open_loop_and_write_verify_differ():
    sim_only()
    with aimc.open_sim(seed=2) as d, d.load(MODEL, program=False) as net:
        open_loop = net.program(aimc.ProgramParams(mode=aimc.ProgramMode.OPEN_LOOP))
        assert (open_loop.rounds, open_loop.pulses) == (0, 0)
        wv = net.program(aimc.ProgramParams(tolerance_nsiemens=500))
        assert wv.rounds > 0 and wv.pulses > 0
        assert wv.in_tolerance_pct > open_loop.in_tolerance_pct
        assert wv.cells_used == 12992


def test_precision_aware_bands():
    sim_only()
    with aimc.open_sim(seed=2) as d, d.load(MODEL, program=False) as net:
        fixed = net.program(aimc.ProgramParams(tolerance_nsiemens=500))
        assert fixed.tolerance_min_nsiemens == fixed.tolerance_max_nsiemens == 500
        pa = net.program(aimc.ProgramParams(tolerance_nsiemens=500, band_per_code_pct=50,
                                            mode=aimc.ProgramMode.PRECISION_AWARE))
        # 4-bit weights: half a code step is far wider than 500 nS, and fewer pulses do
        assert pa.tolerance_min_nsiemens > 500 and pa.pulses < fixed.pulses


def test_drift_compensation():
    sim_only()
    x = sequence()
    with aimc.open_sim(seed=4) as d, d.load(MODEL) as net, net.stream() as s:
        fresh = s.run(x)
        net.compensate(reference=True)      # the reference response, fresh
        d.advance_clock(3600)               # an hour of drift: the logits move,
        drifted = s.run(x)
        net.compensate()                    # per column: most of the way back
        assert np.abs(s.run(x) - fresh).mean() < 0.5 * np.abs(drifted - fresh).mean()
        net.compensate(per_column=False)    # one factor per crossbar: less so
        assert np.abs(s.run(x) - fresh).mean() < np.abs(drifted - fresh).mean()
    with aimc.open_sim(seed=4) as d, d.load(MODEL, program=False) as net:
        with pytest.raises(aimc.AimcError) as e:
            net.compensate()
        assert e.value.errno == errno.ENODATA


@pytest.fixture
def noisy_card():
    """A card with programming noise: write-verify runs rounds on it."""
    with open_card(seed=1, noise_free=False) as d:
        yield d


def test_progress_callback_sees_every_job(noisy_card):
    seen = []
    with noisy_card.load(MODEL, progress=seen.append) as net:
        stats = net.program_stats()
    # one call per job: the first of each tile, then each verify round
    assert stats.rounds > 0 and len(seen) >= stats.tiles_used + stats.rounds
    assert [p.round for p in seen if p.tile_index == 0] == list(range(len(
        [p for p in seen if p.tile_index == 0])))
    assert all(isinstance(p, aimc.ProgramProgress) for p in seen)
    done = [p.cells_done for p in seen]
    assert done == sorted(done) and done[-1] == seen[-1].cells_total
    assert {p.tiles for p in seen} == {stats.tiles_used}


class Stop(Exception):
    pass


def test_progress_exception_cancels(noisy_card):
    calls = []

    def stop_at_third(p):
        calls.append(p)
        if len(calls) % 3 == 0:
            raise Stop("enough")

    tiles = noisy_card.telemetry().tiles_in_use
    with noisy_card.load(MODEL, program=False) as net:
        with pytest.raises(Stop, match="enough"):
            net.program(progress=stop_at_third)
        assert len(calls) == 3      # no call after the one that raised
        assert net.info().programmed is False
    with pytest.raises(Stop):       # load closes the net it could not program
        noisy_card.load(MODEL, progress=stop_at_third)
    assert noisy_card.telemetry().tiles_in_use == tiles


def test_progress_bar_with_tqdm(card, capfd):
    pytest.importorskip("tqdm")
    with card.load(MODEL, progress=True):
        pass
    err = capfd.readouterr().err
    assert "programming digits-qat4-pruned.safetensors:" in err and "cell" in err


def test_progress_text_without_tqdm(card, capfd, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)      # import tqdm now fails
    with card.load(MODEL, progress=True):
        pass
    lines = capfd.readouterr().err.splitlines()
    assert lines[-1].startswith("programming digits-qat4-pruned.safetensors: 100 % (tile ")
    assert 2 <= len(lines) <= 11


def test_progress_must_be_callable(card):
    with pytest.raises(aimc.ArgumentTypeError) as e:
        card.load(MODEL, progress=5)
    assert e.value.strerror == ("programming digits-qat4-pruned.safetensors: progress must be "
                                "None, True or a callable, not 5")
    assert card.telemetry().tiles_in_use == 0 or BACKEND == "drm"


def test_refresh_restarts_the_age(card):
    with card.load(MODEL) as net:
        seen = []
        stats = net.refresh(progress=seen.append)
        assert seen and stats == net.program_stats()
        assert net.info().programmed


def test_auto_refresh_policy():
    sim_only()
    with aimc.open_sim(seed=1) as d, d.load(MODEL) as net, net.stream() as s:
        net.set_refresh_policy(5, auto=True)
        d.advance_clock(6)
        assert net.info().refresh_due
        s.run(sequence())       # the stream's next job refreshes first
        info = net.info()
        assert (info.refreshes, info.refresh_due) == (1, False)
        net.set_refresh_policy(0)   # never due
        d.advance_clock(1000)
        assert net.info().refresh_due is False
        net.set_refresh_policy()    # the default: 10 s, reported only
        assert net.info().refresh_due is True
        with pytest.raises(aimc.InvalidArgumentError) as e:
            net.set_refresh_policy(-1)
        assert e.value.strerror == ("Net.set_refresh_policy: max_age_s -1 s: 0 or more, below "
                                    "2**64 ns")


def test_closed_net(card):
    net = card.load(MODEL)
    net.close()
    assert net.closed and "closed" in repr(net)
    for name in ("info", "program", "program_stats", "refresh", "set_refresh_policy", "stream"):
        with pytest.raises(aimc.ClosedHandleError) as e:
            getattr(net, name)()
        assert (e.value.errno, e.value.strerror) == (errno.EBADF,
                                                     "Net.%s: the net is closed" % name)
    assert card.telemetry().tiles_in_use == 0 or BACKEND == "drm"
