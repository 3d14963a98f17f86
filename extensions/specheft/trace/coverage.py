"""Coverage of each requirement: specified by whom, tested by what, in which phase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..model import Kind, Priority
from .graph import Item, TraceGraph


class CoverageStatus(StrEnum):
    COVERED = "covered"  # specified and tested
    PARTIAL = "partial"  # specified or tested, not both
    UNCOVERED = "uncovered"  # neither


@dataclass(frozen=True, slots=True)
class RequirementCoverage:
    item: Item
    specs: tuple[str, ...]
    direct_tests: tuple[str, ...]
    spec_tests: tuple[str, ...]
    phase: Item | None

    @property
    def tests(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.direct_tests) | set(self.spec_tests)))

    @property
    def status(self) -> CoverageStatus:
        if self.specs and self.tests:
            return CoverageStatus.COVERED
        if self.specs or self.tests:
            return CoverageStatus.PARTIAL
        return CoverageStatus.UNCOVERED


def requirement_coverage(graph: TraceGraph, item: Item) -> RequirementCoverage:
    specs = [s for s in graph.sources(item.id, "satisfies") if graph.items[s].kind == Kind.SPEC]
    direct = [t for t in graph.sources(item.id, "verifies") if graph.items[t].kind == Kind.TEST]
    via_specs = {
        t
        for spec in specs
        for t in graph.sources(spec, "verifies")
        if graph.items[t].kind == Kind.TEST
    }
    return RequirementCoverage(
        item=item,
        specs=tuple(specs),
        direct_tests=tuple(direct),
        spec_tests=tuple(sorted(via_specs)),
        phase=graph.phase_of(item),
    )


def coverage(graph: TraceGraph) -> list[RequirementCoverage]:
    """Coverage of every active requirement, in id order."""
    return [requirement_coverage(graph, item) for item in graph.of_kind(Kind.REQ)]


@dataclass(frozen=True)
class CoverageCounts:
    total: int
    covered: int
    partial: int
    uncovered: int

    def percent(self, status: CoverageStatus) -> float:
        value = {"covered": self.covered, "partial": self.partial, "uncovered": self.uncovered}
        return 100.0 * value[status] / self.total if self.total else 0.0


def count(rows: Iterable[RequirementCoverage]) -> CoverageCounts:
    counter = Counter(row.status for row in rows)
    return CoverageCounts(
        total=sum(counter.values()),
        covered=counter[CoverageStatus.COVERED],
        partial=counter[CoverageStatus.PARTIAL],
        uncovered=counter[CoverageStatus.UNCOVERED],
    )


def group(
    rows: Iterable[RequirementCoverage], key: Callable[[RequirementCoverage], str]
) -> dict[str, list[RequirementCoverage]]:
    """Rows by ``key``, in one pass."""
    groups: dict[str, list[RequirementCoverage]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def by_priority(rows: list[RequirementCoverage]) -> dict[str, CoverageCounts]:
    groups = group(rows, lambda r: r.item.priority or "")
    return {str(p): count(groups.get(p, [])) for p in Priority}


def by_area(rows: list[RequirementCoverage]) -> dict[str, CoverageCounts]:
    groups = group(rows, lambda r: r.item.area or "")
    return {area: count(groups[area]) for area in sorted(groups)}
