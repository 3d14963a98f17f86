"""The lint's shared work in a fresh check (#17): each statement's sentences and modal
verbs are found once for all rules, and markup is stripped only where a line can hold
it, with the same results as stripping every line with every pattern."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from specheft.trace.graph import TraceGraph
from specheft.trace.lint import modals as modals_module
from specheft.trace.lint import statements as statements_module
from specheft.trace.lint.options import LintOptions
from specheft.trace.rules import CheckOptions, evaluate

from .test_lint import catreq, req


def _strip_every_pattern(line: str) -> str:
    """``strip_markup``'s substitutions of one prose line, each applied unconditionally
    (what it did before it skipped the patterns a line cannot match)."""
    s = statements_module
    line = s._HTML.sub("", line)
    line = s._ROLE.sub(s._role_text, line)
    line = s._LINK.sub(r"\1", line)
    line = s._AUTOLINK.sub("", line)
    line = s._URL.sub("", line)
    line = s._LITERAL.sub("CODE", line)
    line = s._FOOTNOTE.sub("", line)
    line = s._SUBSTITUTION.sub("", line)
    for _ in range(2):
        line = s._EMPHASIS.sub(r"\2", line)
    line = s._BLOCK_START.sub("", line)
    return line.replace("|", " ")


_PIECES = (
    "{need}`REQ-1`",
    "{ref}`Titel <label>`",
    "{doc}`<seite>`",
    "[Verweis](https://example.org/a)",
    "![Bild](bild.png)",
    "<https://example.org>",
    "https://example.org/pfad?x=1",
    "ftp://host/datei",
    "``Literal``",
    "`Code`",
    "[^fn]",
    "{{ ersetzung }}",
    "**fett**",
    "*kursiv*",
    "_unter_",
    "__doppelt__",
    "***beides***",
    "<b>html</b>",
    "<!-- Kommentar -->",
    "- ",
    "1. ",
    "> ",
    "a | b",
    "snake_case_name",
    "Das CRM-System muss",
    "z. B.",
    "ggf.",
)


@pytest.mark.parametrize("seed", range(3))
def test_skipping_patterns_strips_lines_as_every_pattern_does(seed):
    rng = random.Random(seed)
    lines = [" ".join(pair) for pair in itertools.product(_PIECES, repeat=2)]
    lines += [" ".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))) for _ in range(500)]
    for line in lines:
        assert statements_module.strip_markup(line) == [_strip_every_pattern(line)], line


def _counting(monkeypatch, module, name):
    calls: list[str] = []
    original = getattr(module, name)

    def counted(text, *args):
        calls.append(text)
        return original(text, *args)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_each_statement_is_split_and_searched_for_modal_verbs_once(monkeypatch):
    monkeypatch.setattr(statements_module, "_SENTENCES", {})
    monkeypatch.setattr(modals_module, "_FOUND", {})
    split = _counting(monkeypatch, statements_module, "_split_sentences")
    searched = _counting(monkeypatch, modals_module, "_modals")
    needs = [
        req("Das CRM-System muss Firmen anlegen und soll sie löschen.", need_id="LH-KON-001"),
        req("Firmen werden angezeigt. Das CRM-System kann sie sortieren.", need_id="LH-KON-002"),
        catreq("Das CRM-System sollte Kontakte pflegen.", "The CRM system shall keep contacts."),
    ]
    options = CheckOptions(language="de", lint=LintOptions())
    findings = evaluate(TraceGraph.from_needs(needs), {}, groups=["lint"], options=options)
    # the rules still fire (modal, multiple, passive read the shared results)
    assert {f.rule for f in findings.findings} >= {"lint-modal", "lint-multiple", "lint-passive"}
    assert sorted(split) == sorted(set(split)) and len(split) == 4
    assert sorted(searched) == sorted(set(searched)) and len(searched) == 4


def test_remembered_sentences_and_modal_verbs_stay_bounded(monkeypatch):
    monkeypatch.setattr(statements_module, "_SENTENCES", {})
    monkeypatch.setattr(statements_module, "_PLAIN_MAX", 3)
    monkeypatch.setattr(modals_module, "_FOUND", {})
    monkeypatch.setattr(modals_module, "_FOUND_MAX", 3)
    for number in range(10):
        text = f"Das System muss {number} Firmen anlegen."
        statement = statements_module.Statement(None, "de", text, None, None, ())  # type: ignore[arg-type]
        assert [m.word for m in modals_module.modals(statement)] == ["muss"]
        assert len(statements_module.sentences(text)) == 1
    assert len(statements_module._SENTENCES) <= 3
    assert len(modals_module._FOUND) <= 3


def test_word_count_counts_words_as_before():
    from specheft.trace.lint.checks import _WORD

    for text in ("", "ein", "z. B. 2,5 s und/oder ‚so’", "a-b c_d e.f, g"):
        assert len(_WORD.findall(text)) == sum(1 for _ in re.finditer(_WORD, text))


def _find_every_bucket(matcher, text, priority):
    """``Matcher.find`` trying each bucket's pattern itself at every word start (what it
    did before it kept each letter's compiled ``match`` methods)."""
    from specheft.trace.lint import matching

    found = []
    for word in matching._WORD_START.finditer(text):
        for word_class, bucket, must_only in matcher.by_letter.get(word.group().lower(), ()):
            match = bucket.compiled().match(text, word.start())
            if match is None or match.end() == match.start():
                continue
            if must_only and matching.normal(match.group()) in must_only and priority != "must":
                continue
            found.append((match.start(), match.end(), word_class))
    for word_class, pattern, must_only in matcher.anywhere:
        for match in pattern.finditer(text):
            if match.end() == match.start():
                continue
            if must_only and matching.normal(match.group()) in must_only and priority != "must":
                continue
            found.append((match.start(), match.end(), word_class))
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    allowed = [m.span() for m in matcher.allow.finditer(text)] if matcher.allow else []
    result, end = [], -1
    for start, stop, word_class in found:
        if start < end or any(a <= start and stop <= b for a, b in allowed):
            continue
        result.append((start, stop, word_class))
        end = stop
    return result


