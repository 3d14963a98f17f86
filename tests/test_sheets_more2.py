"""Spreadsheet exchange, second round (#16): export limits (rows, cell length), the
compliance template of one document, several sheets imported by default."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from specheft.io.sheets import export as sheet_export
from specheft.project.fingerprint import fingerprints
from specheft.project.layout import Project

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
            priority=("must", "should", "can")[number % 3],
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


# -- export speed: what the export computes faster is the same --------------------------------

_DOCS = """\
[project]
name = "Mini"
language = "de"

[areas]
KON = "Kontakte"

[documents.lastenheft]
title = "Lastenheft"
start = "kon"

[documents.bericht]
title = "Bericht"
start = "bericht"
"""


def _cover_fingerprints(path: Path) -> dict[str, str]:
    cover = openpyxl.load_workbook(path, read_only=True)["Cover"]
    return {
        str(key).removeprefix("Fingerprint "): str(value)
        for key, value in cover.iter_rows(values_only=True)
        if str(key).startswith("Fingerprint ")
    }


def test_export_fingerprints_equal_the_fingerprint_command_after_edits(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    """The cover's fingerprints come from kept trace directives (per page, refreshed when
    its doctree is rewritten) and the export's own trace graph: each equals what
    ``specheft fingerprint`` says, also after the directive of a report page changes."""
    mini = make_project(
        {"kon.md": _reqs(3), "bericht.md": "# Bericht\n"},
        settings=_DOCS,
        index="# Mini\n\n```{toctree}\nkon\nbericht\nphasen\n```\n",
    )
    out = mini.root / "x.xlsx"
    seen = []
    for priority in ("must", "should", None):
        if priority is None:  # the report shows no item any more: no fingerprint
            mini.write("spec/bericht.md", "# Bericht\n\nNichts.\n")
        else:
            matrix = f":::{{coverage-matrix}}\n:priority: {priority}\n:::\n"
            mini.write("spec/bericht.md", f"# Bericht\n\n{matrix}")
        assert run_cli("export", "xlsx", mini.root, "--out", out).code == 0
        expected = {
            f.document.name: f"{f.digest} ({f.items} items)" if f.digest else "–"
            for f in fingerprints(Project.at(mini.root))
        }
        got = _cover_fingerprints(out)
        assert got == expected
        seen.append(got["bericht"])
    assert len(set(seen)) == 3 and seen[-1] == "–"


# -- compliance template --document ------------------------------------------------------------

_TWO_DOCS = """\
[project]
name = "Mini"
language = "de"

[areas]
KON = "Kontakte"
VTR = "Vertrieb"

[documents.kontakte]
title = "Lastenheft Kontakte"
start = "kon"

[documents.vertrieb]
title = "Lastenheft Vertrieb"
start = "vtr"
"""

_VTR = "# Vertrieb\n\n" + "".join(
    item(
        "req",
        f"Vertrieb {n}",
        "Das CRM-System muss Leads führen.",
        id=f"LH-VTR-00{n}",
        priority="must",
        area="VTR",
        phase="PHASE-IMPL",
    )
    for n in (1, 2)
)


def _answer_all(source: Path, target: Path) -> list[str]:
    """Every row answered 'standard' (as a bidder types it); the ids of the rows."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["Anforderungen"]
    ids = []
    for row in range(2, sheet.max_row + 1):
        ids.append(str(sheet.cell(row, 1).value))
        sheet.cell(row, 7).value = "standard"
        sheet.cell(row, 8).value = 2
    workbook.save(target)
    return ids


