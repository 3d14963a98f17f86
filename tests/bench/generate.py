"""Generate benchmark projects: the same items as a specheft project and as plain sphinx-needs.

``generate(root, n, flavour)`` writes a complete project for ``n`` requirements:

* ``n`` requirements (``LH-<AREA>-NNNN``) and ``n // 10`` exclusions (``AB-<AREA>-NNNN``),
* ``n`` Pflichtenheft items (``PH-<AREA>-NNNN``), each satisfying one or two requirements,
* ``n`` test cases (``TC-SIT-…`` verifying a spec item, ``TC-UAT-…`` a requirement),
* the seven standard phases,

about 100 items per Markdown file. The item sources are byte-identical in both flavours
(same directive names and options); only the configuration and the report page differ:

* ``specheft``: ``conf/conf.py`` (the two-line helper) and ``conf/specheft.toml``, a
  traceability page with ``coverage-summary`` and a full ``coverage-matrix``;
* ``plain``: Sphinx + myst-parser + sphinx-needs with an equivalent ``spec/conf.py``
  (no specheft import) and a page with a ``needtable`` of all requirements.

Every requirement is covered (must: spec and test, should: spec), so both flavours build
without a warning and ``specheft check`` reports no error. The output is deterministic.

Run it alone to look at a project: ``python tests/bench/generate.py DIR --n 100``.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Flavour = Literal["specheft", "plain"]
FLAVOURS: tuple[Flavour, ...] = ("plain", "specheft")

ITEMS_PER_FILE = 100

#: area code -> (name, business objects as (plural noun for titles, accusative for text))
AREAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "KON": ("Kontakt- und Account-Management", ("Firmen", "Ansprechpartner", "Konzernstrukturen")),
    "VTR": ("Vertrieb: Leads und Opportunities", ("Leads", "Opportunities", "Verkaufschancen")),
    "ANG": ("Angebote und Aufträge", ("Angebote", "Angebotspositionen", "Rahmenverträge")),
    "MKT": ("Marketing und Kampagnen", ("Kampagnen", "Zielgruppen", "Newsletter-Abonnements")),
    "SRV": ("Service und Tickets", ("Tickets", "Serviceverträge", "Maschinenakten")),
    "AKT": ("Aktivitäten und Termine", ("Termine", "Besuchsberichte", "Aufgaben")),
    "DOK": ("Dokumente und Kundenakte", ("Dokumente", "Vorlagen", "Kundenakten")),
    "REP": ("Reporting und Dashboards", ("Berichte", "Dashboards", "Kennzahlen")),
    "INT": ("Schnittstellen", ("Schnittstellenaufrufe", "Kundenstammsätze", "Auftragsdaten")),
    "MIG": ("Datenmigration und Datenqualität", ("Altdaten", "Dublettengruppen", "Mappings")),
    "BER": ("Rollen und Berechtigungen", ("Rollen", "Berechtigungsprofile", "Vertretungen")),
    "DSG": ("Datenschutz", ("Einwilligungen", "Auskunftsersuchen", "Löschfristen")),
}
AREA_CODES = tuple(AREAS)
#: The smallest N: every area holds at least one requirement.
MIN_N = len(AREAS)

#: (title verb, infinitive with "zu")
VERBS = (
    ("anlegen", "anzulegen"),
    ("ändern", "zu ändern"),
    ("suchen", "zu suchen"),
    ("filtern", "zu filtern"),
    ("exportieren", "zu exportieren"),
    ("importieren", "zu importieren"),
    ("archivieren", "zu archivieren"),
    ("zuordnen", "zuzuordnen"),
    ("auswerten", "auszuwerten"),
    ("freigeben", "freizugeben"),
    ("sperren", "zu sperren"),
    ("kopieren", "zu kopieren"),
    ("zusammenführen", "zusammenzuführen"),
    ("versionieren", "zu versionieren"),
)
ROLES = (
    "dem Vertriebsinnendienst",
    "dem Außendienst",
    "dem Kundendienst",
    "der Geschäftsleitung",
    "dem Marketing",
    "den Key-Usern",
    "der IT-Administration",
    "der Projektleitung",
    "dem Key-Account-Management",
)
QUALIFIERS = (
    "mit Name, Anschrift und Branche",
    "nach Bereich, Zeitraum und Verantwortlichem",
    "für einzelne Vertriebsgebiete",
    "über die Übersichtsliste",
    "aus der Detailansicht heraus",
    "für bis zu {k} Datensätze in einem Arbeitsgang",
    "mit Benutzer und Zeitstempel",
    "anhand frei wählbarer Kriterien",
    "gemeinsam mit den zugehörigen Aktivitäten",
    "im Rahmen der Freigaberegeln des Fachbereichs",
)
CONTEXT = (
    "Heute pflegen die Fachbereiche diese Daten in {k} Excel-Listen mit widersprüchlichen Angaben.",
    "Im Mai erfasste der Innendienst dafür {k} Vorgänge von Hand.",
    "Die Vertriebsleitung hat den Bedarf in den Analyse-Workshops als dringlich eingestuft.",
    "Ohne diese Funktion suchen die Mitarbeitenden Informationen aus dem ERP-System und aus "
    "persönlichen Postfächern zusammen.",
    "Der Betriebsrat hat der Verarbeitung unter der Bedingung zugestimmt, dass das System "
    "Leistungsdaten einzelner Mitarbeitender nicht auswertet.",
    "Betroffen sind {k} Benutzerinnen und Benutzer an {j} Standorten.",
    "Die Anforderung ergibt sich aus dem Ziel, Durchlaufzeiten um {j} Prozent zu senken.",
)
CLOSING = (
    "Das CRM-System protokolliert Änderungen mit Benutzer und Zeitstempel.",
    "Dabei gelten die Berechtigungen des Rollenkonzepts.",
    "Das Ergebnis lässt sich als Excel-Datei exportieren.",
    "Die Eingabemaske kennzeichnet Pflichtfelder mit einem Stern.",
    "Die Funktion steht auch im mobilen Zugriff zur Verfügung.",
)
ACCEPTANCE = (
    "Ein Key-User legt im Testsystem {k} {obj} an; das CRM-System zeigt alle {k} mit "
    "vollständigen Angaben in der Übersicht an.",
    "Ein Key-User ändert {obj} im Testsystem, und die Historie zeigt alten und neuen Wert mit "
    "Benutzer und Zeitstempel.",
    "Die Auswertung über {k} Testdatensätze liefert dasselbe Ergebnis wie die manuelle "
    "Referenzberechnung des Fachbereichs.",
    "Ein Benutzer ohne passende Rolle erhält beim Aufruf eine verständliche Fehlermeldung.",
)
MODULES = ("Accounts", "Sales", "Quotes", "Campaigns", "Service", "Calendar", "Files", "Insights")
SPEC_TEXT = (
    "Die Umsetzung erfolgt im Modul KW {module} über eine eigene Eingabemaske mit {k} Feldern.",
    "Kontaktwerk konfiguriert dafür einen Workflow mit {j} Schritten und hinterlegt die "
    "Freigaberegeln in der Administrationsoberfläche.",
    "Die Daten werden nachts um {j} Uhr mit dem ERP-System abgeglichen; Konflikte erscheinen "
    "in einer Klärungsliste.",
    "Die Standardfunktion wird ohne Anpassung genutzt; lediglich die Auswahllisten werden an "
    "die Begriffe von Nordwerk angepasst.",
    "Die Liste ist nach jeder Spalte sortierbar und lässt sich als gespeicherte Ansicht für "
    "alle Benutzer eines Teams freigeben.",
    "Ein Hintergrundprozess prüft die Einträge alle {j} Minuten und benachrichtigt die "
    "Verantwortlichen per E-Mail.",
)
TEST_TEXT = (
    "Ein Testbenutzer mit der Rolle {role} meldet sich im Testsystem an und bearbeitet {k} "
    "vorbereitete {obj}.",
    "Die Testdaten stammen aus Probelauf {j} der Migration.",
    "Erwartet wird, dass das CRM-System jede Eingabe speichert und in der Übersicht ohne "
    "Verzögerung anzeigt.",
    "Abweichungen werden im Testprotokoll mit Screenshot und Schweregrad festgehalten.",
    "Der Test gilt als bestanden, wenn alle {k} Prüfschritte ohne Befund abgeschlossen sind.",
)
TEST_ROLES = ("Innendienst", "Außendienst", "Service", "Marketing", "Administration")
EXCL_TEXT = (
    "Die Verarbeitung von {obj} im ERP-System ist nicht Bestandteil der Beauftragung.",
    "Dieser Prozess verbleibt im bestehenden System; das CRM-System zeigt die Daten nur an.",
    "Eine Ablösung wäre ein eigenes Projekt mit eigenem Budget.",
    "Die Abgrenzung wurde im Lenkungsausschuss vom {j}. März bestätigt.",
)
PRIORITY_WORD = {"must": "muss", "should": "soll", "can": "kann"}

#: The seven standard phases: (id, order, title).
PHASES = (
    ("PHASE-KICKOFF", 1, "Kick-off"),
    ("PHASE-KONZEPT", 2, "Konzeption"),
    ("PHASE-IMPL", 3, "Implementierung"),
    ("PHASE-TEST", 4, "Test (SIT und UAT)"),
    ("PHASE-SCHULUNG", 5, "Schulung"),
    ("PHASE-GOLIVE", 6, "Go-live"),
    ("PHASE-HYPERCARE", 7, "Hypercare"),
)
PHASE_ORDER = {pid: order for pid, order, _ in PHASES}
#: (phase, weight) for requirements; tests are scheduled in PHASE-TEST or later
REQ_PHASES = (
    ("PHASE-KONZEPT", 10),
    ("PHASE-IMPL", 70),
    ("PHASE-TEST", 8),
    ("PHASE-SCHULUNG", 6),
    ("PHASE-GOLIVE", 6),
)

#: Vocabulary used by the plain configuration (mirrors specheft.model).
PRIORITIES = ("must", "should", "can")
VERIFICATIONS = ("test", "inspection", "demonstration", "analysis")
LEVELS = ("sit", "uat")
SOLUTIONS = ("standard", "configuration", "customizing", "third-party")


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    title: str
    body: str
    options: tuple[tuple[str, str], ...]
    area: str | None = None

    def source(self) -> str:
        lines = [f":::{{{self.kind}}} {self.title}", f":id: {self.id}"]
        lines += [f":{name}: {value}" for name, value in self.options]
        return "\n".join([*lines, "", self.body, ":::", ""])


@dataclass(frozen=True)
class EditTarget:
    """A requirement whose title the runner changes for the re-check measurement."""

    path: str  # relative to the project root
    id: str
    title: str

    def line(self, title: str | None = None) -> str:
        return f":::{{req}} {title or self.title}\n:id: {self.id}\n"


@dataclass
class Manifest:
    root: Path
    flavour: Flavour
    n: int
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    edit: EditTarget | None = None

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def srcdir(self) -> Path:
        return self.root / "spec"


def expected_counts(n: int) -> dict[str, int]:
    """Items per kind that ``generate(…, n, …)`` writes."""
    return {"req": n, "excl": max(1, n // 10), "spec": n, "test": n, "phase": len(PHASES)}


# --- text -------------------------------------------------------------------------------


class _Text:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, **extra: str) -> str:
        rng = self.rng
        return template.format(k=rng.randint(2, 60), j=rng.randint(2, 12), **extra)

    def sentences(self, pool: tuple[str, ...], count: int, **extra: str) -> list[str]:
        return [self.fill(t, **extra) for t in self.rng.sample(pool, count)]

    def requirement(self, priority: str, obj: str, verb_zu: str) -> str:
        rng = self.rng
        first = (
            f"Das CRM-System {PRIORITY_WORD[priority]} {rng.choice(ROLES)} die Möglichkeit "
            f"bieten, {obj} {self.fill(rng.choice(QUALIFIERS))} {verb_zu}."
        )
        more = self.sentences(CONTEXT, 1) + self.sentences(CLOSING, rng.randint(0, 1))
        return " ".join([first, *more])


# --- the items ------------------------------------------------------------------------


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` spread over ``parts`` with uneven weights; every part gets at least one."""
    if total < parts:
        raise ValueError(f"cannot give each of {parts} parts at least one of {total}")
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    i = 0
    while sum(sizes) != total:
        step = 1 if sum(sizes) < total else -1
        if sizes[i % parts] + step >= 1:
            sizes[i % parts] += step
        i += 1
    return sizes


