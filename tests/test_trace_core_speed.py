"""The shortcuts of the core after the build (#17) give what the plain way gives.

``check`` reads each need as one plain dict (``needs/data.plain_needs``), works out the
coverage of a requirement and the phase of an item once per graph, and keeps the
garbage collection paused while the graph is made and the rules run. Each shortcut could
change results if it were wrong: a dict that differs from the ``NeedItem``, a value
remembered across graphs or for an item the graph does not hold, derived values in
the items cache, a collector left paused for a library caller.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from specheft.project import check as check_module
from specheft.project.check import run_check
from specheft.project.layout import Project
from specheft.project.sphinx_run import items_build
from specheft.sphinxext.needs.data import plain_needs
from specheft.trace import coverage as coverage_module
from specheft.trace.coverage import CoverageStatus, coverage, requirement_coverage
from specheft.trace.graph import TraceGraph
from specheft.trace.rules import evaluate

from .helpers import MiniProject
from .test_sheets import PAGES
from .test_trace_rules import PHASES, complete, need, without


def test_plain_needs_hold_what_the_need_items_give(
    make_project: Callable[..., MiniProject],
) -> None:
    mini = make_project(PAGES)
    _, needs = items_build(Project.at(mini.root), fresh=True)
    assert needs and not isinstance(needs[0], dict)  # NeedItems, else nothing is compared
    plain = plain_needs(needs)
    for item, fields in zip(needs, plain, strict=True):
        back = {f"{link}_back" for link in item.iter_links_keys()}
        assert fields == {key: item[key] for key in item if key not in back}, item["id"]
    assert any(fields.get("satisfies") for fields in plain)  # links as the strings too
    from_items = TraceGraph.from_needs(needs, srcdir="spec")
    from_plain = TraceGraph.from_needs(plain, srcdir="spec")
    assert from_plain.items == from_items.items
    assert from_plain.incoming == from_items.incoming
    assert plain_needs(plain) == plain  # dicts (needs.json) pass through


def test_coverage_is_remembered_per_graph() -> None:
    covered = TraceGraph.from_needs(complete())
    before = {row.item.id: row.status for row in coverage(covered)}
    assert set(before.values()) == {CoverageStatus.COVERED}
    # the same ids in another graph, without tests: its own rows, not the first graph's
    untested = TraceGraph.from_needs(without(complete(), "TC-SIT-001", "TC-UAT-001"))
    assert {row.status for row in coverage(untested)} == {CoverageStatus.PARTIAL}
    assert {row.item.id: row.status for row in coverage(covered)} == before
    # an item of another graph is looked at in the graph asked, and not remembered there
    other = untested.items["LH-KON-001"]
    row = requirement_coverage(covered, other)
    assert row.item is other and row.tests == ("TC-SIT-001", "TC-UAT-001")
    assert requirement_coverage(covered, covered.items["LH-KON-001"]).item is not other


def test_coverage_is_worked_out_once_per_requirement(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = coverage_module._requirement_coverage

    def counting(graph: TraceGraph, item: Any) -> Any:
        calls.append(item.id)
        return original(graph, item)

    monkeypatch.setattr(coverage_module, "_requirement_coverage", counting)
    graph = TraceGraph.from_needs(complete())
    evaluate(graph)
    coverage(graph)
    assert sorted(calls) == ["LH-KON-001", "LH-KON-002", "LH-KON-003"]


def test_phase_of_an_item_of_another_graph() -> None:
    needs = [*PHASES, need("TC-SIT-001", "test", phase=["PHASE-TEST"], level="sit")]
    graph = TraceGraph.from_needs(needs)
    moved = TraceGraph.from_needs(
        [*PHASES, need("TC-SIT-001", "test", phase=["PHASE-GOLIVE"], level="sit")]
    )
    own = graph.items["TC-SIT-001"]
    assert (phase := graph.phase_of(own)) is not None and phase.id == "PHASE-TEST"
    # the same id with another phase: its own phase, and the graph's item keeps its own
    foreign = graph.phase_of(moved.items["TC-SIT-001"])
    assert foreign is not None and foreign.id == "PHASE-GOLIVE"
    assert (phase := graph.phase_of(own)) is not None and phase.id == "PHASE-TEST"


def test_the_items_cache_keeps_no_derived_values() -> None:
    graph = TraceGraph.from_needs(complete())
    rows = [(r.item.id, r.specs, r.tests, r.phase and r.phase.id) for r in coverage(graph)]
    assert graph.memo
    loaded = pickle.loads(pickle.dumps(graph, pickle.HIGHEST_PROTOCOL))
    assert loaded.memo == {}
    assert loaded.items == graph.items and loaded.incoming == graph.incoming
    again = [(r.item.id, r.specs, r.tests, r.phase and r.phase.id) for r in coverage(loaded)]
    assert again == rows
    assert all(row.item is loaded.items[row.item.id] for row in coverage(loaded))


def test_check_leaves_garbage_collection_as_it_found_it(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    mini = make_project(PAGES)
    project = Project.at(mini.root)
    run_check(project)
    assert gc.isenabled()  # a library caller's memory is collected as before

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("rule broke")

    monkeypatch.setattr(check_module, "evaluate", failing)
    with pytest.raises(RuntimeError):
        run_check(project)
    assert gc.isenabled()


def test_coverage_rows_are_a_new_list_each_time() -> None:
    graph = TraceGraph.from_needs(complete())
    rows = coverage(graph)
    rows.sort(key=lambda row: row.item.id, reverse=True)  # a caller's own order …
    rows.pop()
    # … leaves the rows the rules and the report read as they were
    assert [row.item.id for row in coverage(graph)] == ["LH-KON-001", "LH-KON-002", "LH-KON-003"]
