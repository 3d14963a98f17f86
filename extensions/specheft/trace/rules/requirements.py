"""Coverage of requirements: satisfied by a spec, verified by a test, assigned to a phase."""

from __future__ import annotations

from collections.abc import Iterator

from specheft.model import Kind
from specheft.trace.coverage import coverage
from specheft.trace.graph import TraceGraph
from specheft.trace.rules.wording import priority_word
from specheft.trace.ruleset import CheckOptions, Hit, rule


@rule(
    "req-satisfied",
    "a requirement is satisfied by at least one Pflichtenheft item",
    must="error",
    should="error",
    can="info",
)
def _req_satisfied(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for row in coverage(graph):
        req = row.item
        if not row.specs:
            yield Hit(
                req,
                f"{priority_word(req)} requirement is not satisfied by any Pflichtenheft item",
                f"add a spec item with ':satisfies: {req.id}'",
            )


@rule(
    "req-verified",
    "a requirement is verified by at least one test, directly or through a spec that satisfies it",
    must="error",
    should="info",
    can="info",
)
def _req_verified(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for cov in coverage(graph):
        req = cov.item
        if not cov.tests:
            hint = f"add a test with ':verifies: {req.id}'"
            if cov.specs:
                hint = (
                    f"add a test with ':verifies: {cov.specs[0]}' (its spec) or "
                    f"':verifies: {req.id}'"
                )
            yield Hit(
                req,
                f"{priority_word(req)} requirement is not verified by any test case",
                hint,
            )


@rule("req-phase", "every requirement is assigned to a project phase")
def _req_phase(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for req in graph.of_kind(Kind.REQ):
        if not req.links.get("phase"):
            yield Hit(
                req,
                "requirement is not assigned to a phase",
                "add ':phase: PHASE-…' naming the phase in which it is delivered",
            )
