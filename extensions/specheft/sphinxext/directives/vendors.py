"""Vendor selection in the documents: ``vendor-comparison`` and ``vendor-answers``.

    :::{vendor-comparison}
    :show: ranking, areas, criteria
    :chart: yes
    :::

    :::{vendor-answers}
    :vendor: Kontaktwerk Software GmbH
    :::

``vendor-comparison`` ranks the bidders (a table and a bar chart, inline SVG in HTML
and coloured rules in LaTeX, like the coverage summary) whose answers ``specheft compliance import``
stored (``[tender] answers_dir``): weighted score, effort, count per fulfilment code,
knock-outs with their reasons, and the score per area — the same numbers as
``specheft compliance compare`` (:mod:`specheft.tender.scoring`). ``vendor-answers``
shows one bidder's answers beside the requirements. The answer files are no Sphinx
sources: a page with either directive is written again when one is added, changed or
removed. An answer given to an earlier text of
a requirement is a warning at the directive (the offer no longer answers what the
Lastenheft says).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any, ClassVar, TypedDict

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.texescape import escape as tex_escape

from specheft.errors import SpecheftError
from specheft.labels import label, register, value_label
from specheft.model import Kind
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.directives.base import (
    RENDERERS,
    TraceDirective,
    choices,
    trace_placeholder,
)
from specheft.sphinxext.needs.data import need_value, needs_read
from specheft.sphinxext.rendering.tables import Cell, table
from specheft.tender.config import TenderConfig, tender_config
from specheft.tender.model import Asked, Offer, asked_of, offer_from_json, same_vendor
from specheft.tender.scoring import compare

logger = logging.getLogger(__name__)


class VendorComparisonOptions(TypedDict):
    show: list[str]
    chart: bool


class VendorAnswersOptions(TypedDict):
    vendor: str


register(
    "de",
    {
        "vendors.none": "Es sind noch keine Angebote importiert "
        "(specheft compliance import DATEI --vendor NAME).",
        "vendors.ranking": "Rangfolge der Angebote (Nutzwertanalyse)",
        "vendors.areas": "Erfüllungsgrad je Bereich (%)",
        "vendors.answers": "Antworten von {vendor}",
        "vendors.rank": "Rang",
        "vendors.vendor": "Bieter",
        "vendors.score": "Nutzwert (%)",
        "vendors.effort": "Aufwand (PT)",
        "vendors.knockout": "Ausschluss",
        "vendors.in": "–",
        "vendors.no_answer": "keine Antwort",
        "vendors.earlier": "Antwort zu früherem Text",
        "vendors.code": "Erfüllung",
        "vendors.comment": "Kommentar",
        "vendors.reference": "Referenz",
        "vendors.criteria": "Gewichtung: Priorität {weights}{areas}; Punkte je Erfüllung: "
        "{points}. Eine Muss-Anforderung mit {knockout} oder ohne Antwort führt zum "
        "Ausschluss.",
        "vendors.unknown": "kein importiertes Angebot von {vendor!r}; Angebote: {vendors}",
        # the default fulfilment codes of [tender.points]; codes of one's own stay as written
        "value.fulfilment.standard": "Standard",
        "value.fulfilment.configuration": "Konfiguration",
        "value.fulfilment.customizing": "Customizing",
        "value.fulfilment.third-party": "Drittprodukt",
        "value.fulfilment.roadmap": "Roadmap",
        "value.fulfilment.not-possible": "nicht möglich",
    },
)
register(
    "en",
    {
        "vendors.none": "No offers have been imported yet "
        "(specheft compliance import FILE --vendor NAME).",
        "vendors.ranking": "Ranking of the offers (weighted scoring)",
        "vendors.areas": "Score per area (%)",
        "vendors.answers": "Answers of {vendor}",
        "vendors.rank": "Rank",
        "vendors.vendor": "Bidder",
        "vendors.score": "Score (%)",
        "vendors.effort": "Effort (PD)",
        "vendors.knockout": "Knock-out",
        "vendors.in": "–",
        "vendors.no_answer": "no answer",
        "vendors.earlier": "answer to an earlier text",
        "vendors.code": "Fulfilment",
        "vendors.comment": "Comment",
        "vendors.reference": "Reference",
        "vendors.criteria": "Weights: priority {weights}{areas}; points per fulfilment: "
        "{points}. A must requirement answered {knockout} or not answered knocks out.",
        "vendors.unknown": "no imported offer of {vendor!r}; offers: {vendors}",
        "value.fulfilment.standard": "standard",
        "value.fulfilment.configuration": "configuration",
        "value.fulfilment.customizing": "customizing",
        "value.fulfilment.third-party": "third-party product",
        "value.fulfilment.roadmap": "roadmap",
        "value.fulfilment.not-possible": "not possible",
    },
)


def _answers_dir(app: Sphinx) -> Path:
    return Path(app.srcdir).parent / tender_config(settings_of(app)).answers_dir


def answers_digest(app: Sphinx) -> str:
    """A digest of the answer files' names and contents ("" without any)."""
    directory = _answers_dir(app)
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
        try:
            data = path.read_bytes()
        except OSError:
            data = b"?"
        digest.update(path.name.encode() + b"\x1f" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _asked_digest(env: BuildEnvironment) -> str:
    """A digest of what the requirements say (a row fingerprint covers their text, which
    the other pages' freshness signatures leave out)."""
    digest = hashlib.sha256()
    needs = needs_read(env)
    for need_id in sorted(needs):
        need = needs[need_id]
        if need_value(need, "type") == Kind.REQ:
            title, content, priority, area, status = (
                need_value(need, key) for key in ("title", "content", "priority", "area", "status")
            )
            parts = (need_id, title, content, priority)
            digest.update("\x1f".join(str(p) for p in parts).encode() + b"\x1e")
            digest.update(f"{area}|{status}".encode())
    return digest.hexdigest()


def _answers_changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The pages with a trace directive (the vendor directives among them) and the
    documents' start pages when an answer file was added, changed or removed, or a
    requirement's text changed, since this environment's last build: they are written
    again (the answer files are no Sphinx sources, and the text is in no other page's
    freshness signature; a start page shows its document's fingerprint, which covers the
    answers when the document shows them)."""
    digest = answers_digest(app) + _asked_digest(env)
    before = getattr(env, "specheft_answers_digest", None)
    env.specheft_answers_digest = digest  # type: ignore[attr-defined]
    if before == digest:
        return []
    docs = set(specheft_domain(env).trace_docs)
    with contextlib.suppress(RuntimeError):  # no settings read: no documents
        docs |= {d.start for d in settings_of(app).deliverables()}
    return sorted(doc for doc in docs if doc in env.found_docs)


class VendorComparison(TraceDirective):
    renderer = "vendors"
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "show": choices(("ranking", "areas", "criteria"), name="part"),
        "chart": lambda arg: (arg or "yes").strip().lower() not in ("no", "false", "0"),
    }

    def run(self) -> list[nodes.Node]:
        record: VendorComparisonOptions = {
            "show": self.options.get("show", ["ranking", "areas", "criteria"]),
            "chart": self.options.get("chart", True),
        }
        return [self.placeholder(record)]


class VendorAnswers(TraceDirective):
    renderer = "vendor-answers"
    required_arguments = 0
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "vendor": lambda arg: (arg or "").strip(),
    }

    def run(self) -> list[nodes.Node]:
        vendor = self.options.get("vendor", "")
        if not vendor:
            raise self.error("vendor-answers: give the bidder with :vendor: NAME")
        record: VendorAnswersOptions = {"vendor": vendor}
        return [self.placeholder(record)]


def _offers(app: Sphinx, node: trace_placeholder) -> list[Offer]:
    """The stored offers; a broken file is a warning at the file (the others still show)."""
    offers = []
    directory = _answers_dir(app)
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
        try:
            offers.append(offer_from_json(path.read_text(encoding="utf-8"), str(path)))
        except (SpecheftError, OSError, UnicodeDecodeError) as exc:
            logger.warning(
                f"answers of a bidder cannot be read: {exc}",
                location=node,
                type="specheft",
                subtype="vendors",
            )
    return offers


def _asked(app: Sphinx, config: TenderConfig) -> tuple[Asked, ...]:
    titles = {name: title.astext() for name, title in app.env.titles.items()}
    return asked_of(build_context(app).graph, config.weight, titles)


def _number(value: float, lang: str = "en", digits: int | None = None) -> str:
    """``89.2`` in English, ``89,2`` in German."""
    text = f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    return text.replace(".", ",") if lang == "de" else text


def render_comparison(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    settings = settings_of(app)
    lang = settings.language
    config = tender_config(settings)
    offers = _offers(app, node)
    if not offers:
        return [nodes.paragraph("", label(lang, "vendors.none"))]
    asked = _asked(app, config)
    results = compare(asked, offers, config)
    for result in results:
        if result.stale:
            shown = ", ".join(result.stale[:5]) + (" …" if len(result.stale) > 5 else "")
            logger.warning(
                f"{result.vendor}: {len(result.stale)} answer(s) to an earlier text of the "
                f"requirement ({shown}); they count as not answered — import a new offer",
                location=node,
                type="specheft",
                subtype="vendors",
            )
    out: list[nodes.Node] = []
    options: VendorComparisonOptions = node["options"]
    show = options["show"]
    if "ranking" in show:
        headers = [
            label(lang, "vendors.rank"),
            label(lang, "vendors.vendor"),
            label(lang, "vendors.score"),
            label(lang, "vendors.effort"),
            *(_code(lang, c) for c in config.codes),
            label(lang, "vendors.knockout"),
        ]
        rows: list[tuple[list[Cell], list[str]]] = []
        for r in results:
            reasons = "; ".join(
                f"{item}: {_reason(lang, why)}" for item, why in r.knockouts[:5]
            ) + (f" (+{len(r.knockouts) - 5})" if len(r.knockouts) > 5 else "")
            cells: list[Cell] = [
                # a knocked-out offer is listed below the others, but it has no rank
                # (the reason is in the last column; the narrow rank column held only "Au")
                "–" if r.knocked_out else str(r.rank),
                r.vendor,
                _number(r.total.score, lang, 1),
                _number(round(r.effort, 1), lang),
                *(str(r.counts.get(c, 0)) for c in config.codes),
                reasons or label(lang, "vendors.in"),
            ]
            rows.append((cells, ["specheft-knocked-out"] if r.knocked_out else []))
        codes = len(config.codes)
        out.append(
            table(
                headers,
                rows,
                widths=[5, 18, 8, 8, *([10] * codes), 24],
                classes=["specheft-vendors"],
                title=label(lang, "vendors.ranking"),
            )
        )
        if options.get("chart", True):
            bars = [(r.vendor, r.total.score, r.knocked_out) for r in results]
            out.append(nodes.raw("", _svg(bars, lang), format="html"))
            out.append(nodes.raw("", _latex(bars, lang), format="latex"))
    if "areas" in show:
        areas = sorted({a for r in results for a in r.areas})
        area_rows: list[tuple[list[Cell], list[str]]] = [
            (
                [
                    f"{a} – {settings.areas[a]}" if a in settings.areas else a,
                    *(f"{r.areas[a].score:.0f}" if a in r.areas else "–" for r in results),
                ],
                [],
            )
            for a in areas
        ]
        share = max(10, 70 // max(len(results), 1))
        out.append(
            table(
                [label(lang, "field.area"), *(r.vendor for r in results)],
                area_rows,
                widths=[30, *([share] * len(results))],
                classes=["specheft-vendors"],
                title=label(lang, "vendors.areas"),
            )
        )
    if "criteria" in show:
        weights = ", ".join(
            f"{value_label(lang, 'priority', p)} {_number(w, lang)}"
            for p, w in config.weights.items()
        )
        factors = ", ".join(f"{a} ×{_number(w, lang)}" for a, w in config.area_weights.items())
        text = label(lang, "vendors.criteria").format(
            weights=weights,
            areas=f"; {label(lang, 'field.area')} {factors}" if factors else "",
            points=", ".join(
                f"{_code(lang, c)} {_number(p, lang)}" for c, p in config.points.items()
            ),
            knockout=", ".join(_code(lang, c) for c in config.knockout),
        )
        out.append(nodes.paragraph("", text))
    return out


_IN, _OUT = "#2e7d32", "#c62828"


def _svg(bars: list[tuple[str, float, bool]], lang: str) -> str:
    """One horizontal bar per bidder: the score in percent, red when knocked out."""
    width, row = 560, 40
    height = row * len(bars) + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="specheft-chart" role="img" '
        f'width="{width + 60}" height="{height}" viewBox="0 0 {width + 60} {height}">'
    ]
    for index, (vendor, score, out_) in enumerate(bars):
        y = index * row
        shown = f"{_number(score, lang, 1)} %"
        name = f"{vendor} ({label(lang, 'vendors.knockout')})" if out_ else vendor
        out.append(f'<text x="0" y="{y + 14}" font-size="13">{escape(name)}</text>')
        out.append(
            f'<rect x="0" y="{y + 19}" width="{width * score / 100:.1f}" height="16" '
            f'fill="{_OUT if out_ else _IN}"><title>{escape(shown)}</title></rect>'
            f'<text x="{width * score / 100 + 4:.1f}" y="{y + 31}" font-size="11">'
            f"{escape(shown)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _latex(bars: list[tuple[str, float, bool]], lang: str) -> str:
    """The chart as a two-column tabular (names wrap in their own column)."""

    def tex(text: str) -> str:
        return tex_escape(text, "xelatex")

    lines = [
        r"\par\medskip\noindent{\small",
        r"\begin{tabular}{@{}>{\raggedright\arraybackslash}p{0.34\linewidth}"
        r"@{\hspace{0.03\linewidth}}l@{}}",
    ]
    for vendor, score, out_ in bars:
        colour = (_OUT if out_ else _IN).lstrip("#")
        name = f"{vendor} ({label(lang, 'vendors.knockout')})" if out_ else vendor
        lines.append(
            rf"{tex(name)} & \textcolor[HTML]{{{colour}}}{{\rule{{{0.5 * score / 100:.3f}"
            rf"\linewidth}}{{1.6ex}}}}~{tex(_number(score, lang, 1))}\,\%\\[2pt]"
        )
    lines.append(r"\end{tabular}}\par\medskip")
    return "\n".join(lines)


def _code(lang: str, code: str) -> str:
    """A fulfilment code as readers see it (``third-party`` → ``Drittprodukt``)."""
    return value_label(lang, "fulfilment", code)


def _reason(lang: str, why: str) -> str:
    if why == "no answer":
        return label(lang, "vendors.no_answer")
    if why == "answer to an earlier text":
        return label(lang, "vendors.earlier")
    return _code(lang, why)  # a knock-out code


def render_answers(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    settings = settings_of(app)
    lang = settings.language
    config = tender_config(settings)
    offers = _offers(app, node)
    options: VendorAnswersOptions = node["options"]
    offer = next((o for o in offers if same_vendor(o.vendor, options["vendor"])), None)
    if offer is None:
        logger.warning(
            label(lang, "vendors.unknown").format(
                vendor=options["vendor"], vendors=", ".join(o.vendor for o in offers) or "–"
            ),
            location=node,
            type="specheft",
            subtype="vendors",
        )
        return []
    answers = offer.by_id()
    rows: list[tuple[list[Cell], list[str]]] = []
    for asked in _asked(app, config):
        answer = answers.get(asked.id)
        stale = answer is not None and bool(answer.code) and answer.asked != asked.fingerprint
        code = answer.code if answer is not None else ""
        if stale:
            code = label(lang, "vendors.earlier")
        effort = answer.effort if answer is not None else None
        knocked = asked.priority == "must" and (stale or not code or code in config.knockout)
        rows.append(
            (
                [
                    asked.id,
                    asked.title,
                    value_label(lang, "priority", asked.priority) if asked.priority else "",
                    _code(lang, code) if code else label(lang, "vendors.no_answer"),
                    "" if effort is None else _number(effort, lang),
                    answer.comment if answer is not None else "",
                    answer.reference if answer is not None else "",
                ],
                ["specheft-knocked-out"] if knocked else [],
            )
        )
    return [
        table(
            [
                label(lang, "field.id"),
                label(lang, "field.title"),
                label(lang, "field.priority"),
                label(lang, "vendors.code"),
                label(lang, "vendors.effort"),
                label(lang, "vendors.comment"),
                label(lang, "vendors.reference"),
            ],
            rows,
            widths=[12, 22, 8, 12, 8, 26, 12],
            classes=["specheft-vendors"],
            title=label(lang, "vendors.answers").format(vendor=offer.vendor),
        )
    ]


def setup(app: Sphinx) -> None:
    app.add_directive("vendor-comparison", VendorComparison)
    app.add_directive("vendor-answers", VendorAnswers)
    RENDERERS["vendors"] = render_comparison
    RENDERERS["vendor-answers"] = render_answers
    app.connect("env-get-updated", _answers_changed)
