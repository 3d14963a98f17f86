"""Writing into the user's tree without ever leaving it half-written.

Every write goes to a temporary file in the target's directory and is renamed over
the target only when complete (``os.replace`` is atomic on one file system), so a
crash, a full disk or an exception leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, Location, UnsafeInputError, UsageError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_new(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``path`` atomically; refuse to replace an existing file unless ``force``."""
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists; not overwriting it", hint="use --force to replace it"
        )
    atomic_write_text(path, text)


def inside(root: Path, candidate: Path) -> Path:
    """``candidate`` resolved, if it lies inside ``root``; an error otherwise.

    Paths from input files (includes, attachments, ``--into``) go through this so
    that nothing can point outside the project, by ``..`` or by a symlink.
    """
    resolved_root = root.resolve()
    resolved = (root / candidate).resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafeInputError(
            f"path {str(candidate)!r} points outside {resolved_root}",
            location=Location(str(candidate)),
        )
    return resolved


class Transaction:
    """Collect file writes and apply them all or none.

    Used by commands that write several files (``specheft new``): if any write
    fails, files created so far are removed and replaced ones restored.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, bytes]] = []

    def write_text(self, path: Path, text: str) -> None:
        self._pending.append((path, text.encode("utf-8")))

    @contextlib.contextmanager
    def _undo_on_error(self) -> Iterator[list[tuple[Path, bytes | None, list[Path]]]]:
        done: list[tuple[Path, bytes | None, list[Path]]] = []
        try:
            yield done
        except BaseException:
            for path, previous, made_dirs in reversed(done):
                with contextlib.suppress(OSError):
                    if previous is None:
                        path.unlink()
                    else:
                        atomic_write_bytes(path, previous)
                for directory in reversed(made_dirs):
                    with contextlib.suppress(OSError):
                        directory.rmdir()
            raise

    def commit(self) -> list[Path]:
        with self._undo_on_error() as done:
            for path, data in self._pending:
                made_dirs = [p for p in reversed(path.parents) if not p.exists()]
                previous = path.read_bytes() if path.exists() else None
                done.append((path, previous, made_dirs))  # before writing: undo covers its dirs
                atomic_write_bytes(path, data)
        return [path for path, _ in self._pending]


def read_text(path: Path) -> str:
    """Read a UTF-8 text file with a located error for a wrong encoding."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            "not UTF-8 encoded", location=Location(str(path), line), hint="save the file as UTF-8"
        ) from None
