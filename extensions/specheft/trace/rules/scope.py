"""Scope: exclusions stay unserved, specs are requested, tests verify something."""

from __future__ import annotations

from collections.abc import Iterator

from specheft.model import Kind
from specheft.trace.graph import TraceGraph
from specheft.trace.ruleset import CheckOptions, Hit, rule


@rule("scope-conflict", "nothing satisfies or verifies an exclusion (Abgrenzung)")
def _scope_conflict(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        links = item.links
        if ("satisfies" not in links and "verifies" not in links) or not item.active:
            continue
        for link in ("satisfies", "verifies"):
            for target in graph.targets(item, link):
                if target.kind == Kind.EXCL:
                    yield Hit(
                        item,
                        f"{link} exclusion {target.id} ({target.title!r}): "
                        "excluded scope must not be delivered or tested",
                        f"remove {target.id} from :{link}:, or change the Lastenheft if the "
                        "scope really changed",
                    )


@rule(
    "spec-unrequested",
    "every Pflichtenheft item satisfies at least one requirement "
    "(otherwise it is unrequested scope)",
)
def _spec_unrequested(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for spec in graph.of_kind(Kind.SPEC):
        if not any(t.kind == Kind.REQ for t in graph.targets(spec, "satisfies")):
            yield Hit(
                spec,
                "Pflichtenheft item satisfies no active requirement (unrequested scope)",
                "add ':satisfies: LH-…' or remove the item",
            )


@rule("test-unlinked", "every test case verifies at least one spec item or requirement")
def _test_unlinked(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for test in graph.of_kind(Kind.TEST):
        if not any(t.kind in (Kind.SPEC, Kind.REQ) for t in graph.targets(test, "verifies")):
            yield Hit(
                test,
                "test case verifies no active spec item or requirement",
                "add ':verifies: PH-…' or ':verifies: LH-…'",
            )
