"""Mistakes in an item's source that neither MyST nor sphinx-needs reports.

An option value wrapped onto a second line ends the option block: the rest of the
value, and every option after it, silently become body text — the requirement's
statement. Here each item's source is read back from its line on, and

* a body that starts right after the options (a wrapped option value, indented or
  not, or a statement without the blank line before it),
* a body line that looks like an option (``:tags: …``, now plain text),
* an item directive inside the body (a nested item, or a missing ``:::``), and
* an item not closed before the end of the file (its body swallowed what followed)

are warnings at the exact line, as is an unknown option with the closest known one.
Before MyST reads a page, :func:`scan_source` reports control characters, turns the
line breaks only Python knows (vertical tab, U+2028) into spaces, reads German words
of enumerated values as the value, and notes item directives inside code blocks (rule
``lint-fenced-item``). Lists and quotes nested deeper than markdown-it reads are
reported where it stopped (:func:`_report_too_deep`).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from specheft.errors import InputError, Location
from specheft.fsutil import source_lines
from specheft.model import FIELDS, GERMAN_VALUES, KINDS, LINKS
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.needs.data import Need, needs_read, needs_view
from specheft.sphinxext.needs.priorities import AFTER_NEEDS
from specheft.trace.rules import rule_options
from specheft.trace.sourcelines import SourceLines, option_line

logger = sphinx_logging.getLogger(__name__)

_OPTION = re.compile(r"^\s*:(?P<name>[A-Za-z_][\w-]*):(\s|$)")
_FENCE_OPEN = re.compile(r"^\s*(?P<fence>:{3,}|`{3,})\{(?P<kind>[\w-]+)\}")
_ANY_FENCE = re.compile(r"^\s*(?P<fence>:{3,}|`{3,}|~{3,})\s*(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_ID_OPTION = re.compile(r"^\s*:id:\s*(?P<id>\S+)")
ITEM_KINDS = frozenset(str(k.kind) for k in KINDS)
#: Directives whose body is code, not Markdown.
_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
#: Characters that ``str.splitlines`` (so MyST's option parser) ends a line at, but
#: CommonMark does not: inside an option value they cut the option block.
_LINE_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
#: Other control characters: never text (a damaged file, binary data, a terminal code).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")
_CHARACTER_NAMES = {
    "\v": "a vertical tab (U+000B, Word's Shift+Enter)",
    "\f": "a form feed (U+000C)",
    "\x85": "a next-line character (U+0085)",
    "\u2028": "a line separator (U+2028)",
    "\u2029": "a paragraph separator (U+2029)",
    "\x00": "a NUL byte (U+0000)",
}
_SEPARATOR = re.compile(r"(\r\n|\r|\n)")


def _character(char: str) -> str:
    return _CHARACTER_NAMES.get(char, f"a control character (U+{ord(char):04X})")


def _canonical_values() -> dict[str, dict[str, str]]:
    """Field → {German word, case-folded: the value}."""
    return {
        name: {k.casefold(): v for k, v in words.items()} for name, words in GERMAN_VALUES.items()
    }


_CANONICAL = _canonical_values()
_GERMAN_OPTION = re.compile(
    r"^\s*:(?P<name>" + "|".join(_CANONICAL) + r"):[ ]+(?P<value>\S.*?)\s*$",
    re.MULTILINE,
)


@dataclass
class SourceScan:
    """What :func:`scan_source` found in a page, and its text as MyST should read it."""

    text: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    fenced: list[tuple[int, str, str | None]] = field(default_factory=list)
    """(line, kind, id) of each item directive inside a code block."""


def _needs_scan(text: str, german: bool) -> bool:
    """A cheap test first: most pages have none of what the scan looks for."""
    return bool(
        _LINE_BREAKS.search(text)
        or _CONTROLS.search(text)
        or ("```" in text or "~~~" in text)
        or (german and any(_rewritten(m) for m in _GERMAN_OPTION.finditer(text)))
    )


def _rewritten(option: re.Match[str]) -> str | None:
    """The canonical value for a German word (or other spelling) of an option's value."""
    value = option.group("value")
    canonical = _CANONICAL[option.group("name")].get(value.casefold())
    return canonical if canonical and canonical != value else None


