"""The one reader for sheets from other parties: rows of text, every cell located.

Used by ``import xlsx|csv``, ``results import`` (defect lists, manual results, through
:mod:`specheft.evidence.table`) and ``compliance import``. A row is located as
``file.xlsx:Sheet!12 (column C)`` in a workbook and ``file.csv:12`` in CSV.

Workbooks: the package is checked before the reading library sees it —
.xlsx/.xlsm by :mod:`specheft.io.safe.xlsx`, .ods by :mod:`specheft.io.safe.ods` (ZIP
checks, no ZIP bomb, no DTD/entities, rows and columns within limits, also through
repeated rows); .xls (OLE2, not ZIP: nothing to scan) only up to ``MAX_XLS_BYTES`` and
refused when encrypted. Then python-calamine reads the values (about ten times faster
than openpyxl). ``formulas="cached"`` takes a formula's cached value and refuses a
formula without one at its cell (the value the author saw is unknown);
``formulas="refuse"`` refuses every formula and error cell (sheets people fill in by
hand). An .xls file cannot be scanned for formulas, so it is only read with "cached".

CSV: UTF-8 (with or without BOM) or, failing that, cp1252 (German Excel's "CSV"),
separated by ``;``, ``,`` or TAB, whichever the first lines use most consistently; a
cell the export guarded against formulas (``'=x``) is read back unguarded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.limits import read_capped
from specheft.io.safe.ods import OdsPackage
from specheft.io.safe.xlsx import (
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    CellLocation,
    CellMark,
    Package,
    column_letter,
)

MAX_CSV_BYTES = 100 * 1024 * 1024
MAX_XLS_BYTES = 50 * 1024 * 1024
XLSX_SUFFIXES = (".xlsx", ".xlsm")
WORKBOOK_SUFFIXES = (*XLSX_SUFFIXES, ".ods", ".xls")
Formulas = Literal["cached", "refuse"]
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Grid:
    """The cells of one sheet as text; ``rows[i]`` is row ``numbers[i]`` of the file."""

    display: str
    sheet: str | None  # None for CSV (messages then say file:line)
    numbers: list[int]
    rows: list[list[str]]

    def where(self, row: int, column: int | None = None) -> Location:
        if self.sheet is None:
            return Location(self.display, row, column)
        return CellLocation(self.display, row, column, self.sheet)


def text_of(value: Any) -> str:
    """A cell value as the text the user saw (integral floats without ``.0``)."""
    if type(value) is str:  # most cells: first
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def kind_of(path: Path) -> Literal["xlsx", "ods", "xls", "csv"]:
    """The format by the file's suffix (CSV for anything that is no workbook suffix)."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix == ".ods":
        return "ods"
    if suffix == ".xls":
        return "xls"
    return "csv"


# -- workbooks ------------------------------------------------------------------------


class Workbook:
    """A checked workbook open for reading; sheets are converted when asked for."""

    def __init__(
        self, package: Package | None, names: list[str], book: Any, display: str, scanned: set[str]
    ) -> None:
        self.package = package
        self.names = names
        self.book = book
        self.display = display
        self._scanned = scanned  # sheets whose values the package scan checked fully

    def values(self, name: str, text: Callable[[Any], str] = text_of) -> Grid:
        """The sheet ``name`` as text, formulas as their cached values (not checked)."""
        self._scan(name)
        try:
            return _grid(self.book, self.display, name, text)
        except UnsafeInputError:
            raise
        except InputError:
            if self.package is not None:  # malformed XML the byte check let through: where
                self.package.explain(self.package.worksheet(name), MAX_ROWS, MAX_COLUMNS)
            raise

    def _scan(self, name: str) -> None:
        """A sheet not named when the workbook was opened is checked fully before the
        reading library parses it (a cell at XFD1048576 would make it allocate every
        cell up to there)."""
        if self.package is not None and name not in self._scanned:
            self.package.scan_sheet(self.package.worksheet(name), MAX_ROWS, MAX_COLUMNS)
            self._scanned.add(name)

    def check(self, name: str, formulas: Formulas = "cached") -> None:
        """Refuse what the policy refuses in sheet ``name`` (a formula without a cached
        value, or with "refuse" any formula or error cell), located at the cell."""
        if self.package is None:
            return
        self._scan(name)
        part = self.package.worksheet(name)
        _refuse_marks(self.package.marks(part), formulas, self.display, name)

    def grid(
        self, name: str, *, formulas: Formulas = "cached", text: Callable[[Any], str] = text_of
    ) -> Grid:
        """The sheet ``name``, checked (:meth:`check`) and as text."""
        self.check(name, formulas)
        return self.values(name, text)


