"""Point a finding about one option at that option's line.

Items know the line of their directive; a finding about ``:id:`` or ``:priority:`` is
more useful at the option itself. Options stand directly below the directive line.
"""

from __future__ import annotations

import re
from pathlib import Path

from specheft.fsutil import source_lines

_OPTION = re.compile(r"^\s*:[\w-]+:")


class SourceLines:
    """Reads each source file once."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def lines(self, path: Path) -> list[str]:
        if path not in self._files:
            try:
                self._files[path] = source_lines(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self._files[path] = []
        return self._files[path]

    def option_line(self, path: Path, start: int, name: str) -> int | None:
        """The line of ``:name:`` in the option block of the directive on line ``start``."""
        lines = self.lines(path)
        option = re.compile(rf"^\s*:{re.escape(name)}:")
        for index in range(start, min(start + 60, len(lines))):
            if option.match(lines[index]):
                return index + 1
            if not _OPTION.match(lines[index]):
                return None
        return None
