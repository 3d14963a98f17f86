"""The project's items as plain tables (header + rows of strings), one per sheet.

Both writers (xlsx and csv) take these tables, so the two formats show the same
cells. Every cell is a ``str``: nothing is ever written as a formula or a number
that the spreadsheet could reinterpret. Rows are in id order, columns in a fixed
order: same sources, same cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from specheft.config.fields import CustomField
from specheft.errors import InputError, Location
from specheft.model import FIELDS, LINKS, Kind
from specheft.trace.coverage import RequirementCoverage

#: Excel refuses longer cells (XlsxWriter would cut them silently).
MAX_CELL = 32_767
# characters XML 1.0 cannot carry (tab, LF, CR are fine); Excel would refuse the file
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: Column headers of the fixed columns; the importer knows them as synonyms.
ID, TITLE, TEXT, STATUS, CHAPTER, PAGE = "ID", "Title", "Text", "Status", "Chapter", "Page"
#: sphinx-needs' tags (every kind), comma-separated in the order of ``:tags:``
TAGS = "Tags"


@dataclass
class Table:
    """One sheet: ``key`` names it for ``--kind``, ``title`` is the sheet's name."""

    key: str
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """The item id of each row (for hyperlinks and located errors)."""
    docnames: list[str] = field(default_factory=list)
    colour_columns: dict[str, str] = field(default_factory=dict)
    """header → palette name: cells in that column are coloured by their value."""


#: kind → (key for --kind, sheet title); the order of the sheets in the workbook
KIND_TABLES: tuple[tuple[Kind, str, str], ...] = (
    (Kind.REQ, "requirements", "Requirements"),
    (Kind.EXCL, "exclusions", "Exclusions"),
    (Kind.SPEC, "specs", "Pflichtenheft"),
    (Kind.TEST, "tests", "Tests"),
)
KEYS: tuple[str, ...] = (*(key for _, key, _ in KIND_TABLES), "coverage")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _fields_of(kind: Kind) -> list[str]:
    return [f.name for f in FIELDS if kind in f.kinds]


def _links_of(kind: Kind) -> list[str]:
    return [link.name for link in LINKS if kind in link.sources]


def item_table(
    kind: Kind,
    key: str,
    title: str,
    needs: Iterable[Mapping[str, Any]],
    chapters: Mapping[str, str],
    srcdir: str = "",
    custom: Sequence[CustomField] = (),
) -> Table:
    """Every item of ``kind``: id, title, text, status, tags, every field and link of the
    kind, then the project's own fields of the kind (``custom``), headed by their labels
    (the importer finds them by label again)."""
    fields = _fields_of(kind)
    links = _links_of(kind)
    own = [c for c in custom if kind in c.kinds]
    labels = [c.label for c in own]
    header = [ID, TITLE, TEXT, STATUS, TAGS, *fields, *links, *labels, CHAPTER, PAGE]
    table = Table(key, title, header)
    if "priority" in fields:
        table.colour_columns["priority"] = "priority"
    chosen = sorted((n for n in needs if n.get("type") == kind), key=lambda n: str(n["id"]))
    for need in chosen:
        docname = str(need.get("docname") or "")
        row = [
            str(need["id"]),
            cell_text(need.get("title")),
            cell_text(need.get("content")).strip("\n"),
            cell_text(need.get("status")),
            cell_text(need.get("tags")),  # the author's order: same sources, same cell
            *(cell_text(need.get(name)) for name in fields),
            *(cell_text(need.get(name)) for name in links),
            *(cell_text(need.get(c.name)) for c in own),
            chapters.get(docname, ""),
            docname,
        ]
        _check_cells(table, str(need["id"]), row, need, srcdir)
        table.rows.append(row)
        table.ids.append(str(need["id"]))
        table.docnames.append(docname)
    return table


def coverage_table(rows: Iterable[RequirementCoverage]) -> Table:
    table = Table(
        "coverage",
        "Coverage",
        [ID, TITLE, "priority", "coverage", "specs", "tests", "phase"],
        colour_columns={"priority": "priority", "coverage": "coverage"},
    )
    for row in rows:
        item = row.item
        table.rows.append(
            [
                item.id,
                item.title,
                item.priority or "",
                str(row.status),
                ", ".join(row.specs),
                ", ".join(row.tests),
                row.phase.id if row.phase else "",
            ]
        )
        table.ids.append(item.id)
        table.docnames.append(item.docname or "")
    return table


def _check_cells(
    table: Table, item_id: str, row: list[str], need: Mapping[str, Any], srcdir: str
) -> None:
    """Refuse what no spreadsheet can hold, naming the item (never cut or dropped)."""
    joined = "\n".join(row)  # one search for the whole row: nearly every row is fine
    if len(joined) <= MAX_CELL and not _CONTROL.search(joined):
        return
    docname = need.get("docname")
    path = f"{srcdir}/{docname}{need.get('doctype') or '.md'}" if docname else None
    where = Location(path.lstrip("/") if path else None, need.get("lineno"))
    for column, text in zip(table.header, row, strict=True):
        if len(text) > MAX_CELL:
            raise InputError(
                f"{column} has {len(text)} characters; a spreadsheet cell holds at most {MAX_CELL}",
                location=where,
                item=item_id,
                hint="shorten it or split the item; the export does not cut text",
            )
        bad = _CONTROL.search(text)
        if bad:
            raise InputError(
                f"{column} contains the control character U+{ord(bad.group()):04X}, "
                "which a spreadsheet cannot hold",
                location=where,
                item=item_id,
            )