def scan_source(text: str, *, german: bool = False) -> SourceScan:
    """Read a Markdown page line by line (lines end at CR/LF only, as MyST counts them).

    * control characters are reported at their line; the line breaks that only
      ``str.splitlines`` knows (vertical tab, U+2028 …) become spaces, so that an option
      value keeps its options after it (and every later line its number), and are
      reported where they stood in an option value;
    * in a German project, German words for the values of enumerated options are
      written as the value (``:priority: Muss`` is read as ``must``);
    * item directives inside code blocks are collected: they are no items.
    """
    parts = _SEPARATOR.split(text)
    scan = SourceScan(text)
    stack: list[tuple[str, int, bool]] = []  # open fences: (character, length, is code)
    options_of_item: str | None = None  # the kind whose option block we are in
    item_id: str | None = None
    changed = False
    # per line only what the page can hold at all (a page is read on every change)
    controls = _CONTROLS.search(text) is not None
    line_breaks = _LINE_BREAKS.search(text) is not None
    for index in range(0, len(parts), 2):
        number = index // 2 + 1
        line = parts[index]
        fence_like = line.lstrip()[:1] in (":", "`", "~")
        in_code = bool(stack and stack[-1][2])
        opening = None if in_code or not fence_like else _FENCE_OPEN.match(line)
        if opening and opening.group("kind") in ITEM_KINDS:
            options_of_item, item_id = None, None
            for later in range(index + 2, min(len(parts), index + 122), 2):
                if not _OPTION.match(parts[later]):
                    break
                if m := _ID_OPTION.match(parts[later]):
                    item_id = m.group("id")
        option = _OPTION.match(line) if options_of_item else None
        if options_of_item and option is None:
            options_of_item = None
        if controls and (control := _CONTROLS.search(line)):
            who = f"{item_id}: " if item_id and (option or opening) else ""
            scan.problems.append(
                (
                    number,
                    f"{who}{_character(control.group())} in column {control.start() + 1}: not "
                    "text (a damaged file, or pasted binary data); remove it",
                )
            )
        if line_breaks and (breaks := _LINE_BREAKS.search(line)):
            if option is not None:
                who = f"{item_id}: " if item_id else ""
                scan.problems.append(
                    (
                        number,
                        f"{who}{_character(breaks.group())} in the value of "
                        f":{option.group('name')}: (column {breaks.start() + 1}); it is read as "
                        "a space here, but ends the option block in other Markdown tools: "
                        "replace it with a space",
                    )
                )
            line = _LINE_BREAKS.sub(" ", line)
            changed = True
        if option is not None and german and option.group("name") in _CANONICAL:
            german_option = _GERMAN_OPTION.match(line)
            if german_option and (canonical := _rewritten(german_option)):
                start, end = german_option.span("value")
                line = line[:start] + canonical + line[end:]
                changed = True
        parts[index] = line
        fence = _ANY_FENCE.match(line) if fence_like else None
        if stack and stack[-1][2]:  # inside a code block
            top_char, top_length, _ = stack[-1]
            if fence and fence.group("fence")[0] == top_char and not fence.group("info"):
                if len(fence.group("fence")) >= top_length:
                    stack.pop()
            elif (
                fence_like
                and (opening := _FENCE_OPEN.match(line))
                and opening.group("kind") in ITEM_KINDS
            ):
                found = None
                for later in range(index + 2, min(len(parts), index + 122), 2):
                    if m := _ID_OPTION.match(parts[later]):
                        found = m.group("id")
                    if found or not _OPTION.match(parts[later]):
                        break
                scan.fenced.append((number, opening.group("kind"), found))
            continue
        if fence is None:
            continue
        char, length, info = fence.group("fence")[0], len(fence.group("fence")), fence.group("info")
        if not info:
            if stack and stack[-1][0] == char and length >= stack[-1][1]:
                stack.pop()
            elif char != ":":
                stack.append((char, length, True))  # a code block without a language
            continue
        directive = re.match(r"\{(?P<name>[\w:-]+)\}", info)
        if directive is None:
            if char != ":":
                stack.append((char, length, True))  # ```python
            continue
        name = directive.group("name")
        stack.append((char, length, char != ":" and name in _CODE_DIRECTIVES))
        if name in ITEM_KINDS:
            options_of_item = name
    if changed:
        scan.text = "".join(parts)
    return scan


def options_of(kind: str) -> list[str]:
    """The options an item of ``kind`` accepts."""
    own = [f.name for f in FIELDS if kind in f.kinds] + [
        link.name for link in LINKS if kind in link.sources
    ]
    return ["id", "status", "tags", *own]


