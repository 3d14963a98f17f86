"""furo's navigation sidebar, computed once per folder instead of once per page.

furo builds the sidebar of every page from Sphinx's whole toctree: Sphinx copies and
resolves the global tree for the page, renders it to HTML, and furo re-parses that with
BeautifulSoup to add its checkboxes — work in proportion to the number of pages, for
every page (7.5 % of an N=3000 build, ~20 % at N=10000). Yet two pages of one folder
get the same sidebar except for the marks of the page itself: its link (``current``,
``href="#"``), the ``current`` class of the list items and lists above it, the
``checked`` checkbox of those items, and furo's ``current-page`` on the innermost one.

So the sidebar is computed once per folder by Sphinx and furo themselves, for a page of
that folder that is in no toctree (nothing marked), and each page gets that text with
its own marks set. A page whose marks are not that simple — it is linked more than once
or with an anchor, or its link is not found — gets furo's own computation.
``tests/test_fullbuild_speed.py`` compares the result with furo's for every page.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment.adapters.toctree import global_toctree_for_doc

#: the context key by which the handler hands furo a page's precomputed sidebar
_KEY = "_specheft_navigation_tree"
_ORIGINAL = "_specheft_original"

_TAG = re.compile(r"<(/?)(ul|li|a|input)\b([^>]*)>")
_HREF = re.compile(r'\bhref="([^"]*)"')


@dataclass
class _Link:
    href: str
    a_start: int  # offsets of the tags in the folder's text
    a_end: int
    ancestors: list[tuple[str, int, int]]  # (tag, start, end) of the enclosing ul and li


@dataclass
class _Folder:
    text: str
    links: dict[str, list[_Link]] = field(default_factory=dict)
    checkbox: dict[int, tuple[int, int]] = field(default_factory=dict)  # li start → input


def _scan(text: str) -> _Folder:
    folder = _Folder(text)
    stack: list[tuple[str, int, int]] = []
    for match in _TAG.finditer(text):
        closing, tag = match.group(1), match.group(2)
        if tag in ("ul", "li"):
            if closing:
                stack.pop()
            else:
                stack.append((tag, match.start(), match.end()))
        elif tag == "a" and not closing:
            href = _HREF.search(match.group(3))
            if href:
                link = _Link(href.group(1), match.start(), match.end(), list(stack))
                folder.links.setdefault(href.group(1), []).append(link)
        elif tag == "input" and stack and stack[-1][0] == "li":
            folder.checkbox.setdefault(stack[-1][1], (match.start(), match.end()))
    return folder


def _marked(folder: _Folder, href: str) -> str | None:
    """The folder's sidebar with the page at ``href`` marked as furo marks it; None when
    the page's marks are not the simple case."""
    found = folder.links.get(href, [])
    if any(other.startswith(href + "#") for other in folder.links):
        return None
    if not found:  # in no toctree: nothing to mark
        return folder.text
    if len(found) > 1:
        return None
    link = found[0]
    text = folder.text
    anchor = text[link.a_start : link.a_end]
    if anchor != f'<a class="reference internal" href="{href}">':
        return None
    edits: list[tuple[int, int, str]] = [
        (link.a_start, link.a_end, '<a class="current reference internal" href="#">')
    ]
    innermost = True
    for tag, start, end in reversed(link.ancestors):
        opening = text[start:end]
        if tag == "ul":
            if opening != "<ul>":
                return None
            edits.append((start, end, '<ul class="current">'))
            continue
        classes = re.fullmatch(r'<li class="(toctree-l\d+)((?: has-children)?)">', opening)
        if classes is None:
            return None
        page = " current-page" if innermost else ""
        innermost = False
        edits.append((start, end, f'<li class="{classes[1]} current{classes[2]}{page}">'))
        if classes[2]:
            box = folder.checkbox.get(start)
            if box is None:
                return None
            checkbox = text[box[0] : box[1]]
            if ' class="toctree-checkbox"' not in checkbox or "checked" in checkbox:
                return None
            edits.append((box[0], box[1], checkbox.replace(' class="', ' checked="" class="', 1)))
    pieces: list[str] = []
    position = 0
    for start, end, replacement in sorted(edits):
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


class Navigation:
    """The sidebars of one build's pages, one computation per folder."""

    def __init__(self, app: Sphinx) -> None:
        self.app = app
        self.folders: dict[str, _Folder | None] = {}

    def folder(self, directory: str) -> _Folder | None:
        if directory not in self.folders:
            builder = self.app.builder
            assert isinstance(builder, StandaloneHTMLBuilder)
            # a page of that folder in no toctree: Sphinx marks nothing as current
            nowhere = posixpath.join(directory, "\x00specheft-navigation")
            toctree = global_toctree_for_doc(
                self.app.env,
                nowhere,
                builder,
                tags=builder.tags,
                collapse=False,
                titles_only=True,
                maxdepth=-1,
                includehidden=True,
            )
            if toctree is None:
                self.folders[directory] = None
            else:
                html = builder.render_partial(toctree)["fragment"]
                self.folders[directory] = _scan(_furo().get_navigation_tree(html))
        return self.folders[directory]

    def page(self, pagename: str) -> str | None:
        folder = self.folder(posixpath.dirname(pagename))
        if folder is None:
            return None
        builder = self.app.builder
        href = builder.get_relative_uri(posixpath.join(posixpath.dirname(pagename), "x"), pagename)
        return _marked(folder, href)


def _compute_navigation_tree(context: dict[str, Any]) -> str:
    precomputed = context.pop(_KEY, None)
    if precomputed is not None:
        return str(precomputed)
    original = getattr(_compute_navigation_tree, _ORIGINAL)
    return str(original(context))


def _furo() -> Any:
    """furo, its sidebar function replaced by :func:`_compute_navigation_tree`. Imported
    only for an HTML build with furo: ``check`` never needs it, and furo's import (bs4,
    soupsieve) was 4 % of a ``check --fresh``."""
    import furo  # type: ignore[import-untyped]

    if not hasattr(furo._compute_navigation_tree, _ORIGINAL):
        setattr(_compute_navigation_tree, _ORIGINAL, furo._compute_navigation_tree)
        furo._compute_navigation_tree = _compute_navigation_tree
    return furo


def _prepare(app: Sphinx, *args: Any) -> None:
    builder = app.builder
    if type(builder) is StandaloneHTMLBuilder and app.config.html_theme == "furo":
        _furo()  # before the first page's context asks furo for the sidebar
        builder._specheft_navigation = Navigation(app)  # type: ignore[attr-defined]
    else:
        builder._specheft_navigation = None  # type: ignore[attr-defined]


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    navigation = getattr(app.builder, "_specheft_navigation", None)
    if navigation is None or "toctree" not in context:
        return
    text = navigation.page(pagename)
    if text is not None:
        context[_KEY] = text


def setup(app: Sphinx) -> None:
    app.connect("write-started", _prepare)
    # before furo's own handler (default priority), which computes the sidebar
    app.connect("html-page-context", _page_context, priority=400)
