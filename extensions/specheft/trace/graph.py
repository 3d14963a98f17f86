"""The trace graph: items and their links, built once from needs data.

Input is what sphinx-needs produces — the in-build needs view or needs.json — read
through one function, so the CLI, the directives and the tests share one code path.
Building is linear in items plus links; every query afterwards is a dict lookup.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from specheft.errors import InputError, Location
from specheft.model import INACTIVE_STATUSES, LINKS, Kind

LINK_NAMES: tuple[str, ...] = tuple(link.name for link in LINKS)

#: The need fields the graph keeps besides links; other fields stay in ``Item.fields``.
_KEPT = (
    "priority", "area", "level", "role", "solution", "verification", "acceptance", "source",
)  # fmt: skip
#: A change request's fields (rule change-uncovered reads its decision).
_CHANGE_REQUEST = (
    "reason", "requested_by", "date", "effort", "impact", "decision", "decision_date",
)  # fmt: skip
#: Every need field an ``Item`` keeps in ``fields``.
_FIELDS = (
    *_KEPT, "content", "tags", "typical_phase", "statement_en", "title_en", "acceptance_en",
    "lineno_content", "reviewed", *_CHANGE_REQUEST,
)  # fmt: skip
#: The same, for a reader that rebuilds need dicts from the items (project/export_snapshot.py).
ITEM_FIELDS = _FIELDS
#: Field values an ``Item`` does not keep (unset).
_EMPTY: tuple[Any, ...] = (None, "", [], ())


class NeedLike(Protocol):
    """A need as sphinx-needs gives it: a dict from needs.json or a ``NeedItem``."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def __getitem__(self, key: str) -> Any: ...


@dataclass(slots=True)
class Item:
    id: str
    kind: str
    title: str
    status: str | None = None
    docname: str | None = None
    path: str | None = None
    line: int | None = None
    order: int | None = None
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[Item], tuple[Any, ...]]:
        # the fields in order, not a dict of slot names per item: the items cache of a
        # large project is written and read a third faster
        return (Item, (self.id, self.kind, self.title, self.status, self.docname, self.path,
                       self.line, self.order, self.links, self.fields))  # fmt: skip

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES

    @property
    def priority(self) -> str | None:
        value = self.fields.get("priority")
        return str(value) if value else None

    @property
    def area(self) -> str | None:
        value = self.fields.get("area")
        return str(value) if value else None

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    @property
    def content_line(self) -> int | None:
        """The source line of the item's first body line (``content``); the item's own
        line when unknown (e.g. read from needs.json, which has no ``lineno_content``).

        sphinx-needs keeps ``lineno_content`` in the parser's line space: for MyST that
        is the offset of the body from the directive's opening line, for reST the
        absolute line.
        """
        offset = self.fields.get("lineno_content")
        if not isinstance(offset, int) or isinstance(offset, bool) or self.line is None:
            return self.line
        if self.path is not None and self.path.endswith(".md"):
            return self.line + offset
        return offset


def _as_tuple(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.replace(";", ",").split(",") if v.strip())
    return tuple(map(str, value))


