"""Spreadsheet exchange (#16): export xlsx/csv, import xlsx/csv, round trip, bad input."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter  # type: ignore[import-untyped]

from .conftest import CliResult
from .helpers import MiniProject, item
from .test_safe_io import write_xlsx

HOSTILE = Path(__file__).parent / "hostile"

PAGES = {
    "kon.md": "# Kontakte\n\n"
    + item(
        "req",
        '=HYPERLINK("http://evil")',
        "Das System muss Firmen erfassen.\n\n- erste Zeile\n- zweite",
        id="LH-KON-001",
        priority="must",
        area="KON",
        source="Vertrieb",
        acceptance="Eine Firma wird angelegt.",
        verification="test",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Dubletten",
        "Das System soll Dubletten melden.",
        id="LH-KON-002",
        priority="should",
        area="KON",
        refines="LH-KON-001",
        rationale="Doppelte Firmen kosten Zeit.",
    )
    + item("req", "+Export", "@Kann exportieren.", id="LH-VTR-001", priority="can", area="VTR")
    + item("req", "'=quoted", "Text.", id="LH-VTR-002", priority="can", area="VTR"),
    "ph.md": "# PH\n\n"
    + item("spec", "Umsetzung", "Standard.", id="PH-KON-001", satisfies="LH-KON-001")
    + item("test", "Test", "Prüfen.", id="TC-SIT-001", verifies="PH-KON-001", level="sit"),
    "ab.md": "# AB\n\n" + item("excl", "Kein ERP", "Nicht enthalten.", id="AB-001"),
}


@pytest.fixture
def mini(make_project: Callable[..., MiniProject]) -> MiniProject:
    return make_project(PAGES)


def _sheet(path: Path, name: str) -> list[list[str]]:
    workbook = openpyxl.load_workbook(path)
    return [[c.value or "" for c in row] for row in workbook[name].iter_rows()]


def test_export_xlsx_sheets_layout_and_no_formula(
    mini: MiniProject, run_cli: Callable[..., CliResult]
) -> None:
    out = mini.root / "out.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", out)
    assert result.code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        "Cover", "Requirements", "Exclusions", "Pflichtenheft", "Tests", "Coverage"
    ]  # fmt: skip
    sheet = workbook["Requirements"]
    assert sheet.freeze_panes == "B2"
    assert list(sheet.tables) == ["T_requirements"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["ID", "Title", "Text", "Status", "Tags", "priority"]
    for name in ("area", "source", "origin", "rationale", "acceptance", "phase", "refines"):
        assert name in header
    first = {h: c for h, c in zip(header, sheet[2], strict=True)}
    # a title that looks like a formula stays text: no live formula from user text
    assert first["Title"].value == '=HYPERLINK("http://evil")'
    assert first["Title"].data_type == "s"
    assert first["priority"].fill.fgColor.rgb.endswith("F4C7C3")  # must: red
    assert first["Text"].value.startswith("Das System muss Firmen erfassen.\n\n- erste")
    third = {h: c.value for h, c in zip(header, sheet[4], strict=True)}
    assert third["Title"] == "+Export" and third["Text"] == "@Kann exportieren."
    coverage = _sheet(out, "Coverage")
    assert coverage[1][:4] == ["LH-KON-001", '=HYPERLINK("http://evil")', "must", "covered"]
    assert coverage[2][3] == "uncovered"
    assert _sheet(out, "Exclusions")[1][0] == "AB-001"
    assert _sheet(out, "Tests")[1][0] == "TC-SIT-001"
    cover = dict((r[0], r[1]) for r in _sheet(out, "Cover"))
    assert cover["Project"] == "Mini" and cover["Revision"] == "not in a git repository"
    assert cover["Requirements"] == "4"


def test_export_links_ids_when_url_set_and_dates_by_commit(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    from .helpers import SETTINGS

    settings = SETTINGS.format(language="de").replace(
        "[project]\n", '[project]\nurl = "https://spec.example/"\n'
    )
    mini = make_project(PAGES, settings=settings)
    env = {**os.environ, "GIT_COMMITTER_DATE": "2024-03-05T10:00:00+01:00",
           "GIT_AUTHOR_DATE": "2024-03-05T10:00:00+01:00"}  # fmt: skip
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t",
                                                 "commit", "-qm", "x"]):  # fmt: skip
        subprocess.run(["git", "-C", str(mini.root), *args], check=True, env=env)
    out = mini.root / "_build" / "a.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", out).code == 0
    sheet = openpyxl.load_workbook(out)["Requirements"]
    link = sheet["A2"].hyperlink
    assert (link.target, link.location) == ("https://spec.example/kon.html", "LH-KON-001")
    cover = dict((r[0], r[1]) for r in _sheet(out, "Cover"))
    assert cover["Date"] == "2024-03-05"  # the commit's, not today's
    again = mini.root / "_build" / "b.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", again).code == 0
    for name in openpyxl.load_workbook(out).sheetnames:  # deterministic cells
        assert _sheet(out, name) == _sheet(again, name)


def test_export_csv_semicolon_bom_and_formula_guard(
    mini: MiniProject, run_cli: Callable[..., CliResult]
) -> None:
    out = mini.root / "req.csv"
    assert run_cli("export", "csv", mini.root, "--out", out).code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfID;Title;Text;")
    text = data.decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://evil"")' in text  # shown as text by Excel
    assert ";'+Export;'@Kann exportieren.;" in text
    assert "LH-VTR-002;''=quoted;" in text
    cov = mini.root / "cov.csv"
    assert run_cli("export", "csv", mini.root, "--kind", "coverage", "--out", cov).code == 0
    assert "LH-VTR-001;'+Export;can;uncovered" in cov.read_text(encoding="utf-8-sig")


def test_export_refuses_control_character_naming_the_item(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    page = "# K\n\n" + item("req", "T", "Text mit \x07 Klingel.", id="LH-KON-001", priority="must")
    mini = make_project({"k.md": page})
    out = mini.root / "x.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", out)
    assert result.code == 2, result.output
    assert "LH-KON-001: Text contains the control character U+0007" in result.err
    assert not out.exists()


# -- import ---------------------------------------------------------------------------------


def _customer_workbook(path: Path) -> Path:
    """A customer's list: title rows above the header, German headers, a heading row,
    a formula with a cached value and an extra column."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Anforderungen")
    sheet.write_string(0, 0, "Lastenheft CRM – Anforderungsliste")
    rows = [
        ["Nr.", "Kapitel", "Titel", "Anforderung", "Priorität", "Quelle", "Abnahmekriterium",
         "Bemerkung"],
        ["", "", "3.1 Kontakte", "", "", "", "", ""],
        ["LH-KON-001", "", "Firmen", "Das System muss Firmen erfassen.", "Muss", "Vertrieb",
         "Firma angelegt.", "aus Workshop 2"],
        ["LH-KON-002", "", "Personen", "Das System soll Personen erfassen.", "B", "", "", ""],
    ]  # fmt: skip
    for r, row in enumerate(rows, start=2):
        for c, text in enumerate(row):
            if text:
                sheet.write_string(r, c, text)
    sheet.write_formula(6, 0, '="LH-KON-"&"003"', None, "LH-KON-003")
    sheet.write_string(6, 2, "Suche")
    sheet.write_number(6, 4, 1)
    workbook.close()
    return path


