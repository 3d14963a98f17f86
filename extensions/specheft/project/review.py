"""``specheft review``: record that items were reviewed against their link targets.

The record is the item's ``:reviewed:`` option (see :mod:`specheft.trace.suspect`).
Reviewing an item rewrites exactly that one line of its source — or adds it below the
item's last option — and leaves every other byte of the file as it was: other items,
comments, line endings (CRLF stays CRLF), a byte-order mark. All files are written at
once or none (``fsutil.Transaction``), under the project's lock; every problem is found
before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from specheft.errors import InputError, Location, UsageError, did_you_mean
from specheft.fsutil import Transaction
from specheft.project.layout import Project
from specheft.trace.diff import FieldChange
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.suspect import (
    CONTENT_FIELDS,
    FIELD,
    REVIEWED_LINKS,
    SHORT,
    LinkState,
    link_states,
    parse,
    reviewing_items,
)

_LINE_END = re.compile(r"(\r\n|\r|\n)")
_OPTION = re.compile(r"^(?P<indent>[ \t]*):(?P<name>[\w-]+):(?P<value>.*)$")


@dataclass(frozen=True)
class Change:
    """One item's review record, before and after."""

    item: str
    path: str  # project-relative
    line: int  # of the :reviewed: line (1-based), after the write
    old: str | None  # the old value, None when there was no :reviewed: line
    new: str
    refreshed: tuple[LinkState, ...]  # the links whose fingerprint the record changes


@dataclass
class ReviewResult:
    changes: list[Change] = field(default_factory=list)
    current: list[str] = field(default_factory=list)  # items whose record was up to date


def _graph(project: Project) -> TraceGraph:
    from specheft.project.sphinx_run import items_build

    # review shows none of the build's warnings (a check of the same cache does)
    _, needs = items_build(project, warnings=False)
    return TraceGraph.from_needs(
        needs, srcdir=project.spec_dir.relative_to(project.root).as_posix()
    )


def project_states(project: Project) -> list[LinkState]:
    """The review state of every link that is reviewed (``specheft review --list``)."""
    graph = _graph(project)
    known: dict[str, str] = {}
    return [state for item in reviewing_items(graph) for state in link_states(graph, item, known)]


@dataclass(frozen=True)
class Since:
    """What changed in a suspect link's target since the review was committed."""

    commit: str
    date: str
    fields: tuple[FieldChange, ...]  # of the reviewed content: title, text, priority, acceptance


def explain(project: Project, suspects: Iterable[LinkState]) -> dict[tuple[str, str], Since]:
    """For each suspect link whose review record is committed: the commit that recorded
    it and the target's changes since (``specheft diff COMMIT`` of that one item).

    Keyed by (item id, target id); a link is missing when the project is not in git or
    the record is not committed yet. Costs one ``diff`` per distinct recording commit."""
    from specheft.project.diff import diff_revisions
    from specheft.project.revision import Repository

    wanted = [s for s in suspects if s.item.path and s.recorded]
    if not wanted:
        return {}
    try:
        repo = Repository.of(project)
    except UsageError:
        return {}  # not in git: the fingerprints are all there is
    by_commit: dict[tuple[str, str], list[LinkState]] = {}
    for state in wanted:
        token = f"{state.target.id}@{state.recorded}"
        found = repo.last_commit_with(token, str(state.item.path))
        if found is not None:
            by_commit.setdefault(found, []).append(state)
    explained = {}
    for (commit, date), states in by_commit.items():
        changes = {c.id: c for c in diff_revisions(project, commit).changes}
        for state in states:
            change = changes.get(state.target.id)
            fields = tuple(f for f in (change.fields if change else ()) if f.name in CONTENT_FIELDS)
            explained[(state.item.id, state.target.id)] = Since(commit, date, fields)
    return explained


class _Source:
    """A source file as lines and their endings, written back byte for byte."""

    def __init__(self, path: Path, shown: str) -> None:
        self.path = path
        self.shown = shown
        try:
            text = path.read_bytes().decode("utf-8")  # a BOM stays in the text, as U+FEFF
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8: {exc}", location=Location(shown)) from None
        parts = _LINE_END.split(text)
        self.lines = parts[0::2]
        self.ends = [*parts[1::2], ""]
        self.changed = False

    def newline(self) -> str:
        return next((end for end in self.ends if end), "\n")

    def text(self) -> str:
        return "".join(line + end for line, end in zip(self.lines, self.ends, strict=True))


def _option_block(source: _Source, item: Item) -> tuple[int, int | None]:
    """(index of the item's last option line, index of its :reviewed: line or None),
    0-based; a located error when the directive's options do not name the item."""
    start = item.line or 0
    last, reviewed, named = None, None, False
    for index in range(start, len(source.lines)):
        match = _OPTION.match(source.lines[index])
        if match is None:
            break
        last = index
        if match["name"] == "id" and match["value"].strip() == item.id:
            named = True
        elif match["name"] == FIELD and reviewed is None:
            reviewed = index
    if last is None or not named:
        raise InputError(
            "cannot find this item's ':id:' option below its directive line, where "
            "'specheft review' writes ':reviewed:'",
            location=Location(source.shown, item.line),
            item=item.id,
            hint="write the options as ':name: value' lines directly below the directive line",
        )
    return last, reviewed


