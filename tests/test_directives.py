"""The trace directives as readers see them: matrix, summary, item trace, and freshness."""

from __future__ import annotations

import re
import time

from .helpers import item

REQS = (
    "# Anforderungen\n\n"
    + item(
        "req",
        "Firmen anlegen",
        "Das CRM-System muss Firmen anlegen.",
        id="LH-KON-001",
        priority="must",
        area="KON",
        phase="PHASE-IMPL",
        acceptance="Firma angelegt.",
    )
    + item(
        "req",
        "Branchen zuordnen",
        "Das CRM-System soll Branchen zuordnen.",
        id="LH-KON-002",
        priority="should",
        area="KON",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Leads erfassen",
        "Das CRM-System kann Leads erfassen.",
        id="LH-VTR-001",
        priority="can",
        area="VTR",
        phase="PHASE-IMPL",
    )
)
SPECS = (
    "# Pflichtenheft\n\n"
    + item(
        "spec",
        "Firmenmaske",
        "Standard.",
        id="PH-KON-001",
        satisfies="LH-KON-001, LH-KON-002",
        phase="PHASE-IMPL",
        solution="standard",
    )
    + item(
        "test",
        "Firma anlegen",
        "Schritte.",
        id="TC-SIT-KON-001",
        verifies="PH-KON-001",
        level="sit",
        phase="PHASE-TEST",
    )
)
REPORT = """\
# Bericht

:::{coverage-summary}
:::

:::{coverage-matrix}
:sort: gaps
:caption: Alle Anforderungen
:::

:::{coverage-matrix}
:priority: must
:columns: id, title, tests
:::

:::{coverage-matrix}
:kind: spec
:::

:::{item-trace} LH-KON-001
:::
"""


def _tables(html: str) -> list[str]:
    return re.findall(r"<table.*?</table>", html, flags=re.S)


def _rows(table_html: str) -> list[str]:
    body = table_html.split("<tbody>", 1)[1]
    return [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r"<tr.*?</tr>", body, flags=re.S)]


def test_matrix_summary_and_trace(make_project, run_cli):
    project = make_project({"anf.md": REQS, "ph.md": SPECS, "bericht.md": REPORT})
    result = run_cli("build", project.root)
    assert result.code == 0, result.output
    html = project.html("bericht")
    tables = _tables(html)
    matrices = [t for t in tables if "specheft-matrix" in t]
    assert len(matrices) == 3
    full = _rows(matrices[0])
    # gaps first: the can requirement has nothing, the should one no test of its own spec? it has
    assert "LH-VTR-001" in full[0] and "offen" in full[0]
    assert any(
        "LH-KON-001" in r and "PH-KON-001" in r and "TC-SIT-KON-001" in r and "abgedeckt" in r
        for r in full
    )
    assert 'href="anf.html#LH-KON-001"' in matrices[0]
    assert "Alle Anforderungen" in matrices[0]
    musts = _rows(matrices[1])
    assert len(musts) == 1 and "LH-KON-001" in musts[0]
    assert "Priorität" not in matrices[1]  # only the chosen columns
    specs = _rows(matrices[2])
    assert len(specs) == 1 and "LH-KON-001" in specs[0] and "LH-KON-002" in specs[0]
    summary = [t for t in tables if "specheft-summary" in t]
    assert len(summary) == 2  # by priority and by area
    must_row = next(r for r in _rows(summary[0]) if "Muss" in r)
    assert re.search(r"Muss\s+1\s+100 %\s+100 %\s+1\s+0\s+0", must_row), must_row
    assert "<svg" in html and "abgedeckt" in html
    trace = [t for t in tables if "specheft-trace" in t]
    assert any("PH-KON-001" in t and "TC-SIT-KON-001" in t for t in trace)
    assert "specheft.js" in html


def test_bad_matrix_options_are_located(make_project, run_cli):
    report = (
        "# B\n\n:::{coverage-matrix}\n:priority: muss\n:::\n\n"
        ":::{coverage-matrix}\n:columns: id, owner\n:::\n"
    )
    project = make_project({"anf.md": REQS, "bericht.md": report})
    result = run_cli("build", project.root)
    assert result.code == 1
    assert "bericht.md:4:" in result.err and "'muss' is not a priority" in result.err
    assert "did you mean 'must'?" in result.err
    assert "bericht.md:8:" in result.err and "'owner' is not a column" in result.err


def test_unknown_trace_item_is_located(make_project, run_cli):
    project = make_project(
        {"anf.md": REQS, "bericht.md": "# B\n\n:::{item-trace} LH-KON-404\n:::\n"}
    )
    result = run_cli("build", project.root)
    assert result.code == 1
    assert "bericht.md:3:" in result.err and "unknown item 'LH-KON-404'" in result.err


def test_incremental_build_rewrites_what_shows_a_changed_item(make_project, run_cli):
    other = "# Sonstiges\n\nNur Text.\n"
    project = make_project(
        {"anf.md": REQS, "ph.md": SPECS, "bericht.md": REPORT, "sonst.md": other}
    )
    assert run_cli("build", project.root).code == 0
    out = project.root / "_build/html"
    mtimes = {p: (out / f"{p}.html").stat().st_mtime_ns for p in ("sonst", "ph", "bericht")}
    time.sleep(0.05)
    project.write("spec/anf.md", REQS.replace("Firmen anlegen", "Firmen und Standorte anlegen"))
    assert run_cli("build", project.root).code == 0
    assert "Firmen und Standorte anlegen" in project.html("bericht")  # matrix is fresh
    assert 'title="Firmen und Standorte anlegen"' in project.html("ph")  # link title on spec page
    assert (out / "sonst.html").stat().st_mtime_ns == mtimes["sonst"]  # untouched page kept
    assert (out / "bericht.html").stat().st_mtime_ns != mtimes["bericht"]
