"""A size limit per source page, checked before Sphinx reads anything.

A 50 MB page took ``check`` one to four minutes and up to 2.6 GB of memory, and then
said nothing useful. A page larger than ``[limits] max_source_mb`` (default 5 MB) is bad
input at that file, exit 2, before the first page is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from specheft.errors import InputError, Location
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.needs.priorities import EARLY


def _check_sizes(app: Sphinx, env: Any, docnames: list[str]) -> None:

    limit = settings_of(app).max_source_bytes
    root = Path(app.srcdir).parent
    for docname in docnames:
        path = Path(env.doc2path(docname))
        try:
            size = path.stat().st_size
        except OSError:
            continue  # Sphinx reports a missing page itself
        if size > limit:
            shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path
            raise InputError(
                f"the page is {size / 2**20:.3g} MB, more than the limit of "
                f"{limit / 2**20:.3g} MB for a source file; it was not read",
                location=Location(str(shown)),
                hint="split it into several pages listed in a toctree, or raise "
                "[limits] max_source_mb in conf/specheft.toml",
            )


def setup(app: Sphinx) -> None:
    # before every other reader of the pages (the encoding check reads whole files)
    app.connect("env-before-read-docs", _check_sizes, priority=EARLY)
