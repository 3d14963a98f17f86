"""The git state on title pages and `specheft fingerprint REV` against a tagged baseline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specheft.gitinfo import git_state

from .helpers import git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(run_cli, tmp_path: Path) -> Path:
    root = tmp_path / "crm"
    assert run_cli("new", root, "--areas", "KON,VTR").code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "v1.0")
    return root


def _fingerprints(run_cli, root: Path, *revision: str) -> dict[str, str]:
    result = run_cli("fingerprint", *revision, "--project", root)
    assert result.code == 0, result.output
    return {line.split("\t")[0]: line.split("\t")[1] for line in result.out.splitlines()}


def test_git_state_names_tag_and_modification(repo):
    state = git_state(repo)
    assert state is not None and state.describe == "v1.0" and not state.dirty
    page = next((repo / "spec/lastenheft").rglob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nNeuer Absatz.\n", encoding="utf-8")
    state = git_state(repo)
    assert state is not None and state.dirty and str(state) == "v1.0 (modified)"
    assert git_state(repo.parent / "elsewhere") is None  # not a repository


def test_fingerprint_of_a_tag_matches_the_sources_it_tagged(run_cli, repo):
    tagged = _fingerprints(run_cli, repo, "v1.0")
    assert tagged == _fingerprints(run_cli, repo)  # unchanged sources: the same value
    assert tagged["lastenheft"] and len(tagged["lastenheft"]) == 64
    page = repo / "spec/lastenheft/05-anforderungen/kon.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(":priority: should", ":priority: must", 1), encoding="utf-8")
    now = _fingerprints(run_cli, repo)
    assert now["lastenheft"] != tagged["lastenheft"]  # an item changed
    assert _fingerprints(run_cli, repo, "v1.0") == tagged  # the baseline did not
    unknown = run_cli("fingerprint", "v9.9", "--project", repo)
    assert unknown.code == 2 and "unknown git revision 'v9.9'" in unknown.err


def test_a_repository_config_runs_no_program(repo):
    marker = repo.parent / "ran"
    git(repo, "config", "core.fsmonitor", f"touch {marker}; false")
    page = next((repo / "spec").rglob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nGeändert.\n", encoding="utf-8")
    state = git_state(repo)
    assert state is not None and state.dirty
    assert not marker.exists()
