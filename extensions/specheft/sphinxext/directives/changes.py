"""``change-requests``: the change requests (Änderungsanträge) of the project and their state.

    :::{change-requests}
    :decision: approved, implemented
    :::

One row per change request, in id order: id, title, requested by, date, effort in
person-days, decision (with its date) and the items it changes. Without ``:decision:``
every request is listed; an obsolete or rejected item (``:status:``) is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypedDict

from docutils import nodes
from sphinx.application import Sphinx

from specheft.labels import label, value_label
from specheft.model import Decision, Kind
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.evidence import format_date
from specheft.sphinxext.directives.base import RENDERERS, TraceDirective, choices, trace_placeholder
from specheft.sphinxext.rendering.items import renderer_for
from specheft.sphinxext.rendering.tables import Cell, table

COLUMNS = ("id", "title", "requested_by", "date", "effort", "decision", "changes")
WIDTHS = (13, 23, 15, 13, 8, 13, 15)  # a date and "Aufwand (PT)" fit unbroken in a PDF


class ChangeRequestsOptions(TypedDict):
    """``change-requests``: the decisions listed (empty: every one)."""

    decision: list[str]


class ChangeRequests(TraceDirective):
    renderer = "change-requests"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "decision": choices(tuple(Decision), name="decision"),
    }

    def run(self) -> list[nodes.Node]:
        record: ChangeRequestsOptions = {"decision": self.options.get("decision", [])}
        return [self.placeholder(record)]


def render_change_requests(
    app: Sphinx, node: trace_placeholder, fromdocname: str
) -> list[nodes.Node]:
    options: ChangeRequestsOptions = node["options"]
    lang = settings_of(app).language
    graph = build_context(app).graph
    links = renderer_for(app, fromdocname)
    wanted = set(options["decision"])
    requests = [
        r for r in graph.of_kind(Kind.CR) if not wanted or str(r.get("decision") or "") in wanted
    ]
    if not requests:
        return [nodes.paragraph("", label(lang, "matrix.empty"), classes=["specheft-matrix-empty"])]

    def text(value: Any) -> str:
        return "" if value in (None, "") else str(value)

    rows: list[tuple[list[Cell], list[str]]] = []
    for request in sorted(requests, key=lambda r: r.id):
        decision = text(request.get("decision"))
        decided = text(request.get("decision_date"))
        shown = value_label(lang, "decision", decision) if decision else ""
        if decided:
            shown = f"{shown}, {format_date(decided, lang)}"
        effort = text(request.get("effort"))
        cells: list[Cell] = [
            links.reference(request.id),
            request.title,
            text(request.get("requested_by")),
            format_date(text(request.get("date")), lang) if request.get("date") else "",
            effort.replace(".", ",") if lang == "de" else effort.replace(",", "."),
            shown,
            links.references(request.links.get("changes", ())),
        ]
        rows.append((cells, [f"specheft-decision-{decision or 'none'}"]))
    headers = [
        label(lang, "col.id"),
        label(lang, "col.title"),
        label(lang, "field.requested_by"),
        label(lang, "field.date"),
        label(lang, "col.effort"),
        label(lang, "field.decision"),
        label(lang, "col.changes"),
    ]
    return [
        table(
            headers,
            rows,
            widths=WIDTHS,
            classes=["specheft-change-requests", f"specheft-lang-{lang}"],
            cell_classes=[[f"specheft-col-{c}"] for c in COLUMNS],
        )
    ]


def setup(app: Sphinx) -> None:
    app.add_directive("change-requests", ChangeRequests)
    RENDERERS["change-requests"] = render_change_requests
