"""One writer per project at a time.

Two ``catalog add`` into one page at once both read the same ids and both took the
same new one; two builds at once shared Sphinx's environment, doctrees and output and
one died on a file the other had just renamed. Every command that writes into the
project (``build``, ``check``, ``catalog add``) holds an exclusive lock on
``_build/.specheft.lock`` while it runs; a second one stops at once with the first one's
pid and command (exit 2).

The lock is an operating-system lock on the open file (``flock``; ``msvcrt.locking`` on
Windows), not the file's existence: the system releases it when its process ends in any
way, so a crashed or killed run (SIGKILL, power loss) leaves no lock to remove by hand.
The file stays (it is in ``_build/``, which git ignores); only its content, the holder's
pid and command, changes. Within one process the lock is re-entrant (a command that
runs Sphinx twice, tests calling commands in-process).

Taking the lock also removes the temporary files a killed writer left behind
(``.NAME.specheft-XXXXXXXX.tmp`` in spec/ and conf/): while the lock is held no other
specheft command can be writing them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from specheft.errors import Location, SpecheftError, os_fault
from specheft.fsutil import remove_stale_temps, writable_dir

LOCK_NAME = ".specheft.lock"

_HELD: dict[str, int] = {}


class ProjectBusy(SpecheftError):
    """Another specheft command writes the project right now."""


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            return True  # a file system without locks (some FUSE, old NFS): run unlocked
        raise
    return True


def _holder(path: Path) -> str:
    """'pid 1234, specheft build' from the lock file, or '' if it cannot be read."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        # the lock's first byte is what Windows locks: the text starts after it
        pid, _, command = path.read_text("utf-8").strip(" \n").partition(" ")
        if pid.isdigit():
            return f"pid {pid}, specheft {command}" if command else f"pid {pid}"
    return ""


@contextlib.contextmanager
def project_lock(build_dir: Path, command: str) -> Iterator[None]:
    """Hold the project's write lock while the block runs; ``ProjectBusy`` if another
    process holds it. ``build_dir`` is the project's ``_build`` directory."""
    path = build_dir / LOCK_NAME
    key = os.path.abspath(path)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    writable_dir(build_dir, "the build directory")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise os_fault(exc, "cannot create the project's lock file") or exc from None
    try:
        if not _try_lock(fd):
            holder = _holder(path)
            raise ProjectBusy(
                f"another specheft command ({holder or 'pid unknown'}) is running on this project",
                location=Location(str(path)),
                hint="wait until it has finished and run this command again (the lock is "
                "released when that process ends, also when it crashed)",
            )
        with contextlib.suppress(OSError):  # a full disk: the lock holds without the text
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)  # (no pwrite on Windows)
            os.write(fd, f" {os.getpid()} {command}\n".encode())
        _HELD[key] = 1
        try:
            remove_stale_temps(build_dir.parent)
            yield
        finally:
            del _HELD[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock
