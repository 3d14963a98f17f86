"""Baselines and the generated change history (Änderungsnachweis) of a document (pure).

A baseline is a git tag matching a document's pattern (``lh-v*``); the part the ``*``
matched is the document's version at that tag (``lh-v1.0`` → ``1.0``). Per baseline,
oldest first, the history names the items of the document added, changed and removed
since the previous baseline and the approved or implemented change requests naming them.
The library layer reads the revisions (``project/baselines.py``) and hands the result to
the build as data; the build merges it with the hand-written ``[[history]]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from specheft.model import COVERING_DECISIONS, INACTIVE_STATUSES, Kind
from specheft.trace.diff import ItemState, compare_items

_PART = re.compile(r"(\d+)|(\D+)")


def version_of(tag: str, pattern: str) -> str | None:
    """The version a tag names under ``pattern`` (one ``*``): what the ``*`` matched."""
    if not fnmatchcase(tag, pattern):
        return None
    prefix, _star, suffix = pattern.partition("*")
    version = tag[len(prefix) : len(tag) - len(suffix)]
    return version or None


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Version order (``1.9`` < ``1.10``): numbers by value, other parts by text."""
    return tuple((0, int(n)) if n else (1, s) for n, s in _PART.findall(version))


def next_version(version: str) -> str:
    """The draft after ``version``: its last number raised (``1.0`` → ``1.1``), or
    ``.1`` appended when it has no number at its end."""
    match = re.search(r"(\d+)(\D*)$", version)
    if match is None or match.group(2):
        return f"{version}.1"
    if "." not in version:
        return f"{version}.1"
    return f"{version[: match.start(1)]}{int(match.group(1)) + 1}"


@dataclass(frozen=True)
class Baseline:
    tag: str
    version: str
    date: str  # YYYY-MM-DD
    author: str
    digest: str  # the document's fingerprint at the tag ("" when it covered no item)
    count: int  # the items it covered


@dataclass(frozen=True)
class HistoryRow:
    """One line of the change history: a baseline, a hand-written entry, or both."""

    version: str
    date: str
    author: str
    description: str  # hand-written text; empty: the reader's words for the counts
    tag: str = ""  # empty: hand-written only
    first: bool = False  # the first baseline: nothing to compare with
    count: int = 0
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()
    draft: bool = False  # the unreleased changes since the latest baseline (no tag yet)
    since: str = ""  # a draft's: the version of the latest baseline

    @property
    def generated(self) -> bool:
        return bool(self.tag) or self.draft


def _active(state: ItemState) -> bool:
    return state.values.get("status") not in INACTIVE_STATUSES


def compare_baselines(
    before: Mapping[str, ItemState],
    before_ids: Iterable[str],
    after: Mapping[str, ItemState],
    after_ids: Iterable[str],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(added, changed, removed) ids of a document between two baselines, each side
    given as all items of its revision and the ids the document covered there.

    A move to another file is no change; an item made obsolete or rejected is removed,
    and one deleted that was withdrawn already is no change at all."""
    old = {i: before[i] for i in before_ids if i in before}
    new = {i: after[i] for i in after_ids if i in after}
    added, changed, removed = [], [], []
    for item_id in sorted(old.keys() | new.keys()):
        was, now = old.get(item_id), new.get(item_id)
        if was is None and now is not None:
            if _active(now):
                added.append(item_id)
        elif now is None and was is not None:
            if _active(was):
                removed.append(item_id)
        elif was is not None and now is not None:
            if _active(was) and not _active(now):
                removed.append(item_id)
            elif not _active(was) and _active(now):
                added.append(item_id)
            else:
                change = compare_items(was, now)
                if change is not None and change.status == "changed":
                    changed.append(item_id)
    return tuple(added), tuple(changed), tuple(removed)


def requests_for(items: Mapping[str, ItemState], ids: Iterable[str]) -> tuple[str, ...]:
    """The approved or implemented change requests of a revision that name any of ``ids``
    in ``:changes:``."""
    wanted = set(ids)
    found = [
        state.id
        for state in items.values()
        if state.kind == Kind.CR
        and state.values.get("decision") in COVERING_DECISIONS
        and _active(state)
        and wanted.intersection(state.links.get("changes", ()))
    ]
    return tuple(sorted(found))


@dataclass
class DocumentBaselines:
    """What the build needs of one document: its baselines and their history."""

    pattern: str
    baselines: list[Baseline] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)

    @property
    def latest(self) -> Baseline | None:
        return self.baselines[-1] if self.baselines else None

    def as_json(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "baselines": [vars(b) for b in self.baselines],
            "history": [{**vars(h), **_lists(h)} for h in self.history],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentBaselines:
        rows = []
        for row in data.get("history", ()):
            values = dict(row)
            for name in ("added", "changed", "removed", "requests"):
                values[name] = tuple(values.get(name, ()))
            rows.append(HistoryRow(**values))
        return cls(
            str(data["pattern"]),
            [Baseline(**b) for b in data.get("baselines", ())],
            rows,
        )  # an "items_file" of older versions is ignored: the data file's commits name it


def _lists(row: HistoryRow) -> dict[str, list[str]]:
    return {n: list(getattr(row, n)) for n in ("added", "changed", "removed", "requests")}


@dataclass(frozen=True)
class Status:
    """The version and status a document shows."""

    version: str  # "1.1"
    released: bool  # at its latest baseline, unchanged since
    since: str = ""  # the version it changed since ("1.0"); empty when released


def document_status(baseline: Baseline, digest_now: str) -> Status:
    if digest_now == baseline.digest:
        return Status(baseline.version, True)
    return Status(next_version(baseline.version), False, baseline.version)


def draft_row(
    latest: Baseline,
    before: Mapping[str, ItemState],
    before_ids: Iterable[str],
    after: Mapping[str, ItemState],
    requests: Mapping[str, ItemState],
) -> HistoryRow:
    """The row of the unreleased changes: the next version, no date (a build of the same
    sources writes the same history), the ids added, changed and removed since the latest
    baseline (``before``, its ids ``before_ids``) in the document's items now (``after``)
    and the approved or implemented change requests among ``requests`` naming them."""
    added, changed, removed = compare_baselines(before, before_ids, after, after)
    return HistoryRow(
        next_version(latest.version), "", "", "", "", False, len(after),
        added, changed, removed, requests_for(requests, (*added, *changed, *removed)),
        draft=True, since=latest.version,
    )  # fmt: skip


def merge_history(
    generated: Sequence[HistoryRow], written: Iterable[tuple[str, str, str, str]]
) -> list[HistoryRow]:
    """The generated rows and the hand-written entries (version, date, author, changes)
    in one history, in version order. For the same version the hand-written text is the
    description (the generated ids stay), and its date and author win where given."""
    if not generated:  # no baselines: the hand-written history as written, as before
        return [HistoryRow(v, d, a, c) for v, d, a, c in written]
    rows = {row.version: row for row in generated}
    for version, date, author, changes in written:
        row = rows.get(version)
        if row is None:
            rows[version] = HistoryRow(version, date, author, changes)
        else:
            rows[version] = replace(
                row, description=changes, date=date or row.date, author=author or row.author
            )
    return sorted(rows.values(), key=lambda r: version_key(r.version))
