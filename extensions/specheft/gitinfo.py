"""The git state of a project, for title pages and baselines: tag, commit, modified."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitState:
    describe: str  # e.g. "v1.0-3-gabc1234" or "abc1234"
    commit: str
    dirty: bool

    def __str__(self) -> str:
        return self.describe + (" (modified)" if self.dirty else "")


# A repository's own config can name programs that read-only commands run (core.fsmonitor
# runs on `git status`): a cloned tender repository must not execute anything.
SAFE_CONFIG = ("-c", "core.fsmonitor=false")


def _git(root: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    done = subprocess.run(
        [git, *SAFE_CONFIG, "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(root: Path) -> GitState | None:
    """None when ``root`` is not in a git work tree (or git is missing)."""
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    if commit is None:
        return None
    describe = _git(root, "describe", "--tags", "--always", "--abbrev=12") or commit
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--", ".")
    return GitState(describe, commit, bool(status))


def commit_time(root: Path) -> str | None:
    """The committer time of HEAD, ISO 8601 with offset (exports date themselves by it,
    not by the clock, so that the same sources give the same bytes)."""
    return _git(root, "log", "-1", "--format=%cI", "HEAD")


def toplevel(root: Path) -> Path | None:
    top = _git(root, "rev-parse", "--show-toplevel")
    return Path(top) if top else None
