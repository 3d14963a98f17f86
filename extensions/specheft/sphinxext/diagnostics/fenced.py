"""Item directives inside code blocks (rule ``lint-fenced-item``): kept per page with the
environment, reported by a build when the rule is an error, listed for ``specheft check``."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.domain import specheft_domain
from specheft.sphinxext.needs.data import needs_view
from specheft.trace.rules import all_rules, rule_options

logger = sphinx_logging.getLogger(__name__)


def fenced_store(env: Any) -> dict[str, list[tuple[int, str, str | None]]]:
    """docname → the item directives inside its code blocks (kept with the environment,
    so that a cached check knows them without reading the page)."""
    return specheft_domain(env).fenced


def fenced_items(env: Any, root: Path) -> list[tuple[str, int, str, str | None]]:
    """The item directives inside code blocks: (path relative to ``root``, line, kind, id),
    for the rule ``lint-fenced-item``."""
    found = []
    for docname, entries in sorted(fenced_store(env).items()):
        path = Path(env.doc2path(docname))
        with contextlib.suppress(ValueError):
            path = path.resolve().relative_to(root.resolve())
        found += [(path.as_posix(), line, kind, item_id) for line, kind, item_id in entries]
    return found


def _fenced_level(app: Sphinx) -> str:
    default = all_rules()["lint-fenced-item"].default
    configured = rule_options(settings_of(app)).levels.get("lint-fenced-item")
    return (configured.over(default) if configured else default).for_priority(None)


def report_fenced(app: Sphinx, builder: Any) -> None:
    """A build reports rule errors only (``specheft check`` reports every level): the
    fenced items, when ``lint-fenced-item`` is configured as an error."""
    if not app.config.specheft_check_on_build or _fenced_level(app) != "error":
        return
    needs = needs_view(app.env)
    for docname, entries in sorted(fenced_store(app.env).items()):
        for line, kind, item_id in entries:
            if item_id is not None and item_id in needs:
                continue  # an example of an item that exists
            logger.warning(
                f"{item_id + ': ' if item_id else ''}this {kind} directive is inside "
                "a code block, so it is shown as code and is no item",
                type="specheft",
                subtype="lint-fenced-item",
                location=(docname, line),
            )
