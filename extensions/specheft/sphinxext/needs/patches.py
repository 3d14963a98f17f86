"""Speed-ups for sphinx-needs 9: methods replaced, a store given a short repr, faster pickling.

Each patch is written for the sphinx-needs release line in :data:`TESTED_MAJOR` and is
applied only there: on another major version nothing is replaced and one warning says
so (builds stay correct, only slower on large projects). Each replacement checks that
the method it replaces is still sphinx-needs' own; ``tests/test_needs_contract.py`` pins
the signatures.

1. ``NeedItem.add_backlink`` (:func:`_add_backlink`) checks ``backlink not in list``
before appending, so a need with n incoming links costs n²/2 comparisons of ``NeedLink``
dataclasses. In a specification every item links to its phase: at 15,000 items one
phase collects 10,000 back-links and this single step takes longer than the rest of a
check. The replacement keeps, per back-link list, a set of its members and uses it for
the membership test. The set is a cache: it is trusted only while it belongs to the
very same list object and the list's length is unchanged, otherwise it is rebuilt from
the list — so nothing that sphinx-needs does to the lists (reset, sort, dedupe) can make
it wrong. The result is the same list, in the same order, as the original function.

2. ``SphinxNeedsData.remove_doc`` (:func:`_remove_doc`, run for every document Sphinx is
about to read) scans every need stored so far for ones of that document. Read one after
the other, d documents with n needs cost d·n/2 look-ups (11 s of a 100 s check at 31,000
items). A document Sphinx has not read into this environment (not in ``env.all_docs``:
new, or already cleared) cannot have needs, extends or diagrams stored, so there is
nothing to remove and the scan is skipped (the stores the original creates on its way
are still created: parallel workers forked later rely on them); every other call runs
the original.

3. The store of needs (:func:`quiet_needs_store`) gets a short ``repr``: Sphinx formats
``repr(args)`` of every event it emits, for a debug message, even when debug output is
off; sphinx-needs emits two events with the whole store. It is also pickled one pickle
per document, and a document not read again is written as it was read
(:func:`specheft.sphinxext.needs.pickling.reduce_store`).

4. ``NeedsList.write_json`` (:func:`_write_json`, needs.json at the end of every HTML
build) calls ``json.dump``, which always encodes in pure Python; ``json.dumps`` with the
same arguments uses the C encoder and gives the same text (4.0 of a 20.6 s profiled
rebuild at N=1000 went into ``json.dump``). It is called per need, not for the whole
file, so that no string of the whole file is held.

5. ``NeedItem.sort_links`` (:func:`specheft.sphinxext.needs.linkorder.sort_links`, once
per need at the end of the post-processing) computes a natural sort key per link per
list, 54,000 regular-expression splits at 15,500 items for a few thousand ids; the
replacement takes the key of a link without a condition from a per-build cache and
copies a list of fewer than two links without a key: the same lists, in the same order.

6. The slotted dataclasses of ``sphinx_needs.need_item`` (``NeedLink``, ``NeedsContent``,
…) pickle through ``dataclasses.fields()`` per object, in Sphinx's environment pickle:
:mod:`specheft.sphinxext.needs.pickling` gives them ``__getstate__``/``__setstate__``
with the names read once (the same state; a pickle of either side reads in the other).
"""

from __future__ import annotations

import json
import os
from typing import Any

from sphinx.util import logging
from sphinx_needs.need_item import NeedLink

from specheft.sphinxext.needs import linkorder, pickling
from specheft.sphinxext.needs.data import NEEDS_STORE, set_stored_needs, stored_needs

logger = logging.getLogger(__name__)

#: The sphinx-needs major version the patches were written for and tested with.
TESTED_MAJOR = 9

_CACHE: dict[int, tuple[list[Any], set[Any]]] = {}


def _add_backlink(self: Any, link_type: str, backlink: Any) -> None:
    """``NeedItem.add_backlink(self, link_type, backlink)`` with a set for membership."""
    links = self._backlinks.get(link_type)
    if links is None:
        raise KeyError(f"Link type {link_type!r} does not exist in backlinks.")
    backlink = NeedLink.from_string(backlink) if isinstance(backlink, str) else backlink
    # (_members inlined, and one hash of the link, not two: 27,000 calls per build)
    entry = _CACHE.get(id(links))
    if entry is None or entry[0] is not links or len(entry[1]) != len(links):
        entry = _CACHE[id(links)] = (links, set(links))
    members = entry[1]
    size = len(members)
    members.add(backlink)
    if len(members) != size:
        links.append(backlink)


def _remove_doc(self: Any, docname: str) -> None:
    """``SphinxNeedsData.remove_doc(self, docname)``, skipped for a page never read."""
    if docname not in self.env.all_docs and not self.needs_is_post_processed:
        # The original creates these stores on its way; parallel reading relies on the
        # main process having them before it forks its workers.
        self.get_or_create_docs()
        self.get_or_create_extends()
        self.get_or_create_umls()
        return
    _ORIGINAL["remove_doc"](self, docname)


