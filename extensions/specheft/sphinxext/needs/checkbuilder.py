"""The builder behind ``specheft check``: items only, nothing written.

sphinx-needs' ``needs`` builder already skips the write phase; this one also skips
writing needs.json (the check reads the items in-process), keeps the resolved items
for the caller (they are released when the build finishes), and leaves the rendered
content of the needs out of its cached environment: a third of the cache, read and
written on every re-check, and used only by links derived from need content.

References in the text (``{need}``, ``{ref}``, ``{doc}``, Markdown links, …) are resolved
only when pages are written, so a check would never see a broken one that fails the
strict build. While reading, a copy of each reference node (with its file and line) is
kept per page; after reading, the copies of every page are resolved by the same
transforms and handlers as in a build, on a small document of their own: the same
messages at the same places, for every page, cached or read again.

A build whose warnings nobody sees (``specheft_warnings_unseen``: the exports,
``fingerprint``, ``review``, …) reads and caches as a check does and skips, after the
environment is pickled, the three steps that only warn
(:mod:`specheft.sphinxext.needs.unseen`).

From the end of reading to the end of the build the garbage collector is paused
(:func:`_pause_collector`): the environment is pickled, sphinx-needs post-processes
every need (new back-link lists, sorted link lists, constraint results) and the schema
is validated, which allocates hundreds of thousands of long-lived objects and so set off
collections that walked all of them again (0.4–0.6 s of a 5 s re-check at 15,500 items);
next to nothing becomes cyclic garbage then. It runs again when the build finishes,
failed or not, with what was made meanwhile frozen like the loaded environment.
"""

from __future__ import annotations

import gc
from typing import Any

from docutils import nodes
from docutils.utils import get_source_line
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx_needs.builder import NeedsBuilder

from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.needs import unseen
from specheft.sphinxext.needs.data import (
    NeedIncoming,
    NeedOutgoing,
    drop_need_nodes,
    needs_view,
    reference_node_types,
    stored_needs,
)
from specheft.sphinxext.needs.nodestore import keep_packed_nodes
from specheft.sphinxext.needs.priorities import BEFORE_NEEDS, LATE

logger = logging.getLogger(__name__)

_REFERENCE_NODES: tuple[type[nodes.Element], ...] = (
    addnodes.pending_xref,
    *reference_node_types(),
)


