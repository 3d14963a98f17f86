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
    prefix: str | None = None
    """The two characters, lower case, that every match begins with; None when that is
    not known (a regex entry, a space or a single character at the start)."""


def _prefix(phrase: str) -> str | None:
    """The first two characters of a literal phrase, lower case, if every match of its
    pattern (:func:`_phrase_pattern`) begins with them: ASCII, no space among them."""
    start = phrase[:2]
    if len(start) < 2 or not start.isascii() or any(c.isspace() for c in start):
        return None
    return start.lower()


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
        phrase, ending = text[:-1], ADJ_ENDINGS
    elif text.endswith("+"):
        phrase, ending = text[:-1], E_ENDINGS
    else:
        phrase, ending = text, ""
    return _Entry(normal(phrase), _phrase_pattern(phrase, ending), _prefix(phrase))


def _user_entry(text: str) -> _Entry:
    """A word of ``[lint] weak_words_*``: literal; a trailing ``*`` allows any ending."""
    text = text.strip()
    if text.endswith("*") and len(text) > 1:
        phrase = text[:-1]
        return _Entry(normal(phrase), _phrase_pattern(phrase, r"\w*"), _prefix(phrase))
    return _Entry(normal(text), _phrase_pattern(text), _prefix(text))


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
    prefixes: dict[str, tuple[frozenset[str] | None, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """first letter → for each of its buckets (in ``by_letter``'s order) the two first
    characters, lower case, of every match of its pattern; None: not known."""
    matchers: dict[str, tuple[tuple[str, _MatchAt, frozenset[str]], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """a word's first two characters → the compiled ``match`` of the buckets of its first
    letter that can match there (:meth:`buckets`), made when such a word is first seen.
    The inner loop ran once per bucket of the letter and word, 600,000 times at 5,000
    requirements, and found nothing for most: those buckets are left out now."""

    def buckets(self, pair: str) -> tuple[tuple[str, _MatchAt, frozenset[str]], ...]:
        """The buckets to try at a word that starts with ``pair``: of the first letter's,
        those whose matches may begin with it. Only for an ASCII ``pair``, where the
        patterns' case-insensitive match is ``lower()``; any other tries them all."""
        letter = pair[:1].lower()
        wanted = pair.lower() if pair.isascii() else None
        return tuple(
            (word_class, bucket.compiled().match, must_only)
            for (word_class, bucket, must_only), starts in zip(
                self.by_letter.get(letter, ()), self.prefixes.get(letter, ()), strict=True
            )
            if wanted is None or starts is None or wanted in starts
        )

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
            start = word.start()
            pair = text[start : start + 2]
            buckets = matchers.get(pair)
            if buckets is None:
                buckets = matchers[pair] = self.buckets(pair)
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
    prefixes: dict[str, list[frozenset[str] | None]] = {}
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
                starts = {e.prefix for e in bucket}
                common = None if None in starts else frozenset(str(p) for p in starts)
                prefixes.setdefault(letter, []).append(common)
            else:  # searched through every text: compiled now
                anywhere.append((word_class, re.compile(source, re.IGNORECASE), must_only))
    allow_pattern = None
    if allow:
        allow_pattern = re.compile(
            "|".join(_user_entry(a).pattern for a in allow if a.strip()), re.IGNORECASE
        )
    return Matcher(
        {k: tuple(v) for k, v in by_letter.items()},
        tuple(anywhere),
        allow_pattern,
        {k: tuple(v) for k, v in prefixes.items()},
    )
