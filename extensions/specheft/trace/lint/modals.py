"""Modal verbs of a statement and the one its priority expects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from specheft.model import Kind, Priority
from specheft.trace.lint.matching import normal
from specheft.trace.lint.statements import Statement, clause_end, clause_start, sentences

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


#: (text, language) → its modal verbs: the modal and multiple rules read the same
_FOUND: dict[tuple[str, str], tuple[Modal, ...]] = {}
_FOUND_MAX = 50_000


def modals(statement: Statement) -> tuple[Modal, ...]:
    """:func:`_modals` of the statement's text and language, remembered (bounded: serve)."""
    key = (statement.text, statement.language)
    found = _FOUND.get(key)
    if found is None:
        if len(_FOUND) >= _FOUND_MAX:
            _FOUND.clear()
        found = _FOUND[key] = tuple(_modals(statement.text, statement.language))
    return found


def _modals(text: str, language: str) -> list[Modal]:
    """The modal verbs of a statement, each with its family and clause role.

    German: a modal verb in verb-final position (directly before a comma or the end of
    the sentence) belongs to a subordinate clause or is the infinitive of "muss …
    anlegen können". English: a modal verb after a subordinating word in its clause
    ("so that users can …"). Subordinate modal verbs count only in a sentence without
    a main one.
    """
    found: list[Modal] = []
    for number, sentence in enumerate(sentences(text)):
        in_sentence = []
        for match in _MODAL_RE[language].finditer(text, sentence.start, sentence.end):
            word = match.group()
            lower = normal(word)
            if lower == "may" and word[0] == "M":
                continue  # the month
            family = _MODALS[language][lower]
            clause = clause_start(text, sentence.start, match.start())
            end = clause_end(text, match.end(), sentence.end)
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


def expected_modal(statement: Statement, priority: str | None) -> str | None:
    if priority not in PRIORITIES:
        return None
    return EXPECTED[statement.language][str(priority)]


PRIORITIES = frozenset(str(p) for p in Priority)


#: The kinds whose statements the lint reads (see ``statements``).
LINTED = (str(Kind.REQ), str(Kind.CATALOG))
