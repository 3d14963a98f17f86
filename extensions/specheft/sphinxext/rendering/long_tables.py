"""PDF: a table of many rows is set as consecutive longtables of at most ``CHUNK`` rows.

XeLaTeX keeps memory for every row of a longtable until the table ends; it is given back
at ``\\end{longtable}``. The coverage matrix of 5,000 requirements — one longtable —
stopped the PDF build with "TeX capacity exceeded" 72 % of the way through, with the
most main memory TeX Live allows (``extra_mem_bot`` is capped at 256 million words).
Split into tables of ``CHUNK`` rows, each repeating the header, the caption on the first
only, the same rows print as one table that continues over the pages, with the header
once more where a new part starts. HTML keeps one table (sorting and filtering work on
all of its rows).

A table is left whole when a cell spans rows (a split would cut the span) or it has
more than one column group.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from specheft.sphinxext.needs.priorities import LONG_TABLES

#: rows per longtable: ~10 landscape pages of the matrix, ~1 million words of TeX memory
CHUNK = 300


def _splittable(table: nodes.table) -> tuple[nodes.tgroup, nodes.tbody] | None:
    groups = [child for child in table.children if isinstance(child, nodes.tgroup)]
    if len(groups) != 1:
        return None
    bodies = [child for child in groups[0].children if isinstance(child, nodes.tbody)]
    if len(bodies) != 1 or len(bodies[0].children) <= CHUNK:
        return None
    if any(entry.get("morerows") for entry in bodies[0].findall(nodes.entry)):
        return None
    return groups[0], bodies[0]


def split(table: nodes.table) -> list[nodes.table]:
    """``table`` as tables of at most ``CHUNK`` body rows (itself if it is not longer)."""
    found = _splittable(table)
    if found is None:
        return [table]
    group, body = found
    rows = list(body.children)
    parts: list[nodes.table] = []
    for start in range(0, len(rows), CHUNK):
        part = table.copy()  # attributes only: classes, column widths
        if "longtable" not in part["classes"]:
            part["classes"].append("longtable")  # each part continues over pages
        if start:  # a reference to the table lands on its first part
            part["ids"], part["names"] = [], []
        for child in table.children:
            if isinstance(child, nodes.title):
                if not start:
                    part += child.deepcopy()
            elif child is not group:
                part += child.deepcopy()
        part_group = group.copy()
        for child in group.children:
            if child is not body:
                part_group += child.deepcopy()  # colspecs, the header
        part_body = body.copy()
        part_body.extend(rows[start : start + CHUNK])  # moved: the old table goes
        part_group += part_body
        part += part_group
        parts.append(part)
    return parts


def _split_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "latex":
        return
    for table in list(doctree.findall(nodes.table)):
        parts = split(table)
        if len(parts) > 1:
            table.replace_self(parts)


def setup(app: Sphinx) -> None:
    app.connect("doctree-resolved", _split_tables, priority=LONG_TABLES)
