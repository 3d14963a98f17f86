"""Vendor selection (#16, points 3 and 4): compliance template, import of answers, comparison."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import openpyxl
import pytest

from specheft.tender.config import TenderConfig
from specheft.tender.model import Answer, Asked, Offer, offer_from_json, row_fingerprint
from specheft.tender.scoring import compare

from .conftest import CliResult
from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject, item

PAGE = "# Kontakte\n\n" + "".join(
    [
        item(
            "req",
            '=HYPERLINK("http://evil")',
            "Das System muss Firmen erfassen.",
            id="LH-KON-001",
            priority="must",
            area="KON",
        ),
        item(
            "req",
            "Dubletten",
            "Das System soll Dubletten melden.",
            id="LH-KON-002",
            priority="should",
            area="KON",
        ),
        item(
            "req",
            "Export",
            "Das System kann exportieren.",
            id="LH-VTR-001",
            priority="can",
            area="VTR",
        ),
        item(
            "req",
            "Angebote",
            "Das System muss Angebote erstellen.",
            id="LH-VTR-002",
            priority="must",
            area="VTR",
        ),
    ]
)
IDS = ["LH-KON-001", "LH-KON-002", "LH-VTR-001", "LH-VTR-002"]
VENDOR = "Alpha CRM GmbH"
TENDER = """
[tender]
area_weights = { VTR = 2 }

[tender.points]
standard = 10
configuration = 8
customizing = 5
third-party = 4
roadmap = 2
not-possible = 0
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> MiniProject:
    mini = MiniProject(tmp_path_factory.mktemp("tender") / "proj")
    mini.write("conf/conf.py", CONF_PY)
    mini.write("conf/specheft.toml", SETTINGS.format(language="de") + TENDER)
    mini.write("spec/index.md", "# Mini\n\n```{toctree}\nphasen\nkon\n```\n")
    mini.write("spec/phasen.md", PHASES)
    mini.write("spec/kon.md", PAGE)
    return mini


