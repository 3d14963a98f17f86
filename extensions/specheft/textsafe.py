"""Text from the user's tree, made safe for terminals, XML and JSON reports.

File names, titles and messages can hold control characters (a file named with
``ESC]0;…BEL`` retitles the terminal, ``ESC[31m`` recolours it; XML 1.0 allows no C0
control besides tab and line ends, not even as a character reference). Every report and
every message shows them as visible escapes instead: ``\\x1b``, ``\\x07``, ``\\x9b``.
A lone surrogate (a non-UTF-8 byte in a file name, decoded with ``surrogateescape``)
becomes the byte it stands for, ``\\xff``, instead of failing the output's encoding.
"""

from __future__ import annotations

import copy
import logging
import re

# C0 controls except tab and line feed, DEL, C1 controls, lone surrogates. CR is escaped
# too: on a terminal it moves back to the start of the line and text after it overwrites.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# What json.dumps(ensure_ascii=False) leaves raw: DEL, C1 controls, lone surrogates.
_JSON_RAW = re.compile(r"[\x7f-\x9f\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        code -= 0xDC00
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character but tab and line feed written as ``\\xNN``."""
    return _CONTROLS.sub(_visible, text)


def printable_line(text: str) -> str:
    """Like ``printable``, and line feeds and tabs escaped too (one line, one attribute)."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")


def json_text(dumped: str) -> str:
    """JSON from ``json.dumps(..., ensure_ascii=False)`` with DEL, C1 controls and lone
    surrogates escaped as ``\\uXXXX`` as well (json escapes only C0 itself).

    Those characters occur only inside strings, so the replacement keeps the JSON valid
    and the decoded values unchanged.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


class _Escaping(logging.Formatter):
    """Formats a copy of each record with its message and location made printable, by
    the handler's own formatter (Sphinx's colours, added there, stay). The record itself
    is left alone: other handlers (the recorder of ``check``) keep the real file name."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        safe = copy.copy(record)
        # the base class's text: Sphinx's record classes prefix the location themselves
        safe.msg, safe.args = printable(logging.LogRecord.getMessage(record)), ()
        location = getattr(record, "location", None)
        if isinstance(location, str):
            safe.location = printable_line(location)
        return self.inner.format(safe)


def escape_logger(name: str = "sphinx") -> None:
    """Make every handler of the logger ``name`` that formats its records print control
    characters escaped (Sphinx's status and warning streams)."""
    for handler in logging.getLogger(name).handlers:
        formatter = handler.formatter
        if formatter is not None and not isinstance(formatter, _Escaping):
            handler.setFormatter(_Escaping(formatter))
