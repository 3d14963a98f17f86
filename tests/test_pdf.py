"""PDF deliverables, read back with pdftotext: ids, German labels, title page, fingerprint."""

from __future__ import annotations

import re
import shutil

import pytest

from .helpers import item
from .pdftext import pdf_pages, pdf_text, require_pdf_tools

pytestmark = pytest.mark.pdf

SETTINGS = """\
[project]
name = "Einführung eines CRM-Systems"
customer = "Müller & Söhne GmbH"
vendor = "Größer Software AG"
version = "2.3"
status = "released"
language = "de"
document_id = "MS-CRM"

[areas]
KON = "Kontakte und Firmen"

[documents.lastenheft]
title = "Lastenheft"
start = "lastenheft"
show_vendor = false

[documents.pflichtenheft]
title = "Pflichtenheft"
start = "pflichtenheft"

[[history]]
version = "2.3"
date = 2027-01-15
author = "Jörg Weiß"
changes = "Freigabe nach Prüfung"

[[signoff]]
role = "Projektauftraggeber"
name = "Dr. Änne Groß"
organisation = "Müller & Söhne GmbH"
"""

LASTENHEFT = "# Lastenheft\n\n```{toctree}\nanforderungen\nphasen\n```\n"
ANFORDERUNGEN = "# Anforderungen\n\n" + "".join(
    item(
        "req",
        f"Größenklasse {n} übernehmen",
        f"Das CRM-System muss die Größenklasse {n} übernehmen.",
        id=f"LH-KON-{n:03d}",
        priority="must",
        area="KON",
        phase="PHASE-IMPL",
        acceptance="Die Übernahme ist geprüft.",
    )
    for n in range(1, 6)
)
# An ASCII diagram of 80 columns, as architecture chapters have them: it must not wrap.
WIDE_LINE = "".join(f"{n}{'-' * 8}|" for n in range(8))
PFLICHTENHEFT = "# Pflichtenheft\n\n```{toctree}\numsetzung\n```\n"
UMSETZUNG = f"# Umsetzung\n\n```text\n{WIDE_LINE}\n```\n\n" + "".join(
    item(
        "spec",
        f"Maske {n}",
        "Standardmaske.",
        id=f"PH-KON-{n:03d}",
        satisfies=f"LH-KON-{n:03d}",
        solution="standard",
        phase="PHASE-IMPL",
    )
    + item(
        "test",
        f"Test {n}",
        "Schritte.",
        id=f"TC-SIT-KON-{n:03d}",
        verifies=f"PH-KON-{n:03d}",
        level="sit",
        phase="PHASE-TEST",
    )
    for n in range(1, 6)
)


@pytest.fixture
def deliverables(make_project):
    index = "# Projekt\n\n```{toctree}\nlastenheft\npflichtenheft\n```\n"
    return make_project(
        {
            "lastenheft.md": LASTENHEFT,
            "anforderungen.md": ANFORDERUNGEN,
            "phasen.md": "",
            "pflichtenheft.md": PFLICHTENHEFT,
            "umsetzung.md": UMSETZUNG,
        },
        settings=SETTINGS,
        index=index,
    )


