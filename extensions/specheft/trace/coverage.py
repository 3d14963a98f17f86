"""Coverage of each requirement: specified by whom, tested by what, in which phase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from specheft.model import Kind, Priority
from specheft.trace.graph import Item, TraceGraph


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
    tests: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Direct and through-spec tests, in id order (made once: five rules read them)."""

    def __post_init__(self) -> None:
        tests = tuple(sorted(set(self.direct_tests) | set(self.spec_tests)))
        object.__setattr__(self, "tests", tests)

    @property
    def status(self) -> CoverageStatus:
        if self.specs and self.tests:
            return CoverageStatus.COVERED
        if self.specs or self.tests:
            return CoverageStatus.PARTIAL
        return CoverageStatus.UNCOVERED


def requirement_coverage(graph: TraceGraph, item: Item) -> RequirementCoverage:
    """The requirement's coverage, worked out once per graph: five rules and the
    report's rows ask for it (a re-check at N=5000 asked 25,000 times for 5,000 rows)."""
    memo: dict[str, RequirementCoverage] = graph.memo.setdefault("coverage", {})
    found = memo.get(item.id)
    if found is not None and found.item is item:
        return found
    row = _requirement_coverage(graph, item)
    if graph.items.get(item.id) is item:  # an item of another graph is not remembered
        memo[item.id] = row
    return row


def _requirement_coverage(graph: TraceGraph, item: Item) -> RequirementCoverage:
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
    """Coverage of every active requirement, in id order (a new list: the rows are made
    once per graph, and four rules and the report read them)."""
    rows: list[RequirementCoverage] | None = graph.memo.get("coverage rows")
    if rows is None:
        rows = [requirement_coverage(graph, item) for item in graph.of_kind(Kind.REQ)]
        graph.memo["coverage rows"] = rows
    return list(rows)


def percent(part: int, total: int) -> int | None:
    """``part`` of ``total`` in whole percent, rounded down: a report never claims more
    coverage than there is (204 of 205 is 99 %, not 100 %). None when there is no total.

    The one rule for every place that shows a share: the summary page and PDF, the
    ``check`` summary line and its JSON."""
    if total <= 0:
        return None
    return 100 * part // total


def percent_text(part: int, total: int) -> str:
    value = percent(part, total)
    return "–" if value is None else f"{value} %"


@dataclass(frozen=True)
class CoverageCounts:
    total: int
    covered: int
    partial: int
    uncovered: int
    specified: int = 0
    """Requirements with at least one Pflichtenheft item."""
    tested: int = 0
    """Requirements with at least one test, directly or through a Pflichtenheft item."""

    def percent(self, status: str) -> int | None:
        """The share of ``status`` (covered/partial/uncovered/specified/tested), rounded down."""
        value = {
            "covered": self.covered,
            "partial": self.partial,
            "uncovered": self.uncovered,
            "specified": self.specified,
            "tested": self.tested,
        }
        return percent(value[str(status)], self.total)

    def as_dict(self) -> dict[str, Any]:
        """The counts and their shares (rounded down, None without requirements)."""
        shares = ("specified", "tested", "covered", "partial", "uncovered")
        return {**asdict(self), "percent": {name: self.percent(name) for name in shares}}


def count(rows: Iterable[RequirementCoverage]) -> CoverageCounts:
    counter: Counter[CoverageStatus] = Counter()
    specified = tested = 0
    for row in rows:
        counter[row.status] += 1
        specified += bool(row.specs)
        tested += bool(row.tests)
    return CoverageCounts(
        total=sum(counter.values()),
        covered=counter[CoverageStatus.COVERED],
        partial=counter[CoverageStatus.PARTIAL],
        uncovered=counter[CoverageStatus.UNCOVERED],
        specified=specified,
        tested=tested,
    )


