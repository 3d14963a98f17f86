"""The source of one item read back after MyST (pure: no Sphinx import).

An option value wrapped onto a second line ends the option block: the rest of the
value, and every option after it, silently become body text. :func:`check_item_source`
finds a body that starts right after the options, a body line that looks like an
option, an item directive inside the body, an item not closed before the end of the file
and an option given twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from specheft.config.fields import CustomField
from specheft.model import FIELDS, LINKS
from specheft.sphinxext.diagnostics.markup import (
    ANY_FENCE,
    CODE_DIRECTIVES,
    FENCE_OPEN,
    HEADING,
    ID_OPTION,
    ITEM_KINDS,
    OPTION,
)
from specheft.trace.sourcelines import option_line


def options_of(kind: str, custom: Iterable[CustomField] = ()) -> list[str]:
    """The options an item of ``kind`` accepts; ``custom``: the project's own fields."""
    own = [f.name for f in FIELDS if kind in f.kinds] + [
        link.name for link in LINKS if kind in link.sources
    ]
    return ["id", "status", "tags", *own, *(c.name for c in custom if kind in c.kinds)]


def _closes(text: str, fence: str) -> bool:
    """Whether ``text`` is a closing fence for ``fence`` (same character, as long or longer)."""
    stripped = text.strip()
    return stripped.startswith(fence) and stripped.strip(fence[0]) == ""


def _item_id(lines: list[str], start: int) -> str | None:
    """The :id: of the item whose directive is on line ``start`` (1-based)."""
    found = option_line(lines, start, "id")
    m = ID_OPTION.match(lines[found - 1]) if found else None
    return m.group("id") if m else None


def check_item_source(lines: list[str], start: int) -> list[tuple[int, str]]:
    """(line, message) for the item whose directive is on line ``start`` (1-based)."""
    if not 0 < start <= len(lines):
        return []
    opening = FENCE_OPEN.match(lines[start - 1])
    if opening is None:
        return []
    fence = opening.group("fence")
    index = start  # 0-based index of the line after the directive line
    problems = []
    seen: dict[str, int] = {}
    while index < len(lines) and (option := OPTION.match(lines[index])):
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
        last = OPTION.match(lines[body_start - 1])
        name = last.group("name") if last else "?"
        if first[0] in " \t":
            problems.append(
                (
                    body_start + 1,
                    "the body starts indented: is this the continuation "
                    "of the option above? An option's value must stay on one line",
                )
            )
        elif not FENCE_OPEN.match(first):
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
        any_fence = ANY_FENCE.match(text)
        if code is not None:
            if any_fence and _closes(text, code[0] * code[1]):
                code = None
            continue
        if _closes(text, fence):
            break
        nested = FENCE_OPEN.match(text)
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
            if directive is None or directive.group("name") in CODE_DIRECTIVES:
                code = (any_fence.group("fence")[0], len(any_fence.group("fence")))
                continue
        if heading is None and HEADING.match(text):
            heading = number + 1
        option = OPTION.match(text)
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