def test_pdfs_carry_title_info_labels_and_fingerprint(deliverables, run_cli):
    require_pdf_tools()
    project = deliverables
    from .helpers import PHASES

    project.write("spec/phasen.md", PHASES)
    result = run_cli("build", project.root, "--format", "pdf")
    assert result.code == 0, result.output
    lastenheft = pdf_text(project.root / "_build/pdf/lastenheft.pdf")
    pflichtenheft = pdf_text(project.root / "_build/pdf/pflichtenheft.pdf")
    for n in range(1, 6):
        assert f"LH-KON-{n:03d}" in lastenheft
        assert f"PH-KON-{n:03d}" in pflichtenheft
        assert f"LH-KON-{n:03d}" in pflichtenheft  # the satisfied requirement, as a link
    # title page and document information
    for text in (
        "Lastenheft",
        "Einführung eines CRM-Systems",
        "Müller & Söhne GmbH",
        "Version:",
        "2.3",
        "Freigegeben",
        "MS-CRM-LASTENHEFT",
        "Dokumentinformation",
        "Änderungshistorie",
        "Jörg Weiß",
        "Prüfsumme",
        "Inhaltsverzeichnis",
    ):
        assert text in lastenheft, text
    assert "Größer Software AG" not in lastenheft  # show_vendor = false
    assert "Größer Software AG" in pflichtenheft
    assert len(WIDE_LINE) == 80 and WIDE_LINE in pflichtenheft.splitlines()
    # German labels everywhere, no English sphinx-needs labels
    for text in (
        "Anforderung",
        "Abnahmekriterium",
        "Muss",
        "Bereich",
        "erfüllt durch",
        "Freigabe",
        "Unterschrift",
        "Dr. Änne Groß",
        "Größenklasse",
        "Übernahme",
    ):
        assert text in lastenheft, text
    for english in ("links incoming", "satisfied by", "status:", "Requirement", "Index"):
        assert english not in lastenheft, english
    # Seite X von Y on every page, Y the real page count
    pages = pdf_pages(project.root / "_build/pdf/lastenheft.pdf")
    footers = re.findall(r"Seite (\d+) von (\d+)", lastenheft)
    assert footers and {int(total) for _, total in footers} == {pages}
    # the fingerprint in the PDF is what `specheft fingerprint` prints
    printed = re.search(r"\b([0-9a-f]{64})\b", lastenheft)
    assert printed is not None
    listing = run_cli("fingerprint", "--project", project.root, "--document", "lastenheft")
    assert listing.code == 0
    assert listing.out.split("\t")[1] == printed.group(1)


def test_pdf_without_tex_fails_at_once_with_the_packages(
    deliverables, run_cli, monkeypatch, tmp_path
):
    empty = tmp_path / "nobin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_cli("build", deliverables.root, "--format", "pdf")
    assert result.code == 2
    assert "PDF output needs xelatex and latexmk" in result.err
    assert "apt-get install" in result.err and "texlive-xetex" in result.err
    assert not (deliverables.root / "_build/latex").exists()  # failed before building


def test_unknown_document_is_a_usage_error(deliverables, run_cli):
    result = run_cli("build", deliverables.root, "--format", "pdf", "--document", "lastenhft")
    assert result.code == 2
    assert "no document 'lastenhft'" in result.err and "did you mean 'lastenheft'?" in result.err


def test_start_page_text_is_kept_whole_or_reported(deliverables, run_cli):
    require_pdf_tools()
    project = deliverables
    from .helpers import PHASES

    project.write("spec/phasen.md", PHASES)
    start = (
        "# Lastenheft\n\nEinleitung des Auftraggebers.\n\n"
        "```text\nSchaubild: Vertrieb -> Innendienst -> Service\n```\n\n"
        "Begriff\n: Erklärung des Begriffs im Glossar.\n\n"
        "```{toctree}\nanforderungen\nphasen\n```\n\n"
        "## Unterabschnitt\n\nText im Unterabschnitt.\n"
    )
    project.write("spec/lastenheft.md", start)
    result = run_cli("build", project.root, "--format", "pdf", "--document", "lastenheft")
    assert result.code == 1  # the warning below fails the strict build
    assert re.search(
        r"lastenheft\.md:\d+: WARNING: a section on the start page of a document is not in "
        r"its PDF",
        result.err,
    ), result.err
    assert "Traceback" not in result.output
    relaxed = run_cli(
        "build", project.root, "--format", "pdf", "--document", "lastenheft", "--no-strict"
    )
    assert relaxed.code == 0, relaxed.output
    text = pdf_text(project.root / "_build/pdf/lastenheft.pdf")
    for shown in ("Einleitung des Auftraggebers", "Schaubild: Vertrieb", "Erklärung des Begriffs"):
        assert shown in text, shown


@pytest.mark.parametrize("lang", ["de", "en"])
def test_new_project_builds_its_pdfs_and_single_page_documents_have_content(
    run_cli, tmp_path, lang
):
    # the scaffold's traceability report is one page without a toctree: its sections are
    # the chapters of the PDF (they used to be left out, leaving an empty document)
    require_pdf_tools()
    root = tmp_path / "neu"
    assert run_cli("new", root, "--areas", "KON", "--lang", lang).code == 0
    result = run_cli("build", root, "--format", "pdf", "--document", "traceability")
    assert result.code == 0, result.output
    text = pdf_text(root / "_build/pdf/traceability.pdf")
    assert "LH-KON-001" in text
    heading = "Abdeckungsmatrix" if lang == "de" else "Coverage matrix"
    assert re.search(rf"^\s*3\s+{heading}", text, flags=re.M), text[:3000]


