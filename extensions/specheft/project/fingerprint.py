"""``specheft fingerprint``: the fingerprint of each document, now or at a git revision.

The value equals the one printed in the document's PDF when built from the same
sources, so anyone can check that a signed PDF matches a tagged revision.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specheft.config.settings import Document, Settings
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


#: What a document with a vendor directive shows besides the requirements (made when
#: one is fingerprinted): :func:`vendor_records`.
Records = Callable[[], Sequence[Mapping[str, Any]]]


def vendor_records(root: Path, settings: Settings) -> list[dict[str, Any]]:
    """The scoring of ``[tender]`` and every answer file stored under ``answers_dir`` of
    the project in ``root``: what a vendor comparison and a bidder's answers show besides
    the requirements (``trace.fingerprint.answer_records``)."""
    from specheft.project.compliance import answers_dir
    from specheft.tender.config import tender_config
    from specheft.trace.fingerprint import answer_records

    config = tender_config(settings)
    # where `compliance import` writes them, through the same check (no symlink out)
    directory = answers_dir(Project.at(root), config)
    files = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
        try:
            files.append((path.name, path.read_bytes()))
        except OSError:
            files.append((path.name, b"\0unreadable"))  # no JSON: by its digest, as the build
    scoring = {
        "id": "tender:scoring",
        "points": dict(config.points),
        "weights": dict(config.weights),
        "area_weights": dict(config.area_weights),
        "knockout": list(config.knockout),
    }
    return [scoring, *answer_records(files)]


def fingerprint_of(
    needs: Iterable[Any],
    docnames: Iterable[str],
    directives: Iterable[Mapping[str, Any]],
    *,
    graph: TraceGraph | None = None,
    memo: dict[str, str] | None = None,
    own: tuple[str, ...] = (),
    records: Records | None = None,
) -> tuple[str, int]:
    """(digest, number of items) of the document made of the pages ``docnames`` that hold
    the trace directives ``directives``: see :func:`document_fingerprint`. ``records``:
    asked for only when a directive shows bidders' answers."""
    from specheft.trace.fingerprint import document_needs, fingerprint, shows_answers

    directives = list(directives)
    covered = document_needs(needs, docnames, directives, graph)
    if not covered:
        return "", 0
    shown = records() if records is not None and shows_answers(directives) else ()
    return fingerprint(covered, memo, own, shown)


def document_fingerprint(
    env: Any,
    needs: Iterable[Any],
    document: Document,
    *,
    graph: TraceGraph | None = None,
    memo: dict[str, str] | None = None,
    own: tuple[str, ...] = (),
    records: Records | None = None,
) -> tuple[str, int]:
    """(digest, number of items) of a document: its items and what its directives show
    (``records``: :func:`vendor_records`, for a document with a vendor directive).

    The digest is empty when the document covers no item: a checksum over nothing
    certifies nothing, and no page and no command may present it as one. ``graph`` (of
    ``needs``) and ``memo`` save work when one build fingerprints several documents."""
    from specheft.sphinxext.directives.base import trace_directives
    from specheft.sphinxext.rendering.documents import document_docnames

    docnames = document_docnames(env, document.start)
    directives = trace_directives(env, docnames)
    return fingerprint_of(
        needs, docnames, directives, graph=graph, memo=memo, own=own, records=records
    )


def project_needs(project: Project) -> list[Any]:
    return _needs_build(project)[1]


def snapshot_fingerprints(
    snapshot: Snapshot,
    documents: Iterable[Document],
    own: tuple[str, ...],
    records: Records | None = None,
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
            snapshot.needs,
            pages,
            directives,
            graph=snapshot.graph,
            memo=memo,
            own=own,
            records=records,
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
    records = functools.cache(lambda: vendor_records(project.root, settings))
    with project_lock(project.build_dir, "fingerprint"):
        snapshot = export_snapshot.load(project, items_cache.items_key(project), srcdir)
    if snapshot is not None:
        found = snapshot_fingerprints(snapshot, documents, own, records)
        return [DocumentFingerprint(*one) for one in found]
    env, needs = _needs_build(project)
    return [
        DocumentFingerprint(doc, *document_fingerprint(env, needs, doc, own=own, records=records))
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
