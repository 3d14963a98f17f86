"""Start-up cost of every command: what ``specheft check`` imports, and when it reads in
parallel (the fixed cost of a check is paid by every command, on every save)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from specheft.cli.app import COMMAND_MODULES
from specheft.project import sphinx_run
from specheft.project.sphinx_run import SERIAL_BELOW, default_jobs

CLI_DIR = Path(sphinx_run.__file__).parents[1] / "cli"

# `specheft --help` as it was while every command module was imported at start
COMMANDS_HELP = """\
Commands:
  accept       Decide Go/No-Go for PROJECT_DIR against the criteria in...
  build        Build the specification in PROJECT_DIR (default: the...
  catalog      Browse a requirements catalogue and copy its items into a...
  check        Check the specification in PROJECT_DIR against the...
  compliance   Vendor selection: compliance workbooks per bidder, their...
  diff         Compare the items of two git revisions (tags, branches,...
  export       Export the items to another format.
  fingerprint  Print the fingerprint of each document, as its PDF shows it.
  import       Import items from another format into MyST pages.
  new          Create a specheft project in DIRECTORY that builds and...
  results      Test evidence: import results of test runs and defect lists.
  review       Record that spec and test items were reviewed against what...
  serve        Serve the HTML build of PROJECT_DIR and rebuild it when...
"""


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_help_lists_every_command_with_its_short_help(tmp_path: Path) -> None:
    help_run = subprocess.run(
        [sys.executable, "-c", "import sys; from specheft.cli import run; run()", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert help_run.returncode == 0, help_run.stderr
    assert help_run.stdout.endswith(COMMANDS_HELP), help_run.stdout


def test_every_command_module_is_in_the_table_of_lazy_commands(tmp_path: Path) -> None:
    modules = {path.stem for path in CLI_DIR.glob("*.py")} - {"__init__", "app"}
    listed = {module for names in COMMAND_MODULES.values() for module in names}
    assert modules == listed, "a command module the CLI would never import"
    # all imported: the commands they register are exactly the table's
    registered = _python(
        f"""
        import importlib, json
        from specheft.cli.app import cli
        for name in {sorted(modules)!r}:
            importlib.import_module("specheft.cli." + name)
        print(json.dumps(sorted(cli.commands)))
        """,
        tmp_path,
    )
    assert registered.returncode == 0, registered.stderr
    assert json.loads(registered.stdout) == sorted(COMMAND_MODULES)


def test_export_lists_the_subcommands_of_every_format(run_cli) -> None:
    result = run_cli("export", "--help")
    assert result.code == 0
    for name in ("csv", "reqif", "xlsx"):
        assert f"\n  {name} " in result.out, name


# Modules a check never uses: other commands, spreadsheets, XML, the HTML theme
NOT_FOR_CHECK = (
    "sphinx.builders.epub3",
    "sphinx.builders.linkcheck",
    "sphinx.builders.texinfo",
    "sphinxcontrib.applehelp",
    "xlsxwriter",
    "openpyxl",
    "lxml",
    "furo",
    "specheft.cli.accept",
    "specheft.cli.build",
    "specheft.cli.sheets",
    "specheft.cli.reqif",
    "specheft.cli.results",
    "specheft.io.sheets",
    "specheft.project.build",
    "specheft.project.export",
)


def test_check_imports_only_what_it_needs(tmp_path: Path, run_cli) -> None:
    root = tmp_path / "tiny"
    assert run_cli("new", root, "--areas", "KON").code == 0
    checked = _python(
        """
        import json, sys
        from specheft.cli import main
        code = main(["check", "--fresh"])
        print(json.dumps([code, sorted(sys.modules)]))
        """,
        root,
    )
    assert checked.returncode == 0, checked.stderr
    code, modules = json.loads(checked.stdout.splitlines()[-1])
    assert code == 0
    assert "specheft.cli.check" in modules and "sphinx.application" in modules  # it did run
    loaded = [m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_FOR_CHECK)]
    assert loaded == []


def _pages(root: Path, sizes: list[int]) -> Path:
    spec = root / "spec"
    for number, size in enumerate(sizes):
        page = spec / f"part{number % 3}" / f"page{number}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("x" * size, encoding="utf-8")
    (spec / "picture.png").write_bytes(b"\0" * SERIAL_BELOW)  # not a page: not counted
    return spec


@pytest.mark.parametrize("cpus", [2, 4])
def test_a_small_project_is_read_serially(tmp_path, monkeypatch, cpus) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    spec = _pages(tmp_path, [1000] * 40)
    assert default_jobs(spec) == 1


def test_a_large_project_is_read_on_every_cpu_up_to_eight(tmp_path, monkeypatch) -> None:
    spec = _pages(tmp_path, [SERIAL_BELOW // 4 + 1] * 4)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert default_jobs(spec) == 4
    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    assert default_jobs(spec) == 8
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_jobs(spec) == 1


def test_a_new_project_is_checked_without_worker_processes(run_cli, tmp_path, monkeypatch):
    root = tmp_path / "tiny"
    assert run_cli("new", root, "--areas", "KON").code == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    seen: list[int] = []
    original = sphinx_run.run_sphinx

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["parallel"])
        return original(*args, **kwargs)

    monkeypatch.setattr(sphinx_run, "run_sphinx", spy)
    assert run_cli("check", root, "--fresh").code == 0
    assert seen == [1]


# --- parallel reading: one batch of pages per process, of about equal size ------------------


def test_balanced_chunks_one_batch_per_process_of_about_equal_bytes(tmp_path) -> None:
    sizes = {"index": 200, "a/1": 5000, "a/2": 5100, "a/3": 4900, "b/1": 3000, "b/2": 3100}
    sizes |= {f"c/{n}": 2000 for n in range(6)}
    docnames = sorted(sizes)
    for name, size in sizes.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f"{name}.md").write_bytes(b"x" * size)
    chunks = sphinx_run.balanced_chunks(docnames, 2, lambda name: tmp_path / f"{name}.md")
    assert len(chunks) == 2
    assert sorted(name for chunk in chunks for name in chunk) == docnames  # each page once
    for chunk in chunks:
        assert chunk == sorted(chunk, key=docnames.index)  # Sphinx's order within a batch
    totals = [sum(sizes[name] for name in chunk) for chunk in chunks]
    assert max(totals) - min(totals) <= max(sizes.values())
    assert totals == sorted(totals, reverse=True)  # the build's process reads the first
    # Sphinx's own: 3 batches of 5, 5 and 2 pages for 2 processes
    assert max(totals) < sum(sizes.values()) * 0.55


def test_balanced_chunks_few_pages_or_missing_files(tmp_path) -> None:
    missing = lambda name: tmp_path / "none" / name  # noqa: E731
    assert sphinx_run.balanced_chunks(["a"], 4, missing) == [["a"]]
    assert sphinx_run.balanced_chunks(["a", "b", "c"], 2, missing) in ([["a", "c"], ["b"]],)
    assert sphinx_run.balanced_chunks([], 2, missing) == []


def test_parallel_check_reads_in_balanced_batches_and_equals_a_serial_one(
    run_cli, tmp_path, monkeypatch
) -> None:
    root = tmp_path / "tiny"
    assert run_cli("new", root, "--areas", "KON").code == 0
    batches: list[list[str]] = []
    original = sphinx_run.balanced_chunks

    def spy(docnames, nproc, path_of):  # type: ignore[no-untyped-def]
        batches.extend(original(docnames, nproc, path_of))
        return batches[-nproc:] if len(batches) >= nproc else batches

    monkeypatch.setattr(sphinx_run, "balanced_chunks", spy)
    parallel = run_cli("check", root, "--fresh", "-j", "2", "--format", "json")
    assert parallel.code == 0 and len(batches) == 2
    serial = run_cli("check", root, "--fresh", "-j", "1", "--format", "json")
    assert json.loads(parallel.out) == json.loads(serial.out)


def test_sphinx_still_reads_in_parallel_as_read_sharing_does() -> None:
    """compat.read_sharing replaces the builder's Builder._read_parallel and repeats its
    steps: a Sphinx whose parallel reading changed fails here (fix compat.read_sharing)."""
    import inspect

    from sphinx.builders import Builder

    assert "self._read_parallel(docnames, nproc=" in inspect.getsource(Builder.read)
    source = inspect.getsource(Builder._read_parallel)
    for step in (
        "status_iterator(",
        "self.events.emit('env-purge-doc', self.env, docname)",
        "self.env.clear_doc(docname)",
        "self.env._app = self._app",
        "self.read_doc(docname, _cache=False)",
        "pickle.dumps(self.env, pickle.HIGHEST_PROTOCOL)",
        "self.env.merge_info_from(docs, env, self._app)",
        "ParallelTasks(nproc)",
        "tasks.add_task(read_process, chunk, merge)",
        "tasks.join()",
    ):
        assert step in source, f"Builder._read_parallel no longer does {step}"


def test_an_items_build_leaves_out_sphinx_builders_it_never_runs(run_cli, tmp_path) -> None:
    """The check's Sphinx loads none of the builders in UNUSED_BY_ITEMS_BUILD, which are
    all Sphinx's own; an HTML build still has every one."""
    import sphinx.application

    complete = sphinx.application.builtin_extensions
    assert set(complete) > sphinx_run.UNUSED_BY_ITEMS_BUILD
    root = tmp_path / "tiny"
    assert run_cli("new", root, "--areas", "KON").code == 0
    project = sphinx_run.Project.at(root)
    result, items = sphinx_run.items_build(project, fresh=True, jobs=1)
    assert items and "specheft" in result.app.extensions
    assert not sphinx_run.UNUSED_BY_ITEMS_BUILD & set(result.app.extensions)
    assert "sphinx.builders.html" in result.app.extensions
    assert "sphinx.domains.cpp" in result.app.extensions  # a page may use a domain
    assert sphinx.application.builtin_extensions is complete  # put back for other builds


def test_a_mistyped_command_is_refused_with_the_closest_one(run_cli) -> None:
    result = run_cli("chek")
    assert result.code == 2
    assert "No such command 'chek'. Did you mean 'check'?" in result.err
    unknown = run_cli("zzz")  # nothing close: click's message alone
    assert unknown.code == 2 and "No such command 'zzz'." in unknown.err
    assert "Did you mean" not in unknown.err
    sub = run_cli("export", "xlx")
    assert sub.code == 2 and "Did you mean 'xlsx'?" in sub.err
