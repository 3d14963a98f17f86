"""Reading PDFs back in tests (poppler's pdftotext / pdfinfo / pdftoppm).

Word boxes (pdftotext -bbox) and pixels (pdftoppm at 72 dpi, where a pixel is a PDF
point) share one coordinate system, so a test can see what overlaps on a page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


def require_pdf_tools() -> None:
    for tool in ("xelatex", "latexmk", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (.ci/run installs TeX Live and poppler-utils)")


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its box, page by page."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    result: list[Word] = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        for match in _WORD.finditer(page):
            x0, y0, x1, y1 = (float(v) for v in match.groups()[:4])
            text = match.group(5).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            result.append(Word(number, x0, y0, x1, y1, text))
    return result


class Pixels:
    """One page rendered at 72 dpi (RGB)."""

    def __init__(self, pdf: Path, page: int, workdir: Path) -> None:
        root = workdir / f"page-{page}"
        subprocess.run(
            ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", pdf, root],
            check=True,
        )
        data = Path(f"{root}.ppm").read_bytes()
        header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert header is not None, "pdftoppm did not write a binary PPM"
        self.width, self.height = int(header.group(1)), int(header.group(2))
        self.data = data[header.end() :]

    def rgb(self, x: int, y: int) -> tuple[int, int, int]:
        offset = 3 * (y * self.width + x)
        return self.data[offset], self.data[offset + 1], self.data[offset + 2]

    def find(self, colours: set[tuple[int, int, int]], tolerance: int = 12) -> set[tuple[int, int]]:
        """The pixels of (nearly) these colours."""
        found = set()
        for y in range(self.height):
            for x in range(self.width):
                r, g, b = self.rgb(x, y)
                if any(
                    max(abs(r - cr), abs(g - cg), abs(b - cb)) <= tolerance
                    for cr, cg, cb in colours
                ):
                    found.add((x, y))
        return found
