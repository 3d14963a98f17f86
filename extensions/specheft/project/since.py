"""``specheft check --since REV``: the items of revision REV, to compare the checked ones with.

The revision is read with git plumbing (``project/revision.py``, as ``specheft diff``
does) and built in a temporary directory outside the project; the user's working tree,
index and ``_build`` stay untouched. A revision's items never change, so they are kept
by commit in ``_build/.doctrees/since/``: a second ``check --since`` against the same
baseline builds nothing extra.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from specheft.errors import SpecheftError
from specheft.fsutil import atomic_write_bytes
from specheft.project.fingerprint import trace_directives
from specheft.project.layout import Project
from specheft.project.revision import Repository, sync_tree
from specheft.trace.diff import ItemState, snapshot
from specheft.trace.fingerprint import document_needs, fingerprint
from specheft.trace.hitcache import code_version


def resolve(project: Project, revision: str) -> tuple[Repository, str]:
    """The repository and the commit ``revision`` names; a UsageError (exit 2) with git's
    message when it names none, or when the project is not in a git work tree."""
    repo = Repository.of(project)
    return repo, repo.resolve(revision)


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


@dataclass(frozen=True)
class DocumentState:
    """One document at a revision: its fingerprint and the ids it covers (the items on
    its pages and those its trace directives show, as the fingerprint counts them)."""

    digest: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class RevisionItems:
    items: dict[str, ItemState]
    documents: dict[str, DocumentState]  # by document name, as that revision configures them


def _documents(other: Project, env: Any, needs: list[Any]) -> dict[str, DocumentState]:
    from specheft.sphinxext.rendering.documents import document_docnames  # imports Sphinx

    found = {}
    for document in other.settings().deliverables():
        docnames = document_docnames(env, document.start)
        covered = document_needs(needs, docnames, trace_directives(env, docnames))
        digest = fingerprint(covered)[0] if covered else ""
        found[document.name] = DocumentState(digest, tuple(sorted(str(n["id"]) for n in covered)))
    return found


def _build(repo: Repository, commit: str, revision: str) -> RevisionItems:
    from specheft.project.sphinx_run import items_build

    files = repo.sources(commit, revision)
    with tempfile.TemporaryDirectory(prefix="specheft-since-") as tmp:
        root = Path(tmp)
        sync_tree(root, files, stamp_ns=time.time_ns())
        try:
            other = Project.at(root)
            result, needs = items_build(other)
            documents = _documents(other, result.app.env, needs)
        except SpecheftError as exc:
            raise _located(exc, root, revision) from None
        srcdir = other.spec_dir.relative_to(other.root).as_posix()
        return RevisionItems(snapshot(needs, srcdir), documents)


def items_at(
    project: Project, repo: Repository, commit: str, revision: str
) -> dict[str, ItemState]:
    """The items of ``commit`` by id, from the cache when built before by this code."""
    return revision_at(project, repo, commit, revision).items


def revision_at(project: Project, repo: Repository, commit: str, revision: str) -> RevisionItems:
    """The items and documents of ``commit``, from the cache when built before by this
    code (one file per commit: a revision never changes)."""
    cache = project.doctree_dir("since") / f"{commit}.json"
    version = code_version()
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["version"] == version:
            return RevisionItems(
                {
                    key: ItemState(
                        value["id"],
                        value["kind"],
                        value["path"],
                        value["line"],
                        value["values"],
                        {name: tuple(ids) for name, ids in value["links"].items()},
                    )
                    for key, value in stored["items"].items()
                },
                {
                    name: DocumentState(value["digest"], tuple(value["ids"]))
                    for name, value in stored["documents"].items()
                },
            )
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache, or an unreadable one: build
    built = _build(repo, commit, revision)
    data = {
        "version": version,
        "items": {key: asdict(state) for key, state in built.items.items()},
        "documents": {name: asdict(state) for name, state in built.documents.items()},
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(cache, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return built
