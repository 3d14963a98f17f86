"""The Sphinx layer: configures sphinx-needs with the specheft vocabulary.

Thin on purpose: each part (locations of messages, item rendering, directives)
registers itself in its own module; the trace logic lives in :mod:`specheft.trace`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError as SphinxConfigError

from specheft.config.settings import SETTINGS_FILE, default_settings
from specheft.errors import SpecheftError
from specheft.sphinxext import directives, docpaths, needs
from specheft.sphinxext.compat import conf_py_values
from specheft.sphinxext.context import build, set_settings, tracing
from specheft.sphinxext.context.domain import SpecheftDomain
from specheft.sphinxext.diagnostics import locations, rewarn, syntax
from specheft.sphinxext.guards import links as safelinks
from specheft.sphinxext.guards import paths as confine
from specheft.sphinxext.guards import size as limits
from specheft.sphinxext.incremental import content, freshness
from specheft.sphinxext.needs import checkbuilder
from specheft.sphinxext.needs.priorities import CONFIGURE_NEEDS
from specheft.sphinxext.needs.vocabulary import needs_config
from specheft.sphinxext.rendering import (
    collector,
    deliverables,
    gone_pages,
    latex_collector,
    long_tables,
    navigation,
)
from specheft.sphinxext.rendering import items as render
from specheft.tables import load_settings
from specheft.version import __version__


def _merge_types(ours: list[dict[str, Any]], theirs: Any) -> list[dict[str, Any]]:
    """Keep the user's extra need types; ours win for the specheft kinds."""
    if isinstance(theirs, dict):  # sphinx-needs also accepts {directive: {...}}
        theirs = [{"directive": name, **entry} for name, entry in theirs.items()]
    own = {entry["directive"] for entry in ours}
    extra = [entry for entry in theirs or [] if entry.get("directive") not in own]
    return ours + extra


def _configure(app: Sphinx, config: Config) -> None:
    path = Path(app.confdir) / config.specheft_settings_file
    try:
        settings = load_settings(path) if path.exists() else default_settings(config.project)
    except SpecheftError as exc:
        raise SphinxConfigError(str(exc)) from None
    set_settings(app, settings)
    user = conf_py_values(config)  # only what conf.py itself set, not sphinx-needs' defaults
    for name, value in needs_config(settings).items():
        if name == "needs_types":
            value = _merge_types(value, user.get("needs_types"))
        elif name == "needs_fields":
            value = {**value, **(user.get("needs_fields") or {})}
        elif name in user:
            continue  # an explicit value in conf.py wins
        config[name] = value
    deliverables.apply_latex_config(config, settings, Path(app.srcdir))
    if not config.myst_enable_extensions:
        config.myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
    if not config.specheft_allow_raw and "myst_disable_syntax" not in user:
        # raw HTML in Markdown is shown as text: item text from other parties must not
        # run in the built site (and raw HTML would not reach the PDF anyway)
        config.myst_disable_syntax = ["html_block", "html_inline"]


def _no_raw_directive(app: Sphinx) -> None:
    if not app.config.specheft_allow_raw:
        app.env.settings["raw_enabled"] = False


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_parser")
    needs.setup(app)  # sphinx-needs and the speed-ups for its release line
    docpaths.install()  # a page's file looked up once, not per item
    app.add_config_value("specheft_settings_file", SETTINGS_FILE, "env", types=frozenset({str}))
    app.add_config_value("specheft_allow_raw", False, "env", types=frozenset({bool}))
    app.connect("builder-inited", _no_raw_directive)
    # before sphinx-needs reads its configuration (its handlers run from priority 10)
    app.connect("config-inited", _configure, priority=CONFIGURE_NEEDS)
    app.add_domain(SpecheftDomain)
    locations.setup(app)
    limits.setup(app)
    syntax.setup(app)
    confine.setup(app)
    safelinks.setup(app)
    rewarn.setup(app)
    checkbuilder.setup(app)
    render.setup(app)
    build.setup(app)
    tracing.setup(app)
    freshness.setup(app)
    content.setup(app)
    directives.setup(app)
    deliverables.setup(app)
    collector.setup(app)
    navigation.setup(app)
    long_tables.setup(app)
    latex_collector.setup(app)  # LaTeX: no collections of the assembled document
    gone_pages.setup(app)  # no file of a deleted or renamed page left in the site
    return {
        "version": __version__,
        "env_version": 3,  # raise when reading changes: old environments are read anew
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
