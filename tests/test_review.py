"""Suspect links and ``specheft review`` (issue #14, point 5).

A project from ``specheft new`` with two specs and two tests: PH-KON-001 satisfies
LH-KON-001 and LH-KON-002, PH-KON-002 satisfies LH-KON-003; TC-SIT-KON-001 verifies
PH-KON-001 and LH-KON-001, TC-SIT-KON-002 verifies PH-KON-002.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from specheft.cli import main
from specheft.trace.fingerprint import normalize
from specheft.trace.graph import Item
from specheft.trace.suspect import content_fingerprint, parse

KON = "spec/lastenheft/05-anforderungen/kon.md"
SPECS = "spec/pflichtenheft/umsetzung.md"
TESTS = "spec/testkatalog/sit.md"
OLD_TEXT = "Firmen mit Name, Anschrift, Branche und Größenklasse anzulegen."
NEW_TEXT = "Firmen mit Name, Anschrift, Branche, Größenklasse und Steuernummer anzulegen."

SPEC_ITEMS = """
:::{spec} Firmen anlegen
:id: PH-KON-001
:satisfies: LH-KON-001, LH-KON-002
:solution: standard
:area: KON
:phase: PHASE-IMPL

Firmen werden in der Standardmaske angelegt.
:::

% a comment between the items stays as it is

:::{spec} Personen
:id: PH-KON-002
:satisfies: LH-KON-003
:solution: standard
:area: KON
:phase: PHASE-IMPL

Personen werden in der Standardmaske angelegt.
:::
"""
TEST_ITEMS = """
:::{test} Firma anlegen
:id: TC-SIT-KON-001
:level: sit
:verifies: PH-KON-001, LH-KON-001
:phase: PHASE-TEST

Eine Firma anlegen.
:::

:::{test} Person anlegen
:id: TC-SIT-KON-002
:level: sit
:verifies: PH-KON-002
:phase: PHASE-TEST

Eine Person anlegen.
:::
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("review") / "crm"
    assert main(["new", str(root), "--areas", "KON,VTR"]) == 0
    for page, text in ((SPECS, SPEC_ITEMS), (TESTS, TEST_ITEMS)):
        path = root / page
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "crm"
    shutil.copytree(template, root, ignore=shutil.ignore_patterns("_build"))
    return root


def _findings(run_cli: Any, root: Path, *extra: str) -> list[dict[str, Any]]:
    result = run_cli("check", root, "--format", "json", *extra)
    assert result.code in (0, 1), result.output
    found = json.loads(result.out)["findings"]
    return sorted(found, key=lambda f: json.dumps(f, sort_keys=True))


def _suspects(run_cli: Any, root: Path) -> set[tuple[str, str, int]]:
    """(item, target, line) of every suspect-link finding."""
    found = set()
    for f in _findings(run_cli, root):
        if f["rule"] == "suspect-link":
            target = re.search(r":(?:satisfies|verifies): (\S+) changed", f["message"])
            assert target, f["message"]
            found.add((f["item"], target.group(1), f["line"]))
    return found


