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
#: MyST's KeyToken, Position, ValueToken and State, imported on first use
_CLASSES: list[Any] = []


def simple_tokens(text: str) -> list[tuple[Any, Any]] | None:
    """The (key, value) tokens of an option block of plain ``key: value`` lines, as
    ``myst_parser.parsers.options.options_to_tokens`` makes them; None for any other block."""
    if not text or _SPECIAL.search(text):
        return None
    if not _CLASSES:
        from myst_parser.parsers.options import KeyToken, Position, State, ValueToken

        _CLASSES.extend((KeyToken, Position, ValueToken, State))
    key_token, position, value_token = _CLASSES[0], _CLASSES[1], _CLASSES[2]
    tokens: list[tuple[Any, Any]] = []
    offset = 0
    lines = text.split("\n")
    last = len(lines) - 1
    match = _SIMPLE.fullmatch
    for number, line in enumerate(lines):
        found = match(line)
        if found is None:
            return None
        key, value = found.group(1, 2)
        size = len(key)
        key_tok = key_token(position(offset, number, 0), position(offset + size, number, size), key)
        if value is not None:
            start, end = found.span(2)
            value_tok = value_token(
                position(offset + start, number, start), position(offset + end, number, end), value
            )
        elif number == last:
            # the last line: MyST's scanner meets the end of the block and yields an
            # empty value (on any other line it meets the next key and yields none)
            end = offset + len(line)
            value_tok = value_token(
                position(end, number, len(line)), position(end, number, len(line)), ""
            )
        else:
            value_tok = None
        tokens.append((key_tok, value_tok))
        offset += len(line) + 1
    return tokens


def _options_to_tokens(text: str, line_offset: int = 0, column_offset: int = 0) -> Any:
    """``options_to_tokens`` with the plain-lines fast path."""
    tokens = simple_tokens(text)
    if tokens is None:
        return _ORIGINAL[0](text, line_offset, column_offset)
    return tokens, _CLASSES[3]()


def install() -> None:
    """Use the fast path where MyST reads a directive's option block (once per process)."""
    from myst_parser.parsers import directives

    current = getattr(directives, "options_to_tokens", None)
    if current is None or current is _options_to_tokens:
        return  # another MyST release without it, or already installed
    if getattr(current, "__module__", "") != "myst_parser.parsers.options":
        return  # someone else replaced it: leave it alone
    _ORIGINAL[:] = [current]  # put back by someone since: replaced again, not stacked
    directives.options_to_tokens = _options_to_tokens  # type: ignore[attr-defined]
