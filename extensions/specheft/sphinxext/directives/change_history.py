"""``change-history``: a document's change history (Änderungsnachweis), generated from
its baselines and merged with the hand-written ``[[history]]``.

    :::{change-history}
    :document: lastenheft
    :::

One row per version, oldest first: version, date, author, baseline tag and what changed
— the items added, changed and removed since the previous baseline and the approved
or implemented change requests naming them. Without ``:document:`` the history of the
document holding the page. The baselines are found by ``specheft build`` before Sphinx
runs (``project/baselines.py``); read here from its data file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx

from specheft.labels import label
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.directives.base import (
    RENDERERS,
    TraceDirective,
    page_document,
    trace_placeholder,
)
from specheft.sphinxext.directives.options import ChangeHistoryOptions
from specheft.sphinxext.rendering.baselines import describe, document_history
from specheft.sphinxext.rendering.documents import format_date
from specheft.sphinxext.rendering.tables import Cell, table

COLUMNS = ("version", "date", "author", "baseline", "changes")
WIDTHS = (10, 13, 17, 14, 46)


class ChangeHistory(TraceDirective):
    renderer = "change-history"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "document": lambda arg: (arg or "").strip(),
    }

    def run(self) -> list[nodes.Node]:
        record: ChangeHistoryOptions = {"document": self.document_option()}
        return [self.placeholder(record)]


def render_change_history(
    app: Sphinx, node: trace_placeholder, fromdocname: str
) -> list[nodes.Node]:
    options: ChangeHistoryOptions = node["options"]
    settings = settings_of(app)
    lang = settings.language
    document = page_document(app, options["document"], fromdocname)
    rows: list[tuple[list[Cell], list[str]]] = []
    for row in document_history(app, settings, document):
        cells: list[Cell] = [
            row.version,
            format_date(row.date, lang) if row.date else "",
            row.author,
            row.tag,
            describe(row, lang),
        ]
        rows.append(
            (cells, ["specheft-history-generated" if row.generated else "specheft-history-written"])
        )
    if not rows:
        return [nodes.paragraph("", label(lang, "matrix.empty"), classes=["specheft-matrix-empty"])]
    headers = [
        label(lang, "doc.version"),
        label(lang, "doc.date"),
        label(lang, "doc.author"),
        label(lang, "col.baseline"),
        label(lang, "doc.changes"),
    ]
    return [
        table(
            headers,
            rows,
            widths=WIDTHS,
            classes=["specheft-change-history", f"specheft-lang-{lang}"],
            cell_classes=[[f"specheft-col-{c}"] for c in COLUMNS],
        )
    ]


def setup(app: Sphinx) -> None:
    app.add_directive("change-history", ChangeHistory)
    RENDERERS["change-history"] = render_change_history
