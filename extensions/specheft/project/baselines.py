"""Baselines of the documents (use case): the tags matching each document's
``baseline`` pattern, the document's fingerprint at each, and the generated change
history — computed before Sphinx runs and handed to the build as data.

Each tag's revision is read and built as ``check --since`` reads one
(``project/since.py``), cached per commit in ``_build/.doctrees/since/``: only a tag
not seen before costs a build. Without git, outside a work tree, or in a shallow clone
without the tags, no document has a baseline and the build shows [project]'s version
and status as before.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from specheft.errors import SpecheftError, UsageError
from specheft.fsutil import atomic_write_bytes
from specheft.gitinfo import SAFE_CONFIG, toplevel
from specheft.project.layout import Project
from specheft.project.revision import Repository
from specheft.project.since import revision_at, revision_file, revisions_dir
from specheft.trace.history import (
    Baseline,
    DocumentBaselines,
    HistoryRow,
    compare_baselines,
    requests_for,
    version_key,
    version_of,
)
from specheft.trace.revisions import RevisionItems

#: where ``specheft build`` leaves the baselines for the Sphinx build to read
DATA_FILE = "baselines.json"


@dataclass(frozen=True)
class Tag:
    name: str
    commit: str
    date: str
    author: str


@dataclass
class Baselines:
    documents: dict[str, DocumentBaselines] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # baselines that could not be read
    built: int = 0  # revisions built (not from the cache)
    # each baseline's commit and where its items are cached (since.py): the one pointer
    # the build follows to a baseline's items ({item-diff}, the draft row of the history)
    # without reading that revision again
    commits: dict[str, str] = field(default_factory=dict)
    revisions: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "documents": {n: d.as_json() for n, d in self.documents.items()},
            "commits": self.commits,
            "revisions": self.revisions,
        }


def _tags(repo: Repository, pattern: str) -> list[Tag]:
    """The tags matching ``pattern`` that HEAD contains (a tag on another branch is not
    this line's baseline), oldest version first."""
    fields = "%09".join(
        (
            "%(refname:strip=2)",
            "%(objectname)",
            "%(*objectname)",  # the commit of an annotated tag
            "%(creatordate:short)",
            "%(taggername)",
            "%(authorname)",
        )
    )
    done = subprocess.run(
        [
            *("git", *SAFE_CONFIG, "-C", str(repo.top), "tag", "--list", pattern),
            *("--merged", "HEAD", f"--format={fields}"),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        return []  # no HEAD yet, or a clone without the history: no baselines
    tags = []
    for line in done.stdout.decode(errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) != 6:
            continue
        name, obj, target, date, tagger, author = parts
        tags.append(Tag(name, target or obj, date, tagger or author))
    return tags


def tagged_versions(repo: Repository, pattern: str) -> list[tuple[str, Tag]]:
    """(version, tag) of each tag matching ``pattern`` that HEAD contains, oldest first."""
    tagged = []
    for tag in _tags(repo, pattern):
        version = version_of(tag.name, pattern)
        if version is not None:
            tagged.append((version, tag))
    tagged.sort(key=lambda pair: version_key(pair[0]))
    return tagged


def latest_baselines(project: Project) -> tuple[Repository, list[tuple[str, Tag]]]:
    """(document name, its latest baseline tag) of each document that has one: what plain
    ``check --since`` compares with. A UsageError (exit 2) when no document has one."""
    repo = Repository.of(project)  # not a git work tree, no git: exit 2
    documents = [d for d in project.settings().deliverables() if d.baseline]
    if not documents:
        raise UsageError(
            "--since without a revision compares each document with its latest baseline, "
            "and no document has a baseline pattern",
            hint="set one in conf/specheft.toml ([documents.lastenheft] baseline = "
            '"lh-v*"), or give the revision: --since REV',
        )
    found = []
    for document in documents:
        tagged = tagged_versions(repo, document.baseline)
        if tagged:
            found.append((document.name, tagged[-1][1]))
    if not found:
        patterns = ", ".join(d.baseline for d in documents)
        hint = "tag a baseline (git tag lh-v1.0), or give the revision: --since REV"
        if repo.shallow():
            hint = (
                "this is a shallow clone, which may not hold the tags: fetch them ('git fetch "
                "--tags --unshallow', or in CI a checkout with fetch-depth: 0); or give the "
                "revision: --since REV"
            )
        raise UsageError(f"no git tag HEAD contains matches {patterns}", hint=hint)
    return repo, found


def compute_baselines(
    project: Project, *, on_build: Callable[[str], None] | None = None
) -> Baselines:
    """The baselines and change history of each document with a ``baseline`` pattern."""
    result = Baselines()
    documents = [d for d in project.settings().deliverables() if d.baseline]
    if not documents or shutil.which("git") is None or toplevel(project.root) is None:
        return result
    repo = Repository.of(project)
    revisions: dict[str, RevisionItems] = {}
    result.revisions = str(revisions_dir(project))

    def read(tag: Tag) -> RevisionItems | None:
        if tag.commit not in revisions:
            if on_build is not None and not revision_file(project, tag.commit).exists():
                on_build(tag.name)
                result.built += 1
            try:
                revisions[tag.commit] = revision_at(project, repo, tag.commit, tag.name)
            except SpecheftError as exc:
                result.notes.append(f"baseline {tag.name} not read: {exc.message}")
                return None
        return revisions[tag.commit]

    for document in documents:
        found = DocumentBaselines(document.baseline)
        tagged = tagged_versions(repo, document.baseline)
        previous: RevisionItems | None = None
        for version, tag in tagged:
            revision = read(tag)
            if revision is None:
                continue
            result.commits[tag.name] = tag.commit
            state = revision.documents.get(document.name)
            ids = state.ids if state else ()
            found.baselines.append(
                Baseline(
                    tag.name, version, tag.date, tag.author, state.digest if state else "", len(ids)
                )
            )
            if previous is None:
                row = HistoryRow(version, tag.date, tag.author, "", tag.name, True, len(ids))
            else:
                before = previous.documents.get(document.name)
                added, changed, removed = compare_baselines(
                    previous.items, before.ids if before else (), revision.items, ids
                )
                requests = requests_for(revision.items, (*added, *changed, *removed))
                row = HistoryRow(
                    version, tag.date, tag.author, "", tag.name, False, len(ids),
                    added, changed, removed, requests,
                )  # fmt: skip
            found.history.append(row)
            previous = revision
        result.documents[document.name] = found
    return result


def write_baselines(project: Project, baselines: Baselines) -> Path:
    """The data file the build reads (``specheft_baselines``), written only when it
    differs (the build rewrites the pages showing it when it changes)."""
    path = project.build_dir / DATA_FILE
    data = json.dumps(baselines.as_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
    return path
