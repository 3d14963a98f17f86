"""The common shape of a trace directive: a placeholder now, content when all items are known.

A directive validates its options when the page is read (errors name file and line) and
leaves a placeholder; at ``doctree-resolved`` — when sphinx-needs has resolved every
link — the placeholder is replaced with tables built from the trace graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from specheft.config.settings import Document
from specheft.errors import ConfigError, did_you_mean
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.needs.priorities import TRACE_DIRECTIVES


class trace_placeholder(nodes.General, nodes.Element):
    """Stands for a trace directive's output until all items are known."""


Renderer = Callable[[Sphinx, trace_placeholder, str], list[nodes.Node]]
RENDERERS: dict[str, Renderer] = {}


def choices(allowed: Iterable[str], *, name: str) -> Callable[[str | None], list[str]]:
    """Option converter: a comma-separated list of allowed values."""
    allowed = [str(value) for value in allowed]

    def convert(argument: str | None) -> list[str]:
        values = [v.strip() for v in (argument or "").split(",") if v.strip()]
        if not values:
            raise ValueError(f"give one or more of: {', '.join(allowed)}")
        for value in values:
            if allowed and value not in allowed:
                hint = did_you_mean(value, allowed)
                raise ValueError(
                    f"{value!r} is not a {name}; allowed: {', '.join(allowed)}"
                    + (f" ({hint})" if hint else "")
                )
        return values

    return convert


def id_list(argument: str | None) -> list[str]:
    return [v.strip() for v in (argument or "").split(",") if v.strip()]


class TraceDirective(SphinxDirective):
    renderer: ClassVar[str]

    def placeholder(self, options: Mapping[str, Any]) -> trace_placeholder:
        """The node that stands for the output; ``options`` is the directive's typed
        record (:mod:`.options`), all the renderer reads of the directive."""
        node = trace_placeholder(renderer=self.renderer, options=dict(options))
        node.source, node.line = self.get_source_info()
        # the page shows data of every item: rewritten whenever any item changes
        specheft_domain(self.env).note_trace_doc(self.env.docname)
        return node

    def document_option(self) -> str | None:
        """The ``:document:`` option: a configured document's name (an error at the
        directive's line if none is called so), or None for the page's own document."""
        name = self.options.get("document") or None
        if name is not None:
            try:
                settings_of(self.env.app).document(name)
            except ConfigError as exc:
                hint = f" ({exc.hint})" if exc.hint else ""
                raise self.error(f"{self.renderer}: {exc.message}{hint}") from None
        return name


def page_document(app: Sphinx, name: str | None, fromdocname: str) -> Document:
    """The document named by a directive's ``:document:``, else the one holding the page
    (the first deliverable for a page in none)."""
    from specheft.sphinxext.rendering.documents import document_of_docnames

    settings = settings_of(app)
    if name is not None:
        return settings.document(name)
    owner = document_of_docnames(app.env, settings).get(fromdocname)
    return owner or settings.deliverables()[0]


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    for node in list(doctree.findall(trace_placeholder)):
        content = RENDERERS[node["renderer"]](app, node, fromdocname)
        for part in content:
            if isinstance(part, nodes.Element):
                for titled in part.findall(nodes.table):
                    if not titled["ids"]:
                        doctree.set_id(titled)  # captioned tables are numbered by id
        node.replace_self(content)


def setup(app: Sphinx) -> None:
    app.add_node(trace_placeholder)
    # after sphinx-needs' own resolution, before nothing in particular
    app.connect("doctree-resolved", _resolve, priority=TRACE_DIRECTIVES)


#: The attributes of a trace placeholder that decide what it shows (not docutils' own).
_DIRECTIVE_KEYS = ("renderer", "options", "by", "target", "depth")


def trace_directives(env: Any, docnames: Iterable[str]) -> list[dict[str, Any]]:
    """The trace directives on the given pages, as the attributes of their placeholders.

    Read from the pickled doctrees, which keep the placeholders (they are replaced only
    in the written copy), so a needs-only build gives the same as a full one. Only the
    pages noted as holding one when they were read are loaded (unpickling every page of
    a large document took a second of each rebuild)."""
    holding = specheft_domain(env).trace_docs
    found: list[dict[str, Any]] = []
    for docname in sorted(name for name in docnames if name in holding):
        try:
            doctree = env.get_doctree(docname)
        except OSError:
            continue  # a page in no build (e.g. removed since): it shows nothing
        for node in doctree.findall(trace_placeholder):
            found.append({k: node[k] for k in _DIRECTIVE_KEYS if k in node.attributes})
    return found


def trace_directives_by_page(env: Any) -> dict[str, list[dict[str, Any]]]:
    """docname → :func:`trace_directives` of that page, for every page holding one (what
    an export after the build reads instead of the doctrees: project/export_snapshot.py)."""
    by_page = {name: trace_directives(env, [name]) for name in specheft_domain(env).trace_docs}
    return {name: found for name, found in sorted(by_page.items()) if found}
