"""``specheft check``: traceability and quality findings for CI and for every save."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from specheft.cli.app import cli, project_argument
from specheft.errors import SpecheftError
from specheft.fsutil import atomic_write_text
from specheft.io.report import FORMATS, RenderOptions, formats_help, render
from specheft.project.layout import Project
from specheft.project.since import LATEST, since_hint

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


@cli.command()
@project_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help=f"Report format: {formats_help()}.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--verbose", "-v", is_flag=True, help="Text format: list infos too.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress on a terminal (the report is the same)."
)
@click.option(
    "-j",
    "--jobs",
    default=None,
    type=click.IntRange(1, 64),
    help="Parallel processes for reading the sources [default: the number of CPUs (at "
    "most 8) when everything is read, 1 when the cache holds all but a few pages or the "
    "pages are under 256 KB].",
)
@click.option("--fresh", is_flag=True, help="Ignore the cache and read every source again.")
@click.option(
    "--since",
    metavar="[REV]",
    is_flag=False,
    flag_value=LATEST,
    help="Rule change-uncovered: report each requirement added, changed or removed since "
    "git revision REV (a baseline tag) that no approved change request names; without REV "
    "since each document's latest baseline tag (put PROJECT_DIR before a bare --since).",
)
def check(
    project_dir: str,
    fmt: str,
    output: Path | None,
    strict: bool,
    verbose: bool,
    quiet: bool,
    jobs: int | None,
    fresh: bool,
    since: str | None,
) -> int:
    """Check the specification in PROJECT_DIR against the traceability rules.

    Exit code 0: no errors (warnings allowed unless --strict); 1: errors; 2: usage or
    input error. Rules and their levels are configured in conf/specheft.toml [rules].
    """
    from specheft.project.check import run_check

    try:
        project = Project.at(project_dir)
    except SpecheftError as exc:
        if since and Path(since).is_dir():  # "check --since DIR": the option took it
            exc.hint = (f"{exc.hint}\n  " if exc.hint else "") + since_hint(since)
        raise
    if output is not None:
        project.refuse_sources(output, "--output")
    # Progress on a terminal only: a large check takes a minute; logs and pipes stay clean.
    progress = sys.stderr if sys.stderr.isatty() and not quiet else None
    report = run_check(project, jobs=jobs, fresh=fresh, progress=progress, since=since)

    def paint(word: str, level: str) -> str:
        return click.style(word, fg=_COLOURS.get(level), bold=True)

    coloured = output is None and sys.stdout.isatty()
    options = RenderOptions(strict=strict, show_info=verbose, style=paint if coloured else None)
    text = render(report, fmt, options)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        from specheft.io.report.text import summary_line

        click.echo(summary_line(report))
        click.echo(f"Report written to {output}")
    return report.exit_code(strict)
