"""Shared fixtures: real mini specheft projects on disk, built with Sphinx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from specheft.cli import main

from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject

pytest_plugins = ("sphinx.testing.fixtures",)

# The README's test command runs the suite on every core (pyproject.toml: -n auto
# --dist loadgroup): tests go to whichever worker is free, except these groups, each kept
# on one worker so that its tests never run at the same time as each other.
#: node-id prefix → group. Servers on a free port: the port is found by binding port 0
#: and released before the server binds it, so two servers starting at once may collide.
_GROUPS = {
    "tests/test_browser.py": "ports",
    "tests/test_serve_and_parallel.py::test_serve": "ports",
}


@pytest.hookimpl(tryfirst=True)  # before xdist's hook, which reads the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, group in _GROUPS.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))
        # A module whose tests share a module-scoped fixture of ours (a copied example, a
        # built project that each test resets) stays on one worker: made once, used in
        # file order as in a serial run, never by two tests at once. (Plugins' fixtures,
        # baseid "", such as sphinx.testing's autouse cache reset, do not count.)
        info = getattr(item, "_fixtureinfo", None)
        definitions = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope == "module" and d.baseid for defs in definitions for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


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
