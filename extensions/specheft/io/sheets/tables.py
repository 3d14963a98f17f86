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
from itertools import chain
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
    # the columns read from the item, in order (the id before, chapter and page after)
    names = ["title", "content", "status", "tags", *fields, *links, *(c.name for c in own)]
    for need in chosen:
        item_id = str(need["id"])
        docname = str(need.get("docname") or "")
        # nearly every value is a str or None: cell_text() only for what is not a str
        # (a call per cell was half of the tables' time at N=5000); tags: the author's
        # order, so that the same sources give the same cell
        cells = [v if v.__class__ is str else cell_text(v) for v in map(need.get, names)]
        cells[1] = cells[1].strip("\n")  # the text
        table.rows.append([item_id, *cells, chapters.get(docname, ""), docname])
        table.ids.append(item_id)
        table.docnames.append(docname)
    _check_table(table, chosen, srcdir)
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


def _check_table(table: Table, needs: Sequence[Mapping[str, Any]], srcdir: str) -> None:
    """Refuse what no spreadsheet can hold, naming the first item in the table's order
    that holds it (never cut or dropped); ``needs``: the item of each row."""
    # one search over the whole table (no cell holds the line break between two of
    # them as a control character), and the longest cell: nearly every table is fine
    rows = table.rows
    if not _CONTROL.search("\n".join("\n".join(row) for row in rows)) and (
        max(map(len, chain.from_iterable(rows)), default=0) <= MAX_CELL
    ):
        return
    for item_id, row, need in zip(table.ids, rows, needs, strict=True):
        _check_cells(table, item_id, row, need, srcdir)


def _check_cells(
    table: Table, item_id: str, row: list[str], need: Mapping[str, Any], srcdir: str
) -> None:
    """Refuse a cell of the row that no spreadsheet can hold, naming the item."""
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
