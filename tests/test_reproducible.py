"""Reproducible builds: the same sources give byte-identical HTML and needs.json."""

from __future__ import annotations

import hashlib
import shutil

from .helpers import item

PAGE = (
    "# Anforderungen\n\n"
    + "".join(
        item(
            "req",
            f"Anforderung {n}",
            "Das CRM-System muss zählen.",
            id=f"LH-KON-{n:03d}",
            priority="can",
            phase="PHASE-IMPL",
        )
        for n in range(1, 8)
    )
    + "\n:::{coverage-matrix}\n:::\n\n:::{coverage-summary}\n:::\n"
)


def _digests(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.suffix in (".html", ".json", ".js", ".css")
        # sphinx-needs' schema report records how long validation took
        and p.name != "schema_violations.json"
    }


def test_two_builds_are_byte_identical(make_project, run_cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    project = make_project({"anf.md": PAGE})
    assert run_cli("build", project.root, "--fresh").code == 0
    first = _digests(project.root / "_build/html")
    shutil.rmtree(project.root / "_build")
    assert run_cli("build", project.root, "--fresh").code == 0
    second = _digests(project.root / "_build/html")
    assert "needs.json" in first and "anf.html" in first
    assert first == second
