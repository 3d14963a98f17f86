"""``specheft serve`` rebuilds in the process sphinx-autobuild forks for a change, not in a
new ``python -m sphinx`` (which imported everything again and cost ~1.5 s CPU more than
``specheft build`` per rebuild at N=1000, #17)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from .helpers import item

pytest.importorskip("sphinx_autobuild", reason="pip install 'specheft[serve]'")


def _page(title: str) -> str:
    return "# A\n\n" + item(
        "req", title, "Das CRM-System kann zählen.", id="LH-KON-001", priority="can"
    )


_RUN = subprocess.run


def _no_python(command: Any, *args: Any, **kwargs: Any) -> Any:
    if sys.executable in list(command):
        raise AssertionError(f"a rebuild started Python: {command}")
    return _RUN(command, *args, **kwargs)  # git (the revision the pages show)


def test_a_rebuild_runs_in_the_forked_process_sphinx_autobuild_makes(
    make_project: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from specheft.project.serve import InProcessBuilder

    project = make_project({"anf.md": _page("Firmen")})
    outdir = project.root / "_build" / "serve"
    builder = InProcessBuilder(
        ["ignored"],
        url_host="127.0.0.1:1",
        root=project.root,
        outdir=outdir,
        baselines="",
        report=print,
        pre_build_commands=[],
        post_build_commands=[],
    )
    monkeypatch.setattr(subprocess, "run", _no_python)
    builder(changed_paths=())  # the first build, in the server's process
    assert "Firmen" in (outdir / "anf.html").read_text(encoding="utf-8")
    changed = project.write("spec/anf.md", _page("Firmen und Standorte"))
    # as sphinx-autobuild does: the builder pickled to a process forked for the change
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(pickle.loads(pickle.dumps(builder)), changed_paths=[changed]).result()
    assert "Firmen und Standorte" in (outdir / "anf.html").read_text(encoding="utf-8")


def test_serve_hands_its_builder_to_sphinx_autobuild(
    make_project: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sphinx_autobuild.__main__ as autobuild_main

    from specheft.project.serve import InProcessBuilder, serve

    project = make_project({"anf.md": _page("Firmen")})
    seen: list[Any] = []

    def fake_main(args: list[str]) -> None:
        made = autobuild_main.Builder(
            args, url_host="h:1", pre_build_commands=[], post_build_commands=[]
        )
        seen.append(made)

    monkeypatch.setattr(autobuild_main, "main", fake_main)
    monkeypatch.setattr(autobuild_main, "Builder", autobuild_main.Builder)  # restored after
    serve(project.root, port=0, report=print)
    assert isinstance(seen[0], InProcessBuilder)
    assert seen[0].outdir == Path(project.root) / "_build" / "serve"
