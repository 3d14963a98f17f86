"""Long tables in the PDF: set as consecutive longtables so that TeX's memory is given
back (the coverage matrix of 5,000 requirements ran out of it in one longtable)."""

from __future__ import annotations

import re

import pytest
from docutils import nodes

from specheft.sphinxext.rendering import long_tables
from specheft.sphinxext.rendering.tables import table

from .pdftext import pdf_text, require_pdf_tools
from .test_pdf import ANFORDERUNGEN, LASTENHEFT, PFLICHTENHEFT, SETTINGS, UMSETZUNG


def _rows(n):
    return [([f"R{i}", f"Zeile {i}"], []) for i in range(1, n + 1)]


def _body_ids(part):
    return [row[0].astext() for row in part.findall(nodes.row) if row.parent.tagname == "tbody"]


def test_a_long_table_is_split_with_the_header_in_each_part_and_the_caption_once(monkeypatch):
    monkeypatch.setattr(long_tables, "CHUNK", 3)
    whole = table(["ID", "Titel"], _rows(7), widths=[1, 3], title="Abdeckung")
    whole["ids"] = ["table-1"]
    parts = long_tables.split(whole)
    assert [_body_ids(p) for p in parts] == [["R1", "R2", "R3"], ["R4", "R5", "R6"], ["R7"]]
    assert [len(list(p.findall(nodes.title))) for p in parts] == [1, 0, 0]
    assert [p["ids"] for p in parts] == [["table-1"], [], []]
    for part in parts:
        assert "longtable" in part["classes"] and "colwidths-given" in part["classes"]
        [head] = part.findall(nodes.thead)
        assert head.astext() == "ID\n\nTitel"
        assert [c["colwidth"] for c in part.findall(nodes.colspec)] == [1, 3]


def test_short_tables_and_row_spans_are_left_whole(monkeypatch):
    monkeypatch.setattr(long_tables, "CHUNK", 3)
    short = table(["ID"], [([f"R{i}"], []) for i in range(3)], widths=[1])
    assert long_tables.split(short) == [short]
    spanning = table(["ID"], [([f"R{i}"], []) for i in range(5)], widths=[1])
    [body] = spanning.findall(nodes.tbody)
    next(iter(body.findall(nodes.entry)))["morerows"] = 1
    assert long_tables.split(spanning) == [spanning]


@pytest.mark.pdf
def test_the_pdf_matrix_is_split_and_keeps_every_row_in_order(make_project, run_cli, monkeypatch):
    require_pdf_tools()
    monkeypatch.setattr(long_tables, "CHUNK", 2)
    project = make_project(
        {
            "lastenheft.md": LASTENHEFT,
            "anforderungen.md": ANFORDERUNGEN,
            "pflichtenheft.md": PFLICHTENHEFT.replace("umsetzung\n", "umsetzung\nmatrix\n"),
            "umsetzung.md": UMSETZUNG,
            "matrix.md": "# Matrix\n\n:::{coverage-matrix}\n:caption: Abdeckung aller\n:::\n",
        },
        settings=SETTINGS,
        index="# Projekt\n\n```{toctree}\nlastenheft\npflichtenheft\n```\n",
    )
    result = run_cli("build", project.root, "--format", "pdf", "--document", "pflichtenheft")
    assert result.code == 0, result.output
    [tex] = (project.root / "_build/latex").glob("pflichtenheft*.tex")
    source = tex.read_text(encoding="utf-8")
    start = source.rindex(r"\begin{landscape}", 0, source.index("Abdeckung aller"))
    matrix = source[start : source.index(r"\end{landscape}", start)]
    assert matrix.count(r"\begin{longtable}") == 3  # 5 requirements, 2 per part
    assert source.count(r"\caption{Abdeckung aller") == 1
    [pdf] = (project.root / "_build/pdf").glob("*.pdf")
    text = pdf_text(pdf)
    shown = re.findall(r"LH-KON-00\d", text[text.index("Abdeckung aller") :])
    assert shown[:5] == [f"LH-KON-00{n}" for n in range(1, 6)]
