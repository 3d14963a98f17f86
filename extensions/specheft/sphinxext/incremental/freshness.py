"""No stale pages in incremental builds.

An item's page shows data of other items (back-links, titles of linked items) and the
trace pages (matrix, summary, item trace) show data of every item; Sphinx only rewrites
the pages it re-read. After reading, each page gets a signature of everything about
items that it can show; pages whose signature changed are rewritten (``env-get-updated``),
and so are the trace pages whenever any item changed. Pages whose items are untouched
are not rewritten. One linear pass over items and links.

The items of an incremental build must be those of a fresh one, whatever was edited:

* Sphinx clears a page's data only right before reading it again, so an item moved to
  a page that sorts earlier would meet its old self ("already exists") and be dropped.
  Every page about to be read is cleared before the first one is read.
* Of two definitions of one id, sphinx-needs keeps the one read first: the page that
  sorts first, or, reading in parallel, the worker that finished first; and a cached
  page keeps what it held. Here the duplicates are noted while reading (not reported
  yet), then every page involved is read again in toctree order, so that the first
  definition a reader meets keeps the id, on every run; each dropped definition is
  reported with both places. The pages involved are read again on the next build too,
  so fixing either copy takes effect at once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging as logging_std
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from specheft.model import FIELD_DEFS
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.diagnostics.logfilters import install_build_filters
from specheft.trace.graph import LINK_NAMES, NeedLike

_SHOWN = (*FIELD_DEFS, "status", "tags", "type")
TRACE_DOCS = "specheft_trace_docs"
#: what the written pages show, next to the environment (saved after writing)
SIGNATURE_FILE = "specheft-signatures.json"
#: docname → ids of the items its text references ({need}, {need_incoming}, …)
REFERENCED = "specheft_referenced"
#: docname → [(id, line)] of the definitions on that page that lost their id to another
DUPLICATES = "specheft_duplicates"
#: the pages holding a definition of a duplicated id in the last build (read again next time)
DUPLICATE_DOCS = "specheft_duplicate_docs"

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

    def show(need_id: str) -> str:
        if need_id not in shown:
            need = needs[need_id]
            related = [str(t) for link in LINK_NAMES for t in need.get(link) or ()]
            related += [entry.split(":", 1)[1] for entry in back.get(need_id, ())]
            parts = [need_id, str(need.get("title")), *(f"{k}={need.get(k)!r}" for k in _SHOWN)]
            parts += sorted(back.get(need_id, ()))
            parts += [f"{r}={needs[r].get('title')!r}" if r in needs else f"{r}=?" for r in related]
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


def note_trace_doc(env: BuildEnvironment) -> None:
    """Called by every directive that shows data of all items."""
    docs: set[str] = env.__dict__.setdefault(TRACE_DOCS, set())
    docs.add(env.docname)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.__dict__.get(TRACE_DOCS, set()).discard(docname)
    env.__dict__.get(REFERENCED, {}).pop(docname, None)
    env.__dict__.get(DUPLICATES, {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    env.__dict__.setdefault(TRACE_DOCS, set()).update(other.__dict__.get(TRACE_DOCS, set()))
    referenced = other.__dict__.get(REFERENCED, {})
    env.__dict__.setdefault(REFERENCED, {}).update(
        {doc: referenced[doc] for doc in docnames if doc in referenced}
    )
    theirs: dict[str, list[tuple[str, int]]] = other.__dict__.get(DUPLICATES, {})
    mine = env.__dict__.setdefault(DUPLICATES, {})
    for docname in docnames:
        if docname in theirs:
            mine.setdefault(docname, []).extend(theirs[docname])


def _take_worker_duplicates(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    """Before sphinx-needs merges a worker's items: an id another worker already brought
    is a duplicate, noted (not warned: the pages are read again in order) and left out."""
    needs: dict[str, Any] = getattr(env, "_needs_all_needs", {})
    theirs: dict[str, Any] = getattr(other, "_needs_all_needs", {})
    nodes: dict[str, Any] = getattr(other, "_needs_all_nodes", {})
    noted = env.__dict__.setdefault(DUPLICATES, {})
    for need_id, need in list(theirs.items()):
        docname = need.get("docname")
        if docname not in docnames or need_id not in needs or need.get("is_external"):
            continue
        if needs[need_id].get("is_external") or needs[need_id] is need:
            continue
        noted.setdefault(docname, []).append((need_id, int(need.get("lineno") or 0)))
        del theirs[need_id]
        nodes.pop(need_id, None)


def _noting_duplicates(add_need: Any) -> Any:
    """sphinx-needs' ``add_need`` for its item directive: a duplicate id is noted for
    this page instead of being reported now (it is reported once the pages are read in
    order, naming both places)."""

    @functools.wraps(add_need)
    def wrapper(app: Sphinx, *args: Any, **kwargs: Any) -> Any:
        from sphinx_needs.exceptions import InvalidNeedException

        try:
            return add_need(app, *args, **kwargs)
        except InvalidNeedException as exc:
            need_id = kwargs.get("id")
            source = kwargs.get("need_source")
            env = app.env
            if exc.type != "duplicate_id" or not need_id or env.docname is None:
                raise
            line = int(getattr(source, "lineno", 0) or 0)
            env.__dict__.setdefault(DUPLICATES, {}).setdefault(env.docname, []).append(
                (str(need_id), line)
            )
            return []

    wrapper.__specheft_wrapper__ = True  # type: ignore[attr-defined]
    return wrapper


def install_duplicate_notes() -> None:
    from sphinx_needs.directives import need as need_directive

    current = getattr(need_directive, "add_need")  # noqa: B009 (not re-exported)
    if not getattr(current, "__specheft_wrapper__", False):
        setattr(need_directive, "add_need", _noting_duplicates(current))  # noqa: B010


def toctree_order(env: BuildEnvironment) -> dict[str, int]:
    """docname → position in reading order: the toctrees depth first from the root page,
    then the pages in no toctree, by name."""
    order: dict[str, int] = {}
    stack = [env.config.root_doc]
    while stack:
        docname = stack.pop()
        if docname in order or docname not in env.all_docs:
            continue
        order[docname] = len(order)
        stack.extend(reversed(env.toctree_includes.get(docname, [])))
    for docname in sorted(env.all_docs):
        order.setdefault(docname, len(order))
    return order


def _clear_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Clear every page about to be read before the first is read (Sphinx clears each
    right before reading it, when reading serially)."""
    for docname in docnames:
        if docname in env.all_docs:
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)