def test_catalogue_builds_its_pdf(run_cli, tmp_path):
    require_pdf_tools()
    from .helpers import REPO

    root = tmp_path / "katalog"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / "requirements_catalog" / part, root / part)
    result = run_cli("build", root, "--format", "pdf")
    assert result.code == 0, result.output
    [pdf] = list((root / "_build/pdf").glob("*.pdf"))
    text = pdf_text(pdf)
    assert re.search(r"^\s*1\s+Einführung", text, flags=re.M)
    assert "CAT-KON-010" in text and "CAT-UX-" in text


def test_tex_memory_grows_with_the_document(tmp_path, monkeypatch):
    """The matrix of a 1,000-requirement project ran out of TeX's fixed 5,000,000 words
    ("TeX capacity exceeded" at its \\end{longtable}); latexmk now gets box memory in
    proportion to the .tex file, and a user's own extra_mem_bot is kept."""
    from specheft.project.pdf import tex_environment

    monkeypatch.delenv("extra_mem_bot", raising=False)
    small, large = tmp_path / "small.tex", tmp_path / "large.tex"
    small.write_text("x" * 1_000)
    large.write_text("x" * 6_000_000)  # the size of that project's .tex file
    assert int(tex_environment(small)["extra_mem_bot"]) == 8_000
    # 6 MB of LaTeX needed 25,800,000 words; TeX's default is 5,000,000
    assert int(tex_environment(large)["extra_mem_bot"]) >= 30_000_000
    monkeypatch.setenv("extra_mem_bot", "123")
    assert tex_environment(large)["extra_mem_bot"] == "123"


def test_a_failed_latex_run_is_not_remembered(tmp_path, monkeypatch):
    """latexmk refuses to rerun an unchanged .tex after an error ("gave an error in previous
    invocation"), so a build after the cause was fixed reported the old error: the database
    of a failed run is removed."""
    import subprocess

    from specheft.errors import BuildFailed
    from specheft.project.pdf import compile_pdf

    (tmp_path / "doc.tex").write_text("\\documentclass{article}")
    (tmp_path / "doc.log").write_text("! TeX capacity exceeded, sorry [main memory size=5].\n")
    database = tmp_path / "doc.fdb_latexmk"
    database.write_text("# Fdb version 4\n")

    def failed(command, **kwargs):
        return subprocess.CompletedProcess(command, 12, stdout="", stderr="")

    monkeypatch.setattr(subprocess, "run", failed)
    with pytest.raises(BuildFailed, match="TeX capacity exceeded"):
        compile_pdf(tmp_path, "doc")
    assert not database.exists()