def test_compliance_template_of_one_document_is_imported_and_scored_on_it(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    mini = make_project(
        {"kon.md": _reqs(3), "vtr.md": _VTR},
        settings=_TWO_DOCS,
        index="# Mini\n\n```{toctree}\nkon\nvtr\nphasen\n```\n",
    )
    template = mini.root.parent / "kontakte.xlsx"
    result = run_cli(
        "compliance", "template", "--vendor", "Alpha", "--document", "kontakte",
        "--out", template, mini.root,
    )  # fmt: skip
    assert result.code == 0, result.output
    assert "3 requirements" in result.out
    meta = {
        str(k): str(v or "")
        for k, v in openpyxl.load_workbook(template)["specheft"].iter_rows(
            max_col=2, values_only=True
        )
        if k
    }
    assert meta["document"] == "kontakte"
    answered = _answer_all(template, mini.root.parent / "alpha.xlsx")
    assert answered == ["LH-KON-001", "LH-KON-002", "LH-KON-003"]  # no LH-VTR-*

    # the import checks against the same document's requirements (the baseline of three)
    imported = run_cli(
        "compliance", "import", mini.root.parent / "alpha.xlsx", "--vendor", "Alpha", mini.root
    )
    assert imported.code == 0, imported.output
    stored = json.loads((mini.root / "spec/tender/answers/alpha.json").read_text("utf-8"))
    assert stored["document"] == "kontakte"
    # scored on what it was asked: the unasked must requirements of Vertrieb are neither
    # missing nor knock-outs
    compared = run_cli("compliance", "compare", mini.root, "--format", "json")
    assert compared.code == 0, compared.output
    (bidder,) = json.loads(compared.out)["bidders"]
    assert bidder["missing"] == [] and not bidder["knocked_out"]
    assert bidder["score"] == 100.0 and bidder["effort"] == 6

    # the whole project, as before: every requirement, no document recorded
    whole = mini.root.parent / "alle.xlsx"
    assert (
        run_cli("compliance", "template", "--vendor", "Beta", "--out", whole, mini.root).code == 0
    )
    assert len(_answer_all(whole, mini.root.parent / "beta.xlsx")) == 5
    assert (
        run_cli(
            "compliance", "import", mini.root.parent / "beta.xlsx", "--vendor", "Beta", mini.root
        ).code
        == 0
    )
    beta = json.loads((mini.root / "spec/tender/answers/beta.json").read_text("utf-8"))
    assert "document" not in beta


def test_compliance_template_of_an_unknown_document(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    mini = make_project({"kon.md": _reqs(1), "vtr.md": _VTR}, settings=_TWO_DOCS,
                        index="# Mini\n\n```{toctree}\nkon\nvtr\nphasen\n```\n")  # fmt: skip
    out = mini.root / "x.xlsx"
    result = run_cli(
        "compliance", "template", "--vendor", "A", "--document", "kontkte", "--out", out, mini.root
    )
    assert result.code == 2, result.output
    assert "no document 'kontkte'; documents: kontakte, vertrieb" in result.err
    assert "did you mean 'kontakte'?" in result.err
    assert not out.exists()


# -- several sheets -------------------------------------------------------------------------


def test_import_of_an_export_reads_every_item_sheet_without_a_flag(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    """An export's item sheets come back, each item as its kind; the cover, the empty
    sheets and the coverage view (ids of earlier sheets) are named as skipped."""
    spec = item("spec", "Firmenmaske", "Die Maske zeigt Firmen.", id="PH-KON-001",
                satisfies="LH-KON-001")  # fmt: skip
    mini = make_project({"kon.md": _reqs(2) + spec})
    out = mini.root.parent / "export.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", out).code == 0
    into = mini.root.parent / "back"
    result = run_cli("import", "xlsx", out, "--into", into)
    assert result.code == 0, result.output
    assert "wrote 2 page(s) with 3 item(s)" in result.out
    assert sorted(p.name for p in into.iterdir()) == [
        "export-pflichtenheft.md",
        "export-requirements.md",
    ]
    pflicht = (into / "export-pflichtenheft.md").read_text(encoding="utf-8")
    assert ":::{spec} Firmenmaske" in pflicht and "LH-KON-001" in pflicht
    for skipped in (
        "Cover (no header row)",
        "Exclusions (no item rows)",
        "Tests (no item rows)",
        "Coverage (its ids are those of earlier sheets)",
    ):
        assert skipped in result.err
    # --sheet picks one, as before
    one = mini.root.parent / "one"
    picked = run_cli("import", "xlsx", out, "--into", one, "--sheet", "Requirements")
    assert picked.code == 0, picked.output
    assert [p.name for p in one.iterdir()] == ["export.md"]
    # a picked sheet without items is an error, not skipped
    empty = run_cli("import", "xlsx", out, "--into", one, "--sheet", "Tests", "--force")
    assert empty.code == 2 and "export.xlsx:Tests!1" in empty.err
    assert "has a header row but no item rows" in empty.err


def test_import_refuses_a_workbook_whose_sheets_have_no_items(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    mini = make_project({"kon.md": "# K\n\nNur Text.\n"})
    out = mini.root.parent / "leer.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", out).code == 0
    into = mini.root.parent / "back"
    result = run_cli("import", "xlsx", out, "--into", into)
    assert result.code == 2, result.output
    assert "leer.xlsx:Requirements!1: no sheet has item rows of its own" in result.err
    assert not into.exists()


# -- the workbook's item rows written beside XlsxWriter ------------------------------------------


def _cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {
        name: [
            (c.coordinate, c.value, c.fill.fgColor.rgb, c.alignment.wrap_text, c.font.b)
            for row in workbook[name].iter_rows()
            for c in row
        ]
        + [(workbook[name].dimensions, workbook[name].freeze_panes, *workbook[name].tables)]
        for name in workbook.sheetnames
    }


@pytest.mark.parametrize("text", ["  Rand & <b>Tag</b>\n", "Wagen_x000D_rücklauf", "a\r\nb"])
def test_fast_item_rows_equal_xlsxwriter_cells(text: str) -> None:
    """Cells, styles, colours, dimension and table of the fast path are XlsxWriter's;
    a sheet with text XlsxWriter escapes (``_xHHHH_``, CR) is written by XlsxWriter."""
    from specheft.io.sheets.tables import Table

    tables = [
        Table(
            "requirements",
            "Requirements",
            ["ID", "Title", "Text", "priority"],
            [["LH-KON-001", text, "", "must"], ["LH-KON-002", "B", "Text", "can"]],
            colour_columns={"priority": "priority"},
        ),
        Table("exclusions", "Exclusions", ["ID", "Title"]),  # empty: a table of one row
    ]
    export = sheet_export.Export(tables, [("Project", "P & Q")])
    slow = io.BytesIO()
    sheet_export._write_workbook(export, slow, rows=True)
    fast = sheet_export.xlsx_bytes(export)
    assert _cells(fast) == _cells(slow.getvalue())
    assert _cells(fast)["Requirements"][4][1] == "LH-KON-001"