def not_included(env: BuildEnvironment) -> set[str]:
    """The pages in no toctree (Sphinx warns about them only in a build that reads a page)."""
    # the same test as Sphinx's check_consistency
    included = set().union(*env.included.values()) if env.included else set()
    return {
        doc
        for doc in env.all_docs
        if doc not in env.files_to_rebuild
        and doc != env.config.root_doc
        and doc not in included
        and "orphan" not in env.metadata.get(doc, {})
    }


class _WhichToctree(logging_std.Filter):
    """Sphinx's "document isn't included in any toctree" names neither the toctree that
    should list the page nor the way out: add both."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging_std.LogRecord) -> bool:
        docname = getattr(record, "location", None)
        if getattr(record, "subtype", None) != "not_included" or not isinstance(docname, str):
            return True
        env = self.app.env
        if docname not in env.all_docs:
            return True
        parts = docname.split("/")
        parent = env.config.root_doc
        for depth in range(len(parts) - 1, -1, -1):
            candidate = "/".join([*parts[:depth], "index"])
            if candidate != docname and candidate in env.toctree_includes:
                parent = candidate
                break
        entry = "/".join(parts[len(parent.split("/")) - 1 :])
        path = os.path.relpath(env.doc2path(parent), Path(self.app.srcdir).parent)
        record.msg = (
            f"{record.getMessage()} (hint: add '{entry}' to the toctree in "
            f"{Path(path).as_posix()}, or put 'orphan: true' in the page's front matter "
            "if it is meant to stand alone)"
        )
        record.args = ()
        return True


class _TwoSources(logging_std.Filter):
    """Sphinx's "multiple files found for the document" has no location and ends in a
    Python repr; name the file that is ignored instead, and which one is read."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging_std.LogRecord) -> bool:
        args = record.args
        if "multiple files found" not in str(record.msg) or not (
            isinstance(args, tuple) and len(args) == 3
        ):
            return True
        srcdir = Path(self.app.srcdir)
        used = Path(str(args[2]))
        ignored = [srcdir / f for f in str(args[1]).split(", ") if srcdir / f != used]
        if not ignored:
            return True
        root = srcdir.parent
        record.msg = (
            f"two sources for the page {args[0]!r}: this file is ignored, "
            f"{Path(os.path.relpath(used, root)).as_posix()} is read "
            "(hint: rename or delete one of them)"
        )
        record.args = ()
        # with a line: a location without one would be taken for a docname
        record.location = f"{ignored[0]}:1"
        return True


