"""``specheft fingerprint [REV]``: the SHA-256 of each document's items."""

from __future__ import annotations

import click

from ..project import Project
from .app import cli


@cli.command()
@click.argument("revision", required=False)
@click.option(
    "--project",
    "project_dir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The project directory.",
)
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="NAME",
    help="Only this document (repeatable).",
)
def fingerprint(revision: str | None, project_dir: str, documents: tuple[str, ...]) -> int:
    """Print the fingerprint of each document, as its PDF shows it.

    Without REVISION, of the sources as they are; with REVISION (a tag, branch or
    commit), of the sources as committed there — compare it with a signed PDF.
    """
    from ..fingerprints import fingerprints, fingerprints_at

    project = Project.at(project_dir)
    results = (
        fingerprints_at(project, revision, documents)
        if revision
        else fingerprints(project, documents)
    )
    for result in results:
        click.echo(f"{result.document.name}\t{result.digest}\t{result.items} items")
    return 0
