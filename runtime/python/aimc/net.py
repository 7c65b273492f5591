"""Models on a card: model files described without a device, nets
(loaded, placed, programmed with write-verify), their statistics, refresh
and refresh policy."""
import ctypes
import enum
import os
from dataclasses import dataclass, fields
from typing import Optional

from . import _capi
from ._args import path_bytes, unsigned
from ._args import seconds as seconds_to_ns
from ._handle import Handle
from ._lib import check, lib
from .progress import call_with_progress
from .stream import Stream


@dataclass(frozen=True)
class ModelInfo:
    """What a model file holds (``struct aimc_model_info``)."""

    d_input: int        #: values per input sample
    d_output: int       #: values per step output (hidden channels)
    n_classes: int      #: logits at the end of a sequence
    n_layers: int
    crossbars: int      #: encoder, one mix per layer, decoder
    weights: int        #: crossbar weights (two cells each)
    weight_bits: int    #: 2 for ternary; 0: a float model (no card runs it)
    max_chunk: int      #: largest submission, steps


@dataclass(frozen=True)
class NetInfo:
    """A model on a card (``struct aimc_net_info``); ``age_ns`` is the drift
    time since the last programming or refresh."""

    d_input: int
    d_output: int
    n_classes: int
    n_layers: int
    slots_per_stream: int
    segments: int
    mvms_per_step: int
    tiles: int
    cells: int
    max_chunk: int
    programmed: bool
    crossbars: int
    refresh_due: bool
    refreshes: int
    age_ns: int
    baseline_fj_per_step: int       #: this model on a digital accelerator (README, Energy)
    baseline_fj_per_sequence: int
    compensations: int              #: drift compensations the refresh policy made


@dataclass(frozen=True)
class ProgramStats:
    """What the last programming or refresh achieved (``struct aimc_program_stats``);
    conductance errors in nanosiemens."""

    tiles_used: int
    rounds: int
    cells_used: int
    cells_in_tolerance: int
    stuck_cells: int
    compensated_pairs: int
    failed_cells: int
    pulses: int
    target_programs: int
    jobs: int
    pulses_per_cell: float
    in_tolerance_pct: float
    err_mean_nsiemens: float
    err_rms_nsiemens: float
    err_p99_nsiemens: float
    err_max_nsiemens: float
    pair_err_mean_nsiemens: float
    pair_err_max_nsiemens: float
    pairs_with_stuck: int
    tiles_settled: int
    tiles_stalled: int
    tiles_at_round_cap: int
    tolerance_min_nsiemens: int     #: the narrowest and widest band a tile was
    tolerance_max_nsiemens: int     #: programmed to (precision-aware: per tile)


def _from_struct(cls, s):
    """A dataclass of ``cls`` from the ctypes struct ``s`` (same member names)."""
    return cls(*(bool(getattr(s, f.name)) if f.type is bool else getattr(s, f.name)
                 for f in fields(cls)))


class ProgramMode(enum.IntFlag):
    """Write-verify variants (``AIMC_PROGRAM_*``); the default is none."""

    OPEN_LOOP = _capi.AIMC_PROGRAM_OPEN_LOOP            #: open-loop targets only
    NAIVE = _capi.AIMC_PROGRAM_NAIVE                    #: one fixed pulse per round
    NO_TARGET_STEP = _capi.AIMC_PROGRAM_NO_TARGET_STEP  #: start from the cells' state
    NO_COMPENSATION = _capi.AIMC_PROGRAM_NO_COMPENSATION  #: no retargeting of stuck pairs
    PRECISION_AWARE = _capi.AIMC_PROGRAM_PRECISION_AWARE  #: a tile's band from its code step


@dataclass
class ProgramParams:
    """Write-verify parameters (``struct aimc_program_params``).  A field left
    None takes the library's default (:meth:`defaults` shows them)."""

    tolerance_nsiemens: Optional[int] = None    #: band around each target
    max_rounds: Optional[int] = None            #: verify rounds per tile, 1..1000
    max_pulses_per_cell: Optional[int] = None   #: pulse budget of one cell
    max_pulses_per_round: Optional[int] = None  #: most pulses one record asks
    mode: ProgramMode = ProgramMode(0)          #: ``flags`` in C
    stall_rounds: Optional[int] = None          #: rounds without a settled cell
                                                #: that stop a tile
    band_per_code_pct: Optional[int] = None     #: PRECISION_AWARE: a tile's band,
                                                #: % of its weight code step

    @classmethod
    def defaults(cls):
        """The library's defaults (``aimc_program_params_init()``)."""
        s = cls._init_struct()
        return cls(s.tolerance_nsiemens, s.max_rounds, s.max_pulses_per_cell,
                   s.max_pulses_per_round, ProgramMode(s.flags), s.stall_rounds,
                   s.band_per_code_pct)

    @staticmethod
    def _init_struct():
        s = _capi.ProgramParamsStruct()
        lib().aimc_program_params_init(ctypes.byref(s))
        return s

    def _struct(self, function):
        s = self._init_struct()
        for name in ("tolerance_nsiemens", "max_rounds", "max_pulses_per_cell",
                     "max_pulses_per_round", "stall_rounds", "band_per_code_pct"):
            value = getattr(self, name)
            if value is not None:
                setattr(s, name, unsigned(value, name, function))
        s.flags = unsigned(int(self.mode), "mode", function)
        return s


def model_info(path) -> ModelInfo:
    """Describe a model file without a device (``aimc_model_info()``): to
    check inputs before a card is touched.  A float model is described
    (``weight_bits`` 0) although no card can run it."""
    s = _capi.ModelInfoStruct()
    check(lib().aimc_model_info(path_bytes(path), ctypes.byref(s), ctypes.sizeof(s)))
    return _from_struct(ModelInfo, s)


