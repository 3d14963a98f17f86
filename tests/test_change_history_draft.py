"""The change history's row for the unreleased changes since the latest baseline (issue 14
point 2): the next version as a draft, no date, the ids added, changed and removed since
the baseline and the approved change requests naming them; no row when nothing changed.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import pytest

from specheft.trace.diff import ItemState
from specheft.trace.history import Baseline, draft_row

from .change_project import ADDED, CR_PAGE, KON, scaffold
from .helpers import git, item_block

START = "_build/html/lastenheft/index.html"
PAGE = "_build/html/pflichtenheft/aenderungen.html"
ACCEPTANCE = "_build/html/abnahme/index.html"
HISTORY = """# Änderungsanträge

:::{change-history}
:document: lastenheft
:::
"""
REQUEST = """
:::{cr} Firmenpflege und Dubletten
:id: CR-001
:reason: Die Buchhaltung braucht gepflegte, eindeutige Firmen.
:requested_by: Jana Brockmeyer
:date: 2026-10-01
:decision: approved
:changes: LH-KON-001, LH-KON-099

Firmen werden gepflegt statt nur angelegt; Dubletten werden erkannt.
:::
"""


def _text(page: Path) -> str:
    raw = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", htmllib.unescape(raw))


def _history(page: Path) -> str:
    """The change history table of a page (the document information or the directive)."""
    text = page.read_text(encoding="utf-8")
    start = max(text.find("specheft-docinfo-history"), text.find("specheft-change-history"))
    assert start > 0, "no change history on the page"
    block = text[start : text.index("</table>", start)]
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", block)))


def _references(root: Path) -> str:
    """The Abnahmeprotokoll's table of the documents accepted against."""
    text = (root / ACCEPTANCE).read_text(encoding="utf-8")
    start = text.index("specheft-decision-documents")
    block = text[start : text.index("</table>", start)]
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", block)))


def _fingerprint(root: Path) -> str:
    found = re.search(r"\b[0-9a-f]{64}\b", (root / START).read_text(encoding="utf-8"))
    assert found, "no fingerprint on the start page"
    return found.group(0)


def _build(run_cli, root: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("build", root)
    assert result.code == 0, result.output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_draft_row_lists_the_changes_since_the_latest_baseline(run_cli, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = scaffold(
        tmp_path / "crm",
        toctree="spec/pflichtenheft/index.md",
        after="umsetzung",
        page=CR_PAGE,
        text=HISTORY,
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")

    _build(run_cli, root)
    history = _history(root / START)
    assert "Erste Baseline lh-v1.0" in history
    assert "Entwurf" not in history, history  # unchanged since the tag: no draft row
    # the Abnahmeprotokoll accepts against the baseline's version, with its date
    references = _references(root)
    tagged = git(root, "log", "-1", "--format=%cs", "lh-v1.0").strip()
    day = ".".join(reversed(tagged.split("-")))
    assert f"CRM-LH 1.0 {day} {_fingerprint(root)}" in references, references
    assert "CRM-PH 0.1 " in references  # no baseline pattern: [project] version

    kon = root / KON
    text = kon.read_text(encoding="utf-8")
    first = item_block(text, "LH-KON-001")
    text = text.replace(first, first.replace("anzulegen.", "anzulegen und zu pflegen."))
    text = text.replace(item_block(text, "LH-KON-004"), "")
    kon.write_text(text + ADDED, encoding="utf-8")
    (root / CR_PAGE).write_text(HISTORY + REQUEST, encoding="utf-8")
    _build(run_cli, root)
    first_html = (root / START).read_bytes()
    references = _references(root)
    assert f"CRM-LH 1.1 (Entwurf, geändert seit 1.0) {_fingerprint(root)}" in references
    # and lists the approved change request
    requests = _text(root / ACCEPTANCE).split("Genehmigte Änderungsanträge")[1]
    assert "CR-001 Firmenpflege und Dubletten" in requests, requests
    for page in (root / START, root / PAGE):
        history = _history(page)
        row = history.split("1.1 (Entwurf)")[1]
        assert "1 neu: LH-KON-099" in row, history
        assert "1 geändert: LH-KON-001" in row
        assert "1 entfernt: LH-KON-004" in row
        assert "Änderungsanträge: CR-001" in row
        assert history.index("lh-v1.0") < history.index("1.1 (Entwurf)")  # the last row
    # no date in the draft row: the same sources build the same page
    assert re.search(r"1\.1 \(Entwurf\) 1 neu", _history(root / PAGE))
    _build(run_cli, root)
    assert (root / START).read_bytes() == first_html

    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.1")
    git(root, "tag", "lh-v1.1")
    _build(run_cli, root)
    history = _history(root / PAGE)
    assert "Entwurf" not in history, history  # released: the tag's row, no draft
    assert "lh-v1.1" in history and "LH-KON-099" in history


def _state(item_id: str, text: str, kind: str = "req", **links: str) -> ItemState:
    return ItemState(
        item_id,
        kind,
        "spec/a.md",
        1,
        {"title": item_id, "content": text, "decision": "approved"},
        {k: tuple(v.split()) for k, v in links.items()},
    )


def test_draft_row_of_the_changes_since_the_baseline() -> None:
    latest = Baseline("lh-v2", "2", "2026-01-01", "A", "abc", 2)
    before = {"A-1": _state("A-1", "x"), "A-2": _state("A-2", "y"), "B-1": _state("B-1", "z")}
    after = {"A-1": _state("A-1", "x changed"), "A-3": _state("A-3", "new")}
    requests = {"CR-001": _state("CR-001", "", kind="cr", changes="A-3")}
    row = draft_row(latest, before, ("A-1", "A-2"), after, requests)
    assert (row.version, row.since, row.date, row.tag, row.draft) == ("2.1", "2", "", "", True)
    assert (row.added, row.changed, row.removed) == (("A-3",), ("A-1",), ("A-2",))
    assert row.requests == ("CR-001",) and row.generated and row.count == 2