def build_items(n: int) -> dict[str, list[Item]]:
    """Every item of the project, by kind, in document order (deterministic for ``n``)."""
    if n < MIN_N:
        # _split gives every area at least one requirement: fewer never add up (it looped)
        raise ValueError(f"n must be at least {MIN_N}, one requirement per area")
    if n > 9999 * len(AREAS) // 2:
        raise ValueError(f"n={n} does not fit 4-digit ids")
    rng = random.Random(f"specheft-bench-{n}")
    text = _Text(rng)
    phase_ids = [p for p, _ in REQ_PHASES]
    phase_weights = [w for _, w in REQ_PHASES]

    reqs: list[Item] = []
    req_meta: list[tuple[str, str, str]] = []  # (area, phase, object) per requirement
    by_area: dict[str, list[str]] = {}
    for area, size in zip(AREA_CODES, _split(n, len(AREAS), rng), strict=True):
        objects = AREAS[area][1]
        for number in range(1, size + 1):
            rid = f"LH-{area}-{number:04d}"
            priority = rng.choices(PRIORITIES, weights=(55, 30, 15))[0]
            obj = rng.choice(objects)
            verb, verb_zu = rng.choice(VERBS)
            phase = rng.choices(phase_ids, weights=phase_weights)[0]
            options = [
                ("priority", priority),
                ("area", area),
                ("verification", rng.choices(VERIFICATIONS, weights=(60, 15, 20, 5))[0]),
                ("phase", phase),
                ("acceptance", text.fill(rng.choice(ACCEPTANCE), obj=obj)),
            ]
            earlier = by_area.get(area, [])
            if earlier and rng.random() < 0.08:
                options.append(("refines", rng.choice(earlier)))
            reqs.append(
                Item(
                    "req",
                    rid,
                    f"{obj} {verb}",
                    text.requirement(priority, obj, verb_zu),
                    tuple(options),
                    area,
                )
            )
            req_meta.append((area, phase, obj))
            by_area.setdefault(area, []).append(rid)

    excls: list[Item] = []
    excl_numbers: Counter[str] = Counter()
    for _ in range(expected_counts(n)["excl"]):
        area = rng.choice(AREA_CODES)
        excl_numbers[area] += 1
        obj = rng.choice(AREAS[area][1])
        excls.append(
            Item(
                "excl",
                f"AB-{area}-{excl_numbers[area]:04d}",
                f"{obj} im Altsystem",
                " ".join(text.sentences(EXCL_TEXT, rng.randint(2, 3), obj=obj)),
                (("area", area),),
                area,
            )
        )
    excls.sort(key=lambda item: (AREA_CODES.index(item.area or ""), item.id))

    specs: list[Item] = []
    spec_phase: dict[str, str] = {}
    req_phase = {req.id: meta[1] for req, meta in zip(reqs, req_meta, strict=True)}
    for req, (area, phase, obj) in zip(reqs, req_meta, strict=True):
        sid = "PH-" + req.id.removeprefix("LH-")
        satisfies = [req.id]
        siblings = by_area[area]
        if len(siblings) > 1 and rng.random() < 0.5:
            other = rng.choice(siblings)
            # not for a requirement due earlier: the spec would be late (spec-phase-order)
            if other != req.id and PHASE_ORDER[req_phase[other]] >= PHASE_ORDER[phase]:
                satisfies.append(other)
        sentences = text.sentences(SPEC_TEXT, rng.randint(2, 3), module=rng.choice(MODULES))
        if rng.random() < 0.1:
            sentences.append(f"Die Anforderung {{need}}`{req.id}` ist damit vollständig erfüllt.")
        specs.append(
            Item(
                "spec",
                sid,
                f"{obj} im Modul KW {rng.choice(MODULES)}",
                " ".join(sentences),
                (
                    ("satisfies", ", ".join(satisfies)),
                    ("solution", rng.choices(SOLUTIONS, weights=(40, 35, 20, 5))[0]),
                    ("area", area),
                    ("phase", phase),
                ),
                area,
            )
        )
        spec_phase[sid] = phase

    tests: list[Item] = []
    test_numbers: Counter[tuple[str, str]] = Counter()
    for req, spec, (area, phase, obj) in zip(reqs, specs, req_meta, strict=True):
        level = "uat" if rng.random() < 0.2 else "sit"
        target = req.id if level == "uat" else spec.id
        test_numbers[level, area] += 1
        test_phase = max(phase, "PHASE-TEST", key=PHASE_ORDER.__getitem__)
        tests.append(
            Item(
                "test",
                f"TC-{level.upper()}-{area}-{test_numbers[level, area]:04d}",
                f"{obj} prüfen ({'Abnahme' if level == 'uat' else 'Integration'})",
                " ".join(
                    text.sentences(
                        TEST_TEXT, rng.randint(2, 3), role=rng.choice(TEST_ROLES), obj=obj
                    )
                ),
                (("verifies", target), ("level", level), ("area", area), ("phase", test_phase)),
                area,
            )
        )

    phases = [
        Item(
            "phase",
            pid,
            title,
            " ".join(text.sentences(CONTEXT + CLOSING, rng.randint(2, 3))),
            (("order", str(order)),),
        )
        for pid, order, title in PHASES
    ]
    return {"phase": phases, "req": reqs, "excl": excls, "spec": specs, "test": tests}