def _edit(root: Path, page: str, old: str, new: str) -> None:
    path = root / page
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit_item(root: Path, page: str, item_id: str, old: str, new: str) -> None:
    """Replace ``old`` in the block of item ``item_id`` only."""
    path = root / page
    text = path.read_text(encoding="utf-8")
    start = text.index(f":id: {item_id}\n")
    at = text.index(old, start)
    assert at < text.index("\n:::", start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def _line_of(root: Path, page: str, text: str) -> int:
    lines = (root / page).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def _changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


# --- the record and the fingerprint --------------------------------------------------------


def test_parse_reads_records_and_names_each_problem():
    records, problems = parse("LH-KON-001@3fa9c2, PH-KON-003@91be07aa  LH-KON-001@000000 x@1")
    assert [(r.target, r.fingerprint) for r in records] == [
        ("LH-KON-001", "3fa9c2"),
        ("PH-KON-003", "91be07aa"),
    ]
    assert problems == [
        "names LH-KON-001 twice",
        "'x@1' is not ID@FINGERPRINT (an item id, '@' and 6 to 64 lower-case hex digits)",
    ]
    assert parse("LH-KON-001@3FA9C2")[1]  # upper case is not what review writes
    assert parse("LH-KON-001@3fa9c")[1]  # too short to mean anything


def _req(**fields: str) -> Item:
    title = fields.pop("title", "Firmen anlegen")
    return Item("LH-KON-001", "req", title, status=fields.pop("status", None), fields=fields)


def test_the_fingerprint_covers_title_text_priority_acceptance_only():
    base = _req(content="Das System muss\nFirmen anlegen.", priority="must", acceptance="A.")
    same = [
        _req(content="Das  System muss Firmen   anlegen. ", priority="must", acceptance="A."),
        _req(
            content="Das System muss Firmen anlegen.",
            priority="must",
            acceptance="A.",
            status="agreed",
            area="KON",
            level="x",
        ),
    ]
    other = [
        _req(
            title="Firmen pflegen",
            content="Das System muss Firmen anlegen.",
            priority="must",
            acceptance="A.",
        ),
        _req(content="Das System muss Firmen löschen.", priority="must", acceptance="A."),
        _req(content="Das System muss Firmen anlegen.", priority="should", acceptance="A."),
        _req(content="Das System muss Firmen anlegen.", priority="must", acceptance="B."),
    ]
    assert {content_fingerprint(i) for i in same} == {content_fingerprint(base)}
    assert len({content_fingerprint(i) for i in [base, *other]}) == 5


def test_a_review_record_is_no_content_of_its_item():
    # recording a review must not change a signed document's fingerprint or specheft diff
    need = {"id": "PH-KON-001", "type": "spec", "title": "T", "reviewed": "LH-KON-001@3fa9c2"}
    assert "reviewed" not in normalize(need)


# --- suspect links ------------------------------------------------------------------------


def test_a_changed_requirement_makes_exactly_its_specs_and_tests_suspect(run_cli, project):
    assert run_cli("review", "--all", project).code == 0
    assert _suspects(run_cli, project) == set()
    _edit(project, KON, OLD_TEXT, NEW_TEXT)  # LH-KON-001
    spec_line = _line_of(project, SPECS, ":reviewed: LH-KON-001@")
    test_line = _line_of(project, TESTS, ":reviewed: LH-KON-001@")
    assert _suspects(run_cli, project) == {
        ("PH-KON-001", "LH-KON-001", spec_line),
        ("TC-SIT-KON-001", "LH-KON-001", test_line),
    }
    # a spec's text changes: the test verifying it becomes suspect, nothing else
    _edit(project, SPECS, "Personen werden in", "Personen und Rollen werden in")
    assert ("TC-SIT-KON-002", "PH-KON-002", _line_of(project, TESTS, "PH-KON-002@")) in (
        _suspects(run_cli, project)
    )
    assert len(_suspects(run_cli, project)) == 3
    listed = run_cli("review", "--list", project)
    assert listed.code == 1
    assert f"{SPECS}:{spec_line}: PH-KON-001: :satisfies: LH-KON-001 changed" in listed.out
    assert "3 suspect link(s) in 3 item(s)" in listed.out


def test_reformatting_a_requirement_makes_nothing_suspect(run_cli, project):
    assert run_cli("review", "--all", project).code == 0
    _edit(project, KON, " Firmen mit Name,", "\nFirmen   mit Name,")
    _edit_item(project, KON, "LH-KON-001", ":priority: must", ":priority:   must")
    assert _suspects(run_cli, project) == set()


def test_links_without_a_record_are_not_suspect(run_cli, project):
    _edit(project, KON, OLD_TEXT, NEW_TEXT)
    assert _suspects(run_cli, project) == set()
    listed = run_cli("review", "--list", project)
    assert listed.code == 0
    assert "0 reviewed, 6 without a recorded review" in listed.out


def test_review_clears_them_with_one_line_per_reviewed_item(run_cli, project):
    assert run_cli("review", "--all", project).code == 0
    _edit(project, KON, OLD_TEXT, NEW_TEXT)
    before = {p: (project / p).read_bytes() for p in (SPECS, TESTS)}
    done = run_cli("review", "PH-KON-001", "TC-SIT-KON-001", project)
    assert done.code == 0, done.output
    assert "Recorded 2 review(s) in 2 file(s)" in done.out
    for page in (SPECS, TESTS):
        [(old, new)] = _changed_lines(before[page], (project / page).read_bytes())
        assert old.startswith(b":reviewed: LH-KON-001@") and new.startswith(
            b":reviewed: LH-KON-001@"
        )
        # only LH-KON-001's fingerprint changed; the other entries stay as they were
        assert old.split()[2:] == new.split()[2:] and old.split()[1] != new.split()[1]
    assert _suspects(run_cli, project) == set()
    again = run_cli("review", "--all", project)
    assert "Recorded 0 review(s) in 0 file(s); 4 item(s) already up to date." in again.out


def test_review_keeps_every_other_byte_crlf_and_bom(run_cli, project):
    path = project / SPECS
    text = path.read_text(encoding="utf-8")
    original = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    assert run_cli("review", "PH-KON-002", project).code == 0
    written = path.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    old_lines, new_lines = original.splitlines(keepends=True), written.splitlines(keepends=True)
    [added] = [line for line in new_lines if line.startswith(b":reviewed:")]
    assert re.fullmatch(rb":reviewed: LH-KON-003@[0-9a-f]{6}\r\n", added)
    assert new_lines[: new_lines.index(added)] + new_lines[new_lines.index(added) + 1 :] == (
        old_lines
    )
    # a second review after a change rewrites that line in place, still CRLF
    _edit_item(project, KON, "LH-KON-003", ":priority: should", ":priority: must")
    assert run_cli("review", "PH-KON-002", project).code == 0
    rewritten = path.read_bytes()
    [(old, new)] = _changed_lines(written, rewritten)
    assert old == added and new.endswith(b"\r\n") and new != old
    assert rewritten.startswith(b"\xef\xbb\xbf")


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("LH-KON-001@3fa9", "'LH-KON-001@3fa9' is not ID@FINGERPRINT"),
        ("LH-KON-001@zzzzzz", "'LH-KON-001@zzzzzz' is not ID@FINGERPRINT"),
        ("LH-KON-999@3fa9c2", "names unknown item LH-KON-999"),
    ],
)
def test_a_bad_record_is_a_located_error(run_cli, project, value, message):
    _edit(
        project, SPECS, ":satisfies: LH-KON-003\n", f":satisfies: LH-KON-003\n:reviewed: {value}\n"
    )
    line = _line_of(project, SPECS, f":reviewed: {value}")
    [finding] = [f for f in _findings(run_cli, project) if f["rule"] == "reviewed-value"]
    assert (finding["level"], finding["item"], finding["path"], finding["line"]) == (
        "error",
        "PH-KON-002",
        SPECS,
        line,
    )
    assert message in finding["message"]
    before = {p: p.read_bytes() for p in (project / "spec").rglob("*.md")}
    refused = run_cli("review", "PH-KON-002", project)
    assert refused.code == 2
    assert f"{SPECS}:{line}: PH-KON-002: :reviewed: {message}" in refused.err
    assert "Traceback" not in refused.output
    assert {p: p.read_bytes() for p in before} == before
    # --all stops at the same item before writing any other
    assert run_cli("review", "--all", project).code == 2
    assert {p: p.read_bytes() for p in before} == before


