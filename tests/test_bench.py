"""Smoke run of the benchmark (tests/bench): both flavours build, the JSON is complete.

CI-sized (N=24, one repetition, no PDF) so that a broken generator or runner is noticed at
once; the real numbers come from ``python tests/bench/run.py --n 1000`` (``nox -s bench``).
The --exchange group (results import, accept, diff, export and import xlsx; ~10 s more at
N=24) is in. The PDF measurement is left out here: even at N=24 the PDF build takes 25-30 s (LaTeX
passes), more than the whole smoke run; its JSON fields are checked with recorded runs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from .bench import generate as gen
from .bench import run as bench

N = 24


@pytest.mark.slow
def test_benchmark_smoke(tmp_path: Path) -> None:
    lines: list[str] = []
    results = bench.run_benchmark(
        N, 1, tmp_path / "work", say=lines.append, pdf=False, exchange=True
    )

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
    for key in (
        "plain_html_s",
        "specheft_html_s",
        "check_s",
        "recheck_s",
        "plain_rebuild_s",
        "rebuild_s",
        "serve_s",
        *(f"{key}_s" for key in bench.EXCHANGE),
    ):
        assert isinstance(data[key], float) and data[key] > 0, key
    for key in (
        "ratio_html",
        "ratio_check",
        "ratio_recheck",
        "ratio_rebuild",
        *(f"ratio_{key}" for key in bench.EXCHANGE),
    ):
        assert isinstance(data[key], float) and data[key] > 0, key
    # the exchange ratios are to this run's check --fresh
    assert math.isclose(data["ratio_diff"], data["diff_s"] / data["check_s"], rel_tol=1e-2)
    assert isinstance(data["serve_over_rebuild_s"], float)
    assert data["pdf_s"] is None and data["ratio_pdf"] is None  # pdf=False
    # the incremental specheft build rewrote every page that shows the retitled item
    assert data["rebuild_stale_pages"]["specheft"] == 0
    assert data["rebuild_title_pages"]["specheft"] >= 1
    assert data["rebuild_title_pages"]["plain"] >= 1
    assert data["rebuild_stale_pages"]["plain"] >= 0
    assert results.serve_stale == 0  # the reloaded page showed the new title
    assert set(data["cpu_s"]) == set(bench.MEASUREMENTS) - {"pdf", "serve"}
    assert data["load_avg"]["max"] >= data["load_avg"]["median"] >= 0
    assert set(data["peak_rss_mb"]) == {"plain", "specheft"}
    assert all(mb > 0 for mb in data["peak_rss_mb"].values())
    assert data["machine"]["cpu_count"] >= 1
    assert {"python", "sphinx", "sphinx_needs"} <= set(data["machine"])

    table = bench.table(results)
    assert "specheft build (HTML)" in table
    # html, check, recheck, rebuild, stale pages, serve, RSS (no PDF); 7 exchange budgets
    assert table.count("PASS") + table.count("FAIL") == 14
    assert "export xlsx, inputs unchanged" in table
    assert "not measured: specheft build --format pdf" in table
    assert any("plain HTML build" in line for line in lines)


def _recorded(seconds: dict[str, float]) -> bench.Results:
    results = bench.Results(1000, 1, items=3107)
    for key, value in seconds.items():
        cpu = math.nan if key == "serve" else value
        results.runs[key].append(bench.Run(key, value, cpu, 100.0, 1.5))
    results.stale_pages = {"plain": 1, "specheft": 0}
    results.title_pages = {"plain": 2, "specheft": 5}
    return results


RECORDED = {
    "plain_html": 16.0,
    "specheft_html": 8.0,
    "check": 2.0,
    "recheck": 0.5,
    "plain_rebuild": 4.0,
    "rebuild": 5.0,
    "pdf": 40.0,
    "serve": 5.25,
}


def test_json_and_table_with_pdf_and_serve() -> None:
    """The new measures' fields and budget lines, from recorded runs (no build)."""
    data = _recorded(RECORDED).to_json()
    assert tuple(data) == bench.JSON_FIELDS
    assert data["rebuild_s"] == 5.0 and data["plain_rebuild_s"] == 4.0
    assert data["ratio_rebuild"] == 1.25
    assert data["pdf_s"] == 40.0 and data["ratio_pdf"] == 5.0  # against specheft's HTML
    assert data["serve_s"] == 5.25 and data["serve_over_rebuild_s"] == 0.25
    assert data["rebuild_stale_pages"] == {"plain": 1, "specheft": 0}
    assert "serve" not in data["cpu_s"]  # not measurable: the build is a grandchild

    table = bench.table(_recorded(RECORDED))
    assert table.count("PASS") + table.count("FAIL") == 8
    row = next(line for line in table.splitlines() if line.startswith("PDF / specheft HTML"))
    assert row.split()[-3:] == ["≤", "3.000", "FAIL"]
    row = next(line for line in table.splitlines() if line.startswith("rebuild / plain"))
    assert row.endswith("FAIL")
    row = next(line for line in table.splitlines() if line.startswith("serve − rebuild"))
    assert row.endswith("PASS")
    assert "plain 2 / 1, specheft 5 / 0" in table

    skipped = _recorded({k: v for k, v in RECORDED.items() if k not in {"pdf", "serve"}})
    data = skipped.to_json()
    assert data["pdf_s"] is None and data["ratio_pdf"] is None and data["pdf_error"] is None
    assert data["serve_s"] is None and data["serve_over_rebuild_s"] is None
    # without --exchange its fields are null and it has no budget lines
    assert all(data[f"{key}_s"] is None for key in bench.EXCHANGE)
    assert all(data[f"ratio_{key}"] is None for key in bench.EXCHANGE)
    assert "× check --fresh" not in bench.table(skipped)

    # a PDF that failed is reported, not silently missing
    skipped.pdf_error = "specheft PDF build failed with exit code 2\n  command: …"
    assert skipped.to_json()["pdf_error"].startswith("specheft PDF build failed")
    assert "PDF build FAILED: specheft PDF build failed with exit code 2" in bench.table(skipped)


