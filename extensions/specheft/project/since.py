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
from dataclasses import asdict, replace
from pathlib import Path

from specheft.errors import SpecheftError
from specheft.fsutil import atomic_write_bytes
from specheft.project.layout import Project
from specheft.project.revision import Repository, sync_tree
from specheft.trace.diff import ItemState, snapshot
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


def _build(repo: Repository, commit: str, revision: str) -> dict[str, ItemState]:
    from specheft.project.sphinx_run import items_build

    files = repo.sources(commit, revision)
    with tempfile.TemporaryDirectory(prefix="specheft-since-") as tmp:
        root = Path(tmp)
        sync_tree(root, files, stamp_ns=time.time_ns())
        try:
            other = Project.at(root)
            _result, needs = items_build(other)
        except SpecheftError as exc:
            raise _located(exc, root, revision) from None
        return snapshot(needs, other.spec_dir.relative_to(other.root).as_posix())


def items_at(
    project: Project, repo: Repository, commit: str, revision: str
) -> dict[str, ItemState]:
    """The items of ``commit`` by id, from the cache when built before by this code."""
    cache = project.doctree_dir("since") / f"{commit}.json"
    version = code_version()
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored["version"] == version:
            return {
                key: ItemState(
                    value["id"],
                    value["kind"],
                    value["path"],
                    value["line"],
                    value["values"],
                    {name: tuple(ids) for name, ids in value["links"].items()},
                )
                for key, value in stored["items"].items()
            }
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache, or an unreadable one: build
    items = _build(repo, commit, revision)
    data = {"version": version, "items": {key: asdict(state) for key, state in items.items()}}
    cache.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(cache, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return items
