"""Sphinx's messages about pages it cannot place, with the file and the way out."""

from __future__ import annotations

import logging as logging_std
import os
from pathlib import Path

from sphinx.application import Sphinx


class WhichToctree(logging_std.Filter):
    """Sphinx's "document isn't included in any toctree" names neither the toctree that
    should list the page nor the way out: add both."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging_std.LogRecord) -> bool:
        docname = getattr(record, "location", None)
        if getattr(record, "subtype", None) != "not_included" or not isinstance(docname, str):
            return True
        env = self.app.env
        if docname not in env.all_docs:
            return True
        parts = docname.split("/")
        parent = env.config.root_doc
        for depth in range(len(parts) - 1, -1, -1):
            candidate = "/".join([*parts[:depth], "index"])
            if candidate != docname and candidate in env.toctree_includes:
                parent = candidate
                break
        entry = "/".join(parts[len(parent.split("/")) - 1 :])
        path = os.path.relpath(env.doc2path(parent), Path(self.app.srcdir).parent)
        record.msg = (
            f"{record.getMessage()} (hint: add '{entry}' to the toctree in "
            f"{Path(path).as_posix()}, or put 'orphan: true' in the page's front matter "
            "if it is meant to stand alone)"
        )
        record.args = ()
        return True


class TwoSources(logging_std.Filter):
    """Sphinx's "multiple files found for the document" has no location and ends in a
    Python repr; name the file that is ignored instead, and which one is read."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging_std.LogRecord) -> bool:
        args = record.args
        if "multiple files found" not in str(record.msg) or not (
            isinstance(args, tuple) and len(args) == 3
        ):
            return True
        srcdir = Path(self.app.srcdir)
        used = Path(str(args[2]))
        ignored = [srcdir / f for f in str(args[1]).split(", ") if srcdir / f != used]
        if not ignored:
            return True
        root = srcdir.parent
        record.msg = (
            f"two sources for the page {args[0]!r}: this file is ignored, "
            f"{Path(os.path.relpath(used, root)).as_posix()} is read "
            "(hint: rename or delete one of them)"
        )
        record.args = ()
        # with a line: a location without one would be taken for a docname
        record.location = f"{ignored[0]}:1"
        return True
