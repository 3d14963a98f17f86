"""The located reader of ``specheft.toml``: checks keys and types of one table and
raises a ``ConfigError`` naming the file and the line of the offending key.

Shared by every part that owns a table of specheft.toml (``config.settings`` for the
project tables, the rules for ``[rules]``, the lint for ``[lint]``, the evidence for
``[results]`` and ``[acceptance]``); it knows none of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from specheft.errors import ConfigError, Location, did_you_mean
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
