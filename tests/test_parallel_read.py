"""Parallel reading with the build's own process reading one batch (#17, ``check --fresh``).

``compat.read_sharing`` forks one worker less than there are batches and reads the first
(heaviest) batch in place, between the workers' forks and their merges: one pickling of
a whole environment and its unpickling less. Same items and messages as serial reading;
the pages read in place are not frozen for the collector while they are read.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sphinx.builders import Builder
from sphinx.util import parallel

from specheft.project import sphinx_run
from specheft.project.layout import Project
from specheft.project.sphinx_run import items_build

REPO = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path) -> Project:
    root = tmp_path / "example"
    shutil.copytree(REPO / "conf", root / "conf")
    shutil.copytree(REPO / "spec", root / "spec")
    return Project.at(root)


def _read(project: Project, jobs: int) -> tuple[str, list[tuple[Any, ...]]]:
    result, needs = items_build(project, fresh=True, jobs=jobs)
    # (in id order: the needs come in the order the batches are merged, as in Sphinx)
    items = json.dumps({n["id"]: dict(n) for n in needs}, sort_keys=True, default=repr)
    messages = sorted((m.path or "", m.line or 0, m.text) for m in result.messages)
    return items, messages


def test_the_build_process_reads_the_first_batch_and_forks_for_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = os.getpid()
    batches: list[list[str]] = []
    in_place: list[str] = []
    cached: list[bool] = []
    forked: list[list[str]] = []
    chunks = sphinx_run.balanced_chunks
    read_doc = Builder.read_doc
    add_task = parallel.ParallelTasks.add_task

    def spy_chunks(docnames: Any, nproc: int, path_of: Any) -> list[list[str]]:
        batches[:] = chunks(docnames, nproc, path_of)
        return batches

    def spy_read(self: Builder, docname: str, *, _cache: bool = True) -> None:
        if os.getpid() == main:
            in_place.append(docname)
            cached.append(_cache)
        read_doc(self, docname, _cache=_cache)

    def spy_add(self: Any, func: Any, arg: Any = None, result_func: Any = None) -> None:
        forked.append(list(arg))
        add_task(self, func, arg, result_func)

    monkeypatch.setattr(sphinx_run, "balanced_chunks", spy_chunks)
    monkeypatch.setattr(Builder, "read_doc", spy_read)
    monkeypatch.setattr(parallel.ParallelTasks, "add_task", spy_add)
    project = _project(tmp_path)
    parallel_read = _read(project, jobs=3)
    assert len(batches) == 3
    assert forked == batches[1:]  # two workers for three batches
    assert in_place == batches[0]  # the first, heaviest batch read here
    assert not any(cached)  # its doctrees go to disk, as the workers' do

    in_place.clear()
    serial = _read(project, jobs=1)
    assert len(in_place) == sum(map(len, batches))  # (read here, serially)
    assert parallel_read == serial


def test_pages_read_in_place_are_not_frozen_while_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in serial reading, the freeze before a page read in place comes before anything
    of it exists: its document stays with the collector and is freed after the page,
    instead of being kept frozen (with every page read here) to the end of the build."""
    from specheft.sphinxext.diagnostics import syntax

    main = os.getpid()
    seen: list[bool] = []
    check = syntax._check_doctree

    def recording(app: Any, doctree: Any) -> None:
        if os.getpid() == main:
            seen.append(any(o is doctree for o in gc.get_objects()))
        check(app, doctree)

    monkeypatch.setattr(syntax, "_check_doctree", recording)
    before = gc.get_freeze_count()
    items_build(_project(tmp_path), fresh=True, jobs=2)
    assert len(seen) > 5
    assert all(seen)
    assert gc.get_freeze_count() == before  # all given back when the build ended


def test_a_failure_while_reading_in_place_ends_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while this process reads its batch stops the build with that error, and
    the workers already forked are ended, not left running."""
    main = os.getpid()
    read_doc = Builder.read_doc
    terminated: list[int] = []
    terminate = parallel.ParallelTasks.terminate

    def failing(self: Builder, docname: str, *, _cache: bool = True) -> None:
        if os.getpid() == main:
            raise RuntimeError(f"cannot read {docname}")
        read_doc(self, docname, _cache=_cache)

    def recording(self: Any) -> None:
        terminated.append(len(self._precvs))
        terminate(self)

    monkeypatch.setattr(Builder, "read_doc", failing)
    monkeypatch.setattr(parallel.ParallelTasks, "terminate", recording)
    with pytest.raises(Exception, match="cannot read"):
        items_build(_project(tmp_path), fresh=True, jobs=2)
    assert terminated and terminated[0] == 1  # the one worker, still running, ended
