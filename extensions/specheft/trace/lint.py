"""Requirement-quality rules (group ``lint``); registered with the trace rules.

The rules read the *statement* of each active requirement — the body of a ``req``
item in the project language (``[project] language``), and for a catalogue item
(``catreq``) both its German body and its English ``statement_en`` — after MyST
markup is stripped (roles, emphasis, literals, links). Each rule is one pass over
the items; the patterns are compiled once per configuration.

==================  ===================================================================
rule                finds
==================  ===================================================================
lint-weak-word      vague and weak words from the default lists (../shared/domain.md
                    §2.4), extended by ``[lint] weak_words_de``/``weak_words_en``;
                    ``[lint] allow`` names words and phrases that are never flagged
lint-modal          no modal verb, modal verbs of different priorities, a modal verb
                    that does not match the priority, Konjunktiv (sollte, könnte, …;
                    could, would, might)
lint-multiple       more than one requirement in one item (a second modal verb:
                    "und … muss", "; … soll", a second sentence with a modal verb)
lint-acceptance     a requirement without an acceptance criterion (an error for must)
lint-length         a statement longer than ``[lint] max_words`` words (default 40)
lint-passive        passive voice without an actor ("wird … angezeigt" without
                    "von/durch"; "is … sent" without "by")
==================  ===================================================================

Word matching is case-insensitive on whole words: a word never matches inside a
compound or a hyphenated word ("rund" not in "Grund", "schnell" not in
"Schnellsuche"). German adjectives match with their endings ("schnelle", "schneller",
"am schnellsten"). Words added in ``[lint]`` match literally; a trailing ``*`` lets a
word match with any ending (``"zeitnah*"``).

Judgement calls, so that correct requirements pass: "maximal"/"minimal" only without
a number in the same clause ("maximal 2 s" is a bound); "about", "around" only before a
number and "up to" only without one; "support", "handle", "manage" only as verbs after
a modal verb or "to" ("the support team" passes); "optional" only in a must
requirement; "/" between two words ("Firma/Person") but not between acronyms (TCP/IP)
or in units (km/h) — ``allow = ["/"]`` turns that check off. The Konjunktiv and other
weak modal verbs are reported once, by ``lint-modal``, not also as weak words. A
passive in a condition clause ("Wenn eine Firma gespeichert wird, …", "When an order
is released, …") names the triggering event, not a missing actor, and passes.

Lines: a finding names the line of the word inside the item's body (sphinx-needs'
``lineno_content``, see ``Item.content_line``); findings in ``statement_en`` and
about the item as a whole name the item's line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Kind, Priority
from ..settings import TABLE_VALIDATORS, _Key, _Reader
from .graph import Item, TraceGraph
from .rules import Hit, rule

DEFAULT_MAX_WORDS = 40
LANGUAGES = ("de", "en")

# --- weak-word lists ----------------------------------------------------------------------
#
# Entry notation: a word or phrase, matched literally (case-insensitive, whole words;
# a space matches any white space, and "z. B." also matches "z.B."). A trailing "~"
# adds the German adjective endings (schnell → schnelle, schneller, schnellsten), a
# trailing "+" the endings of a word that ends in -e (alle → allen, aller, alles).
# An entry "name=regex" is a regular expression reported under ``name`` (which is also
# what ``[lint] allow`` compares with).


@dataclass(frozen=True)
class WordClass:
    label: str
    hint_de: str
    hint_en: str

    def hint(self, language: str) -> str:
        return self.hint_de if language == "de" else self.hint_en


_MEASURE = "name a measurable value with a unit (e.g. {example})"
CLASSES: dict[str, WordClass] = {
    "vague": WordClass(
        "vague quality",
        _MEASURE.format(example="'innerhalb von 2 s', '99,5 %'"),
        _MEASURE.format(example="'within 2 s', '99.5 %'"),
    ),
    "quantity": WordClass(
        "vague quantity",
        "give the exact number, or a bounded range with a unit ('mindestens 5', '10 bis 20')",
        "give the exact number, or a bounded range with a unit ('at least 5', '10 to 20')",
    ),
    "loophole": WordClass(
        "escape clause",
        "state the exact condition ('wenn …, dann …') or drop the clause",
        "state the exact condition ('if …, then …') or drop the clause",
    ),
    "open": WordClass(
        "open-ended enumeration",
        "list every element explicitly; examples belong in the rationale",
        "list every element explicitly; examples belong in the rationale",
    ),
    "logic": WordClass(
        "ambiguous logic",
        "write 'und' or 'oder', or split into separate requirements",
        "write 'and' or 'or', or split into separate requirements",
    ),
    "open-point": WordClass(
        "open point",
        "decide the open point before the requirement is agreed",
        "decide the open point before the requirement is agreed",
    ),
    "reference": WordClass(
        "incomplete reference",
        "name the item or section ({need}`LH-…`, document id and chapter)",
        "name the item or section ({need}`LH-…`, document id and chapter)",
    ),
    "filler": WordClass(
        "filler verb",
        "name the precise operations (anlegen, ändern, löschen, anzeigen, exportieren, …)",
        "name the precise operations (create, change, delete, display, export, …)",
    ),
    "superfluous": WordClass(
        "superfluous infinitive",
        "write the action directly ('muss … anlegen')",
        "write the action directly ('shall create', not 'shall be able to create')",
    ),
    "universal": WordClass(
        "universal quantifier",
        "name the exact set (e.g. 'die offenen Opportunities des eigenen Gebiets') and "
        "check for exceptions",
        "name the exact set (e.g. 'each open opportunity') and check for exceptions",
    ),
    "custom": WordClass(
        "project weak word",
        "rephrase with a precise, verifiable term ([lint] in specheft.toml lists this word)",
        "rephrase with a precise, verifiable term ([lint] in specheft.toml lists this word)",
    ),
}

#: Only a finding in a must requirement (an optional part of a binding requirement).
_MUST_ONLY = frozenset({"optional", "optionally"})

# no digit later in the same clause: "maximal 5 s" is a bound, "maximale Leistung" is not
_NO_VALUE = r"(?![^.;,\n]{0,40}\d)"

# the verb after a modal verb or "to": "shall support" (not "the support team")
_AFTER_MODAL = (
    "(?:" + "|".join(f"(?<={w} )" for w in ("shall", "must", "ould", "may", "can", " to")) + ")"
)

# fmt: off
WEAK_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "vague": (
            "schnell~", "zügig~", "zeitnah~", "rasch~", "unverzüglich~", "sofort",
            "sofortig~", "rechtzeitig~", "benutzerfreundlich~", "bedienerfreundlich~",
            "anwenderfreundlich~", "intuitiv~", "einfach~", "leicht~", "bequem~",
            "komfortabel", "komfortable+", "übersichtlich~", "ansprechend~", "modern~",
            "zeitgemäß~", "flexibel", "flexible+", "performant~", "leistungsfähig~",
            "stabil~", "robust~", "zuverlässig~", "sicher~", "hochverfügbar~",
            "skalierbar~", "effizient~", "effektiv~", "optimal~", "optimiert~",
            "bestmöglich~", "nahtlos~", "transparent~", "hoch", "hohe+", "höher~",
            "höchst~", "niedrig~", "groß~", "größer~", "größt~", "klein~", "gut~",
            "besser~", "best~", "angemessen~", "ausreichend~", "hinreichend~",
            "geeignet~", "adäquat~", "sinnvoll~", "zweckmäßig~", "üblich~", "normal~",
            "signifikant~", "deutlich~", "aktuell~", "zukunftssicher~",
            rf"minimal=minimal(?:e|er|en|es|em)?{_NO_VALUE}",
            rf"maximal=maximal(?:e|er|en|es|em)?{_NO_VALUE}",
        ),
        "quantity": (
            "einige+", "mehrere+", "viele+", "wenige+", "diverse+", "verschiedene+",
            "zahlreiche+", "gewisse+", "etwa", "ca.", "circa", "ungefähr~",
            r"rund=rund(?!\s+um\s+die\s+uhr)", "nahezu", "fast", "weitgehend~",
            "im Wesentlichen", "im Allgemeinen", "in der Regel", "normalerweise",
            "üblicherweise", "typischerweise", "grundsätzlich~",
        ),
        "loophole": (
            "ggf.", "ggfs.", "gegebenenfalls", "möglichst", "so weit wie möglich",
            "soweit wie möglich", "so weit möglich", "soweit möglich", "nach Möglichkeit",
            "wenn möglich", "falls möglich", "sofern möglich", "bei Bedarf", "falls nötig",
            "wenn nötig", "falls erforderlich", "wenn erforderlich", "soweit erforderlich",
            "sofern erforderlich", "sofern sinnvoll", "wenn sinnvoll", "evtl.",
            "eventuell~", "u. U.", "unter Umständen", "vorzugsweise", "idealerweise",
            "optional",
        ),
        "open": (
            "usw.", "etc.", "etc", "u. a.", "unter anderem", "und so weiter", "o. ä.",
            "oder ähnlich~", "und ähnlich~", "z. B.", "zum Beispiel", "beispielsweise",
            "bspw.", "wie etwa", "sowie weitere+", "u. v. m.", "und vieles mehr", "…",
            "...",
        ),
        "logic": ("und/oder", "bzw.", "beziehungsweise"),
        "open-point": (
            "TBD", "TBC", "TBA", "n. n.", "noch zu klären", "noch zu definieren",
            "noch festzulegen", "noch zu bestimmen", "zu klären", "noch offen",
            r"offen=(?<=[(\[])offen(?=[)\]])|offen(?=\s*[:?])"
            r"|(?:ist|bleibt|bleiben)\s+offen(?![\w-])",
            "folgt noch", "folgen noch", "(folgt)",
        ),
        "reference": (
            "siehe oben", "siehe unten", "s. o.", "s. u.", "wie oben beschrieben",
            "oben genannt~", "obig~",
        ),
        "filler": (
            "unterstützen", "unterstützt", "ermöglichen", "ermöglicht", "verwalten",
            "verwaltet", "bearbeiten", "bearbeitet", "handhaben", "handhabt", "gehandhabt",
            "abbilden", "abbildet", "abgebildet", "abzubilden", "gewährleisten",
            "gewährleistet", "sicherstellen", "sicherstellt", "sichergestellt",
            "sicherzustellen", "berücksichtigen", "berücksichtigt", "bereitstellen",
            "bereitstellt", "bereitgestellt", "bereitzustellen",
        ),
        "universal": (
            "alle+", "jede+", "immer", "stets", "nie", "niemals", "kein", "keine+", "sämtliche+",
            "jederzeit", "ständig~", "ausnahmslos",
        ),
    },
    "en": {
        "vague": (
            "fast", "faster", "fastest", "quick", "quicker", "quickly", "rapid", "rapidly",
            "slow", "user-friendly", "user friendly", "easy", "easier", "easily",
            "easy to use", "simple", "simply", "intuitive", "intuitively", "convenient",
            "comfortable", "modern", "state-of-the-art", "state of the art", "flexible",
            "robust", "stable", "reliable", "secure", "scalable", "efficient",
            "efficiently", "effective", "effectively", "performant", "seamless",
            "seamlessly", "smooth", "smoothly", "clear", "clearly", "transparent", "high",
            "higher", "low", "lower", "large", "larger", "small", "smaller", "good",
            "better", "best", "optimal", "optimally", "optimized", "optimised", "maximize",
            "maximise", "minimize", "minimise", "sufficient", "sufficiently", "adequate",
            "adequately", "appropriate", "appropriately", "reasonable", "reasonably",
            "normal", "normally", "typical", "typically", "significant", "significantly",
            "timely", "real-time", "real time", "immediately", "soon", "recent",
            "recently", "latest", r"most=(?<!at )most",
            rf"minimal=minimal{_NO_VALUE}",
        ),
        "quantity": (
            "some", "several", "many", "few", "a few", "a lot of", "various", "numerous",
            "approximately", "approx.", "roughly", "nearly", "almost",
            r"about=about(?=\s+\d)", r"around=around(?=\s+\d)",
            r"up to=up\s+to(?!\s+\d)",
        ),
        "loophole": (
            "if possible", "where possible", "as far as possible", "as much as possible",
            "as little as possible", "so far as is possible", "if necessary", "if needed",
            "when necessary", "when needed", "as appropriate", "as required", "as needed",
            "as applicable", "where applicable", "if applicable", "to the extent practical",
            "to the extent necessary", "if practicable", "if it should prove necessary",
            "possibly", "eventually", "preferably", "ideally", "optional", "optionally",
        ),
        "open": (
            "etc.", "etc", "and so on", "and so forth", "including but not limited to",
            "but not limited to", "among others", "and the like", "e. g.", "for example",
            "such as", "…", "...",
        ),
        "logic": ("and/or",),
        "open-point": (
            "TBD", "TBC", "TBS", "TBR", "TBE", "TBA", "to be defined", "to be determined",
            "to be clarified", "to be confirmed", "not defined", "not determined",
        ),
        "reference": ("see above", "see below", "as mentioned above", "as stated above"),
        "filler": (
            "provide support", "provide for",
            rf"support={_AFTER_MODAL}support",
            rf"handle={_AFTER_MODAL}handle",
            rf"manage={_AFTER_MODAL}manage",
        ),
        "superfluous": (
            "be able to", "be capable of", "be designed to", "have the ability to",
            "has the ability to", "have the capability to", "has the capability to",
        ),
        "universal": ("all", "every", "always", "never", "none", "any"),
    },
}
# fmt: on

# "/" used as "or" between two words ("Firma/Person"); not acronym pairs (TCP/IP) or units
_SLASH = (
    r"slash=(?<![\w/.:-])(?-i:(?![A-ZÄÖÜ-]+/[A-ZÄÖÜ-]+(?![\w/])))"
    r"{w}/{w}(?![\w/])".replace("{w}", "[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß-]*[A-Za-zÄÖÜäöüß]")
)

_ADJ_ENDINGS = "(?:e|er|en|es|em|ere|eren|erer|eres|erem|ste|sten|ster|stes|stem)?"
_E_ENDINGS = "(?:n|r|s|m)?"


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
        return _Entry(_normal(text[:-1]), _phrase_pattern(text[:-1], _ADJ_ENDINGS))
    if text.endswith("+"):
        return _Entry(_normal(text[:-1]), _phrase_pattern(text[:-1], _E_ENDINGS))
    return _Entry(_normal(text), _phrase_pattern(text))


def _user_entry(text: str) -> _Entry:
    """A word of ``[lint] weak_words_*``: literal; a trailing ``*`` allows any ending."""
    text = text.strip()
    if text.endswith("*") and len(text) > 1:
        return _Entry(_normal(text[:-1]), _phrase_pattern(text[:-1], r"\w*"))
    return _Entry(_normal(text), _phrase_pattern(text))


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


_WORD_START = re.compile(r"(?<![\w-])\w")


@dataclass(frozen=True)
class _Matcher:
    """The compiled weak-word patterns of one language and configuration.

    Every entry starts a word with a known letter, so the patterns are bucketed by that
    letter and tried only at word starts: one dict lookup per word instead of every
    pattern at every character (what made the lint the slowest part of a check).
    """

    by_letter: dict[str, tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]]
    """first letter → (class, pattern, names of its must-only entries)."""
    anywhere: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]
    """Patterns that may start with any character, searched through the whole text."""
    allow: re.Pattern[str] | None

    def find(self, text: str, priority: str | None) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, class) of the weak words in ``text``; the longest
        wins where two overlap ("sofern sinnvoll" rather than "sinnvoll")."""
        allowed = [m.span() for m in self.allow.finditer(text)] if self.allow else []
        found: list[tuple[int, int, str]] = []

        def keep(match: re.Match[str], word_class: str, must_only: frozenset[str]) -> None:
            if match.end() == match.start():
                return
            if must_only and _normal(match.group()) in must_only and priority != "must":
                return
            found.append((match.start(), match.end(), word_class))

        for word in _WORD_START.finditer(text):
            for word_class, pattern, must_only in self.by_letter.get(word.group().lower(), ()):
                match = pattern.match(text, word.start())
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
def _matcher(language: str, extra: tuple[str, ...], allow: tuple[str, ...]) -> _Matcher:
    allowed_names = {_normal(a) for a in allow}
    groups: dict[str, list[_Entry]] = {}
    lists = WEAK_WORDS.get(language, WEAK_WORDS["en"])
    for word_class, texts in lists.items():
        for text in texts:
            entry = _entry(text)
            if entry.name not in allowed_names:
                groups.setdefault(word_class, []).append(entry)
    if not {"slash", "/"} & allowed_names:
        groups.setdefault("logic", []).append(_entry(_SLASH))
    known = {e.name for entries in groups.values() for e in entries}
    for text in extra:
        entry = _user_entry(text)
        if entry.name not in known and entry.name not in allowed_names:
            groups.setdefault("custom", []).append(entry)
    by_letter: dict[str, list[tuple[str, re.Pattern[str], frozenset[str]]]] = {}
    anywhere = []
    for word_class, entries in groups.items():
        buckets: dict[str, list[_Entry]] = {}
        for entry in entries:
            letter = entry.name[:1]
            key = letter if letter.isalnum() and entry.name != "slash" else ""
            buckets.setdefault(key, []).append(entry)
        must_only = frozenset(e.name for e in entries if e.name in _MUST_ONLY)
        for letter, bucket in buckets.items():
            # longest first, so that an alternation prefers "etc." to "etc"
            ordered = sorted(bucket, key=lambda e: -len(e.name))
            pattern = re.compile("|".join(f"(?:{e.pattern})" for e in ordered), re.IGNORECASE)
            if letter:
                by_letter.setdefault(letter, []).append((word_class, pattern, must_only))
            else:
                anywhere.append((word_class, pattern, must_only))
    allow_pattern = None
    if allow:
        allow_pattern = re.compile(
            "|".join(_user_entry(a).pattern for a in allow if a.strip()), re.IGNORECASE
        )
    return _Matcher({k: tuple(v) for k, v in by_letter.items()}, tuple(anywhere), allow_pattern)


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
        line = _HTML.sub("", line)
        line = _ROLE.sub(_role_text, line)
        line = _LINK.sub(r"\1", line)
        line = _AUTOLINK.sub("", line)
        line = _URL.sub("", line)
        line = _LITERAL.sub("CODE", line)
        line = _FOOTNOTE.sub("", line)
        line = _SUBSTITUTION.sub("", line)
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
        lines = strip_markup(str(raw or ""))
        starts = []
        offset = 0
        for line in lines:
            starts.append(offset)
            offset += len(line) + 1
        text = "\n".join(lines)
        if first_line is None:
            return cls(item, language, text, field, item.line, ())
        return cls(item, language, text, field, first_line, tuple(starts))

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


