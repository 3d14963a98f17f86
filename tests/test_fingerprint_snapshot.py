"""``specheft fingerprint`` right after a check reads the items the check left (the
export snapshot and the trace graph) instead of building them: the same fingerprints as
the items build, after random edits, and none from a snapshot the sources have left."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from specheft.project import export_snapshot, sphinx_run
from specheft.project.check import run_check
from specheft.project.fingerprint import DocumentFingerprint, fingerprints
from specheft.project.layout import Project

from .helpers import MiniProject
from .test_export_snapshot import _INDEX, _PAGES, _SETTINGS, _hit, random_edits


def _no_build(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("fingerprint built the items although the check left them")


def _built(project: Project, monkeypatch: pytest.MonkeyPatch) -> list[DocumentFingerprint]:
    with monkeypatch.context() as patch:
        patch.setattr(export_snapshot, "load", lambda *args: None)
        return fingerprints(project)


def test_fingerprints_after_a_check_equal_the_built_ones_after_random_edits(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    project = Project.at(mini.root)
    rng = random.Random(1717)
    edits = random_edits(mini, rng)
    rng.shuffle(edits)
    for number, edit in enumerate([lambda: None, *edits]):
        edit()
        built = _built(project, monkeypatch)
        assert {f.document.name for f in built} == {"lastenheft", "bericht"}
        assert all(f.digest and f.items for f in built), f"edit {number}: {built}"
        if number:  # sources changed since the last check: not from its snapshot
            assert not _hit(mini.root)
            assert fingerprints(project) == built, f"edit {number}: a stale snapshot was read"
        run_check(project)
        assert _hit(mini.root)
        with monkeypatch.context() as patch:
            patch.setattr(sphinx_run, "items_build", _no_build)
            assert fingerprints(project) == built, f"edit {number}"
            one = fingerprints(project, ("bericht",))
        assert one == [f for f in built if f.document.name == "bericht"]


def test_fingerprint_after_a_check_imports_no_sphinx(
    make_project: Callable[..., MiniProject],
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    run_check(Project.at(mini.root))
    code = """
        import json, sys
        from specheft.cli import main
        code = main(["fingerprint", "--project", "."])
        print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=mini.root,
        capture_output=True,
        text=True,
        check=False,
    )
    code_, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert code_ == 0, done.stderr
    assert [m for m in modules if m.split(".")[0] in ("sphinx", "sphinx_needs", "docutils")] == []
    lines = done.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["lastenheft", "bericht"]
