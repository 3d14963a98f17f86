"""Read-side speed-ups for sphinx-needs 9: field defaults copied cheaply, need locations.

For every need it reads, sphinx-needs fills each field the directive leaves out from
the field's default, and ``copy.deepcopy`` s the default (``_get_field_default``,
``_get_links_default`` in ``sphinx_needs.api.need``): about 14 deep copies per need,
6 % of ``check --fresh``. Nearly all defaults are a ``FieldLiteralValue`` holding a
string, number, bool or None, or a list of those, or an empty ``LinksLiteralValue``:
:func:`copy_default` makes the same fresh object directly and hands anything else to
``deepcopy``. Applied on the release line of :data:`.patches.TESTED_MAJOR` only, and
only while the module still uses ``copy.deepcopy`` itself.

After a page is read, sphinx-needs finds each need's sections and a signature above it
(``get_sections_and_signature_and_needs``): for every need it scans all siblings before
it for a ``desc_signature`` (API documentation; specheft pages have none) and takes the
text of every enclosing section title again — quadratic in the needs of a section, 3 %
of ``check --fresh`` at N=5000. :func:`sections_signature_needs` does the same walk but
asks once per parent whether it holds a ``desc_signature`` at all (the scan runs as
before where one does) and takes each section title's text once per page.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

#: values a copy can share: immutable, and not containers
_ATOMS = frozenset({str, int, float, bool, type(None)})

_TYPES: list[type] = []
#: sphinx-needs' own functions this module replaced, by name
REPLACED: dict[str, Any] = {}


def copy_default(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(value)``, made directly for the common field defaults."""
    if _TYPES:
        field_value, links_value = _TYPES
        kind = type(value)
        if kind is field_value:
            inner = value.value
            if type(inner) in _ATOMS:
                return field_value(inner)
            if type(inner) is list and all(type(item) in _ATOMS for item in inner):
                return field_value(list(inner))
        elif kind is links_value and type(value.value) is list and not value.value:
            return links_value([])
    return copy.deepcopy(value, memo)


#: the page being looked at (weakly), and per parent / section of it: has a signature
#: child / the title text; emptied for each new page, so nothing outlives its page
_PAGE: list[Any] = [None, {}, {}]


def _page_caches(node: Any) -> tuple[dict[int, bool], dict[int, str]]:
    document = node.document
    if _PAGE[0] is None or _PAGE[0]() is not document:
        _PAGE[:] = [weakref.ref(document) if document is not None else None, {}, {}]
    return _PAGE[1], _PAGE[2]


def sections_signature_needs(need_node: Any) -> tuple[list[str], Any, list[str]]:
    """``get_sections_and_signature_and_needs(need_node)`` of sphinx-needs 9, the same
    result (its loop, with the two look-ups above remembered per page)."""
    from docutils import nodes
    from sphinx.addnodes import desc_name, desc_signature
    from sphinx_needs.directives.need import NON_BREAKING_SPACE
    from sphinx_needs.nodes import Need

    sections: list[str] = []
    parent_needs: list[str] = []
    signature = None
    has_signature, titles = _page_caches(need_node) if need_node is not None else ({}, {})
    current_node = need_node
    while current_node:
        if isinstance(current_node, nodes.section):
            title = titles.get(id(current_node))
            if title is None:
                title = NON_BREAKING_SPACE.sub(" ", current_node.children[0].astext())
                titles[id(current_node)] = title
            sections.append(title)
        parent = current_node.parent
        if not signature and parent and parent.children:
            found = has_signature.get(id(parent))
            if found is None:
                found = any(isinstance(child, desc_signature) for child in parent.children)
                has_signature[id(parent)] = found
            for sibling in parent.children if found else ():
                if sibling == current_node:
                    break
                if isinstance(sibling, desc_signature):
                    for desc_child in sibling.children:
                        if isinstance(desc_child, desc_name) and isinstance(
                            desc_child.children[0], nodes.Text
                        ):
                            signature = desc_child.children[0]
                if signature:
                    break
        if isinstance(current_node, Need) and len(parent_needs) == 0:
            parent_needs.append(current_node["refid"])
        current_node = getattr(current_node, "parent", None)
    return sections, signature, parent_needs


def install() -> bool:
    """Let sphinx-needs' need module copy its defaults with :func:`copy_default`."""
    from sphinx_needs.api import need
    from sphinx_needs.needs_schema import FieldLiteralValue, LinksLiteralValue

    from specheft.sphinxext.needs.patches import needs_version, tested

    # each replacement asked whether it is in place by its own attribute: one put back
    # (a test's monkeypatch) is replaced again, one in place is never wrapped twice
    current = getattr(need, "deepcopy", None)
    if current is not copy_default:
        if current is not copy.deepcopy or not tested(needs_version()):
            return False  # another release, or someone else replaced it: left alone
        _TYPES[:] = [FieldLiteralValue, LinksLiteralValue]
        setattr(need, "deepcopy", copy_default)  # noqa: B010 (a module global of theirs)
    from sphinx_needs.directives import need as directive

    name = "get_sections_and_signature_and_needs"
    current = getattr(directive, name, None)
    if getattr(current, "__module__", "") == directive.__name__:
        REPLACED[name] = current
        setattr(directive, name, sections_signature_needs)
    return True
