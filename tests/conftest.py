"""Shared fixtures: real mini specheft projects on disk, built with Sphinx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from specheft.cli import main

from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject

pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., MiniProject]:
    """A project with conf/, the three phases and the given pages (``{"a.md": "…"}``)."""

    def factory(
        pages: dict[str, str] | None = None,
        *,
        language: str = "de",
        settings: str | None = None,
        index: str | None = None,
    ) -> MiniProject:
        project = MiniProject(tmp_path / "proj")
        project.write("conf/conf.py", CONF_PY)
        project.write("conf/specheft.toml", settings or SETTINGS.format(language=language))
        pages = dict(pages or {})
        pages.setdefault("phasen.md", PHASES)
        names = "\n".join(Path(name).with_suffix("").as_posix() for name in pages)
        project.write("spec/index.md", index or f"# Mini\n\n```{{toctree}}\n{names}\n```\n")
        for name, text in pages.items():
            project.write(f"spec/{name}", text)
        return project

    return factory


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``specheft ARGS`` in-process; returns exit code, stdout and stderr."""

    def runner(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return runner
