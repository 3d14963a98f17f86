"""A document with a vendor comparison or a bidder's answers (the Angebotsauswertung) has
a fingerprint: every requirement as the bidders were asked it, the stored answers and
the scoring of ``[tender]``. Any answer, effort, comment or weight changed changes it;
re-saving an answer file does not; the other documents' fingerprints stay as they were.
Cover page (also after an incremental build), workbook cover and ``specheft fingerprint``
show the same value."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from specheft.project import export
from specheft.project.fingerprint import fingerprints
from specheft.project.layout import Project

from .helpers import SETTINGS, MiniProject
from .test_compliance import ALL_STANDARD, PAGE, TENDER, VENDOR, _fill

_SETTINGS = (
    SETTINGS.format(language="de")
    + TENDER
    + """
[documents.lastenheft]
title = "Lastenheft"
start = "kon"

[documents.auswertung]
title = "Angebotsauswertung"
start = "auswertung"
"""
)
#: the document's start page (its cover) and the page with the directives are two
#: toctree levels apart
_PAGES = {
    "kon.md": PAGE,
    "auswertung.md": "# Auswertung\n\nBewertung der Angebote.\n\n```{toctree}\nteil\n```\n",
    "teil.md": "# Teil\n\n```{toctree}\nangebote\n```\n",
    "angebote.md": "# Angebote\n\n:::{vendor-comparison}\n:::\n\n"
    f":::{{vendor-answers}}\n:vendor: {VENDOR}\n:::\n",
}
_INDEX = "# Mini\n\n```{toctree}\nkon\nauswertung\nphasen\n```\n"


@pytest.fixture
def mini(
    make_project: Callable[..., MiniProject], tmp_path: Path, run_cli: Callable[..., object]
) -> MiniProject:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    out = tmp_path / "t.xlsx"
    assert run_cli("compliance", "template", "--vendor", VENDOR, "--out", out, mini.root).code == 0
    filled = _fill(out, tmp_path / "back.xlsx", ALL_STANDARD)
    assert run_cli("compliance", "import", filled, "--vendor", VENDOR, mini.root).code == 0
    return mini


def _answers_file(mini: MiniProject) -> Path:
    (found,) = (mini.root / "spec/tender/answers").glob("*.json")
    return found


def _digests(root: Path) -> dict[str, str]:
    return {f.document.name: f.digest for f in fingerprints(Project.at(root))}


def _cover(root: Path) -> str:
    html = (root / "_build/html/auswertung.html").read_text(encoding="utf-8")
    found = re.findall(r"\b[0-9a-f]{64}\b", html)
    assert len(found) == 1, found
    return found[0]


def _rewrite_answers(mini: MiniProject, change: Callable[[dict], None]) -> None:
    path = _answers_file(mini)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _first_answer(data: dict) -> dict:
    answers = data["answers"]
    return answers[0] if isinstance(answers, list) else next(iter(answers.values()))


def test_the_evaluation_is_fingerprinted_over_requirements_answers_and_scoring(
    mini: MiniProject,
) -> None:
    first = fingerprints(Project.at(mini.root))
    by_name = {f.document.name: f for f in first}
    assert by_name["auswertung"].digest  # it was "no items" before
    assert by_name["auswertung"].items == 4  # the four requirements; answers are no items
    before = _digests(mini.root)

    # re-saved with other whitespace and key order: the same answers, the same value
    path = _answers_file(mini)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    assert _digests(mini.root) == before

    seen = {json.dumps(before, sort_keys=True)}
    for change in (
        lambda d: _first_answer(d).update(comment="Anderer Kommentar"),
        lambda d: _first_answer(d).update(effort=99),
    ):
        _rewrite_answers(mini, change)
        now = _digests(mini.root)
        assert now["auswertung"] != before["auswertung"]
        assert now["lastenheft"] == before["lastenheft"]  # shows no answers
        seen.add(json.dumps(now, sort_keys=True))
        before = now
    toml = mini.root / "conf/specheft.toml"
    toml.write_text(toml.read_text().replace("roadmap = 2", "roadmap = 3"), encoding="utf-8")
    assert _digests(mini.root)["auswertung"] != before["auswertung"]  # the scoring changed
    _answers_file(mini).unlink()
    assert _digests(mini.root)["auswertung"] not in {before["auswertung"], ""}
    assert len(seen) == 3


def test_cover_workbook_and_command_agree_also_after_incremental_builds(
    mini: MiniProject,
    run_cli: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert run_cli("build", mini.root, "--no-strict").code == 0
    assert _cover(mini.root) == _digests(mini.root)["auswertung"]
    for step, change in enumerate(
        (
            lambda d: _first_answer(d).update(comment="Geändert im Angebot"),
            lambda d: _first_answer(d).update(effort=7),
        )
    ):
        _rewrite_answers(mini, change)  # no Sphinx source changed
        assert run_cli("build", mini.root, "--no-strict").code == 0
        expected = _digests(mini.root)["auswertung"]
        assert _cover(mini.root) == expected, f"step {step}: the cover page kept the old value"
        # the workbook's cover, its fingerprints computed in a child process
        monkeypatch.setattr(export, "FORK_FINGERPRINTS", 0)
        out = tmp_path / f"{step}.xlsx"
        assert run_cli("check", mini.root).code in (0, 1)
        assert run_cli("export", "xlsx", mini.root, "--out", out).code == 0
        cover = openpyxl.load_workbook(out)["Cover"]
        lines = {row[0]: row[1] for row in cover.iter_rows(values_only=True)}
        assert lines["Fingerprint auswertung"] == f"{expected} (4 items)"
    # and a fresh build of the same sources shows the same
    copy = tmp_path / "fresh"
    shutil.copytree(mini.root, copy, ignore=shutil.ignore_patterns("_build"))
    assert run_cli("build", copy, "--no-strict").code == 0
    assert _cover(copy) == _cover(mini.root)


@pytest.mark.pdf
def test_the_pdf_cover_says_what_the_fingerprint_covers(
    mini: MiniProject, run_cli: Callable[..., object]
) -> None:
    from .pdftext import pdf_text, require_pdf_tools

    require_pdf_tools()
    result = run_cli("build", mini.root, "--format", "pdf", "--no-strict")
    assert result.code == 0, result.output
    expected = _digests(mini.root)
    evaluation = " ".join(pdf_text(mini.root / "_build/pdf/auswertung.pdf").split())
    assert expected["auswertung"] in evaluation
    assert "gespeicherten Antworten der Anbieter und die Bewertungsregeln" in evaluation
    lastenheft = " ".join(pdf_text(mini.root / "_build/pdf/lastenheft.pdf").split())
    assert expected["lastenheft"] in lastenheft and "Antworten" not in lastenheft
