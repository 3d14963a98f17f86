"""Test evidence as tables: ``test-results`` and ``acceptance-decision``.

    :::{test-results}
    :show: runs, levels, priorities, defects
    :::

    :::{acceptance-decision}
    :documents: lastenheft, pflichtenheft
    :phase: PHASE-IMPL
    :::

``test-results`` lists the imported runs with their counts, the latest result of every
test by level and by priority (a test counts under the highest priority it verifies)
and the open defects by class. ``acceptance-decision`` is the core of the
Abnahmeprotokoll: the documents accepted against (version, date, fingerprint), the
Go/No-Go decision of :func:`specheft.evidence.acceptance.decide` with every reason,
and the residual defects (Restmängelliste); "unter Vorbehalt" when a Go leaves defects
open. The runs are read by :mod:`..evidence_view`; the pages are rewritten when a run
file changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx

from specheft.errors import SpecheftError
from specheft.evidence.acceptance import Decision, Reason, decide
from specheft.evidence.model import Defect, Outcome, Run
from specheft.evidence.store import TestResult, results_of
from specheft.labels import label, register, value_label
from specheft.model import Kind, Priority
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.directives.base import (
    RENDERERS,
    TraceDirective,
    choices,
    id_list,
    trace_placeholder,
)
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.trace.coverage import coverage
from specheft.trace.graph import TraceGraph

register(
    "de",
    {
        "results.none": "Es sind noch keine Testläufe importiert (specheft results import …).",
        "results.runs": "Testläufe",
        "results.by_level": "Ergebnisse nach Teststufe (letztes Ergebnis je Testfall)",
        "results.by_priority": "Ergebnisse nach Priorität (letztes Ergebnis je Testfall)",
        "results.defects": "Offene Mängel nach Fehlerklasse",
        "results.residual": "Restmängelliste (offene Mängel)",
        "results.no_defects": "Es sind keine Mängel offen.",
        "col.run": "Testlauf",
        "col.date": "Datum",
        "col.importer": "Quelle",
        "importer.junit": "JUnit-Bericht",
        "importer.robot": "Robot Framework",
        "importer.manual": "manuell (Tabelle)",
        "col.environment": "Umgebung / Version",
        "col.count": "Testfälle",
        "col.passed": "bestanden",
        "col.failed": "nicht bestanden",
        "col.blocked": "blockiert",
        "col.not_run": "nicht durchgeführt",
        "col.no_result": "ohne Ergebnis",
        "col.class": "Fehlerklasse",
        "col.open": "offen",
        "col.defect": "Mangel",
        "col.defect_title": "Beschreibung",
        "col.workaround": "Umgehung",
        "col.fix_date": "Behebung bis",
        "col.owner": "Verantwortlich",
        "col.document": "Dokument",
        "col.reason": "Begründung",
        "col.criterion": "Kriterium",
        "defect.class.1": "1 – betriebsverhindernd",
        "defect.class.2": "2 – betriebsbehindernd",
        "defect.class.3": "3 – leichter Mangel",
        "priority.none": "ohne Anforderung",
        "decision.title": "Entscheidung",
        "decision.references": "Grundlage der Abnahme",
        "decision.go": "Go – die Abnahmekriterien sind erfüllt.",
        "decision.go_reserved": "Go unter Vorbehalt – die Abnahmekriterien sind erfüllt; "
        "die Restmängel unten sind bis zu ihren Terminen zu beheben.",
        "decision.nogo": "No-Go – die Abnahmekriterien sind nicht erfüllt.",
        "decision.reasons": "Gründe ({count})",
        "decision.phase": "Teilabnahme der Phase {phase}",
        "decision.criteria": "Kriterien: jede aktive Muss-Anforderung mit allen Testfällen "
        "im letzten Lauf bestanden{should}; höchstens {c1} offene Mängel der Klasse 1; "
        "höchstens {c2} offene Mängel der Klasse 2{c2extra}.",
        "decision.criteria.should": " (ebenso jede Soll-Anforderung)",
        "decision.criteria.c2extra": ", jeder mit Umgehung und Behebungstermin",
        "decision.signoff": "Abnahmeerklärung",
        "decision.signoff.text": "Mit ihrer Unterschrift bestätigen die Beteiligten die "
        "oben dokumentierte Entscheidung über die Abnahme auf Grundlage der genannten "
        "Dokumente und Testläufe.",
        "criterion.tests-passed": "Tests bestanden",
        "criterion.class-1": "Klasse 1",
        "criterion.class-2-limit": "Klasse 2 (Anzahl)",
        "criterion.class-2-workaround": "Klasse 2 (Umgehung)",
        "reason.test": "Testfall {test}: {word} – {run}",
        "reason.test.none": "Testfall {test}: kein Ergebnis in einem importierten Lauf",
        "reason.untested": "kein Testfall prüft sie",
        "reason.direct": "direkter Nachweis: {word} – {run}",
        "reason.class1": "offen, Klasse 1 (höchstens {max} zulässig)",
        "reason.class2_limit": "{count} offene Mängel der Klasse 2 ({ids}); höchstens {max} "
        "zulässig",
        "reason.class2_missing": "offen, Klasse 2, ohne {missing}",
        "reason.workaround": "Umgehung",
        "reason.fix_date": "Behebungstermin",
        "reason.and": " und ",
    },
)
register(
    "en",
    {
        "results.none": "No test runs have been imported yet (specheft results import …).",
        "results.runs": "Test runs",
        "results.by_level": "Results by test level (latest result per test case)",
        "results.by_priority": "Results by priority (latest result per test case)",
        "results.defects": "Open defects by class",
        "results.residual": "Residual defects (open)",
        "results.no_defects": "No defect is open.",
        "col.run": "Test run",
        "col.date": "Date",
        "col.importer": "Source",
        "importer.junit": "JUnit report",
        "importer.robot": "Robot Framework",
        "importer.manual": "manual (sheet)",
        "col.environment": "Environment / version",
        "col.count": "Test cases",
        "col.passed": "passed",
        "col.failed": "failed",
        "col.blocked": "blocked",
        "col.not_run": "not run",
        "col.no_result": "no result",
        "col.class": "Defect class",
        "col.open": "open",
        "col.defect": "Defect",
        "col.defect_title": "Description",
        "col.workaround": "Workaround",
        "col.fix_date": "Fix by",
        "col.owner": "Owner",
        "col.document": "Document",
        "col.reason": "Reason",
        "col.criterion": "Criterion",
        "defect.class.1": "1 – prevents operation",
        "defect.class.2": "2 – impairs operation",
        "defect.class.3": "3 – minor defect",
        "priority.none": "no requirement",
        "decision.title": "Decision",
        "decision.references": "Basis of the acceptance",
        "decision.go": "Go – the acceptance criteria are met.",
        "decision.go_reserved": "Go with reservations – the acceptance criteria are met; the "
        "residual defects below are to be fixed by their dates.",
        "decision.nogo": "No-Go – the acceptance criteria are not met.",
        "decision.reasons": "Reasons ({count})",
        "decision.phase": "Partial acceptance of phase {phase}",
        "decision.criteria": "Criteria: every active must requirement has all its test cases "
        "passed in the latest run{should}; at most {c1} open class-1 defects; at most {c2} "
        "open class-2 defects{c2extra}.",
        "decision.criteria.should": " (every should requirement too)",
        "decision.criteria.c2extra": ", each with a workaround and a fix date",
        "decision.signoff": "Declaration of acceptance",
        "decision.signoff.text": "By signing, the parties confirm the decision on the "
        "acceptance documented above, on the basis of the documents and test runs named.",
        "criterion.tests-passed": "Tests passed",
        "criterion.class-1": "Class 1",
        "criterion.class-2-limit": "Class 2 (number)",
        "criterion.class-2-workaround": "Class 2 (workaround)",
        "reason.test": "test case {test}: {word} – {run}",
        "reason.test.none": "test case {test}: no result in any imported run",
        "reason.untested": "no test case verifies it",
        "reason.direct": "direct evidence: {word} – {run}",
        "reason.class1": "open, class 1 (at most {max} allowed)",
        "reason.class2_limit": "{count} open class-2 defects ({ids}); at most {max} allowed",
        "reason.class2_missing": "open, class 2, without {missing}",
        "reason.workaround": "a workaround",
        "reason.fix_date": "a fix date",
        "reason.and": " and ",
    },
)

SECTIONS = ("runs", "levels", "priorities", "defects")
DECISION_PARTS = ("references", "decision", "residual", "signoff")
#: the four columns results are counted in
BUCKETS = ("passed", "failed", "blocked", "not_run")
_BUCKET = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.ERROR: "failed",
    Outcome.BLOCKED: "blocked",
    Outcome.SKIPPED: "not_run",
    Outcome.NOT_RUN: "not_run",
    Outcome.DISABLED: "not_run",
}


def bucket(result: TestResult | None, flaky_as: str) -> str:
    if result is None:
        return "no_result"
    if result.outcome is Outcome.PASSED and not result.passed(flaky_as):
        return "failed"  # [acceptance] flaky = "failed"
    return _BUCKET[result.outcome]


class TestResults(TraceDirective):
    renderer = "results"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "show": choices(SECTIONS, name="section"),
    }

    def run(self) -> list[nodes.Node]:
        return [self.placeholder(show=self.options.get("show", list(SECTIONS)))]


class AcceptanceDecision(TraceDirective):
    renderer = "decision"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "documents": id_list,
        "phase": directives.unchanged_required,
        "show": choices(DECISION_PARTS, name="part"),
    }

    def run(self) -> list[nodes.Node]:

        names = [d.name for d in settings_of(self.env.app).deliverables()]
        wanted = self.options.get("documents")
        if wanted is None:
            wanted = [n for n in ("lastenheft", "pflichtenheft") if n in names]
        wrong = [n for n in wanted if n not in names]
        if wrong:
            raise self.error(
                f":documents: no document {', '.join(map(repr, wrong))}; documents: "
                f"{', '.join(names)}"
            )
        return [
            self.placeholder(
                documents=wanted,
                phase=(self.options.get("phase") or "").strip() or None,
                show=self.options.get("show", list(DECISION_PARTS)),
            )
        ]


def _levels(graph: TraceGraph) -> dict[str, str]:
    return {t.id: str(t.get("level") or "") for t in graph.of_kind(Kind.TEST)}


def _test_priorities(graph: TraceGraph) -> dict[str, str]:
    """test id → the highest priority among the requirements it verifies."""
    order = {str(p): i for i, p in enumerate(Priority)}
    best: dict[str, str] = {}
    for row in coverage(graph):
        priority = row.item.priority or ""
        for test in row.tests:
            if test not in best or order.get(priority, 9) < order.get(best[test], 9):
                best[test] = priority
    return best


def _counts(
    keys: dict[str, str], latest: dict[str, TestResult], flaky_as: str
) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for test, key in keys.items():
        found.setdefault(key, Counter())[bucket(latest.get(test), flaky_as)] += 1
    return found


def _count_table(
    lang: str, first: str, title: str, rows: list[tuple[str, Counter[str]]]
) -> nodes.table:
    body: list[tuple[list[Cell], list[str]]] = [
        (
            [
                name,
                str(sum(counts.values())),
                *(str(counts[b]) for b in BUCKETS),
                str(counts["no_result"]),
            ],
            [],
        )
        for name, counts in rows
    ]
    headers = [first, label(lang, "col.count")]
    headers += [label(lang, f"col.{b}") for b in (*BUCKETS, "no_result")]
    return table(
        headers,
        body,
        widths=[28, 12, 12, 12, 12, 12, 12],
        classes=["specheft-summary", "specheft-results"],
        title=title,
    )


def _date(value: str, lang: str) -> str:
    from specheft.sphinxext.context.evidence import format_date

    return format_date(value, lang) if value else ""


def _run_row(run: Run, lang: str, flaky_as: str) -> list[Cell]:
    tests, _ = results_of(run)
    counts = Counter(bucket(r, flaky_as) for r in tests.values())
    where = " / ".join(v for v in (run.environment, run.sut_version) if v)
    return [
        run.name,
        _date(run.date, lang),
        label(lang, f"importer.{run.importer}", run.importer),
        where,
        str(len(tests)),
        *(str(counts[b]) for b in BUCKETS),
    ]


def _defect_table(defects: list[Defect], lang: str, links: Any, title: str) -> nodes.Node:
    if not defects:
        return nodes.paragraph("", label(lang, "results.no_defects"))
    headers = [
        label(lang, k)
        for k in (
            "col.defect",
            "col.class",
            "col.defect_title",
            "col.tests",
            "col.workaround",
            "col.fix_date",
            "col.owner",
        )
    ]
    body: list[tuple[list[Cell], list[str]]] = [
        (
            [
                d.id,
                label(lang, f"defect.class.{d.defect_class}"),
                d.title,
                links.references(d.tests),
                d.workaround,
                _date(d.fix_date, lang),
                d.owner,
            ],
            [f"specheft-defect-class-{d.defect_class}"],
        )
        for d in sorted(defects, key=lambda d: (d.defect_class, d.id))
    ]
    return table(
        headers,
        body,
        widths=[10, 14, 22, 13, 17, 13, 11],
        classes=["specheft-summary", "specheft-defects"],
        title=title,
    )


def render_results(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    from specheft.sphinxext.context.evidence import results_of as build_results
    from specheft.sphinxext.context.tracing import trace_graph

    lang = settings_of(app).language
    results = build_results(app)
    store = results.store
    if not store.runs and not store.defect_lists:
        return [nodes.paragraph("", label(lang, "results.none"))]
    graph = trace_graph(app)
    flaky_as = results.flaky_as
    show: list[str] = node["show"]
    out: list[nodes.Node] = []
    if "runs" in show and store.runs:
        headers = [
            label(lang, k)
            for k in ("col.run", "col.date", "col.importer", "col.environment", "col.count")
        ]
        headers += [label(lang, f"col.{b}") for b in BUCKETS]
        out.append(
            table(
                headers,
                [(_run_row(run, lang, flaky_as), []) for run in store.runs],
                widths=[12, 14, 11, 21, 9, 9, 9, 8, 9],
                classes=["specheft-summary", "specheft-runs"],
                title=label(lang, "results.runs"),
            )
        )
    if "levels" in show:
        counts = _counts(_levels(graph), results.latest, flaky_as)
        rows = [
            (value_label(lang, "level", key) if key else "–", counts[key])
            for key in sorted(counts, key=lambda k: (k == "", k))
        ]
        if rows:
            out.append(
                _count_table(lang, label(lang, "col.level"), label(lang, "results.by_level"), rows)
            )
    if "priorities" in show:
        priorities = _test_priorities(graph)
        keys = {t: priorities.get(t, "") for t in _levels(graph)}
        counts = _counts(keys, results.latest, flaky_as)
        known = [str(p) for p in Priority]
        ordered = [k for k in known if k in counts] + sorted(k for k in counts if k not in known)
        rows = [
            (value_label(lang, "priority", k) if k else label(lang, "priority.none"), counts[k])
            for k in ordered
        ]
        if rows:
            out.append(
                _count_table(
                    lang, label(lang, "col.priority"), label(lang, "results.by_priority"), rows
                )
            )
    if "defects" in show:
        open_defects = [d for d in store.defects().values() if d.open]
        by_class = Counter(d.defect_class for d in open_defects)
        out.append(
            table(
                [label(lang, "col.class"), label(lang, "col.open"), label(lang, "col.defect")],
                [
                    (
                        [
                            label(lang, f"defect.class.{n}"),
                            str(by_class[n]),
                            ", ".join(sorted(d.id for d in open_defects if d.defect_class == n)),
                        ],
                        [f"specheft-defect-class-{n}"],
                    )
                    for n in (1, 2, 3)
                ],
                widths=[30, 10, 60],
                classes=["specheft-summary", "specheft-defect-classes"],
                title=label(lang, "results.defects"),
            )
        )
    return out


def _reason_cells(
    reason: Reason,
    decision_lang: str,
    results: Any,
    graph: TraceGraph,
    links: Any,
    defects: dict[str, Defect],
    config: Any,
) -> list[Cell]:
    """A reason in the document's language, from its structured fields."""
    from specheft.sphinxext.context.evidence import outcome_word, run_text

    lang = decision_lang
    criterion = label(lang, f"criterion.{reason.criterion}", reason.criterion)
    subject: list[nodes.Node] = []
    text = reason.message
    if reason.criterion == "tests-passed" and reason.requirement:
        subject = [links.reference(reason.requirement)]
        item = graph.get(reason.requirement)
        if item is not None and item.priority:
            subject += [nodes.Text(f" ({value_label(lang, 'priority', item.priority)})")]
        if reason.test:
            result = results.latest.get(reason.test)
            if result is None:
                text = label(lang, "reason.test.none").format(test=reason.test)
            else:
                text = label(lang, "reason.test").format(
                    test=reason.test, word=outcome_word(lang, result), run=run_text(lang, result)
                )
                message = next((c.message for c in result.cases if c.message), "")
                if message:
                    text += f": {message}"
        elif reason.run:
            found = results.direct.get(reason.requirement)
            word = outcome_word(lang, found)
            where = run_text(lang, found) if found is not None else reason.run
            text = label(lang, "reason.direct").format(word=word, run=where)
        else:
            text = label(lang, "reason.untested")
    elif reason.defect and reason.defect in defects:
        defect = defects[reason.defect]
        subject = [nodes.Text(defect.id)]
        title = f"„{defect.title}“: " if lang == "de" else f"“{defect.title}”: "
        if reason.criterion == "class-1":
            text = label(lang, "reason.class1").format(max=config.max_open_class1)
        else:
            missing = []
            if config.class2_need_workaround and not defect.workaround:
                missing.append(label(lang, "reason.workaround"))
            if config.class2_need_fix_date and not defect.fix_date:
                missing.append(label(lang, "reason.fix_date"))
            text = label(lang, "reason.class2_missing").format(
                missing=label(lang, "reason.and").join(missing)
            )
        if defect.title:
            text = title + text
        if defect.tests:
            text += " – " + ", ".join(defect.tests)
    elif reason.criterion == "class-2-limit":
        open2 = sorted(d.id for d in defects.values() if d.open and d.defect_class == 2)
        text = label(lang, "reason.class2_limit").format(
            count=len(open2), ids=", ".join(open2), max=config.max_open_class2
        )
    return [criterion, subject, text]


