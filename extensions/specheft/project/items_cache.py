"""The items of the last ``specheft check``, kept for commands that only read them.

``results import``, ``accept`` and the like need the project's items, not a build. A
Sphinx run that finds nothing changed still costs start-up, loading the environment and
sphinx-needs' post-processing of every item — most of such a command's time on a large
project. ``check`` (and any command that had to build the items) therefore leaves the
trace graph it built in ``_build/.doctrees/check/specheft-items.pickle``, with a key over
everything the items are made of: every file in ``spec/`` (except the test runs, which
are evidence and never become items), ``conf/`` and the project's ``extensions/``, by
content, and specheft's code and library versions. A command whose key matches takes the
graph from there; any other difference is a miss and a normal build
(``tests/test_items_cache.py`` compares both paths after random edits).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specheft.codekey import code_key
from specheft.errors import SpecheftError
from specheft.fsutil import atomic_write_bytes
from specheft.project.inputs import update_with_sources
from specheft.project.layout import Project
from specheft.trace.graph import TraceGraph

_FORMAT = b"specheft-items-cache 2\n"


def _path(project: Project) -> Path:
    return project.doctree_dir("check") / "specheft-items.pickle"


def _runs_dir(project: Project) -> Path:
    from specheft.evidence.config import results_config

    try:
        runs_dir = results_config(project.settings()).runs_dir
    except SpecheftError:  # the build reports it; the key just does not skip anything
        return project.build_dir  # skipped anyway
    return project.root / runs_dir


def items_key(project: Project) -> str:
    """SHA-256 over the code and every file the items are read from, by path and content."""
    digest = hashlib.sha256(code_key())
    update_with_sources(digest, project, skip=[_runs_dir(project)])
    return digest.hexdigest()


def _header(key: str, size: int) -> bytes:
    """The file's first line after the format: the key and the size of the pickle, read
    without unpickling it."""
    return f"{key} {size}\n".encode()


def _stored_key(raw: bytes) -> tuple[str, int, int] | None:
    """(key, size of the pickle, where it starts) from the start of the file's bytes."""
    if not raw.startswith(_FORMAT):
        return None
    end = raw.find(b"\n", len(_FORMAT))
    try:
        key, size = raw[len(_FORMAT) : end].decode("ascii").split(" ")
        return key, int(size), end + 1
    except ValueError:
        return None


def read_keyed(path: Path, key: str) -> Any | None:
    """What ``path`` holds under ``key`` (written by :func:`write_keyed`), else None: a
    missing, foreign or damaged file is a miss, never an error (a damaged one is removed,
    so that it is written again)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    stored = _stored_key(raw)
    if stored is None or stored[0] != key:
        return None  # another key: not unpickled at all
    try:
        return pickle.loads(raw[stored[2] :])  # our own file in _build
    except Exception:  # damaged: a miss, and removed, so that it is written again
        path.unlink(missing_ok=True)
        return None


def write_keyed(path: Path, key: str, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    atomic_write_bytes(path, _FORMAT + _header(key, len(data)) + data)


def holds_keyed(path: Path, key: str) -> bool:
    """Whether ``path`` holds a whole pickle under ``key`` (its first line and size)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(len(_FORMAT) + 100)
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    stored = _stored_key(start)
    return stored is not None and stored[0] == key and size == stored[2] + stored[1]


def load(project: Project, key: str) -> TraceGraph | None:
    graph = read_keyed(_path(project), key)
    return graph if isinstance(graph, TraceGraph) else None


def store(project: Project, key: str, graph: TraceGraph) -> None:
    write_keyed(_path(project), key, graph)


def holds(project: Project, key: str) -> bool:
    """Whether the file holds a whole graph under ``key`` (its first line and size)."""
    return holds_keyed(_path(project), key)


def export_path(project: Project) -> Path:
    """Beside the graph, under the same key: what an export needs besides the graph
    (:mod:`specheft.project.export_snapshot`), read by nothing else."""
    return project.doctree_dir("check") / "specheft-export.pickle"


def store_if_unchanged(
    project: Project,
    key: str,
    graph: TraceGraph | Callable[[], TraceGraph] | None,
    export: Callable[[], Any] | None = None,
) -> None:
    """Keep ``graph`` under ``key`` (taken before the build) unless a file changed while
    it was built: the graph would then not be what the key describes. Not written again
    when the file already holds that key (a check with nothing changed: the same graph,
    0.1 s CPU at N=5000 to pickle it). ``export()``: the export's part of the same build,
    kept beside it the same way (made only when it is written); ``graph`` may be a
    callable too, called only when the graph is written, or None: nothing is written
    unless the file already holds the graph (the export's part is read only with it)."""
    if graph is None and not holds(project, key):
        return  # (asked first: the key hashes every source)
    if items_key(project) != key:
        return
    if graph is not None and not holds(project, key):
        store(project, key, graph if isinstance(graph, TraceGraph) else graph())
    if export is not None and not holds_keyed(export_path(project), key):
        write_keyed(export_path(project), key, export())


def cached_graph(project: Project, build: Callable[[], TraceGraph]) -> TraceGraph:
    """The graph from the cache if its inputs did not change, else ``build()`` stored.

    The key is taken before and after the build; a file changed meanwhile is not stored
    under a key that does not describe it."""
    key = items_key(project)
    graph = load(project, key)
    if graph is not None:
        return graph
    graph = build()
    store_if_unchanged(project, key, graph)
    return graph
