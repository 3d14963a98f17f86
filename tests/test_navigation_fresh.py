"""Every page's navigation follows a renamed or retitled page in an incremental build."""

from __future__ import annotations

from pathlib import Path

A = "# Erste Seite\n\nText.\n"
B = "# Zweite Seite\n\nText.\n"


def _index(*names: str) -> str:
    return "# Mini\n\n```{toctree}\n" + "\n".join(names) + "\n```\n"


def test_a_renamed_page_is_linked_by_the_pages_not_read_again(make_project, run_cli) -> None:
    project = make_project({"a.md": A, "b.md": B}, index=_index("a", "b", "phasen"))
    assert run_cli("build", project.root, "-q").code == 0
    site = project.root / "_build" / "html"
    assert 'href="b.html"' in (site / "a.html").read_text(encoding="utf-8")

    (project.spec / "b.md").rename(project.spec / "c.md")
    project.write("spec/index.md", _index("a", "c", "phasen"))
    assert run_cli("build", project.root, "-q").code == 0
    page = (site / "a.html").read_text(encoding="utf-8")  # a.md itself is unchanged
    assert 'href="c.html"' in page and 'href="b.html"' not in page


def test_a_retitled_page_is_named_anew_on_every_page(make_project, run_cli) -> None:
    project = make_project({"a.md": A, "b.md": B}, index=_index("a", "b", "phasen"))
    assert run_cli("build", project.root, "-q").code == 0
    project.write("spec/b.md", B.replace("Zweite Seite", "Neue Seite"))
    assert run_cli("build", project.root, "-q").code == 0
    page = (Path(project.root) / "_build" / "html" / "a.html").read_text(encoding="utf-8")
    assert "Neue Seite" in page and "Zweite Seite" not in page
