"""What each deliverable shows about itself: the title page, the document-information
page (distribution list, change history, fingerprint) and the sign-off block in its PDF,
and the information block on its HTML start page.

Written into the assembled document at ``doctree-resolved`` because their values differ
per document (title, id, fingerprint), which LaTeX preamble settings cannot express.
"""

from __future__ import annotations

import posixpath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from specheft.config.settings import Document, Settings
from specheft.labels import label
from specheft.sphinxext.context import git_state_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.needs.data import Need
from specheft.sphinxext.rendering.baselines import describe, document_history, shown_version
from specheft.sphinxext.rendering.documents import build_date, format_date
from specheft.sphinxext.rendering.latex_setup import tex
from specheft.sphinxext.rendering.tables import table

_logger = sphinx_logging.getLogger(__name__)


class DocumentFacts:
    """What the title page, the info block and the sign-off show for one document."""

    def __init__(self, app: Sphinx, settings: Settings, document: Document) -> None:
        self.settings = settings
        self.document = document
        self.lang = lang = settings.language
        project = settings.project
        context = build_context(app)
        self.fingerprint, self.count = context.fingerprint(document)
        if not self.count:  # never a "valid with this checksum" over nothing
            self.fingerprint = label(lang, "doc.fingerprint.none")
        # the evaluation of the offers: its fingerprint covers the answers and the scoring too
        self.answers = bool(self.count) and context.shows_answers(document)
        state = git_state_of(app)
        if state is None:
            revision = label(lang, "doc.no_git")
        else:
            revision = state.describe + (f" ({label(lang, 'doc.modified')})" if state.dirty else "")
        rows = [("doc.customer", project.customer)]
        if document.show_vendor and project.vendor:
            rows.append(("doc.vendor", project.vendor))
        # the latest baseline and whether the items changed since (its fingerprint)
        shown = shown_version(app, settings, document, self.fingerprint if self.count else "")
        self.version = shown.bare
        date = document.date or None
        rows += [
            ("doc.id", document.doc_id),
            ("doc.version", shown.version),
            ("doc.status", shown.status),
            ("doc.date", format_date(date or build_date(settings), lang)),
            ("doc.revision", revision),
        ]
        self.history = document_history(app, settings, document)
        roles = set(document.signoff_roles)
        self.signoff = [p for p in settings.signoff if not roles or p.role in roles]
        self.rows = [(label(lang, key), value) for key, value in rows if value]

    def fingerprint_note(self) -> str:
        key = "doc.fingerprint.text" if self.count else "doc.fingerprint.none.text"
        if self.answers:
            key = "doc.fingerprint.text.answers"
        return label(self.lang, key).format(count=self.count, name=self.document.name)


# --- LaTeX front and back matter ----------------------------------------------------------


def _columns(*widths: float) -> str:
    """A longtable column spec: ragged-right paragraph columns of these shares of the line."""
    return "|" + "|".join(rf"\specheftP{{{width}\linewidth}}" for width in widths) + "|"


def _end_longtable() -> str:
    # an uncaptioned longtable still takes a table number; give it back
    return r"\end{longtable}\addtocounter{table}{-1}"


def _tex_table(headers: list[str], rows: list[list[str]], spec: str) -> str:
    lines = [rf"\begin{{longtable}}{{{spec}}}", r"\hline"]
    lines.append(" & ".join(rf"\textbf{{{tex(h)}}}" for h in headers) + r"\\ \hline\endhead")
    lines += [" & ".join(tex(cell) for cell in row) + r"\\ \hline" for row in rows]
    lines.append(_end_longtable())
    return "\n".join(lines)


def latex_title_page(facts: DocumentFacts) -> str:
    settings, document, lang = facts.settings, facts.document, facts.lang
    page = label(lang, "doc.page").format(page=r"\thepage{}", pages=r"\pageref*{LastPage}")
    parts = [
        rf"\renewcommand{{\specheftdocid}}{{{tex(document.doc_id)}}}",
        rf"\renewcommand{{\specheftversion}}{{{tex(label(lang, 'doc.version'))} "
        rf"{tex(facts.version)}}}",
        rf"\renewcommand{{\specheftpage}}{{{page}}}",
        rf"\renewcommand{{\specheftheadtitle}}{{{tex(document.title)}}}",
        # not the titlepage environment: it restarts the page count after the title page
        r"\begingroup\thispagestyle{empty}\centering",
        rf"{{\large {tex(settings.project.customer)}\par}}\vspace{{4cm}}",
        rf"{{\Huge\bfseries {tex(document.title)}\par}}\vspace{{0.8cm}}",
        rf"{{\LARGE {tex(settings.project.name)}\par}}",
    ]
    if document.subtitle:
        parts.append(rf"\vspace{{0.4cm}}{{\large {tex(document.subtitle)}\par}}")
    parts += [r"\vfill", r"\begin{tabular}{@{}ll@{}}"]
    parts += [rf"{tex(key)}: & {tex(value)}\\" for key, value in facts.rows]
    parts += [
        r"\end{tabular}\par",
        r"\endgroup\clearpage",
        r"\pagestyle{plain}",
        rf"\chapter*{{{tex(label(lang, 'doc.info'))}}}",
    ]
    return "\n".join(parts)


