"""Paths in the sources never leave the project: includes, literal includes, CSV tables,
images and downloads that point outside are refused at their line, and nothing of the
outside file reaches the build."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

SECRET = "TOP-SECRET-4711"

# 1x1 PNG, so that Sphinx would copy it if it were allowed to
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _page(outside: Path) -> str:
    secret = outside / "secret.txt"
    return (
        "# Anlagen\n\n"  # line 1
        "```{include} ../../secret.txt\n```\n\n"  # 3
        "```{literalinclude} ../../secret.txt\n```\n\n"  # 6
        f"```{{csv-table}} Tabelle\n:file: {secret}\n```\n\n"  # 9
        "```{csv-table} Entfernt\n:url: http://127.0.0.1:9/x.csv\n```\n\n"  # 13
        "![Bild](../../secret.png)\n\n"  # 17
        "```{figure} ../../secret.png\n```\n\n"  # 19
        "{download}`Anlage <../../secret.txt>`\n\n"  # 22
        "```{literalinclude} innen.txt\n```\n\n"  # 24: inside the project: shown
        "```{include} ../conf/gemeinsam.md\n```\n\n"  # 27: conf/ is inside too
        "```{needimport} ../../needs.json\n```\n\n"  # 30
        "```{needimport} http://127.0.0.1:9/needs.json\n```\n"  # 33
    )


EXPECTED = {
    3: "include '../../secret.txt' points outside the project",
    6: "literalinclude '../../secret.txt' points outside the project",
    9: "csv-table '",
    13: "csv-table 'http://127.0.0.1:9/x.csv' is not fetched: a build does not read from",
    17: "image '../../secret.png' points outside the project",
    19: "image '../../secret.png' points outside the project",
    22: "download '../../secret.txt' points outside the project",
    30: "needimport '../../needs.json' points outside the project",
    33: "needimport 'http://127.0.0.1:9/needs.json' is not fetched",
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(PNG)
    needs = {
        "current_version": "",
        "versions": {
            "": {
                "needs": {
                    "LH-GEH-001": {
                        "id": "LH-GEH-001",
                        "type": "req",
                        "title": SECRET,
                        "description": SECRET,
                    }
                }
            }
        },
    }
    (tmp_path / "needs.json").write_text(json.dumps(needs), encoding="utf-8")
    return tmp_path


def _built_text(root: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (root / "_build").rglob("*")
        if p.is_file() and p.suffix in {".html", ".json", ".txt", ".js", ".csv"}
    )


def test_paths_outside_the_project_are_refused_at_their_line(make_project, run_cli, outside):
    project = make_project({"anlagen.md": _page(outside)})
    project.write("spec/innen.txt", "Innentext0815\n")
    project.write("conf/gemeinsam.md", "Gemeinsamer Baustein 0816\n")
    result = run_cli("build", project.root)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    for line, message in EXPECTED.items():
        pattern = rf"spec/anlagen\.md:{line}: WARNING: {re.escape(message)}"
        assert re.search(pattern, result.err), (line, result.err)
    relaxed = run_cli("build", project.root, "--no-strict")
    assert relaxed.code == 0, relaxed.output
    built = _built_text(project.root)
    assert SECRET not in built
    assert "Innentext0815" in built and "Gemeinsamer Baustein 0816" in built
    copies = [p.name for p in (project.root / "_build").rglob("secret*")]
    assert copies == []  # no image or download was copied into the site


def test_check_refuses_them_too(make_project, run_cli, outside):
    project = make_project({"anlagen.md": _page(outside)})
    project.write("spec/innen.txt", "Innen-Text\n")
    project.write("conf/gemeinsam.md", "Baustein\n")
    result = run_cli("check", project.root, "--format", "json")
    assert result.code == 1, result.output
    assert "points outside the project" in result.out
    assert SECRET not in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_symlink_out_of_the_project_is_refused(make_project, run_cli, outside):
    project = make_project({"anlagen.md": "# Anlagen\n\n```{literalinclude} link.txt\n```\n"})
    (project.root / "spec/link.txt").symlink_to(outside / "secret.txt")
    result = run_cli("build", project.root)
    assert result.code == 1
    assert "spec/anlagen.md:3: WARNING: literalinclude 'link.txt' points outside" in result.err
    assert SECRET not in _built_text(project.root)
