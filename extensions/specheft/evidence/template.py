"""The rows of a manual results sheet: one per test item of a level, with its steps.

Pure: takes the items, returns text. The test body's bold paragraph headings
(``**Vorbedingungen**``, ``**Schritte**``, ``**Erwartetes Ergebnis**`` and their English
counterparts) split it into columns; a body without them goes into the steps column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specheft.model import Kind
from specheft.trace.graph import Item, TraceGraph

_HEADING = re.compile(r"^\s*\*\*(?P<title>[^*]+?)\*\*:?\s*$")
_SECTIONS = {
    "vorbedingungen": "preconditions",
    "voraussetzungen": "preconditions",
    "preconditions": "preconditions",
    "schritte": "steps",
    "testschritte": "steps",
    "steps": "steps",
    "erwartetesergebnis": "expected",
    "erwartetesergebnisse": "expected",
    "expectedresult": "expected",
    "expectedresults": "expected",
}

HEADERS = {
    "de": (
        "Testfall-ID", "Titel", "Bereich", "Phase", "Rolle", "Vorbedingungen", "Schritte",
        "Erwartetes Ergebnis", "Ergebnis", "Tester", "Datum", "Fehler-Nr.", "Fehlerklasse",
        "Kommentar",
    ),
    "en": (
        "Test ID", "Title", "Area", "Phase", "Role", "Preconditions", "Steps", "Expected result",
        "Result", "Tester", "Date", "Defect", "Defect class", "Comment",
    ),
}  # fmt: skip
#: The first column the testers fill in (0-based); the ones before are the specification's.
FIRST_INPUT = 8
RESULT_WORDS = {
    "de": ("bestanden", "nicht bestanden", "blockiert", "nicht durchgeführt"),
    "en": ("passed", "failed", "blocked", "not run"),
}


@dataclass(frozen=True)
class TemplateRow:
    id: str
    title: str
    area: str
    phase: str
    role: str
    preconditions: str
    steps: str
    expected: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.id, self.title, self.area, self.phase, self.role, self.preconditions, self.steps,
            self.expected,
        )  # fmt: skip


def sections(content: str) -> dict[str, str]:
    """``{"preconditions": …, "steps": …, "expected": …}`` from a test's Markdown body."""
    found: dict[str, list[str]] = {}
    current = "steps"
    for line in content.splitlines():
        match = _HEADING.match(line)
        key = "".join(ch for ch in match.group("title").casefold() if ch.isalnum()) if match else ""
        if key in _SECTIONS:
            current = _SECTIONS[key]
            continue
        found.setdefault(current, []).append(line)
    return {k: "\n".join(v).strip() for k, v in found.items()}


def template_rows(graph: TraceGraph, level: str, phase: str | None = None) -> list[TemplateRow]:
    """The active test items of ``level`` (and ``phase``), in document order."""
    rows = []
    tests: list[Item] = [t for t in graph.of_kind(Kind.TEST) if t.get("level") == level]
    tests.sort(key=lambda t: (t.path or "", t.line or 0, t.id))
    for test in tests:
        own = graph.phase_of(test)
        if phase is not None and (own is None or own.id != phase):
            continue
        parts = sections(str(test.get("content") or ""))
        rows.append(
            TemplateRow(
                test.id,
                test.title,
                test.area or "",
                own.id if own else "",
                str(test.get("role") or ""),
                parts.get("preconditions", ""),
                parts.get("steps", ""),
                parts.get("expected", ""),
            )
        )
    return rows
