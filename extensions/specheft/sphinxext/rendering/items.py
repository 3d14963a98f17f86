"""Render each specheft item as a readable block in the reader's language.

Runs before sphinx-needs' own need rendering (``doctree-resolved`` priority 400 <
500) and replaces the need nodes of the specheft kinds, so sphinx-needs' layout
engine (a debug-like table of every field, English labels, and the costliest part
of a large build) never sees them. Everything else sphinx-needs does with the need
(store, links, needs.json, tables, diagrams) is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.texescape import escape as tex_escape

from specheft.config.settings import Settings
from specheft.labels import label, value_label
from specheft.model import FIELD_DEFS, LINKS, Kind
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.evidence import verdict_text
from specheft.sphinxext.needs.data import Need, NeedRef, find_and_replace_node_content
from specheft.sphinxext.needs.priorities import AFTER_NEEDS, BEFORE_NEEDS, LAST_LOOK
from specheft.sphinxext.rendering import uilang
from specheft.sphinxext.rendering.documents import format_date
from specheft.trace.graph import NeedLike

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

#: links in one paragraph of an item's fields in the PDF. XeLaTeX's time for one paragraph
#: grows with the square of its length: a phase's "umfasst" list of 7,000 links (one
#: paragraph, 18 pages at N=5000) took 7.4 s CPU of each pass, in paragraphs of 200
#: links 0.5 s (the same 19 pages). A longer list goes on in a new paragraph, every link
#: kept; in the PDF a line ends short every ~20 lines.
PARAGRAPH_LINKS = 200

#: Short fields shown above the body and text fields shown below it, per kind.
_META: dict[str, tuple[str, ...]] = {
    Kind.REQ: ("area", "source", "verification", "phase", "refines", "origin", "status", "tags"),
    Kind.EXCL: ("area", "source", "status", "tags"),
    Kind.SPEC: ("solution", "area", "satisfies", "phase", "status", "tags"),
    Kind.TEST: ("level", "role", "area", "verifies", "phase", "status", "tags"),
    Kind.PHASE: ("order", "start", "end", "status"),
    Kind.CATALOG: ("area", "verification", "typical_phase", "status", "tags"),
    Kind.CR: ("decision", "decision_date", "requested_by", "date", "effort", "changes", "tags"),
}
_TEXT: dict[str, tuple[str, ...]] = {
    Kind.REQ: ("acceptance", "rationale"),
    Kind.EXCL: ("rationale",),
    Kind.SPEC: ("rationale",),
    Kind.TEST: (),
    Kind.PHASE: ("gate",),
    Kind.CATALOG: ("acceptance", "title_en", "statement_en", "acceptance_en", "rationale"),
    Kind.CR: ("reason", "impact"),
}
_LINK_NAMES = frozenset(link.name for link in LINKS)
_KINDS = frozenset(str(k) for k in Kind)


class ItemRenderer:
    """Builds the docutils nodes of one item; links are resolved against ``needs``."""

    def __init__(self, app: Sphinx, settings: Settings, needs: Mapping[str, Any], fromdocname: str):
        self.app = app
        self.lang = settings.language
        self.areas = settings.areas
        # the project's own fields ([fields] of specheft.toml): label, and per kind the
        # names shown after the built-in short fields
        self.custom_labels = {custom.name: custom.label for custom in settings.fields}
        self.custom_by_kind: dict[str, tuple[str, ...]] = {
            str(kind): tuple(c.name for c in settings.fields if kind in c.kinds) for kind in Kind
        }
        self.needs = needs
        self.fromdocname = fromdocname
        self._uris: dict[str, str] = {}
        # in a PDF, items of another deliverable are links into that PDF file
        self.latex = app.builder.format == "latex"
        self.local_docs: set[str] = set(getattr(app.builder, "docnames", ()) or ())

    def owner(self, docname: str) -> Any:
        return build_context(self.app).owners.get(docname)

    def uri(self, need_id: str) -> str | None:
        target = self.needs.get(need_id)
        if target is None or not target.get("docname"):
            return None
        docname = target["docname"]
        if docname == self.fromdocname:
            return f"#{need_id}"
        base = self._uris.get(docname)
        if base is None:
            base = self._uris[docname] = self.app.builder.get_relative_uri(
                self.fromdocname, docname
            )
        return f"{base}#{need_id}"

    def reference(
        self, need_id: str, *, by_title: bool = False, text: str | None = None
    ) -> nodes.Node:
        """A link to an item, showing its id (or, ``by_title``, its title: phases are
        known to readers by name, not by ``PHASE-IMPL``; or ``text``)."""
        target = self.needs.get(need_id)
        if target is None or not target.get("docname"):
            return nodes.literal(need_id, need_id, classes=["specheft-deadlink"])
        if text is None:
            text = (target.get("title") or need_id) if by_title else need_id
        if self.latex and target["docname"] not in self.local_docs:
            owner = self.owner(target["docname"])
            if owner is None:  # in no deliverable: the text only
                return nodes.Text(text)
            return nodes.raw(
                "",
                rf"\href{{{owner.name}.pdf\#{need_id}}}{{{tex_escape(text, 'xelatex')}}}",
                format="latex",
            )
        uri = self.uri(need_id)
        if uri is None:
            return nodes.literal(need_id, need_id, classes=["specheft-deadlink"])
        tooltip = need_id if by_title else target.get("title") or ""
        ref = nodes.reference("", "", internal=True, refuri=uri, reftitle=tooltip)
        ref += nodes.Text(text)
        return ref

    def references(self, ids: Iterable[str], *, by_title: bool = False) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for index, need_id in enumerate(ids):
            if index:
                result.append(nodes.Text(", "))
            result.append(self.reference(need_id, by_title=by_title))
        return result

    def field_label(self, name: str, *, link_in: bool = False) -> str:
        if name in _LINK_NAMES:
            return label(self.lang, f"link.{name}.{'in' if link_in else 'out'}", name)
        if name in self.custom_labels:
            return self.custom_labels[name]
        return label(self.lang, f"field.{name}", name)

    def field(self, name: str, body: list[nodes.Node], *, link_in: bool = False) -> nodes.field:
        para = nodes.paragraph()
        para.extend(body)
        prefix = "specheft-back-" if link_in else "specheft-field-"
        return nodes.field(
            "",
            nodes.field_name("", self.field_label(name, link_in=link_in)),
            nodes.field_body("", para),
            classes=[f"{prefix}{name}"],
        )

    def value(self, need: NeedLike, name: str) -> list[nodes.Node] | None:
        value = need.get(name)
        if value in (None, "", [], ()):
            return None
        if name in _LINK_NAMES:
            return self.references(value, by_title=name == "phase")
        if name == "tags":
            return [nodes.Text(", ".join(str(tag) for tag in value))]
        if name == "area" and value in self.areas:
            return [nodes.Text(f"{value} – {self.areas[value]}")]
        if name in FIELD_DEFS or name == "status":
            if name == "priority":
                return [
                    nodes.inline(
                        "",
                        value_label(self.lang, name, value),
                        classes=["specheft-badge", f"specheft-prio-{value}"],
                    )
                ]
            if FIELD_DEFS.get(name) and FIELD_DEFS[name].value_type == "date":
                return [nodes.Text(_shown_date(str(value), self.lang))]
            return [nodes.Text(value_label(self.lang, name, str(value)))]
        return [nodes.Text(str(value))]

    def head(self, need: NeedLike) -> nodes.paragraph:
        kind = need["type"]
        head = nodes.paragraph(classes=["specheft-item-head"])
        head += nodes.inline("", label(self.lang, f"kind.{kind}"), classes=["specheft-kind"])
        head += nodes.Text(" ")
        if self.latex:  # on paper a link to itself only colours the id (bold italic, black)
            permalink: nodes.Element = nodes.emphasis("", "", classes=["specheft-id"])
        else:
            permalink = nodes.reference(
                "", "", internal=True, refuri=f"#{need['id']}", classes=["specheft-id"]
            )
        permalink += nodes.strong(need["id"], need["id"])
        head += permalink
        head += nodes.Text(" ")
        head += nodes.strong(
            need.get("title") or "", need.get("title") or "", classes=["specheft-title"]
        )
        priority = need.get("priority")
        if priority and self.latex:
            word = value_label(self.lang, "priority", priority)
            head += nodes.raw("", rf"\hfill\fbox{{\small\textbf{{{word}}}}}", format="latex")
        elif priority:
            head += nodes.Text(" ")
            head += nodes.inline(
                "",
                value_label(self.lang, "priority", priority),
                classes=["specheft-badge", f"specheft-prio-{priority}"],
            )
        return head

    def back_links(self, need: NeedLike) -> list[tuple[str, list[nodes.Node]]]:
        """(link name, references) for every kind of incoming link the item has."""
        return [
            (link.name, self.references(incoming))
            for link in LINKS
            if (incoming := need.get(f"{link.name}_back") or [])
        ]

    def result(self, need: NeedLike) -> list[nodes.Node] | None:
        """The latest test result of a test item, or of a requirement's tests (runs in
        ``spec/testkatalog/runs``); None without runs or tests."""
        kind = need["type"]
        if kind not in (Kind.REQ, Kind.TEST):
            return None
        context = build_context(self.app)
        results = context.results
        if not results.any:
            return None
        if kind == Kind.TEST:
            found = results.of_tests([need["id"]])
        else:
            graph = context.graph
            item = graph.get(need["id"])
            found = None if item is None else results.of_requirement(graph, item)
        if found is None:
            return None
        text = verdict_text(self.lang, found, single=kind == Kind.TEST)
        return [nodes.inline("", text, classes=["specheft-result", found.css()])]

    def render(self, need: NeedLike, body: list[nodes.Node]) -> nodes.container:
        kind = need["type"]
        classes = ["specheft-item", f"specheft-{kind}"]
        for name in ("priority", "status"):
            if need.get(name):
                classes.append(f"specheft-{name}-{need[name]}")
        box = nodes.container(classes=classes, ids=[need["id"]])
        if self.latex:  # a named destination, for links from the other PDFs
            box += nodes.raw("", rf"\hypertarget{{{need['id']}}}{{}}", format="latex")
            # and the label the links inside this PDF point to (\hyperref[doc:ID]): the
            # LaTeX writer labels no container, so every item link was dead
            box += nodes.target("", "", ids=[need["id"]])
        box += self.head(need)
        shown = (*_META.get(kind, ()), *self.custom_by_kind.get(kind, ()))
        meta = [(name, v) for name in shown if (v := self.value(need, name))]
        # evidence is shown on the site only: a contract PDF (Lastenheft, Pflichtenheft,
        # test catalogue) must read the same before and after a test run; on paper the
        # results are in the traceability report and the Abnahmeprotokoll
        if not self.latex and (result := self.result(need)):
            meta.append(("result", result))
        texts = [(name, v) for name in _TEXT.get(kind, ()) if (v := self.value(need, name))]
        back = self.back_links(need)
        if self.latex:  # on paper, fields run on as compact labelled lines
            if meta:
                box += self.inline_fields(meta)
            box.extend(body)
            for name, value in texts:
                box += self.inline_fields([(name, value)])
            if back:
                box += self.inline_fields(back, link_in=True)
            return box
        if meta:
            box += self.field_list(meta, ["specheft-fields"])
        if body:
            box += nodes.container("", *body, classes=["specheft-body"])
        if texts:
            box += self.field_list(texts, ["specheft-fields", "specheft-texts"])
        if back:
            box += self.field_list(back, ["specheft-links"], link_in=True)
        return box

    def field_list(
        self,
        fields: list[tuple[str, list[nodes.Node]]],
        classes: list[str],
        *,
        link_in: bool = False,
    ) -> nodes.field_list:
        result = nodes.field_list(classes=classes)
        for name, value in fields:
            result += self.field(name, value, link_in=link_in)
        return result

    def inline_fields(
        self, fields: list[tuple[str, list[nodes.Node]]], *, link_in: bool = False
    ) -> list[nodes.paragraph]:
        """The fields as one run-on paragraph, for the PDF; a paragraph of more than
        :data:`PARAGRAPH_LINKS` links continues in the next one (see there)."""
        para = nodes.paragraph(classes=["specheft-inline-fields"])
        result = [para]
        links = 0
        for index, (name, value) in enumerate(fields):
            if index:
                para += nodes.Text("  ·  ")
            para += nodes.strong("", self.field_label(name, link_in=link_in) + ": ")
            for node in value:
                if links >= PARAGRAPH_LINKS and not isinstance(node, nodes.Text):
                    # the separator before stays at the end of the line
                    para = nodes.paragraph(classes=["specheft-inline-fields"])
                    result.append(para)
                    links = 0
                para += node
                if not isinstance(node, nodes.Text):
                    links += 1
        return result


def link_need_roles(renderer: ItemRenderer, tree: nodes.Node, *, every: bool) -> None:
    """``{need}`` roles as links made by ``renderer``, with the text sphinx-needs shows in
    HTML: "title (id)", or the role's own text instead of the title.

    In a PDF, sphinx-needs finds no page for an item of another deliverable and left the
    bare id linking nowhere ("Unknown need"): such roles (or, ``every``, all roles, for
    text copied out of the resolved tree such as a start page's) link into the other
    PDF instead. Roles naming a part or an unknown item are left to sphinx-needs."""
    limit = renderer.app.config.needs_role_need_max_title_length
    for ref in list(tree.findall(NeedRef)):
        link = ref["need_link"]
        target = renderer.needs.get(link.id)
        if link.part is not None or target is None or not target.get("docname"):
            continue
        if not every and target["docname"] in renderer.local_docs:
            continue
        given = ref.astext()
        title = given if ref.get("refexplicit") else (target.get("title") or "")
        if not ref.get("refexplicit") and 3 < limit < len(title):
            title = f"{title[: limit - 3]}..."
        ref.replace_self(renderer.reference(link.id, text=f"{title} ({link.id})"))


def _render_doctree(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    latex = app.builder.format == "latex"
    need_nodes = [n for n in doctree.findall(Need)]
    if not need_nodes and not latex:
        return
    needs = build_context(app).needs
    renderer = ItemRenderer(app, settings_of(app), needs, fromdocname)
    if latex:
        link_need_roles(renderer, doctree, every=False)
    for node in need_nodes:
        need_id = node["ids"][0]
        need = needs.get(need_id)
        if need is None or need["type"] not in _KINDS:
            continue  # not ours: sphinx-needs renders it
        node_docname = node.get("docname")
        if need["hide"] or (node_docname and node_docname != need["docname"]):
            # hidden, or a duplicate id from another parallel reader (already warned)
            node.parent.remove(node)
            continue
        if "[[" in (need.get("content") or ""):
            find_and_replace_node_content(node, app.env, need)
        node.parent.replace(node, renderer.render(need, list(node.children)))


_WIDE_TABLES = frozenset(
    {"specheft-matrix", "specheft-summary", "specheft-trace", "specheft-vendors"}
)


def _wrap_tables(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """Give each trace table a horizontally scrolling container in HTML.

    The trace tables are made at ``doctree-resolved``, after furo wrapped the page's
    tables in its scrolling ``table-wrapper``; unwrapped, a matrix wider than furo's
    content column ran under the "On this page" column and its last columns could not
    be reached at all.
    """
    if app.builder.format != "html":
        return
    for table_node in list(doctree.findall(nodes.table)):
        parent = table_node.parent
        if not _WIDE_TABLES.intersection(table_node["classes"]) or (
            isinstance(parent, nodes.container) and "table-wrapper" in parent["classes"]
        ):
            continue
        wrapper = nodes.container(classes=["table-wrapper", "specheft-scroll"])
        parent.replace(table_node, wrapper)
        wrapper += table_node


def _no_error_boxes(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """An error box that an extension wrote into the page instead of reporting it (e.g.
    sphinx-needs' "PlantUML is not available!") becomes a warning at its place, so that a
    strict build fails rather than ship it. An author's own ``{error}`` admonition has
    a source line and is left alone."""
    from sphinx.util import logging as sphinx_logging

    logger = sphinx_logging.getLogger(__name__)
    for box in list(doctree.findall(nodes.error)):
        if box.line:
            continue
        placed: nodes.Element | None = box
        while placed is not None and not placed.line:  # the nearest place with a line
            parent = placed.parent
            if parent is None:
                placed = None
                break
            earlier = [c for c in parent[: parent.index(placed)] if isinstance(c, nodes.Element)]
            placed = next((c for c in reversed(earlier) if c.line), parent)
        text = " ".join(box.astext().split())
        logger.warning(
            f"an extension put an error into the page instead of content: {text!r}",
            location=placed if placed is not None and placed.line else fromdocname,
            type="specheft",
            subtype="render",
        )


def _add_static(app: Sphinx, config: Config) -> None:
    # at config-inited, so the pickled and the fresh configuration agree (no full rebuild)
    if str(STATIC_DIR) not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]


def setup(app: Sphinx) -> None:
    uilang.setup(app)
    app.connect("config-inited", _add_static)
    app.add_css_file("specheft.css")
    app.add_js_file("specheft.js", loading_method="defer")
    app.connect("doctree-resolved", _render_doctree, priority=BEFORE_NEEDS)
    # after the trace directives
    app.connect("doctree-resolved", _wrap_tables, priority=AFTER_NEEDS)
    app.connect("doctree-resolved", _no_error_boxes, priority=LAST_LOOK)  # after sphinx-needs


def _shown_date(value: str, language: str) -> str:
    """A date field as the document's other dates read (``06.04.2027`` in German); a value
    that is not an ISO date (reported by the schema check) is shown as written."""
    try:
        return format_date(value, language)
    except ValueError:
        return value


def renderer_for(app: Sphinx, fromdocname: str) -> ItemRenderer:
    """An item renderer for ``fromdocname``; the trace directives use its links."""
    return ItemRenderer(app, settings_of(app), build_context(app).needs, fromdocname)
