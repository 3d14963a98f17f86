"""``specheft build``: the project's documents as HTML site and PDF deliverables."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from specheft.cli.app import cli, project_argument
from specheft.project.layout import Project


@cli.command()
@project_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("html", "pdf", "all")),
    default="html",
    show_default=True,
    help="html: the site; pdf: one PDF per document; all: both.",
)
@click.option(
    "--document",
    "documents",
    multiple=True,
    metavar="NAME",
    help="Only this document's PDF (repeatable); see [documents] in specheft.toml.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory of the site [default: PROJECT_DIR/_build/html].",
)
@click.option(
    "--builder",
    default=None,
    help="Run another Sphinx builder instead (dirhtml, singlehtml, latex, needs, …).",
)
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Treat warnings as errors (exit 1 after the whole build).",
)
@click.option("--fresh", is_flag=True, help="Ignore cached state and read every source again.")
@click.option(
    "-j",
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Parallel Sphinx processes.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and the result lines.")
def build(
    project_dir: str,
    fmt: str,
    documents: tuple[str, ...],
    out: Path | None,
    builder: str | None,
    strict: bool,
    fresh: bool,
    jobs: int,
    quiet: bool,
) -> int:
    """Build the specification in PROJECT_DIR (default: the current directory).

    Reads Markdown from PROJECT_DIR/spec and configuration from PROJECT_DIR/conf; writes
    the site with needs.json (the data interface for every other tool) to _build/html and
    the PDFs (Lastenheft, Pflichtenheft, … as configured) to _build/pdf.
    """
    from specheft.project.build import PdfStep
    from specheft.project.build import build as run_build

    project = Project.at(project_dir)

    def announce(step: PdfStep) -> None:
        if step.path is None:
            if not quiet:
                click.echo(f"Compiling {step.document.name}.pdf ({step.document.title}) …")
        else:
            click.echo(f"PDF written to {project.shown(step.path)} ({step.seconds:.1f} s)")

    result = run_build(
        project,
        html=fmt in ("html", "all"),
        pdf=fmt in ("pdf", "all"),
        documents=documents,
        out=out,
        builder=builder,
        strict=strict,
        fresh=fresh,
        jobs=jobs,
        status=None if quiet else sys.stdout,
        warning=sys.stderr,
        on_pdf=announce,
    )
    if builder is not None and result.outdir is not None:
        click.echo(f"Output written to {project.shown(result.outdir)}")
    elif result.site is not None:
        click.echo(f"Site written to {project.shown(result.site)}")
        if result.items is not None:
            click.echo(f"Items written to {project.shown(result.items)}")
    return 0
