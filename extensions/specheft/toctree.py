"""The pages of a document: its start page and every page its toctrees reach.

Pure, for the build (Sphinx's ``env.toctree_includes``) and for an export that reads the
same toctrees from the check's cache without Sphinx (``project/export_snapshot.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def reached(toctree: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """``start`` and every page reached from it through ``toctree`` (page → its entries)."""
    found = {start}
    todo = [start]
    while todo:
        for child in toctree.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
