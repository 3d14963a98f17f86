"""``specheft fingerprint``: the fingerprint of each document, now or at a git revision.

The value equals the one printed in the document's PDF when built from the same
sources, so anyone can check that a signed PDF matches a tagged revision.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specheft.config.settings import Document
from specheft.project.export_snapshot import Snapshot
from specheft.project.layout import Project
from specheft.trace.graph import TraceGraph


@dataclass(frozen=True)
class DocumentFingerprint:
    document: Document
    digest: str
    items: int


def _needs_build(project: Project) -> tuple[Any, list[Any]]:
    """(env, items) of ``project`` from a needs-only build (``specheft check``'s cache)."""
    from specheft.project.sphinx_run import items_build

    # the fingerprints show none of the build's warnings (a check of the same cache does)
    result, needs = items_build(project, warnings=False)
    return result.app.env, needs


#: The attributes of a trace placeholder that decide what it shows (not docutils' own).
_DIRECTIVE_KEYS = ("renderer", "options", "by", "target", "depth")


def trace_directives(env: Any, docnames: Iterable[str]) -> list[dict[str, Any]]:
    """The trace directives on the given pages, as the attributes of their placeholders.

    Read from the pickled doctrees, which keep the placeholders (they are replaced only
    in the written copy), so a needs-only build gives the same as a full one. Only the
    pages noted as holding one when they were read are loaded (unpickling every page of
    a large document took a second of each rebuild)."""
    from specheft.sphinxext.context.domain import specheft_domain
    from specheft.sphinxext.directives.base import trace_placeholder

    holding = specheft_domain(env).trace_docs
    found: list[dict[str, Any]] = []
    for docname in sorted(name for name in docnames if name in holding):
        try:
            doctree = env.get_doctree(docname)
        except OSError:
            continue  # a page in no build (e.g. removed since): it shows nothing
        for node in doctree.findall(trace_placeholder):
            found.append({k: node[k] for k in _DIRECTIVE_KEYS if k in node.attributes})
    return found


def trace_directives_by_page(env: Any) -> dict[str, list[dict[str, Any]]]:
    """docname → :func:`trace_directives` of that page, for every page holding one (what
    an export after the build reads instead of the doctrees: project/export_snapshot.py)."""
    from specheft.sphinxext.context.domain import specheft_domain

    by_page = {name: trace_directives(env, [name]) for name in specheft_domain(env).trace_docs}
    return {name: found for name, found in sorted(by_page.items()) if found}


def fingerprint_of(
    needs: Iterable[Any],
    docnames: Iterable[str],
    directives: Iterable[Mapping[str, Any]],
    *,
    graph: TraceGraph | None = None,
    memo: dict[str, str] | None = None,
    own: tuple[str, ...] = (),
) -> tuple[str, int]:
    """(digest, number of items) of the document made of the pages ``docnames`` that hold
    the trace directives ``directives``: see :func:`document_fingerprint`."""
    from specheft.trace.fingerprint import document_needs, fingerprint

    covered = document_needs(needs, docnames, directives, graph)
    if not covered:
        return "", 0
    return fingerprint(covered, memo, own)


def document_fingerprint(
    env: Any,
    needs: Iterable[Any],
    document: Document,
    *,
    graph: TraceGraph | None = None,
    memo: dict[str, str] | None = None,
    own: tuple[str, ...] = (),
) -> tuple[str, int]:
    """(digest, number of items) of a document: its items and what its directives show.

    The digest is empty when the document covers no item: a checksum over nothing
    certifies nothing, and no page and no command may present it as one. ``graph`` (of
    ``needs``) and ``memo`` save work when one build fingerprints several documents."""
    from specheft.sphinxext.rendering.documents import document_docnames

    docnames = document_docnames(env, document.start)
    directives = trace_directives(env, docnames)
    return fingerprint_of(needs, docnames, directives, graph=graph, memo=memo, own=own)


def project_needs(project: Project) -> list[Any]:
    return _needs_build(project)[1]


def snapshot_fingerprints(
    snapshot: Snapshot, documents: Iterable[Document], own: tuple[str, ...]
) -> list[tuple[Document, str, int]]:
    """(document, digest, items) of each document, from an export snapshot (the items of
    the last check, with their trace graph) and one memo of the items' normalized texts
    for all of them: what :func:`document_fingerprint` gives of the same sources."""
    memo: dict[str, str] = {}
    found = []
    for doc in documents:
        pages = snapshot.pages(doc.start)
        directives = snapshot.trace_directives(pages)
        digest = fingerprint_of(
            snapshot.needs, pages, directives, graph=snapshot.graph, memo=memo, own=own
        )
        found.append((doc, *digest))
    return found


def fingerprints(project: Project, names: tuple[str, ...] = ()) -> list[DocumentFingerprint]:
    """The fingerprint of each document ``names`` (default: every deliverable). When no
    source changed since the last ``check``, from the items it left (no Sphinx: 0.7
    instead of 2.3 s at N=5000); otherwise from the items build."""
    from specheft.project import export_snapshot, items_cache
    from specheft.project.lock import project_lock

    settings = project.settings()
    documents = [settings.document(n) for n in names] or list(settings.deliverables())
    own = settings.own_fields
    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    with project_lock(project.build_dir, "fingerprint"):
        snapshot = export_snapshot.load(project, items_cache.items_key(project), srcdir)
    if snapshot is not None:
        return [
            DocumentFingerprint(*found) for found in snapshot_fingerprints(snapshot, documents, own)
        ]
    env, needs = _needs_build(project)
    return [
        DocumentFingerprint(doc, *document_fingerprint(env, needs, doc, own=own))
        for doc in documents
    ]


def fingerprints_at(
    project: Project, revision: str, names: tuple[str, ...] = ()
) -> list[DocumentFingerprint]:
    """The fingerprints of the project's sources as committed in ``revision``.

    Read as ``specheft diff`` reads a revision (``revision.Repository``): resolved first,
    so a "revision" such as ``--output=FILE`` is never taken for an option of git."""
    # (here: git's reading and tar are for this command only, not for the exports)
    from specheft.project.revision import Repository, sync_tree

    repo = Repository.of(project)
    files = repo.sources(repo.resolve(revision), revision)
    with tempfile.TemporaryDirectory(prefix="specheft-rev-") as tmp:
        sync_tree(Path(tmp), files, stamp_ns=time.time_ns())
        return fingerprints(Project.at(tmp), names)