def test_exchange_ratios_to_the_check() -> None:
    """--exchange figures are divided by check --fresh and judged against #13, #14, #16."""
    exchange = {
        "results_import": 0.1,  # 0.05 × check: PASS
        "accept": 0.3,  # 0.15: FAIL
        "diff": 2.5,  # 1.25: FAIL (budget 1.0)
        "export_xlsx": 0.2,  # 0.10: PASS (the budget is inclusive)
        "export_xlsx_cached": 0.05,  # no budget
        "export_xlsx_checked": 0.3,  # 0.15: FAIL
        "export_csv_checked": 0.1,  # 0.05: PASS
        "import_xlsx": 0.15,  # 0.075: PASS
    }
    assert set(exchange) == set(bench.EXCHANGE)
    results = _recorded(RECORDED | exchange)
    data = results.to_json()
    assert tuple(data) == bench.JSON_FIELDS
    assert data["diff_s"] == 2.5 and data["ratio_diff"] == 1.25
    assert data["ratio_results_import"] == 0.05 and data["ratio_export_xlsx_cached"] == 0.025
    assert data["cpu_s"]["export_xlsx"] == 0.2
    table = bench.table(results)
    assert table.count("PASS") + table.count("FAIL") == 8 + 7

    def row(start: str) -> list[str]:
        # the last: the measurement table above may have a row of the same name
        return [line for line in table.splitlines() if line.startswith(start)][-1].split()

    assert row("results import (#13)")[-4:] == ["0.10", "PASS", "[CPU", "0.050]"]
    assert row("accept (#13)")[-3] == "FAIL"
    assert row("diff v1.0 v1.1 (#14)")[-5:-2] == ["≤", "1.00", "FAIL"]
    assert row("export xlsx, first after edit (#16)")[-3] == "PASS"
    assert row("export xlsx, inputs unchanged")[-3:] == ["0.025", "[CPU", "0.025]"]
    assert row("export xlsx after a check (#16)")[-3] == "FAIL"
    assert row("export csv after a check (#16)")[-3] == "PASS"


def test_junit_report_names_every_test() -> None:
    """Half the cases carry the id in a property, half in the name; every id is used."""
    ids = ["TC-SIT-KON-0001", "TC-UAT-AKT-0002", "TC-SIT-VER-0003"]
    report = bench.junit_report(ids, 7)
    assert report.count("<testcase ") == 7 and 'tests="7"' in report
    assert 'value="TC-SIT-KON-0001"' in report and "test_TC_UAT_AKT_0002_1" in report
    assert all(i in report or i.replace("-", "_") in report for i in ids)


def test_stale_pages_against_a_fresh_build(tmp_path: Path) -> None:
    """A page is stale when its title counts differ from a fresh build of the same edit."""
    old, new = "Termine exportieren", "Geänderter Titel von LH-AKT-0001"
    fresh, incremental = tmp_path / "fresh", tmp_path / "incremental"
    pages = {
        "a.html": f"<p>{new}</p><p>{old}</p>",  # the edited item, and another with its title
        "b.html": f"<td>{new}</td>",
        "c.html": "<p>nothing</p>",
    }
    for folder in (fresh, incremental):
        for name, text in pages.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
    (incremental / "b.html").write_text(f"<td>{old}</td>", encoding="utf-8")  # not rewritten
    (incremental / "sub").mkdir()
    (incremental / "sub" / "d.html").write_text(f"{old} {old}", encoding="utf-8")

    reference = bench.title_counts(fresh, old, new)
    assert reference == {"a.html": (1, 1), "b.html": (0, 1)}
    observed = bench.title_counts(incremental, old, new)
    assert bench.stale_pages(observed, reference) == ["b.html", "sub/d.html"]
    assert bench.stale_pages(reference, reference) == []


def test_new_title_does_not_contain_the_old_one() -> None:
    edit = gen.item_pages(gen.MIN_N)[1]
    assert edit.title not in bench.new_title(edit)
    assert edit.id in bench.new_title(edit)


def test_too_small_n_is_refused() -> None:
    """Fewer requirements than areas: refused (the area split looped forever)."""
    with pytest.raises(ValueError, match="at least 12"):
        gen.build_items(gen.MIN_N - 1)
    assert len(gen.build_items(gen.MIN_N)["req"]) == gen.MIN_N
    with pytest.raises(SystemExit):
        bench.main(["--n", "5"])


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
