"""``specheft export xlsx|csv``: the items as a workbook a reviewer can filter, or as CSV.

A pure writer: :mod:`specheft.project.export` runs the items-only build (``specheft
check``'s cache) and hands the items here; the coverage comes from
:mod:`specheft.trace.coverage`; nothing re-reads the Markdown. The cover sheet's date is
the last commit's date, never the clock, so that two exports of the same commit hold the
same cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from specheft.config.fields import CustomField
from specheft.config.settings import Document, ProjectInfo
from specheft.errors import InputError, Location
from specheft.io.sheets.tables import ID, KEYS, KIND_TABLES, Table, coverage_table, item_table
from specheft.trace.coverage import coverage
from specheft.trace.graph import TraceGraph

#: Colours (fill) by cell value; the names are the palette names of Table.colour_columns.
PALETTES: dict[str, dict[str, str]] = {
    "priority": {"must": "#F4C7C3", "should": "#FCE8B2", "can": "#D9EAD3"},
    "coverage": {"covered": "#B7E1CD", "partial": "#FCE8B2", "uncovered": "#F4C7C3"},
}
_WIDTHS = {ID: 16, "Title": 40, "Text": 70, "Tags": 24, "Chapter": 28, "Page": 28}
_WRAPPED = {"Title", "Text", "rationale", "acceptance", "Chapter"}


#: (document, digest, number of items) of each document a cover names
Fingerprints = Iterable[tuple[Document, str, int]]


@dataclass
class Export:
    """What both writers need: the tables, the cover lines and the HTML base URL."""

    tables: list[Table]
    cover: list[tuple[str, str]]
    url: str = ""
    date: dt.datetime | None = None
    warnings: list[str] = field(default_factory=list)
    #: the cover's lines after ``cover``, asked for as the last thing before the workbook
    #: is closed: the documents' fingerprints, which may still be computing in another
    #: process while the sheets are made (project/export.py)
    late_cover: Callable[[], list[tuple[str, str]]] = list
    #: the cover's last lines (after ``late_cover``)
    cover_tail: list[tuple[str, str]] = field(default_factory=list)

    def cover_lines(self) -> list[tuple[str, str]]:
        return [*self.cover, *self.late_cover(), *self.cover_tail]


def collect(
    needs: Iterable[Any],
    *,
    info: ProjectInfo,
    chapters: Mapping[str, str],
    srcdir: str,
    document: Document | None = None,
    pages: Container[str] | None = None,
    revision: str | None = None,
    committed: dt.datetime | None = None,
    fingerprints: Fingerprints | Callable[[], Fingerprints] = (),
    custom: Sequence[CustomField] = (),
    graph: TraceGraph | None = None,
) -> Export:
    """The tables and the cover of the items ``needs`` (of an items-only build).

    ``pages``: the docnames of ``document`` (its items are listed; coverage still counts
    every item); ``chapters``: docname → page title; ``revision`` and ``committed``: the
    git state and HEAD's date (None outside git); ``fingerprints``: (document, digest,
    item count) for the cover, or what gives them when the cover is written; ``custom``:
    the project's own fields ([fields]), a column each on the sheets of their kinds;
    ``graph``: the trace graph of ``needs`` if the caller has it already (made here
    otherwise)."""
    every = [n for n in needs if not n.get("is_external")]
    own = every if pages is None else [n for n in every if n.get("docname") in pages]
    tables = [_table(key, every, own, chapters, srcdir, custom, graph) for key in KEYS]
    for table in tables:
        _check_rows(table, own, srcdir)

    cover = [
        ("Project", info.name),
        ("Customer", info.customer),
        ("Version", info.version),
        ("Status", info.status),
        ("Document", f"{document.title} ({document.name})" if document else "all items"),
        ("Revision", revision or "not in a git repository"),
        ("Date", committed.date().isoformat() if committed else (info.date or "")),
    ]

    def late() -> list[tuple[str, str]]:
        found = fingerprints() if callable(fingerprints) else fingerprints
        return [
            (f"Fingerprint {doc.name}", f"{digest} ({count} items)" if digest else "–")
            for doc, digest, count in found
        ]

    counts = [(f"{t.title}", str(len(t.rows))) for t in tables]
    return Export(tables, cover, url=info.url, date=committed, late_cover=late, cover_tail=counts)


def collect_table(
    needs: Iterable[Any],
    key: str,
    *,
    chapters: Mapping[str, str],
    srcdir: str,
    pages: Container[str] | None = None,
    custom: Sequence[CustomField] = (),
    graph: TraceGraph | None = None,
) -> Table:
    """The table ``key`` (one of :data:`KEYS`) of :func:`collect`, and nothing else: a CSV
    file holds one table, and its export needs no cover, no fingerprints, no workbook and
    no trace graph unless it is the coverage (``graph``: made here if not given)."""
    every = [n for n in needs if not n.get("is_external")]
    own = every if pages is None else [n for n in every if n.get("docname") in pages]
    table = _table(key, every, own, chapters, srcdir, custom, graph)
    _check_rows(table, own, srcdir)
    return table


def _table(
    key: str,
    every: list[Any],
    own: list[Any],
    chapters: Mapping[str, str],
    srcdir: str,
    custom: Sequence[CustomField],
    graph: TraceGraph | None,
) -> Table:
    """The table ``key`` of the items ``own`` (of ``every`` item of the project)."""
    if key != "coverage":
        kind, title = next((k, t) for k, name, t in KIND_TABLES if name == key)
        return item_table(kind, key, title, own, chapters, srcdir, custom)
    shown = {str(n["id"]) for n in own}
    # coverage from the whole project: a Lastenheft's requirements are specified and
    # tested by items in other documents
    graph = graph if graph is not None else TraceGraph.from_needs(every, srcdir=srcdir)
    return coverage_table(r for r in coverage(graph) if r.item.id in shown)


#: Rows of an Excel sheet, the header row included (Excel drops the rest of a CSV file).
MAX_ROWS = 1_048_576


def _check_rows(table: Table, needs: Iterable[Any], srcdir: str) -> None:
    """Refuse a table longer than a sheet, naming the first item that does not fit
    (never a workbook that silently lacks the rest)."""
    if len(table.rows) < MAX_ROWS:
        return
    first = table.ids[MAX_ROWS - 1]
    need: Any = next((n for n in needs if str(n["id"]) == first), {})
    docname = need.get("docname")
    path = f"{srcdir}/{docname}{need.get('doctype') or '.md'}".lstrip("/") if docname else None
    raise InputError(
        f"the sheet {table.title!r} would have {len(table.rows) + 1:,} rows; a spreadsheet "
        f"holds at most {MAX_ROWS:,}: this item and the {len(table.rows) - MAX_ROWS} after it "
        "do not fit",
        location=Location(path, need.get("lineno")),
        item=first,
        hint="export one document at a time (--document NAME); the export does not cut rows",
    )


def item_url(base: str, docname: str, item_id: str) -> str:
    return f"{base.rstrip('/')}/{docname}.html#{item_id}" if base and docname else ""


# -- xlsx ---------------------------------------------------------------------------------


def write_xlsx(export: Export, target: IO[bytes] | str) -> None:
    if export.url:
        # ids as hyperlinks: XlsxWriter writes every cell (and the links' relationships)
        _write_workbook(export, target, rows=True)
        return
    # XlsxWriter costs ~13 µs a cell (a third of an export after an edit at N=5000): it
    # writes everything but the item rows, which are added to its sheets as inline
    # strings (the same cells, styles and escapes; tests/test_sheets.py reads them back)
    buffer = io.BytesIO()
    data_rows = _write_workbook(export, buffer, rows=False)
    data = _with_rows(buffer.getvalue(), data_rows)
    if isinstance(target, str):
        with open(target, "wb") as handle:
            handle.write(data)
    else:
        target.write(data)


#: Text XlsxWriter writes escaped (a literal ``_xHHHH_``, a carriage return): readers
#: undo that escape in shared strings but not all of them in inline strings, so a sheet
#: holding such a text is written by XlsxWriter
_ESCAPED = re.compile("_x[0-9a-fA-F]{4}_|\r")
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


@dataclass
class _SheetRows:
    """The item rows of one sheet, to be added to XlsxWriter's part ``part``."""

    part: str
    table_part: str
    """the sheet's table (its range is made to cover the rows here)"""
    table: Table
    rows: str
    """the ``<row>`` elements"""