class Net(Handle):
    """A model on a card (``struct aimc_net``), made by :meth:`aimc.Device.load`.

    Streams (:meth:`stream`) run it once it is programmed.  Use it in a
    ``with`` block or call :meth:`close`; its streams keep it on the card
    until they are closed too.
    """

    _what = "net"

    @classmethod
    def _open(cls, device, path, program, params, progress):
        p = ctypes.c_void_p()
        with device._lock:
            check(lib().aimc_net_open(device._handle("Device.load"), path_bytes(path),
                                      _capi.AIMC_NET_NO_PROGRAM, ctypes.byref(p)))
        net = cls(p.value, device, path)
        if program:
            try:
                net.program(params, progress)
            except BaseException:
                net.close()
                raise
        return net

    def __init__(self, pointer, device, path):
        super().__init__(pointer, lib().aimc_net_close)
        self.device = device            #: the :class:`aimc.Device` it was loaded on
        self.path = os.fspath(path)     #: the model file
        info = self.info()
        self.d_input = info.d_input     #: values per input sample
        self.d_output = info.d_output   #: values per step output
        self.n_classes = info.n_classes  #: logits at the end of a sequence
        self.max_chunk = info.max_chunk  #: largest chunk, steps

    def __repr__(self):
        return "<aimc.Net %s on %s%s>" % (os.path.basename(self.path), self.device.info.node,
                                          ", closed" if self.closed else "")

    def info(self) -> NetInfo:
        """The net's shape, placement and state now (``aimc_net_info()``)."""
        s = _capi.NetInfoStruct()
        with self._lock:
            check(lib().aimc_net_info(self._handle("Net.info"), ctypes.byref(s),
                                      ctypes.sizeof(s)))
        return _from_struct(NetInfo, s)

    def program(self, params: Optional[ProgramParams] = None, progress=None) -> "ProgramStats":
        """Write the weights into the cells with write-verify and calibrate the
        converters (``aimc_net_program()``); programming again starts over.

        ``params``: a :class:`ProgramParams` (None: the library's defaults);
        ``progress``: None, a callable taking a :class:`aimc.ProgramProgress`
        after every job (raising in it stops programming and the exception
        comes out of this call), or True for a tqdm bar (a line on stderr
        without tqdm).  Returns the :class:`ProgramStats`.
        """
        s = None if params is None else params._struct("Net.program")
        with self._lock:
            h = self._handle("Net.program")
            call_with_progress(lambda fn: lib().aimc_net_program(
                h, ctypes.byref(s) if s is not None else None, fn, None), progress,
                "programming %s" % os.path.basename(self.path))
            return self.program_stats()

    def program_stats(self) -> ProgramStats:
        """Figures of the last programming or refresh (``aimc_net_program_stats()``);
        AimcError ENODATA if the net holds no programming."""
        s = _capi.ProgramStatsStruct()
        with self._lock:
            check(lib().aimc_net_program_stats(self._handle("Net.program_stats"),
                                               ctypes.byref(s), ctypes.sizeof(s)))
        return _from_struct(ProgramStats, s)

    def refresh(self, progress=None) -> ProgramStats:
        """Re-read every cell and re-verify those that drifted out of band, with
        the last programming's parameters (``aimc_net_refresh()``); the net's
        age starts again.  ``progress`` as for :meth:`program`."""
        with self._lock:
            h = self._handle("Net.refresh")
            call_with_progress(lambda fn: lib().aimc_net_refresh(h, fn, None), progress,
                               "refreshing %s" % os.path.basename(self.path))
            return self.program_stats()

    def set_refresh_policy(self, max_age_s: float = _capi.AIMC_REFRESH_DEFAULT_AGE_NS / 1e9,
                           *, auto: bool = False) -> None:
        """When the cells are due a refresh (``aimc_net_set_refresh_policy()``):
        past ``max_age_s`` seconds of drift (0: never) :meth:`info` reports
        ``refresh_due``; with ``auto`` the library also refreshes before the
        next job of a stream.  The defaults are the library's (10 s, report only)."""
        p = _capi.RefreshPolicyStruct()
        p.max_age_ns = seconds_to_ns(max_age_s, "max_age_s", "Net.set_refresh_policy")
        p.flags = _capi.AIMC_REFRESH_AUTO if auto else 0
        with self._lock:
            check(lib().aimc_net_set_refresh_policy(self._handle("Net.set_refresh_policy"),
                                                    ctypes.byref(p)))

    def compensate(self, *, reference: bool = False, per_column: bool = True) -> None:
        """Compensate the cells' drift with the card's column gains
        (``aimc_net_compensate()``): with ``reference`` measure the reference
        response (programming does, once), else rescale each column's (with
        ``per_column`` False: each crossbar's) gain so that the response to
        the reference input is the reference again.  Without a reference
        (right after programming or refreshing): AimcError ENODATA."""
        flags = (_capi.AIMC_COMPENSATE_REFERENCE if reference else 0) | (
            0 if per_column else _capi.AIMC_COMPENSATE_GLOBAL)
        with self._lock:
            check(lib().aimc_net_compensate(self._handle("Net.compensate"), flags))

    def stream(self, chunk: Optional[int] = None):
        """A new :class:`aimc.Stream` on this net (zero state); ``chunk``: steps
        per submission (None: the largest, :attr:`max_chunk`).  AimcError
        ENODATA if the net is not programmed, ENOSPC if the card has no free
        stream slot."""
        return Stream._open(self, chunk)
