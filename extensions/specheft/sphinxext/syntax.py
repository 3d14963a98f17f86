"""Mistakes in an item's source that neither MyST nor sphinx-needs reports.

An option value wrapped onto a second line ends the option block: the rest of the
value, and every option after it, silently become body text — the requirement's
statement. Here each item's source is read back from its line on, and

* a body that starts indented (a wrapped option value) and
* a body line that looks like an option (``:tags: …``, now plain text)

are warnings at the exact line, as is an unknown option with the closest known one.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging as sphinx_logging

from ..errors import did_you_mean
from ..fsutil import source_lines
from ..model import FIELDS, LINKS

logger = sphinx_logging.getLogger(__name__)

_OPTION = re.compile(r"^\s*:(?P<name>[A-Za-z_][\w-]*):(\s|$)")
_FENCE_OPEN = re.compile(r"^\s*(?P<fence>:{3,}|`{3,})\{(?P<kind>[\w-]+)\}")


def options_of(kind: str) -> list[str]:
    """The options an item of ``kind`` accepts."""
    own = [f.name for f in FIELDS if kind in f.kinds] + [
        link.name for link in LINKS if kind in link.sources
    ]
    return ["id", "status", "tags", *own]


def _lines(app: Sphinx, docname: str, cache: dict[str, list[str]]) -> list[str]:
    if docname not in cache:
        try:
            cache[docname] = source_lines(
                Path(app.env.doc2path(docname)).read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError):
            cache[docname] = []
    return cache[docname]


def check_item_source(lines: list[str], start: int) -> list[tuple[int, str]]:
    """(line, message) for the item whose directive is on line ``start`` (1-based)."""
    if not 0 < start <= len(lines):
        return []
    opening = _FENCE_OPEN.match(lines[start - 1])
    if opening is None:
        return []
    fence = opening.group("fence")
    index = start  # 0-based index of the line after the directive line
    problems = []
    seen: dict[str, int] = {}
    while index < len(lines) and (option := _OPTION.match(lines[index])):
        name = option.group("name")
        if name in seen:
            problems.append(
                (
                    index + 1,
                    f"option :{name}: is given twice (first on line "
                    f"{seen[name]}); only one value is kept",
                )
            )
        seen.setdefault(name, index + 1)
        index += 1
    body_start = index
    if (
        body_start < len(lines)
        and lines[body_start].strip()
        and lines[body_start][0] in " \t"
        and body_start > start
    ):
        problems.append(
            (
                body_start + 1,
                "the body starts indented: is this the continuation "
                "of the option above? An option's value must stay on one line",
            )
        )
    for number in range(body_start, len(lines)):
        text = lines[number]
        if text.strip().startswith(fence[0] * len(fence)) and text.strip().strip(fence[0]) == "":
            break
        nested = _FENCE_OPEN.match(text)
        if nested and nested.group("fence") == fence:
            problems.append(
                (
                    start,
                    f"this item is not closed: the next item (line {number + 1}) "
                    f"starts inside its body; close it with {fence} before",
                )
            )
            break
        option = _OPTION.match(text)
        if option:
            problems.append(
                (
                    number + 1,
                    f"':{option.group('name')}:' is in the body, so it is "
                    "text, not a field: options must follow the directive line without "
                    "a blank or wrapped line in between",
                )
            )
    return problems


def _check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.nodes import Need

    needs = SphinxNeedsData(app.env).get_needs_mutable()
    cache: dict[str, list[str]] = {}
    for node in doctree.findall(Need):
        need = needs.get(node["ids"][0])
        docname, start = (need.get("docname"), need.get("lineno")) if need else (None, None)
        if need is None or not docname or not start:
            continue
        lines = _lines(app, docname, cache)
        for line, message in check_item_source(lines, start):
            logger.warning(
                f"{need['id']}: {message}",
                type="specheft",
                subtype="item-syntax",
                location=(need["docname"], line),
            )


_UNKNOWN = re.compile(r"^Unknown option '(?P<key>[^']+)'$")


class _UnknownOptionFilter(logging.Filter):
    """Adds the option's own line and the closest allowed option to sphinx-needs' message."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = _UNKNOWN.match(str(record.msg))
        location = getattr(record, "location", None)
        if match is None or not isinstance(location, str) or ":" not in location:
            return True
        path, _, line_text = location.rpartition(":")
        if not line_text.isdigit():
            return True
        try:
            lines = source_lines(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return True
        start = int(line_text)
        opening = _FENCE_OPEN.match(lines[start - 1]) if 0 < start <= len(lines) else None
        key = match.group("key")
        if opening is None:
            return True
        kind = opening.group("kind")
        allowed = options_of(kind)
        hint = did_you_mean(key, allowed)
        record.msg = (
            f"unknown option :{key}: on a {kind} item (ignored); allowed: "
            f"{', '.join(allowed)}" + (f" ({hint})" if hint else "")
        )
        record.args = ()
        for number in range(start, min(start + 60, len(lines))):
            if re.match(rf"^\s*:{re.escape(key)}:", lines[number]):
                record.location = f"{path}:{number + 1}"
                break
        return True


_TABBED_OPTION = re.compile(r"^\s*:(?P<name>[A-Za-z_][\w-]*):[ ]*\t")


def _check_tabs(app: Sphinx, docname: str, source: list[str]) -> None:
    """MyST rejects a tab between an option and its value with "expected key to start at
    column 0" and drops the whole directive; say what is wrong instead."""
    if "\t" not in source[0]:
        return  # the common case: no line to look at
    lines = source_lines(source[0])
    in_options = False
    for number, text in enumerate(lines, start=1):
        if _FENCE_OPEN.match(text):
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
        in_options = in_options and bool(_OPTION.match(text))


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
            raise SpecheftSourceError(
                f"{path}:{line}: not UTF-8 encoded (byte 0x{data[exc.start]:02x} in column "
                f"{column}); save the file as UTF-8"
            ) from None


class SpecheftSourceError(SphinxError):
    category = "Source error"


def setup(app: Sphinx) -> None:
    app.connect("env-before-read-docs", _check_encoding)
    app.connect("doctree-read", _check_doctree)
    app.connect("source-read", _check_tabs)
    unknown = _UnknownOptionFilter()
    need_logger = logging.getLogger("sphinx.sphinx_needs.directives.need")

    def install(app: Sphinx) -> None:
        need_logger.addFilter(unknown)

    def uninstall(app: Sphinx, exception: BaseException | None) -> None:
        need_logger.removeFilter(unknown)

    app.connect("builder-inited", install)
    app.connect("build-finished", uninstall, priority=999)
