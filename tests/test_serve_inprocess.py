"""``specheft serve`` rebuilds in the process sphinx-autobuild forks for a change, not in a
new ``python -m sphinx`` (which imported everything again and cost ~1.5 s CPU more than
``specheft build`` per rebuild at N=1000, #17)."""

from __future__ import annotations

import importlib
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


def test_the_first_build_runs_in_a_child_and_the_server_gets_its_modules(
    make_project: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The server's heap stays lean (a rebuild forked from a server that had built itself
    wrote its pages ~20 % slower, #17); the modules the build loaded come over."""
    import os

    import specheft.project.serve as serve_module

    project = make_project({"anf.md": _page("Firmen")})
    outdir = project.root / "_build" / "serve"
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "loaded_by_the_first_build.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    real = serve_module.build_once
    pids: list[int] = []

    def build_once(*args: Any, **kwargs: Any) -> bool:
        (tmp_path / "pid").write_text(str(os.getpid()), encoding="utf-8")
        importlib.import_module("loaded_by_the_first_build")  # the build loads a module

        return real(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build_once", build_once)
    monkeypatch.delitem(sys.modules, "loaded_by_the_first_build", raising=False)
    builder = serve_module.InProcessBuilder(
        ["ignored"],
        url_host="127.0.0.1:1",
        root=project.root,
        outdir=outdir,
        baselines="",
        report=print,
    )
    builder(changed_paths=())
    pids.append(int((tmp_path / "pid").read_text(encoding="utf-8")))
    assert pids[0] != os.getpid()
    assert "Firmen" in (outdir / "anf.html").read_text(encoding="utf-8")
    assert "loaded_by_the_first_build" in sys.modules


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_stopping_the_server_during_its_first_build_stops_the_build(
    make_project: Callable[..., Any], tmp_path: Path
) -> None:
    import signal
    import socket
    import time

    project = make_project({f"anf{i}.md": _page(f"Firmen {i}") for i in range(30)})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "specheft", "serve", str(project.root), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    try:
        deadline = time.monotonic() + 60
        child = ""
        while not child and time.monotonic() < deadline and server.poll() is None:
            child = children.read_text().strip() if children.exists() else ""
            time.sleep(0.02)
        assert child, log.read_text(encoding="utf-8")
        server.send_signal(signal.SIGTERM)  # the server only, as `kill PID` does
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    for pid in child.split():
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            state = (
                Path(f"/proc/{pid}/stat").read_text().split()[2]
                if Path(f"/proc/{pid}/stat").exists()
                else "X"
            )
            if state == "Z":
                break
            time.sleep(0.05)
        assert not Path(f"/proc/{pid}").exists() or state == "Z", f"build {pid} outlived the server"
    assert "Traceback" not in log.read_text(encoding="utf-8")
