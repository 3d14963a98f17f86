"""Turning the LaTeX output into PDFs with latexmk and XeLaTeX.

Checked before anything is built, so that a machine without TeX fails at once with the
exact packages to install rather than after a long build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from specheft.errors import BuildFailed, Location, ToolMissingError

DEBIAN_PACKAGES = (
    "make latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
    "texlive-lang-german tex-gyre texlive-xetex fonts-freefont-otf"
)
_ERROR = re.compile(r"^(?:! (?P<msg>.+)|(?P<file>[^:\s]+\.tex):(?P<line>\d+): (?P<msg2>.+))$")
#: a fatal error TeX prints right after other output on the same line, e.g.
#: "…ts1cmr.fd)! Unable to read an entire line---bufsize=200000."
_FATAL = re.compile(r"[)\]]! (?P<msg>.+)$")


def require_tex() -> None:
    missing = [tool for tool in ("xelatex", "latexmk") if shutil.which(tool) is None]
    if missing:
        raise ToolMissingError(
            f"PDF output needs {' and '.join(missing)}, which is not installed",
            hint="on Debian/Ubuntu: sudo apt-get install --no-install-recommends "
            + DEBIAN_PACKAGES,
        )


#: TeX's memory in words per byte of the .tex file: measured 4.3 for a whole
#: 1,000-requirement Pflichtenheft (25.8 million words for 6.0 MB, 571 pages), about twice
#: that for headroom.
_BOX_WORDS_PER_BYTE = 8
_BOX_WORDS_MAX = 400_000_000
#: TeX Live's line buffer (characters of one input line) and XeTeX's upper bound for it
_BUF_SIZE = 200_000
_BUF_SIZE_MAX = 30_000_000


def _longest_line(tex: Path) -> int:
    try:
        with tex.open("rb") as source:
            return max((len(line) for line in source), default=0)
    except OSError:
        return 0


def tex_environment(tex: Path) -> dict[str, str]:
    """The environment for XeLaTeX, with box memory that grows with the document.

    A long table is set in memory as a whole before its pages are shipped: TeX Live's fixed
    5,000,000 words ran out ("TeX capacity exceeded") at the matrix of a 1,000-requirement
    Pflichtenheft. ``extra_mem_bot`` can be raised at run time without a new format file,
    and costs nothing until used (the memory is allocated lazily).
    """
    env = dict(os.environ)
    if "extra_mem_bot" not in env:  # the user's own setting wins
        size = tex.stat().st_size if tex.exists() else 0
        env["extra_mem_bot"] = str(min(size * _BOX_WORDS_PER_BYTE, _BOX_WORDS_MAX))
    if "buf_size" not in env:
        # Sphinx writes a paragraph as one line: a phase's "umfasst" list of 5,000 item
        # links was 880,000 characters, and TeX stopped at the first line longer than its
        # buffer ("Unable to read an entire line"). The buffer is read at run time.
        longest = _longest_line(tex)
        if longest >= _BUF_SIZE // 2:
            env["buf_size"] = str(min(2 * longest + 1_000, _BUF_SIZE_MAX))
    return env


def compile_pdf(latex_dir: Path, name: str, *, timeout: int = 600) -> Path:
    """Run latexmk on ``name.tex`` in ``latex_dir``; the PDF's path, or a located error."""
    command = [
        "latexmk",
        "-pdfxe",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        "-silent",
        f"{name}.tex",
    ]
    try:
        done = subprocess.run(
            command,
            cwd=latex_dir,
            env=tex_environment(latex_dir / f"{name}.tex"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise BuildFailed(
            f"LaTeX did not finish {name}.tex within {timeout} s",
            location=Location(str(latex_dir / f"{name}.log")),
        ) from None
    pdf = latex_dir / f"{name}.pdf"
    if done.returncode != 0 or not pdf.exists():
        # latexmk remembers a failed run in its database and, while the .tex is unchanged,
        # refuses to run again ("gave an error in previous invocation"): the next build
        # reported the old error although its cause (memory, a package) was gone
        (latex_dir / f"{name}.fdb_latexmk").unlink(missing_ok=True)
        log = latex_dir / f"{name}.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        # a fatal error while TeX reads its input is printed (to stderr under latexmk
        # -silent), not logged
        messages = _errors(text) or _errors(f"{done.stdout or ''}\n{done.stderr or ''}")
        first = messages[0] if messages else "latexmk failed"
        raise BuildFailed(
            f"LaTeX failed on {name}.tex: {first}",
            location=Location(str(log)),
            hint="the full log names the line in the .tex file; report it with "
            "the log if the sources look right",
        )
    return pdf


def _errors(text: str) -> list[str]:
    """TeX's error messages in a log or in latexmk's output, in order."""
    messages = []
    for line in text.splitlines():
        line = line.strip()
        match = _ERROR.match(line)
        if match:
            messages.append(match.group("msg") or match.group("msg2"))
            continue
        fatal = _FATAL.search(line)
        if fatal:
            messages.append(fatal.group("msg"))
    return messages
