"""Statements as plain text: markup stripped, sentences and clauses found, lines kept."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from specheft.model import Kind
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.lint.words import LANGUAGES

# --- statements ---------------------------------------------------------------------------

_ROLE = re.compile(r"\{[\w:.+-]+\}`([^`]*)`")
_LITERAL = re.compile(r"``?[^`]+``?")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>]*>")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s)>\]]+")
_EMPHASIS = re.compile(r"(\*\*|__|\*|(?<![\w])_)(?=\S)(.+?)(?<=\S)\1")
_HTML = re.compile(r"<!--.*?-->|</?[a-zA-Z][^>]*>")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_SUBSTITUTION = re.compile(r"\{\{[^}]*\}\}")
_BLOCK_START = re.compile(r"^\s*(?:[-*+]|\d+[.)]|>)\s+")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell", "math", "raw"})


def _role_text(match: re.Match[str]) -> str:
    text = match.group(1)
    title = re.match(r"^(.*?)\s*<[^>]*>$", text)
    return title.group(1) if title and title.group(1) else re.sub(r"[<>]", "", text)


def strip_markup(text: str) -> list[str]:
    """The lines of a MyST body as plain text (same number of lines, so that a line of
    the result is the same line of the source). Code blocks, the fences and options of
    nested directives, and comments become empty lines."""
    lines = []
    code_fence: str | None = None
    directives: list[str] = []  # the fences of the nested directives still open
    for line in text.split("\n"):
        fence = _FENCE.match(line)
        info = line[fence.end() :].strip() if fence else ""
        if code_fence is not None:
            if fence and not info and fence.group(1).startswith(code_fence):
                code_fence = None
            lines.append("")
            continue
        if fence:
            marker = fence.group(1)
            if not info and directives and marker.startswith(directives[-1]):
                directives.pop()
            elif info.startswith("{") and info[1:].split("}", 1)[0] not in _CODE_DIRECTIVES:
                directives.append(marker)
            elif marker[0] != ":":
                code_fence = marker
            lines.append("")
            continue
        if _OPTION.match(line) or line.lstrip().startswith("%"):
            lines.append("")
            continue
        # each pattern is tried only on a line holding the character it cannot match
        # without (most lines are plain prose: a fifth of a fresh check's lint)
        if "<" in line:
            line = _HTML.sub("", line)
        if "{" in line:
            line = _ROLE.sub(_role_text, line)
        if "[" in line:
            line = _LINK.sub(r"\1", line)
        if "<" in line:
            line = _AUTOLINK.sub("", line)
        if "://" in line:
            line = _URL.sub("", line)
        if "`" in line:
            line = _LITERAL.sub("CODE", line)
        if "[" in line:
            line = _FOOTNOTE.sub("", line)
        if "{" in line:
            line = _SUBSTITUTION.sub("", line)
        if "*" in line or "_" in line:
            for _ in range(2):  # nested: ***bold italic***
                line = _EMPHASIS.sub(r"\2", line)
        line = _BLOCK_START.sub("", line)
        lines.append(line.replace("|", " "))
    return lines


@dataclass(frozen=True)
class Statement:
    """One statement of an item, as plain text, with the source line of each offset."""

    item: Item
    language: str
    text: str
    field: str | None
    """None for the body; the field's name (``statement_en``) otherwise."""
    first_line: int | None
    starts: tuple[int, ...]
    """Offsets of the lines in ``text``; empty when lines inside cannot be told apart
    (a field, or a body whose first line sphinx-needs did not record)."""

    @classmethod
    def of(
        cls,
        item: Item,
        raw: Any,
        language: str,
        field: str | None = None,
        first_line: int | None = None,
    ) -> Statement:
        """``first_line``: the source line of the body's first line; None for a field,
        whose findings are reported at the item's line."""
        text, starts = _plain(str(raw or ""))
        if first_line is None:
            return cls(item, language, text, field, item.line, ())
        return cls(item, language, text, field, first_line, starts)

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def line_at(self, offset: int) -> int | None:
        if self.first_line is None or not self.starts:
            return self.first_line
        return self.first_line + max(bisect_right(self.starts, offset) - 1, 0)

    @property
    def first_text_line(self) -> int | None:
        stripped = len(self.text) - len(self.text.lstrip())
        return self.line_at(stripped)

    def label(self, message: str) -> str:
        return f"{self.field}: {message}" if self.field else message