def _rows_xml(table: Table, styles: list[int], fills: dict[int, dict[str, int]]) -> str:
    """The ``<row>`` elements of the items: ``styles``, per column, the style index of its
    cells (``fills``: column → cell value → style index of a coloured one instead)."""
    from xlsxwriter.utility import xl_col_to_name  # type: ignore[import-untyped]

    letters = [xl_col_to_name(col) for col in range(len(table.header))]
    # per column: the cell reference's letters, the style attribute (fills aside)
    opens = [
        (f'<c r="{letter}', f'" s="{style}" t="inlineStr">')
        for letter, style in zip(letters, styles, strict=True)
    ]
    out = []
    for number, row in enumerate(table.rows, start=2):  # row 1: the table's header
        cells: list[str] = []
        add = cells.append
        for col, text in enumerate(row):
            if not text:
                continue  # the column's format covers it, as in XlsxWriter's own rows
            start, attrs = opens[col]
            if col in fills:
                fill = fills[col].get(text)
                if fill is not None:
                    attrs = f'" s="{fill}" t="inlineStr">'
            # the text (one without _ESCAPED) escaped; most cells need none, and three
            # searches cost less than three copies
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            # an edge space kept: = re.search(r"^\s|\s$", text), without ``\s$`` trying
            # every position
            if text[0].isspace() or text[-1].isspace():
                add(f'{start}{number}{attrs}<is><t xml:space="preserve">{text}</t></is></c>')
            else:
                add(f"{start}{number}{attrs}<is><t>{text}</t></is></c>")
        if cells:
            out.append(f'<row r="{number}">{"".join(cells)}</row>')
    return "".join(out)