def _closes(text: str, fence: str) -> bool:
    """Whether ``text`` is a closing fence for ``fence`` (same character, as long or longer)."""
    stripped = text.strip()
    return stripped.startswith(fence) and stripped.strip(fence[0]) == ""


def _item_id(lines: list[str], start: int) -> str | None:
    """The :id: of the item whose directive is on line ``start`` (1-based)."""
    found = option_line(lines, start, "id")
    m = _ID_OPTION.match(lines[found - 1]) if found else None
    return m.group("id") if m else None


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
    first = lines[body_start] if body_start < len(lines) else ""
    if body_start > start and first.strip() and not _closes(first, fence):
        last = _OPTION.match(lines[body_start - 1])
        name = last.group("name") if last else "?"
        if first[0] in " \t":
            problems.append(
                (
                    body_start + 1,
                    "the body starts indented: is this the continuation "
                    "of the option above? An option's value must stay on one line",
                )
            )
        elif not _FENCE_OPEN.match(first):
            problems.append(
                (
                    body_start + 1,
                    f"this line follows the options directly, so it is read as the start "
                    f"of the statement: if it continues :{name}:, join it to that line (an "
                    "option's value must stay on one line); if it starts the statement, "
                    "leave a blank line before it",
                )
            )
    heading = None
    code: tuple[str, int] | None = None  # an open code block in the body
    for number in range(body_start, len(lines)):
        text = lines[number]
        any_fence = _ANY_FENCE.match(text)
        if code is not None:
            if any_fence and _closes(text, code[0] * code[1]):
                code = None
            continue
        if _closes(text, fence):
            break
        nested = _FENCE_OPEN.match(text)
        if nested and nested.group("kind") in ITEM_KINDS:
            inner = _item_id(lines, number + 1)
            named = f"the item {inner}" if inner else f"a {nested.group('kind')} item"
            if nested.group("fence") == fence:
                problems.append(
                    (
                        start,
                        f"this item is not closed: {named} (line {number + 1}) starts inside "
                        f"its body; close this item with {fence} before line {number + 1}",
                    )
                )
            else:
                problems.append(
                    (
                        number + 1,
                        f"{named} starts inside the body of this item: items cannot be "
                        f"nested; close this item with {fence} before line {number + 1}, or "
                        "move the inner item out",
                    )
                )
            return problems  # the rest belongs to the inner item, which is checked itself
        if any_fence and any_fence.group("fence")[0] in "`~" and not nested:
            info = any_fence.group("info")
            directive = re.match(r"\{(?P<name>[\w:-]+)\}", info)
            if directive is None or directive.group("name") in _CODE_DIRECTIVES:
                code = (any_fence.group("fence")[0], len(any_fence.group("fence")))
                continue
        if heading is None and _HEADING.match(text):
            heading = number + 1
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
    else:
        if code is None:  # an unclosed code block reports itself in MyST's way
            swallowed = f", the heading on line {heading} included" if heading else ""
            problems.append(
                (
                    start,
                    f"this item is not closed: no {fence} ends it, so everything to the end "
                    f"of the file (line {len(lines)}) is its body{swallowed}; close it with "
                    f"{fence} after its statement",
                )
            )
    return problems


def _check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    needs = needs_read(app.env)
    sources = SourceLines()
    for node in doctree.findall(Need):
        need = needs.get(node["ids"][0])
        docname, start = (need.get("docname"), need.get("lineno")) if need else (None, None)
        if need is None or not docname or not start:
            continue
        lines = sources.lines(Path(app.env.doc2path(docname)))
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


def _read_source(app: Sphinx, docname: str, source: list[str]) -> None:
    scan = _scan(app, source)
    if scan is not None:
        for line, message in scan.problems:
            logger.warning(
                message, type="specheft", subtype="item-syntax", location=(docname, line)
            )
        if scan.fenced:
            _fenced_store(app.env)[docname] = scan.fenced


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
    if not _needs_scan(source[0], german):
        return None
    scan = scan_source(source[0], german=german)
    source[0] = scan.text
    return scan


def _fenced_store(env: Any) -> dict[str, list[tuple[int, str, str | None]]]:
    """docname → the item directives inside its code blocks (kept with the environment,
    so that a cached check knows them without reading the page)."""
    store = getattr(env, "specheft_fenced_items", None)
    if store is None:
        store = env.specheft_fenced_items = {}
    return store


