"""The deliverables: each configured document as a PDF (LaTeX) and a section of the site.

Every PDF gets a title page, a document-information page (distribution list, change
history, fingerprint), the table of contents, the chapters and a sign-off block; page
footers say "Seite X von Y" with the document id and version. The HTML start page of
each document gets the same information and the PDF link. This module connects the
parts: :mod:`.latex_setup` (LaTeX configuration), :mod:`.documents` (pages, dates and
fingerprints of a document), :mod:`.front_matter` (title pages, information blocks,
sign-off), :mod:`.site_files` (what the published site leaves out).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging

from specheft.errors import did_you_mean
from specheft.fsutil import source_lines
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.needs.priorities import AFTER_NEEDS_JSON, LATE, LATER
from specheft.sphinxext.rendering import baselines
from specheft.sphinxext.rendering.documents import (
    build_date,
    document_docnames,
    document_of_docnames,
    format_date,
)
from specheft.sphinxext.rendering.front_matter import (
    DocumentFacts,
    html_info,
    latex_document_info,
    latex_signoff,
    latex_title_page,
    start_page_text,
)
from specheft.sphinxext.rendering.latex_setup import PREAMBLE, apply_latex_config, latex_config
from specheft.sphinxext.rendering.site_files import (
    INTERNAL_FILES,
    drop_internal_files,
    without_comments,
)

# the names other modules and tests import from here
__all__ = [
    "INTERNAL_FILES",
    "PREAMBLE",
    "DocumentFacts",
    "apply_latex_config",
    "build_date",
    "document_docnames",
    "document_of_docnames",
    "format_date",
    "latex_config",
    "latex_signoff",
    "setup",
    "without_comments",
]

_logger = sphinx_logging.getLogger(__name__)


def _toctree_only(app: Sphinx, start: str) -> bool:
    entry = next((e for e in app.config.latex_documents if e[0] == start), None)
    return bool(entry[5]) if entry is not None and len(entry) > 5 else False


def _insert_after_title(doctree: nodes.document, node: nodes.Element) -> None:
    for titled in node.findall(nodes.table):
        if not titled["ids"]:
            doctree.set_id(titled)  # captioned tables are numbered by id
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, node)
        return
    index = 1 if section.children and isinstance(section[0], nodes.title) else 0
    section.insert(index, node)


def _resolved(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:

    settings = settings_of(app)
    document = next((d for d in settings.deliverables() if d.start == fromdocname), None)
    if document is None:
        return
    if app.builder.format == "latex":
        facts = DocumentFacts(app, settings, document)
        front: list[nodes.Node] = [nodes.raw("", latex_title_page(facts), format="latex")]
        if _toctree_only(app, fromdocname):  # else the start page is in the PDF anyway
            front += start_page_text(app, fromdocname)
        front.append(nodes.raw("", latex_document_info(facts), format="latex"))
        for index, node in enumerate(front):
            doctree.insert(index, node)
        if document.signoff and facts.signoff:
            doctree.append(nodes.raw("", latex_signoff(facts), format="latex"))
    elif app.builder.format == "html":
        facts = DocumentFacts(app, settings, document)
        _insert_after_title(
            doctree,
            html_info(facts, fromdocname, document.name in app.config.specheft_pdf_downloads),
        )


LANDSCAPE = "\\begin{landscape}"
#: what may stand between a heading and a landscape table and go onto the landscape page
_LEAD_IN = (nodes.title, nodes.paragraph, nodes.Invisible, nodes.target)


def _landscape_with_heading(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """Start a landscape page before the heading of the section it opens.

    ``\\begin{landscape}`` starts a new page: a heading (and its lead-in sentence) just
    before it used to stand alone on an otherwise empty portrait page. When only a title
    and short paragraphs precede the landscape table in its section — and that section
    opens its parent in turn — the landscape page begins before the outermost heading.
    """
    if app.builder.format != "latex":
        return
    for raw in list(doctree.findall(nodes.raw)):
        if raw.get("format") != "latex" or raw.astext().strip() != LANDSCAPE:
            continue
        node: nodes.Element = raw
        target: nodes.section | None = None
        while isinstance(node.parent, nodes.section):
            section = node.parent
            before = section.children[: section.index(node)]
            if not all(isinstance(child, _LEAD_IN) for child in before):
                break
            target = section
            node = section
        if target is not None:
            raw.parent.remove(raw)
            target.insert(0, raw)


def _check_starts(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """A document whose start page does not exist is named at its line in specheft.toml
    (Sphinx would only mention it, without a place, when it writes the PDFs)."""

    path = Path(app.confdir) / app.config.specheft_settings_file
    for document in settings_of(app).documents:
        if document.start in env.found_docs:
            continue
        try:  # read only when there is something to report
            lines = source_lines(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            lines = []
        line = next((n for n, text in enumerate(lines, 1) if f'"{document.start}"' in text), None)
        hint = did_you_mean(document.start, sorted(env.found_docs))
        _logger.warning(
            f"document {document.name!r}: start page {document.start!r} does not exist "
            f"in spec/" + (f" ({hint})" if hint else ""),
            location=f"{path}:{line}" if line else str(path),
            type="specheft",
            subtype="config",
        )


#: files Sphinx or sphinx-needs leave in the site that are not for its readers


def setup(app: Sphinx) -> None:
    # the documents whose PDFs this build puts into the site: only their start pages link one
    app.add_config_value("specheft_pdf_downloads", (), "html", types=frozenset({list, tuple}))
    baselines.setup(app)
    app.connect("doctree-resolved", _resolved, priority=LATE)
    app.connect("doctree-resolved", _landscape_with_heading, priority=LATER)
    # after sphinx-needs wrote needs.json (build-finished, default priority 500)
    app.connect("build-finished", drop_internal_files, priority=AFTER_NEEDS_JSON)
    app.connect("env-before-read-docs", _check_starts)
