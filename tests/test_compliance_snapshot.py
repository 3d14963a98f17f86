"""``compliance template|import|compare`` right after a check read the requirements from
the items the check left (no Sphinx): the same workbook as from the items build, after
random edits, with and without ``--document``; after an edit they build, and leave what
they built for the next command, as an export does."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specheft.errors import SpecheftError
from specheft.project import sphinx_run
from specheft.project.check import run_check
from specheft.project.compliance import write_template
from specheft.project.layout import Project

from .helpers import MiniProject
from .test_export_snapshot import _INDEX, _PAGES, _SETTINGS, _hit, random_edits


def _no_build(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("compliance built the items although the check left them")


def _template(root: Path, out: Path, document: str) -> bytes | str:
    """The workbook, or the error that refused it (a document without requirements)."""
    try:
        write_template(Project.at(root), "Alpha GmbH", out, document=document)
    except SpecheftError as exc:
        return str(exc)
    return out.read_bytes()


@pytest.mark.parametrize("document", ["", "lastenheft"])
def test_template_after_a_check_equals_the_built_one_after_random_edits(
    make_project: Callable[..., MiniProject],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    document: str,
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    project = Project.at(mini.root)
    rng = random.Random(16 + len(document))
    edits = rng.sample(random_edits(mini, rng), 6)
    out = tmp_path / "alpha.xlsx"
    outcomes: set[type] = set()
    for number, edit in enumerate([lambda: None, *edits]):
        edit()
        assert not _hit(mini.root), f"edit {number}: the snapshot still matched"
        built = _template(mini.root, out, document)  # builds, and keeps what it built
        assert _hit(mini.root), f"edit {number}: nothing left for the next command"
        run_check(project)
        assert _hit(mini.root)
        with monkeypatch.context() as patch:
            patch.setattr(sphinx_run, "items_build", _no_build)
            fast = _template(mini.root, out, document)
        assert fast == built, f"edit {number}"
        outcomes.add(type(fast))
    assert bytes in outcomes