def statements(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Statement]:
    """The statements to check: a requirement's body in the project language; a
    catalogue item's German body and English ``statement_en``."""
    language = str(options.get("language") or "de")
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


def _lint_options(options: Mapping[str, Any]) -> Mapping[str, Any]:
    value = options.get("lint")
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


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


def sentences(text: str) -> list[Sentence]:
    """Sentences (and ';'-separated clauses) of a statement, as offsets into ``text``."""
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


def _clause_start(text: str, start: int, offset: int) -> int:
    """Where the clause that contains ``offset`` begins (after a comma, colon, …)."""
    for index in range(offset - 1, start - 1, -1):
        if _CLAUSE_BREAK.match(text[index]):
            return index + 1
    return start


def _clause_end(text: str, offset: int, end: int) -> int:
    match = _CLAUSE_BREAK.search(text, offset, end)
    return match.start() if match else end


# --- modal verbs --------------------------------------------------------------------------

KONJUNKTIV = "konjunktiv"

# fmt: off
_MODALS: dict[str, dict[str, str]] = {
    "de": {
        "muss": "must", "müssen": "must", "darf": "may", "dürfen": "may",
        "soll": "should", "sollen": "should", "kann": "can", "können": "can",
        **dict.fromkeys(
            ("sollte", "sollten", "könnte", "könnten", "müsste", "müssten", "würde", "würden",
             "wäre", "wären", "dürfte", "dürften", "möchte", "möchten"),
            KONJUNKTIV,
        ),
    },
    "en": {
        "shall": "must", "must": "must", "should": "should", "may": "can", "can": "can",
        "cannot": "can",
        **dict.fromkeys(("could", "would", "might", "ought to"), KONJUNKTIV),
    },
}
# fmt: on
_MODAL_RE = {
    language: re.compile(
        r"(?<![\w-])(?:"
        + "|".join(sorted(words, key=len, reverse=True)).replace(" ", r"\s+")
        + r")(?![\w-])",
        re.IGNORECASE,
    )
    for language, words in _MODALS.items()
}
#: "darf nicht", "darf kein …", "darf nur …" forbid: the modal of a must requirement.
_DE_NEGATION = re.compile(r"(?<![\w-])(?:nicht|kein\w*|nie|niemals|nur)(?![\w-])", re.I)
_EN_SUBORDINATE = re.compile(
    r"(?<![\w-])(?:that|which|who|whom|whose|if|when|whenever|where|wherever|unless|until"
    r"|while|whether|once|because|before|after|so)(?![\w-])",
    re.IGNORECASE,
)
EXPECTED: dict[str, dict[str, str]] = {
    "de": {"must": "muss", "should": "soll", "can": "kann"},
    "en": {"must": "shall", "should": "should", "can": "may"},
}


