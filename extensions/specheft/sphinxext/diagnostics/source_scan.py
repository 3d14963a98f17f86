"""The page scan before MyST reads a page (pure: no Sphinx import).

Control characters are reported at their line; the line breaks only Python knows
(vertical tab, U+2028) become spaces; in a German project German words of enumerated
values are read as the value; item directives inside code blocks are noted (rule
``lint-fenced-item``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specheft.model import GERMAN_VALUES
from specheft.sphinxext.diagnostics.markup import (
    ANY_FENCE,
    CODE_DIRECTIVES,
    FENCE_OPEN,
    ID_OPTION,
    ITEM_KINDS,
    OPTION,
)

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


def needs_scan(text: str, german: bool) -> bool:
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
        opening = None if in_code or not fence_like else FENCE_OPEN.match(line)
        if opening and opening.group("kind") in ITEM_KINDS:
            options_of_item, item_id = None, None
            for later in range(index + 2, min(len(parts), index + 122), 2):
                if not OPTION.match(parts[later]):
                    break
                if m := ID_OPTION.match(parts[later]):
                    item_id = m.group("id")
        option = OPTION.match(line) if options_of_item else None
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
        fence = ANY_FENCE.match(line) if fence_like else None
        if stack and stack[-1][2]:  # inside a code block
            top_char, top_length, _ = stack[-1]
            if fence and fence.group("fence")[0] == top_char and not fence.group("info"):
                if len(fence.group("fence")) >= top_length:
                    stack.pop()
            elif (
                fence_like
                and (opening := FENCE_OPEN.match(line))
                and opening.group("kind") in ITEM_KINDS
            ):
                found = None
                for later in range(index + 2, min(len(parts), index + 122), 2):
                    if m := ID_OPTION.match(parts[later]):
                        found = m.group("id")
                    if found or not OPTION.match(parts[later]):
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
        stack.append((char, length, char != ":" and name in CODE_DIRECTIVES))
        if name in ITEM_KINDS:
            options_of_item = name
    if changed:
        scan.text = "".join(parts)
    return scan
