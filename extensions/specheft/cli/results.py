"""``specheft results …``: import test results and defect lists into the project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from specheft.cli.app import cli, quiet_option, stderr_progress
from specheft.project.layout import Project
from specheft.project.lock import project_lock
from specheft.trace.graph import TraceGraph

_project_option = click.option(
    "--project",
    "project_dir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=str),
    help="The project directory.",
)
_needs_option = click.option(
    "--needs-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take the items from this needs.json (e.g. _build/html/needs.json) instead of "
    "reading the sources (an items-only build sharing 'specheft check's cache).",
)
_date_option = click.option("--date", help="The run's date (YYYY-MM-DD) [default: from the file].")


@cli.group()
def results() -> None:
    """Test evidence: import results of test runs and defect lists."""


@results.group("import")
def import_group() -> None:
    """Import a report into the project's runs directory (spec/testkatalog/runs/)."""


def _locked_import(
    project_dir: str, needs_json: Path | None
) -> tuple[Project, Callable[[], TraceGraph]]:
    """The project and its graph (built only when the import needs it) for an import.

    The project lock is held until the command ends: from reading the earlier runs to
    writing the new one, else two imports at once would both pass the checks for a new name.
    """
    from specheft.project.results import load_graph

    project = Project.at(project_dir)
    click.get_current_context().with_resource(project_lock(project.build_dir, "results import"))

    def graph() -> TraceGraph:
        return load_graph(project, needs_json=needs_json, progress=stderr_progress())

    return project, graph


@import_group.command("junit")
@quiet_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--run", "run_name", help="Name of the run [default: the file's name].")
@_project_option
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1, write nothing) if a case maps to no test."
)
@click.option("--environment", default="", help="Test environment (e.g. 'Testsystem T2').")
@click.option("--sut-version", default="", help="Version of the system under test.")
@_date_option
@_needs_option
def junit(
    files: tuple[Path, ...],
    run_name: str | None,
    project_dir: str,
    strict: bool,
    environment: str,
    sut_version: str,
    date: str | None,
    needs_json: Path | None,
) -> int:
    """Import JUnit/xUnit XML or Robot Framework output.xml FILES as one run.

    Reads pytest, Robot Framework (--xunit and output.xml), Playwright, jest-junit, Maven
    Surefire, TestNG, gotestsum and CTest reports. Each case is mapped to a test item (a
    property specheft_id/test_id/test_key/verifies, the id in its name, Robot tags, or
    [results.map] in specheft.toml); cases that map to nothing are listed.

    Exit code 0: imported (or imported before: nothing written); 1: --strict and unmapped
    cases; 2: bad input (nothing written).
    """
    from specheft.io.evidence.text import import_summary
    from specheft.project.results import import_junit

    project, graph = _locked_import(project_dir, needs_json)
    result = import_junit(
        project,
        list(files),
        graph,
        run_name=run_name,
        environment=environment,
        sut_version=sut_version,
        date=date,
        strict=strict,
    )
    click.echo(import_summary(result))
    return result.exit_code


@import_group.command("manual")
@quiet_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--run", "run_name", help="Name of the run [default: the file's name].")
@_project_option
@click.option("--environment", default="", help="Test environment (e.g. 'Testsystem T2').")
@click.option("--sut-version", default="", help="Version of the system under test.")
@click.option("--date", help="The run's date (YYYY-MM-DD) [default: the latest in the sheet].")
@_needs_option
def manual(
    file: Path,
    run_name: str | None,
    project_dir: str,
    environment: str,
    sut_version: str,
    date: str | None,
    needs_json: Path | None,
) -> int:
    """Import manual test results (UAT) from a sheet: CSV or XLSX.

    Columns Testfall-ID/Test ID and Ergebnis/Result, optionally Tester, Datum/Date,
    Fehler-Nr./Defect, Fehlerklasse/Defect class, Kommentar/Comment. Results:
    bestanden/passed, nicht bestanden/failed, blockiert/blocked, nicht durchgeführt/not run.
    Defects named in the sheet are stored as open defects of their class.
    """
    from specheft.io.evidence.text import import_summary
    from specheft.project.results import import_manual

    project, graph = _locked_import(project_dir, needs_json)
    result = import_manual(
        project,
        file,
        graph,
        run_name=run_name,
        environment=environment,
        sut_version=sut_version,
        date=date,
    )
    click.echo(import_summary(result))
    return result.exit_code


@import_group.command("defects")
@quiet_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Name of this defect list [default: file name and date].")
@_project_option
@_date_option
@_needs_option
def defects(
    file: Path, name: str | None, project_dir: str, date: str | None, needs_json: Path | None
) -> int:
    """Import a defect list (CSV: id, class 1/2/3, status, tests, workaround, fix date).

    German or English headers, ';' or ',' separated, UTF-8 (with or without BOM) or
    cp1252 as German Excel saves it. The latest list that names a defect counts.
    """
    from specheft.io.evidence.text import import_summary
    from specheft.project.results import import_defects

    project, graph = _locked_import(project_dir, needs_json)
    result = import_defects(project, file, graph, name=name, date=date)
    click.echo(import_summary(result))
    return result.exit_code


@results.command("template")
@quiet_option
@click.option(
    "--level",
    type=click.Choice(("uat", "sit")),
    default="uat",
    show_default=True,
    help="The test level whose test items the sheet lists.",
)
@click.option(
    "--format", "fmt", type=click.Choice(("xlsx", "csv")), default="xlsx", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the sheet to FILE [default: _build/LEVEL-ergebnisse.xlsx, -results in English].",
)
@click.option("--phase", help="Only the test items of this phase.")
@click.option("--force", is_flag=True, help="Replace an existing FILE (a filled-in sheet is lost).")
@_project_option
@_needs_option
def template(
    level: str,
    fmt: str,
    out: Path | None,
    phase: str | None,
    force: bool,
    project_dir: str,
    needs_json: Path | None,
) -> int:
    """Write a sheet for manual test results: the test items with their steps and empty
    columns for result, tester, date, defect number, defect class and comment.

    XLSX has drop-downs for result and defect class and protects the specification's
    columns; CSV is ';'-separated UTF-8 with BOM for German Excel. Read the filled-in
    sheet back with 'specheft results import manual'.
    """
    from specheft.project.results import write_template

    written = write_template(
        Project.at(project_dir),
        level=level,
        fmt=fmt,
        out=out,
        phase=phase,
        force=force,
        needs_json=needs_json,
        progress=stderr_progress(),
    )
    click.echo(f"{written.rows} {level.upper()} test items written to {written.target}")
    if not written.rows:  # a sheet without rows is no use to the testers
        click.echo(
            f"note: the project has no {level.upper()} test items"
            + (f" in phase {phase}" if phase else "")
            + f" yet; write {{test}} items with ':level: {level}' (spec/testkatalog/) first",
            err=True,
        )
    return 0


@results.command("list")
@_project_option
def list_runs(project_dir: str) -> int:
    """List the imported runs and defect lists, oldest first."""
    from specheft.io.evidence.text import store_listing
    from specheft.project.results import open_store

    click.echo(store_listing(open_store(Project.at(project_dir))))
    return 0
