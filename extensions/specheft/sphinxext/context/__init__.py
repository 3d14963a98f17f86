"""The state of one build that every part of the Sphinx layer reads.

One record per Sphinx application, in one place: the validated settings (from
config-inited on), the stored test runs (read once, when first needed), the page
signatures being written, and the build context of the write phase
(:func:`specheft.sphinxext.context.build.build_context`).
What is learnt per page while reading lives in the ``specheft`` domain
(:mod:`specheft.sphinxext.context.domain`), which Sphinx pickles, clears and merges.

Kept apart from :mod:`specheft.sphinxext` so that modules reach it with a plain module-level
import (no function-local import to dodge a cycle).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.application import Sphinx

from specheft.config.settings import Settings
from specheft.gitinfo import GitState, git_state

if TYPE_CHECKING:
    from specheft.evidence.store import Store


@dataclass
class BuildState:
    """Everything specheft keeps about one build besides the pickled domain data."""

    settings: Settings
    #: the test runs, read once per build (None: not read yet)
    store: Store | None = None
    #: the BuildContext, made once sphinx-needs has sealed the needs and forgotten when
    #: pages are read again; typed where it is made (context.build imports this module)
    context: object | None = None
    #: the signatures of the pages this build is writing (file, docname → digest),
    #: saved once all are written (:mod:`specheft.sphinxext.incremental.freshness`)
    signatures: tuple[Path, dict[str, str]] | None = None
    #: the sources' git state, asked once per build (:func:`git_state_of`)
    git: tuple[GitState | None] | None = None


_STATES: weakref.WeakKeyDictionary[Sphinx, BuildState] = weakref.WeakKeyDictionary()


def set_settings(app: Sphinx, settings: Settings) -> None:
    """Called once per build, at config-inited, with the validated specheft.toml."""
    _STATES[app] = BuildState(settings)


def build_state(app: Sphinx) -> BuildState:
    try:
        return _STATES[app]
    except KeyError:
        raise RuntimeError("specheft settings are read at config-inited") from None


def git_state_of(app: Sphinx) -> GitState | None:
    """The git state of the sources, the same for every page of this build: asked once
    (up to three git processes each time; the start page of every document shows it)."""
    state = build_state(app)
    if state.git is None:
        state.git = (git_state(Path(app.srcdir)),)
    return state.git[0]


def settings_of(app: Sphinx) -> Settings:
    """The validated specheft.toml of this build."""
    return build_state(app).settings
