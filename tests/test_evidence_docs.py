"""Test evidence in the documents: items, matrix, summary, {test-results}, the decision,
incremental builds after an import, and fingerprints that runs never change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from specheft.evidence.model import CaseResult, Defect, DefectList, DefectStatus, Outcome, Run
from specheft.evidence.store import load_store, write_entry
from specheft.project.fingerprint import fingerprints
from specheft.project.layout import Project

from .evidence_project import make_evidence_project, runs_dir
from .helpers import MiniProject

REPORT = """\
# Bericht

:::{coverage-summary}
:chart: no
:::

:::{coverage-matrix}
:caption: Matrix
:::

:::{coverage-matrix}
:columns: id, tests
:::

:::{test-results}
:::

:::{acceptance-decision}
:::
"""

DOCUMENTS = """
[documents.lastenheft]
title = "Lastenheft"
start = "anf"
id = "LH"

[documents.bericht]
title = "Abnahmeprotokoll"
start = "bericht"
id = "AP"
signoff_roles = ["Projektauftraggeber"]

[[signoff]]
role = "Projektauftraggeber"
name = "Dr. Olde"
"""


def _run(name: str, date: str, **outcomes: str) -> Run:
    cases = [
        CaseResult(
            name=f"case {key}",
            outcome=Outcome(value),
            tests=[key.replace("_", "-")],
            message="boom" if value == "failed" else "",
        )
        for key, value in outcomes.items()
    ]
    return Run(name, date, "junit", [], f"{date}T00:00:00Z", cases=cases)


FIRST = {
    "TC_SIT_KON_001": "failed",
    "TC_SIT_KON_002": "passed",
    "TC_SIT_KON_003": "blocked",
    "TC_SIT_KON_004": "passed",
}
RETEST = {"TC_SIT_KON_001": "passed", "TC_UAT_KON_001": "passed"}


def _project(root: Path, language: str = "de") -> MiniProject:
    project = make_evidence_project(root, DOCUMENTS)
    if language != "de":
        toml = project.root / "conf" / "specheft.toml"
        toml.write_text(toml.read_text().replace('language = "de"', 'language = "en"'))
    project.write("spec/bericht.md", REPORT)
    project.write("spec/index.md", "# Mini\n\n```{toctree}\nanf\nphasen\nbericht\n```\n")
    return project


def _store(project: MiniProject, entry: Run | DefectList) -> None:
    write_entry(load_store(runs_dir(project)), entry)


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return text.replace(" : ", ": ")  # a field's colon stands in its own element


def _tables(html: str, css: str) -> list[str]:
    return [t for t in re.findall(r"<table.*?</table>", html, flags=re.S) if css in t]


def _row(table_html: str, key: str) -> str:
    rows = re.findall(r"<tr.*?</tr>", table_html, flags=re.S)
    return next(_text(r) for r in rows if key in r)


def test_results_on_items_matrix_summary_and_protocol(tmp_path, run_cli):
    project = _project(tmp_path / "p")
    _store(project, _run("SIT 1", "2027-08-16", **FIRST))
    _store(
        project,
        DefectList(
            "Mängel",
            "2027-08-20",
            [],
            "2027-08-20T00:00:00Z",
            [
                Defect("M-1", 1, DefectStatus.OPEN, ["TC-SIT-KON-001"], "Absturz"),
                Defect("M-2", 3, DefectStatus.OPEN, [], "Tippfehler", fix_date="2027-09-01"),
            ],
        ),
    )
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.err
    anf = _text(project.html("anf"))
    # a test item: its latest result with run and date; a requirement: its tests summed up
    assert "Testergebnis: nicht bestanden – SIT 1, 16.08.2027" in anf
    assert "Testergebnis: bestanden – SIT 1, 16.08.2027" in anf
    assert "Testergebnis: kein Ergebnis" in anf  # TC-UAT-KON-001 is in no run
    assert "nicht bestanden – 1 von 2 Tests bestanden – SIT 1, 16.08.2027" in anf  # LH-KON-001

    html = project.html("bericht")
    matrix = _tables(html, "specheft-matrix")
    assert "Testergebnis" in matrix[0] and "Testergebnis" not in matrix[1]  # chosen columns
    assert "nicht bestanden (1/2) · SIT 1, 16.08.2027" in _row(matrix[0], "LH-KON-001")
    assert "blockiert · SIT 1, 16.08.2027" in _row(matrix[0], "LH-KON-003")
    # LH-KON-002: SIT passed, UAT without a result
    assert "kein Ergebnis" not in _row(matrix[0], "LH-KON-002")
    assert "nicht durchgeführt (1/2)" in _row(matrix[0], "LH-KON-002")

    summary = _tables(html, "specheft-summary")
    assert "verifiziert bestanden" in summary[0]
    # no must requirement verified passed (LH-KON-001 failed, LH-KON-002 lacks UAT); the
    # should requirement LH-KON-003 was blocked
    assert re.search(r"Muss 2 .* 0 %", _row(summary[0], "Muss"))
    assert _row(summary[0], "Soll").strip().endswith("0 %")

    runs = _tables(html, "specheft-runs")[0]
    assert re.search(r"SIT 1 16\.08\.2027 JUnit-Bericht\s+4 2 1 1 0", _row(runs, "SIT 1"))
    levels = _text(_tables(html, "specheft-results")[0])
    assert re.search(r"SIT \(Systemintegrationstest\) 4 2 1 1 0 0", levels)
    assert re.search(r"UAT \(Abnahmetest\) 1 0 0 0 0 1", levels)
    classes = _tables(html, "specheft-defect-classes")[0]
    assert "1 M-1" in _row(classes, "1 – betriebsverhindernd")

    text = _text(html)
    assert "No-Go – die Abnahmekriterien sind nicht erfüllt." in text
    reasons = _tables(html, "specheft-decision-reasons")[0]
    assert "Testfall TC-SIT-KON-001: nicht bestanden – SIT 1, 16.08.2027: boom" in _text(reasons)
    assert "M-1 „Absturz“: offen, Klasse 1" in _text(reasons)
    residual = _text(_tables(html, "specheft-defects")[0])
    assert "M-1 1 – betriebsverhindernd Absturz" in residual and "01.09.2027" in residual
    documents = _tables(html, "specheft-decision-documents")[0]
    [fingerprint] = [f for f in fingerprints(Project.at(project.root)) if f.document.doc_id == "LH"]
    assert fingerprint.digest in documents
    assert "Dr. Olde" in _tables(html, "specheft-signoff")[0]


def test_a_go_with_open_defects_is_reserved_and_english_labels(tmp_path, run_cli):
    project = _project(tmp_path / "p", language="en")
    _store(project, _run("SIT 1", "2027-08-16", **{k: "passed" for k in FIRST}))
    _store(project, _run("UAT 1", "2027-08-27", TC_UAT_KON_001="passed"))
    _store(
        project,
        DefectList(
            "Defects",
            "2027-08-28",
            [],
            "2027-08-28T00:00:00Z",
            [Defect("M-2", 3, DefectStatus.OPEN, [], "Typo")],
        ),
    )
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.err
    text = _text(project.html("bericht"))
    assert "Go with reservations" in text and "No-Go" not in text
    assert "verified passed" in text and "Test result" in text
    assert "passed (2/2) · UAT 1, 2027-08-27" in text
    assert "Test result: passed – SIT 1, 2027-08-16" in _text(project.html("anf"))


def test_without_runs_nothing_about_results_is_shown(tmp_path, run_cli):
    project = _project(tmp_path / "p")
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.err
    html = project.html("bericht")
    assert "Testergebnis" not in html and "verifiziert bestanden" not in html
    assert "Es sind noch keine Testläufe importiert" in _text(html)
    assert "Testergebnis" not in project.html("anf")


def test_an_import_rewrites_every_page_showing_results_like_a_fresh_build(tmp_path, run_cli):
    project = _project(tmp_path / "p")
    _store(project, _run("SIT 1", "2027-08-16", **FIRST))
    assert run_cli("build", project.root, "--no-strict").code == 0
    assert "nicht bestanden (1/2)" in _row(
        _tables(project.html("bericht"), "specheft-matrix")[0], "LH-KON-001"
    )
    before = fingerprints(Project.at(project.root))

    _store(project, _run("Retest", "2027-08-30", **RETEST))  # no source changed
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.err
    matrix = _tables(project.html("bericht"), "specheft-matrix")[0]
    assert "bestanden (2/2) · Retest, 30.08.2027" in _row(matrix, "LH-KON-001")
    assert "Testergebnis: bestanden – Retest, 30.08.2027" in _text(project.html("anf"))

    fresh = MiniProject(tmp_path / "fresh")
    shutil.copytree(project.root, fresh.root, ignore=shutil.ignore_patterns("_build"))
    assert run_cli("build", fresh.root, "--no-strict").code == 0
    for page in ("anf", "bericht"):
        assert _text(project.html(page)) == _text(fresh.html(page)), page
    # evidence is not contract content: no fingerprint moved
    assert fingerprints(Project.at(project.root)) == before


def test_a_damaged_run_file_is_reported_at_its_place(tmp_path, run_cli):
    project = _project(tmp_path / "p")
    runs = runs_dir(project)
    runs.mkdir(parents=True)
    (runs / "2027-01-01_x_000000000000.json").write_text('{"specheft": "specheft-run/1",\n')
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0  # the build goes on without results
    assert "spec/testkatalog/runs/2027-01-01_x_000000000000.json:2" in result.err
    assert "test results are not shown: not valid JSON" in result.err
    assert "Traceback" not in result.err


def test_bad_directive_options_are_located(tmp_path, run_cli):
    project = _project(tmp_path / "p")
    project.write(
        "spec/bericht.md",
        "# B\n\n:::{test-results}\n:show: runs, tabelle\n:::\n\n"
        ":::{acceptance-decision}\n:documents: lastenheft, vertrag\n:::\n",
    )
    result = run_cli("build", project.root, "--no-strict")
    assert "bericht.md:4:" in result.err and "'tabelle' is not a section" in result.err
    assert "bericht.md:7:" in result.err and "no document 'vertrag'" in result.err


def test_the_protocol_as_an_english_pdf(tmp_path, run_cli):
    from .pdftext import pdf_text, require_pdf_tools

    require_pdf_tools()
    project = _project(tmp_path / "p", language="en")
    _store(project, _run("SIT 1", "2027-08-16", **FIRST))
    result = run_cli("build", project.root, "--format", "pdf", "--no-strict")
    assert result.code == 0, result.err
    # the contract document reads the same before and after a run: no results on its items
    lastenheft = " ".join(pdf_text(project.root / "_build/pdf/lastenheft.pdf").split())
    assert "LH-KON-001" in lastenheft
    assert "failed" not in lastenheft and "Test result" not in lastenheft
    text = " ".join(pdf_text(project.root / "_build/pdf/bericht.pdf").split())
    assert "No-Go – the acceptance criteria are not met." in text
    assert "test case TC-SIT-KON-001: failed – SIT 1, 2027-08-16: boom" in text
    assert "Residual defects (open)" not in text  # none imported: the sentence instead
    assert "No defect is open." in text
    assert "Projektauftraggeber · Dr. Olde" in text  # the signature line
    # the Lastenheft's fingerprint, split over two lines in its table cell
    [lh] = [f for f in fingerprints(Project.at(project.root)) if f.document.doc_id == "LH"]
    assert lh.digest[:32] in text and lh.digest[32:] in text