@dataclass(frozen=True)
class Modal:
    word: str
    family: str
    """must, should, can or konjunktiv."""
    start: int
    sentence: int
    main: bool
    """False in a subordinate clause ("…, dass Benutzer … anlegen können")."""


def modals(statement: Statement) -> list[Modal]:
    """The modal verbs of a statement, each with its family and clause role.

    German: a modal verb in verb-final position (directly before a comma or the end of
    the sentence) belongs to a subordinate clause or is the infinitive of "muss …
    anlegen können". English: a modal verb after a subordinating word in its clause
    ("so that users can …"). Subordinate modal verbs count only in a sentence without
    a main one.
    """
    text = statement.text
    language = statement.language
    found: list[Modal] = []
    for number, sentence in enumerate(sentences(text)):
        in_sentence = []
        for match in _MODAL_RE[language].finditer(text, sentence.start, sentence.end):
            word = match.group()
            lower = _normal(word)
            if lower == "may" and word[0] == "M":
                continue  # the month
            family = _MODALS[language][lower]
            clause = _clause_start(text, sentence.start, match.start())
            end = _clause_end(text, match.end(), sentence.end)
            if family == "may":
                negated = _DE_NEGATION.search(text, clause, end)
                family = "must" if negated else "can"
            if language == "de":
                rest = text[match.end() : sentence.end]
                main = bool(rest.strip()) and not re.match(r"\s*[,;:.!?)]", rest)
            else:
                main = not _EN_SUBORDINATE.search(text, clause, match.start())
            in_sentence.append(Modal(word, family, match.start(), number, main))
        if any(m.main for m in in_sentence):
            in_sentence = [m for m in in_sentence if m.main or m.family == KONJUNKTIV]
        found.extend(in_sentence)
    return found


