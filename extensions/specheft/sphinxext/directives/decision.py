"""``acceptance-decision``: the core of the Abnahmeprotokoll.

    :::{acceptance-decision}
    :documents: lastenheft, pflichtenheft
    :phase: PHASE-IMPL
    :::

The documents accepted against (version, date, fingerprint), the Go/No-Go decision of
:func:`specheft.evidence.acceptance.decide` with every reason, and the residual defects
(Restmängelliste); "unter Vorbehalt" when a Go leaves defects open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx

from specheft.errors import SpecheftError
from specheft.evidence.acceptance import Decision, Reason, decide
from specheft.evidence.model import Defect
from specheft.labels import label, value_label
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.evidence import acceptance_of, outcome_word, run_text
from specheft.sphinxext.directives import evidence_labels  # noqa: F401 (registers the words)
from specheft.sphinxext.directives.base import (
    RENDERERS,
    TraceDirective,
    choices,
    id_list,
    trace_placeholder,
)
from specheft.sphinxext.directives.options import DecisionOptions
from specheft.sphinxext.directives.results import defect_table
from specheft.sphinxext.rendering.baselines import shown_version
from specheft.sphinxext.rendering.documents import format_date
from specheft.sphinxext.rendering.items import renderer_for
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.trace.graph import TraceGraph

DECISION_PARTS = ("references", "decision", "residual", "signoff")


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
        record: DecisionOptions = {
            "documents": wanted,
            "phase": (self.options.get("phase") or "").strip() or None,
            "show": self.options.get("show", list(DECISION_PARTS)),
        }
        return [self.placeholder(record)]


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
    settings = settings_of(app)
    rows: list[tuple[list[Cell], list[str]]] = []
    for name in names:
        document = settings.document(name)
        digest, count = build_context(app).fingerprint(document)
        # the version its title page shows: from the document's baselines when it has any
        shown = shown_version(app, settings, document, digest if count else "")
        rows.append(
            (
                [
                    document.title,
                    document.doc_id,
                    shown.version,
                    format_date(shown.date, lang) if shown.date else "",
                    _digest_cell(digest, app.builder.format == "latex")
                    if count
                    else label(lang, "doc.fingerprint.none"),
                ],
                [],
            )
        )
    return rows


def render_decision(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    options: DecisionOptions = node["options"]
    settings = settings_of(app)
    lang = settings.language
    context = build_context(app)
    results = context.results
    graph = context.graph
    links = renderer_for(app, fromdocname)
    config = acceptance_of(app)
    out: list[nodes.Node] = []
    show = options["show"]
    if "references" in show and options["documents"]:
        out.append(
            table(
                [
                    label(lang, "col.document"),
                    label(lang, "doc.id"),
                    label(lang, "doc.version"),
                    label(lang, "doc.date"),
                    label(lang, "doc.fingerprint"),
                ],
                _document_rows(app, options["documents"], lang),
                widths=[18, 14, 9, 12, 47],
                classes=["specheft-summary", "specheft-decision-documents"],
                title=label(lang, "decision.references"),
            )
        )
    try:
        decision: Decision = decide(graph, results.store, config, phase=options["phase"])
    except SpecheftError as exc:  # an unknown phase: reported at the directive
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            f"acceptance-decision: {exc}", location=node, type="specheft", subtype="results"
        )
        return out
    defects = results.store.defects()
    if "residual" in show and "decision" not in show:
        residual = [d for d in defects.values() if d.open]
        out.append(defect_table(residual, lang, links, label(lang, "results.residual")))
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
        out.append(defect_table(residual, lang, links, label(lang, "results.residual")))
    if "signoff" in show:
        out += _signoff(app, fromdocname, lang)
    return out


def _signoff(app: Sphinx, fromdocname: str, lang: str) -> list[nodes.Node]:
    """The declaration and the signature table, for the roles of the document's
    ``signoff_roles`` (set ``signoff = false`` for the document: its PDF then has no
    second, generic sign-off page)."""
    settings = settings_of(app)
    out: list[nodes.Node] = [
        nodes.paragraph(
            "",
            label(lang, "decision.signoff.text"),
            classes=["specheft-decision-signoff"],
        )
    ]
    document = build_context(app).owners.get(fromdocname)
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
    app.add_directive("acceptance-decision", AcceptanceDecision)
    RENDERERS["decision"] = render_decision
