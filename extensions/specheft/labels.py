"""Words that readers see, in German and English.

One table per language keyed by a dotted name (``kind.req``, ``field.priority``,
``value.priority.must``, ``link.satisfies.in`` …) so that documents never show an
English sphinx-needs label in a German deliverable.
"""

from __future__ import annotations

LANGUAGES = ("de", "en")

_DE: dict[str, str] = {
    "kind.req": "Anforderung",
    "kind.req.plural": "Anforderungen",
    "kind.excl": "Abgrenzung",
    "kind.excl.plural": "Abgrenzungen",
    "kind.spec": "Pflichtenheft-Punkt",
    "kind.spec.plural": "Pflichtenheft-Punkte",
    "kind.test": "Testfall",
    "kind.test.plural": "Testfälle",
    "kind.phase": "Phase",
    "kind.phase.plural": "Phasen",
    "kind.catreq": "Katalog-Anforderung",
    "kind.catreq.plural": "Katalog-Anforderungen",
    "field.title_en": "Titel (englisch)",
    "field.statement_en": "Anforderung (englisch)",
    "field.acceptance_en": "Abnahmekriterium (englisch)",
    "field.typical_phase": "Typische Phase",
    "field.id": "ID",
    "field.title": "Titel",
    "field.status": "Status",
    "field.priority": "Priorität",
    "field.area": "Bereich",
    "field.source": "Quelle",
    "field.rationale": "Begründung",
    "field.acceptance": "Abnahmekriterium",
    "field.verification": "Prüfmethode",
    "field.level": "Teststufe",
    "field.solution": "Lösungsart",
    "field.order": "Reihenfolge",
    "field.start": "Beginn",
    "field.end": "Ende",
    "field.gate": "Abschlusskriterium",
    "field.tags": "Schlagworte",
    "value.priority.must": "Muss",
    "value.priority.should": "Soll",
    "value.priority.can": "Kann",
    "value.verification.test": "Test",
    "value.verification.inspection": "Inspektion",
    "value.verification.demonstration": "Demonstration",
    "value.verification.analysis": "Analyse",
    "value.level.sit": "SIT (Systemintegrationstest)",
    "value.level.uat": "UAT (Abnahmetest)",
    "value.solution.standard": "Standard",
    "value.solution.configuration": "Konfiguration",
    "value.solution.customizing": "Customizing",
    "value.solution.third-party": "Drittanbieter",
    "value.status.draft": "Entwurf",
    "value.status.review": "In Prüfung",
    "value.status.agreed": "Abgestimmt",
    "value.status.deferred": "Zurückgestellt",
    "value.status.rejected": "Abgelehnt",
    "value.status.obsolete": "Entfallen",
    "link.satisfies.out": "erfüllt",
    "link.satisfies.in": "erfüllt durch",
    "link.verifies.out": "prüft",
    "link.verifies.in": "geprüft durch",
    "link.phase.out": "Phase",
    "link.phase.in": "umfasst",
    "link.refines.out": "verfeinert",
    "link.refines.in": "verfeinert durch",
}

_EN: dict[str, str] = {
    "kind.req": "Requirement",
    "kind.req.plural": "Requirements",
    "kind.excl": "Exclusion",
    "kind.excl.plural": "Exclusions",
    "kind.spec": "Specification item",
    "kind.spec.plural": "Specification items",
    "kind.test": "Test case",
    "kind.test.plural": "Test cases",
    "kind.phase": "Phase",
    "kind.phase.plural": "Phases",
    "kind.catreq": "Catalogue requirement",
    "kind.catreq.plural": "Catalogue requirements",
    "field.title_en": "Title (English)",
    "field.statement_en": "Statement (English)",
    "field.acceptance_en": "Acceptance criterion (English)",
    "field.typical_phase": "Typical phase",
    "field.id": "ID",
    "field.title": "Title",
    "field.status": "Status",
    "field.priority": "Priority",
    "field.area": "Area",
    "field.source": "Source",
    "field.rationale": "Rationale",
    "field.acceptance": "Acceptance criterion",
    "field.verification": "Verification",
    "field.level": "Test level",
    "field.solution": "Solution",
    "field.order": "Order",
    "field.start": "Start",
    "field.end": "End",
    "field.gate": "Exit criterion",
    "field.tags": "Tags",
    "value.priority.must": "Must",
    "value.priority.should": "Should",
    "value.priority.can": "Can",
    "value.verification.test": "Test",
    "value.verification.inspection": "Inspection",
    "value.verification.demonstration": "Demonstration",
    "value.verification.analysis": "Analysis",
    "value.level.sit": "SIT (system integration test)",
    "value.level.uat": "UAT (user acceptance test)",
    "value.solution.standard": "Standard",
    "value.solution.configuration": "Configuration",
    "value.solution.customizing": "Customizing",
    "value.solution.third-party": "Third party",
    "value.status.draft": "Draft",
    "value.status.review": "In review",
    "value.status.agreed": "Agreed",
    "value.status.deferred": "Deferred",
    "value.status.rejected": "Rejected",
    "value.status.obsolete": "Obsolete",
    "link.satisfies.out": "satisfies",
    "link.satisfies.in": "satisfied by",
    "link.verifies.out": "verifies",
    "link.verifies.in": "verified by",
    "link.phase.out": "Phase",
    "link.phase.in": "contains",
    "link.refines.out": "refines",
    "link.refines.in": "refined by",
}

_TABLES = {"de": _DE, "en": _EN}


def label(language: str, key: str, default: str | None = None) -> str:
    """The reader-facing word for ``key``; English when the language lacks it."""
    table = _TABLES.get(language, _EN)
    if key in table:
        return table[key]
    if key in _EN:
        return _EN[key]
    return default if default is not None else key


def value_label(language: str, field: str, value: str) -> str:
    """A field value as readers see it (``must`` → ``Muss``); unknown values unchanged."""
    return label(language, f"value.{field}.{value}", value)


def register(language: str, entries: dict[str, str]) -> None:
    """Add or override words, e.g. from another module that brings its own UI text."""
    _TABLES.setdefault(language, {}).update(entries)