def _expected(statement: Statement, priority: str | None) -> str | None:
    if priority not in _PRIORITIES:
        return None
    return EXPECTED[statement.language][str(priority)]


_PRIORITIES = frozenset(str(p) for p in Priority)


#: The kinds whose statements the lint reads (see ``statements``).
_LINTED = (str(Kind.REQ), str(Kind.CATALOG))


# --- the rules ----------------------------------------------------------------------------


@rule(
    "lint-weak-word",
    "requirement statements avoid vague and weak words (weak-word lists, [lint] in specheft.toml)",
    "warning",
    group="lint",
    per_item=True,
    kinds=_LINTED,
)
def _lint_weak_word(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Hit]:
    lint = _lint_options(options)
    allow = _strings(lint.get("allow", ()))

    def matcher(language: str) -> _Matcher:  # compiled only when there is text to check
        return _matcher(language, _strings(lint.get(f"weak_words_{language}", ())), allow)

    for statement in statements(graph, options):
        if statement.empty:
            continue
        text = statement.text
        for start, end, word_class in matcher(statement.language).find(
            text, statement.item.priority
        ):
            word = " ".join(text[start:end].split())
            info = CLASSES[word_class]
            yield Hit(
                statement.item,
                statement.label(f"weak word '{word}' ({info.label})"),
                info.hint(statement.language),
                line=statement.line_at(start),
            )