def test_review_of_an_unknown_item_writes_nothing(run_cli, project):
    before = {p: p.read_bytes() for p in (project / "spec").rglob("*.md")}
    refused = run_cli("review", "PH-KON-001", "PH-KON-077", project)
    assert refused.code == 2
    assert "unknown item PH-KON-077" in refused.err
    refused = run_cli("review", "LH-KON-001", project)
    assert refused.code == 2
    assert "LH-KON-001 is a req item" in refused.err
    assert {p: p.read_bytes() for p in before} == before


def test_a_stale_entry_is_reported_and_dropped_by_review(run_cli, project):
    assert run_cli("review", "--all", project).code == 0
    _edit(project, SPECS, ":satisfies: LH-KON-001, LH-KON-002", ":satisfies: LH-KON-001")
    [finding] = [f for f in _findings(run_cli, project) if f["rule"] == "suspect-link"]
    assert "names LH-KON-002, which PH-KON-001 no longer links to" in finding["message"]
    before = (project / SPECS).read_bytes()
    assert run_cli("review", "PH-KON-001", project).code == 0
    [(old, new)] = _changed_lines(before, (project / SPECS).read_bytes())
    assert b"LH-KON-002@" in old and b"LH-KON-002" not in new
    assert [f for f in _findings(run_cli, project) if f["rule"] == "suspect-link"] == []


# --- cache ---------------------------------------------------------------------------------


def test_a_cached_recheck_equals_a_fresh_check_after_review_and_edits(run_cli, project, tmp_path):
    def same_as_fresh() -> list[dict[str, Any]]:
        twin = tmp_path / "twin"
        shutil.rmtree(twin, ignore_errors=True)
        shutil.copytree(project, twin, ignore=shutil.ignore_patterns("_build"))
        cached, fresh = _findings(run_cli, project), _findings(run_cli, twin, "--fresh")
        assert cached == fresh
        return cached

    first = same_as_fresh()  # fills the cache
    assert run_cli("review", "--all", project).code == 0
    same_as_fresh()
    _edit(project, KON, OLD_TEXT, NEW_TEXT)
    edited = same_as_fresh()
    assert {f["item"] for f in edited if f["rule"] == "suspect-link"} == {
        "PH-KON-001",
        "TC-SIT-KON-001",
    }
    assert run_cli("review", "PH-KON-001", "TC-SIT-KON-001", project).code == 0
    reviewed = same_as_fresh()
    assert [f for f in reviewed if f["rule"] == "suspect-link"] == []
    assert [f for f in first if f["rule"] == "suspect-link"] == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_list_shows_what_changed_since_the_committed_review(run_cli, project):
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    assert run_cli("review", "--all", project).code == 0
    git("add", "-A")
    git("commit", "-q", "-m", "reviewed")
    _edit(project, KON, OLD_TEXT, NEW_TEXT)
    _edit_item(project, KON, "LH-KON-001", ":priority: must", ":priority: should")
    listed = run_cli("review", "--list", "PH-KON-001", project)
    assert listed.code == 1, listed.output
    lines = listed.out.splitlines()
    at = lines.index(next(line for line in lines if ":satisfies: LH-KON-001 changed" in line))
    assert lines[at + 1].startswith("    reviewed in commit ")
    assert lines[at + 2] == (
        "    text: Das CRM-System muss dem Vertriebsinnendienst die Möglichkeit bieten, Firmen "
        "mit Name, Anschrift, Branche{+, Größenklasse+} und [-Größenklasse-] {+Steuernummer+} "
        "anzulegen."
    )
    assert lines[at + 3] == "    priority: [-must-]{+should+}"
    assert "1 suspect link(s) in 1 item(s)" in listed.out  # only PH-KON-001's links
