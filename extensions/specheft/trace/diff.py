"""The differences between the items of two revisions (pure: needs data in, changes out).

An item is compared by its normalized content — the same one its document's fingerprint
covers (``fingerprint.normalize``): id, kind, title, text, fields, tags and outgoing links,
whitespace folded. Re-wrapping a paragraph or re-indenting an option therefore changes
nothing; an item whose content is equal but whose source file differs is *moved*.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from specheft.trace.fingerprint import normalize
from specheft.trace.graph import LINK_NAMES, NeedLike

Status = Literal["added", "removed", "changed", "moved"]
#: (operation, words): "=" equal, "-" only in the old text, "+" only in the new one
Segment = tuple[Literal["=", "-", "+"], str]

#: fields shown first, in this order; the others follow by name
_FIRST = ("type", "title", "content", "status", "priority")
_LABELS = {"type": "kind", "content": "text"}


@dataclass(frozen=True)
class ItemState:
    """What a revision says about one item: its normalized content and where it stands."""

    id: str
    kind: str
    path: str | None
    line: int | None
    values: dict[str, str]  # normalized text fields (title, content, priority, tags, …)
    links: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, need: NeedLike, srcdir: str | None = None, own: Sequence[str] = ()) -> ItemState:
        normal = normalize(need, own)
        links = {name: tuple(normal.pop(name)) for name in LINK_NAMES if name in normal}
        tags = normal.pop("tags", None)
        values = {k: str(v) for k, v in normal.items() if k != "id"}
        if tags:
            values["tags"] = ", ".join(tags)
        docname = need.get("docname")
        path = f"{docname}{need.get('doctype') or '.md'}" if docname else None
        if path and srcdir:
            path = f"{srcdir}/{path}"
        line = need.get("lineno")
        return cls(
            str(need["id"]),
            str(need.get("type") or ""),
            path,
            line if isinstance(line, int) else None,
            values,
            links,
        )


def snapshot(
    needs: Iterable[NeedLike], srcdir: str | None = None, own: Sequence[str] = ()
) -> dict[str, ItemState]:
    """The items of one revision by id (items of other projects are not ours to compare);
    ``own``: the project's own field names."""
    states = (ItemState.of(n, srcdir, own) for n in needs if not n.get("is_external"))
    return {state.id: state for state in states}


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return _LABELS.get(self.name, self.name)

    def words(self) -> list[Segment]:
        return word_diff(self.old or "", self.new or "")


@dataclass(frozen=True)
class LinkChange:
    name: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class ItemChange:
    id: str
    kind: str
    status: Status
    old_path: str | None = None
    new_path: str | None = None
    line: int | None = None  # in the new revision (the old one for a removed item)
    fields: tuple[FieldChange, ...] = ()
    links: tuple[LinkChange, ...] = ()

    @property
    def moved(self) -> bool:
        return (
            self.status != "added" and self.status != "removed" and self.old_path != self.new_path
        )


@dataclass
class ItemDiff:
    old: str  # names of the compared revisions, for the report
    new: str
    changes: list[ItemChange] = field(default_factory=list)

    def of(self, status: Status) -> list[ItemChange]:
        return [c for c in self.changes if c.status == status]

    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in ("added", "removed", "changed", "moved")}


#: a word or a single punctuation mark, with the whitespace before it
_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])")


def _tokens(text: str) -> list[str]:
    # whitespace folded to one space, kept as part of the token: "Branche" and "Branche,"
    # share the word, and a comma added after it is shown without a space before it
    return [(" " if t[0].isspace() else "") + t.strip() for t in _TOKEN.findall(text.strip())]


def word_diff(old: str, new: str) -> list[Segment]:
    """A word-level diff: runs of equal, removed and added words and punctuation marks.

    Each run keeps the space before it, so the equal and removed runs joined give the old
    text and the equal and added ones the new text (whitespace folded)."""
    a, b = _tokens(old), _tokens(new)
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("+", "".join(b[j1:j2])))
    return segments


def marked(segments: list[Segment], marks: dict[str, str], escape: Callable[[str], str]) -> str:
    """The segments joined, each changed run wrapped in its marks after its leading space."""
    parts = []
    for op, text in segments:
        body = text.lstrip()
        parts.append(text[: len(text) - len(body)] + marks[op].format(escape(body)))
    return "".join(parts)


def _field_order(name: str) -> tuple[int, str]:
    return (_FIRST.index(name) if name in _FIRST else len(_FIRST), name)


def compare_items(old: ItemState, new: ItemState) -> ItemChange | None:
    names = sorted(old.values.keys() | new.values.keys(), key=_field_order)
    fields = tuple(
        FieldChange(name, old.values.get(name), new.values.get(name))
        for name in names
        if old.values.get(name) != new.values.get(name)
    )
    links = []
    for name in sorted(old.links.keys() | new.links.keys()):
        before, after = set(old.links.get(name, ())), set(new.links.get(name, ()))
        if before != after:
            links.append(
                LinkChange(name, tuple(sorted(after - before)), tuple(sorted(before - after)))
            )
    if fields or links:
        status: Status = "changed"
    elif old.path != new.path:
        status = "moved"
    else:
        return None
    return ItemChange(new.id, new.kind, status, old.path, new.path, new.line, fields, tuple(links))


