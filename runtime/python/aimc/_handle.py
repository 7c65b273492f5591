"""What devices, nets and streams share: a libaimc handle that is given up
exactly once, by ``close()``, at the end of a ``with`` block, or when the
object is garbage-collected (or the interpreter exits).

libaimc's handles hold references on what they need (a stream on its net,
a net on its device), so the order in which Python objects are closed or
collected does not matter.  A (re-entrant) lock per object keeps one handle from being
used by two threads at once, and a close from freeing it under a call in
another thread; different objects run in parallel (ctypes releases the
GIL during each library call).
"""
import threading
import weakref

from .errors import closed


class Handle:
    """A libaimc handle owned by one Python object."""

    _what = "handle"        # the kind, for messages

    def __init__(self, pointer, close_function):
        self._pointer = pointer
        self._lock = threading.RLock()
        self._finalizer = weakref.finalize(self, close_function, pointer)

    @property
    def closed(self):
        """True once the handle has been given up."""
        return not self._finalizer.alive

    def _handle(self, function):
        """The C handle; raises ClosedHandleError if closed (call with the lock held)."""
        if not self._finalizer.alive:
            raise closed(self._what, function)
        return self._pointer

    def close(self):
        """Give up the handle (again: nothing).  What other open objects need
        stays until they are closed too."""
        with self._lock:
            self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
