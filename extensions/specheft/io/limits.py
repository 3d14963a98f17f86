"""Reading an input file from another party with a byte cap: one check, one message.

Every importer that reads a whole file into memory or streams it (ReqIF, the customer's
ReqIF for an answer, CSV, .xls, .xlsx/.ods packages, JUnit and other XML) goes through
:func:`read_capped` or :func:`open_capped`. The size is checked before the first byte is
read, and counted again while reading (a file that grows, or a pipe, whose size ``stat``
does not tell). Too large is an :class:`~specheft.errors.UnsafeInputError` (exit 2) that
names the file, its size and the limit::

    big.csv: is too large: 101.0 MiB (the limit is 100.0 MiB)
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

from specheft.errors import InputError, Location, UnsafeInputError

MiB = 1024 * 1024


def size_text(n: int) -> str:
    """``5,632 bytes`` below a MiB, ``60.0 MiB`` from there."""
    return f"{n / MiB:,.1f} MiB" if n >= MiB else f"{n:,} bytes"


def too_large(
    display: str | None,
    size: int,
    limit: int,
    *,
    more: bool = False,
    limit_of: str = "",
    hint: str | None = None,
) -> UnsafeInputError:
    """``is too large: 60.0 MiB (the limit [for .xls] is 50.0 MiB)``; ``more``: at least
    ``size`` (counted while reading, the rest was not read)."""
    limit_name = f"the limit for {limit_of}" if limit_of else "the limit"
    return UnsafeInputError(
        f"is too large: {'more than ' if more else ''}{size_text(size)} "
        f"({limit_name} is {size_text(limit)})",
        location=Location(display),
        hint=hint,
    )


def unreadable(display: str | None, error: OSError) -> InputError:
    """An ``OSError`` while opening or reading an input file, as an :class:`InputError`."""
    if isinstance(error, FileNotFoundError):
        message = "file not found"
    elif isinstance(error, IsADirectoryError):
        message = "is a directory, not a file"
    else:
        message = f"cannot be read: {error.strerror or error}"
    return InputError(message, location=Location(display))


def _checked(
    path: Path, display: str | None, limit: int, limit_of: str, hint: str | None
) -> os.stat_result:
    try:
        info = path.stat()
    except OSError as exc:
        raise unreadable(display, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise unreadable(display, IsADirectoryError())
    if info.st_size > limit:
        raise too_large(display, info.st_size, limit, limit_of=limit_of, hint=hint)
    return info


def read_capped(
    path: Path, display: str | None, limit: int, *, limit_of: str = "", hint: str | None = None
) -> bytes:
    """The whole file, refused before reading when ``stat`` says it is larger than
    ``limit`` bytes, and while reading when it turns out to be (a pipe, a growing file)."""
    _checked(path, display, limit, limit_of, hint)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise unreadable(display, exc) from None
    if len(data) > limit:
        raise too_large(display, len(data), limit, more=True, limit_of=limit_of, hint=hint)
    return data


def open_capped(
    path: Path, display: str | None, limit: int, *, limit_of: str = "", hint: str | None = None
) -> tuple[IO[bytes], int]:
    """The regular file opened for reading, and its size, refused when larger than
    ``limit`` bytes; the caller counts what it reads if the file may grow meanwhile.
    A pipe or device is refused (streaming readers seek, or would wait forever)."""
    info = _checked(path, display, limit, limit_of, hint)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("is not a regular file", location=Location(display))
    try:
        return path.open("rb"), info.st_size
    except OSError as exc:
        raise unreadable(display, exc) from None
