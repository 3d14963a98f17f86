"""The installed package, not the source tree: sdist → wheel → fresh venv → new, build, check.

An editable install finds everything in the repository; a wheel finds only what it
carries. The built-in catalogue (top-level ``requirements_catalog/``) was once found only
next to the source tree, so ``specheft new`` failed after ``pip install specheft``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
SOURCE_DIRS = ("extensions", "requirements_catalog")
CATALOG_FILE = "requirements_catalog/spec/kon-kontakte.md"


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"{args} exit {result.returncode}:\n{result.stdout}{result.stderr}"
    )
    return result.stdout


def _build(hook: str, source: Path, out: Path) -> Path:
    """Run a PEP 517 hook of setuptools in ``source`` (no network: the test env's setuptools)."""
    name = _run(
        [
            sys.executable,
            "-c",
            f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))",
        ],
        source,
    ).split()[-1]
    return out / name


@pytest.mark.slow
def test_wheel_installed_outside_the_repository_scaffolds_builds_and_checks(tmp_path):
    # a copy of the sources: the build writes build/ and *.egg-info, never into the repo
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("_build", "__pycache__", "*.egg-info", "build")
    for name in SOURCE_DIRS:
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in SOURCES:
        shutil.copy2(REPO / name, source / name)

    sdist = _build("build_sdist", source, tmp_path / "dist")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        assert f"{sdist.name.removesuffix('.tar.gz')}/{CATALOG_FILE}" in names, names
        # the "data" filter refuses links and paths out of the target (Python >= 3.11.4)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(tmp_path / "unpacked", **safe)  # our own sdist
    # the wheel is built from the sdist, as pip does: proves the sdist is complete
    wheel = _build(
        "build_wheel", tmp_path / "unpacked" / sdist.name.removesuffix(".tar.gz"), tmp_path / "dist"
    )
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert f"specheft/{CATALOG_FILE}" in names
    assert "specheft/requirements_catalog/conf/specheft.toml" in names
    assert not [n for n in names if "/_build/" in n or "__pycache__" in n]

    # A fresh venv outside the repository; the dependencies come from the test env's
    # site-packages through a .pth line (its .pth files, so the editable specheft, are not
    # processed), the package itself only from the wheel.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path
        ).strip()
    )
    test_env = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "test-env.pth").write_text("\n".join(sorted(test_env)) + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            wheel,
        ],
        tmp_path,
    )

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run([python, "-c", "import specheft; print(specheft.__file__)"], tmp_path, env)
    assert Path(where.strip()).is_relative_to(venv), where

    specheft = bindir / "specheft"
    work = tmp_path / "work"
    work.mkdir()
    created = _run([specheft, "new", "crm-einfuehrung", "--areas", "KON,DSG"], work, env)
    assert "requirements from 2 areas of catalogue 'crm'" in created
    project = work / "crm-einfuehrung"
    _run([specheft, "build", "-q"], project, env)
    assert (project / "_build/html/needs.json").is_file()
    summary = _run([specheft, "check"], project, env)
    assert "0 errors" in summary
    _run([specheft, "catalog", "list", "--area", "INT"], project, env)
