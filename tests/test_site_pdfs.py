"""The site publishes the PDFs of its own build only.

A PDF copied into ``_build/html/pdf/`` by an earlier ``--format all`` stayed there
through later HTML builds (with edits since), and after ``--document A`` the other
documents' start pages still linked their older PDFs: a vendor downloading one got a
document that no longer matched the site it came from.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import specheft.project.build as building
from specheft.project.layout import Project

LINK = 'class="specheft-pdf-link"'


@pytest.fixture
def project(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "crm"
    assert run_cli("new", root, "--areas", "KON").code == 0
    # the LaTeX run is real; XeLaTeX is not what is tested here
    monkeypatch.setattr(building, "require_tex", lambda: None)

    def compile_pdf(latex_dir: Path, name: str) -> Path:
        fake = latex_dir / f"{name}.pdf"
        fake.write_bytes(b"%PDF-1.5 " + name.encode())
        return fake

    monkeypatch.setattr(building, "compile_pdf", compile_pdf)
    return root


def _build(root: Path, *, pdf: bool, documents: tuple[str, ...] = ()) -> None:
    building.build(
        Project.at(root),
        pdf=pdf,
        documents=documents,
        strict=False,
        status=None,
        warning=io.StringIO(),
    )


def _start_page(root: Path, name: str) -> str:
    settings = Project.at(root).settings()
    start = settings.document(name).start
    return (root / "_build/html" / f"{start}.html").read_text(encoding="utf-8")


def test_an_html_build_after_pdfs_leaves_no_old_pdf_in_the_site(project):
    _build(project, pdf=True)
    site_pdfs = project / "_build/html/pdf"
    names = sorted(p.name for p in site_pdfs.glob("*.pdf"))
    assert "lastenheft.pdf" in names
    assert LINK in _start_page(project, "lastenheft")
    (site_pdfs / "anhang.pdf").write_bytes(b"%PDF a file that is not a document's")

    _build(project, pdf=False)

    assert sorted(p.name for p in site_pdfs.glob("*.pdf")) == ["anhang.pdf"]
    assert LINK not in _start_page(project, "lastenheft")
    assert (project / "_build/pdf/lastenheft.pdf").is_file()  # the PDF folder keeps them
    # the changed configuration made Sphinx keep a backup of the old one: not published
    assert not (project / "_build/html/.buildinfo.bak").exists()


def test_a_pdf_of_one_document_is_the_only_one_linked_and_published(project):
    _build(project, pdf=True)
    _build(project, pdf=True, documents=("lastenheft",))

    assert [p.name for p in (project / "_build/html/pdf").glob("*.pdf")] == ["lastenheft.pdf"]
    assert LINK in _start_page(project, "lastenheft")
    assert LINK not in _start_page(project, "pflichtenheft")


def test_an_html_build_alone_leaves_no_empty_pdf_folder(project):
    _build(project, pdf=True)
    _build(project, pdf=False)
    assert not (project / "_build/html/pdf").exists()
