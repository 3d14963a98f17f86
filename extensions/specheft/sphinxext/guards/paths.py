"""Paths in the sources never leave the project.

A page from another party (a vendor's chapter, an imported requirement) could otherwise
pull any file of the build machine into the site or the PDF: ``{include}``,
``{literalinclude}`` (and its ``:diff:``), ``{csv-table}`` with ``:file:`` (Sphinx still
reads an absolute path that exists), images and figures (Sphinx copies the file into the
output), ``{download}`` and sphinx-needs' ``{needimport}``. Every such path is resolved as
Sphinx resolves it, symlinks followed, and refused with a warning at its line when it
lies outside the project (the folder holding ``spec/`` and ``conf/``). Addresses on the
network (``{csv-table}`` ``:url:``, a ``{needimport}`` URL) are refused too: a build
does not fetch anything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralInclude
from sphinx.directives.patches import CSVTable
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from specheft.fsutil import source_lines
from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.needs.data import needimport_directive
from specheft.sphinxext.needs.priorities import EARLY

_logger = logging.getLogger(__name__)


def _note_root(app: Sphinx) -> None:
    # set anew for every build (the environment may come from another place on disk)
    root = Path(os.path.commonpath([app.srcdir, app.confdir])).resolve()
    specheft_domain(app.env).project_root = root


def project_root(env: BuildEnvironment) -> Path:
    """The folder that holds the sources and the configuration."""
    root = specheft_domain(env).project_root
    return root if root is not None else Path(env.srcdir).resolve()


def outside(env: BuildEnvironment, path: Path) -> bool:
    """True if ``path`` (absolute) resolves to a place outside the project."""
    root = project_root(env)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: not ours
        return True
    return resolved != root and root not in resolved.parents


def _refusal(kind: str, given: str) -> str:
    return (
        f"{kind} {given!r} points outside the project and is not read; keep included "
        "files inside the project folder"
    )


def _is_remote(uri: str) -> bool:
    return "://" in uri or uri.startswith(("data:", "mailto:"))


# (the path as written, the file it names — or None for an address on the network)
Target = tuple[str, Path | None]


def _literalinclude_targets(directive: Any, env: BuildEnvironment) -> list[Target]:
    given = [directive.arguments[0]]
    if "diff" in directive.options:
        given.append(directive.options["diff"])
    return [(path, Path(env.relfn2path(path)[1])) for path in given]


def _csv_targets(directive: Any, env: BuildEnvironment) -> list[Target]:
    if "url" in directive.options:
        return [(directive.options["url"], None)]
    given = directive.options.get("file")
    if not given:
        return []
    if given.startswith(("/", os.sep)):
        # Sphinx reads an existing absolute path as it is, any other from the sources
        return [(given, Path(given) if Path(given).exists() else Path(env.srcdir) / given[1:])]
    source = directive.state.document.current_source or str(env.doc2path(env.docname))
    return [(given, Path(os.path.dirname(os.path.abspath(source))) / given)]


def _needimport_targets(directive: Any, env: BuildEnvironment) -> list[Target]:
    given = directive.arguments[0]
    url = urlparse(given)
    if url.scheme and (url.netloc or url.scheme == "file"):
        return [(given, None)]  # sphinx-needs would download it
    return [(given, Path(env.relfn2path(given, env.docname)[1]))]


Targets = Callable[[Any, BuildEnvironment], list[Target]]


def _guarded(directive: type[Any], targets: Targets, kind: str) -> type[Any]:
    """``directive`` that first checks the files it would read."""

    class Guarded(directive):  # type: ignore[misc]
        def run(self) -> list[nodes.Node]:
            env = self.state.document.settings.env
            for given, target in targets(self, env):
                if target is None:
                    message = (
                        f"{kind} {given!r} is not fetched: a build does not read from the "
                        "network; put the file into the project"
                    )
                elif outside(env, target):
                    message = _refusal(kind, given)
                else:
                    continue
                return [self.state.document.reporter.warning(message, line=self.lineno)]
            result: list[nodes.Node] = super().run()
            return result

    Guarded.__name__ = directive.__name__
    Guarded.__qualname__ = directive.__qualname__
    return Guarded


_INCLUDE = re.compile(r"(?:\{include\}|\.\.\s+include::)\s*(\S+)")


def _include_read(
    app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]
) -> None:
    env = app.env
    target = Path(env.srcdir) / relative_path
    if not outside(env, target):
        return
    content[0] = ""  # nothing of the file reaches the page
    line, given = _include_line(env, target)
    _logger.warning(
        _refusal("include", given or str(relative_path)),
        location=(env.docname, line) if line else env.docname,
        type="specheft",
        subtype="path",
    )


def _include_line(env: BuildEnvironment, target: Path) -> tuple[int | None, str | None]:
    """The line of the page's include directive that names ``target``, and its argument.

    The include-read event tells only the file; each refused include claims the first
    line not claimed yet whose argument resolves to that file.
    """
    claimed: set[int] = env.current_document.setdefault("specheft_refused_includes", set())  # type: ignore[assignment]
    try:
        lines = source_lines(env.doc2path(env.docname).read_text(encoding="utf-8"))
        wanted = target.resolve()
    except (OSError, RuntimeError, ValueError):
        return None, None
    for number, text in enumerate(lines, start=1):
        match = _INCLUDE.search(text)
        if match is None or number in claimed:
            continue
        try:
            candidate = Path(env.relfn2path(match.group(1))[1]).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if candidate == wanted:
            claimed.add(number)
            return number, match.group(1)
    return None, None


# what Sphinx copies into the output, by node: (attribute naming the file, word for it)
_COPIED: dict[type[nodes.Element], tuple[str, str]] = {
    nodes.image: ("uri", "image"),
    addnodes.download_reference: ("reftarget", "download"),
}


def _check_files(app: Sphinx, doctree: nodes.document) -> None:
    """Images (Markdown ``![]()``, image, figure) and downloads, before Sphinx copies them."""
    env = app.env
    for kind, (attribute, word) in _COPIED.items():
        for node in list(doctree.findall(kind)):
            uri = node.get(attribute, "")
            if not uri or _is_remote(uri) or (kind is nodes.image and "*" in uri):
                continue  # an image "name.*" is Sphinx's choice among candidates
            if outside(env, Path(env.relfn2path(uri, env.docname)[1])):
                _logger.warning(_refusal(word, uri), location=node, type="specheft", subtype="path")
                text = node.get("alt", "") if isinstance(node, nodes.image) else node.astext()
                node.replace_self(nodes.inline("", text))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _note_root)
    app.add_directive(
        "literalinclude",
        _guarded(LiteralInclude, _literalinclude_targets, "literalinclude"),
        override=True,
    )
    app.add_directive("csv-table", _guarded(CSVTable, _csv_targets, "csv-table"), override=True)
    guarded_import = _guarded(needimport_directive(), _needimport_targets, "needimport")
    app.add_directive("needimport", guarded_import, override=True)
    app.connect("include-read", _include_read)
    # before Sphinx's image and download collectors (priority 500) copy anything
    app.connect("doctree-read", _check_files, priority=EARLY)
