"""Streams: numpy arrays in and out, sequences, chunks, every refused input
(dtype, shape, NaN, infinity, the chunk), asynchronous submission (result,
poll, await, EMSGSIZE, EBUSY) and a closed stream.  Results are compared
exactly where the card is exact (a noise-free sim card)."""
import asyncio
import errno
import glob
import select

import numpy as np
import pytest

from conftest import BACKEND, drm_only, sequence, sim_only

import aimc


def exact():
    """Comparing two runs needs an exact card."""
    sim_only()


def test_push_and_finish_shapes(stream):
    out = stream.push(sequence())
    assert (out.dtype, out.shape, out.flags.c_contiguous) == (np.float32, (64, 32), True)
    logits = stream.finish()
    assert (logits.dtype, logits.shape) == (np.float32, (10,))
    assert np.isfinite(out).all() and np.isfinite(logits).all()


def test_push_into_out(stream):
    out = np.full((64, 32), np.nan, np.float32)
    assert stream.push(sequence(), out=out) is out
    assert np.isfinite(out).all()
    with pytest.raises(aimc.InvalidArgumentError) as e:
        stream.push(sequence(), out=np.empty((63, 32), np.float32))
    assert e.value.strerror == ("Stream.push: out of shape (63, 32), needs (64, 32), "
                                "C-contiguous and writeable")
    with pytest.raises(aimc.ArgumentTypeError):
        stream.push(sequence(), out=np.empty((64, 32), np.float64))


def test_each_finish_starts_a_new_sequence(stream):
    exact()
    first = stream.run(sequence())
    assert np.array_equal(stream.run(sequence()), first)
    stream.push(sequence())
    assert np.array_equal(stream.finish(), first)


def test_keep_state_carries_the_sequence_on(net):
    exact()
    x, y = sequence(phase=0.0), sequence(phase=0.25)
    with net.stream() as a, net.stream() as b:
        a.push(x)
        a.finish(keep_state=True)
        carried = a.push(y)
        whole = b.push(np.concatenate([x, y]))
    assert np.array_equal(carried, whole[64:])


def test_reset_abandons_the_sequence(net):
    exact()
    with net.stream() as a, net.stream() as b:
        a.push(sequence(phase=0.5))
        a.reset()
        assert np.array_equal(a.run(sequence()), b.run(sequence()))


def test_run_is_push_then_finish(net):
    exact()
    with net.stream() as a, net.stream() as b:
        b.push(sequence())
        assert np.array_equal(a.run(sequence()), b.finish())


def test_chunks_change_nothing_but_the_jobs(net):
    exact()
    with net.stream() as whole, net.stream(chunk=7) as chunked:
        assert (whole.chunk, chunked.chunk) == (1024, 7)
        assert np.array_equal(chunked.push(sequence()), whole.push(sequence()))
        assert np.array_equal(chunked.finish(), whole.finish())


@pytest.mark.parametrize("steps", [0, 1025])
def test_chunk_out_of_range(stream, steps):
    with pytest.raises(aimc.InvalidArgumentError) as e:
        stream.chunk = steps
    assert (e.value.errno, e.value.strerror) == (
        errno.EINVAL, "aimc_stream_set_chunk: chunk of %d steps: 1..1024" % steps)
    assert stream.chunk == 1024


def test_chunk_must_be_an_int(net):
    with pytest.raises(aimc.ArgumentTypeError) as e:
        net.stream(chunk=2.0)
    assert e.value.strerror == "Stream.chunk: chunk must be an int, not float"


@pytest.mark.parametrize("samples, exc, message", [
    (np.zeros((64, 1), np.float64), aimc.ArgumentTypeError,
     "Stream.push: samples are float64, the card takes float32 (x.astype(numpy.float32))"),
    (np.zeros((64, 1), np.int32), aimc.ArgumentTypeError,
     "Stream.push: samples are int32, the card takes float32 (x.astype(numpy.float32))"),
    ([[0.0]] * 64, aimc.ArgumentTypeError,
     "Stream.push: samples must be a numpy array of float32, not list"),
    (np.zeros(64, np.float32), aimc.InvalidArgumentError,
     "Stream.push: samples of shape (64,), the model takes (steps, 1)"),
    (np.zeros((64, 2), np.float32), aimc.InvalidArgumentError,
     "Stream.push: samples of shape (64, 2), the model takes (steps, 1)"),
    (np.zeros((1, 64, 1), np.float32), aimc.InvalidArgumentError,
     "Stream.push: samples of shape (1, 64, 1), the model takes (steps, 1)"),
    (np.zeros((0, 1), np.float32), aimc.InvalidArgumentError, "Stream.push: no samples (0 steps)"),
])
def test_refused_samples(stream, samples, exc, message):
    with pytest.raises(exc) as e:
        stream.push(samples)
    assert (e.value.errno, e.value.strerror) == (errno.EINVAL, message)
    assert isinstance(e.value, TypeError if exc is aimc.ArgumentTypeError else ValueError)


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "infinite"),
                                       (-np.inf, "infinite")])
