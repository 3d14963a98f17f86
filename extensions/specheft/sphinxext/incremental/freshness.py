"""No stale pages in incremental builds.

An item's page shows data of other items (back-links, titles of linked items) and the
trace pages (matrix, summary, item trace) show data of every item; Sphinx only rewrites
the pages it re-read. After reading, each page gets a signature of everything about
items that it can show; pages whose signature changed are rewritten (``env-get-updated``),
and so are the trace pages whenever any item changed. Pages whose items are untouched
are not rewritten. One linear pass over items and links.

Per page, what it shows of other pages is noted in the ``specheft`` domain while
reading (:mod:`specheft.sphinxext.context.domain`), so it follows the page through
incremental and parallel reading. Which pages are read, and how duplicated ids are
settled, is in :mod:`.reading` and :mod:`.duplicates`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from specheft.fsutil import atomic_write_text
from specheft.model import FIELD_DEFS
from specheft.sphinxext.context import build_state, git_state_of, settings_of
from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.context.evidence import result_pages
from specheft.sphinxext.diagnostics.logfilters import install_build_filters
from specheft.sphinxext.incremental.duplicates import (
    install_duplicate_notes,
    resolve_duplicates,
    take_worker_duplicates,
)
from specheft.sphinxext.incremental.page_messages import TwoSources, WhichToctree
from specheft.sphinxext.incremental.reading import clear_before_reading, read_again
from specheft.sphinxext.needs.data import (
    is_post_processed,
    listing_node_types,
    needs_read,
    reference_node_types,
)
from specheft.sphinxext.needs.priorities import BEFORE_NEEDS, EARLY, LATER
from specheft.sphinxext.rendering.documents import build_date
from specheft.trace.graph import LINK_NAMES, NeedLike

_SHOWN = (*FIELD_DEFS, "status", "tags", "type")
#: what the written pages show, next to the environment (saved after writing)
SIGNATURE_FILE = "specheft-signatures.json"

logger = logging.getLogger(__name__)


def signatures(
    needs: Mapping[str, NeedLike],
    referenced: Mapping[str, Iterable[str]] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """docname → digest of what the items on that page show, what the items referenced
    in its text show (``{need}`` on a page without items, too), and ``extra``."""
    back: dict[str, list[str]] = {}
    for need_id, need in needs.items():
        for link in LINK_NAMES:
            for target in need.get(link) or ():
                back.setdefault(str(target), []).append(f"{link}:{need_id}")
    shown: dict[str, str] = {}
    # how a page names another item: a link shows its title and points to its page (an
    # item moved to another page changes the links to it); each read once per need
    named: dict[str, str] = {}

    def name(need_id: str) -> str:
        if need_id not in named:
            need = needs.get(need_id)
            named[need_id] = f"{need_id}=?"
            if need is not None:
                named[need_id] = f"{need_id}={need.get('title')!r}@{need.get('docname')}"
        return named[need_id]

    def show(need_id: str) -> str:
        if need_id not in shown:
            need = needs[need_id]
            related = [str(t) for link in LINK_NAMES for t in need.get(link) or ()]
            related += [entry.split(":", 1)[1] for entry in back.get(need_id, ())]
            parts = [name(need_id), *(f"{k}={need.get(k)!r}" for k in _SHOWN)]
            parts += sorted(back.get(need_id, ()))
            parts += [name(r) for r in related]
            shown[need_id] = "\x1f".join(parts)
        return shown[need_id]

    digests: dict[str, Any] = {}
    for need_id in sorted(needs):
        docname = needs[need_id].get("docname")
        if docname:
            digests.setdefault(docname, hashlib.sha256()).update(show(need_id).encode())
    for docname, ids in sorted((referenced or {}).items()):
        digest = digests.setdefault(docname, hashlib.sha256())
        for need_id in sorted(ids):
            digest.update(("\x1e" + (show(need_id) if need_id in needs else need_id)).encode())
    for docname, text in sorted((extra or {}).items()):
        digests.setdefault(docname, hashlib.sha256()).update(("\x1d" + text).encode())
    return {doc: digest.hexdigest() for doc, digest in digests.items()}


def _note_references(app: Sphinx, doctree: nodes.document) -> None:
    """Note the items a page shows outside its own items: ``{need}`` and the back-link
    roles by id; a page with a table, list, chart or extract of items shows them all."""
    by_id = reference_node_types()
    showing_all = listing_node_types()
    docname = app.env.docname
    domain = specheft_domain(app.env)
    ids: set[str] = set()
    for node in doctree.findall(nodes.Element):
        if isinstance(node, by_id):
            ids.add(str(node.get("reftarget", "")).split(".", 1)[0])
        elif isinstance(node, showing_all):
            domain.note_trace_doc(docname)
    domain.note_referenced(docname, ids)


def _document_facts(app: Sphinx) -> dict[str, str]:
    """The start page of each document shows the git revision and the date of the build:
    rewritten when they change (a commit changes no source)."""
    try:
        settings = settings_of(app)
    except RuntimeError:
        return {}
    facts = f"{git_state_of(app)}|{build_date(settings)}"
    return {document.start: facts for document in settings.deliverables()}


def _signature_file(app: Sphinx) -> Path:
    # one record per output folder: builds into another --out share the environment
    out = hashlib.sha256(str(Path(app.outdir).resolve()).encode()).hexdigest()[:12]
    return Path(app.doctreedir) / SIGNATURE_FILE.replace(".json", f"-{out}.json")


def _written_signatures(app: Sphinx) -> dict[str, str]:
    try:
        data = json.loads(_signature_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no record: every page with items is written
    return data if isinstance(data, dict) else {}


def _updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    if is_post_processed(env) or app.builder.format == "needs":
        return []  # nothing is written by the needs-only builders
    facts = _document_facts(app)
    needs = needs_read(env)
    extra = dict(facts)
    # pages showing test results depend on the run files, which are no Sphinx sources
    domain = specheft_domain(env)
    for docname, digest in result_pages(app, needs, domain.trace_docs).items():
        extra[docname] = f"{extra.get(docname, '')}|runs:{digest}"
    # every page's navigation shows the toctrees and the page titles: Sphinx rewrites
    # only the pages it re-read, so a page renamed or retitled left the others' sidebar
    # and next/previous links pointing at the old page
    navigation = _navigation(env)
    for docname in env.found_docs:
        extra[docname] = f"{extra.get(docname, '')}|nav:{navigation}"
    current = signatures(needs, domain.referenced, extra)
    # Compared with what the pages written last show, not with the last reading: a build
    # interrupted while writing (Ctrl-C, SIGTERM, SIGKILL) saved nothing, so the next
    # one writes the same pages again.
    previous = _written_signatures(app)
    build_state(app).signatures = (_signature_file(app), current)
    changed = {
        doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)
    }
    if changed:
        changed |= domain.trace_docs.keys() | facts.keys()
    return sorted(doc for doc in changed if doc in env.found_docs)


def _navigation(env: BuildEnvironment) -> str:
    """Digest of what every page's navigation shows: the toctrees and the page titles."""
    digest = hashlib.sha256()
    for docname in sorted(env.found_docs):
        title = env.titles.get(docname)
        entries = env.toctree_includes.get(docname, ())
        digest.update(f"{docname}\x1f{title.astext() if title else ''}".encode())
        digest.update(("\x1e" + "\x1f".join(entries)).encode())
    return digest.hexdigest()


