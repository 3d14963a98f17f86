"""The build remembers the per-item lint hits of unchanged items (as ``specheft check``
does), and a remembered error still fails the build."""

from __future__ import annotations

from pathlib import Path

from .helpers import SETTINGS, item


def _page(body: str) -> str:
    # a "can" requirement: no other rule fails the build
    return "# Seite\n\n" + item(
        "req", "Ziel", body, id="LH-KON-001", priority="can", phase="PHASE-IMPL"
    )


def _hit_files(root: Path) -> list[Path]:
    return [p for p in (root / "_build").rglob("specheft-hits.pickle") if "check" not in p.parts]


def test_remembered_lint_errors_fail_every_build_until_fixed(make_project, run_cli):
    settings = SETTINGS.format(language="de") + '\n[rules]\n"lint-weak-word" = "error"\n'
    weak = "Das CRM-System muss schnell zählen."
    project = make_project({"p.md": _page(weak)}, settings=settings)
    first = run_cli("build", project.root, "-q")
    assert first.code == 1, first.output
    assert "weak word 'schnell'" in first.err and "LH-KON-001" in first.err
    assert len(_hit_files(project.root)) == 1  # the build keeps the hits beside its env
    again = run_cli("build", project.root, "-q")  # nothing changed: the hits are remembered
    assert again.code == 1 and "weak word 'schnell'" in again.err, again.output
    project.write("spec/p.md", _page("Das CRM-System muss in 2 s zählen."))
    fixed = run_cli("build", project.root, "-q")
    assert fixed.code == 0, fixed.output
    assert "weak word" not in fixed.err
    project.write("spec/p.md", _page(weak))
    back = run_cli("build", project.root, "-q")
    assert back.code == 1 and "weak word 'schnell'" in back.err, back.output
