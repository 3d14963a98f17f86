"""``-q`` on every command that shows progress, as on ``build`` and ``check``: a script
that quiets one command quiets the others (``export csv -q`` was a usage error)."""

from __future__ import annotations

import sys

import pytest

from .helpers import item

PAGE = "# A\n\n" + item(
    "req", "Firmen", "Das CRM-System muss Firmen anlegen.", id="LH-KON-001", priority="must"
)


def test_export_quiet_shows_no_progress_on_a_terminal_and_writes_the_same(
    make_project, run_cli, monkeypatch, tmp_path
):
    project = make_project({"anf.md": PAGE})
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    loud = run_cli("export", "csv", project.root, "--out", tmp_path / "loud.csv")
    assert loud.code == 0, loud.output
    assert "reading sources" in loud.err  # the items build's progress (no check before)
    project.write("spec/anf.md", PAGE.replace("Firmen", "Firmen und Standorte"))
    quiet = run_cli("export", "csv", project.root, "--out", tmp_path / "quiet.csv", "-q")
    assert quiet.code == 0, quiet.output
    assert quiet.err == ""
    assert "Firmen und Standorte" in (tmp_path / "quiet.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "command",
    [
        ("export", "xlsx"),
        ("export", "csv"),
        ("export", "reqif"),
        ("accept",),
        ("compliance", "template"),
        ("compliance", "import"),
        ("compliance", "compare"),
        ("results", "import", "junit"),
        ("results", "import", "manual"),
        ("results", "import", "defects"),
        ("results", "template"),
        ("check",),
        ("build",),
    ],
    ids=" ".join,
)
def test_every_command_with_progress_takes_q(run_cli, command):
    result = run_cli(*command, "--help")
    assert result.code == 0, result.output
    assert "-q, --quiet" in result.out
