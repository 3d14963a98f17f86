"""PDFs at scale (#17): XeLaTeX's time grows with the pages, not faster.

Two things made it grow faster at N=5000 than at N=1000: a third XeLaTeX pass once the
table of contents is longer than a page (every label moved by the contents' length
between the first and the second pass), and a phase's "umfasst" list as one paragraph
(TeX's time for a paragraph grows with the square of its length).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .bench import generate as gen
from .pdftext import pdf_text, require_pdf_tools
from .test_pdf_speed import _latexmk

pytestmark = pytest.mark.pdf


def _long_contents(chapters: int) -> str:
    """A document numbered through like specheft's (contents included), whose contents
    fill several pages, with a reference to the page of each section."""
    body = []
    for chapter in range(1, chapters + 1):
        body.append(rf"\chapter{{Kapitel {chapter} mit einem Titel}}")
        for section in range(1, 4):
            body.append(rf"\section{{Abschnitt {chapter}.{section}: Anforderungen}}")
            body.append(rf"\label{{s{chapter}-{section}}}")
            body.append("Text. " * 40)
    body.append(r"\chapter*{Freigabe}")
    body.append(r"\addcontentsline{toc}{chapter}{Freigabe}")
    refs = ", ".join(rf"{c}.1 S.~\pageref{{s{c}-1}}" for c in range(1, chapters + 1))
    return "\n".join(
        [
            r"\documentclass[a4paper,10pt,openany,oneside]{report}",
            r"\usepackage{fontspec}",
            r"\usepackage{hyperref}",
            r"\setcounter{tocdepth}{1}",
            r"\begin{document}",
            r"Titel\clearpage",
            r"\tableofcontents\clearpage",
            *body,
            r"\chapter{Verweise}",
            refs,
            r"\end{document}",
            "",
        ]
    )


def test_a_fresh_document_with_long_contents_needs_two_passes(tmp_path, monkeypatch):
    """Contents of several pages: without a .toc the first pass set every page after
    them that many pages earlier, so the second pass moved every label and latexmk ran a
    third (at N=5000: 3 passes, 58 of 195 s CPU). The contents are seeded from the
    headings; the pages, the contents and the page references are those of a build with
    a third pass."""
    from specheft.project.pdf import toc_seed

    require_pdf_tools()
    source = _long_contents(60)
    seeded = toc_seed(source)
    assert seeded.count(r"\contentsline {chapter}") == 62  # 60 + Verweise + Freigabe
    assert r"\contentsline {section}{\numberline {2.3}Abschnitt 2.3: Anforderungen}" in seeded
    assert r"\contentsline {chapter}{Freigabe}" in seeded

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "doc.tex").write_text(source, encoding="utf-8")
    pdf, passes = _latexmk(fresh, "doc", monkeypatch)
    assert passes == 2
    log = (fresh / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "Label(s) may have changed" not in log
    # nothing left to settle: latexmk has nothing to run, and a third pass of XeLaTeX
    # writes the same labels and contents
    assert _latexmk(fresh, "doc", monkeypatch)[1] == 0
    aux, toc = ((fresh / f"doc.{ext}").read_bytes() for ext in ("aux", "toc"))
    subprocess.run(
        ["xelatex", "-no-pdf", "-interaction=batchmode", "doc.tex"], cwd=fresh, check=True
    )
    assert (fresh / "doc.aux").read_bytes() == aux
    assert (fresh / "doc.toc").read_bytes() == toc
    # and the contents fill more than one page: the case that needed the third pass
    first = re.search(r"\{\\numberline \{1\}Kapitel 1 mit einem Titel\}\{(\d+)\}", toc.decode())
    assert first is not None and int(first[1]) > 3, first  # title page, contents 2, 3, …
    text = pdf_text(pdf)
    page_of_1_1 = re.search(r"\\newlabel\{s1-1\}\{\{1\.1\}\{(\d+)\}", aux.decode())
    assert page_of_1_1 is not None and f"1.1 S. {page_of_1_1[1]}" in text


def test_a_seed_tex_cannot_read_is_dropped(tmp_path, monkeypatch):
    """A title with a command defined only after the contents: LaTeX writes it to the
    .toc expanded, the seed as written, so TeX stops reading the seed (not the case in
    what Sphinx writes; a safeguard). The document is built again without the seed
    instead of failing."""
    require_pdf_tools()
    source = _long_contents(2).replace(
        r"\chapter{Kapitel 1 mit einem Titel}",
        "\\def\\later{Nachtrag}\n\\chapter{Kapitel 1 \\later}",
    )
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    pdf, passes = _latexmk(tmp_path, "doc", monkeypatch)
    assert passes == 3  # the failed one with the seed, two without
    assert "Kapitel 1 Nachtrag" in (tmp_path / "doc.toc").read_text(encoding="utf-8")
    assert "Kapitel 1 Nachtrag" in pdf_text(pdf)


def _item_links(tex: str) -> list[str]:
    return re.findall(r"\\hyperref\[\\detokenize\{[^}:]+:([^}]+)\}\]", tex)


def test_a_long_list_of_links_is_set_in_paragraphs_of_bounded_length(tmp_path, monkeypatch):
    """A phase's "umfasst" list was one paragraph of up to 7,000 links (N=5000), and
    TeX's time for a paragraph grows with the square of its length (7.5 s CPU a pass for
    that one). In the PDF the list goes on in a new paragraph every PARAGRAPH_LINKS
    links: the same links in the same order, every id in the PDF's text."""
    from specheft.cli import main
    from specheft.sphinxext.rendering import items

    require_pdf_tools()
    root = tmp_path / "specheft"
    gen.generate(root, 24, "specheft")
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(["build", str(root), "--builder", "latex", "--out", str(whole), "-q"]) == 0
    monkeypatch.setattr(items, "PARAGRAPH_LINKS", 4)
    assert main(["build", str(root), "--builder", "latex", "--out", str(split), "-q"]) == 0
    before = (whole / "spezifikation.tex").read_text(encoding="utf-8")
    after = (split / "spezifikation.tex").read_text(encoding="utf-8")
    assert _item_links(after) == _item_links(before)
    phase_lists = re.findall(r"^\\sphinxstylestrong\{umfasst: \}.*$", before, flags=re.M)
    assert max(len(_item_links(line)) for line in phase_lists) > 8
    # in the split build every paragraph of the fields has at most 4 links
    paragraphs = [p for p in after.split("\n\n") if r"\begin{varwidth}" not in p]  # no table
    assert max(len(_item_links(p)) for p in paragraphs) == 4
    pdf, _ = _latexmk(split, "spezifikation", monkeypatch)
    text = re.sub(r"\s+", "", pdf_text(pdf))
    for line in phase_lists:
        ids = _item_links(line)
        # the ids in order, separated by commas over the paragraphs' ends
        assert ",".join(ids) in text.replace("‐", "-"), ids[:3]


