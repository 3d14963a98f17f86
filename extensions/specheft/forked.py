"""A pure computation run in a forked process while the caller goes on with other work.

For work that takes long enough and returns little: an export's document fingerprints
(normalizing and hashing every item, ~0.5 s at N=5000) beside its tables and rows on the
second core. The child shares the caller's memory as it was at the fork: nothing is
pickled on the way in, only the result on the way back.

Whatever goes wrong in the child — an exception, a crash, a result that cannot be pickled
— makes the caller compute the result itself when it asks for it: the same value or the
same exception as without a child. A child on Linux only: Windows has no ``os.fork``,
and on macOS a forked child of a process that loaded Apple's frameworks may crash (why
Python starts processes there with ``spawn``). None either when the process has other
threads (a fork copies none of them, and a lock one of them holds would stay locked in
the child forever).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

#: Computations that ran in a child and came back (the tests read it).
returned = 0


class Pending(Generic[T]):
    """The result of ``compute``, from the child if it delivered one."""

    def __init__(self, compute: Callable[[], T], child: int, reader: int) -> None:
        self._compute = compute
        self._child, self._reader = child, reader
        self._done: tuple[T] | None = None

    def __del__(self) -> None:
        # never asked for (the caller failed first): the child is stopped and reaped
        if self._child > 0:
            try:
                os.kill(self._child, signal.SIGKILL)
                os.waitpid(self._child, 0)
                os.close(self._reader)
            except OSError:
                pass

    def result(self) -> T:
        if self._done is None:
            self._done = (self._collect(),)
        return self._done[0]

    __call__ = result

    def _collect(self) -> T:
        global returned
        child, self._child = self._child, 0  # reaped below: never killed by __del__
        if child <= 0:
            return self._compute()
        with os.fdopen(self._reader, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(child, 0)
        if status == 0 and data[:1] == b"+":
            try:
                value: T = pickle.loads(data[1:])
            except Exception:
                pass  # computed here below
            else:
                returned += 1
                return value
        return self._compute()


def flush_standard_streams() -> None:
    """Before a fork, and before a child ends in ``os._exit``: what sits in a buffer is
    written once, by the process that wrote it (a child would write the parent's again;
    ``os._exit`` drops its own)."""
    sys.stdout.flush()
    sys.stderr.flush()


def start(compute: Callable[[], T], *, fork: bool = True) -> Pending[T]:
    """``compute`` started in a child process (``fork``: if possible), the caller goes on;
    :meth:`Pending.result` waits for it."""
    if not fork or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return Pending(compute, 0, -1)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child ends in os._exit, coverage never sees it
        os.close(reader)
        code = 1
        try:
            data = b"+" + pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            # no atexit handlers, no buffered output flushed twice, no finalizers: the
            # caller's process owns all of that
            os._exit(code)
    os.close(writer)
    return Pending(compute, child, reader)