@contextmanager
def open_workbook(
    path: Path, display: str, *, check: Sequence[str] | None = None, every: bool = False
) -> Iterator[Workbook]:
    """The checked workbook at ``path`` (.xlsx, .xlsm, .ods or .xls by suffix).

    ``check`` names the sheets that will be read (default: every worksheet); they are
    scanned fully before python-calamine sees the file (default: the first worksheet,
    or every one with ``every``). A missing sheet is an
    :class:`InputError` listing the sheets.
    """
    import python_calamine

    kind = kind_of(path)
    if kind == "xls":
        data = _xls_bytes(path, display)
        book = _load(python_calamine, data, display)
        names = [m.name for m in book.sheets_metadata if _is_worksheet(m)]
        for name in check or ():
            if name not in names:
                raise _no_sheet(display, name, names)
        yield Workbook(None, names, book, display, set(names))
        return
    opener = OdsPackage if kind == "ods" else Package
    with opener(path, display, MAX_UNCOMPRESSED, MAX_RATIO) as package:
        names = [s.name for s in package.sheets if s.kind == "worksheet"]
        if check:
            targets = [package.worksheet(n) for n in check]
        elif every and names:
            targets = [package.worksheet(n) for n in names]
        else:
            targets = [package.worksheet(None)]
        # bombs, DTDs, limits: before calamine; every sheet read is checked fully
        package.scan(targets[0], MAX_ROWS, MAX_COLUMNS, also=targets[1:])
        package.handle.seek(0)
        data = package.handle.read()
        book = _load(python_calamine, data, display)
        yield Workbook(package, names, book, display, {t.name for t in targets})


def _is_worksheet(meta: Any) -> bool:
    return "work" in str(getattr(meta, "typ", "WorkSheet")).casefold()


def _load(module: Any, data: bytes, display: str) -> Any:
    try:
        return module.load_workbook(io.BytesIO(data))
    except module.PasswordError:
        raise InputError(
            "is an encrypted (password-protected) workbook",
            location=Location(display),
            hint="remove the password and save it again",
        ) from None
    except Exception as exc:  # calamine's errors are its own classes: "damaged"
        raise _damaged(display, exc) from None


def _xls_bytes(path: Path, display: str) -> bytes:
    """An .xls file is OLE2, not ZIP: only its size can be bounded before reading."""
    data = read_capped(
        path,
        display,
        MAX_XLS_BYTES,
        limit_of=".xls",
        hint="save it as .xlsx, which is checked while it is read",
    )
    if not data.startswith(_OLE2):
        raise InputError(
            "is not an Excel 97-2003 workbook (.xls)",
            location=Location(display),
            hint="name the file for what it is (.xlsx, .ods, .csv)",
        )
    return data


def _no_sheet(display: str, name: str, names: list[str]) -> InputError:
    listed = ", ".join(repr(n) for n in names) or "none"
    return InputError(
        f"has no sheet {name!r}; its sheets are: {listed}", location=Location(display)
    )


def _refuse_marks(
    marks: dict[tuple[int, int], CellMark], formulas: Formulas, display: str, sheet: str
) -> None:
    if formulas == "refuse":
        if marks:
            (row, column), mark = min(marks.items())
            where = CellLocation(display, row, column, sheet)
            if mark.formula is not None:
                raise InputError(
                    f"a formula ({mark.formula}) where a value belongs",
                    location=where,
                    hint="copy the column and paste it as values",
                )
            raise InputError(f"an error value ({mark.error}) in the cell", location=where)
        return
    uncached = [cell for cell, mark in marks.items() if mark.formula and not mark.cached]
    if uncached:
        row, column = min(uncached)
        raise InputError(
            f"a formula without a stored value ({len(uncached)} such cell(s)); the value "
            "the author saw is unknown",
            location=CellLocation(display, row, column, sheet),
            hint="open the file in Excel or LibreOffice, let it calculate, and save it",
        )


def read_xlsx(
    path: Path,
    display: str,
    sheet: str | None,
    pick: Callable[[Grid], bool],
    *,
    formulas: Formulas = "cached",
    text: Callable[[Any], str] = text_of,
) -> tuple[Grid, int]:
    """The sheet named ``sheet``, or else the first worksheet ``pick`` accepts (else the
    first one), and the number of worksheets. Any workbook format (by suffix)."""
    with open_workbook(path, display, check=[sheet] if sheet else None) as book:
        if not book.names:
            raise InputError("has no worksheet", location=Location(display))
        names = [sheet] if sheet else book.names
        grids = (book.values(name, text) for name in names)
        chosen = next((g for g in grids if pick(g)), None) or book.values(names[0], text)
        book.check(names[0] if chosen.sheet is None else chosen.sheet, formulas)
        return chosen, len(names)


def _damaged(display: str, exc: Exception) -> InputError:
    return InputError(
        f"cannot be read as a workbook: {type(exc).__name__}: {exc}", location=Location(display)
    )