@pytest.mark.parametrize("language", ["de", "en"])
def test_weak_words_found_with_kept_match_methods_as_with_every_bucket(language):
    from specheft.trace.lint import matching
    from specheft.trace.lint.words import WEAK_WORDS

    words = [t.split("=")[0].rstrip("~+") for ts in WEAK_WORDS[language].values() for t in ts]
    words += ["Das", "System", "muss", "und", "shall", "(offen)", "a/b", "up to 5", "Wunderbar"]
    rng = random.Random(language)
    matcher = matching.compiled_matcher.__wrapped__(language, ("Wunder*",), ("schnell",))
    hits = 0
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
        for priority in ("must", "should"):
            expected = _find_every_bucket(matcher, text, priority)
            assert matcher.find(text, priority) == expected, text
            hits += bool(expected)
    assert hits > 100
    # each word start seen keeps, in order, those of its letter's buckets whose matches
    # may begin with its two characters (all of them for a pair that is not ASCII)
    assert matcher.matchers
    for pair, kept in matcher.matchers.items():
        letter = pair[:1].lower()
        allowed = [
            c
            for (c, _, _), starts in zip(
                matcher.by_letter.get(letter, ()), matcher.prefixes.get(letter, ()), strict=True
            )
            if not pair.isascii() or starts is None or pair.lower() in starts
        ]
        assert [c for c, _, _ in kept] == allowed


@pytest.mark.parametrize("language", ["de", "en"])
def test_weak_words_found_by_two_first_characters_as_with_every_bucket(language):
    """Buckets are tried only where a word starts with two characters their matches may
    begin with: the same weak words as trying every bucket of the letter, in any case,
    next to punctuation, with umlauts and with characters that match others ignoring
    case (Kelvin sign, long s, dotted I: tried with all buckets)."""
    from specheft.trace.lint import matching
    from specheft.trace.lint.words import WEAK_WORDS

    words = [t.split("=")[0].rstrip("~+") for ts in WEAK_WORDS[language].values() for t in ts]
    rng = random.Random(f"pairs-{language}")

    def variant(word: str) -> str:
        choice = rng.randrange(8)
        if choice == 0:
            return word.upper()
        if choice == 1:
            return word.capitalize()
        if choice == 2:
            return word[: rng.randint(1, max(1, len(word)))]  # a cut-off start
        if choice == 3:
            return word.replace("k", "\u212a").replace("s", "\u017f")  # match ignoring case
        if choice == 4:
            return rng.choice("İÄÖÜäöüß") + word[1:]
        if choice == 5:
            return word + rng.choice(",.;:!?)-/")
        return word

    matcher = matching.compiled_matcher.__wrapped__(language, ("Wunder*", "xy"), ("schnell",))
    fillers = ["Das", "System", "muss", "und", "a", "z", "(", "1", "up to 5", "Wunderbar", "xyz"]
    hits = 0
    for _ in range(1500):
        text = " ".join(variant(rng.choice(words + fillers)) for _ in range(rng.randint(1, 12)))
        for priority in ("must", "should"):
            expected = _find_every_bucket(matcher, text, priority)
            assert matcher.find(text, priority) == expected, text
            hits += bool(expected)
    assert hits > 500
    assert any(not pair.isascii() for pair in matcher.matchers)
    skipped = sum(
        len(matcher.by_letter.get(pair[:1].lower(), ())) - len(kept)
        for pair, kept in matcher.matchers.items()
    )
    assert skipped > 0  # (buckets left out somewhere)
