"""The build context: what every page of the write phase is made from, made once.

Made at ``write-started`` right after sphinx-needs has sealed the needs (its own
handler runs at the default priority 500), before parallel writers fork (for builders
that write pages; for the others on first use), and reached through
:func:`build_context` alone: the settings and the validated rule options, the project
root, the sealed needs, the trace graph, which deliverable owns each page, and the test
results (read when first asked for: a build whose pages show no results does not read
the runs).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment

from specheft.config.settings import Document, Settings
from specheft.project.fingerprint import fingerprint_of, vendor_records
from specheft.sphinxext.context import build_state
from specheft.sphinxext.context.evidence import Results
from specheft.sphinxext.needs.data import needs_view
from specheft.sphinxext.needs.priorities import BUILD_CONTEXT
from specheft.sphinxext.rendering.documents import document_docnames, document_of_docnames
from specheft.trace.fingerprint import shows_answers
from specheft.trace.graph import TraceGraph
from specheft.trace.rules import check_options, rule_options
from specheft.trace.ruleset import CheckOptions, RuleOptions


@dataclass(frozen=True)
class BuildContext:
    settings: Settings
    #: [rules] and what the checks read, as validated when the settings were read
    rules: RuleOptions
    check: CheckOptions
    #: the project folder (``spec/``'s parent): paths in messages are relative to it
    root: Path
    #: the sealed needs, id → need (sphinx-needs' read-only view)
    needs: Mapping[str, Any]
    graph: TraceGraph
    #: docname → the first deliverable whose toctrees reach it
    owners: Mapping[str, Document]
    app: Sphinx = field(repr=False, compare=False)

    @functools.cached_property
    def results(self) -> Results:
        """The latest test results (the run files are read on first use)."""
        return Results(self.app)

    @functools.cached_property
    def _fingerprints(self) -> dict[str, tuple[str, int]]:
        return {}

    @functools.cached_property
    def _normalized(self) -> dict[str, str]:
        return {}

    @functools.cached_property
    def _vendor_records(self) -> list[dict[str, Any]]:
        return vendor_records(self.root, self.settings)

    @functools.cached_property
    def _pages(self) -> dict[str, tuple[set[str], list[dict[str, Any]]]]:
        return {}

    def _document_pages(self, document: Document) -> tuple[set[str], list[dict[str, Any]]]:
        """(the pages of ``document``, the trace directives on them), read once per build
        (the directives from the pickled doctrees)."""
        from specheft.sphinxext.directives.base import trace_directives

        if document.name not in self._pages:
            docnames = document_docnames(self.app.env, document.start)
            self._pages[document.name] = (docnames, trace_directives(self.app.env, docnames))
        return self._pages[document.name]

    def fingerprint(self, document: Document) -> tuple[str, int]:
        """(digest, number of items) of ``document``, made once per build: its start page
        and the pages listing documents show it; the documents share the items' texts."""
        if document.name not in self._fingerprints:
            docnames, directives = self._document_pages(document)
            self._fingerprints[document.name] = fingerprint_of(
                self.needs.values(),
                docnames,
                directives,
                graph=self.graph,
                memo=self._normalized,
                own=self.settings.own_fields,
                records=lambda: self._vendor_records,
            )
        return self._fingerprints[document.name]

    def shows_answers(self, document: Document) -> bool:
        """Whether ``document`` shows bidders' answers (its fingerprint covers them)."""
        return shows_answers(self._document_pages(document)[1])


def build_context(app: Sphinx) -> BuildContext:
    """The context of this build's write phase (made on first use if a handler runs
    before ``write-started``; never while pages are being read)."""
    state = build_state(app)
    if not isinstance(state.context, BuildContext):
        needs = needs_view(app.env)
        state.context = BuildContext(
            settings=state.settings,
            rules=rule_options(state.settings),
            check=check_options(state.settings),
            root=Path(app.srcdir).parent,
            needs=needs,
            graph=TraceGraph.from_needs(needs.values()),
            owners=document_of_docnames(app.env, state.settings),
            app=app,
        )
    return state.context


#: builders that render pages from the context: it is made before their writers fork
_PAGE_FORMATS = frozenset({"html", "latex"})


def _make(app: Sphinx, builder: Builder) -> None:
    build_state(app).context = None  # a context made too early saw unsealed needs
    if builder.format in _PAGE_FORMATS:
        build_context(app)  # else on first use: ``specheft check`` shows no page


def _forget(app: Sphinx, env: BuildEnvironment) -> None:
    build_state(app).context = None


def setup(app: Sphinx) -> None:
    # pages were read again: the needs, the graph and the owners are outdated
    app.connect("env-updated", _forget)
    # after sphinx-needs has sealed the needs (write-started, priority 500)
    app.connect("write-started", _make, priority=BUILD_CONTEXT)
