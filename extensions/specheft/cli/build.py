"""``specheft build``: the project's documents as HTML site and PDF deliverables."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import IO, cast

import click

from specheft.cli.app import cli, project_argument
from specheft.errors import UsageError
from specheft.project.layout import Project, RelativePaths, claim_output_dir


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
    from specheft.project.lock import project_lock
    from specheft.project.sphinx_run import require_success, run_sphinx

    project = Project.at(project_dir)
    settings = project.settings()  # a broken specheft.toml is reported before Sphinx starts
    # the whole command (LaTeX, PDFs, site) under the project's lock: one build at a time
    click.get_current_context().with_resource(project_lock(project.build_dir, "build"))
    if out is not None:
        project.refuse_sources(out, "--out")
    if builder is not None and (fmt != "html" or documents):
        raise UsageError(
            "--builder runs one Sphinx builder; it cannot be combined with "
            "--format pdf/all or --document"
        )
    selected = [settings.document(name) for name in documents] or list(settings.deliverables())
    status = None if quiet else sys.stdout
    # one convention with check: paths relative to the project (Sphinx's are absolute)
    warnings = cast(IO[str], RelativePaths(sys.stderr, project.root))

    def sphinx(name: str, outdir: Path, **overrides: object) -> None:
        require_success(
            run_sphinx(
                project,
                name,
                outdir,
                strict=strict,
                fresh=fresh,
                parallel=jobs,
                status=status,
                warning=warnings,
                confoverrides=overrides,
            )
        )

    if builder is not None:
        outdir = (out or project.build_dir / builder).resolve()
        sphinx(builder, outdir)
        click.echo(f"Output written to {project.shown(outdir)}")
        return 0

    pdfs: list[Path] = []
    if fmt in ("pdf", "all"):
        from specheft.project.pdf import compile_pdf, require_tex

        require_tex()  # before the build: a missing TeX is known at once
        latex_dir = project.build_dir / "latex"
        sphinx("latex", latex_dir)
        pdf_dir = project.build_dir / "pdf"
        claim_output_dir(pdf_dir)
        for document in selected:
            started = time.perf_counter()
            if not quiet:
                click.echo(f"Compiling {document.name}.pdf ({document.title}) …")
            target = pdf_dir / f"{document.name}.pdf"
            shutil.copyfile(compile_pdf(latex_dir, document.name), target)
            pdfs.append(target)
            seconds = time.perf_counter() - started
            click.echo(f"PDF written to {project.shown(target)} ({seconds:.1f} s)")

    if fmt in ("html", "all"):
        outdir = (out or project.build_dir / "html").resolve()
        sphinx("html", outdir, specheft_pdf_downloads=bool(pdfs))
        if pdfs:
            (outdir / "pdf").mkdir(exist_ok=True)
            for pdf in pdfs:
                shutil.copyfile(pdf, outdir / "pdf" / pdf.name)
        click.echo(f"Site written to {project.shown(outdir / 'index.html')}")
        if (outdir / "needs.json").exists():
            click.echo(f"Items written to {project.shown(outdir / 'needs.json')}")
    return 0
