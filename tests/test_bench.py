"""Smoke run of the benchmark (tests/bench): both flavours build, the JSON is complete.

CI-sized (N=200, one repetition) so that a broken generator or runner is noticed at once;
the real numbers come from ``python tests/bench/run.py --n 1000`` (``nox -s bench``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .bench import generate as gen
from .bench import run as bench

N = 200


@pytest.mark.slow
def test_benchmark_smoke(tmp_path: Path) -> None:
    lines: list[str] = []
    results = bench.run_benchmark(N, 1, tmp_path / "work", say=lines.append)

    expected = gen.expected_counts(N)
    assert expected == {"req": N, "excl": N // 10, "spec": N, "test": N, "phase": 7}
    # both flavours built and wrote the same needs, type by type
    counts = {flavour: bench.needs_counts(path) for flavour, path in results.needs_json.items()}
    assert counts == {"plain": expected, "specheft": expected}
    assert results.items == sum(expected.values())

    data = bench.write_json(results, tmp_path / "bench.json")
    assert json.loads((tmp_path / "bench.json").read_text(encoding="utf-8")) == data
    assert tuple(data) == bench.JSON_FIELDS
    assert data["n"] == N and data["reps"] == 1 and data["items"] == results.items
    for key in ("plain_html_s", "specheft_html_s", "check_s", "recheck_s"):
        assert data[key] > 0, key
    for key in ("ratio_html", "ratio_check", "ratio_recheck"):
        assert data[key] > 0, key
    assert set(data["peak_rss_mb"]) == {"plain", "specheft"}
    assert all(mb > 0 for mb in data["peak_rss_mb"].values())
    assert data["machine"]["cpu_count"] >= 1
    assert {"python", "sphinx", "sphinx_needs"} <= set(data["machine"])

    table = bench.table(results)
    assert "specheft build (HTML)" in table
    assert table.count("PASS") + table.count("FAIL") == 4  # html, check, recheck, RSS
    assert any("plain HTML build" in line for line in lines)


def test_projects_share_item_sources(tmp_path: Path) -> None:
    """The item pages are byte-identical; only configuration and report page differ."""
    plain = gen.generate(tmp_path / "plain", 30, "plain")
    spec = gen.generate(tmp_path / "specheft", 30, "specheft")

    def pages(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*.md"))
            if "traceability" not in p.parts
        }

    assert pages(plain.srcdir) == pages(spec.srcdir)
    assert (spec.root / "conf" / "conf.py").is_file()
    plain_conf = (plain.srcdir / "conf.py").read_text(encoding="utf-8")
    assert "specheft" not in plain_conf
    assert not any("specheft" in p.read_text(encoding="utf-8") for p in plain.root.rglob("*.py"))
    assert "needtable" in (plain.srcdir / "traceability" / "index.md").read_text(encoding="utf-8")
    trace = (spec.srcdir / "traceability" / "index.md").read_text(encoding="utf-8")
    assert "coverage-matrix" in trace and "coverage-summary" in trace
