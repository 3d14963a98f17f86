"""The builder behind ``specheft check``: items only, nothing written.

sphinx-needs' ``needs`` builder already skips the write phase; this one also skips
writing needs.json (the check reads the items in-process), keeps the resolved items
for the caller (they are released when the build finishes), and leaves the rendered
content of the needs out of its cached environment: a third of the cache, read and
written on every re-check, and used only by links derived from need content.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx_needs.builder import NeedsBuilder


class CheckBuilder(NeedsBuilder):
    name = "specheft-check"

    def finish(self) -> None:
        from sphinx_needs.data import SphinxNeedsData

        self.resolved_needs: list[Any] = list(SphinxNeedsData(self.env).get_needs_view().values())


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
    needs = getattr(env, "_needs_all_needs", {})
    return any("links_from_content" in str(need.get("content") or "") for need in needs.values())


def _drop_need_nodes(app: Sphinx, env: BuildEnvironment) -> None:
    if isinstance(app.builder, CheckBuilder) and not _uses_content_links(env):
        env._needs_all_nodes = {}  # type: ignore[attr-defined]


def setup(app: Sphinx) -> None:
    app.add_builder(CheckBuilder)
    app.connect("env-updated", _drop_need_nodes)
