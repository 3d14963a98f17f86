"""The columns of the compliance workbook and the keys of its hidden sheet (both languages)."""

from __future__ import annotations

#: key → (German, English) header; the first six are locked (what was asked)
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("ID", "ID"),
    "chapter": ("Kapitel", "Chapter"),
    "title": ("Titel", "Title"),
    "text": ("Anforderung", "Requirement"),
    "priority": ("Priorität", "Priority"),
    "weight": ("Gewicht", "Weight"),
    "code": ("Erfüllung", "Fulfilment"),
    "effort": ("Aufwand (PT)", "Effort (person-days)"),
    "comment": ("Kommentar", "Comment"),
    "reference": ("Referenz", "Reference"),
}
LOCKED = ("id", "chapter", "title", "text", "priority", "weight")
ANSWER = ("code", "effort", "comment", "reference")
REQUIRED = ("id", "title", "text", "priority", *ANSWER)

SHEETS = {"de": ("Anforderungen", "Anleitung"), "en": ("Requirements", "Instructions")}
#: the hidden sheet: what was asked, of whom, at which baseline
META_SHEET = "specheft"
META_FORMAT = "specheft-compliance/1"
META_KEYS = ("format", "project", "vendor", "revision", "baseline", "sheet", "language")
META_TABLE = ("ID", "Fingerprint")


def header(key: str, language: str) -> str:
    german, english = COLUMNS[key]
    return german if language == "de" else english


def normalise(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


ALIASES: dict[str, set[str]] = {
    key: {normalise(n) for n in names} for key, names in COLUMNS.items()
}