def _digest_cell(digest: str, latex: bool) -> list[nodes.Node]:
    if not latex:
        return [nodes.literal(digest, digest)]
    # 64 monospaced digits do not fit a table column in a PDF: two lines of 32
    half = len(digest) // 2
    return [
        nodes.literal(digest[:half], digest[:half]),
        nodes.raw("", r"\newline{}", format="latex"),
        nodes.literal(digest[half:], digest[half:]),
    ]


def _document_rows(app: Sphinx, names: list[str], lang: str) -> list[tuple[list[Cell], list[str]]]:
    from sphinx_needs.data import SphinxNeedsData

    from specheft.sphinxext.rendering.deliverables import document_fingerprint, format_date

    settings = settings_of(app)
    needs = SphinxNeedsData(app.env).get_needs_view().values()
    rows: list[tuple[list[Cell], list[str]]] = []
    for name in names:
        document = settings.document(name)
        digest, count = document_fingerprint(app.env, needs, document)
        rows.append(
            (
                [
                    document.title,
                    document.doc_id,
                    document.version or settings.project.version,
                    format_date(document.date, lang) if document.date else "",
                    _digest_cell(digest, app.builder.format == "latex")
                    if count
                    else label(lang, "doc.fingerprint.none"),
                ],
                [],
            )
        )
    return rows