def _read_again(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages whose findings depend on other pages: those holding a duplicated id, and
    those in no toctree (so that the warning comes back in every build until fixed)."""
    again: set[str] = set(env.__dict__.get(DUPLICATE_DOCS, ())) | not_included(env)
    return sorted(doc for doc in again if doc in env.found_docs and doc not in added | changed)


def _resolve_duplicates(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Read the pages holding a duplicated id again, in toctree order; report each
    dropped definition with both places."""
    noted: dict[str, list[tuple[str, int]]] = env.__dict__.get(DUPLICATES, {})
    if not any(noted.values()):
        env.__dict__[DUPLICATE_DOCS] = []
        return []
    needs: dict[str, Any] = getattr(env, "_needs_all_needs", {})
    ids = {need_id for entries in noted.values() for need_id, _ in entries}
    involved = {doc for doc, entries in noted.items() if entries}
    involved |= {needs[i]["docname"] for i in ids if i in needs and needs[i].get("docname")}
    order = toctree_order(env)
    pages = sorted((doc for doc in involved if doc in env.found_docs), key=order.__getitem__)
    from sphinx.util.logging import suppress_logging

    # what these pages warn about was reported when they were read a moment ago
    with suppress_logging():
        for docname in pages:
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)
        for docname in pages:
            app.builder.read_doc(docname)
    noted = env.__dict__.get(DUPLICATES, {})
    root = Path(app.srcdir).parent
    for docname in sorted(noted, key=lambda d: order.get(d, len(order))):
        for need_id, line in sorted(noted[docname], key=lambda entry: entry[1]):
            kept = needs.get(need_id)
            where = "another definition"
            if kept is not None and kept.get("docname"):
                path = os.path.relpath(env.doc2path(kept["docname"]), root)
                where = f"{Path(path).as_posix()}:{kept.get('lineno')}"
            logger.warning(
                f"{need_id}: duplicate id: {need_id!r} already exists at {where}, which "
                "keeps it (it comes first in reading order); this definition is dropped "
                "(hint: give one of them a new id)",
                location=(docname, line or None),
                type="specheft",
                subtype="duplicate-id",
            )
    env.__dict__[DUPLICATE_DOCS] = pages
    return pages


