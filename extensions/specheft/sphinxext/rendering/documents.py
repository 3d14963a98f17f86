"""The deliverables as sets of pages: which pages a document holds, and its date."""

from __future__ import annotations

import datetime as dt
import os

from sphinx.environment import BuildEnvironment

from specheft.config.settings import Document, Settings
from specheft.toctree import reached


def document_docnames(env: BuildEnvironment, start: str) -> set[str]:
    """The start page and every page its toctrees reach: what the PDF contains."""
    return reached(env.toctree_includes, start)


def document_of_docnames(env: BuildEnvironment, settings: Settings) -> dict[str, Document]:
    """docname → the first deliverable that contains it."""
    owner: dict[str, Document] = {}
    for document in settings.deliverables():
        for docname in sorted(document_docnames(env, document.start)):
            owner.setdefault(docname, document)
    return owner


def build_date(settings: Settings) -> dt.date:
    if settings.project.date:
        return dt.date.fromisoformat(settings.project.date)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def format_date(value: str | dt.date, language: str) -> str:
    if value == "":  # none given (the change history's draft row): nothing to show
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return date.strftime("%d.%m.%Y") if language == "de" else date.isoformat()
