"""A defect list (Mängelliste) as a tracker or Excel exports it: CSV or XLSX.

German Excel writes ``;`` and cp1252 or UTF-8 with BOM; other tools ``,`` and UTF-8.
Headers may be German or English (``Fehler-Nr.``/``ID``, ``Fehlerklasse``/``Class``,
``Status``, ``Testfall``/``Tests``, ``Umgehung``/``Workaround``,
``Behebungstermin``/``Fix date``); every error names ``file:line``.
"""

from __future__ import annotations

import re
from pathlib import Path

from specheft.errors import InputError
from specheft.evidence.model import Defect, DefectStatus
from specheft.evidence.table import Row, cell, columns_of, date_cell, normalise, read_table

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


def read_defects(path: Path, *, name: str | None = None, stored: str | None = None) -> list[Defect]:
    """The defects of a CSV/XLSX defect list; an :class:`InputError` at the row for bad rows."""
    display = name or str(path)
    rows = read_table(path, display, stored)
    columns = columns_of(rows[0], COLUMNS, REQUIRED, _DISPLAY)
    return [defect_from_row(row, columns) for row in _unique(rows[1:], columns)]


def _unique(rows: list[Row], columns: dict[str, int]) -> list[Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        defect_id = cell(row, columns, "id")
        if defect_id in seen:
            raise InputError(
                f"defect {defect_id!r} is listed twice (first at {seen[defect_id].location})",
                location=row.location,
                item=defect_id,
            )
        if defect_id:
            seen[defect_id] = row
    return rows


def defect_class(raw: str, where: Row, item: str) -> int:
    number = CLASS_WORDS.get(normalise(raw))
    if number is None:
        raise InputError(
            f"unknown defect class {raw!r}; allowed: 1 (betriebsverhindernd), "
            "2 (betriebsbehindernd), 3 (leichter Mangel)",
            location=where.location,
            item=item,
        )
    return number


def defect_from_row(row: Row, columns: dict[str, int]) -> Defect:
    defect_id = cell(row, columns, "id")
    if not defect_id:
        raise InputError("the defect has no id", location=row.location)
    number = defect_class(cell(row, columns, "class"), row, defect_id)
    raw_status = cell(row, columns, "status")
    status = STATUS_WORDS.get(normalise(raw_status))
    if status is None:
        raise InputError(
            f"unknown defect status {raw_status!r}; allowed: open/offen, "
            "fixed/behoben, verified/verifiziert (closed/geschlossen)",
            location=row.location,
            item=defect_id,
        )
    fix_date = date_cell(row, columns, "fix_date", "fix date", defect_id)
    return Defect(
        id=defect_id,
        defect_class=number,
        status=status,
        tests=[t for t in _SPLIT.split(cell(row, columns, "tests")) if t],
        title=cell(row, columns, "title"),
        workaround=cell(row, columns, "workaround"),
        fix_date=fix_date,
        owner=cell(row, columns, "owner"),
        file=row.file,
        line=row.row,
        sheet=row.sheet or "",
    )