def test_non_finite_sample_is_edom_and_runs_nothing(net, bad, word):
    x = sequence()
    broken = x.copy()
    broken[5, 0] = bad
    with net.stream() as a, net.stream() as b:
        a.push(x[:32])
        b.push(x[:32])
        for call in (a.push, a.submit, a.run):
            with pytest.raises(aimc.InvalidArgumentError) as e:
                call(broken)
            assert e.value.errno == errno.EDOM
            assert e.value.strerror.endswith(": step 5, value 0 is %s" % word)
            assert e.value.function in ("aimc_stream_push", "aimc_stream_submit")
        if BACKEND == "sim":        # the state is what it was: the same as b's
            assert np.array_equal(a.push(x[32:]), b.push(x[32:]))


def test_strided_input_is_taken_as_is(stream):
    exact()
    wide = np.repeat(sequence(), 2, axis=0)[::2]     # not contiguous
    assert not wide.flags.c_contiguous
    first = stream.push(wide)
    stream.finish()
    assert np.array_equal(stream.push(np.ascontiguousarray(wide)), first)


def test_submit_then_result(net):
    x = sequence()
    with net.stream(chunk=64) as a, net.stream(chunk=64) as b:
        sub = a.submit(x)
        assert sub.kind == "chunk" and "aimc.Submission chunk" in repr(sub)
        outputs = sub.result()
        assert outputs.shape == (64, 32) and sub.done()
        assert sub.result(timeout=0) is outputs     # collected once, kept
        fin = a.submit_finish()
        logits = fin.result(timeout=10)
        assert (fin.kind, logits.shape) == ("finish", (10,))
        if BACKEND == "sim":
            assert np.array_equal(outputs, b.push(x))
            assert np.array_equal(logits, b.finish())


def test_submit_past_the_chunk_is_emsgsize(net):
    with net.stream(chunk=8) as s:
        with pytest.raises(aimc.InvalidArgumentError) as e:
            s.submit(sequence(9))
        assert (e.value.errno, e.value.strerror) == (
            errno.EMSGSIZE, "aimc_stream_submit: 9 steps: one submission takes at most the "
                            "chunk, 8")


def test_one_submission_at_a_time(stream):
    sub = stream.submit(sequence(4))
    for call in (lambda: stream.push(sequence(4)), lambda: stream.submit(sequence(4)),
                 stream.finish, stream.submit_finish, stream.reset):
        with pytest.raises(aimc.AimcError) as e:
            call()
        assert e.value.errno == errno.EBUSY
        assert "a submission is pending" in e.value.strerror
    sub.result()
    stream.push(sequence(4))


def test_fileno_polls_readable(stream):
    sub = stream.submit(sequence(16))
    poller = select.poll()
    poller.register(sub.fileno(), select.POLLIN)
    assert poller.poll(10000) == [(sub.fileno(), select.POLLIN)]
    assert sub.done()
    later = stream.submit(sequence(16))
    with pytest.raises(aimc.InvalidArgumentError) as e:
        sub.fileno()
    assert e.value.strerror == ("Submission.fileno: a later submission of the stream "
                                "replaced this one")
    later.result()


def test_await_in_asyncio(net):
    async def classify(stream, x):
        for part in np.split(x, 4):
            await stream.submit(part)
        return await stream.submit_finish()

    with net.stream(chunk=16) as a, net.stream() as b:
        logits = asyncio.run(classify(a, sequence()))
        assert logits.shape == (10,)
        if BACKEND == "sim":
            assert np.array_equal(logits, b.run(sequence()))


def test_result_timeout_on_a_slow_card(stream):
    drm_only()
    knobs = glob.glob("/sys/kernel/debug/aimc_emu/*/delay_us")
    if not knobs:
        pytest.skip("no aimc_emu delay_us knob (not an emulated card, or no debugfs)")
    for knob in knobs:
        open(knob, "w").write("200000")     # 200 ms per descriptor
    try:
        sub = stream.submit(sequence(4))
        with pytest.raises(aimc.WaitTimeoutError) as e:
            sub.result(timeout=0.001)
        assert e.value.errno == errno.ETIME and isinstance(e.value, TimeoutError)
        assert sub.result(timeout=30).shape == (4, 32)
    finally:
        for knob in knobs:
            open(knob, "w").write("0")


def test_closed_stream(net):
    s = net.stream()
    sub = s.submit(sequence(4))
    s.close()                   # waits for the card first
    s.close()
    assert s.closed and "closed" in repr(s)
    calls = {"push": lambda: s.push(sequence()), "finish": s.finish,
             "run": lambda: s.run(sequence()), "submit": lambda: s.submit(sequence(4)),
             "submit_finish": s.submit_finish, "reset": s.reset}
    for name, call in calls.items():
        with pytest.raises(aimc.ClosedHandleError) as e:
            call()
        assert (e.value.errno, e.value.strerror) == (errno.EBADF,
                                                     "Stream.%s: the stream is closed" % name)
    with pytest.raises(aimc.ClosedHandleError):
        s.chunk = 4
    for call in (sub.result, sub.fileno, sub.done):
        with pytest.raises(aimc.ClosedHandleError):
            call()
