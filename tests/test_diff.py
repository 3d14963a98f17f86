"""`specheft diff`: the items of two git revisions, on a scripted history of a project.

History: v1.0 (as scaffolded) → a reformatting-only commit (tag ``reformat``) → v1.1 with
LH-KON-001 changed (text and phase link), LH-KON-099 added, LH-KON-004 removed and
LH-KON-005 moved from kon.md to vtr.md.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from specheft.cli import main
from specheft.trace.diff import ItemState, compare_items, word_diff

from .helpers import git, item_block

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

KON = "spec/lastenheft/05-anforderungen/kon.md"
VTR = "spec/lastenheft/05-anforderungen/vtr.md"
OLD_TEXT = (
    "Das CRM-System muss dem Vertriebsinnendienst die Möglichkeit bieten, Firmen mit Name, "
    "Anschrift, Branche und Größenklasse anzulegen."
)
NEW_TEXT = OLD_TEXT.replace("Branche und Größenklasse", "Branche, Größenklasse und Steuernummer")
ADDED = """
:::{req} Dubletten erkennen
:id: LH-KON-099
:priority: should
:area: KON
:verification: test
:phase: PHASE-IMPL
:acceptance: Ein Key-User legt eine Firma doppelt an, und das CRM-System warnt.

Das CRM-System soll beim Anlegen einer Firma auf mögliche Dubletten hinweisen.
:::
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diff") / "crm"
    assert main(["new", str(root), "--areas", "KON,VTR"]) == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "v1.0")
    kon, vtr = root / KON, root / VTR
    text = kon.read_text(encoding="utf-8")
    assert OLD_TEXT in text
    # re-wrapped paragraph and an option's value with other spacing: no change of content
    rewrapped = OLD_TEXT.replace(" Firmen mit", "\nFirmen  mit")
    text = text.replace(OLD_TEXT, rewrapped).replace(":priority: must", ":priority:   must", 1)
    kon.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "re-wrapped")
    git(root, "tag", "reformat")
    text = text.replace(rewrapped, NEW_TEXT)
    first = item_block(text, "LH-KON-001")
    text = text.replace(first, first.replace(":phase: PHASE-IMPL", ":phase: PHASE-KONZEPT"))
    text = text.replace(item_block(text, "LH-KON-004"), "")
    moved = item_block(text, "LH-KON-005")
    kon.write_text(text.replace(moved, "") + ADDED, encoding="utf-8")
    vtr.write_text(vtr.read_text(encoding="utf-8") + "\n" + moved, encoding="utf-8")
    git(root, "commit", "-q", "-am", "Lastenheft 1.1")
    git(root, "tag", "v1.1")
    return root


