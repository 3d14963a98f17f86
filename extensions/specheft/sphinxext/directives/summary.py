"""``coverage-summary``: requirement counts and coverage per priority and per area, with a chart.

    :::{coverage-summary}
    :by: priority, area
    :::

The chart is drawn as inline SVG in HTML and with coloured rules in LaTeX, so it needs
no plotting library and reads the same in both.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.texescape import escape as tex_escape

from specheft.labels import label, value_label
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.directives.base import RENDERERS, TraceDirective, choices, trace_placeholder
from specheft.sphinxext.directives.options import SummaryOptions
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.trace.coverage import (
    NO_PRIORITY,
    CoverageCounts,
    by_area,
    by_priority,
    coverage,
    group,
    percent_text,
    priority_key,
)

COLOURS = {"covered": "#2e7d32", "partial": "#f9a825", "uncovered": "#c62828"}
_PARTS = ("covered", "partial", "uncovered")


class CoverageSummary(TraceDirective):
    renderer = "summary"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "by": choices(("priority", "area"), name="grouping"),
        "chart": lambda arg: (arg or "yes").strip().lower() not in ("no", "false", "0"),
    }

    def run(self) -> list[nodes.Node]:
        record: SummaryOptions = {
            "by": self.options.get("by", ["priority", "area"]),
            "chart": self.options.get("chart", True),
        }
        return [self.placeholder(record)]


def _svg(groups: list[tuple[str, CoverageCounts]], lang: str) -> str:
    """Horizontal stacked bars: covered, partial, uncovered, with counts.

    Each group's name stands on its own line above its bar, so that a long area name
    never runs into the bar.
    """
    bar_width, row_height = 560, 40
    height = row_height * len(groups) + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="specheft-chart" role="img" '
        f'width="{bar_width + 10}" height="{height}" '
        f'viewBox="0 0 {bar_width + 10} {height}">'
    ]
    for index, (name, counts) in enumerate(groups):
        y = index * row_height
        out.append(f'<text x="0" y="{y + 14}" font-size="13">{escape(name)}</text>')
        x = 0.0
        for part in _PARTS:
            value = getattr(counts, part)
            if not value or not counts.total:
                continue
            width = bar_width * value / counts.total
            out.append(
                f'<rect x="{x:.1f}" y="{y + 19}" width="{width:.1f}" height="16" '
                f'fill="{COLOURS[part]}"><title>{escape(label(lang, "coverage." + part))}: '
                f"{value}</title></rect>"
            )
            if width > 18:
                out.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + 31}" font-size="11" '
                    f'fill="#fff" text-anchor="middle">{value}</text>'
                )
            x += width
    legend_y = row_height * len(groups) + 14
    x = 0.0
    for part in _PARTS:
        out.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" '
            f'fill="{COLOURS[part]}"/><text x="{x + 14}" y="{legend_y}" font-size="11">'
            f"{escape(label(lang, 'coverage.' + part))}</text>"
        )
        x += 110
    out.append("</svg>")
    return "".join(out)


def _latex(groups: list[tuple[str, CoverageCounts]], lang: str) -> str:
    """The chart as a two-column tabular: the group names wrap in their own column and
    so never run into the bars (a tabular is never broken across pages either)."""

    def tex(text: str) -> str:
        return tex_escape(text, "xelatex")

    lines = [
        r"\par\medskip\noindent{\small",
        r"\begin{tabular}{@{}>{\raggedright\arraybackslash}p{0.34\linewidth}"
        r"@{\hspace{0.03\linewidth}}l@{}}",
    ]
    for name, counts in groups:
        cells = []
        for part in _PARTS:
            value = getattr(counts, part)
            if value and counts.total:
                colour = COLOURS[part].lstrip("#")
                cells.append(
                    rf"\textcolor[HTML]{{{colour}}}{{\rule{{{0.6 * value / counts.total:.3f}"
                    rf"\linewidth}}{{1.6ex}}}}"
                )
        lines.append(rf"{tex(name)} & {''.join(cells)}\\[2pt]")
    legend = ", ".join(
        rf"\textcolor[HTML]{{{COLOURS[p].lstrip('#')}}}{{\rule{{1.2ex}}{{1.2ex}}}}~"
        f"{tex(label(lang, 'coverage.' + p))}"
        for p in _PARTS
    )
    lines.append(rf"& {legend}\\")
    lines.append(r"\end{tabular}}\par\medskip")
    return "\n".join(lines)


def render_summary(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    options: SummaryOptions = node["options"]
    settings = settings_of(app)
    lang = settings.language
    context = build_context(app)
    graph = context.graph
    rows = coverage(graph)
    results = context.results
    # with imported runs: the share whose tests all passed in their latest run
    verified: dict[str, dict[str, int]] = {}
    if results.any:
        passed = {row.item.id for row in rows if results.verified(graph, row.item)}
        for grouping, key in (("priority", priority_key), ("area", lambda r: r.item.area or "")):
            verified[grouping] = {
                k: sum(r.item.id in passed for r in members)
                for k, members in group(rows, key).items()
            }
    result: list[nodes.Node] = []
    headers = [
        label(lang, "col.priority"),
        label(lang, "coverage.total"),
        label(lang, "summary.specified"),
        label(lang, "summary.tested"),
        label(lang, "coverage.covered"),
        label(lang, "coverage.partial"),
        label(lang, "coverage.uncovered"),
    ]
    for grouping in options["by"]:
        if grouping == "priority":
            keyed = [
                (
                    key,
                    label(lang, "summary.no_priority", "–")
                    if key == NO_PRIORITY
                    else value_label(lang, "priority", key),
                    counts,
                )
                for key, counts in by_priority(rows).items()
                if counts.total
            ]
            first = label(lang, "col.priority")
        else:
            keyed = [
                (
                    key,
                    f"{key} – {settings.areas[key]}" if key in settings.areas else key or "–",
                    counts,
                )
                for key, counts in by_area(rows).items()
            ]
            first = label(lang, "col.area")
        groups = [(name, counts) for _, name, counts in keyed]
        passed_in = verified.get(grouping)
        body: list[tuple[list[Cell], list[str]]] = [
            (
                [
                    name,
                    str(counts.total),
                    # the shares of ``specheft check``, rounded down by the same function
                    percent_text(counts.specified, counts.total),
                    percent_text(counts.tested, counts.total),
                    str(counts.covered),
                    str(counts.partial),
                    str(counts.uncovered),
                    *(
                        [percent_text(passed_in.get(key, 0), counts.total)]
                        if passed_in is not None
                        else []
                    ),
                ],
                [],
            )
            for key, name, counts in keyed
        ]
        section_title = label(lang, f"summary.by_{grouping}")
        extra = [label(lang, "summary.verified")] if passed_in is not None else []
        result.append(
            table(
                [first, *headers[1:], *extra],
                body,
                widths=[30, 10, 12, 12, 12, 12, 12] + ([14] if extra else []),
                classes=["specheft-summary"],
                title=section_title,
            )
        )
        if options["chart"] and groups:
            result.append(nodes.raw("", _svg(groups, lang), format="html"))
            result.append(nodes.raw("", _latex(groups, lang), format="latex"))
    return result


def setup(app: Sphinx) -> None:
    app.add_directive("coverage-summary", CoverageSummary)
    RENDERERS["summary"] = render_summary
