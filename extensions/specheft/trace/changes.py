"""Change control against a revision: which requirements changed since it, and which
change request (Änderungsantrag) covers each change (pure: item states in, answers out).

``specheft check --since REV`` reads the items of revision REV (``project/since.py``),
compares them with the items being checked (:mod:`specheft.trace.diff`) and hands the
result to the rules as :class:`Since`; the rule ``change-uncovered``
(:mod:`specheft.trace.rules.changes`) reports each change that no approved or
implemented change request names in ``:changes:``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from specheft.model import COVERING_DECISIONS, INACTIVE_STATUSES, Kind, Priority
from specheft.trace.diff import ItemChange, ItemDiff, ItemState
from specheft.trace.graph import Item, TraceGraph

_STRENGTH = {str(Priority.MUST): 3, str(Priority.SHOULD): 2, str(Priority.CAN): 1}


@dataclass(frozen=True)
class Since:
    """The items at a revision and what changed from there to the items checked."""

    revision: str  # as the user named it (``v1.0``)
    before: Mapping[str, ItemState]
    diff: ItemDiff
    revisions: Mapping[str, str] = field(default_factory=dict)
    """Item id → the revision it is compared with where that is not ``revision``: with
    plain ``--since`` each document's own latest baseline (``lh-v1.0``, ``ph-v2.0``)."""

    def revision_of(self, item_id: str) -> str:
        return self.revisions.get(item_id, self.revision)


def requests_naming(graph: TraceGraph) -> dict[str, list[Item]]:
    """Item id → the change requests whose ``:changes:`` name it, in id order.

    An inactive change request (``:status: obsolete``) names nothing."""
    naming: dict[str, list[Item]] = {}
    for request in graph.of_kind(Kind.CR):
        for target in request.links.get("changes", ()):
            naming.setdefault(target, []).append(request)
    return naming


def covers(request: Item) -> bool:
    """A change request justifies what it names once approved (or implemented)."""
    return str(request.get("decision") or "") in COVERING_DECISIONS


def strongest_priority(*priorities: str | None) -> str | None:
    """The most binding of the priorities an item had before and has now: lowering a
    must to a can is a change of a must requirement."""
    known = [p for p in priorities if p in _STRENGTH]
    return max(known, key=_STRENGTH.__getitem__) if known else None


@dataclass(frozen=True)
class RequirementChange:
    change: ItemChange
    priority: str | None
    before: ItemState | None  # None: added since the revision
    withdrawn: bool  # made obsolete or rejected since (removed, the item kept)

    @property
    def what(self) -> str:
        if self.change.status == "added":
            return "added"
        if self.change.status == "removed":
            return "removed (deleted from the source)"
        if self.withdrawn:
            return "removed (status changed to obsolete or rejected)"
        changed = [f.label for f in self.change.fields] + [link.name for link in self.change.links]
        return f"changed ({', '.join(changed)})" if changed else "changed"


def requirement_changes(graph: TraceGraph, since: Since) -> Iterator[RequirementChange]:
    """The requirements added, changed or removed since the revision (moves are no
    change), each with the most binding priority it had then or has now."""
    for change in since.diff.changes:
        if change.status == "moved":
            continue
        before = since.before.get(change.id)
        now = graph.get(change.id)
        kinds = {state.kind for state in (before, now) if state is not None}
        if Kind.REQ not in kinds:
            continue
        old_priority = before.values.get("priority") if before else None
        priority = strongest_priority(old_priority, now.priority if now else None)
        was_active = before is not None and before.values.get("status") not in INACTIVE_STATUSES
        if change.status == "removed" and not was_active:
            continue  # deleting what was withdrawn already is housekeeping, no change
        withdrawn = was_active and now is not None and not now.active
        yield RequirementChange(change, priority, before, withdrawn)
