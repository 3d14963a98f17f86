"""Small builders for docutils tables, shared by the trace directives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from docutils import nodes

Cell: TypeAlias = str | nodes.Node | Sequence[nodes.Node]

#: tables with more rows may break across PDF pages
LONGTABLE_ROWS = 8


def _cell(value: Cell, classes: Sequence[str] = ()) -> nodes.entry:
    para = nodes.paragraph()
    if isinstance(value, str):
        para += nodes.Text(value)
    elif isinstance(value, nodes.Node):
        para += value
    else:
        para.extend(value)
    return nodes.entry("", para, classes=list(classes))


def table(
    headers: Sequence[str],
    rows: Sequence[tuple[Sequence[Cell], Sequence[str]]],
    *,
    widths: Sequence[int],
    classes: Sequence[str] = (),
    header_classes: Sequence[Sequence[str]] | None = None,
    cell_classes: Sequence[Sequence[str]] | None = None,
    title: str | None = None,
) -> nodes.table:
    """A table with explicit column widths (LaTeX honours them: ``colwidths-given``).

    ``rows`` are ``(cells, row_classes)``; a table of more than a few rows becomes a
    LaTeX longtable that continues across pages with a repeated header (Sphinx's own
    limit is 30 rows: a 25-row matrix on a landscape page ran off its bottom edge).
    """
    breakable = ["longtable"] if len(rows) > LONGTABLE_ROWS else []
    result = nodes.table(classes=["colwidths-given", *breakable, *classes])
    if title:
        result += nodes.title(title, title)
    group = nodes.tgroup(cols=len(headers))
    result += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head_row = nodes.row()
    for index, header in enumerate(headers):
        head_row += _cell(header, header_classes[index] if header_classes else ())
    head += head_row
    group += head
    body = nodes.tbody()
    for cells, row_classes in rows:
        row = nodes.row(classes=list(row_classes))
        for index, value in enumerate(cells):
            row += _cell(value, cell_classes[index] if cell_classes else ())
        body += row
    group += body
    return result