def render_decision(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    from specheft.sphinxext.context.evidence import acceptance_of
    from specheft.sphinxext.context.evidence import results_of as build_results
    from specheft.sphinxext.context.tracing import trace_graph
    from specheft.sphinxext.rendering.items import renderer_for

    settings = settings_of(app)
    lang = settings.language
    results = build_results(app)
    graph = trace_graph(app)
    links = renderer_for(app, fromdocname)
    config = acceptance_of(app)
    out: list[nodes.Node] = []
    show: list[str] = node["show"]
    if "references" in show and node["documents"]:
        out.append(
            table(
                [
                    label(lang, "col.document"),
                    label(lang, "doc.id"),
                    label(lang, "doc.version"),
                    label(lang, "doc.date"),
                    label(lang, "doc.fingerprint"),
                ],
                _document_rows(app, node["documents"], lang),
                widths=[18, 14, 9, 12, 47],
                classes=["specheft-summary", "specheft-decision-documents"],
                title=label(lang, "decision.references"),
            )
        )
    try:
        decision: Decision = decide(graph, results.store, config, phase=node["phase"])
    except SpecheftError as exc:  # an unknown phase: reported at the directive
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            f"acceptance-decision: {exc}", location=node, type="specheft", subtype="results"
        )
        return out
    defects = results.store.defects()
    if "residual" in show and "decision" not in show:
        residual = [d for d in defects.values() if d.open]
        out.append(_defect_table(residual, lang, links, label(lang, "results.residual")))
    if "decision" not in show:
        return out + (_signoff(app, fromdocname, lang) if "signoff" in show else [])
    if decision.phase:
        phase = graph.get(decision.phase)
        name = phase.title if phase is not None else decision.phase
        out.append(nodes.paragraph("", label(lang, "decision.phase").format(phase=name)))
    criteria = label(lang, "decision.criteria").format(
        should=label(lang, "decision.criteria.should") if config.should_tests_passed else "",
        c1=config.max_open_class1,
        c2=config.max_open_class2,
        c2extra=label(lang, "decision.criteria.c2extra")
        if config.class2_need_workaround or config.class2_need_fix_date
        else "",
    )
    out.append(nodes.paragraph("", criteria, classes=["specheft-decision-criteria"]))
    if not decision.go:
        key, css = "decision.nogo", "specheft-decision-nogo"
    elif decision.residual:
        key, css = "decision.go_reserved", "specheft-decision-reserved"
    else:
        key, css = "decision.go", "specheft-decision-go"
    verdict = nodes.paragraph(classes=["specheft-decision", css])
    verdict += nodes.strong("", label(lang, key))
    out.append(verdict)
    if decision.reasons:
        out.append(
            table(
                [
                    label(lang, "col.criterion"),
                    label(lang, "col.id"),
                    label(lang, "col.reason"),
                ],
                [
                    (_reason_cells(r, lang, results, graph, links, defects, config), [])
                    for r in decision.reasons
                ],
                widths=[16, 22, 62],
                classes=["specheft-summary", "specheft-decision-reasons"],
                title=label(lang, "decision.reasons").format(count=len(decision.reasons)),
            )
        )
    if "residual" in show:
        residual = [d for d in defects.values() if d.open]
        out.append(_defect_table(residual, lang, links, label(lang, "results.residual")))
    if "signoff" in show:
        out += _signoff(app, fromdocname, lang)
    return out


