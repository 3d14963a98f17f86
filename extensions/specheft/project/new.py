"""``specheft new``: a complete project that builds and checks clean from the first minute.

The Lastenheft gets the usual chapters, the chosen catalogue requirements with fresh
project ids (``:origin:`` names the catalogue item), the seven phases; Pflichtenheft and
test catalogue start empty. Guidance for authors is written as MyST comments (``%``),
so it is in the sources but never in the built documents. Everything is written in one
transaction: a failure leaves the target directory as it was.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from specheft.errors import UsageError
from specheft.fsutil import Transaction, inside
from specheft.model import STANDARD_PHASES
from specheft.project.catalog import Catalog, CatalogItem
from specheft.project.layout import OUTPUT_MARKER

CONF_PY = '''"""Sphinx configuration; the project's facts live in specheft.toml beside it."""

from specheft.sphinxext.project_conf import project_conf

globals().update(project_conf(__file__))
'''

GITIGNORE = "_build/\n__pycache__/\n"

_GATES = {
    "de": {
        "PHASE-KICKOFF": "Projektauftrag, Rollen und Meilensteinplan sind von beiden Seiten "
        "abgestimmt.",
        "PHASE-KONZEPT": "Jede Muss-Anforderung ist durch mindestens einen Pflichtenheft-Punkt "
        "erfüllt; das Pflichtenheft ist unterschrieben.",
        "PHASE-IMPL": "Das konfigurierte System hat den internen Test des Anbieters bestanden und "
        "ist für den Systemintegrationstest freigegeben.",
        "PHASE-TEST": "Jede Muss-Anforderung ist erfolgreich geprüft; kein Mangel der Klasse 1 ist "
        "offen.",
        "PHASE-SCHULUNG": "Alle Key-User und Endanwender der ersten Stufe sind geschult.",
        "PHASE-GOLIVE": "Die Go/No-Go-Entscheidung ist getroffen und das System ist produktiv.",
        "PHASE-HYPERCARE": "Die Exit-Kriterien der Hypercare sind erfüllt; der Betrieb ist an den "
        "Regel-Support übergeben.",
    },
    "en": {
        "PHASE-KICKOFF": "Project charter, roles and milestone plan are agreed by both parties.",
        "PHASE-KONZEPT": "Every must requirement is satisfied by at least one specification item; "
        "the specification is signed.",
        "PHASE-IMPL": "The configured system passed the vendor's internal test and is released "
        "for the system integration test.",
        "PHASE-TEST": "Every must requirement is verified successfully; no class 1 defect is open.",
        "PHASE-SCHULUNG": "All key users and the end users of the first wave are trained.",
        "PHASE-GOLIVE": "The go/no-go decision is taken and the system is in production.",
        "PHASE-HYPERCARE": "The hypercare exit criteria are met; operation is handed over to "
        "regular support.",
    },
}

_WORDS = {
    "de": {
        "lastenheft": "Lastenheft",
        "pflichtenheft": "Pflichtenheft",
        "testkatalog": "Testkatalog",
        "traceability": "Traceability-Bericht",
        "abnahme": "Abnahmeprotokoll",
        "angebotsauswertung": "Angebotsauswertung",
        "scoring": "Bewertung",
        "requirements": "Fachliche Anforderungen",
        "phases": "Projektphasen",
        "intro": "Einleitung",
        "situation": "Ausgangssituation",
        "goals": "Projektziele",
        "scope": "Projektumfang und Abgrenzungen",
        "acceptance": "Abnahme",
        "solution": "Umsetzung der Anforderungen",
        "sit": "Systemintegrationstest (SIT)",
        "uat": "Abnahmetest (UAT)",
        "summary": "Zusammenfassung",
        "gaps": "Lücken",
        "matrix": "Abdeckungsmatrix",
        "sponsor": "Projektauftraggeber",
        "lead": "Projektleitung Auftraggeber",
        "vendor_lead": "Projektleitung Auftragnehmer",
        "subject": "Gegenstand und Bezug",
        "runs": "Testläufe und Ergebnisse",
        "requests": "Genehmigte Änderungsanträge; der Leistungsumfang der Abnahme schließt "
        "sie ein:",
        "decision": "Entscheidung",
        "residual": "Restmängelliste",
        "declaration": "Abnahmeerklärung",
    },
    "en": {
        "lastenheft": "Requirements Specification",
        "pflichtenheft": "System Specification",
        "testkatalog": "Test Catalogue",
        "traceability": "Traceability Report",
        "abnahme": "Acceptance Protocol",
        "angebotsauswertung": "Vendor Evaluation",
        "scoring": "Scoring",
        "requirements": "Functional and quality requirements",
        "phases": "Project phases",
        "intro": "Introduction",
        "situation": "Current situation",
        "goals": "Project goals",
        "scope": "Scope and exclusions",
        "acceptance": "Acceptance",
        "solution": "Realisation of the requirements",
        "sit": "System integration test (SIT)",
        "uat": "User acceptance test (UAT)",
        "summary": "Summary",
        "gaps": "Gaps",
        "matrix": "Coverage matrix",
        "sponsor": "Project sponsor",
        "lead": "Customer project lead",
        "vendor_lead": "Vendor project lead",
        "subject": "Subject and references",
        "runs": "Test runs and results",
        "requests": "Approved change requests; the scope of the acceptance includes them:",
        "decision": "Decision",
        "residual": "Residual defects",
        "declaration": "Declaration of acceptance",
    },
}

_GUIDE = {
    "de": {
        "intro": "Zweck des Dokuments, Geltungsbereich, Begriffe und Abkürzungen, Referenzen.",
        "situation": "Unternehmen, Organisation und Standorte, Benutzer je Rolle, heutige "
        "Systeme und Prozesse, Mengengerüst (Firmen, Kontakte, Vorgänge pro Jahr).",
        "goals": "Messbare Projektziele mit Kennzahl, heutigem Wert und Zielwert.",
        "scope": "Prozesse im Umfang, Releases, und die Abgrenzungen als {excl}-Elemente "
        "(AB-001, …): was ausdrücklich nicht geliefert wird und wo es stattdessen bleibt.",
        "requirements": "Eine Seite je Bereich. Jede Anforderung ist ein {req}-Element mit "
        "Priorität, Phase und Abnahmekriterium; der Text folgt der Satzschablone "
        "„Das CRM-System muss …“. Weitere Anforderungen aus dem Katalog holt "
        "`specheft catalog add ID … --into DATEI`.",
        "acceptance": "Abnahmeverfahren, Mängelklassen, Abnahmeprotokoll, Go/No-Go-Kriterien.",
        "solution": "Hier beschreibt der Anbieter je Anforderung die Umsetzung als {spec}-Element "
        "mit :satisfies: LH-… und :solution: (standard, configuration, customizing, "
        "third-party). Sobald es Pflichtenheft-Punkte gibt: die Regeln req-satisfied und "
        "req-verified in conf/specheft.toml auf die Voreinstellung zurücksetzen.",
        "sit": "Testfälle des Systemintegrationstests als {test}-Elemente mit :level: sit und "
        ":verifies: PH-… oder LH-….",
        "uat": "Testfälle des Abnahmetests als {test}-Elemente mit :level: uat, geschrieben von "
        "den Key-Usern.",
        "abnahme": "Wird bei jedem Build aus den importierten Testläufen und der Mängelliste "
        "erzeugt (specheft results import junit|manual|defects …); die Kriterien stehen in "
        "[acceptance] in conf/specheft.toml, `specheft accept` prüft sie auf der Konsole. "
        "Ohne importierte Läufe lautet die Entscheidung No-Go.",
        "angebotsauswertung": "Die Auswahl des Anbieters (Nutzwertanalyse): je Bieter "
        "`specheft compliance template --vendor NAME` an den Bieter senden, seine ausgefüllte "
        "Matrix mit `specheft compliance import DATEI --vendor NAME` übernehmen; die Tabelle "
        "unten rangiert die Angebote nach [tender] in conf/specheft.toml (Punkte je Erfüllungsart, "
        "Gewichte je Priorität und Bereich; eine nicht erfüllbare Muss-Anforderung schließt aus). "
        "Ein Abschnitt mit den Antworten des gewählten Bieters: "
        ":::{vendor-answers} mit :vendor: NAME. Internes Dokument des Auftraggebers.",
    },
    "en": {
        "intro": "Purpose of the document, scope, terms and abbreviations, references.",
        "situation": "Company, organisation and sites, users per role, today's systems and "
        "processes, volumes (accounts, contacts, cases per year).",
        "goals": "Measurable project goals with indicator, current value and target value.",
        "scope": "Processes in scope, releases, and the exclusions as {excl} items (AB-001, …): "
        "what is explicitly not delivered and where it stays instead.",
        "requirements": "One page per area. Each requirement is a {req} item with priority, "
        'phase and acceptance criterion; the text follows the template "The CRM system shall '
        '…". `specheft catalog add ID … --into FILE` takes more requirements from the '
        "catalogue.",
        "acceptance": "Acceptance procedure, defect classes, acceptance protocol, go/no-go "
        "criteria.",
        "solution": "Here the vendor describes how each requirement is met, as {spec} items with "
        ":satisfies: LH-… and :solution: (standard, configuration, customizing, third-party). "
        "Once there are specification items, reset the rules req-satisfied and req-verified in "
        "conf/specheft.toml to their defaults.",
        "sit": "System integration test cases as {test} items with :level: sit and "
        ":verifies: PH-… or LH-….",
        "uat": "User acceptance test cases as {test} items with :level: uat, written by the key "
        "users.",
        "abnahme": "Generated at every build from the imported test runs and the defect list "
        "(specheft results import junit|manual|defects …); the criteria are [acceptance] in "
        "conf/specheft.toml, `specheft accept` checks them on the console. Without imported "
        "runs the decision is No-Go.",
        "angebotsauswertung": "Choosing the vendor (weighted scoring): for each bidder, send "
        "`specheft compliance template --vendor NAME` and take the filled-in matrix back with "
        "`specheft compliance import FILE --vendor NAME`; the table below ranks the offers by "
        "[tender] in conf/specheft.toml (points per kind of fulfilment, weights per priority "
        "and area; a must requirement that cannot be met knocks an offer out). A section with "
        "the chosen bidder's answers: :::{vendor-answers} with :vendor: NAME. The customer's "
        "internal document.",
    },
}


# --- names and ids from a folder name -----------------------------------------------------

#: Abbreviations that stay upper case in a derived project name (besides vowel-less words).
_ACRONYMS = {"sap", "erp", "it", "hr", "ai", "ki", "edv", "api", "ui", "bi", "ecm", "ocr"}
#: Folder names cannot hold umlauts everywhere; the words that name projects get them back.
_SPELLING = {
    "einfuehrung": "Einführung",
    "abloesung": "Ablösung",
    "pruefung": "Prüfung",
    "uebernahme": "Übernahme",
    "systemeinfuehrung": "Systemeinführung",
    "loesung": "Lösung",
    "pruefstand": "Prüfstand",
    "oeffentlich": "Öffentlich",
}
_LEGAL_FORMS = {
    "gmbh",
    "ag",
    "kg",
    "se",
    "mbh",
    "co",
    "ohg",
    "ug",
    "ev",
    "e.v",
    "kgaa",
    "inc",
    "ltd",
    "llc",
    "plc",
    "sa",
    "sarl",
    "bv",
    "nv",
    "und",
    "and",
    "&",
}
#: Short document ids per document and language: <project id>-LH, …
DOC_ABBREV = {
    "de": {
        "lastenheft": "LH",
        "angebotsauswertung": "AW",
        "pflichtenheft": "PH",
        "testkatalog": "TK",
        "traceability": "TB",
        "abnahme": "AP",
    },
    "en": {
        "lastenheft": "REQ",
        "angebotsauswertung": "EVAL",
        "pflichtenheft": "SPEC",
        "testkatalog": "TEST",
        "traceability": "TRACE",
        "abnahme": "ACC",
    },
}


def _is_acronym(word: str) -> bool:
    letters = [c for c in word.lower() if c.isalpha()]
    return word.lower() in _ACRONYMS or (
        1 < len(letters) <= 5 and not any(c in "aeiouyäöü" for c in letters)
    )


def project_name(folder: str, language: str = "de") -> str:
    """A title-page name from a folder name: ``crm-einfuehrung`` → ``CRM-Einführung``.

    Words already written with capitals are kept; lower-case ones are capitalised,
    abbreviations (CRM, ERP, vowel-less words) upper-cased, a few project words get their
    umlauts back. In German a word after an abbreviation joins it with a hyphen (compounds:
    CRM-Einführung); other words are separated by spaces.
    """
    words = [w for w in re.split(r"[-_.\s]+", folder.strip()) if w]
    if not words:
        return folder
    out: list[str] = []
    for word in words:
        if word != word.lower():
            shown = word
        elif _is_acronym(word):
            shown = word.upper()
        else:
            shown = _SPELLING.get(word, word[:1].upper() + word[1:])
        compound = language == "de" and out and _is_acronym(out[-1]) and out[-1].isupper()
        if compound and not shown[:1].isdigit():
            out[-1] += "-" + shown
        else:
            out.append(shown)
    return " ".join(out)


def _ascii_upper(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "AE").replace("Ö", "OE").replace("Ü", "UE")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def document_id(name: str, customer: str = "") -> str:
    """A short project id for document ids: ``NM-CRM`` for "CRM-Einführung" at
    "Nordwerk Maschinenbau GmbH"; the abbreviations in the name (else its first word,
    at most 8 letters), after the customer's initials."""
    words = [w for w in re.split(r"[^\w]+", name) if w]
    acronyms = [_ascii_upper(w) for w in words if w.isupper() and len(w) <= 5 and w.isalpha()]
    if acronyms:
        base = "-".join(dict.fromkeys(acronyms))
    else:
        first = re.sub(r"[^A-Z0-9]", "", _ascii_upper(words[0])) if words else ""
        base = (first if len(first) <= 8 else first[:4]) or "PROJ"
    significant = [
        re.sub(r"[^A-Z0-9]", "", _ascii_upper(w))
        for w in re.split(r"[\s,/-]+", customer)
        if w and w.lower().strip(".") not in _LEGAL_FORMS
    ]
    significant = [w for w in significant if w]
    # one word: its beginning ("Muster GmbH" → MUS); several: initials (Nordwerk Maschinenbau → NM)
    one = len(significant) == 1
    prefix = significant[0][:3] if one else "".join(w[0] for w in significant[:3])
    return f"{prefix}-{base}" if prefix else base


@dataclass(frozen=True)
class NewProject:
    root: Path
    name: str
    customer: str
    language: str
    catalog: Catalog
    items: tuple[CatalogItem, ...]
    document_id: str


def _guide(text: str) -> str:
    """Author guidance as MyST comment lines: in the source, not in the documents."""
    words, lines, line = text.split(), [], "%"
    for word in words:
        if len(line) + len(word) > 88:
            lines.append(line)
            line = "%"
        line += " " + word
    lines.append(line)
    return "\n".join(lines) + "\n"


def _toctree(entries: Iterable[str], maxdepth: int | None = None) -> str:
    head = f":maxdepth: {maxdepth}\n\n" if maxdepth else ""
    return "```{toctree}\n" + head + "\n".join(entries) + "\n```\n"


def _value(text: str) -> str:
    """An option value on one line (MyST options end at the line break)."""
    return " ".join(text.split())


def requirement_source(item: CatalogItem, new_id: str, language: str) -> str:
    title, statement, acceptance = item.text(language)
    options = [
        ("id", new_id),
        ("priority", item.priority),
        ("area", item.area),
        ("verification", item.verification),
        ("phase", item.typical_phase),
        ("origin", item.id),
        ("acceptance", acceptance),
    ]
    if item.tags:
        options.append(("tags", ", ".join(item.tags)))
    if item.rationale and language == "de":
        options.append(("rationale", item.rationale))
    lines = [f":::{{req}} {_value(title)}"]
    lines += [f":{name}: {_value(value)}" for name, value in options]
    lines += ["", statement, ":::", ""]
    return "\n".join(lines)


def number_items(
    items: Iterable[CatalogItem], taken: Iterable[str] = ()
) -> list[tuple[CatalogItem, str]]:
    """Fresh project ids ``LH-<AREA>-NNN``, continuing after the ones ``taken``."""
    counters: dict[str, int] = {}
    for existing in taken:
        parts = existing.split("-")
        if len(parts) == 3 and parts[0] == "LH" and parts[2].isdigit():
            counters[parts[1]] = max(counters.get(parts[1], 0), int(parts[2]))
    result = []
    for item in items:
        counters[item.area] = counters.get(item.area, 0) + 1
        result.append((item, f"LH-{item.area}-{counters[item.area]:03d}"))
    return result


_TOCTREE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\{toctree\}")


def with_toctree_entry(text: str, entry: str) -> str | None:
    """``text`` with ``entry`` added at the end of its first toctree, in the text's own
    line endings; unchanged if it lists ``entry`` already; None if it has no toctree."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    newline = "\r\n" if "\r\n" in text else "\n"
    for start, line in enumerate(lines):
        if not (opening := _TOCTREE.match(line)):
            continue
        fence = opening.group("fence")
        for end in range(start + 1, len(lines)):
            body = lines[end].strip()
            if body == entry:
                return text
            if body.startswith(fence) and not body.strip(fence[0]):
                if end and not lines[end - 1].endswith(("\n", "\r")):
                    lines[end - 1] += newline
                lines.insert(end, entry + newline)
                return "".join(lines)
        return None  # a toctree that is never closed: leave the page alone
    return None


def _phases(language: str) -> str:
    words = _WORDS[language]
    text = [f"# {words['phases']}\n"]
    for phase in STANDARD_PHASES:
        name = phase.name_de if language == "de" else phase.name_en
        text.append(
            f":::{{phase}} {name}\n:id: {phase.id}\n:order: {phase.order}\n"
            f":gate: {_GATES[language][phase.id]}\n:::\n"
        )
    return "\n".join(text)


def files(new: NewProject) -> dict[str, str]:
    """Relative path → text of every file of the new project."""
    lang, words, guide = new.language, _WORDS[new.language], _GUIDE[new.language]
    areas = list(dict.fromkeys(item.area for item in new.items))
    numbered = number_items(new.items)
    out: dict[str, str] = {
        ".gitignore": GITIGNORE,
        "conf/conf.py": CONF_PY,
        "conf/specheft.toml": settings_toml(new),
        "README.md": readme(new),
        "spec/index.md": f"# {new.name}\n\n"
        + _toctree(
            [
                "lastenheft/index",
                "angebotsauswertung/index",
                "pflichtenheft/index",
                "testkatalog/index",
                "traceability/index",
                "abnahme/index",
            ],
            maxdepth=2,
        ),
        "spec/lastenheft/index.md": f"# {words['lastenheft']}\n\n"
        + _toctree(
            [
                "01-einleitung",
                "02-ausgangssituation",
                "03-ziele",
                "04-umfang",
                "05-anforderungen/index",
                "06-phasen",
                "07-abnahme",
            ]
        ),
        "spec/lastenheft/01-einleitung.md": f"# {words['intro']}\n\n" + _guide(guide["intro"]),
        "spec/lastenheft/02-ausgangssituation.md": f"# {words['situation']}\n\n"
        + _guide(guide["situation"]),
        "spec/lastenheft/03-ziele.md": f"# {words['goals']}\n\n" + _guide(guide["goals"]),
        "spec/lastenheft/04-umfang.md": f"# {words['scope']}\n\n" + _guide(guide["scope"]),
        "spec/lastenheft/05-anforderungen/index.md": f"# {words['requirements']}\n\n"
        + _guide(guide["requirements"])
        + "\n"
        + _toctree([code.lower() for code in areas]),
        "spec/lastenheft/06-phasen.md": _phases(lang),
        "spec/lastenheft/07-abnahme.md": f"# {words['acceptance']}\n\n"
        + _guide(guide["acceptance"]),
        "spec/angebotsauswertung/index.md": f"# {words['angebotsauswertung']}\n\n"
        + _guide(guide["angebotsauswertung"])
        + f"\n## {words['scoring']}\n\n:::{{vendor-comparison}}\n:::\n",
        "spec/pflichtenheft/index.md": f"# {words['pflichtenheft']}\n\n" + _toctree(["umsetzung"]),
        "spec/pflichtenheft/umsetzung.md": f"# {words['solution']}\n\n" + _guide(guide["solution"]),
        "spec/testkatalog/index.md": f"# {words['testkatalog']}\n\n" + _toctree(["sit", "uat"]),
        "spec/testkatalog/sit.md": f"# {words['sit']}\n\n" + _guide(guide["sit"]),
        "spec/testkatalog/uat.md": f"# {words['uat']}\n\n" + _guide(guide["uat"]),
        "spec/traceability/index.md": (
            f"# {words['traceability']}\n\n## {words['summary']}\n\n"
            ":::{coverage-summary}\n:::\n\n"
            f"## {words['gaps']}\n\n:::{{coverage-matrix}}\n:status: uncovered, partial\n"
            f":sort: gaps\n:::\n\n## {words['matrix']}\n\n:::{{coverage-matrix}}\n:::\n"
        ),
        "spec/abnahme/index.md": _acceptance_protocol(words, guide),
    }
    for code in areas:
        items = [
            requirement_source(item, new_id, lang) for item, new_id in numbered if item.area == code
        ]
        out[f"spec/lastenheft/05-anforderungen/{code.lower()}.md"] = (
            f"# {new.catalog.area_title(code, lang)}\n\n" + "\n".join(items)
        )
    return out


def _acceptance_protocol(words: dict[str, str], guide: dict[str, str]) -> str:
    """The Abnahmeprotokoll: generated from the imported runs and defects at every build."""

    def decision(part: str) -> str:
        return f":::{{acceptance-decision}}\n:show: {part}\n:::\n\n"

    # the approved change requests belong to what is accepted (issue 14)
    requests = f"{words['requests']}\n\n:::{{change-requests}}\n:decision: approved, implemented\n"
    return (
        f"# {words['abnahme']}\n\n{_guide(guide['abnahme'])}\n"
        f"## {words['subject']}\n\n"
        + decision("references")
        + f"{requests}:::\n\n"
        + f"## {words['runs']}\n\n:::{{test-results}}\n:::\n\n"
        + f"## {words['decision']}\n\n"
        + decision("decision")
        + f"## {words['residual']}\n\n"
        + decision("residual")
        + f"## {words['declaration']}\n\n"
        + decision("signoff")
    ).rstrip("\n") + "\n"


#: git tags that are the contract documents' baselines in a new project
BASELINE_TAGS = {"lastenheft": "lh-v*", "pflichtenheft": "ph-v*"}


def _toml_string(text: str) -> str:
    # a JSON string is a valid TOML basic string: quotes, backslashes, control characters
    return json.dumps(text, ensure_ascii=False)


def settings_toml(new: NewProject) -> str:
    words = _WORDS[new.language]
    lines = [
        "[project]",
        f"name = {_toml_string(new.name)}",
        f"customer = {_toml_string(new.customer)}",
        'version = "0.1"',
        'status = "draft"',
        f'language = "{new.language}"',
        f"document_id = {_toml_string(new.document_id)}",
        "",
        "[areas]",
    ]
    lines += [
        f"{code} = {_toml_string(new.catalog.area_title(code, new.language))}"
        for code in new.catalog.areas
    ]
    lines += [
        "",
        "# While the Lastenheft is written there is no Pflichtenheft and no test yet: coverage",
        "# is reported as information. Delete these two lines once the vendor's Pflichtenheft",
        "# is in the project, so that `specheft check` demands full coverage again.",
        "[rules]",
        'req-satisfied = "info"',
        'req-verified = "info"',
        "",
    ]
    abbrev = DOC_ABBREV[new.language]
    customer, both_leads = ("sponsor", "lead"), ("lead", "vendor_lead")
    # Who signs is who owns: the Lastenheft is the customer's tender document; the
    # Pflichtenheft is the contract basis both parties sign; the test catalogue and the
    # traceability report are the acceptance evidence both project leads agree on.
    for name, show_vendor, roles, why in (
        ("lastenheft", False, customer, "the customer's document: signed by the customer"),
        (
            "angebotsauswertung",
            False,
            customer,
            "the customer's choice of vendor, internal: signed by the customer",
        ),
        (
            "pflichtenheft",
            True,
            ("sponsor", "lead", "vendor_lead"),
            "the contract basis: signed by both parties",
        ),
        ("testkatalog", True, both_leads, "what acceptance is tested against: both leads"),
        ("traceability", True, both_leads, "the coverage at a fingerprint: both leads"),
    ):
        lines += [
            f"[documents.{name}]",
            f"title = {_toml_string(words[name])}",
            f'start = "{name}/index"',
            f"id = {_toml_string(f'{new.document_id}-{abbrev[name]}')}",
        ]
        if not show_vendor:
            lines.append("show_vendor = false")
        if name in BASELINE_TAGS:  # the two contract baselines (README: Baselines)
            lines.append(
                f'baseline = "{BASELINE_TAGS[name]}"  # git tag {BASELINE_TAGS[name][:-1]}1.0 '
                "is version 1.0"
            )
        lines.append(f"# {why}")
        lines.append("signoff_roles = [" + ", ".join(_toml_string(words[r]) for r in roles) + "]")
        lines.append("")
    lines += [
        "[documents.abnahme]",
        f"title = {_toml_string(words['abnahme'])}",
        'start = "abnahme/index"',
        f"id = {_toml_string(new.document_id + '-' + abbrev['abnahme'])}",
        "# the customer's sponsor declares acceptance, the vendor's lead countersigns; the",
        "# declaration at its end carries the signatures (no separate sign-off page)",
        "signoff_roles = ["
        + ", ".join(_toml_string(words[r]) for r in ("sponsor", "vendor_lead"))
        + "]",
        "signoff = false",
        "",
    ]
    lines.append("# Freigabe: fill in the names; each document lists the roles that sign it.")
    for role in ("sponsor", "lead", "vendor_lead"):
        lines += ["[[signoff]]", f"role = {_toml_string(words[role])}", 'name = ""']
        if role != "vendor_lead" and new.customer:
            lines.append(f"organisation = {_toml_string(new.customer)}")
        lines.append("")
    return "\n".join(lines)


def readme(new: NewProject) -> str:
    if new.language == "de":
        return (
            f"# {new.name}\n\nLastenheft, Pflichtenheft, Testkatalog und Traceability-Bericht "
            "als Markdown (MyST), gebaut mit [specheft](https://pypi.org/project/specheft/).\n\n"
            "```\nspecheft build              # HTML nach _build/html\n"
            "specheft build --format all # zusätzlich die PDFs nach _build/pdf\n"
            "specheft check              # Traceability- und Qualitätsprüfung\n"
            "specheft serve              # Vorschau, die sich bei jeder Änderung erneuert\n```\n\n"
            "Die Anforderungen stammen aus dem Katalog; `:origin:` nennt das Katalog-Element.\n"
        )
    return (
        f"# {new.name}\n\nRequirements specification, system specification, test catalogue "
        "and traceability report as Markdown (MyST), built with "
        "[specheft](https://pypi.org/project/specheft/).\n\n"
        "```\nspecheft build              # HTML to _build/html\n"
        "specheft build --format all # also the PDFs to _build/pdf\n"
        "specheft check              # traceability and quality check\n"
        "specheft serve              # preview that rebuilds on every change\n```\n\n"
        "The requirements come from the catalogue; `:origin:` names the catalogue item.\n"
    )


def create(new: NewProject, *, force: bool = False) -> list[Path]:
    """Write the project; refuses a non-empty directory unless ``force``."""
    root = new.root
    refuse_unless_empty(root, force=force)
    transaction = Transaction()
    for relative, text in files(new).items():
        transaction.write_text(inside(root, Path(relative)), text)
    return transaction.commit()


def refuse_unless_empty(root: Path, *, force: bool = False) -> None:
    """A usage error if ``root`` is a file, or a non-empty directory without ``force``."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a directory")
    if root.exists() and any(p.name != OUTPUT_MARKER for p in root.iterdir()) and not force:
        raise UsageError(
            f"{root} is not empty; not writing into it",
            hint="choose a new directory, or use --force to add the project files "
            "(existing files with the same names are replaced)",
        )
