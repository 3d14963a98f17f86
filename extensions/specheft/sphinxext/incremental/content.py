"""Pages read again when their content changed, whatever their timestamp says.

Sphinx reads a page again only when its file is newer than the last read. A file put
back with an older timestamp — restored from a backup, unpacked from an archive, copied
with ``cp -p`` or ``rsync -a`` — would leave the old text in every incremental build and
in ``specheft check``. The digest of each page's file is kept when the page is read; a
page whose file has another digest now is read again. The cost is one read of every
source per build (a few milliseconds per megabyte).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from specheft.sphinxext.context.domain import specheft_domain

#: before every other source-read handler, so that nothing else runs in between
FIRST = 1


def _digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def note_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """The digest of the file as it is now: the moment Sphinx read it. A save in between
    gives the file a new timestamp, which Sphinx notices on its own next time."""
    digest = _digest(Path(app.env.doc2path(docname)))
    if digest is not None:
        specheft_domain(app.env).sources[docname] = digest


def changed_content(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    known = specheft_domain(env).sources
    skip = added | changed | removed
    again = []
    for docname in sorted(env.all_docs):
        if docname in skip or docname not in known or docname not in env.found_docs:
            continue
        if _digest(Path(env.doc2path(docname))) != known[docname]:
            again.append(docname)
    return again


def setup(app: Sphinx) -> None:
    app.connect("source-read", note_source, priority=FIRST)
    app.connect("env-get-outdated", changed_content)