@rule(
    "lint-modal",
    "the modal verb matches the priority (muss/soll/kann; shall/should/may); no Konjunktiv",
    "warning",
    group="lint",
    per_item=True,
    kinds=_LINTED,
)
def _lint_modal(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Hit]:
    for statement in statements(graph, options):
        item = statement.item
        priority = item.priority
        expected = _expected(statement, priority)
        write = f"write '{expected}' (priority {priority})" if expected else None
        if statement.empty:
            yield Hit(
                item,
                statement.label("the requirement has no statement"),
                "write the requirement as one sentence: "
                + (
                    "'Das CRM-System muss …'"
                    if statement.language == "de"
                    else "'The CRM system shall …'"
                ),
                line=statement.first_line,
            )
            continue
        found = modals(statement)
        for modal in found:
            if modal.family == KONJUNKTIV:
                kind = "Konjunktiv" if statement.language == "de" else "weak modal verb"
                yield Hit(
                    item,
                    statement.label(f"{kind} '{modal.word}' makes the requirement non-binding"),
                    write,
                    line=statement.line_at(modal.start),
                )
        binding = [m for m in found if m.family != KONJUNKTIV]
        if not found:
            yield Hit(
                item,
                statement.label("no modal verb: the statement does not say how binding it is"),
                write,
                line=statement.first_text_line,
            )
            continue
        families: dict[str, Modal] = {}
        for modal in binding:
            families.setdefault(modal.family, modal)
        if len(families) > 1:
            first, second = list(families.values())[:2]
            yield Hit(
                item,
                statement.label(
                    f"mixes modal verbs of different weight: '{first.word}' and '{second.word}'"
                ),
                write,
                line=statement.line_at(second.start),
            )
        elif families and expected and priority not in families:
            [modal] = families.values()
            yield Hit(
                item,
                statement.label(f"modal verb '{modal.word}' does not match priority {priority}"),
                f"write '{expected}', or change :priority: to {modal.family}",
                line=statement.line_at(modal.start),
            )


