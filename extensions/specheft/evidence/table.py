"""Sheets people fill in (defect lists, manual test results) as rows of text cells.

Read by the one sheet reader, :mod:`specheft.io.sheets.reading`: CSV as German Excel or
a tracker writes it (``;``/``,``/TAB, UTF-8 with or without BOM, else cp1252) and
.xlsx/.ods through the hardened package checks (first sheet; formulas and error cells
refused). Every row keeps its location (``file:line`` or
``file.xlsx:Sheet!row``); headers are matched by :func:`normalise` against aliases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from specheft.errors import InputError, Location
from specheft.io.sheets import reading

MAX_BYTES = 20 * 1024 * 1024


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


def read_csv(path: Path, name: str, stored: str, *, max_bytes: int | None = None) -> list[Row]:
    """Every non-empty row, the header first; at most ``max_bytes`` (default ``MAX_BYTES``)."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    return _rows(reading.read_csv(path, name, max_bytes=limit), stored)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
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
    """The first worksheet's non-empty rows, the header first; formulas and error
    values refused at their cell (people type these sheets, a value must be typed)."""
    grid, _ = reading.read_xlsx(path, name, None, _first, formulas="refuse", text=_cell_text)
    return _rows(grid, stored)


def _first(grid: reading.Grid) -> bool:
    return True


def _rows(grid: reading.Grid, stored: str) -> list[Row]:
    rows = []
    for number, texts in zip(grid.numbers, grid.rows, strict=True):
        cells = tuple(text.strip() for text in texts)
        if any(cells):
            rows.append(Row(cells, grid.where(number), stored, number, grid.sheet))
    if not rows:
        raise InputError("is empty: no header row", location=Location(grid.display))
    return rows


def read_table(path: Path, name: str, stored: str | None = None) -> list[Row]:
    """CSV or a workbook (.xlsx, .xlsm, .ods) by the file's suffix."""
    stored = stored or name
    if reading.kind_of(path) in ("xlsx", "ods"):
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
