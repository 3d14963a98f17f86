"""The manual results sheet as XLSX (drop-downs, protected specification columns) or CSV.

Text from the specification never becomes a live formula: in XLSX every cell is written
as a string; in CSV a cell starting with ``= + - @`` gets a leading apostrophe (Excel
would evaluate it otherwise). The sheet reads back with ``results import manual``.
"""

from __future__ import annotations

import csv
import io

from specheft.evidence.template import FIRST_INPUT, HEADERS, RESULT_WORDS, TemplateRow

_WIDTHS = (16, 32, 10, 14, 20, 40, 60, 50, 18, 16, 12, 12, 12, 40)
_RESULT = {"de": "Ergebnis", "en": "Result"}
_CLASS = {"de": "Fehlerklasse", "en": "Defect class"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_bytes(rows: list[TemplateRow], language: str, level: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    headers = HEADERS[language]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = level.upper()
    sheet.append(list(headers))
    for column, width in enumerate(_WIDTHS, 1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
    for header in sheet[1]:
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDDDDD")
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(rows, 2):
        for column, text in enumerate(row.cells(), 1):
            cell = sheet.cell(number, column)
            cell.value = text
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = wrap
        for column in range(FIRST_INPUT + 1, len(headers) + 1):
            sheet.cell(number, column).protection = Protection(locked=False)
            sheet.cell(number, column).alignment = wrap
    last = max(len(rows) + 1, 2)
    words = RESULT_WORDS[language]
    results = DataValidation(type="list", formula1=f'"{",".join(words)}"', allow_blank=True)
    results.error = ", ".join(words)
    classes = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    classes.error = "1, 2, 3"
    for validation in (results, classes):
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    result_col = get_column_letter(headers.index(_RESULT[language]) + 1)
    class_col = get_column_letter(headers.index(_CLASS[language]) + 1)
    results.add(f"{result_col}2:{result_col}{last}")
    classes.add(f"{class_col}2:{class_col}{last}")
    sheet.freeze_panes = "B2"
    # the specification's columns are locked; the testers' columns are not
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: list[TemplateRow], language: str) -> str:
    """``;``-separated with CRLF, for German Excel (write it UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS[language])
    for row in rows:
        blanks = [""] * (len(HEADERS[language]) - FIRST_INPUT)
        writer.writerow([_csv_cell(text) for text in row.cells()] + blanks)
    return out.getvalue()
