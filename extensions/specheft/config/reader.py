"""The located reader of ``specheft.toml``: checks keys and types of one table and
raises a ``ConfigError`` naming the file and the line of the offending key.

Shared by every part that owns a table of specheft.toml (``config.settings`` for the
project tables, the rules for ``[rules]``, the lint for ``[lint]``, the evidence for
``[results]`` and ``[acceptance]``); it knows none of them.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from specheft.errors import ConfigError, InputError, Location, SpecheftError, did_you_mean
from specheft.fsutil import source_lines


@dataclass(frozen=True)
class Key:
    """One key of a table: the types it may have, its default and its allowed values."""

    types: tuple[type, ...]
    default: Any = None
    choices: tuple[str, ...] | None = None
    required: bool = False


class Reader:
    """Validates one parsed TOML document, remembering the text to find line numbers."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = source_lines(text)
        #: the codes of [areas], set before the other parts' tables are read: those may
        #: name areas ([tender] area_weights) and are checked against them
        self.areas: tuple[str, ...] = ()

    def where(self, table: str, key: str | None = None) -> Location:
        return Location(str(self.path) if self.path else None, self._line(table, key))

    def _line(self, table: str, key: str | None) -> int | None:
        """Line of ``key`` inside ``[table]`` (or of the header itself); best effort."""
        header = re.compile(rf"^\s*\[\[?{re.escape(table)}\]\]?\s*(#.*)?$")
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=") if key else None
        in_table = table == ""
        header_line = None
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                if not table and key and re.match(rf"^\s*\[\[?{re.escape(key)}[\].]", line):
                    return number  # a top-level table header: [key], [key.sub], [[key]]
                in_table = bool(header.match(line))
                if in_table:
                    header_line = number
                continue
            if in_table and key_re and key_re.match(line):
                return number
            # a dotted key (``rules.x = …``); only on a line that has it: the key alone
            # may stand in another table ([areas] KON = … for rules.req-verified.KON)
            dotted = f"{table}."
            if table and key_re and dotted in line and key_re.match(line.replace(dotted, "", 1)):
                return number
        if header_line is None and "." in table:
            # no [a.b] header: an inline table, ``b = { … }`` in [a], names the place
            parent, _, last = table.rpartition(".")
            return self._line(parent, last)
        return header_line

    def error(self, table: str, key: str | None, message: str, hint: str | None = None) -> None:
        name = f"{table}.{key}" if table and key else (key or table)
        raise ConfigError(f"{name}: {message}", location=self.where(table, key), hint=hint)

    def table(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, Mapping):
            self.error("", name, f"must be a table ([{name}]), got {type(value).__name__}")
        return cast(Mapping[str, Any], value)

    def keys(self, table: str, data: Mapping[str, Any], spec: Mapping[str, Key]) -> dict[str, Any]:
        for key in data:
            if key not in spec:
                self.error(
                    table,
                    key,
                    f"unknown key; allowed: {', '.join(spec)}",
                    did_you_mean(key, spec),
                )
        result: dict[str, Any] = {}
        for key, rule in spec.items():
            if key not in data:
                if rule.required:
                    self.error(table, None, f"missing required key {key!r}")
                result[key] = rule.default
                continue
            value = data[key]
            if isinstance(value, (dt.datetime, dt.time)) and dt.date in rule.types:
                # TOML's date-time is a date to Python too; the documents show a day
                self.error(
                    table,
                    key,
                    f"expected a date (YYYY-MM-DD), got the date and time {value.isoformat()}",
                    hint=f"write {key} = {value.isoformat()[:10]}"
                    if isinstance(value, dt.datetime)
                    else None,
                )
            if not isinstance(value, rule.types) or isinstance(value, bool) != (bool in rule.types):
                wanted = " or ".join(t.__name__ for t in rule.types)
                self.error(table, key, f"expected {wanted}, got {type(value).__name__} {value!r}")
            if rule.choices is not None and value not in rule.choices:
                self.error(
                    table,
                    key,
                    f"{value!r} is not allowed; allowed: {', '.join(rule.choices)}",
                    did_you_mean(str(value), rule.choices),
                )
            result[key] = value
        return result


T = TypeVar("T")


@dataclass(frozen=True)
class Table(Generic[T]):
    """A table of specheft.toml owned outside ``config`` (``[rules]``, ``[lint]``, …).

    ``parse`` validates the table's contents (an empty mapping when the file has no
    such table) into the owner's typed value; the settings keep that value, so the
    table is validated once, when the settings are read, and read typed afterwards.
    """

    name: str
    parse: Callable[[Reader, Mapping[str, Any]], T]

    def default(self) -> T:
        """The value of a project without this table."""
        return self.parse(Reader(None, ""), {})


def too_deep(text: str, limit: int = 100) -> int | None:
    """The line where arrays and inline tables first nest deeper than ``limit``
    (outside strings and comments), or None."""
    depth, line, quote = 0, 1, ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        if quote:
            if char == "\\" and quote.startswith('"'):
                index += 1  # an escaped character (a line end too, in a multi-line string)
                line += text.startswith("\n", index)
            elif text.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char == "#":
            end = text.find("\n", index)
            index = (len(text) if end < 0 else end) - 1
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote) - 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth -= 1
        index += 1
    return None


def parse_toml(
    text: str, path: Path | None, error: type[SpecheftError] = ConfigError
) -> dict[str, Any]:
    """``text`` as TOML; a syntax error as ``error`` at its file, line and column."""
    where = str(path) if path else None
    try:
        return tomllib.loads(text)
    except RecursionError:  # tomllib parses nested arrays recursively
        raise error(
            "not valid TOML: arrays or inline tables nested too deeply",
            location=Location(where, too_deep(text)),
            hint="no nesting deeper than a few levels is needed",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)(?:, column (\d+))?", str(exc))
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match and match.group(2) else None
        raise error(f"not valid TOML: {exc}", location=Location(where, line, column)) from None


def read_map(path: Path, tables: tuple[str, ...]) -> tuple[dict[str, Any], Reader]:
    """A ``--map`` file of an importer: its TOML and a located reader, with every table
    not in ``tables`` reported (an input error, exit 2)."""
    where = Location(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file (--map)", location=where) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the map: {exc}", location=where) from None
    data = parse_toml(text, path, InputError)
    reader = Reader(path, text)
    for name in data:
        if name not in tables:
            reader.error(
                "", name, f"unknown table; allowed: {', '.join(tables)}", did_you_mean(name, tables)
            )
    return data, reader
