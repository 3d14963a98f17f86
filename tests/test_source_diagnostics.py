"""Item sources read wrongly without a word (issues 11 and 18): German values, findings
with their item, fresh == cached, the source scanner and the fenced-item lint rule.

The located messages of a build and a check are in tests/corpus/source.toml.
"""

from __future__ import annotations

import json

import pytest

from specheft.sphinxext.diagnostics.locations import suggested_id
from specheft.sphinxext.diagnostics.syntax import check_item_source, scan_source

from .helpers import item

GOOD = item(
    "req",
    "Ziel",
    "Das CRM-System kann zählen.",
    id="LH-KON-900",
    priority="can",
    phase="PHASE-IMPL",
)


def _findings(run_cli, root, *args):
    result = run_cli("check", root, "--format", "json", *args)
    return result.code, json.loads(result.out)["findings"]


# --- German values --------------------------------------------------------------------------

GERMAN = (
    ":::{req} Firmen\n:id: LH-KON-001\n:priority: {priority}\n:verification: {verification}\n"
    ":status: {status}\n:phase: PHASE-IMPL\n:acceptance: Ein Key-User legt eine Firma an.\n\n"
    "Das CRM-System muss Firmen anlegen.\n:::\n\n"
    ":::{spec} Maske\n:id: PH-KON-001\n:satisfies: LH-KON-001\n:solution: {solution}\n"
    ":phase: PHASE-IMPL\n\nStandard.\n:::\n\n"
    ":::{test} Test\n:id: TC-UAT-001\n:verifies: PH-KON-001\n:level: {level}\n"
    ":phase: PHASE-TEST\n\nSchritte.\n:::\n"
)
CANONICAL = {
    "priority": "must",
    "verification": "inspection",
    "status": "draft",
    "solution": "configuration",
    "level": "uat",
}
WORDS = {
    "priority": "Muss",
    "verification": "Inspektion",
    "status": "Entwurf",
    "solution": "Konfiguration",
    "level": "Abnahmetest",
}


def _german_page(values):
    text = GERMAN
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return "# Seite\n\n" + text


def test_german_values_are_read_as_the_canonical_value(make_project, run_cli):
    project = make_project({"seite.md": _german_page(WORDS)})
    _code, findings = _findings(run_cli, project.root, "--fresh")
    assert [f for f in findings if f["rule"] == "build"] == [], findings
    build = run_cli("build", project.root)
    assert build.code == 0, build.output
    needs = project.needs()
    assert {name: needs["LH-KON-001"].get(name) for name in ("priority", "verification")} == {
        "priority": "must",
        "verification": "inspection",
    }
    assert needs["LH-KON-001"]["status"] == "draft"
    assert needs["PH-KON-001"]["solution"] == "configuration"
    assert needs["TC-UAT-001"]["level"] == "uat"
    german_print = run_cli("fingerprint", "--project", project.root).out
    # the same items written with the canonical values: the same fingerprint
    project.write("spec/seite.md", _german_page(CANONICAL))
    assert run_cli("fingerprint", "--project", project.root).out == german_print


def test_german_values_in_an_english_project_are_refused_with_the_english_word(
    make_project, run_cli
):
    page = "# Page\n\n" + item(
        "req",
        "R",
        "The CRM system shall count.",
        id="LH-KON-001",
        priority="Muss",
        phase="PHASE-IMPL",
    )
    project = make_project({"page.md": page}, language="en")
    code, findings = _findings(run_cli, project.root)
    assert code == 1
    [finding] = [f for f in findings if f["rule"] == "build"]
    assert finding["item"] == "LH-KON-001"
    assert finding["line"] == 5
    assert "did you mean 'must'?" in finding["message"]


def test_german_words_are_changed_only_in_item_options():
    text = (
        ":::{req} R\n:id: LH-KON-001\n:priority: Muss\n\n:priority: Muss\n:::\n\n"
        "```markdown\n:::{req} R\n:priority: Muss\n:::\n```\n\n"
        ":::{note}\n:priority: Muss\n:::\n"
    )
    scan = scan_source(text, german=True)
    lines = scan.text.split("\n")
    assert lines[2] == ":priority: must"
    assert lines[4] == ":priority: Muss"  # in the body: text, reported elsewhere
    assert lines[9] == ":priority: Muss"  # in a code block
    assert lines[14] == ":priority: Muss"  # not an item
    assert scan_source(text, german=False).text == text


