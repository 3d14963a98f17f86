"""``specheft diff REV_A [REV_B] [DIR]``: the items added, removed, changed and moved."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from specheft.cli.app import cli
from specheft.fsutil import atomic_write_bytes, atomic_write_text
from specheft.project.layout import Project

FORMATS = ("text", "markdown", "json", "html", "xlsx")


def _split(arguments: tuple[str, ...], project_dir: str | None) -> tuple[str, str | None, str]:
    """(REV_A, REV_B or None, DIR) from the positional arguments.

    With two, the second is DIR when it is an existing directory, else REV_B (a tag or
    branch named like a directory can still be compared: give DIR as well, or --project)."""
    if not arguments:
        raise click.UsageError("give the revision to compare with (a tag, branch or commit)")
    if len(arguments) > 3:
        raise click.UsageError("at most REV_A REV_B DIR")
    old, *rest = arguments
    directory: str | None = None
    if len(rest) == 2 or (len(rest) == 1 and project_dir is None and os.path.isdir(rest[0])):
        directory = rest.pop()
    if directory is not None and project_dir is not None:
        raise click.UsageError("give the project directory once: as DIR or as --project")
    return old, (rest[0] if rest else None), directory or project_dir or "."


@cli.command()
@click.argument("arguments", nargs=-1, metavar="REV_A [REV_B] [DIR]")
@click.option(
    "--project",
    "project_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="The project directory [default: .].",
)
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="NAME",
    help="Only the items of this document (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format: text for people, markdown for a merge request, json for scripts, "
    "html for a redline to send (deleted words struck through, added ones marked), xlsx "
    "for a change list in Excel (needs --output).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
def diff(
    arguments: tuple[str, ...],
    project_dir: str | None,
    documents: tuple[str, ...],
    fmt: str,
    output: Path | None,
) -> int:
    """Compare the items of two git revisions (tags, branches, commits).

    Without REV_B, REV_A is compared with the working tree, uncommitted changes
    included. Lists the items added, removed, changed (which fields and links, with a
    word diff of title and text) and moved to another file. Only content counts:
    re-wrapping a paragraph is no change. The revisions are read with git plumbing
    into a temporary directory; the working tree, index and _build stay untouched.

    Exit code 0: no differences; 1: differences; 2: usage or input error.
    """
    from specheft.project.diff import diff_revisions
    from specheft.trace.diff import RENDERERS

    old, new, directory = _split(arguments, project_dir)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give --output FILE.xlsx")
    project = Project.at(directory)
    if output is not None:
        project.refuse_sources(output, "--output")
    result = diff_revisions(project, old, new, documents)
    if fmt == "xlsx":
        from specheft.io.diff.xlsx import xlsx_bytes

        assert output is not None
        atomic_write_bytes(output, xlsx_bytes(result))
        click.echo(f"Report written to {output}", err=True)
        return 1 if result.changes else 0
    if fmt == "html":
        from specheft.io.diff.html import render_html

        text = render_html(result)
    else:
        text = RENDERERS[fmt](result)
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(output, text)
        click.echo(f"Report written to {output}", err=True)
    return 1 if result.changes else 0
