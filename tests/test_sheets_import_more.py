"""``import xlsx|csv`` (#16 point 2): --map, several sheets, German dates and decimals,
.ods (hardened like .xlsx) and .xls; bad input exits 2, located, nothing written. Also
the one sheet reader (evidence, sheets and compliance import share it)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter  # type: ignore[import-untyped]

from specheft.errors import InputError, UnsafeInputError
from specheft.evidence.table import read_table
from specheft.io.sheets.reading import read_csv, read_xlsx

from .conftest import CliResult

FIXTURES = Path(__file__).parent / "sheets_fixtures"


def _import(
    run_cli: Callable[..., CliResult], tmp_path: Path, source: Path, *args: object
) -> tuple[CliResult, Path]:
    into = tmp_path / "out"
    fmt = "csv" if source.suffix == ".csv" else "xlsx"
    return run_cli("import", fmt, source, "--into", into, *args), into


def _refused(run_cli: Callable[..., CliResult], tmp_path: Path, source: Path, *args: object) -> str:
    into = tmp_path / "never"
    fmt = "csv" if source.suffix == ".csv" else "xlsx"
    result = run_cli("import", fmt, source, "--into", into, *args)
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert not into.exists()
    return result.err


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    return path


# -- --map ------------------------------------------------------------------------------


def test_map_names_columns_and_priority_words(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    source = tmp_path / "liste.csv"
    source.write_text(
        "Lfd;Kurz;Details;Wichtigkeit;Notiz\n"
        "LH-KON-001;Firmen;Das System muss Firmen erfassen.;hoch;intern\n"
        "LH-KON-002;Personen;Das System soll Personen erfassen.;mittel;\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\n"Lfd" = "id"\n"Kurz" = "title"\n"Details" = "text"\n'
        '"Wichtigkeit" = "priority"\n"Notiz" = "keep"\n'
        '[priorities]\n"hoch" = "must"\n"Mittel" = "should"\n',
        encoding="utf-8",
    )
    result, into = _import(run_cli, tmp_path, source, "--map", mapping)
    assert result.code == 0, result.output
    page = (into / "liste.md").read_text(encoding="utf-8")
    assert ":::{req} Firmen\n:id: LH-KON-001\n:priority: must\n" in page
    assert ":::{req} Personen\n:id: LH-KON-002\n:priority: should\n" in page
    assert "**Notiz:** intern" in page
    # without the map, nothing is recognised
    assert "no header row" in _refused(run_cli, tmp_path, source)


def test_map_errors_are_located(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    source = tmp_path / "liste.csv"
    source.write_text("Nr.;Titel\nLH-KON-001;Firmen\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"Nr." = "id"\n"Titel" = "titel"\n', encoding="utf-8")
    err = _refused(run_cli, tmp_path, source, "--map", mapping)
    assert f"{mapping}:3:" in err and "'titel' is not allowed" in err and "title" in err
    mapping.write_text('[priority]\n"hoch" = "must"\n', encoding="utf-8")
    err = _refused(run_cli, tmp_path, source, "--map", mapping)
    assert f"{mapping}:1:" in err and "unknown table" in err and "priorities" in err
    mapping.write_text('[priorities]\n"hoch" = "wichtig"\n', encoding="utf-8")
    assert "'wichtig' is not allowed; allowed: must, should, can" in _refused(
        run_cli, tmp_path, source, "--map", mapping
    )
    mapping.write_text("[columns\n", encoding="utf-8")
    assert "not valid TOML" in _refused(run_cli, tmp_path, source, "--map", mapping)
    err = _refused(run_cli, tmp_path, source, "--map", tmp_path / "none.toml")
    assert "none.toml: no such file (--map)" in err


def test_map_priority_word_unknown_names_the_map(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    source = tmp_path / "liste.csv"
    source.write_text("Nr.;Titel;Prio\nLH-KON-001;Firmen;niedrig\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[priorities]\n"hoch" = "must"\n', encoding="utf-8")
    err = _refused(run_cli, tmp_path, source, "--map", mapping)
    assert "liste.csv:2:3" in err and "unknown priority 'niedrig'" in err and "map.toml" in err


# -- several sheets ---------------------------------------------------------------------

_KON = [["ID", "Titel"], ["LH-KON-001", "Firmen"], ["LH-KON-002", "Personen"]]
_VTR = [["Hinweise"], ["keine Kopfzeile"], [], ["Nr.", "Titel"], ["LH-VTR-001", "Angebote"]]


def test_all_sheets_and_repeated_sheet_option(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    view = [["ID", "Titel", "Status"], ["LH-KON-001", "Firmen", "draft"]]
    source = _workbook(
        tmp_path / "liste.xlsx", {"KON": _KON, "Notizen": [["frei"]], "VTR": _VTR, "Sicht": view}
    )
    # without a flag: every sheet with a header row and items of its own (#16)
    result, into = _import(run_cli, tmp_path, source)
    assert result.code == 0, result.output
    assert sorted(p.name for p in into.iterdir()) == ["liste-kon.md", "liste-vtr.md"]
    vtr = (into / "liste-vtr.md").read_text(encoding="utf-8")
    assert vtr.startswith("# VTR\n") and "LH-VTR-001" in vtr and "LH-KON" not in vtr
    assert "Notizen (no header row)" in result.err
    assert "Sicht (its ids are those of earlier sheets)" in result.err
    assert "--all-sheets" not in result.err

    # --all-sheets (deprecated) still works and says it is not needed
    result, again = _import(run_cli, tmp_path, source, "--all-sheets", "--force")
    assert result.code == 0, result.output
    assert sorted(p.name for p in again.iterdir()) == ["liste-kon.md", "liste-vtr.md"]
    assert "--all-sheets is no longer needed" in result.err

    other = tmp_path / "other"
    result = run_cli("import", "xlsx", source, "--into", other, "--sheet", "VTR", "--sheet", "KON")
    assert result.code == 0, result.output
    assert sorted(p.name for p in other.iterdir()) == ["liste-kon.md", "liste-vtr.md"]
    assert "3 item(s)" in result.output


def test_duplicate_id_across_sheets_and_named_sheet_without_header(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    twice = [["ID", "Titel"], ["LH-KON-003", "Neu"], ["LH-KON-002", "Doppelt"]]
    source = _workbook(tmp_path / "liste.xlsx", {"KON": _KON, "Mehr": twice, "Leer": [["x"]]})
    err = _refused(run_cli, tmp_path, source, "--all-sheets")
    assert "liste.xlsx:Mehr!3 (column A): LH-KON-002: duplicate id (first in " in err
    assert "liste.xlsx:KON!3)" in err
    err = _refused(run_cli, tmp_path, source, "--sheet", "KON", "--sheet", "Leer")
    assert "liste.xlsx:Leer: no header row found" in err
    err = _refused(run_cli, tmp_path, source, "--sheet", "Kon")
    assert "has no sheet 'Kon'; its sheets are: 'KON', 'Mehr', 'Leer'" in err


# -- German dates and decimals ----------------------------------------------------------


def test_german_dates_and_decimals(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    source = tmp_path / "liste.csv"
    source.write_bytes(
        "Nr.;Titel;Quelle;Termin;Aufwand;Kapitel-Nr\r\n"
        "LH-KON-001;Größe;31.12.2026;1.1.2027;1.234,5;1.234\r\n".encode("cp1252")
    )
    result, into = _import(run_cli, tmp_path, source)
    assert result.code == 0, result.output
    page = (into / "liste.md").read_text(encoding="utf-8")
    assert ":::{req} Größe" in page and ":source: 2026-12-31" in page
    assert "**Termin:** 2027-01-01" in page and "**Aufwand:** 1234.5" in page
    assert "**Kapitel-Nr:** 1.234" in page  # no comma: may be a chapter, stays
    source.write_text("Nr.;Titel;Quelle\nLH-KON-001;Firmen;31.02.2026\n", encoding="utf-8")
    err = _refused(run_cli, tmp_path, source)
    assert "liste.csv:2:3" in err and "'31.02.2026' is written like a date" in err


# -- .ods -------------------------------------------------------------------------------

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _cell(text: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if not text:
        return f"<table:table-cell{more}/>"
    value = f'<table:table-cell office:value-type="string"{more}>'
    return f"{value}<text:p>{text}</text:p></table:table-cell>"


def _row(*cells: str, repeat: int = 1) -> str:
    more = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{more}>{''.join(cells)}</table:table-row>"


def _ods(path: Path, tables: dict[str, str], *, prolog: str = "", manifest: str = "") -> Path:
    body = "".join(
        f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {_NS}>'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            f'manifest:1.0">{manifest}</manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return path


def test_ods_is_read(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    rows = (
        _row(_cell("Liste"))
        + _row(_cell(""), repeat=3)
        + _row(_cell("Nr."), _cell("Titel"), _cell("Priorität"), _cell("", 1000))
        + _row(_cell("LH-KON-001"), _cell("Firmen &amp; Kontakte"), _cell("Muss"))
        + _row(_cell(""), repeat=1_048_570)  # how LibreOffice ends a sheet: not expanded
    )
    source = _ods(tmp_path / "liste.ods", {"Tabelle1": rows})
    result, into = _import(run_cli, tmp_path, source)
    assert result.code == 0, result.output
    page = (into / "liste.md").read_text(encoding="utf-8")
    assert ":::{req} Firmen & Kontakte\n:id: LH-KON-001\n:priority: must" in page
    grid, _ = read_xlsx(source, "liste.ods", None, lambda g: True)
    assert grid.numbers == [1, 5, 6]  # rows located through the repeated empty rows


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("dtd", "liste.ods[content.xml]:1:63: entity declarations are not allowed"),
        ("rows", "liste.ods:Tabelle1!2: has values beyond row 100,000"),
        ("columns", "liste.ods:Tabelle1!1 (column GS): has values beyond column GR"),
        ("encrypted", "liste.ods: is an encrypted (password-protected) spreadsheet"),
        ("mimetype", "liste.ods: is a ZIP archive but not an OpenDocument spreadsheet"),
        ("not zip", "liste.ods: is not an OpenDocument spreadsheet (.ods): it is not a ZIP"),
    ],
)
def test_bad_ods_is_refused(
    tmp_path: Path, run_cli: Callable[..., CliResult], case: str, message: str
) -> None:
    path = tmp_path / "liste.ods"
    header = _row(_cell("Nr."), _cell("Titel"))
    if case == "dtd":
        _ods(path, {"Tabelle1": header}, prolog='<!DOCTYPE x [<!ENTITY a "b">]>')
    elif case == "rows":
        _ods(path, {"Tabelle1": header + _row(_cell("LH-KON-001"), repeat=200_000)})
    elif case == "columns":
        _ods(path, {"Tabelle1": _row(_cell("Nr."), _cell("x", 200))})
    elif case == "encrypted":
        _ods(path, {"Tabelle1": header}, manifest="<manifest:encryption-data/>")
    elif case == "mimetype":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<x/>")
    else:
        path.write_text("Nr.;Titel\n", encoding="utf-8")
    err = _refused(run_cli, tmp_path, path)
    assert message.replace("liste.ods", str(path)) in err, err


# -- .xls -------------------------------------------------------------------------------


def test_xls_is_read(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    result, into = _import(run_cli, tmp_path, FIXTURES / "anforderungen.xls")
    assert result.code == 0, result.output
    page = (into / "anforderungen.md").read_text(encoding="utf-8")
    assert ":::{req} Größe\n:id: LH-KON-002\n:priority: should" in page
    assert "**Termin:** 2026-12-31" in page


def test_bad_xls_is_refused(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    fake = tmp_path / "alt.xls"
    fake.write_bytes((Path(__file__).parent / "hostile" / "legacy.xls").read_bytes())
    assert "alt.xls: cannot be read as a workbook" in _refused(run_cli, tmp_path, fake)
    text = tmp_path / "text.xls"
    text.write_text("Nr.;Titel\n", encoding="utf-8")
    assert "text.xls: is not an Excel 97-2003 workbook (.xls)" in _refused(run_cli, tmp_path, text)


def test_xls_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from specheft.io.sheets import reading

    monkeypatch.setattr(reading, "MAX_XLS_BYTES", 1000)
    with pytest.raises(UnsafeInputError, match=r"anforderungen\.xls: is too large: 5,632 bytes"):
        read_xlsx(FIXTURES / "anforderungen.xls", str(FIXTURES / "anforderungen.xls"), None, bool)


# -- the one reader ---------------------------------------------------------------------


def test_evidence_reads_through_the_sheet_reader(tmp_path: Path) -> None:
    """Defect lists and manual results: the same CSV sniffing and decoding as the import,
    .ods too, formulas refused at their cell, rows located."""
    csv_path = tmp_path / "defekte.csv"
    csv_path.write_bytes('Nr,Titel\r\nD-1,"Größe, zwei\nZeilen"\r\nD-2,\'=x\r\n'.encode("cp1252"))
    rows = read_table(csv_path, "defekte.csv")
    assert [(r.row, r.cells) for r in rows] == [
        (1, ("Nr", "Titel")),
        (2, ("D-1", "Größe, zwei\nZeilen")),
        (4, ("D-2", "=x")),  # the export's guard undone, as in 'import csv'
    ]
    assert str(rows[1].location) == "defekte.csv:2"
    ods = _ods(tmp_path / "defekte.ods", {"Fehler": _row(_cell("Nr")) + _row(_cell("D-1"))})
    rows = read_table(ods, "defekte.ods")
    assert [str(r.location) for r in rows] == ["defekte.ods:Fehler!1", "defekte.ods:Fehler!2"]
    formula = (
        '<table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2">'
        "<text:p>2</text:p></table:table-cell>"
    )
    bad = _ods(tmp_path / "formel.ods", {"F": _row(_cell("Nr")) + _row(_cell("D-1"), formula)})
    with pytest.raises(InputError, match=r"formel\.ods:F!2 \(column B\): a formula \(of:=1\+1\)"):
        read_table(bad, "formel.ods")
    grid, _ = read_xlsx(bad, "formel.ods", None, bool)  # the import takes cached values
    assert grid.rows[1] == ["D-1", "2"]


def test_csv_bom_that_lies_and_neither_encoding(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfNr;Titel\nD-1;\xff\xfe\n")
    with pytest.raises(InputError, match=r"x\.csv:2: starts with a UTF-8 byte order mark"):
        read_csv(path, "x.csv")
    path.write_bytes(b"Nr;Titel\nD-1;\x81\n")  # 0x81 is no cp1252 character either
    with pytest.raises(InputError, match=r"x\.csv:2: is neither UTF-8 nor Windows-1252"):
        read_csv(path, "x.csv")


def test_no_cross_module_underscore_import_of_the_package() -> None:
    source = (Path(__file__).parent.parent / "extensions/specheft/io/sheets/reading.py").read_text()
    assert "_Package" not in source and "import (\n" in source


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ('<x:c r="B1"><x:f>A1*2</x:f></x:c>', "(column B): a formula without a stored value"),
        ('<x:c r="C1" t="e"><x:v>#N/A</x:v></x:c>', "(column C): an error value (#N/A)"),
        ('<x:c r="B1" t="str"><x:f>"x"</x:f><x:v>x</x:v></x:c>', '(column B): a formula (="x")'),
    ],
)
def test_formula_and_error_cells_found_with_a_namespace_prefix(
    tmp_path: Path, cells: str, message: str
) -> None:
    """The cheap byte search before the marks parse must not miss prefixed elements."""
    from .test_safe_io import MAIN, write_xlsx

    xml = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1">'
        f'<x:c r="A1"><x:v>1</x:v></x:c>{cells}</x:row></x:sheetData></x:worksheet>'
    )
    path = write_xlsx(tmp_path / "p.xlsx", {"T": xml.encode()})
    policy = "cached" if "stored value" in message else "refuse"
    with pytest.raises(InputError) as info:
        read_xlsx(path, "p.xlsx", None, bool, formulas=policy)  # type: ignore[arg-type]
    assert str(info.value).startswith(f"p.xlsx:T!1 {message}"), str(info.value)


def test_a_later_sheet_is_checked_before_it_is_parsed(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """The first sheet has no header row, so the import looks at the second: its cell
    at XFD1048576 behind a lying <dimension> is refused, located, before calamine
    would allocate every cell up to there."""
    from .test_safe_io import sheet, write_xlsx

    far = '<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>'
    far += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = write_xlsx(
        tmp_path / "weit.xlsx",
        {
            "Hinweis": sheet('<row r="1"><c r="A1"><v>1</v></c></row>'),
            "Weit": sheet(far, dimension="A1"),
        },
    )
    err = _refused(run_cli, tmp_path, path)
    assert "weit.xlsx:Weit!1048576" in err and "beyond" in err, err
