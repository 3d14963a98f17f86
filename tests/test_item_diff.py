"""The change annex ``{item-diff} BASELINE`` (#14 point 6): the items of a document
added, changed or removed since a baseline tag, as a redline in HTML and PDF.

History of a scaffolded project: lh-v1.0 → LH-KON-001's text changed (with ``&``,
``%``, ``_`` and ``#``), LH-KON-003's priority raised, LH-KON-004 deleted, LH-KON-099
added → lh-v1.1.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import pytest
from docutils import nodes

from specheft.sphinxext.rendering.redline import redline, redline_deleted, redline_inserted
from specheft.trace.diff import word_diff

from .change_project import ADDED, KON, scaffold
from .helpers import git, item_block
from .pdftext import pdf_text, require_pdf_tools

ANNEX = "spec/lastenheft/08-aenderungen.md"
PAGE = "_build/html/lastenheft/08-aenderungen.html"
OLD_TEXT = "Firmen mit Name, Anschrift, Branche und Größenklasse anzulegen."
NEW_TEXT = "Firmen mit Name, Anschrift, Branche_Code & Größenklasse (in %) anzulegen (#1)."

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _project(tmp_path: Path, annex: str) -> Path:
    """A scaffolded project whose Lastenheft has baselines lh-v* and an annex page."""
    return scaffold(
        tmp_path / "crm",
        toctree="spec/lastenheft/index.md",
        after="07-abnahme",
        page=ANNEX,
        text=annex,
    )


def _change(root: Path) -> None:
    """LH-KON-001's text changed, LH-KON-003 must instead of should, LH-KON-004 deleted,
    LH-KON-099 added."""
    kon = root / KON
    text = kon.read_text(encoding="utf-8")
    assert OLD_TEXT in text
    text = text.replace(OLD_TEXT, NEW_TEXT)
    text = text.replace(
        ":id: LH-KON-003\n:priority: should\n", ":id: LH-KON-003\n:priority: must\n"
    )
    text = text.replace(item_block(text, "LH-KON-004"), "")
    kon.write_text(text + ADDED, encoding="utf-8")


def _blocks(html: str) -> dict[str, str]:
    """id → the HTML of its block in an annex, in page order."""
    found = {}
    for part in html.split('<div class="specheft-item-diff-item')[1:]:
        head = re.search(r'<p class="specheft-item-diff-head">(.*?)</p>', part)
        assert head is not None, part
        found[_text(head.group(1)).split()[0]] = part.split("</div>")[0]
    return found


def _annexes(root: Path) -> tuple[str, str, str]:
    """The HTML of the three annexes of the page: since lh-v1.0, latest, previous."""
    page = (root / PAGE).read_text(encoding="utf-8")
    first, rest = page.split('<section id="neueste">')
    latest, previous = rest.split('<section id="vorige">')
    return first, latest, previous


def _marks(block: str, tag: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(rf"<{tag} [^>]*>(.*?)</{tag}>", block)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_redline_keeps_the_space_outside_the_marks_and_joins_back_to_both_texts() -> None:
    segments = word_diff("Firmen anlegen.", "Firmen anlegen und pflegen.")
    parts = redline(segments)
    assert [type(p) for p in parts] == [nodes.Text, nodes.Text, redline_inserted, nodes.Text]
    assert parts[1].astext() == " " and parts[2].astext() == "und pflegen"
    new = "".join(p.astext() for p in parts if not isinstance(p, redline_deleted))
    assert new == "Firmen anlegen und pflegen."
    parts = redline(word_diff("Firmen anlegen und pflegen.", "Firmen pflegen."))
    assert [p.astext() for p in parts if isinstance(p, redline_deleted)] == ["anlegen und"]
    old = "".join(p.astext() for p in parts if not isinstance(p, redline_inserted))
    assert old == "Firmen anlegen und pflegen."


FOUR = ["LH-KON-001", "LH-KON-003", "LH-KON-004", "LH-KON-099"]


@needs_git
def test_the_annex_shows_exactly_the_changed_items_as_a_redline(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    root = _project(
        tmp_path,
        "# Änderungsanhang\n\n:::{item-diff} lh-v1.0\n:::\n\n"
        "## Neueste\n\n:::{item-diff} latest\n:::\n\n"
        "## Vorige\n\n:::{item-diff} previous\n:::\n",
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")
    result = run_cli("build", root)
    assert result.code == 0, result.output
    first, latest, previous = (_text(a) for a in _annexes(root))
    assert "Keine inhaltlichen Änderungen seit Baseline lh-v1.0 (Version 1.0)." in first
    assert "Keine inhaltlichen Änderungen seit Baseline lh-v1.0 (Version 1.0)." in latest
    assert "Kein Änderungsanhang: lh-v1.0 ist die erste Baseline von Lastenheft" in previous

    _change(root)  # the working tree against the tag
    result = run_cli("build", root)
    assert result.code == 0, result.output
    assert "reading baseline" not in result.output  # the baseline's items: from the cache
    first, latest, previous = _annexes(root)
    blocks = _blocks(first)
    # document order; the deleted item where it stood; LH-KON-002 (unchanged) not listed
    assert list(blocks) == FOUR
    # a draft: latest and previous are the same baseline, lh-v1.0
    assert list(_blocks(latest)) == FOUR and list(_blocks(previous)) == FOUR
    page = _text(first)
    assert "Änderungen seit Baseline lh-v1.0 (Version 1.0 vom " in page
    assert "1 neu, 2 geändert, 1 entfernt." in page
    assert "Gestrichen: entfallener Text; unterstrichen: neuer Text." in page
    changed = blocks["LH-KON-001"]
    assert 'href="05-anforderungen/kon.html#LH-KON-001"' in changed
    assert "(geändert)" in _text(changed)
    assert _marks(changed, "del") == ["Branche und"]
    assert _marks(changed, "ins") == ["Branche_Code &", "(in %)", "(#1)"]
    assert "Das CRM-System muss dem Vertriebsinnendienst" in _text(changed)

    priority = blocks["LH-KON-003"]
    assert "Priorität:" in _text(priority)
    assert _marks(priority, "del") == ["Soll"] and _marks(priority, "ins") == ["Muss"]

    removed = blocks["LH-KON-004"]
    assert "(entfernt)" in _text(removed) and "href" not in removed  # no page to link to
    assert _marks(removed, "del")[0] == "Konzernhierarchie"
    assert _marks(removed, "del")[1].startswith("Das CRM-System muss dem Vertriebsinnendienst")
    assert _marks(removed, "ins") == []

    added = blocks["LH-KON-099"]
    assert "(neu)" in _text(added) and 'href="05-anforderungen/kon.html#LH-KON-099"' in added
    assert _marks(added, "ins")[0] == "Dubletten erkennen"
    assert "Das CRM-System muss beim Anlegen einer Firma" in _marks(added, "ins")[-1]
    assert _marks(added, "del") == []

    # a new baseline: "latest" now has nothing to show, lh-v1.0 and "previous" (the
    # release's annex) still the four items — the page is written again although its
    # source did not change
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.1")
    git(root, "tag", "lh-v1.1")
    result = run_cli("build", root)
    assert result.code == 0, result.output
    first, latest, previous = _annexes(root)
    assert "Keine inhaltlichen Änderungen seit Baseline lh-v1.1 (Version 1.1)." in _text(latest)
    assert list(_blocks(first)) == FOUR and list(_blocks(previous)) == FOUR
    assert "seit Baseline lh-v1.0" in _text(previous)

    # an edit after the baseline: a draft again, whose latest and previous annexes show it
    # on the next (incremental) build
    kon = root / KON
    kon.write_text(
        kon.read_text(encoding="utf-8").replace(
            "auf mögliche Dubletten hinweisen", "auf mögliche doppelte Firmen hinweisen"
        ),
        encoding="utf-8",
    )
    result = run_cli("build", root)
    assert result.code == 0, result.output
    first, latest, previous = _annexes(root)
    for annex in (latest, previous):
        assert "seit Baseline lh-v1.1" in _text(annex)
        assert list(_blocks(annex)) == ["LH-KON-099"]
        assert _marks(annex, "del") == ["Dubletten"]
        assert _marks(annex, "ins") == ["doppelte Firmen"]
    assert list(_blocks(first)) == FOUR


@needs_git
def test_without_a_baseline_a_sentence_and_an_unknown_tag_fails_at_its_line(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    root = _project(
        tmp_path, "# Änderungsanhang\n\n:::{item-diff} lh-v1.0\n:::\n\n:::{item-diff} latest\n:::\n"
    )
    # not a git repository (a CI clone without tags reads the same): no warning
    result = run_cli("build", root)
    assert result.code == 0, result.output
    page = _text((root / PAGE).read_text(encoding="utf-8"))
    assert (
        "Kein Änderungsanhang: die Baseline lh-v1.0 ist in dieser Arbeitskopie nicht "
        "vorhanden (keine Git-Tags lh-v*)." in page
    )
    assert "Kein Änderungsanhang: Lastenheft hat in dieser Arbeitskopie noch keine Baseline" in page

    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    result = run_cli("build", root)  # a git work tree without tags (a CI clone): the same
    assert result.code == 0, result.output
    page = _text((root / PAGE).read_text(encoding="utf-8"))
    assert "die Baseline lh-v1.0 ist in dieser Arbeitskopie nicht vorhanden" in page
    git(root, "tag", "lh-v1.0")
    annex = root / ANNEX
    annex.write_text(annex.read_text(encoding="utf-8") + "\n:::{item-diff} lh-v1.9\n:::\n")
    line = annex.read_text(encoding="utf-8").splitlines().index(":::{item-diff} lh-v1.9") + 1
    for _ in range(2):  # and again without any change: the warning does not go away
        result = run_cli("build", root)
        assert result.code == 1, result.output
        located = [ln for ln in result.err.splitlines() if f"{ANNEX}:{line}:" in ln]
        assert located, result.err
        assert "'lh-v1.9' is no baseline of document 'lastenheft'" in located[0]
        assert "known baselines of 'lastenheft': lh-v1.0, latest, previous" in located[0]
        assert "Traceback" not in result.output
    assert "Kein Änderungsanhang: lh-v1.9 ist keine Baseline von Lastenheft." in _text(
        (root / PAGE).read_text(encoding="utf-8")
    )


@pytest.mark.pdf
@needs_git
def test_the_pdf_shows_the_annex_with_struck_and_underlined_words(run_cli, tmp_path):  # type: ignore[no-untyped-def]
    require_pdf_tools()
    root = _project(tmp_path, "# Änderungsanhang\n\n:::{item-diff} lh-v1.0\n:::\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")
    _change(root)
    result = run_cli("build", root, "--format", "pdf", "--document", "lastenheft")
    assert result.code == 0, result.output
    tex = (root / "_build/latex/lastenheft.tex").read_text(encoding="utf-8")
    # one macro per word, the text escaped as any other: a line may break between words
    assert r"\specheftdel{Soll} → \specheftins{Muss}" in tex
    assert r"\specheftins{Branche\_Code}\specheftinsspace{}\specheftins{\&}" in tex
    assert r"\specheftins{(in}\specheftinsspace{}\specheftins{\%)}" in tex
    assert r"\specheftins{(\#1)}" in tex
    text = re.sub(r"\s+", " ", pdf_text(root / "_build/pdf/lastenheft.pdf"))
    annex = text.split("Änderungsanhang")[-1]
    assert "Änderungen seit Baseline lh-v1.0" in annex
    assert "1 neu, 2 geändert, 1 entfernt" in annex
    assert "LH-KON-001 Firmen anlegen (geändert)" in annex
    assert "Branche und Branche_Code & Größenklasse (in %) anzulegen (#1)." in annex
    assert "LH-KON-003 Rolle im Buying Center (geändert) Priorität: Soll → Muss" in annex
    assert "LH-KON-004 Konzernhierarchie (entfernt)" in annex
    assert "LH-KON-099 Dubletten erkennen (neu)" in annex
    assert "LH-KON-002" not in annex


@needs_git
def test_an_english_project_reads_the_annex_in_english(make_project, run_cli):  # type: ignore[no-untyped-def]
    from .helpers import SETTINGS

    settings = SETTINGS.format(language="en") + (
        '\n[documents.spec]\ntitle = "Specification"\nstart = "index"\nbaseline = "v*"\n'
    )
    requirement = (
        ":::{{req}} Companies\n:id: LH-KON-001\n:priority: {priority}\n:phase: PHASE-IMPL\n\n"
        "The CRM system {verb} let sales create companies.\n:::\n"
    )
    project = make_project(
        {
            "reqs.md": "# Requirements\n\n" + requirement.format(priority="should", verb="should"),
            "annex.md": "# Annex\n\n:::{item-diff} latest\n:::\n",
        },
        settings=settings,
    )
    root = project.root
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "1.0")
    git(root, "tag", "v1.0")
    project.write(
        "spec/reqs.md", "# Requirements\n\n" + requirement.format(priority="must", verb="must")
    )
    result = run_cli("build", root, "--no-strict")  # (the item's own findings aside)
    assert result.code == 0 and "item-diff" not in result.output, result.output
    page = (root / "_build/html/annex.html").read_text(encoding="utf-8")
    text = _text(page)
    assert "Changes since baseline v1.0 (version 1.0 of " in text and "1 changed." in text
    assert "Struck through: text deleted; underlined: text added." in text
    assert "LH-KON-001 Companies (changed)" in text
    assert "Priority: Should → Must" in text
    assert _marks(page, "del") == ["Should", "should"] and _marks(page, "ins") == ["Must", "must"]
