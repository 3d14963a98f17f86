"""Directives that render trace results into the documents; one module per directive."""

from __future__ import annotations

from sphinx.application import Sphinx

from specheft.sphinxext.directives import (
    base,
    change_history,
    changes,
    decision,
    item_diff,
    matrix,
    option_block,
    results,
    summary,
    trace,
    vendors,
)


def setup(app: Sphinx) -> None:
    option_block.install()  # every directive's option lines, items' included
    base.setup(app)
    matrix.setup(app)
    results.setup(app)
    decision.setup(app)
    summary.setup(app)
    trace.setup(app)
    vendors.setup(app)
    changes.setup(app)
    change_history.setup(app)
    item_diff.setup(app)
