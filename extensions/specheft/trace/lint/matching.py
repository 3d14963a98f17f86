"""Finding weak words in a statement: patterns compiled once per configuration."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from specheft.trace.lint.words import ADJ_ENDINGS, E_ENDINGS, MUST_ONLY, SLASH, WEAK_WORDS


@dataclass(frozen=True)
class _Entry:
    name: str
    """What ``allow`` compares with: the entry without its markers, lower case."""
    pattern: str


def _phrase_pattern(phrase: str, ending: str = "") -> str:
    """A literal phrase as a regex: white space flexible, "z. B." also as "z.B.";
    whole words only where the phrase begins or ends with a letter or digit;
    ``ending`` (a regex) may follow the phrase before the word boundary."""
    parts = []
    for index, char in enumerate(phrase):
        if char.isspace():
            if not phrase[index - 1].isspace():
                parts.append(r"\s*" if phrase[index - 1] == "." else r"\s+")
        else:
            parts.append(re.escape(char))
    start = _START if phrase[:1].isalnum() else ""
    end = _END if phrase[-1:].isalnum() else ""
    return start + "".join(parts) + ending + end


_START = r"(?<![\w-])"
_END = r"(?![\w-])"


def _entry(text: str) -> _Entry:
    """A built-in entry (see the notation above the lists)."""
    if "=" in text:
        name, pattern = text.split("=", 1)
        return _Entry(name.lower(), f"{_START}(?:{pattern}){_END}")
    if text.endswith("~"):
        return _Entry(normal(text[:-1]), _phrase_pattern(text[:-1], ADJ_ENDINGS))
    if text.endswith("+"):
        return _Entry(normal(text[:-1]), _phrase_pattern(text[:-1], E_ENDINGS))
    return _Entry(normal(text), _phrase_pattern(text))


def _user_entry(text: str) -> _Entry:
    """A word of ``[lint] weak_words_*``: literal; a trailing ``*`` allows any ending."""
    text = text.strip()
    if text.endswith("*") and len(text) > 1:
        return _Entry(normal(text[:-1]), _phrase_pattern(text[:-1], r"\w*"))
    return _Entry(normal(text), _phrase_pattern(text))


def normal(text: str) -> str:
    return " ".join(text.lower().split())


_WORD_START = re.compile(r"(?<![\w-])\w")
_MatchAt = Callable[[str, int], "re.Match[str] | None"]


class LazyPattern:
    """A bucket's alternation, compiled when first matched against: a re-check lints the
    one item that changed, whose words start with a few letters, and compiling every
    bucket was most of its lint (0.03 s CPU, each check: compiled patterns live only as
    long as the process)."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source, re.IGNORECASE)
        return self._compiled


@dataclass(frozen=True)
class Matcher:
    """The compiled weak-word patterns of one language and configuration.

    Every entry starts a word with a known letter, so the patterns are bucketed by that
    letter and tried only at word starts: one dict lookup per word instead of every
    pattern at every character (what made the lint the slowest part of a check).
    """

    by_letter: dict[str, tuple[tuple[str, LazyPattern, frozenset[str]], ...]]
    """first letter → (class, pattern, names of its must-only entries)."""
    anywhere: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]
    """Patterns that may start with any character, searched through the whole text."""
    allow: re.Pattern[str] | None
    matchers: dict[str, tuple[tuple[str, _MatchAt, frozenset[str]], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """first letter → its buckets' compiled ``match``, made when a word of that letter is
    first seen (each word tries every bucket of its letter, so all of them are compiled
    then): the inner loop runs once per bucket and word, 600,000 times at 5,000
    requirements, and a method call less in it is a third of a fresh check's lint."""

    def find(self, text: str, priority: str | None) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, class) of the weak words in ``text``; the longest
        wins where two overlap ("sofern sinnvoll" rather than "sinnvoll")."""
        allowed = [m.span() for m in self.allow.finditer(text)] if self.allow else []
        found: list[tuple[int, int, str]] = []

        def keep(match: re.Match[str], word_class: str, must_only: frozenset[str]) -> None:
            if match.end() == match.start():
                return
            if must_only and normal(match.group()) in must_only and priority != "must":
                return
            found.append((match.start(), match.end(), word_class))

        matchers = self.matchers
        for word in _WORD_START.finditer(text):
            letter = word.group().lower()
            buckets = matchers.get(letter)
            if buckets is None:
                buckets = matchers[letter] = tuple(
                    (word_class, bucket.compiled().match, must_only)
                    for word_class, bucket, must_only in self.by_letter.get(letter, ())
                )
            start = word.start()
            for word_class, match_at, must_only in buckets:
                match = match_at(text, start)
                if match is not None:
                    keep(match, word_class, must_only)
        for word_class, pattern, must_only in self.anywhere:
            for match in pattern.finditer(text):
                keep(match, word_class, must_only)
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        result: list[tuple[int, int, str]] = []
        end = -1
        for start, stop, word_class in found:
            if start < end:
                continue
            if any(a <= start and stop <= b for a, b in allowed):
                continue
            result.append((start, stop, word_class))
            end = stop
        return result


@lru_cache(maxsize=32)
def compiled_matcher(language: str, extra: tuple[str, ...], allow: tuple[str, ...]) -> Matcher:
    allowed_names = {normal(a) for a in allow}
    groups: dict[str, list[_Entry]] = {}
    lists = WEAK_WORDS.get(language, WEAK_WORDS["en"])
    for word_class, texts in lists.items():
        for text in texts:
            entry = _entry(text)
            if entry.name not in allowed_names:
                groups.setdefault(word_class, []).append(entry)
    if not {"slash", "/"} & allowed_names:
        groups.setdefault("logic", []).append(_entry(SLASH))
    known = {e.name for entries in groups.values() for e in entries}
    for text in extra:
        entry = _user_entry(text)
        if entry.name not in known and entry.name not in allowed_names:
            groups.setdefault("custom", []).append(entry)
    by_letter: dict[str, list[tuple[str, LazyPattern, frozenset[str]]]] = {}
    anywhere = []
    for word_class, entries in groups.items():
        buckets: dict[str, list[_Entry]] = {}
        for entry in entries:
            letter = entry.name[:1]
            key = letter if letter.isalnum() and entry.name != "slash" else ""
            buckets.setdefault(key, []).append(entry)
        must_only = frozenset(e.name for e in entries if e.name in MUST_ONLY)
        for letter, bucket in buckets.items():
            # longest first, so that an alternation prefers "etc." to "etc"
            ordered = sorted(bucket, key=lambda e: -len(e.name))
            source = "|".join(f"(?:{e.pattern})" for e in ordered)
            if letter:
                lazy = (word_class, LazyPattern(source), must_only)
                by_letter.setdefault(letter, []).append(lazy)
            else:  # searched through every text: compiled now
                anywhere.append((word_class, re.compile(source, re.IGNORECASE), must_only))
    allow_pattern = None
    if allow:
        allow_pattern = re.compile(
            "|".join(_user_entry(a).pattern for a in allow if a.strip()), re.IGNORECASE
        )
    return Matcher({k: tuple(v) for k, v in by_letter.items()}, tuple(anywhere), allow_pattern)
