"""The items themselves: ids, required fields, test levels, refinement cycles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from specheft.model import FIELDS, KIND_DEFS
from specheft.trace.graph import TraceGraph
from specheft.trace.ruleset import CheckOptions, Hit, rule


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@rule("id-pattern", "an item's id matches the id pattern of its kind ([ids] in specheft.toml)")
def _id_pattern(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    patterns = options.id_patterns
    for item in graph.items.values():
        definition = KIND_DEFS.get(item.kind)  # type: ignore[call-overload]
        if definition is None:
            continue
        pattern = patterns.get(item.kind, definition.id_pattern)
        if not _compiled(pattern).match(item.id):
            yield Hit(
                item,
                f"id {item.id!r} does not match the id pattern of {item.kind} items {pattern}",
                f"an id like {definition.id_example}",
                field="id",
            )


_LEVEL_IN_ID = re.compile(r"(?:^|-)(SIT|UAT)(?:-|$)", re.IGNORECASE)


@rule("test-level", "a test whose id names a test level (TC-SIT-…, TC-UAT-…) has that :level:")
def _test_level(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.of_kind("test", active_only=False):
        level = item.get("level")
        if not level:
            continue  # a missing level is the rule required-field's
        named = _LEVEL_IN_ID.search(item.id)
        if named and named.group(1).lower() != str(level).lower():
            yield Hit(
                item,
                f"id {item.id} names the test level {named.group(1).upper()}, but :level: is "
                f"{level}",
                f"set ':level: {named.group(1).lower()}', or give the test an id of its level",
                field="level",
            )


_REQUIRED = {kind: tuple(f.name for f in FIELDS if kind in f.required_on) for kind in KIND_DEFS}


@rule(
    "required-field",
    "an item sets the fields its kind requires (a requirement's priority, a test's level, …)",
)
def _required_field(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        for name in _REQUIRED.get(item.kind, ()):  # type: ignore[call-overload]
            value = item.order if name == "order" else item.get(name)
            if value in (None, "", [], ()):
                yield Hit(
                    item,
                    f"{item.kind} items must set :{name}:",
                    f"add ':{name}: …' below the directive line",
                )


@rule(
    "refines-cycle",
    "refinements form a hierarchy: no requirement refines itself, directly or in a cycle",
    "warning",
)
def _refines_cycle(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # iterative depth-first search (hierarchies can be deep); each cycle reported once,
    # at its smallest id, so the finding does not move between runs
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset[str]] = set()
    for root in graph.of_kind("req", active_only=False):
        if state.get(root.id) or not root.links.get("refines"):
            continue
        stack = [(root.id, _refined(graph, root.id))]  # the current path, with what is left
        state[root.id] = 1
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[current] = 2
                continue
            if child not in graph.items:
                continue  # an unknown target is link-kind's finding
            if state.get(child) == 1:
                path = [entry[0] for entry in stack]
                cycle = path[path.index(child) :]
                members = frozenset(cycle)
                if members in reported:
                    continue
                reported.add(members)
                start = cycle.index(min(cycle))
                ordered = cycle[start:] + cycle[:start]
                first = graph.items[ordered[0]]
                if len(ordered) == 1:
                    message = f"{first.id} refines itself"
                else:
                    message = "refinements form a cycle: " + " → ".join([*ordered, ordered[0]])
                yield Hit(
                    first,
                    message,
                    "a requirement refines a broader one; remove one link of the cycle",
                    field="refines",
                )
            elif not state.get(child):
                state[child] = 1
                stack.append((child, _refined(graph, child)))


def _refined(graph: TraceGraph, item_id: str) -> Iterator[str]:
    return iter(sorted(set(graph.items[item_id].links.get("refines", ()))))
