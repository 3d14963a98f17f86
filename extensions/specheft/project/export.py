"""``specheft export xlsx|csv|reqif`` as library calls.

Each reads the items with the items-only build (``specheft check``'s cache, under the
project's lock) — or, for xlsx/csv, takes the bytes from the export cache
(:mod:`specheft.project.export_cache`) when every input is the same as when they were
written, or the items from the last check (or export that built them) without starting
Sphinx (:mod:`specheft.project.export_snapshot`) when no source changed since — hands them to
the pure writer in :mod:`specheft.io.sheets.export` or :mod:`specheft.io.reqif.export`
and writes the file atomically. Nothing is printed: the result says what was written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from specheft import forked
from specheft.config.settings import Document
from specheft.errors import UsageError
from specheft.fsutil import atomic_write_bytes
from specheft.gcpause import paused_collection
from specheft.gitinfo import commit_time, git_state
from specheft.io.sheets.tables import KIND_TABLES, Table
from specheft.project import export_cache, export_snapshot, items_cache
from specheft.project.fingerprint import snapshot_fingerprints, vendor_records
from specheft.project.layout import Project
from specheft.project.lock import project_lock


@dataclass(frozen=True)
class SheetExport:
    target: Path
    #: (key, number of rows) of every table of the export: a workbook's five, a CSV
    #: file's one
    counts: list[tuple[str, int]]
    #: the bytes came from the export cache (the same inputs were exported before)
    cached: bool = False
    load_tables: Callable[[], list[Table]] = field(default=list, repr=False, compare=False)

    @property
    def tables(self) -> list[Table]:
        """Every table of the export (a CSV file holds one); from the export cache only
        when asked for (the CLI needs the counts only)."""
        return self.load_tables()


@dataclass(frozen=True)
class ReqifExport:
    target: Path
    items: int
    specifications: int
    #: images the item text names that are missing, or not packed (no --zip)
    warnings: list[str] = field(default_factory=list)


def _items(
    project: Project, chosen: Document | None, progress: IO[str] | None
) -> tuple[Any, list[Any], set[str] | None]:
    """(Sphinx environment, items, docnames of ``chosen`` or None) of an items-only build."""
    from specheft.project.sphinx_run import items_build
    from specheft.sphinxext.rendering.deliverables import document_docnames

    # an export shows none of the build's warnings (a check of the same cache does)
    result, needs = items_build(project, progress=progress, warnings=False)
    env = result.app.env
    pages = document_docnames(env, chosen.start) if chosen is not None else None
    return env, needs, pages


#: Items from which a workbook's fingerprints are computed in a forked process, beside
#: the tables and rows (0.5 s of 1.5 at N=5000); below, a fork costs more than it saves.
FORK_FINGERPRINTS = 2000


def _table_items(needs: list[Any], kind: str) -> list[Any]:
    """The items a CSV file of table ``kind`` shows: an item table's kind's only; all of
    them for the coverage."""
    kinds = {name: of for of, name, _ in KIND_TABLES}
    if kind not in kinds:
        return needs
    return [n for n in needs if n.get("type") == kinds[kind]]


@contextlib.contextmanager
def _aged() -> Iterator[None]:
    """What the block allocates counts as old for the garbage collector afterwards: after
    :func:`paused_collection`, the first allocation would set off a collection of all of
    it (the tables and the items' plain dicts, 0.04 s CPU at N=5000)."""
    try:
        yield
    finally:
        gc.freeze()  # moves every tracked object aside and resets the young count...
        gc.unfreeze()  # ...and back, into the oldest generation


def default_sheet_name(project: Project, fmt: str, kind: str) -> Path:
    """``<project folder>.xlsx`` or ``<project folder>-<kind>.csv`` in the current directory."""
    name = project.root.resolve().name or "specheft"
    return Path(f"{name}-{kind}.csv" if fmt == "csv" else f"{name}.xlsx")


def commit_date(root: Path) -> dt.datetime | None:
    """The committer date of HEAD: exports are dated by it, never by the clock."""
    stamp = commit_time(root)
    try:
        return dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def export_sheets(
    project: Project,
    fmt: str,
    *,
    target: Path | None = None,
    document: str | None = None,
    kind: str = "requirements",
    progress: IO[str] | None = None,
) -> SheetExport:
    """Write the items as a workbook (``fmt`` "xlsx") or one table ``kind`` as CSV."""
    from specheft.io.sheets.export import collect, collect_table, csv_bytes, xlsx_bytes

    target = target or default_sheet_name(project, fmt, kind)
    if target.suffix.lower() != f".{fmt}":
        raise UsageError(f"{target}: the output of 'export {fmt}' must end in .{fmt}")
    project.refuse_sources(target, "--out")
    with project_lock(project.build_dir, f"export {fmt}"):
        settings = project.settings()
        state = git_state(project.root)
        committed = commit_date(project.root) if state else None
        slot = export_cache.Slot(
            project.build_dir,
            f"{fmt}-{kind}-{document or ''}",
            export_cache.inputs_key(
                project,
                skip=(project.build_dir, target),
                extra=(
                    fmt,
                    kind,
                    document or "",
                    str(state),
                    str(committed),
                    os.environ.get("SOURCE_DATE_EPOCH", ""),  # the build's dates
                ),
            ),
        )
        hit = slot.load()
        if hit is not None:
            data, counts = hit
            atomic_write_bytes(target, data)
            return SheetExport(target, counts, cached=True, load_tables=slot.tables)
        chosen = settings.document(document) if document else None
        srcdir = project.spec_dir.relative_to(project.root).as_posix()
        key = items_cache.items_key(project)
        # No cyclic garbage collection while the tables and the workbook are made: the
        # build's environment (millions of objects) is still alive, and a full collection
        # walked all of it again and again (a third of an export after an edit; gc.freeze
        # cured that). Even without it, the collections that the tables' and dicts'
        # allocations set off were a sixth of the export's own work; all of it is freed
        # by reference counting or stays. (Not around the items build: it runs the
        # collector as a check does, and turns it on again when it ends.)
        with paused_collection(), _aged():
            # the sources as at the last check (or items build): no Sphinx at all
            snapshot = export_snapshot.load(project, key, srcdir)
        part = None
        if snapshot is None:
            snapshot, part = export_snapshot.build(project, settings.own_fields, srcdir, progress)
        with paused_collection(), _aged():
            needs, graph = snapshot.needs, snapshot.graph
            pages = snapshot.pages(chosen.start) if chosen is not None else None
            chapters = snapshot.chapters
            if fmt == "csv":
                needs = _table_items(needs, kind)
                # a CSV file holds one table: only that one is made (no cover, so no
                # fingerprints; no trace graph unless the table is the coverage)
                table = collect_table(
                    needs,
                    kind,
                    chapters=chapters,
                    srcdir=srcdir,
                    pages=pages,
                    custom=settings.fields,
                    graph=graph,
                )
                tables, data = [table], csv_bytes(table)
            else:
                fingerprints = forked.start(
                    functools.partial(
                        snapshot_fingerprints,
                        snapshot,
                        (chosen,) if chosen else settings.deliverables(),
                        settings.own_fields,
                        functools.cache(lambda: vendor_records(project.root, settings)),
                    ),
                    fork=len(needs) >= FORK_FINGERPRINTS,
                )
                export = collect(
                    needs,
                    info=settings.project,
                    chapters=chapters,
                    srcdir=srcdir,
                    document=chosen,
                    pages=pages,
                    revision=str(state) if state else None,
                    committed=committed,
                    fingerprints=fingerprints,
                    custom=settings.fields,
                    graph=graph,
                )
                tables, data = export.tables, xlsx_bytes(export)
        if part is not None:
            export_snapshot.keep(project, key, graph, part)
        counts = [(t.key, len(t.rows)) for t in tables]
        slot.store(data, counts, tables)
    atomic_write_bytes(target, data)
    return SheetExport(target, counts, load_tables=lambda: tables)


def export_reqif(
    project: Project,
    *,
    target: Path | None = None,
    document: str | None = None,
    as_zip: bool = False,
    progress: IO[str] | None = None,
) -> ReqifExport:
    """Write the items as ReqIF 1.2 (``as_zip``: a .reqifz holding the .reqif)."""
    from specheft.io.reqif.export import Media, documents_from_needs, export_time, render, zipped

    settings = project.settings()
    suffix = ".reqifz" if as_zip else ".reqif"
    target = target or project.build_dir / "reqif" / f"{project.root.name or 'specheft'}{suffix}"
    if target.suffix.lower() != suffix:
        raise UsageError(
            f"{target}: the output must end in {suffix}",
            hint="--zip writes .reqifz, without it .reqif",
        )
    project.refuse_sources(target, "--out")
    chosen = settings.document(document) if document else None
    with project_lock(project.build_dir, "export reqif"):
        _, needs, pages = _items(project, chosen, progress)
    # the build turns the collector on again and unfreezes its environment: without the
    # pause, the documents' allocations set off full collections over it (0.4-0.5 s CPU
    # after a one-title edit at N=5000); all of it is freed by reference counting or stays
    with paused_collection():
        if pages is not None:
            needs = [n for n in needs if n.get("docname") in pages]
        documents = documents_from_needs(needs, settings.fields)
        when = export_time(project.root)
        media = Media(project.spec_dir)  # images in item text, packed with --zip
        data = render(
            documents, title=settings.project.name, when=when, custom=settings.fields, media=media
        )
        if as_zip:
            data = zipped(target.with_suffix(".reqif").name, data, when, media)
    warnings = [
        f"spec/{member}: not found, named in the text of {item}; the <object> names it, "
        "nothing is packed"
        for member, item in sorted(media.missing.items())
    ]
    if media.files and not as_zip:
        warnings.append(
            f"{len(media.files)} image(s) named in item text are not in a plain .reqif; "
            "--zip packs them into a .reqifz"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, data)
    items = sum(len(d.items()) for d in documents)
    return ReqifExport(target, items, len(documents), warnings)
