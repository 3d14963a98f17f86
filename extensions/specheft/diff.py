"""``specheft diff``: the items of two git revisions compared (use case; no printing).

Both revisions are built in one temporary directory outside the project: first the old
one from scratch, then the new one written over it file by file, so that the second
build is incremental and re-reads only the pages that differ (the cost of a diff is about
one ``specheft check --fresh``). The user's working tree, index and ``_build`` stay
untouched.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, UsageError
from .project import Project
from .revision import Repository, sync_tree, working_sources
from .trace.diff import ItemDiff, ItemState, diff_snapshots, snapshot

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
    from .sphinxext.deliverables import document_docnames
    from .sphinxext.runner import items_build

    sync_tree(root, side.files, stamp_ns=stamp_ns)
    project = Project.at(root)
    settings = project.settings()
    wanted = []
    for name in documents:
        try:
            wanted.append(settings.document(name))
        except ConfigError as exc:  # the document's name is unknown in this revision
            raise UsageError(f"{side.name}: {exc.message}", hint=exc.hint) from None
    result, needs = items_build(project)
    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    if wanted:
        env = result.app.env
        pages = {d for doc in wanted for d in document_docnames(env, doc.start)}
        needs = [n for n in needs if n.get("docname") in pages]
    return snapshot(needs, srcdir)


def diff_revisions(
    project: Project, old: str, new: str | None = None, documents: tuple[str, ...] = ()
) -> ItemDiff:
    """The items added, removed, changed and moved from revision ``old`` to ``new``
    (``None``: the working tree, uncommitted changes included)."""
    repo = Repository.of(project)
    sides = []
    for revision in (old, new):
        if revision is None:
            sides.append(Side(WORKING_TREE, working_sources(project)))
        else:
            sides.append(Side(revision, repo.sources(repo.resolve(revision), revision)))
    with tempfile.TemporaryDirectory(prefix="specheft-diff-") as tmp:
        root = Path(tmp)
        # the first revision's files dated in the past, the second's in the future: the
        # second build re-reads what differs even where file times are coarse (FAT: 2 s)
        before = _items(root, sides[0], documents, stamp_ns=_PAST)
        after = _items(root, sides[1], documents, stamp_ns=time.time_ns() + _AHEAD)
    return diff_snapshots(before, after, sides[0].name, sides[1].name)
