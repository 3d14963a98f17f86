"""A re-check after an edit (cached environment, cached lint hits) finds exactly what a
check from scratch finds — on the example and on generated projects — and a stale cache
is never used."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest

from specheft.sphinxext.needs import patches as speedups

from .bench import generate as gen
from .helpers import REPO


def _findings(run_cli, root: Path, *extra: str) -> list[dict[str, object]]:
    result = run_cli("check", root, "--format", "json", *extra)
    assert result.code in (0, 1), result.output
    data = json.loads(result.out)
    return sorted((f for f in data["findings"]), key=lambda f: json.dumps(f, sort_keys=True))


def _same_as_fresh(run_cli, root: Path, twin: Path) -> list[dict[str, object]]:
    """Cached re-check of ``root`` against a from-scratch check of an identical copy."""
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("_build"))
    cached = _findings(run_cli, root)
    fresh = _findings(run_cli, twin, "--fresh")
    for finding in cached + fresh:  # the copies differ only in their directory
        finding["path"] = str(finding["path"])
    assert cached == fresh
    return cached


EDITS = [
    # a weak word in a statement, a link to a phase that does not exist, a priority raised
    (
        r"(Das CRM-System muss dem Vertriebsinnendienst die Möglichkeit bieten, )",
        r"\1schnell ",
        "lastenheft/05-anforderungen/kontakte.md",
    ),
    (
        r"^:phase: PHASE-IMPL$",
        ":phase: PHASE-UNBEKANNT",
        "lastenheft/05-anforderungen/vertrieb.md",
    ),
    (r"^:priority: should$", ":priority: must", "lastenheft/05-anforderungen/vertrieb.md"),
]


def test_recheck_of_the_example_equals_a_fresh_check(run_cli, tmp_path):
    root = tmp_path / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    baseline = _same_as_fresh(run_cli, root, tmp_path / "twin")
    assert _findings(run_cli, root) == baseline  # unchanged: the same again
    for pattern, replacement, page in EDITS:
        path = root / "spec" / page
        text = path.read_text(encoding="utf-8")
        new, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        assert count, pattern
        path.write_text(new, encoding="utf-8")
        after = _same_as_fresh(run_cli, root, tmp_path / "twin")
        assert after != baseline  # the edit shows: no stale result
        baseline = after
    rules = {f["rule"] for f in baseline}
    assert {"lint-weak-word", "build"} <= rules


def test_recheck_of_generated_projects_equals_a_fresh_check(run_cli, tmp_path):
    root = tmp_path / "gen"
    manifest = gen.generate(root, 60, "specheft")
    _same_as_fresh(run_cli, root, tmp_path / "twin")
    rng = random.Random(7)
    pages = sorted((root / "spec").rglob("*.md"))
    for _ in range(3):
        page = rng.choice(pages)
        text = page.read_text(encoding="utf-8")
        lines = text.splitlines()
        titles = [i for i, line in enumerate(lines) if line.startswith(":::{req} ")]
        if titles:
            index = rng.choice(titles)
            lines[index] = lines[index] + " möglichst schnell"
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _same_as_fresh(run_cli, root, tmp_path / "twin")
    assert manifest is not None


def test_recheck_after_moving_items_and_deleting_a_page_equals_a_fresh_check(run_cli, tmp_path):
    # Moving an item into a new page and deleting a page are the edits in which stale
    # items of a skipped purge would show up, as duplicate ids or ghost links.
    root = tmp_path / "gen"
    gen.generate(root, 60, "specheft")
    _same_as_fresh(run_cli, root, tmp_path / "twin")
    pages = sorted((root / "spec").rglob("*.md"))
    source = next(p for p in pages if ":::{req} " in p.read_text(encoding="utf-8"))
    text = source.read_text(encoding="utf-8")
    start = text.index(":::{req} ")
    end = text.index("\n:::\n", start) + len("\n:::\n")
    moved = text[start:end]
    source.write_text(text[:start] + text[end:], encoding="utf-8")
    (source.parent / "moved-here.md").write_text("# Moved\n\n" + moved, encoding="utf-8")
    after_move = _same_as_fresh(run_cli, root, tmp_path / "twin")
    assert not [f for f in after_move if "duplicate" in str(f["message"]).lower()]
    victim = next(p for p in pages if p != source and ":::{spec} " in p.read_text("utf-8"))
    victim.unlink()
    after_delete = _same_as_fresh(run_cli, root, tmp_path / "twin")
    assert after_delete != after_move  # the deleted specs' requirements lose coverage


def test_purge_skips_only_documents_never_read(tmp_path):
    from sphinx_needs.data import SphinxNeedsData

    import specheft.sphinxext  # noqa: F401  (loads sphinx-needs)

    assert speedups.install()
    assert SphinxNeedsData.remove_doc is speedups._remove_doc
    calls: list[str] = []
    original = speedups._ORIGINAL["remove_doc"]
    speedups._ORIGINAL["remove_doc"] = lambda self, docname: calls.append(docname)
    try:

        class Env:
            all_docs = frozenset({"read-before"})

        class Data:
            env = Env()
            needs_is_post_processed = False

            def get_or_create_docs(self) -> None:
                calls.append("stores")

            get_or_create_extends = get_or_create_umls = get_or_create_docs

        speedups._remove_doc(Data(), "new-page")
        speedups._remove_doc(Data(), "read-before")
        Data.needs_is_post_processed = True  # let sphinx-needs raise its own error
        speedups._remove_doc(Data(), "new-page")
    finally:
        speedups._ORIGINAL["remove_doc"] = original
    assert calls == ["stores"] * 3 + ["read-before", "new-page"]


def test_lint_cache_is_dropped_when_options_change(run_cli, tmp_path):
    root = tmp_path / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    page = root / "spec/lastenheft/05-anforderungen/kontakte.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "Firmen mit Name, Anschrift", "Firmen mit Name, Postfach, Anschrift", 1
        ),
        encoding="utf-8",
    )
    assert not [f for f in _findings(run_cli, root) if "Postfach" in str(f["message"])]
    settings = root / "conf/specheft.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\n[lint]\nweak_words_de = ["Postfach"]\n',
        encoding="utf-8",
    )
    assert [f for f in _findings(run_cli, root) if "Postfach" in str(f["message"])]


@pytest.mark.parametrize("seed", range(5))
def test_constant_time_backlinks_equal_the_original(seed):
    from sphinx_needs.need_item import NeedItem, NeedLink

    import specheft.sphinxext  # noqa: F401  (loads sphinx-needs)

    assert speedups.install()
    assert NeedItem.add_backlink is speedups._add_backlink

    class Fake:
        def __init__(self) -> None:
            self._backlinks: dict[str, list[NeedLink]] = {"phase": [], "satisfies": []}

    def reference(fake: Fake, link_type: str, backlink: NeedLink) -> None:
        if backlink not in fake._backlinks[link_type]:
            fake._backlinks[link_type].append(backlink)

    rng = random.Random(seed)
    ours, theirs = Fake(), Fake()
    for step in range(400):
        link_type = rng.choice(["phase", "satisfies"])
        link = NeedLink(id=f"LH-KON-{rng.randrange(60):03d}")
        speedups._add_backlink(ours, link_type, link)
        reference(theirs, link_type, link)
        if step % 97 == 0:  # sphinx-needs resets and re-sorts the lists between passes
            for fake in (ours, theirs):
                fake._backlinks[link_type].sort(key=lambda li: li.id)
        if step % 151 == 0:
            for fake in (ours, theirs):
                fake._backlinks[link_type] = []
        assert ours._backlinks == theirs._backlinks
    with pytest.raises(KeyError):
        speedups._add_backlink(ours, "verifies", NeedLink(id="X"))
