"""Phases: every spec and test scheduled, in an order that fits what it serves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specheft.model import Kind, Priority
from specheft.trace.coverage import coverage
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.rules.wording import id_list, priority_word
from specheft.trace.ruleset import CheckOptions, Hit, rule


@rule("phase-order", "a test is not scheduled in an earlier phase than what it verifies")
def _phase_order(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for test in graph.of_kind(Kind.TEST):
        phase = graph.phase_of(test)
        if phase is None or phase.order is None:
            continue
        for target in graph.targets(test, "verifies"):
            target_phase = graph.phase_of(target)
            if (
                target_phase is not None
                and target_phase.order is not None
                and phase.order < target_phase.order
            ):
                yield Hit(
                    test,
                    f"is scheduled in {phase.id} (order {phase.order}), earlier than "
                    f"{target.id} in {target_phase.id} (order {target_phase.order})",
                    f"move the test to {target_phase.id} or later",
                    priority=target.priority,
                )


@rule(
    "spec-phase",
    "every Pflichtenheft item is assigned to a project phase (when it is delivered)",
)
def _spec_phase(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for spec in graph.of_kind(Kind.SPEC):
        if not spec.links.get("phase"):
            yield Hit(
                spec,
                "Pflichtenheft item is not assigned to a phase",
                "add ':phase: PHASE-…' naming the phase in which it is delivered",
            )


@rule(
    "spec-phase-order",
    "a Pflichtenheft item is not scheduled in a later phase than the requirements it satisfies",
)
def _spec_phase_order(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # delivering later than the Lastenheft asks is a contract deviation, not a detail;
    # one finding per item and priority (the level depends on the requirement's priority)
    for spec in graph.of_kind(Kind.SPEC):
        phase = graph.phase_of(spec)
        if phase is None or phase.order is None:
            continue  # spec-phase's or required-field's finding
        late: dict[str | None, list[tuple[Item, Item]]] = {}
        for req in graph.targets(spec, "satisfies"):
            req_phase = graph.phase_of(req)
            if (
                req.kind == Kind.REQ
                and req_phase is not None
                and req_phase.order is not None
                and phase.order > req_phase.order
            ):
                late.setdefault(req.priority, []).append((req, req_phase))
        for priority, pairs in _by_rank(late):
            pairs.sort(key=lambda pair: (pair[1].order or 0, pair[0].id))
            earliest = pairs[0][1]
            named = _first_three([f"{r.id} ({p.id}, order {p.order})" for r, p in pairs])
            yield Hit(
                spec,
                f"is scheduled in {phase.id} (order {phase.order}), later than "
                f"{priority_word(pairs[0][0])} requirement{'s' if len(pairs) > 1 else ''} "
                f"{named} require{'' if len(pairs) > 1 else 's'}",
                f"deliver it in {earliest.id} or earlier, or agree a later phase in the Lastenheft",
                priority=priority,
                field="phase",
            )


_PRIORITY_RANK = {str(p): rank for rank, p in enumerate(Priority)}


def _first_three(labels: list[str]) -> str:
    """The first three labels, then how many more: a finding stays one line."""
    more = f" and {len(labels) - 3} more" if len(labels) > 3 else ""
    return ", ".join(labels[:3]) + more


def _by_rank(groups: dict[str | None, list[Any]]) -> list[tuple[str | None, list[Any]]]:
    """Groups keyed by priority, must first (then should, can, anything else)."""
    return sorted(groups.items(), key=lambda kv: (_PRIORITY_RANK.get(kv[0] or "", 9), kv[0] or ""))


@rule(
    "req-test-phase",
    "a requirement's verification is scheduled: at least one of its tests has a :phase:",
    must="error",
    should="info",
    can="off",
)
def _req_test_phase(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # reported at the tests (that is where :phase: goes), once per test and priority of
    # the requirements it leaves unscheduled (the level depends on that priority)
    unscheduled: dict[str, dict[str | None, list[Item]]] = {}
    only: dict[str, bool] = {}
    for row in coverage(graph):
        req, tests = row.item, row.tests
        if tests and not any(graph.phase_of(graph.items[t]) for t in tests):
            for test_id in tests:
                if not graph.items[test_id].links.get("phase"):
                    unscheduled.setdefault(test_id, {}).setdefault(req.priority, []).append(req)
                    only[test_id] = only.get(test_id, True) and len(tests) == 1
    for test_id in sorted(unscheduled):
        for priority, reqs in _by_rank(unscheduled[test_id]):
            word = priority_word(reqs[0])
            plural = "s" if len(reqs) > 1 else ""
            named = _first_three([r.id for r in reqs])
            if only[test_id]:
                message = (
                    f"is the only test of {word} requirement{plural} {named} and has no "
                    ":phase:, so its verification is not scheduled"
                )
            else:
                message = (
                    f"has no :phase:, and no other test of {word} requirement{plural} "
                    f"{named} has one, so its verification is not scheduled"
                )
            yield Hit(
                graph.items[test_id],
                message,
                "add ':phase: PHASE-…' naming the phase in which the test runs",
                priority=priority,
            )


@rule(
    "req-uat",
    "a requirement that is tested is accepted by at least one UAT test, not by SIT tests only",
    must="warning",
    should="off",
    can="off",
)
def _req_uat(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for row in coverage(graph):
        req = row.item
        tests = [graph.items[t] for t in row.tests]
        if tests and not any(str(t.get("level") or "").lower() == "uat" for t in tests):
            yield Hit(
                req,
                f"{priority_word(req)} requirement is verified by SIT tests only "
                f"({id_list(t.id for t in tests)}); no acceptance test (UAT) of the customer",
                f"add a UAT test with ':verifies: {req.id}' (an inspection of the SIT "
                "protocol counts), or set the level of req-uat in [rules]",
            )


@rule("phase-order-unique", "no two phases share one :order:")
def _phase_order_unique(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # with a shared order, "earlier" and "later" between the two phases mean nothing
    by_order: dict[int, list[Item]] = {}
    for phase in graph.of_kind(Kind.PHASE):
        if phase.order is not None:
            by_order.setdefault(phase.order, []).append(phase)
    for order, phases in sorted(by_order.items()):
        if len(phases) < 2:
            continue
        for phase in phases:
            others = id_list(p.id for p in phases if p is not phase)
            yield Hit(
                phase,
                f"has :order: {order}, like {others}",
                "give every phase its own :order: (the sequence in which the phases run)",
                field="order",
            )
