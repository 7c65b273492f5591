"""Finding and loading libaimc.so.2, and calling it.

The library is found, in this order, at ``$AIMC_LIBRARY`` (a path; when
set, nothing else is tried), in the directory ``make install`` put it in
(recorded in ``_installed.py`` next to this file), and by the dynamic
loader under its soname (``LD_LIBRARY_PATH``, the ld.so cache).  Every
function is bound at the symbol version it was added in (``dlvsym``), so
a library of another ABI is refused whatever its file is called, and a
2.0 library is reported as too old instead of failing at the first call
of a 2.1 function.  Loading happens at the first call, so ``import aimc``
and ``help(aimc)`` work without the library.
"""
import ctypes
import os
import threading

from . import _capi
from .errors import LibraryError, error_for

ENV_LIBRARY = "AIMC_LIBRARY"

_lock = threading.Lock()
_library = None


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def _libc():
    libc = ctypes.CDLL(None)
    libc.dlvsym.restype = ctypes.c_void_p
    libc.dlvsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    libc.dladdr.restype = ctypes.c_int
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    return libc


def _candidates():
    """Where to look for the library, most specific first: $AIMC_LIBRARY alone when set."""
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return [env]
    found = []
    try:
        from . import _installed
        installed = os.path.join(_installed.LIBDIR, _capi.SONAME)
        if os.path.exists(installed):
            found.append(installed)
    except ImportError:
        pass
    return found + [_capi.SONAME]


def _open():
    tried = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            tried.append(str(e))
    where = ("$%s=%s" % (ENV_LIBRARY, os.environ[ENV_LIBRARY]) if os.environ.get(ENV_LIBRARY)
             else "the installed libdir and the dynamic loader's path")
    raise LibraryError(
        "aimc: %s not found (looked at %s: %s); install libaimc (make install, then ldconfig) "
        "or set %s to its path" % (_capi.SONAME, where, "; ".join(tried), ENV_LIBRARY))


def _path_of(libc, cdll):
    """The file the dynamic loader opened for ``cdll`` (for messages)."""
    info = _DlInfo()
    try:
        symbol = ctypes.cast(cdll.aimc_version, ctypes.c_void_p)
    except AttributeError:
        return cdll._name
    return info.dli_fname.decode() if libc.dladdr(symbol, ctypes.byref(info)) else cdll._name


class Library:
    """The loaded libaimc: one attribute per function of the C API."""

    def __init__(self, cdll):
        libc = _libc()
        missing = {}
        for name, (version, restype, argtypes) in _capi.FUNCTIONS.items():
            addr = libc.dlvsym(cdll._handle, name.encode(), version.encode())
            if not addr:
                missing.setdefault(version, []).append(name)
                continue
            setattr(self, name, ctypes.CFUNCTYPE(restype, *argtypes)(addr))
        self.path = _path_of(libc, cdll)
        if "AIMC_2.0" in missing:
            raise LibraryError(
                "aimc: %s is not libaimc API 2 (no %s@AIMC_2.0): this package needs %s"
                % (self.path, missing["AIMC_2.0"][0], _capi.SONAME))
        if missing:
            version, names = sorted(missing.items())[0]
            have = self.aimc_version().decode()
            raise LibraryError(
                "aimc: %s (libaimc %s) is older than this package: it lacks %s@%s; this package "
                "needs libaimc API %d.%d: install the libaimc of its release"
                % (self.path, have, names[0], version, *_capi.API_VERSION))


def lib():
    """The loaded library, loading it at the first call (raises LibraryError)."""
    global _library
    if _library is None:
        with _lock:
            if _library is None:
                _library = Library(_open())
    return _library


def check(ret):
    """``ret`` of a libaimc call, or the exception for its negative errno."""
    if ret < 0:
        raise last_error(-ret)
    return ret


def last_error(err):
    """The exception for errno ``err`` with the calling thread's message."""
    message = _library.aimc_last_error()
    return error_for(err, message.decode("utf-8", "replace") if message else "")
