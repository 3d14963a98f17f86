"""The compliance workbook a bidder fills in, reading it back, and the comparison as xlsx.

Written with XlsxWriter (tables, validation and protection; about twice as fast as
openpyxl); every cell from the specification is written as a string, never as a
formula. Read back through the hardened readers (:mod:`specheft.io.safe.xlsx` checks the
package, python-calamine reads the values). Protection and drop-downs only guide the
bidder: :mod:`specheft.tender.validate` checks every row again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specheft.errors import InputError, Location
from specheft.io.safe.xlsx import sheet_names
from specheft.io.sheets.reading import Grid, read_xlsx
from specheft.io.sheets.tables import MAX_CELL
from specheft.tender.columns import (
    ANSWER,
    COLUMNS,
    META_FORMAT,
    META_SHEET,
    META_TABLE,
    SHEETS,
    header,
)
from specheft.tender.config import TenderConfig
from specheft.tender.model import Asked
from specheft.tender.scoring import Result
from specheft.tender.validate import Returned, Row

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WIDTHS = {
    "id": 16,
    "chapter": 24,
    "title": 32,
    "text": 70,
    "priority": 10,
    "weight": 9,
    "code": 17,
    "effort": 12,
    "comment": 40,
    "reference": 22,
}
_PRIORITY_FILL = {"must": "#F4C7C3", "should": "#FCE8B2", "can": "#D9EAD3"}
_ANSWER_FILL = "#FFF2CC"
_OPTIONS: dict[str, Any] = {
    # never let XlsxWriter turn text into a formula, number or link
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,
}


@dataclass(frozen=True)
class Template:
    project: str
    vendor: str
    revision: str
    baseline: str
    language: str
    codes: tuple[str, ...]
    asked: tuple[Asked, ...]
    date: dt.datetime | None = None
    document: str = ""
    """The document asked (``--document``); empty: every active requirement."""


_INSTRUCTIONS = {
    "de": (
        "Anleitung zur Anforderungsmatrix",
        "Projekt: {project}",
        "Bieter: {vendor}",
        "Stand der Anforderungen (Baseline): {baseline}",
        "",
        "Bitte beantworten Sie im Blatt '{sheet}' jede Anforderung in den gelben Spalten:",
        "• Erfüllung: eine der Angaben {codes} (Auswahlliste).",
        "• Aufwand (PT): der Aufwand in Personentagen, eine Zahl ≥ 0 (leer, wenn keiner).",
        "• Kommentar: wie die Anforderung erfüllt wird; Einschränkungen.",
        "• Referenz: Verweis auf Ihr Angebot, Ihre Dokumentation oder eine Referenz.",
        "",
        "Die Spalten ID bis Gewicht sind gesperrt; Filtern ist möglich. Bitte keine Zeilen",
        "löschen, einfügen oder kopieren und den Anforderungstext nicht ändern: Die Antworten",
        "werden beim Einlesen Zeile für Zeile gegen die gestellten Anforderungen geprüft.",
        "Eine Muss-Anforderung, die nicht erfüllt werden kann (not-possible) oder offen",
        "bleibt, führt zum Ausschluss des Angebots.",
    ),
    "en": (
        "How to fill in the compliance matrix",
        "Project: {project}",
        "Bidder: {vendor}",
        "Requirements baseline: {baseline}",
        "",
        "In the sheet '{sheet}', answer every requirement in the yellow columns:",
        "• Fulfilment: one of {codes} (drop-down).",
        "• Effort (person-days): a number ≥ 0 (empty when none).",
        "• Comment: how the requirement is met; limitations.",
        "• Reference: where your offer, documentation or a reference shows it.",
        "",
        "The columns ID to Weight are locked; filtering works. Do not delete, insert or",
        "copy rows and do not change the requirement text: every row is checked against",
        "the requirements asked when the answers are imported. A must requirement that",
        "cannot be met (not-possible) or stays unanswered knocks the offer out.",
    ),
}


def _check_cell(item: str, column: str, text: str) -> None:
    """Refuse what no cell can hold, naming the item (never cut or dropped)."""
    if len(text) > MAX_CELL:
        raise InputError(
            f"{column} has {len(text)} characters; a spreadsheet cell holds at most {MAX_CELL}",
            item=item,
            hint="shorten it or split the requirement; the template does not cut text",
        )
    bad = _CONTROL.search(text)
    if bad:
        raise InputError(
            f"{column} contains the control character U+{ord(bad.group()):04X}, "
            "which a spreadsheet cannot hold",
            item=item,
        )


def template_bytes(template: Template) -> bytes:
    import xlsxwriter  # type: ignore[import-untyped]  # no stubs, no py.typed

    language = template.language if template.language in SHEETS else "en"
    answers_name, instructions_name = SHEETS[language]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _OPTIONS)
    created = template.date or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    workbook.set_properties(
        {"created": created.replace(tzinfo=None), "title": f"{template.project}: {template.vendor}"}
    )
    top = {"valign": "top", "text_wrap": True, "border": 1, "border_color": "#BFBFBF"}
    head = workbook.add_format({**top, "bold": True, "bg_color": "#D9D9D9"})
    head_answer = workbook.add_format({**top, "bold": True, "bg_color": "#FFD966"})
    locked = workbook.add_format(top)
    by_priority = {
        p: workbook.add_format({**top, "bg_color": c}) for p, c in _PRIORITY_FILL.items()
    }
    number = workbook.add_format({**top, "num_format": "0.##"})
    open_text = workbook.add_format({**top, "locked": False, "bg_color": _ANSWER_FILL})
    open_number = workbook.add_format(
        {**top, "locked": False, "bg_color": _ANSWER_FILL, "num_format": "0.0#"}
    )

    sheet = workbook.add_worksheet(answers_name)
    keys = list(COLUMNS)
    for col, key in enumerate(keys):
        sheet.set_column(col, col, _WIDTHS[key])
        sheet.write_string(0, col, header(key, language), head_answer if key in ANSWER else head)
    for r, asked in enumerate(template.asked, start=1):
        values = {
            "id": asked.id,
            "chapter": asked.chapter,
            "title": asked.title,
            "text": asked.text,
            "priority": asked.priority,
        }
        for key, text in values.items():
            _check_cell(asked.id, header(key, language), text)
            fmt = by_priority.get(text, locked) if key == "priority" else locked
            sheet.write_string(r, keys.index(key), text, fmt)
        sheet.write_number(r, keys.index("weight"), asked.weight, number)
        for key in ANSWER:
            sheet.write_blank(
                r, keys.index(key), None, open_number if key == "effort" else open_text
            )
    last = max(len(template.asked), 1)
    codes = list(template.codes)
    sheet.data_validation(
        1,
        keys.index("code"),
        last,
        keys.index("code"),
        {
            "validate": "list",
            "source": codes,
            "error_title": header("code", language),
            "error_message": ", ".join(codes),
        },
    )
    sheet.data_validation(
        1,
        keys.index("effort"),
        last,
        keys.index("effort"),
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": header("effort", language),
            "error_message": "≥ 0" if language != "de" else "eine Zahl ≥ 0 (Personentage)",
        },
    )
    sheet.autofilter(0, 0, last, len(keys) - 1)
    sheet.freeze_panes(1, 1)
    protection = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True}
    sheet.protect("", protection)

    guide = workbook.add_worksheet(instructions_name)
    guide.set_column(0, 0, 100)
    title = workbook.add_format({"bold": True, "font_size": 14})
    fields = {
        "project": template.project,
        "vendor": template.vendor,
        "baseline": f"{template.baseline} ({template.revision})"
        if template.revision
        else template.baseline,
        "sheet": answers_name,
        "codes": ", ".join(codes),
    }
    for r, line in enumerate(_INSTRUCTIONS[language]):
        guide.write_string(r, 0, line.format(**fields), title if r == 0 else None)
    guide.protect("", {})

    meta = workbook.add_worksheet(META_SHEET)
    meta.set_column(0, 1, 24)
    values = {
        "format": META_FORMAT,
        "project": template.project,
        "vendor": template.vendor,
        "revision": template.revision,
        "baseline": template.baseline,
        "sheet": answers_name,
        "language": language,
        "document": template.document,  # the import asks the same document's requirements
    }
    for r, (key, value) in enumerate(values.items()):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    start = len(values) + 1
    meta.write_string(start, 0, META_TABLE[0])
    meta.write_string(start, 1, META_TABLE[1])
    for r, asked in enumerate(template.asked, start=start + 1):
        meta.write_string(r, 0, asked.id)
        meta.write_string(r, 1, asked.fingerprint)
    meta.protect("", {})
    meta.hide()
    sheet.activate()
    workbook.close()
    return buffer.getvalue()


def _rows(grid: Grid) -> list[Row]:
    return [
        Row(tuple(cells), grid.where(n)) for n, cells in zip(grid.numbers, grid.rows, strict=True)
    ]


def read_returned(path: Path, display: str) -> Returned:
    """The hidden sheet and the answer sheet of a returned workbook, every row located."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(
            "a compliance answer is the .xlsx workbook written by 'compliance template'",
            location=Location(display),
        )
    names = sheet_names(path, name=display)  # the package checks run here first
    if META_SHEET not in names:
        raise InputError(
            f"not a compliance workbook of specheft: it has no sheet {META_SHEET!r} "
            f"(its sheets: {', '.join(repr(n) for n in names) or 'none'})",
            location=Location(display),
            hint="answer in the workbook written by 'specheft compliance template'",
        )
    meta_grid, _ = read_xlsx(path, display, META_SHEET, lambda grid: True)
    meta: dict[str, tuple[str, Location]] = {}
    asked: list[tuple[str, str, Location]] = []
    in_table = False
    for number, cells in zip(meta_grid.numbers, meta_grid.rows, strict=True):
        key = cells[0].strip() if cells else ""
        value = cells[1].strip() if len(cells) > 1 else ""
        if in_table:
            asked.append((key, value, meta_grid.where(number)))
        elif (key, value) == META_TABLE:
            in_table = True
        elif key:
            meta.setdefault(key, (value, meta_grid.where(number)))
    sheet = meta.get("sheet", ("", None))[0]
    if not sheet or sheet not in names:
        raise InputError(
            f"not a compliance workbook of specheft: the answer sheet {sheet!r} is missing",
            location=meta.get("sheet", ("", Location(display)))[1],
        )
    grid, _ = read_xlsx(path, display, sheet, lambda grid: True)
    rows = _rows(grid)
    if not rows:
        raise InputError("the answer sheet is empty", location=Location(display, sheet=sheet))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Returned(display, meta, asked, rows[0], rows[1:], digest)


