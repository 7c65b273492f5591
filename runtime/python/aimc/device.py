"""Devices: discovery, opening (a card through aimc.ko, or a simulated card
in this process), identity, telemetry and the simulated card's clock."""
import ctypes
import enum
import errno
from dataclasses import dataclass
from typing import Optional

from . import _capi
from ._args import path_bytes, unsigned
from ._args import seconds as seconds_to_ns
from ._handle import Handle
from ._lib import check, lib
from .errors import InvalidArgumentError
from .net import Net


class Backend(enum.IntEnum):
    """Which implementation of the card a device talks to (``enum aimc_backend``)."""

    AUTO = _capi.BACKEND_AUTO   #: drm if a card is present, else sim
    DRM = _capi.BACKEND_DRM     #: a card (or aimc_emu.ko) through aimc.ko
    SIM = _capi.BACKEND_SIM     #: the device model, in this process


def _backend(value, function):
    """A Backend from a Backend or its name ("auto", "drm", "sim")."""
    if isinstance(value, Backend):
        return value
    if isinstance(value, str) and value.upper() in Backend.__members__:
        return Backend[value.upper()]
    raise InvalidArgumentError(errno.EINVAL, "%s: backend %r: auto, drm or sim"
                               % (function, value))


def _version(v):
    return (v >> 16, v & 0xffff)


@dataclass(frozen=True)
class DeviceInfo:
    """What a device is and can do (``struct aimc_device_info``).  Versions are
    (major, minor); conductances in nanosiemens."""

    backend: Backend
    device_id: int
    hw_version: tuple
    abi_version: tuple
    serial: int
    num_tiles: int
    tile_rows: int
    tile_cols: int
    dac_bits: int
    adc_bits: int
    g_min_nsiemens: int
    g_max_nsiemens: int
    sram_kib: int
    stream_slots: int
    queue_depth: int
    node: str

    @classmethod
    def _of(cls, s):
        return cls(Backend(s.backend), s.device_id, _version(s.hw_version),
                   _version(s.abi_version), s.serial, s.num_tiles, s.tile_rows, s.tile_cols,
                   s.dac_bits, s.adc_bits, s.g_min_nsiemens, s.g_max_nsiemens, s.sram_kib,
                   s.stream_slots, s.queue_depth, s.node.decode())


@dataclass(frozen=True)
class Telemetry:
    """What a card has done so far (``struct aimc_device_telemetry``): on a
    card since the driver bound to it, for every process using it; on the
    sim since the device was opened."""

    commands: int           #: commands the card has run
    busy_ns: int            #: time it spent running them
    pulses: int             #: programming pulses applied to cells
    jobs_done: int          #: jobs that completed
    jobs_failed: int        #: jobs that did not
    clock_ns: int           #: the clock the cells drift by (the sim's is virtual)
    resets: int             #: card resets
    tiles_in_use: int       #: tiles reserved, by every user of the card
    slots_in_use: int       #: stream slots reserved
    temperature_mc: Optional[int]   #: milli-degrees Celsius; None without a sensor
    #: the energy the device model counted, femtojoules: in all (the sim;
    #: a card through aimc.ko in whole nanojoules, its telemetry/energy_nj),
    #: None where the card does not report it (an aimc.ko older than 2.1);
    #: by kind (input and output conversions, cells read, digital unit,
    #: programming pulses) only on the sim (a card reports a total), else None
    energy_fj: Optional[int] = None
    energy_by_kind_fj: Optional[dict] = None
    preset: Optional[str] = None    #: the sim card's cell technology

    @classmethod
    def _of(cls, s):
        t = None if s.temperature_mc == _capi.AIMC_TEMPERATURE_NONE else s.temperature_mc
        energy = kinds = preset = None
        if s.flags & _capi.AIMC_TELEMETRY_ENERGY:
            energy = s.energy_fj
        if s.flags & _capi.AIMC_TELEMETRY_ENERGY_KINDS:
            kinds = {k: getattr(s, "energy_%s_fj" % k) for k in ("dac", "xbar", "adc", "dpu",
                                                                  "program")}
        if s.flags & _capi.AIMC_TELEMETRY_PRESET:
            preset = sim_preset_names()[s.preset]
        return cls(s.commands, s.busy_ns, s.pulses, s.jobs_done, s.jobs_failed, s.clock_ns,
                   s.resets, s.tiles_in_use, s.slots_in_use, t, energy, kinds, preset)