class CheckBuilder(NeedsBuilder):
    name = "specheft-check"
    #: whether this build paused the garbage collector (to resume it once)
    collector_paused = False
    #: parallel reading: the workers' need nodes come back as one pickle, unpickled only
    #: if used (:mod:`specheft.sphinxext.needs.nodestore`; a check drops them)
    packs_worker_nodes = True

    # (final in Sphinx's typing; sphinx-needs' builder overrides it, and so do we)
    def write(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[misc]
        # (the environment is pickled by now: what is skipped here is not in the cache)
        if not self.config.specheft_warnings_unseen:
            super().write(*args, **kwargs)
            return
        config = self.config
        validate = config.needs_schema_validation_enabled
        config.needs_schema_validation_enabled = False  # sphinx-needs' schema warnings
        try:
            with unseen.unseen():  # its link warnings (check_links)
                super().write(*args, **kwargs)
        finally:
            config.needs_schema_validation_enabled = validate

    def finish(self) -> None:
        config = self.config
        # warnings only: nobody's to see then
        if not (config.specheft_items_only or config.specheft_warnings_unseen):
            resolve_references(self.env)  # the needs are resolved (at write-started)

        self.resolved_needs: list[Any] = list(needs_view(self.env).values())
        _resume_collector(self)


def _pause_collector(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: no collections from here to the end of the build."""
    builder = app.builder
    if isinstance(builder, CheckBuilder) and not builder.collector_paused and gc.isenabled():
        gc.disable()
        builder.collector_paused = True


def _resume_collector(builder: object) -> None:
    if isinstance(builder, CheckBuilder) and builder.collector_paused:
        builder.collector_paused = False
        # what was made meanwhile is as long-lived as the loaded environment (frozen
        # alike by project/sphinx_run.py, and thawed with it): the first collections
        # after the pause would otherwise walk all of it
        gc.freeze()
        gc.enable()


def _uses_content_links(env: BuildEnvironment) -> bool:
    """Whether anything reads need content as nodes (``content_links`` rules or the
    ``links_from_content`` function)."""
    config = env.config
    declared = [
        *dict(getattr(config, "needs_links", None) or {}).values(),
        *dict(getattr(config, "needs_fields", None) or {}).values(),
        *(getattr(config, "needs_extra_links", None) or []),
    ]
    for entry in declared:
        if "content_links" in repr(entry.get("derive") if isinstance(entry, dict) else entry):
            return True
    needs = stored_needs(env)
    return any("links_from_content" in _content(need) for need in needs.values())


def _content(need: Any) -> str:
    """``str(need.get("content") or "")``; of a ``NeedItem`` read from its ``NeedsContent``
    (``get`` looks the key up in seven stores: a fifth of this step at 15,500 items)."""
    text = getattr(getattr(need, "content", None), "content", None)
    return text if isinstance(text, str) else str(need.get("content") or "")


def _keep_references(app: Sphinx, doctree: nodes.document) -> None:
    if not isinstance(app.builder, CheckBuilder) or app.config.specheft_items_only:
        return
    kept = []
    for node in doctree.findall(lambda n: isinstance(n, _REFERENCE_NODES)):
        source, line = get_source_line(node)
        copy = node.deepcopy()
        copy.source, copy.line = source or str(app.env.doc2path(app.env.docname)), line
        _detach(copy)
        kept.append(copy)
    store = specheft_domain(app.env).references
    if kept:
        store[app.env.docname] = kept
    else:
        store.pop(app.env.docname, None)


def _detach(copy: nodes.Node) -> None:
    """Drop the copy's reference to the page's document (docutils' ``copy()`` keeps it):
    it made the cached environment pickle the whole doctree of every page with a
    reference (6 of its 29 MB at 15,500 items, written and read on every re-check). The
    copy is resolved on a document of its own, which it then reaches through its parent.
    """
    for each in copy.findall():
        # docutils 0.19+: ``_document`` behind a property; before: ``document``
        vars(each).pop("_document", None)
        if not isinstance(getattr(type(each), "document", None), property):
            vars(each).pop("document", None)


def resolve_references(env: BuildEnvironment) -> None:
    """Resolve the kept reference nodes of every page as a build would (its warnings)."""
    from sphinx.util.docutils import new_document

    store = specheft_domain(env).references
    for docname in sorted(store):
        if docname not in env.all_docs:
            continue
        document = new_document(str(env.doc2path(docname)))
        document.settings.env = env  # what Sphinx's transforms look the environment up in
        for node in store[docname]:
            paragraph = nodes.paragraph()
            paragraph.source, paragraph.line = node.source, node.line
            paragraph += node.deepcopy()
            document += paragraph
        env.apply_post_transforms(document, docname)


def _unknown_backlink_targets(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``{need_incoming}`` / ``{need_outgoing}`` of an unknown id stop sphinx-needs with
    an unlocated extension error: a located warning instead, the role's text kept."""
    needs = needs_view(app.env)
    found = doctree.findall(lambda n: isinstance(n, (NeedIncoming, NeedOutgoing)))
    for node in [n for n in found if isinstance(n, nodes.Element)]:
        target = str(node.get("reftarget", ""))
        if target.split(".", 1)[0] in needs:
            continue
        logger.warning(
            f"linked need {target} not found", location=node, type="needs", subtype="link_ref"
        )
        node.replace_self(nodes.Text(node.astext()))


def _drop_need_nodes(app: Sphinx, env: BuildEnvironment) -> None:
    if isinstance(app.builder, CheckBuilder) and not _uses_content_links(env):
        drop_need_nodes(env)


def setup(app: Sphinx) -> None:
    app.add_builder(CheckBuilder)
    # a build read for its items only (diff, check --since, baselines: in a directory of
    # its own) resolves no references: that only warns, and no one shows its warnings
    app.add_config_value("specheft_items_only", False, "", types=frozenset({bool}))
    # a build whose warnings no one sees (the exports, fingerprint, …): it reads and caches like a
    # check, and skips what only warns after reading (specheft/sphinxext/needs/unseen.py)
    app.add_config_value("specheft_warnings_unseen", False, "", types=frozenset({bool}))
    app.connect("doctree-read", _keep_references)
    # (the kept nodes are cleared and merged per page by the specheft domain)
    # before sphinx-needs processes the roles (priority 500)
    app.connect("doctree-resolved", _unknown_backlink_targets, priority=BEFORE_NEEDS)
    # after sphinx-needs merged a worker's environment (priority 500)
    app.connect("env-merge-info", keep_packed_nodes, priority=LATE)
    app.connect("env-updated", _drop_need_nodes)
    app.connect("env-updated", _pause_collector, priority=LATE)
    # also when the build fails between
    app.connect("build-finished", lambda app, exc: _resume_collector(app.builder))
