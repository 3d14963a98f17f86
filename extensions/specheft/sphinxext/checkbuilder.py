"""The builder behind ``specheft check``: items only, nothing written.

sphinx-needs' ``needs`` builder already skips the write phase; this one also skips
writing needs.json (the check reads the items in-process) and keeps the resolved
items for the caller, since they are released when the build finishes.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx_needs.builder import NeedsBuilder


class CheckBuilder(NeedsBuilder):
    name = "specheft-check"

    def finish(self) -> None:
        from sphinx_needs.data import SphinxNeedsData

        self.resolved_needs: list[Any] = list(SphinxNeedsData(self.env).get_needs_view().values())


def setup(app: Sphinx) -> None:
    app.add_builder(CheckBuilder)
