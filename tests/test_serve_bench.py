"""Smoke run of tests/bench/serve.py (``specheft build`` after an edit and ``specheft
serve`` after the same edit, in pairs): CI-sized, N=24, one pair."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .bench import serve as serve_bench

pytest.importorskip("sphinx_autobuild", reason="pip install 'specheft[serve]'")


@pytest.mark.slow
def test_serve_bench_measures_a_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_bench.main(["--n", "24", "--reps", "1", "--keep", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    pair = re.search(
        r"pair 1: rebuild ([\d.]+) s, serve ([\d.]+) s, serve − rebuild ([-+][\d.]+) s", out
    )
    assert pair, out
    rebuild, serve, diff = (float(x) for x in pair.groups())
    assert rebuild > 0 and serve > 0 and abs(serve - rebuild - diff) < 0.011
    assert "serve − rebuild  median" in out
