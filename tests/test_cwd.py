"""Commands run from a directory that is not the project, with relative paths: the
project's paths are the project's, the paths the user typed are the current directory's.

Every test runs in its own empty tmp_path (tests/conftest.py); these go one step further
and run from a sibling folder, so that ``../proj`` is the only way to the project.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter  # type: ignore[import-untyped]

from specheft.cli import main

from .conftest import CliResult
from .evidence_project import make_evidence_project, runs_dir

HERE = Path(__file__).resolve().parent
KON = "spec/lastenheft/05-anforderungen/kon.md"
RUN = """<testsuite name="s" tests="1">
  <testcase classname="TC-SIT-KON-002" name="TC-SIT-KON-002"/>
</testsuite>
"""

Cli = Callable[..., CliResult]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory: an empty folder beside ``proj``."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """A ``specheft new`` project in tmp_path/proj."""
    root = tmp_path / "proj"
    assert main(["new", str(root), "--areas", "KON"]) == 0
    return root


def _workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Anforderungen")
    rows = [
        ["ID", "Titel", "Beschreibung", "Priorität", "Ansprechpartner"],
        ["LH-IMP-001", "Import", "Das System muss importieren.", "muss", "Jana Brockmeyer"],
    ]
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write(number, column, value)
    book.close()
    return path


def test_new_makes_the_project_in_the_current_directory(elsewhere: Path, run_cli: Cli) -> None:
    result = run_cli("new", "x", "--areas", "KON")
    assert result.code == 0, result.output
    assert (elsewhere / "x" / "spec").is_dir() and (elsewhere / "x" / "conf" / "conf.py").is_file()
    assert run_cli("check", "x").code == 0


def test_check_of_a_sibling_project_writes_only_into_it(
    elsewhere: Path, proj: Path, run_cli: Cli
) -> None:
    result = run_cli("check", "../proj")
    assert result.code == 0, result.output
    assert "0 errors" in result.out
    assert list(elsewhere.iterdir()) == []  # no _build or cache in the current directory
    assert (proj / "_build").is_dir()
    # the file names in the findings are the project's (relative to it), as from inside
    page = proj / KON
    page.write_text(page.read_text(encoding="utf-8") + "\n{need}`LH-KON-999`\n", "utf-8")
    result = run_cli("check", "../proj")
    assert result.code == 1, result.output
    assert f"{KON}:" in result.output, result.output


def test_export_xlsx_out_is_the_current_directory_s(
    tmp_path: Path, proj: Path, run_cli: Cli
) -> None:
    # the autouse fixture made tmp_path the current directory: proj is a relative path
    result = run_cli("export", "xlsx", "proj", "--out", "out.xlsx")
    assert result.code == 0, result.output
    assert (tmp_path / "out.xlsx").is_file()
    assert not (proj / "out.xlsx").exists()


def test_import_xlsx_into_a_project_from_elsewhere_declares_its_fields(
    elsewhere: Path, proj: Path, run_cli: Cli
) -> None:
    # without --project the project is the one holding --into (it was the current
    # directory's: from here none, so the column stayed a text line)
    source = _workbook(elsewhere / "liste.xlsx")
    result = run_cli("import", "xlsx", source.name, "--into", "../proj/spec/import")
    assert result.code == 0, result.output
    page = (proj / "spec/import/liste.md").read_text(encoding="utf-8")
    assert ":ansprechpartner: Jana Brockmeyer" in page, page
    assert "[fields.ansprechpartner]" in (proj / "conf/specheft.toml").read_text("utf-8")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["liste.xlsx"]


def test_import_xlsx_from_inside_another_project(
    proj: Path, tmp_path: Path, run_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the current directory is a project too; --into names the other one
    other = tmp_path / "other"
    assert main(["new", str(other), "--areas", "KON"]) == 0
    source = _workbook(tmp_path / "liste.xlsx")
    before = (other / "conf/specheft.toml").read_text(encoding="utf-8")
    monkeypatch.chdir(other)
    result = run_cli("import", "xlsx", source, "--into", "../proj/spec/import")
    assert result.code == 0, result.output
    assert ":ansprechpartner:" in (proj / "spec/import/liste.md").read_text("utf-8")
    assert (other / "conf/specheft.toml").read_text(encoding="utf-8") == before


def test_import_reqif_into_a_project_from_elsewhere(
    elsewhere: Path, proj: Path, run_cli: Cli
) -> None:
    shutil.copyfile(HERE / "fixtures/reqif/answer/customer.reqif", elsewhere / "kunde.reqif")
    result = run_cli("import", "reqif", "kunde.reqif", "--into", "../proj/spec/kunde")
    assert result.code == 0, result.output  # was: elsewhere: no spec/ directory
    assert list((proj / "spec/kunde").glob("*/index.md"))
    # the project directory as --into (the older usage) still means its spec/
    result = run_cli("import", "reqif", "kunde.reqif", "--into", "../proj", "--force")
    assert result.code == 0, result.output
    assert list((proj / "spec").glob("*/.reqif-origin.json"))


def test_catalog_add_into_a_page_of_a_project_from_elsewhere(
    elsewhere: Path, proj: Path, run_cli: Cli
) -> None:
    # specheft new took the area's items already: a second copy
    result = run_cli("catalog", "add", "CAT-KON-010", "--into", f"../proj/{KON}", "--force")
    assert result.code == 0, result.output  # was: elsewhere: no spec/ directory
    assert (proj / KON).read_text(encoding="utf-8").count("CAT-KON-010") == 2
    assert f"to {KON}" in result.out  # named relative to the project, as from inside


def test_results_import_with_a_relative_project(
    tmp_path: Path, elsewhere: Path, run_cli: Cli
) -> None:
    project = make_evidence_project(tmp_path / "proj")
    (elsewhere / "run.xml").write_text(RUN, encoding="utf-8")
    result = run_cli("results", "import", "junit", "run.xml", "--project", "../proj")
    assert result.code == 0, result.output
    assert list(runs_dir(project).glob("*.json"))
    assert sorted(p.name for p in elsewhere.iterdir()) == ["run.xml"]


def test_fingerprint_and_build_of_a_sibling_project(
    elsewhere: Path, proj: Path, run_cli: Cli
) -> None:
    printed = run_cli("fingerprint", "--project", "../proj")
    assert printed.code == 0, printed.output
    assert run_cli("fingerprint", "--project", proj).out == printed.out  # as absolute
    result = run_cli("build", "../proj", "--out", "site", "-q")
    assert result.code == 0, result.output
    assert (elsewhere / "site" / "index.html").is_file()
    assert not (proj / "site").exists()


def test_a_project_folder_given_as_the_fingerprints_revision_gets_a_hint(
    elsewhere: Path, proj: Path, run_cli: Cli
) -> None:
    # REVISION is a git revision: the folder is not taken for one, the user is told how
    result = run_cli("fingerprint", "../proj")
    assert result.code == 2
    assert "no spec/ directory" in result.err and "Traceback" not in result.err
    assert "run 'specheft fingerprint --project ../proj'" in result.err


def test_every_test_starts_in_its_own_empty_tmp_path(tmp_path: Path) -> None:
    # tests/conftest.py's autouse fixture: not the repository, whose spec/ and conf/
    # made a command that resolved paths against the cwd pass by luck
    assert Path.cwd() == tmp_path
    assert list(tmp_path.iterdir()) == []
