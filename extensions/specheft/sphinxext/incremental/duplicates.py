"""Of two definitions of one id, the first in reading order keeps it, on every run.

sphinx-needs keeps the definition read first: the page that sorts first, or, reading in
parallel, the worker that finished first; and a cached page keeps what it held. Here the
duplicates are noted while reading (not reported yet, in the ``specheft`` domain), then
every page involved is read again in toctree order, so that the first definition a
reader meets keeps the id; each dropped definition is reported with both places. The
pages involved are read again on the next build too, so fixing either copy takes effect
at once.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.incremental.reading import toctree_order
from specheft.sphinxext.needs.data import (
    InvalidNeedException,
    need_directive_module,
    stored_need_nodes,
    stored_needs,
)

logger = logging.getLogger(__name__)


def take_worker_duplicates(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    """Before sphinx-needs merges a worker's items: an id another worker already brought
    is a duplicate, noted (not warned: the pages are read again in order) and left out."""
    needs = stored_needs(env)
    theirs = stored_needs(other)
    nodes = stored_need_nodes(other)
    domain = specheft_domain(env)
    for need_id, need in list(theirs.items()):
        docname = need.get("docname")
        if docname not in docnames or need_id not in needs or need.get("is_external"):
            continue
        if needs[need_id].get("is_external") or needs[need_id] is need:
            continue
        domain.note_duplicate(docname, need_id, int(need.get("lineno") or 0))
        del theirs[need_id]
        nodes.pop(need_id, None)


def _noting_duplicates(add_need: Any) -> Any:
    """sphinx-needs' ``add_need`` for its item directive: a duplicate id is noted for
    this page instead of being reported now (it is reported once the pages are read in
    order, naming both places)."""

    @functools.wraps(add_need)
    def wrapper(app: Sphinx, *args: Any, **kwargs: Any) -> Any:
        try:
            return add_need(app, *args, **kwargs)
        except InvalidNeedException as exc:
            need_id = kwargs.get("id")
            source = kwargs.get("need_source")
            env = app.env
            if exc.type != "duplicate_id" or not need_id or env.docname is None:
                raise
            line = int(getattr(source, "lineno", 0) or 0)
            specheft_domain(env).note_duplicate(env.docname, str(need_id), line)
            return []

    wrapper.__specheft_wrapper__ = True  # type: ignore[attr-defined]
    return wrapper


def install_duplicate_notes() -> None:
    need_directive = need_directive_module()
    current = getattr(need_directive, "add_need")  # noqa: B009 (not re-exported)
    if not getattr(current, "__specheft_wrapper__", False):
        setattr(need_directive, "add_need", _noting_duplicates(current))  # noqa: B010


def resolve_duplicates(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Read the pages holding a duplicated id again, in toctree order; report each
    dropped definition with both places."""
    domain = specheft_domain(env)
    noted = domain.duplicates
    if not any(noted.values()):
        domain.duplicate_docs = []
        return []
    needs = stored_needs(env)
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
    noted = domain.duplicates
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
    domain.duplicate_docs = pages
    return pages