class Device(Handle):
    """An open AIMC device: a card through aimc.ko, or a simulated card.

    Open one with :func:`aimc.open`, :func:`aimc.open_sim` or
    :func:`aimc.open_node`; use it in a ``with`` block or call
    :meth:`close`.  Nets loaded on it keep the card open until they are
    closed too.
    """

    _what = "device"

    def __init__(self, pointer):
        super().__init__(pointer, lib().aimc_device_close)
        info = _capi.DeviceInfoStruct()
        check(lib().aimc_device_info(pointer, ctypes.byref(info), ctypes.sizeof(info)))
        self._info = DeviceInfo._of(info)

    @property
    def info(self) -> DeviceInfo:
        """Identity and capabilities, read when the device was opened."""
        return self._info

    @property
    def backend(self) -> Backend:
        """Backend.DRM or Backend.SIM."""
        return self._info.backend

    def __repr__(self):
        state = "closed" if self.closed else "%d tiles of %dx%d" % (
            self._info.num_tiles, self._info.tile_rows, self._info.tile_cols)
        return "<aimc.Device %s %s, %s>" % (self._info.backend.name.lower(), self._info.node,
                                           state)

    def telemetry(self) -> Telemetry:
        """The card's counters now (``aimc_device_telemetry()``)."""
        t = _capi.TelemetryStruct()
        with self._lock:
            check(lib().aimc_device_telemetry(self._handle("Device.telemetry"), ctypes.byref(t),
                                              ctypes.sizeof(t)))
        return Telemetry._of(t)

    def advance_clock(self, seconds: float) -> None:
        """Let a simulated card's time pass by ``seconds``, as if it idled:
        its cells drift and the nets on it age (``aimc_device_advance_clock()``).
        A card's clock is wall time: raises AimcError(EOPNOTSUPP) on drm."""
        ns = seconds_to_ns(seconds, "seconds", "Device.advance_clock")
        with self._lock:
            check(lib().aimc_device_advance_clock(self._handle("Device.advance_clock"),
                                                  ns))

    def load(self, path, *, program=True, params=None, progress=None):
        """Load the model file at ``path`` onto this device: a :class:`aimc.Net`.

        Places its crossbars on free tiles, compiles the card programs and,
        with ``program`` (the default), writes the weights with
        write-verify: ``params`` (:class:`aimc.ProgramParams`, None for the
        library's defaults) and ``progress`` as for :meth:`aimc.Net.program`.
        Raises NoSuchFileError, InvalidArgumentError (not a model file, a
        float model), AimcError ENOSPC (does not fit) or EBUSY (tiles held
        by others), ...
        """
        return Net._open(self, path, program, params, progress)


def device_count(backend="auto") -> int:
    """Number of devices a backend offers: drm the cards this user can open,
    sim always 1, auto the cards or else 1."""
    b = _backend(backend, "device_count")
    return check(lib().aimc_device_count(b))


def open(backend="auto", index=0) -> Device:  # noqa: A001 (aimc.open, like gzip.open)
    """Open the ``index``-th device of ``backend`` ("auto": a card if there is
    one, else a simulated card; "drm"; "sim").  No card: AimcError ENODEV."""
    b = _backend(backend, "open")
    p = ctypes.c_void_p()
    check(lib().aimc_device_open(b, unsigned(index, "index", "open"), ctypes.byref(p)))
    return Device(p.value)


def open_node(path) -> Device:
    """Open the card at a device node (``/dev/accel/accel0``, ``/dev/dri/renderD128``)."""
    p = ctypes.c_void_p()
    check(lib().aimc_device_open_node(path_bytes(path), ctypes.byref(p)))
    return Device(p.value)


def sim_preset_names():
    """The simulated card's cell technologies, by index (``aimc_sim_preset_name()``):
    ``["pcm", "rram"]``; their numbers and sources are emulator/model/aimc_presets.def."""
    names, i = [], 0
    while True:
        n = lib().aimc_sim_preset_name(i)
        if n is None:
            return names
        names.append(n.decode())
        i += 1


def open_sim(seed=None, *, noise_free=False, tiles=0, rows=0, cols=0, slots=0,
             stuck_gmin_ppm=None, stuck_gmax_ppm=None, preset=None) -> Device:
    """Open a new simulated card in this process (``aimc_device_open_sim()``).

    ``seed`` (None: the library's default, 1) decides manufacture and noise;
    ``noise_free`` makes the cells exact (no programming or read noise, no
    drift, no stuck cells); ``tiles``, ``rows``, ``cols`` (physical columns),
    ``slots``: the geometry, 0 for the device model's default; the stuck
    cells, parts per million of all cells (None: the default 0.5 % each);
    ``preset``: the cell technology, a name of :func:`sim_preset_names` (None:
    "pcm").  Each call makes an independent card.
    """
    f = "open_sim"
    o = _capi.SimOptionsStruct()
    o.seed = 0 if seed is None else unsigned(seed, "seed", f, 64)
    o.flags = _capi.AIMC_SIM_NOISE_FREE if noise_free else 0
    o.tiles, o.rows = unsigned(tiles, "tiles", f), unsigned(rows, "rows", f)
    o.cols, o.slots = unsigned(cols, "cols", f), unsigned(slots, "slots", f)
    if stuck_gmin_ppm is not None or stuck_gmax_ppm is not None:
        o.flags |= _capi.AIMC_SIM_STUCK
        o.stuck_gmin_ppm = unsigned(stuck_gmin_ppm or 0, "stuck_gmin_ppm", f)
        o.stuck_gmax_ppm = unsigned(stuck_gmax_ppm or 0, "stuck_gmax_ppm", f)
    if preset is not None:
        names = sim_preset_names()
        if preset not in names:
            raise InvalidArgumentError(errno.EINVAL, "%s: preset %r: one of %s"
                                       % (f, preset, ", ".join(names)))
        o.preset = names.index(preset)
    p = ctypes.c_void_p()
    check(lib().aimc_device_open_sim(ctypes.byref(o), ctypes.byref(p)))
    return Device(p.value)


def devices(backend="drm"):
    """The :class:`DeviceInfo` of every device of ``backend`` (each opened in turn)."""
    found = []
    for i in range(device_count(backend)):
        with open(backend, i) as d:
            found.append(d.info)
    return found


def backend_name(backend) -> str:
    """libaimc's name of a backend: "auto", "drm", "sim" ("unknown" for others)."""
    return lib().aimc_backend_name(int(backend)).decode()

