"""``import xlsx|csv`` made faster (#16): the pages, notes, declared fields and errors
are those the importer wrote before (``tests/sheets_fixtures/import_golden.json`` was
written by the importer of commit 58cea6d), on a workbook and a CSV file that use every
feature of the import; and the byte check that spares most worksheets the expat scan
(``specheft.io.safe.xlsx``) vouches only for what that scan would pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from specheft.config.fields import CustomField
from specheft.errors import InputError
from specheft.io.sheets.importer import import_sheet, load_map
from specheft.model import Kind

GOLDEN = Path(__file__).parent / "sheets_fixtures" / "import_golden.json"

_HEADER = [
    "Nr.",
    "Kapitel",
    "Titel",
    "Anforderung",
    "Priorität",
    "Status",
    "Schlagworte",
    "Quelle",
    "Abnahmekriterium",
    "refines",
    "Termin",
    "Kosten",
    "",
    "Bemerkung",
    "Verantwortlich",
]
_PRIORITIES = ["Muss", "Soll", "Kann", "K.o.", "A", "B", "1", "2", "3", "must", "MAY", "m"]
_STATUSES = ["Entwurf", "abgestimmt", "review", "", "Zurückgestellt", "DRAFT"]
_VALUES = [
    "31.12.2026",
    "1.234,5",
    "-3,5",
    "1.2",
    "Ende Q3",
    "#1 Team",
    "a: b",
    "'quoted'",
    "x #y",
    "٣١.١٢.٢٠٢٦",
    "²1,5",
    "",
]


def _rows(count: int) -> list[list[str]]:
    """Item and heading rows below the header (every 7th row a heading)."""
    rows: list[list[str]] = []
    for n in range(count):
        if n % 7 == 0:
            rows.append(["", f"{n // 7 + 1}.{n % 3} Kapitel {n}"])
            continue
        prefix = ("LH-KON", "AB-KON", "LH-VER", "LH-KON")[n % 4]
        text = f"Das System muss Fall {n} abdecken.\r\nZweite Zeile {n}."
        if n % 5 == 0:
            text += "\n:::{note}\nein Block\n:::"
        if n % 11 == 0:
            text += "\n::::: tief"
        title = "" if n % 9 == 0 else f"Titel {n}  mit   Leerraum" + (" #" if n % 6 == 0 else "")
        rows.append(
            [
                f"{prefix}-{n:03d}",
                f"{n // 7 + 1}.{n % 3} Kapitel {n - n % 7}",
                title,
                text,
                _PRIORITIES[n % len(_PRIORITIES)] if not prefix.startswith("AB") else "",
                _STATUSES[n % len(_STATUSES)],
                "crm, vertrieb; neu" if n % 3 == 0 else ("" if n % 3 == 1 else "eins\nzwei"),
                f"Workshop {n % 4}",
                "" if prefix.startswith("AB") else ("Abnahme\nin zwei" if n % 8 == 0 else f"T {n}"),
                f"LH-KON-{n - 1:03d}" if n % 4 == 3 and n > 1 else "",
                _VALUES[n % len(_VALUES)],
                _VALUES[(n + 3) % len(_VALUES)],
                f"ohne Kopf {n}" if n % 10 == 0 else "",
                "Zeile 1\nZeile 2" if n % 6 == 0 else f"Bemerkung {n}",
                _VALUES[(n + 5) % len(_VALUES)],
            ]
        )
    return rows


def build_workbook(path: Path) -> None:
    """Header in row 3 below a title; a chapter column; merged cells; a formula with its
    value; a second sheet of tests with role and reviewed; a view repeating ids."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Anforderungen")
    sheet.write(0, 0, "Lastenheft CRM")
    sheet.write_row(2, 0, _HEADER)
    rows = _rows(60)
    for index, row in enumerate(rows, start=3):
        for column, value in enumerate(row):
            if value:
                sheet.write_string(index, column, value)
    sheet.write_formula(len(rows) + 3, 0, '="LH-KON-9"&"99"', None, "LH-KON-999")
    sheet.write_string(len(rows) + 3, 2, "Formel-Id")
    sheet.merge_range(len(rows) + 4, 1, len(rows) + 4, 3, "Anhang")
    sheet.write_row(len(rows) + 5, 0, ["LH-KON-998", "", "Zusammengeführt", "", "Muss"])
    sheet.merge_range(len(rows) + 5, 4, len(rows) + 7, 4, "Soll")
    sheet.write_row(len(rows) + 6, 0, ["LH-KON-997", "", "Zweite"])
    sheet.write_row(len(rows) + 7, 0, ["LH-KON-996", "", "Dritte"])
    tests = workbook.add_worksheet("Tests")
    tests.write_row(0, 0, ["ID", "Titel", "Beschreibung", "role", "reviewed", "verifies"])
    for n in range(1, 12):
        tests.write_row(
            n,
            0,
            [f"TC-KON-{n:03d}", f"Test {n}", f"Schritt {n}", "Tester", "", f"LH-KON-{n:03d}"],
        )
    tests.write_row(12, 0, ["PH-KON-001", "Lösung", "Ein Pflichtenheft-Punkt"])
    view = workbook.add_worksheet("Sicht")
    view.write_row(0, 0, ["ID", "Titel"])
    view.write_row(1, 0, ["LH-KON-001", "wieder"])
    workbook.close()


