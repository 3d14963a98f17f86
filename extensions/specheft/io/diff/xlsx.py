"""The differences between two revisions as an Excel change list (XlsxWriter).

Sheet "Changes": one row per changed item (added, removed, changed or moved), with what
changed in it — the list a change board goes through. Sheet "Fields": one row per
changed field or link, old value, new value and a redline (deleted words struck
through in red, added ones underlined in green). Every value is written as a string:
text from the sources never becomes a formula, number or link (``=SUM(…)`` in a
requirement stays text). The same two revisions give the same file, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from specheft.trace.diff import FieldChange, ItemChange, ItemDiff, LinkChange, summary

_CHANGES = ("ID", "Kind", "Change", "File", "Line", "Moved from", "What changed")
_FIELDS = ("ID", "Kind", "Change", "Field", "Old", "New", "Redline")
_WIDTHS = {"ID": 16, "Kind": 8, "Change": 10, "File": 40, "Line": 6, "Moved from": 40,
           "What changed": 50, "Field": 14, "Old": 50, "New": 50, "Redline": 70}  # fmt: skip
_WRAPPED = {"What changed", "Old", "New", "Redline"}
#: Excel keeps at most this many characters in a cell
_CELL_MAX = 32_767


def _where(change: ItemChange) -> tuple[str, str]:
    path = change.old_path if change.status == "removed" else change.new_path
    return path or "", str(change.line) if change.line else ""


def _what(change: ItemChange) -> str:
    parts = [fc.label for fc in change.fields]
    for lc in change.links:
        moved = [f"+{t}" for t in lc.added] + [f"-{t}" for t in lc.removed]
        parts.append(f"{lc.name} {' '.join(moved)}")
    if change.moved:
        parts.append("file")
    return ", ".join(parts)


def _clip(text: str) -> str:
    return text if len(text) <= _CELL_MAX else text[: _CELL_MAX - 1] + "…"


def _redline(fc: FieldChange) -> list[tuple[str, str]]:
    """(mark, text) fragments: "=" plain, "-" deleted, "+" added; whitespace plain."""
    if fc.old is None or fc.new is None:
        return [("-", fc.old)] if fc.old is not None else [("+", fc.new or "")]
    fragments: list[tuple[str, str]] = []
    for op, text in fc.words():
        body = text.lstrip()
        if op != "=" and len(body) < len(text):  # the space before a marked run: plain
            fragments.append(("=", text[: len(text) - len(body)]))
        fragments.append((op, body))
    return [f for f in fragments if f[1]]


def write_xlsx(diff: ItemDiff, target: Any) -> None:
    import xlsxwriter  # type: ignore[import-untyped]  # no stubs, no py.typed

    workbook = xlsxwriter.Workbook(
        target,
        {
            # never let XlsxWriter turn text into a formula, number or link
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "in_memory": True,
        },
    )
    # a fixed creation time: the same two revisions give the same file
    workbook.set_properties(
        {"created": dt.datetime(2000, 1, 1), "title": f"Changes {diff.old} → {diff.new}"}
    )
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    plain = workbook.add_format({"valign": "top"})
    wrapped = workbook.add_format({"valign": "top", "text_wrap": True})
    marks = {
        "-": workbook.add_format({"font_strikeout": True, "font_color": "#AA0000"}),
        "+": workbook.add_format({"underline": 1, "font_color": "#006644"}),
    }

    cover = workbook.add_worksheet("Cover")
    cover.set_column(0, 0, 20)
    cover.set_column(1, 1, 80)
    for number, (key, value) in enumerate(
        (("Old revision", diff.old), ("New revision", diff.new), ("Summary", summary(diff)))
    ):
        cover.write_string(number, 0, key, header)
        cover.write_string(number, 1, _clip(value), wrapped)

    def sheet_of(name: str, columns: tuple[str, ...], rows: int) -> Any:
        sheet = workbook.add_worksheet(name)
        for col, title in enumerate(columns):
            sheet.set_column(col, col, _WIDTHS[title], wrapped if title in _WRAPPED else plain)
        sheet.add_table(
            0,
            0,
            max(rows, 1),
            len(columns) - 1,
            {
                "name": f"T_{name}",
                "style": "Table Style Light 9",
                "columns": [{"header": t, "header_format": header} for t in columns],
                "autofilter": True,
            },
        )
        sheet.freeze_panes(1, 1)
        return sheet

    changes = sheet_of("Changes", _CHANGES, len(diff.changes))
    field_rows: list[tuple[ItemChange, FieldChange | LinkChange]] = []
    for change in diff.changes:
        field_rows += [(change, fc) for fc in change.fields]
        field_rows += [(change, lc) for lc in change.links]
    fields = sheet_of("Fields", _FIELDS, len(field_rows))
    for row, change in enumerate(diff.changes, start=1):
        path, line = _where(change)
        moved_from = change.old_path or "" if change.moved else ""
        values = (change.id, change.kind, change.status, path, line, moved_from, _what(change))
        for col, value in enumerate(values):
            if col == 4 and change.line:
                changes.write_number(row, col, change.line)  # ours, not the user's text
            elif value:
                changes.write_string(row, col, _clip(value))
    for row, (change, fc) in enumerate(field_rows, start=1):
        if isinstance(fc, FieldChange):
            name, old, new = fc.label, fc.old or "", fc.new or ""
            fragments = _redline(fc)
        else:  # a link change: targets added and removed
            name, old, new = fc.name, ", ".join(fc.removed), ", ".join(fc.added)
            fragments = []
            for mark, target in [("-", t) for t in fc.removed] + [("+", t) for t in fc.added]:
                fragments += [("=", " "), (mark, target)] if fragments else [(mark, target)]
        for col, value in enumerate((change.id, change.kind, change.status, name, old, new)):
            if value:
                fields.write_string(row, col, _clip(value))
        _write_redline(fields, row, len(_FIELDS) - 1, fragments, marks, wrapped)
    workbook.close()


def _write_redline(
    sheet: Any,
    row: int,
    col: int,
    fragments: list[tuple[str, str]],
    marks: dict[str, Any],
    cell: Any,
) -> None:
    clipped: list[tuple[str, str]] = []
    room = _CELL_MAX
    for mark, text in fragments:
        if room <= 0:
            break
        clipped.append((mark, text[:room]))
        room -= len(text)
    if not clipped:
        return
    if len(clipped) == 1:  # a rich string needs two fragments at least
        mark, text = clipped[0]
        sheet.write_string(row, col, text, marks.get(mark, cell))
        return
    parts: list[Any] = []
    for mark, text in clipped:
        if mark in marks:
            parts.append(marks[mark])
        parts.append(text)
    sheet.write_rich_string(row, col, *parts, cell)


def xlsx_bytes(diff: ItemDiff) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(diff, buffer)
    return buffer.getvalue()
