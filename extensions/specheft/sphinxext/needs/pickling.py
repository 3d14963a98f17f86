"""Faster pickling of sphinx-needs' slotted dataclasses (``NeedLink``, ``NeedsContent``,
the ``NeedItemSource…`` classes, …).

A frozen dataclass with ``slots=True`` gets ``__getstate__``/``__setstate__`` from
:mod:`dataclasses` that call ``dataclasses.fields()`` for every object, on every pickle
and unpickle. Sphinx pickles its environment after reading and loads it on the next
build: at 15,500 items that is about 59,000 such objects each way, and the ``fields()``
calls were about half of their cost. :func:`install` gives each such class a
``__getstate__``/``__setstate__`` with the field names read once: the state is the same
values in the same order (a tuple where the original gives a list; each side reads
both), set on unpickling through the same slot descriptors ``object.__setattr__`` uses.
A pickle written with or without the replacement is read by either.

Replaced only where the class still has the functions ``dataclasses`` generated and
every field is a slot; anything else is left as it is.

The store of needs (``QuietNeeds``, :func:`reduce_store`) is pickled as one pickle per
document, and the pickle of a document whose needs are still the very objects unpickled
from it is written again as it was read: a re-check after a one-line edit re-read one
page, and pickled all 15,500 needs again (0.3 of its 3 s CPU at N=5000). Only within the
first build after the environment was loaded (:func:`begin_build`), and only until the
needs are post-processed (which changes them in place); the needs of every document
that was read again are new objects, pickled anew. Unpickled, the store holds the same
ids, in the same order, with needs of the same content.
"""

from __future__ import annotations

import dataclasses
import operator
import pickle
import weakref
from collections.abc import Callable
from operator import attrgetter
from types import MemberDescriptorType
from typing import Any

#: the classes given the replacements (installing twice replaces nothing again)
REPLACED: dict[type, tuple[str, ...]] = {}


def _generated(cls: type, name: str) -> bool:
    generated = getattr(dataclasses, f"_dataclass_{name.strip('_')}", None)
    return generated is not None and cls.__dict__.get(name) is generated


def _replacements(names: tuple[str, ...], setters: tuple[Any, ...]) -> tuple[Any, Any]:
    get = attrgetter(*names)

    def getstate(self: Any) -> tuple[Any, ...]:
        return get(self)

    def setstate(self: Any, state: Any) -> None:
        for set_slot, value in zip(setters, state, strict=False):
            set_slot(self, value)

    return getstate, setstate


def fast_pickling(cls: type) -> bool:
    """Give the slotted dataclass ``cls`` the faster ``__getstate__``/``__setstate__``;
    True if it has them now."""
    if cls in REPLACED and getattr(cls.__dict__.get("__getstate__"), "__module__", "") == __name__:
        return True  # ours are in place (asked of the class: someone may have put theirs back)
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return False
    if not (_generated(cls, "__getstate__") and _generated(cls, "__setstate__")):
        return False
    names = tuple(field.name for field in dataclasses.fields(cls))
    slots = [cls.__dict__.get(name) for name in names]
    if len(names) < 2 or not all(isinstance(slot, MemberDescriptorType) for slot in slots):
        return False  # (an attrgetter of one name gives no tuple)
    setters: tuple[Callable[[Any, Any], None], ...] = tuple(
        slot.__set__ for slot in slots if isinstance(slot, MemberDescriptorType)
    )
    getstate, setstate = _replacements(names, setters)
    for function, name in ((getstate, "__getstate__"), (setstate, "__setstate__")):
        function.__qualname__ = f"{cls.__qualname__}.{name}"
        function.__name__ = name
    cls.__getstate__ = getstate  # type: ignore[method-assign]
    cls.__setstate__ = setstate  # type: ignore[attr-defined]
    REPLACED[cls] = names
    return True


def install() -> list[type]:
    """Replace them on every slotted dataclass of ``sphinx_needs.need_item``; the
    classes that have them."""
    from sphinx_needs import need_item

    found = [
        value
        for value in vars(need_item).values()
        if isinstance(value, type)
        and value.__module__ == need_item.__name__
        and dataclasses.is_dataclass(value)
    ]
    return [cls for cls in found if fast_pickling(cls)]


# --- the store of needs, one pickle per document ---------------------------------------

#: sphinx-needs' flag on the environment, set while the needs are post-processed
_SEALED = "_needs_is_post_processed"

#: docname → (ids, needs, pickle) of the store as unpickled
Kept = dict[str | None, tuple[tuple[str, ...], tuple[Any, ...], bytes]]


def _docname(need: Any) -> str | None:
    docname = getattr(getattr(need, "source", None), "docname", None)
    return docname if isinstance(docname, str) else None


def begin_build(store: Any, env: Any) -> None:
    """``env-before-read-docs``: the pickles unpickled with ``store`` may be written again
    by this build (the first since loading); in any later build of the same process the
    needs were post-processed in place meanwhile, so nothing is reused."""
    if store.__dict__.pop("specheft_fresh", False):
        store.specheft_env = weakref.ref(env)
    else:
        store.__dict__.pop("specheft_kept", None)
        store.__dict__.pop("specheft_env", None)


def _reusable(store: Any) -> Kept:
    ref = store.__dict__.get("specheft_env")
    env = ref() if ref is not None else None
    if env is None or getattr(env, _SEALED, False):
        return {}
    kept: Kept = store.__dict__.get("specheft_kept", {})
    return kept


def reduce_store(store: dict[str, Any]) -> tuple[Any, ...]:
    """``__reduce__`` of the store: its class, the runs of documents in the store's order,
    and one pickle per document (see the module's docstring)."""
    kept = _reusable(store)
    groups: dict[str | None, tuple[list[str], list[Any]]] = {}
    runs: list[list[Any]] = []
    for need_id, need in store.items():
        docname = _docname(need)
        group = groups.get(docname)
        if group is None:
            group = groups[docname] = ([], [])
        group[0].append(need_id)
        group[1].append(need)
        if runs and runs[-1][0] == docname:
            runs[-1][1] += 1
        else:
            runs.append([docname, 1])
    pickles: dict[str | None, bytes] = {}
    for docname, (ids, needs) in groups.items():
        old = kept.get(docname) if docname is not None else None
        if (
            old is not None
            and old[0] == tuple(ids)
            and all(map(operator.is_, old[1], needs))  # (same length: same ids)
        ):
            pickles[docname] = old[2]
        else:
            pickles[docname] = pickle.dumps((ids, needs), pickle.HIGHEST_PROTOCOL)
    return (restore_store, (type(store), tuple((d, n) for d, n in runs), pickles))


def restore_store(
    cls: type[dict[str, Any]],
    runs: tuple[tuple[str | None, int], ...],
    pickles: dict[str | None, bytes],
) -> dict[str, Any]:
    """The store :func:`reduce_store` pickled, remembering each document's pickle."""
    kept: Kept = {}
    pending = {}
    for docname, data in pickles.items():
        ids, needs = pickle.loads(data)  # our own part of Sphinx's pickle
        kept[docname] = (tuple(ids), tuple(needs), data)
        pending[docname] = zip(ids, needs, strict=True)
    store = cls()
    for docname, count in runs:
        entries = pending[docname]
        for _ in range(count):
            need_id, need = next(entries)
            store[need_id] = need
    store.specheft_kept = kept  # type: ignore[attr-defined]
    store.specheft_fresh = True  # type: ignore[attr-defined]
    return store