_CONNECTOR = {
    "de": re.compile(r"(?<![\w-])(?:und|sowie|oder|außerdem|zusätzlich|ferner)(?![\w-])", re.I),
    "en": re.compile(
        r"(?<![\w-])(?:and|or|as\s+well\s+as|also|additionally|furthermore)(?![\w-])", re.I
    ),
}


@rule(
    "lint-multiple",
    "one requirement per item: one modal verb, one sentence with a modal verb",
    "warning",
    group="lint",
    per_item=True,
    kinds=_LINTED,
)
def _lint_multiple(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Hit]:
    for statement in statements(graph, options):
        if statement.empty:
            continue
        found = [m for m in modals(statement) if m.main]
        if len(found) < 2:
            continue
        first, second = found[0], found[1]
        text = statement.text
        parts = sentences(text)
        between = text[first.start + len(first.word) : second.start]
        connector = _CONNECTOR[statement.language].search(between)
        if second.sentence != first.sentence:
            if parts[second.sentence].after_semicolon:
                what = f"'; … {second.word}'"
            else:
                what = f"a second sentence with '{second.word}'"
        elif connector:
            what = f"'{' '.join(connector.group().split())} … {second.word}'"
        else:
            what = f"a second modal verb '{second.word}'"
        more = f" ({len(found)} modal verbs)" if len(found) > 2 else ""
        yield Hit(
            statement.item,
            statement.label(f"more than one requirement in one item: {what}{more}"),
            "split it into one item per requirement, each with one modal verb",
            line=statement.line_at(second.start),
        )


