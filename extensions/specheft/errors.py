"""One error hierarchy for everything a user can get wrong.

Every error carries where it happened (file and line, or sheet and row), the item
id when there is one, what is wrong and a hint. The CLI prints ``str(error)`` and
exits with ``error.exit_code``; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something is: ``path:line[:column]`` or ``path:sheet!row``, or an XML element."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    element: str | None = None

    def __str__(self) -> str:
        text = self.path or "<input>"
        if self.sheet is not None:
            text += f":{self.sheet}!{self.line}" if self.line else f":{self.sheet}"
            if self.column is not None:
                text += f" (column {self.column})"
            return text
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.element:
            text += f" <{self.element}>"
        return text


class SpecheftError(Exception):
    """Base of all expected errors: a message for users, never a traceback."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        item: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.item = item
        self.hint = hint

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(f"{self.location}:")
        if self.item:
            parts.append(f"{self.item}:")
        parts.append(self.message)
        text = " ".join(parts)
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ConfigError(SpecheftError):
    """specheft.toml or conf/ is wrong."""


class InputError(SpecheftError):
    """A file the user gave us cannot be read as what it should be."""


class UnsafeInputError(InputError):
    """A file looks hostile (entity expansion, zip bomb, path escape) and is refused."""


class UsageError(SpecheftError):
    """The command line is wrong."""


class ToolMissingError(SpecheftError):
    """A system tool (XeLaTeX, latexmk, git …) that the command needs is not installed."""


class BuildFailed(SpecheftError):
    """Sphinx reported errors; they were already printed with their locations."""

    exit_code = 1


class FaultError(SpecheftError):
    """The system refused: disk full, no permission, a file where a directory belongs."""


_SPACE = "free disk space (or write elsewhere) and run the command again"
# errno → (what happened, what to do). Faults of the machine, not bugs of specheft.
_FAULTS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the device", _SPACE),
    errno.EDQUOT: ("disk quota exceeded", _SPACE),
    errno.EFBIG: ("file too large for the file system", _SPACE),
    errno.EACCES: ("permission denied", "make it writable for your user, or write elsewhere"),
    errno.EPERM: ("operation not permitted", "make it writable for your user, or write elsewhere"),
    errno.EROFS: ("read-only file system", "write to a writable location"),
    errno.ENOTDIR: (
        "a part of the path is a file, not a directory",
        "rename or remove that file, or choose another path",
    ),
    errno.EISDIR: ("is a directory, not a file", "choose a file path"),
    errno.ENAMETOOLONG: ("file name too long", "use a shorter path"),
    errno.ELOOP: ("too many levels of symbolic links", "remove the symlink loop"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) and run again"),
    errno.ENFILE: ("too many open files in the system", "close programs and run again"),
    errno.EIO: ("input/output error", "check the disk, then run the command again"),
}


def os_fault(exc: BaseException, doing: str | None = None) -> FaultError | None:
    """A located, human message for an ``OSError`` that is a fault of the machine (disk
    full, read-only, permissions, a file in the way); ``None`` for anything else (a bug).

    Looks through the causes too: Sphinx wraps an error of an event handler.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            fault = _fault(current, f"{doing}: " if doing else "")
            if fault is not None:
                return fault
        current = current.__cause__ or current.__context__ or getattr(current, "orig_exc", None)
    return None


def _fault(exc: OSError, prefix: str) -> FaultError | None:
    path = exc.filename2 or exc.filename
    name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else None
    in_the_way = "rename or remove the file, then run the command again"
    if exc.errno == errno.EEXIST and name is not None:
        # mkdir(exist_ok=True) where a file stands: the file is in the way
        if os.path.lexists(name) and not os.path.isdir(name):
            return FaultError(
                f"{prefix}is a file, but a directory is needed here",
                location=Location(name),
                hint=in_the_way,
            )
        return None
    if exc.errno not in _FAULTS:
        return None
    if exc.errno == errno.ENOTDIR and name is not None:
        blocker = _file_in_the_way(name)
        if blocker is not None:
            return FaultError(
                f"{prefix}is a file, but a directory is needed here (for {name})",
                location=Location(blocker),
                hint=in_the_way,
            )
    what, hint = _FAULTS[exc.errno]
    if name is not None:
        return FaultError(f"{prefix}{what}", location=Location(name), hint=hint)
    return FaultError(f"{prefix or 'cannot write: '}{what}", hint=hint)


def _file_in_the_way(path: str) -> str | None:
    """The nearest ancestor of ``path`` that exists and is not a directory."""
    parent = os.path.dirname(os.path.abspath(path))
    while parent and parent != os.path.dirname(parent):
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
        parent = os.path.dirname(parent)
    return None


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean X?' hint for the closest candidate, or None if none is close."""
    candidates = list(candidates)
    folded = {c.casefold(): c for c in candidates}
    if word.casefold() in folded:  # 'SIT' for 'sit'
        return f"did you mean {folded[word.casefold()]!r}?"
    if len(word) >= 4:  # 'verify' for 'verification': a long shared beginning

        def shared(candidate: str) -> int:
            # character by character on purpose: a shared beginning of two words
            return len(os.path.commonprefix([word.casefold(), candidate.casefold()]))  # noqa: RUF071

        best = max(candidates, key=shared, default="")
        length = shared(best) if best else 0
        if (
            length >= max(4, int(0.6 * len(word)))
            and sum(shared(c) == length for c in candidates) == 1
        ):
            return f"did you mean {best!r}?"
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else None
