"""Per-build filters on Sphinx's and sphinx-needs' loggers (they rewrite or locate messages).

Loggers are process-wide, the filters belong to one build: each is installed at
``builder-inited`` and removed at ``build-finished``. A build that stopped before
``build-finished`` (an interrupt, a refused page) leaves its filters, bound to its own
application and sources, so installing replaces any filter of the same class instead of
adding a second one that would rewrite the next build's messages with the old paths.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sphinx.application import Sphinx

from specheft.sphinxext.needs.priorities import REMOVE_FILTERS


def install_build_filters(
    app: Sphinx, make: Callable[[Sphinx], list[tuple[str, logging.Filter]]]
) -> None:
    """Install the (logger name, filter) pairs ``make(app)`` gives for each build."""
    installed: list[tuple[str, logging.Filter]] = []

    def install(app: Sphinx) -> None:
        for name, new in make(app):
            logger = logging.getLogger(name)
            for old in [f for f in logger.filters if type(f) is type(new)]:
                logger.removeFilter(old)
            logger.addFilter(new)
            installed.append((name, new))

    def uninstall(app: Sphinx, exception: BaseException | None) -> None:
        while installed:
            name, flt = installed.pop()
            logging.getLogger(name).removeFilter(flt)

    app.connect("builder-inited", install)
    app.connect("build-finished", uninstall, priority=REMOVE_FILTERS)
