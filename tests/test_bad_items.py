"""Every kind of bad item gives a located error (file:line, id, what is allowed) and exit 1."""

from __future__ import annotations

import pytest

from .helpers import item

GOOD_REQ = item(
    "req",
    "Ziel",
    "Das CRM-System muss zählen.",
    id="LH-KON-900",
    priority="must",
    phase="PHASE-IMPL",
)

CASES = {
    # name: (page text, expected line, expected fragments)
    "unknown priority": (
        item("req", "R", id="LH-KON-001", priority="mandatory", phase="PHASE-IMPL"),
        3,
        ["LH-KON-001", ":priority: 'mandatory' is not allowed", "allowed: must, should, can"],
    ),
    "unknown verification": (
        item(
            "req", "R", id="LH-KON-001", priority="can", verification="review", phase="PHASE-IMPL"
        ),
        4,
        ["LH-KON-001", "'review'", "allowed: test, inspection, demonstration, analysis"],
    ),
    "unknown test level": (
        item("test", "T", id="TC-SIT-001", level="SIT", verifies="LH-KON-900"),
        3,
        ["TC-SIT-001", "'SIT' is not allowed", "allowed: sit, uat", "did you mean 'sit'?"],
    ),
    "unknown solution": (
        item("spec", "S", id="PH-KON-001", satisfies="LH-KON-900", solution="custom"),
        4,
        [
            "PH-KON-001",
            "'custom'",
            "standard, configuration, customizing, third-party",
            "did you mean 'customizing'?",
        ],
    ),
    "unknown status": (
        item("req", "R", id="LH-KON-001", priority="can", status="approved", phase="PHASE-IMPL"),
        4,
        ["LH-KON-001", "'approved' is not allowed", "draft, review, agreed"],
    ),
    "unknown area": (
        item("req", "R", id="LH-KON-001", priority="can", area="KONX", phase="PHASE-IMPL"),
        4,
        ["LH-KON-001", "'KONX' is not allowed", "allowed: KON, VTR"],
    ),
    "id against its kind's pattern": (
        item("req", "R", id="LH-KONTAKTE-1", priority="can", phase="PHASE-IMPL"),
        2,
        ["LH-KONTAKTE-1", "does not match the id pattern of req items", "LH-KON-001"],
    ),
    "id of the wrong kind's prefix": (
        item("spec", "S", id="LH-KON-002", satisfies="LH-KON-900"),
        2,
        ["LH-KON-002", "id pattern of spec items", "PH-KON-001"],
    ),
    "missing priority": (
        item("req", "R", id="LH-KON-001", phase="PHASE-IMPL"),
        1,
        ["LH-KON-001", "req items must set :priority:"],
    ),
    "missing test level": (
        item("test", "T", id="TC-SIT-001", verifies="LH-KON-900"),
        1,
        ["TC-SIT-001", "test items must set :level:"],
    ),
    "bad phase date": (
        item("phase", "P", id="PHASE-X", order="9", start="2027-02-30"),
        4,
        ["PHASE-X", ":start: '2027-02-30' is not a date", "YYYY-MM-DD"],
    ),
    "phase order not a number": (
        item("phase", "P", id="PHASE-X", order="first"),
        1,
        ["Field 'order' is invalid", "Cannot convert 'first' to integer"],
    ),
    "duplicate id": (GOOD_REQ, 1, ["LH-KON-900", "already exists"]),
    "link to an unknown id": (
        item("spec", "S", id="PH-KON-001", satisfies="LH-KON-999"),
        3,
        ["PH-KON-001", ":satisfies: names 'LH-KON-999', which is no item"],
    ),
    "link to the wrong kind": (
        item("spec", "S", id="PH-KON-001", satisfies="PHASE-IMPL"),
        3,
        ["PH-KON-001", "'PHASE-IMPL'", "target need type 'phase' is not one of 'req' or 'excl'"],
    ),
    "link option not allowed on the kind": (
        item(
            "test", "T", id="TC-SIT-001", level="sit", satisfies="LH-KON-900", verifies="LH-KON-900"
        ),
        4,
        ["TC-SIT-001", ":satisfies: is not an option of test items", "tests use :verifies:"],
    ),
    "unknown option": (
        ":::{req} R\n:id: LH-KON-001\n:priority: can\n:verify: test\n"
        ":phase: PHASE-IMPL\n\nT.\n:::\n",
        4,
        ["unknown option :verify: on a req item", "did you mean 'verification'?"],
    ),
    "wrapped option value": (
        ":::{req} R\n:id: LH-KON-001\n:priority: can\n:acceptance: erste Zeile\n"
        "  zweite Zeile\n:phase: PHASE-IMPL\n\nT.\n:::\n",
        5,
        ["LH-KON-001", "the body starts indented", "must stay on one line"],
    ),
    "option after the body started": (
        ":::{req} R\n:id: LH-KON-001\n:priority: can\n\n:phase: PHASE-IMPL\nT.\n:::\n",
        5,
        ["LH-KON-001", "':phase:' is in the body, so it is text, not a field"],
    ),
    "field not allowed on the kind": (
        item("req", "R", id="LH-KON-001", priority="can", level="uat", phase="PHASE-IMPL"),
        4,
        ["LH-KON-001", ":level: is not an option of req items", "allowed: id, status"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_item_is_located_and_fails_the_build(case, make_project, run_cli):
    text, line, fragments = CASES[case]
    project = make_project({"good.md": "# Gut\n\n" + GOOD_REQ, "zbad.md": "# Schlecht\n\n" + text})
    before = project.snapshot()
    result = run_cli("build", project.root)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    located = [ln for ln in result.err.splitlines() if f"zbad.md:{line + 2}:" in ln]
    assert located, f"no message at zbad.md:{line + 2}:\n{result.err}"
    message = " ".join(located)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert project.snapshot() == before  # the sources are untouched


def test_all_errors_are_reported_in_one_run(make_project, run_cli):
    page = "# Schlecht\n\n" + "".join(
        CASES[name][0] for name in ("unknown priority", "unknown test level", "unknown solution")
    )
    project = make_project({"bad.md": page})
    result = run_cli("build", project.root)
    assert result.code == 1
    for fragment in ("'mandatory'", "'SIT'", "'custom'"):
        assert fragment in result.err
    shown = [ln for ln in result.err.splitlines() if ": ERROR: " in ln or ": WARNING: " in ln]
    assert f"the build reported {len(shown)} problem(s)" in result.err  # counted once each


def test_no_strict_builds_despite_warnings(make_project, run_cli):
    project = make_project({"bad.md": "# B\n\n" + CASES["unknown priority"][0]})
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.output
    assert (project.root / "_build/html/index.html").exists()