# --- pages ----------------------------------------------------------------------------


def _toctree(entries: list[str], maxdepth: int = 1) -> str:
    body = "\n".join(entries)
    return f"```{{toctree}}\n:maxdepth: {maxdepth}\n\n{body}\n```\n"


def _chunked_pages(
    items: list[Item], folder: str, stem: str, heading: str
) -> tuple[dict[str, str], list[str]]:
    """Pages of ``ITEMS_PER_FILE`` items, with a section heading wherever the area changes."""
    pages: dict[str, str] = {}
    names: list[str] = []
    chunks = [items[i : i + ITEMS_PER_FILE] for i in range(0, len(items), ITEMS_PER_FILE)]
    for number, chunk in enumerate(chunks, start=1):
        name = f"{stem}-{number:03d}"
        parts = [f"# {heading} ({number}/{len(chunks)})\n"]
        area = None
        for item in chunk:
            if item.area != area:
                area = item.area
                parts.append(f"## {AREAS[area][0] if area else ''}\n")
            parts.append(item.source())
        pages[f"{folder}/{name}.md"] = "\n".join(parts)
        names.append(name)
    return pages, names


def item_pages(n: int) -> tuple[dict[str, str], EditTarget]:
    """The pages holding items (``spec/``-relative path -> text), identical in both flavours."""
    items = build_items(n)
    pages: dict[str, str] = {}
    phase_page = "# Phasen und Meilensteine\n\n" + "\n".join(i.source() for i in items["phase"])
    pages["lastenheft/phasen.md"] = phase_page

    names: dict[str, list[str]] = {}
    for kind, folder, stem, heading in (
        ("req", "lastenheft", "anforderungen", "Anforderungen"),
        ("excl", "lastenheft", "abgrenzungen", "Abgrenzungen"),
        ("spec", "pflichtenheft", "umsetzung", "Umsetzung"),
        ("test", "testkatalog", "testfaelle", "Testfälle"),
    ):
        kind_pages, names[kind] = _chunked_pages(items[kind], folder, stem, heading)
        pages.update(kind_pages)
    req_names = names["req"]

    pages["lastenheft/index.md"] = (
        "# Lastenheft\n\nDas Lastenheft beschreibt, was gefordert wird und wozu: Phasen, "
        "Anforderungen und Abgrenzungen des Projekts.\n\n"
        + _toctree(["phasen", *req_names, *names["excl"]])
    )
    pages["pflichtenheft/index.md"] = (
        "# Pflichtenheft\n\nDas Pflichtenheft beschreibt, wie der Anbieter jede Anforderung "
        "umsetzt.\n\n" + _toctree(names["spec"])
    )
    pages["testkatalog/index.md"] = (
        "# Testkatalog\n\nDie Testfälle des Systemintegrationstests (SIT) und des "
        "Abnahmetests (UAT).\n\n" + _toctree(names["test"])
    )
    pages["index.md"] = (
        "# Benchmark-Spezifikation\n\nEin generiertes Projekt mit "
        f"{n} Anforderungen für Zeitmessungen von specheft und sphinx-needs.\n\n"
        + _toctree(
            ["lastenheft/index", "pflichtenheft/index", "testkatalog/index", "traceability/index"],
            maxdepth=2,
        )
    )
    # the first requirement of the middle requirements page
    middle = req_names[len(req_names) // 2]
    first = items["req"][(len(req_names) // 2) * ITEMS_PER_FILE]
    edit = EditTarget(f"spec/lastenheft/{middle}.md", first.id, first.title)
    return pages, edit


TRACE_SPECHEFT = """\
# Traceability-Bericht

Der Bericht weist nach, dass jede Anforderung umgesetzt und geprüft ist.

## Zusammenfassung

:::{coverage-summary}
:::

## Abdeckungsmatrix

:::{coverage-matrix}
:sort: id
:caption: Abdeckung aller Anforderungen
:::
"""

TRACE_PLAIN = """\
# Traceability-Bericht

Der Bericht weist nach, dass jede Anforderung umgesetzt und geprüft ist.

## Abdeckungsmatrix

:::{needtable}
:types: req
:columns: id, title, priority, area, satisfies_back, verifies_back
:style: datatables
:::
"""


# --- configuration ----------------------------------------------------------------------

PROJECT_NAME = "Benchmark CRM"
CUSTOMER = "Muster Maschinenbau GmbH"

SPECHEFT_CONF_PY = """\
from specheft.sphinxext.project_conf import project_conf

globals().update(project_conf(__file__))
"""


def specheft_toml() -> str:
    areas = "\n".join(f'{code} = "{name}"' for code, (name, _) in AREAS.items())
    return (
        f'[project]\nname = "{PROJECT_NAME}"\ncustomer = "{CUSTOMER}"\n'
        f'version = "1.0"\nlanguage = "de"\n\n[areas]\n{areas}\n'
        # 80 % of the generated tests are SIT tests: without this every must requirement
        # without a UAT test is a req-uat warning, and the benchmark would time printing them
        '\n[rules]\nreq-uat = "off"\n'
    )


def plain_conf_py() -> str:
    """sphinx-needs configured by hand with the same vocabulary (no specheft import)."""

    def enum(values: tuple[str, ...]) -> str:
        listed = ", ".join(f'"{v}"' for v in values)
        return f'{{"type": "string", "enum": [{listed}]}}'

    fields = {
        "priority": ("Priorität", enum(PRIORITIES)),
        "area": ("Bereich", enum(tuple(sorted(AREAS)))),
        "verification": ("Prüfmethode", enum(VERIFICATIONS)),
        "acceptance": ("Abnahmekriterium", '{"type": "string"}'),
        "solution": ("Lösungsart", enum(SOLUTIONS)),
        "level": ("Teststufe", enum(LEVELS)),
        "order": ("Reihenfolge", '{"type": "integer", "minimum": 0}'),
    }
    field_lines = "\n".join(
        f'    "{name}": {{"description": "{desc}", "nullable": True, "schema": {schema}}},'
        for name, (desc, schema) in fields.items()
    )
    return f'''\
"""Plain Sphinx + myst-parser + sphinx-needs, configured by hand: the benchmark baseline."""

project = "{PROJECT_NAME}"
author = "{CUSTOMER}"
copyright = "2026, {CUSTOMER}"
version = release = "1.0"
language = "de"

extensions = ["myst_parser", "sphinx_needs"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "{PROJECT_NAME} 1.0"
html_show_sourcelink = False
html_last_updated_fmt = None

needs_types = [
    {{"directive": "req", "title": "Anforderung", "prefix": "LH-", "color": "#BFD8D2"}},
    {{"directive": "excl", "title": "Abgrenzung", "prefix": "AB-", "color": "#E8E8E8"}},
    {{"directive": "spec", "title": "Pflichtenheft-Punkt", "prefix": "PH-", "color": "#FEDCD2"}},
    {{"directive": "test", "title": "Testfall", "prefix": "TC-", "color": "#DCB239"}},
    {{"directive": "phase", "title": "Phase", "prefix": "PHASE-", "color": "#C5CAE9"}},
]
needs_fields = {{
{field_lines}
}}
needs_links = {{
    "satisfies": {{
        "outgoing": "erfüllt",
        "incoming": "erfüllt durch",
        "target_types": ["req", "excl"],
    }},
    "verifies": {{
        "outgoing": "prüft",
        "incoming": "geprüft durch",
        "target_types": ["spec", "req", "excl"],
    }},
    "phase": {{"outgoing": "Phase", "incoming": "umfasst", "target_types": ["phase"]}},
    "refines": {{
        "outgoing": "verfeinert",
        "incoming": "verfeinert durch",
        "target_types": ["req"],
    }},
}}
needs_id_regex = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
needs_id_required = True
needs_build_json = True
needs_reproducible_json = True
needs_table_style = "DATATABLES"
'''


# --- writing ----------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, n: int, flavour: Flavour) -> Manifest:
    """Write the ``flavour`` project for ``n`` requirements to ``root`` (replacing it)."""
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {FLAVOURS}, not {flavour!r}")
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    pages, edit = item_pages(n)
    if flavour == "specheft":
        _write(root / "conf" / "conf.py", SPECHEFT_CONF_PY)
        _write(root / "conf" / "specheft.toml", specheft_toml())
        pages["traceability/index.md"] = TRACE_SPECHEFT
    else:
        _write(root / "spec" / "conf.py", plain_conf_py())
        pages["traceability/index.md"] = TRACE_PLAIN
    for relpath, text in pages.items():
        _write(root / "spec" / relpath, text)
    return Manifest(root, flavour, n, expected_counts(n), len(pages), edit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="output folder (one subfolder per flavour)")
    parser.add_argument("--n", type=int, default=100, help="number of requirements")
    parser.add_argument("--flavour", choices=FLAVOURS, action="append")
    args = parser.parse_args(argv)
    if args.n < MIN_N:
        parser.error(f"--n must be at least {MIN_N} (one requirement per area)")
    for flavour in args.flavour or FLAVOURS:
        manifest = generate(args.dir / flavour, args.n, flavour)
        print(f"{flavour}: {manifest.items} items in {manifest.files} pages -> {manifest.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