def diff_snapshots(
    old: Mapping[str, ItemState], new: Mapping[str, ItemState], old_name: str, new_name: str
) -> ItemDiff:
    """Every item added, removed, changed or moved from ``old`` to ``new``, by id."""
    result = ItemDiff(old_name, new_name)
    for item_id in sorted(old.keys() | new.keys()):
        before, after = old.get(item_id), new.get(item_id)
        if before is None and after is not None:
            result.changes.append(
                ItemChange(item_id, after.kind, "added", None, after.path, after.line)
            )
        elif after is None and before is not None:
            result.changes.append(
                ItemChange(item_id, before.kind, "removed", before.path, None, before.line)
            )
        elif before is not None and after is not None:
            change = compare_items(before, after)
            if change is not None:
                result.changes.append(change)
    return result


# --- reports -----------------------------------------------------------------------------


def _where(change: ItemChange) -> str:
    path = change.new_path if change.status != "removed" else change.old_path
    if path and change.line:
        return f"{path}:{change.line}"
    return path or "?"


def summary(diff: ItemDiff) -> str:
    counts = diff.counts()
    if not diff.changes:
        return f"{diff.old} → {diff.new}: no differences"
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"{diff.old} → {diff.new}: {parts}"


def _plain_words(segments: list[Segment]) -> str:
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}  # git diff --word-diff's marks
    return marked(segments, marks, str)


def render_text(diff: ItemDiff) -> str:
    lines = [summary(diff)]
    for change in diff.changes:
        lines.append(f"{_where(change)}: {change.id}: {change.status} ({change.kind})")
        if change.moved:
            lines.append(f"    moved from {change.old_path} to {change.new_path}")
        for fc in change.fields:
            if fc.old is None or fc.new is None:
                # a field set or cleared: its whole value, the missing side as "—"
                lines.append(f"    {fc.label}: {fc.old or '—'} → {fc.new or '—'}")
            else:
                lines.append(f"    {fc.label}: {_plain_words(fc.words())}")
        for lc in change.links:
            moved = [f"+{t}" for t in lc.added] + [f"-{t}" for t in lc.removed]
            lines.append(f"    {lc.name}: {' '.join(moved)}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    # user text in a table cell / emphasis: neutralize Markdown and HTML syntax characters
    for char in "\\`*_[]<>|~":
        text = text.replace(char, "\\" + char)
    return text


def _md_words(segments: list[Segment]) -> str:
    # HTML marks, not ~~/**: emphasis next to punctuation ("Branche**, Größe**") is no
    # emphasis in CommonMark; GitHub and GitLab render <del>/<ins> in Markdown
    marks = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    return marked(segments, marks, _md)


def render_markdown(diff: ItemDiff) -> str:
    lines = [f"# Changes {_md(diff.old)} → {_md(diff.new)}", "", _md(summary(diff)), ""]
    for status in ("added", "removed", "changed", "moved"):
        changes = diff.of(status)
        if not changes:
            continue
        lines += [f"## {status.capitalize()} ({len(changes)})", ""]
        for change in changes:
            lines.append(f"- **{_md(change.id)}** ({_md(change.kind)}), `{_where(change)}`")
            if change.moved:
                lines.append(f"  - moved from `{change.old_path}` to `{change.new_path}`")
            for fc in change.fields:
                lines.append(f"  - {fc.label}: {_md_words(fc.words())}")
            for lc in change.links:
                parts = [f"**+{_md(t)}**" for t in lc.added] + [f"~~{_md(t)}~~" for t in lc.removed]
                lines.append(f"  - {lc.name}: {' '.join(parts)}")
        lines.append("")
    return "\n".join(lines)


def as_json(diff: ItemDiff) -> dict[str, Any]:
    return {
        "old": diff.old,
        "new": diff.new,
        "counts": diff.counts(),
        "changes": [
            {
                "id": c.id,
                "kind": c.kind,
                "status": c.status,
                "old_path": c.old_path,
                "new_path": c.new_path,
                "line": c.line,
                "fields": [
                    {
                        "name": f.label,
                        "old": f.old,
                        "new": f.new,
                        "words": [list(s) for s in f.words()],
                    }
                    for f in c.fields
                ],
                "links": [
                    {"name": lc.name, "added": list(lc.added), "removed": list(lc.removed)}
                    for lc in c.links
                ],
            }
            for c in diff.changes
        ],
    }


def render_json(diff: ItemDiff) -> str:
    return json.dumps(as_json(diff), ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
