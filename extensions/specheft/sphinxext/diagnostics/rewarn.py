"""Warnings do not disappear in incremental builds.

Sphinx reports a page's reading warnings only when it reads the page; a second build
without changes would succeed although the sources are still wrong. The pages that
had warnings are remembered next to the environment and read again next time, so their
warnings come back until they are fixed. Pages whose table of contents names a page
that was deleted are read again too: Sphinx alone would not report the broken entry.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from specheft.sphinxext.needs.priorities import SAVE_WARNINGS

_FILE = "specheft-warned.json"


def _lineage(node: nodes.Node) -> list[nodes.Node]:
    found = []
    current: nodes.Node | None = node
    while current is not None:
        found.append(current)
        current = current.parent
    return found


class _Collector(logging.Handler):
    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = app
        self.docnames: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        location = getattr(record, "location", None)
        docname = None
        if isinstance(location, tuple) and location and isinstance(location[0], str):
            docname = location[0]
        elif isinstance(location, nodes.Node):  # a warning at a node while pages are written
            path = next((n.source for n in _lineage(location) if n.source), None)
            if path:
                with contextlib.suppress(Exception):
                    docname = self.app.env.path2doc(path)
        elif isinstance(location, str) and location:
            path = location.rsplit(":", 1)[0] if location.rsplit(":", 1)[-1].isdigit() else location
            try:
                docname = self.app.env.path2doc(path)
            except Exception:  # a location outside the sources (conf, templates)
                docname = None
        if docname:
            self.docnames.add(docname)


def setup(app: Sphinx) -> None:
    collector: list[_Collector] = []

    def store(app: Sphinx) -> Path:
        return Path(app.doctreedir) / _FILE

    def outdated(
        app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
    ) -> list[str]:
        again = {
            parent
            for parent, children in env.toctree_includes.items()
            if removed.intersection(children)
        }
        with contextlib.suppress(OSError, ValueError):  # no record yet, or a broken one
            again.update(json.loads(store(app).read_text(encoding="utf-8")))
        return sorted(d for d in again if d in env.found_docs and d not in added | changed)

    def start(app: Sphinx) -> None:
        handler = _Collector(app)
        collector.append(handler)
        logging.getLogger("sphinx").addHandler(handler)

    def finish(app: Sphinx, exception: BaseException | None) -> None:
        while collector:
            handler = collector.pop()
            logging.getLogger("sphinx").removeHandler(handler)
            target = store(app)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(sorted(handler.docnames)), encoding="utf-8")

    app.connect("builder-inited", start)
    app.connect("env-get-outdated", outdated)
    app.connect("build-finished", finish, priority=SAVE_WARNINGS)
