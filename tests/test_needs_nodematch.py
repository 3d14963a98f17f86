"""sphinx-needs' search of each page for its nodes (``sphinxext/needs/nodematch.py``):
the same nodes as with its own ``node_match``, found with one ``isinstance`` per node."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx_needs import needs as needs_module
from sphinx_needs import utils
from sphinx_needs.needs import NODE_TYPES, NODE_TYPES_PRIO

from specheft.sphinxext.needs import nodematch


class _SubTable(nodes.table):
    """A subclass of a searched class: found by isinstance, by both."""


def _page() -> nodes.document:
    document = new_document("page.md", get_default_settings(Parser))
    section = nodes.section(ids=["s"])
    document += section
    section += nodes.title("", "Titel")
    for node_type in [*NODE_TYPES, *NODE_TYPES_PRIO]:
        holder = nodes.paragraph()
        holder += node_type()  # each of sphinx-needs' node classes, nested
        section += holder
    section += nodes.paragraph("", "Text")
    section += _SubTable()
    section += nodes.table()
    return document


def _found(match: Any, types: Any) -> list[nodes.Node]:
    return list(_page_doc.findall(match(types)))


_page_doc = _page()


def test_the_same_nodes_are_found_as_with_sphinx_needs_own_condition() -> None:
    lists: list[Any] = [
        list(NODE_TYPES),
        list(NODE_TYPES_PRIO),
        [nodes.table],  # a subclass too
        nodes.table,  # one class, not a list
        [nodes.paragraph, nodes.Text],
        [],
    ]
    for types in lists:
        ours = _found(nodematch.node_match, types)
        theirs = _found(utils.node_match, types)
        assert len(ours) == len(theirs)
        assert all(a is b for a, b in zip(ours, theirs, strict=True)), types
    assert len(_found(nodematch.node_match, list(NODE_TYPES))) == len(NODE_TYPES)
    assert len(_found(nodematch.node_match, nodes.table)) == 2


def test_process_caller_uses_it_after_setup_and_it_is_left_alone_when_replaced(
    make_project: Any, run_cli: Any, monkeypatch: Any
) -> None:
    assert run_cli("build", make_project({}).root, "--fresh").code == 0
    assert needs_module.node_match is nodematch.node_match  # type: ignore[attr-defined]
    assert nodematch.node_match.__wrapped__ is utils.node_match  # type: ignore[attr-defined]

    def someone_elses(node_types: Any) -> Any:
        return utils.node_match(node_types)

    monkeypatch.setattr(needs_module, "node_match", someone_elses)
    assert nodematch.install() is False
    assert needs_module.node_match is someone_elses  # type: ignore[attr-defined]
