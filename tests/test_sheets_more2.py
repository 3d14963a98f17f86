"""Spreadsheet exchange, second round (#16): export limits (rows, cell length), the
compliance template of one document, several sheets imported by default."""

from __future__ import annotations

from collections.abc import Callable

import openpyxl
import pytest

from specheft.io.sheets import export as sheet_export

from .conftest import CliResult
from .helpers import MiniProject, item


def _reqs(count: int, *, long_text_of: int | None = None) -> str:
    page = "# Kontakte\n\n"
    for number in range(1, count + 1):
        text = "Das CRM-System muss Firmen anlegen."
        if number == long_text_of:
            text = "Das CRM-System muss " + "sehr " * 7_000 + "viel können."
        page += item(
            "req",
            f"Anforderung {number}",
            text,
            id=f"LH-KON-{number:03d}",
            priority="must",
            phase="PHASE-IMPL",
        )
    return page


# -- export limits --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_refuses_more_rows_than_a_sheet_holds(
    fmt: str,
    make_project: Callable[..., MiniProject],
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a million items take an hour to build: the limit is lowered instead (4 rows: the
    # header and three items), the code path is the same
    monkeypatch.setattr(sheet_export, "MAX_ROWS", 4)
    mini = make_project({"kon.md": _reqs(4)})
    out = mini.root / f"x.{fmt}"
    result = run_cli("export", fmt, mini.root, "--out", out)
    assert result.code == 2, result.output
    # the first item that does not fit, at its file and line (the 4th block of kon.md)
    line = (mini.spec / "kon.md").read_text(encoding="utf-8").splitlines().index(
        ":::{req} Anforderung 4"
    ) + 1
    assert f"spec/kon.md:{line}: LH-KON-004: the sheet 'Requirements' would have 5 rows" in (
        result.err
    )
    assert "at most 4: this item and the 0 after it do not fit" in result.err
    assert "Traceback" not in result.output
    assert not out.exists()
    # nothing cached either: the same export with the real limit writes every row
    monkeypatch.setattr(sheet_export, "MAX_ROWS", 1_048_576)
    written = run_cli("export", fmt, mini.root, "--out", out)
    assert written.code == 0, written.output
    assert "export cache" not in written.out
    if fmt == "xlsx":
        rows = openpyxl.load_workbook(out, read_only=True)["Requirements"].iter_rows()
        assert [r[0].value for r in rows][-1] == "LH-KON-004"
    else:
        assert out.read_text(encoding="utf-8-sig").splitlines()[-1].startswith("LH-KON-004;")


def test_export_allows_a_full_sheet(
    make_project: Callable[..., MiniProject],
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sheet_export, "MAX_ROWS", 5)  # header + 4 items: exactly full
    mini = make_project({"kon.md": _reqs(4)})
    result = run_cli("export", "xlsx", mini.root, "--out", mini.root / "x.xlsx")
    assert result.code == 0, result.output


def test_export_refuses_an_over_long_cell_naming_the_item(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    mini = make_project({"kon.md": _reqs(3, long_text_of=2)})
    for fmt in ("xlsx", "csv"):
        out = mini.root / f"x.{fmt}"
        result = run_cli("export", fmt, mini.root, "--out", out)
        assert result.code == 2, result.output
        assert "spec/kon.md:" in result.err
        assert "LH-KON-002: Text has 35032 characters; a spreadsheet cell holds at most 32767" in (
            result.err
        )
        assert "the export does not cut text" in result.err
        assert not out.exists()
