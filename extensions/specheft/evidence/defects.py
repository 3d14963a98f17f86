"""A defect list (Mängelliste) as a tracker or Excel exports it: CSV.

German Excel writes ``;`` and cp1252 or UTF-8 with BOM; other tools ``,`` and UTF-8.
Headers may be German or English (``Fehler-Nr.``/``ID``, ``Fehlerklasse``/``Class``,
``Status``, ``Testfall``/``Tests``, ``Umgehung``/``Workaround``,
``Behebungstermin``/``Fix date``); every error names ``file:line``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from ..errors import InputError, Location, UnsafeInputError
from .model import Defect, DefectStatus

MAX_BYTES = 20 * 1024 * 1024

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "nr",
        "fehlernr",
        "fehlernummer",
        "fehlerid",
        "mangelnr",
        "mangelnummer",
        "mangelid",
        "defect",
        "defectid",
        "defectno",
        "key",
        "issuekey",
        "issue",
    ),
    "class": ("class", "defectclass", "klasse", "fehlerklasse", "mangelklasse", "severityclass"),
    "status": ("status", "state", "zustand"),
    "tests": (
        "tests",
        "test",
        "testid",
        "testids",
        "testcase",
        "testcases",
        "testfall",
        "testfallid",
        "testfälle",
        "testfaelle",
    ),
    "workaround": ("workaround", "umgehung", "umgehungslösung", "umgehungsloesung"),
    "fix_date": (
        "fixdate",
        "fixdatum",
        "duedate",
        "due",
        "behebungstermin",
        "behebungsdatum",
        "zieltermin",
        "termin",
    ),
    "title": ("title", "titel", "summary", "beschreibung", "kurzbeschreibung", "description"),
    "owner": ("owner", "assignee", "verantwortlich", "verantwortlicher", "bearbeiter"),
}
REQUIRED = ("id", "class", "status")
_DISPLAY = {
    "id": "Fehler-Nr. / ID",
    "class": "Fehlerklasse / Class",
    "status": "Status",
}

CLASS_WORDS: dict[str, int] = {
    "1": 1,
    "klasse1": 1,
    "class1": 1,
    "betriebsverhindernd": 1,
    "kritisch": 1,
    "critical": 1,
    "2": 2,
    "klasse2": 2,
    "class2": 2,
    "betriebsbehindernd": 2,
    "major": 2,
    "schwer": 2,
    "3": 3,
    "klasse3": 3,
    "class3": 3,
    "leicht": 3,
    "leichtermangel": 3,
    "minor": 3,
    "sonstigerfehler": 3,
    "gering": 3,
}
STATUS_WORDS: dict[str, DefectStatus] = {
    "open": DefectStatus.OPEN,
    "offen": DefectStatus.OPEN,
    "new": DefectStatus.OPEN,
    "neu": DefectStatus.OPEN,
    "reopened": DefectStatus.OPEN,
    "wiedereröffnet": DefectStatus.OPEN,
    "inprogress": DefectStatus.OPEN,
    "inbearbeitung": DefectStatus.OPEN,
    "fixed": DefectStatus.FIXED,
    "behoben": DefectStatus.FIXED,
    "resolved": DefectStatus.FIXED,
    "gelöst": DefectStatus.FIXED,
    "verified": DefectStatus.VERIFIED,
    "verifiziert": DefectStatus.VERIFIED,
    "closed": DefectStatus.VERIFIED,
    "geschlossen": DefectStatus.VERIFIED,
    "nachgetestet": DefectStatus.VERIFIED,
}
_SPLIT = re.compile(r"[\s,;]+")


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


def read_csv(path: Path, name: str, *, max_bytes: int = MAX_BYTES) -> list[tuple[int, list[str]]]:
    """``(line, cells)`` of every non-empty row, the header first."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnsafeInputError(
                f"is too large: {size:,} bytes (the limit is {max_bytes:,} bytes)",
                location=Location(name),
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", location=Location(name)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", location=Location(name)) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", location=Location(name)) from None
    text = decode(data, name)
    if not text.strip():
        raise InputError("is empty: no header row and no defects", location=Location(name))
    first = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise InputError(
            f"not valid CSV: {exc}", location=Location(name, reader.line_num)
        ) from None
    return rows


def _date(value: str) -> str | None:
    value = value.strip()
    if not value:
        return ""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", value):  # a timestamp: its date
        return _date(value[:10])
    return None


def read_defects(path: Path, *, name: str | None = None) -> list[Defect]:
    """The defects of a CSV defect list; an :class:`InputError` at ``file:line`` for bad rows."""
    display = name or str(path)
    rows = read_csv(path, display)
    header_line, header = rows[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = normalise(cell)
        for column, aliases in COLUMNS.items():
            if key in aliases and column not in columns:
                columns[column] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        accepted = "; ".join(
            f"{column}: {', '.join(aliases[:6])}" for column, aliases in COLUMNS.items()
        )
        raise InputError(
            f"missing column(s) {', '.join(_DISPLAY[c] for c in missing)} in the header row "
            f"({', '.join(repr(h) for h in header) or 'empty'})",
            location=Location(display, header_line),
            hint=f"accepted headers (case, spaces and punctuation do not matter) — {accepted}",
        )
    defects: list[Defect] = []
    seen: dict[str, int] = {}

    def value(cells: list[str], column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    for line, cells in rows[1:]:
        where = Location(display, line)
        defect_id = value(cells, "id")
        if not defect_id:
            raise InputError("the defect has no id", location=where)
        if defect_id in seen:
            raise InputError(
                f"defect {defect_id!r} is listed twice (first at line {seen[defect_id]})",
                location=where,
                item=defect_id,
            )
        seen[defect_id] = line
        raw_class = value(cells, "class")
        number = CLASS_WORDS.get(normalise(raw_class))
        if number is None:
            raise InputError(
                f"unknown defect class {raw_class!r}; allowed: 1 (betriebsverhindernd), "
                "2 (betriebsbehindernd), 3 (leichter Mangel)",
                location=where,
                item=defect_id,
            )
        raw_status = value(cells, "status")
        status = STATUS_WORDS.get(normalise(raw_status))
        if status is None:
            raise InputError(
                f"unknown defect status {raw_status!r}; allowed: open/offen, "
                "fixed/behoben, verified/verifiziert (closed/geschlossen)",
                location=where,
                item=defect_id,
            )
        fix_date = _date(value(cells, "fix_date"))
        if fix_date is None:
            raise InputError(
                f"fix date {value(cells, 'fix_date')!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)",
                location=where,
                item=defect_id,
            )
        defects.append(
            Defect(
                id=defect_id,
                defect_class=number,
                status=status,
                tests=[t for t in _SPLIT.split(value(cells, "tests")) if t],
                title=value(cells, "title"),
                workaround=value(cells, "workaround"),
                fix_date=fix_date,
                owner=value(cells, "owner"),
                file=display,
                line=line,
            )
        )
    return defects
