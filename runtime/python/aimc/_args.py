"""Checks of arguments before they reach libaimc, in its message style
("Function: what is wrong"), so that a wrong type or shape never becomes
a C value that means something else."""
import errno
import os

import numpy as np

from .errors import ArgumentTypeError, InvalidArgumentError


def unsigned(value, name, function, bits=32):
    """``value`` if it is an int that fits an unsigned C field of ``bits``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(errno.EINVAL, "%s: %s must be an int, not %s"
                                % (function, name, type(value).__name__))
    if not 0 <= value < 1 << bits:
        raise InvalidArgumentError(errno.EINVAL, "%s: %s %d: 0..%d"
                                   % (function, name, value, (1 << bits) - 1))
    return int(value)


def seconds(value, name, function):
    """``value`` (seconds) in nanoseconds, if it is a number from 0 below 2**64 ns."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ArgumentTypeError(errno.EINVAL, "%s: %s must be a number of seconds, not %s"
                                % (function, name, type(value).__name__))
    ns = value * 1e9
    if not 0 <= ns < 2.0 ** 64:
        raise InvalidArgumentError(errno.EINVAL, "%s: %s %r s: 0 or more, below 2**64 ns"
                                   % (function, name, value))
    return int(round(ns))


def path_bytes(path):
    """A str, bytes or os.PathLike path as the C library takes it."""
    return os.fsencode(path)


def samples(x, width, function):
    """``x`` as a C-contiguous float32 array of shape (steps, width), steps >= 1.

    A float32 array that is not contiguous is copied; any other dtype is
    refused (converting float64 would silently change the values the card
    sees: the caller decides with ``x.astype(numpy.float32)``).
    """
    if not isinstance(x, np.ndarray):
        raise ArgumentTypeError(errno.EINVAL, "%s: samples must be a numpy array of float32, "
                                "not %s" % (function, type(x).__name__))
    if x.dtype != np.float32:
        raise ArgumentTypeError(errno.EINVAL, "%s: samples are %s, the card takes float32 "
                                "(x.astype(numpy.float32))" % (function, x.dtype))
    if x.ndim != 2 or x.shape[1] != width:
        raise InvalidArgumentError(errno.EINVAL, "%s: samples of shape %s, the model takes "
                                   "(steps, %d)" % (function, x.shape, width))
    if x.shape[0] == 0:
        raise InvalidArgumentError(errno.EINVAL, "%s: no samples (0 steps)" % function)
    return np.ascontiguousarray(x)


def output_array(out, shape, function):
    """``out`` if it can take the outputs: float32, ``shape``, C-contiguous, writeable."""
    if not isinstance(out, np.ndarray) or out.dtype != np.float32:
        raise ArgumentTypeError(errno.EINVAL, "%s: out must be a float32 numpy array" % function)
    if out.shape != shape or not out.flags.c_contiguous or not out.flags.writeable:
        raise InvalidArgumentError(errno.EINVAL, "%s: out of shape %s, needs %s, C-contiguous "
                                   "and writeable" % (function, out.shape, shape))
    return out
