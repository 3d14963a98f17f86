"""An incremental build after random edits writes the same site as a fresh build.

Seeded random sequences of the edits an analyst makes (a title, a text, a priority, an
added or removed item, an item moved to another page, a new link, a page renamed,
deleted with its items moved to a page beside it, or split off with an item) are applied
to a small generated project (tests/bench/generate.py, N=12, two requirements pages);
after every edit the site is built incrementally, and at the end of each sequence every
file of ``_build/html`` must equal, byte for byte, the file of a fresh build of the same
sources (``SOURCE_DATE_EPOCH`` set), and no other file may be there. A difference is a
stale page (or a build that is not reproducible), whichever file it is in: the page of a
renamed or deleted source left in the site, or a word of deleted text left in
``searchindex.js`` (Sphinx kept it there with no page).
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .bench import generate as gen

pytestmark = pytest.mark.slow

#: the item pages edits go to (the second requirements page is made by ``_project``)
PAGES = (
    "spec/lastenheft/anforderungen-001.md",
    "spec/lastenheft/anforderungen-002.md",
    "spec/lastenheft/abgrenzungen-001.md",
    "spec/pflichtenheft/umsetzung-001.md",
    "spec/testkatalog/testfaelle-001.md",
)
_OPENING = re.compile(r"^:::\{(req|spec|test|excl)\} (.*)$", re.M)


def _project(root: Path) -> Path:
    """The N=12 benchmark project with its last four requirements on a second page."""
    gen.generate(root, 12, "specheft")
    first = root / PAGES[0]
    text = first.read_text(encoding="utf-8")
    cut = [m.start() for m in _OPENING.finditer(text)][-4]
    first.write_text(text[:cut], encoding="utf-8")
    (root / PAGES[1]).write_text("# Anforderungen (2/2)\n\n" + text[cut:], encoding="utf-8")
    index = root / "spec/lastenheft/index.md"
    toc = index.read_text(encoding="utf-8")
    index.write_text(toc.replace("anforderungen-001\n", "anforderungen-001\nanforderungen-002\n"))
    return root


class Sources:
    """The item pages of a project as text, with the edits made on them."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.pages = list(PAGES)

    def read(self, page: str) -> str:
        return (self.root / page).read_text(encoding="utf-8")

    def write(self, page: str, text: str) -> None:
        (self.root / page).write_text(text, encoding="utf-8")

    def blocks(self, kinds: tuple[str, ...] = ("req", "spec", "test", "excl")) -> list[Any]:
        """(page, start, end, kind, id) of every item of ``kinds``."""
        found = []
        for page in self.pages:
            text = self.read(page)
            for match in _OPENING.finditer(text):
                if match.group(1) not in kinds:
                    continue
                end = text.index("\n:::\n", match.end()) + len("\n:::\n")
                item_id = re.search(r"^:id: (\S+)$", text[match.start() : end], re.M)
                assert item_id is not None
                found.append((page, match.start(), end, match.group(1), item_id.group(1)))
        return found

    def pick(self, *kinds: str) -> Any:
        return self.rng.choice(self.blocks(kinds or ("req", "spec", "test", "excl")))

    def replace_in(self, block: Any, old: re.Pattern[str], new: str) -> str:
        page, start, end, _kind, item_id = block
        text = self.read(page)
        changed = old.sub(new, text[start:end], count=1)
        assert changed != text[start:end], (old.pattern, item_id)
        self.write(page, text[:start] + changed + text[end:])
        return f"{item_id} in {page}"

    # --- the edits ------------------------------------------------------------------

    def title(self, step: int) -> str:
        return "title " + self.replace_in(self.pick(), _TITLE, rf"\1 Titel {step}")

    def text(self, step: int) -> str:
        added = f" Ergänzt in Schritt {step}.\n:::\n"
        return "text " + self.replace_in(self.pick(), _BODY_END, added)

    def priority(self, step: int) -> str:
        block = self.pick("req")
        current = re.search(r"^:priority: (\w+)$", self.read(block[0])[block[1] : block[2]], re.M)
        assert current is not None
        other = self.rng.choice([p for p in ("must", "should", "can") if p != current.group(1)])
        return "priority " + self.replace_in(block, _PRIORITY, f":priority: {other}")

    def add(self, step: int) -> str:
        page = self.rng.choice([p for p in self.pages if "/lastenheft/" in p])
        item_id = f"LH-KON-{9000 + step}"
        self.write(
            page,
            self.read(page)
            + f"\n:::{{req}} Neue Anforderung {step}\n:id: {item_id}\n:priority: should\n"
            ":area: KON\n:verification: test\n:phase: PHASE-IMPL\n"
            ":acceptance: Ein Key-User prüft es.\n\n"
            "Das CRM-System soll neue Daten anzeigen.\n:::\n",
        )
        return f"add {item_id} to {page}"

    def remove(self, step: int) -> str:
        page, start, end, _kind, item_id = self.pick()
        text = self.read(page)
        self.write(page, text[:start] + text[end:])
        return f"remove {item_id} from {page}"

    def move(self, step: int) -> str:
        page, start, end, _kind, item_id = self.pick()
        target = self.rng.choice([p for p in self.pages if p != page])
        text = self.read(page)
        self.write(page, text[:start] + text[end:])
        self.write(target, self.read(target) + "\n" + text[start:end])
        return f"move {item_id} from {page} to {target}"

    def link(self, step: int) -> str:
        block = self.pick("spec")
        target = self.pick("req")[4]
        return f"link to {target}: " + self.replace_in(block, _SATISFIES, rf"\1, {target}")

    # --- pages: renamed, deleted, new (the toctree of their folder follows) ------------

    def _toctree(self, page: str, old: str, new: str) -> None:
        index = self.root / Path(page).parent / "index.md"
        text = index.read_text(encoding="utf-8")
        assert f"\n{old}\n" in text, (index, old)
        now = f"\n{new}\n" if new else "\n"  # none: the line goes
        index.write_text(text.replace(f"\n{old}\n", now, 1), encoding="utf-8")

    def rename(self, step: int) -> str:
        page = self.rng.choice(self.pages)
        stem = Path(page).stem
        renamed = (Path(page).parent / f"{stem.split('-r')[0]}-r{step}.md").as_posix()
        (self.root / page).rename(self.root / renamed)
        self._toctree(page, stem, Path(renamed).stem)
        self.pages[self.pages.index(page)] = renamed
        return f"rename {page} to {renamed}"

    def delete(self, step: int) -> str:
        """A page deleted, its items moved to another page of its folder first."""
        beside = [
            p
            for p in self.pages
            if any(o != p and Path(o).parent == Path(p).parent for o in self.pages)
        ]
        if not beside:
            return self.split(step)
        page = self.rng.choice(beside)
        target = self.rng.choice(
            [p for p in beside if p != page and Path(p).parent == Path(page).parent]
        )
        text = self.read(page)
        items = text[text.index(":::{") :] if ":::{" in text else ""
        self.write(target, self.read(target) + "\n" + items)
        (self.root / page).unlink()
        self._toctree(page, Path(page).stem, "")
        self.pages.remove(page)
        return f"delete {page} (items to {target})"

    def split(self, step: int) -> str:
        """A new page beside one, with that page's last item."""
        page, start, end, _kind, item_id = self.pick()
        text = self.read(page)
        self.write(page, text[:start] + text[end:])
        new = (Path(page).parent / f"neu-{step}.md").as_posix()
        self.write(new, f"# Neue Seite {step}\n\n" + text[start:end])
        stem = Path(page).stem
        self._toctree(page, stem, f"{stem}\nneu-{step}")
        self.pages.append(new)
        return f"split {item_id} from {page} to {new}"