def test_import_customer_workbook(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    book = _customer_workbook(tmp_path / "kunde.xlsx")
    into = tmp_path / "proj" / "spec" / "import"
    result = run_cli("import", "xlsx", book, "--into", into)
    assert result.code == 0, result.output
    page = (into / "kunde.md").read_text(encoding="utf-8")
    assert page.startswith("# Anforderungen\n\n### 3.1 Kontakte\n\n")  # 3.1: level 2
    assert ":::{req} Firmen\n:id: LH-KON-001\n:priority: must\n:source: Vertrieb\n" in page
    assert ":acceptance: Firma angelegt.\n" in page
    assert "**Bemerkung:** aus Workshop 2" in page  # an unmapped column is kept
    assert ":id: LH-KON-002\n:priority: can\n" in page  # B → can
    assert ":::{req} Suche\n:id: LH-KON-003\n:priority: must\n" in page  # cached formula, 1


@pytest.mark.parametrize(
    ("data", "sep"),
    [
        ("ID;Titel;Beschreibung;Prio\r\nLH-A-001;Größe;Text, mit Komma;Soll\r\n", "utf-8-sig"),
        ('Nr.,Title,Description,Priority\nLH-A-001,Größe,"Text, mit Komma",SHOULD\n', "utf-8"),
        ("Nr.\tTitel\tAnforderung\tPriorität\nLH-A-001\tGröße\tText, mit Komma\tS\n", "cp1252"),
    ],
)
def test_import_csv_sniffs_separator_and_encoding(
    tmp_path: Path, run_cli: Callable[..., CliResult], data: str, sep: str
) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(data.encode(sep))
    result = run_cli("import", "csv", path, "--into", tmp_path / "out")
    assert result.code == 0, result.output
    page = (tmp_path / "out" / "liste.md").read_text(encoding="utf-8")
    assert ":::{req} Größe\n:id: LH-A-001\n:priority: should\n\nText, mit Komma\n:::" in page


def _round_trip_rows(path: Path) -> list[list[str]]:
    rows = _sheet(path, "Requirements")
    header = rows[0]
    keep = [i for i, h in enumerate(header) if h not in ("Chapter", "Page")]
    return [[row[i] for i in keep] for row in rows]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_keeps_ids_titles_text_priorities_links_fields(
    mini: MiniProject, run_cli: Callable[..., CliResult], fmt: str
) -> None:
    first = mini.root / "first.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", first).code == 0
    source = first
    if fmt == "csv":
        source = mini.root / "req.csv"
        assert run_cli("export", "csv", mini.root, "--out", source).code == 0
    # the imported page replaces the original requirements page
    (mini.spec / "kon.md").unlink()
    result = run_cli("import", fmt, source, "--into", mini.spec / "imp")
    assert result.code == 0, result.output
    index = (mini.spec / "index.md").read_text().replace("kon\n", "imp/" + source.stem + "\n")
    (mini.spec / "index.md").write_text(index)
    second = mini.root / "second.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", second)
    assert result.code == 0, result.output
    assert _round_trip_rows(second) == _round_trip_rows(first)
    assert len(_round_trip_rows(first)) == 5
    assert _round_trip_rows(second)[4][1] == "'=quoted"  # the CSV guard undone exactly once


