"""Tags in the spreadsheet exchange (#16): a ``Tags`` column on every item sheet and in
CSV, read back into ``:tags:`` by ``import xlsx|csv`` (also from a customer's
``Schlagworte`` column); export → import → export keeps them; a tag sphinx-needs cannot
hold is a located row error (exit 2, nothing written)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter  # type: ignore[import-untyped]

from .conftest import CliResult
from .helpers import MiniProject, item

PAGES = {
    "kon.md": "# Kontakte\n\n"
    + item(
        "req",
        "Firmen",
        "Das System muss Firmen erfassen.",
        id="LH-KON-001",
        priority="must",
        area="KON",
        tags="stammdaten, Phase 2, Größe: L",
    )
    + item("req", "Dubletten", "Text.", id="LH-KON-002", priority="should", refines="LH-KON-001"),
    "ab.md": "# AB\n\n" + item("excl", "Kein ERP", "Nicht enthalten.", id="AB-001", tags="erp"),
    "ph.md": "# PH\n\n"
    + item("spec", "Umsetzung", "Standard.", id="PH-KON-001", satisfies="LH-KON-001", tags="std")
    + item(
        "test",
        "Test",
        "Prüfen.",
        id="TC-SIT-001",
        verifies="PH-KON-001",
        level="sit",
        tags="smoke; regression",
    ),
}
#: the item sheets (sheet title, --kind) and the Tags cell of each item
SHEETS = (
    ("Requirements", "requirements"),
    ("Exclusions", "exclusions"),
    ("Pflichtenheft", "specs"),
    ("Tests", "tests"),
)
TAGS = {
    "LH-KON-001": "stammdaten, Phase 2, Größe: L",
    "LH-KON-002": "",
    "AB-001": "erp",
    "PH-KON-001": "std",
    "TC-SIT-001": "smoke, regression",
}


@pytest.fixture
def mini(make_project: Callable[..., MiniProject]) -> MiniProject:
    return make_project(PAGES)


def _rows(path: Path, name: str) -> list[list[str]]:
    """The sheet's rows without the Chapter and Page columns (they name the page)."""
    rows = [[c.value or "" for c in r] for r in openpyxl.load_workbook(path)[name].iter_rows()]
    keep = [i for i, h in enumerate(rows[0]) if h not in ("Chapter", "Page")]
    return [[row[i] for i in keep] for row in rows]


def _tags(path: Path) -> dict[str, str]:
    found = {}
    for name, _ in SHEETS:
        rows = _rows(path, name)
        assert rows[0][:5] == ["ID", "Title", "Text", "Status", "Tags"]
        found.update({row[0]: row[4] for row in rows[1:]})
    return found


def _replace_pages(mini: MiniProject, pages: list[str]) -> None:
    """The items' pages give way to the imported ones."""
    for name in PAGES:
        (mini.spec / name).unlink()
    toctree = "\n".join(["phasen", *pages])
    (mini.spec / "index.md").write_text(f"# Mini\n\n```{{toctree}}\n{toctree}\n```\n")


def test_export_has_a_tags_column_on_every_item_sheet_and_in_csv(
    mini: MiniProject, run_cli: Callable[..., CliResult]
) -> None:
    out = mini.root / "out.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", out)
    assert result.code == 0, result.output
    assert _tags(out) == TAGS  # in the order of :tags:, comma-separated
    assert _rows(out, "Coverage")[0][:4] == ["ID", "Title", "priority", "coverage"]  # no tags
    csv = mini.root / "t.csv"
    assert run_cli("export", "csv", mini.root, "--kind", "tests", "--out", csv).code == 0
    text = csv.read_text(encoding="utf-8-sig")
    assert text.startswith("ID;Title;Text;Status;Tags;")
    assert "TC-SIT-001;Test;Prüfen.;;smoke, regression;" in text


def _export_again_equals(mini: MiniProject, run_cli: Callable[..., CliResult], first: Path) -> None:
    """Export the project again: the same tags and the same rows as ``first``."""
    second = mini.root / "second.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", second)
    assert result.code == 0, result.output
    assert _tags(second) == TAGS
    for name, _ in SHEETS:
        assert _rows(second, name) == _rows(first, name), name


