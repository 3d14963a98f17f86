"""The deliverables: each configured document as a PDF (LaTeX) and a section of the site.

Every PDF gets a title page, a document-information page (distribution list, change
history, fingerprint), the table of contents, the chapters and a sign-off block; page
footers say "Seite X von Y" with the document id and version. These parts are written
into the assembled document at ``doctree-resolved`` because their values differ per
document (title, id, fingerprint), which LaTeX preamble settings cannot express.
The HTML start page of each document gets the same information and the PDF link.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import posixpath
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging
from sphinx.util import texescape

from specheft.config.settings import Document, Settings
from specheft.errors import did_you_mean
from specheft.fsutil import source_lines
from specheft.gitinfo import git_state
from specheft.labels import label
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.rendering.tables import table

_logger = sphinx_logging.getLogger(__name__)

PREAMBLE = r"""
\usepackage{lastpage}
\usepackage{pdflscape}
\usepackage[breakable,skins]{tcolorbox}
\newcommand{\specheftdocid}{}
\newcommand{\specheftversion}{}
\newcommand{\specheftpage}{}
\makeatletter
\fancypagestyle{normal}{%
  \fancyhf{}%
  \fancyhead[L]{\small\specheftheadtitle}%
  \fancyhead[R]{\small\nouppercase{\leftmark}}%
  \fancyfoot[L]{\small\specheftdocid\quad\specheftversion}%
  \fancyfoot[R]{\small\specheftpage}%
  \renewcommand{\headrulewidth}{0.4pt}%
  \renewcommand{\footrulewidth}{0.4pt}}
\fancypagestyle{plain}{%
  \fancyhf{}%
  \fancyfoot[L]{\small\specheftdocid\quad\specheftversion}%
  \fancyfoot[R]{\small\specheftpage}%
  \renewcommand{\headrulewidth}{0pt}%
  \renewcommand{\footrulewidth}{0.4pt}}
\makeatother
\newcommand{\specheftheadtitle}{}
% an item is a framed block that may break across pages
\newenvironment{sphinxclassspecheft-item}{\par\smallskip
  \begin{tcolorbox}[enhanced, breakable, colback=white, colframe=black!35, boxrule=0.4pt,
    leftrule=2.5pt, arc=1pt, left=4pt, right=4pt, top=2pt, bottom=2pt,
    before upper={\setlength{\parskip}{2pt}}]}{\end{tcolorbox}\par}
\newenvironment{sphinxclassspecheft-excl}{\tcbset{colframe=black!25}}{}
\setlength{\emergencystretch}{3em}
% one page count for the whole document, so that "Seite X von Y" holds on every page
\makeatletter
\renewcommand{\sphinxtableofcontents}{\begingroup\parskip\z@skip
  \sphinxtableofcontentshook\tableofcontents\endgroup\clearpage}
