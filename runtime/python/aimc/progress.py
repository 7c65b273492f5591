"""Progress of programming and refreshing: the C callback
(``aimc_program_progress_fn``) turned into a Python callable, a tqdm bar
or a plain line on stderr.

``progress`` arguments take:

- ``None``: no progress;
- a callable ``f(p)`` with a :class:`ProgramProgress`, called after every
  job; an exception it raises stops programming (the library's
  ECANCELED) and is raised again from the call;
- ``True``: a tqdm bar on stderr when tqdm is installed, else a line on
  stderr every 10 % of the cells.
"""
import errno
import sys
from dataclasses import dataclass

from . import _capi
from ._lib import check
from .errors import ArgumentTypeError


@dataclass(frozen=True)
class ProgramProgress:
    """Where programming stands (``struct aimc_program_progress``)."""

    tile_index: int     #: 0-based, of ``tiles``
    tiles: int
    round: int          #: 0: the first job; then each verify round
    cells_done: int     #: settled cells of all tiles so far; never decreases
    cells_total: int

    @classmethod
    def _of(cls, p):
        return cls(p.tile_index, p.tiles, p.round, p.cells_done, p.cells_total)


class _TqdmBar:
    def __init__(self, tqdm, what):
        self._tqdm, self._what, self._bar = tqdm, what, None

    def __call__(self, p):
        if self._bar is None:
            self._bar = self._tqdm(total=p.cells_total, desc=self._what, unit="cell",
                                   leave=False)
        self._bar.set_postfix(tile="%d/%d" % (p.tile_index + 1, p.tiles), round=p.round,
                              refresh=False)
        self._bar.update(p.cells_done - self._bar.n)   # tqdm decides when to redraw

    def close(self):
        if self._bar is not None:
            self._bar.close()


class _TextLine:
    def __init__(self, what):
        self._what, self._shown = what, -1

    def __call__(self, p):
        pct = 100 * p.cells_done // max(p.cells_total, 1)
        if pct // 10 > self._shown // 10:
            self._shown = pct
            print("%s: %d %% (tile %d/%d, round %d)" % (self._what, pct, p.tile_index + 1,
                                                        p.tiles, p.round), file=sys.stderr)

    def close(self):
        pass


def _reporter(progress, what):
    if progress is True:
        try:
            from tqdm import tqdm
        except ImportError:
            return _TextLine(what)
        return _TqdmBar(tqdm, what)
    if callable(progress):
        return progress
    raise ArgumentTypeError(errno.EINVAL, "%s: progress must be None, True or a callable, "
                            "not %r" % (what, progress))


def call_with_progress(call, progress, what):
    """``call(c_callback)`` of a libaimc function taking a progress callback,
    with one made for ``progress``; checks the result and raises again what
    the Python callback raised."""
    if progress is None:
        return check(call(_capi.ProgressFn()))
    report = _reporter(progress, what)
    raised = []

    def from_c(p, ctx):
        try:
            report(ProgramProgress._of(p.contents))
            return 0
        except BaseException as e:   # KeyboardInterrupt too: stop the card's work
            raised.append(e)
            return 1

    try:
        ret = call(_capi.ProgressFn(from_c))
    finally:
        if hasattr(report, "close"):
            report.close()
    if raised:
        raise raised[0]
    return check(ret)
