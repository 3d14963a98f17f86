"""Baselines per document (``baseline = "lh-v*"``) and the generated change history.

History of a scaffolded project: lh-v1.0 → LH-KON-001's text changed, LH-KON-099 added,
LH-KON-004 made obsolete (removed), CR-001 (approved) naming them → lh-v1.1 → a
reformatting-only commit.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import pytest

from specheft.trace.diff import ItemState
from specheft.trace.history import (
    HistoryRow,
    compare_baselines,
    merge_history,
    next_version,
    requests_for,
    version_key,
    version_of,
)

from .change_project import ADDED, CR_PAGE, KON
from .helpers import git, item_block, lastenheft_baselines, without_baselines
from .pdftext import pdf_text, require_pdf_tools

START = "_build/html/lastenheft/index.html"
REQUEST = """# Änderungsanträge

:::{change-history}
:document: lastenheft
:::

:::{cr} Firmenpflege und Dubletten
:id: CR-001
:reason: Die Buchhaltung braucht gepflegte, eindeutige Firmen.
:requested_by: Jana Brockmeyer
:date: 2026-10-01
:decision: approved
:changes: LH-KON-001, LH-KON-004, LH-KON-099

Firmen werden gepflegt statt nur angelegt; Dubletten werden erkannt.
:::
"""


def _text(page: Path) -> str:
    """The page's visible text, whitespace folded."""
    raw = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", htmllib.unescape(raw))


def _info(root: Path) -> str:
    """The document information block of the Lastenheft's start page."""
    page = (root / START).read_text(encoding="utf-8")
    start = page.index('class="specheft-docinfo')
    history = page.find("specheft-docinfo-history", start)
    end = page.index("</table>", history if history > 0 else start)
    block = page[start:end]
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", block)))


def _build(run_cli, root: Path) -> str:  # type: ignore[no-untyped-def]
    result = run_cli("build", root)
    assert result.code == 0, result.output
    return _info(root)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_version_status_and_history_follow_the_baseline_tags(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    root = lastenheft_baselines(tmp_path / "crm")
    index = root / "spec/pflichtenheft/index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("umsetzung\n", "umsetzung\naenderungen\n"),
        encoding="utf-8",
    )
    (root / CR_PAGE).write_text("# Änderungsanträge\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")
    git(root, "tag", "ph-v3.0")  # another document's pattern: no baseline of the Lastenheft

    info = _build(run_cli, root)
    assert "Version 1.0 " in info and "Status Freigegeben" in info, info
    assert "Erste Baseline lh-v1.0" in info

    kon = root / KON
    text = kon.read_text(encoding="utf-8")
    first = item_block(text, "LH-KON-001")
    text = text.replace(first, first.replace("anzulegen.", "anzulegen und zu pflegen."))
    fourth = item_block(text, "LH-KON-004")  # removed: kept as obsolete, so a CR can name it
    text = text.replace(
        fourth, fourth.replace(":id: LH-KON-004\n", ":id: LH-KON-004\n:status: obsolete\n")
    )
    kon.write_text(text + ADDED, encoding="utf-8")
    (root / CR_PAGE).write_text(REQUEST, encoding="utf-8")
    # changed since the tag, not committed: the next version, a draft
    info = _build(run_cli, root)
    assert "Version 1.1 (Entwurf, geändert seit 1.0)" in info, info
    assert "Status Entwurf, geändert seit 1.0" in info

    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.1")
    git(root, "tag", "lh-v1.1")
    git(root, "tag", "lh-v0.9", "HEAD~1")  # a tag that is no later version: 1.1 stays
    info = _build(run_cli, root)
    assert "Version 1.1 " in info and "Status Freigegeben" in info, info
    assert "geändert seit" not in info
    # lh-v0.9 (on the same commit as lh-v1.0) is the first; 1.0 changed nothing
    assert "Erste Baseline lh-v0.9" in info and "Baseline lh-v1.0: keine inhaltliche" in info
    row = info.split("Baseline lh-v1.0: keine inhaltliche Änderung")[1]
    assert "1 neu: LH-KON-099" in row
    assert "1 geändert: LH-KON-001" in row
    assert "1 entfernt: LH-KON-004" in row
    assert "Änderungsanträge: CR-001" in row
    # the directive on another document's page shows the same history
    page = _text(root / "_build/html/pflichtenheft/aenderungen.html")
    table = page.split("Baseline Änderungen")[1]
    assert "lh-v1.1" in table and "LH-KON-099" in table and "CR-001" in table

    # reformatting only: no change of content, the document is still 1.1
    text = kon.read_text(encoding="utf-8")
    kon.write_text(
        text.replace("anzulegen und zu pflegen.", "anzulegen\nund   zu pflegen."), encoding="utf-8"
    )
    git(root, "commit", "-q", "-am", "re-wrapped")
    info = _build(run_cli, root)
    assert "Version 1.1 " in info and "Status Freigegeben" in info, info

    # the second build of the same tags builds no old revision again
    result = run_cli("build", root)
    assert result.code == 0 and "reading baseline" not in result.output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_without_git_today_s_version_and_a_bad_pattern_is_located(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    root = lastenheft_baselines(tmp_path / "crm")
    toml = root / "conf/specheft.toml"
    text = without_baselines(toml.read_text(encoding="utf-8"))  # for a wrong pattern below
    index = root / "spec/lastenheft/index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\n:::{change-history}\n:::\n", encoding="utf-8"
    )
    info = _build(run_cli, root)  # not a git repository: [project]'s version, no error
    assert "Version 0.1 " in info and "Status Entwurf" in info
    lines = index.read_text(encoding="utf-8").count("\n")
    index.write_text(
        index.read_text(encoding="utf-8") + "\n:::{change-history}\n:document: lastenhaft\n:::\n",
        encoding="utf-8",
    )
    result = run_cli("build", root)
    assert result.code == 1
    assert f"spec/lastenheft/index.md:{lines + 2}" in result.err
    assert "no document 'lastenhaft'" in result.err and "lastenheft" in result.err
    toml.write_text(
        text.replace("[documents.lastenheft]\n", '[documents.lastenheft]\nbaseline = "lh-v"\n'),
        encoding="utf-8",
    )
    result = run_cli("check", root)
    line = text.splitlines().index("[documents.lastenheft]") + 2
    assert result.code == 2
    assert f"conf/specheft.toml:{line}" in result.err and "baseline" in result.err
    assert "Traceback" not in result.err


