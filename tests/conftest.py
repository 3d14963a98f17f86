"""Shared fixtures: real mini specheft projects on disk, built with Sphinx."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from specheft.cli import main

from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject
from .patchstate import problems, snapshot

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


# -- flaky: the process as each test found it ---------------------------------------------
# A test that leaves the process changed for the tests after it on the same worker (a
# replacement of specheft's stacked on itself or taken out, the recursion limit changed,
# Sphinx's message catalogues piling up) shows only hundreds of tests later, in a test
# that did nothing wrong: once a RecursionError in builds late in a CI run, from
# catalogues that had grown by two links per build. This fails the test that made the
# change instead. Hooks around setup and teardown, not a fixture: a fixture would be
# torn down before the test's monkeypatch is undone (another autouse fixture asks for
# monkeypatch first) and would blame tests that undo their changes. A few attribute
# reads per test.
_BEFORE = pytest.StashKey[dict[str, Any]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.stash[_BEFORE] = snapshot()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    result = yield
    before = item.stash.get(_BEFORE, None)
    found = problems(before, snapshot()) if before is not None else []
    if before is not None and found:
        sys.setrecursionlimit(before["limit"])  # the tests after it run as before
        pytest.fail("this test left the process changed: " + "; ".join(found), pytrace=False)
    return result


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


# -- hygiene: every test runs in its own empty directory --------------------------------
# With the repository as the working directory, a command that resolved --into,
# --project, --out or a relative path against the cwd instead of the project found the
# repository's own spec/ and conf/ and passed by luck. Tests that read the repository's
# files name them absolutely (tests/helpers.py REPO); tests that need another cwd
# chdir themselves (monkeypatch undoes both in order).


@pytest.fixture(autouse=True)
def _cwd_is_the_tests_own_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
