"""The LaTeX setup of the deliverables: one PDF per configured document.

Page footers say "Seite X von Y" with the document id and version; title, id and
version are filled per document by the front matter (:mod:`.front_matter`). conf.py
may override any of these settings.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from sphinx.config import Config
from sphinx.util import texescape

from specheft.config.settings import Settings
from specheft.sphinxext.compat import conf_py_values
from specheft.sphinxext.rendering.redline import LATEX_MACROS as REDLINE_MACROS

PREAMBLE = r"""
\usepackage{lastpage}
\usepackage{pdflscape}
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
% An item is a framed block that may break across pages, open at the cut. framed.sty
% (loaded by Sphinx) draws it: the same block as a breakable tcolorbox took 80 % of
% XeLaTeX's time (11.5 of 14 s for 627 items). Frame, padding and the spacing around it
% are the tcolorbox's (rules 0.4pt, left 2.5pt; 4pt + 1mm beside, 2pt + 1mm above and
% below; its "balanced" 0.5\baselineskip around), so pages break where they did.
\makeatletter
\colorlet{specheft@frame}{black!35}
\def\specheft@box#1#2#3{% #1, #2: top and bottom rule (none at a page break); #3: content
  \let\specheft@textcolor\current@color
  \textcolor{specheft@frame}{\fboxsep4.845pt\CustomFBox{}{}{#1}{#2}{2.5pt}{.4pt}%
    {\kern2pt\let\current@color\specheft@textcolor\set@color#3\kern2pt}}}
\def\specheft@skip{\glueexpr.5\baselineskip plus 2pt-\parskip\relax}
\newenvironment{sphinxclassspecheft-item}{\par\smallskip
  \ifdim\prevdepth<\z@ \addvspace{\specheft@skip}%
  \else\ifdim\prevdepth>.3\baselineskip \addvspace{\specheft@skip}%
  \else \addvspace{\glueexpr\specheft@skip+.3\baselineskip-\prevdepth\relax}\fi\fi
  \vskip6.4pt\nointerlineskip % measured: the tcolorbox's distance to what precedes it
  \def\FrameCommand{\specheft@box{.4pt}{.4pt}}%
  \def\FirstFrameCommand{\specheft@box{.4pt}\z@}%
  \def\MidFrameCommand{\specheft@box\z@\z@}%
  \def\LastFrameCommand{\specheft@box\z@{.4pt}}%
  % no extra space around; a continued block starts where the tcolorbox's did
  \OuterFrameSep\z@ \def\FrameHeightAdjust{9.5pt}%
  % framed's \FrameRestore is \sloppy: keep the text's own line breaking
  \edef\specheft@par{\tolerance\the\tolerance\emergencystretch\the\emergencystretch
    \hfuzz\the\hfuzz\vfuzz\the\vfuzz}%
  \MakeFramed{\advance\hsize-\width\FrameRestore\specheft@par\setlength{\parskip}{2pt}}}%
  {\endMakeFramed\par\prevdepth.3\baselineskip\addvspace{\specheft@skip}}
\makeatother
\setlength{\emergencystretch}{3em}
% one page count for the whole document, so that "Seite X von Y" holds on every page
\makeatletter
\renewcommand{\sphinxtableofcontents}{\begingroup\parskip\z@skip
  \sphinxtableofcontentshook\tableofcontents\endgroup\clearpage}
\makeatother
% The log is read by latexmk after every pass (at N=5000 its own 23 s CPU, rising with
% the log's lines): no "Underfull \hbox" reports (9,300 at N=5000, each with its line's
% content; overfull ones stay), which change nothing that is set
\hbadness=10000
% and none of hyperref's "Hyper reference undefined" in the first pass of a fresh build,
% which knows no label yet (one warning per item link: 15,700 at N=1000). Only when
% hyperref's macro is the one expected; later passes warn as before.
\makeatletter
\def\specheft@hyperrefwarns#1#2#3{%
  \ifx#1\relax
    \protect\G@refundefinedtrue
    \@latex@warning{%
      Hyper reference `#2' on page \thepage \space undefined%
    }%
    \begingroup
      \hyperrefundefinedlink{#3}%
    \endgroup
  \else
    \hyper@@link{\expandafter\@fifthoffive#1}%
      {\expandafter\@fourthoffive#1\@empty\@empty}{#3}%
  \fi
}
\def\specheft@hyperrefquiet#1#2#3{\ifx#1\relax\protect\G@refundefinedtrue
  \begingroup\hyperrefundefinedlink{#3}\endgroup\else\specheft@hyperrefwarns#1{#2}{#3}\fi}
\IfFileExists{\jobname.aux}{}{\ifx\label@@hyperref\specheft@hyperrefwarns
  \let\label@@hyperref\specheft@hyperrefquiet
  \typeout{specheft: first pass, no warnings for undefined hyper references}\fi}
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
                tex(doc.title),
                tex(author),
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
            "preamble": PREAMBLE + REDLINE_MACROS,
        },
    }


def apply_latex_config(config: Config, settings: Settings, srcdir: Path) -> None:
    user = conf_py_values(config)
    for name, value in latex_config(settings, srcdir).items():
        if name == "latex_elements":
            config[name] = {**value, **(user.get(name) or {})}
        elif name not in user:
            config[name] = value


@functools.cache
def _tex_ready() -> None:
    # Sphinx fills its escape tables when the LaTeX builder starts; latex_config() runs
    # before that (at config-inited), where escape() would return the text unchanged
    texescape.init()


def tex(text: str) -> str:
    """``text`` escaped for XeLaTeX."""
    _tex_ready()
    return texescape.escape(text, "xelatex")
