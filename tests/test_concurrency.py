"""Concurrent runs on one project, with real processes: one writer at a time.

Two ``catalog add`` into one page took the same new id; two builds at once ended one
with "internal error". Every writing command holds ``_build/.specheft.lock``; a second
one stops at once with exit 2 and the first one's pid. A killed holder leaves no lock.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specheft.fsutil import TEMP_TAG

from .helpers import HOLD_CONF, item, signalled_child

SPECHEFT = [sys.executable, "-c", "from specheft.cli import run; run()"]
BUSY = re.compile(r"another specheft command \(pid (\d+), specheft [a-z ]+\) is running")

PAGE = "# Anforderungen\n\n" + item(
    "req", "Zählen", "Das CRM-System kann zählen.", id="LH-KON-001", priority="can",
    phase="PHASE-IMPL",
)  # fmt: skip


def _start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*SPECHEFT, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hold_lock(build_dir: Path) -> subprocess.Popen[str]:
    """A process that holds the project's lock until it is killed."""
    code = (
        "import sys, time; from pathlib import Path\n"
        "from specheft.project.lock import project_lock\n"
        f"with project_lock(Path({str(build_dir)!r}), 'build'):\n"
        "    print('locked', flush=True); time.sleep(600)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def _age(path: Path, seconds: float = 120) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def project(make_project):
    settings = '[project]\nname = "Mini"\n\n[areas]\nKON = "Kontakte"\n'
    return make_project({"kon.md": PAGE}, settings=settings)


def test_concurrent_catalog_adds_never_share_an_id(project):
    page = project.spec / "kon.md"
    for _ in range(3):
        runs = [
            _start("catalog", "add", cat, "--force", "--into", page, "--project", project.root)
            for cat in ("CAT-KON-010", "CAT-KON-020")
        ]
        results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
        for code, out, err in results:
            assert "internal error" not in err and "Traceback" not in err, err
            assert code == 0 or (code == 2 and BUSY.search(err)), (code, out, err)
        assert any(code == 0 for code, _, _ in results)
        ids = re.findall(r"^:id: (\S+)$", page.read_text("utf-8"), re.MULTILINE)
        assert len(ids) == len(set(ids)), ids  # the old code gave both the same new id


def test_second_writer_is_refused_with_the_holders_pid_and_a_killed_holder_frees_the_lock(
    project,
):
    holder = _hold_lock(project.root / "_build")
    try:
        for args in (
            ["build", project.root, "-q"],
            ["check", project.root],
            ["catalog", "add", "CAT-KON-010", "--into", project.spec / "kon.md",
             "--project", project.root],
        ):  # fmt: skip
            run = subprocess.run([*SPECHEFT, *map(str, args)], capture_output=True, text=True)
            assert run.returncode == 2, run.stderr
            match = BUSY.search(run.stderr)
            assert match and int(match.group(1)) == holder.pid, run.stderr
            assert "_build/.specheft.lock" in run.stderr
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: no clean-up code runs
        holder.wait()
    assert (project.root / "_build" / ".specheft.lock").exists()  # the stale file stays …
    run = subprocess.run(
        [*SPECHEFT, "check", str(project.root)], capture_output=True, text=True
    )  # … and holds nobody up
    assert run.returncode in (0, 1), run.stderr


def test_two_builds_at_once_never_end_in_internal_error(project):
    for _ in range(2):
        runs = [_start("build", project.root, "-q") for _ in range(2)]
        for run in runs:
            code = run.wait(timeout=600)
            out, err = run.communicate()
            assert "internal error" not in err and "Traceback" not in err, err
            assert code == 0 or (code == 2 and BUSY.search(err)), (code, out, err)
        assert (project.root / "_build" / "html" / "index.html").exists()


def test_a_killed_writers_temporary_files_are_removed_by_the_next_run(project, run_cli):
    stale = project.spec / f".kon.md.{TEMP_TAG}ab12cd34.tmp"
    stale.write_text("half", encoding="utf-8")
    fresh = project.spec / f".kon.md.{TEMP_TAG}ef56ab78.tmp"  # maybe being written now
    fresh.write_text("half", encoding="utf-8")
    _age(stale)
    other = project.spec / ".notes.tmp"  # not ours: kept
    other.write_text("mine", encoding="utf-8")
    assert run_cli("check", project.root).code in (0, 1)
    assert not stale.exists()
    assert other.exists() and fresh.exists()


def test_catalog_add_killed_mid_write_leaves_the_page_whole(project, tmp_path):
    """SIGKILL while catalog add writes: the page is the old or the new one, and the
    temporary file it leaves is removed by the next command."""
    page = project.spec / "kon.md"
    before = page.read_bytes()
    # stop the writer inside the atomic write: between writing the temporary file
    # and renaming it over the page
    code = (
        "import os, signal, specheft.fsutil as f\n"
        "real = f._write_temp\n"
        "def stop(path, data):\n"
        "    tmp = real(path, data)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "f._write_temp = stop\n"
        "from specheft.cli import main\n"
        f"main(['catalog', 'add', 'CAT-KON-010', '--into', {str(page)!r}, "
        f"'--project', {str(project.root)!r}])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert page.read_bytes() == before
    leftovers = [p for p in project.spec.iterdir() if p.name.endswith(".tmp")]
    assert leftovers  # what the killed process left …
    for leftover in leftovers:
        _age(leftover)  # (a minute later: a fresh one may be a writer's at work)
    run = subprocess.run([*SPECHEFT, "check", str(project.root)], capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    assert not [p for p in project.spec.iterdir() if p.name.endswith(".tmp")]  # … is gone


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signalled_build_ends_cleanly_and_frees_the_lock(project, signum, code, word):
    """SIGTERM (a cancelled CI job) is handled like Ctrl-C: a message, no traceback,
    clean-ups run; the next command is not held up."""
    with (project.conf / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(HOLD_CONF)  # the build waits at its first page for the signal
    release = project.root.parent / "release"
    run = subprocess.Popen(
        [*SPECHEFT, "build", str(project.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **signalled_child(release),
    )
    assert run.stdout is not None
    for line in run.stdout:  # wait until Sphinx reads the pages
        if "reading sources" in line or "writing output" in line:
            break
    run.send_signal(signum)
    release.touch()  # (only now: the signal is pending before the build may go on)
    out, err = run.communicate(timeout=120)
    assert run.returncode == code, (out, err)
    assert f"error: {word}" in err
    assert "Traceback" not in err and "internal error" not in err, err
    assert not [p for p in project.root.rglob("*.tmp")]
    again = subprocess.run([*SPECHEFT, "build", str(project.root), "-q"], capture_output=True)
    assert again.returncode == 0, again.stderr
