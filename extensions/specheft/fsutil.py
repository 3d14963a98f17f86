"""Writing into the user's tree without ever leaving it half-written.

Every write goes to a temporary file in the target's directory and is renamed over
the target only when complete (``os.replace`` is atomic on one file system), so a
crash, a full disk or an exception leaves either the old file or the new one. The file
keeps its permissions (a new one gets the umask's); a symlink stays a symlink and the
file it points to is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
import uuid
from pathlib import Path

from specheft.errors import InputError, Location, UnsafeInputError, UsageError, os_fault

#: Temporary files of atomic writes: ``.NAME.specheft-XXXXXXXX.tmp`` beside the target.
TEMP_TAG = "specheft-"
TEMP_NAME = re.compile(r"^\..*\.specheft-[a-z0-9_]{8}\.tmp$")


def remove_stale_temps(root: Path, min_age: float = 60.0) -> list[Path]:
    """Remove temporary files that a killed writer left in ``root``'s spec/ and conf/.

    Called with the project lock held. Sphinx does not read them (they end in ``.tmp``),
    but they would stay in the user's tree for good. Only files untouched for ``min_age``
    seconds go: a command that writes without the lock may be writing one right now.
    Symlinked directories are not followed.
    """
    removed = []
    deadline = time.time() - min_age
    for part in ("spec", "conf"):
        for directory, _, files in os.walk(root / part):
            for name in files:
                if TEMP_NAME.match(name):
                    path = Path(directory) / name
                    with contextlib.suppress(OSError):
                        if path.lstat().st_mtime < deadline:
                            path.unlink()
                            removed.append(path)
    return removed


def writable_dir(path: Path, what: str) -> Path:
    """``path`` as a directory, made if missing; a located error if a file is in the way."""
    for part in (path, *path.parents):
        if part.exists() or part.is_symlink():
            if not part.is_dir():
                where = "" if part == path else f" ({path} lies inside)"
                raise InputError(
                    f"is a file, but it must be a directory: {what}{where}",
                    location=Location(str(part)),
                    hint="rename or remove the file, then run the command again",
                )
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_fault(exc, f"cannot make {what} {path}") or exc from None
    return path


def _target(path: Path) -> Path:
    """The file a write to ``path`` changes: a symlink's target, not the link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_temp(path: Path, data: bytes) -> Path:
    """``data`` in a temporary file beside ``path``, on disk, with ``path``'s mode."""
    # a recognisable name (see TEMP_NAME), so that a killed writer's leftovers can be
    # removed by the next run; the name shortened so that the temporary one is not too long
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name[:100]}.{TEMP_TAG}", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode(path))
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a full disk fails a write(), which names no file
        raise
    return Path(tmp)


def _sync_directory(directory: Path) -> None:
    """Make a rename durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = _target(path)
    writable_dir(path.parent, f"the directory of {path.name}")
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def append_block(path: Path, block: str) -> None:
    """Append ``block`` after a blank line, atomically, in the file's own line endings
    (a file saved on Windows keeps CRLF throughout, and a BOM stays)."""
    text = read_text(path)
    newline = "\r\n" if "\r\n" in text else "\n"
    block = block.replace("\r\n", "\n").rstrip("\n") + "\n"
    atomic_write_text(path, text.rstrip("\r\n") + newline * 2 + block.replace("\n", newline))


def write_new(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``path`` atomically; refuse to replace an existing file unless ``force``."""
    if (path.exists() or path.is_symlink()) and not force:
        raise UsageError(
            f"{path} already exists; not overwriting it", hint="use --force to replace it"
        )
    atomic_write_text(path, text)


def inside(root: Path, candidate: Path) -> Path:
    """``candidate`` resolved, if it lies inside ``root``; an error otherwise.

    Paths from input files (includes, attachments, ``--into``) go through this so
    that nothing can point outside the project, by ``..`` or by a symlink.
    """
    try:
        resolved_root = root.resolve()
        resolved = (root / candidate).resolve()
        # Python >= 3.13 leaves a symlink loop unresolved instead of raising; a
        # symlink still in a resolved path can only be such a loop.
        for part in (resolved, *resolved.parents):
            if part.is_symlink():
                os.stat(part)
    except (RuntimeError, ValueError, OSError) as exc:  # a symlink loop, a NUL byte
        raise InputError(
            f"path {str(candidate)!r} cannot be resolved: {exc}", location=Location(str(candidate))
        ) from None
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UnsafeInputError(
            f"path {str(candidate)!r} points outside {resolved_root}",
            location=Location(str(candidate)),
        )
    return resolved


class Transaction:
    """Collect file writes and apply them all or none.

    Used by commands that write several files (``specheft new``). All new contents are
    written to temporary files first — a full disk fails there, before anything is
    replaced. Then each target is swapped in, the old file kept as a hard link; if a
    swap fails, the old files are renamed back (no disk space needed), new files and
    new directories are removed.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, bytes]] = []

    def write_text(self, path: Path, text: str) -> None:
        self._pending.append((path, text.encode("utf-8")))

    def commit(self) -> list[Path]:
        made_dirs: list[Path] = []
        temps: list[tuple[Path, Path]] = []
        swapped: list[tuple[Path, Path | None]] = []
        try:
            for path, data in self._pending:
                target = _target(path)
                for parent in reversed(target.parents):
                    if not parent.exists():
                        parent.mkdir()
                        made_dirs.append(parent)
                temps.append((_write_temp(target, data), target))
            for tmp, target in temps:
                backup = None
                if target.exists():
                    backup = target.with_name(f".{target.name}.{uuid.uuid4().hex}.bak")
                    os.link(target, backup)
                swapped.append((target, backup))
                os.replace(tmp, target)
        except BaseException:
            for target, backup in reversed(swapped):
                with contextlib.suppress(OSError):
                    if backup is None:
                        target.unlink(missing_ok=True)
                    elif target.exists() and os.path.samefile(backup, target):
                        backup.unlink()  # the swap never happened (rename of a link to itself)
                    else:
                        os.replace(backup, target)
            for tmp, _ in temps:
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
            for directory in reversed(made_dirs):
                with contextlib.suppress(OSError):
                    directory.rmdir()
            raise
        for _, backup in swapped:
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()
        for directory in {target.parent for _, target in temps}:
            _sync_directory(directory)
        return [path for path, _ in self._pending]


_NEWLINE = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The lines of a source as Markdown, reST and TOML count them.

    ``str.splitlines`` also breaks at form feeds, vertical tabs (Word's Shift+Enter) and
    U+2028, which text pasted from office documents contains; line numbers counted that
    way drift from the parser's. Only CRLF, CR and LF end a line here.
    """
    return _NEWLINE.split(text)


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