\makeatother
% references upright and in one colour, inside and across the PDFs
\renewcommand{\sphinxcrossref}[1]{#1}
% compact business-style chapter headings: "3  Projektziele"
\titleformat{\chapter}{\normalfont\LARGE\bfseries}{\thechapter}{0.8em}{}
\titlespacing*{\chapter}{0pt}{0pt}{2ex}
\makeatletter
% Tables are numbered through the whole document ("Tab. 7"): the report class restarts
% the count in each chapter, and without a chapter prefix every chapter had its "Tab. 1".
\AtBeginDocument{\@removefromreset{table}{chapter}\def\thetable{\arabic{table}}}
% longtable counts every table, captioned or not: one without a caption (the document
% information, the sign-off, an uncaptioned matrix) gives its number back
\newif\ifspecheft@uncaptioned
\g@addto@macro\sphinxatlongtablestart{\global\specheft@uncaptionedtrue}
\let\specheft@captionattop\sphinxthelongtablecaptionisattop
\def\sphinxthelongtablecaptionisattop{%
  \specheft@captionattop\noalign{\global\specheft@uncaptionedfalse}}
\g@addto@macro\sphinxatlongtableend{%
  \ifspecheft@uncaptioned\addtocounter{table}{-1}\global\specheft@uncaptionedfalse\fi}
% and its continuation line says "Fortsetzung …" without a number it does not have
\let\specheft@tablecontinued\sphinxtablecontinued
\protected\def\sphinxtablecontinued#1{\specheft@tablecontinued{\ifspecheft@uncaptioned
  \let\tablename\@empty\let\thetable\@empty\let\textendash\ignorespaces\fi#1}}
% narrow table cells are set ragged-right: justified, they showed wide gaps
\newcolumntype{\X}[2]{>{\raggedright\arraybackslash}p{\dimexpr
      (\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\newcolumntype{\Y}[1]{>{\raggedright\arraybackslash}p{\dimexpr
      #1\dimexpr\linewidth-\spx@arrayrulewidth\relax-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\newcolumntype{T}{L}
\makeatother
\newcolumntype{\specheftP}[1]{>{\raggedright\arraybackslash}p{#1}}
"""


def single_page(srcdir: Path, start: str) -> bool:
    """Whether a document's start page has no toctree: then the page itself is the
    document (its sections become the PDF's chapters) instead of the chapters it lists."""
    for suffix in (".md", ".rst"):
        source = srcdir / f"{start}{suffix}"
        if source.is_file():
            return "toctree" not in source.read_text(encoding="utf-8", errors="replace")
    return False


def latex_config(settings: Settings, srcdir: Path | None = None) -> dict[str, Any]:
    """LaTeX settings for all deliverables; conf.py may override any of them."""
    author = settings.project.customer or settings.project.name
    return {
        "latex_engine": "xelatex",
        "latex_documents": [
            (
                doc.start,
                f"{doc.name}.tex",
                # Sphinx writes title and author into \title{} and \author{} as LaTeX
                _tex(doc.title),
                _tex(author),
                "manual",
                srcdir is None or not single_page(srcdir, doc.start),  # toctree_only
            )
            for doc in settings.deliverables()
        ],
        "latex_use_xindy": False,
        "latex_show_urls": "no",
        "latex_show_pagerefs": False,
        "latex_elements": {
            "papersize": "a4paper",
            "pointsize": "10pt",
            "extraclassoptions": "openany,oneside",
            "maketitle": "",
            "tableofcontents": "",
            "makeindex": "",
            "printindex": "",
            "fncychap": "",
            "fontpkg": "\\setmainfont{FreeSans}\n\\setsansfont{FreeSans}\n\\setmonofont{FreeMono}",
            # code blocks (ASCII diagrams, interface samples) get 80 columns before wrapping
            "fvset": "\\fvset{fontsize=\\footnotesize}",
            "sphinxsetup": "hmargin={2.2cm,2.2cm}, vmargin={2.6cm,2.6cm}, TitleColor=black, "
            "InnerLinkColor={rgb}{0.05,0.35,0.45}, OuterLinkColor={rgb}{0.05,0.35,0.45}",
            "preamble": PREAMBLE,
        },
    }


def apply_latex_config(config: Config, settings: Settings, srcdir: Path) -> None:
    user = config._raw_config
    for name, value in latex_config(settings, srcdir).items():
        if name == "latex_elements":
            config[name] = {**value, **(user.get(name) or {})}
        elif name not in user:
            config[name] = value


# --- documents and their items ------------------------------------------------------------


def document_docnames(env: BuildEnvironment, start: str) -> set[str]:
    """The start page and every page its toctrees reach: what the PDF contains."""
    found = {start}
    todo = [start]
    while todo:
        for child in env.toctree_includes.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def document_of_docnames(env: BuildEnvironment, settings: Settings) -> dict[str, Document]:
    """docname → the first deliverable that contains it."""
    owner: dict[str, Document] = {}
    for document in settings.deliverables():
        for docname in sorted(document_docnames(env, document.start)):
            owner.setdefault(docname, document)
    return owner


def document_fingerprint(
    env: BuildEnvironment, needs: Iterable[Any], document: Document
) -> tuple[str, int]:
    """Its items and what its trace directives show; ("", 0) when that is nothing."""
    from specheft.project.fingerprint import document_fingerprint as covered_fingerprint

    return covered_fingerprint(env, needs, document)


def build_date(settings: Settings) -> dt.date:
    if settings.project.date:
        return dt.date.fromisoformat(settings.project.date)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def format_date(value: str | dt.date, language: str) -> str:
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return date.strftime("%d.%m.%Y") if language == "de" else date.isoformat()


class DocumentFacts:
    """What the title page, the info block and the sign-off show for one document."""

    def __init__(self, app: Sphinx, settings: Settings, document: Document) -> None:
        from sphinx_needs.data import SphinxNeedsData

        self.settings = settings
        self.document = document
        self.lang = lang = settings.language
        project = settings.project
        needs = SphinxNeedsData(app.env).get_needs_view().values()
        self.fingerprint, self.count = document_fingerprint(app.env, needs, document)
        if not self.count:  # never a "valid with this checksum" over nothing
            self.fingerprint = label(lang, "doc.fingerprint.none")
        state = git_state(app.srcdir)
        if state is None:
            revision = label(lang, "doc.no_git")
        else:
            revision = state.describe + (f" ({label(lang, 'doc.modified')})" if state.dirty else "")
        rows = [("doc.customer", project.customer)]
        if document.show_vendor and project.vendor:
            rows.append(("doc.vendor", project.vendor))
        self.version = document.version or project.version
        date = document.date or None
        rows += [
            ("doc.id", document.doc_id),
            ("doc.version", self.version),
            ("doc.status", label(lang, f"doc.status.{document.status or project.status}")),
            ("doc.date", format_date(date or build_date(settings), lang)),
            ("doc.revision", revision),
        ]
        self.history = document.history or settings.history
        roles = set(document.signoff_roles)
        self.signoff = [p for p in settings.signoff if not roles or p.role in roles]
        self.rows = [(label(lang, key), value) for key, value in rows if value]

    def fingerprint_note(self) -> str:
        key = "doc.fingerprint.text" if self.count else "doc.fingerprint.none.text"
        return label(self.lang, key).format(count=self.count, name=self.document.name)


# --- LaTeX front and back matter ----------------------------------------------------------


@functools.cache
def _tex_ready() -> None:
    # Sphinx fills its escape tables when the LaTeX builder starts; latex_config() runs
    # before that (at config-inited), where escape() would return the text unchanged
    texescape.init()


def _tex(text: str) -> str:
    _tex_ready()
    return texescape.escape(text, "xelatex")


def _columns(*widths: float) -> str:
    """A longtable column spec: ragged-right paragraph columns of these shares of the line."""
    return "|" + "|".join(rf"\specheftP{{{width}\linewidth}}" for width in widths) + "|"


def _end_longtable() -> str:
    # an uncaptioned longtable still takes a table number; give it back
    return r"\end{longtable}\addtocounter{table}{-1}"


def _tex_table(headers: list[str], rows: list[list[str]], spec: str) -> str:
    lines = [rf"\begin{{longtable}}{{{spec}}}", r"\hline"]
    lines.append(" & ".join(rf"\textbf{{{_tex(h)}}}" for h in headers) + r"\\ \hline\endhead")
    lines += [" & ".join(_tex(cell) for cell in row) + r"\\ \hline" for row in rows]
    lines.append(_end_longtable())
    return "\n".join(lines)


def latex_title_page(facts: DocumentFacts) -> str:
    settings, document, lang = facts.settings, facts.document, facts.lang
    page = label(lang, "doc.page").format(page=r"\thepage{}", pages=r"\pageref*{LastPage}")
    parts = [
        rf"\renewcommand{{\specheftdocid}}{{{_tex(document.doc_id)}}}",
        rf"\renewcommand{{\specheftversion}}{{{_tex(label(lang, 'doc.version'))} "
        rf"{_tex(facts.version)}}}",
        rf"\renewcommand{{\specheftpage}}{{{page}}}",
        rf"\renewcommand{{\specheftheadtitle}}{{{_tex(document.title)}}}",
        # not the titlepage environment: it restarts the page count after the title page
        r"\begingroup\thispagestyle{empty}\centering",
        rf"{{\large {_tex(settings.project.customer)}\par}}\vspace{{4cm}}",
        rf"{{\Huge\bfseries {_tex(document.title)}\par}}\vspace{{0.8cm}}",
        rf"{{\LARGE {_tex(settings.project.name)}\par}}",
    ]
    if document.subtitle:
        parts.append(rf"\vspace{{0.4cm}}{{\large {_tex(document.subtitle)}\par}}")
    parts += [r"\vfill", r"\begin{tabular}{@{}ll@{}}"]
    parts += [rf"{_tex(key)}: & {_tex(value)}\\" for key, value in facts.rows]
    parts += [
        r"\end{tabular}\par",
        r"\endgroup\clearpage",
        r"\pagestyle{plain}",
        rf"\chapter*{{{_tex(label(lang, 'doc.info'))}}}",
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
        parts.append(rf"\section*{{{_tex(label(lang, 'doc.distribution'))}}}")
        parts.append(
            _tex_table(
                [label(lang, "doc.name"), label(lang, "doc.role"), label(lang, "doc.organisation")],
                [[p.name, p.role, p.organisation] for p in settings.distribution],
                _columns(0.28, 0.36, 0.26),
            )
        )
    if facts.history:
        parts.append(rf"\section*{{{_tex(label(lang, 'doc.history'))}}}")
        parts.append(
            _tex_table(
                [
                    label(lang, "doc.version"),
                    label(lang, "doc.date"),
                    label(lang, "doc.author"),
                    label(lang, "doc.changes"),
                ],
                [
                    [h.version, format_date(h.date, lang), h.author, h.changes]
                    for h in facts.history
                ],
                _columns(0.1, 0.13, 0.2, 0.47),
            )
        )
    parts += [
        rf"\section*{{{_tex(label(lang, 'doc.fingerprint'))}}}",
        rf"\noindent\texttt{{\small {_tex(facts.fingerprint)}}}\par\smallskip",
        rf"\noindent{{\small {_tex(facts.fingerprint_note())}}}",
        r"\sphinxtableofcontents",
        r"\pagestyle{normal}",
    ]
    return "\n".join(parts)


def latex_signoff(facts: DocumentFacts) -> str:
    lang = facts.lang
    signoff_text = "doc.signoff.text" if facts.count else "doc.signoff.text.none"
    parts = [
        r"\clearpage",
        rf"\chapter*{{{_tex(label(lang, 'doc.signoff'))}}}",
        rf"\addcontentsline{{toc}}{{chapter}}{{{_tex(label(lang, 'doc.signoff'))}}}",
        # without items there is no checksum, and the text does not promise one
        rf"\noindent {_tex(label(lang, signoff_text))}\par\bigskip",
        rf"\noindent {_tex(label(lang, 'doc.fingerprint'))}: "
        rf"\texttt{{\small {_tex(facts.fingerprint)}}}\par\bigskip",
        r"\renewcommand{\arraystretch}{1.3}",
        rf"\begin{{longtable}}{{{_columns(0.34, 0.2, 0.36)}}}\hline",
        rf"\textbf{{{_tex(label(lang, 'doc.role'))}, {_tex(label(lang, 'doc.name'))}}} & "
        rf"\textbf{{{_tex(label(lang, 'doc.place_date'))}}} & "
        rf"\textbf{{{_tex(label(lang, 'doc.signature'))}}}\\ \hline\endhead",
    ]
    for person in facts.signoff:
        who = "\\newline ".join(
            _tex(t) for t in (person.role, person.name, person.organisation) if t
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
                ([h.version, format_date(h.date, lang), h.author, h.changes], [])
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
    before and between its toctrees, with cross-references reduced to their text.

    What cannot stand before the table of contents — sub-sections and items — is left
    out with a warning at its line, never silently.
    """
    from sphinx import addnodes
    from sphinx_needs.nodes import Need

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
        for xref in list(copy.findall(addnodes.pending_xref)):
            xref.replace_self(nodes.Text(xref.astext()))
        kept.append(copy)
    return kept


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
            doctree, html_info(facts, fromdocname, app.config.specheft_pdf_downloads)
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
INTERNAL_FILES = ("schema_violations.json",)


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def without_comments(content: str) -> str:
    """An item's Markdown without its ``%`` comment lines (outside code fences), as
    the page shows it: the authors' notes are not part of what the item says."""
    kept: list[str] = []
    fence: str | None = None
    for line in content.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None:
            if opening and opening.group(1).startswith(fence) and not line.strip(" `~"):
                fence = None
        elif line.lstrip().startswith("%"):
            continue
        kept.append(line)
    return "\n".join(kept)


def _strip_published_comments(path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        versions = data["versions"].values()
    except (OSError, ValueError, KeyError, AttributeError):
        return  # not written (no items) or not sphinx-needs' format: nothing to strip
    changed = False
    for version in versions:
        for need in (version.get("needs") or {}).values():
            content = need.get("content")
            if isinstance(content, str) and "%" in content:
                stripped = without_comments(content)
                changed |= stripped != content
                need["content"] = stripped
    if changed:  # sorted like sphinx-needs writes it, so builds stay byte-identical
        path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


def _drop_internal_files(app: Sphinx, exception: BaseException | None) -> None:
    """The published site holds what readers need: not sphinx-needs' validation log (its
    findings are what ``specheft check`` reports), not the authors' ``%`` comments
    (the Markdown sources, comment lines in needs.json) unless ``html_copy_source``."""
    if app.builder.format != "html" or exception is not None:
        return
    for name in INTERNAL_FILES:
        Path(app.outdir, name).unlink(missing_ok=True)
    if not app.config.html_copy_source:  # Sphinx makes the folder anyway; an older build
        shutil.rmtree(Path(app.outdir, "_sources"), ignore_errors=True)  # may have filled it
        _strip_published_comments(Path(app.outdir, "needs.json"))


def setup(app: Sphinx) -> None:
    app.add_config_value("specheft_pdf_downloads", False, "html", types=frozenset({bool}))
    app.connect("doctree-resolved", _resolved, priority=900)
    app.connect("doctree-resolved", _landscape_with_heading, priority=950)
    # after sphinx-needs wrote needs.json (build-finished, default priority 500)
    app.connect("build-finished", _drop_internal_files, priority=800)
    app.connect("env-before-read-docs", _check_starts)
