"""LaTeX builds: no cyclic garbage collection from the start of writing to the end.

The LaTeX builder assembles each document from all of its pages into one doctree, which
stays alive until the document is written; then sphinx-needs writes needs.json. Every
full collection meanwhile walks that doctree and everything else alive (HTML builds
release each page as it is written, see ``collector``; a LaTeX document cannot be). At
N=5000 (one document of 15,507 items) 14 full collections took 20.0 of the build's
71 s CPU, at N=1000 1.9 of 13 s: the collections grow with the tree and the tree with N,
the one superlinear part of the PDF's Sphinx side. What the write phase leaves as
garbage is small next to the assembled tree (the pages' emptied documents, replaced
nodes); the collector runs again when the build has finished.
"""

from __future__ import annotations

import gc
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder

from specheft.sphinxext.needs.priorities import REMOVE_FILTERS

_PAUSED = "_specheft_latex_gc_paused"


def _pause(app: Sphinx, *args: Any) -> None:
    if isinstance(app.builder, LaTeXBuilder) and gc.isenabled():
        gc.disable()
        setattr(app, _PAUSED, True)


def _resume(app: Sphinx, exception: BaseException | None) -> None:
    if getattr(app, _PAUSED, False):
        setattr(app, _PAUSED, False)
        gc.enable()


def setup(app: Sphinx) -> None:
    app.connect("write-started", _pause)
    # after every other build-finished handler, sphinx-needs' needs.json among them
    app.connect("build-finished", _resume, priority=REMOVE_FILTERS + 1)
