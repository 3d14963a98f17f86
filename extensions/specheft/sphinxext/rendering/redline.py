"""Redline marks: deleted words struck through in red, added words underlined in green.

Two inline nodes carry a run of words of a word diff (``trace/diff.py`` ``word_diff``):
HTML writes ``<del>``/``<ins>`` (styled in ``specheft.css``), LaTeX the macros
``\\specheftdel``/``\\specheftins`` of the preamble (``latex_setup.py``), one per word,
so that a line breaks between words as in any paragraph or table cell — no TeX package
needed beyond Sphinx's own — and the text builder ``[-…-]``/``{+…+}`` as ``git diff
--word-diff`` does. Any other builder shows the words as plain inline text.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from specheft.trace.diff import Segment

#: the LaTeX macros, added to the preamble: a word in a box with a rule through it (or
#: under it), and between two marked words a space that carries the rule but may break
LATEX_MACROS = r"""
% the change annex ({item-diff}): deleted words struck through, added words underlined
\definecolor{specheftdel}{RGB}{176,0,32}
\definecolor{specheftins}{RGB}{0,110,50}
\makeatletter
\newsavebox{\specheft@word}
\newcommand{\specheftdel}[1]{\sbox{\specheft@word}{\color{specheftdel}#1}%
  {\color{specheftdel}\rlap{\rule[0.55ex]{\wd\specheft@word}{0.6pt}}}\usebox{\specheft@word}}
\newcommand{\specheftins}[1]{\sbox{\specheft@word}{\color{specheftins}#1}%
  {\color{specheftins}\rlap{\rule[-0.35ex]{\wd\specheft@word}{0.6pt}}}\usebox{\specheft@word}}
\newcommand{\specheftdelspace}{{\color{specheftdel}\leaders\hrule
  height\dimexpr0.55ex+0.6pt\relax depth-0.55ex
  \hskip\fontdimen2\font plus\fontdimen3\font minus\fontdimen4\font}}
\newcommand{\specheftinsspace}{{\color{specheftins}\leaders\hrule
  height\dimexpr-0.35ex+0.6pt\relax depth0.35ex
  \hskip\fontdimen2\font plus\fontdimen3\font minus\fontdimen4\font}}
\makeatother
% an item of the annex: a grey bar at its left, ragged right (a marked word is never
% hyphenated: justified, a line before a long one showed wide gaps). framed.sty (loaded
% by Sphinx) draws the bar and breaks it with the page; a tcolorbox cost 80 % of
% XeLaTeX's time for the item frames (latex_setup.py)
\newenvironment{sphinxclassspecheft-item-diff-item}{\par\smallskip
  \def\FrameCommand{{\color{black!40}\vrule width 1.5pt}\hspace{6pt}}%
  \MakeFramed{\advance\hsize-\width\FrameRestore\setlength{\parskip}{2pt}\raggedright}}%
  {\endMakeFramed\par}
"""


class redline_deleted(nodes.inline):
    """Words only in the old text."""


class redline_inserted(nodes.inline):
    """Words only in the new text."""


def deleted(text: str) -> redline_deleted:
    return redline_deleted(text, text, classes=["specheft-del"])


def inserted(text: str) -> redline_inserted:
    return redline_inserted(text, text, classes=["specheft-ins"])


def redline(segments: list[Segment]) -> list[nodes.Node]:
    """The segments as text and marked runs; the space before a run stays outside it."""
    result: list[nodes.Node] = []
    for op, text in segments:
        body = text.lstrip()
        space = text[: len(text) - len(body)]
        if op == "=":
            result.append(nodes.Text(text))
            continue
        if space:
            result.append(nodes.Text(space))
        result.append(deleted(body) if op == "-" else inserted(body))
    return result


def _html_visit(tag: str) -> Any:
    def visit(self: Any, node: nodes.Element) -> None:
        self.body.append(self.starttag(node, tag, ""))

    def depart(self: Any, node: nodes.Element) -> None:
        self.body.append(f"</{tag}>")

    return visit, depart


def _latex_visit(macro: str) -> Any:
    def visit(self: Any, node: nodes.Element) -> None:
        # one macro per word, escaped as Sphinx escapes any text (``%``, ``&``, ``_``, …)
        words = [f"\\{macro}{{{self.encode(word)}}}" for word in node.astext().split()]
        self.body.append(f"\\{macro}space{{}}".join(words))
        raise nodes.SkipNode

    return visit, None


def _text_visit(before: str, after: str) -> Any:
    def visit(self: Any, node: nodes.Element) -> None:
        self.add_text(before)

    def depart(self: Any, node: nodes.Element) -> None:
        self.add_text(after)

    return visit, depart


def setup(app: Sphinx) -> None:
    app.add_node(
        redline_deleted,
        html=_html_visit("del"),
        latex=_latex_visit("specheftdel"),
        text=_text_visit("[-", "-]"),
    )
    app.add_node(
        redline_inserted,
        html=_html_visit("ins"),
        latex=_latex_visit("specheftins"),
        text=_text_visit("{+", "+}"),
    )