def _range(table: Table, rows: int | None = None) -> str:
    """The cells of the table: header and ``rows`` rows (default: all; at least one)."""
    from xlsxwriter.utility import xl_col_to_name

    last = max(len(table.rows) if rows is None else rows, 1) + 1
    return f"A1:{xl_col_to_name(len(table.header) - 1)}{last}"


def _with_rows(data: bytes, sheets: list[_SheetRows]) -> bytes:
    """The workbook ``data`` with each sheet's item rows added after its header row."""
    import zipfile

    wanted = {s.part: s for s in sheets}
    tables = {s.table_part: s.table for s in sheets}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():  # same names, order, dates: still deterministic
            content = source.read(info)
            sheet = wanted.get(info.filename)
            if sheet is not None:
                xml = content.decode("utf-8")
                dimension = _range(sheet.table)
                xml = _DIMENSION.sub(f'<dimension ref="{dimension}"/>', xml, count=1)
                head, end, tail = xml.partition("</sheetData>")
                if not end:
                    raise AssertionError(f"no sheetData in {info.filename}")  # XlsxWriter's
                content = (head + sheet.rows + end + tail).encode("utf-8")
                # the item rows are nearly all of the workbook: deflate level 4 takes half
                # the default's (6) time — 0.09 against 0.19 s CPU at N=5000 — for a file
                # 20 % larger (1.31 against 1.09 MB)
                target.writestr(info, content, compresslevel=4)
                continue
            table = tables.get(info.filename)
            if table is not None:  # made over one row (see _write_workbook): all of them
                xml = content.decode("utf-8")
                small = f'ref="{_range(table, 1)}"'
                if xml.count(small) != 2 or f'name="T_{table.key}"' not in xml:
                    raise AssertionError(f"{info.filename} is not the table of {table.title}")
                content = xml.replace(small, f'ref="{_range(table)}"').encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def _write_workbook(export: Export, target: IO[bytes] | str, *, rows: bool) -> list[_SheetRows]:
    """The workbook; ``rows``: with the item rows, else without them (returned, for
    :func:`_with_rows`)."""
    import xlsxwriter  # type: ignore[import-untyped]  # no stubs, no py.typed

    options: dict[str, Any] = {
        # never let XlsxWriter turn text into a formula, number or link
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "in_memory": True,
    }
    workbook = xlsxwriter.Workbook(target, options)
    # a fixed creation time: the same commit gives the same file
    created = export.date or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    workbook.set_properties({"created": created.replace(tzinfo=None), "title": "specheft export"})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    plain = workbook.add_format({"valign": "top"})
    wrapped = workbook.add_format({"valign": "top", "text_wrap": True})
    link = workbook.add_format({"valign": "top", "font_color": "#1155CC", "underline": 1})
    fills = {
        (palette, value): workbook.add_format({"valign": "top", "bg_color": colour})
        for palette, colours in PALETTES.items()
        for value, colour in colours.items()
    }

    cover = workbook.add_worksheet("Cover")  # its cells last: see Export.late_cover
    cover.set_column(0, 0, 28)
    cover.set_column(1, 1, 80)

    later: list[_SheetRows] = []
    for number, table in enumerate(export.tables, start=2):  # sheet1 is the cover
        sheet = workbook.add_worksheet(table.title)
        columns = len(table.header)
        for col, name in enumerate(table.header):
            fmt = wrapped if name in _WRAPPED else plain
            sheet.set_column(col, col, _WIDTHS.get(name, 14 if name not in _WRAPPED else 40), fmt)
        palettes = {table.header.index(h): p for h, p in table.colour_columns.items()}
        # one search over every cell (no match can span the line between two cells)
        own = rows or bool(_ESCAPED.search("\n".join("\n".join(row) for row in table.rows)))
        if not own:
            # the style indices, assigned here in the order of first use (XlsxWriter keeps
            # an index once given, and registers each format holding one in styles.xml)
            styles = [
                (wrapped if name in _WRAPPED else plain)._get_xf_index() for name in table.header
            ]
            coloured = {
                col: {
                    value: fmt._get_xf_index() for (p, value), fmt in fills.items() if p == palette
                }
                for col, palette in palettes.items()
            }
            later.append(
                _SheetRows(
                    f"xl/worksheets/sheet{number}.xml",
                    f"xl/tables/table{number - 1}.xml",  # one table a sheet after the cover
                    table,
                    _rows_xml(table, styles, coloured),
                )
            )
        for r, row in enumerate(table.rows if own else (), start=1):
            for col, text in enumerate(row):
                if not text:
                    continue  # the column's format covers it; a blank cell costs time
                if col == 0 and export.url:
                    url = item_url(export.url, table.docnames[r - 1], text)
                    if url:
                        sheet.write_url(r, 0, url, link, string=text)
                        continue
                palette = palettes.get(col)
                fmt = fills.get((palette, text)) if palette else None
                sheet.write_string(
                    r, col, text, fmt or (wrapped if table.header[col] in _WRAPPED else plain)
                )
        # the table writes the header row itself; data cells were written above as strings.
        # Rows added later: made over one row, widened in _with_rows — XlsxWriter checks
        # every cell of a table's range for overlaps, 0.14 s CPU at N=5000
        sheet.add_table(
            0,
            0,
            max(len(table.rows), 1) if own else 1,
            columns - 1,
            {
                "name": f"T_{table.key}",
                "style": "Table Style Light 9",
                "columns": [{"header": name, "header_format": header} for name in table.header],
                "autofilter": True,
            },
        )
        sheet.freeze_panes(1, 1)
    for number, (key, value) in enumerate(export.cover_lines()):
        cover.write_string(number, 0, key, header)
        cover.write_string(number, 1, value, wrapped)
    workbook.close()
    return later


def xlsx_bytes(export: Export) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(export, buffer)
    return buffer.getvalue()


# -- csv ----------------------------------------------------------------------------------

#: A cell starting with one of these is a formula to Excel when it opens a CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """Text Excel shows as text: a leading ``'`` before a formula-like start (the
    importer removes it again)."""
    guarded = text.startswith(FORMULA_START)
    # a text that itself starts with the guard keeps it through the importer's removal
    guarded = guarded or (text[:1] == "'" and text[1:].startswith(FORMULA_START))
    return "'" + text if guarded else text


def csv_text(table: Table) -> str:
    """``;``-separated, every field quoted as needed; the caller adds the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([csv_cell(text) for text in row])
    return buffer.getvalue()


def csv_bytes(table: Table) -> bytes:
    return ("\ufeff" + csv_text(table)).encode("utf-8")


def table_named(tables: Iterable[Table], key: str) -> Table:
    for table in tables:
        if table.key == key:
            return table
    raise KeyError(key)  # the CLI offers only KEYS


__all__ = [
    "KEYS",
    "Export",
    "collect",
    "collect_table",
    "csv_bytes",
    "table_named",
    "write_xlsx",
    "xlsx_bytes",
]
