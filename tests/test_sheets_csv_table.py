"""``export csv`` makes only the table it writes (#16 speed): no cover and so no
fingerprints, no other sheet, no workbook. Seen from outside: what only another table
holds can no longer stop it, while the export that does hold it still refuses."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import CliResult
from .helpers import MiniProject, item


def test_csv_is_not_stopped_by_an_item_of_another_table(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    page = "# K\n\n" + item("req", "Anforderung", "Text.", id="LH-KON-001", priority="must")
    page += item("excl", "Abgrenzung", "Kein \x07 ERP.", id="AB-KON-001")
    mini = make_project({"k.md": page})
    for kind in ("requirements", "coverage"):
        out = mini.root / f"{kind}.csv"
        result = run_cli("export", "csv", mini.root, "--kind", kind, "--out", out)
        assert result.code == 0, result.output  # the old code refused: it made every table
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == 2 and lines[1].startswith("LH-KON-001;Anforderung;")
    # the table holding the item, and the workbook holding every table, refuse it
    for args in (("csv", "--kind", "exclusions"), ("xlsx",)):
        out = mini.root / f"x.{args[0]}"
        result = run_cli("export", *args, mini.root, "--out", out)
        assert result.code == 2, result.output
        assert "AB-KON-001: Text contains the control character U+0007" in result.err
        assert not out.exists()
