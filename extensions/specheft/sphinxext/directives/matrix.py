"""``coverage-matrix``: one row per requirement (or per spec item) with its trace.

    :::{coverage-matrix}
    :priority: must, should
    :area: KON
    :phase: PHASE-IMPL
    :status: uncovered, partial
    :columns: id, title, priority, specs, tests, status
    :sort: gaps
    :kind: req
    :caption: Muss-Anforderungen
    :::

Every id is a link. In HTML the table is sortable and filterable (static/specheft.js);
in LaTeX it has explicit column widths and continues across pages (longtable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx

from specheft.labels import label, value_label
from specheft.model import Priority
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.evidence import run_text
from specheft.sphinxext.directives.base import RENDERERS, TraceDirective, choices, trace_placeholder
from specheft.sphinxext.directives.options import MatrixOptions
from specheft.sphinxext.rendering.items import renderer_for
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.trace.coverage import CoverageStatus, MatrixRow, matrix_rows, select_rows

REQ_COLUMNS = ("id", "title", "priority", "area", "phase", "specs", "tests", "status", "result")
SPEC_COLUMNS = (
    "id",
    "title",
    "area",
    "solution",
    "phase",
    "satisfies",
    "tests",
    "status",
    "result",
)
WIDTHS = {
    "id": 13,
    "title": 30,
    "priority": 8,
    "area": 7,
    "phase": 12,
    "specs": 14,
    "tests": 15,
    "status": 9,
    "satisfies": 14,
    "solution": 10,
    "result": 14,
}
FILTERABLE = frozenset({"priority", "area", "phase", "status", "solution"})
STATUSES = tuple(str(s) for s in CoverageStatus)


class CoverageMatrix(TraceDirective):
    renderer = "matrix"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "kind": lambda arg: directives.choice(arg, ("req", "spec")),
        "priority": choices(Priority, name="priority"),
        "area": choices((), name="area"),
        "phase": choices((), name="phase"),
        "status": choices(STATUSES, name="coverage status"),
        "columns": choices(sorted(set(REQ_COLUMNS) | set(SPEC_COLUMNS)), name="column"),
        "sort": lambda arg: directives.choice(arg, ("id", "gaps", "priority", "area", "phase")),
        "caption": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        kind = self.options.get("kind", "req")
        allowed = REQ_COLUMNS if kind == "req" else SPEC_COLUMNS
        columns = self.options.get("columns", list(allowed))
        wrong = [c for c in columns if c not in allowed]
        if wrong:
            raise self.error(
                f"column(s) {', '.join(wrong)} do not exist for :kind: {kind}; "
                f"allowed: {', '.join(allowed)}"
            )
        if kind == "spec" and "priority" in self.options:
            raise self.error(
                ":priority: filters requirements; it is not available with :kind: spec"
            )
        # the default columns show test results only where runs were imported
        record: MatrixOptions = {
            "kind": kind,
            "columns": columns,
            "default_columns": "columns" not in self.options,
        }
        if "priority" in self.options:
            record["priority"] = self.options["priority"]
        if "area" in self.options:
            record["area"] = self.options["area"]
        if "phase" in self.options:
            record["phase"] = self.options["phase"]
        if "status" in self.options:
            record["status"] = self.options["status"]
        if "sort" in self.options:
            record["sort"] = self.options["sort"]
        if "caption" in self.options:
            record["caption"] = self.options["caption"]
        return [self.placeholder(record)]


def render_matrix(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    options: MatrixOptions = node["options"]
    settings = settings_of(app)
    lang = settings.language
    context = build_context(app)
    graph = context.graph
    links = renderer_for(app, fromdocname)
    chosen = select_rows(matrix_rows(graph, options["kind"]), options)
    columns: list[str] = options["columns"]
    results = context.results
    if options["default_columns"] and not results.any:
        columns = [c for c in columns if c != "result"]
    if not chosen:
        return [nodes.paragraph("", label(lang, "matrix.empty"), classes=["specheft-matrix-empty"])]

    def cell(row: MatrixRow, column: str) -> Cell:
        item = row.item
        if column == "id":
            return links.reference(item.id)
        if column == "title":
            return item.title
        if column == "priority":
            return value_label(lang, "priority", item.priority) if item.priority else ""
        if column == "area":
            return item.area or ""
        if column == "solution":
            solution = item.get("solution")
            return value_label(lang, "solution", str(solution)) if solution else ""
        if column == "phase":
            # by name in every format (in a PDF the phase may be a link into another PDF)
            return "" if row.phase is None else links.reference(row.phase.id, by_title=True)
        if column in ("specs", "tests", "satisfies"):
            return links.references(getattr(row, column))
        if column == "result":
            # the tests' latest results: worst outcome, how many passed, its run and date
            direct = (item.id, *row.specs) if options["kind"] == "req" else (item.id,)
            found = results.of_tests(row.tests, direct)
            if found is None:
                return ""
            word = label(lang, f"result.{found.outcome or 'none'}")
            if found.flaky:
                word = label(lang, "result.flaky")
            parts: list[nodes.Node] = [nodes.inline("", word, classes=[found.css()])]
            if found.total > 1:
                parts.append(nodes.Text(f" ({found.passed}/{found.total})"))
            if found.latest is not None:
                parts.append(nodes.Text(" · "))
                parts.append(
                    nodes.inline("", run_text(lang, found.latest), classes=["specheft-result-run"])
                )
            return parts
        return label(lang, f"coverage.{row.status}")

    body = [
        (
            [cell(row, column) for column in columns],
            [
                f"specheft-prio-{row.item.priority}" if row.item.priority else "specheft-prio-none",
                f"specheft-coverage-{row.status}",
            ],
        )
        for row in chosen
    ]
    result = table(
        [label(lang, f"col.{c}") for c in columns],
        body,
        widths=[WIDTHS[c] for c in columns],
        classes=["specheft-matrix", f"specheft-lang-{lang}"],
        header_classes=[
            [f"specheft-col-{c}", *(["specheft-filter"] if c in FILTERABLE else [])]
            for c in columns
        ],
        cell_classes=[[f"specheft-col-{c}"] for c in columns],
        title=options.get("caption"),
    )
    if app.builder.format == "latex":  # on landscape pages, continued with repeated headers
        return [
            nodes.raw("", "\\begin{landscape}", format="latex"),
            result,
            nodes.raw("", "\\end{landscape}", format="latex"),
        ]
    return [result]


def setup(app: Sphinx) -> None:
    app.add_directive("coverage-matrix", CoverageMatrix)
    RENDERERS["matrix"] = render_matrix
