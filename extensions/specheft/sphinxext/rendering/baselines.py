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
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from specheft.config.settings import Document, Settings
from specheft.labels import label
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.domain import specheft_domain
from specheft.trace.history import DocumentBaselines, HistoryRow, merge_history

_CACHE: dict[str, tuple[bytes, dict[str, DocumentBaselines]]] = {}


def _raw(app: Sphinx) -> bytes:
    path = str(app.config.specheft_baselines or "")
    if not path:
        return b""
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def baselines_of(app: Sphinx) -> dict[str, DocumentBaselines]:
    """Document name → its baselines, as ``specheft build`` found them."""
    raw = _raw(app)
    path = str(app.config.specheft_baselines or "")
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == raw:
        return cached[1]
    found: dict[str, DocumentBaselines] = {}
    if raw:
        try:
            data = json.loads(raw)
            found = {
                name: DocumentBaselines.from_json(value)
                for name, value in data["documents"].items()
            }
        except (ValueError, KeyError, TypeError):
            found = {}  # written by another version: as without baselines
    _CACHE[path] = (raw, found)
    return found


def document_history(app: Sphinx, settings: Settings, document: Document) -> list[HistoryRow]:
    """The generated rows of ``document`` merged with its hand-written [[history]]."""
    generated = baselines_of(app).get(document.name)
    written = [
        (h.version, h.date, h.author, h.changes) for h in document.history or settings.history
    ]
    return merge_history(generated.history if generated else [], written)


def describe(row: HistoryRow, lang: str) -> str:
    """What a history row says in the reader's language: the hand-written text, or the
    counts; then the ids added, changed and removed and the change requests."""
    parts = []
    if row.description:
        parts.append(row.description)
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
