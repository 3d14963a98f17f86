"""Test evidence as tables: ``test-results`` (``acceptance-decision`` is in :mod:`.decision`).

    :::{test-results}
    :show: runs, levels, priorities, defects
    :::

    :::{acceptance-decision}
    :documents: lastenheft, pflichtenheft
    :phase: PHASE-IMPL
    :::

``test-results`` lists the imported runs with their counts, the latest result of every
test by level and by priority (a test counts under the highest priority it verifies)
and the open defects by class. ``acceptance-decision`` is the core of the
Abnahmeprotokoll: the documents accepted against (version, date, fingerprint), the
Go/No-Go decision of :func:`specheft.evidence.acceptance.decide` with every reason,
and the residual defects (Restmängelliste); "unter Vorbehalt" when a Go leaves defects
open. The runs are read by :mod:`..evidence_view`; the pages are rewritten when a run
file changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx

from specheft.evidence.model import Defect, Outcome, Run
from specheft.evidence.store import TestResult, results_of
from specheft.labels import label, value_label
from specheft.model import Kind, Priority
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.evidence import format_date
from specheft.sphinxext.directives import evidence_labels  # noqa: F401 (registers the words)
from specheft.sphinxext.directives.base import RENDERERS, TraceDirective, choices, trace_placeholder
from specheft.sphinxext.directives.options import ResultsOptions
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.trace.coverage import coverage
from specheft.trace.graph import TraceGraph

SECTIONS = ("runs", "levels", "priorities", "defects")
#: the four columns results are counted in
BUCKETS = ("passed", "failed", "blocked", "not_run")
_BUCKET = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.ERROR: "failed",
    Outcome.BLOCKED: "blocked",
    Outcome.SKIPPED: "not_run",
    Outcome.NOT_RUN: "not_run",
    Outcome.DISABLED: "not_run",
}


def bucket(result: TestResult | None, flaky_as: str) -> str:
    if result is None:
        return "no_result"
    if result.outcome is Outcome.PASSED and not result.passed(flaky_as):
        return "failed"  # [acceptance] flaky = "failed"
    return _BUCKET[result.outcome]


class TestResults(TraceDirective):
    renderer = "results"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "show": choices(SECTIONS, name="section"),
    }

    def run(self) -> list[nodes.Node]:
        record: ResultsOptions = {"show": self.options.get("show", list(SECTIONS))}
        return [self.placeholder(record)]


def _levels(graph: TraceGraph) -> dict[str, str]:
    return {t.id: str(t.get("level") or "") for t in graph.of_kind(Kind.TEST)}


def _test_priorities(graph: TraceGraph) -> dict[str, str]:
    """test id → the highest priority among the requirements it verifies."""
    order = {str(p): i for i, p in enumerate(Priority)}
    best: dict[str, str] = {}
    for row in coverage(graph):
        priority = row.item.priority or ""
        for test in row.tests:
            if test not in best or order.get(priority, 9) < order.get(best[test], 9):
                best[test] = priority
    return best


def _counts(
    keys: dict[str, str], latest: dict[str, TestResult], flaky_as: str
) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for test, key in keys.items():
        found.setdefault(key, Counter())[bucket(latest.get(test), flaky_as)] += 1
    return found


def _count_table(
    lang: str, first: str, title: str, rows: list[tuple[str, Counter[str]]]
) -> nodes.table:
    body: list[tuple[list[Cell], list[str]]] = [
        (
            [
                name,
                str(sum(counts.values())),
                *(str(counts[b]) for b in BUCKETS),
                str(counts["no_result"]),
            ],
            [],
        )
        for name, counts in rows
    ]
    headers = [first, label(lang, "col.count")]
    headers += [label(lang, f"col.{b}") for b in (*BUCKETS, "no_result")]
    return table(
        headers,
        body,
        widths=[28, 12, 12, 12, 12, 12, 12],
        classes=["specheft-summary", "specheft-results"],
        title=title,
    )


def _date(value: str, lang: str) -> str:
    return format_date(value, lang) if value else ""


def _run_row(run: Run, lang: str, flaky_as: str) -> list[Cell]:
    tests, _ = results_of(run)
    counts = Counter(bucket(r, flaky_as) for r in tests.values())
    where = " / ".join(v for v in (run.environment, run.sut_version) if v)
    return [
        run.name,
        _date(run.date, lang),
        label(lang, f"importer.{run.importer}", run.importer),
        where,
        str(len(tests)),
        *(str(counts[b]) for b in BUCKETS),
    ]


def defect_table(defects: list[Defect], lang: str, links: Any, title: str) -> nodes.Node:
    if not defects:
        return nodes.paragraph("", label(lang, "results.no_defects"))
    headers = [
        label(lang, k)
        for k in (
            "col.defect",
            "col.class",
            "col.defect_title",
            "col.tests",
            "col.workaround",
            "col.fix_date",
            "col.owner",
        )
    ]
    body: list[tuple[list[Cell], list[str]]] = [
        (
            [
                d.id,
                label(lang, f"defect.class.{d.defect_class}"),
                d.title,
                links.references(d.tests),
                d.workaround,
                _date(d.fix_date, lang),
                d.owner,
            ],
            [f"specheft-defect-class-{d.defect_class}"],
        )
        for d in sorted(defects, key=lambda d: (d.defect_class, d.id))
    ]
    return table(
        headers,
        body,
        widths=[10, 14, 22, 13, 17, 13, 11],
        classes=["specheft-summary", "specheft-defects"],
        title=title,
    )


def render_results(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    options: ResultsOptions = node["options"]
    lang = settings_of(app).language
    context = build_context(app)
    results = context.results
    store = results.store
    if not store.runs and not store.defect_lists:
        return [nodes.paragraph("", label(lang, "results.none"))]
    graph = context.graph
    flaky_as = results.flaky_as
    show = options["show"]
    out: list[nodes.Node] = []
    if "runs" in show and store.runs:
        headers = [
            label(lang, k)
            for k in ("col.run", "col.date", "col.importer", "col.environment", "col.count")
        ]
        headers += [label(lang, f"col.{b}") for b in BUCKETS]
        out.append(
            table(
                headers,
                [(_run_row(run, lang, flaky_as), []) for run in store.runs],
                widths=[12, 14, 11, 21, 9, 9, 9, 8, 9],
                classes=["specheft-summary", "specheft-runs"],
                title=label(lang, "results.runs"),
            )
        )
    if "levels" in show:
        counts = _counts(_levels(graph), results.latest, flaky_as)
        rows = [
            (value_label(lang, "level", key) if key else "–", counts[key])
            for key in sorted(counts, key=lambda k: (k == "", k))
        ]
        if rows:
            out.append(
                _count_table(lang, label(lang, "col.level"), label(lang, "results.by_level"), rows)
            )
    if "priorities" in show:
        priorities = _test_priorities(graph)
        keys = {t: priorities.get(t, "") for t in _levels(graph)}
        counts = _counts(keys, results.latest, flaky_as)
        known = [str(p) for p in Priority]
        ordered = [k for k in known if k in counts] + sorted(k for k in counts if k not in known)
        rows = [
            (value_label(lang, "priority", k) if k else label(lang, "priority.none"), counts[k])
            for k in ordered
        ]
        if rows:
            out.append(
                _count_table(
                    lang, label(lang, "col.priority"), label(lang, "results.by_priority"), rows
                )
            )
    if "defects" in show:
        open_defects = [d for d in store.defects().values() if d.open]
        by_class = Counter(d.defect_class for d in open_defects)
        out.append(
            table(
                [label(lang, "col.class"), label(lang, "col.open"), label(lang, "col.defect")],
                [
                    (
                        [
                            label(lang, f"defect.class.{n}"),
                            str(by_class[n]),
                            ", ".join(sorted(d.id for d in open_defects if d.defect_class == n)),
                        ],
                        [f"specheft-defect-class-{n}"],
                    )
                    for n in (1, 2, 3)
                ],
                widths=[30, 10, 60],
                classes=["specheft-summary", "specheft-defect-classes"],
                title=label(lang, "results.defects"),
            )
        )
    return out


def setup(app: Sphinx) -> None:
    app.add_directive("test-results", TestResults)
    RENDERERS["results"] = render_results
