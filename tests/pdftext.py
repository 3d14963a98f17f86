"""Reading PDFs back in tests (poppler's pdftotext / pdfinfo)."""

from __future__ import annotations

import shutil
import subprocess
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
