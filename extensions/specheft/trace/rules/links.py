"""Links: only between the kinds allowed, to existing and active items."""

from __future__ import annotations

from collections.abc import Iterator

from specheft.model import LINK_DEFS
from specheft.trace.graph import TraceGraph
from specheft.trace.rules.wording import id_list
from specheft.trace.ruleset import CheckOptions, Hit, rule


@rule("link-kind", "links only between the kinds allowed, and only to existing items")
def _link_kind(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        for link, targets in item.links.items():
            definition = LINK_DEFS.get(link)
            if definition is None:
                continue
            if item.kind not in definition.sources:
                yield Hit(
                    item,
                    f"a {item.kind} item may not use :{link}: (allowed from: "
                    f"{id_list(definition.sources)})",
                )
                continue
            for target_id in targets:
                target = graph.items.get(target_id)
                if target is None:
                    yield Hit(
                        item, f":{link}: names unknown item {target_id}", "check the id for typos"
                    )
                elif target.kind not in definition.targets:
                    yield Hit(
                        item,
                        f":{link}: {target_id} is a {target.kind} item; allowed "
                        f"targets: {id_list(definition.targets)}",
                    )


@rule("inactive-linked", "rejected or obsolete items are no longer linked", "warning")
def _inactive_linked(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    items = graph.items
    for item in items.values():
        if not item.links or not item.active:
            continue
        for link, ids in item.links.items():
            if link == "changes":
                continue  # a change request names what it removed: obsolete by design
            for target_id in ids:
                target = items.get(target_id)
                if target is not None and not target.active:
                    yield Hit(
                        item,
                        f":{link}: {target.id} has status {target.status!r} and is "
                        "ignored by coverage",
                        f"remove the link to {target.id}",
                    )
