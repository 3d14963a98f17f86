"""Sheets people fill in (defect lists, manual test results) as rows of text cells.

CSV as German Excel or a tracker writes it (``;``/``,``/TAB, UTF-8 with or without BOM,
else cp1252) and XLSX through the hardened :mod:`specheft.io.safe.xlsx` (first sheet;
formulas and error cells refused). Every row keeps its location (``file:line`` or
``file.xlsx:Sheet!row``); headers are matched by :func:`normalise` against aliases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from specheft.errors import InputError, Location, UnsafeInputError

MAX_BYTES = 20 * 1024 * 1024
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Row:
    """One row: text cells (stripped), where it is, and the file/sheet/row to store."""

    cells: tuple[str, ...]
    location: Location
    file: str
    row: int
    sheet: str | None = None


def normalise(header: str) -> str:
    """``Fehler-Nr.`` → ``fehlernr``: case, spaces and punctuation do not matter."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else cp1252 as German Excel saves "CSV"."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start + 3].count(b"\n") + 1
            raise InputError(
                "starts with a UTF-8 byte order mark but is not UTF-8",
                location=Location(name, line),
                hint="save it again as 'CSV UTF-8'",
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnsafeInputError(
                f"is too large: {size:,} bytes (the limit is {max_bytes:,} bytes)",
                location=Location(name),
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", location=Location(name)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", location=Location(name)) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", location=Location(name)) from None


def read_csv(path: Path, name: str, stored: str, *, max_bytes: int = MAX_BYTES) -> list[Row]:
    """Every non-empty row, the header first."""
    text = decode(_read_bytes(path, name, max_bytes), name)
    if not text.strip():
        raise InputError("is empty: no header row", location=Location(name))
    first = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                line = reader.line_num
                rows.append(
                    Row(tuple(c.strip() for c in cells), Location(name, line), stored, line)
                )
    except csv.Error as exc:
        raise InputError(
            f"not valid CSV: {exc}", location=Location(name, reader.line_num)
        ) from None
    return rows


def _cell_text(value: object, where: Location) -> str:
    from specheft.io.safe.xlsx import CellError, Formula

    if value is None:
        return ""
    if isinstance(value, Formula):
        raise InputError(
            f"a formula ({value}) where a value belongs",
            location=where,
            hint="copy the column and paste it as values",
        )
    if isinstance(value, CellError):
        raise InputError(f"an error value ({value}) in the cell", location=where)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(path: Path, name: str, stored: str) -> list[Row]:
    """The first worksheet's non-empty rows, the header first."""
    from specheft.io.safe.xlsx import read_rows

    rows = []
    for sheet_row in read_rows(path, name=name):
        cells = tuple(
            _cell_text(value, sheet_row.location(index))
            for index, value in enumerate(sheet_row.values, 1)
        )
        if any(cells):
            rows.append(Row(cells, sheet_row.location(), stored, sheet_row.row, sheet_row.sheet))
    if not rows:
        raise InputError("is empty: no header row", location=Location(name))
    return rows


def read_table(path: Path, name: str, stored: str | None = None) -> list[Row]:
    """CSV or XLSX by the file's suffix."""
    stored = stored or name
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx(path, name, stored)
    return read_csv(path, name, stored)


def columns_of(
    header: Row,
    aliases: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    display: Mapping[str, str],
) -> dict[str, int]:
    """Column → index from the header row; missing required ones named with the accepted
    headers."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header.cells):
        key = normalise(cell)
        for column, names in aliases.items():
            if key in names and column not in found:
                found[column] = index
                break
    missing = [c for c in required if c not in found]
    if missing:
        accepted = "; ".join(
            f"{column}: {', '.join(names[:6])}" for column, names in aliases.items()
        )
        headers = ", ".join(repr(h) for h in header.cells) or "empty"
        raise InputError(
            f"missing column(s) {', '.join(display.get(c, c) for c in missing)} in the header "
            f"row ({headers})",
            location=header.location,
            hint=f"accepted headers (case, spaces and punctuation do not matter) — {accepted}",
        )
    return found


def cell(row: Row, columns: Mapping[str, int], column: str) -> str:
    index = columns.get(column)
    return row.cells[index] if index is not None and index < len(row.cells) else ""


def date_cell(row: Row, columns: Mapping[str, int], column: str, label: str, item: str) -> str:
    """The ISO date in ``column`` ("" when empty); an :class:`InputError` at the row if it
    holds something else."""
    date = parse_date(cell(row, columns, column))
    if date is None:
        raise InputError(
            f"{label} {cell(row, columns, column)!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)",
            location=row.location,
            item=item,
        )
    return date


def parse_date(value: str) -> str | None:
    """``YYYY-MM-DD``, ``DD.MM.YYYY``, ``DD.MM.YY`` or a timestamp → ISO date; "" for
    empty, None for anything else."""
    value = value.strip()
    if not value:
        return ""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    if len(value) > 10 and value[10] in "T " and parse_date(value[:10]):
        return parse_date(value[:10])
    return None
