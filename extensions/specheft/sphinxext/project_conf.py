"""Everything a specheft project's ``conf.py`` needs, derived from specheft.toml.

A project's conf.py is two lines::

    from specheft.sphinxext.project_conf import project_conf
    globals().update(project_conf(__file__))

and may override any value after them. Values that Sphinx reads before extensions
are loaded (``language``) can only be set here, not from the extension.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import Any

from sphinx.errors import ConfigError as SphinxConfigError

from specheft.config.settings import SETTINGS_FILE
from specheft.errors import SpecheftError
from specheft.tables import load_settings


def _year(date: str | None) -> int:
    if date:
        return dt.date.fromisoformat(date).year
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).year
    return dt.date.today().year


def project_conf(conf_file: str | Path) -> dict[str, Any]:
    confdir = Path(conf_file).resolve().parent
    try:
        settings = load_settings(confdir / SETTINGS_FILE)
    except SpecheftError as exc:
        raise SphinxConfigError(str(exc)) from None
    project = settings.project
    owner = project.customer or project.name
    return {
        "project": project.name,
        "author": owner,
        "copyright": f"{_year(project.date)}, {owner}",
        "version": project.version,
        "release": project.version,
        "language": project.language,
        "extensions": ["specheft"],
        "exclude_patterns": ["_build", "**/.ipynb_checkpoints"],
        "myst_enable_extensions": ["colon_fence", "deflist", "fieldlist"],
        "myst_heading_anchors": 3,
        "html_theme": "furo",
        # Sphinx and furo put html_title into the page as markup (furo's header unescaped):
        # a name from specheft.toml is text, so it is escaped here, once
        "html_title": html.escape(f"{project.name} {project.version}", quote=False),
        "html_show_sourcelink": False,
        # the Markdown sources (with the authors' % comments, internal notes) are not
        # published; `html_copy_source = True` after these lines in conf.py ships them
        "html_copy_source": False,
        "html_last_updated_fmt": None,
    }