def test_round_trip_xlsx_keeps_tags_of_every_kind(
    mini: MiniProject, run_cli: Callable[..., CliResult]
) -> None:
    first = mini.root / "first.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", first).code == 0
    result = run_cli("import", "xlsx", first, "--into", mini.spec / "imp")
    assert result.code == 0, result.output
    page = (mini.spec / "imp" / "first-requirements.md").read_text(encoding="utf-8")
    assert ":id: LH-KON-001\n:tags: stammdaten, Phase 2, Größe: L\n:priority: must\n" in page
    _replace_pages(mini, [f"imp/first-{kind}" for kind in ("requirements", "exclusions",
                                                           "pflichtenheft", "tests")])  # fmt: skip
    _export_again_equals(mini, run_cli, first)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_round_trip_csv_keeps_tags_of_every_kind(
    mini: MiniProject, run_cli: Callable[..., CliResult], encoding: str
) -> None:
    """Each table as CSV, also re-saved as German Excel does (cp1252, ``;``), imported
    and exported again: the same cells."""
    first = mini.root / "first.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", first).code == 0
    pages = []
    for _, kind in SHEETS:
        path = mini.root / f"{kind}.csv"
        assert run_cli("export", "csv", mini.root, "--kind", kind, "--out", path).code == 0
        path.write_bytes(path.read_bytes().decode("utf-8-sig").encode(encoding))
        if kind == "requirements":  # cp1252: no UTF-8 reader would take these bytes
            cell = ";stammdaten, Phase 2, Größe: L;".encode(encoding.removesuffix("-sig"))
            assert cell in path.read_bytes()
        result = run_cli("import", "csv", path, "--into", mini.spec / f"imp-{kind}")
        assert result.code == 0, result.output
        pages.append(f"imp-{kind}/{kind}")
    _replace_pages(mini, pages)
    _export_again_equals(mini, run_cli, first)


def test_import_customer_schlagworte_column(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """A customer's own list: ``Schlagworte`` with ``;`` and one tag a line (Alt+Enter)."""
    path = tmp_path / "kunde.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Liste")
    sheet.write_row(0, 0, ["Nr.", "Titel", "Schlagworte", "Priorität"])
    sheet.write_row(1, 0, ["LH-A-001", "Suche", "CRM;  Datenschutz\nPhase 2 |", "Muss"])
    sheet.write_row(2, 0, ["LH-A-002", "Export", " , ", "Soll"])  # only separators: none
    workbook.close()
    result = run_cli("import", "xlsx", path, "--into", tmp_path / "out")
    assert result.code == 0, result.output
    page = (tmp_path / "out" / "kunde.md").read_text(encoding="utf-8")
    assert ":id: LH-A-001\n:tags: CRM, Datenschutz, Phase 2\n:priority: must\n" in page
    assert ":id: LH-A-002\n:priority: should\n" in page
    assert "Schlagworte" not in page  # a role, not a kept column


def test_import_tags_column_into_a_project_declares_no_field(
    mini: MiniProject, run_cli: Callable[..., CliResult]
) -> None:
    """Before, a ``Tags`` column became a field of the project's own (declared in
    specheft.toml); now it is sphinx-needs' tags."""
    settings = (mini.conf / "specheft.toml").read_text(encoding="utf-8")
    path = mini.root / "liste.csv"
    path.write_text("ID;Titel;Tags\nLH-B-001;Suche;a, b\n", encoding="utf-8")
    result = run_cli("import", "csv", path, "--project", mini.root)
    assert result.code == 0, result.output
    assert "declared" not in result.output
    assert (mini.conf / "specheft.toml").read_text(encoding="utf-8") == settings
    page = (mini.spec / "import" / "liste.md").read_text(encoding="utf-8")
    assert ":id: LH-B-001\n:tags: a, b\n" in page


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("[[copy('id')]]", "holds '[[', which sphinx-needs reads as a dynamic function"),
        ("<<x>>", "holds '<<', which sphinx-needs reads as a dynamic function or a variant"),
        ("a\x07b", "holds the control character U+0007"),
    ],
)
def test_bad_tag_in_workbook_names_sheet_row_and_item(
    tmp_path: Path, run_cli: Callable[..., CliResult], tag: str, problem: str
) -> None:
    path = tmp_path / "l.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Liste")
    sheet.write_row(0, 0, ["ID", "Titel", "Tags"])
    sheet.write_row(1, 0, ["LH-A-001", "a", "gut"])
    sheet.write_row(2, 0, ["LH-A-002", "b", f"ok, {tag}"])
    workbook.close()
    into = tmp_path / "never"
    result = run_cli("import", "xlsx", path, "--into", into)
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert f"l.xlsx:Liste!3 (column C): LH-A-002: the tag {tag!r} {problem}" in result.err
    assert not into.exists()


def test_bad_tag_in_csv_names_line_and_item(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes(
        "Nr.;Titel;Stichworte\r\nLH-A-001;a;x\r\nLH-A-002;b;<{v}>\r\n".encode("cp1252")
    )
    into = tmp_path / "never"
    result = run_cli("import", "csv", path, "--into", into)
    assert result.code == 2, result.output
    assert "l.csv:3:3: LH-A-002: the tag '<{v}>' holds '<{'" in result.err
    assert not into.exists()