def _json(run_cli, *args: str | Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run_cli("diff", *args, "--format", "json")
    assert result.code in (0, 1), result.output
    return result.code, json.loads(result.out)


def _by_status(report: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    found: dict[str, list[str]] = {}
    for change in report["changes"]:
        found.setdefault(change["status"], []).append(change["id"])
    return found


def test_json_lists_exactly_the_changed_added_removed_and_moved_items(run_cli, repo):
    code, report = _json(run_cli, "v1.0", "v1.1", repo)
    assert code == 1
    assert _by_status(report) == {
        "added": ["LH-KON-099"],
        "changed": ["LH-KON-001"],
        "removed": ["LH-KON-004"],
        "moved": ["LH-KON-005"],
    }
    assert report["counts"] == {"added": 1, "removed": 1, "changed": 1, "moved": 1}
    changed = next(c for c in report["changes"] if c["id"] == "LH-KON-001")
    assert [f["name"] for f in changed["fields"]] == ["text"]  # not the re-wrap, not priority
    words = changed["fields"][0]["words"]
    assert ["+", ", Größenklasse"] in words and ["+", " Steuernummer"] in words
    # equal and removed runs give the old text, equal and added ones the new text
    assert "".join(t for op, t in words if op != "+") == OLD_TEXT
    assert "".join(t for op, t in words if op != "-") == NEW_TEXT
    assert changed["links"] == [
        {"name": "phase", "added": ["PHASE-KONZEPT"], "removed": ["PHASE-IMPL"]}
    ]
    moved = next(c for c in report["changes"] if c["id"] == "LH-KON-005")
    assert (moved["old_path"], moved["new_path"]) == (KON, VTR) and not moved["fields"]


def test_reformatting_only_is_no_difference(run_cli, repo):
    result = run_cli("diff", "v1.0", "reformat", repo)
    assert result.code == 0, result.output
    assert result.out == "v1.0 → reformat: no differences\n"


def test_text_report_names_file_line_and_marks_words(run_cli, repo):
    result = run_cli("diff", "v1.0", "v1.1", "--project", repo)
    assert result.code == 1, result.output
    lines = result.out.splitlines()
    assert lines[0] == "v1.0 → v1.1: 1 added, 1 removed, 1 changed, 1 moved"
    assert f"{KON}:3: LH-KON-001: changed (req)" in lines
    assert any(line.startswith(f"{KON}:") and "LH-KON-004: removed" in line for line in lines)
    assert any(line.startswith(f"{VTR}:") and "LH-KON-005: moved" in line for line in lines)
    assert "Branche{+, Größenklasse+} und [-Größenklasse-] {+Steuernummer+}" in result.out
    assert "    phase: +PHASE-KONZEPT -PHASE-IMPL" in lines
    assert f"    moved from {KON} to {VTR}" in lines


def test_markdown_report_has_a_section_per_kind_of_change(run_cli, repo, tmp_path):
    target = tmp_path / "changes.md"
    result = run_cli("diff", "v1.0", "v1.1", repo, "--format", "markdown", "--output", target)
    assert result.code == 1 and result.out == "", result.output
    text = target.read_text(encoding="utf-8")
    for heading in ("## Added (1)", "## Removed (1)", "## Changed (1)", "## Moved (1)"):
        assert heading in text
    assert "- **LH-KON-099** (req)" in text
    assert "Branche<ins>, Größenklasse</ins> und <del>Größenklasse</del>" in text
    assert "  - phase: **+PHASE-KONZEPT** ~~PHASE-IMPL~~" in text


def test_working_tree_is_compared_and_left_untouched(run_cli, repo):
    kon = repo / KON
    before = kon.read_bytes()
    kon.write_bytes(before.replace(b":priority: should", b":priority: can", 1))
    try:
        status = git(repo, "status", "--porcelain")
        stamp = kon.stat().st_mtime_ns
        index = (repo / ".git/index").read_bytes()
        code, report = _json(run_cli, "v1.1", repo)
        assert code == 1 and report["new"] == "working tree"
        (change,) = report["changes"]
        assert change["id"] == "LH-KON-003"
        assert change["fields"][0] == {
            "name": "priority",
            "old": "should",
            "new": "can",
            "words": [["-", "should"], ["+", "can"]],  # no space before the first word
        }
        # nothing of the user's changed: files, index, status; no build directory made
        assert git(repo, "status", "--porcelain") == status
        assert kon.stat().st_mtime_ns == stamp
        assert (repo / ".git/index").read_bytes() == index
        assert not (repo / "_build").exists()
    finally:
        kon.write_bytes(before)


def test_document_filter(run_cli, repo):
    assert run_cli("diff", "v1.0", "v1.1", repo, "--document", "testkatalog").code == 0
    code, report = _json(run_cli, "v1.0", "v1.1", repo, "--document", "lastenheft")
    assert code == 1 and len(report["changes"]) == 4
    unknown = run_cli("diff", "v1.0", "v1.1", repo, "--document", "lastenheftt")
    assert unknown.code == 2
    assert unknown.err.startswith("error: in v1.0: no document 'lastenheftt'; documents:")


def test_unknown_and_ambiguous_revisions(run_cli, repo):
    unknown = run_cli("diff", "v9.9", repo)
    assert unknown.code == 2
    assert "unknown git revision 'v9.9'" in unknown.err
    assert "git said: fatal: bad revision 'v9.9'" in unknown.err
    assert "Traceback" not in unknown.output
    option = run_cli("diff", "--", "--output=x", repo)  # a name, never an option of git
    assert option.code == 2 and "unknown git revision '--output=x'" in option.err
    git(repo, "branch", "v1.0")
    try:
        ambiguous = run_cli("diff", "v1.0", "v1.1", repo)
        assert ambiguous.code == 2 and "ambiguous git revision 'v1.0'" in ambiguous.err
    finally:
        git(repo, "branch", "-D", "v1.0")


def test_shallow_clone_missing_the_revision(run_cli, repo, tmp_path):
    old = git(repo, "rev-parse", "v1.0")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = run_cli("diff", old, clone)
    assert result.code == 2
    assert f"unknown git revision '{old}'" in result.err and "shallow clone" in result.err


def test_not_a_git_repository(run_cli, repo, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(repo / "spec", plain / "spec")
    shutil.copytree(repo / "conf", plain / "conf")
    result = run_cli("diff", "v1.0", plain)
    assert result.code == 2 and "is not inside a git work tree" in result.err


def test_usage_errors(run_cli, repo):
    assert run_cli("diff").code == 2
    assert run_cli("diff", "a", "b", repo, "extra").code == 2
    both = run_cli("diff", "v1.0", "v1.1", repo, "--project", repo)
    assert both.code == 2 and "once" in both.err


# --- the pure core ----------------------------------------------------------------------


def _state(path: str, **values: str) -> ItemState:
    return ItemState("LH-A-001", "req", path, 3, dict(values), {})


def test_word_diff_marks_runs_of_words():
    assert word_diff("a b c d", "a  x\nc d e") == [
        ("=", "a"),
        ("-", " b"),
        ("+", " x"),
        ("=", " c d"),
        ("+", " e"),
    ]
    # punctuation is a token of its own: "Branche" stays equal when a comma follows it
    assert word_diff("Branche und", "Branche, Größe und") == [
        ("=", "Branche"),
        ("+", ", Größe"),
        ("=", " und"),
    ]


def test_moved_and_changed_is_changed_and_says_moved():
    change = compare_items(_state("a.md", title="T"), _state("b.md", title="U"))
    assert change is not None and change.status == "changed" and change.moved
    assert compare_items(_state("a.md", title="T"), _state("a.md", title="T")) is None
    moved = compare_items(_state("a.md", title="T"), _state("b.md", title="T"))
    assert moved is not None and moved.status == "moved" and not moved.fields


def test_broken_settings_at_a_revision_are_located_in_that_revision(run_cli, repo):
    settings = repo / "conf/specheft.toml"
    before = settings.read_bytes()
    settings.write_bytes(before + b"\n[rules]\n")  # a table declared twice: not valid TOML
    try:
        git(repo, "commit", "-q", "-am", "broken settings")
        git(repo, "tag", "broken")
        at_tag = run_cli("diff", "broken", "v1.1", repo)
        assert at_tag.code == 2 and "error: broken:conf/specheft.toml:" in at_tag.err
        now = run_cli("diff", "v1.1", repo)  # the working tree: the user's own file
        assert now.code == 2 and "error: conf/specheft.toml:" in now.err
        assert "specheft-diff-" not in at_tag.err + now.err  # no temporary path
    finally:
        git(repo, "tag", "-d", "broken")
        git(repo, "reset", "-q", "--hard", "v1.1")  # the test's own repository


@pytest.mark.parametrize("command", ["diff", "fingerprint"])
def test_a_revision_is_never_an_option_of_git(run_cli, repo, tmp_path, command):
    # `git archive --output=FILE` would write FILE: fingerprint REV passed REV unchecked
    target = tmp_path / "written"
    result = run_cli(command, "--project", repo, "--", f"--output={target}")
    assert result.code == 2 and f"unknown git revision '--output={target}'" in result.err
    assert not target.exists()


def test_the_diff_core_imports_no_sphinx():
    import sys

    code = (
        "import sys\n"
        "import specheft.trace.diff, specheft.project.revision, specheft.project.diff\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'sphinx_needs')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_revision_before_the_project_existed(run_cli, repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    (other / "README.md").write_text("no project yet\n", encoding="utf-8")
    git(other, "add", "README.md")
    git(other, "commit", "-q", "-m", "start")
    git(other, "tag", "empty")
    shutil.copytree(repo / "spec", other / "spec")
    shutil.copytree(repo / "conf", other / "conf")
    result = run_cli("diff", "empty", other)
    assert result.code == 2 and "revision 'empty' has no specheft project at ./" in result.err


# --- html and xlsx -------------------------------------------------------------------------


def test_html_is_a_standalone_redline(run_cli, repo, tmp_path):
    target = tmp_path / "changes.html"
    result = run_cli("diff", "v1.0", "v1.1", repo, "--format", "html", "--output", target)
    assert result.code == 1, result.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for heading in ("Changed (1)", "Added (1)", "Removed (1)", "Moved (1)"):
        assert f"<h2>{heading}</h2>" in page
    assert (
        "Branche<ins>, Größenklasse</ins> und <del>Größenklasse</del> <ins>Steuernummer</ins>"
        in (page)
    )
    assert "<th>phase</th><td><ins>PHASE-KONZEPT</ins> <del>PHASE-IMPL</del></td>" in page
    assert f"<del>{KON}</del> <ins>{VTR}</ins>" in page  # the moved item
    # one file: nothing loaded from elsewhere, no script
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert run_cli("diff", "v1.0", "reformat", repo, "--format", "html").code == 0


def _hostile_diff():  # type: ignore[no-untyped-def]
    from specheft.trace.diff import FieldChange, ItemChange, ItemDiff, LinkChange

    old = "Der Wert ist =SUM(A1:A9) <b>fett</b>"
    new = 'Der Wert ist =HYPERLINK("http://x") <script>alert(1)</script>'
    change = ItemChange(
        "LH-KON-001",
        "req",
        "changed",
        "spec/a.md",
        "spec/a.md",
        3,
        (FieldChange("content", old, new), FieldChange("priority", None, "@must")),
        (LinkChange("phase", ("PHASE-X",), ("PHASE-Y",)),),
    )
    return ItemDiff("<v1>", "+v2", [change]), old, new


def test_html_escapes_every_text_from_the_sources():
    from specheft.io.diff.html import render_html

    diff, _, _ = _hostile_diff()
    page = render_html(diff)
    assert "<script>alert" not in page and "<b>fett" not in page
    assert "&lt;" in page and "script" in page and "alert(1)" in page
    assert "<th>priority</th><td><ins>@must</ins></td>" in page
    assert "<title>Changes &lt;v1&gt; → +v2</title>" in page


def test_xlsx_one_row_per_change_no_formula_from_user_text(tmp_path):
    import openpyxl

    from specheft.io.diff.xlsx import xlsx_bytes

    diff, old, new = _hostile_diff()
    data = xlsx_bytes(diff)
    assert xlsx_bytes(diff) == data  # the same diff, the same bytes
    path = tmp_path / "c.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    changes = [[c.value for c in row] for row in book["Changes"].iter_rows()]
    assert changes[1] == [
        "LH-KON-001",
        "req",
        "changed",
        "spec/a.md",
        3,
        None,
        "text, priority, phase +PHASE-X -PHASE-Y",
    ]
    fields = book["Fields"]
    rows = [[c.value for c in row] for row in fields.iter_rows()]
    assert [r[3] for r in rows[1:]] == ["text", "priority", "phase"]
    assert rows[1][4:6] == [old, new]
    for row in fields.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type in ("s", "n"), (cell.coordinate, cell.value)  # no "f"
    assert book["Cover"]["B1"].value == "<v1>" and book["Cover"]["B2"].data_type == "s"


def test_xlsx_from_the_command_line(run_cli, repo, tmp_path):
    import openpyxl

    target = tmp_path / "changes.xlsx"
    result = run_cli("diff", "v1.0", "v1.1", repo, "--format", "xlsx", "--output", target)
    assert result.code == 1, result.output
    book = openpyxl.load_workbook(target, rich_text=True)
    rows = [[c.value for c in row] for row in book["Changes"].iter_rows(min_row=2)]
    assert sorted((r[0], r[2]) for r in rows) == [
        ("LH-KON-001", "changed"),
        ("LH-KON-004", "removed"),
        ("LH-KON-005", "moved"),
        ("LH-KON-099", "added"),
    ]
    moved = next(r for r in rows if r[0] == "LH-KON-005")
    assert (moved[3], moved[5]) == (VTR, KON)
    redline = next(r for r in book["Fields"].iter_rows(min_row=2) if r[3].value == "text")[6].value
    struck = [str(b.text) for b in redline if hasattr(b, "font") and b.font.strike]
    marked = [str(b.text) for b in redline if hasattr(b, "font") and b.font.u]
    assert struck == ["Größenklasse"] and marked == [", Größenklasse", "Steuernummer"]
    refused = run_cli("diff", "v1.0", "v1.1", repo, "--format", "xlsx")
    assert refused.code == 2 and "give --output FILE.xlsx" in refused.err
