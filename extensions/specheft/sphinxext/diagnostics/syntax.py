"""Mistakes in an item's source that neither MyST nor sphinx-needs reports: the Sphinx hooks.

Before MyST reads a page, :func:`.source_scan.scan_source` reports control characters,
turns the line breaks only Python knows (vertical tab, U+2028) into spaces, reads German
words of enumerated values as the value, and notes item directives inside code blocks
(:mod:`.fenced`, rule ``lint-fenced-item``). After reading, each item's source is read
back from its line on (:func:`.item_source.check_item_source`): a wrapped option value,
an option in the body, a nested or unclosed item are warnings at the exact line. A tab
after an option, a page that is not UTF-8 and lists nested deeper than markdown-it reads
(:mod:`.nesting`) are reported too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from specheft.errors import InputError, Location
from specheft.fsutil import source_lines
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.diagnostics.fenced import (
    fenced_items,
    fenced_store,
    report_fenced,
)
from specheft.sphinxext.diagnostics.item_source import check_item_source, options_of
from specheft.sphinxext.diagnostics.markup import FENCE_OPEN, OPTION
from specheft.sphinxext.diagnostics.nesting import patch_parser
from specheft.sphinxext.diagnostics.source_scan import SourceScan, needs_scan, scan_source
from specheft.sphinxext.needs.data import Need, needs_read
from specheft.sphinxext.needs.priorities import AFTER_NEEDS
from specheft.trace.sourcelines import SourceLines

# what other modules and the tests import from here
__all__ = ["check_item_source", "fenced_items", "options_of", "scan_source", "setup"]

logger = sphinx_logging.getLogger(__name__)


def _check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    needs = needs_read(app.env)
    sources = SourceLines()
    # each page's lines looked up once, not per item (the path costs as much as the check)
    pages: dict[str, list[str]] = {}
    for node in doctree.findall(Need):
        need = needs.get(node["ids"][0])
        docname, start = (need.get("docname"), need.get("lineno")) if need else (None, None)
        if need is None or not docname or not start:
            continue
        lines = pages.get(docname)
        if lines is None:
            lines = pages[docname] = sources.lines(Path(app.env.doc2path(docname)))
        for line, message in check_item_source(lines, start):
            logger.warning(
                f"{need['id']}: {message}",
                type="specheft",
                subtype="item-syntax",
                location=(need["docname"], line),
            )


_TABBED_OPTION = re.compile(r"^\s*:(?P<name>[A-Za-z_][\w-]*):[ ]*\t")


def _check_tabs(app: Sphinx, docname: str, source: list[str]) -> None:
    """MyST rejects a tab between an option and its value with "expected key to start at
    column 0" and drops the whole directive; say what is wrong instead."""
    if "\t" not in source[0]:
        return  # the common case: no line to look at
    lines = source_lines(source[0])
    in_options = False
    for number, text in enumerate(lines, start=1):
        if FENCE_OPEN.match(text):
            in_options = True
            continue
        if in_options and (tabbed := _TABBED_OPTION.match(text)):
            logger.warning(
                f"a tab separates :{tabbed.group('name')}: from its value; use a space "
                "(MyST rejects the option block, so the directive is dropped)",
                type="specheft",
                subtype="item-syntax",
                location=(docname, number),
            )
        in_options = in_options and bool(OPTION.match(text))


def _read_source(app: Sphinx, docname: str, source: list[str]) -> None:
    scan = _scan(app, source)
    if scan is not None:
        for line, message in scan.problems:
            logger.warning(
                message, type="specheft", subtype="item-syntax", location=(docname, line)
            )
        if scan.fenced:
            fenced_store(app.env)[docname] = scan.fenced


def _read_include(app: Sphinx, path: Path, docname: str, source: list[str]) -> None:
    scan = _scan(app, source)
    if scan is not None:
        full = Path(app.srcdir) / path
        for line, message in scan.problems:
            logger.warning(
                message, type="specheft", subtype="item-syntax", location=f"{full}:{line}"
            )


def _scan(app: Sphinx, source: list[str]) -> SourceScan | None:

    german = settings_of(app).language == "de"
    if not needs_scan(source[0], german):
        return None
    scan = scan_source(source[0], german=german)
    source[0] = scan.text
    return scan


def _check_encoding(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Sphinx stops with a traceback on a source that is not UTF-8; say where instead."""
    for docname in docnames:
        path = Path(env.doc2path(docname))
        try:
            data = path.read_bytes()
        except OSError:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            column = exc.start - data.rfind(b"\n", 0, exc.start)
            # bad input, not a failed build: exit 2 (the runner re-raises it from Sphinx's
            # wrapper), located relative to the project like every other message
            root = Path(app.srcdir).parent
            shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path
            raise InputError(
                f"not UTF-8 encoded (byte 0x{data[exc.start]:02x} in column {column})",
                location=Location(str(shown), line),
                hint="save the file as UTF-8 (in most editors: 'Save with encoding')",
            ) from None


def setup(app: Sphinx) -> None:
    patch_parser()
    app.connect("env-before-read-docs", _check_encoding)
    app.connect("doctree-read", _check_doctree)
    app.connect("source-read", _check_tabs)
    # after the tab check, which must see the page as written
    app.connect("source-read", _read_source, priority=AFTER_NEEDS)
    app.connect("include-read", _read_include)
    # after sphinx-needs has post-processed the needs at write-started (priority 500)
    app.connect("write-started", report_fenced, priority=AFTER_NEEDS)