def _signoff(app: Sphinx, fromdocname: str, lang: str) -> list[nodes.Node]:
    """The declaration and the signature table, for the roles of the document's
    ``signoff_roles`` (set ``signoff = false`` for the document: its PDF then has no
    second, generic sign-off page)."""
    from specheft.sphinxext.rendering.deliverables import document_of_docnames

    settings = settings_of(app)
    out: list[nodes.Node] = [
        nodes.paragraph(
            "",
            label(lang, "decision.signoff.text"),
            classes=["specheft-decision-signoff"],
        )
    ]
    document = document_of_docnames(app.env, settings).get(fromdocname)
    roles = set(document.signoff_roles) if document is not None else set()
    people = [p for p in settings.signoff if not roles or p.role in roles]
    if people:
        out.append(
            table(
                [
                    f"{label(lang, 'doc.role')}, {label(lang, 'doc.name')}",
                    label(lang, "doc.place_date"),
                    label(lang, "doc.signature"),
                ],
                [
                    (
                        [
                            " · ".join(t for t in (p.role, p.name, p.organisation) if t),
                            "",
                            # room to sign on paper
                            nodes.raw("", r"\rule[-1.4cm]{0pt}{1.6cm}", format="latex"),
                        ],
                        [],
                    )
                    for p in people
                ],
                widths=[44, 22, 34],
                classes=["specheft-summary", "specheft-signoff"],
            )
        )
    return out


def setup(app: Sphinx) -> None:
    app.add_directive("test-results", TestResults)
    app.add_directive("acceptance-decision", AcceptanceDecision)
    RENDERERS["results"] = render_results
    RENDERERS["decision"] = render_decision
