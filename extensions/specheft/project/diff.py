"""``specheft diff``: the items of two git revisions compared (use case; no printing).

Both revisions are built in one temporary directory outside the project: first the old
one from scratch, then the new one written over it file by file, so that the second
build is incremental and re-reads only the pages that differ (the cost of a diff is about
one ``specheft check --fresh``). Two commits whose items ``check --since`` or
``specheft build`` kept in ``_build/.doctrees/since/`` are compared from there, with no
build. The user's working tree, index and ``_build`` stay untouched (the kept items are
only read).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from specheft.errors import ConfigError, SpecheftError, UsageError
from specheft.project.layout import Project
from specheft.project.revision import Repository, sync_tree, working_sources
from specheft.project.since import read_revision, revision_file
from specheft.trace.diff import ItemDiff, ItemState, diff_snapshots, snapshot

WORKING_TREE = "working tree"
_PAST = 946_684_800 * 10**9  # 2000-01-01
_AHEAD = 3600 * 10**9  # an hour: later than the first build read, on any clock resolution


@dataclass(frozen=True)
class Side:
    name: str  # as the user gave it, or WORKING_TREE
    files: dict[str, bytes]


def _items(
    root: Path, side: Side, documents: tuple[str, ...], *, stamp_ns: int
) -> dict[str, ItemState]:
    from specheft.project.sphinx_run import items_build
    from specheft.sphinxext.rendering.deliverables import document_docnames

    sync_tree(root, side.files, stamp_ns=stamp_ns)
    project = Project.at(root)
    settings = project.settings()
    wanted = []
    for name in documents:
        try:
            wanted.append(settings.document(name))
        except ConfigError as exc:  # the document's name is unknown in this revision
            # not located in a file: the caller names the revision
            raise UsageError(exc.message, hint=exc.hint) from None
    # the comparison reads the items only: its warnings are nobody's to see here
    result, needs = items_build(project, validate=False, warnings=False)
    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    if wanted:
        env = result.app.env
        pages = {d for doc in wanted for d in document_docnames(env, doc.start)}
        needs = [n for n in needs if n.get("docname") in pages]
    return snapshot(needs, srcdir, settings.own_fields)


def _located(error: SpecheftError, root: Path, name: str) -> SpecheftError:
    """``error`` as found in revision ``name``, the temporary directory's paths shown as
    the project's own (``v1.0:conf/specheft.toml:80``, not ``/tmp/…/conf/…``)."""
    error.message = error.message.replace(f"{root}/", "").replace(str(root), ".")
    where = error.location
    if where is not None and where.path and Path(where.path).is_relative_to(root):
        relative = Path(where.path).relative_to(root).as_posix()
        # the working tree's file is the user's own: named as check names it
        shown = relative if name == WORKING_TREE else f"{name}:{relative}"
        error.location = replace(where, path=shown)
    else:
        error.message = f"in {name}: {error.message}"
    return error


def _kept(
    project: Project, commits: list[str | None], documents: tuple[str, ...]
) -> tuple[dict[str, ItemState], dict[str, ItemState]] | None:
    """The items of both commits as ``check --since`` and ``specheft build`` keep them
    (``_build/.doctrees/since/``, only read here), each side restricted to the items on
    the pages of ``documents``; None when a side is the working tree, is not kept (or by
    other code), or does not know one of the documents (the build says which)."""
    sides = []
    for commit in commits:
        if commit is None:
            return None
        revision = read_revision(revision_file(project, commit))
        if revision is None or any(name not in revision.documents for name in documents):
            return None
        items = revision.items
        if documents:
            own = {i for name in documents for i in revision.documents[name].own}
            items = {i: state for i, state in items.items() if i in own}
        sides.append(items)
    return sides[0], sides[1]


def diff_revisions(
    project: Project, old: str, new: str | None = None, documents: tuple[str, ...] = ()
) -> ItemDiff:
    """The items added, removed, changed and moved from revision ``old`` to ``new``
    (``None``: the working tree, uncommitted changes included)."""
    repo = Repository.of(project)
    commits = [repo.resolve(r) if r is not None else None for r in (old, new)]
    kept = _kept(project, commits, documents)
    if kept is not None:  # both revisions read before by check --since or build
        before, after = kept
        return diff_snapshots(before, after, old, new or WORKING_TREE)
    sides = []
    for revision, commit in zip((old, new), commits, strict=True):
        if revision is None or commit is None:
            sides.append(Side(WORKING_TREE, working_sources(project)))
        else:
            sides.append(Side(revision, repo.sources(commit, revision)))
    with tempfile.TemporaryDirectory(prefix="specheft-diff-") as tmp:
        root = Path(tmp)
        # the first revision's files dated in the past, the second's in the future: the
        # second build re-reads what differs even where file times are coarse (FAT: 2 s)
        items = []
        for side, stamp in zip(sides, (_PAST, time.time_ns() + _AHEAD), strict=True):
            try:
                items.append(_items(root, side, documents, stamp_ns=stamp))
            except SpecheftError as exc:
                raise _located(exc, root, side.name) from None
        before, after = items
    return diff_snapshots(before, after, sides[0].name, sides[1].name)
