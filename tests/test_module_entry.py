"""``python -m specheft`` is the ``specheft`` command: the same output and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specheft", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_python_dash_m_runs_the_command(tmp_path: Path) -> None:
    done = _module("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: specheft ")
    missing = _module("check", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
