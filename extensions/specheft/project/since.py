"""``specheft check --since REV``: the items of revision REV, to compare the checked ones with.

The revision is read with git plumbing (``project/revision.py``, as ``specheft diff``
does) and built in a temporary directory outside the project; the user's working tree,
index and ``_build`` stay untouched. A revision's items never change, so they are kept
by commit in ``_build/.doctrees/since/``: a second ``check --since`` against the same
baseline builds nothing extra.
"""

from __future__ import annotations

import functools
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from specheft.errors import SpecheftError, UsageError
from specheft.fsutil import atomic_write_bytes
from specheft.project.fingerprint import fingerprint_of, vendor_records
from specheft.project.layout import Project
from specheft.project.revision import Repository, sync_tree
from specheft.trace.changes import Since
from specheft.trace.diff import ItemChange, ItemDiff, ItemState, diff_snapshots, snapshot
from specheft.trace.fingerprint import document_needs
from specheft.trace.revisions import (
    DocumentState,
    RevisionItems,
    decode_revision,
    encode_revision,
)

#: the newer side of a comparison with the sources being checked
WORKING_TREE = "working tree"


#: ``check --since`` without a revision: each document against its latest baseline
LATEST = ""


def resolve(project: Project, revision: str) -> tuple[Repository, str]:
    """The repository and the commit ``revision`` names; a UsageError (exit 2) with git's
    message when it names none, or when the project is not in a git work tree."""
    try:
        repo = Repository.of(project)
        return repo, repo.resolve(revision)
    except UsageError as exc:
        if Path(revision).is_dir():  # "check --since DIR": the option took the directory
            exc.hint = (f"{exc.hint}\n  " if exc.hint else "") + since_hint(revision)
        raise


def since_hint(directory: str) -> str:
    """What to say when ``--since`` took the project's directory as its revision."""
    return (
        f"--since takes the word after it as its revision; to compare with the latest "
        f"baselines, put the directory first: specheft check {directory} --since"
    )


def _located(error: SpecheftError, root: Path, revision: str) -> SpecheftError:
    """An error in the revision's sources, its temporary paths shown as the project's own
    (``v1.0:conf/specheft.toml``)."""
    error.message = error.message.replace(f"{root}/", "").replace(str(root), ".")
    where = error.location
    if where is not None and where.path and Path(where.path).is_relative_to(root):
        shown = f"{revision}:{Path(where.path).relative_to(root).as_posix()}"
        error.location = replace(where, path=shown)
    else:
        error.message = f"in revision {revision}: {error.message}"
    return error


def _documents(other: Project, env: Any, needs: list[Any]) -> dict[str, DocumentState]:
    from specheft.sphinxext.directives.base import trace_directives  # imports Sphinx
    from specheft.sphinxext.rendering.documents import document_docnames

    found = {}
    settings = other.settings()
    records = functools.cache(lambda: vendor_records(other.root, settings))
    for document in settings.deliverables():
        docnames = document_docnames(env, document.start)
        directives = trace_directives(env, docnames)
        covered = document_needs(needs, docnames, directives)
        digest = (
            fingerprint_of(needs, docnames, directives, own=settings.own_fields, records=records)[0]
            if covered
            else ""
        )
        found[document.name] = DocumentState(
            digest,
            tuple(sorted(str(n["id"]) for n in covered)),
            own_ids(needs, docnames),
        )
    return found


def own_ids(needs: list[Any], docnames: set[str]) -> tuple[str, ...]:
    """The ids of the items on the given pages (items of other projects are not ours)."""
    return tuple(
        sorted(
            str(n["id"]) for n in needs if n.get("docname") in docnames and not n.get("is_external")
        )
    )


def _build(repo: Repository, commit: str, revision: str) -> RevisionItems:
    from specheft.project.sphinx_run import items_build

    files = repo.sources(commit, revision)
    with tempfile.TemporaryDirectory(prefix="specheft-since-") as tmp:
        root = Path(tmp)
        sync_tree(root, files, stamp_ns=time.time_ns())
        try:
            other = Project.at(root)
            # its items only
            result, needs = items_build(other, validate=False, warnings=False)
            documents = _documents(other, result.app.env, needs)
        except SpecheftError as exc:
            raise _located(exc, root, revision) from None
        srcdir = other.spec_dir.relative_to(other.root).as_posix()
        return RevisionItems(snapshot(needs, srcdir, other.settings().own_fields), documents)


def items_at(
    project: Project, repo: Repository, commit: str, revision: str
) -> dict[str, ItemState]:
    """The items of ``commit`` by id, from the cache when built before by this code."""
    return revision_at(project, repo, commit, revision).items


def revision_at(project: Project, repo: Repository, commit: str, revision: str) -> RevisionItems:
    """The items and documents of ``commit``, from the cache when built before by this
    code (one file per commit: a revision never changes)."""
    cache = revision_file(project, commit)
    found = read_revision(cache)
    if found is not None:
        return found
    built = _build(repo, commit, revision)
    cache.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(cache, encode_revision(built))
    return built


def revisions_dir(project: Project) -> Path:
    """The folder of the kept revisions, one file per commit."""
    return project.doctree_dir("since")


def revision_file(project: Project, commit: str) -> Path:
    """Where the items of ``commit`` are kept once read."""
    return revisions_dir(project) / f"{commit}.json"


def read_revision(cache: Path) -> RevisionItems | None:
    """The items and documents kept in ``cache``; None when it is missing, unreadable or
    written by other code."""
    try:
        return decode_revision(cache.read_bytes())
    except OSError:
        return None


def since_baselines(
    project: Project,
    repo: Repository,
    baselines: list[tuple[str, str, str]],
    env: Any,
    needs: list[Any],
) -> Since:
    """What changed in each document since its own latest baseline, as one :class:`Since`
    (plain ``check --since``). ``baselines``: (document, tag, commit) of each document
    with one. An item belongs to the document whose pages hold it now, or held it at
    that document's baseline; an item in two documents (moved between them) is compared
    once, with the first document's baseline."""
    from specheft.sphinxext.rendering.documents import document_docnames  # imports Sphinx

    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    now = snapshot(needs, srcdir, project.settings().own_fields)
    deliverables = {d.name: d for d in project.settings().deliverables()}
    before: dict[str, ItemState] = {}
    revisions: dict[str, str] = {}
    changes: list[ItemChange] = []
    tags = []
    read: dict[str, RevisionItems] = {}  # documents tagged on one commit share it
    for name, tag, commit in baselines:
        if commit not in read:
            read[commit] = revision_at(project, repo, commit, tag)
        revision = read[commit]
        state = revision.documents.get(name)
        ids = set(state.own if state else ())
        document = deliverables.get(name)
        if document is not None:
            ids.update(own_ids(needs, document_docnames(env, document.start)))
        ids.difference_update(revisions)  # compared with an earlier document's baseline
        old = {i: revision.items[i] for i in ids if i in revision.items}
        new = {i: now[i] for i in ids if i in now}
        for change in diff_snapshots(old, new, tag, WORKING_TREE).changes:
            changes.append(change)
        before.update(old)
        revisions.update(dict.fromkeys(ids, tag))
        tags.append(tag)
    changes.sort(key=lambda c: c.id)
    shown = ", ".join(tags)
    return Since(shown, before, ItemDiff(shown, WORKING_TREE, changes), revisions)
