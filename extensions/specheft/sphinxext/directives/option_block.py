"""MyST's option blocks (``:id: LH-KON-001`` lines) read without its character scanner.

MyST reads the option lines of every directive with a YAML-like scanner written in
Python, character by character: a tenth of ``check --fresh`` at 3,000 items. Nearly
every block is ``key: value`` lines, one option a line. For a block of only such lines
the tokens are made here directly from each line; any block with something the scanner
would treat specially — a comment sign, a quote, a block scalar, a tab, a character it
counts as a line break, a line that is not ``key: value`` — goes to MyST's own scanner
as before. Both give the same keys, values and key lines (``tests/test_option_block.py``
compares them on such lines and on the special ones).
"""

from __future__ import annotations

import re
from typing import Any

#: ``key: value`` as MyST's scanner reads it: the key a plain word at column 0, then a
#: colon, then either nothing or spaces and a plain value (trailing spaces are dropped).
_SIMPLE = re.compile(r"([A-Za-z_][\w-]*):(?:[ ]+([^ |>'\"](?:.*[^ ])?))?[ ]*")
#: characters that make MyST's scanner do something else than a plain value: comments,
#: tabs (an error), its end marker, line breaks other than "\n", a byte order mark
_SPECIAL = re.compile("[#\t\0\r\x85\u2028\u2029\ufeff]")

_ORIGINAL: list[Any] = []


def simple_tokens(text: str) -> list[tuple[Any, Any]] | None:
    """The (key, value) tokens of an option block of plain ``key: value`` lines, as
    ``myst_parser.parsers.options.options_to_tokens`` makes them; None for any other block."""
    if not text or _SPECIAL.search(text):
        return None
    from myst_parser.parsers.options import KeyToken, Position, ValueToken

    tokens: list[tuple[Any, Any]] = []
    offset = 0
    for number, line in enumerate(text.split("\n")):
        match = _SIMPLE.fullmatch(line)
        if match is None:
            return None
        key = match.group(1)
        key_token = KeyToken(
            Position(offset, number, 0), Position(offset + len(key), number, len(key)), key
        )
        value = match.group(2)
        value_token = None
        if value is not None:
            start, end = match.start(2), match.end(2)
            value_token = ValueToken(
                Position(offset + start, number, start),
                Position(offset + end, number, end),
                value,
            )
        elif number == text.count("\n"):
            # the last line: MyST's scanner meets the end of the block and yields an
            # empty value (on any other line it meets the next key and yields none)
            end = len(line)
            value_token = ValueToken(
                Position(offset + end, number, end), Position(offset + end, number, end), ""
            )
        tokens.append((key_token, value_token))
        offset += len(line) + 1
    return tokens


def _options_to_tokens(text: str, line_offset: int = 0, column_offset: int = 0) -> Any:
    """``options_to_tokens`` with the plain-lines fast path."""
    tokens = simple_tokens(text)
    if tokens is None:
        return _ORIGINAL[0](text, line_offset, column_offset)
    from myst_parser.parsers.options import State

    return tokens, State()


def install() -> None:
    """Use the fast path where MyST reads a directive's option block (once per process)."""
    from myst_parser.parsers import directives

    current = getattr(directives, "options_to_tokens", None)
    if current is None or current is _options_to_tokens:
        return  # another MyST release without it, or already installed
    if getattr(current, "__module__", "") != "myst_parser.parsers.options":
        return  # someone else replaced it: leave it alone
    _ORIGINAL.append(current)
    directives.options_to_tokens = _options_to_tokens  # type: ignore[attr-defined]
