"""sphinx-needs' search of each written page for its nodes, with one ``isinstance``.

sphinx-needs' ``doctree-resolved`` handler (``process_caller``, twice: once for
``needextract``, once for its 16 other node types) walks every node of every page with
the condition ``node_match`` gives: ``any(isinstance(node, t) for t in types)``, a
generator and up to 16 calls per node. At N=10000 (31,007 items) that was about 11 % of
the full HTML build, more than half of it in the condition. :func:`node_match` gives
the same answer with one ``isinstance`` against a tuple of the same types.

Replaced where ``process_caller`` looks it up (``sphinx_needs.needs``), and only while
it is sphinx-needs' own function there; ``sphinx_needs.utils.node_match`` is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: what sphinx-needs' ``node_match`` is called with: one node class or a list of them
NodeTypes = type | list[type]


def node_match(node_types: NodeTypes) -> Callable[[Any], bool]:
    """The condition of sphinx-needs' ``node_match``: whether a node is an instance of
    one of ``node_types``."""
    types = tuple(node_types) if isinstance(node_types, list) else (node_types,)

    def condition(node: Any) -> bool:
        return isinstance(node, types)

    return condition


def install() -> bool:
    """Put :func:`node_match` where ``process_caller`` finds it; True if it is there."""
    from sphinx_needs import needs

    current = getattr(needs, "node_match", None)
    if current is node_match:
        return True
    if (
        getattr(current, "__module__", None) != "sphinx_needs.utils"
        or getattr(current, "__qualname__", None) != "node_match"
    ):
        return False  # not sphinx-needs' own (someone else's, or gone): left alone
    node_match.__wrapped__ = current  # type: ignore[attr-defined]  # for the patch guard
    needs.node_match = node_match  # type: ignore[attr-defined]
    return True
