"""What ``specheft export xlsx|csv`` needs of an items build, kept beside the items cache.

An export of a project whose sources did not change since the last ``check`` (or since
the last command that built the items) needs no Sphinx: the trace graph is in the items
cache (:mod:`specheft.project.items_cache`), and this file, under the same key, holds the
rest the export reads of the build:

- each item's fields that the graph does not keep as the need has them (``rationale``,
  ``order``, ``start``, …, the project's own fields): the graph's items give the rest;
- every page's title (the tables' chapter column), the toctrees (the pages of a
  document) and the trace directives on each page (a document's fingerprint).

The export rebuilds from these a plain dict per item that reads, for every key the
tables, the fingerprints and the located errors ask for, what ``plain_needs`` gives or an
equivalent every reader treats alike (an empty value or a list as None or a tuple:
``tests/test_export_snapshot.py`` compares the bytes of both paths after random edits).
Items of other projects (``is_external``) are left out: no export shows them.

Written by ``check`` only when the key changed (0.01 s CPU at N=5000), never read by it;
a file that is missing, damaged, of another format or under another key is a miss, and
the export builds the items as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from specheft.gcpause import paused_collection
from specheft.model import FIELD_DEFS, FIELDS
from specheft.project import items_cache
from specheft.project.layout import Project
from specheft.toctree import reached
from specheft.trace.graph import ITEM_FIELDS, LINK_NAMES, Item, TraceGraph

_FORMAT = "specheft-export-snapshot 1"

#: What a graph item holds as the need has it (or an equivalent, see the module's text).
_KEPT = frozenset(("id", "type", "title", "status", "docname", "doctype", "lineno"))


def extra_keys(own: Sequence[str]) -> tuple[str, ...]:
    """The need fields an export reads that the graph's items do not keep as they are:
    every field of the model (tables, fingerprints) and the project's own ones, less
    those an :class:`Item` keeps (``order``: the graph keeps only a whole number)."""
    read = (*(f.name for f in FIELDS), *FIELD_DEFS, *own)
    kept = _KEPT | set(ITEM_FIELDS) | set(LINK_NAMES)
    return tuple(dict.fromkeys(name for name in read if name not in kept))


def make(
    needs: Iterable[Any],
    env: Any,
    own: Sequence[str],
    value: Callable[[Any, str], Any] | None = None,
) -> tuple[Any, ...]:
    """The export's part of a build: what :func:`load` reads, of plain builtins only.

    ``needs``: the build's needs (plain dicts or sphinx-needs' items); ``env``: its Sphinx
    environment; ``value(need, key)``: how to read a field (default ``need.get(key)``)."""
    from specheft.sphinxext.directives.base import trace_directives_by_page

    read = value or (lambda need, key: need.get(key))
    keys = extra_keys(own)
    extras: dict[str, dict[str, Any]] = {}
    for need in needs:
        if read(need, "is_external"):
            continue
        found = {key: v for key in keys if (v := read(need, key)) is not None}
        if found:
            extras[str(need["id"])] = found
    # in name order: the parallel read merges the workers' pages in the order they finish,
    # and the file is to be the same for the same sources
    chapters = {name: env.titles[name].astext() for name in sorted(env.titles)}
    toctree = {name: list(env.toctree_includes[name]) for name in sorted(env.toctree_includes)}
    return (_FORMAT, extras, chapters, toctree, trace_directives_by_page(env))


@dataclass
class Snapshot:
    """The export's view of a build: its items as plain dicts, their graph, page titles."""

    graph: TraceGraph
    needs: list[Any]
    chapters: dict[str, str]
    toctree: Mapping[str, list[str]]
    directives: Mapping[str, list[dict[str, Any]]]

    def pages(self, start: str) -> set[str]:
        """The start page and every page its toctrees reach (= ``document_docnames``)."""
        return reached(self.toctree, start)

    def trace_directives(self, docnames: Iterable[str]) -> list[dict[str, Any]]:
        """The trace directives on the pages (= ``base.trace_directives``)."""
        found: list[dict[str, Any]] = []
        for docname in sorted(name for name in docnames if name in self.directives):
            found.extend(self.directives[docname])
        return found


def _need(item: Item, extra: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    docname = item.docname
    need: dict[str, Any] = {
        "id": item.id,
        "type": item.kind,
        "title": item.title,
        "status": item.status,
        "docname": docname,
        "lineno": item.line,
        **item.links,
        **item.fields,
    }
    if docname and item.path:  # the graph made it f"{prefix}{docname}{doctype or '.md'}"
        need["doctype"] = item.path[len(prefix) + len(docname) :]
    if extra:
        need.update(extra)
    return need


def load(project: Project, key: str, srcdir: str) -> Snapshot | None:
    """The snapshot under ``key`` (``items_cache.items_key``) with the graph of the items
    cache, or None: a missing, damaged or foreign file, another key, another format."""
    path = items_cache.export_path(project)
    raw = items_cache.read_keyed(path, key)
    if raw is None:
        return None
    if not (
        isinstance(raw, tuple)
        and len(raw) == 5
        and raw[0] == _FORMAT
        and all(isinstance(part, dict) for part in raw[1:])
    ):  # not ours under this key (another format): removed, so that it is written again
        path.unlink(missing_ok=True)
        return None
    _, extras, chapters, toctree, directives = raw
    graph = items_cache.load(project, key)
    if graph is None:
        return None
    prefix = f"{srcdir.rstrip('/')}/" if srcdir else ""
    needs = [_need(item, extras.get(item.id), prefix) for item in graph.items.values()]
    return Snapshot(graph, needs, chapters, toctree, directives)


def of_build(part: tuple[Any, ...], needs: list[Any], graph: TraceGraph) -> Snapshot:
    """The export's view of its own items build: ``part`` (of :func:`make`), the build's
    ``needs`` as plain dicts and their ``graph``."""
    _, _, chapters, toctree, directives = part
    return Snapshot(graph, needs, chapters, toctree, directives)


def build(
    project: Project, own: Sequence[str], srcdir: str, progress: IO[str] | None = None
) -> tuple[Snapshot, tuple[Any, ...]]:
    """(the export's view, the part of it kept beside the items cache) of an items-only
    build: the sources changed since the last check. The view holds the graph a check
    makes of the same build: kept with the part (:func:`keep`), it spares the next
    command that reads a snapshot (an export, also of a CSV file, ``fingerprint``,
    ``compliance``) the build."""
    from specheft.project.sphinx_run import items_build
    from specheft.sphinxext.needs.data import plain_needs

    # none of the build's warnings is shown (a check of the same cache shows them)
    result, items = items_build(project, progress=progress, warnings=False)
    # (the build leaves the collector running and the environment unfrozen: paused again
    # for the rest, as a check does after its build)
    with paused_collection():
        # plain dicts, merged once: the graph, the fingerprints and the tables read some
        # forty fields of every item, each NeedItem.get a walk through its namespaces
        plain = plain_needs(items)
        part = make(plain, result.app.env, own)
        graph = TraceGraph.from_needs(plain, srcdir=srcdir)
    return of_build(part, plain, graph), part


def keep(project: Project, key: str, graph: TraceGraph, part: tuple[Any, ...]) -> None:
    """Leave an items build of :func:`build` for the next command, as a check does: the
    graph it made (equal to the check's) and the export's part."""
    items_cache.store_if_unchanged(project, key, graph, export=lambda: part)
