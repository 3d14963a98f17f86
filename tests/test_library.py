"""The library layer (#12): use cases in specheft.project return typed results and print
nothing; reports and exporters read a pure report or plain items, never a module that
starts Sphinx; the report formats are one table."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from specheft.errors import UsageError

from .helpers import item

PACKAGE = Path(__file__).resolve().parent.parent / "extensions" / "specheft"

PAGE = "# Anforderungen\n\n" + item(
    "req",
    "Firmen",
    "Das CRM-System muss Firmen anlegen.",
    id="LH-KON-001",
    priority="must",
    phase="PHASE-IMPL",
)


def test_reports_and_writers_load_neither_sphinx_nor_a_use_case():
    # the report formats and the exporters are pure writers over data: importing them must
    # not pull in Sphinx, sphinx-needs or a library use case (which may start Sphinx)
    code = (
        "import sys\n"
        "import specheft.trace.report, specheft.io.report, specheft.io.evidence\n"
        "import specheft.io.report.text, specheft.io.report.json\n"
        "import specheft.io.report.sarif, specheft.io.report.junit\n"
        "import specheft.io.sheets.export, specheft.io.reqif.export\n"
        "import specheft.io.evidence.text, specheft.io.evidence.junit\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'sphinx_needs')"
        " or m.startswith('specheft.project') or m.startswith('specheft.sphinxext')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _calls_that_print(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func in ("print", "click.echo", "click.secho") or func.startswith("sys.std"):
                found.append(f"{path.name}:{node.lineno}: {func}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            if "click" in names:
                found.append(f"{path.name}:{node.lineno}: imports click")
    return found


def test_use_cases_print_nothing():
    # output is the command line's job; sphinx_run hands Sphinx the streams it is given
    # (sys.stdout/sys.stderr only as the default of its status/warning parameters)
    found = [
        line
        for path in sorted((PACKAGE / "project").glob("*.py"))
        if path.name != "sphinx_run.py"
        for line in _calls_that_print(path)
    ]
    assert found == []


def test_check_formats_come_from_the_table():
    from specheft.cli.check import check
    from specheft.io.report import FORMATS

    option = next(p for p in check.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(FORMATS) == ["text", "json", "sarif", "junit"]
    assert "text for people, json for scripts, sarif for code scanning" in (option.help or "")


def test_accept_formats_come_from_the_table():
    from specheft.cli.accept import accept
    from specheft.io.evidence import DECISION_FORMATS

    option = next(p for p in accept.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(DECISION_FORMATS) == ["text", "json", "junit"]


def test_a_report_made_without_sphinx_renders_in_every_format(tmp_path):
    # the pure report is data: a script (or a test) can make one from needs.json alone
    from specheft.io.report import FORMATS, RenderOptions, render
    from specheft.trace.graph import TraceGraph
    from specheft.trace.report import CheckReport
    from specheft.trace.rules import Evaluation, Finding

    need = {"id": "LH-KON-001", "type": "req", "title": "Firmen", "priority": "must"}
    graph = TraceGraph.from_needs([need])
    finding = Finding("req-spec", "error", "nicht spezifiziert", "LH-KON-001", "spec/a.md", 3)
    report = CheckReport("Mini", tmp_path, graph, Evaluation([finding]))
    assert (report.items, report.errors, report.warnings, report.infos) == (1, 1, 0, 0)
    assert report.exit_code() == 1
    for fmt in FORMATS:
        shown = render(report, fmt, RenderOptions(strict=True))
        assert "LH-KON-001" in shown, fmt
    data = json.loads(render(report, "json"))
    assert data["project"] == "Mini"
    assert data["summary"]["items"] == 1 and data["summary"]["errors"] == 1


def test_run_check_returns_the_pure_report(make_project):
    from specheft.project.check import run_check
    from specheft.project.layout import Project
    from specheft.trace.report import CheckReport

    project = make_project({"anf.md": PAGE})
    report = run_check(Project.at(project.root), fresh=True)
    assert type(report) is CheckReport
    assert report.project_name and report.root == project.root.resolve()
    assert [row.item.id for row in report.rows] == ["LH-KON-001"]


def test_build_refuses_a_builder_with_pdf_before_sphinx_runs(make_project):
    from specheft.project.build import build
    from specheft.project.layout import Project

    project = make_project({"anf.md": PAGE})
    with pytest.raises(UsageError, match="--builder runs one Sphinx builder"):
        build(Project.at(project.root), builder="latex", pdf=True, warning=sys.stderr)
    assert not (project.root / "_build" / "latex").exists()


def test_build_returns_what_it_wrote(make_project):
    import io

    from specheft.project.build import build
    from specheft.project.layout import Project

    project = make_project({"anf.md": PAGE})
    status, warning = io.StringIO(), io.StringIO()
    # the page has findings (no spec, no test): not strict, so they stay warnings
    result = build(Project.at(project.root), strict=False, status=status, warning=warning)
    assert result.pdfs == []
    assert result.site is not None and result.site.is_file()
    assert result.items is not None and result.items.name == "needs.json"
    assert "build succeeded" in status.getvalue()
    # warnings name files relative to the project, as ``check`` does
    assert "spec/anf.md:" in warning.getvalue() and str(project.root) not in warning.getvalue()


def test_export_use_cases_write_and_say_what(make_project, tmp_path):
    from specheft.project.export import export_reqif, export_sheets
    from specheft.project.layout import Project

    project = Project.at(make_project({"anf.md": PAGE}).root)
    sheet = export_sheets(project, "csv", target=tmp_path / "r.csv")
    assert sheet.target.read_bytes().startswith(b"\xef\xbb\xbf")
    # a CSV file holds one table, and only that one is made
    assert [t.key for t in sheet.tables] == [key for key, _ in sheet.counts] == ["requirements"]
    reqif = export_reqif(project, target=tmp_path / "r.reqif")
    assert reqif.target.is_file() and reqif.items >= 1
    with pytest.raises(UsageError, match=r"must end in \.xlsx"):
        export_sheets(project, "xlsx", target=tmp_path / "r.csv")


def test_catalog_add_returns_the_new_ids_and_the_new_page(tmp_path, run_cli):
    from specheft.project.catalog_add import add_from_catalog
    from specheft.project.layout import Project

    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "KON").code == 0
    page = root / "spec/lastenheft/05-anforderungen/dsg.md"  # not there yet: made, listed
    done = add_from_catalog(Project.at(root), ["CAT-DSG-010"], page)
    assert [(item.id, new) for item, new in done.added] == [("CAT-DSG-010", "LH-DSG-001")]
    assert done.page == page and done.new_page_index == page.parent / "index.md"
    assert ":origin: CAT-DSG-010" in page.read_text(encoding="utf-8")