_TITLE = re.compile(r"^(:::\{\w+\} .*)$", re.M)
_BODY_END = re.compile(r"\n:::\n$")
_PRIORITY = re.compile(r"^:priority: \w+$", re.M)
_SATISFIES = re.compile(r"^(:satisfies: .*)$", re.M)
EDITS = ("title", "text", "priority", "add", "remove", "move", "link")
PAGE_EDITS = ("rename", "delete", "split")


def _files(site: Path) -> dict[str, bytes]:
    """Every file and folder of the site (a folder as ``name/``, an empty one counts)."""
    return {
        p.relative_to(site).as_posix() + ("/" if p.is_dir() else ""): b""
        if p.is_dir()
        else p.read_bytes()
        for p in site.rglob("*")
    }


def _differences(incremental: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    names = incremental.keys() | fresh.keys()
    return sorted(name for name in names if incremental.get(name) != fresh.get(name))


def _edit_and_compare(
    seed: int, edits: tuple[str, ...], steps: int, tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    root = _project(tmp_path / "a" / "proj")
    build = ("build", root, "-q", "--no-strict")
    assert run_cli(*build).code == 0
    sources = Sources(root, random.Random(seed))
    done = []
    for step in range(1, steps + 1):
        edit = sources.rng.choice(edits)
        done.append(getattr(sources, edit)(step))
        result = run_cli(*build)
        assert result.code == 0, (done, result.err)
    twin = tmp_path / "b" / "proj"  # the same folder name: the site may name it
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("_build"))
    fresh = run_cli("build", twin, "-q", "--no-strict", "--fresh")
    assert fresh.code == 0, fresh.err
    incremental_site, fresh_site = _files(root / "_build/html"), _files(twin / "_build/html")
    assert _differences(incremental_site, fresh_site) == [], done


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_site_equals_fresh_after_random_edits(
    seed: int,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    _edit_and_compare(seed, EDITS, 4, tmp_path, run_cli)


@pytest.mark.parametrize("seed", [4, 5])
def test_incremental_site_equals_fresh_after_pages_renamed_deleted_and_added(
    seed: int,
    tmp_path: Path,
    run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Page edits among the item edits: no page, folder or search word of a page that
    is gone stays in the site."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    _edit_and_compare(seed, EDITS + PAGE_EDITS * 2, 5, tmp_path, run_cli)
