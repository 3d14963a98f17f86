"""Reading and validating ``conf/specheft.toml``.

A wrong key, a wrong type or a value outside its choices is a ``ConfigError`` that
names the file, the line and the allowed values. Configuration owns the project tables
([project], [areas], [ids], [catalog], [limits] here; [fields] in
:mod:`specheft.config.fields`; [documents], [[history]],
[[distribution]], [[signoff]] in :mod:`specheft.config.documents`); the tables other
parts own ([rules], [lint], [results], [acceptance], …) are passed in as
:class:`~specheft.config.reader.Table` values by the caller (``specheft.tables``
composes them), validated with the rest before any build starts, and kept typed in
:attr:`Settings.options`. Configuration knows nothing of rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from specheft.config.documents import (
    Document,
    HistoryEntry,
    Person,
    parse_documents,
    parse_history,
    parse_people,
)
from specheft.config.fields import CustomField, parse_fields
from specheft.config.reader import Key, Reader, Table, parse_toml
from specheft.errors import ConfigError, Location, did_you_mean
from specheft.labels import LANGUAGES
from specheft.model import KIND_DEFS, Kind

__all__ = [
    "AREA_CODE",
    "DEFAULT_MAX_SOURCE_MB",
    "SETTINGS_FILE",
    "Document",
    "HistoryEntry",
    "Person",
    "ProjectInfo",
    "Settings",
    "default_settings",
    "load_settings",
    "parse_settings",
]

SETTINGS_FILE = "specheft.toml"
AREA_CODE = re.compile(r"^[A-Z]{2,6}$")
T = TypeVar("T")


_PROJECT_KEYS: dict[str, Key] = {
    "name": Key((str,), required=True),
    "customer": Key((str,), ""),
    "vendor": Key((str,), ""),
    "version": Key((str,), "0.1"),
    "status": Key((str,), "draft", choices=("draft", "released")),
    "language": Key((str,), "de", choices=LANGUAGES),
    "document_id": Key((str,), ""),
    "date": Key((str, dt.date), None),
    # where the HTML build is published; exports link item ids to it
    "url": Key((str,), ""),
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
class Settings:
    project: ProjectInfo
    path: Path | None = None
    areas: Mapping[str, str] = field(default_factory=dict)
    id_patterns: Mapping[Kind, str] = field(default_factory=dict)
    documents: tuple[Document, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    distribution: tuple[Person, ...] = ()
    signoff: tuple[Person, ...] = ()
    areas_en: Mapping[str, str] = field(default_factory=dict)
    """English area titles of a catalogue ([catalog.areas_en]), for English projects."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The typed values of the tables other parts own, by table name (see :meth:`option`)."""
    max_source_bytes: int = 5 * 1024 * 1024
    """[limits] max_source_mb: the largest source page read (in bytes)."""
    fields: tuple[CustomField, ...] = ()
    """The project's own item fields ([fields.<name>]), in the order of the file."""

    @property
    def own_fields(self) -> tuple[str, ...]:
        """The names of the project's own fields: content in fingerprints and diffs."""
        return tuple(f.name for f in self.fields)

    @property
    def language(self) -> str:
        return self.project.language

    def option(self, table: Table[T]) -> T:
        """The validated value of a table another part owns; its default when the
        settings were made without it (no specheft.toml, a hand-built Settings)."""
        if table.name in self.options:
            return cast(T, self.options[table.name])
        return table.default()

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


#: The tables this module reads itself.
_OWN_TABLES = (
    "project",
    "areas",
    "ids",
    "documents",
    "signoff",
    "distribution",
    "history",
    "catalog",
    "limits",
    "fields",
)


def parse_settings(text: str, path: Path | None, tables: Sequence[Table[Any]]) -> Settings:
    """Validate the text of a specheft.toml; ``tables``: the tables other parts own."""
    # a UTF-8 byte order mark, as Windows editors write it, is not part of the TOML
    text = text.removeprefix("\ufeff")
    reader = Reader(path, text)
    data = parse_toml(text, path)
    known = (*_OWN_TABLES, *(table.name for table in tables))
    for name in data:
        if name not in known:
            reader.error(
                "",
                name,
                f"unknown table; allowed: {', '.join(known)}",
                did_you_mean(name, known),
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

    reader.areas = tuple(areas)
    # the owners' tables in the order of the file, so the first mistake is the one reported
    order = {name: index for index, name in enumerate(data)}
    options = {
        table.name: table.parse(reader, reader.table(data, table.name))
        for table in sorted(tables, key=lambda table: order.get(table.name, len(order)))
    }
    return Settings(
        project=ProjectInfo(**project),
        path=path,
        areas=areas,
        id_patterns=id_patterns,
        documents=parse_documents(reader, reader.table(data, "documents"), project),
        history=parse_history(reader, data),
        distribution=parse_people(reader, data, "distribution"),
        signoff=parse_people(reader, data, "signoff"),
        areas_en=_parse_areas_en(reader, reader.table(data, "catalog"), areas),
        options=options,
        max_source_bytes=_parse_limits(reader, reader.table(data, "limits")),
        fields=parse_fields(reader, reader.table(data, "fields")),
    )


#: A page larger than this is refused before it is read: Sphinx and MyST need minutes
#: and gigabytes for a 50 MB page (a pasted export, a generated file gone wrong).
DEFAULT_MAX_SOURCE_MB = 5
_LIMIT_KEYS: dict[str, Key] = {"max_source_mb": Key((int, float), DEFAULT_MAX_SOURCE_MB)}


def _parse_limits(reader: Reader, data: Mapping[str, Any]) -> int:
    values = reader.keys("limits", data, _LIMIT_KEYS)
    megabytes = values["max_source_mb"]
    if not 0 < megabytes <= 10**6:  # also nan and inf, which TOML allows
        reader.error("limits", "max_source_mb", f"expected a size in MB above 0, got {megabytes}")
    return int(megabytes * 1024 * 1024)


def _parse_areas_en(
    reader: Reader, data: Mapping[str, Any], areas: Mapping[str, str]
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


#: Settings read recently, by file and content: a build reads specheft.toml in the CLI,
#: in conf.py and in the extension; it is parsed and validated once.
_READ: OrderedDict[tuple[str, bytes, tuple[Table[Any], ...]], Settings] = OrderedDict()
_READ_MAX = 8


def load_settings(path: Path, tables: Sequence[Table[Any]]) -> Settings:
    """Read and validate a specheft.toml file; ``tables``: the tables other parts own.

    The file is read every time, but parsed only when its content (or the path, or the
    tables asked for) differs from a recent read: an edit between two builds is seen.
    """
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
    key = (str(path), raw, tuple(tables))
    if key in _READ:
        _READ.move_to_end(key)
        return _READ[key]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "not UTF-8 encoded", location=Location(str(path), line), hint="save the file as UTF-8"
        ) from None
    settings = parse_settings(text, path, tables)
    _READ[key] = settings
    while len(_READ) > _READ_MAX:
        _READ.popitem(last=False)
    return settings


def default_settings(name: str = "Projekt") -> Settings:
    return Settings(project=ProjectInfo(name=name))