@pytest.fixture(scope="module")
def template(project: MiniProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from specheft.cli import main

    out = tmp_path_factory.mktemp("out") / "alpha.xlsx"
    assert (
        main(["compliance", "template", "--vendor", VENDOR, "--out", str(out), str(project.root)])
        == 0
    )
    return out


@pytest.fixture
def answers(project: MiniProject) -> Iterator[Path]:
    directory = project.root / "spec/tender/answers"
    shutil.rmtree(directory, ignore_errors=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _fill(
    source: Path,
    target: Path,
    codes: Mapping[str, str | None],
    edit: Callable[..., None] | None = None,
) -> Path:
    """The bidder's work: answers typed into the template (openpyxl keeps everything else)."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["Anforderungen"]
    for row in range(2, sheet.max_row + 1):
        item_id = sheet.cell(row, 1).value
        if item_id in codes:
            sheet.cell(row, 7).value = codes[item_id]
            sheet.cell(row, 8).value = 1.5
            sheet.cell(row, 9).value = f"Kommentar zu {item_id}"
    if edit is not None:
        edit(workbook)
    workbook.save(target)
    return target


ALL_STANDARD = dict.fromkeys(IDS, "standard")


def test_template_protection_validations_and_hidden_sheet(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["Anforderungen", "Anleitung", "specheft"]
    assert workbook["specheft"].sheet_state == "hidden"
    sheet = workbook["Anforderungen"]
    header = [c.value for c in sheet[1]]
    assert header == ["ID", "Kapitel", "Titel", "Anforderung", "Priorität", "Gewicht",
                      "Erfüllung", "Aufwand (PT)", "Kommentar", "Referenz"]  # fmt: skip
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == IDS
    # a title that looks like a formula stays text
    assert sheet["C2"].value == '=HYPERLINK("http://evil")' and sheet["C2"].data_type == "s"
    # weight: priority weight × area factor ([tender] area_weights VTR = 2)
    assert [sheet.cell(r, 6).value for r in range(2, 6)] == [3, 2, 2, 6]
    assert sheet.protection.sheet is True
    # openpyxl: False means "not protected", i.e. the bidder may filter and sort
    assert sheet.protection.autoFilter is False and sheet.protection.sort is False
    assert sheet.auto_filter.ref == "A1:J5"
    for row in range(2, 6):
        assert all(sheet.cell(row, c).protection.locked for c in range(1, 7))
        assert not any(sheet.cell(row, c).protection.locked for c in range(7, 11))
    validations = {v.type: v for v in sheet.data_validations.dataValidation}
    assert validations["list"].formula1 == (
        '"standard,configuration,customizing,third-party,roadmap,not-possible"'
    )
    assert str(validations["list"].sqref) == "G2:G5"
    assert validations["decimal"].operator == "greaterThanOrEqual"
    assert validations["decimal"].formula1 == "0" and str(validations["decimal"].sqref) == "H2:H5"
    meta = {r[0]: r[1] for r in workbook["specheft"].iter_rows(values_only=True) if r[0]}
    assert meta["vendor"] == VENDOR and meta["project"] == "Mini"
    assert meta["format"] == "specheft-compliance/1" and len(meta["baseline"]) == 20
    assert meta["LH-KON-002"] == row_fingerprint(
        "LH-KON-002", "Dubletten", "Das System soll Dubletten melden.", "should"
    )
    assert workbook["specheft"].protection.sheet is True
    assert "Bieter: Alpha CRM GmbH" in [c.value for c in workbook["Anleitung"]["A"]]


def test_import_stores_answers_and_reports_incomplete_offer(
    project: MiniProject, template: Path, answers: Path, tmp_path: Path, run_cli
) -> None:
    filled = _fill(template, tmp_path / "back.xlsx", {**ALL_STANDARD, "LH-VTR-002": None})
    result = run_cli("compliance", "import", filled, "--vendor", "alpha crm gmbh", project.root)
    assert result.code == 0, result.output
    assert "3 of 4 requirements answered" in result.out
    assert "incomplete: 1 must requirement(s) without an answer: LH-VTR-002" in result.err
    stored = answers / "alpha-crm-gmbh.json"
    offer = offer_from_json(stored.read_text(encoding="utf-8"), "x")
    assert offer.vendor == VENDOR and offer.source == "back.xlsx"
    assert [a.id for a in offer.answers] == IDS
    assert offer.by_id()["LH-KON-001"].effort == 1.5
    assert offer.by_id()["LH-VTR-002"].code == ""


def _set(cell: str, value: object, sheet: str = "Anforderungen") -> Callable[..., None]:
    def edit(workbook: openpyxl.Workbook) -> None:
        workbook[sheet][cell] = value

    return edit


def _delete_row(workbook: openpyxl.Workbook) -> None:
    workbook["Anforderungen"].delete_rows(3)


def _duplicate_row(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["Anforderungen"]
    for column in range(1, 11):
        sheet.cell(6, column).value = sheet.cell(3, column).value


@pytest.mark.parametrize(
    ("edit", "vendor", "expected"),
    [
        (_set("G3", "vielleicht"), VENDOR,
         "Anforderungen!3: LH-KON-002: unknown fulfilment code 'vielleicht'; allowed: standard"),
        (_set("H4", -2), VENDOR, "Anforderungen!4: LH-VTR-001: effort -2 must be a number ≥ 0"),
        (_set("H4", "zwei"), VENDOR, "Anforderungen!4: LH-VTR-001: effort 'zwei' is not a number"),
        (_set("A5", "LH-VTR-099"), VENDOR,
         "Anforderungen!5: LH-VTR-099: unknown requirement id: the template did not ask it"),
        (_duplicate_row, VENDOR, "Anforderungen!6: LH-KON-002: a second row for this id (first: "),
        (_delete_row, VENDOR, "Anforderungen: LH-KON-002: the row of this requirement is missing"),
        (_set("D2", "Das System darf Firmen erfassen."), VENDOR,
         "Anforderungen!2: LH-KON-001: locked cell(s) changed (Anforderung)"),
        (_set("E3", "must"), VENDOR,
         "Anforderungen!3: LH-KON-002: locked cell(s) changed (Priorität)"),
        (None, "Beta AG",
         "specheft!3: the workbook was written for the bidder 'Alpha CRM GmbH', not 'Beta AG'"),
        (_set("B5", "zzz", "specheft"), VENDOR, "baseline 'zzz' is not the project's"),
    ],
)  # fmt: skip
def test_import_refuses_bad_rows(
    project: MiniProject,
    template: Path,
    answers: Path,
    tmp_path: Path,
    run_cli: Callable[..., CliResult],
    edit: Callable[..., None] | None,
    vendor: str,
    expected: str,
) -> None:
    filled = _fill(template, tmp_path / "back.xlsx", ALL_STANDARD, edit)
    result = run_cli("compliance", "import", filled, "--vendor", vendor, project.root)
    assert result.code == 2, result.output
    assert f"{filled}:" in result.err and expected in result.err, result.err
    assert "Traceback" not in result.err
    assert not answers.exists()  # nothing written


def test_import_names_every_problem(
    project: MiniProject, template: Path, answers: Path, tmp_path: Path, run_cli
) -> None:
    def two(workbook: openpyxl.Workbook) -> None:
        workbook["Anforderungen"]["G2"] = "nope"
        workbook["Anforderungen"]["H5"] = -1

    filled = _fill(template, tmp_path / "back.xlsx", ALL_STANDARD, two)
    result = run_cli("compliance", "import", filled, "--vendor", VENDOR, project.root)
    assert result.code == 2
    assert "(2 problems, nothing was stored)" in result.err
    assert "also: " in result.err and "Anforderungen!5: LH-VTR-002: effort -1" in result.err


def test_import_refuses_answers_to_a_changed_requirement(
    make_project: Callable[..., MiniProject], tmp_path: Path, run_cli
) -> None:
    mini = make_project({"kon.md": PAGE})
    out = tmp_path / "t.xlsx"
    assert run_cli("compliance", "template", "--vendor", "X", "--out", out, mini.root).code == 0
    filled = _fill(out, tmp_path / "back.xlsx", ALL_STANDARD)
    page = mini.spec / "kon.md"
    page.write_text(page.read_text().replace("soll Dubletten", "muss Dubletten"), encoding="utf-8")
    result = run_cli("compliance", "import", filled, "--vendor", "X", mini.root)
    assert result.code == 2
    assert "Anforderungen!3: LH-KON-002: the requirement changed since the template" in result.err
    assert not (mini.root / "spec/tender").exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", b"ID;Titel\n", "a compliance answer is the .xlsx workbook"),
        ("b.xlsx", b"ID;Titel\nLH-1;x\n", "b.xlsx:"),
    ],
)
def test_import_refuses_files_that_are_no_compliance_workbook(
    project: MiniProject, tmp_path: Path, run_cli, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("compliance", "import", path, "--vendor", VENDOR, project.root)
    assert result.code == 2 and expected in result.err and "Traceback" not in result.err


def test_import_refuses_a_plain_workbook(project: MiniProject, tmp_path: Path, run_cli) -> None:
    path = tmp_path / "plain.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "ID"
    workbook.save(path)
    result = run_cli("compliance", "import", path, "--vendor", VENDOR, project.root)
    assert result.code == 2
    assert "not a compliance workbook of specheft: it has no sheet 'specheft'" in result.err


def test_compare_ranks_and_knocks_out(
    project: MiniProject, template: Path, answers: Path, tmp_path: Path, run_cli
) -> None:
    def as_vendor(name: str) -> Callable[..., None]:
        return _set("B3", name, "specheft")

    offers = {
        VENDOR: {**ALL_STANDARD, "LH-KON-002": "customizing"},
        "Beta AG": ALL_STANDARD,
        "Gamma KG": {**ALL_STANDARD, "LH-VTR-002": "not-possible"},
    }
    for vendor, codes in offers.items():
        edit = None if vendor == VENDOR else as_vendor(vendor)
        filled = _fill(template, tmp_path / f"{vendor}.xlsx", codes, edit)
        result = run_cli("compliance", "import", filled, "--vendor", vendor, project.root)
        assert result.code == 0, result.output
    text = run_cli("compliance", "compare", project.root)
    assert text.code == 0, text.output
    lines = text.out.splitlines()
    assert lines[2].startswith(" 1. Beta AG") and "100.0 %" in lines[2]
    ranked = [line for line in lines if line[:3].strip().rstrip(".").isdigit()]
    assert [line.split(". ", 1)[1].split("  ")[0] for line in ranked] == [
        "Beta AG",
        VENDOR,
        "Gamma KG",
    ]
    assert "knock-out: LH-VTR-002 (must): not-possible" in text.out
    data = json.loads(run_cli("compliance", "compare", project.root, "--format", "json").out)
    alpha = data["bidders"][1]
    # weights 3, 2, 2, 6 (VTR ×2); KON-002 customizing: 5 of 10 points
    assert alpha["points"] == 3 * 10 + 2 * 5 + 2 * 10 + 6 * 10 and alpha["possible"] == 130
    assert alpha["score"] == round(100 * 120 / 130, 1)
    assert alpha["areas"] == {"KON": round(100 * 40 / 50, 1), "VTR": 100.0}
    assert alpha["effort"] == 6.0 and alpha["counts"]["customizing"] == 1
    assert data["bidders"][2]["knockouts"] == [{"id": "LH-VTR-002", "reason": "not-possible"}]
    out = tmp_path / "cmp.xlsx"
    result = run_cli("compliance", "compare", project.root, "--format", "xlsx", "--out", out)
    assert result.code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Vergleich"]
    assert [sheet.cell(r, 2).value for r in range(2, 5)] == ["Beta AG", VENDOR, "Gamma KG"]
    assert sheet["E4"].value == "LH-VTR-002: not-possible"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("[tender]\nknockout = ['nope']\n", "tender.knockout: 'nope' is not a fulfilment code"),
        ("[tender.points]\nstandard = -1\nother = 2\n",
         "tender.points.standard: expected points ≥ 0"),
        ("[tender.weights]\nhigh = 2\n", "tender.weights.high: unknown priority"),
        ("[tender]\nanswer_dir = 'x'\n", "tender.answer_dir: unknown key"),
        ("[tender]\nanswers_dir = '../x'\n", "expected a directory inside the project"),
        ("[tender]\nanswers_dir = 'tender/answers'\n", "expected a directory inside spec/"),
        ("[tender]\nanswers_dir = 'spec'\n", "expected a directory inside spec/"),
    ],
)  # fmt: skip
def test_tender_table_is_validated(
    make_project: Callable[..., MiniProject], run_cli, table: str, expected: str
) -> None:
    mini = make_project({"kon.md": PAGE}, settings=SETTINGS.format(language="de") + table)
    result = run_cli("compliance", "compare", mini.root)
    assert result.code == 2
    assert "specheft.toml:" in result.err and expected in result.err, result.err


# -- the pure core ------------------------------------------------------------------------

ASKED = (
    Asked("R-1", "a", "text a", "must", "KON"),
    Asked("R-2", "b", "text b", "should", "KON"),
)


def _offer(vendor: str, *answers: Answer) -> Offer:
    return Offer(vendor, "P", "", answers=answers)


def test_stale_and_missing_must_answers_knock_out() -> None:
    fp1, fp2 = (a.fingerprint for a in ASKED)
    results = compare(
        ASKED,
        [
            _offer("stale", Answer("R-1", "old", "standard"), Answer("R-2", fp2, "standard")),
            _offer("missing", Answer("R-2", fp2, "standard")),
            _offer("ok", Answer("R-1", fp1, "roadmap"), Answer("R-2", fp2, "standard", 2.5)),
        ],
        TenderConfig(),
    )
    # both knocked out with the same score: by name
    assert [r.vendor for r in results] == ["ok", "missing", "stale"]
    assert results[0].total.score == round(100 * (3 * 2 + 2 * 10) / 50, 1)
    assert results[0].effort == 2.5
    assert results[2].knockouts == [("R-1", "answer to an earlier text")]
    assert results[2].stale == ["R-1"]
    assert results[1].knockouts == [("R-1", "no answer")]
    # an empty row asked against an earlier text is no answer, not an answer to that text
    empty = compare(ASKED, [_offer("e", Answer("R-1", "old", ""))], TenderConfig())[0]
    assert empty.stale == [] and empty.knockouts[0] == ("R-1", "no answer")


def test_answers_file_is_checked(tmp_path: Path) -> None:
    from specheft.errors import InputError

    good = _offer("V", Answer("R-1", "fp", "standard", 1.0)).to_json()
    assert offer_from_json(good, "a.json").answers[0].effort == 1.0
    bad = good.replace('"effort": 1.0', '"effort": -1')
    with pytest.raises(InputError, match="effort -1 is not a number ≥ 0"):
        offer_from_json(bad, "a.json")
    with pytest.raises(InputError, match="not valid JSON"):
        offer_from_json("{", "a.json")


# -- in the documents and in the example --------------------------------------------------

DIRECTIVES = """# Angebote

:::{vendor-comparison}
:::

:::{vendor-answers}
:vendor: alpha crm gmbh
:::
"""


def test_directives_rank_show_answers_and_warn_about_earlier_texts(
    make_project: Callable[..., MiniProject], tmp_path: Path, run_cli
) -> None:
    mini = make_project({"kon.md": PAGE, "angebote.md": DIRECTIVES})
    out = tmp_path / "t.xlsx"
    assert run_cli("compliance", "template", "--vendor", VENDOR, "--out", out, mini.root).code == 0
    codes = {**ALL_STANDARD, "LH-VTR-002": "not-possible"}
    filled = _fill(out, tmp_path / "back.xlsx", codes)
    assert run_cli("compliance", "import", filled, "--vendor", VENDOR, mini.root).code == 0
    result = run_cli("build", mini.root, "--no-strict")
    assert result.code == 0, result.output
    assert "[specheft.vendors]" not in result.err
    html = (mini.root / "_build/html/angebote.html").read_text(encoding="utf-8")
    assert "Rangfolge der Angebote" in html and "LH-VTR-002: nicht möglich" in html
    # the codes in the reader's words; the knocked-out offer has no rank; wide tables scroll
    assert '<th class="head"><p>Drittprodukt</p></th>' in html
    assert re.search(r'<tr class="specheft-knocked-out[^"]*"><td><p>–</p></td>', html)
    assert '<div class="table-wrapper specheft-scroll docutils container">' in html
    assert "Antworten von Alpha CRM GmbH" in html and "Kommentar zu LH-KON-002" in html
    assert "specheft-knocked-out" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="specheft-chart"' in html
    assert 'fill="#c62828"><title>66,7 %</title>' in html  # knocked out: red; German decimals
    # the requirement changes after the offer: the page is written again and warns
    page = mini.spec / "kon.md"
    page.write_text(page.read_text().replace("soll Dubletten", "soll doppelte Firmen"), "utf-8")
    stamp = page.stat().st_mtime + 5  # a newer time than the build's, whatever the clock
    os.utime(page, (stamp, stamp))
    result = run_cli("build", mini.root, "--no-strict")
    assert (
        "angebote.md:3: WARNING: Alpha CRM GmbH: 1 answer(s) to an earlier text of the "
        "requirement (LH-KON-002)" in result.err
    )
    html = (mini.root / "_build/html/angebote.html").read_text(encoding="utf-8")
    assert "Antwort zu früherem Text" in html


def test_an_answers_file_added_rewrites_the_page(
    make_project: Callable[..., MiniProject], tmp_path: Path, run_cli
) -> None:
    mini = make_project({"kon.md": PAGE, "angebote.md": "# A\n\n:::{vendor-comparison}\n:::\n"})
    assert run_cli("build", mini.root, "--no-strict").code == 0
    html = mini.root / "_build/html/angebote.html"
    assert "noch keine Angebote importiert" in html.read_text(encoding="utf-8")
    out = tmp_path / "t.xlsx"
    assert run_cli("compliance", "template", "--vendor", VENDOR, "--out", out, mini.root).code == 0
    filled = _fill(out, tmp_path / "back.xlsx", ALL_STANDARD)
    assert run_cli("compliance", "import", filled, "--vendor", VENDOR, mini.root).code == 0
    assert run_cli("build", mini.root, "--no-strict").code == 0  # incremental: no source changed
    assert "Alpha CRM GmbH" in html.read_text(encoding="utf-8")


def test_example_offers_rank_kontaktwerk_first_and_knock_out_nexaris(
    tmp_path: Path, run_cli
) -> None:
    from .helpers import REPO

    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, tmp_path / part)
    result = run_cli("compliance", "compare", tmp_path, "--format", "json")
    assert result.code == 0, result.output
    bidders = json.loads(result.out)["bidders"]
    assert [b["vendor"] for b in bidders] == [
        "Kontaktwerk Software GmbH",
        "CRMpunkt Solutions AG",
        "Nexaris Digital GmbH",
    ]
    assert [b["knocked_out"] for b in bidders] == [False, False, True]
    assert bidders[2]["knockouts"] == [{"id": "LH-DSG-002", "reason": "not-possible"}]
    # every answer is to the current text (else: python -m tests.tender_example)
    assert all(not b["stale"] and not b["missing"] for b in bidders)


def _bomb(path: Path) -> Path:
    from .test_safe_io import write_xlsx

    return write_xlsx(path, {"specheft": (b" " * 2**20 for _ in range(20))}, level=9)


def _entities(path: Path) -> Path:
    from .test_safe_io import write_xlsx

    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData/></worksheet>"
    )
    return write_xlsx(path, {"specheft": sheet})


HOSTILE = Path(__file__).parent / "hostile"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: shutil.copy(HOSTILE / "encrypted.xlsx", p), "encrypted"),
        (lambda p: shutil.copy(HOSTILE / "garbage.xlsx", p), "not an Excel workbook"),
        (_bomb, "ZIP bomb"),
        (_entities, "DTD"),
    ],
    ids=["encrypted", "garbage", "zip bomb", "entities"],
)
def test_import_refuses_hostile_workbooks(
    project: MiniProject,
    answers: Path,
    tmp_path: Path,
    run_cli,
    make: Callable[[Path], object],
    expected: str,
) -> None:
    path = tmp_path / "angebot.xlsx"
    make(path)
    result = run_cli("compliance", "import", path, "--vendor", VENDOR, project.root)
    assert result.code == 2 and f"{path}" in result.err, result.output
    assert expected in result.err and "Traceback" not in result.err
    assert not answers.exists()