class TraceGraph:
    """Items by id, outgoing links per item, incoming links per target."""

    def __init__(self, items: Iterable[Item]) -> None:
        self.items: dict[str, Item] = {}
        for item in items:
            self.items[item.id] = item
        # incoming[target][link] = sources, in source-id order for stable output
        self.incoming: dict[str, dict[str, list[str]]] = {}
        incoming = self.incoming
        for item_id in sorted(self.items):
            for link, targets in self.items[item_id].links.items():
                for target in targets:
                    by_link = incoming.get(target)
                    if by_link is None:
                        by_link = incoming[target] = {}
                    if link in by_link:
                        by_link[link].append(item_id)
                    else:
                        by_link[link] = [item_id]
        self._forget()

    def _forget(self) -> None:
        """Start without derived values (made anew, also after unpickling)."""
        self._by_kind: dict[str, list[Item]] | None = None
        self.memo: dict[str, Any] = {}
        """Values derived from the graph, by their name (each item's phase, the coverage
        of each requirement, which several rules read): kept as long as the graph, which
        does not change once built."""

    def __getstate__(self) -> dict[str, Any]:
        # the derived values are not kept in the items cache: made again when asked
        return {"items": self.items, "incoming": self.incoming}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.items = state["items"]
        self.incoming = state["incoming"]
        self._forget()

    # --- construction -------------------------------------------------------------

    @classmethod
    def from_needs(cls, needs: Iterable[NeedLike], srcdir: str | None = None) -> TraceGraph:
        """Build from need dicts (needs.json values or sphinx-needs ``NeedItem`` objects).

        ``srcdir`` is prefixed to each need's source file so that findings name a path
        the user can open (e.g. ``spec/lastenheft/kontakte.md``).
        """
        items = []
        prefix = f"{srcdir.rstrip('/')}/" if srcdir else ""
        for need in needs:
            get = need.get  # read each field once: a NeedItem's get() is not a plain dict's
            if get("is_external"):
                continue  # items of other projects are link targets, not ours to check
            docname = get("docname")
            path = f"{prefix}{docname}{get('doctype') or '.md'}" if docname else None
            order = get("order")
            links = {}
            for name in LINK_NAMES:
                if value := get(name):
                    links[name] = _as_tuple(value)
            fields = {}
            for name in _FIELDS:
                if (value := get(name)) not in _EMPTY:
                    fields[name] = value
            items.append(
                Item(
                    str(need["id"]),
                    str(get("type") or ""),
                    str(get("title") or ""),
                    get("status") or None,
                    docname,
                    path,
                    get("lineno"),
                    order if isinstance(order, int) and not isinstance(order, bool) else None,
                    links,
                    fields,
                )
            )
        return cls(items)

    @classmethod
    def from_needs_json(
        cls, path: Path, srcdir: str | None = None, version: str | None = None
    ) -> TraceGraph:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                "needs.json not found",
                location=Location(str(path)),
                hint="build the project first: specheft build",
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                f"cannot read needs.json: {exc}", location=Location(str(path))
            ) from None
        try:
            versions = data["versions"]
            key = version if version is not None else data.get("current_version", "")
            if key not in versions:
                key = next(iter(versions))
            needs = versions[key]["needs"]
        except (KeyError, TypeError, StopIteration):
            raise InputError(
                "not a sphinx-needs needs.json (no versions/…/needs)", location=Location(str(path))
            ) from None
        return cls.from_needs(needs.values(), srcdir)

    # --- queries --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    def of_kind(self, kind: str | Kind, *, active_only: bool = True) -> Iterator[Item]:
        """The items of ``kind`` in id order (sorted once, when first asked)."""
        if self._by_kind is None:
            self._by_kind = {}
            for item_id in sorted(self.items):
                item = self.items[item_id]
                self._by_kind.setdefault(item.kind, []).append(item)
        for item in self._by_kind.get(str(kind), ()):
            if not active_only or item.status not in INACTIVE_STATUSES:
                yield item

    def sources(self, target: str, link: str, *, active_only: bool = True) -> list[str]:
        """Ids of the items that link to ``target`` through ``link``."""
        by_link = self.incoming.get(target)
        ids = by_link.get(link) if by_link is not None else None
        if not ids:
            return []
        if not active_only:
            return list(ids)
        items = self.items
        return [i for i in ids if items[i].status not in INACTIVE_STATUSES]

    def targets(self, item: Item, link: str, *, active_only: bool = True) -> list[Item]:
        """The existing items ``item`` links to through ``link``."""
        ids = item.links.get(link)
        if not ids:
            return []
        items = self.items
        found = []
        for target_id in ids:
            target = items.get(target_id)
            if target is not None and (not active_only or target.status not in INACTIVE_STATUSES):
                found.append(target)
        return found

    def phase_of(self, item: Item) -> Item | None:
        """The item's (first) phase; None when unassigned or the phase is unknown."""
        own = self.items.get(item.id) is item  # an item of another graph is not remembered
        phases: dict[str, Item | None] = self.memo.setdefault("phase", {})
        if own and item.id in phases:
            return phases[item.id]
        phase = next((t for t in self.targets(item, "phase") if t.kind == Kind.PHASE), None)
        if own:
            phases[item.id] = phase
        return phase


#: (link, direction) walked upstream: outgoing links of the item and of what it reaches
UPSTREAM = ("refines", "satisfies", "verifies")
DOWNSTREAM = ("refines", "satisfies", "verifies")

Edge = tuple[str, str, str]  # (from id, link, to id)


def walk(
    graph: TraceGraph, start: Item, depth: int, *, upstream: bool
) -> tuple[list[Item], list[Edge]]:
    """Items reached from ``start`` within ``depth`` steps, breadth first; each once."""
    seen = {start.id}
    frontier = [start]
    found: list[Item] = []
    edges: list[Edge] = []
    for _ in range(depth):
        following: list[Item] = []
        for item in frontier:
            for link in UPSTREAM if upstream else DOWNSTREAM:
                if upstream:
                    neighbours = graph.targets(item, link, active_only=False)
                    edges += [(item.id, link, n.id) for n in neighbours]
                else:
                    neighbours = [
                        graph.items[i] for i in graph.sources(item.id, link, active_only=False)
                    ]
                    edges += [(n.id, link, item.id) for n in neighbours]
                for neighbour in neighbours:
                    if neighbour.id not in seen:
                        seen.add(neighbour.id)
                        found.append(neighbour)
                        following.append(neighbour)
        frontier = following
    if not upstream and start.kind == Kind.PHASE:
        members = [graph.items[i] for i in graph.sources(start.id, "phase", active_only=False)]
        found += [m for m in members if m.id not in seen]
        edges += [(m.id, "phase", start.id) for m in members]
    return found, edges
