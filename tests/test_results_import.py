"""``specheft results import``: JUnit/xUnit and Robot dialects, mapping, storage, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specheft.errors import InputError, UnsafeInputError
from specheft.evidence.junit import read_report
from specheft.evidence.mapping import Known, MapConfig, map_cases
from specheft.evidence.model import Outcome

from .evidence_project import FIXTURES, make_evidence_project, reset, runs_dir

KNOWN = Known(
    ["TC-SIT-KON-001", "TC-SIT-KON-002", "TC-SIT-KON-003", "TC-SIT-KON-004", "TC-UAT-KON-001"],
    ["LH-KON-001", "LH-KON-002", "LH-KON-003", "PH-KON-001"],
)


def _read(name: str, config: MapConfig | None = None):  # type: ignore[no-untyped-def]
    report = read_report(FIXTURES / name)
    assert map_cases(report.cases, KNOWN, config) == []
    return report


def _by_test(report):  # type: ignore[no-untyped-def]
    """test id → [(outcome, flaky)] in file order."""
    found: dict[str, list[tuple[str, bool]]] = {}
    for case in report.cases:
        for test in case.tests or case.verifies or ["-"]:
            found.setdefault(test, []).append((str(case.outcome), case.flaky))
    return found


# --- producer dialects ---------------------------------------------------------------------


def test_pytest_xunit2_properties_names_xfail_error_and_unmapped():
    report = _read("pytest-xunit2.xml")
    assert report.importer == "junit"
    assert report.date == "2027-08-10"
    assert _by_test(report) == {
        "TC-SIT-KON-001": [("passed", False)],  # record_property("specheft_id", …)
        "TC-SIT-KON-002": [("failed", False)],  # test_TC_SIT_KON_002_…: _ folds to -
        "TC-SIT-KON-003": [("skipped", False)],  # xfail is skipped, never passed
        "TC-SIT-KON-004": [("error", False)],  # [TC-SIT-KON-004] in a parametrized name
        "LH-KON-002": [("passed", False)],  # verifies= names the requirement directly
        "-": [("passed", False)],  # unmapped, but kept
    }
    mapped = {c.name: c.mapped_by for c in report.cases}
    assert mapped["test_firma_anlegen"] == "property"
    assert mapped["test_TC_SIT_KON_002_dubletten"] == "name"
    failed = next(c for c in report.cases if c.outcome is Outcome.FAILED)
    assert failed.message.startswith("AssertionError: assert 3 == 4")
    assert failed.duration == 1.207


def test_robot_xunit_nested_suites():
    report = _read("robot-xunit.xml")
    assert [c.suite for c in report.cases] == ["Sit / Kontakte", "Sit / Kontakte", "Sit / Suche"]
    assert _by_test(report) == {
        "TC-SIT-KON-001": [("passed", False)],
        "TC-SIT-KON-002": [("failed", False)],
        "-": [("passed", False)],
    }
    assert report.cases[1].line == 6


@pytest.mark.parametrize("name", ["robot-output.xml", "robot-output-rf6.xml"])
def test_robot_output_xml_ids_in_tags(name):
    report = _read(name)
    assert report.importer == "robot"
    assert report.date == "2027-08-12"
    first = report.cases[0]
    assert (first.tests, first.mapped_by, first.outcome) == (["TC-SIT-KON-001"], "tags", "passed")
    assert first.duration == 2.31  # RF 7 'elapsed', RF 6 endtime - starttime
    if name == "robot-output.xml":
        # the keyword's status inside the test does not count, the test's own does
        assert _by_test(report)["TC-SIT-KON-002"] == [("failed", False)]
        assert report.cases[1].message == "Expected 4 contacts, got 3"
        assert report.cases[2].verifies == ["LH-KON-002"]  # lower-case tag, req id
        assert report.cases[2].outcome is Outcome.SKIPPED


def test_playwright_one_case_per_browser_project():
    report = _read("playwright.xml")
    assert [c.host for c in report.cases] == ["chromium", "chromium", "firefox", "firefox"]
    assert _by_test(report) == {
        "TC-SIT-KON-001": [("passed", False), ("passed", False)],
        "TC-SIT-KON-003": [("passed", False), ("failed", False)],
    }


def test_jest_junit_ids_in_describe_and_title():
    assert _by_test(_read("jest-junit.xml")) == {
        "TC-SIT-KON-001": [("passed", False)],
        "TC-SIT-KON-002": [("failed", False)],
        "TC-SIT-KON-003": [("skipped", False)],
    }


def test_surefire_flaky_and_rerun_failures_and_property_lines():
    report = _read("TEST-de.nordwerk.crm.KontaktIT.xml")
    assert _by_test(report) == {
        "TC-SIT-KON-001": [("passed", True)],  # flakyFailure: passed on a rerun
        "TC-SIT-KON-002": [("failed", False)],  # rerunFailure: failed every time
        "TC-SIT-KON-003": [("passed", False)],
    }
    assert [c.attempts for c in report.cases] == [2, 3, 1]
    assert all(c.mapped_by == "property" for c in report.cases)  # [[PROPERTY|…]]


def test_testng_retries_repeat_the_name():
    report = _read("TEST-de.nordwerk.crm.SucheTest-testng.xml")
    assert _by_test(report) == {
        "TC-SIT-KON-003": [("passed", True)],
        "TC-SIT-KON-001": [("passed", False)],
    }
    assert report.cases[0].attempts == 3


def test_gotestsum_rerun_failed_then_passed_is_flaky_passed():
    report = _read("gotestsum.xml")
    erp = next(c for c in report.cases if c.tests == ["TC-SIT-KON-004"])
    assert (erp.outcome, erp.flaky, erp.attempts) == ("passed", True, 2)
    assert len(report.cases) == 2


def test_ctest_disabled_and_notrun_are_not_passed():
    assert _by_test(_read("ctest.xml")) == {
        "TC-SIT-KON-001": [("passed", False)],
        "TC-SIT-KON-002": [("failed", False)],
        "TC-SIT-KON-003": [("disabled", False)],  # no child element: junitparser says passed
        "TC-SIT-KON-004": [("not-run", False)],
    }


def test_property_as_element_text():
    report = _read("property-text.xml")
    assert report.cases[0].tests == ["TC-SIT-KON-001"]
    assert report.cases[0].mapped_by == "property"


def test_status_precedence_error_over_failure_over_skipped(tmp_path):
    path = tmp_path / "r.xml"
    path.write_text(
        '<testsuite name="s"><testcase name="a TC-SIT-KON-001">'
        '<skipped/><failure message="f"/><error message="e"/></testcase>'
        '<testcase name="b TC-SIT-KON-002"><skipped/><failure message="f"/></testcase>'
        "</testsuite>"
    )
    report = read_report(path)
    assert [c.outcome for c in report.cases] == [Outcome.ERROR, Outcome.FAILED]


def test_mapping_order_and_table():
    report = read_report(FIXTURES / "robot-xunit.xml")
    table = {"Sit.Suche::Globale Suche": ("TC-SIT-KON-003",)}
    assert map_cases(report.cases, KNOWN, MapConfig(table=table)) == []
    assert report.cases[2].tests == ["TC-SIT-KON-003"]
    assert report.cases[2].mapped_by == "table"
    # with the table first, it wins over a name token
    report = read_report(FIXTURES / "robot-xunit.xml")
    table = {"Sit.Kontakte::[TC-SIT-KON-001] Firma anlegen": ("TC-SIT-KON-004",)}
    map_cases(report.cases, KNOWN, MapConfig(order=("table", "name"), table=table))
    assert report.cases[0].tests == ["TC-SIT-KON-004"]


def test_name_tokens_need_whole_segments():
    assert KNOWN.tokens("test_TC_SIT_KON_0011") == []
    assert KNOWN.tokens("xTC-SIT-KON-001") == []
    assert KNOWN.tokens("tc-sit-kon-001 and [TC_SIT_KON_002]") == [
        "TC-SIT-KON-001",
        "TC-SIT-KON-002",
    ]


def test_unknown_property_id_is_named_with_did_you_mean(tmp_path):
    path = tmp_path / "r.xml"
    path.write_text(
        '<testsuite name="s">\n<testcase name="a"><properties>'
        '<property name="specheft_id" value="TC-SIT-KOM-003"/></properties></testcase>\n'
        "</testsuite>"
    )
    report = read_report(path)
    [unknown] = map_cases(report.cases, KNOWN)
    assert unknown.id == "TC-SIT-KOM-003"
    assert unknown.line == 2
    assert "did you mean 'TC-SIT-KON-003'?" in str(unknown)


# --- bad input (library level) --------------------------------------------------------------

BAD = {
    "malformed.xml": (
        '<testsuite name="s">\n<testcase name="a">\n</testsuite>\n',
        "malformed.xml:3",
    ),
    "truncated.xml": (
        '<testsuites>\n<testsuite name="s">\n<testcase name="a"/>\n',
        "truncated.xml:4",
    ),
    "foreign.xml": ("<?xml version='1.0'?>\n<testng-results skipped='0'/>\n", "foreign.xml:2"),
    "entity.xml": (
        '<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n]>\n<testsuite name="&lol;"/>\n',
        "entity.xml:2",
    ),
    "xxe.xml": (
        '<!DOCTYPE t [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n<testsuite name="&x;"/>\n',
        "xxe.xml:2",
    ),
    "empty.xml": ("", "empty.xml"),
    "blank.xml": ("\n  \n", "blank.xml"),
}
MESSAGES = {
    "malformed.xml": "not well-formed XML: mismatched tag",
    "truncated.xml": "truncated?",
    "foreign.xml": "the root element is <testng-results>",
    "entity.xml": "entity declarations are not allowed",
    "xxe.xml": "entity declarations are not allowed",
    "empty.xml": "is empty",
    "blank.xml": "is empty",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_reports_are_located_errors(tmp_path, name):
    text, location = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_report(path, name=name)
    message = str(info.value)
    assert message.startswith(location + ":") or message.startswith(location + " "), message
    assert MESSAGES[name] in message, message


def test_size_cap_refuses_before_reading(tmp_path):
    path = tmp_path / "big.xml"
    path.write_text('<testsuite name="s">' + "<testcase name='a'/>" * 1000 + "</testsuite>")
    with pytest.raises(UnsafeInputError, match="too large"):
        read_report(path, max_bytes=1000)


# --- the command ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return make_evidence_project(tmp_path_factory.mktemp("evidence") / "proj")


@pytest.fixture
def clean(project):
    reset(project)
    yield project
    reset(project)


def _runs(project) -> list[Path]:  # type: ignore[no-untyped-def]
    directory = runs_dir(project)
    return sorted(directory.iterdir()) if directory.exists() else []


def test_import_writes_one_sorted_json_run_and_is_idempotent(clean, run_cli, tmp_path):
    project = clean
    report = tmp_path / "pytest.xml"
    report.write_bytes((FIXTURES / "pytest-xunit2.xml").read_bytes())
    result = run_cli(
        "results",
        "import",
        "junit",
        report,
        "--project",
        project.root,
        "--run",
        "SIT 1",
        "--sut-version",
        "2027.3",
    )
    assert result.code == 0, result.output
    assert "Run 'SIT 1' (2027-08-10, junit): 6 cases" in result.out
    assert "5 mapped to 4 test items, 1 unmapped" in result.out
    assert (
        "pytest.xml:5: tests.sit.test_hilfen::test_datumsformat [sit-runner-01] (passed)"
        in result.out
    )
    [written] = _runs(project)
    assert written.name.startswith("2027-08-10_sit-1_") and written.suffix == ".json"
    text = written.read_text("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert data["sut_version"] == "2027.3"
    assert data["sources"][0]["file"] == "pytest.xml"  # outside the project: no machine path
    assert {c["status"] for c in data["cases"]} == {"passed", "failed", "skipped", "error"}
    # the same file again: nothing new
    again = run_cli("results", "import", "junit", report, "--project", project.root)
    assert again.code == 0, again.output
    assert "Already imported as 'SIT 1'" in again.out
    assert _runs(project) == [written]
    assert written.read_text("utf-8") == text
    # no temporary file left beside it
    assert [p.name for p in runs_dir(project).iterdir()] == [written.name]


def test_strict_with_unmapped_cases_exits_1_and_writes_nothing(clean, run_cli):
    result = run_cli(
        "results",
        "import",
        "junit",
        FIXTURES / "robot-xunit.xml",
        "--project",
        clean.root,
        "--strict",
    )
    assert result.code == 1, result.output
    assert "Globale Suche" in result.out
    assert "nothing written" in result.out
    assert _runs(clean) == []


def test_several_files_are_one_run_and_later_runs_never_rewrite_earlier(clean, run_cli):
    first = run_cli(
        "results",
        "import",
        "junit",
        FIXTURES / "ctest.xml",
        FIXTURES / "jest-junit.xml",
        "--project",
        clean.root,
    )
    assert first.code == 0, first.output
    assert "Run 'ctest +1' (2027-08-14" in first.out
    [one] = _runs(clean)
    before = one.read_bytes()
    second = run_cli(
        "results", "import", "junit", FIXTURES / "gotestsum.xml", "--project", clean.root
    )
    assert second.code == 0, second.output
    assert len(_runs(clean)) == 2
    assert one.read_bytes() == before
    listing = run_cli("results", "list", "--project", clean.root)
    assert listing.code == 0
    lines = listing.out.splitlines()
    assert "run 'ctest +1'" in lines[0] and "run 'gotestsum'" in lines[1]


def test_the_same_run_name_with_other_content_is_refused(clean, run_cli):
    args = ("results", "import", "junit", "--project", clean.root, "--run", "SIT")
    assert run_cli(*args, FIXTURES / "ctest.xml").code == 0
    result = run_cli(*args, FIXTURES / "gotestsum.xml")
    assert result.code == 2
    assert "a run named 'SIT' exists already" in result.err
    assert len(_runs(clean)) == 1


def test_unknown_test_id_in_property_exits_2_with_did_you_mean(clean, run_cli, tmp_path):
    path = tmp_path / "ids.xml"
    path.write_text(
        '<testsuite name="s">\n<testcase name="a"><properties>'
        '<property name="test_id" value="TC-SIT-KOM-003"/></properties></testcase>\n'
        "</testsuite>\n"
    )
    result = run_cli("results", "import", "junit", path, "--project", clean.root)
    assert result.code == 2, result.output
    assert f"{path}:2: TC-SIT-KOM-003: 1 unknown id(s)" in result.err
    assert "did you mean 'TC-SIT-KON-003'?" in result.err
    assert "Traceback" not in result.output
    assert _runs(clean) == []


@pytest.mark.parametrize("name", ["truncated.xml", "foreign.xml", "xxe.xml", "empty.xml"])
def test_bad_input_exits_2_and_changes_nothing(clean, run_cli, tmp_path, name):
    text, location = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    before = clean.snapshot()
    result = run_cli("results", "import", "junit", path, "--project", clean.root)
    assert result.code == 2, result.output
    assert f"{tmp_path / location}" in result.err, result.err
    assert MESSAGES[name] in result.err
    assert "Traceback" not in result.output
    assert clean.snapshot() == before


def test_a_good_file_with_a_bad_one_writes_nothing(clean, run_cli, tmp_path):
    bad = tmp_path / "truncated.xml"
    bad.write_text(BAD["truncated.xml"][0])
    result = run_cli(
        "results", "import", "junit", FIXTURES / "ctest.xml", bad, "--project", clean.root
    )
    assert result.code == 2
    assert _runs(clean) == []


def test_missing_file_exits_2(clean, run_cli, tmp_path):
    result = run_cli("results", "import", "junit", tmp_path / "nope.xml", "--project", clean.root)
    assert result.code == 2
    assert "nope.xml: file not found" in result.err


def test_size_cap_from_settings(tmp_path, run_cli):
    project = make_evidence_project(tmp_path / "capped", "\n[results]\nmax_mib = 1\n")
    big = tmp_path / "big.xml"
    big.write_text('<testsuite name="s">' + "<testcase name='a'/>" * 60_000 + "</testsuite>")
    result = run_cli("results", "import", "junit", big, "--project", project.root)
    assert result.code == 2, result.output
    assert "big.xml: is too large" in result.err
    assert not runs_dir(project).exists()


def test_results_table_typo_is_a_config_error_at_its_line(tmp_path, run_cli):
    project = make_evidence_project(tmp_path / "typo", '\n[results]\nruns_dri = "x"\n')
    result = run_cli(
        "results", "import", "junit", FIXTURES / "ctest.xml", "--project", project.root
    )
    assert result.code == 2
    assert "specheft.toml:11: results.runs_dri: unknown key" in result.err
    assert "did you mean 'runs_dir'?" in result.err


def test_a_file_where_the_runs_directory_should_be_exits_2(tmp_path, run_cli):
    project = make_evidence_project(tmp_path / "p", '\n[results]\nruns_dir = "spec/runs"\n')
    (project.root / "spec" / "runs").write_text("not a directory\n")
    before = project.snapshot()
    result = run_cli(
        "results", "import", "junit", FIXTURES / "ctest.xml", "--project", project.root
    )
    assert result.code == 2, result.output
    assert "spec/runs: is a file, but it must be a directory" in result.err
    assert "Traceback" not in result.output
    assert project.snapshot() == before


def test_control_characters_from_a_report_do_not_reach_the_terminal(clean, run_cli, tmp_path):
    path = tmp_path / "esc.xml"
    path.write_text(
        '<testsuite name="s"><testcase name="evil &#155;2J x&#10;fake line"/></testsuite>\n'
    )
    result = run_cli("results", "import", "junit", path, "--project", clean.root)
    assert result.code == 0, result.output
    # XML 1.0 cannot carry ESC, but C1 CSI (U+009B) and line feeds in attributes, yes
    assert "\x9b" not in result.out
    assert "evil \\x9b2J x\\nfake line" in result.out
    [run] = _runs(clean)
    text = run.read_text("utf-8")
    assert "\x9b" not in text
    assert json.loads(text)["cases"][0]["case"] == "evil \x9b2J x\nfake line"


# --- manual results (UAT sheets) ------------------------------------------------------------

MANUAL_DE = (
    "Testfall-ID;Titel;Ergebnis;Tester;Datum;Fehler-Nr.;Fehlerklasse;Kommentar\n"
    "TC-UAT-KON-001;Firma anlegen;nicht bestanden;J. Brockmeyer;12.08.2027;M-010;2;"
    "Historie fehlt\n"
    "TC-SIT-KON-001;Firma;bestanden;J. Brockmeyer;12.08.2027;;;\n"
    "TC-SIT-KON-002;Dubletten;blockiert;K. Hansen;13.08.2027;M-011;1;Testdaten fehlen\n"
    "TC-SIT-KON-003;Suche;;;;;;\n"
    "TC-UAT-KON-001;Firma anlegen (Nachtest);Bestanden;J. Brockmeyer;20.08.2027;;;\n"
)


def test_manual_sheet_german_csv(tmp_path):
    from specheft.evidence.manual import read_manual

    path = tmp_path / "uat.csv"
    path.write_bytes(MANUAL_DE.encode("cp1252"))
    sheet = read_manual(path, KNOWN, name="uat.csv", stored="uat.csv")
    assert [(c.name, str(c.outcome), c.attempts, c.line) for c in sheet.cases] == [
        ("TC-SIT-KON-001", "passed", 1, 3),
        ("TC-SIT-KON-002", "blocked", 1, 4),
        ("TC-SIT-KON-003", "not-run", 1, 5),  # an empty result: not run
        ("TC-UAT-KON-001", "passed", 2, 6),  # the retest of 20.08. wins
    ]
    assert sheet.cases[3].tester == "J. Brockmeyer" and sheet.cases[3].executed == "2027-08-20"
    assert [(d.id, d.defect_class, d.tests, d.title) for d in sheet.defects] == [
        ("M-010", 2, ["TC-UAT-KON-001"], "Historie fehlt"),
        ("M-011", 1, ["TC-SIT-KON-002"], "Testdaten fehlen"),
    ]
    assert max(sheet.dates) == "2027-08-20"


def test_manual_sheet_english_xlsx(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    from specheft.evidence.manual import read_manual

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "UAT"
    sheet.append(["Test ID", "Result", "Tester", "Date", "Defect", "Defect class", "Comment"])
    sheet.append(["TC-SIT-KON-004", "not run", "A. Key", dt.datetime(2027, 8, 14), None, None, ""])
    sheet.append(["tc-sit-kon-001", "passed", "A. Key", dt.date(2027, 8, 14), None, None, "ok"])
    sheet.append(["TC-SIT-KON-002", "failed", "A. Key", "14.08.2027", "D-7", 3, "typo"])
    path = tmp_path / "uat.xlsx"
    workbook.save(path)
    result = read_manual(path, KNOWN, name="uat.xlsx", stored="uat.xlsx")
    assert [(c.name, str(c.outcome)) for c in result.cases] == [
        ("TC-SIT-KON-004", "not-run"),
        ("TC-SIT-KON-001", "passed"),  # the id's case and - / _ do not matter
        ("TC-SIT-KON-002", "failed"),
    ]
    [defect] = result.defects
    assert (defect.id, defect.defect_class, defect.where) == ("D-7", 3, "uat.xlsx:UAT!4")
    # a formula is refused at its cell
    sheet["B3"] = '=IF(1,"passed","failed")'
    workbook.save(path)
    with pytest.raises(InputError, match=r"uat.xlsx:UAT!3 \(column B\): a formula"):
        read_manual(path, KNOWN, name="uat.xlsx", stored="uat.xlsx")


@pytest.mark.parametrize(
    ("text", "location", "message"),
    [
        ("Test ID;Tester\nTC-SIT-KON-001;x\n", ":1", "missing column(s) Ergebnis / Result"),
        (
            "Test ID;Result\nTC-SIT-KON-001;grün\n",
            ":2",
            "unknown result 'grün'; allowed: bestanden",
        ),
        ("Test ID;Result\nTC-SIT-KOM-001;ok\n", ":2", "unknown test id 'TC-SIT-KOM-001'"),
        ("Test ID;Result;Defect\nTC-SIT-KON-001;failed;D-1\n", ":2", "has no defect class"),
        ("Test ID;Result;Klasse\nTC-SIT-KON-001;failed;2\n", ":2", "without a defect number"),
        ("Test ID;Result;Datum\nTC-SIT-KON-001;ok;morgen\n", ":2", "date 'morgen' is not a date"),
        (
            "Test ID;Result;Defect;Class\n"
            "TC-SIT-KON-001;failed;D-1;1\nTC-SIT-KON-002;failed;D-1;2\n",
            ":3",
            "defect 'D-1' has class 2 here but 1 at m.csv:2",
        ),
    ],
)
def test_bad_manual_sheets(tmp_path, text, location, message):
    from specheft.evidence.manual import read_manual

    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_manual(path, KNOWN, name="m.csv", stored="m.csv")
    assert str(info.value).startswith(f"m.csv{location}:"), str(info.value)
    assert message in str(info.value)
    if "unknown test id" in message:
        assert info.value.hint == "did you mean 'TC-SIT-KON-001'?"


def test_import_manual_writes_run_and_defects_together(clean, run_cli, tmp_path):
    path = tmp_path / "uat-1.csv"
    path.write_bytes(MANUAL_DE.encode("cp1252"))
    result = run_cli("results", "import", "manual", path, "--project", clean.root)
    assert result.code == 0, result.output
    assert "Run 'uat-1' (2027-08-20, manual): 4 cases" in result.out
    assert "2 defect(s) from the sheet stored as 'uat-1 (defects)'" in result.out
    runs = _runs(clean)
    assert len(runs) == 2
    kinds = sorted(json.loads(p.read_text("utf-8"))["specheft"] for p in runs)
    assert kinds == ["specheft-defects/1", "specheft-run/1"]
    again = run_cli("results", "import", "manual", path, "--project", clean.root)
    assert again.code == 0 and "Already imported" in again.out
    assert _runs(clean) == runs
    accept = run_cli("accept", clean.root)
    assert accept.code == 1
    assert "uat-1.csv:4: defect M-011 'Testdaten fehlen': open class-1 defect" in accept.out


def test_template_round_trip_xlsx(clean, run_cli, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "sit.xlsx"
    args = ("results", "template", "--level", "sit", "--out", out, "--project", clean.root)
    result = run_cli(*args)
    assert result.code == 0, result.output
    assert f"4 SIT test items written to {out}" in result.out
    workbook = load_workbook(out)
    sheet = workbook.active
    assert [c.value for c in sheet[1]][:9] == [
        "Testfall-ID", "Titel", "Bereich", "Phase", "Rolle", "Vorbedingungen", "Schritte",
        "Erwartetes Ergebnis", "Ergebnis",
    ]  # fmt: skip
    # the role comes from the test's :role: field; tests without one leave it empty
    assert [sheet.cell(r, 5).value for r in (2, 3)] == ["Vertrieb Innendienst", None]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == [
        "TC-SIT-KON-001", "TC-SIT-KON-002", "TC-SIT-KON-003", "TC-SIT-KON-004",
    ]  # fmt: skip
    assert sheet.protection.sheet
    assert sheet["E2"].protection.locked and not sheet["I2"].protection.locked
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations == {
        "I2:I5": '"bestanden,nicht bestanden,blockiert,nicht durchgeführt"',
        "M2:M5": '"1,2,3"',
    }
    # a second run does not overwrite the filled-in sheet
    again = run_cli(*args)
    assert again.code == 2 and "exists already" in again.err
    # the testers fill it in; it reads back as a run
    sheet["I2"], sheet["J2"], sheet["K2"] = "bestanden", "K. Key", "21.08.2027"
    sheet["I3"], sheet["L3"], sheet["M3"] = "nicht bestanden", "M-20", "2"
    workbook.save(out)
    result = run_cli("results", "import", "manual", out, "--project", clean.root)
    assert result.code == 0, result.output
    assert "Run 'sit' (2027-08-21, manual): 4 cases (failed 1, not-run 2, passed 1)" in result.out
    assert "1 defect(s) from the sheet" in result.out


def test_template_text_never_becomes_a_formula(tmp_path):
    from openpyxl import load_workbook

    from specheft.evidence.template import TemplateRow, sections
    from specheft.io.evidence.sheet import csv_text, xlsx_bytes

    row = TemplateRow("TC-UAT-KON-001", '=HYPERLINK("http://x","y")', "KON", "", "", "", "-1+1", "")
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes([row], "de", "uat"))
    sheet = load_workbook(path).active
    assert sheet["B2"].data_type == "s" and sheet["B2"].value.startswith("=HYPERLINK")
    text = csv_text([row], "de")
    assert ";\"'=HYPERLINK(" in text and ";'-1+1;" in text
    body = (
        "**Vorbedingungen**\n\nAngemeldet.\n\n**Schritte**\n\n1. Tun.\n\n"
        "**Erwartetes Ergebnis**\n\nGut."
    )
    assert sections(body) == {
        "preconditions": "Angemeldet.",
        "steps": "1. Tun.",
        "expected": "Gut.",
    }


def test_template_without_tests_of_the_level_says_so(clean, run_cli, tmp_path):
    out = tmp_path / "sit.csv"
    args = ("results", "template", "--level", "sit", "--phase", "PHASE-IMPL", "--format", "csv")
    result = run_cli(*args, "--out", out, "--project", clean.root)
    assert result.code == 0, result.output
    assert "0 SIT test items written" in result.out
    assert "note: the project has no SIT test items in phase PHASE-IMPL yet" in result.err
