"""Words the rules' messages share."""

from __future__ import annotations

from collections.abc import Iterable

from specheft.model import Priority
from specheft.trace.graph import Item

PRIORITIES = frozenset(str(p) for p in Priority)


def priority_word(item: Item) -> str:
    """'must' etc.; never an invalid value that sphinx-needs already reported."""
    return item.priority if item.priority in PRIORITIES else "a"


def id_list(ids: Iterable[str]) -> str:
    return ", ".join(ids)