def build_csv(path: Path) -> None:
    """The first sheet's rows as German Excel saves CSV (``;``, cp1252)."""
    lines = [";".join(_HEADER)]
    for row in _rows(40):
        cells = ['"' + c.replace('"', '""') + '"' if set(c) & set(';"\n\r') else c for c in row]
        lines.append(";".join(cells))
    path.write_bytes("\r\n".join(lines).encode("cp1252", errors="replace") + b"\r\n")


_SETTINGS = '[project]\nname = "Golden"\n'
_MAP = '[columns]\n"Verantwortlich" = "keep"\n"Termin" = "field:termin"\n'


def run_cases(work: Path) -> dict[str, Any]:
    """Each import of the golden file: pages, notes, specheft.toml after it, or the error."""
    results: dict[str, Any] = {}
    build_workbook(work / "liste.xlsx")
    build_csv(work / "liste.csv")
    (work / "map.toml").write_text(_MAP, encoding="utf-8")
    declared = [CustomField("kosten", "Kosten", (Kind.REQ,))]
    cases: dict[str, dict[str, Any]] = {
        "xlsx": {"file": "liste.xlsx", "fmt": "xlsx"},
        "xlsx-fields": {"file": "liste.xlsx", "fmt": "xlsx", "settings": True},
        "xlsx-map-fields": {"file": "liste.xlsx", "fmt": "xlsx", "settings": True, "map": True},
        "xlsx-sheet": {"file": "liste.xlsx", "fmt": "xlsx", "sheets": ["Tests"]},
        "csv": {"file": "liste.csv", "fmt": "csv"},
        "csv-fields": {"file": "liste.csv", "fmt": "csv", "settings": True, "map": True},
    }
    for name, case in cases.items():
        into = work / f"out-{name}"
        settings = work / f"{name}.toml"
        settings.write_text(_SETTINGS, encoding="utf-8")
        try:
            imported = import_sheet(
                work / case["file"],
                into,
                fmt=case["fmt"],
                sheets=case.get("sheets", ()),
                mapping=load_map(work / "map.toml") if case.get("map") else None,
                settings_file=settings if case.get("settings") else None,
                fields=declared if case.get("settings") else (),
            )
        except InputError as exc:
            results[name] = {"error": str(exc).replace(str(work), "WORK")}
            continue
        results[name] = {
            "items": imported.items,
            "notes": [n.replace(str(work), "WORK") for n in imported.notes],
            "pages": {p.name: p.read_text(encoding="utf-8") for p in imported.files},
            "settings": settings.read_text(encoding="utf-8"),
        }
    return results


def _bad_rows() -> list[list[str]]:
    rows = _rows(30)
    rows[3][4] = "hoch"  # unknown priority
    rows[5][5] = "fertig"  # unknown status
    rows[8][7] = "31.02.2026"  # no date
    rows[1][8] = "Abnahme"  # an exclusion has no acceptance criterion
    rows[9][0] = "kein id"
    rows[10][0] = rows[2][0]  # duplicate
    rows[12][6] = "[[copy('id')]]"  # a dynamic function as a tag
    return rows


def run_error_case(work: Path) -> str:
    path = work / "fehler.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Fehler")
    sheet.write_row(0, 0, _HEADER)
    for index, row in enumerate(_bad_rows(), start=1):
        sheet.write_row(index, 0, row)
    workbook.close()
    try:
        import_sheet(path, work / "out-fehler", fmt="xlsx")
    except InputError as exc:
        return str(exc).replace(str(work), "WORK")
    return "no error"


def test_import_writes_what_it_wrote_before(tmp_path: Path) -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = run_cases(tmp_path)
    got["errors"] = run_error_case(tmp_path)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name


if __name__ == "__main__":  # regenerate: python -m tests.test_import_speed (reviewed by hand)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        results = run_cases(Path(folder))
        results["errors"] = run_error_case(Path(folder))
        shutil.rmtree(folder, ignore_errors=True)
    GOLDEN.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
