"""The state of one build that every part of the Sphinx layer reads: settings, trace, evidence.

Kept apart from :mod:`specheft.sphinxext` so that modules reach it with a plain module-level
import (no function-local import to dodge a cycle).
"""

from __future__ import annotations

import weakref

from sphinx.application import Sphinx

from specheft.config.settings import Settings

_SETTINGS: weakref.WeakKeyDictionary[Sphinx, Settings] = weakref.WeakKeyDictionary()


def set_settings(app: Sphinx, settings: Settings) -> None:
    """Called once per build, at config-inited, with the validated specheft.toml."""
    _SETTINGS[app] = settings


def settings_of(app: Sphinx) -> Settings:
    """The validated specheft.toml of this build."""
    try:
        return _SETTINGS[app]
    except KeyError:
        raise RuntimeError("specheft settings are read at config-inited") from None
