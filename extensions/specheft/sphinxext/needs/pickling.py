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
"""

from __future__ import annotations

import dataclasses
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