# --- findings carry their item and line; cached == fresh -----------------------------------


def test_satisfies_on_a_test_names_the_item_at_the_option_line(make_project, run_cli):
    page = "# T\n\n" + item(
        "test", "T", id="TC-SIT-001", level="sit", satisfies="LH-KON-900", phase="PHASE-TEST"
    )
    project = make_project({"good.md": "# G\n\n" + GOOD, "tests.md": page})
    code, findings = _findings(run_cli, project.root)
    assert code == 1
    [finding] = [f for f in findings if f["rule"] == "build"]
    assert (finding["item"], finding["line"]) == ("TC-SIT-001", 6)
    assert "tests use :verifies:" in finding["message"]


BROKEN = {
    "wrapped last option": (
        ":::{req} R\n:id: LH-KON-001\n:priority: can\n:phase: PHASE-IMPL\n:rationale: eins\n"
        "zwei\n\nDas CRM-System kann zählen.\n:::\n"
    ),
    "unclosed last item": (
        ":::{req} R\n:id: LH-KON-001\n:priority: can\n:phase: PHASE-IMPL\n\n"
        "Das CRM-System kann zählen.\n\n## Danach\n\nText.\n"
    ),
    "deep list": "".join("  " * i + f"- {i}\n" for i in range(12)) + "\n" + GOOD,
    "vertical tab": (
        ":::{req} R\n:id: LH-KON-001\n:priority: can\v\n:phase: PHASE-IMPL\n\n"
        "Das CRM-System kann zählen.\n:::\n"
    ),
    "nested item": (
        "::::{req} R\n:id: LH-KON-001\n:priority: can\n:phase: PHASE-IMPL\n\n"
        "Das CRM-System kann zählen.\n\n" + GOOD + "::::\n"
    ),
    "NUL": "Text \x00 mit NUL.\n",
    "misspelt phase": item(
        "req",
        "R",
        "Das CRM-System kann zählen.",
        id="LH-KON-001",
        priority="can",
        phase="PHASE-IMLP",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_cached_check_reports_what_a_fresh_one_does(case, make_project, run_cli):
    project = make_project({"bad.md": "# B\n\n" + BROKEN[case]})
    fresh = _findings(run_cli, project.root, "--fresh")
    assert fresh[0] == 1
    assert [f for f in fresh[1] if f["rule"] == "build" and f["path"] == "spec/bad.md"]
    assert _findings(run_cli, project.root) == fresh
    assert _findings(run_cli, project.root) == fresh  # and again, from the cache alone
    assert run_cli("build", project.root).code == 1


def test_fixing_the_source_clears_the_cached_finding(make_project, run_cli):
    project = make_project({"bad.md": "# B\n\n" + BROKEN["wrapped last option"]})
    assert _findings(run_cli, project.root)[0] == 1
    project.write(
        "spec/bad.md", "# B\n\n" + BROKEN["wrapped last option"].replace("eins\n", "eins ")
    )
    _code, findings = _findings(run_cli, project.root)
    assert [f for f in findings if f["rule"] == "build"] == []


# --- the source scanner ---------------------------------------------------------------------


def test_line_breaks_only_python_knows_become_spaces_and_keep_the_line_count():
    text = (
        "# T\r\n\n:::{req} R\n:id: LH-KON-001\n:acceptance: a\u2028b\x0bc\n\nText\x0cmehr.\n:::\n"
    )
    scan = scan_source(text)
    assert scan.text.count("\n") == text.count("\n")
    assert "\u2028" not in scan.text and "\x0b" not in scan.text and "\x0c" not in scan.text
    assert ":acceptance: a b c" in scan.text
    # reported once, where it cut an option value; in the body it is just a space
    assert [line for line, _ in scan.problems] == [5]
    assert "LH-KON-001" in scan.problems[0][1]


def test_control_characters_are_reported_with_line_and_column():
    scan = scan_source("# T\n\nText\x1b[31m rot\n\x00\n")
    assert [(line, message.split(" in column")[0]) for line, message in scan.problems] == [
        (3, "a control character (U+001B)"),
        (4, "a NUL byte (U+0000)"),
    ]


def test_item_directives_in_code_blocks_are_found():
    text = (
        "```markdown\n:::{req} A\n:id: LH-KON-001\n:::\n```\n\n"
        "~~~~\n```{test} B\n:id: TC-SIT-001\n```\n~~~~\n\n"
        "```{code-block} markdown\n:::{spec} C\n:::\n```\n\n"
        "```{req} D\n:id: LH-KON-002\n```\n\n"  # a directive in backticks: an item
        ":::{note}\n```\n:::{req} E\n```\n:::\n"
    )
    assert scan_source(text).fenced == [
        (2, "req", "LH-KON-001"),
        (8, "test", "TC-SIT-001"),
        (14, "spec", None),
        (24, "req", None),
    ]


def test_a_body_directly_after_the_options_is_reported_but_an_empty_item_is_not():
    lines = [":::{req} R", ":id: LH-KON-001", ":rationale: eins", "zwei", "", "Text.", ":::"]
    [(line, message)] = check_item_source(lines, 1)
    assert line == 4 and ":rationale:" in message
    assert check_item_source([":::{phase} P", ":id: PHASE-X", ":order: 1", ":::"], 1) == []
    assert check_item_source([":::{req} R", "Text directly.", ":::"], 1) == []


def test_a_heading_in_a_code_block_of_a_closed_item_is_no_problem():
    lines = [":::{req} R", ":id: LH-KON-001", "", "```", "# Kommentar", ":::{req} X", "```", ":::"]
    assert check_item_source(lines, 1) == []


def test_suggested_ids():
    assert suggested_id("lh-kon-001") == "LH-KON-001"
    assert suggested_id("LH-KÖN-001") == "LH-KOEN-001"
    assert suggested_id("LH KON 001") == "LH-KON-001"
    assert suggested_id("LH-KON-001") is None
    assert suggested_id("???") is None


# --- rule lint-fenced-item -----------------------------------------------------------------

FENCED = (
    "# F\n\nBeispiel:\n\n```markdown\n:::{req} Beispiel\n:id: LH-KON-777\n:::\n```\n\n"
    # an example of an item that exists is no mistake
    "```text\n:::{req} Ziel\n:id: LH-KON-900\n:::\n```\n"
)


def test_an_item_in_a_code_block_is_an_info_of_check(make_project, run_cli):
    project = make_project({"good.md": "# G\n\n" + GOOD, "fenced.md": FENCED})
    _code, findings = _findings(run_cli, project.root, "--fresh")
    [finding] = [f for f in findings if f["rule"] == "lint-fenced-item"]
    assert (finding["level"], finding["path"], finding["line"]) == ("info", "spec/fenced.md", 6)
    assert finding["item"] == "LH-KON-777"
    assert _findings(run_cli, project.root)[1] == findings  # cached: the same
    built = run_cli("build", project.root)
    assert built.code == 0, built.output  # once exit 2 under load on 3.13: show why


def test_an_item_in_a_code_block_fails_the_build_when_configured_as_error(make_project, run_cli):
    from .helpers import SETTINGS

    settings = SETTINGS.format(language="de") + '\n[rules]\n"lint-fenced-item" = "error"\n'
    project = make_project({"good.md": "# G\n\n" + GOOD, "fenced.md": FENCED}, settings=settings)
    assert _findings(run_cli, project.root)[0] == 1
    build = run_cli("build", project.root)
    assert build.code == 1, build.output
    assert any("fenced.md:6:" in line and "LH-KON-777" in line for line in build.err.splitlines())


def test_a_filter_left_by_an_interrupted_build_does_not_misplace_messages(
    make_project, run_cli, tmp_path
):
    """A build interrupted before build-finished leaves its message filters on the
    loggers; the next build in the same process must not use them."""
    import logging
    from types import SimpleNamespace

    from specheft.sphinxext.diagnostics import locations
    from specheft.sphinxext.needs.messages import NEED_LOGGERS

    gone = SimpleNamespace(env=SimpleNamespace(doc2path=lambda docname: tmp_path / "gone.md"))
    stale = locations._NeedMessageFilter(gone)  # type: ignore[arg-type]
    for name in NEED_LOGGERS:
        logging.getLogger(name).addFilter(stale)
    try:
        test_satisfies_on_a_test_names_the_item_at_the_option_line(make_project, run_cli)
    finally:
        for name in NEED_LOGGERS:
            logging.getLogger(name).removeFilter(stale)