def _xelatex(directory: Path, name: str) -> str:
    subprocess.run(
        ["xelatex", "-no-pdf", "-interaction=batchmode", "-halt-on-error", f"{name}.tex"],
        cwd=directory,
        capture_output=True,
        check=True,
    )
    return (directory / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def test_the_log_latexmk_reads_has_no_lines_that_say_nothing(tmp_path):
    """latexmk reads the whole log after every pass (its own CPU at N=5000: 23 s). The
    first pass of a fresh build knows no label and hyperref warned for every item link
    (15,700 warnings at N=1000), and every underfull line was reported with its content
    (9,300 at N=5000): both are gone, an undefined reference in a later pass still warns."""
    from specheft.cli import main

    require_pdf_tools()
    root = tmp_path / "specheft"
    gen.generate(root, 12, "specheft")
    out = tmp_path / "latex"
    assert main(["build", str(root), "--builder", "latex", "--out", str(out), "-q"]) == 0
    first = _xelatex(out, "spezifikation")
    assert "specheft: first pass, no warnings for undefined hyper references" in first
    assert "Hyper reference" not in first
    assert r"Underfull \hbox" not in first
    assert r"\hyperref[\detokenize{lastenheft/" in (out / "spezifikation.tex").read_text(
        encoding="utf-8"
    )
    # with the .aux of the first pass: a reference to a label nobody defines still warns
    source = out / "spezifikation.tex"
    tex = source.read_text(encoding="utf-8")
    source.write_text(
        tex.replace(r"\end{document}", r"\hyperref[nowhere]{x}\end{document}"), encoding="utf-8"
    )
    second = _xelatex(out, "spezifikation")
    assert "first pass" not in second
    assert "Hyper reference `nowhere' on page" in second
    assert second.count("Hyper reference") == 1
