"""The lint rules themselves (their options: ``trace.lint.options``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from specheft.model import Kind
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.lint.matching import Matcher, compiled_matcher
from specheft.trace.lint.modals import (
    KONJUNKTIV,
    LINTED,
    PRIORITIES,
    Modal,
    expected_modal,
    modals,
)
from specheft.trace.lint.statements import (
    Sentence,
    clause_end,
    clause_start,
    sentences,
    statements,
)
from specheft.trace.lint.words import CLASSES, DEFAULT_MAX_WORDS
from specheft.trace.ruleset import CheckOptions, Hit, rule

# --- the rules ----------------------------------------------------------------------------


@rule(
    "lint-weak-word",
    "requirement statements avoid vague and weak words (weak-word lists, [lint] in specheft.toml)",
    "warning",
    group="lint",
    per_item=True,
    kinds=LINTED,
)
def _lint_weak_word(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    lint = options.lint

    def matcher(language: str) -> Matcher:  # compiled only when there is text to check
        return compiled_matcher(language, lint.weak_words(language), lint.allow)

    for statement in statements(graph, options.language):
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
    kinds=LINTED,
)
def _lint_modal(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for statement in statements(graph, options.language):
        item = statement.item
        priority = item.priority
        expected = expected_modal(statement, priority)
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
    kinds=LINTED,
)
def _lint_multiple(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for statement in statements(graph, options.language):
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
    kinds=LINTED,
    should="off",
    can="off",
)
def _lint_acceptance(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for kind, fields in (
        (Kind.REQ, ("acceptance",)),
        (Kind.CATALOG, ("acceptance", "acceptance_en")),
    ):
        for item in graph.of_kind(kind):
            missing = [f for f in fields if not str(item.get(f) or "").strip()]
            if missing:
                names = " and ".join(f":{f}:" for f in missing)
                priority = item.priority if item.priority in PRIORITIES else "a"
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
    kinds=LINTED,
)
def _lint_length(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    limit = options.lint.max_words
    for statement in statements(graph, options.language):
        words = len(_WORD.findall(statement.text))  # (no groups: one entry per word)
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
        start = clause_start(text, sentence.start, aux.start())
        if _DE_TRIGGER.match(text, start):
            continue
        end = clause_end(text, aux.end(), sentence.end)
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
        start = clause_start(text, sentence.start, aux.start())
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
    kinds=LINTED,
)
def _lint_passive(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for statement in statements(graph, options.language):
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


@rule(
    "lint-fenced-item",
    "an item directive inside a code block (``` or ~~~) is shown as code, not an item "
    "(unless its id is an item: an example)",
    "info",
    group="lint",
)
def _lint_fenced_item(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for path, line, kind, item_id in options.fenced_items:
        if item_id is not None and graph.get(item_id) is not None:
            continue  # an example of an item that exists (a catalogue's format page)
        yield Hit(
            Item(id=item_id or f"({kind})", kind=kind, title="", path=path, line=line),
            f"this {kind} directive is inside a code block, so it is shown as code and is no item",
            "remove the code fence around it if it is meant as an item; an example may stay",
        )
