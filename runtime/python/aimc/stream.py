"""Streams: sequences run through a programmed net, sample by sample, with
their recurrent state kept on the card; numpy float32 arrays in and out,
blocking or asynchronous (a pollable fd, or ``await``)."""
import asyncio
import ctypes
import errno

import numpy as np

from . import _capi
from ._args import output_array, samples as check_samples, seconds as seconds_to_ns, unsigned
from ._handle import Handle
from ._lib import check, lib
from .errors import AimcError, InvalidArgumentError, WaitTimeoutError


class Stream(Handle):
    """A stream on a :class:`aimc.Net` (``struct aimc_stream``), made by
    :meth:`aimc.Net.stream`.

    A stream runs one sequence after another: :meth:`push` feeds samples
    (a float32 array of shape (steps, ``net.d_input``)) and returns the
    card's output of each step; :meth:`finish` ends the sequence and
    returns its logits, and the next push starts a new sequence from a zero
    state (``keep_state=True`` carries the state on).  :meth:`submit` and
    :meth:`submit_finish` do the same without waiting.
    """

    _what = "stream"

    @classmethod
    def _open(cls, net, chunk):
        p = ctypes.c_void_p()
        with net._lock:
            check(lib().aimc_stream_open(net._handle("Net.stream"), ctypes.byref(p)))
        stream = cls(p.value, net)
        if chunk is not None:
            try:
                stream.chunk = chunk
            except BaseException:
                stream.close()
                raise
        return stream

    def __init__(self, pointer, net):
        super().__init__(pointer, lib().aimc_stream_close)
        self.net = net      #: the :class:`aimc.Net` it runs
        self._chunk = net.max_chunk
        self._width, self._hk, self._classes = net.d_input, net.d_output, net.n_classes
        self._submissions = 0   # serial of the latest submission
        L = lib()
        self._c_push, self._c_finish = L.aimc_stream_push, L.aimc_stream_finish

    def __repr__(self):
        return "<aimc.Stream on %r, chunk %d%s>" % (self.net, self._chunk,
                                                    ", closed" if self.closed else "")

    @property
    def chunk(self) -> int:
        """Steps per submission, 1..``net.max_chunk`` (``aimc_stream_set_chunk()``)."""
        return self._chunk

    @chunk.setter
    def chunk(self, steps):
        steps = unsigned(steps, "chunk", "Stream.chunk")
        with self._lock:
            check(lib().aimc_stream_set_chunk(self._handle("Stream.chunk"), steps))
            self._chunk = steps

    def push(self, samples, out=None) -> np.ndarray:
        """Run ``samples`` (float32, shape (steps, d_input)) through the card, a
        chunk per job, and return the output of every step, float32 of shape
        (steps, d_output) (into ``out`` if given).  InvalidArgumentError for
        a wrong shape or a NaN or infinite sample (EDOM: nothing is run, the
        state is unchanged), ArgumentTypeError for another dtype, AimcError
        EBUSY while a submission is pending, EIO if the card failed."""
        x = check_samples(samples, self._width, "Stream.push")
        shape = (x.shape[0], self._hk)
        out = np.empty(shape, np.float32) if out is None else output_array(out, shape,
                                                                            "Stream.push")
        with self._lock:
            ret = self._c_push(self._handle("Stream.push"), x.ctypes.data, self._width,
                               x.shape[0], out.ctypes.data)
        check(ret)
        return out

    def finish(self, keep_state: bool = False) -> np.ndarray:
        """End the sequence: the logits (float32, n_classes) of the decoder on
        the mean of every step since it began.  The next push starts a new
        sequence from a zero state, unless ``keep_state``."""
        logits = np.empty(self._classes, np.float32)
        flags = _capi.AIMC_FINISH_KEEP_STATE if keep_state else 0
        with self._lock:
            ret = self._c_finish(self._handle("Stream.finish"), logits.ctypes.data, flags)
        check(ret)
        return logits

    def run(self, samples) -> np.ndarray:
        """One whole sequence: :meth:`push` without keeping the per-step
        outputs, then :meth:`finish`; returns the logits."""
        x = check_samples(samples, self._width, "Stream.run")
        logits = np.empty(self._classes, np.float32)
        with self._lock:
            h = self._handle("Stream.run")
            check(self._c_push(h, x.ctypes.data, self._width, x.shape[0], None))
            check(self._c_finish(h, logits.ctypes.data, 0))
        return logits

    def submit(self, samples) -> "Submission":
        """Start running at most one chunk of samples without waiting
        (``aimc_stream_submit()``): a :class:`Submission` to poll, wait for or
        ``await``, whose result is the per-step outputs.  InvalidArgumentError
        EMSGSIZE past the chunk, otherwise the errors of :meth:`push`."""
        x = check_samples(samples, self._width, "Stream.submit")
        out = np.empty((x.shape[0], self._hk), np.float32)
        with self._lock:
            h = self._handle("Stream.submit")
            check(lib().aimc_stream_submit(h, x.ctypes.data, self._width, x.shape[0]))
            return self._submitted(h, "chunk", out)

    def submit_finish(self, keep_state: bool = False) -> "Submission":
        """:meth:`finish` without waiting (``aimc_stream_submit_finish()``): a
        :class:`Submission` whose result is the logits."""
        flags = _capi.AIMC_FINISH_KEEP_STATE if keep_state else 0
        with self._lock:
            h = self._handle("Stream.submit_finish")
            check(lib().aimc_stream_submit_finish(h, flags))
            return self._submitted(h, "finish", np.empty(self._classes, np.float32))

    def _submitted(self, h, kind, out):
        self._submissions += 1
        return Submission(self, self._submissions, kind, check(lib().aimc_stream_fd(h)), out)

    def reset(self) -> None:
        """Abandon the sequence: the next job starts from a zero state and mean."""
        with self._lock:
            check(lib().aimc_stream_reset(self._handle("Stream.reset")))