# -- bad input: exit 2, located, nothing written ----------------------------------------------


def _refused(run_cli: Callable[..., CliResult], tmp_path: Path, fmt: str, path: Path) -> str:
    into = tmp_path / "never"
    result = run_cli("import", fmt, path, "--into", into)
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert not into.exists()
    return result.err


def test_bad_empty_workbook(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    path = tmp_path / "leer.xlsx"
    xlsxwriter.Workbook(str(path)).close()
    err = _refused(run_cli, tmp_path, "xlsx", path)
    assert "leer.xlsx:Sheet1: is empty: no row has a value" in err


def test_bad_csv_renamed_xlsx(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    path = tmp_path / "liste.xlsx"
    path.write_text("ID;Titel\nLH-A-001;x\n")
    err = _refused(run_cli, tmp_path, "xlsx", path)
    assert "liste.xlsx: is not an Excel workbook (.xlsx): it is not a ZIP archive" in err


def test_bad_encrypted_workbook(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    err = _refused(run_cli, tmp_path, "xlsx", HOSTILE / "encrypted.xlsx")
    assert "encrypted (password-protected) workbook" in err and "remove the password" in err


def test_bad_zip_bomb(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    bomb = write_xlsx(tmp_path / "bomb.xlsx", {"T": (b" " * 2**20 for _ in range(20))}, level=9)
    err = _refused(run_cli, tmp_path, "xlsx", bomb)
    assert "a ZIP bomb?" in err


def test_bad_formula_without_cached_value(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "f.xlsx"
    workbook = openpyxl.Workbook()  # openpyxl stores formulas without values
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Liste"
    sheet.append(["ID", "Titel"])
    sheet.append(["LH-A-001", '="x"&"y"'])
    workbook.save(path)
    err = _refused(run_cli, tmp_path, "xlsx", path)
    assert "f.xlsx:Liste!2 (column B): a formula without a stored value" in err


def test_bad_unknown_priority_and_duplicate_ids_all_listed(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "l.csv"
    path.write_text(
        "Titelzeile\n\nID;Titel;Priorität\nLH-A-001;a;Muss\nLH-A-002;b;Vielleicht\nLH-A-001;c;Kann\n"
    )
    err = _refused(run_cli, tmp_path, "csv", path)
    assert "l.csv:5:3: LH-A-002: unknown priority 'Vielleicht'" in err
    assert "l.csv:6:1: LH-A-001: duplicate id (first in row 4)" in err


def test_refuses_non_empty_target_without_force(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "l.csv"
    path.write_text("ID;Titel\nLH-A-001;a\n")
    into = tmp_path / "out"
    into.mkdir()
    (into / "old.md").write_text("keep")
    result = run_cli("import", "csv", path, "--into", into)
    assert result.code == 2 and "is not empty" in result.err
    assert sorted(p.name for p in into.iterdir()) == ["old.md"]
    assert run_cli("import", "csv", path, "--into", into, "--force").code == 0
    assert sorted(p.name for p in into.iterdir()) == ["l.md", "old.md"]


def test_bad_dtd_in_sheet(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    err = _refused(run_cli, tmp_path, "xlsx", write_xlsx(tmp_path / "dtd.xlsx", {"T": sheet}))
    assert "dtd.xlsx" in err and ("DTD" in err or "entit" in err)


def test_export_document_keeps_project_wide_coverage(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    from .helpers import SETTINGS

    settings = SETTINGS.format(language="de") + (
        '\n[documents.lh]\ntitle = "Lastenheft"\nstart = "kon"\nid = "LH"\n'
    )
    mini = make_project(PAGES, settings=settings)
    out = mini.root / "lh.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--document", "lh", "--out", out)
    assert result.code == 0, result.output
    assert [r[0] for r in _sheet(out, "Pflichtenheft")] == ["ID"]  # not in the document
    coverage = {r[0]: r[3] for r in _sheet(out, "Coverage")[1:]}
    # specified and tested by items outside the Lastenheft: still covered
    assert coverage == {"LH-KON-001": "covered", "LH-KON-002": "uncovered",
                        "LH-VTR-001": "uncovered", "LH-VTR-002": "uncovered"}  # fmt: skip
    cover = dict((r[0], r[1]) for r in _sheet(out, "Cover"))
    assert cover["Document"] == "Lastenheft (lh)" and "Fingerprint lh" in cover


def test_import_merged_cells_hold_for_every_row(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "m.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("L")
    sheet.merge_range(0, 0, 0, 2, "3 Kontakte")  # a heading over the sheet's width
    sheet.write_row(1, 0, ["ID", "Titel", "Priorität"])
    sheet.write_row(2, 0, ["LH-A-001", "a"])
    sheet.write_row(3, 0, ["LH-A-002", "b"])
    sheet.merge_range(2, 2, 3, 2, "Muss")  # one priority for both rows
    workbook.close()
    result = run_cli("import", "xlsx", path, "--into", tmp_path / "out")
    assert result.code == 0, result.output
    page = (tmp_path / "out" / "m.md").read_text(encoding="utf-8")
    assert page.count(":priority: must") == 2


def test_import_with_into_needs_no_project_around_the_current_directory(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the suite runs in the repository, itself a project: the failure only showed elsewhere
    path = tmp_path / "liste.csv"
    path.write_bytes("Nr.;Titel;Anforderung;Priorität\nLH-A-001;Suche;Text;M\n".encode())
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "csv", path, "--into", tmp_path / "p" / "spec" / "import")
    assert result.code == 0, result.output
    assert (tmp_path / "p/spec/import/liste.md").is_file()