@rule(
    "lint-acceptance",
    "a requirement has an acceptance criterion (error for must, off for should and can)",
    "error",  # not "off": an item without a valid priority is one sphinx-needs rejects anyway
    group="lint",
    per_item=True,
    kinds=_LINTED,
    should="off",
    can="off",
)
def _lint_acceptance(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Hit]:
    for kind, fields in (
        (Kind.REQ, ("acceptance",)),
        (Kind.CATALOG, ("acceptance", "acceptance_en")),
    ):
        for item in graph.of_kind(kind):
            missing = [f for f in fields if not str(item.get(f) or "").strip()]
            if missing:
                names = " and ".join(f":{f}:" for f in missing)
                priority = item.priority if item.priority in _PRIORITIES else "a"
                yield Hit(
                    item,
                    f"{priority} requirement has no acceptance criterion ({names})",
                    f"add :{missing[0]}: with an observable result: who does what, and "
                    "what the system then shows or stores",
                )


_WORD = re.compile(r"[^\W_](?:[\w.,'’/-]*[^\W_])?")


@rule(
    "lint-length",
    f"a statement has at most [lint] max_words words (default {DEFAULT_MAX_WORDS})",
    "warning",
    group="lint",
    per_item=True,
    kinds=_LINTED,
)
def _lint_length(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Hit]:
    limit = _lint_options(options).get("max_words", DEFAULT_MAX_WORDS)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        limit = DEFAULT_MAX_WORDS
    for statement in statements(graph, options):
        words = sum(1 for _ in _WORD.finditer(statement.text))
        if words > limit:
            yield Hit(
                statement.item,
                statement.label(f"statement has {words} words (more than {limit})"),
                "split it into several requirements, or move explanations to :rationale:",
                line=statement.first_text_line,
            )


# --- passive voice ------------------------------------------------------------------------

_DE_AUX = re.compile(r"(?<![\w-])(?:wird|werden|wurde|wurden|worden)(?![\w-])", re.I)
_DE_PREFIXES = (
    "an|ab|auf|aus|bei|dar|ein|fest|frei|her|hin|hinzu|los|mit|nach|vor|vorab|weg|weiter|zu"
    "|zurück|zusammen|um|durch|wieder|bereit|sicher|statt|teil|hoch|herunter|heraus|voran"
)
_DE_PARTICIPLE = re.compile(
    rf"(?:(?:{_DE_PREFIXES})?ge[a-zäöüß]{{2,}}(?:t|en)"
    r"|[a-zäöüß]{3,}iert"
    r"|(?:be|ver|er|ent|emp|zer|miss|über|unter|hinter|wider)[a-zäöüß]{2,}t)"
)
# fmt: off
_DE_NOT_PARTICIPLE = frozenset({
    "gegen", "gelten", "gehen", "geben", "gehören", "genügen", "gewinnen", "genehmigen",
    "gestalten", "gewähren", "geschehen", "gelangen", "gebrauchen", "gewährleisten",
    "bereit", "erst", "unbedingt", "geeignet", "gesamt", "gerecht", "besteht", "enthält",
    "beträgt", "erfolgt", "ergibt", "entspricht", "betrifft", "verfügt",
})
# fmt: on
_DE_AGENT = re.compile(r"(?<![\w-])(?:von|vom|durch)(?![\w-])", re.I)
_DE_TRIGGER = re.compile(
    r"^\s*(?:wenn|falls|sobald|nachdem|bevor|solange|sofern|während|bis)(?![\w-])", re.I
)
_EN_BE = re.compile(r"(?<![\w-])(?:is|are|be|been|being|was|were)(?![\w-])", re.I)
_EN_PARTICIPLE = re.compile(
    r"[a-z]{2,}ed|sent|shown|made|given|taken|done|known|built|kept|held|set|put|read"
    r"|written|chosen|found|paid|sold|told|left|lost|run|seen|split|drawn|hidden|bound"
    r"|brought|bought|led|met|understood|withdrawn|forgotten|broken|frozen|overridden"
    r"|proven|undone|reset|shut|sought|won|spent|dealt|thrown|grown|begun"
)
_EN_NOT_PARTICIPLE = frozenset(
    {"need", "feed", "seed", "speed", "indeed", "embed", "hundred", "shed", "bed", "red"}
)
_EN_ADVERB = re.compile(r"\s+(?:not|also|only|then|always|never|automatically|[a-z]+ly)(?![\w-])")
_EN_NEXT_WORD = re.compile(r"\s+([a-z]+)(?![\w-])")
_EN_AGENT = re.compile(r"(?<![\w-])by(?![\w-])", re.I)
_EN_TRIGGER = re.compile(
    r"(?<![\w-])(?:when|whenever|if|once|after|before|while|unless|until|as\s+soon\s+as)"
    r"(?![\w-])",
    re.I,
)
_TOKEN = re.compile(r"[\wäöüÄÖÜß]+(?:-[\wäöüÄÖÜß]+)*")


