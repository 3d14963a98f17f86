"""The adapter over sphinx-needs: the only package that imports ``sphinx_needs``.

``vocabulary`` (specheft's kinds as its configuration), ``data`` (the needs view and its
node classes), ``messages`` (its log messages understood), ``patches`` (version-gated
speed-ups), ``reading`` (a version-gated speed-up of reading each need), ``priorities``
(when specheft's handlers run relative to its own), ``checkbuilder`` (the builder of
``specheft check``), ``unseen`` (what only warns, skipped when no one sees it).
``nodematch`` (its search of each page for its nodes, faster).
``tests/test_needs_contract.py`` pins every assumption made about it.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from specheft.sphinxext.needs import nodematch, patches, reading, unseen
from specheft.sphinxext.needs.priorities import LATE

#: The extension's module name, as Sphinx loads it.
EXTENSION = "sphinx_needs"


def setup(app: Sphinx) -> None:
    """Load sphinx-needs and apply the speed-ups for its release line."""
    app.setup_extension(EXTENSION)
    patches.install()
    reading.install()
    if patches.tested(patches.needs_version()):  # what only warns there, as of 9.x
        unseen.install()
        nodematch.install()  # its search of each page for its nodes, as of 9.x
    # after sphinx-needs made the store (prepare_env, default priority)
    app.connect("env-before-read-docs", patches.quiet_needs_store, priority=LATE)
    app.connect("build-finished", lambda app, exc: patches.clear())
