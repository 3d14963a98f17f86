"""Sphinx's private attributes that specheft reads, behind one door.

Sphinx offers no public way to ask these; each is used because the public alternative
would be wrong (the merged configuration instead of what ``conf.py`` set) or missing.
``tests/test_needs_contract.py`` checks that each still exists, so a Sphinx upgrade
that renames one fails there, naming the function here to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def conf_py_values(config: Config) -> Mapping[str, Any]:
    """What ``conf.py`` itself set (and ``-D`` overrides), not the defaults of Sphinx and
    its extensions: a value specheft supplies yields to an explicit one only
    (``Config._raw_config``, Sphinx 7–9)."""
    raw: Mapping[str, Any] = config._raw_config
    return raw


def warning_count(app: Sphinx) -> int:
    """How many warnings this build has logged (``Sphinx._warncount``, Sphinx 7–9; what
    Sphinx's own "build succeeded, N warnings" line counts)."""
    return int(app._warncount)


def builder_translations(builder: Any) -> Any:
    """The builder's gettext translations for its theme, or None (``Builder._translator``,
    Sphinx 7–9; what Sphinx installs into the theme's Jinja environment)."""
    return getattr(builder, "_translator", None)
