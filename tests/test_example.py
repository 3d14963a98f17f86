"""The bundled example: builds with zero warnings, checks clean, and each rule fires on a
broken copy of it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .helpers import REPO


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("example") / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    return root


def test_example_builds_with_zero_warnings(example_copy, run_cli):
    result = run_cli("build", example_copy, "--fresh")
    assert result.code == 0, result.output
    assert "WARNING" not in result.err and "ERROR" not in result.err
    data = json.loads((example_copy / "_build/html/needs.json").read_text())
    needs = data["versions"][data["current_version"]]["needs"]
    kinds = {}
    for need in needs.values():
        kinds[need["type"]] = kinds.get(need["type"], 0) + 1
    assert set(kinds) == {"req", "excl", "spec", "test", "phase", "cr"}
    # the approved change request of the Pflichtenheft's chapter 10
    request = needs["CR-001"]
    assert (request["decision"], request["changes"]) == (
        "approved",
        ["PH-KON-001", "TC-SIT-KON-001"],
    )
    # the Abnahmeprotokoll lists the approved requests ({change-requests})
    accepted = (example_copy / "_build/html/abnahme/index.html").read_text(encoding="utf-8")
    assert "specheft-change-requests" in accepted and "CR-001" in accepted
    assert kinds["req"] >= 60 and kinds["excl"] >= 5 and kinds["phase"] == 7
    areas = {n["area"] for n in needs.values() if n["type"] == "req"}
    assert len(areas) >= 10
    priorities = {n["priority"] for n in needs.values() if n["type"] == "req"}
    assert priorities == {"must", "should", "can"}
    levels = {n["level"] for n in needs.values() if n["type"] == "test"}
    assert levels == {"sit", "uat"}


def test_example_checks_clean(example_copy, run_cli):
    result = run_cli("check", example_copy)
    assert result.code == 0, result.output
    assert " 0 errors, 0 warnings" in result.out


def _break(root: Path, pattern: str, replacement: str, file_glob: str = "**/*.md") -> Path:
    """Apply one regex edit to the first file that matches; the edited file."""
    for path in sorted((root / "spec").glob(file_glob)):
        text = path.read_text(encoding="utf-8")
        new, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        if count:
            path.write_text(new, encoding="utf-8")
            return path
    raise AssertionError(f"nothing matched {pattern!r}")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    return root


def _req_line(path: Path, req_id: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == f":id: {req_id}") - 1


def test_removing_the_tests_of_a_must_requirement_fails_the_check(broken, run_cli):
    # LH-KON-001 is verified by TC-UAT-KON-001 directly and by SIT tests of PH-KON-001
    needs_file = next((broken / "spec").glob("lastenheft/05-anforderungen/kontakte.md"))
    for path in (broken / "spec/testkatalog").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(
            r"^(:verifies: .*)$",
            lambda m: re.sub(r"(,\s*)?\b(LH-KON-001|PH-KON-001)\b", "", m.group(1)).replace(
                ":verifies: , ", ":verifies: "
            ),
            text,
            flags=re.M,
        )
        path.write_text(text, encoding="utf-8")
    result = run_cli("check", broken)
    assert result.code == 1, result.output
    line = _req_line(needs_file, "LH-KON-001")
    expected = (
        f"spec/lastenheft/05-anforderungen/kontakte.md:{line}: error: LH-KON-001: "
        "must requirement is not verified by any test case"
    )
    assert expected in result.out


@pytest.mark.parametrize(
    ("rule", "pattern", "replacement", "glob"),
    [
        (
            "req-satisfied",
            r"^:satisfies: LH-KON-001$",
            ":satisfies: LH-KON-002",
            "pflichtenheft/**/*.md",
        ),
        (
            "req-phase",
            r"^:phase: PHASE-IMPL\n(?=(?:.*\n){0,8}?\nDas CRM-System muss dem Vertriebsinnen)",
            "",
            "lastenheft/05-anforderungen/kontakte.md",
        ),
        (
            "scope-conflict",
            r"^:satisfies: (LH-KON-001.*)$",
            r":satisfies: \1, AB-001",
            "pflichtenheft/**/*.md",
        ),
        (
            "spec-unrequested",
            r"^:satisfies: LH-KON-001$",
            ":satisfies: AB-001",
            "pflichtenheft/**/*.md",
        ),
        ("test-unlinked", r"^:verifies: (.*)$", ":verifies: AB-002", "testkatalog/sit.md"),
        ("phase-order", r"^:phase: PHASE-TEST$", ":phase: PHASE-KICKOFF", "testkatalog/sit.md"),
        ("test-level", r"^:level: sit$", ":level: uat", "testkatalog/sit.md"),
    ],
)
def test_each_rule_fires_on_a_broken_copy(broken, run_cli, rule, pattern, replacement, glob):
    _break(broken, pattern, replacement, glob)
    result = run_cli("check", broken)
    assert result.code == 1, result.output
    assert re.search(rf"^{rule} — .*\n  spec/\S+\.md:\d+: error: ", result.out, flags=re.M), (
        result.out
    )


def test_inactive_items_still_linked_are_reported(broken, run_cli):
    # a Pflichtenheft item is withdrawn but its SIT test still verifies it
    _break(broken, r"^(:id: PH-KON-001)$", r"\1\n:status: rejected", "pflichtenheft/**/*.md")
    result = run_cli("check", broken, "--strict")
    assert result.code == 1, result.output
    assert re.search(
        r"^inactive-linked — .*\n  spec/testkatalog/\S+\.md:\d+: warning: TC-SIT-KON-\d+: "
        r":verifies: PH-KON-001 has status 'rejected'",
        result.out,
        flags=re.M,
    ), result.out
    # the withdrawn item no longer counts: its requirement has lost its only spec
    assert "LH-KON-001: must requirement is not satisfied" in result.out
