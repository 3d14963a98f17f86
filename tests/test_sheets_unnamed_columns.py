"""``import xlsx|csv``: a value in a column whose header cell is empty was dropped without
a word; it is kept as a ``**Column C:** value`` line in the item's text, and a note names
the columns (only of the sheets that became pages)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]

from .conftest import CliResult


def test_csv_value_without_header_is_kept_and_named(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("ID;Titel;;Quelle\nLH-A-001;a;Notiz 31.12.2026;Vertrieb;spät\nLH-A-002;b\n")
    result = run_cli("import", "csv", path, "--into", tmp_path / "out")
    assert result.code == 0, result.output
    page = (tmp_path / "out" / "liste.md").read_text(encoding="utf-8")
    assert ":id: LH-A-001\n:source: Vertrieb\n\n**Column C:** Notiz 31.12.2026\n\n" in page
    assert "**Column E:** spät\n:::" in page
    assert ":id: LH-A-002\n:::" in page
    assert "columns without a header cell are kept as text lines" in result.output
    assert "Column C, Column E" in result.output


def test_workbook_note_names_only_sheets_that_became_pages(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "l.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("KON")
    sheet.write_row(0, 0, ["ID", "Titel"])
    sheet.write_row(1, 0, ["LH-A-001", "a", "", "extra"])
    view = workbook.add_worksheet("Sicht")  # the same ids: a view, skipped
    view.write_row(0, 0, ["ID", "Titel", "Bemerkung"])
    view.write_row(1, 0, ["LH-A-001", "a", "x", "y"])
    workbook.close()
    result = run_cli("import", "xlsx", path, "--into", tmp_path / "out")
    assert result.code == 0, result.output
    page = (tmp_path / "out" / "l-kon.md").read_text(encoding="utf-8")
    assert "**Column D:** extra" in page
    assert "KON: Column D" in result.output
    assert "Sicht:" not in result.output.replace("Sicht (its ids", "")
    assert "Bemerkung" not in result.output  # the skipped sheet's column: no note
