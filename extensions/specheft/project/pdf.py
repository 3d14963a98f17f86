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


#: a heading as the LaTeX writer puts it: on a line of its own, the title in one group
_HEADING = re.compile(
    r"^\\(?P<level>chapter|section|subsection|subsubsection)(?P<star>\*?)\{(?P<title>.*)\}\s*$"
)
_TOC_LINE = re.compile(r"^\\addcontentsline\{toc\}\{(?P<level>[a-z]+)\}\{(?P<title>.*)\}\s*$")
_LEVELS = ("chapter", "section", "subsection", "subsubsection")


def _balanced(text: str) -> bool:
    """``text`` is one TeX argument: no group closed that it did not open (``\\}`` is a
    character, not a brace)."""
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def toc_seed(tex: str) -> str:
    """The table of contents ``tex`` will have, with every page number 1.

    The document counts its pages through (the contents' pages included, for "Seite X von
    Y"), so on a fresh build the first pass, without a ``.toc`` yet, set every page
    after the contents as many pages earlier as the contents would fill: with contents
    longer than one page (162 lines at 5,000 requirements, 3 pages) every label moved in
    the second pass, and latexmk needed a third pass (58 s CPU of 195 s) only to confirm
    the labels. Seeded with entries of the same titles, the first pass sets the contents
    at their final length (a page number is set in a box of fixed width), and the labels
    it writes are the final ones. Any difference (a heading written otherwise) only costs
    the pass latexmk would have run anyway: LaTeX still compares the labels of each pass.
    """
    counters = dict.fromkeys(_LEVELS, 0)
    lines = []
    for line in tex.splitlines():
        if heading := _HEADING.match(line):
            if heading["star"] or not _balanced(heading["title"]):
                continue  # a starred heading has no entry (its \addcontentsline adds one)
            level = heading["level"]
            depth = _LEVELS.index(level)
            counters[level] += 1
            for deeper in _LEVELS[depth + 1 :]:
                counters[deeper] = 0
            number = ".".join(str(counters[name]) for name in _LEVELS[: depth + 1])
            entry = rf"\numberline {{{number}}}{heading['title']}"
        elif (added := _TOC_LINE.match(line)) and _balanced(added["title"]):
            level, entry = added["level"], added["title"]
        else:
            continue
        # no link target (the 4th argument): the first pass's contents are never shown
        lines.append(rf"\contentsline {{{level}}}{{{entry}}}{{1}}{{}}%")
    return "".join(f"{line}\n" for line in lines)


def _seed_toc(latex_dir: Path, name: str) -> Path | None:
    """Write ``name.toc`` from the headings of ``name.tex`` unless the document has one
    (then that of the last build is the better guess); the file written, or None."""
    toc = latex_dir / f"{name}.toc"
    if toc.exists():
        return None
    try:
        text = (latex_dir / f"{name}.tex").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    seed = toc_seed(text)
    if not seed:
        return None
    toc.write_text(seed, encoding="utf-8")
    return toc


def compile_pdf(latex_dir: Path, name: str, *, timeout: int = 600) -> Path:
    """Run latexmk on ``name.tex`` in ``latex_dir``; the PDF's path, or a located error."""
    seeded = _seed_toc(latex_dir, name)
    try:
        return _latexmk(latex_dir, name, timeout=timeout)
    except BuildFailed:
        if seeded is None:
            raise
        # a seeded entry TeX could not read: the same build without the seed (a .toc
        # left behind would be read again by the next build)
        seeded.unlink(missing_ok=True)
        log = latex_dir / f"{name}.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if not re.search(rf"{re.escape(seeded.name)}:\d+: ", text):
            raise
        return _latexmk(latex_dir, name, timeout=timeout)


def _latexmk(latex_dir: Path, name: str, *, timeout: int) -> Path:
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
