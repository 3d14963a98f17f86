"""The items cache (``project/items_cache.py``): what ``results import`` and ``accept``
take from the last ``check`` is exactly what a fresh build of the items gives — after
random edits, including ones that keep a file's size and timestamp — and a test run
written in between does not invalidate it."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specheft.project import items_cache
from specheft.project.check import run_check
from specheft.project.layout import Project
from specheft.project.results import load_graph
from specheft.project.sphinx_run import items_build
from specheft.trace.graph import TraceGraph

from .helpers import MiniProject, item
from .test_sheets import PAGES
from .test_sheets_speed import _rewrite, _same_length_edit


def _fresh(root: Path) -> TraceGraph:
    project = Project.at(root)
    _, needs = items_build(project, fresh=True)
    return TraceGraph.from_needs(needs, srcdir="spec")


def _same(a: TraceGraph, b: TraceGraph) -> None:
    assert a.items == b.items
    assert a.incoming == b.incoming


def _hit(root: Path) -> bool:
    project = Project.at(root)
    return items_cache.load(project, items_cache.items_key(project)) is not None


def test_cached_items_equal_fresh_items_after_random_edits(
    make_project: Callable[..., MiniProject],
) -> None:
    mini = make_project(PAGES)
    root = mini.root
    project = Project.at(root)
    run_check(project)
    assert _hit(root)  # check left its items
    _same(load_graph(project), _fresh(root))
    rng = random.Random(13)
    kon, ph = root / "spec/kon.md", root / "spec/ph.md"
    edits: list[Callable[[], object]] = [
        lambda: _rewrite(kon, lambda t: _same_length_edit(t, rng)),
        lambda: _rewrite(kon, lambda t: t.replace(":priority: can", ":priority: must", 1)),
        lambda: _rewrite(
            ph, lambda t: t.replace(":satisfies: LH-KON-001", ":satisfies: LH-VTR-001")
        ),
        lambda: _rewrite(root / "spec/ab.md", lambda t: t.replace("Kein ERP", "Kein DMS")),
        lambda: mini.write(
            "spec/neu.md",
            "# Neu\n\n" + item("req", "Neu", "Das System soll X.", id="LH-VTR-009", priority="can"),
        ),
        lambda: _rewrite(root / "conf/specheft.toml", lambda t: t.replace("Mini", "Maxi")),
    ]
    rng.shuffle(edits)
    for number, edit in enumerate(edits):
        edit()
        assert not _hit(root), f"edit {number}: the cache still matched"
        if number % 2:  # after a check, and without one (load_graph builds and stores)
            run_check(project)
            assert _hit(root)
        cached = load_graph(project)
        assert _hit(root)
        _same(cached, _fresh(root))
        _same(load_graph(project), cached)


def test_a_test_run_written_does_not_invalidate_the_items(
    make_project: Callable[..., MiniProject],
) -> None:
    mini = make_project(PAGES)
    project = Project.at(mini.root)
    run_check(project)
    mini.write("spec/testkatalog/runs/2026-01-01_sit.json", '{"specheft": "run"}\n')
    assert _hit(mini.root)
    mini.write("spec/testkatalog/other.json", "{}\n")  # any other file in spec/ does
    assert not _hit(mini.root)


def test_a_damaged_cache_is_a_miss(make_project: Callable[..., MiniProject]) -> None:
    mini = make_project(PAGES)
    project = Project.at(mini.root)
    run_check(project)
    path = project.doctree_dir("check") / "specheft-items.pickle"
    path.write_bytes(path.read_bytes()[:100])
    assert not _hit(mini.root)
    _same(load_graph(project), _fresh(mini.root))
    assert _hit(mini.root)  # and written again


def test_a_page_put_back_with_an_old_timestamp_is_read_again(
    make_project: Callable[..., MiniProject], run_cli: Callable[..., Any]
) -> None:
    """Sphinx alone re-reads a page only when its file is newer than the last read
    (a backup restored, an archive unpacked, ``cp -p``): the build and the check would
    keep the old text. incremental/content.py compares each page's digest."""
    mini = make_project(PAGES)
    root = mini.root
    built = run_cli("build", "--no-strict", str(root))
    assert built.code == 0, built.output
    assert "Kein ERP" in mini.html("ab")
    _rewrite(root / "spec/ab.md", lambda t: t.replace("Kein ERP", "Kein DMS"))
    built = run_cli("build", "--no-strict", str(root))
    assert built.code == 0, built.output
    assert "Kein DMS" in mini.html("ab") and "Kein ERP" not in mini.html("ab")
    run_check(Project.at(root))
    _rewrite(root / "spec/ab.md", lambda t: t.replace("Kein DMS", "Kein CMS"))
    report = run_check(Project.at(root))
    assert report.graph.items["AB-001"].title == "Kein CMS"


def test_files_outside_the_sources_are_not_read(make_project: Callable[..., MiniProject]) -> None:
    """A virtual environment or node_modules beside spec/ is neither hashed on every
    command nor a reason to build again; the export cache reads the same folders."""
    mini = make_project(PAGES)
    project = Project.at(mini.root)
    run_check(project)
    mini.write(".venv-local/lib/site.py", "x = 1\n")
    mini.write("README.md", "# notes\n")
    assert _hit(mini.root)
    mini.write("extensions/local_ext.py", "x = 1\n")  # the project's own Sphinx code
    assert not _hit(mini.root)
