"""aimc: the AIMC-1 analog in-memory-computing card from Python.

A pure-Python package over libaimc (``libaimc.so.2``, ctypes): devices
(a card through aimc.ko, or a card simulated in this process), models
loaded and programmed onto them with write-verify, and streams that run
sequences through them as numpy float32 arrays.  Every handle is a context
manager and is closed by the garbage collector too; every failure is an
:class:`AimcError` carrying the library's errno and message.

    import numpy as np, aimc
    with aimc.open_sim(seed=1) as card:                 # or aimc.open(): a card if present
        with card.load("tools/qat/models/digits-qat4-pruned.safetensors",
                       progress=True) as net:           # write-verify, tqdm bar
            print(net.program_stats().in_tolerance_pct)
            with net.stream() as s:
                x = np.zeros((64, net.d_input), np.float32)
                outputs = s.push(x)                     # (64, d_output) float32
                logits = s.finish()                     # (n_classes,), next push starts over
                print(card.telemetry())

Asynchronous: ``sub = s.submit(chunk)`` then ``sub.result()``, a
``select``/``poll`` on ``sub.fileno()``, or ``await sub`` in asyncio.

The package binds libaimc API ``API_VERSION`` (2.1): every function at its
symbol version, so another ABI or an older 2.x library is refused with a
:class:`LibraryError` that says which.  The library is found at
``$AIMC_LIBRARY``, where ``make install`` put it, or by the dynamic loader.
"""
from ._capi import API_VERSION
from ._version import __version__
from .device import (Backend, Device, DeviceInfo, Telemetry, backend_name, device_count,
                     devices, open, open_node, open_sim, sim_preset_names)
from .errors import (AimcError, ArgumentTypeError, ClosedHandleError, InvalidArgumentError,
                     LibraryError, NoPermissionError, NoSuchFileError, WaitTimeoutError)
from .net import ModelInfo, Net, NetInfo, ProgramMode, ProgramParams, ProgramStats, model_info
from .progress import ProgramProgress
from .sequences import read_sequences
from .stream import Stream, Submission


def library_version() -> str:
    """The loaded libaimc's release (``aimc_version()``), e.g. "1.0.0"."""
    from ._lib import lib
    return lib().aimc_version().decode()


def library_path() -> str:
    """The file of the loaded libaimc."""
    from ._lib import lib
    return lib().path


__all__ = ["API_VERSION", "AimcError", "ArgumentTypeError", "Backend", "ClosedHandleError",
           "Device", "DeviceInfo", "InvalidArgumentError", "LibraryError", "ModelInfo", "Net",
           "NetInfo", "NoPermissionError", "NoSuchFileError", "ProgramMode", "ProgramParams",
           "ProgramProgress", "ProgramStats", "Stream", "Submission", "Telemetry",
           "WaitTimeoutError", "__version__", "backend_name", "device_count", "devices",
           "library_path", "library_version", "model_info", "open", "open_node", "open_sim",
           "sim_preset_names",
           "read_sequences"]
