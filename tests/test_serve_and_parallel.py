"""Live preview (``specheft serve``) and parallel builds (``-j``)."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .helpers import REPO, item


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch(url: str) -> str:
    """The page, or "" while the server is not up or the page is being rewritten.

    Sphinx writes a page in place, so a request that lands during the rebuild can get
    the length of the old file and then fewer bytes (IncompleteRead); the browser's
    live reload comes after the build, so only the test has to ask again.
    """
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return str(r.read().decode("utf-8"))
    except (OSError, http.client.HTTPException):
        return ""


def test_serve_builds_and_serves_the_site(make_project, tmp_path):
    pytest.importorskip("sphinx_autobuild", reason="pip install 'specheft[serve]'")
    page = "# A\n\n" + item(
        "req",
        "Firmen",
        "Das CRM-System kann zählen.",
        id="LH-KON-001",
        priority="can",
        phase="PHASE-IMPL",
    )
    project = make_project({"anf.md": page})
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from specheft.cli import run; run()",
            "serve",
            str(project.root),
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        html = ""
        while time.monotonic() < deadline:
            html = _fetch(f"http://127.0.0.1:{port}/anf.html")
            if html:
                break
            time.sleep(0.5)
        assert "LH-KON-001" in html, (tmp_path / "serve.log").read_text()
        # a change is rebuilt and served
        project.write("spec/anf.md", page.replace("Firmen", "Firmen und Standorte"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "Firmen und Standorte" in _fetch(f"http://127.0.0.1:{port}/anf.html"):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the change was not rebuilt:\n" + (tmp_path / "serve.log").read_text())
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_parallel_build_of_the_example_equals_a_serial_one(run_cli, tmp_path):
    roots = []
    for jobs in ("1", "2"):
        root = tmp_path / f"j{jobs}"
        for part in ("conf", "spec"):
            shutil.copytree(REPO / part, root / part)
        result = run_cli("build", root, "-j", jobs, "-q")
        assert result.code == 0, result.output
        assert "WARNING" not in result.err
        roots.append(root)

    def needs(root: Path) -> dict[str, object]:
        data = json.loads((root / "_build/html/needs.json").read_text())
        return data["versions"][data["current_version"]]["needs"]

    serial, parallel = needs(roots[0]), needs(roots[1])
    assert serial.keys() == parallel.keys()
    for need_id, need in serial.items():
        other = parallel[need_id]
        for key in ("title", "satisfies_back", "verifies_back", "phase", "priority"):
            assert need.get(key) == other.get(key), (need_id, key)
    matrix = (roots[1] / "_build/html/traceability/matrix.html").read_text(encoding="utf-8")
    assert matrix.count('class="specheft-prio-') == sum(
        1 for n in serial.values() if n["type"] == "req"
    )


def test_parallel_check_where_the_first_pages_hold_no_items(make_project, run_cli):
    # Seven pages in three chunks for two processes: the third worker is forked after the
    # first chunk (no items at all) was merged, and must still find sphinx-needs' stores.
    pages = {f"{name}.md": f"# Kapitel {name}\n\nText ohne Anforderungen.\n" for name in "abcde"}
    project = make_project(pages)
    for _ in range(2):
        result = run_cli("check", project.root, "-j", "2", "--fresh")
        assert result.code == 0, result.output
        assert "parallel build error" not in result.output


def test_serve_on_a_port_in_use_fails_before_building(make_project, run_cli):
    project = make_project({"anf.md": "# Anf\n"})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", project.root, "--port", str(port))
    assert result.code == 2
    assert f"cannot serve on 127.0.0.1:{port}" in result.err and "--port" in result.err
    assert not (project.root / "_build/serve").exists()
