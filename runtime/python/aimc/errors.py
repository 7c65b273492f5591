"""The exceptions of the aimc package.

Every failure of a libaimc call raises an :class:`AimcError` (an
:class:`OSError`): ``errno`` is the library's errno (``errno.ENODEV``, ...)
and ``strerror`` its message for the call, which starts with the name of
the C function (``aimc_net_open: ...``).  Where Python has a built-in
category for the errno, the exception is also one of those, so both
``except aimc.AimcError`` and ``except ValueError`` work:

=================================  ==========================  ==============================
exception                          also a                      errno
=================================  ==========================  ==============================
:class:`InvalidArgumentError`      :class:`ValueError`         EINVAL, EDOM (NaN or infinite
                                                               sample), EMSGSIZE, ERANGE
:class:`ArgumentTypeError`         :class:`TypeError`          EINVAL (not a float32 array)
:class:`NoSuchFileError`           :class:`FileNotFoundError`  ENOENT
:class:`NoPermissionError`         :class:`PermissionError`    EACCES, EPERM
:class:`WaitTimeoutError`          :class:`TimeoutError`       ETIME
:class:`ClosedHandleError`         :class:`ValueError`         EBADF (a closed device, net or
                                                               stream)
=================================  ==========================  ==============================

Other errnos (ENODEV: no card, EBUSY, ENOSPC, ENODATA, EIO, ECANCELED, ...)
raise a plain :class:`AimcError`.  :class:`LibraryError` (an
:class:`ImportError`) says that libaimc itself is missing or too old.
"""
import errno as _errno
import os as _os


class AimcError(OSError):
    """A libaimc call failed: ``errno``, ``strerror`` (the library's message)
    and ``function`` (the C function, or the Python method the package
    checked the arguments of)."""

    def __init__(self, err, message):
        super().__init__(err, message)
        self.function = message.split(":", 1)[0] if ":" in message else ""


class InvalidArgumentError(AimcError, ValueError):
    """An argument the library or the package refuses: a shape, a NaN, a range."""


class ArgumentTypeError(AimcError, TypeError):
    """An argument of the wrong type, e.g. samples that are not float32."""


class NoSuchFileError(AimcError, FileNotFoundError):
    """A model file or device node that does not exist."""


class NoPermissionError(AimcError, PermissionError):
    """No permission on a model file or device node."""


class WaitTimeoutError(AimcError, TimeoutError):
    """A wait ran out of time; the submission is still pending."""


class ClosedHandleError(AimcError, ValueError):
    """The device, net or stream was closed."""


class LibraryError(ImportError):
    """libaimc.so.2 is missing, or older than this package needs."""


_CLASS_OF_ERRNO = {
    _errno.EINVAL: InvalidArgumentError,
    _errno.EDOM: InvalidArgumentError,
    _errno.EMSGSIZE: InvalidArgumentError,
    _errno.ERANGE: InvalidArgumentError,
    _errno.ENOENT: NoSuchFileError,
    _errno.EACCES: NoPermissionError,
    _errno.EPERM: NoPermissionError,
    _errno.ETIME: WaitTimeoutError,
    _errno.EBADF: ClosedHandleError,
}


def error_for(err, message):
    """The exception for errno ``err`` (positive) with ``message``."""
    return _CLASS_OF_ERRNO.get(err, AimcError)(err, message or _os.strerror(err))


def closed(what, function):
    """The exception for using a closed handle."""
    return ClosedHandleError(_errno.EBADF, "%s: the %s is closed" % (function, what))