class Submission:
    """A chunk or a finish running on the card (:meth:`Stream.submit`,
    :meth:`Stream.submit_finish`): poll :meth:`fileno` (readable when the
    card is done), check :meth:`done`, collect :meth:`result`, or ``await``
    it in asyncio.  A stream has one pending submission at a time."""

    def __init__(self, stream, serial, kind, fd, out):
        self.stream = stream    #: the :class:`Stream`
        self.kind = kind        #: "chunk" (result: per-step outputs) or "finish" (logits)
        self._serial, self._fd, self._out = serial, fd, out
        self._collected, self._error = False, None

    def __repr__(self):
        return "<aimc.Submission %s %s>" % (self.kind, "done" if self._collected else "pending")

    def fileno(self) -> int:
        """A file descriptor that polls readable (POLLIN) once the card has
        finished: a sync_file of the job's fence on a card, an eventfd on the
        sim.  It belongs to the stream; valid until its next submission."""
        with self.stream._lock:
            self.stream._handle("Submission.fileno")
            if self.stream._submissions != self._serial:
                raise InvalidArgumentError(errno.EINVAL, "Submission.fileno: a later "
                                           "submission of the stream replaced this one")
            return self._fd

    def result(self, timeout=None) -> np.ndarray:
        """Wait for the card (at most ``timeout`` seconds; None: without a limit;
        0: only look) and return what it computed: the per-step outputs of a
        chunk, float32 (steps, d_output), or a finish's logits.
        WaitTimeoutError if it is still running, AimcError EIO if it failed."""
        ns = -1 if timeout is None else seconds_to_ns(timeout, "timeout", "Submission.result")
        with self.stream._lock:
            if self._error is not None:
                raise self._error
            if self._collected:
                return self._out
            h = self.stream._handle("Submission.result")
            try:
                check(lib().aimc_stream_wait(h, ns, self._out.ctypes.data))
            except WaitTimeoutError:
                raise
            except AimcError as e:
                self._error = e
                raise
            self._collected = True
            return self._out

    def done(self) -> bool:
        """True once the card has finished (the result is then collected)."""
        try:
            self.result(0)
        except WaitTimeoutError:
            return False
        except AimcError as e:
            if e.errno == errno.EBADF:      # the stream was closed: nothing is done
                raise
        return True

    def __await__(self):
        return self._wait_async().__await__()

    async def _wait_async(self):
        loop = asyncio.get_running_loop()
        while not self.done():
            readable = loop.create_future()
            fd = self.fileno()
            loop.add_reader(fd, _resolve, readable)
            try:
                await readable
            finally:
                loop.remove_reader(fd)
        return self.result(0)


def _resolve(future):
    if not future.done():
        future.set_result(None)