def fenced_items(env: Any, root: Path) -> list[tuple[str, int, str, str | None]]:
    """The item directives inside code blocks: (path relative to ``root``, line, kind, id),
    for the rule ``lint-fenced-item``."""
    found = []
    for docname, entries in sorted(_fenced_store(env).items()):
        path = Path(env.doc2path(docname))
        with contextlib.suppress(ValueError):
            path = path.resolve().relative_to(root.resolve())
        found += [(path.as_posix(), line, kind, item_id) for line, kind, item_id in entries]
    return found


def _fenced_level(app: Sphinx) -> str:
    from specheft.trace.rules import all_rules

    default = all_rules()["lint-fenced-item"].default
    configured = rule_options(settings_of(app)).levels.get("lint-fenced-item")
    return (configured.over(default) if configured else default).for_priority(None)


def _report_fenced(app: Sphinx, builder: Any) -> None:
    """A build reports rule errors only (``specheft check`` reports every level): the
    fenced items, when ``lint-fenced-item`` is configured as an error."""
    if not app.config.specheft_check_on_build or _fenced_level(app) != "error":
        return
    needs = needs_view(app.env)
    for docname, entries in sorted(_fenced_store(app.env).items()):
        for line, kind, item_id in entries:
            if item_id is not None and item_id in needs:
                continue  # an example of an item that exists
            logger.warning(
                f"{item_id + ': ' if item_id else ''}this {kind} directive is inside "
                "a code block, so it is shown as code and is no item",
                type="specheft",
                subtype="lint-fenced-item",
                location=(docname, line),
            )


def _purge_fenced(app: Sphinx, env: Any, docname: str) -> None:
    _fenced_store(env).pop(docname, None)


def _merge_fenced(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    theirs = _fenced_store(other)
    _fenced_store(env).update({d: theirs[d] for d in docnames if d in theirs})


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


_TOO_DEEP = "specheft_too_deep"


def _report_too_deep(md: Any) -> None:
    """markdown-it stops reading a block nested deeper than its ``maxNesting`` (20 levels:
    a list nested ten deep) and skips the rest of that block, and with it all that
    follows on the page, a requirement included, without a word. A marker token is left
    where reading stopped, and rendering it reports the line."""
    original = md.block.tokenize

    def tokenize(state: Any, start: int, end: int) -> None:
        if state.level >= state.md.options.maxNesting:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                token = state.push(_TOO_DEEP, "", 0)
                token.map = [line, line + 1]
        original(state, start, end)

    def render(renderer: Any, token: Any) -> None:
        line = token.map[0] if token.map else None  # MyST made the map 1-based
        logger.warning(
            "lists or quotes nested this deep are not read: this line and all after it in "
            "the same block are left out (at the top level: the rest of the page, its items "
            "included); nest lists at most 9 levels deep",
            type="specheft",
            subtype="item-syntax",
            location=(renderer.sphinx_env.docname, line),
        )

    md.block.tokenize = tokenize
    # MyST's renderer looks its rules up as "render_<token type>"
    md.add_render_rule(f"render_{_TOO_DEEP}", render, fmt="docutils")


_PARSER_PATCHED: list[bool] = []


def _patch_parser() -> None:
    """Every MyST parser Sphinx makes reports content it drops for nesting depth."""
    if _PARSER_PATCHED:
        return
    from myst_parser.parsers import sphinx_

    create = sphinx_.create_md_parser  # type: ignore[attr-defined]

    def create_md_parser(config: Any, renderer: Any) -> Any:
        md = create(config, renderer)
        _report_too_deep(md)
        return md

    sphinx_.create_md_parser = create_md_parser  # type: ignore[attr-defined]
    _PARSER_PATCHED.append(True)


def setup(app: Sphinx) -> None:
    _patch_parser()
    app.connect("env-before-read-docs", _check_encoding)
    app.connect("doctree-read", _check_doctree)
    app.connect("source-read", _check_tabs)
    # after the tab check, which must see the page as written
    app.connect("source-read", _read_source, priority=AFTER_NEEDS)
    app.connect("include-read", _read_include)
    app.connect("env-purge-doc", _purge_fenced)
    app.connect("env-merge-info", _merge_fenced)
    # after sphinx-needs has post-processed the needs at write-started (priority 500)
    app.connect("write-started", _report_fenced, priority=AFTER_NEEDS)
