"""Export → import → export keeps the test sheet's ``role`` and the Pflichtenheft
sheet's ``reviewed`` (they came back as ``**role:** …`` text lines); a customer's own
"Role"/"Reviewed" column of a requirements list stays its own column, as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from .conftest import CliResult
from .helpers import MiniProject, item

PAGES = {
    "kon.md": "# K\n\n" + item("req", "Firmen", "Text.", id="LH-KON-001", priority="must"),
    "ph.md": "# PH\n\n"
    + item(
        "spec",
        "Umsetzung",
        "Standard.",
        id="PH-KON-001",
        satisfies="LH-KON-001",
        reviewed="LH-KON-001@abcdef",
    )
    + item(
        "test",
        "Abnahme",
        "Prüfen.",
        id="TC-UAT-001",
        verifies="LH-KON-001",
        level="uat",
        role="Key-User Vertrieb",
    ),
}


def _rows(path: Path, name: str) -> list[list[str]]:
    rows = [[c.value or "" for c in r] for r in openpyxl.load_workbook(path)[name].iter_rows()]
    keep = [i for i, h in enumerate(rows[0]) if h not in ("Chapter", "Page")]
    return [[row[i] for i in keep] for row in rows]


def test_round_trip_keeps_role_and_reviewed(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    mini = make_project(PAGES)
    first = mini.root / "first.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", first)
    assert result.code == 0, result.output
    result = run_cli("import", "xlsx", first, "--into", mini.spec / "imp")
    assert result.code == 0, result.output
    tests = (mini.spec / "imp" / "first-tests.md").read_text(encoding="utf-8")
    assert ":role: Key-User Vertrieb\n" in tests and "**role:**" not in tests
    specs = (mini.spec / "imp" / "first-pflichtenheft.md").read_text(encoding="utf-8")
    assert ":reviewed: LH-KON-001@abcdef\n" in specs and "**reviewed:**" not in specs
    for name in PAGES:
        (mini.spec / name).unlink()
    pages = "\n".join(f"imp/first-{k}" for k in ("requirements", "pflichtenheft", "tests"))
    (mini.spec / "index.md").write_text(f"# Mini\n\n```{{toctree}}\nphasen\n{pages}\n```\n")
    second = mini.root / "second.xlsx"
    result = run_cli("export", "xlsx", mini.root, "--out", second)
    assert result.code == 0, result.output
    for sheet in ("Requirements", "Pflichtenheft", "Tests"):
        assert _rows(second, sheet) == _rows(first, sheet), sheet


@pytest.mark.parametrize("header", ["Role", "Reviewed"])
def test_customer_role_or_reviewed_column_of_requirements_stays_theirs(
    tmp_path: Path, run_cli: Callable[..., CliResult], header: str
) -> None:
    path = tmp_path / "liste.csv"
    path.write_text(f"ID;Titel;{header}\nLH-A-001;Suche;Vertrieb\n", encoding="utf-8")
    result = run_cli("import", "csv", path, "--into", tmp_path / "out")
    assert result.code == 0, result.output  # was no "a req item has no field" error
    page = (tmp_path / "out" / "liste.md").read_text(encoding="utf-8")
    assert f"**{header}:** Vertrieb" in page


def test_map_naming_role_for_requirements_is_a_row_error(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """What --map names is taken as named: role on a requirement is refused at its cell."""
    path = tmp_path / "liste.csv"
    path.write_text("ID;Titel;Rolle\nLH-A-001;Suche;Vertrieb\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"Rolle" = "role"\n', encoding="utf-8")
    result = run_cli("import", "csv", path, "--map", mapping, "--into", tmp_path / "out")
    assert result.code == 2, result.output
    assert "liste.csv:2:3: LH-A-001: a req item has no field 'role'" in result.err
