"""``specheft fingerprint [REV]``: the SHA-256 of each document's items."""

from __future__ import annotations

from pathlib import Path

import click

from specheft.cli.app import cli
from specheft.errors import SpecheftError
from specheft.project.layout import Project


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

    It covers the items on the document's pages and the items its trace directives
    show (matrix rows with their specs, tests and phase; the summary's requirements
    with their specs and tests; item traces). A document with no items has none
    ("-"); asked for with --document, that is exit code 1.

    Without REVISION, of the sources as they are; with REVISION (a tag, branch or
    commit), of the sources as committed there — compare it with a signed PDF.
    """
    from specheft.project.fingerprint import fingerprints, fingerprints_at

    try:
        project = Project.at(project_dir)
        results = (
            fingerprints_at(project, revision, documents)
            if revision
            else fingerprints(project, documents)
        )
    except SpecheftError as exc:
        # 'specheft fingerprint ../proj' reads ../proj as a git revision, like check's DIR
        if revision and project_dir == "." and Path(revision).is_dir():
            exc.hint = (
                f"REVISION is a git tag, branch or commit; for the project in "
                f"{revision!r} run 'specheft fingerprint --project {revision}'"
            )
        raise
    empty = []
    for result in results:
        if not result.items:  # a checksum over nothing certifies nothing: none is given
            empty.append(result.document)
            click.echo(f"{result.document.name}\t-\t0 items")
            continue
        click.echo(f"{result.document.name}\t{result.digest}\t{result.items} items")
    # asked for by name (or all empty), a document without items is refused; in the full
    # listing it is noted, and the fingerprints of the others stand
    refused = bool(empty) and (bool(documents) or len(empty) == len(results))
    for document in empty:
        click.echo(
            f"{'error' if refused else 'note'}: document {document.name!r} (start page "
            f"{document.start}) contains no items and shows none in a coverage matrix, "
            "summary or item trace: it has no fingerprint",
            err=True,
        )
    return 1 if refused else 0