def latex_document_info(facts: DocumentFacts) -> str:
    """The information tables after the start page's own text, then the contents."""
    settings, lang = facts.settings, facts.lang
    parts = [r"\par\bigskip"]
    parts.append(
        _tex_table(
            [label(lang, "doc.info"), ""],
            [[k, v] for k, v in facts.rows],
            _columns(0.3, 0.62),
        )
    )
    if settings.distribution:
        parts.append(rf"\section*{{{tex(label(lang, 'doc.distribution'))}}}")
        parts.append(
            _tex_table(
                [label(lang, "doc.name"), label(lang, "doc.role"), label(lang, "doc.organisation")],
                [[p.name, p.role, p.organisation] for p in settings.distribution],
                _columns(0.28, 0.36, 0.26),
            )
        )
    if facts.history:
        parts.append(rf"\section*{{{tex(label(lang, 'doc.history'))}}}")
        parts.append(
            _tex_table(
                [
                    label(lang, "doc.version"),
                    label(lang, "doc.date"),
                    label(lang, "doc.author"),
                    label(lang, "doc.changes"),
                ],
                [
                    [h.version, format_date(h.date, lang), h.author, describe(h, lang)]
                    for h in facts.history
                ],
                _columns(0.1, 0.13, 0.2, 0.47),
            )
        )
    parts += [
        rf"\section*{{{tex(label(lang, 'doc.fingerprint'))}}}",
        rf"\noindent\texttt{{\small {tex(facts.fingerprint)}}}\par\smallskip",
        rf"\noindent{{\small {tex(facts.fingerprint_note())}}}",
        r"\sphinxtableofcontents",
        r"\pagestyle{normal}",
    ]
    return "\n".join(parts)


def latex_signoff(facts: DocumentFacts) -> str:
    lang = facts.lang
    signoff_text = "doc.signoff.text" if facts.count else "doc.signoff.text.none"
    parts = [
        r"\clearpage",
        rf"\chapter*{{{tex(label(lang, 'doc.signoff'))}}}",
        rf"\addcontentsline{{toc}}{{chapter}}{{{tex(label(lang, 'doc.signoff'))}}}",
        # without items there is no checksum, and the text does not promise one
        rf"\noindent {tex(label(lang, signoff_text))}\par\bigskip",
        rf"\noindent {tex(label(lang, 'doc.fingerprint'))}: "
        rf"\texttt{{\small {tex(facts.fingerprint)}}}\par\bigskip",
        r"\renewcommand{\arraystretch}{1.3}",
        rf"\begin{{longtable}}{{{_columns(0.34, 0.2, 0.36)}}}\hline",
        rf"\textbf{{{tex(label(lang, 'doc.role'))}, {tex(label(lang, 'doc.name'))}}} & "
        rf"\textbf{{{tex(label(lang, 'doc.place_date'))}}} & "
        rf"\textbf{{{tex(label(lang, 'doc.signature'))}}}\\ \hline\endhead",
    ]
    for person in facts.signoff:
        who = "\\newline ".join(
            tex(t) for t in (person.role, person.name, person.organisation) if t
        )
        parts.append(rf"{who}\rule{{0pt}}{{1.6cm}} & & \\ \hline")
    parts.append(_end_longtable())
    return "\n".join(parts)


# --- HTML information block ------------------------------------------------------------------


def html_info(facts: DocumentFacts, fromdocname: str, pdf_link: bool) -> nodes.container:
    lang = facts.lang
    rows: list[tuple[list[Any], list[str]]] = [([k, v], []) for k, v in facts.rows]
    rows.append(
        (
            [label(lang, "doc.fingerprint"), [nodes.literal(facts.fingerprint, facts.fingerprint)]],
            [],
        )
    )
    box = nodes.container(classes=["specheft-docinfo"])
    box += table(
        [label(lang, "doc.info"), ""], rows, widths=[30, 70], classes=["specheft-docinfo-table"]
    )
    if facts.history:
        box += table(
            [label(lang, k) for k in ("doc.version", "doc.date", "doc.author", "doc.changes")],
            [
                ([h.version, format_date(h.date, lang), h.author, describe(h, lang)], [])
                for h in facts.history
            ],
            widths=[10, 14, 22, 54],
            classes=["specheft-docinfo-history"],
            title=label(lang, "doc.history"),
        )
    if pdf_link:
        target = posixpath.relpath(
            f"pdf/{facts.document.name}.pdf", posixpath.dirname(fromdocname) or "."
        )
        para = nodes.paragraph(classes=["specheft-pdf-link"])
        para += nodes.reference("", label(lang, "doc.pdf"), refuri=target)
        box += para
    return box


def start_page_text(app: Sphinx, docname: str) -> list[nodes.Node]:
    """The start page's own text (a PDF holds only its toctree's chapters): everything
    before and between its toctrees, with cross-references reduced to their text and
    ``{need}`` roles linked as in the chapters.

    What cannot stand before the table of contents — sub-sections and items — is left
    out with a warning at its line, never silently.
    """
    from sphinx import addnodes

    from specheft.sphinxext.rendering.items import link_need_roles, renderer_for

    renderer = renderer_for(app, docname)
    tree = app.env.get_doctree(docname)
    section = next(iter(tree.findall(nodes.section)), None)
    if section is None:
        return []
    kept: list[nodes.Node] = []
    for child in section.children:
        if isinstance(child, nodes.title) or any(True for _ in child.findall(addnodes.toctree)):
            continue
        if isinstance(child, (nodes.Invisible, nodes.system_message)):
            continue  # targets, comments, substitution definitions: nothing to show
        if isinstance(child, nodes.section) or any(True for _ in child.findall(Need)):
            what = "a section" if isinstance(child, nodes.section) else "an item"
            _logger.warning(
                f"{what} on the start page of a document is not in its PDF (only the start "
                "page's own text and the chapters of its toctree are); move it into a chapter",
                location=child,
                type="specheft",
                subtype="pdf",
            )
            continue
        copy = child.deepcopy()
        link_need_roles(renderer, copy, every=True)
        for xref in list(copy.findall(addnodes.pending_xref)):
            xref.replace_self(nodes.Text(xref.astext()))
        kept.append(copy)
    return kept
