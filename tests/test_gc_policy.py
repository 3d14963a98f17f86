"""The cyclic garbage collector in a command that ends soon: off outside Sphinx's build.

After an items build the environment is unfrozen again, and every full collection then
walks all of it (~0.5 s CPU at N=5000 for a ``fingerprint`` after an edit), for cycles
that the process frees by ending. The build itself collects as before: its doctrees are
cyclic and would pile up.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator

import pytest
from sphinx.application import Sphinx

import specheft.cli as cli
from specheft.gcpause import paused_collection
from specheft.project.layout import Project
from specheft.project.sphinx_run import items_build

from .helpers import item


@pytest.fixture
def collector_on() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def test_the_command_line_runs_a_command_with_the_collector_paused(monkeypatch, collector_on):
    seen: list[bool] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.isenabled()) or 0)

    def leave(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(cli.os, "_exit", leave)
    with pytest.raises(SystemExit) as left:
        cli.run()
    assert left.value.code == 0
    assert seen == [False]
    assert gc.isenabled()  # the caller's state is back (in-process callers, tests)


@pytest.mark.parametrize("paused", [True, False], ids=["paused", "collecting"])
def test_a_build_collects_and_leaves_the_collector_as_the_caller_had_it(
    make_project, monkeypatch, collector_on, paused
):
    project = make_project({"a.md": "# A\n\n" + item("req", "Firmen", "Das CRM-System kann.")})
    during: list[bool] = []
    build = Sphinx.build

    def watched(self: Sphinx, *args: object, **kwargs: object) -> None:
        during.append(gc.isenabled())
        build(self, *args, **kwargs)

    monkeypatch.setattr(Sphinx, "build", watched)
    if paused:
        with paused_collection():
            items_build(Project.at(project.root), warnings=False)
            after = gc.isenabled()
    else:
        items_build(Project.at(project.root), warnings=False)
        after = gc.isenabled()
    assert during == [True]  # the build's doctrees are cyclic: collected while it runs
    assert after is not paused
    assert gc.get_freeze_count() == 0  # nothing left frozen for a long-lived caller


def test_a_site_build_collects_throughout_also_when_paused(make_project, monkeypatch, collector_on):
    """A build runs several Sphinx runs (baselines' old revisions, LaTeX, then HTML): each
    one's garbage is collected before the next loads, as before the command line paused."""
    import specheft.project.build as building

    project = make_project({"a.md": "# A\n\n" + item("req", "Firmen", "Das CRM-System kann.")})
    seen: list[bool] = []
    baselines = building.compute_baselines

    def watched(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return baselines(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(building, "compute_baselines", watched)
    with paused_collection():
        building.build(Project.at(project.root), strict=False, status=None, warning=io.StringIO())
        after = gc.isenabled()
    assert seen == [True]
    assert after is False