def _new_value(
    graph: TraceGraph, item: Item, source: _Source, line: int | None
) -> tuple[str, list[LinkState]]:
    """The item's new record: entries in their old order, refreshed; entries of links no
    longer there dropped; new links appended. Located errors for a malformed record."""
    old = str(item.get(FIELD) or "")
    records, problems = parse(old)
    where = Location(source.shown, line + 1 if line is not None else item.line)
    if problems:
        raise InputError(
            f":{FIELD}: {problems[0]}",
            location=where,
            item=item.id,
            hint="correct or remove the entry by hand, then review again",
        )
    unknown = [r.target for r in records if graph.get(r.target) is None]
    if unknown:
        raise InputError(
            f":{FIELD}: names unknown item {unknown[0]}",
            location=where,
            item=item.id,
            hint="correct the id or remove the entry by hand, then review again",
        )
    states = {s.target.id: s for s in link_states(graph, item)}
    entries: list[str] = []
    refreshed: list[LinkState] = []
    for record in records:
        state = states.pop(record.target, None)
        if state is None:
            continue  # no longer linked
        if state.state == "reviewed":
            entries.append(f"{record.target}@{record.fingerprint}")
        else:
            entries.append(f"{record.target}@{state.current[:SHORT]}")
            refreshed.append(state)
    for state in states.values():
        entries.append(f"{state.target.id}@{state.current[:SHORT]}")
        refreshed.append(state)
    return " ".join(entries), refreshed


def _targets(graph: TraceGraph, ids: Sequence[str], every: bool) -> list[Item]:
    if every:
        return list(reviewing_items(graph))
    items = []
    for item_id in dict.fromkeys(ids):
        item = graph.get(item_id)
        if item is None:
            raise UsageError(
                f"unknown item {item_id}", hint=did_you_mean(item_id, graph.items) or None
            )
        if item.kind not in REVIEWED_LINKS:
            raise UsageError(
                f"{item_id} is a {item.kind} item; specs and tests are reviewed against "
                "what they link to",
                hint=f"review the items that link to {item_id} (specheft review --list "
                "shows the suspect ones), or all with --all",
            )
        items.append(item)
    return items


def _option(text: str) -> re.Match[str]:
    match = _OPTION.match(text)
    assert match is not None  # found as an option line by _option_block
    return match


@dataclass
class _Edit:
    source: _Source
    item: Item
    index: int  # 0-based: the :reviewed: line, or the line after the last option
    replace: bool  # rewrite the line at ``index``; else insert one there
    value: str
    refreshed: list[LinkState]


def _plan(
    graph: TraceGraph, project: Project, items: list[Item], result: ReviewResult
) -> list[_Edit]:
    """What to write, every problem found first (nothing is written on an error)."""
    sources: dict[str, _Source] = {}
    edits = []
    for item in items:
        if item.path is None:
            continue  # not from a source file of ours
        source = sources.get(item.path)
        if source is None:
            source = sources[item.path] = _Source(project.root / item.path, item.path)
        last, line = _option_block(source, item)
        value, refreshed = _new_value(graph, item, source, line)
        old = None if line is None else _option(source.lines[line])["value"].strip()
        if value == (old or ""):
            result.current.append(item.id)
            continue
        if line is None:
            edits.append(_Edit(source, item, last + 1, False, value, refreshed))
        else:
            edits.append(_Edit(source, item, line, True, value, refreshed))
    return edits


def _apply(edits: list[_Edit]) -> list[Change]:
    """Edit the sources in memory, bottom up (indices above stay valid); the changes
    with the lines their records have in the written files."""
    changes = []
    for edit in sorted(edits, key=lambda e: (e.source.shown, -e.index)):
        source = edit.source
        old: str | None = None
        if edit.replace:
            match = _option(source.lines[edit.index])
            old = match["value"].strip()
            if edit.value:
                source.lines[edit.index] = f"{match['indent']}:{FIELD}: {edit.value}"
            else:  # nothing is linked any more: the record goes
                del source.lines[edit.index], source.ends[edit.index]
        else:
            above = edit.index - 1  # the item's last option line
            indent = _option(source.lines[above])["indent"]
            if not source.ends[above]:  # the option ended the file without a line end
                source.ends[above] = source.newline()
            source.lines.insert(edit.index, f"{indent}:{FIELD}: {edit.value}")
            source.ends.insert(edit.index, source.ends[above])
        source.changed = True
        changes.append((edit, old))
    result = []
    for edit, old in changes:
        # lines inserted (or removed) above this record move it down (or up)
        shift = sum(
            (-1 if other.replace and not other.value else 0 if other.replace else 1)
            for other, _ in changes
            if other.source is edit.source and other.index < edit.index
        )
        line = edit.index + 1 + shift if edit.value else 0
        result.append(
            Change(edit.item.id, edit.source.shown, line, old, edit.value, tuple(edit.refreshed))
        )
    return sorted(result, key=lambda c: (c.path, c.line, c.item))


def review(project: Project, ids: Iterable[str], *, every: bool = False) -> ReviewResult:
    """Record the current content of each link target in the items' ``:reviewed:``."""
    from specheft.project.lock import project_lock

    with project_lock(project.build_dir, "review"):
        graph = _graph(project)
        result = ReviewResult()
        edits = _plan(graph, project, _targets(graph, list(ids), every), result)
        result.changes = _apply(edits)
        transaction = Transaction()
        for source in {id(e.source): e.source for e in edits}.values():
            transaction.write_text(source.path, source.text())
        transaction.commit()
    return result
