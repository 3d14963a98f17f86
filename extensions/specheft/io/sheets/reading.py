"""Reading a sheet (xlsx or csv) from another party as rows of text, every cell located.

xlsx: the package is checked by :mod:`specheft.io.safe.xlsx` first (regular file, ZIP
not OLE2/encrypted, no ZIP bomb, no DTD/entities, rows and columns within limits);
only then does python-calamine read the values (about ten times faster than
openpyxl). A formula counts as its cached value; a formula without one (a workbook
written by a program that does not calculate) is refused at its cell, because the
value the customer saw is unknown. A hardened expat pass over the sheet finds them.

csv: UTF-8 (with or without BOM) or, failing that, cp1252 (German Excel's "CSV"),
separated by ``;``, ``,`` or TAB, whichever the header part uses consistently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.safe.xlsx import (
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    CellLocation,
    _Package,
    column_index,
)
from specheft.io.safe.xml import expat_error, secure_expat, unreadable

_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
MAX_CSV_BYTES = 100 * 1024 * 1024


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


# -- xlsx -----------------------------------------------------------------------------


def read_xlsx(
    path: Path, display: str, sheet: str | None, pick: Callable[[Grid], bool]
) -> tuple[Grid, int]:
    """The sheet named ``sheet``, or else the first worksheet ``pick`` accepts (else the
    first one), and the number of worksheets. The package is checked and scanned once."""
    import python_calamine

    with _Package(path, display, MAX_UNCOMPRESSED, MAX_RATIO) as package:
        first = package.worksheet(sheet)  # "has no worksheet" / "has no sheet X" here
        package.scan(first, MAX_ROWS, MAX_COLUMNS)  # bombs, DTDs, limits: before calamine
        names = [sheet] if sheet else [s.name for s in package.sheets if s.kind == "worksheet"]
        package.handle.seek(0)
        data = package.handle.read()
        try:
            workbook = python_calamine.load_workbook(io.BytesIO(data))
        except Exception as exc:  # calamine's errors are its own classes: "damaged"
            raise _damaged(display, exc) from None
        grids = (_grid(workbook, display, name) for name in names)
        chosen = next((g for g in grids if pick(g)), None) or _grid(workbook, display, first.name)
        uncached = _uncached_formulas(package, package.worksheet(chosen.sheet).part)
    if uncached:
        row, column = min(uncached)
        raise InputError(
            f"a formula without a stored value ({len(uncached)} such cell(s)); the value "
            "the author saw is unknown",
            location=CellLocation(display, row, column, chosen.sheet),
            hint="open the file in Excel or LibreOffice, let it calculate, and save it",
        )
    return chosen, len(names)


def _damaged(display: str, exc: Exception) -> InputError:
    return InputError(
        f"cannot be read as a workbook: {type(exc).__name__}: {exc}", location=Location(display)
    )


def _grid(workbook: Any, display: str, name: str) -> Grid:
    try:
        sheet = workbook.get_sheet_by_name(name)
        values = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or ()
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
    for index, cells in enumerate(values, start=1):
        texts = [text_of(v) for v in cells]
        while texts and texts[-1] == "":
            texts.pop()
        if texts:
            numbers.append(index)
            rows.append(texts)
    return Grid(display, name, numbers, rows)


def _uncached_formulas(package: _Package, part: str) -> set[tuple[int, int]]:
    """Cells of ``part`` that hold a formula ``<f>`` but no value: no ``<v>``, or an
    empty one on a cell that is not of type string (openpyxl writes ``<v></v>``; an
    empty text result is ``t="str"``)."""
    found: set[tuple[int, int]] = set()
    state: dict[str, Any] = {"cell": None, "f": False, "v": "", "in_v": False, "t": ""}

    def start(name: str, attrib: dict[str, str]) -> None:
        tag = name.rsplit("}", 1)[-1]
        if tag == "c":
            match = _CELL_REF.fullmatch(attrib.get("r", ""))
            state["cell"] = (int(match[2]), column_index(match[1])) if match else None
            state.update(f=False, v="", in_v=False, t=attrib.get("t", ""))
        elif tag == "f":
            state["f"] = True
        elif tag == "v":
            state["in_v"] = True

    def text(data: str) -> None:
        if state["in_v"]:
            state["v"] += data

    def end(name: str) -> None:
        tag = name.rsplit("}", 1)[-1]
        if tag == "v":
            state["in_v"] = False
        elif tag == "c" and state["f"] and state["cell"]:
            uncached = not state["v"].strip() and state["t"] != "str"
            if uncached:
                found.add(state["cell"])

    parser = secure_expat(package.display)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        for chunk in package.open_chunks(part):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise expat_error(exc, f"{package.display}:{part}") from None
    return found


# -- csv ------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")  # a BOM that lies is an error below
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def read_csv(path: Path, display: str) -> Grid:
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise UnsafeInputError(
                f"is too large ({size} bytes; the limit is {MAX_CSV_BYTES})",
                location=Location(display),
            )
        data = path.read_bytes()
    except OSError as exc:
        raise unreadable(display, exc) from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputError(
            "is a workbook, not a CSV file", location=Location(display), hint="use 'import xlsx'"
        )
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is neither UTF-8 nor Windows-1252 text (byte {exc.start})",
            location=Location(display),
        ) from None
    if "\x00" in text:
        raise InputError("contains NUL characters: not a CSV file", location=Location(display))
    delimiter = _sniff(text)
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
                numbers.append(_start_line(reader, cells, line))
                rows.append(texts)
    except csv.Error as exc:
        raise InputError(
            f"is not valid CSV: {exc}", location=Location(display, reader.line_num)
        ) from None
    return Grid(display, None, numbers, rows)


def _start_line(reader: Any, cells: list[str], end: int) -> int:
    # a quoted cell may span lines: report the record's first line
    return end - sum(c.count("\n") for c in cells)


_GUARDED = tuple("=+-@\t\r")  # export.FORMULA_START


def _unguard(text: str) -> str:
    """Undo the export's guard: ``'=x`` → ``=x``, ``''=x`` → ``'=x`` (only there)."""
    rest = text[1:]
    if text[:1] == "'" and (rest[:1] in _GUARDED or (rest[:1] == "'" and rest[1:2] in _GUARDED)):
        return rest
    return text


def _sniff(text: str) -> str:
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
