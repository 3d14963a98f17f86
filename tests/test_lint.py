"""The requirement-quality rules (group ``lint``): each rule seen firing and passing, in
German and English, on hand-built graphs; the ``[lint]`` settings; and ``specheft check``
on mini projects, the bundled catalogue and the example."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from specheft.errors import ConfigError
from specheft.tables import parse_settings
from specheft.trace.graph import TraceGraph
from specheft.trace.lint.options import LINT_TABLE, LintOptions
from specheft.trace.rules import RULES, CheckOptions, Finding, RuleLevel, all_rules, evaluate

from .helpers import REPO, item

LINT_RULES = (
    "lint-weak-word",
    "lint-modal",
    "lint-multiple",
    "lint-acceptance",
    "lint-length",
    "lint-passive",
)
#: A requirement's directive is on line 10 and its body starts on line 14.
DIRECTIVE_LINE = 10
BODY_LINE = 14


def req(
    content: str, priority: str = "must", need_id: str = "LH-KON-001", **fields: Any
) -> dict[str, Any]:
    return {
        "id": need_id,
        "type": "req",
        "title": "Titel",
        "docname": "anf",
        "doctype": ".md",
        "lineno": DIRECTIVE_LINE,
        "lineno_content": BODY_LINE - DIRECTIVE_LINE,
        "priority": priority,
        "acceptance": "Ein Key-User legt eine Firma an; das CRM-System zeigt sie an.",
        "content": content,
        **fields,
    }


def catreq(content: str, statement_en: str, **fields: Any) -> dict[str, Any]:
    return {
        **req(content, need_id="CAT-KON-010"),
        "type": "catreq",
        "statement_en": statement_en,
        "acceptance_en": "A key user creates a company; the CRM system shows it.",
        **fields,
    }


def lint(
    needs: list[dict[str, Any]],
    language: str = "de",
    levels: dict[str, RuleLevel] | None = None,
    **options: Any,
) -> list[Finding]:
    graph = TraceGraph.from_needs(needs)
    lint = LintOptions(**{k: tuple(v) if isinstance(v, list) else v for k, v in options.items()})
    opts = CheckOptions(language=language, lint=lint)
    return evaluate(graph, levels or {}, groups=["lint"], options=opts).findings


def of(findings: list[Finding], rule: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in findings if f.rule == rule]


def messages(content: str, rule: str, language: str = "de", **fields: Any) -> list[str]:
    return [m for _, m in of(lint([req(content, **fields)], language), rule)]


# --- registration -------------------------------------------------------------------------


def test_lint_rules_are_registered_with_their_defaults():
    rules = all_rules()
    # lint-fenced-item (info) reads the sources, not statements: tests/test_source_diagnostics.py
    assert {r.id for r in rules.values() if r.group == "lint"} == {*LINT_RULES, "lint-fenced-item"}
    for rule_id in LINT_RULES:
        if rule_id != "lint-acceptance":
            assert RULES[rule_id].default == RuleLevel("warning"), rule_id
    acceptance = RULES["lint-acceptance"].default
    assert [acceptance.for_priority(p) for p in ("must", "should", "can")] == [
        "error",
        "off",
        "off",
    ]


def test_good_requirements_have_no_findings():
    needs = [
        req("Das CRM-System muss Firmen mit Name und Anschrift anlegen."),
        req(
            "Das CRM-System soll dem Vertrieb die Möglichkeit bieten, Firmen zu löschen.",
            "should",
            "LH-KON-002",
        ),
        req("Das CRM-System kann Firmen als PDF exportieren.", "can", "LH-KON-003"),
        req(
            "Wenn ein Benutzer eine neue Firma speichert, muss das CRM-System vorhandene "
            "Firmen mit einer Namensähnlichkeit von mindestens 85 % als Dubletten anzeigen.",
            need_id="LH-KON-004",
        ),
        req("Das CRM-System darf Kalkulationsdaten nicht anzeigen.", need_id="LH-KON-005"),
    ]
    assert lint(needs) == []
    english = [
        req("The CRM system shall create companies with name and address."),
        req(
            "The CRM system should delete companies on request of the owner.",
            "should",
            "LH-KON-002",
        ),
        req("The CRM system may export companies as PDF.", "can", "LH-KON-003"),
        req(
            "When an order is released, the CRM system shall create a delivery task "
            "within 5 minutes.",
            need_id="LH-KON-004",
        ),
    ]
    assert lint(english, "en") == []


# --- lint-weak-word -----------------------------------------------------------------------


def test_weak_word_names_word_class_line_and_hint():
    findings = lint([req("Das CRM-System muss Firmen\nschnell anlegen.")])
    [finding] = [f for f in findings if f.rule == "lint-weak-word"]
    assert finding.line == BODY_LINE + 1
    assert finding.item == "LH-KON-001"
    assert finding.level == "warning"
    assert finding.message == "weak word 'schnell' (vague quality)"
    assert finding.hint is not None and "measurable value with a unit" in finding.hint


@pytest.mark.parametrize(
    ("phrase", "word_class"),
    [
        ("zeitnah", "vague quality"),
        ("benutzerfreundlich", "vague quality"),
        ("einige", "vague quantity"),
        ("ca. 500", "vague quantity"),
        ("möglichst", "escape clause"),
        ("ggf.", "escape clause"),
        ("bei Bedarf", "escape clause"),
        ("usw.", "open-ended enumeration"),
        ("z. B.", "open-ended enumeration"),
        ("und/oder", "ambiguous logic"),
        ("bzw.", "ambiguous logic"),
        ("TBD", "open point"),
        ("noch zu klären", "open point"),
        ("siehe oben", "incomplete reference"),
        ("verwalten", "filler verb"),
        ("alle", "universal quantifier"),
        ("jederzeit", "universal quantifier"),
    ],
)
def test_german_weak_words(phrase, word_class):
    found = messages(f"Das CRM-System muss {phrase} Firmen anlegen.", "lint-weak-word")
    assert f"weak word '{phrase.split(' 500')[0]}' ({word_class})" in found


@pytest.mark.parametrize(
    ("statement", "word", "word_class"),
    [
        ("The CRM system shall create companies fast.", "fast", "vague quality"),
        ("The CRM system shall be user-friendly.", "user-friendly", "vague quality"),
        ("The CRM system shall import several files.", "several", "vague quantity"),
        ("The CRM system shall import files if possible.", "if possible", "escape clause"),
        ("The CRM system shall import files, logs etc.", "etc.", "open-ended enumeration"),
        ("The CRM system shall show tickets and/or leads.", "and/or", "ambiguous logic"),
        ("The CRM system shall show TBD fields.", "TBD", "open point"),
        ("The CRM system shall support campaigns.", "support", "filler verb"),
        ("The CRM system shall be able to print.", "be able to", "superfluous infinitive"),
        ("The CRM system shall always log changes.", "always", "universal quantifier"),
    ],
)
def test_english_weak_words(statement, word, word_class):
    assert f"weak word '{word}' ({word_class})" in messages(statement, "lint-weak-word", "en")


def test_german_adjectives_match_with_their_endings():
    found = messages(
        "Das CRM-System muss schnelle Suchen und am schnellsten allen Benutzern zeigen.",
        "lint-weak-word",
    )
    assert found == [
        "weak word 'schnelle' (vague quality)",
        "weak word 'schnellsten' (vague quality)",
        "weak word 'allen' (universal quantifier)",
    ]


@pytest.mark.parametrize(
    ("statement", "language"),
    [
        ("Das CRM-System muss den Grund einer Absage speichern.", "de"),  # not 'rund'
        ("Das CRM-System muss die Schnellsuche rund um die Uhr anbieten.", "de"),
        ("Das CRM-System muss dem Vertrieb die Möglichkeit bieten, Firmen anzulegen.", "de"),
        ("Das CRM-System muss Antworten in maximal 2 s anzeigen.", "de"),
        ("Das CRM-System muss Firmen der Größenklasse A anzeigen.", "de"),
        ("The CRM system shall send the support ticket to the CRM manager.", "en"),
        ("The CRM system shall store information about the customer.", "en"),
        ("The CRM system shall show up to 10 tickets, at most 3 per page.", "en"),
        ("The CRM system shall connect via TCP/IP and report speeds in km/h.", "en"),
    ],
)
def test_weak_words_only_match_whole_words(statement, language):
    assert messages(statement, "lint-weak-word", language) == []


def test_optional_is_a_loophole_only_in_a_must_requirement():
    text = "Das CRM-System {} Firmen optional als PDF exportieren."
    assert messages(text.format("muss"), "lint-weak-word") == [
        "weak word 'optional' (escape clause)"
    ]
    assert messages(text.format("kann"), "lint-weak-word", priority="can") == []


def test_markup_is_stripped_before_checking():
    body = (
        "Das CRM-System muss **Firmen** gemäß {need}`LH-KON-002` und der\n"
        "[Vorgabe](https://example.com/etc/und/oder) mit `ca.` und <https://x.y/ggf.> "
        "*anlegen*.\n"
        "\n"
        "```\n"
        "einige Beispiele usw.\n"
        "```\n"
    )
    assert lint([req(body)]) == []
    nested = "Das CRM-System muss Firmen anlegen.\n\n:::{note}\n:class: hinweis\nGilt immer.\n:::\n"
    assert of(lint([req(nested)]), "lint-weak-word") == [
        (BODY_LINE + 4, "weak word 'immer' (universal quantifier)")
    ]
    found = of(lint([req("Das CRM-System muss Firmen\n**schnell** anlegen.")]), "lint-weak-word")
    assert found == [(BODY_LINE + 1, "weak word 'schnell' (vague quality)")]


def test_lint_options_extend_and_reduce_the_lists():
    needs = [req("Das CRM-System muss Firmen zeitnah im Kundenportal und Kundenkonto anlegen.")]
    assert [m for _, m in of(lint(needs), "lint-weak-word")] == [
        "weak word 'zeitnah' (vague quality)"
    ]
    extended = lint(needs, weak_words_de=["Kundenportal", "Kundenk*"], allow=["zeitnah"])
    assert [m for _, m in of(extended, "lint-weak-word")] == [
        "weak word 'Kundenportal' (project weak word)",
        "weak word 'Kundenkonto' (project weak word)",
    ]
    # the English list is separate
    assert of(lint(needs, weak_words_en=["Kundenportal"]), "lint-weak-word") == of(
        lint(needs), "lint-weak-word"
    )


def test_slash_as_or_can_be_allowed():
    needs = [req("Das CRM-System muss Firmen als Kunde/Lieferant kennzeichnen.")]
    assert [m for _, m in of(lint(needs), "lint-weak-word")] == [
        "weak word 'Kunde/Lieferant' (ambiguous logic)"
    ]
    assert of(lint(needs, allow=["/"]), "lint-weak-word") == []


def test_allow_takes_a_phrase_out_but_keeps_the_word_elsewhere():
    needs = [req("Das CRM-System muss bei hoher Last eine hohe Verfügbarkeit von 99 % bieten.")]
    found = [m for _, m in of(lint(needs, allow=["hohe Verfügbarkeit"]), "lint-weak-word")]
    assert found == ["weak word 'hoher' (vague quality)"]


# --- lint-modal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "priority", "message"),
    [
        (
            "Das CRM-System soll Firmen anlegen.",
            "must",
            "modal verb 'soll' does not match priority must",
        ),
        (
            "Das CRM-System muss Firmen anlegen.",
            "can",
            "modal verb 'muss' does not match priority can",
        ),
        (
            "Das CRM-System legt Firmen an.",
            "must",
            "no modal verb: the statement does not say how binding it is",
        ),
        (
            "Das CRM-System sollte Firmen anlegen.",
            "should",
            "Konjunktiv 'sollte' makes the requirement non-binding",
        ),
        (
            "Das CRM-System muss Firmen anlegen und kann sie exportieren.",
            "must",
            "mixes modal verbs of different weight: 'muss' and 'kann'",
        ),
    ],
)
def test_modal_german_findings(statement, priority, message):
    found = of(lint([req(statement, priority)]), "lint-modal")
    assert found == [(BODY_LINE, message)]


def test_modal_hint_names_the_modal_of_the_priority():
    [finding] = [
        f for f in lint([req("Das CRM-System soll Firmen anlegen.")]) if f.rule == "lint-modal"
    ]
    assert finding.hint == "write 'muss', or change :priority: to should"


@pytest.mark.parametrize(
    ("statement", "priority", "message"),
    [
        ("The CRM system should create companies.", "must", "modal verb 'should' does not match"),
        ("The CRM system creates companies.", "should", "no modal verb"),
        ("The CRM system could create companies.", "can", "weak modal verb 'could'"),
        ("The CRM system would create companies.", "must", "weak modal verb 'would'"),
        ("The CRM system shall create and may delete companies.", "must", "mixes modal verbs"),
    ],
)
def test_modal_english_findings(statement, priority, message):
    [(line, found)] = of(lint([req(statement, priority)], "en"), "lint-modal")
    assert line == BODY_LINE and found.startswith(message)


@pytest.mark.parametrize(
    ("statement", "priority", "language"),
    [
        ("Das CRM-System muss sicherstellen, dass Benutzer Firmen sehen können.", "must", "de"),
        ("Das CRM-System muss Firmen auch offline anlegen können.", "must", "de"),
        ("Kein Benutzer darf Kalkulationsdaten ändern.", "must", "de"),
        ("Das CRM-System kann Firmen exportieren.", "can", "de"),
        ("The CRM system shall block quotes so that nobody can send them.", "must", "en"),
        ("The CRM system shall not delete companies.", "must", "en"),
        ("The CRM system may export companies in May 2027.", "can", "en"),
    ],
)
def test_modal_passes(statement, priority, language):
    assert of(lint([req(statement, priority)], language), "lint-modal") == []


def test_empty_statement_is_reported():
    found = of(lint([req("")]), "lint-modal")
    assert found == [(BODY_LINE, "the requirement has no statement")]


# --- lint-multiple ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "language", "line", "what"),
    [
        (
            "Das CRM-System muss Firmen anlegen und muss Personen zuordnen.",
            "de",
            BODY_LINE,
            "'und … muss'",
        ),
        (
            "Das CRM-System muss Firmen anlegen sowie\nsoll Personen zuordnen.",
            "de",
            BODY_LINE + 1,
            "'sowie … soll'",
        ),
        (
            "Das CRM-System muss Firmen anlegen; das CRM-System muss Personen zuordnen.",
            "de",
            BODY_LINE,
            "'; … muss'",
        ),
        (
            "Das CRM-System muss Firmen anlegen.\nDas CRM-System muss Personen zuordnen.",
            "de",
            BODY_LINE + 1,
            "a second sentence with 'muss'",
        ),
        (
            "The CRM system shall create companies and shall assign contacts.",
            "en",
            BODY_LINE,
            "'and … shall'",
        ),
    ],
)
def test_multiple_requirements_in_one_item(statement, language, line, what):
    found = of(lint([req(statement)], language), "lint-multiple")
    assert found == [(line, f"more than one requirement in one item: {what}")]


@pytest.mark.parametrize(
    ("statement", "language"),
    [
        ("Das CRM-System muss Firmen mit Name, Anschrift und Branche anlegen.", "de"),
        ("Das CRM-System muss sicherstellen, dass Benutzer Firmen sehen können.", "de"),
        ("Das CRM-System muss Firmen z. B. nach Name sortieren.", "de"),
        ("When a user can log in, the CRM system shall show the start page.", "en"),
    ],
)
def test_one_requirement_per_item_passes(statement, language):
    assert of(lint([req(statement)], language), "lint-multiple") == []


# --- lint-acceptance ----------------------------------------------------------------------


def test_must_without_acceptance_is_an_error():
    needs = [
        req("Das CRM-System muss Firmen anlegen.", acceptance=None),
        req("Das CRM-System soll Firmen löschen.", "should", "LH-KON-002", acceptance=None),
        req("Das CRM-System muss Firmen sperren.", need_id="LH-KON-003"),
    ]
    findings = [f for f in lint(needs) if f.rule == "lint-acceptance"]
    assert [(f.level, f.item, f.line, f.message) for f in findings] == [
        (
            "error",
            "LH-KON-001",
            DIRECTIVE_LINE,
            "must requirement has no acceptance criterion (:acceptance:)",
        )
    ]
    # like any rule, configurable per priority
    levels = {"lint-acceptance": RuleLevel("", {"should": "warning"}, inherit=True)}
    findings = [f for f in lint(needs, levels=levels) if f.rule == "lint-acceptance"]
    assert [(f.level, f.item) for f in findings] == [
        ("error", "LH-KON-001"),
        ("warning", "LH-KON-002"),
    ]


def test_catalogue_item_needs_both_acceptance_criteria():
    item_ = catreq(
        "Das CRM-System muss Firmen anlegen.",
        "The CRM system shall create companies.",
        acceptance_en="",
    )
    assert of(lint([item_]), "lint-acceptance") == [
        (DIRECTIVE_LINE, "must requirement has no acceptance criterion (:acceptance_en:)")
    ]


# --- lint-length --------------------------------------------------------------------------


def _words(count: int) -> str:
    return "Das CRM-System muss " + " ".join(["Firmen"] * (count - 4)) + " anlegen."


def test_length_default_and_configured():
    assert of(lint([req(_words(40))]), "lint-length") == []
    assert of(lint([req(_words(41))]), "lint-length") == [
        (BODY_LINE, "statement has 41 words (more than 40)")
    ]
    assert of(lint([req(_words(12))], max_words=10), "lint-length") == [
        (BODY_LINE, "statement has 12 words (more than 10)")
    ]


def test_length_ignores_markup_and_counts_english_too():
    marked = "Das CRM-System muss {need}`LH-KON-002` **fett** `x y z` [Link](https://a.b/c) tun."
    assert of(lint([req(marked)], max_words=8), "lint-length") == []
    assert of(lint([req(marked)], max_words=7), "lint-length") == [
        (BODY_LINE, "statement has 8 words (more than 7)")
    ]
    english = "The CRM system shall " + "show " * 8 + "companies."
    assert of(lint([req(english)], "en", max_words=10), "lint-length") == [
        (BODY_LINE, "statement has 13 words (more than 10)")
    ]


# --- lint-passive -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "language", "words"),
    [
        ("Die Firma muss im CRM-System angelegt werden.", "de", "angelegt … werden"),
        ("Das Angebot wird an das ERP-System übermittelt.", "de", "wird … übermittelt"),
        ("Der Auftrag muss freigegeben werden.", "de", "freigegeben … werden"),
        (
            "Änderungen werden protokolliert, bevor das CRM-System speichert.",
            "de",
            "werden … protokolliert",
        ),
        ("The report shall be sent to the head of sales.", "en", "be sent"),
        ("Changes to companies shall be logged.", "en", "be logged"),
    ],
)
def test_passive_without_actor(statement, language, words):
    found = of(lint([req(statement)], language), "lint-passive")
    assert found == [(BODY_LINE, f"passive voice without an actor: '{words}'")]


@pytest.mark.parametrize(
    ("statement", "language"),
    [
        ("Der Auftrag muss von der Vertriebsleitung freigegeben werden.", "de"),
        ("Die Daten müssen durch das CRM-System verschlüsselt werden.", "de"),
        ("Wenn eine Firma gespeichert wird, muss das CRM-System sie anzeigen.", "de"),
        ("Das CRM-System muss Firmen anlegen.", "de"),
        ("Leads müssen zu Opportunities werden können.", "de"),
        ("The report shall be sent by the CRM system.", "en"),
        ("When an order is released, the CRM system shall create a task.", "en"),
        ("The CRM system shall be available on 99 % of the working days.", "en"),
    ],
)
def test_active_voice_or_named_actor_passes(statement, language):
    assert of(lint([req(statement)], language), "lint-passive") == []


# --- which statements are checked ---------------------------------------------------------


def test_catalogue_items_are_checked_in_both_languages():
    item_ = catreq(
        "Das CRM-System muss Firmen schnell anlegen.",
        "The CRM system shall create companies quickly.",
    )
    found = of(lint([item_]), "lint-weak-word")
    assert found == [
        (DIRECTIVE_LINE, "statement_en: weak word 'quickly' (vague quality)"),
        (BODY_LINE, "weak word 'schnell' (vague quality)"),
    ]
    assert of(lint([item_], "en"), "lint-weak-word") == found  # independent of the project


def test_requirements_are_checked_in_the_project_language():
    text = "The CRM system shall create companies quickly."
    assert messages(text, "lint-modal") == [
        "no modal verb: the statement does not say how binding it is"
    ]
    assert messages(text, "lint-weak-word", "en") == ["weak word 'quickly' (vague quality)"]


def test_inactive_and_other_items_are_not_checked():
    needs = [
        req("Das CRM-System sollte schnell sein.", status="rejected"),
        {**req("Das System sollte schnell sein."), "id": "PH-KON-001", "type": "spec"},
    ]
    assert lint(needs) == []


def test_without_body_line_the_item_line_is_used():
    need = req("Das CRM-System muss Firmen\nschnell anlegen.")
    del need["lineno_content"]
    assert of(lint([need]), "lint-weak-word") == [
        (DIRECTIVE_LINE, "weak word 'schnell' (vague quality)")
    ]


def test_lint_is_linear_in_the_statements():
    def seconds(n: int) -> float:
        needs = [
            req(
                "Wenn ein Benutzer eine Firma speichert, muss das CRM-System ggf. alle "
                "Dubletten schnell anzeigen und muss sie markieren; die Firma wird gespeichert.",
                need_id=f"LH-KON-{i:04d}",
            )
            for i in range(n)
        ]
        graph = TraceGraph.from_needs(needs)
        start = time.perf_counter()
        evaluate(graph, {}, groups=["lint"], options=CheckOptions("de"))
        return time.perf_counter() - start

    seconds(200)  # warm up, compile the patterns
    small, large = min(seconds(500) for _ in range(3)), min(seconds(4000) for _ in range(3))
    assert large < small * 8 * 2.5, (small, large)


# --- [lint] in specheft.toml --------------------------------------------------------------

SETTINGS_HEAD = '[project]\nname = "Mini"\n\n[lint]\n'


def test_lint_table_is_validated():
    settings = parse_settings(
        SETTINGS_HEAD + 'weak_words_de = ["Portal"]\nallow = ["zeitnah"]\nmax_words = 30\n'
    )
    # validated once into the typed options the lint rules read
    assert settings.option(LINT_TABLE) == LintOptions(
        weak_words_de=("Portal",), allow=("zeitnah",), max_words=30
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("max_wrds = 30\n", 5, "lint.max_wrds: unknown key"),
        ('allow = ["a"]\nmax_words = "40"\n', 6, "lint.max_words: expected int"),
        ("max_words = true\n", 5, "lint.max_words: expected int"),
        ("max_words = 0\n", 5, "lint.max_words: expected a positive number"),
        ('weak_words_de = "zeitnah"\n', 5, "lint.weak_words_de: expected list"),
        ("weak_words_en = [1]\n", 5, "lint.weak_words_en: expected a list of words"),
        ('allow = [""]\n', 5, "lint.allow: expected a list of words"),
    ],
)
def test_bad_lint_settings_name_file_and_line(body, line, message):
    with pytest.raises(ConfigError) as caught:
        parse_settings(SETTINGS_HEAD + body, Path("conf/specheft.toml"))
    assert message in str(caught.value)
    assert caught.value.location is not None
    assert (caught.value.location.path, caught.value.location.line) == ("conf/specheft.toml", line)


def test_unknown_lint_key_suggests_the_right_one():
    with pytest.raises(ConfigError) as caught:
        parse_settings(SETTINGS_HEAD + "max_wrds = 30\n")
    assert caught.value.hint == "did you mean 'max_words'?"


# --- specheft check -----------------------------------------------------------------------


def _page(body: str, acceptance: bool = True) -> str:
    fields = {"id": "LH-KON-001", "priority": "must", "phase": "PHASE-IMPL"}
    if acceptance:
        fields["acceptance"] = "Ein Key-User legt eine Firma an; das CRM-System zeigt sie an."
    return (
        "# Anforderungen\n\n"
        + item("req", "Firmen", body, **fields)
        + item(
            "spec",
            "Maske",
            "Standard.",
            id="PH-KON-001",
            satisfies="LH-KON-001",
            phase="PHASE-IMPL",
        )
        + item(
            "test",
            "Firma anlegen",
            "Schritte.",
            id="TC-UAT-KON-001",
            verifies="PH-KON-001",
            level="uat",  # the customer's acceptance test: no req-uat warning
            phase="PHASE-TEST",
        )
    )


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_check_reports_located_lint_warnings(make_project, run_cli):
    page = _page("Das CRM-System muss Firmen\nschnell anlegen und\nmuss Personen zuordnen.")
    project = make_project({"anf.md": page})
    result = run_cli("check", project.root)
    assert result.code == 0, result.output
    line = _line_of(page, "schnell anlegen")
    assert (
        f"spec/anf.md:{line}: warning: LH-KON-001: weak word 'schnell' (vague quality)"
        in result.out
    )
    assert "hint: name a measurable value with a unit" in result.out
    assert (
        f"spec/anf.md:{line + 1}: warning: LH-KON-001: more than one requirement in one "
        "item: 'und … muss'" in result.out
    )
    assert "0 errors, 2 warnings" in result.out
    assert run_cli("check", project.root, "--strict").code == 1


def test_check_reports_a_must_without_acceptance_as_error(make_project, run_cli):
    page = _page("Das CRM-System muss Firmen anlegen.", acceptance=False)
    project = make_project({"anf.md": page})
    result = run_cli("check", project.root)
    assert result.code == 1, result.output
    line = _line_of(page, ":::{req}")
    assert (
        f"spec/anf.md:{line}: error: LH-KON-001: must requirement has no acceptance "
        "criterion (:acceptance:)" in result.out
    )


def test_check_english_project_and_lint_settings(make_project, run_cli):
    settings = (
        '[project]\nname = "Mini"\nlanguage = "en"\n\n[areas]\nKON = "Contacts"\n\n'
        '[lint]\nallow = ["quickly"]\nweak_words_en = ["portal"]\n'
    )
    page = _page("The CRM system shall quickly create companies in the portal.")
    project = make_project({"anf.md": page}, settings=settings)
    result = run_cli("check", project.root, "--strict")
    assert result.code == 1, result.output
    line = _line_of(page, "The CRM system")
    assert (
        f"spec/anf.md:{line}: warning: LH-KON-001: weak word 'portal' (project weak word)"
        in result.out
    )
    assert "quickly" not in result.out


def test_bad_lint_key_is_an_input_error(make_project, run_cli):
    settings = '[project]\nname = "Mini"\n\n[areas]\nKON = "Kontakte"\n\n[lint]\nmax_wrds = 30\n'
    project = make_project(
        {"anf.md": _page("Das CRM-System muss Firmen anlegen.")}, settings=settings
    )
    result = run_cli("check", project.root)
    assert result.code == 2
    assert "specheft.toml:8: lint.max_wrds: unknown key" in result.err
    assert "did you mean 'max_words'?" in result.err
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def catalogue_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalogue") / "requirements_catalog"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / "requirements_catalog" / part, root / part)
    return root


def test_bundled_catalogue_has_no_lint_findings(catalogue_copy, run_cli):
    result = run_cli("check", catalogue_copy, "--format", "json")
    data = json.loads(result.out)
    lint_findings = [
        f"{f['path']}:{f['line']}: {f['rule']}: {f['item']}: {f['message']}"
        for f in data["findings"]
        if f["rule"].startswith("lint-")
    ]
    assert lint_findings == []
    text = run_cli("check", catalogue_copy, "--strict")
    assert text.code == 0, text.output
    assert "205 items" in text.out