def _note_references(app: Sphinx, doctree: nodes.document) -> None:
    """Note the items a page shows outside its own items: ``{need}`` and the back-link
    roles by id; a page with a table, list, chart or extract of items shows them all."""
    from sphinx_needs.directives.needextract import Needextract
    from sphinx_needs.needs import NODE_TYPES
    from sphinx_needs.roles.need_incoming import NeedIncoming
    from sphinx_needs.roles.need_outgoing import NeedOutgoing
    from sphinx_needs.roles.need_part import NeedPart
    from sphinx_needs.roles.need_ref import NeedRef

    by_id = (NeedRef, NeedIncoming, NeedOutgoing)
    showing_all = (*(t for t in NODE_TYPES if t not in (*by_id, NeedPart)), Needextract)
    env = app.env
    ids: set[str] = set()
    for node in doctree.findall(nodes.Element):
        if isinstance(node, by_id):
            ids.add(str(node.get("reftarget", "")).split(".", 1)[0])
        elif isinstance(node, showing_all):
            note_trace_doc(env)
    store: dict[str, list[str]] = env.__dict__.setdefault(REFERENCED, {})
    if ids:
        store[env.docname] = sorted(ids)
    else:
        store.pop(env.docname, None)


def _document_facts(app: Sphinx) -> dict[str, str]:
    """The start page of each document shows the git revision and the date of the build:
    rewritten when they change (a commit changes no source)."""
    from specheft.gitinfo import git_state
    from specheft.sphinxext.rendering.deliverables import build_date

    try:
        settings = settings_of(app)
    except RuntimeError:
        return {}
    facts = f"{git_state(Path(app.srcdir))}|{build_date(settings)}"
    return {document.start: facts for document in settings.deliverables()}


#: the signatures of the pages this build is writing, saved once all are written
_PENDING: dict[int, tuple[Path, dict[str, str]]] = {}


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
    from sphinx_needs.data import SphinxNeedsData

    data = SphinxNeedsData(env)
    if data.needs_is_post_processed or app.builder.format == "needs":
        return []  # nothing is written by the needs-only builders
    facts = _document_facts(app)
    needs = data.get_needs_mutable()
    extra = dict(facts)
    # pages showing test results depend on the run files, which are no Sphinx sources
    from specheft.sphinxext.context.evidence import result_pages

    for docname, digest in result_pages(app, needs, env.__dict__.get(TRACE_DOCS, set())).items():
        extra[docname] = f"{extra.get(docname, '')}|runs:{digest}"
    current = signatures(needs, env.__dict__.get(REFERENCED, {}), extra)
    # Compared with what the pages written last show, not with the last reading: a build
    # interrupted while writing (Ctrl-C, SIGTERM, SIGKILL) saved nothing, so the next
    # one writes the same pages again.
    previous = _written_signatures(app)
    _PENDING[id(app)] = (_signature_file(app), current)
    changed = {
        doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)
    }
    if changed:
        changed |= env.__dict__.get(TRACE_DOCS, set()) | facts.keys()
    return sorted(doc for doc in changed if doc in env.found_docs)


def _save_signatures(app: Sphinx, exception: BaseException | None) -> None:
    pending = _PENDING.pop(id(app), None)
    if pending is None or exception is not None:
        return  # a failed build may have left pages unwritten: compare with the old record
    from specheft.fsutil import atomic_write_text

    path, current = pending
    with contextlib.suppress(OSError):  # no record: the next build writes these pages again
        atomic_write_text(path, json.dumps(current, sort_keys=True))


def setup(app: Sphinx) -> None:
    install_duplicate_notes()
    install_build_filters(
        app,
        lambda app: [
            ("sphinx.sphinx.environment", _WhichToctree(app)),
            ("sphinx.sphinx.project", _TwoSources(app)),
        ],
    )
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    # before sphinx-needs merges the worker's items (priority 500)
    app.connect("env-merge-info", _take_worker_duplicates, priority=400)
    # after sphinx-needs and the other preparations of the environment
    app.connect("env-before-read-docs", _clear_before_reading, priority=950)
    app.connect("env-get-outdated", _read_again)
    # before anything looks at the items read
    app.connect("env-updated", _resolve_duplicates, priority=100)
    app.connect("env-get-updated", _updated)
    app.connect("doctree-read", _note_references)
    app.connect("build-finished", _save_signatures)
