"""``specheft build``: the project's documents as HTML (and later PDF)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..project import Project
from .app import cli, project_argument


@cli.command()
@project_argument
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory [default: PROJECT_DIR/_build/BUILDER].",
)
@click.option(
    "--builder",
    default="html",
    show_default=True,
    help="Sphinx builder (html, dirhtml, singlehtml, latex, needs, …).",
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
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and the result line.")
def build(
    project_dir: str,
    out: Path | None,
    builder: str,
    strict: bool,
    fresh: bool,
    jobs: int,
    quiet: bool,
) -> int:
    """Build the specification in PROJECT_DIR (default: the current directory).

    Reads Markdown from PROJECT_DIR/spec and configuration from PROJECT_DIR/conf;
    writes the site and needs.json (the data interface for every other tool).
    """
    from ..sphinxext.runner import require_success, run_sphinx

    project = Project.at(project_dir)
    project.settings()  # a broken specheft.toml is reported before Sphinx starts
    outdir = (out or project.build_dir / builder).resolve()
    result = require_success(
        run_sphinx(
            project,
            builder,
            outdir,
            strict=strict,
            fresh=fresh,
            parallel=jobs,
            status=None if quiet else sys.stdout,
        )
    )
    index = outdir / "index.html"
    click.echo(
        f"{'Site' if index.exists() else 'Output'} written to {index if index.exists() else outdir}"
    )
    needs_json = outdir / "needs.json"
    if needs_json.exists():
        click.echo(f"Items written to {needs_json}")
    if result.warnings:
        click.echo(f"{result.warnings} warning(s)", err=True)
    return 0
