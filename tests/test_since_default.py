"""``specheft check --since`` without a revision: each document against its own latest
baseline tag (issue 14 point 4).

History of a scaffolded project with ``baseline = "lh-v*"`` (Lastenheft) and ``"ph-v*"``
(Pflichtenheft): lh-v1.0 and ph-v1.0 on the first commit; then LH-KON-001's text changed
and a requirement LH-KON-099 added on a Pflichtenheft page, tagged lh-v1.1 only; then,
uncommitted, LH-KON-002's priority lowered from must to should.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from specheft.cli import main

from .change_project import ADDED, CR_PAGE, KON
from .helpers import git, item_block, without_baselines

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _line_of(text: str, item_id: str) -> int:
    start = text.rindex(":::{", 0, text.index(f":id: {item_id}\n"))
    return text.count("\n", 0, start) + 1


def _edit(root: Path, item_id: str, old: str, new: str) -> None:
    kon = root / KON
    text = kon.read_text(encoding="utf-8")
    block = item_block(text, item_id)
    assert old in block, block
    kon.write_text(text.replace(block, block.replace(old, new)), encoding="utf-8")


def _patterns(root: Path, **patterns: str) -> None:
    toml = root / "conf/specheft.toml"
    text = toml.read_text(encoding="utf-8")
    for name, pattern in patterns.items():
        header = f"[documents.{name}]\n"
        assert header in text
        text = text.replace(header, f'{header}baseline = "{pattern}"\n')
    toml.write_text(text, encoding="utf-8")


def _scaffold(root: Path) -> None:
    assert main(["new", str(root), "--areas", "KON"]) == 0
    toml = root / "conf/specheft.toml"  # the tests set their own patterns
    toml.write_text(without_baselines(toml.read_text(encoding="utf-8")), encoding="utf-8")
    index = root / "spec/pflichtenheft/index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("umsetzung\n", "umsetzung\naenderungen\n"),
        encoding="utf-8",
    )
    (root / CR_PAGE).write_text("# Änderungsanträge\n", encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("since") / "crm"
    _scaffold(root)
    _patterns(root, lastenheft="lh-v*", pflichtenheft="ph-v*")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "1.0")
    git(root, "tag", "lh-v1.0")
    git(root, "tag", "ph-v1.0")
    _edit(root, "LH-KON-001", "anzulegen.", "anzulegen und zu pflegen.")
    page = root / CR_PAGE
    page.write_text(page.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    git(root, "commit", "-q", "-am", "Lastenheft 1.1")
    git(root, "tag", "lh-v1.1")
    text = item_block((root / KON).read_text(encoding="utf-8"), "LH-KON-002")
    assert ":priority: must" in text
    _edit(root, "LH-KON-002", ":priority: must", ":priority: should")
    return root


def _uncovered(run_cli, *args: str | Path) -> tuple[int, dict[str, dict]]:  # type: ignore[type-arg,no-untyped-def]
    result = run_cli("check", *args, "--format", "json")
    assert result.code in (0, 1), result.output
    findings = json.loads(result.out)["findings"]
    return result.code, {f["item"]: f for f in findings if f["rule"] == "change-uncovered"}


def test_each_document_is_compared_with_its_own_latest_baseline(run_cli, repo):  # type: ignore[no-untyped-def]
    # the bare option last: it takes no value
    result = run_cli("check", repo, "--format", "json", "--since")
    assert result.code == 1, result.output
    findings = json.loads(result.out)["findings"]
    found = {f["item"]: f for f in findings if f["rule"] == "change-uncovered"}
    # LH-KON-001 changed before lh-v1.1, the Lastenheft's latest baseline: not reported
    assert sorted(found) == ["LH-KON-002", "LH-KON-099"], found
    changed = found["LH-KON-002"]
    kon = (repo / KON).read_text(encoding="utf-8")
    assert (changed["path"], changed["line"]) == (KON, _line_of(kon, "LH-KON-002"))
    assert changed["level"] == "error"
    assert "must requirement changed (priority) since lh-v1.1," in changed["message"]
    # on a Pflichtenheft page: compared with ph-v1.0, where it was not yet
    added = found["LH-KON-099"]
    page = (repo / CR_PAGE).read_text(encoding="utf-8")
    assert (added["path"], added["line"]) == (CR_PAGE, _line_of(page, "LH-KON-099"))
    assert "must requirement added since ph-v1.0," in added["message"]


def test_a_named_revision_keeps_its_meaning(run_cli, repo):  # type: ignore[no-untyped-def]
    _code, found = _uncovered(run_cli, repo, "--since", "lh-v1.0")
    assert sorted(found) == ["LH-KON-001", "LH-KON-002", "LH-KON-099"]
    assert all(" since lh-v1.0," in f["message"] for f in found.values())


def test_without_a_matching_tag_or_pattern_exit_2(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "crm"
    _scaffold(root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "1.0")
    git(root, "tag", "v1.0")
    result = run_cli("check", root, "--since")
    assert result.code == 2, result.output
    assert "no document has a baseline pattern" in result.err
    assert 'baseline = "lh-v*"' in result.err and "--since REV" in result.err
    assert "Traceback" not in result.output
    _patterns(root, lastenheft="lh-v*")
    result = run_cli("check", root, "--since")
    assert result.code == 2, result.output
    assert "no git tag HEAD contains matches lh-v*" in result.err
    assert "--since REV" in result.err
    assert not (root / "_build").exists()  # refused before anything was built


def test_a_directory_taken_as_the_revision_is_explained(run_cli, repo, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(repo.parent)
    result = run_cli("check", "--since", repo.name)
    assert result.code == 2, result.output
    # the directory "." is no git work tree here; that error explains the option too
    assert f"specheft check {repo.name} --since" in result.err
    # the project named first and the option given a directory: git's error, and why
    result = run_cli("check", repo, "--since", repo)
    assert result.code == 2, result.output
    assert "unknown git revision" in result.err
    assert f"specheft check {repo} --since" in result.err


def test_shallow_clone_and_ambiguous_revision_exit_2(run_cli, repo, tmp_path):  # type: ignore[no-untyped-def]
    # a shallow clone of the second commit holds none of the tags HEAD contains
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-tags", f"file://{repo}", str(clone))
    result = run_cli("check", clone, "--since")
    assert result.code == 2, result.output
    assert "no git tag HEAD contains matches lh-v*, ph-v*" in result.err
    assert "shallow clone" in result.err and "fetch-depth: 0" in result.err
    old = git(repo, "rev-parse", "lh-v1.0").strip()
    result = run_cli("check", clone, "--since", old)
    assert result.code == 2 and "shallow clone" in result.err
    assert not (clone / "_build").exists()  # nothing built, nothing written
    git(repo, "branch", "lh-v1.0")  # a branch named like the tag
    try:
        result = run_cli("check", repo, "--since", "lh-v1.0")
        assert result.code == 2 and "ambiguous git revision 'lh-v1.0'" in result.err
    finally:
        git(repo, "branch", "-D", "lh-v1.0")


def test_diff_of_two_kept_revisions_builds_nothing_and_says_the_same(  # type: ignore[no-untyped-def]
    run_cli, repo, monkeypatch
):
    for tag in ("lh-v1.0", "lh-v1.1"):  # check --since keeps each revision's items
        assert run_cli("check", repo, "--since", tag).code in (0, 1)
    args = ("diff", "lh-v1.0", "lh-v1.1", repo, "--format", "json")
    built = {}
    kept = repo / "_build/.doctrees/since"
    hidden = repo.parent / "since-hidden"
    kept.rename(hidden)  # not kept: both sides built
    try:
        for extra in ((), ("--document", "pflichtenheft"), ("--document", "lastenheft")):
            result = run_cli(*args, *extra)
            assert result.code == 1, result.output
            built[extra] = result.out
    finally:
        hidden.rename(kept)
    import specheft.project.diff as diff_module

    calls = []
    original = diff_module._items

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[1].name)
        return original(*args, **kwargs)

    monkeypatch.setattr(diff_module, "_items", counted)
    for extra, expected in built.items():
        result = run_cli(*args, *extra)
        assert result.code == 1, result.output
        assert result.out == expected, extra
    assert calls == []  # nothing built
    changes = json.loads(built[()])["changes"]
    assert [(c["id"], c["status"]) for c in changes] == [
        ("LH-KON-001", "changed"),
        ("LH-KON-099", "added"),
    ]
    only = json.loads(built[("--document", "pflichtenheft")])["changes"]
    assert [c["id"] for c in only] == ["LH-KON-099"]
    # a document the kept revisions do not know: built, and the build names it
    unknown = run_cli("diff", "lh-v1.0", "lh-v1.1", repo, "--document", "lastenheftt")
    assert unknown.code == 2 and "no document 'lastenheftt'" in unknown.err
    # the working tree is never kept: that side is built
    calls.clear()
    assert run_cli("diff", "lh-v1.1", repo).code == 1
    assert calls == ["lh-v1.1", "working tree"]
