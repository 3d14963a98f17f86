"""The first hour: the README's set-up commands, CI running the same, paths in messages."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest

from .helpers import REPO, item

README = (REPO / "README.md").read_text(encoding="utf-8")
VENV = "python3 -m venv .venv && . .venv/bin/activate && "


def _setup_commands() -> list[str]:
    """The commands of the README's first code block (comments left out)."""
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block, "the README starts with a sh block of set-up commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_setup_commands_work_in_their_own_virtual_environment():
    # A system Python under PEP 668 (Debian 12, Ubuntu 23.04+) refuses `pip install`
    # outside a virtual environment; each command makes and activates one first.
    build, tests = _setup_commands()
    assert build == VENV + "pip install -e . && specheft build"
    assert tests == VENV + 'pip install -e ".[test]" && python3 -m pytest'
    assert "Python 3.11 to 3.13" in README


def test_ci_runs_exactly_the_readme_test_command():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert _setup_commands()[1] in commands


def test_the_readme_test_command_runs_on_every_core_in_groups():
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    addopts = options["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert "-n" in addopts and addopts[addopts.index("-n") + 1] == "auto"
    assert "--dist" in addopts and addopts[addopts.index("--dist") + 1] == "loadgroup"


@pytest.fixture(scope="module")
def shared_by_this_module() -> list[str]:
    return []


def test_tests_sharing_a_module_fixture_stay_on_one_worker(request, shared_by_this_module):
    groups = [mark.args for mark in request.node.iter_markers("xdist_group")]
    assert groups == [("tests/test_onboard.py",)]


def test_other_tests_go_to_any_free_worker(request):
    # sphinx.testing's autouse module fixture must not group every test by its file
    assert not list(request.node.iter_markers("xdist_group"))


def test_build_names_files_relative_to_the_project_like_check(make_project, run_cli):
    page = (
        "# B\n\n"
        + item(
            "req",
            "Firmen",
            "Das CRM-System kann zählen.",
            id="LH-KON-001",
            priority="can",
            phase="PHASE-IMPL",
        )
        + "\nSiehe {need}`LH-KON-999`.\n"
    )
    project = make_project({"bad.md": page})
    root = str(project.root)
    build = run_cli("build", project.root, "--no-strict")
    assert build.code == 0, build.output
    [warning] = [line for line in build.err.splitlines() if "LH-KON-999" in line]
    assert warning.startswith("spec/bad.md:"), warning
    assert root not in build.output
    assert "Site written to _build/html/index.html" in build.out
    assert "Items written to _build/html/needs.json" in build.out
    strict = run_cli("build", project.root, "--fresh")
    assert strict.code == 1 and "spec/bad.md:" in strict.err and root not in strict.output
    check = run_cli("check", project.root)
    assert root not in check.output


def test_readme_starting_a_project_block_runs_as_written(tmp_path, run_cli, monkeypatch):
    section = README.split("## Starting a project", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block
    work = tmp_path / "work"  # the README's ../crm-… lands beside it, in tmp_path
    work.mkdir()
    monkeypatch.chdir(work)
    ran = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        commands = [[]]  # the line's commands, split at "&&"
        for word in words:
            if word == "&&":
                commands.append([])
            else:
                commands[-1].append(word)
        for args in filter(None, commands):
            if args[0] == "cd":
                monkeypatch.chdir(args[1])
                continue
            assert args[0] == "specheft", line
            result = run_cli(*args[1:])
            assert result.code == 0, f"{line}:\n{result.output}"
            ran.append(args[1])
    assert ran == ["new", "build", "check", "catalog", "catalog"]
    page = tmp_path / "crm-einfuehrung/spec/lastenheft/05-anforderungen/int.md"
    assert ":origin: CAT-INT-020" in page.read_text(encoding="utf-8")
