"""No stale pages in incremental builds.

An item's page shows data of other items (back-links, titles of linked items) and the
trace pages (matrix, summary, item trace) show data of every item; Sphinx only rewrites
the pages it re-read. After reading, each page gets a signature of everything about
items that it can show; pages whose signature changed are rewritten (``env-get-updated``),
and so are the trace pages whenever any item changed. Pages whose items are untouched
are not rewritten. One linear pass over items and links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from ..model import FIELD_DEFS
from ..trace.graph import LINK_NAMES, NeedLike

_SHOWN = (*FIELD_DEFS, "status", "tags", "type")
TRACE_DOCS = "specheft_trace_docs"
SIGNATURES = "specheft_signatures"


def signatures(needs: Mapping[str, NeedLike]) -> dict[str, str]:
    """docname → digest of what the items on that page show."""
    back: dict[str, list[str]] = {}
    for need_id, need in needs.items():
        for link in LINK_NAMES:
            for target in need.get(link) or ():
                back.setdefault(str(target), []).append(f"{link}:{need_id}")
    digests: dict[str, Any] = {}
    for need_id in sorted(needs):
        need = needs[need_id]
        docname = need.get("docname")
        if not docname:
            continue
        related = [str(t) for link in LINK_NAMES for t in need.get(link) or ()]
        related += [entry.split(":", 1)[1] for entry in back.get(need_id, ())]
        parts = [need_id, str(need.get("title")), *(f"{k}={need.get(k)!r}" for k in _SHOWN)]
        parts += sorted(back.get(need_id, ()))
        parts += [f"{r}={needs[r].get('title')!r}" if r in needs else f"{r}=?" for r in related]
        digests.setdefault(docname, hashlib.sha256()).update("\x1f".join(parts).encode())
    return {doc: digest.hexdigest() for doc, digest in digests.items()}


def note_trace_doc(env: BuildEnvironment) -> None:
    """Called by every directive that shows data of all items."""
    docs: set[str] = env.__dict__.setdefault(TRACE_DOCS, set())
    docs.add(env.docname)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.__dict__.get(TRACE_DOCS, set()).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    env.__dict__.setdefault(TRACE_DOCS, set()).update(other.__dict__.get(TRACE_DOCS, set()))


def _updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    from sphinx_needs.data import SphinxNeedsData

    data = SphinxNeedsData(env)
    if data.needs_is_post_processed or app.builder.format == "needs":
        return []  # nothing is written by the needs-only builders
    current = signatures(data.get_needs_mutable())
    previous: dict[str, str] = env.__dict__.get(SIGNATURES, {})
    env.__dict__[SIGNATURES] = current
    changed = {
        doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)
    }
    if changed:
        changed |= env.__dict__.get(TRACE_DOCS, set())
    return sorted(doc for doc in changed if doc in env.found_docs)


def setup(app: Sphinx) -> None:
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-updated", _updated)