def test_documents_compile_side_by_side_in_document_order(tmp_path, monkeypatch):
    """LaTeX runs one process per core; the PDFs come back in the documents' order whatever
    finishes first, and the first failing document (in that order) is the error."""
    import time

    from specheft.config.documents import Document
    from specheft.errors import BuildFailed
    from specheft.project import build as build_module

    monkeypatch.setattr(build_module.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    running: list[str] = []
    overlap: list[int] = []

    def compile_pdf(latex_dir, name):
        running.append(name)
        overlap.append(len(running))
        time.sleep(0.3 if name == "a" else 0.05)  # "a" finishes last
        running.remove(name)
        if name.startswith("bad"):
            raise BuildFailed(f"LaTeX failed on {name}.tex")
        (latex_dir / f"{name}.pdf").write_bytes(b"%PDF")
        return latex_dir / f"{name}.pdf"

    monkeypatch.setattr(build_module, "compile_pdf", compile_pdf)
    docs = [Document(n, n.upper(), f"{n}/index", n.upper()) for n in ("a", "b", "c")]
    out = tmp_path / "pdf"
    out.mkdir()
    steps = []
    pdfs = build_module._compile_all(tmp_path, out, docs, steps.append)
    assert [p.name for p in pdfs] == ["a.pdf", "b.pdf", "c.pdf"]
    assert max(overlap) > 1  # side by side
    assert len(steps) == 6 and {s.document.name for s in steps if s.path} == {"a", "b", "c"}
    bad = [Document(n, n, f"{n}/index", n) for n in ("a", "bad1", "bad2")]
    with pytest.raises(BuildFailed, match="bad1"):
        build_module._compile_all(tmp_path, out, bad, None)


def test_need_role_to_another_document_links_into_its_pdf(deliverables, run_cli):
    """``{need}`` naming an item of another deliverable: sphinx-needs finds no page for it
    in this PDF and left the bare id linking nowhere ("Unknown need"); it is a link into
    the other PDF with the text HTML shows, "title (id)" or the role's own text."""
    project = deliverables
    from .helpers import PHASES

    project.write("spec/phasen.md", PHASES)
    project.write(
        "spec/pflichtenheft.md",
        PFLICHTENHEFT
        + "\nSiehe {need}`LH-KON-002` und {need}`die Übernahme <LH-KON-003>`"
        + " sowie {need}`PH-KON-001`.\n",
    )
    out = project.root / "_build" / "latex"
    result = run_cli("build", project.root, "--builder", "latex", "--out", out, "-q")
    assert result.code == 0, result.output
    tex = (out / "pflichtenheft.tex").read_text(encoding="utf-8")
    assert (
        r"\href{lastenheft.pdf\#LH-KON-002}{Größenklasse 2 übernehmen (LH\sphinxhyphen{}KON"
        r"\sphinxhyphen{}002)}" in tex
    ), re.findall(r"Siehe.{0,300}", tex)
    assert r"\href{lastenheft.pdf\#LH-KON-003}{die Übernahme (LH" in tex
    # an item of this PDF: a link inside it
    assert r"\hyperref[\detokenize{umsetzung:PH-KON-001}]{\sphinxcrossref{Maske 1 (PH" in tex
    # the same roles in a chapter (not on the start page, which the PDF copies)
    project.write("spec/umsetzung.md", UMSETZUNG + "\nSiehe {need}`LH-KON-004`.\n")
    result = run_cli("build", project.root, "--builder", "latex", "--out", out, "-q")
    assert result.code == 0, result.output
    tex = (out / "pflichtenheft.tex").read_text(encoding="utf-8")
    assert r"\href{lastenheft.pdf\#LH-KON-004}{Größenklasse 4 übernehmen (LH" in tex
    assert "Unknown need" not in tex


def _one_long_line(path, characters):
    words = " ".join(["Anforderung"] * (characters // 12))
    path.write_text("\\documentclass{article}\\begin{document}\n" + words + "\n\\end{document}\n")


def test_tex_buffer_grows_with_the_longest_line(tmp_path, monkeypatch):
    """TeX reads a line into a fixed buffer of 200,000 characters; the .tex of a project
    with 5,000 requirements in one phase had a line of 880,000 (the phase's item list)."""
    from specheft.project.pdf import tex_environment

    monkeypatch.delenv("buf_size", raising=False)
    short, long = tmp_path / "short.tex", tmp_path / "long.tex"
    short.write_text("x\n" * 100_000)  # large, but its lines are short
    long.write_text("x\n" + "y" * 880_000 + "\nz\n")
    assert "buf_size" not in tex_environment(short)
    assert int(tex_environment(long)["buf_size"]) > 880_000
    monkeypatch.setenv("buf_size", "4711")
    assert tex_environment(long)["buf_size"] == "4711"


def test_a_line_longer_than_texs_default_buffer_compiles(tmp_path, monkeypatch):
    require_pdf_tools()
    from specheft.project.pdf import compile_pdf

    monkeypatch.delenv("buf_size", raising=False)
    _one_long_line(tmp_path / "doc.tex", 260_000)
    pdf = compile_pdf(tmp_path, "doc")
    assert pdf_text(pdf).count("Anforderung") > 20_000


def test_a_fatal_error_only_printed_by_tex_is_the_message(tmp_path, monkeypatch):
    """TeX printed "Unable to read an entire line" after other output on its terminal
    line and not in the log: the build said only "latexmk failed"."""
    require_pdf_tools()
    from specheft.errors import BuildFailed
    from specheft.project.pdf import compile_pdf

    monkeypatch.setenv("buf_size", "2000")  # the user's setting wins, too small
    _one_long_line(tmp_path / "doc.tex", 5_000)
    with pytest.raises(BuildFailed, match="Unable to read an entire line"):
        compile_pdf(tmp_path, "doc")
