"""Sphinx's ``Project.doc2path`` answered from a cache while the same page is asked for.

sphinx-needs asks for the file of the page twice for every item it reads (the item's
source, and its file type), and each answer joins and parses a path anew: 3 % of a
``check --fresh`` at N=5000. An answer depends only on the source folder and the file
the page maps to; both are compared (by identity) with those of the cached answer on
every call, so a page that maps to another file, or another source folder, is answered
anew by Sphinx's own method. A page without a file (Sphinx's fallback) is never cached.
"""

from __future__ import annotations

import weakref
from typing import Any

_ORIGINAL: list[Any] = []
#: per Project: (docname, absolute) -> (the page's file, the source folder, the answer)
_CACHE: weakref.WeakKeyDictionary[Any, dict[tuple[str, bool], tuple[Any, Any, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _doc2path(self: Any, docname: str, absolute: bool) -> Any:
    """``Project.doc2path(self, docname, absolute)``, cached as described above."""
    filename = self._docname_to_path.get(docname)
    cache = _CACHE.get(self)
    if cache is None:
        cache = _CACHE[self] = {}
    entry = cache.get((docname, absolute))
    if entry is not None and entry[0] is filename and entry[1] is self.srcdir:
        return entry[2]
    answer = _ORIGINAL[0](self, docname, absolute)
    if filename is not None:
        cache[docname, absolute] = (filename, self.srcdir, answer)
    return answer


def install() -> bool:
    """Replace ``sphinx.project.Project.doc2path`` (once per process); False if it is not
    Sphinx's own any more (another release or someone else's patch: left alone)."""
    from sphinx.project import Project

    current = Project.doc2path
    if current is _doc2path:
        return True
    if getattr(current, "__qualname__", "") != "Project.doc2path" or not hasattr(
        Project(".", (".md",)), "_docname_to_path"
    ):
        return False
    _ORIGINAL[:] = [current]  # put back by someone since: replaced again, not stacked
    Project.doc2path = _doc2path  # type: ignore[method-assign]
    return True
