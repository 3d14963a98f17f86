"""``export xlsx`` made cheaper after an edit (#16 speed) without changing what it writes:
the whitespace folding of the fingerprint, the table range widened after XlsxWriter, and
the workbook written from plain dicts of the items."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from specheft.io.sheets.export import Export, xlsx_bytes
from specheft.io.sheets.tables import Table
from specheft.trace.fingerprint import normalize

from .conftest import CliResult
from .helpers import MiniProject, item


def test_fingerprint_folds_whitespace_as_the_regex_did() -> None:
    """``" ".join(s.split())`` replaced ``re.sub(r"\\s+", " ", s).strip()`` in
    ``normalize``: the same text for every character, so no signed digest changes."""
    space = re.compile(r"\s")
    differ = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if bool(space.fullmatch(chr(code))) != chr(code).isspace()
    ]
    assert differ == []
    samples = ["a\u00a0 b\u2028c\x1c", " \tx\n\ny \u3000", "\u200bz\u0085", "", " "]
    for text in samples:
        folded = normalize({"id": "X", "type": "req", "title": text}).get("title", "")
        assert folded == re.sub(r"\s+", " ", text).strip()


def _table(rows: int) -> Table:
    table = Table("requirements", "Requirements", ["ID", "Title", "Text"])
    for n in range(rows):
        table.rows.append([f"LH-A-{n:03d}", f" t{n}", "x &<> y\n"])
        table.ids.append(f"LH-A-{n:03d}")
        table.docnames.append("a")
    return table


@pytest.mark.parametrize("rows", [0, 1, 2, 7])
def test_table_range_covers_every_row(tmp_path: Path, rows: int) -> None:
    """The table is made over one row and widened afterwards (XlsxWriter checks every
    cell of a range): the range is the header and every row, as XlsxWriter made it."""
    export = Export([_table(rows)], [("Project", "P")])
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes(export))
    sheet = openpyxl.load_workbook(path)["Requirements"]
    table = sheet.tables["T_requirements"]
    last = max(rows, 1) + 1
    assert (table.ref, table.autoFilter.ref) == (f"A1:C{last}", f"A1:C{last}")
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert cells == [[f"LH-A-{n:03d}", f" t{n}", "x &<> y\n"] for n in range(rows)]
    # the same range XlsxWriter writes itself (a sheet it writes whole: an id link)
    export.url = "https://x.example/"
    path.write_bytes(xlsx_bytes(export))
    assert openpyxl.load_workbook(path)["Requirements"].tables["T_requirements"].ref == (
        f"A1:C{last}"
    )


def test_export_of_needs_is_the_export_of_their_plain_fields(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., CliResult]
) -> None:
    """The export reads the items as plain dicts: the same cells as before (the cover's
    fingerprints against `specheft fingerprint`: tests/test_sheets_more2.py)."""
    page = "# K\n\n" + item(
        "req", "T  eins", "Text\n\n mit  Zeilen.", id="LH-KON-001", priority="must", tags="a, b"
    )
    mini = make_project({"k.md": page})
    out = mini.root / "a.xlsx"
    assert run_cli("export", "xlsx", mini.root, "--out", out).code == 0
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(out)["Requirements"].iter_rows()]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["ID"], row["Title"], row["Tags"]) == ("LH-KON-001", "T  eins", "a, b")
    assert (row["Text"], row["priority"], row["Page"]) == ("Text\n\n mit  Zeilen.", "must", "k")
