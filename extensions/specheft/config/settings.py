"""Reading and validating ``conf/specheft.toml``.

A wrong key, a wrong type or a value outside its choices is a ``ConfigError`` that
names the file, the line and the allowed values. Each table is described once in
``_TABLES``; sections that other parts of specheft read (rules, lint, documents) are
validated here too so that a typo is caught before any build starts.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from specheft.errors import ConfigError, Location, did_you_mean
from specheft.fsutil import source_lines
from specheft.labels import LANGUAGES
from specheft.model import KIND_DEFS, Kind

SETTINGS_FILE = "specheft.toml"
LEVELS = ("off", "info", "warning", "error")
AREA_CODE = re.compile(r"^[A-Z]{2,6}$")


@dataclass(frozen=True)
class _Key:
    types: tuple[type, ...]
    default: Any = None
    choices: tuple[str, ...] | None = None
    required: bool = False


_PROJECT_KEYS: dict[str, _Key] = {
    "name": _Key((str,), required=True),
    "customer": _Key((str,), ""),
    "vendor": _Key((str,), ""),
    "version": _Key((str,), "0.1"),
    "status": _Key((str,), "draft", choices=("draft", "released")),
    "language": _Key((str,), "de", choices=LANGUAGES),
    "document_id": _Key((str,), ""),
    "date": _Key((str, dt.date), None),
    # where the HTML build is published; exports link item ids to it
    "url": _Key((str,), ""),
}


@dataclass(frozen=True)
class ProjectInfo:
    name: str
    customer: str = ""
    vendor: str = ""
    version: str = "0.1"
    status: str = "draft"
    language: str = "de"
    document_id: str = ""
    date: str | None = None
    url: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    date: str
    author: str
    changes: str


@dataclass(frozen=True)
class Document:
    """One deliverable: a PDF and a section of the HTML site, rooted at ``start``."""

    name: str
    title: str
    start: str
    doc_id: str
    subtitle: str = ""
    show_vendor: bool = True
    signoff: bool = True
    signoff_roles: tuple[str, ...] = ()
    """Only these roles of [[signoff]] sign this document; empty: every role."""
    version: str = ""
    """The document's own version, date and status; empty: those of [project]."""
    date: str = ""
    status: str = ""
    history: tuple[HistoryEntry, ...] = ()
    """The document's own change history; empty: the project's [[history]]."""


@dataclass(frozen=True)
class Person:
    """A line of the distribution list or of the sign-off block."""

    role: str
    name: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class RuleLevel:
    """A rule's level, optionally per priority (``must``/``should``/``can``)."""

    default: str
    per_priority: Mapping[str, str] = field(default_factory=dict)
    inherit: bool = False
    """Written as a table: the rule's built-in per-priority defaults fill what it leaves out."""

    def over(self, builtin: RuleLevel) -> RuleLevel:
        """This level as configured, completed from the rule's built-in default."""
        if not self.inherit:
            return self
        return RuleLevel(
            self.default or builtin.default, {**builtin.per_priority, **self.per_priority}
        )

    def for_priority(self, priority: str | None) -> str:
        if priority is not None and priority in self.per_priority:
            return self.per_priority[priority]
        return self.default