def _state(item_id: str, text: str = "t", status: str | None = None, **links: str) -> ItemState:
    values = {"title": item_id, "content": text}
    if status:
        values["status"] = status
    return ItemState(
        item_id,
        "cr" if item_id.startswith("CR") else "req",
        "a.md",
        1,
        values,
        {k: tuple(v.split(",")) for k, v in links.items()},
    )


def test_versions_and_comparison_of_baselines():
    assert version_of("lh-v1.0", "lh-v*") == "1.0"
    assert version_of("ph-v1.0", "lh-v*") is None
    assert sorted(["1.10", "1.9", "2.0"], key=version_key) == ["1.9", "1.10", "2.0"]
    assert next_version("1.0") == "1.1" and next_version("1.9") == "1.10"
    assert next_version("2") == "2.1" and next_version("1.0-rc") == "1.0-rc.1"
    old = {i: _state(i) for i in ("A", "B", "C", "D")}
    new = {
        "A": _state("A", "other"),
        "B": _state("B", status="obsolete"),
        "C": _state("C"),
        "E": _state("E"),
        "CR-1": _state("CR-1", changes="A,E"),
    }
    new["CR-1"].values["decision"] = "approved"
    added, changed, removed = compare_baselines(old, old, new, ("A", "B", "C", "E"))
    assert (added, changed, removed) == (("E",), ("A",), ("B", "D"))
    assert requests_for(new, ("E",)) == ("CR-1",)
    new["CR-1"].values["decision"] = "open"
    assert requests_for(new, ("E",)) == ()


def test_hand_written_entries_merge_with_the_generated_ones():
    generated = [
        HistoryRow("1.0", "2026-01-01", "A", "", "lh-v1.0", True, 3),
        HistoryRow("1.1", "2026-02-01", "A", "", "lh-v1.1", False, 3, ("X",)),
    ]
    rows = merge_history(
        generated,
        [("1.1", "2026-02-02", "", "Dubletten"), ("0.9", "2025-12-01", "B", "Entwurf")],
    )
    assert [r.version for r in rows] == ["0.9", "1.0", "1.1"]
    assert rows[2].description == "Dubletten" and rows[2].added == ("X",)
    assert rows[2].date == "2026-02-02" and rows[2].author == "A"
    assert not rows[0].generated and rows[1].first
    # without baselines the hand-written entries keep the order they were written in
    written = [("2.0", "2026-03-01", "", "b"), ("1.0", "2026-01-01", "", "a")]
    assert [r.version for r in merge_history([], written)] == ["2.0", "1.0"]


@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_pdf_title_page_shows_the_draft_after_the_baseline(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    require_pdf_tools()
    root = lastenheft_baselines(tmp_path / "crm")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")
    kon = root / KON
    kon.write_text(
        kon.read_text(encoding="utf-8").replace("anzulegen.", "anzulegen und zu pflegen.", 1),
        encoding="utf-8",
    )
    result = run_cli("build", root, "--format", "pdf", "--document", "lastenheft")
    assert result.code == 0, result.output
    pdf = re.sub(r"\s+", " ", pdf_text(root / "_build/pdf/lastenheft.pdf"))
    assert "1.1 (Entwurf, geändert seit 1.0)" in pdf
    assert "Erste Baseline lh-v1.0" in pdf
    # the history's draft row: the unreleased change since lh-v1.0 (the narrow version
    # column wraps "(Entwurf)" below "1.1")
    history = pdf.split("Änderungshistorie")[1].split("Prüfsumme")[0]
    assert "(Entwurf)" in history and "1 geändert: LH-KON-001" in history, history
