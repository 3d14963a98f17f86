"""``specheft accept`` and defect lists: the Go/No-Go criteria, every reason, bad input."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from specheft.errors import InputError, UsageError
from specheft.evidence.acceptance import decide
from specheft.evidence.config import AcceptanceConfig
from specheft.evidence.defects import read_defects
from specheft.evidence.model import CaseResult, Defect, DefectList, DefectStatus, Outcome, Run
from specheft.evidence.store import Store
from specheft.trace.graph import Item, TraceGraph

from .evidence_project import make_evidence_project, reset, runs_dir


def _graph() -> TraceGraph:
    def req(i: str, priority: str, phase: str, status: str | None = None) -> Item:
        return Item(
            i,
            "req",
            i,
            status=status,
            path="spec/anf.md",
            line=int(i[-1]),
            links={"phase": (phase,)},
            fields={"priority": priority},
        )

    def test(i: str, verifies: str) -> Item:
        return Item(i, "test", i, links={"verifies": (verifies,)}, fields={"level": "sit"})

    return TraceGraph(
        [
            Item("PHASE-IMPL", "phase", "Impl"),
            Item("PHASE-KONZEPT", "phase", "Konzept"),
            req("LH-KON-001", "must", "PHASE-IMPL"),
            req("LH-KON-002", "must", "PHASE-KONZEPT"),
            req("LH-KON-003", "should", "PHASE-IMPL"),
            req("LH-KON-004", "must", "PHASE-IMPL", status="obsolete"),
            Item("PH-KON-001", "spec", "s", links={"satisfies": ("LH-KON-001",)}),
            test("TC-SIT-001", "PH-KON-001"),  # via the spec
            test("TC-SIT-002", "LH-KON-001"),
            test("TC-SIT-003", "LH-KON-002"),
            test("TC-SIT-004", "LH-KON-003"),
            test("TC-SIT-005", "LH-KON-004"),
        ]
    )


def _run(name: str, date: str, **outcomes: str) -> Run:
    """``_run("r", "2027-01-01", TC_SIT_001="passed", …)``; ``flaky`` marks a flaky pass."""
    cases = []
    for key, value in outcomes.items():
        test = key.replace("_", "-")
        cases.append(
            CaseResult(
                name=f"case {test}",
                outcome=Outcome(value.removesuffix("+flaky")),
                flaky=value.endswith("+flaky"),
                tests=[test],
                message="boom" if value == "failed" else "",
            )
        )
    return Run(name, date, "junit", [], f"{date}T00:00:00Z", cases=cases)


ALL_PASSED = {"TC_SIT_001": "passed", "TC_SIT_002": "passed", "TC_SIT_003": "passed"}


def _defects(*defects: Defect) -> DefectList:
    return DefectList("d", "2027-01-01", [], "2027-01-01T00:00:00Z", list(defects))


def _decide(runs=(), defects=(), **config):  # type: ignore[no-untyped-def]
    store = Store(Path("."), list(runs), list(defects))
    return decide(_graph(), store, AcceptanceConfig(**config))


def test_all_must_tests_passed_and_no_defects_is_go():
    decision = _decide([_run("SIT", "2027-08-10", **ALL_PASSED)])
    assert decision.go, decision.reasons
    assert decision.requirements == {"must": 2}
    assert decision.requirements_passed == {"must": 2}
    assert decision.tests == {"passed": 3}


def test_a_failed_must_test_is_no_go_naming_requirement_test_and_run():
    decision = _decide([_run("SIT", "2027-08-10", **{**ALL_PASSED, "TC_SIT_001": "failed"})])
    assert not decision.go
    [reason] = decision.reasons
    assert (reason.requirement, reason.test, reason.run) == ("LH-KON-001", "TC-SIT-001", "SIT")
    assert str(reason) == (
        "spec/anf.md:1: must requirement LH-KON-001: test TC-SIT-001 failed in run 'SIT' "
        "(2027-08-10): boom"
    )


@pytest.mark.parametrize("outcome", ["skipped", "disabled", "not-run", "blocked", "error"])
def test_anything_but_passed_is_not_passed(outcome):
    decision = _decide([_run("SIT", "2027-08-10", **{**ALL_PASSED, "TC_SIT_003": outcome})])
    assert [r.test for r in decision.reasons] == ["TC-SIT-003"]


def test_a_test_without_any_result_is_a_reason():
    decision = _decide([_run("SIT", "2027-08-10", TC_SIT_001="passed", TC_SIT_003="passed")])
    assert [str(r).split(": ", 1)[1] for r in decision.reasons] == [
        "must requirement LH-KON-001: test TC-SIT-002 has no result in any imported run"
    ]
    assert decision.tests == {"no result": 1, "passed": 2}


def test_the_latest_run_counts_and_older_failures_do_not():
    failed = _run("SIT 1", "2027-08-10", **{**ALL_PASSED, "TC_SIT_002": "failed"})
    fixed = _run("SIT 2", "2027-08-20", TC_SIT_002="passed")
    assert _decide([failed, fixed]).go
    # a later run that breaks it again counts too
    broken = _run("SIT 3", "2027-08-30", TC_SIT_002="failed")
    assert [r.run for r in _decide([failed, fixed, broken]).reasons] == ["SIT 3"]


def test_flaky_counts_as_configured():
    runs = [_run("SIT", "2027-08-10", **{**ALL_PASSED, "TC_SIT_002": "passed+flaky"})]
    assert _decide(runs).go
    decision = _decide(runs, flaky="failed")
    [reason] = decision.reasons
    assert "only on a rerun (flaky" in reason.message


def test_should_requirements_count_only_when_configured():
    runs = [_run("SIT", "2027-08-10", **ALL_PASSED, TC_SIT_004="failed")]
    assert _decide(runs).go
    decision = _decide(runs, should_tests_passed=True)
    assert [r.requirement for r in decision.reasons] == ["LH-KON-003"]


def test_a_must_requirement_without_tests_is_a_reason_unless_turned_off():
    graph = _graph()
    graph.items["TC-SIT-003"].links = {}  # LH-KON-002 loses its only test
    graph = TraceGraph(graph.items.values())
    store = Store(Path("."), [_run("SIT", "2027-08-10", **ALL_PASSED)])
    [reason] = decide(graph, store).reasons
    assert "LH-KON-002: no test case verifies it" in reason.message
    assert decide(graph, store, AcceptanceConfig(require_tests=False)).go


def test_direct_verifies_evidence_counts():
    graph = _graph()
    graph.items["TC-SIT-003"].links = {}
    graph = TraceGraph(graph.items.values())
    run = _run("SIT", "2027-08-10", **ALL_PASSED)
    run.cases.append(CaseResult("direct", outcome=Outcome.FAILED, verifies=["LH-KON-002"]))
    [reason] = decide(graph, Store(Path("."), [run])).reasons
    assert "LH-KON-002 is verified directly by direct: failed" in reason.message
    run.cases[-1].outcome = Outcome.PASSED
    assert decide(graph, Store(Path("."), [run])).go


def test_phase_restricts_the_requirements():
    store = Store(Path("."), [_run("SIT", "2027-08-10", TC_SIT_001="passed", TC_SIT_002="passed")])
    graph = _graph()
    assert not decide(graph, store).go  # LH-KON-002 (PHASE-KONZEPT) has no result
    decision = decide(graph, store, phase="PHASE-IMPL")
    assert decision.go and decision.requirements == {"must": 1}
    with pytest.raises(UsageError, match="no such phase") as info:
        decide(graph, store, phase="PHASE-IMLP")
    assert info.value.hint == "did you mean 'PHASE-IMPL'?"


def _defect(i: str, n: int, status: str = "open", **kw: str) -> Defect:
    return Defect(i, n, DefectStatus(status), **kw)  # type: ignore[arg-type]


def test_defect_criteria():
    runs = [_run("SIT", "2027-08-10", **ALL_PASSED)]
    # class 1 open: No-Go; fixed or verified: Go
    decision = _decide(runs, [_defects(_defect("M-1", 1, tests=["TC-SIT-001"]))])  # type: ignore[arg-type]
    [reason] = decision.reasons
    assert (reason.defect, reason.test) == ("M-1", "TC-SIT-001")
    assert _decide(runs, [_defects(_defect("M-1", 1, "fixed"))]).go
    # a later list closes it
    later = _defects(_defect("M-1", 1, "verified"))
    later.date = "2027-02-01"
    assert _decide(runs, [_defects(_defect("M-1", 1)), later]).go
    # class 2: with workaround and fix date, at most 5
    good = [_defect(f"M-{i}", 2, workaround="manuell", fix_date="2027-09-01") for i in range(5)]
    decision = _decide(runs, [_defects(*good, _defect("M-9", 3))])
    assert decision.go and [d.id for d in decision.residual] == [*(d.id for d in good), "M-9"]
    six = [*good, _defect("M-5", 2, workaround="x", fix_date="2027-09-01")]
    [reason] = _decide(runs, [_defects(*six)]).reasons
    assert reason.criterion == "class-2-limit" and "6 open class-2 defects" in reason.message
    [reason] = _decide(runs, [_defects(_defect("M-7", 2, fix_date="2027-09-01"))]).reasons
    assert reason.message == "defect M-7: open class-2 defect without a workaround"


def test_junit_format_fails_one_case_per_reason_and_the_decision():
    from specheft.io.evidence.junit import render

    runs = [_run("SIT", "2027-08-10", **{**ALL_PASSED, "TC_SIT_001": "failed"})]
    root = ET.fromstring(render(_decide(runs, [_defects(_defect("M-1", 1))])))
    failed = {
        (suite.get("name"), case.get("name"))
        for suite in root
        for case in suite
        if case.find("failure") is not None
    }
    assert failed == {
        ("tests-passed", "LH-KON-001"),
        ("class-1", "M-1"),
        ("decision", "decision"),
    }
    assert root.get("failures") == "3"
    root = ET.fromstring(render(_decide([_run("SIT", "2027-08-10", **ALL_PASSED)])))
    assert root.get("failures") == "0"


# --- defect lists ---------------------------------------------------------------------------

GERMAN = (
    "Fehler-Nr.;Fehlerklasse;Status;Testfall;Kurzbeschreibung;Umgehung;Behebungstermin\n"
    "M-001;1;offen;TC-SIT-KON-002;Dubletten verlieren Kontakte;;\n"
    "M-002;Klasse 2;offen;TC-SIT-KON-004, TC-UAT-KON-001;ERP-Import;Manueller Import;15.09.2027\n"
    "M-003;leichter Mangel;behoben;;Tippfehler in „Straße“;;\n"
)


def test_german_excel_csv_cp1252_semicolons(tmp_path):
    path = tmp_path / "maengel.csv"
    path.write_bytes(GERMAN.replace("\n", "\r\n").encode("cp1252"))
    defects = read_defects(path)
    assert [(d.id, d.defect_class, d.status, d.line) for d in defects] == [
        ("M-001", 1, "open", 2),
        ("M-002", 2, "open", 3),
        ("M-003", 3, "fixed", 4),
    ]
    assert defects[1].tests == ["TC-SIT-KON-004", "TC-UAT-KON-001"]
    assert defects[1].fix_date == "2027-09-15"
    assert defects[2].title == "Tippfehler in „Straße“"


def test_english_csv_utf8_bom_commas(tmp_path):
    path = tmp_path / "defects.csv"
    path.write_bytes(
        b"\xef\xbb\xbfID,Class,Status,Tests,Workaround,Fix date\r\n"
        b'D-1,2,open,"TC-SIT-KON-001;TC-SIT-KON-002",Use the old form,2027-09-01\r\n'
    )
    [defect] = read_defects(path)
    assert (defect.id, defect.workaround, defect.tests) == (
        "D-1",
        "Use the old form",
        ["TC-SIT-KON-001", "TC-SIT-KON-002"],
    )


@pytest.mark.parametrize(
    ("text", "location", "message"),
    [
        ("Nr;Titel\nM-1;x\n", ":1", "missing column(s) Fehlerklasse / Class, Status"),
        ("ID;Klasse;Status\nM-1;4;offen\n", ":2", "unknown defect class '4'"),
        ("ID;Klasse;Status\nM-1;1;erledigt?\n", ":2", "unknown defect status 'erledigt?'"),
        ("ID;Klasse;Status;Termin\nM-1;1;offen;bald\n", ":2", "fix date 'bald' is not a date"),
        ("ID;Klasse;Status\nM-1;1;offen\nM-1;2;offen\n", ":3", "listed twice (first at m.csv:2)"),
        ("ID;Klasse;Status\n;1;offen\n", ":2", "the defect has no id"),
        ("", "", "is empty"),
    ],
)
def test_bad_defect_lists(tmp_path, text, location, message):
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_defects(path, name="m.csv")
    assert str(info.value).startswith(f"m.csv{location}:"), str(info.value)
    assert message in str(info.value)
    if "missing" in message:
        assert "fehlerklasse" in (info.value.hint or "")  # the accepted headers are listed


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_evidence_project(tmp_path_factory.mktemp("accept") / "proj")


@pytest.fixture
def clean(project):
    reset(project)
    yield project
    reset(project)


def _junit(path: Path, **outcomes: str) -> Path:
    cases = "".join(
        f'<testcase classname="sit" name="{test}">'
        + {"passed": "", "failed": '<failure message="kaputt"/>', "skipped": "<skipped/>"}[o]
        + "</testcase>\n"
        for test, o in outcomes.items()
    )
    path.write_text(
        f'<testsuite name="sit" timestamp="{path.stem}T10:00:00">\n{cases}</testsuite>\n'
    )
    return path


def test_accept_no_go_then_go_after_a_follow_up_run(clean, run_cli, tmp_path):
    root = clean.root
    first = _junit(
        tmp_path / "2027-08-10.xml",
        **{
            "TC-SIT-KON-001": "passed",
            "TC-SIT-KON-002": "failed",
            "TC-SIT-KON-004": "passed",
            "TC-UAT-KON-001": "skipped",
        },
    )
    assert run_cli("results", "import", "junit", first, "--project", root).code == 0
    defects = tmp_path / "maengel.csv"
    defects.write_bytes(GERMAN.encode("cp1252"))
    imported = run_cli("results", "import", "defects", defects, "--project", root)
    assert imported.code == 0, imported.output
    assert "3 defects, open: class 1: 1, class 2: 1" in imported.out

    result = run_cli("accept", root)
    assert result.code == 1, result.output
    assert result.out.startswith("No-Go\n3 reason(s):\n")
    assert (
        "spec/anf.md:3: must requirement LH-KON-001: test TC-SIT-KON-002 failed in run"
        in result.out
    )
    assert "must requirement LH-KON-002: test TC-UAT-KON-001 was skipped in run" in result.out
    assert (
        "maengel.csv:2: defect M-001 'Dubletten verlieren Kontakte': open class-1 defect"
        in result.out
    )

    junit = ET.fromstring(run_cli("accept", root, "--format", "junit").out)
    assert junit.get("failures") == "4"  # 3 reasons and the decision
    data = json.loads(run_cli("accept", root, "--format", "json").out)
    assert data["decision"] == "no-go"
    assert {r.get("defect") for r in data["reasons"]} == {None, "M-001"}

    # the follow-up run and the updated defect list turn it into Go (with reservations)
    second = _junit(
        tmp_path / "2027-08-20.xml", **{"TC-SIT-KON-002": "passed", "TC-UAT-KON-001": "passed"}
    )
    assert run_cli("results", "import", "junit", second, "--project", root).code == 0
    fixed = tmp_path / "maengel-2.csv"
    fixed.write_bytes(GERMAN.replace("M-001;1;offen", "M-001;1;behoben").encode("cp1252"))
    assert (
        run_cli(
            "results", "import", "defects", fixed, "--project", root, "--date", "2027-08-21"
        ).code
        == 0
    )
    result = run_cli("accept", root)
    assert result.code == 0, result.output
    assert result.out.startswith("Go (with reservations: open defects remain)\n")
    assert "M-002 class 2 (betriebsbehindernd), fix by 2027-09-15" in result.out
    # a phase of its own: the should requirement LH-KON-003 is the only one in PHASE-KONZEPT
    assert run_cli("accept", root, "--phase", "PHASE-KONZEPT").code == 0
    result = run_cli("accept", root, "--phase", "PHASE-TSET")
    assert result.code == 2 and "did you mean 'PHASE-TEST'?" in result.err


def test_unknown_test_in_defect_list_exits_2_and_writes_nothing(clean, run_cli, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("ID;Klasse;Status;Tests\nM-1;1;offen;TC-SIT-KON-02\n", encoding="utf-8")
    result = run_cli("results", "import", "defects", path, "--project", clean.root)
    assert result.code == 2
    assert f"{path}:2: M-1: unknown test id 'TC-SIT-KON-02'" in result.err
    assert not runs_dir(clean).exists()


def test_damaged_run_file_exits_2_at_its_line(clean, run_cli):
    directory = runs_dir(clean)
    directory.mkdir(parents=True)
    (directory / "2027-01-01_x_0.json").write_text(
        '{\n "specheft": "specheft-run/1",\n "name": \n}\n'
    )
    result = run_cli("accept", clean.root)
    assert result.code == 2
    assert "spec/testkatalog/runs/2027-01-01_x_0.json:4:1: not valid JSON" in result.err


def test_acceptance_table_is_validated(tmp_path, run_cli):
    project = make_evidence_project(tmp_path / "p", '\n[acceptance]\nflaky = "ignore"\n')
    result = run_cli("accept", project.root)
    assert result.code == 2
    assert (
        "specheft.toml:11: acceptance.flaky: 'ignore' is not allowed; allowed: passed, failed"
        in result.err
    )


def test_accept_with_stricter_settings(tmp_path, run_cli):
    project = make_evidence_project(
        tmp_path / "p", "\n[acceptance]\nmust_tests_passed = false\nrequire_tests = false\n"
    )
    result = run_cli("accept", project.root)
    assert result.code == 0, result.output
    assert result.out.startswith("Go\n")


def test_defect_list_as_xlsx_with_sheet_locations(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mängel"
    sheet.append(["Fehler-Nr.", "Fehlerklasse", "Status", "Behebungstermin"])
    sheet.append(["M-1", 2, "offen", dt.datetime(2027, 9, 15)])
    sheet.append(["M-2", "Klasse 4", "offen", None])
    path = tmp_path / "maengel.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as info:
        read_defects(path, name="maengel.xlsx")
    assert str(info.value).startswith("maengel.xlsx:Mängel!3: M-2: unknown defect class")
    sheet.delete_rows(3)
    workbook.save(path)
    [defect] = read_defects(path, name="maengel.xlsx", stored="maengel.xlsx")
    assert (defect.fix_date, defect.where) == ("2027-09-15", "maengel.xlsx:Mängel!2")


def test_the_evidence_core_imports_no_sphinx():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import specheft.evidence.acceptance, specheft.evidence.junit, specheft.evidence.manual\n"
        "import specheft.evidence.store, specheft.evidence.template, specheft.evidence.defects\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'sphinx_needs')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
