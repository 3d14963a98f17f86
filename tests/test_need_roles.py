"""``{need}`ID``` in prose: the whole title, as a contract is read."""

from __future__ import annotations

from .helpers import item

LONG = "Datenhaltung in der Europäischen Union ausschließlich"


def test_need_role_shows_the_whole_title(make_project, run_cli):
    """sphinx-needs cuts the title after 30 characters ("Datenhaltung in der Europäi...")."""
    project = make_project(
        {
            "anforderungen.md": "# Anforderungen\n\n"
            + item("req", LONG, "Text.", id="LH-DSG-002", priority="must", phase="PHASE-IMPL")
            + "\nSiehe {need}`LH-DSG-002`.\n",
        }
    )
    result = run_cli("build", project.root, "-q", "--no-strict")
    assert result.code == 0, result.output
    html = (project.root / "_build" / "html" / "anforderungen.html").read_text(encoding="utf-8")
    assert f"{LONG} (LH-DSG-002)" in html
    assert "Europäi..." not in html
