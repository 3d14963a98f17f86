"""The needs view: everything specheft reads from sphinx-needs' store and doctree nodes.

The rest of specheft imports the names here, never ``sphinx_needs`` itself, so that an
upgrade of sphinx-needs is met in this package (``tests/test_needs_contract.py`` pins
what is used). The heavy sphinx-needs modules (directives that pull in the diagram and
filter machinery) are imported when first asked for, as the callers did before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from docutils import nodes
from sphinx.environment import BuildEnvironment
from sphinx_needs.data import SphinxNeedsData
from sphinx_needs.exceptions import InvalidNeedException
from sphinx_needs.need_item import NeedItem
from sphinx_needs.nodes import Need
from sphinx_needs.roles.need_incoming import NeedIncoming
from sphinx_needs.roles.need_outgoing import NeedOutgoing
from sphinx_needs.roles.need_ref import NeedRef

__all__ = [
    "InvalidNeedException",
    "Need",
    "NeedIncoming",
    "NeedOutgoing",
    "NeedRef",
    "drop_need_nodes",
    "find_and_replace_node_content",
    "is_post_processed",
    "listing_node_types",
    "need_directive_module",
    "need_value",
    "needimport_directive",
    "needs_read",
    "needs_so_far",
    "needs_view",
    "needtable_nodes",
    "plain_needs",
    "reference_node_types",
    "set_stored_needs",
    "stored_need_nodes",
    "stored_needs",
]


def needs_view(env: BuildEnvironment) -> Mapping[str, Any]:
    """The sealed needs, id → need (post-processes them first if that has not happened)."""
    return SphinxNeedsData(env).get_needs_view()


def plain_needs(needs: Iterable[Any]) -> list[Any]:
    """The needs as plain dicts of their own fields: what ``need[key]`` gives for every
    key except the back links (``…_back``), which the trace graph derives itself.

    ``NeedItem.get`` looks a key up through seven namespaces and turns links into strings
    on every read; the graph reads some forty fields of every need (a re-check at N=5000:
    0.22 s of ``get`` against 0.09 s for these dicts). So the namespaces are merged here,
    once, from the item's own stores (``tests/test_trace_core_speed.py`` pins that the
    result equals ``need[key]`` key by key). Dicts (needs.json) pass through."""
    plain: list[Any] = []
    for need in needs:
        if not isinstance(need, NeedItem):
            plain.append(need)
            continue
        fields = {
            **need._core,
            **need._extras,
            **need._source.dict_repr,
            **need._content.dict_repr,
            **need._computed,
        }
        for name, links in need._links.items():
            fields[name] = [link.to_filter_string() for link in links] if links else []
        plain.append(fields)
    return plain


def need_value(need: Any, key: str) -> Any:
    """``need.get(key)``; of a ``NeedItem`` read straight from its core and extra fields,
    or its content (``get`` asks seven stores whether they hold the key, then reads it
    from the first: a digest over 15,500 needs at every build spent 0.05 s CPU in it).
    A computed field of the same name comes first, as in ``get``."""
    if isinstance(need, NeedItem) and key not in need._computed:
        core: Mapping[str, Any] = need._core
        if key in core:
            return core[key]
        extras = need._extras
        if key in extras:
            return extras[key]
        if key == "content" and not (
            key in need._links or key in need._backlinks_keymap or key in need._source.dict_repr
        ):
            content: Mapping[str, Any] = need._content.dict_repr
            if key in content:
                return content[key]
    return need.get(key)


def needs_read(env: BuildEnvironment) -> dict[str, Any]:
    """The needs as read so far, id → need, without post-processing (while reading)."""
    return SphinxNeedsData(env).get_needs_mutable()


def is_post_processed(env: BuildEnvironment) -> bool:
    """Whether sphinx-needs has resolved links and dynamic values (at ``write-started``)."""
    return bool(SphinxNeedsData(env).needs_is_post_processed)


def needs_so_far(env: BuildEnvironment) -> Mapping[str, Any]:
    """The sealed needs once there are, else the needs read so far: asking for the view
    while a need is being reported would start the post-processing that reports it."""
    return needs_view(env) if is_post_processed(env) else needs_read(env)


# sphinx-needs keeps its stores as private environment attributes; these three names
# are the only places specheft reaches them.
NEEDS_STORE = "_needs_all_needs"
NODES_STORE = "_needs_all_nodes"


def stored_needs(env: Any) -> dict[str, Any]:
    """sphinx-needs' raw store of needs (any environment, a worker's included), or {}."""
    store: dict[str, Any] = getattr(env, NEEDS_STORE, {})
    return store


def set_stored_needs(env: Any, store: dict[str, Any]) -> None:
    """Replace sphinx-needs' raw store of needs by ``store`` (same needs, another dict)."""
    setattr(env, NEEDS_STORE, store)


def stored_need_nodes(env: Any) -> dict[str, Any]:
    """sphinx-needs' store of the needs' content nodes (used by ``content_links``), or {}."""
    store: dict[str, Any] = getattr(env, NODES_STORE, {})
    return store


def drop_need_nodes(env: Any) -> None:
    """Empty the store of content nodes (a third of a pickled environment)."""
    setattr(env, NODES_STORE, {})


def find_and_replace_node_content(node: nodes.Node, env: BuildEnvironment, need: Any) -> Any:
    """Resolve ``[[function()]]`` calls in a need node's content (sphinx-needs' own)."""
    from sphinx_needs.functions.functions import find_and_replace_node_content as resolve

    return resolve(node, env, need)


def needtable_nodes() -> tuple[type[nodes.Element], type[nodes.Element]]:
    """The node classes of a rendered ``needtable``: (table, header cell)."""
    from sphinx_needs.directives.needtable import NeedtableHeader, NeedtableTable

    return NeedtableTable, NeedtableHeader


def reference_node_types() -> tuple[type[nodes.Element], ...]:
    """Nodes that show needs named by id: ``{need}``, ``{need_incoming}``, ``{need_outgoing}``."""
    return (NeedRef, NeedIncoming, NeedOutgoing)


def listing_node_types() -> tuple[type[nodes.Element], ...]:
    """Nodes that show needs chosen by a filter (needtable, needlist, needflow, needextract
    …): every node sphinx-needs resolves except those naming needs by id, and parts."""
    from sphinx_needs.directives.needextract import Needextract
    from sphinx_needs.needs import NODE_TYPES
    from sphinx_needs.roles.need_part import NeedPart

    by_id = (*reference_node_types(), NeedPart)
    return (*(t for t in NODE_TYPES if t not in by_id), Needextract)


def need_directive_module() -> Any:
    """The module whose ``add_need`` the ``need`` directives call (wrapped to note
    duplicate ids while reading)."""
    from sphinx_needs.directives import need

    return need


def needimport_directive() -> type[Any]:
    """The ``needimport`` directive class (overridden to guard the imported file's path)."""
    from sphinx_needs.directives.needimport import NeedimportDirective

    return NeedimportDirective
