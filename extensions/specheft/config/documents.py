"""The deliverables of specheft.toml: ``[documents.<name>]``, ``[[history]]``,
``[[distribution]]`` and ``[[signoff]]``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from specheft.config.reader import Key, Reader


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
    baseline: str = ""
    """A git tag pattern (``lh-v*``): the latest matching tag is the document's baseline."""


@dataclass(frozen=True)
class Person:
    """A line of the distribution list or of the sign-off block."""

    role: str
    name: str = ""
    organisation: str = ""


DOCUMENT_KEYS: dict[str, Key] = {
    "title": Key((str,), required=True),
    "start": Key((str,), required=True),
    "id": Key((str,), ""),
    "subtitle": Key((str,), ""),
    "show_vendor": Key((bool,), True),
    "signoff": Key((bool,), True),
    "signoff_roles": Key((list,), []),
    "version": Key((str,), ""),
    "date": Key((str, dt.date), ""),
    "status": Key((str,), "", choices=("", "draft", "released")),
    "history": Key((list,), []),
    "baseline": Key((str,), ""),
}
HISTORY_KEYS: dict[str, Key] = {
    "version": Key((str,), required=True),
    "date": Key((str, dt.date), required=True),
    "author": Key((str,), ""),
    "changes": Key((str,), required=True),
}
PERSON_KEYS: dict[str, Key] = {
    "role": Key((str,), required=True),
    "name": Key((str,), ""),
    "organisation": Key((str,), ""),
}
_DOC_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def parse_documents(
    reader: Reader, data: Mapping[str, Any], project: Mapping[str, Any]
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
        values = reader.keys(table, entry, DOCUMENT_KEYS)
        doc_id = values.pop("id") or f"{project['document_id'] or 'DOC'}-{name.upper()}"
        if isinstance(values["date"], dt.date):
            values["date"] = values["date"].isoformat()
        pattern = values["baseline"]
        if pattern and (pattern.count("*") != 1 or any(c in pattern for c in "?[]\\ ")):
            reader.error(
                table,
                "baseline",
                f"baseline {pattern!r} is no tag pattern with one '*' standing for the "
                'version (e.g. "lh-v*": tag lh-v1.0 is version 1.0)',
            )
        roles = values.pop("signoff_roles")
        if not all(isinstance(role, str) for role in roles):
            reader.error(table, "signoff_roles", "expected a list of role names (strings)")
        history = _entries(reader, entry, "history", HISTORY_KEYS, table=f"{table}.history")
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


def _entries(
    reader: Reader,
    data: Mapping[str, Any],
    name: str,
    spec: Mapping[str, Key],
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


def parse_history(reader: Reader, data: Mapping[str, Any]) -> tuple[HistoryEntry, ...]:
    """The project's ``[[history]]``."""
    return tuple(HistoryEntry(**e) for e in _entries(reader, data, "history", HISTORY_KEYS))


def parse_people(reader: Reader, data: Mapping[str, Any], name: str) -> tuple[Person, ...]:
    """``[[distribution]]`` or ``[[signoff]]``."""
    return tuple(Person(**e) for e in _entries(reader, data, name, PERSON_KEYS))
