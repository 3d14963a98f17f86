"""Point a finding about one option at that option's line: the one source map of specheft.

Items know the line of their directive; a finding about ``:id:`` or ``:priority:`` is
more useful at the option itself. Options stand directly below the directive line and
end at the first line that is not an option (MyST reads the rest as the body).

Pure: no Sphinx import. The rule findings of ``specheft check``, the trace check of a
build and the rewritten sphinx-needs messages all locate options here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from specheft.fsutil import source_lines

#: Any option line (``:name:`` at the start); the option block ends at the first other line.
_ANY_OPTION = re.compile(r"^\s*:[\w-]+:")
#: How many lines below the directive are searched at most (a very long option block).
WINDOW = 60


def option_line(lines: Sequence[str], start: int, name: str) -> int | None:
    """The (1-based) line of ``:name:`` in the option block of the directive on line
    ``start`` (1-based), or None when the block has no such option."""
    option = re.compile(rf"^\s*:{re.escape(name)}:")
    for index in range(max(start, 0), min(start + WINDOW, len(lines))):
        text = lines[index]  # 0-based index: the line after the directive line first
        if option.match(text):
            return index + 1
        if not _ANY_OPTION.match(text):
            return None
    return None


class SourceLines:
    """Reads each source file once: one per build (or per check), not per message."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def lines(self, path: Path) -> list[str]:
        """The file's lines as the parsers count them; none for an unreadable file."""
        if path not in self._files:
            try:
                self._files[path] = source_lines(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self._files[path] = []
        return self._files[path]

    def option_line(self, path: Path, start: int, name: str) -> int | None:
        """The line of ``:name:`` in the option block of the directive on line ``start``."""
        return option_line(self.lines(path), start, name)