_COMPARISON = {
    "de": ("Vergleich", "Bereiche", ("Rang", "Bieter", "Punkte (%)", "Aufwand (PT)", "Ausschluss")),
    "en": ("Comparison", "Areas", ("Rank", "Bidder", "Score (%)", "Effort (PD)", "Knock-out")),
}


def comparison_bytes(
    results: Sequence[Result], config: TenderConfig, language: str, date: dt.datetime | None
) -> bytes:
    import xlsxwriter

    sheet_name, areas_name, heads = _COMPARISON[language if language in _COMPARISON else "en"]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _OPTIONS)
    created = date or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    workbook.set_properties({"created": created.replace(tzinfo=None)})
    bold = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "text_wrap": True})
    out = workbook.add_format({"bg_color": "#F4C7C3", "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(sheet_name)
    header_row = [*heads, *config.codes]
    for col, text in enumerate(header_row):
        sheet.write_string(0, col, text, bold)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 3, 12)
    sheet.set_column(4, 4, 50)
    for r, result in enumerate(results, start=1):
        fmt = out if result.knocked_out else wrap
        sheet.write_number(r, 0, result.rank, fmt)
        sheet.write_string(r, 1, result.vendor, fmt)
        sheet.write_number(r, 2, result.total.score, fmt)
        sheet.write_number(r, 3, result.effort, fmt)
        reasons = "; ".join(f"{i}: {why}" for i, why in result.knockouts)
        sheet.write_string(r, 4, reasons, fmt)
        for c, code in enumerate(config.codes, start=5):
            sheet.write_number(r, c, result.counts.get(code, 0), fmt)
    sheet.autofilter(0, 0, max(len(results), 1), len(header_row) - 1)
    sheet.freeze_panes(1, 2)
    areas = workbook.add_worksheet(areas_name)
    codes = sorted({a for r in results for a in r.areas})
    areas.write_string(0, 0, heads[1], bold)
    for c, area in enumerate(codes, start=1):
        areas.write_string(0, c, area, bold)
    areas.set_column(0, 0, 30)
    for r, result in enumerate(results, start=1):
        areas.write_string(r, 0, result.vendor)
        for c, area in enumerate(codes, start=1):
            part = result.areas.get(area)
            if part is not None:
                areas.write_number(r, c, part.score)
    workbook.close()
    return buffer.getvalue()
