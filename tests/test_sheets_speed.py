"""``export xlsx|csv`` (#16 speed): the export cache gives exactly the bytes a fresh
export writes — after random edits (also ones that keep size and timestamp), and it is
used only when nothing changed."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from specheft.project.export import export_sheets
from specheft.project.layout import Project

from .helpers import MiniProject
from .test_sheets import PAGES


def _export(root: Path, fmt: str, out: Path) -> tuple[bytes, bool]:
    written = export_sheets(Project.at(root), fmt, target=out)
    return out.read_bytes(), written.cached


def _fresh(root: Path, fmt: str, out: Path) -> bytes:
    shutil.rmtree(root / "_build" / ".export", ignore_errors=True)
    data, cached = _export(root, fmt, out)
    assert not cached
    return data


def _same_length_edit(text: str, rng: random.Random) -> str:
    """Swap one letter of an item's body for another: size unchanged."""
    spots = [i for i, c in enumerate(text) if c in "aeiou" and text[i - 1].isalpha()]
    i = rng.choice(spots)
    return text[:i] + ("x" if text[i] != "x" else "y") + text[i + 1 :]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cached_export_equals_fresh_export_after_random_edits(
    make_project: Callable[..., MiniProject], fmt: str
) -> None:
    mini = make_project(PAGES)
    root = mini.root
    out = root.parent / f"out.{fmt}"
    first, cached = _export(root, fmt, out)
    assert not cached
    again, cached = _export(root, fmt, out)
    assert cached and again == first  # nothing changed: from the cache
    rng = random.Random(16)
    edits: list[Callable[[], None]] = [
        lambda: _rewrite(root / "spec/kon.md", lambda t: _same_length_edit(t, rng)),
        lambda: _rewrite(
            root / "spec/kon.md", lambda t: t.replace(":priority: can", ":priority: should", 1)
        ),
        lambda: _rewrite(root / "conf/specheft.toml", lambda t: t.replace("Mini", "Maxi")),
        lambda: _rewrite(root / "spec/ab.md", lambda t: t.replace("Kein ERP", "Kein DMS")),
    ]
    rng.shuffle(edits)
    for edit in edits:
        edit()
        cached_path, cached = _export(root, fmt, out)
        assert not cached  # an input changed: built again
        assert cached_path == _fresh(root, fmt, out)
        hit, cached = _export(root, fmt, out)
        assert cached and hit == cached_path


def _rewrite(path: Path, change: Callable[[str], str]) -> None:
    """Change the file's text and give it back its timestamp: only the content tells."""
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_damaged_cache_slot_is_a_miss(make_project: Callable[..., MiniProject]) -> None:
    mini = make_project(PAGES)
    out = mini.root.parent / "out.xlsx"
    first, _ = _export(mini.root, "xlsx", out)
    for slot in (mini.root / "_build" / ".export").iterdir():
        slot.write_bytes(slot.read_bytes()[:100])
    again, cached = _export(mini.root, "xlsx", out)
    assert not cached and again == first


def test_cached_export_still_says_what_it_wrote(make_project: Callable[..., MiniProject]) -> None:
    mini = make_project(PAGES)
    out = mini.root.parent / "out.xlsx"
    fresh = export_sheets(Project.at(mini.root), "xlsx", target=out)
    hit = export_sheets(Project.at(mini.root), "xlsx", target=out)
    assert not fresh.cached and hit.cached and hit.counts == fresh.counts
    assert [(t.key, t.rows) for t in hit.tables] == [(t.key, t.rows) for t in fresh.tables]
    assert [t.key for t in hit.tables][-1] == "coverage"
