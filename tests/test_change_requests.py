"""Change requests (kind ``cr``) and the rule ``change-uncovered`` of ``check --since REV``.

History of a scaffolded project: v1 → LH-KON-001's text changed, LH-KON-099 (must) added,
LH-KON-004 (must) deleted, LH-KON-003 (should) made obsolete. A change request names
them in ``:changes:``; its decision decides whether they are covered.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from specheft.cli import main
from specheft.trace.changes import Since, requirement_changes, strongest_priority
from specheft.trace.diff import ItemState, diff_snapshots
from specheft.trace.graph import TraceGraph
from specheft.trace.rules import CheckOptions, evaluate

from .change_project import ADDED, CR_PAGE, KON
from .helpers import git, item_block

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REQUEST = """# Änderungsanträge

:::{{cr}} Firmenpflege und Dubletten
:id: CR-001
:reason: Die Buchhaltung braucht gepflegte, eindeutige Firmen.
:requested_by: Jana Brockmeyer
:date: 2026-10-01
:effort: 2,5
:impact: Maske Firma, Dublettenprüfung.
:decision: {decision}
:decision_date: 2026-10-08
:changes: {changes}

Firmen werden gepflegt statt nur angelegt; Dubletten werden erkannt.
:::
"""


def _line_of(text: str, item_id: str) -> int:
    """The line of the item's directive (``:::{req}``), 1-based."""
    start = text.rindex(":::{", 0, text.index(f":id: {item_id}\n"))
    return text.count("\n", 0, start) + 1


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cr") / "crm"
    assert main(["new", str(root), "--areas", "KON"]) == 0
    index = root / "spec/pflichtenheft/index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("umsetzung\n", "umsetzung\naenderungen\n"),
        encoding="utf-8",
    )
    (root / CR_PAGE).write_text("# Änderungsanträge\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "v1")
    kon = root / KON
    text = kon.read_text(encoding="utf-8")
    assert ":priority: must" in item_block(text, "LH-KON-001")
    assert ":priority: must" in item_block(text, "LH-KON-004")
    assert ":priority: should" in item_block(text, "LH-KON-003")
    first = item_block(text, "LH-KON-001")
    text = text.replace(first, first.replace("anzulegen.", "anzulegen und zu pflegen."))
    third = item_block(text, "LH-KON-003")
    text = text.replace(
        third, third.replace(":id: LH-KON-003\n", ":id: LH-KON-003\n:status: obsolete\n")
    )
    text = text.replace(item_block(text, "LH-KON-004"), "")
    kon.write_text(text + ADDED, encoding="utf-8")
    return root


def _request(root: Path, decision: str, changes: str) -> None:
    page = REQUEST.format(decision=decision, changes=changes)
    (root / CR_PAGE).write_text(page, encoding="utf-8")


def _uncovered(run_cli, root: Path, *args: str) -> tuple[int, dict[str, dict]]:  # type: ignore[type-arg]
    result = run_cli("check", root, "--format", "json", *args)
    assert result.code in (0, 1), result.output
    findings = json.loads(result.out)["findings"]
    return result.code, {f["item"]: f for f in findings if f["rule"] == "change-uncovered"}


ALL = "LH-KON-001, LH-KON-003, LH-KON-099"


def test_since_reports_each_change_no_request_covers(run_cli, repo):
    old = git(repo, "show", f"v1:{KON}")
    _request(repo, "open", ALL)
    code, found = _uncovered(run_cli, repo, "--since", "v1")
    assert code == 1
    assert sorted(found) == ["LH-KON-001", "LH-KON-003", "LH-KON-004", "LH-KON-099"]
    text = (repo / KON).read_text(encoding="utf-8")
    changed, added = found["LH-KON-001"], found["LH-KON-099"]
    assert (changed["level"], changed["path"], changed["line"]) == (
        "error",
        KON,
        _line_of(text, "LH-KON-001"),
    )
    assert "must requirement changed (text) since v1" in changed["message"]
    assert "(CR-001 names it, but is open)" in changed["message"]
    assert added["level"] == "error" and added["line"] == _line_of(text, "LH-KON-099")
    assert "added since v1" in added["message"]
    # should: a warning; made obsolete counts as removed
    obsolete = found["LH-KON-003"]
    assert obsolete["level"] == "warning"
    assert "removed (status changed to obsolete" in obsolete["message"]
    # deleted: where it stood in v1, and said so
    deleted = found["LH-KON-004"]
    assert (deleted["level"], deleted["path"]) == ("error", KON)
    assert deleted["line"] == _line_of(old, "LH-KON-004")
    assert "shown where it stood in v1" in deleted["message"]
    assert "status: obsolete" in deleted["hint"]


def test_an_approved_request_clears_what_it_names_a_rejected_one_does_not(run_cli, repo):
    _request(repo, "approved", ALL)
    _code, found = _uncovered(run_cli, repo, "--since", "v1")
    assert sorted(found) == ["LH-KON-004"]  # a deleted item cannot be named
    # naming the obsolete LH-KON-003 is what a change request is for: no inactive-linked
    report = json.loads(run_cli("check", repo, "--format", "json").out)
    assert [f for f in report["findings"] if f["item"] == "CR-001"] == []
    _request(repo, "implemented", "LH-KON-001")
    _code, found = _uncovered(run_cli, repo, "--since", "v1")
    assert sorted(found) == ["LH-KON-003", "LH-KON-004", "LH-KON-099"]
    _request(repo, "rejected", ALL)
    _code, found = _uncovered(run_cli, repo, "--since", "v1")
    assert sorted(found) == ["LH-KON-001", "LH-KON-003", "LH-KON-004", "LH-KON-099"]
    assert "CR-001 names it, but is rejected" in found["LH-KON-001"]["message"]


def test_without_since_the_rule_is_silent_and_levels_are_configurable(run_cli, repo):
    _request(repo, "open", ALL)
    _code, found = _uncovered(run_cli, repo)
    assert found == {}
    settings = repo / "conf/specheft.toml"
    before = settings.read_text(encoding="utf-8")
    try:
        settings.write_text(
            before + '\n[rules.change-uncovered]\nmust = "warning"\nshould = "off"\n',
            encoding="utf-8",
        )
        _code, found = _uncovered(run_cli, repo, "--since", "v1")
        assert {f["level"] for f in found.values()} == {"warning"}
        assert "LH-KON-003" not in found
    finally:
        settings.write_text(before, encoding="utf-8")


def test_bad_revision_and_no_repository_exit_2(run_cli, repo, tmp_path):
    result = run_cli("check", repo, "--since", "v9")
    assert result.code == 2
    assert "unknown git revision 'v9'" in result.err and "git said:" in result.err
    assert "Traceback" not in result.err
    plain = tmp_path / "plain"
    assert main(["new", str(plain), "--areas", "KON"]) == 0
    result = run_cli("check", plain, "--since", "v1")
    assert result.code == 2
    assert "is not inside a git work tree" in result.err


def test_a_request_is_no_requirement_and_its_values_are_checked(run_cli, repo):
    _request(repo, "approved", "LH-KON-001")
    result = run_cli("check", repo, "--format", "json")
    report = json.loads(result.out)
    assert not [f for f in report["findings"] if f.get("item") == "CR-001"]
    rows = {row["id"] for row in report["requirements"]}
    assert "LH-KON-001" in rows and "CR-001" not in rows
    page = REQUEST.format(decision="vielleicht", changes="LH-KON-001")
    page = page.replace(":date: 2026-10-01", ":date: 1.10.2026").replace("2,5", "zwei")
    (repo / CR_PAGE).write_text(page, encoding="utf-8")
    result = run_cli("check", repo, "--format", "json")
    findings = {
        f["message"].split(" ")[0]: f
        for f in json.loads(result.out)["findings"]
        if f.get("item") == "CR-001"
    }
    lines = page.splitlines()
    for name, said in (
        (":decision:", "is not allowed"),
        (":date:", "is not a date"),
        (":effort:", "is not a number"),
    ):
        assert said in findings[name]["message"]
        assert lines[findings[name]["line"] - 1].startswith(name)
        assert findings[name]["path"] == CR_PAGE


# --- pure ------------------------------------------------------------------------------


def _state(item_id: str, priority: str, status: str | None = None, kind: str = "req") -> ItemState:
    values = {"title": "T", "priority": priority}
    if status:
        values["status"] = status
    return ItemState(item_id, kind, "spec/a.md", 3, values, {})


def test_lowering_a_must_is_a_change_of_a_must():
    assert strongest_priority("must", "can") == "must"
    assert strongest_priority(None, "should") == "should"
    assert strongest_priority(None, None) is None
    before = {"LH-A-001": _state("LH-A-001", "must")}
    now = {"LH-A-001": _state("LH-A-001", "can")}
    graph = TraceGraph.from_needs(
        [{"id": "LH-A-001", "type": "req", "title": "T", "priority": "can", "docname": "a"}]
    )
    since = Since("v1", before, diff_snapshots(before, now, "v1", "now"))
    (found,) = requirement_changes(graph, since)
    assert found.priority == "must"
    findings = evaluate(graph, options=CheckOptions(since=since)).findings
    assert [(f.rule, f.level) for f in findings if f.rule == "change-uncovered"] == [
        ("change-uncovered", "error")
    ]


def test_deleting_a_withdrawn_requirement_or_moving_one_is_no_change():
    before = {
        "LH-A-001": _state("LH-A-001", "must", "obsolete"),
        "LH-A-002": _state("LH-A-002", "must"),
    }
    moved = ItemState("LH-A-002", "req", "spec/b.md", 9, before["LH-A-002"].values, {})
    since = Since("v1", before, diff_snapshots(before, {"LH-A-002": moved}, "v1", "now"))
    graph = TraceGraph.from_needs(
        [{"id": "LH-A-002", "type": "req", "title": "T", "priority": "must", "docname": "b"}]
    )
    assert list(requirement_changes(graph, since)) == []


def test_change_requests_directive_lists_the_requests_of_the_decisions_asked(run_cli, repo):
    second = (
        REQUEST.format(decision="rejected", changes="LH-KON-002")
        .replace("CR-001", "CR-002")
        .replace("Firmenpflege und Dubletten", "Firmenlogo")
        .replace("# Änderungsanträge\n", "")
    )
    page = REQUEST.format(decision="approved", changes=ALL) + second
    page = page.replace(
        "# Änderungsanträge\n",
        "# Änderungsanträge\n\n:::{change-requests}\n:decision: approved, implemented\n:::\n\n"
        ":::{change-requests}\n:::\n",
    )
    (repo / CR_PAGE).write_text(page, encoding="utf-8")
    result = run_cli("build", repo, "--fresh")
    assert result.code == 0, result.output
    html = (repo / "_build/html/pflichtenheft/aenderungen.html").read_text(encoding="utf-8")
    first, every = html.split('class="specheft-change-requests')[1:3]
    first = first.split("</table>")[0]
    every = every.split("</table>")[0]
    assert "CR-001" in first and "CR-002" not in first
    assert "CR-001" in every and "CR-002" in every
    for text in ("Jana Brockmeyer", "01.10.2026", "2,5", "Genehmigt, 08.10.2026", "LH-KON-099"):
        assert text in first, text
    assert "Abgelehnt" in every
    # the items themselves show their dates as the tables do (they showed 2026-10-01)
    assert html.count("01.10.2026") >= 3 and "2026-10-01" not in html


def test_the_revisions_items_are_kept_per_commit_and_rebuilt_for_other_code(run_cli, repo):
    _request(repo, "approved", ALL)
    _uncovered(run_cli, repo, "--since", "v1")
    cache = repo / "_build/.doctrees/since" / f"{git(repo, 'rev-parse', 'v1')}.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    # an item only the cache knows: reported as deleted, so the cache was read
    ghost = dict(stored["items"]["LH-KON-002"], id="LH-KON-777")
    stored["items"]["LH-KON-777"] = ghost
    cache.write_text(json.dumps(stored), encoding="utf-8")
    _code, found = _uncovered(run_cli, repo, "--since", "v1")
    assert sorted(found) == ["LH-KON-004", "LH-KON-777"]
    stored["version"] = "other code"
    cache.write_text(json.dumps(stored), encoding="utf-8")
    _code, found = _uncovered(run_cli, repo, "--since", "v1")
    assert sorted(found) == ["LH-KON-004"]
    assert "LH-KON-777" not in cache.read_text(encoding="utf-8")