@dataclass(frozen=True)
class Settings:
    project: ProjectInfo
    path: Path | None = None
    areas: Mapping[str, str] = field(default_factory=dict)
    id_patterns: Mapping[Kind, str] = field(default_factory=dict)
    rules: Mapping[str, RuleLevel] = field(default_factory=dict)
    documents: tuple[Document, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    distribution: tuple[Person, ...] = ()
    signoff: tuple[Person, ...] = ()
    areas_en: Mapping[str, str] = field(default_factory=dict)
    """English area titles of a catalogue ([catalog.areas_en]), for English projects."""
    tables: Mapping[str, Any] = field(default_factory=dict)
    """The other validated tables (lint, documents, …), for the parts that read them."""
    max_source_bytes: int = 5 * 1024 * 1024
    """[limits] max_source_mb: the largest source page read (in bytes)."""

    @property
    def language(self) -> str:
        return self.project.language

    def id_pattern(self, kind: Kind) -> str:
        return self.id_patterns.get(kind, KIND_DEFS[kind].id_pattern)

    def deliverables(self) -> tuple[Document, ...]:
        """The configured documents, or one document of the whole specification."""
        if self.documents:
            return self.documents
        doc_id = self.project.document_id or "SPEC"
        return (
            Document(
                "spezifikation" if self.language == "de" else "specification",
                self.project.name,
                "index",
                doc_id,
            ),
        )

    def document(self, name: str) -> Document:
        for document in self.deliverables():
            if document.name == name:
                return document
        names = [d.name for d in self.deliverables()]
        raise ConfigError(
            f"no document {name!r}; documents: {', '.join(names)}", hint=did_you_mean(name, names)
        )


class _Reader:
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

    def keys(self, table: str, data: Mapping[str, Any], spec: Mapping[str, _Key]) -> dict[str, Any]:
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


_KNOWN_TABLES = (
    "project",
    "areas",
    "ids",
    "rules",
    "lint",
    "documents",
    "signoff",
    "distribution",
    "history",
    "catalog",
    "results",
    "acceptance",
    "limits",
)


def _too_deep(text: str, limit: int = 100) -> int | None:
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


def parse_settings(text: str, path: Path | None = None) -> Settings:
    """Validate the text of a specheft.toml."""
    # a UTF-8 byte order mark, as Windows editors write it, is not part of the TOML
    text = text.removeprefix("\ufeff")
    reader = _Reader(path, text)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib parses nested arrays recursively
        raise ConfigError(
            "not valid TOML: arrays or inline tables nested too deeply",
            location=Location(str(path) if path else None, _too_deep(text)),
            hint="specheft.toml needs no nesting deeper than a few levels",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)(?:, column (\d+))?", str(exc))
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match and match.group(2) else None
        raise ConfigError(
            f"not valid TOML: {exc}",
            location=Location(str(path) if path else None, line, column),
        ) from None
    for name in data:
        if name not in _KNOWN_TABLES:
            reader.error(
                "",
                name,
                f"unknown table; allowed: {', '.join(_KNOWN_TABLES)}",
                did_you_mean(name, _KNOWN_TABLES),
            )
    if "project" not in data:
        reader.error("project", None, 'missing table [project] (at least: name = "…")')
    project = reader.keys("project", reader.table(data, "project"), _PROJECT_KEYS)
    if isinstance(project["date"], dt.date):
        project["date"] = project["date"].isoformat()
    elif isinstance(project["date"], str):
        try:
            dt.date.fromisoformat(project["date"])
        except ValueError:
            reader.error("project", "date", f"{project['date']!r} is not a date (YYYY-MM-DD)")

    areas: dict[str, str] = {}
    for code, title in reader.table(data, "areas").items():
        if not AREA_CODE.match(code):
            reader.error("areas", code, "area codes are 2 to 6 capital letters (e.g. KON)")
        if not isinstance(title, str) or not title.strip():
            reader.error("areas", code, "expected the area's title as a non-empty string")
        areas[code] = title

    id_patterns: dict[Kind, str] = {}
    for kind_name, pattern in reader.table(data, "ids").items():
        if kind_name not in Kind.__members__.values():
            reader.error(
                "ids",
                kind_name,
                f"unknown item kind; allowed: {', '.join(Kind)}",
                did_you_mean(kind_name, list(Kind)),
            )
        if not isinstance(pattern, str):
            reader.error("ids", kind_name, "expected a regular expression string")
        try:
            re.compile(pattern)
        except re.error as exc:
            reader.error("ids", kind_name, f"not a valid regular expression: {exc}")
        id_patterns[Kind(kind_name)] = pattern

    rules = _parse_rules(reader, reader.table(data, "rules"))
    own = (
        "project",
        "areas",
        "ids",
        "rules",
        "documents",
        "history",
        "distribution",
        "signoff",
        "catalog",
        "limits",
    )
    tables = {name: data[name] for name in data if name not in own}
    _validate_extra_tables(reader, tables)
    return Settings(
        project=ProjectInfo(**project),
        path=path,
        areas=areas,
        id_patterns=id_patterns,
        rules=rules,
        documents=_parse_documents(reader, reader.table(data, "documents"), project),
        history=tuple(HistoryEntry(**e) for e in _entries(reader, data, "history", _HISTORY_KEYS)),
        distribution=tuple(
            Person(**e) for e in _entries(reader, data, "distribution", _PERSON_KEYS)
        ),
        signoff=tuple(Person(**e) for e in _entries(reader, data, "signoff", _PERSON_KEYS)),
        areas_en=_parse_areas_en(reader, reader.table(data, "catalog"), areas),
        tables=tables,
        max_source_bytes=_parse_limits(reader, reader.table(data, "limits")),
    )


#: A page larger than this is refused before it is read: Sphinx and MyST need minutes
#: and gigabytes for a 50 MB page (a pasted export, a generated file gone wrong).
DEFAULT_MAX_SOURCE_MB = 5
_LIMIT_KEYS: dict[str, _Key] = {"max_source_mb": _Key((int, float), DEFAULT_MAX_SOURCE_MB)}


def _parse_limits(reader: _Reader, data: Mapping[str, Any]) -> int:
    values = reader.keys("limits", data, _LIMIT_KEYS)
    megabytes = values["max_source_mb"]
    if not 0 < megabytes <= 10**6:  # also nan and inf, which TOML allows
        reader.error("limits", "max_source_mb", f"expected a size in MB above 0, got {megabytes}")
    return int(megabytes * 1024 * 1024)


_DOCUMENT_KEYS: dict[str, _Key] = {
    "title": _Key((str,), required=True),
    "start": _Key((str,), required=True),
    "id": _Key((str,), ""),
    "subtitle": _Key((str,), ""),
    "show_vendor": _Key((bool,), True),
    "signoff": _Key((bool,), True),
    "signoff_roles": _Key((list,), []),
    "version": _Key((str,), ""),
    "date": _Key((str, dt.date), ""),
    "status": _Key((str,), "", choices=("", "draft", "released")),
    "history": _Key((list,), []),
}
_HISTORY_KEYS: dict[str, _Key] = {
    "version": _Key((str,), required=True),
    "date": _Key((str, dt.date), required=True),
    "author": _Key((str,), ""),
    "changes": _Key((str,), required=True),
}
_PERSON_KEYS: dict[str, _Key] = {
    "role": _Key((str,), required=True),
    "name": _Key((str,), ""),
    "organisation": _Key((str,), ""),
}
_DOC_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _parse_documents(
    reader: _Reader, data: Mapping[str, Any], project: Mapping[str, Any]
) -> tuple[Document, ...]:
    documents = []
    for name, entry in data.items():
        if not _DOC_NAME.match(name):
            reader.error(
                "documents",
                name,
                "document names are lower-case letters, digits, "
                "'-' and '_' (they name the PDF file)",
            )
        if not isinstance(entry, Mapping):
            reader.error("documents", name, f"expected a table [documents.{name}]")
        table = f"documents.{name}"
        values = reader.keys(table, entry, _DOCUMENT_KEYS)
        doc_id = values.pop("id") or f"{project['document_id'] or 'DOC'}-{name.upper()}"
        if isinstance(values["date"], dt.date):
            values["date"] = values["date"].isoformat()
        roles = values.pop("signoff_roles")
        if not all(isinstance(role, str) for role in roles):
            reader.error(table, "signoff_roles", "expected a list of role names (strings)")
        history = _entries(reader, entry, "history", _HISTORY_KEYS, table=f"{table}.history")
        values.pop("history")
        documents.append(
            Document(
                name=name,
                doc_id=doc_id,
                signoff_roles=tuple(roles),
                history=tuple(HistoryEntry(**e) for e in history),
                **values,
            )
        )
    return tuple(documents)


def _parse_areas_en(
    reader: _Reader, data: Mapping[str, Any], areas: Mapping[str, str]
) -> dict[str, str]:
    for key in data:
        if key != "areas_en":
            reader.error("catalog", key, "unknown key; allowed: areas_en")
    titles = data.get("areas_en", {})
    if not isinstance(titles, Mapping):
        reader.error("catalog", "areas_en", 'expected a table of area code = "English title"')
    for code, title in titles.items():
        if code not in areas:
            reader.error(
                "catalog.areas_en", code, f"not an area of [areas]; areas: {', '.join(areas)}"
            )
        if not isinstance(title, str) or not title.strip():
            reader.error("catalog.areas_en", code, "expected the English title as a string")
    return dict(titles)


def _entries(
    reader: _Reader,
    data: Mapping[str, Any],
    name: str,
    spec: Mapping[str, _Key],
    *,
    table: str | None = None,
) -> list[dict[str, Any]]:
    table = table or name
    value = data.get(name, [])
    if not isinstance(value, list):
        reader.error("", table, f"expected an array of tables: [[{table}]]")
    result = []
    for entry in value:
        if not isinstance(entry, Mapping):
            reader.error(table, None, f"expected tables: [[{table}]]")
        values = reader.keys(table, entry, spec)
        if isinstance(values.get("date"), dt.date):
            values["date"] = values["date"].isoformat()
        result.append(values)
    return result


def _parse_rules(reader: _Reader, data: Mapping[str, Any]) -> dict[str, RuleLevel]:
    from specheft.trace.rules import rule_ids  # pure, but imported late to keep start-up light

    known = rule_ids()

    rules: dict[str, RuleLevel] = {}
    for rule_id, value in data.items():
        if rule_id not in known:
            reader.error(
                "rules",
                rule_id,
                "unknown rule; known rules: " + ", ".join(known),
                did_you_mean(rule_id, known),
            )
        if isinstance(value, str):
            if value not in LEVELS:
                reader.error(
                    "rules",
                    rule_id,
                    f"{value!r} is not a level; allowed: {', '.join(LEVELS)}",
                    did_you_mean(value, LEVELS),
                )
            rules[rule_id] = RuleLevel(value)
        elif isinstance(value, Mapping):
            allowed = ("default", "must", "should", "can")
            per: dict[str, str] = {}
            for key, level in value.items():
                if key not in allowed:
                    reader.error(
                        f"rules.{rule_id}",
                        key,
                        f"unknown key; allowed: {', '.join(allowed)}",
                        did_you_mean(key, allowed),
                    )
                if level not in LEVELS:
                    reader.error(
                        f"rules.{rule_id}",
                        key,
                        f"{level!r} is not a level; allowed: {', '.join(LEVELS)}",
                    )
                per[key] = level
            rules[rule_id] = RuleLevel(per.pop("default", ""), per, inherit=True)
        else:
            reader.error(
                "rules",
                rule_id,
                f"expected a level ({', '.join(LEVELS)}) or a table with default/must/should/can",
            )
    return rules


#: Validators for tables owned by other modules, registered by those modules.
TABLE_VALIDATORS: dict[str, Any] = {}


def _validate_extra_tables(reader: _Reader, tables: Mapping[str, Any]) -> None:
    from specheft.trace import rules

    rules.all_rules()  # imports the modules that register validators for their tables
    from specheft.evidence import config as _evidence  # noqa: F401  (registers [results], [acceptance])

    for name, value in tables.items():
        validator = TABLE_VALIDATORS.get(name)
        if validator is not None:
            validator(reader, value)


def load_settings(path: Path) -> Settings:
    """Read and validate a specheft.toml file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "settings file not found",
            location=Location(str(path)),
            hint='create it with at least:  [project]  name = "…"',
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read settings: {exc.strerror}", location=Location(str(path))
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "not UTF-8 encoded", location=Location(str(path), line), hint="save the file as UTF-8"
        ) from None
    return parse_settings(text, path)


def default_settings(name: str = "Projekt") -> Settings:
    return Settings(project=ProjectInfo(name=name))
