"""``NeedItem.sort_links`` with each link's sort key computed once per build.

sphinx-needs sorts every link and back-link list of every need at the end of its
post-processing, with a natural sort key (a regular expression split of the id) per
link per list: at 15,500 items about 217,000 lists, nearly all empty or of one link, and
54,000 keys of the same few thousand ids. The replacement (:func:`sort_links`) gives
the same lists: a list of fewer than two links is copied (what ``sorted(set(value))``
gives for it, without a key), longer ones are sorted as before, with
``_link_natural_sort_key``'s key, taken from a cache for a link without a condition.
Such a link's key depends only on its filter string (its link string is the same
string), so the cache is keyed by that string; a link with a condition gets its key
computed as before. The cache is emptied when a build finishes (:func:`clear`).
"""

from __future__ import annotations

from typing import Any

from sphinx_needs.need_item import _link_natural_sort_key

#: filter string -> ``_link_natural_sort_key`` of a link without a condition
_KEYS: dict[str, Any] = {}


def _key(link: Any) -> Any:
    if link.condition is not None:
        return _link_natural_sort_key(link)
    key = _KEYS.get(link._filter_string)
    if key is None:
        key = _KEYS[link._filter_string] = _link_natural_sort_key(link)
    return key


def sorted_links(value: list[Any]) -> list[Any]:
    """``sorted(set(value), key=_link_natural_sort_key)``, the key cached."""
    if len(value) < 2:
        return list(value)
    return sorted(set(value), key=_key)


def sort_links(self: Any) -> None:
    """``NeedItem.sort_links(self)``: the same lists (new ones, as there), keys cached."""
    # (sorted_links inlined: a call per list is most of the time, 14 lists per need)
    for lists in (self._links, self._backlinks):
        for key, value in lists.items():
            lists[key] = value[:] if len(value) < 2 else sorted(set(value), key=_key)
    for part in self._parts.values():
        backlinks = part.backlinks
        for key, value in backlinks.items():
            backlinks[key] = sorted_links(value)


def clear() -> None:
    """Forget the keys (a build's ids) once the build is done."""
    _KEYS.clear()