#: text → its plain text and line offsets: every lint rule reads the same statements
_PLAIN: dict[str, tuple[str, tuple[int, ...]]] = {}
_PLAIN_MAX = 50_000


def _plain(raw: str) -> tuple[str, tuple[int, ...]]:
    """``strip_markup`` of ``raw`` joined, with the offset of each line; remembered."""
    found = _PLAIN.get(raw)
    if found is None:
        lines = strip_markup(raw)
        starts = []
        offset = 0
        for line in lines:
            starts.append(offset)
            offset += len(line) + 1
        if len(_PLAIN) >= _PLAIN_MAX:  # bounded in a long-lived process (serve)
            _PLAIN.clear()
        found = _PLAIN[raw] = ("\n".join(lines), tuple(starts))
    return found


def statements(graph: TraceGraph, language: str) -> Iterator[Statement]:
    """The statements to check: a requirement's body in ``language`` (the project's); a
    catalogue item's German body and English ``statement_en``."""
    if language not in LANGUAGES:
        language = "en"
    for item in graph.of_kind(Kind.REQ):
        yield Statement.of(item, item.get("content"), language, first_line=_body_line(item))
    for item in graph.of_kind(Kind.CATALOG):
        yield Statement.of(item, item.get("content"), "de", first_line=_body_line(item))
        yield Statement.of(item, item.get("statement_en"), "en", field="statement_en")


def _body_line(item: Item) -> int | None:
    """The line of the body's first line; None when sphinx-needs did not record it."""
    return item.content_line if item.get("lineno_content") is not None else None


# --- sentences and clauses ----------------------------------------------------------------

_ABBREVIATIONS = re.compile(
    r"(?<![\w-])(?:z\.\s*B|d\.\s*h|u\.\s*a|u\.\s*U|o\.\s*ä|u\.\s*v\.\s*m|s\.\s*o|s\.\s*u"
    r"|n\.\s*n|e\.\s*g|i\.\s*e|bzw|ggfs?|ca|evtl|usw|etc|vgl|inkl|exkl|max|min|bspw|Nr"
    r"|Dr|Abs|Art|Kap|Ziff|approx|vs|no|incl|excl|resp)\.",
    re.IGNORECASE,
)
# "am 1. Werktag", "Version 2.1": a dot after a digit ends a sentence only at the end
_NUMBER_DOT = re.compile(r"\d\.(?=\S|\s)")
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n\s*\n")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    after_semicolon: bool


#: text → its sentences: the modal, multiple and passive rules each split the same text
_SENTENCES: dict[str, tuple[Sentence, ...]] = {}


def sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences (and ';'-separated clauses) of a statement, as offsets into ``text``;
    remembered (bounded as :func:`_plain`)."""
    found = _SENTENCES.get(text)
    if found is None:
        if len(_SENTENCES) >= _PLAIN_MAX:
            _SENTENCES.clear()
        found = _SENTENCES[text] = tuple(_split_sentences(text))
    return found


def _split_sentences(text: str) -> list[Sentence]:
    masked = _ABBREVIATIONS.sub(lambda m: m.group()[:-1] + "\x00", text)
    masked = _NUMBER_DOT.sub(lambda m: m.group().replace(".", "\x00"), masked)
    result = []
    start = 0
    semicolon = False
    for match in _SENTENCE_END.finditer(masked):
        if text[start : match.end()].strip():
            result.append(Sentence(start, match.end(), semicolon))
        semicolon = match.group() == ";"
        start = match.end()
    if text[start:].strip():
        result.append(Sentence(start, len(text), semicolon))
    return result


_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]")


def clause_start(text: str, start: int, offset: int) -> int:
    """Where the clause that contains ``offset`` begins (after a comma, colon, …)."""
    for index in range(offset - 1, start - 1, -1):
        if _CLAUSE_BREAK.match(text[index]):
            return index + 1
    return start


def clause_end(text: str, offset: int, end: int) -> int:
    match = _CLAUSE_BREAK.search(text, offset, end)
    return match.start() if match else end