def _write_json(self: Any, needs_file: str = "needs.json", needs_path: str = "") -> None:
    """``NeedsList.write_json``: the same text, each need encoded by ``json.dumps`` (C)."""
    self._finalise()
    needs_dir = needs_path if needs_path else self.outdir
    with open(os.path.join(needs_dir, needs_file), "w") as f:
        _stream_json(self.needs_list, f.write, 0)


#: the depth of the dicts written key by key: the file, versions, a version, its needs
_STREAMED = 4


def _stream_json(value: Any, write: Any, depth: int) -> None:
    """``json.dumps(value, sort_keys=True)`` written piece by piece: the outer dicts key
    by key, each need at once. One string of the whole file (31 MB at 15,500 items) was
    most of specheft's extra peak memory over plain sphinx-needs."""
    if depth >= _STREAMED or not isinstance(value, dict) or not value:
        write(json.dumps(value, sort_keys=True))
        return
    write("{")
    for number, key in enumerate(sorted(value)):
        if number:
            write(", ")
        write(json.dumps(key))
        write(": ")
        _stream_json(value[key], write, depth + 1)
    write("}")


_ORIGINAL: dict[str, Any] = {}


class QuietNeeds(dict):  # type: ignore[type-arg]
    """sphinx-needs' store of needs with a short ``repr`` (half a second at 15,000 items
    spent formatting it twice per build). Everything else is the plain dict it was."""

    def __repr__(self) -> str:
        return f"<{len(self)} needs>"

    def __reduce__(self) -> tuple[Any, ...]:
        # one pickle per document, an unchanged one written as it was read (pickling.py)
        return pickling.reduce_store(self)

    def __copy__(self) -> QuietNeeds:  # (copy.copy would go through __reduce__)
        return QuietNeeds(self)


def quiet_needs_store(app: Any, env: Any, docnames: list[str]) -> None:
    """Swap the store for a ``QuietNeeds`` holding the same needs (``env-before-read-docs``,
    after sphinx-needs' ``prepare_env`` made it)."""
    if not tested(needs_version()):
        return
    store = stored_needs(env) if hasattr(env, NEEDS_STORE) else None
    if store is None:
        set_stored_needs(env, QuietNeeds())
    elif type(store) is dict:
        set_stored_needs(env, QuietNeeds(store))
    elif isinstance(store, QuietNeeds):
        pickling.begin_build(store, env)


def clear() -> None:
    """Forget the sets (they hold references to the lists) and the sort keys once a
    build is done."""
    _CACHE.clear()
    linkorder.clear()


def needs_version() -> str:
    """The installed sphinx-needs version (``sphinx_needs.__version__``)."""
    import sphinx_needs

    return str(getattr(sphinx_needs, "__version__", ""))


def tested(version: str) -> bool:
    """Whether ``version`` is of the release line the patches were written for."""
    return version.split(".", 1)[0] == str(TESTED_MAJOR)


def _replace(owner: type, name: str, replacement: Any) -> bool:
    current = getattr(owner, name, None)
    if current is None:
        return False  # a release without it: nothing to replace
    if current is replacement:
        return True
    if getattr(current, "__qualname__", "") != f"{owner.__name__}.{name}":
        return False  # someone else replaced it; leave it alone
    _ORIGINAL[name] = current
    setattr(owner, name, replacement)
    return True


_WARNED: list[str] = []


def install() -> bool:
    """Apply the speed-ups on sphinx-needs 9.x; True if the two that change complexity
    (``add_backlink``, ``remove_doc``) are in place (the others are only faster).

    On another major version nothing is replaced, with one warning per process: the
    replacements copy what sphinx-needs 9 does and could be wrong for another release.
    """
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.need_item import NeedItem
    from sphinx_needs.needsfile import NeedsList

    version = needs_version()
    if not tested(version):
        if version not in _WARNED:
            _WARNED.append(version)
            logger.warning(
                f"sphinx-needs {version} is not the release line specheft was tested with "
                f"({TESTED_MAJOR}.x): its speed-ups are not applied (builds are correct, "
                "but slower on large projects)",
                type="specheft",
                subtype="needs-version",
            )
        return False
    backlinks = _replace(NeedItem, "add_backlink", _add_backlink)
    # only faster; when it cannot be replaced the original writes the same file
    _replace(NeedsList, "write_json", _write_json)
    # only faster too: the same lists in the same order, the same pickled state
    _replace(NeedItem, "sort_links", linkorder.sort_links)
    pickling.install()
    stores = ("get_or_create_docs", "get_or_create_extends", "get_or_create_umls")
    purge = all(hasattr(SphinxNeedsData, store) for store in stores) and _replace(
        SphinxNeedsData, "remove_doc", _remove_doc
    )
    return backlinks and purge