def _save_signatures(app: Sphinx, exception: BaseException | None) -> None:
    try:
        state = build_state(app)
    except RuntimeError:
        return  # the configuration was not read: nothing was written
    pending, state.signatures = state.signatures, None
    if pending is None or exception is not None:
        return  # a failed build may have left pages unwritten: compare with the old record
    path, current = pending
    with contextlib.suppress(OSError):  # no record: the next build writes these pages again
        atomic_write_text(path, json.dumps(current, sort_keys=True))


def setup(app: Sphinx) -> None:
    install_duplicate_notes()
    install_build_filters(
        app,
        lambda app: [
            ("sphinx.sphinx.environment", WhichToctree(app)),
            ("sphinx.sphinx.project", TwoSources(app)),
        ],
    )
    # (the per-page notes are cleared and merged by the specheft domain)
    # before sphinx-needs merges the worker's items (priority 500)
    app.connect("env-merge-info", take_worker_duplicates, priority=BEFORE_NEEDS)
    # after sphinx-needs and the other preparations of the environment
    app.connect("env-before-read-docs", clear_before_reading, priority=LATER)
    app.connect("env-get-outdated", read_again)
    # before anything looks at the items read
    app.connect("env-updated", resolve_duplicates, priority=EARLY)
    app.connect("env-get-updated", _updated)
    app.connect("doctree-read", _note_references)
    app.connect("build-finished", _save_signatures)