def group(
    rows: Iterable[RequirementCoverage], key: Callable[[RequirementCoverage], str]
) -> dict[str, list[RequirementCoverage]]:
    """Rows by ``key``, in one pass."""
    groups: dict[str, list[RequirementCoverage]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


#: The group of requirements without a priority (a ``required-field`` error).
NO_PRIORITY = "unknown"


def priority_key(row: RequirementCoverage) -> str:
    """The priority a requirement is counted under: its value even when invalid (the
    error stands, but the item still counts, so the totals equal the number of items)."""
    return row.item.priority or NO_PRIORITY


def by_priority(rows: list[RequirementCoverage]) -> dict[str, CoverageCounts]:
    """Counts for must, should, can (always present, possibly empty), then for every
    other value found (invalid or missing priorities), so no requirement is left out."""
    groups = group(rows, priority_key)
    known = [str(p) for p in Priority]
    others = sorted(k for k in groups if k not in known)
    return {key: count(groups.get(key, [])) for key in (*known, *others)}


def by_area(rows: list[RequirementCoverage]) -> dict[str, CoverageCounts]:
    groups = group(rows, lambda r: r.item.area or "")
    return {area: count(groups[area]) for area in sorted(groups)}


# --- the rows of a coverage matrix (shared by the directive and the fingerprint) ---------

_GAP_ORDER = {CoverageStatus.UNCOVERED: 0, CoverageStatus.PARTIAL: 1, CoverageStatus.COVERED: 2}
_PRIORITY_ORDER = {str(p): i for i, p in enumerate(Priority)}


class MatrixRow:
    """The values of one matrix row, whatever the kind."""

    def __init__(
        self,
        item: Item,
        phase: Item | None,
        specs: tuple[str, ...],
        tests: tuple[str, ...],
        status: CoverageStatus,
        satisfies: tuple[str, ...] = (),
    ):
        self.item, self.phase, self.specs, self.tests = item, phase, specs, tests
        self.status, self.satisfies = status, satisfies


def matrix_rows(graph: TraceGraph, kind: str) -> list[MatrixRow]:
    """The rows of a ``coverage-matrix`` of ``kind`` (req or spec), in id order."""
    if kind == "req":
        return [MatrixRow(r.item, r.phase, r.specs, r.tests, r.status) for r in coverage(graph)]
    return _spec_rows(graph)


def _spec_rows(graph: TraceGraph) -> list[MatrixRow]:
    result = []
    for spec in graph.of_kind(Kind.SPEC):
        satisfies = tuple(t.id for t in graph.targets(spec, "satisfies") if t.kind == Kind.REQ)
        tests = tuple(
            t for t in graph.sources(spec.id, "verifies") if graph.items[t].kind == Kind.TEST
        )
        status = (
            CoverageStatus.COVERED
            if satisfies and tests
            else CoverageStatus.PARTIAL
            if satisfies or tests
            else CoverageStatus.UNCOVERED
        )
        result.append(MatrixRow(spec, graph.phase_of(spec), (), tests, status, satisfies))
    return result


def select_rows(rows: list[MatrixRow], options: Mapping[str, Any]) -> list[MatrixRow]:
    def keep(row: MatrixRow) -> bool:
        item = row.item
        if "priority" in options and item.priority not in options["priority"]:
            return False
        if "area" in options and item.area not in options["area"]:
            return False
        if "phase" in options and (row.phase is None or row.phase.id not in options["phase"]):
            return False
        return not ("status" in options and str(row.status) not in options["status"])

    chosen = [row for row in rows if keep(row)]
    sort = options.get("sort", "id")
    if sort == "gaps":
        chosen.sort(
            key=lambda r: (
                _GAP_ORDER[r.status],
                _PRIORITY_ORDER.get(r.item.priority or "", 9),
                r.item.id,
            )
        )
    elif sort == "priority":
        chosen.sort(key=lambda r: (_PRIORITY_ORDER.get(r.item.priority or "", 9), r.item.id))
    elif sort == "area":
        chosen.sort(key=lambda r: (r.item.area or "", r.item.id))
    elif sort == "phase":
        chosen.sort(
            key=lambda r: (
                r.phase.order if r.phase and r.phase.order is not None else 99,
                r.item.id,
            )
        )
    return chosen
