"""``specheft build`` as a library call: the HTML site and the PDF deliverables.

One function runs the whole pipeline under the project's lock: a Sphinx ``latex`` build
and one latexmk run per document when PDFs are asked for, then the HTML build (with the
PDFs copied in for download). Sphinx writes its progress and warnings to the streams the
caller passes; the PDF steps are announced through ``on_pdf``; nothing else is printed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from specheft.config.settings import Document
from specheft.errors import UsageError
from specheft.gcpause import collecting
from specheft.project.baselines import compute_baselines, write_baselines
from specheft.project.layout import Project, RelativePaths, claim_output_dir
from specheft.project.lock import project_lock
from specheft.project.pdf import compile_pdf, require_tex
from specheft.project.sphinx_run import require_success, run_sphinx


@dataclass(frozen=True)
class PdfStep:
    """One document's PDF: announced before LaTeX runs (``path`` None) and once written."""

    document: Document
    path: Path | None = None
    seconds: float = 0.0


@dataclass
class BuildResult:
    #: the PDFs written to _build/pdf, in the order of the documents
    pdfs: list[Path] = field(default_factory=list)
    #: the site's directory (HTML builds) or the output directory of ``builder``
    outdir: Path | None = None

    @property
    def site(self) -> Path | None:
        return self.outdir / "index.html" if self.outdir else None

    @property
    def items(self) -> Path | None:
        """The site's needs.json, when the build wrote one."""
        path = self.outdir / "needs.json" if self.outdir else None
        return path if path is not None and path.exists() else None


def _publish_pdfs(folder: Path, pdfs: Sequence[Path], documents: Sequence[Document]) -> None:
    """The site's ``pdf/`` holds the PDFs of this build and no older one: a PDF left by an
    earlier build (``--format all``, then an HTML build after edits, or ``--document``
    of another document) no longer matches the site beside it, and a reader would take
    it for the current document. Only files named as a document's PDF are removed."""
    for written in pdfs:
        folder.mkdir(exist_ok=True)
        shutil.copyfile(written, folder / written.name)
    built = {written.name for written in pdfs}
    for document in documents:
        old = folder / f"{document.name}.pdf"
        if old.name not in built and old.is_file() and not old.is_symlink():
            old.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()  # empty: as a fresh HTML build has none


def _compile_all(
    latex_dir: Path,
    pdf_dir: Path,
    documents: Sequence[Document],
    on_pdf: Callable[[PdfStep], None] | None,
) -> list[Path]:
    """Each document's PDF, LaTeX runs side by side (one process per core: they share
    nothing but the read-only .sty files). The PDFs in document order; the first failure
    in document order is raised once the running ones have finished."""
    announce = threading.Lock()  # one whole line at a time from the workers

    def one(document: Document) -> Path:
        started = time.perf_counter()
        if on_pdf is not None:
            with announce:
                on_pdf(PdfStep(document))
        target = pdf_dir / f"{document.name}.pdf"
        shutil.copyfile(compile_pdf(latex_dir, document.name), target)
        if on_pdf is not None:
            with announce:
                on_pdf(PdfStep(document, target, time.perf_counter() - started))
        return target

    # the cores this process may use (a container or taskset may allow fewer than exist)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = max(1, min(len(documents), cores or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="latexmk") as pool:
        futures = [pool.submit(one, document) for document in documents]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()  # the ones not started yet; the running ones finish
            raise


def _announce_baseline(status: IO[str]) -> Callable[[str], None]:
    def announce(tag: str) -> None:
        status.write(f"reading baseline {tag} (once; kept in _build/.doctrees/since/)\n")
        status.flush()

    return announce


def build(
    project: Project,
    *,
    html: bool = True,
    pdf: bool = False,
    documents: Sequence[str] = (),
    out: Path | None = None,
    builder: str | None = None,
    strict: bool = True,
    fresh: bool = False,
    jobs: int = 1,
    status: IO[str] | None = None,
    warning: IO[str],
    on_pdf: Callable[[PdfStep], None] | None = None,
) -> BuildResult:
    """Build ``project``: the site (``html``), the PDFs of ``documents`` (all deliverables
    when empty; ``pdf``), or one other Sphinx ``builder`` into ``out``.

    Sphinx's progress goes to ``status`` (None: quiet), its warnings to ``warning`` with
    paths relative to the project. Raises :class:`~specheft.errors.BuildFailed` when a
    build fails (with ``strict``: on any warning, after the whole build).
    """
    settings = project.settings()  # a broken specheft.toml is reported before Sphinx starts
    # the whole pipeline (LaTeX, PDFs, site) under the project's lock: one build at a time
    with project_lock(project.build_dir, "build"), collecting():
        if out is not None:
            project.refuse_sources(out, "--out")
        if builder is not None and (pdf or not html or documents):
            raise UsageError(
                "--builder runs one Sphinx builder; it cannot be combined with "
                "--format pdf/all or --document"
            )
        selected = [settings.document(name) for name in documents] or list(settings.deliverables())
        # the documents' baselines need builds of old revisions: here, before Sphinx
        # runs (cached per commit), and handed to the build as data
        found = compute_baselines(
            project, on_build=None if status is None else _announce_baseline(status)
        )
        for note in found.notes:
            warning.write(f"warning: {note}\n")
        baseline_data = str(write_baselines(project, found))
        # one convention with check: paths relative to the project (Sphinx's are absolute)
        warnings = cast(IO[str], RelativePaths(warning, project.root))

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
                    confoverrides={"specheft_baselines": baseline_data, **overrides},
                )
            )

        if builder is not None:
            outdir = (out or project.build_dir / builder).resolve()
            sphinx(builder, outdir)
            return BuildResult(outdir=outdir)

        result = BuildResult()
        if pdf:
            require_tex()  # before the build: a missing TeX is known at once
            latex_dir = project.build_dir / "latex"
            sphinx("latex", latex_dir)
            pdf_dir = project.build_dir / "pdf"
            claim_output_dir(pdf_dir)
            result.pdfs = _compile_all(latex_dir, pdf_dir, selected, on_pdf)

        if html:
            outdir = (out or project.build_dir / "html").resolve()
            built = [written.stem for written in result.pdfs]
            sphinx("html", outdir, specheft_pdf_downloads=built)
            _publish_pdfs(outdir / "pdf", result.pdfs, settings.documents)
            result.outdir = outdir
        return result