def _passive_de(text: str, sentence: Sentence) -> tuple[int, str] | None:
    for aux in _DE_AUX.finditer(text, sentence.start, sentence.end):
        start = _clause_start(text, sentence.start, aux.start())
        if _DE_TRIGGER.match(text, start):
            continue
        end = _clause_end(text, aux.end(), sentence.end)
        for token in _TOKEN.finditer(text, start, end):
            word = token.group()
            if (
                token.start() != aux.start()
                and word[:1].islower()
                and word not in _DE_NOT_PARTICIPLE
                and _DE_PARTICIPLE.fullmatch(word)
            ):
                pair = (aux.group(), word) if aux.start() < token.start() else (word, aux.group())
                return aux.start(), f"{pair[0]} … {pair[1]}"
    return None


def _passive_en(text: str, sentence: Sentence) -> tuple[int, str] | None:
    for aux in _EN_BE.finditer(text, sentence.start, sentence.end):
        start = _clause_start(text, sentence.start, aux.start())
        if _EN_TRIGGER.search(text, start, aux.start()):
            continue
        position = aux.end()
        while adverb := _EN_ADVERB.match(text, position):
            position = adverb.end()
        token = _EN_NEXT_WORD.match(text, position)
        if token is None:
            continue
        word = token.group(1)
        if word not in _EN_NOT_PARTICIPLE and _EN_PARTICIPLE.fullmatch(word):
            return aux.start(), f"{aux.group()} {word}"
    return None


@rule(
    "lint-passive",
    "no passive voice without an actor ('wird … angezeigt' without von/durch; 'is sent' "
    "without by)",
    "warning",
    group="lint",
    per_item=True,
    kinds=_LINTED,
)
def _lint_passive(graph: TraceGraph, options: Mapping[str, Any]) -> Iterator[Hit]:
    for statement in statements(graph, options):
        if statement.empty:
            continue
        text = statement.text
        german = statement.language == "de"
        agent = _DE_AGENT if german else _EN_AGENT
        for sentence in sentences(text):
            if agent.search(text, sentence.start, sentence.end):
                continue
            found = (_passive_de if german else _passive_en)(text, sentence)
            if found is None:
                continue
            start, words = found
            yield Hit(
                statement.item,
                statement.label(f"passive voice without an actor: '{words}'"),
                "name who acts: 'Das CRM-System zeigt … an', '… von der Vertriebsleitung …'"
                if german
                else "name who acts: 'the CRM system sends …', '… by the sales manager'",
                line=statement.line_at(start),
            )


# --- [lint] in specheft.toml --------------------------------------------------------------

LINT_KEYS: dict[str, _Key] = {
    "weak_words_de": _Key((list,), []),
    "weak_words_en": _Key((list,), []),
    "allow": _Key((list,), []),
    "max_words": _Key((int,), DEFAULT_MAX_WORDS),
}


def validate_lint_table(reader: _Reader, value: Any) -> dict[str, Any]:
    """Check ``[lint]``: known keys, lists of non-empty strings, a positive word limit."""
    if not isinstance(value, Mapping):
        reader.error("", "lint", f"must be a table ([lint]), got {type(value).__name__}")
    values = reader.keys("lint", value, LINT_KEYS)
    for key in ("weak_words_de", "weak_words_en", "allow"):
        for entry in values[key]:
            if not isinstance(entry, str) or not entry.strip():
                reader.error(
                    "lint", key, f"expected a list of words or phrases (strings), got {entry!r}"
                )
    if values["max_words"] < 1:
        reader.error(
            "lint", "max_words", f"expected a positive number of words, got {values['max_words']}"
        )
    return values


TABLE_VALIDATORS["lint"] = validate_lint_table
