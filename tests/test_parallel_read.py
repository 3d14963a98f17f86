"""Parallel reading with the build's own process reading one batch (#17, ``check --fresh``).

``compat.read_sharing`` reads the first (heaviest) of two batches in place and forks one
worker for the other: one pickling of a whole environment and its unpickling less. With
more batches all are read by workers, as in Sphinx. Same items and messages as serial
reading; the pages read in place are not frozen for the collector while they are read.
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


def test_of_two_batches_the_build_process_reads_the_first_and_forks_for_the_other(
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
    parallel_read = _read(project, jobs=2)
    assert len(batches) == 2
    assert forked == batches[1:]  # one worker for two batches
    assert in_place == batches[0]  # the first, heaviest batch read here
    assert not any(cached)  # its doctrees go to disk, as the workers' do

    in_place.clear()
    forked.clear()
    three = _read(project, jobs=3)
    assert len(batches) == 3
    assert forked == batches and not in_place  # three workers, merged as they finish

    serial = _read(project, jobs=1)
    assert len(in_place) == sum(map(len, batches))  # (read here, serially)
    assert parallel_read == serial
    assert three == serial


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


# --- the workers' need nodes: one pickle each, unpickled only if used --------------------


def _lazy() -> tuple[Any, dict[str, Any]]:
    """A store with two workers' packed nodes (one entry dropped by the merge), and the
    plain dict the merges would have made."""
    import pickle

    from specheft.sphinxext.needs.nodestore import LazyNodes, PackedNodes

    first = PackedNodes(pickle.dumps({"b": [2], "c": [3]}))
    first.pop("c", None)
    second = PackedNodes(pickle.dumps({"d": [4]}))
    lazy = LazyNodes({"a": [1]})
    lazy.update(first)  # what sphinx-needs' merge does: nothing yet
    lazy.pending += [(first.blob, first.dropped), (second.blob, second.dropped)]
    return lazy, {"a": [1], "b": [2], "d": [4]}


@pytest.mark.parametrize(
    "operation",
    [
        lambda d: "b" in d,
        lambda d: "c" in d,
        lambda d: d["d"],
        lambda d: list(d),
        lambda d: list(reversed(d)),
        lambda d: len(d),
        lambda d: bool(d),
        lambda d: list(d.keys()),
        lambda d: list(d.values()),
        lambda d: list(d.items()),
        lambda d: d.get("b"),
        lambda d: d.get("c", "none"),
        lambda d: d.pop("b"),
        lambda d: d.pop("c", "none"),
        lambda d: d.popitem(),
        lambda d: d.setdefault("e", [5]),
        lambda d: d.__setitem__("b", [9]),
        lambda d: d.__delitem__("a"),
        lambda d: d.update({"z": [0]}),
        lambda d: d.update(z=[0]),
        lambda d: dict(d),
        lambda d: {**d},
        lambda d: d.copy(),
        lambda d: d == {"a": [1], "b": [2], "d": [4]},
        lambda d: repr(d),
        lambda d: d | {"z": [0]},
        lambda d: d.clear(),
    ],
)
def test_lazy_nodes_are_the_dict_the_merges_make(operation: Any) -> None:
    import copy
    import pickle

    lazy, merged = _lazy()
    assert operation(lazy) == operation(merged)
    assert list(dict.items(lazy)) == list(merged.items()) or not merged
    assert list(lazy.items()) == list(merged.items())
    again = pickle.loads(pickle.dumps(lazy))
    assert type(again) is dict and list(again.items()) == list(merged.items())
    assert copy.deepcopy(lazy) == merged


def test_a_store_nobody_reads_is_never_unpickled() -> None:
    lazy, _ = _lazy()
    assert lazy.pending and dict.__len__(lazy) == 1  # only this process's own node
    lazy, _ = _lazy()
    assert "a" in lazy and not lazy.pending and dict.__len__(lazy) == 3


def test_a_parallel_check_leaves_the_workers_nodes_packed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check drops every need node after reading (no content links here): the
    workers' ones are never unpickled."""
    from specheft.sphinxext.needs import nodestore

    unpacked: list[int] = []
    unpack = nodestore.LazyNodes.unpack

    def spy(self: Any) -> None:
        unpacked.append(len(self.pending))
        unpack(self)

    monkeypatch.setattr(nodestore.LazyNodes, "unpack", spy)
    kept: list[Any] = []
    keep = nodestore.keep_packed_nodes

    def spy_keep(app: Any, env: Any, docnames: Any, other: Any) -> None:
        keep(app, env, docnames, other)
        kept.append(env._needs_all_nodes)

    monkeypatch.setattr(nodestore, "keep_packed_nodes", spy_keep)
    # (the handler is connected by name at setup: look it up through the module)
    from specheft.sphinxext.needs import checkbuilder

    monkeypatch.setattr(checkbuilder, "keep_packed_nodes", spy_keep)
    _read(_project(tmp_path), jobs=2)
    assert len(kept) == 1 and kept[0].pending  # the one worker's nodes, kept packed
    assert not any(unpacked)  # and never unpickled


def test_with_content_links_the_nodes_of_a_parallel_check_equal_a_serial_ones(
    tmp_path: Path,
) -> None:
    """A need whose content names ``links_from_content`` makes the check keep every need
    node: read in parallel, the store holds what serial reading gives, in its order."""
    from .helpers import item

    project = _project(tmp_path)
    page = project.spec_dir / "lastenheft" / "inhaltslinks.md"
    page.write_text(
        "# Inhaltslinks\n\n"
        + item(
            "req",
            "Verweise im Text",
            "Das CRM-System muss Verweise im Text lesen (links_from_content).",
            id="LH-KON-901",
            priority="must",
            area="KON",
        ),
        encoding="utf-8",
    )
    index = project.spec_dir / "lastenheft" / "index.md"
    text = index.read_text(encoding="utf-8")
    assert "```{toctree}" in text or ":::{toctree}" in text
    index.write_text(text.replace("\n```\n", "\ninhaltslinks\n```\n", 1), encoding="utf-8")

    def nodes(jobs: int) -> list[tuple[str, str]]:
        result, _needs = items_build(project, fresh=True, jobs=jobs)
        store = result.app.env._needs_all_nodes
        return sorted((key, node.astext()) for key, node in store.items())

    serial = nodes(1)
    assert any(key == "LH-KON-901" for key, _ in serial) and len(serial) > 100
    assert nodes(2) == serial
