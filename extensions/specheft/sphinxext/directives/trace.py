"""``item-trace``: the upstream and downstream chain of one item, as a table and a diagram.

    :::{item-trace} LH-KON-001
    :::

Upstream is what the item answers to (refined requirements, satisfied requirements,
verified items); downstream is what answers to it (refinements, spec items, tests,
for a phase its items). The diagram is Graphviz, drawn only where ``dot`` is installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from specheft.labels import label, value_label
from specheft.model import Kind
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.directives.base import RENDERERS, TraceDirective, trace_placeholder
from specheft.sphinxext.directives.options import TraceOptions
from specheft.sphinxext.rendering.items import renderer_for
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.trace.graph import Edge, Item, walk

logger = logging.getLogger(__name__)


class ItemTrace(TraceDirective):
    renderer = "trace"
    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "depth": lambda arg: max(1, int(arg or "3"))
    }

    def run(self) -> list[nodes.Node]:
        record: TraceOptions = {
            "target": self.arguments[0].strip(),
            "depth": self.options.get("depth", 3),
        }
        return [self.placeholder(record)]


def _dot(start: Item, items: list[Item], edges: list[Edge], lang: str) -> str:
    def node(item: Item) -> str:
        title = item.title.replace("\\", "\\\\").replace('"', '\\"')
        if len(title) > 38:
            title = title[:36] + "…"
        style = ', style="filled,bold", fillcolor="#fff3c4"' if item is start else ""
        return f'  "{item.id}" [label="{item.id}\\n{title}"{style}];'

    lines = [
        "digraph trace {",
        '  rankdir="LR";',
        '  node [shape=box, fontname="Helvetica", fontsize=10, style=rounded];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    lines += [node(item) for item in [start, *items]]
    for source, link, target in dict.fromkeys(edges):
        text = label(lang, f"link.{link}.out").replace('"', "")
        lines.append(f'  "{source}" -> "{target}" [label="{text}"];')
    lines.append("}")
    return "\n".join(lines)


def render_trace(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    options: TraceOptions = node["options"]
    lang = settings_of(app).language
    graph = build_context(app).graph
    start = graph.get(options["target"])
    if start is None:
        logger.warning(
            f"item-trace: unknown item {options['target']!r}",
            location=node,
            type="specheft",
            subtype="trace",
        )
        return []
    links = renderer_for(app, fromdocname)
    result: list[nodes.Node] = []
    all_items: list[Item] = []
    all_edges: list[Edge] = []
    for upstream in (True, False):
        items, edges = walk(graph, start, options["depth"], upstream=upstream)
        all_items += items
        all_edges += edges
        if not items:
            continue
        body: list[tuple[list[Cell], list[str]]] = []
        for item in items:
            detail = value_label(lang, "priority", item.priority) if item.priority else ""
            if item.kind == Kind.TEST and item.get("level"):
                detail = value_label(lang, "level", str(item.get("level")))
            body.append(
                (
                    [
                        label(lang, f"kind.{item.kind}"),
                        links.reference(item.id),
                        item.title,
                        detail,
                    ],
                    [],
                )
            )
        title = label(lang, "trace.upstream" if upstream else "trace.downstream")
        result.append(
            table(
                [label(lang, "col.kind"), label(lang, "col.id"), label(lang, "col.title"), ""],
                body,
                widths=[18, 16, 50, 16],
                classes=["specheft-trace"],
                title=title,
            )
        )
    if all_edges and shutil.which(app.config.graphviz_dot):
        from sphinx.ext.graphviz import graphviz

        diagram = graphviz()
        diagram["code"] = _dot(start, all_items, all_edges, lang)
        diagram["options"] = {}
        diagram["alt"] = f"{start.id} trace"
        diagram["classes"] = ["specheft-trace-diagram"]
        result.append(diagram)
    return result


def setup(app: Sphinx) -> None:
    app.setup_extension("sphinx.ext.graphviz")
    app.add_directive("item-trace", ItemTrace)
    RENDERERS["trace"] = render_trace
