"""Change control: every change of a must or should requirement since a revision is
justified by an approved change request (rule ``change-uncovered``)."""

from __future__ import annotations

from collections.abc import Iterator

from specheft.model import Kind
from specheft.trace.changes import covers, requests_naming, requirement_changes
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.ruleset import CheckOptions, Hit, rule


@rule(
    "change-uncovered",
    "with 'check --since [REV]': every requirement added, changed or removed since REV (or "
    "its document's latest baseline) is named in ':changes:' of an approved or implemented "
    "change request",
    "off",
    must="error",
    should="warning",
)
def _change_uncovered(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    since = options.since
    if since is None:
        return  # nothing to compare with
    naming = requests_naming(graph)
    for found in requirement_changes(graph, since):
        change = found.change
        requests = naming.get(change.id, [])
        if any(covers(request) for request in requests):
            continue
        item = graph.get(change.id)
        revision = since.revision_of(change.id)
        where = ""
        if item is None:  # deleted: reported where it stood in the revision
            before = found.before
            assert before is not None
            item = Item(change.id, before.kind, "", path=before.path, line=before.line)
            where = f" (shown where it stood in {revision})"
        word = f"{found.priority} requirement" if found.priority else "requirement"
        message = (
            f"{word} {found.what} since {revision}{where}, and no approved "
            "change request names it in :changes:"
        )
        undecided = [
            f"{r.id} names it, but is {r.get('decision') or 'undecided'}" for r in requests
        ]
        if undecided:
            message += f" ({'; '.join(undecided)})"
        if change.status == "removed":
            hint = (
                f"keep {change.id} with ':status: obsolete' and name it in ':changes:' of an "
                "approved change request (a deleted item cannot be named)"
            )
        else:
            hint = (
                f"name {change.id} in ':changes:' of a change request ({Kind.CR} item) with "
                "':decision: approved', or undo the change"
            )
        yield Hit(item, message, hint, priority=found.priority)
