"""The documents' baselines in the build: read from the data file that ``specheft
build`` wrote before Sphinx started (``project/baselines.py``; config value
``specheft_baselines``), never computed here — that needs builds of old revisions.

Without the value (a plain ``sphinx-build``, ``specheft check``) no document has a
baseline. The pages showing the data (start pages, ``{change-history}``) are written
again when the file's content changes (a new tag is no Sphinx source).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from specheft.config.settings import Document, Settings
from specheft.labels import label
from specheft.model import Kind
from specheft.project.since import read_revision
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.directives.base import trace_directives
from specheft.sphinxext.rendering.documents import document_docnames
from specheft.trace.diff import snapshot
from specheft.trace.fingerprint import document_needs
from specheft.trace.history import (
    DocumentBaselines,
    HistoryRow,
    document_status,
    draft_row,
    merge_history,
)
from specheft.trace.revisions import RevisionItems


@dataclass(frozen=True)
class _Data:
    """The data file as read: each document's baselines, and where each baseline's items
    are kept — ``commits[tag]`` in the folder ``revisions`` (one pointer per tag; files
    of older versions also named the latest one's file per document, now ignored)."""

    documents: dict[str, DocumentBaselines]
    commits: dict[str, str]
    revisions: str


_CACHE: dict[str, tuple[bytes, _Data]] = {}


def _raw(app: Sphinx) -> bytes:
    path = str(app.config.specheft_baselines or "")
    if not path:
        return b""
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def _data(app: Sphinx) -> _Data:
    raw = _raw(app)
    path = str(app.config.specheft_baselines or "")
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == raw:
        return cached[1]
    found = _Data({}, {}, "")
    if raw:
        try:
            data = json.loads(raw)
            found = _Data(
                {
                    name: DocumentBaselines.from_json(value)
                    for name, value in data["documents"].items()
                },
                {str(k): str(v) for k, v in dict(data.get("commits") or {}).items()},
                str(data.get("revisions") or ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            found = _Data({}, {}, "")  # written by another version: as without baselines
    _CACHE[path] = (raw, found)
    return found


def baselines_of(app: Sphinx) -> dict[str, DocumentBaselines]:
    """Document name → its baselines, as ``specheft build`` found them."""
    return _data(app).documents


def baseline_items(app: Sphinx, tag: str) -> RevisionItems | None:
    """The items of baseline ``tag``, as ``specheft build`` kept them before Sphinx
    started (``project/since.py``); None without the data file, for a tag it does not
    name, or when the kept file is gone or was written by other code. Never built here:
    inside a build a miss must not start another build."""
    data = _data(app)
    commit = data.commits.get(tag)
    if not commit or not data.revisions:
        return None
    return _revision(Path(data.revisions) / f"{commit}.json")


def document_history(app: Sphinx, settings: Settings, document: Document) -> list[HistoryRow]:
    """The generated rows of ``document`` merged with its hand-written [[history]]; when
    the document changed since its latest baseline, a last row for the draft."""
    generated = baselines_of(app).get(document.name)
    rows = list(generated.history) if generated else []
    draft = _draft(app, document, generated) if generated else None
    if draft is not None:
        rows.append(draft)
    written = [
        (h.version, h.date, h.author, h.changes) for h in document.history or settings.history
    ]
    shown = label(settings.language, "doc.status.draft")
    return [
        replace(row, version=f"{row.version} ({shown})") if row.draft else row
        for row in merge_history(rows, written)
    ]


@dataclass(frozen=True)
class ShownVersion:
    """A document's version as its title page shows it, and the date that goes with it."""

    version: str  # "1.0", or "1.1 (Entwurf, geändert seit 1.0)"
    bare: str  # "1.1": the version alone
    status: str  # the status label: released, changed since, or the configured one
    date: str  # the baseline's (YYYY-MM-DD) when released there, else the configured one


def shown_version(app: Sphinx, settings: Settings, document: Document, digest: str) -> ShownVersion:
    """The version of ``document`` whose items now have fingerprint ``digest`` ("" when
    it covers none): from its latest baseline and whether it changed since, else the
    document's or [project]'s own version and status."""
    lang = settings.language
    project = settings.project
    version = document.version or project.version
    status = label(lang, f"doc.status.{document.status or project.status}")
    date = document.date or ""
    baselines = baselines_of(app).get(document.name)
    latest = baselines.latest if baselines else None
    if latest is None:
        return ShownVersion(version, version, status, date)
    now = document_status(latest, digest)
    if now.released:
        return ShownVersion(
            now.version, now.version, label(lang, "doc.status.released"), latest.date
        )
    status = label(lang, "doc.status.changed_since").format(version=now.since)
    return ShownVersion(f"{now.version} ({status})", now.version, status, date)


def _draft(app: Sphinx, document: Document, baselines: DocumentBaselines) -> HistoryRow | None:
    """The unreleased changes since the latest baseline; None when there are none (the
    document's fingerprint is the baseline's) or the baseline's items are not at hand."""
    latest = baselines.latest
    if latest is None:
        return None
    context = build_context(app)
    digest, count = context.fingerprint(document)  # once per build
    if (digest if count else "") == latest.digest:
        return None
    cached = _DRAFTS.get(document.name)
    if cached is not None and cached[0] is context:  # the start page and the directive
        return cached[1]
    revision = baseline_items(app, latest.tag)
    row = None
    if revision is not None:  # else the kept items are gone: the status still says draft
        needs = list(context.needs.values())
        docnames = document_docnames(app.env, document.start)
        covered = document_needs(needs, docnames, trace_directives(app.env, docnames))
        state = revision.documents.get(document.name)
        own = settings_of(app).own_fields
        requests = snapshot((n for n in needs if n.get("type") == Kind.CR), own=own)
        row = draft_row(
            latest,
            revision.items,
            state.ids if state else (),
            snapshot(covered, own=own),
            requests,
        )
    _DRAFTS[document.name] = (context, row)
    return row


#: document name → (the build context it was made in, its draft row)
_DRAFTS: dict[str, tuple[object, HistoryRow | None]] = {}


_REVISIONS: dict[Path, tuple[int, RevisionItems | None]] = {}


def _revision(path: Path) -> RevisionItems | None:
    """The items kept at ``path``, read once per change of the file (a build shows the
    history on the start page, on each page with the directive, in each annex)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _REVISIONS.get(path)
    if cached is None or cached[0] != stamp:
        cached = _REVISIONS[path] = (stamp, read_revision(path))
    return cached[1]


def describe(row: HistoryRow, lang: str) -> str:
    """What a history row says in the reader's language: the hand-written text, or the
    counts; then the ids added, changed and removed and the change requests."""
    parts = []
    if row.description:
        parts.append(row.description)
    elif row.draft:
        if not (row.added or row.changed or row.removed):
            parts.append(label(lang, "doc.status.changed_since").format(version=row.since))
    elif row.first:
        parts.append(label(lang, "history.first").format(tag=row.tag, count=row.count))
    elif not (row.added or row.changed or row.removed):
        parts.append(label(lang, "history.none").format(tag=row.tag))
    if row.generated and not row.first:
        for key, ids in (
            ("history.added", row.added),
            ("history.changed", row.changed),
            ("history.removed", row.removed),
        ):
            if ids:
                parts.append(f"{label(lang, key).format(count=len(ids))}: {', '.join(ids)}")
        if row.requests:
            parts.append(f"{label(lang, 'history.requests')}: {', '.join(row.requests)}")
    return "; ".join(parts)


def _changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The start pages and the trace pages when the baselines changed since this
    environment's last build."""
    digest = hashlib.sha256(_raw(app)).hexdigest()
    before = getattr(env, "specheft_baselines_digest", None)
    env.specheft_baselines_digest = digest  # type: ignore[attr-defined]
    if before == digest:
        return []
    try:
        starts = {d.start for d in settings_of(app).deliverables()}
    except RuntimeError:
        starts = set()
    docs = set(specheft_domain(env).trace_docs) | starts
    return sorted(doc for doc in docs if doc in env.found_docs)


def setup(app: Sphinx) -> None:
    # no rebuild: the file's content, not its path, decides what is written again
    app.add_config_value("specheft_baselines", "", "", types=frozenset({str}))
    app.connect("env-get-updated", _changed)
