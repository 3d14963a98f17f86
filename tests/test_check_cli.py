"""``specheft check``: exit codes, the four report formats, rule configuration."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from .helpers import item
from .sarif_schema import sarif_schema

COMPLETE = (
    "# Anforderungen\n\n"
    + item(
        "req",
        "Firmen",
        "Das CRM-System muss Firmen anlegen.",
        id="LH-KON-001",
        priority="must",
        phase="PHASE-IMPL",
        acceptance="Firma angelegt.",
    )
    + item(
        "req",
        "Branchen",
        "Das CRM-System soll Branchen zuordnen.",
        id="LH-KON-002",
        priority="should",
        phase="PHASE-IMPL",
    )
    + item(
        "spec",
        "Firmenmaske",
        "Standard.",
        id="PH-KON-001",
        satisfies="LH-KON-001, LH-KON-002",
        phase="PHASE-IMPL",
    )
    + item(
        "test",
        "Firma anlegen",
        "Schritte.",
        id="TC-UAT-KON-001",
        verifies="PH-KON-001",
        level="uat",
        phase="PHASE-TEST",
    )
)
# LH-KON-001 loses its only test: a must requirement without verification
BROKEN = COMPLETE.replace(
    item(
        "test",
        "Firma anlegen",
        "Schritte.",
        id="TC-UAT-KON-001",
        verifies="PH-KON-001",
        level="uat",
        phase="PHASE-TEST",
    ),
    "",
)


def test_clean_project_exits_0(make_project, run_cli):
    project = make_project({"anf.md": COMPLETE})
    result = run_cli("check", project.root)
    assert result.code == 0, result.output
    assert "0 errors, 0 warnings" in result.out
    assert "must 1 (specified 100 %, tested 100 %)" in result.out


def test_missing_test_exits_1_and_names_the_requirement(make_project, run_cli):
    project = make_project({"anf.md": BROKEN})
    result = run_cli("check", project.root)
    assert result.code == 1, result.output
    assert "req-verified" in result.out
    assert "spec/anf.md:3: error: LH-KON-001: must requirement is not verified" in result.out
    assert "hint: add a test with ':verifies: PH-KON-001' (its spec)" in result.out
    assert "1 error," in result.out


def test_input_errors_are_findings_with_locations(make_project, run_cli):
    # (German words such as 'soll' are read as the value in a German project)
    page = COMPLETE.replace(":priority: should", ":priority: shuold")
    project = make_project({"anf.md": page})
    result = run_cli("check", project.root)
    assert result.code == 1
    assert "build — " in result.out
    assert (
        "spec/anf.md:13: error: LH-KON-002: :priority: 'shuold' is not allowed; allowed: "
        "must, should, can (did you mean 'should'?) [sn_schema_violation.field_fail]" in result.out
    )


def test_json_report(make_project, run_cli):
    project = make_project({"anf.md": BROKEN})
    result = run_cli("check", project.root, "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    assert data["summary"]["errors"] == 1
    [finding] = [f for f in data["findings"] if f["level"] == "error"]
    assert (finding["rule"], finding["item"], finding["path"], finding["line"]) == (
        "req-verified",
        "LH-KON-001",
        "spec/anf.md",
        3,
    )
    rows = {row["id"]: row for row in data["requirements"]}
    assert rows["LH-KON-001"]["specs"] == ["PH-KON-001"]
    assert rows["LH-KON-001"]["status"] == "partial"
    assert data["summary"]["coverage_by_priority"]["must"]["partial"] == 1


def test_sarif_report_is_valid_sarif_2_1_0(make_project, run_cli, tmp_path):
    schema = sarif_schema()
    if schema is None:
        pytest.skip("the SARIF schema could not be fetched (npm unavailable)")
    project = make_project({"anf.md": BROKEN})
    out = tmp_path / "report.sarif"
    result = run_cli("check", project.root, "--format", "sarif", "--output", out)
    assert result.code == 1
    assert f"Report written to {out}" in result.out
    sarif = json.loads(out.read_text())
    jsonschema.validate(sarif, schema)
    errors = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert len(errors) == 1
    location = errors[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "spec/anf.md"
    assert location["region"]["startLine"] == 3
    assert errors[0]["ruleId"] == "req-verified"
    rule_ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids[errors[0]["ruleIndex"]] == "req-verified"


def test_junit_report(make_project, run_cli):
    project = make_project({"anf.md": BROKEN})
    result = run_cli("check", project.root, "--format", "junit")
    assert result.code == 1
    root = ET.fromstring(result.out)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    failing = suites["req-verified"]
    assert failing.get("failures") == "1"
    case = failing.find("testcase")
    assert case is not None and case.get("name") == "LH-KON-001"
    assert case.get("file") == "spec/anf.md" and case.get("line") == "3"
    assert suites["scope-conflict"].get("failures") == "0"
    assert root.get("failures") == "1"


def test_rule_levels_from_settings(make_project, run_cli):
    settings = (
        '[project]\nname = "Mini"\n[areas]\nKON = "Kontakte"\n'
        '[rules]\nreq-verified = { must = "warning" }\n'
    )
    project = make_project({"anf.md": BROKEN}, settings=settings)
    result = run_cli("check", project.root)
    assert result.code == 0, result.output
    assert "warning: LH-KON-001" in result.out
    assert run_cli("check", project.root, "--strict").code == 1


def test_unknown_rule_in_settings_is_an_input_error(make_project, run_cli):
    settings = '[project]\nname = "Mini"\n\n[rules]\nreq-verifed = "off"\n'
    project = make_project({"anf.md": COMPLETE}, settings=settings)
    result = run_cli("check", project.root)
    assert result.code == 2
    assert "specheft.toml:5: rules.req-verifed: unknown rule" in result.err
    assert "did you mean 'req-verified'?" in result.err
    assert "Traceback" not in result.output


def test_output_into_sources_is_refused(make_project, run_cli):
    project = make_project({"anf.md": COMPLETE})
    before = project.snapshot()
    result = run_cli("check", project.root, "--output", project.spec / "anf.md")
    assert result.code == 2
    assert "inside the project's sources" in result.err
    assert project.snapshot() == before


def test_not_a_project(run_cli, tmp_path):
    result = run_cli("check", tmp_path)
    assert result.code == 2
    assert "no spec/ directory" in result.err
    assert run_cli("check", tmp_path / "missing").code == 2


def test_progress_goes_to_a_terminal_only(make_project, run_cli):
    import io

    from specheft.project.check import run_check
    from specheft.project.layout import Project

    project = make_project({"anf.md": COMPLETE})
    progress = io.StringIO()
    report = run_check(Project.at(project.root), fresh=True, progress=progress)
    assert report.graph is not None
    shown = progress.getvalue()
    assert "reading sources" in shown
    assert "build succeeded" not in shown and "writing output" not in shown
    assert shown.endswith("\n")
    result = run_cli("check", project.root)  # stderr is captured here, not a terminal
    assert result.code == 0, result.output
    assert "reading sources" not in result.output


def test_quiet_shows_no_progress_on_a_terminal_and_the_same_report(
    make_project, run_cli, monkeypatch
):
    """``check -q`` as ``build -q``: people and scripts that quiet one quiet the other."""
    import sys

    project = make_project({"anf.md": COMPLETE})
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    loud = run_cli("check", project.root, "--fresh")
    quiet = run_cli("check", project.root, "--fresh", "-q")
    assert loud.code == quiet.code == 0, quiet.output
    assert "reading sources" in loud.err and "reading sources" not in quiet.err
    assert quiet.out.split("(")[0] == loud.out.split("(")[0]  # (the seconds differ)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_build_problem_is_reported_once(make_project, run_cli, jobs):
    # Sphinx holds reading warnings back and hands them out again afterwards: each
    # must still be one finding, with its type named once.
    page = COMPLETE + "\n:::{req} Ohne Id\n:id:\n:priority: must\n\nDas CRM-System muss.\n:::\n"
    project = make_project({"anf.md": page})
    for fresh in (["--fresh"], []):
        result = run_cli("check", project.root, "--format", "json", "-j", jobs, *fresh)
        assert result.code == 1, result.output
        build = [f for f in json.loads(result.out)["findings"] if f["rule"] == "build"]
        messages = [f["message"] for f in build]
        assert len(messages) == len(set(messages)) >= 1, messages
        assert all(m.count("[needs.") <= 1 for m in messages), messages


def test_sarif_uris_are_percent_encoded(make_project, run_cli, tmp_path):
    project = make_project({"Anforderungen und Änderungen.md": BROKEN})
    out = tmp_path / "report.sarif"
    assert run_cli("check", project.root, "--format", "sarif", "--output", out).code == 1
    sarif = json.loads(out.read_text(encoding="utf-8"))
    [error] = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    uri = error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "spec/Anforderungen%20und%20%C3%84nderungen.md"


def test_line_numbers_hold_with_office_line_breaks_in_the_text(make_project, run_cli):
    # Word's Shift+Enter (\x0b) and U+2028 come along when text is pasted from office
    # documents; they do not end a line for the parser, so they must not for specheft
    first = item(
        "req",
        "Firmen\x0banlegen",
        "Das CRM-System muss Firmen\u2028anlegen.",
        id="LH-KON-001",
        priority="can",
        phase="PHASE-IMPL",
    )
    second = item(
        "req",
        "Personen anlegen",
        "Das CRM-System muss schnell Personen anlegen.",
        id="LH-KON-002",
        priority="can",
        phase="PHASE-IMPL",
    )
    page = "# Anf\n\n" + first + "\n" + second
    project = make_project({"anf.md": page})
    result = run_cli("check", project.root, "--format", "json")
    findings = json.loads(result.out)["findings"]
    assert not [f for f in findings if f["rule"] == "build"], findings
    body_line = page.split("\n").index("Das CRM-System muss schnell Personen anlegen.") + 1
    [weak] = [f for f in findings if f["rule"] == "lint-weak-word"]
    assert (weak["item"], weak["line"]) == ("LH-KON-002", body_line)