_ONLY_STR = frozenset((str,))


def _grid(workbook: Any, display: str, name: str, text: Callable[[Any], str]) -> Grid:
    try:
        sheet = workbook.get_sheet_by_name(name)
        end = sheet.end
        if end is not None and (end[0] >= MAX_ROWS or end[1] >= MAX_COLUMNS):
            # the package scan bounds .xlsx and .ods; this bounds .xls before its cells
            # become Python objects
            row, column = end[0] + 1, end[1] + 1
            limit = "rows" if row > MAX_ROWS else "columns"
            raise UnsafeInputError(
                f"has values up to {column_letter(column)}{row}, beyond the limit of "
                f"{MAX_ROWS:,} rows and {MAX_COLUMNS} columns ({limit})",
                location=CellLocation(display, sheet=name),
            )
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or ()
    except InputError:
        raise
    except Exception as exc:
        raise _damaged(display, exc) from None
    # A cell merged over several rows (a priority or chapter for a block of rows) holds
    # for each of them; across columns it stays in its first column only, so that a
    # heading merged over the width of the sheet stays a one-cell heading row.
    for (top, left), (bottom, _right) in merged:
        if top < len(values) and left < len(values[top]):
            for row in range(top + 1, min(bottom, len(values) - 1) + 1):
                if left < len(values[row]):
                    values[row][left] = values[top][left]
    numbers: list[int] = []
    rows: list[list[str]] = []
    plain = text is text_of  # then a str cell is its own text: no call per cell
    for index, cells in enumerate(values, start=1):
        if plain and set(map(type, cells)) <= _ONLY_STR:  # most rows: the list as it is
            texts = cells
        else:
            texts = (
                [v if type(v) is str else text(v) for v in cells]
                if plain
                else [text(v) for v in cells]
            )
        while texts and texts[-1] == "":
            texts.pop()
        if texts:
            numbers.append(index)
            rows.append(texts)
    return Grid(display, name, numbers, rows)


# -- csv ------------------------------------------------------------------------------


def decode(data: bytes, display: str) -> str:
    """UTF-8 (with or without BOM), else cp1252 as German Excel saves "CSV"."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start + 3].count(b"\n") + 1
            raise InputError(
                "starts with a UTF-8 byte order mark but is not UTF-8",
                location=Location(display, line),
                hint="save it again as 'CSV UTF-8'",
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"is neither UTF-8 nor Windows-1252 text (byte {exc.start})",
            location=Location(display, line),
        ) from None


def read_csv(path: Path, display: str, *, max_bytes: int | None = None) -> Grid:
    """Every row with a value, located by the line it starts on; at most ``max_bytes``
    (default ``MAX_CSV_BYTES``, looked up when called)."""
    data = read_capped(path, display, MAX_CSV_BYTES if max_bytes is None else max_bytes)
    if data.startswith((b"PK\x03\x04", _OLE2)):
        raise InputError(
            "is a workbook, not a CSV file", location=Location(display), hint="use 'import xlsx'"
        )
    text = decode(data, display)
    if "\x00" in text:
        raise InputError("contains NUL characters: not a CSV file", location=Location(display))
    delimiter = sniff(text)
    numbers: list[int] = []
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            line = reader.line_num
            if len(rows) >= MAX_ROWS:
                raise UnsafeInputError(
                    f"has more than {MAX_ROWS} rows", location=Location(display, line)
                )
            texts = [_unguard(c) for c in cells]
            while texts and texts[-1].strip() == "":
                texts.pop()
            if texts:
                numbers.append(_start_line(cells, line))
                rows.append(texts)
    except csv.Error as exc:
        raise InputError(
            f"is not valid CSV: {exc}", location=Location(display, reader.line_num)
        ) from None
    return Grid(display, None, numbers, rows)


def _start_line(cells: list[str], end: int) -> int:
    # a quoted cell may span lines: report the record's first line
    return end - sum(c.count("\n") for c in cells)


_GUARDED = tuple("=+-@\t\r")  # export.FORMULA_START


def _unguard(text: str) -> str:
    """Undo the export's guard: ``'=x`` → ``=x``, ``''=x`` → ``'=x`` (only there)."""
    rest = text[1:]
    if text[:1] == "'" and (rest[:1] in _GUARDED or (rest[:1] == "'" and rest[1:2] in _GUARDED)):
        return rest
    return text


def sniff(text: str) -> str:
    """The separator the first lines use most consistently (quotes respected)."""
    sample = "\n".join(text.splitlines()[:30])
    best, score = ";", -1
    for candidate in (";", ",", "\t"):
        counts = [
            len(row)
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
            if any(c.strip() for c in row)
        ]
        if not counts:
            continue
        width = max(counts)
        value = sum(1 for c in counts if c == width) * (width - 1)
        if value > score:
            best, score = candidate, value
    return best
