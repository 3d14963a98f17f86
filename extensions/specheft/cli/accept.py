"""``specheft accept``: the Go/No-Go decision from test results and open defects."""

from __future__ import annotations

from pathlib import Path

import click

from specheft.cli.app import cli, project_argument, quiet_option, stderr_progress
from specheft.io.evidence import DECISION_FORMATS
from specheft.project.layout import Project
from specheft.trace.graph import TraceGraph


@cli.command()
@quiet_option
@project_argument
@click.option("--phase", help="Only the requirements of this phase (e.g. PHASE-IMPL).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(DECISION_FORMATS)),
    default="text",
    show_default=True,
)
@click.option(
    "--needs-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take the items from this needs.json instead of reading the sources.",
)
def accept(project_dir: str, phase: str | None, fmt: str, needs_json: Path | None) -> int:
    """Decide Go/No-Go for PROJECT_DIR against the criteria in [acceptance].

    Default criteria: every active must requirement has all its tests passed in the
    latest run; no open class-1 defect; at most 5 open class-2 defects, each with a
    workaround and a fix date. Every reason is listed.

    Exit code 0: Go; 1: No-Go; 2: usage or input error.
    """
    from specheft.project.results import accept as decide
    from specheft.project.results import load_graph

    project = Project.at(project_dir)
    progress = stderr_progress()

    def graph() -> TraceGraph:
        return load_graph(project, needs_json=needs_json, progress=progress)

    decision = decide(project, graph, phase=phase)
    click.echo(DECISION_FORMATS[fmt](decision), nl=False)
    return 0 if decision.go else 1
